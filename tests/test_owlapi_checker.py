"""Tests of the OWL API checker itself (tests/owlapi/OwlCheck.java via owlapi_check.py).

The fixtures in tests/data/owlapi/ are tiny files whose findings are known exactly; each test
pins them.  The checks of the real ontology and data belong elsewhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from owlapi_check import OwlCheckError, owlapi_classpath, run_owl_check

pytestmark = pytest.mark.java

DATA = Path(__file__).resolve().parent / "data" / "owlapi"

XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
OWL_ALL_DISJOINT_CLASSES = "http://www.w3.org/2002/07/owl#AllDisjointClasses"
DCTERMS_TITLE = "http://purl.org/dc/terms/title"
OWLAPI_ERROR1 = "http://org.semanticweb.owlapi/error#Error1"
MERGE = "http://example.org/owlcheck/merge#"

COUNT_KEYS = (
    "axioms",
    "logical_axioms",
    "classes",
    "object_properties",
    "data_properties",
    "annotation_properties",
    "datatypes",
    "individuals",
    "undeclared_individuals",
)


def violations(report: dict[str, Any]) -> list[tuple[str, str | None, str | None]]:
    """(type, entity, datatype) of every violation, in report order (sorted by the checker)."""
    return [(v["type"], v.get("entity"), v.get("datatype")) for v in report["violations"]]


def undeclared(report: dict[str, Any]) -> list[tuple[str, str]]:
    return [(u["type"], u["iri"]) for u in report["undeclared"]]


def counts(report: dict[str, Any]) -> dict[str, int]:
    return {k: report[k] for k in COUNT_KEYS}


def no_unparsed(report: dict[str, Any]) -> bool:
    return bool(report["unparsed_triples"] == {"count": 0, "triples": []})


# --------------------------------------------------------------------------- (a) clean


def test_clean_ontology_has_no_findings() -> None:
    path = DATA / "clean.ttl"
    report = run_owl_check([path])

    assert report["owlapi_version"].startswith("5.")
    assert report["ontology_iri"] == "http://example.org/owlcheck/clean"
    assert report["inputs"] == [
        {"path": str(path), "format": "Turtle", "triples": 38, "unparsed": 0}
    ]
    assert report["violations"] == []
    assert no_unparsed(report)
    assert report["undeclared"] == []
    assert report["malformed_axioms"] == []
    assert report["missing_imports"] == []
    assert counts(report) == {
        "axioms": 32,
        "logical_axioms": 17,
        "classes": 3,  # Organisation, Alliance, State
        "object_properties": 2,  # hasMember, memberOf
        "data_properties": 2,  # founded, memberCount
        "annotation_properties": 3,  # rdfs:label, rdfs:comment, owl:versionInfo (built-in)
        "datatypes": 4,  # xsd:dateTime, xsd:nonNegativeInteger, xsd:string, rdf:langString
        "individuals": 3,  # nato, france, norway -- all declared owl:NamedIndividual
        "undeclared_individuals": 0,
    }


@pytest.mark.parametrize(
    ("suffix", "rdflib_format", "owlapi_format"),
    [
        (".nt", "nt", "N-Triples"),
        (".rdf", "xml", "RDF/XML Syntax"),
    ],
)
def test_other_syntaxes_give_the_same_report(
    tmp_path: Path, suffix: str, rdflib_format: str, owlapi_format: str
) -> None:
    """clean.ttl re-serialised by rdflib: same findings and counts.

    N-Triples also covers labelled blank nodes in the Rio parser (every blank node is _:x there),
    which need JAXB on the classpath.
    """
    import rdflib

    converted = tmp_path / ("clean" + suffix)
    rdflib.Graph().parse(DATA / "clean.ttl").serialize(
        converted, format=rdflib_format, encoding="utf-8"
    )
    report = run_owl_check([converted])
    reference = run_owl_check([DATA / "clean.ttl"])

    assert report["inputs"] == [
        {"path": str(converted), "format": owlapi_format, "triples": 38, "unparsed": 0}
    ]
    for key in ("ontology_iri", "violations", "unparsed_triples", "undeclared", "malformed_axioms"):
        assert report[key] == reference[key], key
    assert counts(report) == counts(reference)


# --------------------------------------------------------------------------- (b) undeclared


def test_undeclared_entities_are_reported() -> None:
    report = run_owl_check([DATA / "undeclared.ttl"])

    treaty = "http://example.org/owlcheck/undeclared#Treaty"
    party_to = "http://example.org/owlcheck/undeclared#partyTo"
    assert undeclared(report) == [
        ("AnnotationProperty", DCTERMS_TITLE),
        ("Class", treaty),
        ("ObjectProperty", party_to),
    ]
    assert violations(report) == [
        ("UseOfUndeclaredAnnotationProperty", DCTERMS_TITLE, None),
        ("UseOfUndeclaredClass", treaty, None),
        ("UseOfUndeclaredObjectProperty", party_to, None),
    ]
    # :nato has no "a owl:NamedIndividual": counted, but not listed as undeclared.
    assert report["undeclared_individuals"] == 1
    assert no_unparsed(report)
    assert report["malformed_axioms"] == []


# --------------------------------------------------------------------------- (c) xsd:date


def test_xsd_date_literal_is_a_datatype_violation() -> None:
    report = run_owl_check([DATA / "xsd_date.ttl"])

    assert violations(report) == [
        ("UseOfDefinedDatatypeInLiteral", None, XSD_DATE),
        ("UseOfUndeclaredDatatype", XSD_DATE, XSD_DATE),
    ]
    literal_violation = report["violations"][0]
    assert '"1949-04-04"^^xsd:date' in literal_violation["text"]
    assert (
        "DataPropertyAssertion(<http://example.org/owlcheck/xsddate#founded>"
        in (literal_violation["text"])
    )
    # xsd:date is not in the OWL 2 datatype map, so it is not a built-in either.
    assert undeclared(report) == [("Datatype", XSD_DATE)]
    assert no_unparsed(report)
    assert report["malformed_axioms"] == []


# --------------------------------------------------------------------------- (d) malformed OWL


def test_malformed_owl_gives_error_placeholder_and_unparsed_triple() -> None:
    path = DATA / "malformed.ttl"
    report = run_owl_check([path])

    # owl:Restriction without owl:onProperty -> OWL API error placeholder class
    assert report["malformed_axioms"] == [
        "SubClassOf(<http://example.org/owlcheck/malformed#Alliance> <" + OWLAPI_ERROR1 + ">)"
    ]
    assert violations(report) == [("UseOfUndeclaredClass", OWLAPI_ERROR1, None)]
    assert undeclared(report) == [("Class", OWLAPI_ERROR1)]
    # owl:AllDisjointClasses without owl:members -> a triple no axiom could be made of
    assert report["unparsed_triples"]["count"] == 1
    (triple,) = report["unparsed_triples"]["triples"]
    assert triple["file"] == str(path)
    assert triple["subject"].startswith("_:")
    assert triple["predicate"] == RDF_TYPE
    assert triple["object"] == OWL_ALL_DISJOINT_CLASSES
    assert OWL_ALL_DISJOINT_CLASSES in triple["text"]
    assert report["inputs"][0]["unparsed"] == 1


def test_profile_checker_crash_is_reported_not_fatal() -> None:
    report = run_owl_check([DATA / "checker_crash.ttl"])

    assert violations(report) == [
        ("ProfileCheckerCrash", None, None),
        ("UseOfUndeclaredClass", "http://example.org/owlcheck/crash#Treaty", None),
    ]
    crash = report["violations"][0]["text"]
    assert "IndexOutOfBoundsException" in crash
    chain = "SubObjectPropertyOf(ObjectPropertyChain() <http://example.org/owlcheck/crash#hasAlly>)"
    assert chain in crash


# --------------------------------------------------------------------------- (e) merging

MERGED_VIOLATIONS = [
    ("UseOfDefinedDatatypeInLiteral", None, XSD_DATE),  # data
    ("UseOfUndeclaredAnnotationProperty", DCTERMS_TITLE, None),  # ontology
    ("UseOfUndeclaredClass", MERGE + "Observer", None),  # data
    ("UseOfUndeclaredDatatype", XSD_DATE, XSD_DATE),  # data
]
MERGED_UNDECLARED = [
    ("AnnotationProperty", DCTERMS_TITLE),
    ("Class", MERGE + "Observer"),
    ("Datatype", XSD_DATE),
]
MERGED_COUNTS = {
    "axioms": 15,  # 7 from the ontology + 8 from the data
    "logical_axioms": 10,
    "classes": 3,  # Alliance, State (ontology) + Observer (data)
    "object_properties": 1,  # hasMember: used in the data as an object property, not punned
    "data_properties": 1,  # founded
    "annotation_properties": 2,  # dcterms:title, rdfs:label
    "datatypes": 3,  # xsd:date, xsd:string, rdf:langString
    "individuals": 4,  # nato, france, norway, sweden
    "undeclared_individuals": 4,
}


def test_ontology_alone() -> None:
    report = run_owl_check([DATA / "merge_ontology.ttl"])

    assert violations(report) == [("UseOfUndeclaredAnnotationProperty", DCTERMS_TITLE, None)]
    assert undeclared(report) == [("AnnotationProperty", DCTERMS_TITLE)]
    assert report["axioms"] == 7
    assert report["individuals"] == 0


def test_merging_ontology_and_data_reports_on_the_union() -> None:
    ontology, data = DATA / "merge_ontology.ttl", DATA / "merge_data.ttl"
    report = run_owl_check([ontology, data])

    assert report["ontology_iri"] == "http://example.org/owlcheck/merge"
    assert report["inputs"] == [
        {"path": str(ontology), "format": "Turtle", "triples": 9, "unparsed": 0},
        {"path": str(data), "format": "Turtle", "triples": 8, "unparsed": 0},
    ]
    assert violations(report) == MERGED_VIOLATIONS
    assert undeclared(report) == MERGED_UNDECLARED
    assert counts(report) == MERGED_COUNTS
    assert no_unparsed(report)
    assert report["malformed_axioms"] == []


def test_data_alone_is_read_differently() -> None:
    """Why the data is parsed *into* the ontology rather than loaded alone and merged.

    Without the ontology's declarations the OWL API reads :hasMember and :founded as annotation
    properties, which a later axiom-level merge would turn into punning violations.
    """
    report = run_owl_check([DATA / "merge_data.ttl"])

    assert report["ontology_iri"] is None
    assert undeclared(report) == [
        ("AnnotationProperty", MERGE + "founded"),
        ("AnnotationProperty", MERGE + "hasMember"),
        ("Class", MERGE + "Alliance"),
        ("Class", MERGE + "Observer"),
        ("Class", MERGE + "State"),
        ("Datatype", XSD_DATE),
    ]
    assert report["object_properties"] == 0
    assert report["data_properties"] == 0


def test_rdfxml_data_merges_like_turtle_data() -> None:
    ontology, data = DATA / "merge_ontology.ttl", DATA / "merge_data.rdf"
    report = run_owl_check([ontology, data])

    assert report["inputs"][1] == {
        "path": str(data),
        "format": "RDF/XML Syntax",
        "triples": 8,
        "unparsed": 0,
    }
    assert violations(report) == MERGED_VIOLATIONS
    assert undeclared(report) == MERGED_UNDECLARED
    assert counts(report) == MERGED_COUNTS
    assert no_unparsed(report)


# --------------------------------------------------------------------------- loading


def test_imports_are_not_fetched() -> None:
    report = run_owl_check([DATA / "imports.ttl"])

    assert report["missing_imports"] == ["http://example.org/owlcheck/not-available"]
    assert report["violations"] == []
    assert report["undeclared"] == []
    assert report["classes"] == 1


def test_syntax_error_raises() -> None:
    with pytest.raises(OwlCheckError) as info:
        run_owl_check([DATA / "clean.ttl", DATA / "syntax_error.ttl"])
    assert info.value.returncode == 1
    assert "cannot load" in str(info.value)
    assert "syntax_error.ttl" in str(info.value)
    assert "Unexpected end of file" in str(info.value)


def test_unsupported_file_type_raises(tmp_path: Path) -> None:
    path = tmp_path / "ontology.jsonld"
    path.write_text("{}", encoding="utf-8")
    with pytest.raises(OwlCheckError) as info:
        run_owl_check([path])
    assert info.value.returncode == 2
    assert "unsupported file type" in str(info.value)


def test_missing_file_raises() -> None:
    with pytest.raises(FileNotFoundError):
        run_owl_check([DATA / "does-not-exist.ttl"])


# --------------------------------------------------------------------------- toolchain policy


def test_missing_jars_are_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OWLAPI_CLASSPATH", str(tmp_path / "no-such-owlapi.jar"))
    with pytest.raises(FileNotFoundError, match="no-such-owlapi.jar"):
        owlapi_classpath()


@pytest.mark.parametrize(
    ("ci", "outcome"),
    [
        (None, pytest.skip.Exception),
        ("", pytest.skip.Exception),
        ("false", pytest.skip.Exception),
        ("true", pytest.fail.Exception),
        ("1", pytest.fail.Exception),
    ],
)
def test_missing_toolchain_skips_locally_and_fails_in_ci(
    monkeypatch: pytest.MonkeyPatch, ci: str | None, outcome: type[BaseException]
) -> None:
    import owlapi_check

    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    monkeypatch.setattr(owlapi_check, "_toolchain", lambda: "no javac/java found")
    with pytest.raises(outcome, match="OWL API checker unavailable: no javac/java found"):
        run_owl_check([DATA / "clean.ttl"])
