"""Content negotiation: tricky Accept headers, and the format=/output= override."""

from __future__ import annotations

import pytest

from alliance_ld import conneg
from alliance_ld.conneg import (
    DOCUMENT_FORMATS,
    GRAPH_FORMATS,
    HTML,
    JSONLD,
    NTRIPLES,
    RDFXML,
    RESULTS_FORMATS,
    SPARQL_CSV,
    SPARQL_JSON,
    SPARQL_TSV,
    SPARQL_XML,
    TURTLE,
    Format,
    by_override,
    negotiate,
    parse_accept,
)

FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CHROME = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
          "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7")
SAFARI = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CURL = "*/*"
JAVA = "text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2"
# What SPARQLWrapper 2.0 sends for each return format (Wrapper._getAcceptHeader).
SW_JSON = ("application/sparql-results+json,application/json,text/javascript,"
           "application/javascript")
SW_XML = "application/sparql-results+xml"
SW_CSV = "text/csv"
SW_TSV = "text/tab-separated-values"
SW_TURTLE = "application/turtle,text/turtle"
SW_N3 = ("application/turtle,text/turtle,text/rdf+n3,application/n-triples,application/n3,"
         "text/n3")
SW_RDFXML = "application/rdf+xml"
SW_JSONLD = "application/ld+json,application/x-json+ld"
# rdflib's SPARQLStore / SPARQLConnector default for SELECT (application/sparql-results+xml)
RDFLIB_SPARQLSTORE = "application/sparql-results+xml"
# roqet -p (rasqal's SPARQL protocol client) for bindings.
ROQET = "application/sparql-results+xml"
# raptor's rapper -i guess: RDF formats with q-values.
RAPPER = ("application/rdf+xml,text/turtle;q=0.9,application/n-triples;q=0.8,"
          "text/html;q=0.5,*/*;q=0.1")

CASES: list[tuple[str, str | None, tuple[Format, ...], Format | None]] = [
    # id, Accept, formats offered, expected
    ("absent", None, RESULTS_FORMATS, SPARQL_JSON),
    ("empty", "", RESULTS_FORMATS, SPARQL_JSON),
    ("blank", "   ", GRAPH_FORMATS, TURTLE),
    ("star-star", "*/*", GRAPH_FORMATS, TURTLE),
    ("bare-star", "*", RESULTS_FORMATS, SPARQL_JSON),
    ("exact", "text/csv", RESULTS_FORMATS, SPARQL_CSV),
    ("case-insensitive", "Application/SPARQL-Results+XML", RESULTS_FORMATS, SPARQL_XML),
    ("spaces", "  text/tab-separated-values ;  q=0.5 ", RESULTS_FORMATS, SPARQL_TSV),
    ("q-order", "application/sparql-results+xml;q=0.5, text/csv;q=0.9", RESULTS_FORMATS,
     SPARQL_CSV),
    ("q-zero-excludes", "text/turtle;q=0, */*", GRAPH_FORMATS, NTRIPLES),
    ("q-zero-decimal", "text/turtle;q=0.000, */*;q=0.1", GRAPH_FORMATS, NTRIPLES),
    ("q-zero-only", "text/turtle;q=0", GRAPH_FORMATS, None),
    ("all-excluded", "*/*;q=0", RESULTS_FORMATS, None),
    ("unavailable", "image/png", RESULTS_FORMATS, None),
    ("unavailable-graph", "application/sparql-results+json", GRAPH_FORMATS, None),
    ("wildcard-type", "text/*", RESULTS_FORMATS, SPARQL_CSV),
    ("specific-beats-wildcard", "text/*;q=0.9, text/csv;q=0.1", RESULTS_FORMATS, SPARQL_TSV),
    ("specific-exclusion-in-wildcard", "text/*, text/csv;q=0", RESULTS_FORMATS, SPARQL_TSV),
    ("wildcard-lower-than-specific", "*/*;q=0.1, application/rdf+xml", GRAPH_FORMATS, RDFXML),
    # Aliases count when named exactly, never through a wildcard: "text/*" must not
    # give N-Triples (alias text/plain), which is sent as application/n-triples.
    ("alias-exact", "text/plain", GRAPH_FORMATS, NTRIPLES),
    ("alias-not-by-wildcard", "text/*;q=0.9, application/n-triples;q=0.1", GRAPH_FORMATS,
     TURTLE),
    ("alias-not-by-wildcard-only", "text/*, text/turtle;q=0", GRAPH_FORMATS, None),
    ("alias-json", "application/json", RESULTS_FORMATS, SPARQL_JSON),
    ("alias-xml-results", "application/xml", RESULTS_FORMATS, SPARQL_XML),
    ("alias-xml-graph", "application/xml", GRAPH_FORMATS, RDFXML),
    # Ties: same q, equally specific: the client's first; then our order.
    ("tie-client-order", "application/ld+json, text/turtle", GRAPH_FORMATS, JSONLD),
    ("tie-client-order-2", "text/turtle, application/ld+json", GRAPH_FORMATS, TURTLE),
    ("tie-wildcards-our-order", "application/*", GRAPH_FORMATS, NTRIPLES),
    # Malformed parts are skipped, the rest still counts.
    ("malformed-no-slash", "turtle, application/rdf+xml;q=0.5", GRAPH_FORMATS, RDFXML),
    ("malformed-q", "text/turtle;q=high, application/rdf+xml;q=0.5", GRAPH_FORMATS, RDFXML),
    ("malformed-q-with-wildcard", "text/turtle;q=x, */*;q=0.5", GRAPH_FORMATS, TURTLE),
    ("malformed-star-subtype", "*/json, text/csv;q=0.1", RESULTS_FORMATS, SPARQL_CSV),
    ("malformed-empty-parts", ",,text/csv,,", RESULTS_FORMATS, SPARQL_CSV),
    ("malformed-half", "text/, /csv", RESULTS_FORMATS, None),
    ("q-above-one-clamped", "text/csv;q=2, application/sparql-results+xml", RESULTS_FORMATS,
     SPARQL_CSV),
    ("q-short", "text/csv;q=.5, text/tab-separated-values;q=.7", RESULTS_FORMATS, SPARQL_TSV),
    ("media-params-ignored", "application/sparql-results+json; charset=utf-8",
     RESULTS_FORMATS, SPARQL_JSON),
    ("accept-extension-after-q", "text/csv;q=0.4;level=1, text/tab-separated-values;q=0.3",
     RESULTS_FORMATS, SPARQL_CSV),
    # Browsers and tools, as they send it.
    ("firefox-page", FIREFOX, DOCUMENT_FORMATS, HTML),
    ("chrome-page", CHROME, DOCUMENT_FORMATS, HTML),
    ("safari-page", SAFARI, DOCUMENT_FORMATS, HTML),
    ("firefox-results", FIREFOX, RESULTS_FORMATS, SPARQL_XML),
    ("firefox-graph", FIREFOX, GRAPH_FORMATS, RDFXML),
    ("curl-page", CURL, DOCUMENT_FORMATS, HTML),
    ("java-default", JAVA, RESULTS_FORMATS, SPARQL_JSON),
    ("rapper-graph", RAPPER, GRAPH_FORMATS, RDFXML),
    ("rapper-page", RAPPER, DOCUMENT_FORMATS, RDFXML),
    ("sparqlwrapper-json", SW_JSON, RESULTS_FORMATS, SPARQL_JSON),
    ("sparqlwrapper-xml", SW_XML, RESULTS_FORMATS, SPARQL_XML),
    ("sparqlwrapper-csv", SW_CSV, RESULTS_FORMATS, SPARQL_CSV),
    ("sparqlwrapper-tsv", SW_TSV, RESULTS_FORMATS, SPARQL_TSV),
    ("sparqlwrapper-turtle", SW_TURTLE, GRAPH_FORMATS, TURTLE),
    ("sparqlwrapper-n3", SW_N3, GRAPH_FORMATS, TURTLE),
    ("sparqlwrapper-rdfxml", SW_RDFXML, GRAPH_FORMATS, RDFXML),
    ("sparqlwrapper-jsonld", SW_JSONLD, GRAPH_FORMATS, JSONLD),
    ("rdflib-sparqlstore", RDFLIB_SPARQLSTORE, RESULTS_FORMATS, SPARQL_XML),
    ("roqet", ROQET, RESULTS_FORMATS, SPARQL_XML),
]


@pytest.mark.parametrize(("accept", "formats", "expected"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_negotiate(accept: str | None, formats: tuple[Format, ...],
                   expected: Format | None) -> None:
    assert negotiate(accept, formats) is expected


@pytest.mark.parametrize(("accept", "expected"), [
    (ROQET, RDFXML),  # roqet -p, whatever the query form
    ("application/sparql-results+xml, text/xml;q=0.5", RDFXML),
    ("application/xml", RDFXML),  # RDF/XML's own alias, negotiated as usual
    ("text/turtle, application/sparql-results+xml", TURTLE),  # an RDF syntax named: it wins
    ("application/sparql-results+json", None),  # not XML: still 406
    ("application/sparql-results+xml, text/csv", None),  # not only XML
    ("application/sparql-results+xml;q=0", None),
    ("*/*;q=0", None),
    (None, TURTLE),
], ids=["roqet", "xml-types", "xml-alias", "rdf-named", "json-only", "xml-and-csv",
        "xml-refused", "nothing", "absent"])
def test_negotiate_graph_answers_an_xml_only_client_with_rdf_xml(
        accept: str | None, expected: Format | None) -> None:
    assert conneg.negotiate_graph(accept) is expected


def test_parse_accept_reads_q_values_and_skips_malformed_parts() -> None:
    ranges = parse_accept("text/turtle;q=0.5, bogus, */json, application/ld+json;q=x, */*;q=0")
    assert [(r.type, r.subtype, r.q) for r in ranges] == [
        ("text", "turtle", 0.5), ("*", "*", 0.0)]


OVERRIDES: list[tuple[str, list[str], tuple[Format, ...], Format | None]] = [
    ("short-json", ["json"], RESULTS_FORMATS, SPARQL_JSON),
    ("short-xml", ["xml"], RESULTS_FORMATS, SPARQL_XML),
    ("short-csv", ["csv"], RESULTS_FORMATS, SPARQL_CSV),
    ("short-tsv", ["tsv"], RESULTS_FORMATS, SPARQL_TSV),
    ("short-turtle", ["turtle"], GRAPH_FORMATS, TURTLE),
    ("short-nt", ["nt"], GRAPH_FORMATS, NTRIPLES),
    ("short-jsonld", ["jsonld"], GRAPH_FORMATS, JSONLD),
    ("short-rdfxml", ["rdfxml"], GRAPH_FORMATS, RDFXML),
    ("media-type", ["text/csv"], RESULTS_FORMATS, SPARQL_CSV),
    ("media-type-with-params", ["text/turtle; charset=utf-8"], GRAPH_FORMATS, TURTLE),
    ("case", ["JSON"], RESULTS_FORMATS, SPARQL_JSON),
    # For a graph, json and xml mean JSON-LD and RDF/XML (as SPARQLWrapper uses them).
    ("json-for-graph", ["json"], GRAPH_FORMATS, JSONLD),
    ("xml-for-graph", ["xml"], GRAPH_FORMATS, RDFXML),
    ("n3-is-turtle", ["n3"], GRAPH_FORMATS, TURTLE),
    # Repeated values: the first understood wins.
    ("first-understood", ["bogus", "", "tsv", "csv"], RESULTS_FORMATS, SPARQL_TSV),
    ("sparqlwrapper-tsv", ["tsv", "text/tab-separated-values"], RESULTS_FORMATS, SPARQL_TSV),
    ("sparqlwrapper-jsonld", ["json-ld", "application/ld+json"], GRAPH_FORMATS, JSONLD),
    ("sparqlwrapper-rdfxml", ["rdf+xml", "application/rdf+xml"], GRAPH_FORMATS, RDFXML),
    ("wrong-table-skipped", ["csv", "turtle"], GRAPH_FORMATS, TURTLE),
    ("none-understood", ["bogus", "image/png"], RESULTS_FORMATS, None),
    ("empty", [], RESULTS_FORMATS, None),
]


@pytest.mark.parametrize(("values", "formats", "expected"),
                         [case[1:] for case in OVERRIDES], ids=[case[0] for case in OVERRIDES])
def test_by_override(values: list[str], formats: tuple[Format, ...],
                     expected: Format | None) -> None:
    assert by_override(values, formats) is expected


@pytest.mark.parametrize("fmt", [*RESULTS_FORMATS, *GRAPH_FORMATS, HTML],
                         ids=lambda f: f.name)
def test_text_formats_declare_utf8(fmt: Format) -> None:
    assert fmt.content_type == f"{fmt.media_type}; charset=utf-8"


def test_every_short_name_resolves_to_a_known_format() -> None:
    known = {f.media_type for f in (*RESULTS_FORMATS, *GRAPH_FORMATS, *DOCUMENT_FORMATS)}
    assert set(conneg.SHORT_NAMES.values()) <= known
    assert set(conneg.GRAPH_SHORT_NAMES.values()) <= known
