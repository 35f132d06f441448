"""The ontology namespace and the shapes.

* ``GET /ontology`` — the ontology by content negotiation: for people an HTML
  documentation page of every class and property (each term a section whose id
  is its local name, so a term IRI ``…/ontology#Alliance`` lands on its place in
  the page), for machines Turtle, JSON-LD, RDF/XML or N-Triples — the release
  artefacts ``ontology/alliance.{ttl,jsonld,rdf,nt}`` byte for byte (with the
  canonical base rewritten to the public URL). ``format=`` overrides ``Accept``.
* ``GET /ontology.ttl`` (``.jsonld``, ``.rdf``, ``.owl``, ``.nt``, ``.html``) — one format each.
* ``GET /ontology/<version>`` (the ``owl:versionIRI``, e.g. ``/ontology/0.1.0``)
  and ``/ontology/<version>.ttl`` etc. — that release; only the version this
  server publishes exists, any other is 404.
* ``GET /shapes`` and ``/shapes.ttl`` etc. — the SHACL shapes the data is
  validated with (Turtle by default; N-Triples, JSON-LD, RDF/XML).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi import Path as FastAPIPath
from fastapi.responses import PlainTextResponse, Response

from ... import conneg, void
from ...backend.writers import write
from ...errors import shown_input
from ...ontology_doc import documentation
from ...publication import PREFIXES, SHAPES_GRAPH, Publication
from ...resources import ONTOLOGY_DIR, SHAPES_NS
from ...templating import Alternate, local_url, render_text
from ..deps import PublicationDep
from ..openapi import NOT_ACCEPTABLE, NOT_MODIFIED, NOT_READY, Responses, not_found, ok, responses
from .void import choose, document_response, not_acceptable

router = APIRouter(tags=["Ontology"], default_response_class=Response)

ONTOLOGY_FORMATS: tuple[conneg.Format, ...] = (
    conneg.HTML, conneg.TURTLE, conneg.JSONLD, conneg.RDFXML, conneg.NTRIPLES,
)
SHAPES_FORMATS: tuple[conneg.Format, ...] = (
    conneg.TURTLE, conneg.NTRIPLES, conneg.JSONLD, conneg.RDFXML,
)
#: The release artefact of each RDF format.
ARTEFACTS = {"turtle": "alliance.ttl", "jsonld": "alliance.jsonld", "rdfxml": "alliance.rdf",
             "nt": "alliance.nt"}
TITLES = {"html": "HTML documentation", "turtle": "Turtle", "jsonld": "JSON-LD",
          "rdfxml": "RDF/XML", "nt": "N-Triples"}
#: File extensions accepted after ``/ontology`` and ``/shapes`` (``.owl`` is RDF/XML).
EXTENSIONS = {"ttl": conneg.TURTLE, "jsonld": conneg.JSONLD, "rdf": conneg.RDFXML,
              "owl": conneg.RDFXML, "nt": conneg.NTRIPLES, "html": conneg.HTML}


#: The path parameters, with the values that name something (any other is 404).
OntologyExtension = Annotated[str, FastAPIPath(
    description="ttl, jsonld, rdf (or owl), nt or html",
    json_schema_extra={"enum": list(EXTENSIONS)})]
ShapesExtension = Annotated[str, FastAPIPath(
    description="ttl, jsonld, rdf (or owl) or nt",
    json_schema_extra={"enum": [e for e, f in EXTENSIONS.items() if f is not conneg.HTML]})]
Release = Annotated[str, FastAPIPath(
    description="The release this server publishes (its owl:versionIRI), optionally with one "
                "of the extensions",
    json_schema_extra={"enum": [void.VERSION, *(f"{void.VERSION}.{e}" for e in EXTENSIONS)]})]


def _version(publication: Publication) -> str:
    return void.VERSION


def _alternates(request: Request, stem: str, formats: tuple[conneg.Format, ...]
                ) -> list[Alternate]:
    return [Alternate(local_url(request, f"{stem}.{f.extension}"), f.media_type, TITLES[f.name])
            for f in formats]


def _link_header(alternates: list[Alternate]) -> str:
    return ", ".join(f'<{a.href}>; rel="alternate"; type="{a.media_type}"' for a in alternates)


def _artefact(publication: Publication, fmt: conneg.Format) -> bytes:
    def read(p: Publication) -> bytes:
        path: Path = ONTOLOGY_DIR / ARTEFACTS[fmt.name]
        return p.rewriter.to_public_bytes(path.read_bytes())

    return void.per_publication(f"ontology-{fmt.name}", publication, read)


def _instance_query(iri: str) -> str:
    return ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
            f"SELECT ?instance ?label WHERE {{\n  ?instance a <{iri}> .\n"
            "  OPTIONAL { ?instance rdfs:label ?label }\n} ORDER BY ?label")


def _html(request: Request, publication: Publication) -> bytes:
    root = request.scope.get("root_path", "") or ""

    def build(p: Publication) -> bytes:
        alternates = _alternates(request, "/ontology", ONTOLOGY_FORMATS[1:])
        return render_text(request, p, "ontology.html", alternates=alternates,
                           files=alternates, doc=documentation(p),
                           instance_query=_instance_query).encode("utf-8")

    return void.per_publication(f"ontology-html-{root}", publication, build)


def _ontology(request: Request, publication: Publication, fmt: conneg.Format,
              stem: str, negotiated: bool) -> Response:
    alternates = _alternates(request, stem, ONTOLOGY_FORMATS)
    headers = {"Link": _link_header(alternates)}
    if negotiated:
        headers["Vary"] = "Accept"
        headers["Content-Location"] = local_url(request, f"{stem}.{fmt.extension}")
    body = _html(request, publication) if fmt is conneg.HTML else _artefact(publication, fmt)
    return document_response(publication, body, fmt.content_type, headers=headers)


def _not_found(message: str) -> PlainTextResponse:
    return PlainTextResponse(f"Not Found: {message}\n", status_code=404)


_ONTOLOGY = ok("The ontology: HTML documentation, or the release artefact in Turtle, JSON-LD, "
               "RDF/XML or N-Triples", (f.media_type for f in ONTOLOGY_FORMATS))
_NO_EXTENSION = not_found("Not Found: no such file extension; the message lists those there are")
#: Negotiated (``/ontology``), one file (``/ontology.ttl``), a release (``/ontology/0.1.0``).
_RESPONSES: Responses = responses(_ONTOLOGY, NOT_MODIFIED, NOT_ACCEPTABLE, NOT_READY)
_FILE_RESPONSES: Responses = responses(_ONTOLOGY, NOT_MODIFIED, _NO_EXTENSION, NOT_READY)
_RELEASE_RESPONSES: Responses = responses(
    _ONTOLOGY, NOT_MODIFIED,
    not_found("Not Found: not the release (or a file of the release) this server publishes"),
    NOT_ACCEPTABLE, NOT_READY)


@router.get("/ontology", name="ontology", summary="The ontology (HTML documentation or RDF)",
            responses=_RESPONSES)
async def ontology(request: Request, publication: PublicationDep) -> Response:
    chosen = choose(request, ONTOLOGY_FORMATS)
    if chosen is None:
        return not_acceptable(request, ONTOLOGY_FORMATS)
    return _ontology(request, publication, chosen, "/ontology", negotiated=True)


@router.get("/ontology.{extension}", name="ontology_file",
            summary="The ontology in one format (ttl, jsonld, rdf, owl, nt, html)",
            responses=_FILE_RESPONSES)
async def ontology_file(extension: OntologyExtension, request: Request,
                        publication: PublicationDep) -> Response:
    fmt = EXTENSIONS.get(extension)
    if fmt is None:
        return _not_found(f"no ontology file with extension {shown_input('.' + extension)}; "
                          f"available: {', '.join('.' + e for e in EXTENSIONS)}")
    return _ontology(request, publication, fmt, "/ontology", negotiated=False)


@router.get("/ontology/{release}", name="ontology_release",
            summary="A release of the ontology (its owl:versionIRI), optionally with an "
                    "extension", responses=_RELEASE_RESPONSES)
async def ontology_release(release: Release, request: Request,
                           publication: PublicationDep) -> Response:
    version = _version(publication)
    stem = f"/ontology/{version}"
    if release == version:
        chosen = choose(request, ONTOLOGY_FORMATS)
        if chosen is None:
            return not_acceptable(request, ONTOLOGY_FORMATS)
        return _ontology(request, publication, chosen, stem, negotiated=True)
    for extension, fmt in EXTENSIONS.items():
        if release == f"{version}.{extension}":
            return _ontology(request, publication, fmt, stem, negotiated=False)
    return _not_found(f"this server publishes release {version} of the ontology, "
                      f"not {shown_input(release)}")


# ---------------------------------------------------------------------------
# Shapes


def _shapes_body(publication: Publication, fmt: conneg.Format) -> bytes:
    def build(p: Publication) -> bytes:
        triples = p.backend.construct("CONSTRUCT WHERE { ?s ?p ?o }",
                                      default_graphs=[SHAPES_GRAPH])
        body = write(triples, fmt.media_type, {**PREFIXES, "shapes": SHAPES_NS})
        return p.rewriter.to_public_bytes(body)

    return void.per_publication(f"shapes-{fmt.name}", publication, build)


def _shapes(request: Request, publication: Publication, fmt: conneg.Format,
            negotiated: bool) -> Response:
    alternates = [Alternate(local_url(request, f"/shapes.{f.extension}"), f.media_type,
                            TITLES[f.name]) for f in SHAPES_FORMATS]
    headers = {"Link": _link_header(alternates)}
    if negotiated:
        headers["Vary"] = "Accept"
        headers["Content-Location"] = local_url(request, f"/shapes.{fmt.extension}")
    return document_response(publication, _shapes_body(publication, fmt),
                             fmt.content_type, headers=headers)


_SHAPES = ok("The SHACL shapes: Turtle by default, N-Triples, JSON-LD or RDF/XML",
             (f.media_type for f in SHAPES_FORMATS))
_SHAPES_RESPONSES: Responses = responses(_SHAPES, NOT_MODIFIED, NOT_ACCEPTABLE, NOT_READY)
_SHAPES_FILE_RESPONSES: Responses = responses(_SHAPES, NOT_MODIFIED, _NO_EXTENSION, NOT_READY)


@router.get("/shapes", name="shapes", summary="The SHACL shapes", responses=_SHAPES_RESPONSES)
async def shapes(request: Request, publication: PublicationDep) -> Response:
    chosen = choose(request, SHAPES_FORMATS, default=conneg.TURTLE)
    if chosen is None:
        return not_acceptable(request, SHAPES_FORMATS)
    return _shapes(request, publication, chosen, negotiated=True)


@router.get("/shapes.{extension}", name="shapes_file",
            summary="The SHACL shapes in one format (ttl, jsonld, rdf, nt)",
            responses=_SHAPES_FILE_RESPONSES)
async def shapes_file(extension: ShapesExtension, request: Request,
                      publication: PublicationDep) -> Response:
    fmt = EXTENSIONS.get(extension)
    if fmt is None or fmt is conneg.HTML:
        return _not_found(f"no shapes file with extension {shown_input('.' + extension)}; "
                          "available: .ttl, .jsonld, .rdf, .owl, .nt")
    return _shapes(request, publication, fmt, negotiated=False)

