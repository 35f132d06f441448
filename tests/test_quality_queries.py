"""Quality checks: every ``queries/*-violation.rq`` returns no rows.

Each query runs on the shipped ontology and data, where it must find nothing;
the failure message lists the rows it found. Each query also runs on a small
graph broken on purpose (``tests/data/quality/<query name>.ttl``), where it must
report exactly the offending resources listed in :data:`BROKEN_FIXTURES`, which
proves that the check can fail. A violation query without a fixture fails.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from alliance_ld.resources import QUERIES_DIR
from alliance_ld.store import Store, load_default

FIXTURES_DIR = Path(__file__).parent / "data" / "quality"

#: Query name -> the first-column values the query must return on its fixture.
BROKEN_FIXTURES: dict[str, frozenset[str]] = {
    "resource-without-label-violation": frozenset({
        "https://w3id.org/alliance-ld/id/test/unlabelled",
        "https://w3id.org/alliance-ld/id/test/unlabelled-region",
    }),
    "membership-without-member-violation": frozenset({
        "https://w3id.org/alliance-ld/id/test/no-member",
        "https://w3id.org/alliance-ld/id/test/org-no-member",
    }),
    "term-without-definition-violation": frozenset({
        "https://w3id.org/alliance-ld/ontology#Undefined",
        "https://w3id.org/alliance-ld/ontology#undefinedLink",
        "https://w3id.org/alliance-ld/ontology#undefinedValue",
    }),
    "object-property-without-domain-or-range-violation": frozenset({
        "https://w3id.org/alliance-ld/ontology#noDomain",
        "https://w3id.org/alliance-ld/ontology#noRange",
        "https://w3id.org/alliance-ld/ontology#neither",
    }),
    "class-without-axiom-violation": frozenset({
        "https://w3id.org/alliance-ld/ontology#Lonely",
    }),
    "missing-license-violation": frozenset({
        "https://example.org/unlicensed",
    }),
    "missing-ontology-declaration-violation": frozenset({
        "https://w3id.org/alliance-ld/ontology#Thing",
        "https://w3id.org/alliance-ld/ontology#link",
    }),
    "undeclared-inverse-violation": frozenset({
        # The pair (hasB, isBOf) is reported once, the smaller IRI first.
        "https://w3id.org/alliance-ld/ontology#hasB",
    }),
}

#: Every violation query names the OOPS! pitfall it implements, or says it is none.
_PITFALL = re.compile(r"OOPS! P\d\d \(|Not an OOPS! pitfall")

VIOLATION_QUERIES = sorted(QUERIES_DIR.glob("*-violation.rq"))


def _name(path: Path) -> str:
    return path.name.removesuffix(".rq")


def _rows(store: Store, query: Path) -> list[list[str | None]]:
    result = store.query(query.read_text(encoding="utf-8"))
    assert isinstance(result, ox.QuerySolutions), f"{query.name} must be a SELECT query"
    width = len(result.variables)
    return [
        [None if row[i] is None else row[i].value for i in range(width)]  # type: ignore[union-attr]
        for row in result
    ]


def _report(rows: list[list[str | None]]) -> str:
    return "\n".join("  " + " | ".join(str(v) for v in row) for row in rows)


@pytest.fixture(scope="module")
def store() -> Store:
    return load_default()


def test_every_violation_query_has_a_broken_fixture() -> None:
    assert VIOLATION_QUERIES, f"no *-violation.rq in {QUERIES_DIR}"
    assert sorted(_name(p) for p in VIOLATION_QUERIES) == sorted(BROKEN_FIXTURES), (
        "queries/*-violation.rq and BROKEN_FIXTURES must name the same checks"
    )


@pytest.mark.parametrize("query", VIOLATION_QUERIES, ids=_name)
def test_header(query: Path) -> None:
    text = query.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines and lines[0].startswith(f"# {_name(query)}: "), (
        f"first line must be '# {_name(query)}: <what must hold>'"
    )
    header = "\n".join(line for line in lines if line.startswith("#"))
    assert _PITFALL.search(header), "the header names the OOPS! pitfall code it implements"
    body = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    assert re.search(r"\bORDER\s+BY\b", body, re.IGNORECASE), "ORDER BY keeps output stable"


@pytest.mark.parametrize("query", VIOLATION_QUERIES, ids=_name)
def test_no_violations_in_shipped_ontology_and_data(store: Store, query: Path) -> None:
    rows = _rows(store, query)
    assert not rows, f"{query.name} found {len(rows)} violation(s):\n{_report(rows)}"


@pytest.mark.parametrize("query", VIOLATION_QUERIES, ids=_name)
def test_fires_on_broken_fixture(query: Path) -> None:
    fixture = FIXTURES_DIR / f"{_name(query)}.ttl"
    assert fixture.is_file(), f"missing broken fixture {fixture}"
    broken = Store()
    broken.load_file(fixture)
    rows = _rows(broken, query)
    found = {row[0] for row in rows}
    expected = BROKEN_FIXTURES.get(_name(query))
    assert found == expected, f"{query.name} on {fixture.name} returned:\n{_report(rows)}"
