"""The benchmark's data generator (bench/generate.py): deterministic, counted, shaped like ours.

Fast checks; one small dataset is also validated against the shapes here, and
`alliance-ld load` checks the benchmark's own data each time bench/server.py runs
(a violation stops it).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyoxigraph as ox

from alliance_ld.validate import validate_paths

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from generate import ID, generate, write  # noqa: E402


def _store(turtle: bytes) -> ox.Store:
    store = ox.Store()
    store.load(turtle, format=ox.RdfFormat.TURTLE)
    return store


def test_same_seed_same_bytes_other_seed_other_bytes() -> None:
    assert generate(2000, 7).turtle == generate(2000, 7).turtle
    assert generate(2000, 7).turtle != generate(2000, 8).turtle


def test_triple_count_is_exact_and_reaches_the_target() -> None:
    data = generate(3000, 42)
    assert len(_store(data.turtle)) == data.triples >= 3000
    assert data.ntriples().count(b"\n") == data.triples


def test_every_resource_has_an_english_label_and_a_source() -> None:
    store = _store(generate(3000, 42).turtle)
    missing = store.query(f"""
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT DISTINCT ?s WHERE {{
            ?s ?p ?o . FILTER STRSTARTS(STR(?s), "{ID}")
            FILTER NOT EXISTS {{ ?s rdfs:label ?l . FILTER (LANG(?l) = "en") }}
        }}""")
    assert isinstance(missing, ox.QuerySolutions)
    assert list(missing) == []
    unsourced = store.query(f"""
        PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX ald: <https://w3id.org/alliance-ld/ontology#>
        SELECT DISTINCT ?s WHERE {{
            ?s ?p ?o . FILTER STRSTARTS(STR(?s), "{ID}")
            FILTER NOT EXISTS {{ ?s a ald:SourceDocument }}
            FILTER NOT EXISTS {{ ?s dcterms:source ?src }}
        }}""")
    assert isinstance(unsourced, ox.QuerySolutions)
    assert list(unsourced) == []


def test_at_most_one_open_membership_per_pair() -> None:
    store = _store(generate(10_000, 42).turtle)
    doubled = store.query("""
        PREFIX org: <http://www.w3.org/ns/org#>
        PREFIX ald: <https://w3id.org/alliance-ld/ontology#>
        ASK {
            ?a org:member ?n ; org:organization ?r . FILTER NOT EXISTS { ?a ald:endDate ?e1 }
            ?b org:member ?n ; org:organization ?r . FILTER NOT EXISTS { ?b ald:endDate ?e2 }
            FILTER (?a != ?b)
        }""")
    assert not bool(doubled)


def test_small_dataset_conforms_to_the_shapes(tmp_path: Path) -> None:
    data = generate(3000, 42)
    assert data.counts["instants"] > 0
    report = validate_paths([write(data, tmp_path)])
    assert report.conforms, "\n".join(f"{r.message} ({r.focus_node})" for r in report.violations)
    assert report.warnings == []
