"""Whole responses, kept by the data version and answered without the application.

The result cache (:mod:`alliance_ld.cache`) saves the worker's time, but a cached
query answer still passes every layer of the application (admission, the query's
analysis, its ETag, the route, gzip); and a document is built again on every
request. This layer sits just inside the access log and keeps finished ``200``
responses to ``GET``: the headers the inner layers set (ETag, Vary, CORS, gzip
encoding) and the body. A request that repeats one on the same data is answered
from here, in full, or with ``304`` when its ``If-None-Match`` (or, without one,
``If-Modified-Since``) still holds, without reaching a route.

What identifies a response (:meth:`ResponseCache.base_key`): the data version
(``Publication.version``: it changes with every change of the data, and every
time-to-live on a remote back end, so nothing stale is answered), the URL as
the server sees it (scheme, prefix, path, query string), the request headers
that shape the links in a body (``Host``, ``X-Forwarded-*``), whether an
``Origin`` was sent (CORS headers), and then the request headers the response
names in ``Vary``: ``Accept``, and ``Accept-Encoding`` reduced to whether it
asks for gzip (what the gzip layer inside decides by).

What is kept: a ``200`` to a ``GET`` with an ``ETag`` (not a static file, which is
read from disk, not computed), without ``Set-Cookie``, ``no-store`` or ``private``,
and with a body no larger than an eighth of the bound; never a response to a
request that carries credentials or asks for a range. The least
recently used go first once the bodies pass the bound (``--cache-bytes``, the
same bound as the result cache's, each). ``HEAD`` is answered from a ``GET``'s
entry (headers, no body); a conditional request that misses is sent inward
without its conditions, so that the full answer can be kept, and answered
``304`` here if it matches.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import AllianceLDError
from ..metrics import ROUTE_KEY, note_route
from .middleware import NOT_DOCUMENTS, not_modified

#: Request headers that shape the links in a body (its base URL).
_SHAPING = (b"host", b"x-forwarded-host", b"x-forwarded-proto", b"x-forwarded-prefix")
#: Request headers that make an answer personal (credentials) or partial (a range): such
#: a request is never answered from here, and its answer never kept.
_CREDENTIALS = (b"authorization", b"cookie", b"range")
#: Conditions a missed request is sent inward without (this layer answers them).
_CONDITIONS = (b"if-none-match", b"if-modified-since", b"if-match", b"if-unmodified-since",
               b"if-range")
#: What a 304 does not repeat from its 200 (it has no content).
_CONTENT = frozenset({b"content-length", b"content-type", b"content-encoding",
                      b"transfer-encoding"})


@dataclasses.dataclass(frozen=True, slots=True)
class CachedResponse:
    """A finished ``200``: its headers as sent by the layers inside, and its body."""

    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: str
    last_modified: str | None
    route: str | None  # the route template that answered (for the HTTP metrics)

    def not_modified_headers(self) -> list[tuple[bytes, bytes]]:
        return [(k, v) for k, v in self.headers if k not in _CONTENT]


#: A request's headers by lower-case name (the first of repeated ones, as Starlette reads).
RawHeaders = dict[bytes, bytes]


def raw_headers(scope: Scope) -> RawHeaders:
    return {name: value for name, value in reversed(scope["headers"])}


def _vary_value(name: str, request: RawHeaders) -> bytes:
    value = request.get(name.encode("latin-1"), b"")
    if name == "accept-encoding":
        return b"gzip" if b"gzip" in value else b""
    return value


def _not_modified(request: RawHeaders, entry: CachedResponse) -> bool:
    if b"if-none-match" not in request and b"if-modified-since" not in request:
        return False
    return not_modified(Headers(raw=[(k, v) for k, v in request.items()
                                     if k in _CONDITIONS]), entry.etag, entry.last_modified)


class ResponseCache:
    """Finished responses by request, least recently used first out, bounded in bytes."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.hits = 0
        self.not_modified = 0
        self.misses = 0
        self._vary: OrderedDict[tuple[str, ...], tuple[str, ...]] = OrderedDict()
        self._entries: OrderedDict[tuple[tuple[str, ...], tuple[bytes, ...]],
                                   CachedResponse] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    @staticmethod
    def base_key(scope: Scope, raw: RawHeaders, version: str) -> tuple[str, ...]:
        return (version, scope.get("scheme", ""), scope.get("root_path", ""), scope["path"],
                scope.get("query_string", b"").decode("latin-1"),
                *(raw.get(name, b"").decode("latin-1") for name in _SHAPING),
                "origin" if b"origin" in raw else "")

    def get(self, base: tuple[str, ...], request: RawHeaders) -> CachedResponse | None:
        names = self._vary.get(base)
        if names is None:
            return None
        key = (base, tuple(_vary_value(name, request) for name in names))
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
            self._vary.move_to_end(base)
        return entry

    def put(self, base: tuple[str, ...], request: RawHeaders, entry: CachedResponse) -> bool:
        """Keep ``entry``; ``False`` when it may not be kept (``Vary: *``, too large)."""
        response = MutableHeaders(raw=entry.headers)
        tokens = {t.strip().lower() for t in response.get("vary", "").split(",")} - {""}
        if "*" in tokens or len(entry.body) > self.max_bytes // 8:
            return False
        names = tuple(sorted(tokens))
        if self._vary.get(base, names) != names:  # the route now varies otherwise: start over
            self._drop_base(base)
        self._vary[base] = names
        self._vary.move_to_end(base)
        key = (base, tuple(_vary_value(name, request) for name in names))
        previous = self._entries.pop(key, None)
        if previous is not None:
            self.size -= len(previous.body)
        self._entries[key] = entry
        self.size += len(entry.body)
        while self.size > self.max_bytes or len(self._vary) > 4 * len(self._entries) + 64:
            if self.size > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self.size -= len(evicted.body)
            else:
                self._vary.popitem(last=False)
        return True

    def _drop_base(self, base: tuple[str, ...]) -> None:
        for key in [k for k in self._entries if k[0] == base]:
            self.size -= len(self._entries.pop(key).body)


def _cacheable_request(scope: Scope) -> bool:
    if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
        return False
    if any(name in _CREDENTIALS for name, _ in scope["headers"]):
        return False
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root + "/"):
        path = path[len(root):]
    # Static files are read from disk, not computed; they may change under a running
    # server (the editor's bundle is built without a restart): never kept here.
    return path not in NOT_DOCUMENTS and not path.startswith("/static/")


def _keepable(headers: list[tuple[bytes, bytes]]) -> tuple[str, str | None] | None:
    """The ETag and Last-Modified of a response that may be kept, else ``None``."""
    response = Headers(raw=headers)
    etag = response.get("etag")
    control = response.get("cache-control", "").lower()
    if etag is None or "no-store" in control or "private" in control or "set-cookie" in response:
        return None
    return etag, response.get("last-modified")


class ResponseCacheMiddleware:
    """Answer repeated ``GET``/``HEAD`` requests from :class:`ResponseCache` (module docs)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.cache = ResponseCache(max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = getattr(scope.get("app"), "state", None)
        if state is not None and getattr(state, "response_cache", None) is not self.cache:
            state.response_cache = self.cache  # for /metrics
        publication = getattr(state, "publication", None)
        if (self.cache.max_bytes <= 0 or publication is None
                or not getattr(state, "ready", False) or not _cacheable_request(scope)):
            await self.app(scope, receive, send)
            return
        try:
            version = await publication.current_version()
        except AllianceLDError:  # the back end is not answering: the route reports it
            await self.app(scope, receive, send)
            return
        request = raw_headers(scope)
        base = self.cache.base_key(scope, request, version)
        entry = self.cache.get(base, request)
        if entry is not None:
            if entry.route is not None:
                note_route(scope, entry.route)
            await self._answer(scope, request, entry, send)
            return
        self.cache.misses += 1
        if scope["method"] == "HEAD":  # nothing to keep: the body is not sent
            await self.app(scope, receive, send)
            return
        await self._fill(scope, receive, send, request, base)

    async def _not_modified(self, entry: CachedResponse, send: Send) -> None:
        self.cache.not_modified += 1
        await send({"type": "http.response.start", "status": 304,
                    "headers": entry.not_modified_headers()})
        await send({"type": "http.response.body", "body": b""})

    async def _answer(self, scope: Scope, request: RawHeaders, entry: CachedResponse,
                      send: Send) -> None:
        if _not_modified(request, entry):
            await self._not_modified(entry, send)
            return
        self.cache.hits += 1
        await send({"type": "http.response.start", "status": 200,
                    "headers": list(entry.headers)})
        body = b"" if scope["method"] == "HEAD" else entry.body
        await send({"type": "http.response.body", "body": body})

    async def _fill(self, scope: Scope, receive: Receive, send: Send, request: RawHeaders,
                    base: tuple[str, ...]) -> None:
        """Send the request inward without its conditions; keep the answer if it may be."""
        conditional = any(name in _CONDITIONS for name, _ in scope["headers"])
        inner = scope
        if conditional:
            inner = dict(scope)
            inner["headers"] = [(k, v) for k, v in scope["headers"] if k not in _CONDITIONS]
        limit = self.cache.max_bytes // 8
        kept: list[CachedResponse] = []  # the answer, once complete and small enough
        start: Message | None = None
        validators: tuple[str, str | None] | None = None
        chunks: list[bytes] = []
        size = 0

        async def send_kept(message: Message) -> None:
            nonlocal start, validators, size
            if message["type"] == "http.response.start":
                start = message
                if message["status"] == 200:
                    validators = _keepable(message["headers"])
                if not (conditional and validators is not None):
                    await send(message)
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            if validators is not None:
                body = message.get("body", b"")
                size += len(body)
                if size <= limit or conditional:  # a conditional answer is held whole
                    chunks.append(body)
                if not message.get("more_body", False):
                    await self._finish(send, request, start, validators, chunks, size,
                                       limit, conditional, message, kept)
                    return
                if conditional:
                    return  # held until the end: the answer may yet be a 304
            await send(message)

        await self.app(inner, receive, send_kept)
        if kept:  # kept once the route is done: it has named its template by then
            holder = scope.get(ROUTE_KEY)
            route = holder[0] if isinstance(holder, list) and holder else None
            self.cache.put(base, request, dataclasses.replace(kept[0], route=route))

    async def _finish(self, send: Send, request: RawHeaders, start: Message | None,
                      validators: tuple[str, str | None], chunks: list[bytes], size: int,
                      limit: int, conditional: bool, last: Message,
                      kept: list[CachedResponse]) -> None:
        assert start is not None
        etag, last_modified = validators
        entry = CachedResponse(list(start["headers"]), b"".join(chunks), etag, last_modified,
                               None)
        if size <= limit:
            kept.append(entry)
        if not conditional:
            await send(last)
            return
        if _not_modified(request, entry):
            await self._not_modified(entry, send)
            return
        # a conditional request that does not match: the full answer, held until now
        await send(start)
        await send({"type": "http.response.body", "body": entry.body})
