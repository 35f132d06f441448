"""Analysis-ready tables: membership-year, state-year and dyad-year, as CSV on the Web.

Political scientists work with tables of one row per unit and year. These are
derived from the record through the back-end seam (one read of every membership
and designation with the bounds of its dates, one of the obligations of the
alliances' founding treaties) and described by one W3C CSV on the Web metadata
document (``tables.csv-metadata.json``: the column names, titles and datatypes,
the IRI each row is about, the dataset version):

* ``membership-year.csv`` — one row per membership (of an alliance, partnership
  or organisation) and year it was in force at some time in;
* ``state-year.csv`` — one row per nation and year it was a member or designee of
  something: how many alliances, partnerships and designations it held;
* ``dyad-year.csv`` — one row per pair of nations and year in which both were
  members of the same alliance at some time, with those alliances, the kinds of
  obligation (``ald:obligationKind`` of their founding treaties) in force between
  them, and the alliances under which one had suspended its obligations to the
  other (``ald:suspendedBy``: New Zealand and the United States in ANZUS from 1986).

"In force at some time in a year" compares on the bounds of the written dates: a
membership begun by the year's last day (its start's first possible day) and not
ended before its first day. ``certain`` says whether every day the written dates
allow makes it so for the whole year. Years run from the earliest start to the
data's year. Nations carry their ISO 3166-1 alpha-3 code (ISO 3166-3 for states
that no longer exist), from the ``pycountry`` package's copy of the ISO tables,
matched by the nation's English label (four names matched by hand, below), and
their Wikidata id (``skos:exactMatch``).
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from .publication import Publication
from .relationships import Relationship
from .treaties import date_bounds

ALD = "https://w3id.org/alliance-ld/ontology#"
WIKIDATA = "http://www.wikidata.org/entity/"
XSD = "http://www.w3.org/2001/XMLSchema#"

#: Nations whose English label is not a name in the ISO tables.
ISO_BY_HAND = {"Russia": "RUS", "The Bahamas": "BHS", "Soviet Union": "SUN",
               "Czechoslovakia": "CSK"}

_ALL = """
PREFIX ald:  <https://w3id.org/alliance-ld/ontology#>
PREFIX org:  <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX time: <http://www.w3.org/2006/time#>
SELECT ?relationship ?kind ?holder ?holderLabel ?wikidata ?with ?withLabel ?withKind
       ?start ?s0 ?s1 ?end ?e0 ?e1 WHERE {
  { ?relationship org:member ?holder ; org:organization ?with . BIND ("membership" AS ?kind)
    OPTIONAL { ?with a ?withKind FILTER (?withKind IN (ald:Alliance, ald:Partnership)) } }
  UNION
  { ?relationship ald:designee ?holder ; ald:designation ?with . BIND ("designation" AS ?kind) }
  ?holder a ald:Nation .
  ?relationship ald:startDate ?start .
  ?si time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear ?start ;
      ald:earliestDate ?s0 ; ald:latestDate ?s1 .
  OPTIONAL { ?relationship ald:endDate ?end .
             ?ei time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear ?end ;
                 ald:earliestDate ?e0 ; ald:latestDate ?e1 }
  OPTIONAL { ?holder rdfs:label ?holderLabel FILTER (langMatches(lang(?holderLabel), "en")) }
  OPTIONAL { ?holder skos:exactMatch ?wikidata
             FILTER (STRSTARTS(STR(?wikidata), "http://www.wikidata.org/entity/")) }
  OPTIONAL { ?with rdfs:label ?withLabel FILTER (langMatches(lang(?withLabel), "en")) }
}"""
_OBLIGATIONS = """
PREFIX ald: <https://w3id.org/alliance-ld/ontology#>
SELECT DISTINCT ?alliance ?obligationKind WHERE {
  ?alliance a ald:Alliance ; ald:foundedOn ?treaty .
  ?treaty ald:hasObligation ?obligation .
  ?obligation ald:obligationKind ?obligationKind .
}"""
_SUSPENDED = """
PREFIX ald: <https://w3id.org/alliance-ld/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
SELECT DISTINCT ?alliance ?member ?by ?since WHERE {
  ?membership ald:suspendedOn ?since ; ald:suspendedBy ?by ;
              org:member ?member ; org:organization ?alliance .
  ?alliance a ald:Alliance .
}"""


@dataclass(frozen=True)
class Row:
    """One membership or designation of a nation, with what the tables need."""

    relationship: Relationship
    holder: str
    holder_label: str
    wikidata: str
    with_kind: str  # "alliance", "partnership", "organisation" or "designation"
    with_label: str


def iso3(label: str) -> str:
    """The ISO 3166-1 (or 3166-3) alpha-3 code of a nation named ``label``; "" if none."""
    import pycountry

    if label in ISO_BY_HAND:
        return ISO_BY_HAND[label]
    for table in (pycountry.countries, pycountry.historic_countries):
        try:
            return str(table.lookup(label).alpha_3)
        except LookupError:
            continue
    return ""


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value is not None else None
    except ValueError:
        return None


def read(publication: Publication) -> list[Row]:
    found: dict[tuple[str, str], Row] = {}
    for r in publication.backend.select(_ALL, default_graphs=publication.document_graphs):
        s0, s1 = _day(r.get("s0")), _day(r.get("s1"))
        if s0 is None or s1 is None:
            continue
        e0, e1 = _day(r.get("e0")), _day(r.get("e1"))
        if r.get("end") is not None and (e0 is None or e1 is None):
            continue  # an end that cannot be placed in time
        kind = str(r["kind"])
        with_kind = ("designation" if kind == "designation"
                     else {ALD + "Alliance": "alliance", ALD + "Partnership": "partnership"}.get(
                         str(r.get("withKind")), "organisation"))
        key = (str(r["relationship"]), str(r["holder"]))
        if key in found and found[key].with_kind == "alliance":
            continue
        relationship = Relationship(
            str(r["relationship"]), kind, str(r["with"]), _text(r.get("withLabel")),
            str(r["start"]), (s0, s1), None, None, _text(r.get("end")),
            (e0, e1) if e0 and e1 else None, None, None)
        wikidata = str(r.get("wikidata") or "")
        found[key] = Row(relationship, str(r["holder"]), _text(r.get("holderLabel")) or "",
                         wikidata[len(WIKIDATA):] if wikidata.startswith(WIKIDATA) else "",
                         with_kind, _text(r.get("withLabel")) or "")
    return sorted(found.values(), key=lambda x: (x.relationship.iri, x.holder))


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def years_in_force(r: Relationship, last_year: int) -> list[tuple[int, bool]]:
    """The years ``r`` was in force at some time in, each with whether it certainly was
    for the whole year."""
    assert r.start_bounds is not None
    s0, s1 = r.start_bounds
    out = []
    for year in range(s0.year, last_year + 1):
        first, last = date(year, 1, 1), date(year, 12, 31)
        if s0 > last or (r.end_bounds is not None and r.end_bounds[1] <= first):
            continue
        certain = s1 <= first and (r.end_bounds is None or r.end_bounds[0] > last)
        out.append((year, certain))
    return out


#: The most rows the dyad-year table may have. A nation pair per alliance and year grows
#: with the square of an alliance's size: the shipped record gives 16,635 rows, but the
#: synthetic graphs of bench/ (alliances of some 60 members) give millions, and building
#: them took the server past 1 GB at 100k triples (each pair-year is a key, a set and a
#: row in memory before it is written). Above the limit the table is left out, and
#: /downloads says why and how many rows it would have had.
DYAD_ROWS_MAX = 200_000


@dataclass(frozen=True)
class Csv:
    """A table's header and rows, written as RFC 4180 CSV (as CSVW expects) a chunk of rows
    at a time: at a million rows the text at once would be hundreds of MB more."""

    header: tuple[str, ...]
    rows: list[tuple[Any, ...]]

    def chunks(self, rows_per_chunk: int = 20_000) -> Iterator[bytes]:
        """UTF-8 bytes, each chunk ending at the end of a row."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.header)
        for number, row in enumerate(self.rows, 1):
            writer.writerow(row)
            if number % rows_per_chunk == 0:
                yield out.getvalue().encode("utf-8")
                out.seek(0)
                out.truncate()
        yield out.getvalue().encode("utf-8")

    @property
    def text(self) -> str:
        return b"".join(self.chunks()).decode("utf-8")


@dataclass(frozen=True)
class Tables:
    """The tables and their CSVW metadata (JSON text); ``dyad_year`` is None when it would
    exceed :data:`DYAD_ROWS_MAX` rows (``note`` says so)."""

    membership_year: Csv
    state_year: Csv
    dyad_year: Csv | None
    metadata: str
    note: str = ""

    def files(self) -> Iterator[tuple[str, str, str, int, Iterator[bytes]]]:
        """Each file that was built: (name, media type, title, rows, its bytes in chunks)."""
        bodies = (self.membership_year, self.state_year, self.dyad_year, self.metadata)
        for (name, media_type, title), body in zip(FILES, bodies, strict=True):
            if isinstance(body, str):  # the metadata
                yield name, media_type, title, 0, iter([body.encode("utf-8")])
            elif body is not None:  # a table, written a chunk of rows at a time
                yield name, media_type, title, len(body.rows), body.chunks()


#: The files of the tables, in the order of :meth:`Tables.files`: name, media type, title.
FILES = (
    ("membership-year.csv", "text/csv; charset=utf-8", "Membership-year table (CSV)"),
    ("state-year.csv", "text/csv; charset=utf-8", "State-year table (CSV)"),
    ("dyad-year.csv", "text/csv; charset=utf-8", "Dyad-year table (CSV)"),
    ("tables.csv-metadata.json", "application/csvm+json", "The tables' CSV on the Web metadata"),
)


MEMBERSHIP_YEAR = ("membership", "organisation", "organisation_label", "organisation_kind",
                   "nation", "nation_label", "iso3", "wikidata", "year", "certain")
STATE_YEAR = ("nation", "nation_label", "iso3", "wikidata", "year", "alliances",
              "partnerships", "organisations", "designations")
DYAD_YEAR = ("nation_a", "iso3_a", "nation_b", "iso3_b", "year", "alliances",
             "obligation_kinds", "suspended", "certain")


def build(publication: Publication, base: str, version: str) -> Tables:
    """The tables of ``publication``; ``base`` is where they are served (for the metadata)."""
    rows = read(publication)
    last_year = publication.last_modified.year
    codes = {r.holder: iso3(r.holder_label) for r in rows}
    membership_rows = []
    state: dict[tuple[str, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    in_alliance: dict[tuple[str, int], dict[str, bool]] = defaultdict(dict)
    for r in rows:
        for year, certain in years_in_force(r.relationship, last_year):
            state[r.holder, year][r.with_kind] += 1
            if r.with_kind != "designation":
                membership_rows.append((r.relationship.iri, r.relationship.party, r.with_label,
                                        r.with_kind, r.holder, r.holder_label,
                                        codes[r.holder], r.wikidata, year,
                                        "true" if certain else "false"))
            if r.with_kind == "alliance":
                previous = in_alliance[r.relationship.party, year].get(r.holder, False)
                in_alliance[r.relationship.party, year][r.holder] = previous or certain
    labels = {r.holder: r.holder_label for r in rows}
    wikidata = {r.holder: r.wikidata for r in rows}
    state_rows = [(nation, labels[nation], codes[nation], wikidata[nation], year,
                   counts.get("alliance", 0), counts.get("partnership", 0),
                   counts.get("organisation", 0), counts.get("designation", 0))
                  for (nation, year), counts in sorted(state.items())]
    obligations: dict[str, set[str]] = defaultdict(set)
    for found in publication.backend.select(_OBLIGATIONS,
                                            default_graphs=publication.document_graphs):
        obligations[str(found["alliance"])].add(
            str(found["obligationKind"]).rsplit("#", 1)[-1])
    bound = sum(len(m) * (len(m) - 1) // 2 for m in in_alliance.values())
    if bound > DYAD_ROWS_MAX:
        note = (f"The dyad-year table is not built for this data: it would have up to "
                f"{bound:,} rows, above the limit of {DYAD_ROWS_MAX:,}.")
        return Tables(Csv(MEMBERSHIP_YEAR, membership_rows), Csv(STATE_YEAR, state_rows),
                      None, metadata(base, version, dyads=False), note)
    dyads: dict[tuple[str, str, int], tuple[set[str], bool]] = {}
    for (alliance, year), members in in_alliance.items():
        nations = sorted(members)
        for i, a in enumerate(nations):
            for b in nations[i + 1:]:
                held, certain = dyads.get((a, b, year), (set(), False))
                held.add(alliance)
                dyads[a, b, year] = (held, certain or (members[a] and members[b]))
    # A suspension (ald:suspendedBy/ald:suspendedOn) is between one pair of an alliance's
    # members: from its year on the alliance is listed as suspended for the pair, and
    # after that year its obligations are no longer in force between them.
    suspended: dict[tuple[str, str, str], int] = {}
    for found in publication.backend.select(_SUSPENDED,
                                            default_graphs=publication.document_graphs):
        since = date_bounds(str(found["since"]))
        if since is not None:
            a, b = sorted((str(found["member"]), str(found["by"])))
            suspended[a, b, str(found["alliance"])] = since[0].year

    def dyad_row(a: str, b: str, year: int, held: set[str], certain: bool) -> tuple[Any, ...]:
        off = {al for al in held if suspended.get((a, b, al), year + 1) <= year}
        binding = {al for al in held if suspended.get((a, b, al), year + 1) >= year}
        kinds = sorted({k for al in binding for k in obligations.get(al, ())})
        return (a, codes[a], b, codes[b], year, ";".join(sorted(held)), ";".join(kinds),
                ";".join(sorted(off)), "true" if certain else "false")

    dyad_rows = [dyad_row(a, b, year, held, certain)
                 for (a, b, year), (held, certain) in sorted(dyads.items())]
    return Tables(Csv(MEMBERSHIP_YEAR, membership_rows), Csv(STATE_YEAR, state_rows),
                  Csv(DYAD_YEAR, dyad_rows), metadata(base, version))


def metadata(base: str, version: str, dyads: bool = True) -> str:
    """The CSV on the Web metadata of the tables (``tables.csv-metadata.json``); without
    the dyad-year table when it was not built."""
    iri = {"datatype": "anyURI"}

    def columns(spec: list[tuple[str, str, dict[str, Any]]]) -> list[dict[str, Any]]:
        return [{"name": name, "titles": name, "dc:description": text, **extra}
                for name, text, extra in spec]

    nation = [("iso3", "ISO 3166-1 alpha-3 code (ISO 3166-3 for a former state)",
               {"datatype": "string"}),
              ("wikidata", "Wikidata item id", {"datatype": "string"})]
    tables = [
        {"url": "membership-year.csv",
         "dc:title": "Membership-year: one row per membership and year in force",
         "tableSchema": {"columns": columns([
             ("membership", "the membership", iri),
             ("organisation", "the alliance, partnership or organisation", iri),
             ("organisation_label", "its English label", {"datatype": "string"}),
             ("organisation_kind", "alliance, partnership or organisation",
              {"datatype": "string"}),
             ("nation", "the member nation", iri),
             ("nation_label", "its English label", {"datatype": "string"}),
             *nation,
             ("year", "a year the membership was in force at some time in",
              {"datatype": "gYear"}),
             ("certain", "whether it certainly was for the whole year",
              {"datatype": "boolean"})]),
             "primaryKey": ["membership", "year"], "aboutUrl": "{+membership}"}},
        {"url": "state-year.csv",
         "dc:title": "State-year: what a nation held in a year",
         "tableSchema": {"columns": columns([
             ("nation", "the nation", iri),
             ("nation_label", "its English label", {"datatype": "string"}),
             *nation,
             ("year", "the year", {"datatype": "gYear"}),
             ("alliances", "alliances it was a member of at some time in the year",
              {"datatype": "integer"}),
             ("partnerships", "partnerships likewise", {"datatype": "integer"}),
             ("organisations", "other organisations likewise", {"datatype": "integer"}),
             ("designations", "designations (such as major non-NATO ally) likewise",
              {"datatype": "integer"})]),
             "primaryKey": ["nation", "year"], "aboutUrl": "{+nation}"}},
        {"url": "dyad-year.csv",
         "dc:title": "Dyad-year: pairs of nations in the same alliance in a year",
         "tableSchema": {"columns": columns([
             ("nation_a", "the first nation (the lesser IRI)", iri),
             ("iso3_a", "its ISO code", {"datatype": "string"}),
             ("nation_b", "the second nation", iri),
             ("iso3_b", "its ISO code", {"datatype": "string"}),
             ("year", "the year", {"datatype": "gYear"}),
             ("alliances", "the alliances both were members of (IRIs, ';'-separated)",
              {"datatype": "string", "separator": ";"}),
             ("obligation_kinds", "the kinds of obligation in force between the two under "
              "those alliances' founding treaties (ald: local names, ';'-separated)",
              {"datatype": "string", "separator": ";"}),
             ("suspended", "those of the alliances under which one of the two had suspended "
              "its obligations to the other by the year (IRIs, ';'-separated); their "
              "obligations count in the year of the suspension, not after",
              {"datatype": "string", "separator": ";"}),
             ("certain", "whether both memberships in one of them certainly held for the "
              "whole year", {"datatype": "boolean"})]),
             "primaryKey": ["nation_a", "nation_b", "year"]}},
    ]
    if not dyads:
        tables = [t for t in tables if t["url"] != "dyad-year.csv"]
    document = {
        "@context": ["http://www.w3.org/ns/csvw", {"@language": "en"}],
        "@id": base + "tables.csv-metadata.json",
        "dc:title": "alliance-ld: analysis-ready tables",
        "dc:hasVersion": version,
        "dc:license": {"@id": "https://creativecommons.org/licenses/by/4.0/"},
        "tables": tables,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
