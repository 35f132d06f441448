"""SHACL validation of the knowledge graph with pySHACL.

The shapes (``shapes/*.ttl``) are checked against the data with the ontology
added to the data graph, so that ``sh:class`` sees the class hierarchy. (We add
it ourselves rather than passing it as pySHACL's ``ont_graph``: pySHACL 0.40
mixes an ontology graph in by cloning its named individuals through
``skos:hasTopConcept``/``skos:topConceptOf`` without remembering what it has
cloned, which costs seconds for the same triples.) The data is validated as its
files state it, parsed afresh, not as the store holds it: Oxigraph stores
integer-derived datatypes such as ``xsd:nonNegativeInteger`` as ``xsd:integer``.

Results come back as :class:`ValidationResult` records that name the focus
node, path, value, message, shape, severity and the file each came from.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import rdflib
from rdflib.namespace import RDF, SH

from .backend import Backend
from .resources import DATA_DIR, ONTOLOGY_FILE, SHAPES_DIR
from .store import Store, to_rdflib

SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result, in terms a curator can act on."""

    severity: str
    focus_node: str
    path: str | None
    value: str | None
    message: str
    shape: str
    constraint: str
    data_file: str | None = None
    shape_file: str | None = None


@dataclass
class ValidationReport:
    """All results of one validation run."""

    results: list[ValidationResult] = field(default_factory=list)
    report_graph: rdflib.Graph = field(default_factory=rdflib.Graph)

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Warning"]

    @property
    def conforms(self) -> bool:
        """True when there is no result of severity ``sh:Violation``."""
        return not self.violations

    def to_text(self) -> str:
        if not self.results:
            return "Conforms: no violations, no warnings."
        lines = []
        for r in self.results:
            lines.append(f"{r.severity}: {r.message}")
            lines.append(f"  focus node: {r.focus_node}")
            if r.path:
                lines.append(f"  path:       {r.path}")
            if r.value is not None:
                lines.append(f"  value:      {r.value}")
            shape_file = f" ({r.shape_file})" if r.shape_file else ""
            lines.append(f"  shape:      {r.shape}{shape_file}")
            if r.data_file:
                lines.append(f"  file:       {r.data_file}")
        verdict = "Conforms" if self.conforms else "Does not conform"
        lines.append(
            f"{verdict}: {len(self.violations)} violation(s), {len(self.warnings)} warning(s)."
        )
        return "\n".join(lines)

    def to_json(self) -> str:
        return json.dumps(
            {
                "conforms": self.conforms,
                "violations": len(self.violations),
                "warnings": len(self.warnings),
                "results": [asdict(r) for r in self.results],
            },
            indent=2,
            ensure_ascii=False,
        )

    def to_turtle(self) -> str:
        return self.report_graph.serialize(format="turtle")


def _term_text(term: rdflib.term.Node | None) -> str | None:
    if term is None:
        return None
    if isinstance(term, rdflib.BNode):
        return f"_:{term}"
    return str(term)


def _path_text(graph: rdflib.Graph, path: rdflib.term.Node | None) -> str | None:
    if path is None:
        return None
    if isinstance(path, rdflib.BNode):
        inverse = graph.value(path, SH.inversePath)
        if inverse is not None:
            return f"^{inverse}"
        return "(complex path)"
    return str(path)


def load_shapes(paths: Sequence[Path] | None = None) -> tuple[rdflib.Graph, dict[str, str]]:
    """The shapes graph, and for each shape the file that declares it."""
    shapes_store = Store()
    shapes_store.load_paths(list(paths) if paths else [SHAPES_DIR])
    graph = rdflib.Graph()
    origin: dict[str, str] = {}
    for name, path in shapes_store.files.items():
        for quad in shapes_store.quads(name):
            s = to_rdflib(quad.subject)
            graph.add((s, to_rdflib(quad.predicate), to_rdflib(quad.object)))
            if quad.predicate.value == str(RDF.type):
                origin.setdefault(str(s), str(path))
    return graph, origin


def _quads(source: Store | Backend) -> Iterator[tuple[Any, Any, Any, str | None]]:
    """Every quad of a store loaded here, or of any back end (e.g. a remote triplestore)."""
    if isinstance(source, Store):
        yield from source.neutral_quads()
        return
    for row in source.select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"):
        yield row["s"], row["p"], row["o"], str(row["g"])


def validate_store(
    store: Store | Backend,
    shapes_paths: Sequence[Path] | None = None,
    ontology_file: Path = ONTOLOGY_FILE,
) -> ValidationReport:
    """Validate the data graphs of ``store`` (not the ontology, not the shapes).


    What is validated is what the store holds, as the endpoint and the dumps
    publish it (not the files it was loaded from). A focus node's data file is
    the file its graph was loaded from, or else the graph's IRI.
    """
    shapes, shape_origin = load_shapes(shapes_paths)
    data = rdflib.Graph()
    subject_origin: dict[str, str] = {}
    files = store.files if isinstance(store, Store) else {}
    for s, p, o, graph in _quads(store):
        name = graph or ""
        if name.endswith(("/graph/ontology", "/graph/shapes")):
            continue
        data.add((s, p, o))
        if str(s) not in subject_origin:
            path = files.get(name)
            subject_origin[str(s)] = str(path) if path is not None else name
    data.parse(ontology_file, format="turtle")
    from pyshacl import validate as shacl_validate  # here: a slow import the server rarely needs

    _conforms, report_graph, _text = shacl_validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    results = []
    for node in report_graph.subjects(RDF.type, SH.ValidationResult):
        severity = report_graph.value(node, SH.resultSeverity)
        focus = report_graph.value(node, SH.focusNode)
        shape = report_graph.value(node, SH.sourceShape)
        message = report_graph.value(node, SH.resultMessage)
        shape_text = _term_text(shape) or ""
        shape_file = shape_origin.get(shape_text)
        if isinstance(shape, rdflib.BNode):
            parent = next(iter(shapes.subjects(SH.property, shape)), None)
            shape_text = _shape_name(shapes, shape)
            shape_file = shape_origin.get(str(parent)) if parent is not None else None
        results.append(
            ValidationResult(
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                focus_node=_term_text(focus) or "",
                path=_path_text(report_graph, report_graph.value(node, SH.resultPath)),
                value=_term_text(report_graph.value(node, SH.value)),
                message=str(message) if message else "(no message)",
                shape=shape_text,
                constraint=str(report_graph.value(node, SH.sourceConstraintComponent)).rsplit(
                    "#", 1
                )[-1],
                data_file=subject_origin.get(str(focus)),
                shape_file=shape_file,
            )
        )
    results.sort(
        key=lambda r: (SEVERITY_ORDER.get(r.severity, 9), r.focus_node, r.shape, r.path or "")
    )
    return ValidationReport(results=results, report_graph=report_graph)


def _shape_name(shapes: rdflib.Graph, node: rdflib.term.Node) -> str:
    """Name an anonymous property shape by the node shape that holds it."""
    for parent in shapes.subjects(SH.property, node):
        path = _path_text(shapes, shapes.value(node, SH.path))
        return f"{parent} (property {path})" if path is not None else str(parent)
    return "(anonymous shape)"


def validate_paths(
    data: Sequence[Path] | None = None, shapes: Sequence[Path] | None = None
) -> ValidationReport:
    """Load the data files (default: ``data/``) and validate them."""
    store = Store()
    store.load_paths(list(data) if data else [DATA_DIR])
    return validate_store(store, shapes)
