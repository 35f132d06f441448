"""Memberships and designations with their dates, and the view of them as of a date.

An organisation's page lists its members, and a nation's page its memberships and
designations, each with its start and end as written (a day, a month or a year),
the event each stands for (``ald:startEvent`` / ``ald:endEvent``) and the bounds of
every written date (``ald:earliestDate`` / ``ald:latestDate`` of the calendar
instant with that value, ``data/calendar.ttl``). One ``SELECT`` through the back-end
seam reads them all (:func:`members`, :func:`relationships`).

:func:`as_of` keeps those in force at a moment: a day (``1991-07-01``) or a year
(``1991``, the whole year). A relationship is in force from its start and no
longer on its end date. It is ``certain`` when every day the written dates (and,
for a year, every day of the year) allow makes it so, and ``uncertain`` when only
some do: a date inside the precision of a year-only start says so rather than
guessing. :func:`changes` lists the days on which something begins or ends, for
the links to the previous and the next change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from rdflib.term import Literal, URIRef

from .describe import DCTERMS, FOAF, RDF_TYPE, Description, Statement, document_iri
from .errors import InputError, shown_input
from .publication import Publication

ALD = "https://w3id.org/alliance-ld/ontology#"
ORG = "http://www.w3.org/ns/org#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"

_ROWS = """
PREFIX ald:  <https://w3id.org/alliance-ld/ontology#>
PREFIX org:  <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX time: <http://www.w3.org/2006/time#>
SELECT ?relationship ?kind ?party ?partyLabel ?start ?s0 ?s1 ?startEvent ?startEventLabel
       ?end ?e0 ?e1 ?endEvent ?endEventLabel
WHERE {{
  {pattern}
  OPTIONAL {{ ?relationship ald:startDate ?start .
             OPTIONAL {{ ?si time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear ?start ;
                           ald:earliestDate ?s0 ; ald:latestDate ?s1 }} }}
  OPTIONAL {{ ?relationship ald:endDate ?end .
             OPTIONAL {{ ?ei time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear ?end ;
                           ald:earliestDate ?e0 ; ald:latestDate ?e1 }} }}
  OPTIONAL {{ ?relationship ald:startEvent ?startEvent
             OPTIONAL {{ ?startEvent rdfs:label ?startEventLabel
                        FILTER (langMatches(lang(?startEventLabel), "en")) }} }}
  OPTIONAL {{ ?relationship ald:endEvent ?endEvent
             OPTIONAL {{ ?endEvent rdfs:label ?endEventLabel
                        FILTER (langMatches(lang(?endEventLabel), "en")) }} }}
  OPTIONAL {{ ?party rdfs:label ?partyLabel FILTER (langMatches(lang(?partyLabel), "en")) }}
}}"""
_OF_ORGANISATION = ("?relationship org:organization <{iri}> ; org:member ?party . "
                    'BIND ("membership" AS ?kind)')
_OF_NATION = ("{{ ?relationship org:member <{iri}> ; org:organization ?party . "
              'BIND ("membership" AS ?kind) }} UNION '
              "{{ ?relationship ald:designee <{iri}> ; ald:designation ?party . "
              'BIND ("designation" AS ?kind) }}')
_OF_AGREEMENT = ("?organisation ald:foundedOn <{iri}> . "
                 "?relationship org:organization ?organisation ; org:member ?party . "
                 'BIND ("membership" AS ?kind)')


@dataclass(frozen=True)
class Relationship:
    """A membership (or a designation): who or what with, and when, as written."""

    iri: str
    kind: str  # "membership" or "designation"
    party: str  # the member (on an organisation's page) or the organisation/designation
    party_label: str | None
    start: str | None  # as written: 1949-08-24, 2022-02 or 1993
    start_bounds: tuple[date, date] | None  # first and last day it can mean
    start_event: str | None
    start_event_label: str | None
    end: str | None
    end_bounds: tuple[date, date] | None
    end_event: str | None
    end_event_label: str | None
    status: str = ""  # in a view as of a date: "certain" or "uncertain"


@dataclass(frozen=True)
class Moment:
    """What ``?as_of=`` names: a day, or a whole year; ``first``..``last`` inclusive."""

    text: str
    first: date
    last: date

    @property
    def is_day(self) -> bool:
        return self.first == self.last


def parse_moment(value: str) -> Moment:
    """``YYYY-MM-DD`` or ``YYYY``; :class:`InputError` (a 400) naming what is expected."""
    if re.fullmatch(r"[0-9]{4}", value):
        year = int(value)
        if year >= 1:
            return Moment(value, date(year, 1, 1), date(year, 12, 31))
    elif re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        try:
            day = date.fromisoformat(value)
        except ValueError as exc:
            raise InputError(f"as_of: {shown_input(value)} is not a date ({exc})") from exc
        return Moment(value, day, day)
    raise InputError(f"as_of: expected a day (YYYY-MM-DD) or a year (YYYY), got "
                     f"{shown_input(value)}")


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value is not None else None
    except ValueError:
        return None


def _bounds(low: object, high: object) -> tuple[date, date] | None:
    first, last = _day(low), _day(high)
    return (first, last) if first is not None and last is not None else None


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _read(publication: Publication, pattern: str) -> list[Relationship]:
    rows = publication.backend.select(_ROWS.format(pattern=pattern),
                                      default_graphs=publication.document_graphs)
    found: dict[str, Relationship] = {}
    for row in rows:
        iri = str(row["relationship"])
        if iri in found:  # a second label or bound: the first one read is kept
            continue
        found[iri] = Relationship(
            iri, str(row["kind"]), str(row["party"]), _text(row.get("partyLabel")),
            _text(row.get("start")), _bounds(row.get("s0"), row.get("s1")),
            _text(row.get("startEvent")), _text(row.get("startEventLabel")),
            _text(row.get("end")), _bounds(row.get("e0"), row.get("e1")),
            _text(row.get("endEvent")), _text(row.get("endEventLabel")))
    return sorted(found.values(), key=lambda r: (
        r.start_bounds[0] if r.start_bounds else date.max, (r.party_label or r.party).lower()))


def members(publication: Publication, organisation: str) -> list[Relationship]:
    """The memberships of ``organisation`` (an alliance, partnership or organisation)."""
    return _read(publication, _OF_ORGANISATION.format(iri=organisation))


def relationships(publication: Publication, nation: str) -> list[Relationship]:
    """The memberships and designations of ``nation``."""
    return _read(publication, _OF_NATION.format(iri=nation))


def parties(publication: Publication, agreement: str) -> list[Relationship]:
    """The memberships of the alliances founded on ``agreement``: its parties, dated."""
    return _read(publication, _OF_AGREEMENT.format(iri=agreement))


def as_of(rows: list[Relationship], moment: Moment) -> list[Relationship]:
    """The relationships in force at ``moment``, each ``certain`` or ``uncertain``.

    One without a start date, or whose dates have no calendar bounds, cannot be
    placed in time and is left out.
    """
    kept = []
    for r in rows:
        if r.start_bounds is None or (r.end is not None and r.end_bounds is None):
            continue
        possible = r.start_bounds[0] <= moment.last and (
            r.end_bounds is None or r.end_bounds[1] > moment.first)
        if not possible:
            continue
        certain = r.start_bounds[1] <= moment.first and (
            r.end_bounds is None or r.end_bounds[0] > moment.last)
        kept.append(replace(r, status="certain" if certain else "uncertain"))
    return kept


def changes(rows: list[Relationship]) -> list[date]:
    """Every first day on which one of ``rows`` begins or ends, in order."""
    days = {b[0] for r in rows for b in (r.start_bounds, r.end_bounds) if b is not None}
    return sorted(days)


def neighbours(days: list[date], moment: Moment) -> tuple[date | None, date | None]:
    """The last change before ``moment`` and the first after it."""
    before = [d for d in days if d < moment.first]
    after = [d for d in days if d > moment.last]
    return (before[-1] if before else None, after[0] if after else None)


def as_of_triples(publication: Publication, description: Description,
                  in_force: list[Relationship], moment: Moment,
                  document: str, also: tuple[str, ...] = ()) -> list[Statement]:
    """The RDF of the view as of ``moment``: what the view is, and the triples of every
    relationship in force then (and of the resources ``also`` names: the agreements in
    force, their obligations, the suspensions in effect), with the labels of the
    parties (one read)."""
    doc = URIRef(publication.rewriter.to_canonical(document))
    datatype = XSD + ("date" if moment.is_day else "gYear")
    out = [
        Statement(doc, URIRef(RDF_TYPE), URIRef(FOAF + "Document")),
        Statement(doc, URIRef(FOAF + "primaryTopic"), URIRef(description.iri)),
        Statement(doc, URIRef(DCTERMS + "temporal"), Literal(moment.text,
                                                             datatype=URIRef(datatype))),
        Statement(doc, URIRef(DCTERMS + "isVersionOf"),
                  URIRef(document_iri(publication, description.iri[
                      len(publication.settings.base_iri):]))),
        *(t for t in description.triples if t.subject == URIRef(description.iri)
          and str(t.predicate) in (RDF_TYPE, RDFS_LABEL)),
    ]
    shown = [r.iri for r in in_force] + list(also)
    if shown:
        values = " ".join(f"<{iri}>" for iri in dict.fromkeys(shown))
        query = ("CONSTRUCT { ?r ?p ?o . ?party <" + RDFS_LABEL + "> ?label } WHERE { "
                 f"VALUES ?r {{ {values} }} ?r ?p ?o "
                 "OPTIONAL { { ?r <" + ORG + "member> ?party } UNION { ?r <" + ORG
                 + "organization> ?party } UNION { ?r <" + ALD + "designation> ?party } "
                 "?party <" + RDFS_LABEL + "> ?label } }")
        out.extend(Statement(*t) for t in publication.backend.construct(
            query, default_graphs=publication.document_graphs))
    return sorted(set(out), key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
