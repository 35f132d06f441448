"""What the OpenAPI description (``/openapi.json``) says each route answers.

Every route documents every status it can give, each with its media types, so
that a client (or schemathesis, which the test suite runs against the live
server) can rely on the description. The pieces here are shared by the routes:

* :func:`ok` and :func:`content`: a 200 (or other) answer in some media types;
* :data:`NOT_MODIFIED`: the ``304`` the document-validators middleware gives to
  a conditional ``GET`` of a document;
* :data:`BAD_REQUEST`, :func:`not_found`, :data:`NOT_ACCEPTABLE`: the client
  errors, as ``text/plain`` unless the route says otherwise;
* :data:`NOT_READY`: ``503`` while the dataset is loading (every route that needs
  it), also the answer to a query that timed out;
* :func:`responses`: merges them for a route's ``responses=``.

FastAPI documents a ``422`` with a JSON body for every route with parameters;
our handler of validation errors answers ``400`` in ``text/plain`` instead
(:func:`alliance_ld.api.main._install_error_handlers`), and
:func:`install` rewrites the description to match, once for all routes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI

from .. import conneg

#: The media types of a plain-text message (our error bodies).
TEXT = "text/plain"
HTML = "text/html"
JSON = "application/json"

Responses = dict[int | str, dict[str, Any]]


def content(*media_types: str) -> dict[str, Any]:
    """An OpenAPI ``content`` map for these media types (any body; text for text/plain)."""
    return {m: ({"schema": {"type": "string"}} if m == TEXT else {}) for m in media_types}


def answer(status: int, description: str, media_types: Iterable[str] = ()) -> Responses:
    """One documented answer; without media types, one without a body (304) or any (303)."""
    documented: dict[str, Any] = {"description": description}
    types = tuple(media_types)
    if types:
        documented["content"] = content(*types)
    return {status: documented}


def ok(description: str, media_types: Iterable[str], status: int = 200) -> Responses:
    return answer(status, description, media_types)


NOT_MODIFIED: Responses = {304: {
    "description": "Not Modified: the validator of a conditional GET (If-None-Match, or else "
                   "If-Modified-Since) still holds; no body, the 200's ETag, Last-Modified, "
                   "Cache-Control, Vary, Content-Location and Link"}}
BAD_REQUEST: Responses = {400: {
    "description": "Bad request: a parameter is missing or invalid",
    "content": content(TEXT)}}
NOT_ACCEPTABLE: Responses = {406: {
    "description": "Not Acceptable: none of the media types in Accept (or format=) is "
                   "available here; the message lists those that are",
    "content": content(TEXT)}}
NOT_READY: Responses = {503: {
    "description": "Service Unavailable: the dataset is not loaded yet (see /readyz)",
    "content": content(TEXT)}}

QUERY_FAILED: Responses = {503: {
    "description": "Service Unavailable: the query ran past the timeout or out of memory and "
                   "was stopped, or every query worker is busy and the wait queue is full or "
                   "its wait ran out (Retry-After)",
    "content": content(TEXT)}}
#: What admission control and the size limits add to every route that runs a query.
QUERY_LIMITS: Responses = {
    413: {"description": "Content Too Large: the query (or the request body) is longer than "
                         "the endpoint accepts (see /sparql/limits)",
          "content": content(TEXT)},
    429: {"description": "Too Many Requests: this client already has as many queries running "
                         "or waiting as it may (Retry-After)",
          "content": content(TEXT)},
}
#: What a request body that does not arrive in time gets.
BODY_TIMEOUT: Responses = {408: {
    "description": "Request Timeout: the request body did not arrive in time; the connection "
                   "is closed",
    "content": content(TEXT)}}
#: The media types of query results: SELECT/ASK results, then CONSTRUCT/DESCRIBE graphs.
RESULT_TYPES: tuple[str, ...] = tuple(
    f.media_type for f in (*conneg.RESULTS_FORMATS, *conneg.GRAPH_FORMATS))
#: The media types of RDF graphs (the service description).
GRAPH_TYPES: tuple[str, ...] = tuple(f.media_type for f in conneg.GRAPH_FORMATS)


def not_found(description: str, media_types: Iterable[str] = (TEXT,)) -> Responses:
    return {404: {"description": description, "content": content(*media_types)}}


def bad_request(description: str, media_types: Iterable[str] = (TEXT,)) -> Responses:
    return {400: {"description": description, "content": content(*media_types)}}


def responses(*parts: Responses) -> Responses:
    """The union of ``parts``; for a status given twice, the media types of both."""
    merged: Responses = {}
    for part in parts:
        for status, answer in part.items():
            if status not in merged:
                merged[status] = {**answer, "content": dict(answer.get("content", {}))}
                if not merged[status]["content"]:
                    del merged[status]["content"]
                continue
            into = merged[status]
            if answer.get("content"):
                into["content"] = {**into.get("content", {}), **answer["content"]}
            if answer.get("description") and answer["description"] not in into["description"]:
                into["description"] += "; or " + answer["description"][0].lower() \
                    + answer["description"][1:]
    return merged


def _validation_as_bad_request(schema: dict[str, Any]) -> dict[str, Any]:
    """Replace FastAPI's ``422`` (JSON) by the ``400`` (text) our handler really sends."""
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            answers = operation.get("responses", {})
            if "422" not in answers:
                continue
            del answers["422"]
            answer = answers.setdefault("400", {"description": BAD_REQUEST[400]["description"],
                                                "content": {}})
            answer.setdefault("content", {}).setdefault(TEXT, content(TEXT)[TEXT])
    schemas = schema.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    if "components" in schema and not schemas:
        schema["components"].pop("schemas", None)
        if not schema["components"]:
            del schema["components"]
    return schema


def install(app: FastAPI) -> None:
    """Serve the description with the error answers our handlers really give."""

    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _validation_as_bad_request(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
