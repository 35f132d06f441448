"""One back-end contract, checked against the in-memory Oxigraph back end and, through
:class:`RemoteBackend`, against a real Oxigraph server and a real Virtuoso.

Every answer is compared with the in-memory back end's, as sets of terms (or as
isomorphic graphs where blank nodes occur), never as strings. Known divergences
of a store are ``xfail(strict=True)`` with what differs.
"""

from __future__ import annotations

import csv
import io
import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic
from rdflib.term import BNode, Literal, URIRef
from triplestores import TripleStore, free_port

from alliance_ld.backend import (
    Backend,
    BackendUnavailableError,
    QueryOutcome,
    QueryRequest,
)
from alliance_ld.backend import remote as remote_module
from alliance_ld.backend.oxigraph import OxigraphBackend
from alliance_ld.backend.remote import RemoteBackend
from alliance_ld.errors import QuerySyntaxError
from alliance_ld.resources import DATA_DIR, rdf_files

G = "https://w3id.org/alliance-ld/graph/"
NATIONS, ALLIANCES = G + "nations", G + "alliances"
PREFIXES = """\
PREFIX ald: <https://w3id.org/alliance-ld/ontology#>
PREFIX alliance: <https://w3id.org/alliance-ld/id/alliance/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
NATO_MEMBERS = PREFIXES + """
SELECT DISTINCT ?nation WHERE {
  ?m a ald:Membership ; org:organization alliance:nato ; org:member ?nation .
  ?nation a ald:Nation .
}"""
LABELS = PREFIXES + """
SELECT ?s ?label WHERE { ?s a ald:Nation ; rdfs:label ?label } ORDER BY ?s ?label"""
COUNT_FROM_NATIONS = f"SELECT (COUNT(*) AS ?n) FROM <{NATIONS}> WHERE {{ ?s ?p ?o }}"
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
NATIONS_GRAPH = PREFIXES + "CONSTRUCT { ?s ?p ?o } WHERE { ?s a ald:Nation ; ?p ?o }"

REMOTE = [pytest.param("oxigraph-server", marks=pytest.mark.triplestore),
          pytest.param("virtuoso", marks=pytest.mark.triplestore)]
ALL = [pytest.param("memory"), *REMOTE]

#: One graph per shipped data file, plus the ontology's and the shapes'.
SHIPPED_GRAPHS = len(rdf_files(DATA_DIR)) + 2


def _store(request: pytest.FixtureRequest, kind: str) -> TripleStore:
    name = "oxigraph_server" if kind == "oxigraph-server" else "virtuoso_server"
    store: TripleStore = request.getfixturevalue(name)
    return store


@pytest.fixture(scope="module")
def reference(triplestore_dataset: dict[str, bytes]) -> OxigraphBackend:
    """The in-memory back end over the shipped dataset: every answer is compared with it."""
    store = ox.Store()
    for graph, ntriples in triplestore_dataset.items():
        store.load(ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph))
    return OxigraphBackend(store)


@pytest.fixture(scope="module", params=ALL)
def backend(request: pytest.FixtureRequest, reference: OxigraphBackend) -> Iterator[Backend]:
    if request.param == "memory":
        yield reference
        return
    store = _store(request, request.param)
    remote = RemoteBackend(store.query_url, store.update_url, timeout=30)
    yield remote
    remote.close()


@pytest.fixture(scope="module", params=ALL)
def writable(request: pytest.FixtureRequest) -> Iterator[tuple[str, Backend]]:
    """A back end that may be written to: a fresh in-memory one, or a remote store."""
    if request.param == "memory":
        yield request.param, OxigraphBackend(ox.Store())
        return
    store = _store(request, request.param)
    remote = RemoteBackend(store.query_url, store.update_url)
    yield request.param, remote
    remote.close()


@pytest.fixture(params=REMOTE)
def remote_store(request: pytest.FixtureRequest) -> TripleStore:
    return _store(request, request.param)


def _virtuoso(backend: Backend) -> bool:
    return isinstance(backend, RemoteBackend) and backend.query_url.endswith("/sparql")


def _rows(rows: list[dict[str, Any]]) -> set[frozenset[tuple[str, Any]]]:
    return {frozenset(row.items()) for row in rows}


def _graph(triples: Any) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


def _parsed_solutions(outcome: QueryOutcome) -> set[frozenset[tuple[str, str]]]:
    """A serialised result read back: each row as (variable, term in N-Triples syntax)."""
    if outcome.media_type == "text/csv":
        reader = csv.reader(io.StringIO(outcome.body.decode()))
        header = next(reader)
        return {frozenset(zip(header, row, strict=True)) for row in reader}
    fmt = ox.QueryResultsFormat.from_media_type(outcome.media_type)
    assert fmt is not None
    result = ox.parse_query_results(outcome.body, fmt)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return {frozenset((n, str(s[n])) for n in names if s[n] is not None) for s in result}


# ---------------------------------------------------------------------------
# Neutral terms: select, ask, construct


def test_nato_members(backend: Backend, reference: OxigraphBackend) -> None:
    members = {row["nation"] for row in backend.select(NATO_MEMBERS)}
    assert URIRef("https://w3id.org/alliance-ld/id/nation/north-macedonia") in members
    assert len(members) == 32
    assert members == {row["nation"] for row in reference.select(NATO_MEMBERS)}


def test_labels_are_the_same_terms(backend: Backend, reference: OxigraphBackend) -> None:
    rows = backend.select(LABELS)
    assert Literal("Canada", lang="en") in {row["label"] for row in rows}
    assert _rows(rows) == _rows(reference.select(LABELS))


def test_from_nations_counted_like_the_in_memory_back_end(
        backend: Backend, reference: OxigraphBackend) -> None:
    """The issue's 2,720-vs-213 disagreement: FROM <…/graph/nations> counts that graph only."""
    expected = reference.count(NATIONS)
    rows = backend.select(COUNT_FROM_NATIONS, default_graphs=[NATIONS])
    assert rows == [{"n": Literal(expected)}]
    outcome = backend.evaluate(QueryRequest(COUNT_FROM_NATIONS, "text/csv", None,
                                            default_graphs=(NATIONS,), named_graphs=()))
    assert outcome.body.decode().split() == ["n", str(expected)]


def test_protocol_dataset_replaces_the_query_from(
        backend: Backend, reference: OxigraphBackend, request: pytest.FixtureRequest) -> None:
    query = f"SELECT (COUNT(*) AS ?n) FROM <{ALLIANCES}> WHERE {{ ?s ?p ?o }}"
    if _virtuoso(backend):
        request.applymarker(pytest.mark.xfail(strict=True, reason=(
            "Virtuoso 7.2 merges the query's FROM with default-graph-uri instead of "
            "replacing it (SPARQL 1.1 Protocol 2.1.4): counts nations + alliances")))
    assert backend.select(query, default_graphs=[NATIONS]) == \
        [{"n": Literal(reference.count(NATIONS))}]


def test_union_default_graph(backend: Backend, reference: OxigraphBackend) -> None:
    total = reference.count()
    assert total == sum(reference.count(g) for g in reference.graphs())
    assert backend.select(COUNT_ALL) == [{"n": Literal(total)}]


def test_named_graphs_through_graph(backend: Backend, reference: OxigraphBackend) -> None:
    expected = {(URIRef(g), Literal(reference.count(g))) for g in reference.graphs()}
    assert {(r["g"], r["n"]) for r in backend.select(PER_GRAPH)} == expected
    chosen = [NATIONS, ALLIANCES]
    rows = backend.select(PER_GRAPH, named_graphs=chosen)
    assert {(r["g"], r["n"]) for r in rows} == {e for e in expected if str(e[0]) in chosen}


def test_empty_dataset(backend: Backend) -> None:
    assert backend.select(COUNT_ALL, default_graphs=[]) == [{"n": Literal(0)}]
    assert backend.select(PER_GRAPH, named_graphs=[]) == []


def test_ask(backend: Backend) -> None:
    nato = PREFIXES + "ASK { alliance:nato a ald:Alliance }"
    assert backend.ask(nato) is True
    assert backend.ask(nato, default_graphs=[NATIONS]) is False
    assert backend.ask(PREFIXES + "ASK { alliance:nato a ald:Nation }") is False


def test_construct(backend: Backend, reference: OxigraphBackend) -> None:
    triples = backend.construct(NATIONS_GRAPH)
    assert len(triples) > 100
    assert isomorphic(_graph(triples), _graph(reference.construct(NATIONS_GRAPH)))


def test_every_quad_is_the_same(backend: Backend, reference: OxigraphBackend) -> None:
    """Every term of every graph, read back: IRIs, literals with datatype and language."""
    query = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"

    def plain(rows: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
        return {(r["g"], r["s"], r["p"], r["o"]) for r in rows
                if not isinstance(r["s"], BNode) and not isinstance(r["o"], BNode)}

    got, expected = plain(backend.select(query)), plain(reference.select(query))
    assert got - expected == set() and expected - got == set()


def test_wrong_query_form(backend: Backend) -> None:
    with pytest.raises(TypeError):
        backend.select("ASK {}")
    with pytest.raises(TypeError):
        backend.construct(COUNT_ALL)


def test_syntax_error_has_its_position(backend: Backend) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        backend.select("SELECT * WHERE { ?s ?p ?o } LIMIT 3 FOO")
    assert caught.value.line == 1 and caught.value.column is not None


def test_ask_syntax_error_from_the_store(backend: Backend) -> None:
    """ask() is not parsed here (see RemoteBackend._kind): the store's error, with its line."""
    with pytest.raises(QuerySyntaxError) as caught:
        backend.ask("ASK {\n ?s ?p ?o FOO }")
    assert caught.value.line == 2


# ---------------------------------------------------------------------------
# evaluate(): formats, caps, truncation


@pytest.mark.parametrize("media_type", ["application/sparql-results+json",
                                        "application/sparql-results+xml", "text/csv",
                                        "text/tab-separated-values"])
def test_evaluate_results_formats(backend: Backend, reference: OxigraphBackend,
                                  media_type: str) -> None:
    request = QueryRequest(LABELS, media_type, None)
    outcome, expected = backend.evaluate(request), reference.evaluate(request)
    assert (outcome.kind, outcome.media_type, outcome.truncated) == \
        ("solutions", media_type, False)
    assert outcome.rows == expected.rows > 30
    assert _parsed_solutions(outcome) == _parsed_solutions(expected)


@pytest.mark.parametrize("media_type", ["text/turtle", "application/n-triples",
                                        "application/rdf+xml"])
def test_evaluate_graph_formats(backend: Backend, reference: OxigraphBackend,
                                media_type: str) -> None:
    request = QueryRequest(NATIONS_GRAPH, None, media_type)
    outcome = backend.evaluate(request)
    assert (outcome.kind, outcome.media_type, outcome.truncated) == ("graph", media_type, False)
    graph = Graph().parse(data=outcome.body, format=media_type)
    assert len(graph) == outcome.rows
    assert isomorphic(graph, _graph(reference.construct(NATIONS_GRAPH)))


@pytest.mark.parametrize("media_type", ["application/sparql-results+json",
                                        "application/sparql-results+xml"])
def test_evaluate_ask(backend: Backend, media_type: str) -> None:
    outcome = backend.evaluate(QueryRequest(PREFIXES + "ASK { alliance:nato ?p ?o }",
                                            media_type, None))
    assert (outcome.kind, outcome.media_type, outcome.rows) == ("boolean", media_type, 1)
    assert bool(ox.parse_query_results(outcome.body,
                                       ox.QueryResultsFormat.from_media_type(media_type)))


@pytest.mark.parametrize("media_type", ["application/sparql-results+json",
                                        "application/sparql-results+xml", "text/csv"])
def test_row_cap_and_truncation_link(backend: Backend, reference: OxigraphBackend,
                                     media_type: str) -> None:
    request = QueryRequest(LABELS, media_type, None, max_rows=5,
                           truncation_link="https://example.org/full")
    outcome = backend.evaluate(request)
    assert (outcome.rows, outcome.truncated) == (5, True)
    assert _parsed_solutions(outcome) == _parsed_solutions(reference.evaluate(request))
    if media_type != "text/csv":
        assert b"https://example.org/full" in outcome.body


def test_byte_cap(backend: Backend, reference: OxigraphBackend) -> None:
    request = QueryRequest(LABELS, "application/sparql-results+json", None, max_bytes=2000)
    outcome, expected = backend.evaluate(request), reference.evaluate(request)
    assert outcome.truncated and 0 < outcome.rows == expected.rows < 30
    assert _parsed_solutions(outcome) == _parsed_solutions(expected)


def test_graph_row_cap(backend: Backend) -> None:
    outcome = backend.evaluate(QueryRequest(NATIONS_GRAPH, None, "application/n-triples",
                                            max_rows=7))
    assert (outcome.rows, outcome.truncated) == (7, True)
    assert len(Graph().parse(data=outcome.body, format="nt")) == 7


def test_evaluate_with_base_iri(backend: Backend) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <ontology#Nation> }"
    outcome = backend.evaluate(QueryRequest(query, "text/csv", None,
                                            base_iri="https://w3id.org/alliance-ld/"))
    assert int(outcome.body.decode().split()[1]) > 30


def test_matching_format_passes_the_stores_bytes_through(remote_store: TripleStore) -> None:
    """The store's own bytes come through when they are in the wanted format, uncut.

    Told apart by their spelling: the Oxigraph server writes JSON without spaces,
    Virtuoso separates N-Triples terms with tabs. Virtuoso's results are always
    written again (its JSON booleans are "1", its blank nodes "nodeID://…").
    """
    backend = RemoteBackend(remote_store.query_url)
    try:
        if remote_store.name == "Virtuoso":
            request = QueryRequest(NATIONS_GRAPH, None, "application/n-triples")
            mark = b"\t"
        else:
            request = QueryRequest(LABELS, "application/sparql-results+json", None)
            mark = b'{"head":{"vars":'
        assert mark in backend.evaluate(request).body
        capped = backend.evaluate(QueryRequest(request.query, request.results_media_type,
                                               request.graph_media_type, max_rows=3))
        assert capped.truncated and mark not in capped.body
    finally:
        backend.close()


# ---------------------------------------------------------------------------
# graphs, count, dump, version, update


def test_graphs_and_counts(backend: Backend, reference: OxigraphBackend) -> None:
    assert backend.graphs() == reference.graphs()
    assert len(backend.graphs()) == SHIPPED_GRAPHS
    assert backend.count() == reference.count()
    for graph in reference.graphs():
        assert backend.count(graph) == reference.count(graph), graph
    assert backend.count(G + "no-such-graph") == 0


def _canonical(data: bytes, fmt: ox.RdfFormat) -> set[ox.Quad]:
    """The quads of a document with canonical blank node labels (RDFC-1.0 style)."""
    dataset = ox.Dataset(ox.parse(data, fmt))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)


def test_dump_one_graph(backend: Backend, reference: OxigraphBackend) -> None:
    for graph in (NATIONS, G + "shapes"):  # the shapes hold blank nodes
        got = b"".join(backend.dump("application/n-triples", graph))
        expected = b"".join(reference.dump("application/n-triples", graph))
        assert len(_canonical(got, ox.RdfFormat.N_TRIPLES)) == reference.count(graph)
        assert _canonical(got, ox.RdfFormat.N_TRIPLES) == \
            _canonical(expected, ox.RdfFormat.N_TRIPLES)


def test_dump_dataset(backend: Backend, reference: OxigraphBackend) -> None:
    got = b"".join(backend.dump("application/n-quads"))
    expected = b"".join(reference.dump("application/n-quads"))
    quads = _canonical(got, ox.RdfFormat.N_QUADS)
    assert sorted({q.graph_name.value for q in quads}) == reference.graphs()  # type: ignore[union-attr]
    assert len(quads) == reference.count()
    assert quads == _canonical(expected, ox.RdfFormat.N_QUADS)


def test_dump_dataset_in_trig(backend: Backend, reference: OxigraphBackend) -> None:
    got = b"".join(backend.dump("application/trig"))
    assert len(_canonical(got, ox.RdfFormat.TRIG)) == reference.count()


def test_version_is_stable_until_the_data_changes(writable: tuple[str, Backend]) -> None:
    _, backend = writable
    assert backend.version() == backend.version()
    graph = G + "test-remote-update"
    before = backend.version()
    backend.update(f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:x:a> <urn:x:b> 'c' }} }}")
    try:
        after = backend.version()
        assert after != before and backend.version() == after
        assert graph in backend.graphs() and backend.count(graph) == 1
        assert backend.ask("ASK { <urn:x:a> <urn:x:b> 'c' }")
    finally:
        backend.update(f"DROP SILENT GRAPH <{graph}>")
    assert graph not in backend.graphs()
    assert backend.version() != after


def test_version_changes_once_per_ttl(remote_store: TripleStore) -> None:
    backend = RemoteBackend(remote_store.query_url, ttl=0.5)
    try:
        first = backend.version()
        deadline = time.monotonic() + 5
        while backend.version() == first:
            assert time.monotonic() < deadline, "the version never changed"
            time.sleep(0.1)
        # the graph list and counts are part of it and did not change
        assert backend.version().split("-")[1] == first.split("-")[1]
        assert backend.content_version() == first.split("-")[1]
    finally:
        backend.close()


def test_read_only_without_an_update_endpoint(remote_store: TripleStore) -> None:
    backend = RemoteBackend(remote_store.query_url)
    with pytest.raises(BackendUnavailableError, match="no SPARQL update endpoint"):
        backend.update("INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }")


# ---------------------------------------------------------------------------
# An endpoint that fails


def test_store_goes_away_and_comes_back(remote_store: TripleStore) -> None:
    backend = RemoteBackend(remote_store.query_url, ttl=0)
    try:
        assert len(backend.select(NATO_MEMBERS)) == 32
        remote_store.stop()
        try:
            for call in (lambda: backend.select(NATO_MEMBERS), backend.graphs,
                         lambda: backend.evaluate(QueryRequest(LABELS, "text/csv", None))):
                with pytest.raises(BackendUnavailableError) as caught:
                    call()
                message = str(caught.value)
                assert remote_store.query_url in message and "connection refused" in message
        finally:
            remote_store.start()
        assert len(backend.select(NATO_MEMBERS)) == 32
        assert len(backend.graphs()) == SHIPPED_GRAPHS
    finally:
        backend.close()


def test_nothing_listening() -> None:
    url = f"http://127.0.0.1:{free_port()}/sparql"
    backend = RemoteBackend(url)
    with pytest.raises(BackendUnavailableError, match="connection refused") as caught:
        backend.ask("ASK {}")
    assert caught.value.endpoint == url


def test_timeout() -> None:
    """A store that takes the connection (the kernel's backlog) and never answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/sparql"
        backend = RemoteBackend(url, timeout=0.5, connect_timeout=0.5)
        with pytest.raises(BackendUnavailableError, match=r"no answer within 0\.5 s"):
            backend.ask("ASK {}")


def _mock(status: int, body: str) -> RemoteBackend:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, text=body)

    return RemoteBackend("http://store.invalid/sparql", transport=httpx.MockTransport(answer))


def test_http_error_names_status_and_first_line() -> None:
    with pytest.raises(BackendUnavailableError) as caught:
        _mock(503, "\nVirtuoso 08C01 Error CL: Cluster: No connection\nmore\n").ask("ASK {}")
    assert str(caught.value) == (
        "SPARQL endpoint http://store.invalid/sparql is unavailable: HTTP 503 Service "
        "Unavailable: Virtuoso 08C01 Error CL: Cluster: No connection")


def test_store_syntax_error_is_a_query_syntax_error() -> None:
    with pytest.raises(QuerySyntaxError, match="SP030: SPARQL compiler, line 1: syntax"):
        _mock(400, "Virtuoso 37000 Error SP030: SPARQL compiler, line 1: syntax error\n"
                   "SPARQL query:\nASK {}").ask("ASK {}")


def test_store_rejection_of_a_real_store(remote_store: TripleStore) -> None:
    """A 404 from a real store: an unavailable endpoint, with the status."""
    backend = RemoteBackend(remote_store.query_url.rsplit("/", 1)[0] + "/no-such-endpoint")
    with pytest.raises(BackendUnavailableError, match="HTTP 404"):
        backend.ask("ASK {}")


# ---------------------------------------------------------------------------
# Literals as written, read back: what each store changes

X = "http://www.w3.org/2001/XMLSchema#"
LITERALS = {
    "decimal-trailing-zero": f'"2.50"^^<{X}decimal>',
    "decimal-integral": f'"1"^^<{X}decimal>',
    "boolean": f'"true"^^<{X}boolean>',
    "gYear": f'"1990"^^<{X}gYear>',
    "gYearMonth": f'"1990-05"^^<{X}gYearMonth>',
    "date": f'"2020-01-01"^^<{X}date>',
    "dateTime-utc": f'"2020-01-01T00:00:00Z"^^<{X}dateTime>',
    "dateTime-offset": f'"2020-01-01T10:00:00+02:00"^^<{X}dateTime>',
    "language": '"x"@en-gb',
    "string": '"a\\nb \\u00e9"',
    "integer-leading-zeros": f'"007"^^<{X}integer>',
    "int": f'"12"^^<{X}int>',
    "double": f'"1.0E0"^^<{X}double>',
    "duration": f'"P1Y"^^<{X}duration>',
    "custom-datatype": '"abc"^^<urn:x:custom>',
}
#: (back end, literal) → what the store does to it.
LITERAL_DIVERGENCES = {
    ("memory", "decimal-trailing-zero"): "Oxigraph stores numbers by value: \"2.5\"",
    ("memory", "integer-leading-zeros"): "Oxigraph stores numbers by value: \"7\"",
    ("memory", "int"): "Oxigraph stores xsd:int as xsd:integer",
    ("memory", "double"): "Oxigraph stores numbers by value: \"1\"^^xsd:double",
    ("oxigraph-server", "decimal-trailing-zero"): "Oxigraph stores numbers by value: \"2.5\"",
    ("oxigraph-server", "integer-leading-zeros"): "Oxigraph stores numbers by value: \"7\"",
    ("oxigraph-server", "int"): "Oxigraph stores xsd:int as xsd:integer",
    ("oxigraph-server", "double"): "Oxigraph stores numbers by value: \"1\"^^xsd:double",
    ("virtuoso", "decimal-trailing-zero"): "Virtuoso stores numbers by value: \"2.5\"",
    ("virtuoso", "integer-leading-zeros"): "Virtuoso stores numbers by value: \"7\"",
    ("virtuoso", "double"): "Virtuoso stores numbers by value: \"1.0\"^^xsd:double",
    ("virtuoso", "duration"): "Virtuoso stores P1Y as \"12\"^^xsd:duration (months)",
}


@pytest.mark.parametrize("name", sorted(LITERALS))
def test_literal_round_trip(writable: tuple[str, Backend], name: str,
                            request: pytest.FixtureRequest) -> None:
    """A literal inserted and read back in N-Triples keeps its lexical form and datatype."""
    kind, backend = writable
    reason = LITERAL_DIVERGENCES.get((kind, name))
    if reason:
        request.applymarker(pytest.mark.xfail(strict=True, reason=reason))
    graph, literal = G + "test-literals", LITERALS[name]
    backend.update(f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:x:s> <urn:x:{name}> {literal} }} }}")
    try:
        outcome = backend.evaluate(QueryRequest(
            f"CONSTRUCT WHERE {{ <urn:x:s> <urn:x:{name}> ?o }}", None, "application/n-triples",
            default_graphs=(graph,)))
        read = [t.object for t in ox.parse(outcome.body, ox.RdfFormat.N_TRIPLES)]
        written = [t.object for t in ox.parse(f"<urn:x:s> <urn:x:p> {literal} .".encode(),
                                              ox.RdfFormat.N_TRIPLES)]
        assert read == written
    finally:
        backend.update(f"DROP SILENT GRAPH <{graph}>")


@pytest.mark.parametrize("media_type", ["application/sparql-results+json",
                                        "application/sparql-results+xml"])
def test_blank_nodes_in_results(backend: Backend, reference: OxigraphBackend,
                                media_type: str) -> None:
    """The shapes' property shapes are blank nodes: as many, with the same paths."""
    query = ("PREFIX sh: <http://www.w3.org/ns/shacl#>\n"
             "SELECT ?shape ?path WHERE { ?node sh:property ?shape . ?shape sh:path ?path }")
    rows = backend.select(query)
    assert rows and all(isinstance(row["shape"], BNode) for row in rows)
    expected = reference.select(query)
    assert len({row["shape"] for row in rows}) == len({row["shape"] for row in expected})
    assert sorted(str(r["path"]) for r in rows) == sorted(str(r["path"]) for r in expected)
    outcome = backend.evaluate(QueryRequest(query, media_type, None))
    assert outcome.rows == len(expected)
    assert len({dict(row)["shape"] for row in _parsed_solutions(outcome)}) == \
        len({row["shape"] for row in expected})


# ---------------------------------------------------------------------------
# stream(): N-Triples pass through as they come


@pytest.mark.parametrize("max_rows", [10_000, 7])
def test_stream_ntriples(remote_store: TripleStore, reference: OxigraphBackend,
                         max_rows: int) -> None:
    backend = RemoteBackend(remote_store.query_url)
    try:
        request = QueryRequest(NATIONS_GRAPH, None, "application/n-triples", max_rows=max_rows)
        streamed = backend.stream(request)
        body = b"".join(streamed)
        outcome = backend.evaluate(request)
        assert (streamed.kind, streamed.media_type) == ("graph", "application/n-triples")
        assert (streamed.rows, streamed.truncated) == (outcome.rows, outcome.truncated)
        graph = Graph().parse(data=body, format="nt")
        assert len(graph) == streamed.rows
        if max_rows == 7:
            assert streamed.truncated and streamed.rows == 7
        else:
            assert not streamed.truncated
            assert isomorphic(graph, _graph(reference.construct(NATIONS_GRAPH)))
    finally:
        backend.close()


def test_stream_other_requests_are_evaluated(remote_store: TripleStore) -> None:
    backend = RemoteBackend(remote_store.query_url)
    try:
        request = QueryRequest(LABELS, "text/csv", None, max_rows=5)
        streamed = backend.stream(request)
        assert b"".join(streamed) == backend.evaluate(request).body
        assert (streamed.kind, streamed.rows, streamed.truncated) == ("solutions", 5, True)
    finally:
        backend.close()


# ---------------------------------------------------------------------------
# What is sent: the dataset in protocol parameters (a store that records requests)


class _Recorder:
    """A SPARQL endpoint in a MockTransport that lists two graphs and records each query."""

    def __init__(self, server: str) -> None:
        self.server = server
        self.sent: list[list[tuple[str, str]]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        from urllib.parse import parse_qsl

        form = parse_qsl(request.content.decode(), keep_blank_values=True)
        headers = {"Server": self.server, "Content-Type": "application/sparql-results+json"}
        if dict(form).get("query", "").startswith("SELECT ?g (COUNT(*) AS ?n)"):
            bindings = [{"g": {"type": "uri", "value": g},
                         "n": {"type": "literal", "value": "1", "datatype": X + "integer"}}
                        for g in ("urn:g:b", "urn:g:a",
                                  "http://www.openlinksw.com/schemas/virtrdf#")]
            body = {"head": {"vars": ["g", "n"]}, "results": {"bindings": bindings}}
        else:
            self.sent.append([(k, v) for k, v in form if k != "query"])
            body = {"head": {"vars": []}, "results": {"bindings": [{}]}}
        return httpx.Response(200, json=body, headers=headers)


def _recording(server: str) -> tuple[_Recorder, RemoteBackend]:
    recorder = _Recorder(server)
    return recorder, RemoteBackend("http://store.invalid/sparql",
                                   transport=httpx.MockTransport(recorder))


def test_union_is_sent_as_every_graph_minus_system_graphs() -> None:
    recorder, backend = _recording("Virtuoso/07.20.3229 (Linux) x86_64-pc-linux-gnu")
    assert backend.graphs() == ["urn:g:a", "urn:g:b"]
    backend.select("SELECT * {}")
    backend.select("SELECT * {}", default_graphs=["urn:g:b"], named_graphs=[])
    assert recorder.sent == [
        [("default-graph-uri", "urn:g:a"), ("default-graph-uri", "urn:g:b"),
         ("named-graph-uri", "urn:g:a"), ("named-graph-uri", "urn:g:b")],
        [("default-graph-uri", "urn:g:b"), ("named-graph-uri", "urn:x-alliance-ld:empty-graph")],
    ]


def test_oxigraph_server_gets_its_union_parameter() -> None:
    recorder, backend = _recording("Oxigraph/0.5.13")
    backend.select("SELECT * {}")
    backend.select("SELECT * {}", named_graphs=["urn:g:a"])
    assert recorder.sent == [
        [("union-default-graph", "true")],
        [("default-graph-uri", "urn:g:a"), ("default-graph-uri", "urn:g:b"),
         ("named-graph-uri", "urn:g:a")],
    ]


def test_results_that_do_not_parse() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b'{"head": {"vars": ["g", "n"]}, "results": {',
                              headers={"Content-Type": "application/sparql-results+json"})

    backend = RemoteBackend("http://store.invalid/sparql", transport=httpx.MockTransport(answer))
    with pytest.raises(BackendUnavailableError, match="results that do not parse"):
        backend.graphs()


def test_an_error_page_does_not_decide_the_dialect() -> None:
    answers = iter([httpx.Response(502, text="Bad gateway", headers={"Server": "nginx"})])

    def answer(request: httpx.Request) -> httpx.Response:
        return next(answers, httpx.Response(
            200, json={"head": {"vars": ["g", "n"]}, "results": {"bindings": []}},
            headers={"Server": "Virtuoso/07.20",
                     "Content-Type": "application/sparql-results+json"}))

    backend = RemoteBackend("http://store.invalid/sparql", transport=httpx.MockTransport(answer))
    with pytest.raises(BackendUnavailableError, match="HTTP 502 Bad Gateway: Bad gateway"):
        backend.graphs()
    assert backend.dialect is None
    assert backend.graphs() == [] and backend.dialect == "virtuoso"


def test_service_is_never_called_from_here(listener: Any) -> None:
    """An ASK (or a request whose form is known) is not evaluated here: SERVICE stays the
    store's business. (Oxigraph evaluates an ASK at once, SERVICE included.)"""
    service = f"http://127.0.0.1:{listener.port}/sparql"

    def answer(request: httpx.Request) -> httpx.Response:
        if b"COUNT" in request.content:
            return httpx.Response(200, json={"head": {"vars": ["g", "n"]},
                                             "results": {"bindings": []}},
                                  headers={"Content-Type": "application/sparql-results+json"})
        return httpx.Response(200, json={"head": {}, "boolean": True},
                              headers={"Content-Type": "application/sparql-results+json"})

    backend = RemoteBackend("http://store.invalid/sparql", transport=httpx.MockTransport(answer))
    query = f"ASK {{ SERVICE <{service}> {{ ?s ?p ?o }} }}"
    assert backend.ask(query) is True
    outcome = backend.evaluate(QueryRequest(query, "application/sparql-results+json", None,
                                            form="ASK"))
    assert outcome.kind == "boolean"
    time.sleep(0.3)
    assert listener.connections == 0


def test_backend_spec_opens_a_remote_back_end(remote_store: TripleStore) -> None:
    from alliance_ld.backend import BackendSpec

    spec = BackendSpec(endpoint=remote_store.query_url, ttl=5)
    assert spec.remote and remote_store.query_url in spec.description
    backend = spec.open()
    try:
        assert isinstance(backend, RemoteBackend) and backend.ttl == 5
        assert len(backend.select(NATO_MEMBERS)) == 32
    finally:
        backend.close()


def test_iris_written_into_queries_are_checked() -> None:
    backend = RemoteBackend("http://store.invalid/sparql")
    with pytest.raises(ValueError, match="not an IRI"):
        list(backend.dump("application/n-triples", "urn:g> } } INSERT DATA { <a> <b> <c"))
    with pytest.raises(ValueError, match="not an IRI"):
        backend.evaluate(QueryRequest("SELECT * {}", None, None, base_iri="http://x/>",
                                      form="SELECT"))


def test_describe(backend: Backend, reference: OxigraphBackend,
                  request: pytest.FixtureRequest) -> None:
    """DESCRIBE is the store's to define (SPARQL 1.1 Query 16.4): compared, divergences listed."""
    query = "DESCRIBE <https://w3id.org/alliance-ld/id/alliance/nato>"
    if _virtuoso(backend):
        request.applymarker(pytest.mark.xfail(strict=True, reason=(
            "Virtuoso's DESCRIBE gives the triples with the resource as subject and as "
            "object; Oxigraph's, its concise bounded description (as subject only)")))
    assert isomorphic(_graph(backend.construct(query)), _graph(reference.construct(query)))


@pytest.mark.parametrize("query", [
    "ASK { GRAPH <urn:x:no-such-graph> { ?s ?p ?o } }",
    "ASK { GRAPH <urn:x:no-such-graph> { <urn:x:a> <urn:x:b> 'c' } }",
])
def test_graph_outside_the_dataset_matches_nothing(backend: Backend, query: str,
                                                   request: pytest.FixtureRequest) -> None:
    if _virtuoso(backend):
        request.applymarker(pytest.mark.xfail(strict=True, reason=(
            "Virtuoso 7.2, given a dataset in the protocol (default-graph-uri or "
            "named-graph-uri, which the back end always sends), answers GRAPH <iri> for an "
            "IRI outside it with one solution instead of none; without a dataset it is right")))
    assert backend.ask(query) is False
    assert backend.select(query.replace("ASK", "SELECT *", 1)) == []


# ---------------------------------------------------------------------------
# A store's own result cap: dumps page, nothing is published cut


@pytest.mark.triplestore
@pytest.mark.parametrize("kind", ["oxigraph-server", "virtuoso"])
def test_a_graph_bigger_than_a_page_is_dumped_in_pages(
        request: pytest.FixtureRequest, kind: str, reference: OxigraphBackend,
        monkeypatch: pytest.MonkeyPatch) -> None:
    store = _store(request, kind)
    monkeypatch.setattr(remote_module, "DUMP_PAGE", 150)
    sent: list[str] = []
    backend = RemoteBackend(store.query_url, timeout=30)
    triples = backend._triples

    def counted(query: str, *args: Any) -> Any:
        sent.append(query)
        return triples(query, *args)

    monkeypatch.setattr(backend, "_triples", counted)
    for graph in (NATIONS, G + "shapes"):  # the shapes hold blank nodes
        sent.clear()
        got = b"".join(backend.dump("application/n-triples", graph))
        assert reference.count(graph) > 300
        assert len(sent) == -(-reference.count(graph) // 150)
        assert all("LIMIT 150" in query and "ORDER BY" not in query for query in sent)
        assert _canonical(got, ox.RdfFormat.N_TRIPLES) == _canonical(
            b"".join(reference.dump("application/n-triples", graph)), ox.RdfFormat.N_TRIPLES)
    backend.close()


@pytest.mark.triplestore
@pytest.mark.parametrize("kind", ["oxigraph-server", "virtuoso"])
def test_pages_that_overlap_are_read_again_in_order(
        request: pytest.FixtureRequest, kind: str, reference: OxigraphBackend,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A store whose unordered pages overlap (each repeats the first triple of the graph
    in place of its own last one): the dump gives each triple once, and the ones missed
    come from a second reading in the order ?s ?p ?o."""
    store = _store(request, kind)
    monkeypatch.setattr(remote_module, "DUMP_PAGE", 150)
    backend = RemoteBackend(store.query_url, timeout=30)
    triples = backend._triples
    sent: list[str] = []
    first: list[Any] = []

    def unstable(query: str, *args: Any) -> Any:
        sent.append(query)
        got = list(triples(query, *args))
        if "ORDER BY" in query:
            return iter(got)
        first[:] = first or got[:1]
        return iter(got[:-1] + first)

    monkeypatch.setattr(backend, "_triples", unstable)
    got = b"".join(backend.dump("application/n-triples", NATIONS))
    pages = -(-reference.count(NATIONS) // 150)
    assert [("ORDER BY ?s ?p ?o" in query) for query in sent] == [False] * pages + [True] * pages
    assert len(got.splitlines()) == reference.count(NATIONS)
    assert _canonical(got, ox.RdfFormat.N_TRIPLES) == _canonical(
        b"".join(reference.dump("application/n-triples", NATIONS)), ox.RdfFormat.N_TRIPLES)
    backend.close()


@pytest.fixture(scope="module")
def capped_virtuoso(triplestore_dataset: dict[str, bytes]) -> Iterator[TripleStore]:
    """Virtuoso cutting every answer at 500 rows (its ``ResultSetMaxRows``)."""
    from triplestores import virtuoso

    with virtuoso(triplestore_dataset, result_rows=500) as store:
        yield store


@pytest.mark.triplestore
def test_a_store_that_cuts_its_answers_still_gives_whole_dumps(
        capped_virtuoso: TripleStore, reference: OxigraphBackend) -> None:
    backend = RemoteBackend(capped_virtuoso.query_url, timeout=30)
    assert sum(reference.count(graph) > 500 for graph in reference.graphs()) >= 3
    whole = b"".join(backend.dump("application/n-quads"))
    assert _canonical(whole, ox.RdfFormat.N_QUADS) == _canonical(
        b"".join(reference.dump("application/n-quads")), ox.RdfFormat.N_QUADS)
    backend.close()


@pytest.mark.triplestore
def test_a_dump_that_comes_short_fails_with_the_reason(
        capped_virtuoso: TripleStore, reference: OxigraphBackend,
        monkeypatch: pytest.MonkeyPatch) -> None:
    backend = RemoteBackend(capped_virtuoso.query_url, timeout=30)
    counts = backend._graph_counts()
    monkeypatch.setattr(backend, "count", lambda graph=None: counts[graph] + 1)
    with pytest.raises(BackendUnavailableError) as caught:
        b"".join(backend.dump("application/n-triples", NATIONS))
    assert (f"gave {reference.count(NATIONS)} of the {reference.count(NATIONS) + 1} "
            f"triples of graph <{NATIONS}>") in str(caught.value)
    backend.close()


@pytest.mark.triplestore
def test_a_cut_answer_is_truncated_for_a_client_and_refused_for_a_page(
        capped_virtuoso: TripleStore) -> None:
    backend = RemoteBackend(capped_virtuoso.query_url, timeout=30)
    everything = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    json_results = "application/sparql-results+json"
    outcome = backend.evaluate(QueryRequest(everything, json_results, None, max_rows=10_000,
                                            truncation_link="http://example.org/why"))
    assert outcome.truncated is True
    assert outcome.rows == 500
    assert b"http://example.org/why" in outcome.body
    few = backend.evaluate(QueryRequest("SELECT ?s WHERE { ?s ?p ?o } LIMIT 3", json_results, None))
    assert (few.truncated, few.rows) == (False, 3)
    with pytest.raises(BackendUnavailableError) as caught:
        backend.select(everything)
    assert "cut its answer at 500 rows" in str(caught.value)
    assert "ResultSetMaxRows" in str(caught.value)
    assert len(backend.select("SELECT ?s WHERE { ?s ?p ?o } LIMIT 499")) == 499
    backend.close()


@pytest.mark.triplestore
def test_the_front_end_over_a_store_that_cuts_its_answers(
        capped_virtuoso: TripleStore, reference: OxigraphBackend) -> None:
    """Over HTTP: the dump is whole, a client's query says it was cut, a page that needs
    more rows than the store gives is a 502 that says why."""
    from live_server import downloaded_dump, live_server

    with live_server("--sparql-endpoint", capped_virtuoso.query_url) as running:
        served = downloaded_dump(running).replace(
            running.url.encode(), b"https://w3id.org/alliance-ld/")
        expected = _canonical(b"".join(reference.dump("application/n-quads")),
                              ox.RdfFormat.N_QUADS)
        assert _canonical(served, ox.RdfFormat.N_QUADS) == expected

        answer = httpx.get(running.url + "sparql",
                           params={"query": "SELECT * WHERE { ?s ?p ?o }"},
                           headers={"Accept": "application/sparql-results+json"}, timeout=60)
        assert answer.status_code == 200
        assert answer.headers["X-Result-Truncated"] == "true"
        assert len(answer.json()["results"]["bindings"]) == 500

        search = httpx.get(running.url + "search", params={"q": "nato"}, timeout=60)
        assert search.status_code == 502
        assert "cut its answer at 500 rows" in search.text
        assert "Traceback" not in search.text
