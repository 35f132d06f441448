"""Agreements with their dates and obligations, and which of them were in force at a moment.

A treaty's page, an alliance's page (its founding agreements) and a nation's page
(the agreements it is a party to) list agreements with the dates that give them
force: signature (``ald:signedOn``), entry into force (``ald:enteredIntoForceOn``),
termination (``ald:terminatedOn``) and replacement (``ald:supersededBy``, whose
successor's entry into force is when the replacement can first have happened),
and the obligations each carries (``ald:hasObligation``, coded by kind). One
``SELECT`` through the back-end seam reads them (:func:`agreements`).

:func:`in_force` uses the time semantics of :mod:`.relationships`: an agreement is
in force from its entry into force and no longer on its termination; a date
written as a year or a month stands for every day it contains, so a moment inside
it is ``uncertain``. Where the record cannot settle the question it says so, and
why, rather than guessing: an agreement whose entry into force is not recorded is
``uncertain`` from its signature on, and one superseded by a successor but with no
recorded termination is ``uncertain`` from the successor's entry into force on.

:func:`suspensions` lists the suspensions of obligations between parties (for
example the United States' suspension of its ANZUS obligations to New Zealand in
1986): the membership whose obligations are suspended, by whom, and since when.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date

from .publication import Publication
from .relationships import Moment

ALD = "https://w3id.org/alliance-ld/ontology#"

#: The classes whose pages list the agreement itself as of a date.
AGREEMENT_TYPES = frozenset(ALD + t for t in (
    "Agreement", "Treaty", "BinationalDefenceAgreement", "DefenceCooperationAgreement",
    "MemorandumOfUnderstanding"))

_SELECT = """
PREFIX ald:  <https://w3id.org/alliance-ld/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?agreement ?label ?signed ?inForce ?terminated ?successor ?successorLabel
       ?successorInForce ?obligation ?obligationLabel ?kind ?kindLabel ?article
       ?obligationSuspended
WHERE {{
  {pattern}
  OPTIONAL {{ ?agreement rdfs:label ?label FILTER (langMatches(lang(?label), "en")) }}
  OPTIONAL {{ ?agreement ald:signedOn ?signed }}
  OPTIONAL {{ ?agreement ald:enteredIntoForceOn ?inForce }}
  OPTIONAL {{ ?agreement ald:terminatedOn ?terminated }}
  OPTIONAL {{ ?agreement ald:supersededBy ?successor
             OPTIONAL {{ ?successor rdfs:label ?successorLabel
                        FILTER (langMatches(lang(?successorLabel), "en")) }}
             OPTIONAL {{ ?successor ald:enteredIntoForceOn ?successorInForce }} }}
  OPTIONAL {{ ?agreement ald:hasObligation ?obligation
             OPTIONAL {{ ?obligation rdfs:label ?obligationLabel
                        FILTER (langMatches(lang(?obligationLabel), "en")) }}
             OPTIONAL {{ ?obligation ald:obligationKind ?kind
                        OPTIONAL {{ ?kind rdfs:label ?kindLabel
                                   FILTER (langMatches(lang(?kindLabel), "en")) }} }}
             OPTIONAL {{ ?obligation ald:articleReference ?article }}
             OPTIONAL {{ ?obligation ald:suspendedOn ?obligationSuspended }} }}
}}"""
_ITSELF = "VALUES ?agreement {{ <{iri}> }}"
_FOUNDING = "<{iri}> ald:foundedOn ?agreement ."
_PARTY_TO = "?agreement ald:hasParty <{iri}> ."

_SUSPENSIONS = """
PREFIX ald:  <https://w3id.org/alliance-ld/ontology#>
PREFIX org:  <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?membership ?member ?memberLabel ?organisation ?organisationLabel ?by ?byLabel
       ?since
WHERE {{
  ?membership ald:suspendedOn ?since ; org:member ?member ; org:organization ?organisation .
  OPTIONAL {{ ?membership ald:suspendedBy ?by
             OPTIONAL {{ ?by rdfs:label ?byLabel FILTER (langMatches(lang(?byLabel), "en")) }} }}
  {pattern}
  OPTIONAL {{ ?member rdfs:label ?memberLabel FILTER (langMatches(lang(?memberLabel), "en")) }}
  OPTIONAL {{ ?organisation rdfs:label ?organisationLabel
             FILTER (langMatches(lang(?organisationLabel), "en")) }}
}}"""


def date_bounds(text: str | None) -> tuple[date, date] | None:
    """The first and last day a date written as ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``
    can mean; ``None`` for anything else."""
    if text is None:
        return None
    found = re.fullmatch(r"(-?[0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?", text)
    if found is None:
        return None
    try:
        year = int(found.group(1))
        if found.group(3):
            day = date.fromisoformat(text)
            return day, day
        if found.group(2):
            month = int(found.group(2))
            return (date(year, month, 1),
                    date(year, month, calendar.monthrange(year, month)[1]))
        return date(year, 1, 1), date(year, 12, 31)
    except ValueError:
        return None


@dataclass(frozen=True)
class Obligation:
    """One obligation an agreement carries, coded by kind (defence, consultation, …)."""

    iri: str
    label: str | None
    kind: str | None
    kind_label: str | None
    article: str | None
    suspended: str | None  # the date the obligation itself was suspended, if it was


@dataclass(frozen=True)
class Agreement:
    """An agreement with the dates that give it force, as written, and its obligations."""

    iri: str
    label: str | None
    signed: str | None
    in_force: str | None
    terminated: str | None
    successor: str | None
    successor_label: str | None
    successor_in_force: str | None
    obligations: tuple[Obligation, ...]
    status: str = ""  # as of a moment: "certain" or "uncertain"
    reason: str = ""  # why an "uncertain" agreement is so

    @property
    def in_force_bounds(self) -> tuple[date, date] | None:
        return date_bounds(self.in_force)

    @property
    def terminated_bounds(self) -> tuple[date, date] | None:
        return date_bounds(self.terminated)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _read(publication: Publication, pattern: str) -> list[Agreement]:
    rows = publication.backend.select(_SELECT.format(pattern=pattern),
                                      default_graphs=publication.document_graphs)
    heads: dict[str, Agreement] = {}
    obligations: dict[str, dict[str, Obligation]] = {}
    for row in rows:
        iri = str(row["agreement"])
        heads.setdefault(iri, Agreement(
            iri, _text(row.get("label")), _text(row.get("signed")), _text(row.get("inForce")),
            _text(row.get("terminated")), _text(row.get("successor")),
            _text(row.get("successorLabel")), _text(row.get("successorInForce")), ()))
        found = obligations.setdefault(iri, {})
        if row.get("obligation") is not None and str(row["obligation"]) not in found:
            found[str(row["obligation"])] = Obligation(
                str(row["obligation"]), _text(row.get("obligationLabel")),
                _text(row.get("kind")), _text(row.get("kindLabel")), _text(row.get("article")),
                _text(row.get("obligationSuspended")))
    out = [replace(a, obligations=tuple(sorted(obligations[a.iri].values(),
                                               key=lambda o: (o.label or o.iri))))
           for a in heads.values()]
    return sorted(out, key=lambda a: (
        (date_bounds(a.in_force) or date_bounds(a.signed) or (date.max, date.max))[0],
        (a.label or a.iri).lower()))


def agreements(publication: Publication, iri: str, kind: str) -> list[Agreement]:
    """The agreements a page lists: ``kind`` is ``"agreement"`` (the page's own),
    ``"organisation"`` (its founding agreements) or ``"nation"`` (those it is party to)."""
    pattern = {"agreement": _ITSELF, "organisation": _FOUNDING, "nation": _PARTY_TO}[kind]
    return _read(publication, pattern.format(iri=iri))


def in_force(rows: list[Agreement], moment: Moment) -> list[Agreement]:
    """The agreements that were (or may have been) in force at ``moment``, each
    ``certain`` or ``uncertain`` with the reason."""
    kept = []
    for a in rows:
        start = a.in_force_bounds
        reason = ""
        if start is None:
            signed = date_bounds(a.signed)
            if signed is None or signed[0] > moment.last:
                continue
            kept.append(replace(a, status="uncertain",
                                reason="signed, but its entry into force is not recorded"))
            continue
        end = a.terminated_bounds
        if start[0] > moment.last or (end is not None and end[1] <= moment.first):
            continue
        certain = start[1] <= moment.first and (end is None or end[0] > moment.last)
        if not certain:
            reason = "a date the record gives only to the year or month"
        replaced = date_bounds(a.successor_in_force)
        if end is None and a.successor is not None and (
                replaced is None or replaced[0] <= moment.last):
            certain = False
            reason = ("superseded by its successor, and the day it ceased to be in force "
                      "is not recorded")
        kept.append(replace(a, status="certain" if certain else "uncertain", reason=reason))
    return kept


def changes(rows: list[Agreement]) -> list[date]:
    """Every first day on which one of ``rows`` enters into force or ends."""
    days = set()
    for a in rows:
        for bounds in (a.in_force_bounds, a.terminated_bounds):
            if bounds is not None:
                days.add(bounds[0])
    return sorted(days)


@dataclass(frozen=True)
class Suspension:
    """A membership whose treaty obligations a party suspended while it stayed a member."""

    membership: str
    member: str
    member_label: str | None
    organisation: str
    organisation_label: str | None
    by: str | None
    by_label: str | None
    since: str
    status: str = ""  # as of a moment: "certain" or "uncertain"

    @property
    def since_bounds(self) -> tuple[date, date] | None:
        return date_bounds(self.since)


_SUSPENSION_PATTERNS = {
    "organisation": "FILTER (?organisation = <{iri}>)",
    "nation": "FILTER (?member = <{iri}> || ?by = <{iri}>)",
    "agreement": "?organisation ald:foundedOn <{iri}> .",
}


def suspensions(publication: Publication, iri: str, kind: str) -> list[Suspension]:
    """The suspensions concerning a page: of an organisation's members, of a nation's
    memberships or by the nation, or under an agreement (its alliance's members)."""
    query = _SUSPENSIONS.format(pattern=_SUSPENSION_PATTERNS[kind].format(iri=iri))
    found: dict[str, Suspension] = {}
    for row in publication.backend.select(query, default_graphs=publication.document_graphs):
        key = str(row["membership"])
        found.setdefault(key, Suspension(
            key, str(row["member"]), _text(row.get("memberLabel")), str(row["organisation"]),
            _text(row.get("organisationLabel")), _text(row.get("by")),
            _text(row.get("byLabel")), str(row["since"])))
    return sorted(found.values(), key=lambda s: (s.since, s.membership))


def suspensions_as_of(rows: list[Suspension], moment: Moment) -> list[Suspension]:
    """The suspensions in effect at ``moment`` (none is recorded as lifted)."""
    kept = []
    for s in rows:
        bounds = s.since_bounds
        if bounds is None or bounds[0] > moment.last:
            continue
        kept.append(replace(s, status="certain" if bounds[1] <= moment.first else "uncertain"))
    return kept
