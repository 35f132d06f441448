"""Server-rendered HTML: the Jinja2 environment and the helpers every page uses.

Templates live in ``templates/`` and extend ``base.html``. Render them with
:func:`render`, which supplies the request-dependent context (the path prefix
behind a reverse proxy, the publication) and rewrites the canonical base to
the public URL once, over the whole page.

Helpers available in every template (all take IRIs as ``str`` or RDF terms of
rdflib):

``label(iri)``
    the resource's label, else a prefixed name (``ald:Alliance``), else the IRI.
``href(iri)``
    where a link to it points: our own page (``/id/…``, ``/ontology#…``,
    relative to this server and its path prefix) for IRIs under the canonical
    base, the IRI itself otherwise; ``""`` when no link may be made to it.
``link(iri, text=None, css=None)``
    an ``<a>`` with the label (or ``text``) as text and the IRI as ``title``;
    plain text (a ``<span class="iri unlinked">``) for an IRI that may not be
    linked. Templates make every link to data through it.
``term(t)``
    any RDF term as HTML: IRIs as :func:`link`, literals with their language
    (``lang=``) or datatype, ``xsd:anyURI`` literals as links when they may be,
    blank nodes as ``_:id``.

Links are made only to ``http:``, ``https:`` and relative IRIs
(:func:`is_safe_link`): an IRI or ``xsd:anyURI`` value with any other scheme
(``javascript:``, ``data:``, ``vbscript:``, …) is shown as text, so that no data
and no query result can put a script behind a link.
``curie(iri)``
    a prefixed name when a known prefix fits, else the IRI.
``url(path)``
    a local path (``"/sparql"``) with the path prefix in front.
``is_blank(t)``, ``blank_id(t)``
    whether a term is a blank node, and its identifier.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import rdflib
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup

from .publication import PREFIXES, Publication

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
SITE_NAME = "alliance-ld"
DATA_LICENCE = ("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/")
CODE_LICENCE = ("MIT", "https://opensource.org/licenses/MIT")

#: The only schemes we make links with (besides relative references).
LINK_SCHEMES = frozenset({"http", "https"})
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f]")

Term = str | rdflib.term.Node


@dataclass(frozen=True)
class Alternate:
    """Another representation of the page: a ``<link rel="alternate">`` and a footer link."""

    href: str
    media_type: str
    title: str


def root_path(request: Request) -> str:
    """The path prefix this app is served under ("" or "/prefix", no trailing slash)."""
    root: str = request.scope.get("root_path", "") or ""
    return root.rstrip("/")


def local_url(request: Request, path: str) -> str:
    """A server-relative URL for a local path, with the reverse proxy's prefix."""
    return root_path(request) + "/" + path.lstrip("/")


def _iri_of(value: Term) -> str | None:
    if isinstance(value, str) and not isinstance(value, rdflib.term.Node):
        return value
    if isinstance(value, rdflib.URIRef):
        return str(value)
    return None


def curie(iri: str) -> str:
    """``ald:Alliance`` for a known namespace, else the IRI itself."""
    best = ""
    best_prefix = ""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(best):
            best, best_prefix = namespace, prefix
    local = iri[len(best):] if best else ""
    if best and local and all(c.isalnum() or c in "_-." for c in local):
        return f"{best_prefix}:{local}"
    return iri


def _publication(context: Context) -> Publication:
    publication: Publication = context["publication"]
    return publication


#: Labels of common vocabulary terms the publication does not label itself.
VOCABULARY_LABELS: dict[str, str] = {
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": "type",
    "http://www.w3.org/2000/01/rdf-schema#label": "label",
    "http://www.w3.org/2000/01/rdf-schema#comment": "comment",
    "http://www.w3.org/2000/01/rdf-schema#seeAlso": "see also",
    "http://www.w3.org/2004/02/skos/core#prefLabel": "preferred label",
    "http://www.w3.org/2004/02/skos/core#altLabel": "alternative label",
    "http://www.w3.org/2004/02/skos/core#definition": "definition",
    "http://www.w3.org/2004/02/skos/core#inScheme": "in scheme",
    "http://www.w3.org/2004/02/skos/core#broader": "broader",
    "http://www.w3.org/2004/02/skos/core#narrower": "narrower",
    "http://purl.org/dc/terms/source": "source",
    "http://purl.org/dc/terms/description": "description",
    "http://purl.org/dc/terms/identifier": "identifier",
    "http://purl.org/dc/terms/references": "references",
    "http://purl.org/dc/terms/title": "title",
    "http://purl.org/dc/terms/date": "date",
    "http://purl.org/dc/terms/license": "licence",
    "http://www.w3.org/ns/org#member": "member",
    "http://www.w3.org/ns/org#organization": "organization",
    "https://schema.org/url": "web address",
    "http://www.w3.org/2002/07/owl#sameAs": "same as",
    "http://www.w3.org/2002/07/owl#Class": "OWL class",
}


def _label(publication: Publication, iri: str) -> str:
    found = publication.labels.get(iri) or VOCABULARY_LABELS.get(iri)
    if found:
        return found
    return curie(iri)


def is_safe_link(target: str) -> bool:
    """Whether a link to ``target`` can be made: an ``http(s):`` or a relative reference.

    Read as a browser reads an ``href``: it drops tabs, newlines and surrounding
    spaces and controls first (``java\tscript:`` is ``javascript:``), so any
    whitespace or control character makes a target unsafe (no IRI has one); and a
    scheme is letters, digits, ``+``, ``-`` and ``.`` after an initial letter,
    case-insensitive, before the first ``:``.
    """
    if _CONTROL_OR_SPACE.search(target):
        return False
    scheme = _SCHEME.match(target)
    return scheme is None or scheme.group(1).lower() in LINK_SCHEMES


def _href(publication: Publication, root: str, iri: str) -> str | None:
    """Where a link to ``iri`` points, or None when no link may be made to it."""
    base = publication.settings.base_iri
    if iri.startswith(base):
        return root + "/" + iri[len(base):]
    return iri if is_safe_link(iri) else None


@pass_context
def label_helper(context: Context, value: Term) -> str:
    iri = _iri_of(value)
    if iri is None:
        return str(value)
    return _label(_publication(context), iri)


@pass_context
def href_helper(context: Context, value: Term) -> str:
    iri = _iri_of(value)
    if iri is None:
        return ""
    return _href(_publication(context), context["root"], iri) or ""


@pass_context
def link_helper(context: Context, value: Term, text: str | None = None,
                css: str | None = None) -> Markup:
    iri = _iri_of(value)
    if iri is None:
        return term_helper(context, value)
    publication = _publication(context)
    shown = text if text is not None else _label(publication, iri)
    target = _href(publication, context["root"], iri)
    if target is None:
        return Markup('<span class="{}" title="{}">{}</span>').format(
            " ".join(filter(None, (css, "iri unlinked"))), iri, shown)
    if css:
        return Markup('<a class="{}" href="{}" title="{}">{}</a>').format(css, target, iri, shown)
    return Markup('<a href="{}" title="{}">{}</a>').format(target, iri, shown)


@pass_context
def term_helper(context: Context, value: Term) -> Markup:
    """Any RDF term as HTML."""
    iri = _iri_of(value)
    if iri is not None:
        return link_helper(context, iri)
    if isinstance(value, rdflib.BNode):
        return Markup('<span class="bnode">_:{}</span>').format(str(value))
    if isinstance(value, rdflib.Literal):
        text = str(value)
        language = value.language
        datatype = str(value.datatype) if value.datatype else XSD_STRING
    else:
        return Markup("{}").format(str(value))
    if language:
        return Markup('<span class="literal" lang="{}">{}</span>'
                      ' <span class="lang">@{}</span>').format(language, text, language)
    if datatype == "http://www.w3.org/2001/XMLSchema#anyURI" and is_safe_link(text):
        return Markup('<a class="literal" href="{}">{}</a>').format(text, text)
    if datatype in (XSD_STRING, RDF_LANG_STRING):
        return Markup('<span class="literal">{}</span>').format(text)
    return Markup('<span class="literal">{}</span> <span class="datatype">'
                  '(<abbr title="{}">{}</abbr>)</span>').format(text, datatype, curie(datatype))


def is_blank(value: object) -> bool:
    """Whether ``value`` is a blank node."""
    return isinstance(value, rdflib.BNode)


def blank_id(value: object) -> str:
    """The identifier of a blank node ("" for anything else)."""
    if isinstance(value, rdflib.BNode):
        return str(value)
    return ""


@pass_context
def url_helper(context: Context, path: str) -> str:
    root: str = context["root"]
    return root + "/" + path.lstrip("/")


def script_json(value: object) -> Markup:
    """JSON safe inside ``<script type="application/…json">`` (no ``</script>``, no ``<!--``)."""
    text = json.dumps(value, ensure_ascii=False, indent=1)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def _create_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(("html", "xml"), default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        label=label_helper, href=href_helper, link=link_helper, term=term_helper,
        url=url_helper, curie=curie, is_blank=is_blank, blank_id=blank_id, site_name=SITE_NAME,
        data_licence=DATA_LICENCE, code_licence=CODE_LICENCE,
    )
    env.filters["script_json"] = script_json
    return env


#: The one Jinja2 environment of the server.
environment = _create_environment()


def render_text(request: Request, publication: Publication, template: str,
                **context: Any) -> str:
    """Render ``template`` with the common context; the result is rewritten to the public URL."""
    page = environment.get_template(template).render(
        request=request,
        publication=publication,
        root=root_path(request),
        alternates=context.pop("alternates", ()),
        **context,
    )
    return publication.rewriter.to_public(page)


def render(request: Request, publication: Publication, template: str, *,
           status_code: int = 200, headers: Mapping[str, str] | None = None,
           alternates: Sequence[Alternate] = (), **context: Any) -> HTMLResponse:
    """An HTML response of ``template`` (``text/html; charset=utf-8``)."""
    body = render_text(request, publication, template, alternates=list(alternates), **context)
    return HTMLResponse(body, status_code=status_code, headers=dict(headers or {}))


#: The site's icon (``<link rel="icon">`` on every page; ``/favicon.ico`` redirects to it).
FAVICON_PATH = "/static/favicon.svg"

__all__ = [
    "FAVICON_PATH", "Alternate", "environment", "render", "render_text", "curie", "is_safe_link",
    "local_url", "root_path",
]
