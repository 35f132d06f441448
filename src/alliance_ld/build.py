"""The ontology's edit file, its canonical form, and the release artefacts built from it.

Curators edit one file, ``ontology/alliance-edit.owl``, in OWL Functional Syntax (the
Ontology Development Kit's habit; the README says why, with the numbers).  It is read and
written here with py-horned-owl, so neither the build nor the normaliser needs Java:

* :func:`normalise` rewrites the edit file in its canonical form (``alliance-ld
  normalise-ontology``): axioms sorted, one per line, prefixes sorted, so that a Protégé save
  followed by the normaliser leaves only the lines of the change;
* :func:`build` (``alliance-ld build``) writes, next to the edit file, the release artefacts:

  * ``alliance.ttl`` — Turtle, what the server, the store and the tests load;
  * ``alliance.rdf`` — RDF/XML;
  * ``alliance.jsonld`` — JSON-LD with our prefixes as its ``@context``;
  * ``alliance.nt`` — N-Triples, sorted, for diffs and bulk loaders;

  and regenerates ``src/alliance_ld/namespace.py``, the ``DefinedNamespace`` of the
  ontology's terms, so that code never spells term IRIs as strings.
"""

from __future__ import annotations

import io
import keyword
import re
from pathlib import Path

import pyhornedowl
import rdflib
from rdflib.compare import to_canonical_graph
from rdflib.namespace import OWL, RDF, XSD
from rdflib.plugins.serializers.turtle import TurtleSerializer
from rdflib.term import Node

from .errors import DataSyntaxError, InputError, MissingInputError
from .resources import EDIT_FILE, ONTOLOGY_DIR, TERMS_NS

#: Release artefacts: file name -> rdflib format.
ARTEFACTS = {"alliance.ttl": "turtle", "alliance.rdf": "xml", "alliance.jsonld": "json-ld",
             "alliance.nt": "nt"}
NAMESPACE_MODULE = Path(__file__).resolve().parent / "namespace.py"

_TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty,
               OWL.NamedIndividual, rdflib.URIRef("http://www.w3.org/2004/02/skos/core#ConceptScheme"))

#: A prefix declaration of OWL Functional Syntax, alone on its line as every writer puts it.
_PREFIX_LINE = re.compile(r"^Prefix\(([A-Za-z_][\w.-]*)?:=<([^>]*)>\)$")
#: Where py-horned-owl's parser error says it stopped: ``line_col: Pos((2, 45))``.
_ERROR_POSITION = re.compile(r"line_col: Pos\(\((\d+), (\d+)\)\)")


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MissingInputError(f"{path}: cannot read the ontology: {exc.strerror}") from exc


def _parse_functional(text: str, path: Path) -> pyhornedowl.PyIndexedOntology:
    """The ontology of an OWL Functional Syntax text; DataSyntaxError where it does not parse."""
    if not text.lstrip().startswith(("Prefix(", "Ontology(", "#")):
        raise DataSyntaxError(path, "not OWL Functional Syntax (expected Prefix( or Ontology()")
    try:
        return pyhornedowl.open_ontology(text, "ofn")
    except ValueError as exc:
        where = _ERROR_POSITION.search(str(exc))
        line, column = (int(where[1]), int(where[2])) if where else (None, None)
        raise DataSyntaxError(path, "not valid OWL Functional Syntax", line, column) from exc


def prefixes(text: str) -> dict[str, str]:
    """The prefix declarations of an OWL Functional Syntax document, name -> namespace."""
    found = {}
    for line in text.splitlines():
        if line.startswith("Ontology("):
            break
        match = _PREFIX_LINE.match(line.strip())
        if match:
            found[match[1] or ""] = match[2]
    return found


def canonical_form(text: str, path: Path = EDIT_FILE) -> str:
    """The canonical OWL Functional Syntax of the ontology ``text`` holds.

    py-horned-owl writes the axioms sorted, one per line, in an order that depends on the
    axioms alone (not on the order a tool saved them in); the prefix declarations, which it
    keeps in the order it read them, are sorted here by name, one name per namespace.
    Comments (the ``# Class:`` lines Protégé writes) are dropped.
    ``canonical_form(canonical_form(t)) == canonical_form(t)``.
    """
    ontology = _parse_functional(text, path)
    # Where two prefixes name one namespace (the OWL API adds ":" for the ontology's own), the
    # writer's choice between them would depend on the order it read them in: keep one, the
    # named one with the smallest name.
    by_namespace: dict[str, list[str]] = {}
    for name, namespace in prefixes(text).items():
        by_namespace.setdefault(namespace, []).append(name)
    for names in by_namespace.values():
        keep = min(names, key=lambda name: (name == "", name))
        for name in names:
            if name != keep:
                ontology.prefix_mapping.remove_prefix(name)
    written = ontology.save_to_string("ofn")
    lines = written.splitlines()
    # The prefix declarations are the lines before "Ontology(" (a literal may span lines).
    start = next((i for i, line in enumerate(lines) if line.startswith("Ontology(")), 0)
    return "\n".join(sorted(lines[:start]) + lines[start:]) + "\n"


def is_canonical(path: Path = EDIT_FILE) -> bool:
    """Whether the edit file is in its canonical form already."""
    text = _read_text(path)
    return canonical_form(text, path) == text


def normalise(path: Path = EDIT_FILE) -> bool:
    """Rewrite the edit file in its canonical form; whether it changed."""
    text = _read_text(path)
    canonical = canonical_form(text, path)
    if canonical == text:
        return False
    path.write_text(canonical, encoding="utf-8")
    return True


def load_ontology(path: Path = EDIT_FILE) -> rdflib.Graph:
    """The ontology as an RDF graph: from the edit file (OWL Functional Syntax) or from Turtle.

    The functional syntax is mapped to RDF by py-horned-owl (the OWL 2 mapping to RDF graphs;
    measured against the OWL API's mapping of the same file: the same triples).  Its RDF/XML
    types plain strings as ``xsd:string``, the same literals in RDF 1.1; they are written as
    plain literals here, as the OWL API writes them.
    """
    graph = rdflib.Graph()
    if path.suffix == ".ttl":
        graph.parse(path, format="turtle")
        return graph
    text = _read_text(path)
    parsed = rdflib.Graph().parse(data=_parse_functional(text, path).save_to_string("owl"),
                                  format="xml")
    for s, p, o in parsed:
        if isinstance(o, rdflib.Literal) and o.datatype == XSD.string:
            o = rdflib.Literal(str(o))
        graph.add((s, p, o))
    for name, namespace in sorted(prefixes(text).items()):
        if name and name not in ("xml",):
            graph.bind(name, namespace, override=True, replace=True)
    return graph


def _generated_header(source: Path) -> str:
    return (f"# Generated from ontology/{source.name} by `alliance-ld build`; do not edit.\n"
            f"# Edit ontology/{source.name} (in Protégé) instead: see the README, "
            "\"Editing the ontology\".\n")


class _TurtleByIRI(TurtleSerializer):
    """rdflib's Turtle writer, with the ontology header first and then every subject in IRI
    order (rdflib's own order puts the most referenced subjects last, so that adding a subclass
    would move its superclass's block)."""

    def __init__(self, store: rdflib.Graph) -> None:
        super().__init__(store)
        self.topClasses = [OWL.Ontology]

    def orderSubjects(self) -> list[Node]:  # noqa: N802 (rdflib's name)
        ordered = super().orderSubjects()
        head = [s for s in ordered if s in self._topLevels]
        rest = sorted((s for s in ordered if s not in self._topLevels),
                      key=lambda s: (isinstance(s, rdflib.BNode), str(s)))
        return head + rest


def _turtle(graph: rdflib.Graph) -> str:
    out = io.BytesIO()
    _TurtleByIRI(graph).serialize(out, encoding="utf-8")
    return out.getvalue().decode("utf-8")


def serialize_artefact(graph: rdflib.Graph, fmt: str, source: Path = EDIT_FILE) -> str:
    if fmt == "turtle":
        return _generated_header(source) + _turtle(graph)
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


def namespace_source(graph: rdflib.Graph, source: Path = EDIT_FILE) -> str:
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


def _stable_blank_nodes(graph: rdflib.Graph) -> rdflib.Graph:
    """The graph with blank nodes named from their content, so that every build writes the
    same bytes, and a change to the ontology changes only the lines it touches."""
    stable = rdflib.Graph()
    for prefix, namespace in graph.namespaces():
        stable.bind(prefix, namespace, override=True, replace=True)
    for triple in to_canonical_graph(graph):
        stable.add(triple)
    return stable


def build(out_dir: Path = ONTOLOGY_DIR, source: Path = EDIT_FILE,
          namespace_module: Path | None = NAMESPACE_MODULE) -> list[Path]:
    """Write the release artefacts (and the namespace module); return what was written."""
    for name in ARTEFACTS:
        if (out_dir / name).resolve() == source.resolve():
            raise InputError(f"{source}: the build would overwrite its own source")
    graph = _stable_blank_nodes(load_ontology(source))
    written = []
    for name, fmt in ARTEFACTS.items():
        target = out_dir / name
        target.write_text(serialize_artefact(graph, fmt, source), encoding="utf-8")
        written.append(target)
    if namespace_module is not None:
        namespace_module.write_text(namespace_source(graph, source), encoding="utf-8")
        written.append(namespace_module)
    return written
