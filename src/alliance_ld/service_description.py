"""The SPARQL 1.1 Service Description of the endpoint."""

from __future__ import annotations

from rdflib.term import BNode, Literal, URIRef

from .backend import Triple
from .backend.writers import write
from .conneg import RESULTS_FORMATS, Format
from .publication import PREFIXES, Publication

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
VOID = "http://rdfs.org/ns/void#"
RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_INTEGER = URIRef("http://www.w3.org/2001/XMLSchema#integer")

_RESULT_FORMAT_IRIS = {
    "application/sparql-results+json": "SPARQL_Results_JSON",
    "application/sparql-results+xml": "SPARQL_Results_XML",
    "text/csv": "SPARQL_Results_CSV",
    "text/tab-separated-values": "SPARQL_Results_TSV",
}
_GRAPH_FORMAT_IRIS = ("Turtle", "N-Triples", "JSON-LD", "RDF_XML", "TriG", "N-Quads")


def service_description(publication: Publication, endpoint: str, fmt: Format) -> bytes:
    """The description as ``fmt``, advertising ``endpoint``."""
    def sd(name: str) -> URIRef:
        return URIRef(SD + name)

    service = URIRef(endpoint)
    dataset = BNode()
    default_graph = BNode()
    triples: list[Triple] = [
        (service, RDF_TYPE, sd("Service")),
        (service, sd("endpoint"), service),
        (service, sd("supportedLanguage"), sd("SPARQL11Query")),
        (service, sd("feature"), sd("UnionDefaultGraph")),
        (service, sd("defaultDataset"), dataset),
        (dataset, RDF_TYPE, sd("Dataset")),
        (dataset, sd("defaultGraph"), default_graph),
        (default_graph, RDF_TYPE, sd("Graph")),
        (default_graph, URIRef(VOID + "triples"),
                  Literal(str(publication.triples), datatype=XSD_INTEGER)),
    ]
    for media in (f.media_type for f in RESULTS_FORMATS):
        triples.append((service, sd("resultFormat"),
                                 URIRef(FORMATS + _RESULT_FORMAT_IRIS[media])))
    for name in _GRAPH_FORMAT_IRIS:
        triples.append((service, sd("resultFormat"), URIRef(FORMATS + name)))
    for graph in publication.graph_names:
        named = BNode()
        inner = BNode()
        count = publication.graph_sizes()[graph]
        triples += [
            (dataset, sd("namedGraph"), named),
            (named, RDF_TYPE, sd("NamedGraph")),
            (named, sd("name"), URIRef(graph)),
            (named, sd("graph"), inner),
            (inner, RDF_TYPE, sd("Graph")),
            (inner, URIRef(VOID + "triples"),
                      Literal(str(count), datatype=XSD_INTEGER)),
        ]
    prefixes = {"sd": SD, "void": VOID, "formats": FORMATS, **PREFIXES}
    return publication.rewriter.to_public_bytes(write(triples, fmt.media_type, prefixes))
