"""The edit file and the release artefacts: canonical form, staleness, and the build itself.

``ontology/alliance-edit.owl`` (OWL Functional Syntax) is the one file curators edit; the
committed artefacts (``alliance.ttl`` among them, which the server and the tests load) must
hold exactly its triples, and the edit file must be in the normaliser's canonical form.
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from alliance_ld import build
from alliance_ld.errors import DataSyntaxError, InputError
from alliance_ld.namespace import ALD
from alliance_ld.resources import EDIT_FILE, ONTOLOGY_DIR, ONTOLOGY_FILE, TERMS_NS

SOURCE = build.load_ontology(EDIT_FILE)
SKOS_DEFINITION = rdflib.URIRef("http://www.w3.org/2004/02/skos/core#definition")


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "alliance_ld.cli", *args],
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize("name, fmt", sorted(build.ARTEFACTS.items()))
def test_committed_artefact_is_isomorphic_to_edit_file(name: str, fmt: str) -> None:
    artefact = rdflib.Graph().parse(ONTOLOGY_DIR / name, format=fmt)
    if not isomorphic(artefact, SOURCE):
        _, only_artefact, only_source = graph_diff(to_isomorphic(artefact), to_isomorphic(SOURCE))
        pytest.fail(
            f"ontology/{name} is stale: run `make build`.\n"
            f"only in artefact: {len(only_artefact)} triples, only in source: {len(only_source)}"
        )


def test_the_loaded_ontology_file_is_a_generated_artefact() -> None:
    assert ONTOLOGY_FILE.name in build.ARTEFACTS
    assert ONTOLOGY_FILE.read_text(encoding="utf-8").startswith(
        "# Generated from ontology/alliance-edit.owl by `alliance-ld build`; do not edit.\n")


def test_edit_file_is_owl_functional_syntax_in_canonical_form() -> None:
    text = EDIT_FILE.read_text(encoding="utf-8")
    assert text.startswith("Prefix(")
    assert "\nOntology(<https://w3id.org/alliance-ld/ontology> " in text
    assert build.is_canonical(EDIT_FILE), "run `alliance-ld normalise-ontology`"
    check = _cli("normalise-ontology", "--check", str(EDIT_FILE))
    assert check.returncode == 0, check.stderr


def test_edit_file_holds_the_ontology() -> None:
    assert (ALD.Alliance, rdflib.RDFS.label, rdflib.Literal("alliance", lang="en")) in SOURCE
    assert SOURCE.value(ALD.Alliance, SKOS_DEFINITION) is not None
    assert len(SOURCE) > 1000


def test_normaliser_is_idempotent_and_ignores_axiom_order(tmp_path: Path) -> None:
    text = EDIT_FILE.read_text(encoding="utf-8")
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Ontology("))
    # Another tool's save: axioms in another order, prefixes in another order, comments.
    # (The ontology's own annotations must stay before the axioms: the grammar says so.)
    header = [line for line in lines[start + 1:-1] if line.lstrip().startswith("Annotation(")]
    body = [line for line in lines[start + 1:-1] if not line.lstrip().startswith("Annotation(")]
    random.Random(9).shuffle(header)
    random.Random(9).shuffle(body)
    prefixes = lines[:start]
    random.Random(9).shuffle(prefixes)
    shuffled = "\n".join([*prefixes, "", lines[start], *header,
                          "# Class: a comment a tool wrote", *body, ")"]) + "\n"
    edited = tmp_path / "alliance-edit.owl"
    edited.write_text(shuffled, encoding="utf-8")
    assert not build.is_canonical(edited)
    check = _cli("normalise-ontology", "--check", str(edited))
    assert check.returncode == 1 and "not in canonical form" in check.stderr
    run = _cli("normalise-ontology", str(edited))
    assert run.returncode == 0, run.stderr
    assert edited.read_text(encoding="utf-8") == text
    assert build.normalise(edited) is False  # idempotent: nothing left to change


def test_normalised_change_is_only_the_changed_lines(tmp_path: Path) -> None:
    text = EDIT_FILE.read_text(encoding="utf-8")
    added = [
        "    Declaration(Class(ald:PeaceSupportMission))",
        "    SubClassOf(ald:PeaceSupportMission ald:SecurityCooperationActivity)",
        '    AnnotationAssertion(rdfs:label ald:PeaceSupportMission "peace support mission"@en)',
    ]
    # Appended just before the closing parenthesis, where no canonical file would have them.
    edited = tmp_path / "alliance-edit.owl"
    edited.write_text(text.rstrip().removesuffix(")") + "\n".join(added) + "\n)\n",
                      encoding="utf-8")
    build.normalise(edited)
    old, new = text.splitlines(), edited.read_text(encoding="utf-8").splitlines()
    assert sorted(set(new) - set(old)) == sorted(added)
    assert set(old) - set(new) == set()
    assert len(new) == len(old) + len(added)


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.owl"
    broken.write_text("Prefix(a:=<http://x/>)\nOntology(<http://o>\n"
                      "Declaration(Class(a:X)) junk\n)\n", encoding="utf-8")
    with pytest.raises(DataSyntaxError) as caught:
        build.normalise(broken)
    assert caught.value.line == 3
    run = _cli("normalise-ontology", str(broken))
    assert run.returncode == 2 and f"{broken}:3:" in run.stderr


def test_literals_survive_the_round_trip(tmp_path: Path) -> None:
    text = ('Prefix(rdfs:=<http://www.w3.org/2000/01/rdf-schema#>)\n'
            'Ontology(<http://example.org/o>\n'
            'Declaration(Class(<http://example.org/X>))\n'
            'AnnotationAssertion(rdfs:label <http://example.org/X>'
            ' "Protégé\'s \\"X\\" \\\\ é"@fr)\n'
            'AnnotationAssertion(rdfs:comment <http://example.org/X> "plain")\n)\n')
    edited = tmp_path / "x.owl"
    edited.write_text(text, encoding="utf-8")
    build.normalise(edited)
    graph = build.load_ontology(edited)
    x = rdflib.URIRef("http://example.org/X")
    assert graph.value(x, rdflib.RDFS.label) == rdflib.Literal('Protégé\'s "X" \\ é', lang="fr")
    # A plain string stays plain (no ^^xsd:string), as the OWL API writes it.
    assert graph.value(x, rdflib.RDFS.comment) == rdflib.Literal("plain")


def test_build_writes_every_artefact_and_refuses_to_overwrite_its_source(tmp_path: Path) -> None:
    written = build.build(tmp_path, namespace_module=None)
    assert sorted(p.name for p in written) == sorted(build.ARTEFACTS)
    assert isomorphic(rdflib.Graph().parse(tmp_path / "alliance.ttl", format="turtle"), SOURCE)
    source = tmp_path / "alliance.ttl"
    with pytest.raises(InputError, match="overwrite its own source"):
        build.build(tmp_path, source=source, namespace_module=None)


def test_build_is_byte_for_byte_reproducible(tmp_path: Path) -> None:
    # Blank nodes are named from their content: the Turtle and N-Triples a build writes are
    # the committed ones to the byte, so a rebuilt artefact's diff is the change, nothing else.
    build.build(tmp_path, namespace_module=None)
    for name in ("alliance.ttl", "alliance.nt"):
        assert (tmp_path / name).read_bytes() == (ONTOLOGY_DIR / name).read_bytes(), name


def test_stale_artefact_is_detected(tmp_path: Path) -> None:
    build.build(tmp_path, namespace_module=None)
    stale = rdflib.Graph().parse(tmp_path / "alliance.nt", format="nt")
    stale.remove((rdflib.URIRef(TERMS_NS + "Alliance"), None, None))
    assert not isomorphic(stale, SOURCE)


def test_namespace_module_is_up_to_date() -> None:
    source = Path(build.NAMESPACE_MODULE).read_text(encoding="utf-8")
    assert source == build.namespace_source(SOURCE), "run `make build`"


def test_namespace_module_terms() -> None:
    assert str(ALD.Alliance) == TERMS_NS + "Alliance"
    assert str(ALD.foundedOn) == TERMS_NS + "foundedOn"
    with pytest.raises(AttributeError):
        ALD.NotATerm  # noqa: B018


def test_jsonld_artefact_uses_our_prefixes() -> None:
    text = (ONTOLOGY_DIR / "alliance.jsonld").read_text(encoding="utf-8")
    assert '"ald": "https://w3id.org/alliance-ld/ontology#"' in text
