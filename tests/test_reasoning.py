"""HermiT, run through owlready2, over the shipped ontology and data and over small fixtures.

Every test here runs the real reasoner in Java (about 1-3 s a run); the reports of the shipped
data and of each fixture are computed once per module.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from pathlib import Path

import owlready2
import pytest
import rdflib

from alliance_ld.errors import (
    AllianceLDError,
    DataSyntaxError,
    MissingInputError,
    ReasonerFailedError,
    ReasonerUnavailableError,
)
from alliance_ld.namespace import ALD
from alliance_ld.reasoning import ReasoningReport, reason
from alliance_ld.resources import DATA_DIR, ID_NS, rdf_files

FIXTURES = Path(__file__).resolve().parent / "data" / "reasoning"
ORG = rdflib.Namespace("http://www.w3.org/ns/org#")
FOAF = rdflib.Namespace("http://xmlns.com/foaf/0.1/")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
UNSATISFIABLE_CLASS = "https://example.org/reasoning-test#AlliancePartnership"
XSD = rdflib.Namespace("http://www.w3.org/2001/XMLSchema#")
OWL_THING = "http://www.w3.org/2002/07/owl#Thing"
UNSUPPORTED = {str(XSD.date), str(XSD.gYear), str(XSD.gYearMonth)}


@pytest.fixture(scope="module")
def shipped() -> ReasoningReport:
    return reason()


@pytest.fixture(scope="module")
def contradictory_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[ReasoningReport, Path]:
    """The contradictory fixture, run with the system temp folder pointed at an empty folder."""
    folder = tmp_path_factory.mktemp("tempdir")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tempfile, "tempdir", str(folder))
        return reason([FIXTURES / "contradictory.ttl"]), folder


@pytest.fixture(scope="module")
def contradictory(contradictory_run: tuple[ReasoningReport, Path]) -> ReasoningReport:
    return contradictory_run[0]


@pytest.fixture(scope="module")
def unsatisfiable() -> ReasoningReport:
    return reason([FIXTURES / "unsatisfiable.ttl"])


@pytest.fixture(scope="module")
def two_dates(unsatisfiable: ReasoningReport) -> ReasoningReport:
    # Runs after the unsatisfiable fixture on purpose: see test_runs_do_not_leak_into_each_other.
    return reason([FIXTURES / "two_dates.ttl"])


# -- the shipped ontology and data ----------------------------------------------------------


def test_shipped_data_is_consistent_without_unsatisfiable_classes(
    shipped: ReasoningReport,
) -> None:
    assert shipped.consistent
    assert shipped.unsatisfiable_classes == []
    assert shipped.inconsistency is None and shipped.causes == []


def test_shipped_data_has_inferred_types(shipped: ReasoningReport) -> None:
    assert shipped.inferred_types > 0
    assert shipped.inferred_types == len(shipped.inferred)
    nato = ID_NS + "alliance/nato"
    treaty = ID_NS + "treaty/north-atlantic-treaty"
    # ald:Treaty ⊑ ald:Agreement ⊑ prov:Entity
    assert (treaty, str(ALD.Agreement)) in shipped.inferred
    assert (treaty, str(PROV.Entity)) in shipped.inferred
    # ald:Alliance ⊑ ald:SecurityRelationship ⊑ org:Organization ⊑ foaf:Agent
    for cls in (ALD.SecurityRelationship, ORG.Organization, FOAF.Agent):
        assert (nato, str(cls)) in shipped.inferred
    # Asserted types are not inferences, and owl:Thing is left out.
    assert (nato, str(ALD.Alliance)) not in shipped.inferred
    assert (treaty, str(ALD.Treaty)) not in shipped.inferred
    assert not any(cls == OWL_THING for _, cls in shipped.inferred)


def test_shipped_data_ignored_datatypes_match_the_data(shipped: ReasoningReport) -> None:
    # Count the literals independently, with rdflib, from the data files.
    expected: Counter[str] = Counter()
    for path in rdf_files(DATA_DIR):
        graph = rdflib.Graph().parse(path)
        for o in graph.objects():
            if isinstance(o, rdflib.Literal) and str(o.datatype) in UNSUPPORTED:
                expected[str(o.datatype)] += 1
    assert set(shipped.ignored_datatypes) <= UNSUPPORTED
    assert shipped.ignored_datatypes == dict(expected)
    assert shipped.ignored_literals == sum(expected.values()) > 0


def test_shipped_report_text(shipped: ReasoningReport) -> None:
    text = shipped.to_text()
    assert "Consistent: yes" in text
    assert "Unsatisfiable classes: none" in text
    assert f"Inferred class assertions: {shipped.inferred_types}" in text
    assert "HermiT was told to ignore unsupported datatypes: xsd:date (" in text
    assert f"{shipped.ignored_literals} literals in all" in text


def test_shipped_report_json(shipped: ReasoningReport) -> None:
    document = json.loads(shipped.to_json())
    assert document["consistent"] is True
    assert document["unsatisfiable_classes"] == []
    assert document["inferred_types"] == shipped.inferred_types == len(document["inferred"])
    assert document["ignored_datatypes"] == shipped.ignored_datatypes
    assert {
        "individual": ID_NS + "treaty/north-atlantic-treaty",
        "class": str(ALD.Agreement),
    } in document["inferred"]


def test_reasoning_stays_out_of_owlready2_default_world(shipped: ReasoningReport) -> None:
    assert owlready2.default_world[str(ALD.Alliance)] is None
    assert owlready2.default_world[ID_NS + "alliance/nato"] is None


# -- fixtures -------------------------------------------------------------------------------


def test_individual_of_two_disjoint_classes_is_inconsistent(
    contradictory: ReasoningReport,
) -> None:
    assert not contradictory.consistent
    assert contradictory.inferred_types == 0 and contradictory.unsatisfiable_classes == []
    both = ID_NS + "alliance/both"
    assert [c.individual for c in contradictory.causes] == [both]
    assert "ald:Alliance and an ald:Partnership, which are disjoint" in (
        contradictory.causes[0].explanation
    )
    text = contradictory.to_text()
    assert "Consistent: no - HermiT found the ontology and data inconsistent" in text
    assert both in text
    assert json.loads(contradictory.to_json())["consistent"] is False


def test_inconsistent_run_leaves_no_temporary_files(
    contradictory_run: tuple[ReasoningReport, Path],
) -> None:
    # owlready2 itself leaves its N-Triples dump for HermiT behind when HermiT finds the input
    # inconsistent; reason() must not.
    report, tempdir = contradictory_run
    assert not report.consistent
    assert list(tempdir.iterdir()) == []


def test_class_below_two_disjoint_classes_is_unsatisfiable(
    unsatisfiable: ReasoningReport,
) -> None:
    assert unsatisfiable.consistent
    assert unsatisfiable.unsatisfiable_classes == [UNSATISFIABLE_CLASS]
    assert "Unsatisfiable classes: 1" in unsatisfiable.to_text()
    assert f"<{UNSATISFIABLE_CLASS}>" in unsatisfiable.to_text()


def test_ignored_datatypes_are_counted(two_dates: ReasoningReport) -> None:
    assert two_dates.consistent
    assert two_dates.ignored_datatypes == {str(XSD.date): 2}
    assert (
        "HermiT was told to ignore unsupported datatypes: xsd:date (2); 2 literals in all"
        in two_dates.to_text()
    )


def test_runs_do_not_leak_into_each_other(two_dates: ReasoningReport) -> None:
    # two_dates ran after the unsatisfiable fixture (a dependency of its fixture): a fresh
    # owlready2 World per run means the earlier class does not carry over.
    assert two_dates.unsatisfiable_classes == []
    assert not any(cls == UNSATISFIABLE_CLASS for _, cls in two_dates.inferred)


def test_ontology_alone() -> None:
    report = reason([])
    assert report.consistent and report.unsatisfiable_classes == []
    assert report.ignored_datatypes == {}
    assert "the input has no literal outside the OWL 2 datatype map" in report.to_text()


def test_ill_typed_boolean_is_reported_as_the_cause(tmp_path: Path) -> None:
    data = tmp_path / "ill_typed.ttl"
    data.write_text(
        "@prefix ald: <https://w3id.org/alliance-ld/ontology#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "<https://w3id.org/alliance-ld/id/exercise/x> a ald:Exercise ;\n"
        '    ald:frequency "sometimes"^^xsd:boolean .\n'
    )
    report = reason([data])
    assert not report.consistent
    assert [c.individual for c in report.causes] == [ID_NS + "exercise/x"]
    assert "not a valid xsd:boolean" in report.causes[0].explanation


def test_imports_are_not_fetched(tmp_path: Path) -> None:
    data = tmp_path / "imports.ttl"
    data.write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "<https://example.org/reasoning-test> a owl:Ontology ;\n"
        "    owl:imports <https://example.invalid/never-fetched.owl> .\n"
    )
    report = reason([data])
    assert report.consistent
    assert "Ignored 1 owl:imports triple(s)" in report.to_text()


# -- errors ---------------------------------------------------------------------------------


def test_input_outside_owl2_dl_is_a_one_line_reasoner_error() -> None:
    with pytest.raises(ReasonerFailedError) as caught:
        reason([FIXTURES / "non_simple.ttl"])
    message = str(caught.value)
    assert message.startswith("HermiT stopped with an error: IllegalArgumentException: ")
    assert "Non-simple property" in message and "\n" not in message


def test_missing_java_is_a_one_line_user_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no java on PATH
    with pytest.raises(ReasonerUnavailableError) as caught:
        reason([FIXTURES / "two_dates.ttl"])
    assert isinstance(caught.value, AllianceLDError)
    message = str(caught.value)
    assert "Java" in message and "\n" not in message


def test_missing_data_file(tmp_path: Path) -> None:
    with pytest.raises(MissingInputError, match="no such file"):
        reason([tmp_path / "absent.ttl"])


def test_missing_ontology_file(tmp_path: Path) -> None:
    with pytest.raises(MissingInputError):
        reason([FIXTURES / "two_dates.ttl"], ontology=tmp_path / "absent.ttl")


def test_data_syntax_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ald: <https://w3id.org/alliance-ld/ontology#> .\n\nald:x a .\n")
    with pytest.raises(DataSyntaxError) as caught:
        reason([bad])
    assert caught.value.source == str(bad) and caught.value.line == 3


def test_literal_owlready2_cannot_read_is_a_data_error(tmp_path: Path) -> None:
    data = tmp_path / "count.ttl"
    data.write_text(
        "@prefix ald: <https://w3id.org/alliance-ld/ontology#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "<https://w3id.org/alliance-ld/id/contribution/x> a ald:TroopContribution ;\n"
        '    ald:personnelCount "many"^^xsd:nonNegativeInteger .\n'
    )
    with pytest.raises(DataSyntaxError) as caught:
        reason([data])
    assert caught.value.line == 4
    assert '"many"^^xsd:nonNegativeInteger' in str(caught.value)
