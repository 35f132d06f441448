"""The store module: named graphs, the union default graph, and parse errors."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from alliance_ld.errors import DataSyntaxError, MissingInputError, QuerySyntaxError
from alliance_ld.resources import DATA_DIR, GRAPH_NS
from alliance_ld.store import Store, load_default, to_ox, to_rdflib


def test_each_data_file_is_a_named_graph(store: Store) -> None:
    expected = {GRAPH_NS + p.stem for p in DATA_DIR.glob("*.ttl")} | {GRAPH_NS + "ontology"}
    assert set(store.graph_names) == expected


def test_default_graph_is_the_union(store: Store) -> None:
    # NATO is described in alliances.ttl; its treaty's parties in treaties.ttl.
    result = store.query(
        "PREFIX ald: <https://w3id.org/alliance-ld/ontology#> "
        "SELECT (COUNT(?p) AS ?n) WHERE { <https://w3id.org/alliance-ld/id/alliance/nato> "
        "ald:foundedOn/ald:hasParty ?p }"
    )
    assert isinstance(result, ox.QuerySolutions)
    assert [int(s["n"].value) for s in result] == [32]  # type: ignore[union-attr]


def test_query_restricted_to_one_graph(store: Store) -> None:
    ask = "ASK { <https://w3id.org/alliance-ld/id/alliance/nato> ?p ?o }"
    assert bool(store.query(ask, default_graphs=[GRAPH_NS + "alliances"]))
    assert not bool(store.query(ask, default_graphs=[GRAPH_NS + "nations"]))


def test_query_syntax_error_has_position(store: Store) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        store.query("SELECT * WHERE {\n  ?s ?p\n}")
    assert info.value.line == 3


def test_turtle_error_names_file_line_column(tmp_path: Path) -> None:
    bad = tmp_path / "x.ttl"
    bad.write_text("<http://e/a> <http://e/b> <http://e/c> .\n<http://e/a> <http://e/b> .\n")
    with pytest.raises(DataSyntaxError) as info:
        Store().load_paths([bad])
    assert info.value.line == 2
    assert str(info.value).startswith(f"{bad}:2:")


def test_failed_load_leaves_store_untouched(tmp_path: Path) -> None:
    good = tmp_path / "a.ttl"
    good.write_text("<http://e/a> <http://e/b> <http://e/c> .\n")
    bad = tmp_path / "b.ttl"
    bad.write_text("<http://e/a> <http://e/b> .\n")
    s = Store()
    with pytest.raises(DataSyntaxError):
        s.load_paths([good, bad])
    assert len(s) == 0


def test_missing_paths(tmp_path: Path) -> None:
    with pytest.raises(MissingInputError, match="no such file"):
        Store().load_paths([tmp_path / "nope.ttl"])
    with pytest.raises(MissingInputError, match="no RDF files"):
        Store().load_paths([tmp_path])
    with pytest.raises(MissingInputError, match="unknown RDF file type"):
        (tmp_path / "x.txt").write_text("hi")
        Store().load_paths([tmp_path / "x.txt"])


def test_rdflib_graph_round_trip(store: Store) -> None:
    graph = store.rdflib_graph([GRAPH_NS + "contributions"])
    count = graph.value(
        rdflib.URIRef("https://w3id.org/alliance-ld/id/contribution/us-service-members-in-europe"),
        rdflib.URIRef("https://w3id.org/alliance-ld/ontology#personnelCount"),
    )
    assert isinstance(count, rdflib.Literal) and count.toPython() == 100000


@pytest.mark.parametrize(
    "term",
    [
        rdflib.URIRef("http://e/x"),
        rdflib.Literal("plain"),
        rdflib.Literal("chat", lang="fr"),
        rdflib.Literal("2024-03-07", datatype=rdflib.XSD.date),
    ],
)
def test_term_conversion_round_trip(term: rdflib.term.Node) -> None:
    assert to_rdflib(to_ox(term)) == term


def test_load_default_with_custom_data(tmp_path: Path) -> None:
    f = tmp_path / "mine.ttl"
    f.write_text("<http://e/a> <http://e/b> <http://e/c> .\n")
    s = load_default([f])
    assert GRAPH_NS + "mine" in s.graph_names
