"""Tests of the SHACL shapes in ``shapes/``.

Each file of ``tests/data/invalid/`` breaks one constraint; the table ``CASES``
says which shape must fire on which focus node, with which severity, and the
test checks that exactly those results come back, no more and no fewer. Each
file of ``tests/data/valid/`` is an edge case that must produce no result at
all. Every file is validated alone, with the ontology, never merged with
``data/``. The shipped data must conform.

Every file goes through ``validate_paths`` exactly as the command line does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import rdflib
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS

from alliance_ld.resources import DATA_DIR, ID_NS, ONTOLOGY_FILE, SHAPES_DIR, SHAPES_NS, TERMS_NS
from alliance_ld.validate import ValidationReport, load_shapes, validate_paths

TESTS_DIR = Path(__file__).resolve().parent
INVALID_DIR = TESTS_DIR / "data" / "invalid"
VALID_DIR = TESTS_DIR / "data" / "valid"

ALD = rdflib.Namespace(TERMS_NS)
ALDS = rdflib.Namespace(SHAPES_NS)

PREFIXES = {
    "alds": SHAPES_NS,
    "ald": TERMS_NS,
    "id": ID_NS,
    "rdfs": str(RDFS),
    "dcterms": str(DCTERMS),
    "skos": str(SKOS),
    "schema": "https://schema.org/",
    "org": "http://www.w3.org/ns/org#",
}
_CURIE = re.compile(r"(?<![\w/#])(" + "|".join(PREFIXES) + r"):")


def expand(text: str) -> str:
    """``alds:X_Shape (property ald:p)`` -> the full IRIs that validate.py reports."""
    return _CURIE.sub(lambda m: PREFIXES[m.group(1)], text)


@dataclass(frozen=True)
class Expect:
    """One result a fixture must produce.

    ``shape`` is a node shape, or ``"<node shape> (property <path>)"`` for an
    anonymous property shape, as :mod:`alliance_ld.validate` names them.
    ``constraint``, when given, names the constraint component that must be
    among the results for this focus node and shape (without the
    ``ConstraintComponent`` suffix).
    """

    focus: str
    shape: str
    severity: str = "Violation"
    constraint: str | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return expand(self.focus), expand(self.shape), self.severity


def violation(focus: str, shape: str, constraint: str | None = None) -> Expect:
    return Expect(focus, shape, "Violation", constraint)


def warning(focus: str, shape: str, constraint: str | None = None) -> Expect:
    return Expect(focus, shape, "Warning", constraint)


ALAND = "id:nation/aland"
ALLIANCE = "id:alliance/test-alliance"
PARTNERSHIP = "id:partnership/test-partnership"
MOU = "id:treaty/test-mou"
TREATY = "id:treaty/test-treaty"
OBLIGATION = "id:obligation/test-obligation"
CONTRIBUTION = "id:contribution/test-contribution"
EXERCISE = "id:exercise/test-exercise"
MINISTRY = "id:organisation/ministry"
INSTANT = "id:instant/2022-02"

#: Invalid fixture (file stem in tests/data/invalid/) -> the results it must produce.
INVALID_CASES: dict[str, list[Expect]] = {
    # every resource: label and source
    "missing-label": [
        violation(ALAND, "alds:LabelledResource_Shape (property rdfs:label)", "MinCount")
    ],
    "label-not-english": [violation(ALAND, "alds:LabelledResource_Shape", "Or")],
    "label-twice-in-one-language": [
        violation(ALAND, "alds:LabelledResource_Shape (property rdfs:label)", "UniqueLang")
    ],
    "missing-source": [
        violation(ALAND, "alds:SourcedResource_Shape (property dcterms:source)", "MinCount")
    ],
    "source-access-date-not-a-date": [
        violation(
            "id:source/fixture", "alds:SourceDocument_Shape (property ald:accessedOn)", "Datatype"
        )
    ],
    "source-not-a-source-document": [
        violation(ALAND, "alds:SourcedResource_Shape (property dcterms:source)", "Class")
    ],
    # values of shared properties
    "wrong-date-datatype": [
        violation(MINISTRY, "alds:Ranges_Shape (property ald:startDate)", "Or")
    ],
    # an ill-typed date is also one the calendar cannot place
    "invalid-date": [
        violation(MINISTRY, "alds:Ranges_Shape (property ald:startDate)", "Or"),
        violation(MINISTRY, "alds:WrittenDate_Shape", "SPARQL"),
    ],
    # the calendar: every written date has its precision and bounds
    "date-without-calendar-entry": [violation(MINISTRY, "alds:WrittenDate_Shape", "SPARQL")],
    "instant-without-bounds": [
        violation(INSTANT, "alds:Instant_Shape (property ald:earliestDate)", "MinCount"),
        violation(INSTANT, "alds:Instant_Shape (property ald:latestDate)", "MinCount"),
    ],
    "instant-bounds-outside-date": [
        violation("id:instant/1993", "alds:InstantBounds_Shape", "SPARQL")
    ],
    "two-start-dates": [
        violation(MINISTRY, "alds:Ranges_Shape (property ald:startDate)", "MaxCount")
    ],
    "url-not-anyuri": [
        violation("id:source/fixture", "alds:Ranges_Shape (property schema:url)", "Datatype")
    ],
    "led-by-not-agent": [
        violation("id:programme/test-programme", "alds:Ranges_Shape (property ald:ledBy)", "Class")
    ],
    "exact-match-not-iri": [
        violation(ALAND, "alds:Ranges_Shape (property skos:exactMatch)", "NodeKind")
    ],
    "membership-end-before-start": [
        violation("id:membership/test-partnership-aland", "alds:DatedResource_Shape", "SPARQL")
    ],
    # relationships and memberships
    "alliance-one-member": [violation(ALLIANCE, "alds:Alliance_Shape", "SPARQL")],
    "alliance-without-treaty": [
        violation(ALLIANCE, "alds:Alliance_Shape (property ald:foundedOn)", "QualifiedMinCount")
    ],
    "alliance-and-partnership": [violation(ALLIANCE, "alds:SecurityRelationship_Shape", "Not")],
    "relationship-is-agreement": [violation(PARTNERSHIP, "alds:SecurityRelationship_Shape", "Not")],
    "partnership-with-defence-obligation": [
        violation(PARTNERSHIP, "alds:Partnership_Shape", "SPARQL")
    ],
    "founded-on-not-agreement": [
        violation(PARTNERSHIP, "alds:SecurityRelationship_Shape (property ald:foundedOn)", "Class")
    ],
    "membership-member-not-agent": [
        violation(
            "id:membership/test-partnership-europe",
            "alds:Membership_Shape (property org:member)",
            "Class",
        )
    ],
    "membership-organization-not-relationship": [
        violation(
            "id:membership/ministry-aland",
            "alds:Membership_Shape (property org:organization)",
            "Class",
        )
    ],
    "membership-of-itself": [
        violation(
            "id:membership/test-partnership-itself",
            "alds:Membership_Shape (property org:member)",
            "Disjoint",
        )
    ],
    "membership-without-member": [
        violation(
            "id:membership/test-partnership-nobody",
            "alds:Membership_Shape (property org:member)",
            "MinCount",
        )
    ],
    "membership-open-twice": [
        violation(
            "id:membership/test-partnership-aland", "alds:RepeatedMembership_Shape", "SPARQL"
        ),
        violation(
            "id:membership/test-partnership-aland-again", "alds:RepeatedMembership_Shape", "SPARQL"
        ),
    ],
    "membership-before-founding-agreement": [
        violation(ALLIANCE, "alds:AllianceMembershipDates_Shape", "SPARQL")
    ],
    "alliance-member-not-party": [warning(ALLIANCE, "alds:AllianceRecommended_Shape", "SPARQL")],
    "relationship-without-members": [
        warning(PARTNERSHIP, "alds:SecurityRelationshipRecommended_Shape", "SPARQL")
    ],
    "membership-start-without-event": [
        violation(PARTNERSHIP, "alds:MembershipDates_Shape", "SPARQL")
    ],
    "suspension-by-non-member": [
        violation("id:membership/test-partnership-aland", "alds:Suspension_Shape", "SPARQL")
    ],
    "suspension-without-date": [
        violation("id:membership/test-partnership-aland",
                  "alds:Suspension_Shape (property ald:suspendedOn)", "MinCount")
    ],
    # agreements and obligations
    "entry-into-force-before-signing": [violation(MOU, "alds:Agreement_Shape", "SPARQL")],
    "signing-date-not-xsd-date": [
        violation(MOU, "alds:Agreement_Shape (property ald:signedOn)", "Datatype")
    ],
    "treaty-party-not-nation": [
        violation(TREATY, "alds:Treaty_Shape (property ald:hasParty)", "Class")
    ],
    "binational-agreement-three-parties": [
        violation(
            "id:treaty/test-bda",
            "alds:BinationalDefenceAgreement_Shape (property ald:hasParty)",
            "MaxCount",
        )
    ],
    "defence-cooperation-agreement-with-defence-obligation": [
        violation("id:treaty/test-dca", "alds:DefenceCooperationAgreement_Shape", "SPARQL")
    ],
    "obligation-without-kind": [
        violation(
            OBLIGATION, "alds:TreatyObligation_Shape (property ald:obligationKind)", "MinCount"
        )
    ],
    "obligation-outside-agreement": [
        violation(OBLIGATION, "alds:TreatyObligation_Shape", "SPARQL")
    ],
    "article-reference-not-string": [
        violation(
            OBLIGATION, "alds:TreatyObligation_Shape (property ald:articleReference)", "Datatype"
        )
    ],
    "mou-with-defence-obligation": [
        warning(MOU, "alds:MemorandumOfUnderstandingRecommended_Shape", "SPARQL")
    ],
    "agreement-with-one-party": [
        warning(MOU, "alds:AgreementRecommended_Shape (property ald:hasParty)", "MinCount")
    ],
    "treaty-without-signing-date": [
        warning(TREATY, "alds:TreatyRecommended_Shape (property ald:signedOn)", "MinCount")
    ],
    "treaty-without-entry-into-force": [
        warning(
            TREATY, "alds:TreatyRecommended_Shape (property ald:enteredIntoForceOn)", "MinCount"
        )
    ],
    "obligation-without-article": [
        warning(
            OBLIGATION,
            "alds:TreatyObligationRecommended_Shape (property ald:articleReference)",
            "MinCount",
        )
    ],
    # nations, organisations, posts
    "nation-is-organisation": [violation(ALAND, "alds:Nation_Shape", "Not")],
    "nation-without-wikidata": [
        warning(ALAND, "alds:NationRecommended_Shape (property skos:exactMatch)", "MinCount")
    ],
    "organisation-military-and-civilian": [
        violation(MINISTRY, "alds:MilitaryOrganisation_Shape", "Not")
    ],
    "international-organisation-member-not-nation": [
        violation(PARTNERSHIP, "alds:InternationalOrganisation_Shape", "SPARQL")
    ],
    "post-without-organisation": [
        violation("id:post/test-post", "alds:Post_Shape (property org:postIn)", "MinCount")
    ],
    # exercises
    "exercise-host-not-nation": [
        violation(EXERCISE, "alds:Exercise_Shape (property ald:host)", "Class")
    ],
    "exercise-without-region": [
        warning(EXERCISE, "alds:ExerciseRecommended_Shape (property ald:region)", "MinCount")
    ],
    "exercise-without-participant": [warning(EXERCISE, "alds:ExerciseRecommended_Shape", "Or")],
    # contributions
    "count-negative": [
        violation(
            CONTRIBUTION,
            "alds:TroopContribution_Shape (property ald:personnelCount)",
            "MinInclusive",
        )
    ],
    "count-not-a-number": [
        violation(
            CONTRIBUTION, "alds:TroopContribution_Shape (property ald:personnelCount)", "Datatype"
        ),
        violation(
            CONTRIBUTION,
            "alds:TroopContribution_Shape (property ald:personnelCount)",
            "MinInclusive",
        ),
    ],
    "contribution-without-contributor": [
        violation(CONTRIBUTION, "alds:Contribution_Shape (property ald:contributor)", "MinCount")
    ],
    "contribution-without-recipient": [
        warning(
            CONTRIBUTION, "alds:ContributionRecommended_Shape (property ald:recipient)", "MinCount"
        )
    ],
    "troop-contribution-without-count": [
        warning(
            CONTRIBUTION,
            "alds:TroopContributionRecommended_Shape (property ald:personnelCount)",
            "MinCount",
        )
    ],
    "funding-without-programme": [
        violation(
            CONTRIBUTION, "alds:FundingContribution_Shape (property ald:viaProgramme)", "MinCount"
        )
    ],
    "capability-contribution-without-capability": [
        violation(
            CONTRIBUTION,
            "alds:CapabilityContribution_Shape (property ald:providesCapability)",
            "MinCount",
        )
    ],
    "exercise-participation-without-exercise": [
        violation(
            CONTRIBUTION, "alds:ExerciseParticipation_Shape (property ald:inExercise)", "MinCount"
        )
    ],
    "leadership-post-not-post": [
        violation(
            CONTRIBUTION, "alds:LeadershipContribution_Shape (property ald:leadershipPost)", "Class"
        )
    ],
    # controlled vocabularies
    "region-not-in-vocabulary": [
        violation(EXERCISE, "alds:ControlledVocabularies_Shape (property ald:region)", "In")
    ],
    "focus-not-in-vocabulary": [
        violation(EXERCISE, "alds:ControlledVocabularies_Shape (property ald:focus)", "In")
    ],
    "obligation-kind-not-in-vocabulary": [
        violation(
            OBLIGATION, "alds:ControlledVocabularies_Shape (property ald:obligationKind)", "In"
        )
    ],
    "count-qualifier-not-in-vocabulary": [
        violation(
            CONTRIBUTION, "alds:ControlledVocabularies_Shape (property ald:countQualifier)", "In"
        )
    ],
    "domain-not-in-vocabulary": [
        violation(
            "id:capability/test-capability",
            "alds:ControlledVocabularies_Shape (property ald:inDomain)",
            "In",
        )
    ],
    "region-not-in-list": [violation("id:region/atlantis", "alds:Region_Shape", "In")],
    "region-not-in-scheme": [
        violation("id:region/europe", "alds:Region_Shape (property skos:inScheme)", "HasValue")
    ],
    "topic-not-in-list": [
        violation("id:topic/underwater-basket-weaving", "alds:Topic_Shape", "In")
    ],
    "obligation-kind-minted": [
        violation("id:obligation-kind/protection", "alds:ObligationKind_Shape", "In")
    ],
    "designation-not-in-scheme": [
        violation(
            "id:designation/test-status",
            "alds:Designation_Shape (property skos:inScheme)",
            "HasValue",
        )
    ],
    "concept-two-preferred-labels": [
        violation("id:region/europe", "alds:Concept_Shape (property skos:prefLabel)", "UniqueLang")
    ],
    # designations
    "claim-recorded-but-not-asserted": [
        violation("id:claim/aland-sees-itself", "alds:Claim_Shape", "SPARQL"),
    ],
    "claim-disputed-but-asserted": [
        violation("id:claim/aland-sees-itself-disputed", "alds:Claim_Shape", "SPARQL"),
    ],
    "designation-self-conferred": [
        violation(
            "id:designation-assignment/aland-test-status",
            "alds:DesignationAssignment_Shape (property ald:designee)",
            "Disjoint",
        )
    ],
    "designee-not-nation": [
        violation(
            "id:designation-assignment/ministry-test-status",
            "alds:DesignationAssignment_Shape (property ald:designee)",
            "Class",
        )
    ],
    # documents, capabilities, vessels, activities
    "source-without-locator": [
        warning("id:source/fixture", "alds:SourceDocumentRecommended_Shape", "Or")
    ],
    "source-without-publisher": [
        warning("id:source/fixture", "alds:SourceDocumentProvenanceRecommended_Shape", "Or")
    ],
    "source-without-access-date": [
        warning(
            "id:source/fixture",
            "alds:SourceDocumentProvenanceRecommended_Shape (property ald:accessedOn)",
            "MinCount",
        )
    ],
    "policy-document-without-issuer": [
        warning(
            "id:document/test-instruction",
            "alds:PolicyDocumentRecommended_Shape (property ald:issuedBy)",
            "MinCount",
        )
    ],
    "strategy-prioritises-topic": [
        violation(
            "id:document/test-strategy", "alds:Strategy_Shape (property ald:prioritises)", "Or"
        )
    ],
    "capability-is-vessel": [violation("id:capability/test-ship", "alds:Capability_Shape", "Not")],
    "vessel-without-operator": [
        warning(
            "id:vessel/test-ship",
            "alds:VesselRecommended_Shape (property ald:operatedBy)",
            "MinCount",
        )
    ],
    "programme-without-lead": [
        warning("id:programme/test-programme", "alds:ProgrammeRecommended_Shape", "Or")
    ],
    "activity-without-lead": [
        warning(
            "id:activity/test-activity", "alds:SecurityCooperationActivityRecommended_Shape", "Or"
        )
    ],
}

#: Valid fixtures (file stems in tests/data/valid/): edge cases that must produce no result.
VALID_CASES = [
    "alliance-complete",
    "dates-of-mixed-precision",
    "labels-in-several-languages",
    "membership-rejoined",
]

#: Classes of the ontology that no shape targets, and why.
EXEMPT_CLASSES: dict[str, str] = {
    "Document": "abstract superclass: its instances are source or policy documents",
    "HistoricalEvent": "needs only a label and a source (LabelledResource_Shape, "
    "SourcedResource_Shape); ald:inResponseTo is checked where it is used (Ranges_Shape)",
    "GovernmentOrganisation": "its one rule, disjointness with ald:MilitaryOrganisation, "
    "is checked once, by MilitaryOrganisation_Shape",
    "SupportToOperations": "a kind of security cooperation activity with no property of its "
    "own: SecurityCooperationActivityRecommended_Shape applies through rdfs:subClassOf",
    "CapacityBuilding": "as SupportToOperations",
    "MilitaryToMilitaryEngagement": "as SupportToOperations",
    "CooperativeThreatReduction": "as SupportToOperations",
    "Initiative": "a kind of programme with no property of its own: "
    "ProgrammeRecommended_Shape applies through rdfs:subClassOf",
    "Standard": "a kind of policy document with no property of its own: "
    "PolicyDocument_Shape and PolicyDocumentRecommended_Shape apply",
    "Instruction": "as Standard",
    "Guide": "as Standard",
    "Law": "as Standard",
}

#: sh:in lists that must equal the instances of a class in the data or the ontology.
VOCABULARY_LISTS: dict[str, list[tuple[str, str | None]]] = {
    "Region": [("Region_Shape", None), ("ControlledVocabularies_Shape", "region")],
    "Topic": [
        ("Topic_Shape", None),
        ("ControlledVocabularies_Shape", "focus"),
        ("ControlledVocabularies_Shape", "addresses"),
    ],
    "ObligationKind": [
        ("ObligationKind_Shape", None),
        ("ControlledVocabularies_Shape", "obligationKind"),
    ],
    "EventKind": [
        ("EventKind_Shape", None),
        ("ControlledVocabularies_Shape", "startEvent"),
        ("ControlledVocabularies_Shape", "endEvent"),
    ],
    "CountQualifier": [
        ("CountQualifier_Shape", None),
        ("ControlledVocabularies_Shape", "countQualifier"),
    ],
    "OperationalDomain": [
        ("OperationalDomain_Shape", None),
        ("ControlledVocabularies_Shape", "inDomain"),
    ],
}

#: Parameters of node-level constraints: a node shape that uses one needs a sh:message.
NODE_LEVEL_PARAMETERS = (
    SH["not"],
    SH["or"],
    SH["and"],
    SH.xone,
    SH["in"],
    SH["class"],
    SH.nodeKind,
    SH.datatype,
    SH.hasValue,
    SH.node,
)


# ---------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="module")
def shipped_report() -> ValidationReport:
    """The shipped data, validated exactly as the command line does (one run per module)."""
    return validate_paths()


@pytest.fixture(scope="module")
def shapes_graph() -> rdflib.Graph:
    graph, _origin = load_shapes()
    return graph


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY_FILE, format="turtle")


# ---------------------------------------------------------------------------
# Helpers


def _keys(report: ValidationReport) -> set[tuple[str, str, str]]:
    return {(r.focus_node, r.shape, r.severity) for r in report.results}


def _messages_per_result(report: ValidationReport) -> list[int]:
    graph = report.report_graph
    return [
        len(list(graph.objects(node, SH.resultMessage)))
        for node in graph.subjects(RDF.type, SH.ValidationResult)
    ]


def _shape_exists(shapes: rdflib.Graph, name: str) -> bool:
    """Whether ``name`` (as validate.py names shapes) is declared in the shapes graph."""
    match = re.fullmatch(r"(\S+) \(property (\S+)\)", name)
    node_shape = rdflib.URIRef(match.group(1) if match else name)
    if (node_shape, RDF.type, SH.NodeShape) not in shapes:
        return False
    if match is None:
        return True
    path = rdflib.URIRef(match.group(2))
    return any(
        shapes.value(prop, SH.path) == path for prop in shapes.objects(node_shape, SH.property)
    )


def _in_list(shapes: rdflib.Graph, node_shape: str, path: str | None) -> set[rdflib.term.Node]:
    shape = ALDS[node_shape]
    if path is None:
        holder = shape
    else:
        holder = next(
            p for p in shapes.objects(shape, SH.property) if shapes.value(p, SH.path) == ALD[path]
        )
    head = shapes.value(holder, SH["in"])
    assert head is not None, f"{node_shape} ({path}) has no sh:in"
    return set(Collection(shapes, head))


# ---------------------------------------------------------------------------
# The fixtures fire exactly the expected shapes


def test_every_fixture_file_is_in_the_table() -> None:
    invalid = {p.stem for p in INVALID_DIR.glob("*.ttl")}
    valid = {p.stem for p in VALID_DIR.glob("*.ttl")}
    assert invalid == set(INVALID_CASES), "tests/data/invalid/ and INVALID_CASES differ"
    assert valid == set(VALID_CASES), "tests/data/valid/ and VALID_CASES differ"


@pytest.mark.parametrize("name", sorted(INVALID_CASES))
def test_invalid_fixture_fires_exactly_the_expected_shapes(name: str) -> None:
    expected = INVALID_CASES[name]
    report = validate_paths(data=[INVALID_DIR / f"{name}.ttl"])
    assert _keys(report) == {e.key for e in expected}, report.to_text()
    for e in expected:
        focus, shape, severity = e.key
        constraints = {
            r.constraint for r in report.results if (r.focus_node, r.shape) == (focus, shape)
        }
        if e.constraint is not None:
            assert f"{e.constraint}ConstraintComponent" in constraints, report.to_text()
    assert report.conforms == all(e.severity != "Violation" for e in expected)
    assert set(_messages_per_result(report)) == {1}, "every result needs exactly one message"


@pytest.mark.parametrize("name", VALID_CASES)
def test_valid_fixture_produces_no_result(name: str) -> None:
    report = validate_paths(data=[VALID_DIR / f"{name}.ttl"])
    assert report.results == [], report.to_text()


@pytest.mark.parametrize("name", sorted(INVALID_CASES))
def test_expected_shapes_exist(shapes_graph: rdflib.Graph, name: str) -> None:
    for e in INVALID_CASES[name]:
        shape = expand(e.shape)
        assert _shape_exists(shapes_graph, shape), f"{e.shape} is not declared in shapes/"
        node_shape = rdflib.URIRef(shape.split(" ", 1)[0])
        declared = shapes_graph.value(node_shape, SH.severity, default=SH.Violation)
        assert declared == SH[e.severity], f"{e.shape}: declared severity {declared}"


# ---------------------------------------------------------------------------
# The shipped data


def test_shipped_sources_have_publisher_and_access_date(shipped_report: ValidationReport) -> None:
    """Every shipped source says who published it and when it was read (issue 9)."""
    shape = SHAPES_NS + "SourceDocumentProvenanceRecommended_Shape"
    flagged = [r.focus_node for r in shipped_report.results if r.shape.startswith(shape)]
    assert flagged == []


def test_shipped_data_has_no_violation(shipped_report: ValidationReport) -> None:
    violations = shipped_report.violations
    assert violations == [], "\n".join(
        f"{r.focus_node}\n  {r.shape}\n  {r.message}" for r in violations
    )


def test_shipped_data_results_carry_one_message(shipped_report: ValidationReport) -> None:
    assert set(_messages_per_result(shipped_report)) <= {1}


# ---------------------------------------------------------------------------
# The shapes themselves


def test_every_ontology_class_has_a_shape(
    shapes_graph: rdflib.Graph, ontology: rdflib.Graph
) -> None:
    classes = {
        str(c)[len(TERMS_NS) :]
        for c in ontology.subjects(RDF.type, OWL.Class)
        if isinstance(c, rdflib.URIRef) and str(c).startswith(TERMS_NS)
    }
    targeted = {
        str(c)[len(TERMS_NS) :]
        for c in shapes_graph.objects(None, SH.targetClass)
        if str(c).startswith(TERMS_NS)
    }
    assert set(EXEMPT_CLASSES) <= classes, "an exempt class is not in the ontology"
    assert not set(EXEMPT_CLASSES) & targeted, "an exempt class has a shape: drop the exemption"
    assert classes - targeted == set(EXEMPT_CLASSES), "classes without a shape or an exemption"


def test_shapes_are_named_and_documented(shapes_graph: rdflib.Graph) -> None:
    problems = []
    for shape in set(shapes_graph.subjects(RDF.type, SH.NodeShape)):
        name = str(shape)
        if not (name.startswith(SHAPES_NS) and name.endswith("_Shape")):
            problems.append(f"{name}: not named alds:..._Shape")
        if not any(
            (shape, p, None) in shapes_graph
            for p in (SH.targetClass, SH.targetSubjectsOf, SH.targetNode, SH.target)
        ):
            problems.append(f"{name}: no target")
        if not any(c.language == "en" for c in shapes_graph.objects(shape, RDFS.comment)):
            problems.append(f"{name}: no English rdfs:comment")
        node_level = any((shape, p, None) in shapes_graph for p in NODE_LEVEL_PARAMETERS)
        has_message = (shape, SH.message, None) in shapes_graph
        has_sparql = (shape, SH.sparql, None) in shapes_graph
        if node_level and not has_message:
            problems.append(f"{name}: node-level constraint without sh:message")
        if has_message and has_sparql:
            problems.append(f"{name}: sh:message and sh:sparql (results would get two messages)")
        if has_message and not node_level:
            problems.append(f"{name}: sh:message that no constraint uses")
        for holder in (
            *shapes_graph.objects(shape, SH.property),
            *shapes_graph.objects(shape, SH.sparql),
        ):
            if not any(m.language == "en" for m in shapes_graph.objects(holder, SH.message)):
                problems.append(f"{name}: a property shape or SPARQL rule has no sh:message")
    assert problems == []


def test_recommended_shapes_are_warnings_and_the_others_violations() -> None:
    for path in sorted(SHAPES_DIR.glob("*.ttl")):
        graph = rdflib.Graph().parse(path, format="turtle")
        expected = SH.Warning if path.stem == "recommended" else None
        for shape in graph.subjects(RDF.type, SH.NodeShape):
            for holder in (shape, *graph.objects(shape, SH.property)):
                assert graph.value(holder, SH.severity) == expected, f"{path.name}: {shape}"


@pytest.mark.parametrize("cls", sorted(VOCABULARY_LISTS))
def test_vocabulary_lists_match_the_vocabularies(
    shapes_graph: rdflib.Graph, ontology: rdflib.Graph, cls: str
) -> None:
    vocabularies = rdflib.Graph().parse(DATA_DIR / "vocabularies.ttl", format="turtle")
    members = set(vocabularies.subjects(RDF.type, ALD[cls])) | set(
        ontology.subjects(RDF.type, ALD[cls])
    )
    assert members, f"no ald:{cls} in data/vocabularies.ttl or the ontology"
    for node_shape, path in VOCABULARY_LISTS[cls]:
        assert _in_list(shapes_graph, node_shape, path) == members, (node_shape, path)
