"""Publication and discovery: the VoID description, the downloads and the JSON-LD context.

* ``GET /.well-known/void`` — the VoID description of the dataset by content
  negotiation: Turtle (the default, also for ``*/*`` and no ``Accept``),
  N-Triples, JSON-LD, RDF/XML; HTML for a browser that asks for it. ``format=``
  (or ``output=``) overrides the ``Accept`` header.
* ``GET /downloads`` — the list of downloads (HTML, or JSON for
  ``Accept: application/json``).
* ``GET /downloads/alliance-ld-<version>.nq.gz`` — the whole dataset as
  gzip-compressed N-Quads. It is served as a file, ``Content-Type:
  application/gzip`` and no ``Content-Encoding``: ``curl -O`` saves the ``.gz``
  as named, and ``gunzip`` (or Python's ``gzip.open``) gives N-Quads.
* ``GET /downloads/<version>/<graph>.ttl`` — one named graph as Turtle.
* ``GET /context.jsonld`` — the JSON-LD ``@context`` of our terms.

Every response carries an ``ETag`` (a hash of its bytes) and ``Last-Modified``
(when the published data last changed), and answers ``304 Not Modified`` to a
matching ``If-None-Match`` or ``If-Modified-Since``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from email.utils import format_datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi import Path as FastAPIPath
from fastapi.responses import FileResponse, PlainTextResponse, Response

from ... import conneg, jsonld, void
from ...errors import shown_input
from ...publication import Publication
from ...templating import Alternate, local_url, render_text
from ..deps import PublicationDep
from ..openapi import (
    NOT_ACCEPTABLE,
    NOT_MODIFIED,
    NOT_READY,
    not_found,
    ok,
    responses,
)


def _json_bytes(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


router = APIRouter(tags=["Publication and discovery"], default_response_class=Response)

JSON = conneg.Format("json", "application/json", "json")
VOID_FORMATS: tuple[conneg.Format, ...] = (
    conneg.TURTLE, conneg.NTRIPLES, conneg.JSONLD, conneg.RDFXML, conneg.HTML,
)
INDEX_FORMATS: tuple[conneg.Format, ...] = (conneg.HTML, JSON)
FORMAT_TITLES = {"turtle": "Turtle", "nt": "N-Triples", "jsonld": "JSON-LD", "rdfxml": "RDF/XML"}


# ---------------------------------------------------------------------------
# Validators and 304 (shared with the ontology and query routes)


def document_response(publication: Publication, body: bytes, content_type: str, *,
                      headers: dict[str, str] | None = None,
                      etag: str | None = None) -> Response:
    """``body`` as a document. Validators and ``304`` come from the middleware
    (:class:`~alliance_ld.api.middleware.DocumentValidatorsMiddleware`); a route
    passes ``etag`` only when it has a better one, such as a download's digest."""
    all_headers = {**(headers or {}), "Content-Type": content_type}
    if etag is not None:
        all_headers["ETag"] = etag
        all_headers["Last-Modified"] = format_datetime(publication.last_modified, usegmt=True)
    return Response(body, headers=all_headers)


def override_values(request: Request) -> list[str]:
    """``format=`` and ``output=`` values, in the order given."""
    return [v for k, v in request.query_params.multi_items() if k in ("format", "output")]


def choose(request: Request, formats: Sequence[conneg.Format],
           default: conneg.Format | None = None) -> conneg.Format | None:
    """The format by ``format=``/``output=``, else by ``Accept`` (``default`` without one)."""
    overrides = override_values(request)
    if overrides:
        chosen = conneg.by_override(overrides, formats)
        if chosen is not None:
            return chosen
    accept = request.headers.get("accept")
    if default is not None and (accept is None or not accept.strip()):
        return default
    return conneg.negotiate(accept, formats)


def not_acceptable(request: Request, formats: Sequence[conneg.Format]) -> PlainTextResponse:
    offered = ", ".join(f.media_type for f in formats)
    return PlainTextResponse(
        f"Not Acceptable: none of the media types in Accept is available here; "
        f"available: {offered}\n",
        status_code=406,
    )


# ---------------------------------------------------------------------------
# VoID


def void_alternates(request: Request) -> list[Alternate]:
    """The VoID description in each RDF format (the home page's data, too)."""
    path = local_url(request, "/.well-known/void")
    return [Alternate(f"{path}?format={f.name}", f.media_type, FORMAT_TITLES[f.name])
            for f in VOID_FORMATS if f is not conneg.HTML]


@router.get("/.well-known/void", name="void", summary="VoID description of the dataset",
            responses=responses(
                ok("The VoID description: Turtle by default, N-Triples, JSON-LD, RDF/XML, or "
                   "HTML for a browser", (f.media_type for f in VOID_FORMATS)),
                NOT_MODIFIED, NOT_ACCEPTABLE, NOT_READY))
async def void_description(request: Request, publication: PublicationDep) -> Response:
    chosen = choose(request, VOID_FORMATS, default=conneg.TURTLE)
    if chosen is None:
        return not_acceptable(request, VOID_FORMATS)
    alternates = void_alternates(request)
    link = ", ".join(f'<{a.href}>; rel="alternate"; type="{a.media_type}"' for a in alternates)
    headers = {"Vary": "Accept", "Link": link}
    if chosen is conneg.HTML:
        stats = void.statistics(publication)
        base = publication.settings.base_iri
        body = render_text(
            request, publication, "void.html", alternates=alternates,
            stats=stats, files=void.downloads(publication), vocabularies=void.vocabularies(stats),
            endpoint=base + "sparql", uri_space=base + "id/",
            examples=[base + p for p in void.EXAMPLE_RESOURCES], citation=void.citation(base),
            title=void.TITLE, description=void.DESCRIPTION, rights=void.RIGHTS,
            licence=void.LICENCE, licence_name=void.LICENCE_NAME, version=void.VERSION,
        ).encode("utf-8")
        return document_response(publication, body, conneg.HTML.content_type,
                                 headers=headers)
    body = void.per_publication(f"void-{chosen.name}", publication,
                                lambda p: void.serialize(p, chosen))
    return document_response(publication, body, chosen.content_type, headers=headers)


# ---------------------------------------------------------------------------
# Downloads


def _listing(publication: Publication) -> list[dict[str, Any]]:
    base = publication.settings.base_iri
    return [
        {"url": publication.rewriter.to_public(base + d.path), "path": "/" + d.path,
         "filename": d.filename, "title": d.title, "media_type": d.media_type.split(";")[0],
         "bytes": d.size, "triples": d.triples,
         "graph": publication.rewriter.to_public(d.graph) if d.graph else None}
        for d in void.downloads(publication).all
    ] + [
        {"url": publication.rewriter.to_public(base + d.path), "path": "/" + d.path,
         "filename": d.filename, "title": d.title, "media_type": d.media_type.split(";")[0],
         "bytes": d.size, "rows": d.triples if d.filename.endswith(".csv") else None,
         "kind": "table"}
        for d in void.downloads(publication).tables
    ]


@router.get("/downloads", name="downloads",
            summary="The downloads: the whole dataset and each named graph",
            responses=responses(ok("The list of downloads, as HTML or JSON",
                                   (conneg.HTML.media_type, JSON.media_type)),
                                NOT_MODIFIED, NOT_ACCEPTABLE, NOT_READY))
async def downloads_index(request: Request, publication: PublicationDep) -> Response:
    chosen = choose(request, INDEX_FORMATS)
    if chosen is None:
        return not_acceptable(request, INDEX_FORMATS)
    headers = {"Vary": "Accept"}
    files = void.downloads(publication)
    base = publication.settings.base_iri
    if chosen is JSON:
        body = _json_bytes({
            "version": files.version,
            "licence": void.LICENCE,
            "citation": publication.rewriter.to_public(void.citation(base)),
            "context": publication.rewriter.to_public(base + "context.jsonld"),
            "void": publication.rewriter.to_public(base + ".well-known/void"),
            "files": _listing(publication),
        })
        return document_response(publication, body, "application/json",
                                 headers=headers)
    body = render_text(
        request, publication, "downloads.html", files=files, citation=void.citation(base),
        rights=void.RIGHTS, licence=void.LICENCE, licence_name=void.LICENCE_NAME,
    ).encode("utf-8")
    return document_response(publication, body, conneg.HTML.content_type,
                             headers=headers)


def _download(request: Request, publication: Publication, path: str) -> Response:
    found = void.downloads(publication).by_path.get(path)
    if found is None:
        available = ", ".join("/" + p for p in void.downloads(publication).by_path)
        return PlainTextResponse(f"Not Found: {shown_input('/' + path)} is not one of the "
                                 f"downloads; available: {available}\n", status_code=404)
    headers = {"Content-Disposition": f'attachment; filename="{found.filename}"',
               "ETag": found.etag,
               "Last-Modified": format_datetime(publication.last_modified, usegmt=True)}
    # From its file: sent in chunks, and ranges (206) for a client that resumes.
    return FileResponse(found.file, media_type=found.media_type, headers=headers)


#: The path parameters, with the values that name something (any other is 404).
DumpName = Annotated[str, FastAPIPath(
    description="The dump's file name", json_schema_extra={"enum": [void.dump_path().rsplit(
        "/", 1)[-1]]})]
Version = Annotated[str, FastAPIPath(
    description="The dataset's version", json_schema_extra={"enum": [void.VERSION]})]
_NO_SUCH_DOWNLOAD = not_found("Not Found: no such download; the message lists those there are")


@router.get("/downloads/{name}", name="download_dump",
            summary="The whole dataset as gzip-compressed N-Quads (alliance-ld-<version>.nq.gz)",
            responses=responses(
                ok("The dump, as a file (no Content-Encoding)", ("application/gzip",)),
                NOT_MODIFIED, _NO_SUCH_DOWNLOAD, NOT_READY))
async def download_dump(name: DumpName, request: Request, publication: PublicationDep) -> Response:
    return _download(request, publication, f"downloads/{name}")


@router.get("/downloads/{version}/{name}", name="download_graph",
            summary="One named graph as Turtle (<version>/<graph>.ttl), or an analysis-ready "
                    "table (<version>/membership-year.csv, state-year.csv, dyad-year.csv, "
                    "tables.csv-metadata.json)",
            responses=responses(ok("The graph, as a Turtle file; or the table, as CSV, or "
                                   "its CSV on the Web metadata",
                                   ("text/turtle", "text/csv", "application/csvm+json")),
                                NOT_MODIFIED, _NO_SUCH_DOWNLOAD, NOT_READY))
async def download_graph(version: Version, name: str, request: Request,
                         publication: PublicationDep) -> Response:
    return _download(request, publication, f"downloads/{version}/{name}")


# ---------------------------------------------------------------------------
# JSON-LD context


@router.get("/context.jsonld", name="jsonld_context", summary="The JSON-LD @context of our terms",
            responses=responses(ok("The @context", ("application/ld+json",)),
                                NOT_MODIFIED, NOT_READY))
async def jsonld_context(request: Request, publication: PublicationDep) -> Response:
    body = void.per_publication("context-document", publication, jsonld.context_document)
    return document_response(publication, body, "application/ld+json")
