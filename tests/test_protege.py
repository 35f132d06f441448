"""The ontology opens cleanly in Protégé: checked with the OWL API, Protégé's own library.

``tests/owlapi/OwlCheck.java`` is compiled in the test run against Debian's
``libowlapi-java`` and loads our files the way Protégé does (see its header).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from owlapi_check import run_owl_check

from alliance_ld.resources import DATA_DIR, ONTOLOGY_DIR, ONTOLOGY_FILE

XSD = "http://www.w3.org/2001/XMLSchema#"
#: Datatypes OWL 2's datatype map lacks, allowed on data literals only (SHACL checks them).
DATE_TYPES = {XSD + "date", XSD + "gYear", XSD + "gYearMonth"}
DATATYPE_VIOLATIONS = {"UseOfDefinedDatatypeInLiteral", "UseOfUndeclaredDatatype"}

pytestmark = pytest.mark.java


@pytest.mark.parametrize("artefact", [ONTOLOGY_FILE, ONTOLOGY_DIR / "alliance.rdf"],
                         ids=["turtle-source", "rdfxml-artefact"])
def test_ontology_is_clean_owl2_dl(artefact: Path) -> None:
    report = run_owl_check([artefact])
    assert report["ontology_iri"] == "https://w3id.org/alliance-ld/ontology"
    assert report["violations"] == []
    assert report["unparsed_triples"]["count"] == 0, report["unparsed_triples"]["triples"][:5]
    assert report["undeclared"] == []
    assert report["missing_imports"] == []
    assert report["classes"] >= 50 and report["object_properties"] >= 30


def test_ontology_with_data_only_has_date_datatype_violations() -> None:
    files = [ONTOLOGY_FILE, *sorted(DATA_DIR.glob("*.ttl"))]
    report = run_owl_check(files)
    other = [v for v in report["violations"]
             if v["type"] not in DATATYPE_VIOLATIONS or v.get("datatype") not in DATE_TYPES]
    assert other == []
    # ...and each of them is about a typed data literal, never about the ontology's axioms.
    assert report["violations"], "expected the data's xsd:date literals to be reported"
    assert all(v["type"] == "UseOfUndeclaredDatatype" or '"^^xsd:' in v["text"]
               or f'"^^<{XSD}' in v["text"] for v in report["violations"])
    assert {v["datatype"] for v in report["violations"]} == DATE_TYPES
    assert report["unparsed_triples"]["count"] == 0, report["unparsed_triples"]["triples"][:5]
    assert report["undeclared"] == [{"type": "Datatype", "iri": iri} for iri in sorted(DATE_TYPES)]
    assert report["individuals"] > 300
