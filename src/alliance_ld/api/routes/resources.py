"""Dereferenceable IRIs: ``/id/…`` and ``/graph/…`` answer 303 See Other to a document.

Following "Cool URIs for the Semantic Web" (303 URIs forwarding to one generic
document):

* ``GET /id/{path}`` — the resource IRI (``<base>id/{path}``) — redirects with
  303 to ``/doc/{path}.{ext}``, the format chosen from the Accept header by
  q-values: ``html`` (text/html), ``ttl`` (text/turtle), ``jsonld``
  (application/ld+json, also application/json), ``rdf`` (application/rdf+xml)
  or ``nt`` (application/n-triples). Between formats the client rates equally,
  the earliest in its header wins, then our order: Turtle, HTML, JSON-LD,
  RDF/XML, N-Triples. So a request without Accept, or with ``*/*`` only
  (curl, most RDF tools), gets Turtle; browsers, which name ``text/html``
  explicitly, get HTML.
* ``GET /doc/{path}.{ext}`` — the document in one format; ``GET /doc/{path}``
  negotiates the same way and answers 200 with ``Content-Location`` naming
  the format-specific document.
* ``GET /graph/{stem}`` — a named graph's IRI — redirects to
  ``/doc/graph/{stem}.{ext}``, a document holding the graph's triples.

Documents carry ``Vary: Accept``, ``Content-Location``, ``Link`` headers
(``alternate`` for each other format, ``void#inDataset`` to the VoID, and
``first``/``prev``/``next``/``last`` between pages of incoming links); the
document-validators middleware adds ``ETag``/``Last-Modified`` and answers 304.
Incoming links past ``incoming_page_size`` are paged with ``?page=N``.

Unknown IRIs answer 404 in the negotiated format: an HTML page, or for RDF a
valid document with no triples (a comment says why, except in JSON-LD, which
is ``[]``); the ``X-Alliance-LD-Error`` header says it for every format.
Paths that try to escape (``.``/``..`` segments, encoded ``/``, ``\\`` or NUL,
control characters, more than 2000 characters) answer 400, and no path is
ever read from disk here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi import Path as FastAPIPath
from fastapi.responses import PlainTextResponse, Response
from markupsafe import Markup
from rdflib.term import BNode, Literal, URIRef
from starlette.convertors import Convertor, register_url_convertor

from ... import citation, conneg, jsonld, maps, void
from ...backend.writers import check_iri
from ...describe import (
    DCT_SOURCE,
    RDF_TYPE,
    SCHEMA_URL,
    Description,
    GraphDescription,
    PageOutOfRangeError,
    claim_views,
    describe,
    describe_graph,
    document_prefixes,
    document_triples,
    graph_document_triples,
    is_known,
    serialize,
)
from ...errors import InputError, shown_input
from ...publication import Publication
from ...relationships import (
    ALD,
    Moment,
    Relationship,
    as_of,
    as_of_triples,
    changes,
    members,
    neighbours,
    parse_moment,
    parties,
    relationships,
)
from ...templating import Alternate, render, render_text
from ...timeline import timeline_svg
from ...treaties import (
    AGREEMENT_TYPES,
    Agreement,
    Suspension,
    agreements,
    in_force,
    suspensions,
    suspensions_as_of,
)
from ...treaties import changes as agreement_changes
from ..deps import PublicationDep
from ..openapi import (
    NOT_ACCEPTABLE,
    NOT_MODIFIED,
    NOT_READY,
    TEXT,
    bad_request,
    content,
    not_found,
    ok,
    responses,
)

router = APIRouter(tags=["Linked data"], default_response_class=Response)
SVG_TYPE = "image/svg+xml"

#: JSON-LD, also for clients that ask for plain JSON.
JSONLD = replace(conneg.JSONLD, aliases=(*conneg.JSONLD.aliases, "application/json"))
#: Document formats in our order of preference (ties in the client's Accept go to the first).
FORMATS: tuple[conneg.Format, ...] = (conneg.TURTLE, conneg.HTML, JSONLD, conneg.RDFXML,
                                      conneg.NTRIPLES)
TITLES = {"html": "HTML", "turtle": "Turtle", "jsonld": "JSON-LD", "rdfxml": "RDF/XML",
          "nt": "N-Triples"}
EXTENSIONS = {fmt.extension: fmt for fmt in FORMATS}
MAX_PATH_LENGTH = 2000
VOID_IN_DATASET = "http://rdfs.org/ns/void#inDataset"
ERROR_HEADER = "X-Alliance-LD-Error"
_FORBIDDEN_RAW = (b"%2f", b"%5c", b"%00")
_PAGE = re.compile(r"[0-9]{1,9}")
#: Any absolute base: the characters allowed in an IRI's path do not depend on it.
_IRI_CHECK_BASE = "https://w3id.org/alliance-ld/id/"
_BAD_CHARACTER = re.compile(r"[\x00-\x20\x7f\\<>\"{}|^`]")


class BadPathError(ValueError):
    """A request path that cannot name a resource of ours."""


def _check_path(request: Request, path: str) -> None:
    raw: bytes = request.scope.get("raw_path") or request.url.path.encode()
    if len(raw) > MAX_PATH_LENGTH or len(path) > MAX_PATH_LENGTH:
        raise BadPathError(f"the path is longer than {MAX_PATH_LENGTH} characters")
    lowered = raw.lower()
    if any(bad in lowered for bad in _FORBIDDEN_RAW):
        raise BadPathError("encoded '/', '\\' or NUL characters are not allowed in resource paths")
    if _BAD_CHARACTER.search(path):
        raise BadPathError("the path holds characters that no IRI of this dataset has")
    segments = path.split("/")
    if any(segment in ("", ".", "..") for segment in segments):
        raise BadPathError("empty, '.' and '..' path segments are not allowed")
    try:  # the IRI parser decides (C1 controls, non-characters, bad percent-encodings …)
        check_iri(_IRI_CHECK_BASE + path)
    except ValueError as exc:
        raise BadPathError(f"the path cannot be part of an IRI: {exc}") from exc


def _header_value(message: str) -> str:
    """``message`` as an HTTP header value (ASCII; other characters escaped)."""
    return message.encode("ascii", "backslashreplace").decode("ascii").replace("\n", " ")


def _bad_request(message: str) -> Response:
    return PlainTextResponse(f"Bad request: {message}\n", status_code=400,
                             headers={ERROR_HEADER: _header_value(message), "Vary": "Accept"})


def _page_number(request: Request) -> int:
    values = request.query_params.getlist("page")
    if not values:
        return 1
    value = values[-1]
    if not _PAGE.fullmatch(value) or int(value) < 1:
        raise BadPathError(f"page must be a positive whole number, not {shown_input(value)}")
    return int(value)


class _AnyPath(Convertor[str]):
    """Like Starlette's ``path``, but a line break too: such a path reaches the route and
    gets its 400 (control characters), not the router's bare 404."""

    regex = r"[\s\S]*"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("anypath", _AnyPath())


def _moment(request: Request) -> Moment | None:
    values = request.query_params.getlist("as_of")
    return parse_moment(values[-1]) if values else None


#: Types whose pages list members (org:organization), and whose pages list the
#: nation's memberships and designations.
_ORGANISATION_TYPES = frozenset(ALD + t for t in (
    "Alliance", "Partnership", "InternationalOrganisation", "MilitaryOrganisation",
    "GovernmentOrganisation"))
_NATION_TYPES = frozenset({ALD + "Nation"})


def _dated_kind(description: Description) -> str | None:
    types = {str(t) for t in description.values(RDF_TYPE)}
    if types & _NATION_TYPES:
        return "nation"
    if types & _ORGANISATION_TYPES:
        return "organisation"
    if types & AGREEMENT_TYPES:
        return "agreement"
    return None


@dataclass(frozen=True)
class _Dated:
    """What a page lists with dates: memberships (or a nation's relationships), the
    agreements it concerns, and the suspensions of obligations among them."""

    kind: str | None
    relationships: list[Relationship]
    agreements: list[Agreement]
    suspensions: list[Suspension]

    def changes(self) -> list[date]:
        days = set(changes(self.relationships)) | set(agreement_changes(self.agreements))
        days |= {b[0] for s in self.suspensions if (b := s.since_bounds) is not None}
        return sorted(days)


def _dated_rows(publication: Publication, description: Description) -> _Dated:
    kind = _dated_kind(description)
    iri = description.iri
    if kind is None:
        return _Dated(None, [], [], [])
    rows = {"nation": relationships, "organisation": members, "agreement": parties}[kind](
        publication, iri)
    return _Dated(kind, rows, agreements(publication, iri, kind),
                  suspensions(publication, iri, kind))


def _with_moment(path: str, moment: Moment | None) -> str:
    return path if moment is None else f"{path}?as_of={moment.text}"


def _base_url(request: Request, publication: Publication) -> str:
    """The absolute URL of this server's root (public URL, or from the request), with "/"."""
    public = publication.settings.public_url
    if public:
        return public
    return str(request.base_url)


def _absolute(request: Request, publication: Publication, local_path: str) -> str:
    return _base_url(request, publication) + quote(local_path.lstrip("/"), safe="/?=&")


def _local(request: Request, local_path: str) -> str:
    root: str = (request.scope.get("root_path") or "").rstrip("/")
    return root + "/" + quote(local_path.lstrip("/"), safe="/?=&")


def _negotiate(request: Request) -> conneg.Format | None:
    return conneg.negotiate(request.headers.get("accept"), FORMATS)


def _not_acceptable(request: Request) -> Response:
    offered = ", ".join(f.media_type for f in FORMATS)
    return PlainTextResponse(
        f"Not Acceptable: none of the media types in Accept is available; "
        f"available: {offered}\n",
        status_code=406, headers={"Vary": "Accept"})


_DOCUMENT_TYPES = tuple(f.media_type for f in FORMATS)
_BAD_PATH = bad_request("Bad request: a path that cannot name a resource of ours ('.' or '..' "
                        "segments, encoded '/', '\\' or NUL, control characters, too long) or "
                        "a page that is not a positive whole number; X-Alliance-LD-Error says so")
_NOT_FOUND = not_found("Not Found: nothing in the dataset has this IRI (or the page is past the "
                       "last); HTML, or an empty RDF document in the negotiated format",
                       _DOCUMENT_TYPES)
#: One path segment of this dataset's IRIs: IRI characters (not '.' or '..' alone, no '%').
_SEGMENT = r"\.{0,2}[A-Za-z0-9_~!$&'()*+,;=:@-][A-Za-z0-9._~!$&'()*+,;=:@-]*"
#: What the description promises the resource paths look like (the server takes a little
#: more, and answers 400 to what cannot name a resource: see ``_check_path``).
PathParam = Annotated[str, FastAPIPath(
    description="The path of the IRI after /id/ (or /graph/, /doc/): segments of IRI "
                "characters",
    json_schema_extra={"pattern": f"^{_SEGMENT}(/{_SEGMENT})*$", "maxLength": 600})]
_PAGE_PARAMETER = {"parameters": [{
    "name": "page", "in": "query", "required": False,
    "description": "Page of incoming links (default 1)",
    "schema": {"type": "integer", "minimum": 1, "maximum": 999_999_999}}]}
#: ``/doc/…``: the page of incoming links, and the view as of a date.
_DOCUMENT_PARAMETERS = {"parameters": [*_PAGE_PARAMETER["parameters"], {
    "name": "as_of", "in": "query", "required": False,
    "description": "The view as of a day (YYYY-MM-DD) or a year (YYYY): for an alliance, "
                   "partnership or organisation its members then, for a nation its "
                   "memberships and designations then, each certain or uncertain",
    "schema": {"oneOf": [
        {"type": "string", "format": "date"},
        {"type": "string", "pattern": "^(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})$"},
    ]}}]}
#: ``/id/…`` and ``/graph/…``: never 200, always a redirect or an error.
_REDIRECT_RESPONSES = responses(
    {303: {"description": "See Other: the document about the resource in the format Accept "
                          "asks for (Location), with a Link to the generic document",
           "content": content(TEXT)}},
    _BAD_PATH, _NOT_FOUND, NOT_ACCEPTABLE, NOT_READY,
)


def _with_page(path: str, page: int) -> str:
    return path if page == 1 else f"{path}?page={page}"


# ---------------------------------------------------------------------------
# 303 See Other from resource IRIs


def _see_other(request: Request, publication: Publication, doc_path: str) -> Response:
    fmt = _negotiate(request)
    if fmt is None:
        return _not_acceptable(request)
    try:
        page = _page_number(request)
    except BadPathError as exc:
        return _bad_request(str(exc))
    target = _absolute(request, publication, _with_page(f"doc/{doc_path}.{fmt.extension}", page))
    generic = _absolute(request, publication, f"doc/{doc_path}")
    return PlainTextResponse(f"See Other: {target}\n", status_code=303, headers={
        "Location": target, "Vary": "Accept", "Link": f'<{generic}>; rel="describedby"'})


@router.get("/id/{path:anypath}", name="resource",
            summary="A resource IRI: 303 See Other to its document",
            status_code=303, responses=_REDIRECT_RESPONSES, openapi_extra=_PAGE_PARAMETER)
def resource(path: PathParam, request: Request, publication: PublicationDep) -> Response:
    try:
        _check_path(request, path)
    except BadPathError as exc:
        return _bad_request(str(exc))
    iri = publication.settings.base_iri + "id/" + path
    if not is_known(publication, iri):
        return _not_found(request, publication, iri, _negotiate(request) or conneg.HTML)
    return _see_other(request, publication, path)


@router.get("/graph/{stem:anypath}", name="graph",
            summary="A named graph's IRI: 303 See Other to its document",
            status_code=303, responses=_REDIRECT_RESPONSES, openapi_extra=_PAGE_PARAMETER)
def graph(stem: PathParam, request: Request, publication: PublicationDep) -> Response:
    try:
        _check_path(request, stem)
    except BadPathError as exc:
        return _bad_request(str(exc))
    iri = publication.settings.base_iri + "graph/" + stem
    if describe_graph(publication, iri) is None:
        return _not_found(request, publication, iri, _negotiate(request) or conneg.HTML)
    return _see_other(request, publication, "graph/" + stem)


# ---------------------------------------------------------------------------
# Documents


@router.get("/doc/{path:anypath}", name="document",
            summary="The document about a resource, in one format or negotiated",
            responses=responses(
                ok("The document: HTML, Turtle, JSON-LD, RDF/XML or N-Triples, by extension "
                   "or by Accept", _DOCUMENT_TYPES),
                NOT_MODIFIED, _BAD_PATH, _NOT_FOUND, NOT_ACCEPTABLE, NOT_READY),
            openapi_extra=_DOCUMENT_PARAMETERS)
def document(path: PathParam, request: Request, publication: PublicationDep) -> Response:
    try:
        _check_path(request, path)
        page = _page_number(request)
        moment = _moment(request)
    except (BadPathError, InputError) as exc:
        return _bad_request(str(exc))
    stem, dot, extension = path.rpartition(".")
    fmt = EXTENSIONS.get(extension) if dot and "/" not in extension else None
    if fmt is None:
        stem = path
        fmt = _negotiate(request)
        if fmt is None:
            return _not_acceptable(request)
    graph_iri = publication.settings.base_iri + stem
    if stem.startswith("graph/") and graph_iri in publication.graph_names:
        graph_description = describe_graph(publication, graph_iri)
        if graph_description is not None and page == 1:
            return _graph_document(request, publication, stem, fmt, graph_description)
    iri = publication.settings.base_iri + "id/" + stem
    try:
        description = describe(publication, iri, page)
    except PageOutOfRangeError as exc:
        return _not_found(request, publication, iri, fmt, str(exc))
    if description is None:
        return _not_found(request, publication, iri, fmt)
    if moment is not None and _dated_kind(description) is None:
        return _bad_request(f"as_of: {iri} has no memberships, designations or agreements to "
                            "view as of a date (an alliance, partnership, organisation, "
                            "agreement or nation has)")
    return _resource_document(request, publication, stem, fmt, description, moment)


def _doc_headers(request: Request, publication: Publication, stem: str, fmt: conneg.Format,
                 page: int, pages: int) -> dict[str, str]:
    links = []
    for other in FORMATS:
        if other is not fmt:
            href = _absolute(request, publication,
                             _with_page(f"doc/{stem}.{other.extension}", page))
            links.append(f'<{href}>; rel="alternate"; type="{other.media_type}"')
    void = _absolute(request, publication, ".well-known/void")
    links.append(f'<{void}>; rel="{VOID_IN_DATASET}"')
    if pages > 1:
        def page_link(rel: str, number: int) -> str:
            href = _absolute(request, publication,
                             _with_page(f"doc/{stem}.{fmt.extension}", number))
            return f'<{href}>; rel="{rel}"'

        links.append(page_link("first", 1))
        if page > 1:
            links.append(page_link("prev", page - 1))
        if page < pages:
            links.append(page_link("next", page + 1))
        links.append(page_link("last", pages))
    own = _absolute(request, publication, _with_page(f"doc/{stem}.{fmt.extension}", page))
    return {"Vary": "Accept", "Content-Location": own, "Link": ", ".join(links)}


def _respond(request: Request, publication: Publication, body: bytes | str,
             fmt: conneg.Format, headers: dict[str, str]) -> Response:
    if isinstance(body, str):
        content = body.encode("utf-8")
    else:
        content = publication.rewriter.to_public_bytes(body)
    return Response(content, media_type=fmt.content_type, headers=headers)


def _jsonld_context(publication: Publication) -> dict[str, Any]:
    """The publication's JSON-LD ``@context`` (the one served at ``/context.jsonld``)."""
    return jsonld.context(publication)


def _alternates(request: Request, publication: Publication, stem: str, page: int,
                current: conneg.Format | None = None) -> list[Alternate]:
    return [Alternate(_local(request, _with_page(f"doc/{stem}.{f.extension}", page)),
                      f.media_type, TITLES[f.name])
            for f in FORMATS if f is not current and f is not conneg.HTML]


def _resource_document(request: Request, publication: Publication, stem: str,
                       fmt: conneg.Format, description: Description,
                       moment: Moment | None = None) -> Response:
    headers = _doc_headers(request, publication, stem, fmt, description.page, description.pages)
    if moment is not None:
        headers = _as_of_headers(request, publication, stem, fmt, moment)
    body: bytes | str
    dated = _dated_rows(publication, description)
    if fmt is conneg.HTML:
        body = render_text(request, publication, "resource.html",
                           canonical=headers["Content-Location"],
                           **_page_context(request, publication, stem, description),
                           **_dated_context(request, publication, stem, description, dated,
                                            moment))
    elif moment is not None:
        shown = in_force(dated.agreements, moment)
        also = (*(a.iri for a in shown), *(o.iri for a in shown for o in a.obligations),
                *(x.membership for x in suspensions_as_of(dated.suspensions, moment)))
        triples = as_of_triples(publication, description,
                                as_of(dated.relationships, moment), moment,
                                _absolute(request, publication,
                                          _with_moment(f"doc/{stem}", moment)), also)
        body = serialize(triples, fmt, prefixes=document_prefixes(publication, triples),
                         jsonld_context=_jsonld_context(publication))
    else:
        triples = description.triples + document_triples(publication, description, "id/" + stem)
        body = serialize(triples, fmt, prefixes=document_prefixes(publication, triples),
                         jsonld_context=_jsonld_context(publication))
    return _respond(request, publication, body, fmt, headers)


def _as_of_headers(request: Request, publication: Publication, stem: str, fmt: conneg.Format,
                   moment: Moment) -> dict[str, str]:
    links = [f'<{_absolute(request, publication, f"doc/{stem}.{fmt.extension}")}>; '
             'rel="original"']
    for other in FORMATS:
        if other is not fmt:
            href = _absolute(request, publication,
                             _with_moment(f"doc/{stem}.{other.extension}", moment))
            links.append(f'<{href}>; rel="alternate"; type="{other.media_type}"')
    own = _absolute(request, publication, _with_moment(f"doc/{stem}.{fmt.extension}", moment))
    return {"Vary": "Accept", "Content-Location": own, "Link": ", ".join(links)}


def _dated_context(request: Request, publication: Publication, stem: str,
                   description: Description, found: _Dated,
                   moment: Moment | None) -> dict[str, Any]:
    """The members (or a nation's relationships) table, the agreements and the
    suspensions, all of them or as of ``moment``."""
    kind = found.kind
    if kind is None:
        return {"dated_kind": None}
    dated = found.relationships
    shown = dated if moment is None else as_of(dated, moment)
    previous = following = None
    if moment is not None:
        before, after = neighbours(found.changes(), moment)
        previous = before.isoformat() if before else None
        following = after.isoformat() if after else None

    def at(value: str) -> str:
        return _local(request, f"doc/{stem}.html") + "?as_of=" + value

    ids = publication.settings.base_iri + "id/"
    links = {r.iri: _local(request, "doc/" + r.iri[len(ids):] + ".html")
             for r in dated if r.iri.startswith(ids)}
    title = {"organisation": "Timeline of the members of ",
             "agreement": "Timeline of the parties to ",
             "nation": "Timeline of the memberships and designations of "}[kind] + (
        publication.labels.get(description.iri) or description.iri)
    # "Today" is the data's date, so that the picture follows the data version (its ETag).
    picture = timeline_svg(dated, title, publication.last_modified.date(), links, moment)
    world = _world_map(request, publication, description, kind, dated, moment)
    return {"dated_kind": kind, "dated": shown, "moment": moment,
            "agreements": (found.agreements if moment is None
                           else in_force(found.agreements, moment)),
            "suspensions": (found.suspensions if moment is None
                            else suspensions_as_of(found.suspensions, moment)),
            "timeline": Markup(picture) if picture else None,
            "map": Markup(world[0]) if world else None,
            "map_drawn": world[1] if world else [], "map_missing": world[2] if world else [],
            "map_moment": _map_moment(publication, moment),
            "map_href": _local(request, _with_moment(f"map/{stem}.svg", moment)),
            "previous_change": previous, "next_change": following, "as_of_href": at,
            "plain_href": _local(request, f"doc/{stem}.html"),
            "as_of_action": _local(request, f"doc/{stem}.html")}


def _map_moment(publication: Publication, moment: Moment | None) -> Moment:
    """The date a map is drawn for: the view's, or else the data's date ("today")."""
    if moment is not None:
        return moment
    today = publication.last_modified.date()
    return Moment(today.isoformat(), today, today)


def _world_map(request: Request, publication: Publication, description: Description,
               kind: str, dated: list[Relationship], moment: Moment | None,
               ) -> tuple[str, list[maps.Shaded], list[maps.Shaded]] | None:
    """The world map of an organisation's members (an agreement's parties), or of a nation
    and those it shares an organisation with, at ``moment`` or today; ``None`` without the
    boundaries."""
    if not maps.available():
        return None
    at = _map_moment(publication, moment)
    label = publication.labels.get(description.iri) or description.iri
    when = f"on {at.text}" if at.is_day else f"in {at.text}"
    nation = None
    if kind == "nation":
        shaded = maps.nation_shading(publication, description.iri, label, dated, at)
        title = f"{label} and the nations it shares an organisation with, {when}"
        nation = label
    elif kind == "agreement":
        shaded = maps.organisation_shading(as_of(dated, at), "party")
        title = f"Parties to {label} {when}"
    else:
        shaded = maps.organisation_shading(as_of(dated, at))
        title = f"Members of {label} {when}"
    ids = publication.settings.base_iri + "id/"
    suffix = f"?as_of={moment.text}" if moment is not None else ""
    links = {s.iri: _local(request, "doc/" + s.iri[len(ids):] + ".html") + suffix
             for s in shaded if s.iri.startswith(ids)}
    return maps.map_svg(shaded, title, links, nation,
                        "party" if kind == "agreement" else "member")


_MAP_PARAMETERS = {"parameters": [{**_DOCUMENT_PARAMETERS["parameters"][1], "description": (
    "The map as of a day (YYYY-MM-DD) or a year (YYYY); without it, the data's date")}]}


@router.get("/map/{path:anypath}", name="map",
            summary="A world map of an organisation's members (an agreement's parties), or of "
                    "a nation and those it shares an organisation with, as of a date (SVG)",
            responses=responses(
                ok("The map: SVG drawn on the server from Natural Earth's boundaries",
                   (SVG_TYPE,)),
                NOT_MODIFIED,
                bad_request("Bad request: a path that cannot name a resource of ours, or an "
                            "as_of that is not a day or a year"),
                not_found("Not Found: the path does not end in .svg, or names nothing with "
                          "members, parties or memberships (an alliance, partnership, "
                          "organisation, agreement or nation)"),
                {503: {"description": "The server is loading its data, or the country "
                                      "boundaries were not installed (make setup)",
                       "content": content(TEXT)}}),
            openapi_extra=_MAP_PARAMETERS)
def world_map(path: PathParam, request: Request, publication: PublicationDep) -> Response:
    try:
        _check_path(request, path)
        moment = _moment(request)
    except (BadPathError, InputError) as exc:
        return _bad_request(str(exc))
    stem, dot, extension = path.rpartition(".")
    iri = publication.settings.base_iri + "id/" + stem
    description = describe(publication, iri) if dot and extension == "svg" else None
    kind = _dated_kind(description) if description is not None else None
    if description is None or kind is None:
        return PlainTextResponse(
            publication.rewriter.to_public(
                f"Not found: /map/{path} is not /map/{{path}}.svg of an alliance, partnership, "
                "organisation, agreement or nation of this dataset\n"), status_code=404)
    world = _world_map(request, publication, description, kind,
                       _dated_rows(publication, description).relationships, moment)
    if world is None:
        return PlainTextResponse("Service Unavailable: the country boundaries are not "
                                 "installed (make setup copies them)\n", status_code=503)
    body = '<?xml version="1.0" encoding="UTF-8"?>\n' + publication.rewriter.to_public(world[0])
    return Response(body, media_type=SVG_TYPE)


def _graph_document(request: Request, publication: Publication, stem: str,
                    fmt: conneg.Format, graph: GraphDescription) -> Response:
    headers = _doc_headers(request, publication, stem, fmt, 1, 1)
    body: bytes | str
    if fmt is conneg.HTML:
        rdf_type = URIRef(RDF_TYPE)
        types: dict[str, list[str]] = {}
        for t in graph.triples:
            if (t.predicate == rdf_type and isinstance(t.object, URIRef)
                    and isinstance(t.subject, URIRef)):
                types.setdefault(str(t.subject), []).append(str(t.object))
        body = render_text(
            request, publication, "resource.html", iri=graph.iri, graph=graph,
            canonical=headers["Content-Location"], graph_types=types,
            download_href=_local(request, void.graph_path(void.graph_stem(graph.iri))),
            alternates=_alternates(request, publication, stem, 1),
            sparql_href=_sparql_href(request, publication,
                                     "SELECT ?subject ?property ?value WHERE {\n"
                                     f"  GRAPH <{graph.iri}> {{ ?subject ?property ?value }}\n"
                                     "}\nLIMIT 100"),
        )
    else:
        triples = graph.triples + graph_document_triples(publication, graph, stem)
        body = serialize(triples, fmt, prefixes=document_prefixes(publication, triples),
                         jsonld_context=_jsonld_context(publication))
    return _respond(request, publication, body, fmt, headers)


def _sparql_href(request: Request, publication: Publication, query: str) -> str:
    query = publication.rewriter.to_public(query)
    return _local(request, "sparql") + "?query=" + quote(query, safe="")


def _page_context(request: Request, publication: Publication, stem: str,
                  description: Description) -> dict[str, Any]:
    """What resource.html shows: grouped properties, incoming links, sources, formats."""
    subject = URIRef(description.iri)
    rdf_type = URIRef(RDF_TYPE)
    properties: dict[str, list[Any]] = {}
    blank: dict[str, list[tuple[str, Any]]] = {}
    for t in description.outgoing:
        if t.subject == subject:
            if t.predicate != rdf_type:
                properties.setdefault(str(t.predicate), []).append(t.object)
        elif isinstance(t.subject, BNode):
            blank.setdefault(str(t.subject), []).append((str(t.predicate), t.object))
    first = ["http://www.w3.org/2000/01/rdf-schema#label",
             "http://www.w3.org/2004/02/skos/core#altLabel",
             "http://www.w3.org/2004/02/skos/core#definition"]

    def order(predicate: str) -> tuple[int, str]:
        if predicate in first:
            return (first.index(predicate), "")
        if predicate == DCT_SOURCE:
            return (len(first) + 1, "")
        return (len(first), (publication.labels.get(predicate) or predicate).lower())

    urls: dict[str, str] = {}
    for t in description.provenance:
        if (str(t.predicate) == SCHEMA_URL and isinstance(t.object, Literal)
                and isinstance(t.subject, URIRef)):
            urls[str(t.subject)] = str(t.object)
    page = description.page
    pages = [(n, _local(request, _with_page(f"doc/{stem}.html", n)))
             for n in range(1, description.pages + 1)]
    base = publication.settings.base_iri
    doc_page = base + "doc/" + stem
    item = citation.csl(publication, base, description.iri,
                        publication.labels.get(description.iri), doc_page)
    links = {name: _local(request, "cite") + "?" + urlencode({"resource": stem, "format": name})
             for name in ("csl-json", "bibtex")}
    return {
        "schema_org": citation.schema_org(publication, base, doc_page, description),
        "cite": {"bibtex": citation.bibtex(item), "links": links},
        "iri": description.iri,
        "description": description,
        "types": [str(t) for t in description.values(RDF_TYPE) if isinstance(t, URIRef)],
        "properties": [(p, properties[p]) for p in sorted(properties, key=order)],
        "blank": blank,
        "incoming": description.incoming,
        "incoming_first": (page - 1) * description.page_size + 1,
        "page_links": pages,
        "sources": [(s, urls.get(s)) for s in description.sources],
        "claims": claim_views(description),
        "source_urls": urls,
        "alternates": _alternates(request, publication, stem, page),
        "sparql_href": _sparql_href(request, publication,
                                    "SELECT ?property ?value WHERE {\n"
                                    f"  <{description.iri}> ?property ?value\n}}"),
    }


# ---------------------------------------------------------------------------
# 404


_EMPTY_BODIES = {
    "turtle": "# {message}\n",
    "nt": "# {message}\n",
    "rdfxml": ('<?xml version="1.0" encoding="UTF-8"?>\n<!-- {message} -->\n'
               '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n'),
    "jsonld": "[]\n",
}


def _not_found(request: Request, publication: Publication, iri: str, fmt: conneg.Format,
               message: str | None = None) -> Response:
    message = message or (f"Not found: no triple of this dataset has <{iri}> as its "
                          "subject or object")
    message = publication.rewriter.to_public(message)
    headers = {"Vary": "Accept", ERROR_HEADER: _header_value(message)}
    if fmt is conneg.HTML:
        return render(request, publication, "resource.html", status_code=404, headers=headers,
                      iri=iri, missing=message)
    text = _EMPTY_BODIES[fmt.name].format(message=message.replace("--", "- -"))
    return Response(text.encode("utf-8"), status_code=404, media_type=fmt.content_type,
                    headers=headers)
