"""Facts of the data checked against the article's own words and the public record.

Each test pins one reading of the source article (``../shared/seed/000_7a891400e27b0dfc.txt``)
or of a cited record, so that a later edit that drifts from it fails here.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from alliance_ld.store import Store

ALD = "https://w3id.org/alliance-ld/ontology#"
ID = "https://w3id.org/alliance-ld/id/"
PREFIXES = f"""
PREFIX ald: <{ALD}>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


def _values(store: Store, query: str) -> set[str]:
    result = store.query(PREFIXES + query)
    assert isinstance(result, ox.QuerySolutions)
    values = set()
    for solution in result:
        term = solution[0]
        assert term is not None
        values.add(term.value)
    return values


def test_the_five_domains_belong_to_the_additional_forces_not_the_total(store: Store) -> None:
    # "These augmentations have brought capabilities spanning air, land, maritime, cyber,
    # and space domains, raising the total number ... to over 100,000."
    query = "SELECT ?c WHERE {{ <{}> ald:inDomain ?c }}"
    additional = _values(store, query.format(ID + "contribution/us-additional-forces-since-2022"))
    assert additional == {ALD + d for d in ("AirDomain", "LandDomain", "MaritimeDomain",
                                            "CyberDomain", "SpaceDomain")}
    assert _values(store, query.format(ID + "contribution/us-service-members-in-europe")) == set()


def test_africom_focus_is_what_the_article_says(store: Store) -> None:
    # "counter malign actors and transnational threats, strengthen African security
    # forces, and respond to crises"; counterterrorism is said of Nigeria, not AFRICOM.
    focus = _values(store, f"SELECT ?t WHERE {{ <{ID}organisation/usafricom> ald:focus ?t }}")
    assert focus == {ID + "topic/transnational-threats", ID + "topic/crisis-response"}


def test_partnership_for_peace_has_no_region_the_article_does_not_give(store: Store) -> None:
    region = f"SELECT ?r WHERE {{ <{ID}partnership/partnership-for-peace> ald:region ?r }}"
    assert _values(store, region) == set()


def test_security_cooperation_kinds_with_instances(store: Store) -> None:
    kinds = _values(store, """
        SELECT DISTINCT ?kind WHERE {
          ?kind rdfs:subClassOf ald:SecurityCooperationActivity .
          ?activity a ?kind .
        }""")
    # The article names no cooperative threat reduction activity.
    assert kinds == {ALD + "SupportToOperations", ALD + "CapacityBuilding",
                     ALD + "MilitaryToMilitaryEngagement"}


@pytest.mark.parametrize(("resource", "sources"), [
    # The article lists EDI among NATO programmes; the record calls it a DoD effort.
    ("programme/european-deterrence-initiative", {"article", "crs-edi-budgetary-overview"}),
    # The article says SACEUR followed the Korean War; the record dates it to December 1950.
    ("post/saceur", {"article", "shape-history-1949-1952"}),
    ("event/korean-war", {"article", "shape-history-1949-1952"}),
    # Albania left the Warsaw Pact on the day the German civic-education agency gives; the note
    # says why NATO's study's other day is not kept.
    ("membership/warsaw-pact-albania", {"bpb-chronicle-1955-05-14"}),
    # Classifications that are ours, with the record they rest on.
    ("programme/foreign-military-sales", {"article", "dau-sales-and-transfers"}),
    ("activity/nato-force-generation", {"article"}),
    ("exercise/african-lion", {"article", "african-lion-2021"}),
])
def test_disagreements_and_our_readings_are_noted_and_sourced(
        store: Store, resource: str, sources: set[str]) -> None:
    iri = ID + resource
    notes = _values(store, f"SELECT ?n WHERE {{ <{iri}> skos:editorialNote ?n }}")
    assert len(notes) == 1, f"{resource} should say in one editorial note what is whose"
    cited = _values(store, f"SELECT ?s WHERE {{ <{iri}> dcterms:source ?s }}")
    assert {ID + "source/" + s for s in sources} <= cited
    for source in cited:
        labels = _values(store, f'SELECT ?l WHERE {{ <{source}> rdfs:label ?l '
                                f'FILTER(langMatches(lang(?l), "en")) }}')
        assert labels, f"{source} has no English label"
