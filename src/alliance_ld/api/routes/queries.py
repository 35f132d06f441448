"""Named queries: the SPARQL queries of ``queries/`` as a small REST API.

* ``GET /queries`` — every query with its name, the question it answers (the
  first line of its header comment), its kind (``competency`` for the
  ``cqNN-*`` questions, ``quality`` for the ``*-violation`` checks, which must
  return no rows) and its text: JSON by default, HTML for a browser.
* ``GET /queries/<name>`` — runs the query through the same path as
  ``/sparql`` (worker processes, timeout, row cap, public-URL rewriting) and
  answers in any results format: SPARQL JSON, XML, CSV or TSV (Turtle,
  N-Triples, JSON-LD, RDF/XML for CONSTRUCT/DESCRIBE), chosen by ``Accept`` or
  by ``format=``/``output=``. An unknown name is 404.

Each query is its own operation in the OpenAPI document (``/openapi.json``),
generated at import time from the files, with its question as the summary.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse, Response

from ... import conneg
from ...errors import shown_input
from ...named_queries import SCHEMAS, NamedQuery, ParameterError, bind, load_queries
from ...resources import QUERIES_DIR
from ...templating import local_url, render_text
from ..deps import ExecutorDep, PublicationDep
from ..openapi import (
    NOT_ACCEPTABLE,
    NOT_MODIFIED,
    NOT_READY,
    QUERY_FAILED,
    QUERY_LIMITS,
    RESULT_TYPES,
    TEXT,
    bad_request,
    ok,
    responses,
)
from .sparql import _answer as run_query_response
from .void import choose, document_response, not_acceptable


def _json_bytes(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


JSON = conneg.Format("json", "application/json", "json")
INDEX_FORMATS: tuple[conneg.Format, ...] = (JSON, conneg.HTML)


def _entry(request: Request, query: NamedQuery, public: Callable[[str], str]) -> dict[str, Any]:
    url = str(request.url_for("named_query", name=query.name))
    return {"name": query.name, "question": query.question, "kind": query.kind,
            "description": query.description, "url": url, "query": public(query.text),
            "parameters": [{"name": p.name, "type": p.type, "required": p.required,
                            "default": public(p.default) if p.default is not None else None,
                            "description": p.description, "expects": p.expects}
                           for p in query.parameters]}


def _openapi_parameters(query: NamedQuery) -> list[dict[str, Any]]:
    return [{"name": p.name, "in": "query", "required": p.required,
             "description": f"{p.description} ({p.expects})",
             "schema": {**SCHEMAS[p.type],
                        **({"default": p.default} if p.default is not None else {})}}
            for p in query.parameters]


#: What every named query answers (its results are documents: ETag and 304).
_RUN_RESPONSES = responses(
    ok("The query's results in the negotiated format; for a browser, the query editor "
       "showing them (HTML)", (*RESULT_TYPES, conneg.HTML.media_type)),
    NOT_MODIFIED, NOT_ACCEPTABLE, QUERY_FAILED, NOT_READY, QUERY_LIMITS,
    bad_request("Bad request: the query was refused (for a query file of --queries, e.g. one "
                "with SERVICE or a syntax error)", (TEXT, conneg.HTML.media_type)),
)
FormatParam = Annotated[tuple[str, ...], Query(
    alias="format",
    description="Result format, overriding Accept: a short name (json, xml, csv, tsv; turtle, "
                "nt, jsonld, rdfxml for graphs) or a media type; repeatable, the first one "
                "understood wins.")]
OutputParam = Annotated[tuple[str, ...], Query(alias="output", description="Same as format.")]


def _runner(query: NamedQuery) -> Callable[..., Awaitable[Response]]:
    async def run(request: Request, publication: PublicationDep, executor: ExecutorDep,
                  format_: FormatParam = (), output: OutputParam = ()) -> Response:
        params = [(k, v) for k, v in request.query_params.multi_items()
                  if k in ("format", "output")]
        values: dict[str, str] = {}
        for key, value in request.query_params.multi_items():
            if key in ("format", "output"):
                continue
            if key in values:
                return PlainTextResponse(f"Bad request: parameter {shown_input(key)} is given "
                                         "more than once\n", status_code=400)
            values[key] = value
        try:
            text = bind(query.text, list(query.parameters), values)
        except ParameterError as exc:
            return PlainTextResponse(f"Bad request: {exc}\n", status_code=400)
        return await run_query_response(request, publication, executor, text, params)

    run.__name__ = "query_" + query.name.replace("-", "_")
    return run


def build_router(folder: Path = QUERIES_DIR) -> APIRouter:
    """The routes for the named queries of ``folder``: the list, and one route per query.

    Each query is its own operation in the OpenAPI document, with its question
    as the summary. The queries go through the same path as ``/sparql``: parsed
    and checked first, then run in the workers.
    """
    queries = load_queries(folder)
    router = APIRouter(tags=["Named queries"], default_response_class=Response)

    @router.get("/queries", name="named_queries",
                summary="The named queries: name, question, kind and query text",
                responses=responses(
                    ok("The named queries, as JSON or (for a browser) HTML",
                       (JSON.media_type, conneg.HTML.media_type)),
                    NOT_MODIFIED, NOT_ACCEPTABLE, NOT_READY))
    async def list_queries(request: Request, publication: PublicationDep) -> Response:
        chosen = choose(request, INDEX_FORMATS, default=JSON)
        if chosen is None:
            return not_acceptable(request, INDEX_FORMATS)
        public = publication.rewriter.to_public
        if chosen is JSON:
            body = _json_bytes({"queries": [_entry(request, q, public)
                                             for q in queries.values()]})
            return document_response(publication, body, "application/json",
                                     headers={"Vary": "Accept"})
        formats = [f.name for f in conneg.RESULTS_FORMATS]
        body = render_text(request, publication, "queries.html",
                           queries=list(queries.values()), formats=formats,
                           query_url=lambda name: local_url(request, f"/queries/{name}"),
                           ).encode("utf-8")
        return document_response(publication, body, conneg.HTML.content_type,
                                 headers={"Vary": "Accept"})

    for query in queries.values():
        router.add_api_route(
            f"/queries/{query.name}", _runner(query), methods=["GET"],
            name=f"query_{query.name}", summary=query.question,
            description=(f"{query.description}\n\n" if query.description else "")
            + ("A quality check: it must return no rows.\n\n" if query.kind == "quality"
               else "")
            + f"```sparql\n{query.text.rstrip()}\n```",
            responses=_RUN_RESPONSES,
            operation_id=f"query_{query.name.replace('-', '_')}",
            openapi_extra={"parameters": _openapi_parameters(query)} if query.parameters
            else None,
        )

    @router.get("/queries/{name}", name="named_query", include_in_schema=False)
    async def named_query(name: str) -> Response:
        """Unknown names (the known ones have a route each, above)."""
        available = ", ".join(queries)
        return PlainTextResponse(
            f"Not Found: no named query {shown_input(name)}; available: {available}\n",
            status_code=404)

    return router
