"""Where the shipped ontology, shapes, data and queries live.

In a source checkout they are the top-level folders of the repository; in an
installed wheel they are packaged under ``alliance_ld/_resources``.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _root() -> Path:
    checkout = _PACKAGE_DIR.parent.parent
    if (checkout / "ontology" / "alliance.ttl").is_file():
        return checkout
    return _PACKAGE_DIR / "_resources"


ROOT: Path = _root()
ONTOLOGY_DIR: Path = ROOT / "ontology"
#: The ontology as the server, the store and the tests load it: Turtle, generated from
#: :data:`EDIT_FILE` by ``alliance-ld build`` and committed.
ONTOLOGY_FILE: Path = ONTOLOGY_DIR / "alliance.ttl"
#: The one file curators edit (in Protégé): OWL Functional Syntax, kept in the canonical form
#: that ``alliance-ld normalise-ontology`` writes.
EDIT_FILE: Path = ONTOLOGY_DIR / "alliance-edit.owl"
SHAPES_DIR: Path = ROOT / "shapes"
DATA_DIR: Path = ROOT / "data"
QUERIES_DIR: Path = ROOT / "queries"

#: The canonical base of every IRI we mint (stored data always uses it).
BASE_IRI = "https://w3id.org/alliance-ld/"
#: Namespace of ontology terms (a hash namespace: terms resolve to one document).
ONTOLOGY_IRI = BASE_IRI + "ontology"
TERMS_NS = ONTOLOGY_IRI + "#"
#: Namespace of instance IRIs, e.g. ``https://w3id.org/alliance-ld/id/alliance/nato``.
ID_NS = BASE_IRI + "id/"
#: Namespace of named graphs, one per data file.
GRAPH_NS = BASE_IRI + "graph/"
#: Namespace of SHACL shapes.
SHAPES_NS = BASE_IRI + "shapes#"

RDF_SUFFIXES = {".ttl": "turtle", ".nt": "nt", ".rdf": "xml", ".owl": "xml", ".jsonld": "json-ld"}


def rdf_files(folder: Path) -> list[Path]:
    """The RDF files directly inside ``folder``, sorted by name."""
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in RDF_SUFFIXES)
