"""The calendar (``data/calendar.ttl``): precision and bounds of every written date.

Dates are written as the sources give them: ``xsd:date``, or ``xsd:gYearMonth``
and ``xsd:gYear`` when only the month or the year is known. A filter on full
dates compares values of different datatypes, which SPARQL treats as an error,
so a year or a month is silently dropped. Each written date therefore has a
``time:Instant`` with its precision and the first and last day it can mean, and
queries compare on those ``xsd:date`` bounds.
"""

from __future__ import annotations

import calendar
from datetime import date

import pyoxigraph as ox
import rdflib
from rdflib.namespace import XSD

from alliance_ld.resources import DATA_DIR
from alliance_ld.store import Store

TIME = rdflib.Namespace("http://www.w3.org/2006/time#")
ALD = rdflib.Namespace("https://w3id.org/alliance-ld/ontology#")
ID = "https://w3id.org/alliance-ld/id/"
WRITTEN = {
    TIME.inXSDDate: XSD.date,
    TIME.inXSDgYearMonth: XSD.gYearMonth,
    TIME.inXSDgYear: XSD.gYear,
}
PRECISION = {XSD.date: TIME.unitDay, XSD.gYearMonth: TIME.unitMonth, XSD.gYear: TIME.unitYear}
PREFIXES = """
PREFIX ald: <https://w3id.org/alliance-ld/ontology#>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


def _expected_bounds(written: str, datatype: rdflib.URIRef) -> tuple[date, date]:
    if datatype == XSD.date:
        day = date.fromisoformat(written)
        return day, day
    if datatype == XSD.gYearMonth:
        year, month = map(int, written.split("-"))
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    year = int(written)
    return date(year, 1, 1), date(year, 12, 31)


def _calendar() -> rdflib.Graph:
    return rdflib.Graph().parse(DATA_DIR / "calendar.ttl", format="turtle")


def test_every_instant_has_exact_precision_and_bounds() -> None:
    graph = _calendar()
    instants = set(graph.subjects(rdflib.RDF.type, TIME.Instant))
    assert instants
    for instant in instants:
        values = [
            (o, WRITTEN[p])
            for p, o in graph.predicate_objects(instant)
            if isinstance(p, rdflib.URIRef) and p in WRITTEN
        ]
        assert len(values) == 1, instant
        written, datatype = values[0]
        assert isinstance(written, rdflib.Literal) and written.datatype == datatype
        assert str(instant) == f"{ID}instant/{written}"
        assert graph.value(instant, ALD.precision) == PRECISION[datatype]
        earliest, latest = _expected_bounds(str(written), datatype)
        assert graph.value(instant, ALD.earliestDate) == rdflib.Literal(earliest, datatype=XSD.date)
        assert graph.value(instant, ALD.latestDate) == rdflib.Literal(latest, datatype=XSD.date)


def test_the_calendar_has_one_entry_per_written_date_and_no_other() -> None:
    data = rdflib.Graph()
    for path in DATA_DIR.glob("*.ttl"):
        if path.name != "calendar.ttl":
            data.parse(path, format="turtle")
    written = {
        o for o in data.objects() if isinstance(o, rdflib.Literal) and o.datatype in PRECISION
    }
    graph = _calendar()
    entries = {o for p in WRITTEN for o in graph.objects(None, p)}
    assert entries == written, "run scripts/make_calendar.py"


def test_leap_february_ends_on_the_29th() -> None:
    assert _expected_bounds("2024-02", XSD.gYearMonth)[1] == date(2024, 2, 29)
    assert _expected_bounds("2022-02", XSD.gYearMonth)[1] == date(2022, 2, 28)


def _starts(store: Store, where: str) -> set[str]:
    result = store.query(PREFIXES + f"SELECT ?thing WHERE {{ {where} }}")
    assert isinstance(result, ox.QuerySolutions)
    return {s[0].value for s in result if s[0] is not None}


def test_a_filter_on_bounds_keeps_the_year_and_the_month_that_a_filter_on_dates_drops(
    store: Store,
) -> None:
    spp = ID + "partnership/state-partnership-program"  # "1993"^^xsd:gYear
    forces = ID + "contribution/us-additional-forces-since-2022"  # "2022-02"^^xsd:gYearMonth
    naive = _starts(store, '?thing ald:startDate ?d FILTER (?d >= "1990-01-01"^^xsd:date)')
    assert spp not in naive and forces not in naive
    bounded = _starts(
        store,
        """
        ?thing ald:startDate ?d .
        ?i time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear ?d ; ald:earliestDate ?e .
        FILTER (?e >= "1990-01-01"^^xsd:date)""",
    )
    assert {spp, forces} <= bounded
    assert naive < bounded
