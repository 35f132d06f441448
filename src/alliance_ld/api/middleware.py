"""HTTP middleware: proxy prefixes, security headers, access log, CORS, metrics, gzip, validators.

From the outside in, a request passes through::

    SecurityHeadersMiddleware  Content-Security-Policy, X-Content-Type-Options: nosniff
                               and Referrer-Policy on every response
    (Starlette's ServerErrorMiddleware: the 500 of a bug)
    ForwardedHeadersMiddleware X-Forwarded-Host and -Prefix, from trusted proxies only
    ProxyHeadersMiddleware     (uvicorn's) X-Forwarded-Proto and -For, same proxies
    AccessLogMiddleware        one JSON line per request, X-Request-ID
    HttpMetricsMiddleware      requests by route template and status (/metrics)
    ResponseCacheMiddleware    repeated GETs answered whole, or 304, on the same data
                               (:mod:`alliance_ld.api.response_cache`)
    MetricsGuardMiddleware     /metrics only for allowed addresses and the bearer token
    CORSMiddleware             any origin may GET and POST queries
    RequestBodyMiddleware      bodies up to a size (413) and within a time (408)
    GZipMiddleware             bodies of 1 KiB and more, when the client accepts gzip
    DocumentValidatorsMiddleware  ETag, Last-Modified, Cache-Control and 304 on documents
    AllowedMethodsMiddleware   OPTIONS answered, and every 405, with the path's real Allow
    HeadAsGetMiddleware        HEAD answered as GET without the body
    (the routes)

The forwarded headers are read from the peers in ``Settings.forwarded_allow_ips``
only: anyone else could otherwise point the links and redirects we send at a host
of their choosing (cache poisoning through a shared cache).

The security headers are set outside everything else, Starlette's own
``ServerErrorMiddleware`` included (:func:`install` wraps the whole stack), so
every response gets them: every route and status, the errors of the exception
handlers, static files, 304s, and the 500 of a bug. The policy (:data:`CONTENT_SECURITY_POLICY`)
lets pages run scripts from this server's own files only: no inline script, no
``eval``, no plug-ins, no ``<base>``, no framing by other sites.

The validators sit inside gzip and their ETag is weak, so the gzip-encoded
variant of a document shares it (RFC 9110, 8.8.1); a 304 never has a body to
compress, so it repeats the ``Vary: Accept-Encoding`` its 200 would carry.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import logging
import os
import re
import time
from collections import OrderedDict
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import parse_qsl

import anyio
from fastapi import FastAPI
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from .. import __version__, logs, metrics, network
from ..errors import AllianceLDError
from ..settings import Settings

#: Responses smaller than this are sent uncompressed.
GZIP_MINIMUM_SIZE = 1024
#: Documents are fresh for five minutes; after that clients revalidate (and get a 304).
DOCUMENT_CACHE_CONTROL = "public, max-age=300"
#: Paths that are never documents (operations endpoints); ``/sparql`` is a document
#: (its service description) only without a ``query``.
NOT_DOCUMENTS = frozenset({metrics.METRICS_PATH, "/healthz", "/readyz"})
#: Headers a client may read from a cross-origin response.
EXPOSED_HEADERS = (
    "Content-Location", "Link", "Location", "ETag", "Last-Modified", "Vary",
    "X-Result-Truncated", "X-Result-Limit", "X-Request-ID", "Retry-After",
    "Content-Disposition",
)
#: What a 304 must not repeat from the 200 it stands for (it has no content).
_CONTENT_HEADERS = frozenset({b"content-length", b"content-type", b"content-encoding",
                              b"transfer-encoding"})
#: Request headers that shape the links in a document (its base URL).
_SHAPING_REQUEST_HEADERS = ("host", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-prefix")
_ENTITY_TAG = re.compile(r'(?:W/)?"([^"]*)"')
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@-]{1,128}")



def _hash_source(text: str) -> str:
    """A CSP hash source (``'sha256-…'``) allowing one inline ``<style>`` with this text."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


#: The ``<style>`` elements YASGUI 4.6.2 adds to the editor page at run time (its table's
#: column resizer: the resizer's rules, and the cursor while a column is dragged),
#: verbatim; the policy allows exactly these by their hashes. A test checks that the
#: vendored bundle still holds them.
YASGUI_INLINE_STYLES = (
    " .grip-resizable{table-layout:fixed;} .grip-resizable > tbody > tr > td, .grip-resizable"
    " > tbody > tr > th{overflow:hidden} .grip-padding > tbody > tr > td, .grip-padding > tbody"
    " > tr > th{padding-left:0!important; padding-right:0!important;} .grip-container{"
    " height:0px; position:relative;} .grip-handle{margin-left:-5px; position:absolute;"
    " z-index:5; } .grip-handle .grip-resizable{position:absolute;background-color:red;"
    "filter:alpha(opacity=1);opacity:0;width:10px;height:100%;cursor: col-resize;top:0px}"
    " .grip-lastgrip{position:absolute; width:1px; } .grip-drag{ border-left:1px dotted"
    " black;\t} .grip-flex{width:auto!important;} .grip-handle.grip-disabledgrip"
    " .grip-resizable{cursor:default; display:none;}",
    "*{cursor:col-resize!important}",
)
_STYLE_HASHES = " ".join(_hash_source(text) for text in (network.STYLE, *YASGUI_INLINE_STYLES))

#: The Content-Security-Policy of every response, ``/docs`` included. Scripts only from
#: our own files (the query editor and Swagger UI are self-hosted; no page has an inline
#: script, an event-handler attribute or a ``javascript:`` link, and neither YASGUI nor
#: Swagger UI needs ``eval``). Style sheets from
#: our files, and the few inline ``<style>`` elements we know, by hash: the network
#: picture's and YASGUI's above; ``style`` attributes are allowed (``style-src-attr``)
#: since the editor's widgets may write them, and they cannot run code. Images, fonts
#: and requests (the editor's queries) to this server only; forms post here only;
#: nobody may frame a page of ours.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    f"style-src 'self' {_STYLE_HASHES}",
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
#: Full URLs as Referer within this site (the access log shows where a visitor came
#: from), only the origin to other sites: search words and SPARQL queries in our URLs
#: never leave, and nothing at all is sent from https to http.
REFERRER_POLICY = "strict-origin-when-cross-origin"


_HOST = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])"
                   r"(?::[0-9]{1,5})?$")


class TrustedProxies:
    """The peers whose ``X-Forwarded-*`` headers we believe.

    Built from a comma-separated list of IP addresses, networks in CIDR notation
    and other peer names (such as a Unix socket path); ``*`` trusts every peer.
    """

    def __init__(self, spec: str) -> None:
        items = [item.strip() for item in spec.split(",") if item.strip()]
        self.everyone = "*" in items
        self.networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        self.names: set[str] = set()
        self._seen: dict[str, bool] = {}
        for item in items:
            if item == "*":
                continue
            try:
                self.networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                self.names.add(item)

    def __contains__(self, peer: object) -> bool:
        if self.everyone:
            return True
        if not isinstance(peer, str):
            return False
        known = self._seen.get(peer)
        if known is None:
            known = self._decide(peer)
            if len(self._seen) >= 4096:  # a bounded memo: peers are few, but need not be
                self._seen.clear()
            self._seen[peer] = known
        return known

    def _decide(self, peer: str) -> bool:
        if peer in self.names:
            return True
        try:
            address = ipaddress.ip_address(peer)
        except ValueError:
            return False
        return any(address in network for network in self.networks)


class ForwardedHeadersMiddleware:
    """Honour ``X-Forwarded-Prefix`` and ``X-Forwarded-Host`` from a trusted proxy.

    The prefix becomes the ASGI ``root_path`` and the host replaces the ``Host``
    header, so links and redirects point where the client came from. Scheme and
    client address (``X-Forwarded-Proto``/``-For``) are left to uvicorn's
    ``ProxyHeadersMiddleware``, which :func:`install` places just inside this one
    with the same trusted peers. Headers from any other peer, and values that are
    not a plain path or host name, are ignored.
    """

    def __init__(self, app: ASGIApp, trusted: str = "127.0.0.1") -> None:
        self.app = app
        self.trusted = TrustedProxies(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] == "http" and client and client[0] in self.trusted:
            prefix: str | None = None
            host: bytes | None = None
            for name, value in scope.get("headers", []):
                if name == b"x-forwarded-prefix" and prefix is None:
                    candidate = value.decode("latin-1").split(",")[0].strip().rstrip("/")
                    if candidate.startswith("/") and ".." not in candidate:
                        prefix = candidate
                elif name == b"x-forwarded-host" and host is None:
                    candidate = value.decode("latin-1").split(",")[0].strip()
                    if _HOST.match(candidate):
                        host = candidate.encode("latin-1")
            if prefix is not None or host is not None:
                scope = dict(scope)
                if prefix is not None:
                    scope["root_path"] = prefix
                if host is not None:
                    scope["headers"] = [(k, v) for k, v in scope["headers"] if k != b"host"]
                    scope["headers"].append((b"host", host))
        await self.app(scope, receive, send)


class SecurityHeadersMiddleware:
    """Content-Security-Policy, X-Content-Type-Options and Referrer-Policy on every response.

    The headers replace any a route set, so no route can weaken them. They are
    sent on every response, not only HTML: a browser that is shown a JSON, SVG
    or XML document directly then applies the same policy, and ``nosniff`` keeps
    it from reading a text or JSON error as HTML.
    """

    HEADERS = (
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", REFERRER_POLICY),
    )
    _RAW = tuple((name.lower().encode("latin-1"), value.encode("latin-1"))
                 for name, value in HEADERS)
    _NAMES = frozenset(name for name, _ in _RAW)

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = self._NAMES
                headers = [(k, v) for k, v in message.get("headers", ())
                           if k.lower() not in names]
                headers.extend(self._RAW)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class HeadAsGetMiddleware:
    """Answer ``HEAD`` for every ``GET`` route: route it as ``GET`` and drop the body.

    Routes are declared for ``GET`` only (one operation each in OpenAPI); the
    headers, ``Content-Length`` included, are those the ``GET`` would send.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {"type": "http.response.body", "body": b"",
                           "more_body": message.get("more_body", False)}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)


#: The methods :func:`allowed_methods` asks the routes about, in the order ``Allow`` lists them.
_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(scope: Scope) -> list[str]:
    """The methods the app answers at this request's path (empty: no route there).

    Each route is asked whether it takes the path with each method (through
    Starlette's ``BaseRoute.matches``, so ``/sparql``'s GET and POST routes both
    count), plus ``HEAD`` wherever ``GET`` is (:class:`HeadAsGetMiddleware`) and
    ``OPTIONS`` (:class:`AllowedMethodsMiddleware`). A mount (the static files)
    answers ``GET`` and ``HEAD``.
    """
    app = scope.get("app")
    routes = getattr(getattr(app, "router", None), "routes", ())
    methods: set[str] = set()
    for route in routes:
        if isinstance(route, Mount):
            if route.matches({**scope, "method": "GET"})[0] is Match.FULL:
                methods |= {"GET", "HEAD"}
            continue
        methods |= {m for m in _METHODS
                    if route.matches({**scope, "method": m})[0] is Match.FULL}
    if not methods:
        return []
    if "GET" in methods:
        methods.add("HEAD")
    methods.add("OPTIONS")
    return [m for m in _METHODS if m in methods]


class AllowedMethodsMiddleware:
    """``OPTIONS`` and ``405 Method Not Allowed`` that tell the truth (RFC 9110, 9.3.7, 15.5.6).

    Starlette answers ``OPTIONS`` with 405, and its 405s list the methods of the
    first route that matches the path only (``Allow: GET`` on ``/sparql``, which
    also takes POST), without ``HEAD``, which :class:`HeadAsGetMiddleware`
    serves. Here ``OPTIONS`` on any path we route is ``204 No Content`` with
    :func:`allowed_methods` in ``Allow``, and every 405 gets that ``Allow`` too.
    A CORS preflight (``OPTIONS`` with ``Access-Control-Request-Method``) never
    gets here: ``CORSMiddleware``, further out, answers it.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":
            methods = allowed_methods(scope)
            if methods:
                await send({"type": "http.response.start", "status": 204,
                            "headers": [(b"allow", ", ".join(methods).encode("latin-1"))]})
                await send({"type": "http.response.body", "body": b""})
                return

        async def send_with_allow(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                methods = allowed_methods(scope)
                if methods:
                    MutableHeaders(raw=message["headers"])["Allow"] = ", ".join(methods)
            await send(message)

        await self.app(scope, receive, send_with_allow)


# ---------------------------------------------------------------------------
# ETag, Last-Modified and 304 Not Modified


def _route_path(scope: Scope) -> str:
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root + "/"):
        path = path[len(root):]
    return path


def is_document_request(scope: Scope) -> bool:
    """Whether a GET answers with a document (rather than a query result or a probe)."""
    path = _route_path(scope)
    if path in NOT_DOCUMENTS:
        return False
    if path == "/sparql":
        keys = {k for k, _ in parse_qsl(scope.get("query_string", b"").decode("latin-1"),
                                        keep_blank_values=True)}
        return not keys & {"query", "update"}
    return True


def entity_tag(scope: Scope, response: Headers, data_version: str) -> str:
    """A weak ETag for a document: the data's version and what selects this representation.

    It is not a hash of the body: serialisers may label blank nodes afresh on
    each request, which changes the bytes but not the meaning (hence weak). It
    combines the software and data versions, the URL (with the proxy headers
    that shape the links in it), the response's media type, language and
    location, and the request headers the response says it varies on.
    """
    request = Headers(scope=scope)
    varies = sorted({t.strip().lower() for t in response.get("vary", "").split(",")}
                    - {"", "*", "accept-encoding", "origin"})
    parts = [
        __version__, data_version, scope.get("scheme", ""), scope.get("root_path", ""),
        scope["path"], scope.get("query_string", b"").decode("latin-1"),
        *(request.get(name, "") for name in _SHAPING_REQUEST_HEADERS),
        *(response.get(name, "") for name in ("content-type", "content-language",
                                              "content-location")),
        *(f"{name}={request.get(name, '')}" for name in varies),
    ]
    digest = hashlib.blake2b("\0".join(parts).encode("utf-8", "replace"), digest_size=16)
    return f'W/"{digest.hexdigest()}"'


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def etag_matches(if_none_match: str, etag: str) -> bool:
    """Weak comparison (RFC 9110, 13.1.2): ``*`` or any listed tag with the same opaque part."""
    if if_none_match.strip() == "*":
        return True
    ours = _ENTITY_TAG.fullmatch(etag.strip())
    if ours is None:
        return False
    return any(m.group(1) == ours.group(1) for m in _ENTITY_TAG.finditer(if_none_match))


def not_modified(request: Headers, etag: str | None, last_modified: str | None) -> bool:
    """RFC 9110, 13.2.2: If-None-Match decides when present, else If-Modified-Since."""
    if_none_match = request.get("if-none-match")
    if if_none_match is not None:
        return etag is not None and etag_matches(if_none_match, etag)
    if_modified_since = request.get("if-modified-since")
    if if_modified_since is None or last_modified is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
        modified = parsedate_to_datetime(last_modified)
    except (TypeError, ValueError, IndexError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    if modified.tzinfo is None:
        modified = modified.replace(tzinfo=UTC)
    return modified <= since


def _not_modified_start(start: Message, compressible: bool) -> Message:
    headers = [(k, v) for k, v in start["headers"] if k.lower() not in _CONTENT_HEADERS]
    if compressible:
        # The 200 would have carried it (from GZipMiddleware); the 304 must too.
        vary = MutableHeaders(raw=headers)
        tokens = {t.strip().lower() for t in vary.get("vary", "").split(",")}
        if "accept-encoding" not in tokens:
            vary.add_vary_header("Accept-Encoding")
    return {"type": "http.response.start", "status": 304, "headers": headers}


class SentValidators:
    """The validators of the documents sent, so that a 304 need not build the document again.

    A document's ETag is a function of the data version, the request (scheme,
    prefix, path, query, the headers that shape its links, and those its
    ``Vary`` names) and the route's answer to that request, which the same
    request on the same data repeats. So once a document has been sent, a
    request that is the same in all these and whose ``If-None-Match`` holds that
    ETag is answered ``304`` from here, with the 304 the document's own answer
    would have given. Bounded: the least recently used entries go first.
    """

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._vary: OrderedDict[tuple[str, ...], tuple[str, ...]] = OrderedDict()
        self._sent: OrderedDict[tuple[tuple[str, ...], tuple[str, ...]], Message] = OrderedDict()

    @staticmethod
    def base_key(scope: Scope, request: Headers, data_version: str) -> tuple[str, ...]:
        return (__version__, data_version, scope.get("scheme", ""), scope.get("root_path", ""),
                scope["method"], scope["path"], scope.get("query_string", b"").decode("latin-1"),
                *(request.get(name, "") for name in _SHAPING_REQUEST_HEADERS))

    def lookup(self, base: tuple[str, ...], request: Headers) -> Message | None:
        """The 304 to send, if the request's ``If-None-Match`` holds a remembered ETag."""
        if_none_match = request.get("if-none-match")
        names = self._vary.get(base)
        if if_none_match is None or names is None:
            return None
        key = (base, tuple(request.get(name, "") for name in names))
        start = self._sent.get(key)
        if start is None:
            return None
        etag = MutableHeaders(raw=start["headers"]).get("etag", "")
        if not etag_matches(if_none_match, etag):
            return None
        self._sent.move_to_end(key)
        # a fresh message: the layers outside add their headers to the list they are given
        return {**start, "headers": list(start["headers"])}

    def remember(self, base: tuple[str, ...], request: Headers, response: MutableHeaders,
                 not_modified: Message) -> None:
        tokens = {t.strip().lower() for t in response.get("vary", "").split(",")} - {""}
        if "*" in tokens:
            return
        names = tuple(sorted(tokens - {"accept-encoding", "origin"}))
        self._vary[base] = names
        self._vary.move_to_end(base)
        key = (base, tuple(request.get(name, "") for name in names))
        self._sent[key] = not_modified
        self._sent.move_to_end(key)
        for table in (self._vary, self._sent):
            while len(table) > self.size:
                table.popitem(last=False)


class DocumentValidatorsMiddleware:
    """ETag, Last-Modified and Cache-Control on documents, and 304 for conditional GETs.

    A successful GET (or HEAD) of a document (anything but query results,
    ``/metrics`` and the probes) gets a weak :func:`entity_tag`, ``Last-Modified``
    = the data's version time, and :data:`DOCUMENT_CACHE_CONTROL`, unless the route
    set its own; a route's own strong ETag is made weak, since GZipMiddleware may
    encode the body after us. ``If-None-Match``, or else ``If-Modified-Since``, that
    still holds is answered ``304`` without a body but with the 200's ETag,
    Last-Modified, Cache-Control, Vary, Content-Location and Link.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.sent = SentValidators()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        publication = getattr(getattr(scope.get("app"), "state", None), "publication", None)
        if (scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or publication is None
                or not is_document_request(scope)):
            await self.app(scope, receive, send)
            return
        try:
            # follows the data (a write; a remote store's TTL)
            version = await publication.current_version()
        except AllianceLDError:  # the back end is not answering: the route reports it
            await self.app(scope, receive, send)
            return
        request = Headers(scope=scope)
        base = self.sent.base_key(scope, request, version)
        remembered = self.sent.lookup(base, request)
        if remembered is not None:
            # The same document was sent before, on the same data: a 304 without building it.
            await send(remembered)
            await send({"type": "http.response.body", "body": b""})
            return
        swallow = False  # after a 304: the body the route goes on sending is dropped

        async def send_validated(message: Message) -> None:
            nonlocal swallow
            if message["type"] != "http.response.start":
                if not swallow:
                    await send(message)
                return
            headers = MutableHeaders(raw=message["headers"])
            if "etag" in headers and not headers["etag"].startswith("W/"):
                # A route's strong ETag would also label the gzip-encoded bytes.
                headers["ETag"] = "W/" + headers["etag"]
            if message["status"] == 304:  # a route that answers conditional requests itself
                headers.setdefault("cache-control", DOCUMENT_CACHE_CONTROL)
                await send(_not_modified_start(message, compressible=True))
                return
            if message["status"] != 200 or "no-store" in headers.get("cache-control", ""):
                await send(message)
                return
            if "etag" not in headers:
                headers["ETag"] = entity_tag(scope, headers, version)
                headers.setdefault("last-modified", http_date(publication.last_modified))
            headers.setdefault("cache-control", DOCUMENT_CACHE_CONTROL)
            length = headers.get("content-length")
            compressible = length is None or int(length) >= GZIP_MINIMUM_SIZE
            self.sent.remember(base, request, headers, _not_modified_start(message, compressible))
            if not not_modified(request, headers["etag"], headers.get("last-modified")):
                await send(message)
                return
            swallow = True
            await send(_not_modified_start(message, compressible))
            await send({"type": "http.response.body", "body": b""})

        await self.app(scope, receive, send_validated)


# ---------------------------------------------------------------------------
# Request bodies and /metrics


async def _plain_response(send: Send, status: int, text: str,
                          headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = (text.rstrip("\n") + "\n").encode("utf-8")
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode("ascii")), *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


class RequestBodyMiddleware:
    """Read request bodies whole, up to ``max_bytes`` and within ``timeout`` seconds.

    A body declared (``Content-Length``) or sent larger than ``max_bytes`` is
    answered ``413`` without being read; one that does not arrive in time,
    ``408`` with ``Connection: close``. The routes then read the body from memory.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, timeout: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        too_large = (f"Content Too Large: request bodies may be up to {self.max_bytes} bytes "
                     "(see /sparql/limits)")
        declared = Headers(scope=scope).get("content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                await _plain_response(send, 400, "Bad Request: invalid Content-Length")
                return
            if int(declared) > self.max_bytes:
                await _plain_response(send, 413, too_large, [(b"connection", b"close")])
                return
        chunks: list[bytes] = []
        size = 0
        try:
            with anyio.fail_after(self.timeout):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return
                    chunk: bytes = message.get("body", b"")
                    size += len(chunk)
                    if size > self.max_bytes:
                        await _plain_response(send, 413, too_large, [(b"connection", b"close")])
                        return
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        break
        except TimeoutError:
            await _plain_response(
                send, 408, f"Request Timeout: the request body did not arrive within "
                f"{self.timeout:g} s", [(b"connection", b"close")])
            return
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class MetricsGuardMiddleware:
    """``/metrics`` for the allowed client addresses only, and with the token if one is set.

    An address outside ``allow`` gets ``403``; a request without the right
    ``Authorization: Bearer`` token, ``401`` with ``WWW-Authenticate``. The
    client is the address the proxy settings resolve.
    """

    def __init__(self, app: ASGIApp, token: str | None, allow: str) -> None:
        self.app = app
        self.token = token
        self.allow = TrustedProxies(allow)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _route_path(scope) != metrics.METRICS_PATH:
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        if client is None or client[0] not in self.allow:
            await _plain_response(send, 403, "Forbidden: /metrics is not open to this address")
            return
        if self.token is not None:
            given = Headers(scope=scope).get("authorization", "")
            scheme, _, credentials = given.partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(
                    credentials.strip().encode("utf-8"), self.token.encode("utf-8")):
                await _plain_response(send, 401, "Unauthorized: /metrics needs its bearer token",
                                      [(b"www-authenticate", b'Bearer realm="metrics"')])
                return
        await self.app(scope, receive, send)


# ---------------------------------------------------------------------------
# Access log


def _text(value: bytes | None) -> str | None:
    return None if value is None else value.decode("latin-1")


class AccessLogMiddleware:
    """One structured log line per request (see :mod:`alliance_ld.logs`).

    Each response carries ``X-Request-ID``: the client's, when it sent a sensible
    one, else a fresh one; the log line has the same id.
    """

    def __init__(self, app: ASGIApp, logger: logging.Logger | None = None) -> None:
        self.app = app
        self.logger = logger or logs.access_logger()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request = {name: value for name, value in reversed(scope["headers"])}
        offered = request.get(b"x-request-id", b"").decode("latin-1")
        request_id = offered if _REQUEST_ID.fullmatch(offered) else os.urandom(16).hex()
        id_header = (b"x-request-id", request_id.encode("latin-1"))
        status: int | None = None
        sent = 0

        async def send_logged(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [(k, v) for k, v in message["headers"]
                                      if k.lower() != b"x-request-id"] + [id_header]
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        error: str | None = None
        try:
            await self.app(scope, receive, send_logged)
        except BaseException as exc:
            error = type(exc).__name__
            raise
        finally:
            if status is None:  # no response: a bug (answered 500 outside us) or a disconnect
                status = 499 if error == "CancelledError" else 500
            client = scope.get("client")
            fields = {
                "method": scope["method"],
                "path": scope["path"],
                "query": scope.get("query_string", b"").decode("latin-1"),
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                "bytes": sent,
                "client": client[0] if client else None,
                "user_agent": _text(request.get(b"user-agent")),
                "referer": _text(request.get(b"referer")),
                "request_id": request_id,
            }
            if error is not None:
                fields["error"] = error
            self.logger.info("%s %s %s", scope["method"], scope["path"], status, extra=fields)


def install(app: FastAPI, settings: Settings) -> None:
    """Add the middleware, innermost first (Starlette wraps each new one around the rest)."""
    app.add_middleware(metrics.RouteTemplateMiddleware)
    app.add_middleware(HeadAsGetMiddleware)
    app.add_middleware(AllowedMethodsMiddleware)
    app.add_middleware(DocumentValidatorsMiddleware)
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM_SIZE, compresslevel=6)
    registry = metrics.install(app)
    app.add_middleware(RequestBodyMiddleware, max_bytes=settings.max_query_bytes,
                       timeout=settings.body_timeout)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
        allow_headers=["*"],
        expose_headers=EXPOSED_HEADERS,
        max_age=86400,
    )
    app.add_middleware(MetricsGuardMiddleware, token=settings.metrics_token,
                       allow=settings.metrics_allow_ips)
    from .response_cache import ResponseCacheMiddleware  # it reads this module's helpers

    app.add_middleware(ResponseCacheMiddleware, max_bytes=settings.cache_bytes)
    app.add_middleware(metrics.HttpMetricsMiddleware, registry=registry)
    if settings.log_json:
        logs.configure(settings)
        app.add_middleware(AccessLogMiddleware)
    # Outermost, so that the access log and everything inside see the client
    # and host the proxy forwarded (uvicorn's own copy is switched off in serve).
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips)
    app.add_middleware(ForwardedHeadersMiddleware, trusted=settings.forwarded_allow_ips)
    # Around everything, Starlette's ServerErrorMiddleware too (which add_middleware
    # cannot reach), so that even the 500 of a bug carries the security headers.
    build_stack = app.build_middleware_stack

    def build_stack_with_headers() -> ASGIApp:
        return SecurityHeadersMiddleware(build_stack())

    app.build_middleware_stack = build_stack_with_headers  # type: ignore[method-assign]
