"""The SPARQL 1.1 Protocol endpoint (queries only; updates are refused while writes are off).

* ``GET /sparql?query=…``, ``POST`` as ``application/x-www-form-urlencoded`` or
  ``application/sparql-query``; ``default-graph-uri`` / ``named-graph-uri`` name
  graphs of the store (an unknown IRI is an empty graph, never fetched).
* Results by content negotiation with q-values, or by ``format=``/``output=``
  (short names or media types, repeatable, the first understood wins).
* ``GET /sparql`` without a query: a SPARQL 1.1 Service Description, or the
  query editor for a browser.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Annotated, Any
from urllib.parse import parse_qsl

import anyio
from fastapi import APIRouter, Query, Request
from fastapi.responses import (
    JSONResponse,
    PlainTextResponse,
    Response,
    StreamingResponse,
)

from ... import conneg
from ...admission import ClientLimiter
from ...backend import QueryRequest
from ...cache import result_tag
from ...errors import InputError, shown_input
from ...publication import PREFIXES, Publication
from ...query_analysis import UpdateRefusedError
from ...sparql import query_dataset
from ...templating import render
from ..deps import ExecutorDep, PublicationDep
from ..middleware import etag_matches
from ..openapi import (
    BAD_REQUEST,
    BODY_TIMEOUT,
    GRAPH_TYPES,
    HTML,
    NOT_ACCEPTABLE,
    NOT_MODIFIED,
    NOT_READY,
    QUERY_FAILED,
    QUERY_LIMITS,
    RESULT_TYPES,
    TEXT,
    answer,
    bad_request,
    ok,
    responses,
)
from .editor import editor_page, prefers_html

router = APIRouter(tags=["SPARQL"], default_response_class=Response)

READ_ONLY_MESSAGE = (
    "SPARQL Update is disabled: this endpoint is read-only. This release has no write "
    "support; to change the data, edit the Turtle files the server loads (see --data) "
    "and restart it. Token-authenticated writes are planned for a later release."
)
FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"


class ProtocolError(InputError):
    """A request that breaks the SPARQL 1.1 Protocol."""


def _values(pairs: Sequence[tuple[str, str]], name: str) -> list[str]:
    return [v for k, v in pairs if k == name]


def _media_type(request: Request) -> tuple[str, str | None]:
    """The request's media type, and its charset parameter if it has one."""
    media, *params = request.headers.get("content-type", "").split(";")
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media.strip().lower(), charset


def _decode(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(f"{what} is not valid UTF-8 (byte {exc.start})") from exc


def _form_pairs(body: bytes) -> list[tuple[str, str]]:
    text = _decode(body, "the form body")
    try:
        return parse_qsl(text, keep_blank_values=True, strict_parsing=False,
                         encoding="utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise ProtocolError("a form value is not valid UTF-8") from exc


def _url_pairs(request: Request) -> list[tuple[str, str]]:
    raw = request.scope.get("query_string", b"")
    text = _decode(raw, "the query string")
    try:
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise ProtocolError("a query-string value is not valid UTF-8") from exc


def _explanation_url(request: Request, publication: Publication) -> str:
    public = publication.settings.public_url
    return public + "sparql/limits" if public else str(request.url_for("sparql_limits"))


def _client(request: Request) -> str:
    """Who asks: the peer, or the client a trusted proxy forwarded for."""
    return request.client.host if request.client else "unknown"


async def _answer(request: Request, publication: Publication, executor: ExecutorDep,
                  query: str, params: Sequence[tuple[str, str]]) -> Response:
    limiter: ClientLimiter = request.app.state.limiter
    with limiter.slot(_client(request)):
        return await _answer_admitted(request, publication, executor, query, params)


async def _answer_admitted(request: Request, publication: Publication, executor: ExecutorDep,
                           query: str, params: Sequence[tuple[str, str]]) -> Response:
    rewriter = publication.rewriter
    query = rewriter.to_canonical(query)
    settings = publication.settings
    base_iri = settings.base_iri + "sparql"
    overrides = _values(params, "format") + _values(params, "output")
    accept = request.headers.get("accept")
    tables = {
        "results": conneg.RESULTS_FORMATS,
        "graph": conneg.GRAPH_FORMATS,
    }
    # What the query does comes from a parse of it, in a worker (never from its text).
    try:
        analysis = await executor.analysis(query, base_iri)
    except InputError as exc:
        # A browser (HTML preferred, or format=html) sees the error in the query editor.
        if prefers_html(accept, overrides, tables["results"]):
            return editor_page(request, publication, query, error=str(exc), status_code=400)
        if isinstance(exc, UpdateRefusedError):
            raise ProtocolError(
                "this is a SPARQL Update, not a query: send updates as 'update=' or "
                f"{SPARQL_UPDATE}. " + READ_ONLY_MESSAGE
            ) from exc
        raise
    form = analysis.form
    kind = "graph" if form in ("CONSTRUCT", "DESCRIBE") else "results"
    # A browser gets the query editor showing the result as a table; the query then
    # runs as SPARQL JSON or N-Triples for the page.
    html = prefers_html(accept, overrides, tables[kind])
    chosen: conneg.Format | None
    if html:
        chosen = conneg.SPARQL_JSON if kind == "results" else conneg.NTRIPLES
    else:
        chosen = conneg.by_override(overrides, tables[kind]) if overrides else None
        if chosen is None:
            chosen = (conneg.negotiate_graph(accept, tables[kind]) if kind == "graph"
                      else conneg.negotiate(accept, tables[kind]))
    if chosen is None:
        offered = ", ".join(f.media_type for f in tables[kind])
        return PlainTextResponse(
            f"Not Acceptable: none of the media types in Accept is available for "
            f"{form} results; available: {offered}\n",
            status_code=406,
        )
    default_graphs, named_graphs = query_dataset(
        analysis,
        [rewriter.to_canonical(g) for g in _values(params, "default-graph-uri")],
        [rewriter.to_canonical(g) for g in _values(params, "named-graph-uri")],
    )
    query_request = QueryRequest(
        query=query,
        results_media_type=chosen.media_type if kind == "results" else None,
        graph_media_type=chosen.media_type if kind == "graph" else None,
        default_graphs=default_graphs,
        named_graphs=named_graphs,
        max_rows=settings.max_rows,
        max_bytes=settings.max_result_bytes,
        truncation_link=_explanation_url(request, publication),
        prefixes=PREFIXES,
        base_iri=base_iri,
        form=form,
    )
    # The answer's validator: the data version and everything that shapes the bytes.
    etag = result_tag(executor.key(query_request), settings.public_url or "",
                      request.scope.get("root_path", ""))
    if_none_match = request.headers.get("if-none-match")
    if not html and request.method == "GET" and if_none_match and etag_matches(if_none_match,
                                                                               etag):
        return Response(status_code=304, headers={
            "ETag": etag, "Vary": "Accept", "Cache-Control": RESULT_CACHE_CONTROL})
    stream = getattr(executor.remote, "stream", None)
    if stream is not None and not html and chosen is conneg.NTRIPLES:
        return await _streamed(request, publication, stream, query_request, etag)
    try:
        outcome = await executor.execute(query_request)
    except InputError as exc:
        if html:
            return editor_page(request, publication, query, error=str(exc), status_code=400)
        raise
    if html:
        return editor_page(request, publication, query, outcome=outcome)
    headers = {"Vary": "Accept", "ETag": etag, "Cache-Control": RESULT_CACHE_CONTROL}
    if outcome.truncated:
        headers["X-Result-Truncated"] = "true"
        headers["X-Result-Limit"] = str(settings.max_rows)
        headers["X-Result-Byte-Limit"] = str(settings.max_result_bytes)
        headers["Link"] = f'<{_explanation_url(request, publication)}>; rel="describedby"'
    fmt = next((f for f in conneg.RESULTS_FORMATS + conneg.GRAPH_FORMATS
                if f.media_type == outcome.media_type), chosen)
    return Response(rewriter.to_public_bytes(outcome.body), media_type=None,
                     headers={**headers, "Content-Type": fmt.content_type})


async def _streamed(request: Request, publication: Publication,
                    stream: Callable[[QueryRequest], Any], query_request: QueryRequest,
                    etag: str) -> Response:
    """A graph result from a remote triplestore, passed on line by line as it arrives.

    The store is asked before the response starts, so a store that is down is a
    502 with the reason, not a cut 200. A result cut at the caps ends with an
    N-Triples comment saying so (the headers have gone by then).
    """
    streamed = await anyio.to_thread.run_sync(stream, query_request)
    chunks = iter(streamed)
    first = await anyio.to_thread.run_sync(next, chunks, b"")
    rewriter = publication.rewriter
    settings = publication.settings
    link = _explanation_url(request, publication)

    def body() -> Iterator[bytes]:
        yield rewriter.to_public_bytes(first)
        for chunk in chunks:
            yield rewriter.to_public_bytes(chunk)
        if streamed.truncated:
            yield (f"# result cut at {settings.max_rows} triples or "
                   f"{settings.max_result_bytes} bytes; see <{link}>\n").encode()

    return StreamingResponse(body(), headers={
        "Content-Type": conneg.NTRIPLES.content_type, "Vary": "Accept", "ETag": etag,
        "Cache-Control": RESULT_CACHE_CONTROL})


#: Query results may be stored, but are checked (``If-None-Match``) before each reuse.
RESULT_CACHE_CONTROL = "no-cache"


def _check_single(params: Sequence[tuple[str, str]]) -> str | None:
    queries = _values(params, "query")
    if len(queries) > 1:
        raise ProtocolError("more than one 'query' parameter: send exactly one query")
    return queries[0] if queries else None


def _refuse_update() -> PlainTextResponse:
    return PlainTextResponse(READ_ONLY_MESSAGE + "\n", status_code=403)


_FORBIDDEN = answer(403, "Forbidden: SPARQL Update is refused (read-only endpoint)", (TEXT,))
_QUERY_ERRORS = responses(
    bad_request("Bad request: a malformed query (the parser's message, with line and column), "
                "SERVICE, an update sent as a query, or a request that breaks the SPARQL 1.1 "
                "Protocol (two queries, a value that is not UTF-8); a browser gets the query "
                "editor showing the error", (TEXT, HTML)),
    BAD_REQUEST, _FORBIDDEN, NOT_ACCEPTABLE, QUERY_FAILED, NOT_READY, QUERY_LIMITS,
)
_RESULTS = ok("The results, by Accept or format=: SELECT and ASK as SPARQL JSON, XML, CSV or "
              "TSV; CONSTRUCT and DESCRIBE as Turtle, N-Triples, JSON-LD, RDF/XML, TriG or "
              "N-Quads; for a browser, the query editor showing them (HTML)",
              (*RESULT_TYPES, HTML))
_GRAPH_URIS = [
    {"name": name, "in": "query", "required": False, "style": "form", "explode": True,
     "description": description, "schema": {"type": "array", "items": {"type": "string"}}}
    for name, description in (
        ("default-graph-uri", "IRI of a graph of this store to use as (part of) the default "
                              "graph; any other IRI is an empty graph, never fetched"),
        ("named-graph-uri", "IRI of a graph of this store to use as a named graph"),
        ("format", "Result format overriding Accept: a short name (json, xml, csv, tsv, "
                   "turtle, nt, jsonld, rdfxml, trig, nq) or a media type; repeatable, the "
                   "first one understood wins"),
        ("output", "Same as format"),
    )
]
_GET_PARAMETERS = [
    {"name": "query", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "The SPARQL query; without one, the service description (or, for a "
                    "browser, the query editor)"},
    {"name": "update", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "A SPARQL Update: always refused with 403 (read-only endpoint)"},
    *_GRAPH_URIS,
]
_FORM = {
    "type": "object",
    "properties": {
        "query": {"type": "string", "description": "The SPARQL query"},
        "update": {"type": "string", "description": "A SPARQL Update: refused with 403"},
        "default-graph-uri": {"type": "array", "items": {"type": "string"}},
        "named-graph-uri": {"type": "array", "items": {"type": "string"}},
    },
    "anyOf": [{"required": ["query"]}, {"required": ["update"]}],
}
_POST_BODY = {
    "required": True,
    "description": "A form with the query (SPARQL 1.1 Protocol, 2.1.2), the query itself "
                   "(2.1.3), or an update, which is refused with 403; UTF-8 only",
    "content": {
        FORM: {"schema": _FORM, "encoding": {"default-graph-uri": {"explode": True},
                                             "named-graph-uri": {"explode": True}}},
        SPARQL_QUERY: {"schema": {"type": "string"}},
        SPARQL_UPDATE: {"schema": {"type": "string"}},
    },
}


@router.get("/sparql", name="sparql_get",
            summary="SPARQL query via GET, or the service description",
            responses=responses(
                _RESULTS,
                ok("Without a query: the SPARQL 1.1 Service Description (RDF, Turtle unless "
                   "Accept asks for another graph format), or the query editor for a browser",
                   (*GRAPH_TYPES, HTML)),
                NOT_MODIFIED, _QUERY_ERRORS),
            openapi_extra={"parameters": _GET_PARAMETERS})
async def sparql_get(request: Request, publication: PublicationDep,
                     executor: ExecutorDep) -> Response:
    params = _url_pairs(request)
    if _values(params, "update"):
        return _refuse_update()
    query = _check_single(params)
    if query is None:
        return _service_description(request, publication)
    return await _answer(request, publication, executor, query, params)


@router.post("/sparql", name="sparql_post", summary="SPARQL query via POST (form or direct)",
             responses=responses(
                 _RESULTS, _QUERY_ERRORS, BODY_TIMEOUT,
                 answer(415, "Unsupported Media Type: a body that is neither a form nor a "
                             "query (nor an update), or a charset other than UTF-8", (TEXT,))),
             openapi_extra={"requestBody": _POST_BODY})
async def sparql_post(request: Request, publication: PublicationDep,
                      executor: ExecutorDep) -> Response:
    media, charset = _media_type(request)
    if charset not in (None, "utf-8", "utf8"):
        return PlainTextResponse(
            f"Unsupported Media Type: charset={shown_input(charset)}; "
            "SPARQL requests must be UTF-8\n",
            status_code=415,
        )
    url_params = _url_pairs(request)
    body = await request.body()
    if media == FORM:
        params = _form_pairs(body)
        if _values(params, "update"):
            return _refuse_update()
        query = _check_single(params)
        if query is None:
            raise ProtocolError("missing 'query' parameter in the form body")
        if _values(url_params, "query"):
            raise ProtocolError("the query is given both in the URL and in the form body")
        return await _answer(request, publication, executor, query, [*url_params, *params])
    if media == SPARQL_QUERY:
        if _values(url_params, "query"):
            raise ProtocolError("a 'query' URL parameter is not allowed with a query body")
        return await _answer(request, publication, executor, _decode(body, "the query"),
                             url_params)
    if media == SPARQL_UPDATE:
        return _refuse_update()
    return PlainTextResponse(
        f"Unsupported Media Type: {shown_input(media) if media else '(none)'}; "
        f"send {FORM} or {SPARQL_QUERY}\n",
        status_code=415,
    )


LIMITS_JSON = conneg.Format("json", "application/json", "json")
LIMITS_FORMATS: tuple[conneg.Format, ...] = (conneg.HTML, LIMITS_JSON)
LIMITS_OVERRIDES = {"json": LIMITS_JSON, LIMITS_JSON.media_type: LIMITS_JSON,
                    "html": conneg.HTML, conneg.HTML.media_type: conneg.HTML}


@router.get("/sparql/limits", name="sparql_limits", summary="What the endpoint limits and why",
            responses=responses(
                ok("The limits: a page for people (the default), or JSON for a client that "
                   "asks for it (Accept: application/json, or format=json)",
                   (HTML, LIMITS_JSON.media_type)),
                NOT_MODIFIED, bad_request("Bad request: an unknown format"), NOT_ACCEPTABLE,
                NOT_READY))
async def sparql_limits(
    request: Request, publication: PublicationDep, executor: ExecutorDep,
    format: Annotated[str | None, Query(
        description="json or html; overrides Accept",
        json_schema_extra={"enum": ["html", "json"]})] = None,
) -> Response:
    if format is not None:
        chosen = LIMITS_OVERRIDES.get(format.strip().lower())
        if chosen is None:
            return PlainTextResponse(f"unknown format {shown_input(format)}: use json or html\n",
                                     status_code=400)
    else:
        chosen = conneg.negotiate(request.headers.get("accept"), LIMITS_FORMATS)
    if chosen is None:
        offered = ", ".join(f.media_type for f in LIMITS_FORMATS)
        return PlainTextResponse(
            f"Not Acceptable: the limits are available as {offered}\n", status_code=406,
            headers={"Vary": "Accept"})
    s = publication.settings
    limiter: ClientLimiter = request.app.state.limiter
    limits = {
        "max_rows": s.max_rows,
        "max_result_bytes": s.max_result_bytes,
        "query_timeout_seconds": s.query_timeout,
        "max_query_bytes": s.max_query_bytes,
        "max_query_depth": s.max_query_depth,
        "body_timeout_seconds": s.body_timeout,
        "client_queries": limiter.limit,
        "queue_size": executor.queue_size,
        "queue_wait_seconds": executor.queue_wait,
        "outbound_requests": False,
        "workers_sandboxed": executor.unsandboxed is None,
        "unsandboxed_reason": executor.unsandboxed,
        "read_only": True,
    }
    headers = {"Vary": "Accept"}
    if chosen is LIMITS_JSON:
        return JSONResponse(limits, headers=headers)
    return render(request, publication, "limits.html", headers=headers, limits=limits)


SD = "http://www.w3.org/ns/sparql-service-description#"


def _service_description(request: Request, publication: Publication) -> Response:
    accept = request.headers.get("accept")
    choices = (*conneg.GRAPH_FORMATS, conneg.HTML)
    chosen = conneg.negotiate(accept, choices)
    if accept is None or chosen is None:
        chosen = conneg.TURTLE
    if chosen is conneg.HTML:
        return editor_page(request, publication)
    from ...service_description import service_description

    endpoint = (publication.settings.public_url + "sparql" if publication.settings.public_url
                else str(request.url_for("sparql_get")))
    body = service_description(publication, endpoint, chosen)
    return Response(body, headers={"Content-Type": chosen.content_type, "Vary": "Accept"})
