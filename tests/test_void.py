"""The VoID description at /.well-known/void: its statistics, links and formats."""

from __future__ import annotations

import httpx
import pytest
import rdflib
from oracle import published_store
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, FOAF, RDF, VOID

from alliance_ld.publication import ONTOLOGY_GRAPH, SHAPES_GRAPH

BASE = "https://w3id.org/alliance-ld/"
ALD = rdflib.Namespace(BASE + "ontology#")
ORG = rdflib.Namespace("http://www.w3.org/ns/org#")
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
DATASET = rdflib.URIRef(BASE + ".well-known/void#dataset")
DUMP = BASE + "downloads/alliance-ld-0.1.0.nq.gz"


@pytest.fixture(scope="module")
def void_graph(client) -> rdflib.Graph:  # type: ignore[no-untyped-def]
    response = client.get("/.well-known/void")
    assert response.status_code == 200
    return rdflib.Graph().parse(data=response.text, format="turtle")


def _int(graph: rdflib.Graph, subject: rdflib.term.Node, predicate: rdflib.URIRef) -> int:
    values = list(graph.objects(subject, predicate))
    assert len(values) == 1, (subject, predicate, values)
    return int(values[0])


def _partition(graph: rdflib.Graph, kind: str, member: rdflib.URIRef) -> rdflib.term.Node:
    link, key = ((VOID.classPartition, VOID["class"]) if kind == "class"
                 else (VOID.propertyPartition, VOID.property))
    found = [p for p in graph.objects(DATASET, link) if (p, key, member) in graph]
    assert len(found) == 1, member
    return found[0]


def _count(publication, query: str) -> int:  # type: ignore[no-untyped-def]
    rows = list(published_store().query(query))
    return int(rows[0][0].value)


def test_default_is_turtle_with_validators(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/.well-known/void")
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"
    assert "Accept" in response.headers["vary"]
    assert response.headers["etag"]
    assert response.headers["last-modified"].endswith("GMT")
    again = client.get("/.well-known/void", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""


def test_dataset_metadata(void_graph: rdflib.Graph) -> None:
    g = void_graph
    assert (DATASET, RDF.type, VOID.Dataset) in g
    assert (DATASET, DCTERMS.license, rdflib.URIRef(
        "https://creativecommons.org/licenses/by/4.0/")) in g
    titles = [str(t) for t in g.objects(DATASET, DCTERMS.title)]
    assert titles == ["alliance-ld: international military alliances and partnerships"]
    assert [str(c) for c in g.objects(DATASET, DCTERMS.creator)] == ["alliance-ld developers"]
    citation = str(g.value(DATASET, DCTERMS.bibliographicCitation))
    assert "version 0.1.0" in citation and BASE in citation
    rights = str(g.value(DATASET, DCTERMS.rights))
    assert "source article" in rights and "not covered" in rights
    assert (rdflib.URIRef(BASE + ".well-known/void"), FOAF.primaryTopic, DATASET) in g


def test_links(void_graph: rdflib.Graph) -> None:
    g = void_graph
    assert list(g.objects(DATASET, VOID.sparqlEndpoint)) == [rdflib.URIRef(BASE + "sparql")]
    assert list(g.objects(DATASET, VOID.uriSpace)) == [rdflib.Literal(BASE + "id/")]
    assert list(g.objects(DATASET, VOID.dataDump)) == [rdflib.URIRef(DUMP)]
    assert set(g.objects(DATASET, VOID.exampleResource)) == {
        rdflib.URIRef(BASE + "id/alliance/nato"), rdflib.URIRef(BASE + "id/nation/finland")}
    vocabularies = {str(v) for v in g.objects(DATASET, VOID.vocabulary)}
    assert {str(ALD), str(ORG), "http://www.w3.org/ns/prov#",
            "http://www.w3.org/2004/02/skos/core#", str(DCTERMS), "https://schema.org/",
            "http://www.w3.org/2000/01/rdf-schema#"} <= vocabularies


def test_statistics_match_the_store(void_graph: rdflib.Graph, publication) -> None:  # type: ignore[no-untyped-def]
    g = void_graph
    store = published_store()
    assert _int(g, DATASET, VOID.triples) == len(store)
    entities = _count(publication, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g "
                       f'{{ ?s ?p ?o }} FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{BASE}id/")) }}')
    assert entities > 300
    assert _int(g, DATASET, VOID.entities) == entities
    # Classes with instances that are entities (IRIs; blank nodes such as OWL
    # restrictions and SHACL property shapes are not entities in VoID's sense).
    classes = _count(publication, "SELECT (COUNT(DISTINCT ?c) AS ?n) "
                                  "WHERE { GRAPH ?g { ?s a ?c } FILTER(isIRI(?s)) }")
    assert _int(g, DATASET, VOID.classes) == classes
    assert len(list(g.objects(DATASET, VOID.classPartition))) == classes
    properties = _count(publication, "SELECT (COUNT(DISTINCT ?p) AS ?n) "
                                     "WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert _int(g, DATASET, VOID.properties) == properties
    assert len(list(g.objects(DATASET, VOID.propertyPartition))) == properties
    partition_sum = sum(int(t) for p in g.objects(DATASET, VOID.propertyPartition)
                        for t in g.objects(p, VOID.triples))
    assert partition_sum == len(store)


def test_class_partitions(void_graph: rdflib.Graph) -> None:
    g = void_graph
    # 100 + Singapore and Malaysia (Cobra Gold 24) + Bangladesh, Vietnam, Djibouti and Sierra Leone
    # (State Partnership Program partners; issue 9) + 16 partners of the second round (Tonga,
    # Papua New Guinea, Cambodia, Nicaragua, Ecuador, Belize, Jamaica, Suriname, Guyana, Rwanda,
    # Niger, Benin, Togo, Burkina Faso, Kosovo and Oman) + Zambia, Palau, Gabon and Samoa
    # + seven participants of African Lion 25 (Cameroon, Cape Verde, Chad, Cote d'Ivoire,
    # Guinea-Bissau, Libya and The Gambia; DVIDS) + Cyprus and the seven members of the
    # Regional Security System (Antigua and Barbuda, Barbados, Dominica, Grenada, Saint Kitts
    # and Nevis, Saint Lucia, Saint Vincent and the Grenadines; State Partnership Program)
    assert _int(g, _partition(g, "class", ALD.Nation), VOID.entities) == 141
    assert _int(g, _partition(g, "class", ALD.Alliance), VOID.entities) == 9


def test_property_partition(void_graph: rdflib.Graph, publication) -> None:  # type: ignore[no-untyped-def]
    members = _count(publication, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g "
                                  "{ ?s <http://www.w3.org/ns/org#member> ?o } }")
    assert members > 50
    assert _int(void_graph, _partition(void_graph, "property", ORG.member), VOID.triples) == members


def test_one_subset_per_named_graph(void_graph: rdflib.Graph, publication) -> None:  # type: ignore[no-untyped-def]
    g = void_graph
    store = published_store()
    subsets = list(g.objects(DATASET, VOID.subset))
    names = {str(g.value(s, SD.name)): s for s in subsets}
    assert set(names) == set(store.graph_names)
    assert {ONTOLOGY_GRAPH, SHAPES_GRAPH, BASE + "graph/nations"} <= set(names)
    for graph, subset in names.items():
        assert _int(g, subset, VOID.triples) == sum(1 for _ in store.quads(graph))
        stem = graph.rsplit("/", 1)[-1]
        assert list(g.objects(subset, VOID.dataDump)) == [
            rdflib.URIRef(f"{BASE}downloads/0.1.0/{stem}.ttl")]
        assert (subset, RDF.type, VOID.Dataset) in g


@pytest.mark.parametrize(("accept", "fmt", "content_type"), [
    ("application/ld+json", "json-ld", "application/ld+json; charset=utf-8"),
    ("application/rdf+xml", "xml", "application/rdf+xml; charset=utf-8"),
    ("application/n-triples", "nt", "application/n-triples; charset=utf-8"),
    ("text/turtle;q=0.5, application/n-triples", "nt", "application/n-triples; charset=utf-8"),
])
def test_formats_by_accept(client, void_graph: rdflib.Graph, accept: str, fmt: str,  # type: ignore[no-untyped-def]
                           content_type: str) -> None:
    response = client.get("/.well-known/void", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    assert isomorphic(rdflib.Graph().parse(data=response.content, format=fmt), void_graph)


def test_format_override_and_406(client, void_graph: rdflib.Graph) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/.well-known/void", params={"format": "rdfxml"},
                          headers={"Accept": "text/turtle"})
    assert response.headers["content-type"] == "application/rdf+xml; charset=utf-8"
    assert isomorphic(rdflib.Graph().parse(data=response.content, format="xml"), void_graph)
    refused = client.get("/.well-known/void", headers={"Accept": "image/png"})
    assert refused.status_code == 406
    assert "text/turtle" in refused.text


def test_html_for_browsers(client, publication) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/.well-known/void", headers={
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    html = response.text
    assert f"<tr><th scope=\"row\">Triples</th><td>{len(published_store())}</td></tr>" in html
    assert 'href="/downloads/alliance-ld-0.1.0.nq.gz"' in html
    assert 'type="text/turtle" href="/.well-known/void?format=turtle"' in html


def test_live_server_advertises_its_public_url(server) -> None:  # type: ignore[no-untyped-def]
    """rdflib fetches the VoID over HTTP; every link in it points at the running server."""
    g = rdflib.Graph().parse(server.url + ".well-known/void")
    dataset = rdflib.URIRef(server.url + ".well-known/void#dataset")
    assert list(g.objects(dataset, VOID.sparqlEndpoint)) == [rdflib.URIRef(server.url + "sparql")]
    assert list(g.objects(dataset, VOID.uriSpace)) == [rdflib.Literal(server.url + "id/")]
    dump = server.url + "downloads/alliance-ld-0.1.0.nq.gz"
    assert list(g.objects(dataset, VOID.dataDump)) == [rdflib.URIRef(dump)]
    assert "w3id.org" not in g.serialize(format="nt")
    # The advertised endpoint and dump answer.
    ask = httpx.get(server.url + "sparql", params={"query": "ASK { ?s ?p ?o }"},
                    headers={"Accept": "application/sparql-results+json"})
    assert ask.json()["boolean"] is True
    response = httpx.get(dump)
    assert response.status_code == 200
    assert response.content[:2] == b"\x1f\x8b"


def test_a_slow_build_does_not_hold_up_another_kind(publication) -> None:  # type: ignore[no-untyped-def]
    """The downloads are built in the background after start-up; meanwhile a document's
    JSON-LD context (another kind of per-publication value) is built and answered."""
    import threading

    from alliance_ld import void

    started, release = threading.Event(), threading.Event()

    def slow(_: object) -> str:
        started.set()
        release.wait(60)
        return "slow"

    worker = threading.Thread(target=void.per_publication, args=("test-slow", publication, slow))
    worker.start()
    try:
        assert started.wait(30)
        done: list[str] = []
        quick = threading.Thread(target=lambda: done.append(
            void.per_publication("test-quick", publication, lambda _: "quick")))
        quick.start()
        quick.join(30)
        assert done == ["quick"] and not release.is_set()  # while the slow one still builds
    finally:
        release.set()
        worker.join(30)
    assert void.per_publication("test-slow", publication, slow) == "slow"  # kept
