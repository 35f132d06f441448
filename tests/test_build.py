"""Release artefacts: the committed files must match the Turtle source."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from alliance_ld import build
from alliance_ld.namespace import ALD
from alliance_ld.resources import ONTOLOGY_DIR, ONTOLOGY_FILE, TERMS_NS

SOURCE = rdflib.Graph().parse(ONTOLOGY_FILE, format="turtle")


@pytest.mark.parametrize("name, fmt", sorted(build.ARTEFACTS.items()))
def test_committed_artefact_is_isomorphic_to_source(name: str, fmt: str) -> None:
    artefact = rdflib.Graph().parse(ONTOLOGY_DIR / name, format=fmt)
    if not isomorphic(artefact, SOURCE):
        _, only_artefact, only_source = graph_diff(to_isomorphic(artefact), to_isomorphic(SOURCE))
        pytest.fail(
            f"ontology/{name} is stale: run `alliance-ld build`.\n"
            f"only in artefact: {len(only_artefact)} triples, only in source: {len(only_source)}"
        )


def test_stale_artefact_is_detected(tmp_path: Path) -> None:
    build.build(tmp_path, namespace_module=None)
    stale = rdflib.Graph().parse(tmp_path / "alliance.nt", format="nt")
    stale.remove((rdflib.URIRef(TERMS_NS + "Alliance"), None, None))
    assert not isomorphic(stale, SOURCE)


def test_namespace_module_is_up_to_date() -> None:
    source = Path(build.NAMESPACE_MODULE).read_text(encoding="utf-8")
    assert source == build.namespace_source(SOURCE), "run `alliance-ld build`"


def test_namespace_module_terms() -> None:
    assert str(ALD.Alliance) == TERMS_NS + "Alliance"
    assert str(ALD.foundedOn) == TERMS_NS + "foundedOn"
    with pytest.raises(AttributeError):
        ALD.NotATerm  # noqa: B018


def test_jsonld_artefact_uses_our_prefixes() -> None:
    text = (ONTOLOGY_DIR / "alliance.jsonld").read_text(encoding="utf-8")
    assert '"ald": "https://w3id.org/alliance-ld/ontology#"' in text
