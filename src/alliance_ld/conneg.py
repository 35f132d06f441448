"""Content negotiation: one table of media types, and a q-value aware Accept parser.

RDF graphs, RDF datasets and SPARQL results each have their table of formats.
Every format has a short name (what ``format=``/``output=`` takes), a media
type, the other media types clients send for it, and a file extension.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str
    extension: str
    aliases: tuple[str, ...] = field(default=())
    #: An RDF syntax (a graph or dataset format).
    rdf: bool = False
    #: A SPARQL query results format.
    results: bool = False
    text: bool = True  # gets "; charset=utf-8"

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8" if self.text else self.media_type

    def matches(self, media_type: str) -> bool:
        return media_type == self.media_type or media_type in self.aliases


TURTLE = Format("turtle", "text/turtle", "ttl", ("application/x-turtle",), rdf=True)
NTRIPLES = Format("nt", "application/n-triples", "nt", ("text/plain", "application/ntriples"),
                  rdf=True)
JSONLD = Format("jsonld", "application/ld+json", "jsonld", ("application/json-ld",),
                rdf=True)
RDFXML = Format("rdfxml", "application/rdf+xml", "rdf", ("application/xml", "text/xml"),
                rdf=True)
TRIG = Format("trig", "application/trig", "trig", ("application/x-trig",), rdf=True)
NQUADS = Format("nq", "application/n-quads", "nq", ("text/x-nquads",), rdf=True)
HTML = Format("html", "text/html", "html", ("application/xhtml+xml",))

SPARQL_JSON = Format("json", "application/sparql-results+json", "srj",
                     ("application/json",), results=True)
SPARQL_XML = Format("xml", "application/sparql-results+xml", "srx",
                    ("application/xml", "text/xml"), results=True)
SPARQL_CSV = Format("csv", "text/csv", "csv", (), results=True)
SPARQL_TSV = Format("tsv", "text/tab-separated-values", "tsv", (),
                    results=True)

#: Formats for an RDF graph (CONSTRUCT, DESCRIBE, resource descriptions), preferred first.
GRAPH_FORMATS: tuple[Format, ...] = (TURTLE, NTRIPLES, JSONLD, RDFXML, TRIG, NQUADS)
#: Formats for an RDF dataset (dumps, several graphs).
DATASET_FORMATS: tuple[Format, ...] = (TRIG, NQUADS)
#: Formats for SELECT and ASK results, preferred first.
RESULTS_FORMATS: tuple[Format, ...] = (SPARQL_JSON, SPARQL_XML, SPARQL_CSV, SPARQL_TSV)
#: Formats of a document describing a resource: HTML for people, RDF for machines.
DOCUMENT_FORMATS: tuple[Format, ...] = (HTML, TURTLE, JSONLD, RDFXML, NTRIPLES)

#: Short names that ``format=``/``output=`` takes, across all tables.
SHORT_NAMES: dict[str, str] = {
    "json": SPARQL_JSON.media_type, "srj": SPARQL_JSON.media_type,
    "xml": SPARQL_XML.media_type, "srx": SPARQL_XML.media_type,
    "csv": SPARQL_CSV.media_type, "tsv": SPARQL_TSV.media_type,
    "turtle": TURTLE.media_type, "ttl": TURTLE.media_type,
    "nt": NTRIPLES.media_type, "ntriples": NTRIPLES.media_type, "n-triples": NTRIPLES.media_type,
    "jsonld": JSONLD.media_type, "json-ld": JSONLD.media_type,
    "rdfxml": RDFXML.media_type, "rdf": RDFXML.media_type, "rdf+xml": RDFXML.media_type,
    "trig": TRIG.media_type, "nq": NQUADS.media_type, "nquads": NQUADS.media_type,
    "html": HTML.media_type, "n3": TURTLE.media_type,  # Turtle is N3 (what SPARQLWrapper asks)
}
#: Short names that mean another format for a graph (CONSTRUCT/DESCRIBE) than for results.
GRAPH_SHORT_NAMES: dict[str, str] = {"json": JSONLD.media_type, "xml": RDFXML.media_type}


@dataclass(frozen=True)
class MediaRange:
    type: str  # e.g. "text", or "*"
    subtype: str
    q: float
    order: int

    @property
    def specificity(self) -> int:
        return (self.type != "*") + (self.subtype != "*")

    def covers(self, media_type: str) -> bool:
        main, _, sub = media_type.partition("/")
        return (self.type in ("*", main)) and (self.subtype in ("*", sub))


def parse_accept(header: str | None) -> list[MediaRange]:
    """Parse an Accept header into media ranges; malformed parts are skipped."""
    if not header or not header.strip():
        return [MediaRange("*", "*", 1.0, 0)]
    ranges = []
    for order, part in enumerate(header.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if "/" not in media:
            if media == "*":
                media = "*/*"
            else:
                continue
        main, _, sub = media.partition("/")
        if not main or not sub or (main == "*" and sub != "*"):
            continue  # "text/", "/plain", "*/json": not a media range
        q: float | None = 1.0
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value.strip())))
                except ValueError:
                    q = None  # a malformed q-value: skip the whole part
                break  # what follows q are accept-extensions
        if q is not None:
            ranges.append(MediaRange(main, sub, q, order))
    return ranges


def _quality(ranges: Sequence[MediaRange], fmt: Format) -> tuple[float, int, int]:
    """The q-value the client gives ``fmt`` (by its most specific matching range)."""
    best: MediaRange | None = None
    for candidate in (fmt.media_type, *fmt.aliases):
        for r in ranges:
            # An alias counts only when named exactly: "text/*" must not select
            # N-Triples (alias text/plain), which we send as application/n-triples.
            if candidate != fmt.media_type and r.specificity < 2:
                continue
            if r.covers(candidate) and (best is None or r.specificity > best.specificity
                                        or (r.specificity == best.specificity and r.q > best.q)):
                best = r
    if best is None:
        return (0.0, 0, 0)
    return (best.q, best.specificity, -best.order)


def negotiate(accept: str | None, formats: Sequence[Format]) -> Format | None:
    """The format the client prefers most among ``formats``.

    Ties (same q-value, equally specific range) go to the range the client lists
    first, then to our order.

    ``None`` when the client accepts none of them (a 406).
    """
    ranges = parse_accept(accept)
    best: Format | None = None
    best_key = (0.0, 0, 0, 0)
    for position, fmt in enumerate(formats):
        q, specificity, order = _quality(ranges, fmt)
        if q <= 0:
            continue
        # Prefer higher q; between equal q, an explicitly named type over a wildcard;
        # then the earlier entry in the client's header; then our own order.
        key = (q, specificity, order, -position)
        if best is None or key > best_key:
            best, best_key = fmt, key
    return best


def negotiate_graph(accept: str | None,
                    formats: Sequence[Format] = GRAPH_FORMATS) -> Format | None:
    """The format for a graph (CONSTRUCT, DESCRIBE): :func:`negotiate`, then one fallback.

    A client whose Accept lists only XML types and none of ``formats`` gets RDF/XML,
    the graph in XML, rather than a 406. rasqal's ``roqet -p`` is one: it sends
    ``Accept: application/sparql-results+xml`` whatever the query form. A client
    that names an RDF syntax, or anything not XML, is negotiated as usual.
    """
    chosen = negotiate(accept, formats)
    if chosen is None and RDFXML in formats and _only_xml(parse_accept(accept)):
        return RDFXML
    return chosen


def _only_xml(ranges: Sequence[MediaRange]) -> bool:
    """Whether every range the client accepts (q > 0) is an XML type (``…/xml``, ``…+xml``)."""
    accepted = [r for r in ranges if r.q > 0]
    return bool(accepted) and all(
        r.type != "*" and (r.subtype == "xml" or r.subtype.endswith("+xml")) for r in accepted)


def by_override(values: Sequence[str], formats: Sequence[Format]) -> Format | None:
    """The first of ``format=``/``output=`` values (short names or media types) we understand.

    ``json`` and ``xml`` mean SPARQL results for SELECT/ASK and JSON-LD and RDF/XML
    for a graph, as SPARQLWrapper uses them.
    """
    for value in values:
        token = value.strip().lower()
        if not token:
            continue
        candidates = [SHORT_NAMES.get(token, token.split(";")[0].strip())]
        if token in GRAPH_SHORT_NAMES:
            candidates.append(GRAPH_SHORT_NAMES[token])
        for media in candidates:
            for fmt in formats:
                if fmt.matches(media):
                    return fmt
    return None


def by_extension(extension: str, formats: Sequence[Format]) -> Format | None:
    for fmt in formats:
        if fmt.extension == extension:
            return fmt
    return None
