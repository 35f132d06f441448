"""Pages for people: the home page, search by label, and the picture of the alliance network.

* ``GET /`` — what the dataset is, where its facts come from, how to use it, and
  lists of its alliances, partnerships, exercises and security cooperation
  activities. An RDF client (``Accept: text/turtle`` etc.) is sent ``303 See
  Other`` to the dataset's VoID description, ``/.well-known/void``.
* ``GET /search?q=…`` — resources whose labels match, best first; HTML (a form
  that works without JavaScript) or JSON (``Accept: application/json`` or
  ``format=json``).
* ``GET /network`` and ``GET /network.svg`` — nations and the alliances and
  partnerships that join them, drawn on the server, with a text equivalent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from markupsafe import Markup

from ... import citation, conneg, void
from ...errors import shown_input
from ...namespace import ALD
from ...network import Network, build_network, render_svg
from ...publication import Publication
from ...search import DEFAULT_LIMIT, MAX_LIMIT, MAX_QUERY_LENGTH, Results, SearchQueryError, search
from ...templating import FAVICON_PATH, Alternate, is_safe_link, local_url, render
from ..deps import PublicationDep
from ..openapi import (
    BAD_REQUEST,
    NOT_ACCEPTABLE,
    NOT_MODIFIED,
    NOT_READY,
    bad_request,
    ok,
    responses,
)
from .void import choose, document_response, not_acceptable, void_alternates

router = APIRouter(tags=["Pages"], default_response_class=Response)

JSON = conneg.Format("json", "application/json", "json")
SVG_TYPE = "image/svg+xml"
HOME_FORMATS: tuple[conneg.Format, ...] = (conneg.HTML, *conneg.GRAPH_FORMATS)
SEARCH_FORMATS: tuple[conneg.Format, ...] = (conneg.HTML, JSON)
SEARCH_OVERRIDES = {"json": JSON, JSON.media_type: JSON,
                    "html": conneg.HTML, conneg.HTML.media_type: conneg.HTML}

#: The lists of the home page: (heading, id, top class).
CATEGORIES: tuple[tuple[str, str, str], ...] = (
    ("Alliances", "alliances", str(ALD.Alliance)),
    ("Partnerships", "partnerships", str(ALD.Partnership)),
    ("Exercises", "exercises", str(ALD.Exercise)),
    ("Security cooperation activities", "activities", str(ALD.SecurityCooperationActivity)),
)

CATALOGUE_QUERY = """\
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?top ?item ?type WHERE {
  VALUES ?top { %s }
  ?item a ?type .
  ?type rdfs:subClassOf* ?top .
  FILTER(isIRI(?item))
}
"""
SOURCES_QUERY = """\
PREFIX ald: <https://w3id.org/alliance-ld/ontology#>
SELECT DISTINCT ?source WHERE { ?source a ald:SourceDocument . FILTER(isIRI(?source)) }
"""


@dataclass(frozen=True)
class Item:
    iri: str
    label: str
    types: tuple[str, ...]  # the most specific types below the list's class (may be empty)


@dataclass(frozen=True)
class Category:
    title: str
    id: str
    top: str
    items: tuple[Item, ...]


def _label(publication: Publication, iri: str) -> str:
    return publication.labels.get(iri) or iri.rstrip("/#").rsplit("/", 1)[-1]


def catalogue(publication: Publication) -> list[Category]:
    """The home page's lists, each sorted by label; subclasses count for their class."""
    tops = " ".join(f"<{top}>" for _, _, top in CATEGORIES)
    found: dict[str, dict[str, set[str]]] = {top: {} for _, _, top in CATEGORIES}
    for row in publication.backend.select(CATALOGUE_QUERY % tops):
        top, item, kind = (str(row[name]) for name in ("top", "item", "type"))
        types = found[top].setdefault(item, set())
        if kind != top:
            types.add(kind)
    publication.labels.fetch(iri for items in found.values() for iri in items)
    categories = []
    for title, anchor, top in CATEGORIES:
        items = [Item(iri, _label(publication, iri), tuple(sorted(types)))
                 for iri, types in found[top].items()]
        items.sort(key=lambda item: (item.label.casefold(), item.iri))
        categories.append(Category(title, anchor, top, tuple(items)))
    return categories


def sources(publication: Publication) -> list[Item]:
    found = [str(row["source"]) for row in publication.backend.select(SOURCES_QUERY)]
    publication.labels.fetch(found)
    items = [Item(source, _label(publication, source), ()) for source in found]
    items.sort(key=lambda item: (item.iri != publication.canonical("id/source/article"),
                                 item.label.casefold(), item.iri))
    return items


def _not_acceptable(offered: tuple[conneg.Format, ...]) -> Response:
    types = ", ".join(f.media_type for f in offered)
    return PlainTextResponse(f"not acceptable: this page is available as {types}\n",
                             status_code=406, headers={"Vary": "Accept"})


# -- home ----------------------------------------------------------------------------


@router.get("/", name="home", summary="Home page",
            responses=responses(
                ok("The home page", (conneg.HTML.media_type,)),
                {303: {"description": "See Other: an RDF client (Accept: Turtle, JSON-LD …) is "
                                      "sent to the VoID description, /.well-known/void"}},
                NOT_MODIFIED, NOT_ACCEPTABLE, NOT_READY))
def home(request: Request, publication: PublicationDep) -> Response:
    chosen = conneg.negotiate(request.headers.get("accept"), HOME_FORMATS)
    if chosen is None:
        return _not_acceptable(HOME_FORMATS)
    if chosen is not conneg.HTML:
        return RedirectResponse(local_url(request, "/.well-known/void"), status_code=303,
                                headers={"Vary": "Accept"})
    base = publication.settings.base_iri
    return render(
        request, publication, "home.html",
        headers={"Vary": "Accept"},
        # the page as data is the dataset's description, where RDF clients are sent
        alternates=void_alternates(request),
        categories=catalogue(publication),
        sources=sources(publication),
        title=void.TITLE,
        description=void.DESCRIPTION,
        rights=void.RIGHTS,
        licence=void.LICENCE,
        licence_name=void.LICENCE_NAME,
        citation=void.citation(base),
        cite_links=cite_links(request),
        schema_org=citation.schema_org(publication, base, base),
        version=void.VERSION,
        base=base,
        persistent_base=base.split("://", 1)[-1],
        triples=publication.triples,
        graphs=len(publication.data_graphs),
        example=base + "id/alliance/nato",
    )


# -- citations ----------------------------------------------------------------------

# (the names are aliases too, so that format=csl-json and format=bibtex choose them)
CSL = conneg.Format("csl-json", citation.CSL_JSON, "json", ("application/json", "csl-json"))
BIB = conneg.Format("bibtex", citation.BIBTEX, "bib", ("text/x-bibtex", "bibtex"))
CITE_FORMATS = (CSL, BIB)


def cite_links(request: Request, resource: str | None = None) -> dict[str, str]:
    """The URLs of the citation of the dataset, or of ``resource`` (a path below id/)."""
    params = {"resource": resource} if resource else {}
    return {f.name: local_url(request, "/cite") + "?" + urlencode({**params, "format": f.name})
            for f in CITE_FORMATS}


@router.get("/cite", name="cite",
            summary="How to cite the dataset, or one resource: CSL-JSON or BibTeX",
            responses=responses(
                ok("The citation, with the release and data versions",
                   (citation.CSL_JSON, citation.BIBTEX)),
                {404: {"description": "Not Found: 'resource' is not the path of one of our "
                                      "resources (such as alliance/nato)",
                       "content": {"text/plain": {"schema": {"type": "string"}}}}},
                NOT_MODIFIED, NOT_ACCEPTABLE, NOT_READY))
def cite(request: Request, publication: PublicationDep,
         resource: Annotated[str | None, Query(
             description="The resource's path below /id/, such as alliance/nato; without "
                         "it, the dataset", max_length=300)] = None,
         format_: Annotated[str | None, Query(
             alias="format", description="csl-json or bibtex (else by Accept; CSL-JSON "
                                         "by default)")] = None) -> Response:
    chosen = choose(request, CITE_FORMATS, default=CSL)
    if chosen is None:
        return not_acceptable(request, CITE_FORMATS)
    base = publication.settings.base_iri
    if resource is None:
        item = citation.csl(publication, base)
    else:
        from ...describe import is_known

        iri = base + "id/" + resource.strip("/")
        if not re.fullmatch(r"[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*", resource.strip("/")) or (
                not is_known(publication, iri)):
            return PlainTextResponse(f"Not Found: resource {shown_input(resource)} is not "
                                     "one of ours (give its path below /id/, such as "
                                     "alliance/nato)\n", status_code=404)
        page = base + "doc/" + resource.strip("/")
        item = citation.csl(publication, base, iri, publication.labels.get(iri), page)
    if chosen is BIB:
        body = citation.bibtex(item).encode("utf-8")
    else:
        body = (json.dumps([item], ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    body = publication.rewriter.to_public_bytes(body)
    return document_response(publication, body, chosen.content_type,
                             headers={"Vary": "Accept"})


@router.get("/favicon.ico", name="favicon", include_in_schema=False)
def favicon(request: Request) -> Response:
    """Where browsers (and crawlers) look for an icon without reading the page: the SVG icon."""
    return RedirectResponse(local_url(request, FAVICON_PATH), status_code=301,
                            headers={"Cache-Control": "public, max-age=86400"})


# -- search --------------------------------------------------------------------------


def _search_json(request: Request, publication: Publication, results: Results,
                 limit: int) -> dict[str, Any]:
    public = publication.rewriter.to_public
    base = publication.settings.base_iri
    # the page's address: under the public URL when there is one, else as the client asked
    site = (publication.settings.public_url or str(request.base_url)).rstrip("/")
    return {
        "query": results.query,
        "total": results.total,
        "limit": limit,
        "results": [
            {
                "iri": public(hit.iri),
                "label": hit.label,
                "matched": hit.matched,
                "match": hit.match,
                "types": [{"iri": public(t), "label": _label(publication, t)}
                          for t in hit.types],
                "page": site + "/" + hit.iri[len(base):],
            }
            for hit in results.hits
        ],
    }


@router.get("/search", name="search",
            summary="Search resources by label (HTML or JSON)",
            responses=responses(
                ok("The resources whose labels match, best first, as HTML or JSON",
                   (conneg.HTML.media_type, JSON.media_type)),
                NOT_MODIFIED,
                bad_request("Bad request: a search query that is too long (the page or JSON "
                            "says so), or an unknown format", (conneg.HTML.media_type,
                                                              JSON.media_type)),
                BAD_REQUEST, NOT_ACCEPTABLE, NOT_READY))
def search_page(
    request: Request,
    publication: PublicationDep,
    # The length is checked by search(), which answers in the negotiated format.
    q: Annotated[str, Query(description="words to look for in labels "
                                        f"(at most {MAX_QUERY_LENGTH} characters)",
                            json_schema_extra={"maxLength": MAX_QUERY_LENGTH})] = "",
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="most results")] = DEFAULT_LIMIT,
    format: Annotated[str | None, Query(
        description="json or html (or their media types); overrides Accept",
        json_schema_extra={"enum": sorted(SEARCH_OVERRIDES)})] = None,
) -> Response:
    if format is not None:
        chosen = SEARCH_OVERRIDES.get(format.strip().lower())
        if chosen is None:
            return PlainTextResponse(f"unknown format {shown_input(format)}: use json or html\n",
                                     status_code=400)
    else:
        chosen = conneg.negotiate(request.headers.get("accept"), SEARCH_FORMATS)
    if chosen is None:
        return _not_acceptable(SEARCH_FORMATS)
    headers = {"Vary": "Accept"}
    try:
        results = search(publication, q, limit)
    except SearchQueryError as exc:
        if chosen is JSON:
            return JSONResponse({"error": str(exc)}, status_code=400, headers=headers)
        return render(request, publication, "search.html", status_code=400, headers=headers,
                      q=q[:MAX_QUERY_LENGTH], error=str(exc), results=None,
                      max_length=MAX_QUERY_LENGTH)
    if chosen is JSON:
        return JSONResponse(_search_json(request, publication, results, limit), headers=headers)
    alternates = [Alternate(_with_format(request, "json"), JSON.media_type, "JSON")] if q else []
    return render(request, publication, "search.html", headers=headers, q=q, error=None,
                  results=results, max_length=MAX_QUERY_LENGTH, alternates=alternates)


def _with_format(request: Request, value: str) -> str:
    """This search as another format (a link for the page's footer)."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "format"]
    params.append(("format", value))
    return local_url(request, "/search") + "?" + urlencode(params)


# -- network -------------------------------------------------------------------------


def _network(publication: Publication, year: int | None = None) -> Network:
    return build_network(publication.backend, publication.labels, year)


YearParam = Annotated[int | None, Query(
    ge=1, le=9999, description="Only the memberships in force at some time in this year "
                               "(begun by its end, not ended before its start)")]


def _linker(request: Request, publication: Publication) -> Callable[[str], str | None]:
    base = publication.settings.base_iri

    def link(iri: str) -> str | None:
        if iri.startswith(base):
            return local_url(request, iri[len(base):])
        return iri if is_safe_link(iri) else None

    return link


@router.get("/network.svg", name="network_svg",
            summary="The alliance network as SVG",
            responses=responses(ok("The picture", (SVG_TYPE,)), NOT_MODIFIED, NOT_READY))
def network_svg(request: Request, publication: PublicationDep,
                year: YearParam = None) -> Response:
    svg = render_svg(_network(publication, year), _linker(request, publication))
    body = '<?xml version="1.0" encoding="UTF-8"?>\n' + publication.rewriter.to_public(svg)
    return Response(body, media_type=SVG_TYPE)


@router.get("/network", name="network",
            summary="The alliance network (HTML with SVG and text equivalent)",
            responses=responses(ok("The page", (conneg.HTML.media_type,)), NOT_MODIFIED,
                                NOT_READY))
def network_page(request: Request, publication: PublicationDep,
                 year: YearParam = None) -> Response:
    network = _network(publication, year)
    svg = render_svg(network, _linker(request, publication))
    suffix = f"?year={year}" if year is not None else ""
    return render(request, publication, "network.html", network=network, rows=network.rows(),
                  svg=Markup(svg), year=year, svg_href=local_url(request, "/network.svg") + suffix,
                  page_href=local_url(request, "/network"))
