"""The curator's round trip: Protégé saves the edit file, the normaliser, the build, the checks.

Protégé saves with the OWL API; ``tests/owlapi/ProtegeSave.java`` makes the same calls against
Debian's ``libowlapi-java`` (load the file, add a class, ``saveOntology`` in the format the file
was read in, default writer settings).  Everything happens in a temporary copy of
``ontology/``, never in the working tree.  Then, as the README tells a curator to:

1. ``alliance-ld normalise-ontology`` -- the diff against the committed edit file is exactly
   the new class's lines;
2. the build (``alliance-ld build``'s function, into the copy);
3. the quality checks on what was built: the OWL API's OWL 2 DL profile check (as in
   ``test_protege.py``), the SHACL shapes over the data with this ontology, and every
   ``queries/*-violation.rq`` -- they accept the change;

and a negative control: a class saved without a label is caught by the label check.
"""

from __future__ import annotations

import difflib
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from owlapi_check import run_owl_check, run_protege_save
from rdflib.compare import isomorphic

from alliance_ld import build
from alliance_ld.resources import DATA_DIR, EDIT_FILE, GRAPH_NS, ONTOLOGY_DIR, QUERIES_DIR
from alliance_ld.store import Store
from alliance_ld.validate import validate_store

pytestmark = [pytest.mark.java, pytest.mark.slow]

ALD = "https://w3id.org/alliance-ld/ontology#"
SKOS_DEFINITION = rdflib.URIRef("http://www.w3.org/2004/02/skos/core#definition")
NEW_CLASS = ALD + "PeaceSupportOperation"
LABEL = "peace support operation"
# Quotes, a backslash and non-ASCII letters: the writers and the normaliser must keep them.
DEFINITION = ('A multinational operation to keep or restore peace under a mandate, such as a '
              '"Chapter VII" operation; Protégé\'s \\ test: défense, Ελλάδα.')
VIOLATION_QUERIES = sorted(QUERIES_DIR.glob("*-violation.rq"))


def _copy_of_ontology(root: Path) -> Path:
    folder = root / "ontology"
    shutil.copytree(ONTOLOGY_DIR, folder)
    return folder / EDIT_FILE.name


def _normalise_with_cli(path: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "alliance_ld.cli", "normalise-ontology",
                          str(path)], capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("normalised "), run.stdout


def _changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    diff = list(difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0))
    added = [line[1:] for line in diff if line.startswith("+") and not line.startswith("+++")]
    removed = [line[1:] for line in diff if line.startswith("-") and not line.startswith("---")]
    return added, removed


def _violation_rows(ontology_ttl: Path) -> dict[str, set[str]]:
    store = Store()
    store.load_file(ontology_ttl, GRAPH_NS + "ontology")
    store.load_paths([DATA_DIR])
    found = {}
    for query in VIOLATION_QUERIES:
        result = store.query(query.read_text(encoding="utf-8"))
        assert isinstance(result, ox.QuerySolutions)
        rows = {str(row[0].value) for row in result if row[0] is not None}
        if rows:
            found[query.stem] = rows
    return found


@pytest.fixture(scope="module")
def saved_with_new_class(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of ontology/ whose edit file Protégé saved with one new class, then normalised
    and built."""
    edit = _copy_of_ontology(tmp_path_factory.mktemp("protege-add"))
    written = run_protege_save(EDIT_FILE, edit, "same", add_class=NEW_CLASS, label=LABEL,
                               definition=DEFINITION)
    assert written == "OWL Functional Syntax"  # Protégé keeps the format it opened
    _normalise_with_cli(edit)
    build.build(edit.parent, source=edit, namespace_module=edit.parent / "namespace.py")
    return edit


def test_build_reads_the_edit_file_as_the_owl_api_does(tmp_path: Path) -> None:
    # The build maps the functional syntax to RDF with py-horned-owl, not Java: the OWL API's
    # RDF/XML of the same file must hold the same triples.
    owlapi_rdf = tmp_path / "owlapi.rdf"
    assert run_protege_save(EDIT_FILE, owlapi_rdf, "rdfxml") == "RDF/XML Syntax"
    owlapi = rdflib.Graph().parse(owlapi_rdf, format="xml")
    ours = build.load_ontology(EDIT_FILE)
    assert len(ours) == len(owlapi)
    assert isomorphic(ours, owlapi)


def test_owl_api_saves_functional_syntax_deterministically(tmp_path: Path) -> None:
    first, second, reopened = (tmp_path / f"{n}.owl" for n in ("first", "second", "reopened"))
    run_protege_save(EDIT_FILE, first, "same")
    run_protege_save(EDIT_FILE, second, "same")
    run_protege_save(first, reopened, "same")
    assert first.read_bytes() == second.read_bytes() == reopened.read_bytes()


def test_protege_save_of_unchanged_file_normalises_to_the_committed_bytes(
        tmp_path: Path) -> None:
    saved = tmp_path / EDIT_FILE.name
    run_protege_save(EDIT_FILE, saved, "same")
    committed = EDIT_FILE.read_text(encoding="utf-8")
    raw = saved.read_text(encoding="utf-8")
    assert raw != committed  # the OWL API lays a file out its own way...
    _normalise_with_cli(saved)
    assert saved.read_text(encoding="utf-8") == committed  # ...and the normaliser undoes it


def test_normalised_diff_is_exactly_the_new_class(saved_with_new_class: Path) -> None:
    added, removed = _changed_lines(EDIT_FILE.read_text(encoding="utf-8"),
                                    saved_with_new_class.read_text(encoding="utf-8"))
    assert removed == []
    escaped = DEFINITION.replace("\\", "\\\\").replace('"', '\\"')
    assert sorted(added) == sorted([
        "    Declaration(Class(ald:PeaceSupportOperation))",
        "    SubClassOf(ald:PeaceSupportOperation ald:SecurityRelationship)",
        f'    AnnotationAssertion(rdfs:label ald:PeaceSupportOperation "{LABEL}"@en)',
        f'    AnnotationAssertion(skos:definition ald:PeaceSupportOperation "{escaped}"@en)',
    ])


def test_build_carries_the_new_class_into_every_artefact(saved_with_new_class: Path) -> None:
    folder = saved_with_new_class.parent
    cls = rdflib.URIRef(NEW_CLASS)
    committed = rdflib.Graph().parse(ONTOLOGY_DIR / "alliance.ttl", format="turtle")
    for name, fmt in build.ARTEFACTS.items():
        graph = rdflib.Graph().parse(folder / name, format=fmt)
        assert (cls, rdflib.RDF.type, rdflib.OWL.Class) in graph, name
        assert graph.value(cls, rdflib.RDFS.label) == rdflib.Literal(LABEL, lang="en"), name
        assert graph.value(cls, SKOS_DEFINITION) == rdflib.Literal(DEFINITION, lang="en"), name
        assert len(graph) == len(committed) + 4, name  # declaration, subclass, two annotations
    namespace = (folder / "namespace.py").read_text(encoding="utf-8")
    assert "    PeaceSupportOperation: URIRef" in namespace
    # The generated Turtle changes by the new class's lines only.
    added, removed = _changed_lines((ONTOLOGY_DIR / "alliance.ttl").read_text(encoding="utf-8"),
                                    (folder / "alliance.ttl").read_text(encoding="utf-8"))
    assert removed == [] and 0 < len(added) <= 8, added


def test_owl_api_profile_check_accepts_the_change(saved_with_new_class: Path) -> None:
    folder = saved_with_new_class.parent
    before = run_owl_check([ONTOLOGY_DIR / "alliance.ttl"])
    for artefact in ("alliance.ttl", "alliance.rdf"):
        report = run_owl_check([folder / artefact])
        assert report["violations"] == [], artefact
        assert report["unparsed_triples"]["count"] == 0, artefact
        assert report["undeclared"] == [], artefact
        assert report["classes"] == before["classes"] + 1, artefact


def test_quality_queries_and_shapes_accept_the_change(saved_with_new_class: Path) -> None:
    ontology_ttl = saved_with_new_class.parent / "alliance.ttl"
    assert _violation_rows(ontology_ttl) == {}
    store = Store()
    store.load_paths([DATA_DIR])
    report = validate_store(store, ontology_file=ontology_ttl)
    assert report.conforms, report.to_text()


def test_class_without_label_is_caught(tmp_path: Path) -> None:
    edit = _copy_of_ontology(tmp_path)
    unlabelled = ALD + "UnlabelledOperation"
    run_protege_save(EDIT_FILE, edit, "same", add_class=unlabelled,
                     definition="An operation a curator forgot to label.")
    _normalise_with_cli(edit)
    build.build(edit.parent, source=edit, namespace_module=None)
    assert _violation_rows(edit.parent / "alliance.ttl") == {
        "resource-without-label-violation": {unlabelled},
    }
