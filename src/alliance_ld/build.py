"""Release artefacts of the ontology, generated from its Turtle source.

``alliance-ld build`` writes, next to ``ontology/alliance.ttl``:

* ``alliance.rdf`` — RDF/XML, the format Protégé users open;
* ``alliance.jsonld`` — JSON-LD with our prefixes as its ``@context``;
* ``alliance.nt`` — N-Triples, sorted, for diffs and bulk loaders;

and regenerates ``src/alliance_ld/namespace.py``, the ``DefinedNamespace`` of
the ontology's terms, so that code never spells term IRIs as strings.
"""

from __future__ import annotations

import keyword
from pathlib import Path

import rdflib
from rdflib.namespace import OWL, RDF

from .resources import ONTOLOGY_DIR, ONTOLOGY_FILE, TERMS_NS

ARTEFACTS = {"alliance.rdf": "xml", "alliance.jsonld": "json-ld", "alliance.nt": "nt"}
NAMESPACE_MODULE = Path(__file__).resolve().parent / "namespace.py"

_TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty,
               OWL.NamedIndividual, rdflib.URIRef("http://www.w3.org/2004/02/skos/core#ConceptScheme"))


def load_ontology(path: Path = ONTOLOGY_FILE) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(path, format="turtle")
    return graph


def serialize_artefact(graph: rdflib.Graph, fmt: str) -> str:
    if fmt == "nt":
        lines = graph.serialize(format="nt").splitlines()
        return "\n".join(sorted(line for line in lines if line.strip())) + "\n"
    if fmt == "json-ld":
        context = {prefix: str(ns) for prefix, ns in graph.namespaces() if prefix}
        return graph.serialize(format="json-ld", context=context, indent=2)
    return graph.serialize(format=fmt)


def terms(graph: rdflib.Graph) -> list[str]:
    """Local names of the terms the ontology defines in its own namespace."""
    names = set()
    for kind in _TERM_TYPES:
        for subject in graph.subjects(RDF.type, kind):
            iri = str(subject)
            if iri.startswith(TERMS_NS):
                names.add(iri[len(TERMS_NS):])
    return sorted(names)


def namespace_source(graph: rdflib.Graph, source: Path = ONTOLOGY_FILE) -> str:
    lines = [
        '"""The alliance-ld ontology terms as an rdflib ``DefinedNamespace``.',
        "",
        f"Generated from ontology/{source.name} by ``alliance-ld build``; do not edit.",
        '"""',
        "",
        "from rdflib.namespace import DefinedNamespace, Namespace",
        "from rdflib.term import URIRef",
        "",
        "",
        "class ALD(DefinedNamespace):",
        '    """Terms of the alliance-ld ontology."""',
        "",
        "    _fail = True",
        f'    _NS = Namespace("{TERMS_NS}")',
        "",
    ]
    for name in terms(graph):
        if not name.isidentifier() or keyword.iskeyword(name):
            continue
        lines.append(f"    {name}: URIRef  # noqa: N815")
    return "\n".join(lines) + "\n"


def build(out_dir: Path = ONTOLOGY_DIR, source: Path = ONTOLOGY_FILE,
          namespace_module: Path | None = NAMESPACE_MODULE) -> list[Path]:
    """Write the release artefacts (and the namespace module); return what was written."""
    graph = load_ontology(source)
    written = []
    for name, fmt in ARTEFACTS.items():
        target = out_dir / name
        target.write_text(serialize_artefact(graph, fmt), encoding="utf-8")
        written.append(target)
    if namespace_module is not None:
        namespace_module.write_text(namespace_source(graph, source), encoding="utf-8")
        written.append(namespace_module)
    return written
