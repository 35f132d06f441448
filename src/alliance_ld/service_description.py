"""The SPARQL 1.1 Service Description of the endpoint."""

from __future__ import annotations

import pyoxigraph as ox

from .conneg import RESULTS_FORMATS, Format
from .publication import PREFIXES, Publication

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
VOID = "http://rdfs.org/ns/void#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

_RESULT_FORMAT_IRIS = {
    "application/sparql-results+json": "SPARQL_Results_JSON",
    "application/sparql-results+xml": "SPARQL_Results_XML",
    "text/csv": "SPARQL_Results_CSV",
    "text/tab-separated-values": "SPARQL_Results_TSV",
}
_GRAPH_FORMAT_IRIS = ("Turtle", "N-Triples", "JSON-LD", "RDF_XML", "TriG", "N-Quads")


def service_description(publication: Publication, endpoint: str, fmt: Format) -> bytes:
    """The description as ``fmt``, advertising ``endpoint``."""
    def sd(name: str) -> ox.NamedNode:
        return ox.NamedNode(SD + name)

    service = ox.NamedNode(endpoint)
    dataset = ox.BlankNode()
    default_graph = ox.BlankNode()
    triples = [
        ox.Triple(service, RDF_TYPE, sd("Service")),
        ox.Triple(service, sd("endpoint"), service),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, RDF_TYPE, sd("Graph")),
        ox.Triple(default_graph, ox.NamedNode(VOID + "triples"),
                  ox.Literal(str(len(publication.store)),
                             datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))),
    ]
    for media in (f.media_type for f in RESULTS_FORMATS):
        triples.append(ox.Triple(service, sd("resultFormat"),
                                 ox.NamedNode(FORMATS + _RESULT_FORMAT_IRIS[media])))
    for name in _GRAPH_FORMAT_IRIS:
        triples.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode(FORMATS + name)))
    for graph in publication.store.graph_names:
        named = ox.BlankNode()
        inner = ox.BlankNode()
        count = sum(1 for _ in publication.store.quads(graph))
        triples += [
            ox.Triple(dataset, sd("namedGraph"), named),
            ox.Triple(named, RDF_TYPE, sd("NamedGraph")),
            ox.Triple(named, sd("name"), ox.NamedNode(graph)),
            ox.Triple(named, sd("graph"), inner),
            ox.Triple(inner, RDF_TYPE, sd("Graph")),
            ox.Triple(inner, ox.NamedNode(VOID + "triples"),
                      ox.Literal(str(count),
                                 datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))),
        ]
    assert fmt.rdf is not None
    prefixes = {"sd": SD, "void": VOID, "formats": FORMATS, **PREFIXES}
    kwargs = {"prefixes": prefixes} if fmt.rdf in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG,
                                                   ox.RdfFormat.RDF_XML) else {}
    data: list[ox.Triple] | list[ox.Quad] = triples
    if fmt.rdf in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS):
        data = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    body = bytes(ox.serialize(data, format=fmt.rdf, **kwargs))  # type: ignore[arg-type]
    return publication.rewriter.to_public_bytes(body)
