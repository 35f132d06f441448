"""Alignments a consumer's reasoner can use, shown by running one.

The ontology aligns its terms with W3C ORG, OWL-Time, PROV-O, Dublin Core and
schema.org by rdfs:subClassOf, rdfs:subPropertyOf and a property chain, not by
annotations alone, so that OWL 2 RL reasoning (owlrl, a library nobody here
wrote) over the ontology and the alliance data derives statements in the
standard vocabularies that the data never states.
"""

from __future__ import annotations

import owlrl
import pytest
import rdflib
from rdflib.namespace import DCTERMS, RDF

from alliance_ld.resources import DATA_DIR, ONTOLOGY_FILE

ORG = rdflib.Namespace("http://www.w3.org/ns/org#")
TIME = rdflib.Namespace("http://www.w3.org/2006/time#")
SCHEMA = rdflib.Namespace("https://schema.org/")
ID = rdflib.Namespace("https://w3id.org/alliance-ld/id/")


@pytest.fixture(scope="module")
def closure() -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(ONTOLOGY_FILE, format="turtle")
    graph.parse(DATA_DIR / "alliances.ttl", format="turtle")
    graph.parse(DATA_DIR / "treaties.ttl", format="turtle")
    graph.parse(DATA_DIR / "calendar.ttl", format="turtle")
    assert not any(graph.triples((None, ORG.memberOf, None))), "the data states no org:memberOf"
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    return graph


def test_members_are_inferred_org_member_of_their_alliance(closure: rdflib.Graph) -> None:
    nato_members = set(closure.subjects(ORG.memberOf, ID["alliance/nato"]))
    assert len(nato_members) == 32
    assert {ID["nation/sweden"], ID["nation/finland"], ID["nation/united-states"]} <= nato_members
    assert (ID["nation/new-zealand"], ORG.memberOf, ID["alliance/anzus"]) in closure
    # memberOf says "was a member", so ended memberships count too
    assert (ID["nation/albania"], ORG.memberOf, ID["alliance/warsaw-pact"]) in closure


def test_memberships_carry_owl_time_intervals(closure: rdflib.Graph) -> None:
    membership = ID["membership/warsaw-pact-albania"]
    interval = closure.value(membership, ORG.memberDuring)
    assert interval is not None and (interval, RDF.type, TIME.Interval) in closure
    assert closure.value(interval, TIME.hasBeginning) == ID["instant/1955-05-14"]
    assert closure.value(interval, TIME.hasEnd) == ID["instant/1968-09-13"]
    # the instants are OWL-Time temporal entities by the declared subclass axiom
    assert (ID["instant/1968-09-13"], RDF.type, TIME.TemporalEntity) in closure


def test_event_dates_are_dublin_core_and_schema_org_dates(closure: rdflib.Graph) -> None:
    pact = ID["alliance/warsaw-pact"]
    dissolved = rdflib.Literal("1991-07-01", datatype=rdflib.XSD.date)
    assert (pact, SCHEMA.dissolutionDate, dissolved) in closure
    assert (pact, DCTERMS.date, dissolved) in closure
    treaty = ID["treaty/north-atlantic-treaty"]
    assert (treaty, DCTERMS.date, rdflib.Literal("1949-04-04", datatype=rdflib.XSD.date)) in closure
