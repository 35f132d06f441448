"""The query editor page for browsers: YASGUI, served from our own static files.

``GET /sparql`` answers a browser (HTML preferred in ``Accept``, or ``format=html``)
with this page instead of the service description or raw results. The page has

* YASGUI (``@zazuko/yasgui``, built into ``static/vendor/yasgui/`` by
  ``scripts/build-frontend.sh``) pointed at this endpoint, configured by
  ``static/editor.js`` so that it never contacts another server;
* a plain HTML form (textarea, format, submit) that works without JavaScript and
  without the YASGUI files; with ``format=html`` its results come back rendered
  on this page as a table;
* the example queries of ``queries/cq*.rq`` (name and question from their header
  comment), each a link that opens it here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from rdflib.term import BNode, Literal, URIRef

from ... import conneg
from ...backend import QueryOutcome
from ...backend.writers import read
from ...named_queries import NamedQuery, load_queries
from ...publication import PREFIXES, Publication
from ...resources import QUERIES_DIR
from ...templating import local_url, render

STATIC_DIR = Path(__file__).resolve().parent.parent.parent / "static"
#: Where ``scripts/build-frontend.sh`` copies the YASGUI bundle (generated, not committed).
VENDOR_DIR = STATIC_DIR / "vendor" / "yasgui"
VENDOR_FILES = ("yasgui.min.js", "yasgui.min.css")
BUILD_COMMAND = "scripts/build-frontend.sh"

OWL = "http://www.w3.org/2002/07/owl#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
CLASS_TYPES = frozenset({OWL + "Class", RDFS + "Class"})
PROPERTY_TYPES = frozenset({OWL + "ObjectProperty", OWL + "DatatypeProperty",
                            OWL + "AnnotationProperty", RDF + "Property"})

DEFAULT_QUERY = """\
PREFIX ald:  <https://w3id.org/alliance-ld/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

# The alliances in the dataset, with their labels.
SELECT ?alliance ?label
WHERE {
  ?alliance a ald:Alliance ;
      rdfs:label ?label .
  FILTER (langMatches(lang(?label), "en"))
}
ORDER BY ?label
"""

_HEADER = re.compile(r"^#\s*(?P<code>[\w-]+)\s*:\s*(?P<question>.+?)\s*$")


@dataclass(frozen=True)
class ExampleQuery:
    """A competency question from ``queries/``."""

    name: str  # the file's stem, e.g. "cq01-norad-members"
    code: str  # "cq01"
    question: str  # "Which nations are members of NORAD?"
    description: str  # the rest of the header comment
    text: str  # the whole query


def parse_example(path: Path) -> ExampleQuery:
    """Read a ``.rq`` file whose header comment starts ``# cqNN: question``."""
    text = path.read_text(encoding="utf-8")
    comments: list[str] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        comments.append(line)
    first = _HEADER.match(comments[0]) if comments else None
    code = first.group("code") if first else path.stem.split("-")[0]
    question = first.group("question") if first else path.stem
    description = " ".join(c.lstrip("#").strip() for c in comments[1:]).strip()
    return ExampleQuery(path.stem, code, question, description, text)


@lru_cache(maxsize=4)
def example_queries(folder: Path = QUERIES_DIR) -> tuple[ExampleQuery, ...]:
    """The competency-question queries (``cq*.rq``), in file-name order."""
    if not folder.is_dir():
        return ()
    return tuple(parse_example(p) for p in sorted(folder.glob("cq*.rq")))


@lru_cache(maxsize=4)
def parameterised_queries(folder: Path = QUERIES_DIR) -> tuple[NamedQuery, ...]:
    """The named queries with parameters, listed on the page (they need values to run)."""
    return tuple(q for q in load_queries(folder).values() if q.parameters)


def vendor_available(folder: Path | None = None) -> bool:
    """Whether the YASGUI bundle has been built (checked per request: building needs no restart)."""
    folder = folder or VENDOR_DIR
    return all((folder / name).is_file() for name in VENDOR_FILES)


def vendor_version(folder: Path | None = None) -> str | None:
    try:
        return ((folder or VENDOR_DIR) / "VERSION").read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def prefers_html(accept: str | None, overrides: Sequence[str],
                 formats: Sequence[conneg.Format]) -> bool:
    """Whether a query request wants this page rather than raw results.

    Decided exactly as the endpoint picks a result format (a ``format=``/``output=``
    override first, then ``Accept``), with HTML offered last: a ``*/*`` or missing
    ``Accept`` still gets a machine format, a browser's ``text/html`` gets the page.
    """
    choices = (*formats, conneg.HTML)
    chosen = conneg.by_override(overrides, choices) if overrides else None
    if chosen is None:
        chosen = conneg.negotiate(accept, choices)
    return chosen is conneg.HTML


# ---------------------------------------------------------------------------
# Results rendered on the page (for the form without JavaScript)

Cell = URIRef | BNode | Literal | None


@dataclass(frozen=True)
class ResultView:
    kind: str  # "solutions", "boolean" or "graph"
    variables: list[str]
    rows: list[list[Cell]]
    boolean: bool | None
    truncated: bool


def _json_cell(binding: dict[str, str] | None) -> Cell:
    if binding is None:
        return None
    kind, value = binding.get("type"), binding.get("value", "")
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    language = binding.get("xml:lang")
    if language:
        return Literal(value, lang=language)
    datatype = binding.get("datatype")
    if datatype:
        return Literal(value, datatype=URIRef(datatype), normalize=False)
    return Literal(value)


def result_view(outcome: QueryOutcome) -> ResultView:
    """Parse an outcome executed as SPARQL JSON (SELECT/ASK) or N-Triples (CONSTRUCT/DESCRIBE)."""
    if outcome.kind == "graph":
        rows: list[list[Cell]] = [list(triple)
                                  for triple in read(outcome.body, "application/n-triples")]
        return ResultView("graph", ["subject", "predicate", "object"], rows, None,
                          outcome.truncated)
    data = json.loads(outcome.body)
    if "boolean" in data:
        return ResultView("boolean", [], [], bool(data["boolean"]), False)
    variables = list(data.get("head", {}).get("vars", []))
    rows = [[_json_cell(b.get(v)) for v in variables]
            for b in data.get("results", {}).get("bindings", [])]
    return ResultView("solutions", variables, rows, None, outcome.truncated)


# ---------------------------------------------------------------------------
# The page


def _script_json(value: object) -> Markup:
    """JSON safe inside ``<script type="application/json">`` (no ``</script>``, no ``<!--``)."""
    text = json.dumps(value, ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def _vocabulary(publication: Publication) -> tuple[list[str], list[str]]:
    def typed(kinds: frozenset[str]) -> list[str]:
        values = " ".join(f"<{kind}>" for kind in sorted(kinds))
        return sorted({str(row["s"]) for row in publication.backend.select(
            f"SELECT DISTINCT ?s WHERE {{ VALUES ?t {{ {values} }} ?s a ?t FILTER(isIRI(?s)) }}",
            default_graphs=publication.document_graphs)})

    return typed(CLASS_TYPES), typed(PROPERTY_TYPES)


def editor_page(request: Request, publication: Publication, query: str | None = None, *,
                outcome: QueryOutcome | None = None, error: str | None = None,
                status_code: int = 200) -> HTMLResponse:
    """The query editor, optionally pre-filled with ``query`` and showing its result or error."""
    endpoint_path = local_url(request, "/sparql")
    public = publication.settings.public_url
    endpoint_shown = public + "sparql" if public else str(request.url_for("sparql_get"))
    examples = example_queries()
    classes, properties = _vocabulary(publication)
    config = {
        "endpoint": endpoint_path,
        "query": query,
        "defaultQuery": DEFAULT_QUERY,
        "prefixes": PREFIXES,
        "classes": classes,
        "properties": properties,
        "examples": [{"name": e.name, "code": e.code, "question": e.question, "query": e.text}
                     for e in examples],
    }
    example_links = {e.name: endpoint_path + "?" + urlencode({"query": e.text})
                     for e in examples}
    yasgui = vendor_available()
    return render(
        request, publication, "editor.html",
        status_code=status_code,
        # Without the editor's bundle the page says how to build it; once built (no
        # restart needed) the next request must see the editor, so that page is not kept.
        headers={"Vary": "Accept", **({} if yasgui else {"Cache-Control": "no-store"})},
        yasgui=yasgui,
        yasgui_version=vendor_version(),
        build_command=BUILD_COMMAND,
        endpoint_path=endpoint_path,
        endpoint_shown=endpoint_shown,
        query=query if query is not None else DEFAULT_QUERY,
        prefilled=query is not None,
        examples=examples,
        example_links=example_links,
        asked=parameterised_queries(publication.settings.queries or QUERIES_DIR),
        asked_link=lambda name: local_url(request, "/queries") + "#" + name,
        result=result_view(outcome) if outcome is not None else None,
        error=error,
        max_rows=publication.settings.max_rows,
        config_json=_script_json(config),
        result_formats=RESULT_FORMAT_CHOICES,
    )


#: The fallback form's format menu: (value of ``format=``, label).
RESULT_FORMAT_CHOICES: tuple[tuple[str, str], ...] = (
    ("html", "Table on this page"),
    ("json", "SPARQL JSON (SELECT, ASK)"),
    ("xml", "SPARQL XML (SELECT, ASK)"),
    ("csv", "CSV (SELECT)"),
    ("tsv", "TSV (SELECT)"),
    ("turtle", "Turtle (CONSTRUCT, DESCRIBE)"),
    ("nt", "N-Triples (CONSTRUCT, DESCRIBE)"),
    ("jsonld", "JSON-LD (CONSTRUCT, DESCRIBE)"),
    ("rdfxml", "RDF/XML (CONSTRUCT, DESCRIBE)"),
)
