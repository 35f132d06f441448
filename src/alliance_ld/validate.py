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
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import rdflib
from rdflib.namespace import RDF, RDFS, SH

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


# ---------------------------------------------------------------------------
# The SPARQL-based part of the shapes, evaluated by the engine over the store
#
# pySHACL parses a SPARQL rule's query again for every focus node and runs it in
# rdflib's engine, and evaluates SPARQL targets the same way. Here each rule
# runs once for all its focus nodes: its query, with the shape's targets joined
# in as a subquery that binds ``?this``, goes to the back end in one request.
# That is the same as pre-binding ``$this`` when ``$this`` occurs only in the
# rule's top-level group or directly inside a top-level ``FILTER (NOT) EXISTS``
# (an outer solution is substituted into EXISTS); a rule that mentions ``$this``
# anywhere else (a UNION branch, OPTIONAL, a subquery) runs once per focus node
# with the node's IRI written in for ``$this``, which is pre-binding exactly.
# SPARQL targets of shapes that also hold SHACL Core constraints are computed
# here too and handed to pySHACL as ``sh:targetNode``s.

_THIS = re.compile(r"\$this\b")
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_EXISTS = re.compile(r"\bEXISTS\s*$", re.IGNORECASE)
_STRING = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
                     r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|#[^\n]*')

#: How each shape is checked: by pySHACL, by the engine, or partly by each.
PYSHACL = "pySHACL"
ENGINE = "engine"


@dataclass(frozen=True)
class SparqlRule:
    """One ``sh:sparql`` SELECT constraint of a node shape, ready for the engine."""

    shape: rdflib.term.Node
    constraint: rdflib.term.Node
    select: str  # the query text, with ``$this``
    prefixes: str  # PREFIX declarations
    message: str | None
    severity: str

    @property
    def batched(self) -> bool:
        """True when all focus nodes can run in one query (see the note above)."""
        return _this_is_top_level(self.select)


@dataclass
class ShapesPlan:
    """The shapes split between pySHACL (SHACL Core) and the engine (SPARQL)."""

    core: rdflib.Graph
    rules: list[SparqlRule]
    #: shape -> the SPARQL targets (prefixes, SELECT ?this) that pySHACL cannot index
    sparql_targets: dict[rdflib.term.Node, list[tuple[str, str]]]
    #: shapes whose SHACL Core constraints pySHACL checks on engine-computed focus nodes
    target_node_shapes: set[rdflib.term.Node]
    #: every node shape -> how it is checked ({PYSHACL}, {ENGINE} or both)
    coverage: dict[rdflib.term.Node, set[str]]


def _blank_strings(text: str) -> str:
    """``text`` with strings and comments replaced by spaces (positions kept)."""
    return _STRING.sub(lambda m: " " * len(m.group(0)), text)


def _this_is_top_level(select: str) -> bool:
    text = _blank_strings(select)
    where = _WHERE.search(text)
    if where is None:
        return False
    depth = 0
    stack: list[bool] = []  # for each open group: is it a top-level EXISTS group?
    for pos, char in enumerate(text):
        if char == "{":
            depth += 1
            stack.append(depth == 2 and pos > where.start() and bool(_EXISTS.search(text[:pos])))
        elif char == "}":
            depth -= 1
            if stack:
                stack.pop()
        elif char == "$" and _THIS.match(text, pos):
            if pos < where.start():
                continue  # the projection
            if depth == 1 or (depth == 2 and stack and stack[-1]):
                continue
            return False
    return True


def _prefixes(shapes: rdflib.Graph, node: rdflib.term.Node) -> str:
    lines = []
    for holder in shapes.objects(node, SH.prefixes):
        for decl in shapes.objects(holder, SH.declare):
            prefix = shapes.value(decl, SH.prefix)
            namespace = shapes.value(decl, SH.namespace)
            if prefix is not None and namespace is not None:
                lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(sorted(set(lines))) + "\n"


def _severity(shapes: rdflib.Graph, shape: rdflib.term.Node) -> str:
    severity = shapes.value(shape, SH.severity)
    return str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation"


def _node_shapes(shapes: rdflib.Graph) -> list[rdflib.term.Node]:
    found = set(shapes.subjects(RDF.type, SH.NodeShape))
    for predicate in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf,
                      SH.targetObjectsOf, SH.target, SH.sparql):
        found.update(s for s in shapes.subjects(predicate, None)
                     if shapes.value(s, SH.path) is None)
    return sorted(found, key=str)


def _has_core_constraints(shapes: rdflib.Graph, shape: rdflib.term.Node) -> bool:
    """Whether a shape holds constraints other than SPARQL ones (in the SH namespace)."""
    ignore = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf,
              SH.target, SH.sparql, SH.message, SH.severity, SH.deactivated, SH.name,
              SH.description, SH.order, SH.group}
    return any(str(p).startswith(str(SH)) and p not in ignore
               for p in shapes.predicates(shape, None))


def plan_shapes(shapes: rdflib.Graph) -> ShapesPlan:
    """Split the shapes graph: SPARQL rules and SPARQL targets go to the engine.

    ``core`` is a copy of ``shapes`` without the ``sh:sparql`` constraints and
    the SPARQL targets (and without the targets of shapes left with nothing
    else to check); it stays a valid shapes graph for pySHACL.
    """
    core = rdflib.Graph()
    for triple in shapes:
        core.add(triple)
    rules: list[SparqlRule] = []
    sparql_targets: dict[rdflib.term.Node, list[tuple[str, str]]] = {}
    target_node_shapes: set[rdflib.term.Node] = set()
    coverage: dict[rdflib.term.Node, set[str]] = {}
    for shape in _node_shapes(shapes):
        how = coverage.setdefault(shape, set())
        if shapes.value(shape, SH.deactivated) == rdflib.Literal(True):
            how.add(PYSHACL)  # pySHACL skips it as it should
            continue
        for constraint in shapes.objects(shape, SH.sparql):
            select = shapes.value(constraint, SH.select)
            if select is None or shapes.value(constraint, SH.deactivated) == rdflib.Literal(True):
                continue
            message = shapes.value(constraint, SH.message) or shapes.value(shape, SH.message)
            rules.append(SparqlRule(shape, constraint, str(select), _prefixes(shapes, constraint),
                                    str(message) if message is not None else None,
                                    _severity(shapes, shape)))
            core.remove((shape, SH.sparql, constraint))
            how.add(ENGINE)
        for target in list(shapes.objects(shape, SH.target)):
            select = shapes.value(target, SH.select)
            if select is None:
                continue  # a SHACL-AF target pySHACL knows (none here)
            sparql_targets.setdefault(shape, []).append((_prefixes(shapes, target), str(select)))
            core.remove((shape, SH.target, target))
            how.add(ENGINE)
        if _has_core_constraints(core, shape):
            how.add(PYSHACL)
            if shape in sparql_targets:
                target_node_shapes.add(shape)
            _index_subjects_of_targets(core, shape)
        else:
            for predicate in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf,
                              SH.targetObjectsOf, SH.target):
                core.remove((shape, predicate, None))
    return ShapesPlan(core, rules, sparql_targets, target_node_shapes, coverage)


#: constraints that hold on a focus node with no value for the path
_PER_VALUE = frozenset({
    SH.path, SH.message, SH.severity, SH.name, SH.description, SH.order, SH.group,
    SH.maxCount, SH.datatype, SH["class"], SH.nodeKind, SH["in"], SH["or"], SH["and"],
    SH["not"], SH.xone, SH.node, SH.languageIn, SH.pattern, SH.flags, SH.minLength,
    SH.maxLength, SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive,
    SH.uniqueLang,
})


def _index_subjects_of_targets(core: rdflib.Graph, shape: rdflib.term.Node) -> None:
    """Target each property shape at the subjects of its own property, where that is exact.

    A node shape that targets the subjects of several properties and only
    holds property shapes on them, none of which can fail on a resource
    without a value (no ``sh:minCount``, ``sh:hasValue``, ...), checks a
    resource for the properties it uses and no other: the subjects of ``p``
    against the property shape of ``p``. pySHACL would run every property shape
    on every focus node (``alds:Ranges_Shape``: 22 per resource); moved to the
    property shapes, the targets select the same (focus node, property shape)
    pairs that can fail, and results still name the node shape.
    """
    targets = set(core.objects(shape, SH.targetSubjectsOf))
    others = (SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.target)
    if not targets or any((shape, p, None) in core for p in others):
        return
    properties = list(core.objects(shape, SH.property))
    if not properties or any(
        p != SH.property and str(p).startswith(str(SH)) and p not in (
            SH.targetSubjectsOf, SH.severity, SH.deactivated, SH.name, SH.description)
        for p in core.predicates(shape, None)
    ):
        return  # node-level constraints: they need every focus node
    paths = {}
    for prop in properties:
        path = core.value(prop, SH.path)
        if not isinstance(path, rdflib.URIRef) or path not in targets:
            return
        if any(p not in _PER_VALUE for p in core.predicates(prop, None)
               if str(p).startswith(str(SH))):
            return
        paths[prop] = path
    core.remove((shape, SH.targetSubjectsOf, None))
    for prop, path in paths.items():
        core.add((prop, SH.targetSubjectsOf, path))


#: a class -> the class and its subclasses
ClassClosure = Callable[[rdflib.term.Node], set[rdflib.term.Node]]


def _iri(term: rdflib.term.Node) -> str:
    return f"<{term}>"


def _target_pattern(
    shapes: rdflib.Graph, shape: rdflib.term.Node, sparql_targets: list[tuple[str, str]],
    classes: ClassClosure,
) -> tuple[str, str]:
    """A group binding ``?this`` to the focus nodes of ``shape``, and the prefixes it needs."""
    branches = []
    prefixes = ""
    cls = sorted({c for t in shapes.objects(shape, SH.targetClass) for c in classes(t)}, key=str)
    if cls:
        values = " ".join(_iri(c) for c in cls)
        branches.append(f"?this a ?alds_class . VALUES ?alds_class {{ {values} }}")
    for p in shapes.objects(shape, SH.targetSubjectsOf):
        branches.append(f"?this {_iri(p)} ?alds_object .")
    for p in shapes.objects(shape, SH.targetObjectsOf):
        branches.append(f"?alds_subject {_iri(p)} ?this .")
    nodes = [n for n in shapes.objects(shape, SH.targetNode) if isinstance(n, rdflib.URIRef)]
    if nodes:
        branches.append(f"VALUES ?this {{ {' '.join(_iri(n) for n in nodes)} }}")
    for target_prefixes, select in sparql_targets:
        prefixes += target_prefixes
        branches.append(select)
    if not branches:
        return "", prefixes
    union = " UNION ".join(f"{{ {b} }}" for b in branches)
    return f"{{ SELECT DISTINCT ?this WHERE {{ {union} }} }}", prefixes


def _batched_query(rule: SparqlRule, target: str, target_prefixes: str) -> str:
    text = rule.select
    where = _WHERE.search(_blank_strings(text))
    assert where is not None
    text = text[:where.end()] + "\n" + target + "\n" + text[where.end():]
    return rule.prefixes + target_prefixes + _THIS.sub("?this", text)


def _bound_query(rule: SparqlRule, focus: rdflib.URIRef) -> str:
    text = rule.select
    where = _WHERE.search(_blank_strings(text))
    assert where is not None
    head, body = text[:where.start()], text[where.start():]
    head = _THIS.sub(f"({_iri(focus)} AS ?this)", head)
    return rule.prefixes + head + _THIS.sub(_iri(focus), body)


def _message(template: str | None, row: dict[str, Any]) -> str:
    if template is None:
        return "(no message)"
    for name, value in row.items():
        template = re.sub(r"\{[?$]" + re.escape(name) + r"\}", str(value).replace("\\", "\\\\"),
                          template)
    return template


def _data_graph(
    store: Store | Backend,
) -> tuple[rdflib.Graph, dict[str, str], list[str]]:
    """The data (without ontology and shapes) as an rdflib graph, each subject's
    file or graph, and the names of the data graphs."""
    data = rdflib.Graph()
    subject_origin: dict[str, str] = {}
    names: set[str] = set()
    files = store.files if isinstance(store, Store) else {}
    for s, p, o, graph in _quads(store):
        name = graph or ""
        if name.endswith(("/graph/ontology", "/graph/shapes")):
            continue
        if graph is not None:
            names.add(graph)
        data.add((s, p, o))
        if str(s) not in subject_origin:
            path = files.get(name)
            subject_origin[str(s)] = str(path) if path is not None else name
    return data, subject_origin, sorted(names)


def validate_store(
    store: Store | Backend,
    shapes_paths: Sequence[Path] | None = None,
    ontology_file: Path = ONTOLOGY_FILE,
    *,
    engine: bool = True,
) -> ValidationReport:
    """Validate the data graphs of ``store`` (not the ontology, not the shapes).

    What is validated is what the store holds, as the endpoint and the dumps
    publish it (not the files it was loaded from). A focus node's data file is
    the file its graph was loaded from, or else the graph's IRI.

    With ``engine`` (the default) the SPARQL-based targets and constraints run
    in the store's engine, once per rule for all focus nodes (see
    :func:`plan_shapes`), and pySHACL checks the SHACL Core rest; without it,
    pySHACL checks everything, as it would on its own.
    """
    from pyshacl import validate as shacl_validate  # here: a slow import the server rarely needs

    shapes, shape_origin = load_shapes(shapes_paths)
    data, subject_origin, data_graphs = _data_graph(store)
    ontology = rdflib.Graph().parse(ontology_file, format="turtle")
    data += ontology
    if not engine:
        _conforms, report_graph, _text = shacl_validate(
            data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
        )
        return _report(report_graph, shapes, shape_origin, subject_origin, [])
    plan = plan_shapes(shapes)
    backend = store.backend() if isinstance(store, Store) else store
    for shape in sorted(plan.target_node_shapes, key=str):
        for node in _sparql_focus_nodes(backend, data_graphs, ontology,
                                        plan.sparql_targets[shape]):
            plan.core.add((shape, SH.targetNode, node))
    _conforms, report_graph, _text = shacl_validate(
        data, shacl_graph=plan.core, inference="none", advanced=True, allow_warnings=True
    )
    engine_results = _run_rules(backend, data_graphs, data, shapes, plan)
    return _report(report_graph, shapes, shape_origin, subject_origin, engine_results)


def _sparql_focus_nodes(backend: Backend, data_graphs: list[str], ontology: rdflib.Graph,
                        targets: list[tuple[str, str]]) -> set[rdflib.term.Node]:
    """The focus nodes SPARQL targets select, in the data (by the engine) and the ontology."""
    nodes: set[rdflib.term.Node] = set()
    for prefixes, select in targets:
        for row in backend.select(prefixes + select, default_graphs=data_graphs):
            if "this" in row:
                nodes.add(row["this"])
        for result in ontology.query(prefixes + select):
            nodes.add(result[0])  # type: ignore[index]
    return nodes


EngineResult = tuple[SparqlRule, rdflib.term.Node, rdflib.term.Node | None,
                     rdflib.term.Node | None, str]


def _run_rules(backend: Backend, data_graphs: list[str], data: rdflib.Graph,
               shapes: rdflib.Graph, plan: ShapesPlan) -> list[EngineResult]:
    """Every SPARQL rule over the store: (rule, focus, path, value, message)."""

    def classes(cls: rdflib.term.Node) -> set[rdflib.term.Node]:
        return {c for c in data.transitive_subjects(RDFS.subClassOf, cls) if c is not None}

    out: list[EngineResult] = []
    for rule in plan.rules:
        target, target_prefixes = _target_pattern(
            shapes, rule.shape, plan.sparql_targets.get(rule.shape, []), classes)
        if not target:
            continue  # a shape without targets checks nothing
        rows: list[dict[str, Any]] = []
        if rule.batched:
            rows = backend.select(_batched_query(rule, target, target_prefixes),
                                  default_graphs=data_graphs)
        else:
            focus_rows = backend.select(target_prefixes + f"SELECT ?this WHERE {target}",
                                        default_graphs=data_graphs)
            for focus_row in focus_rows:
                focus = focus_row["this"]
                if not isinstance(focus, rdflib.URIRef):
                    raise NotImplementedError(
                        f"{rule.shape}: a blank focus node cannot be bound in a query")
                for row in backend.select(_bound_query(rule, focus), default_graphs=data_graphs):
                    rows.append({**row, "this": focus})
        seen: set[tuple[tuple[str, Any], ...]] = set()
        for row in rows:
            key = tuple(sorted(row.items()))
            if key in seen:
                continue
            seen.add(key)
            focus = row["this"]
            values = {**row, "value": row.get("value", focus)}
            out.append((rule, focus, row.get("path"), values["value"],
                        _message(rule.message, values)))
    return out


def _report(report_graph: rdflib.Graph, shapes: rdflib.Graph, shape_origin: dict[str, str],
            subject_origin: dict[str, str], engine_results: list[EngineResult]) -> ValidationReport:
    """pySHACL's report and the engine's results as one report (graph and records)."""
    report_node = next(iter(report_graph.subjects(RDF.type, SH.ValidationReport)), None)
    for rule, focus, path, value, message in engine_results:
        node: rdflib.term.Node = rdflib.BNode()
        report_graph.add((node, RDF.type, SH.ValidationResult))
        report_graph.add((node, SH.focusNode, focus))
        report_graph.add((node, SH.resultSeverity, SH[rule.severity]))
        report_graph.add((node, SH.sourceShape, rule.shape))
        report_graph.add((node, SH.sourceConstraint, rule.constraint))
        report_graph.add((node, SH.sourceConstraintComponent, SH.SPARQLConstraintComponent))
        report_graph.add((node, SH.resultMessage, rdflib.Literal(message)))
        if path is not None:
            report_graph.add((node, SH.resultPath, path))
        if value is not None:
            report_graph.add((node, SH.value, value))
        if report_node is not None:
            report_graph.add((report_node, SH.result, node))
            if rule.severity == "Violation":
                report_graph.set((report_node, SH.conforms, rdflib.Literal(False)))
    results = []
    for node in report_graph.subjects(RDF.type, SH.ValidationResult):
        severity = report_graph.value(node, SH.resultSeverity)
        result_focus = report_graph.value(node, SH.focusNode)
        shape = report_graph.value(node, SH.sourceShape)
        result_message = report_graph.value(node, SH.resultMessage)
        shape_text = _term_text(shape) or ""
        shape_file = shape_origin.get(shape_text)
        if isinstance(shape, rdflib.BNode):
            parent = next(iter(shapes.subjects(SH.property, shape)), None)
            shape_text = _shape_name(shapes, shape)
            shape_file = shape_origin.get(str(parent)) if parent is not None else None
        results.append(
            ValidationResult(
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                focus_node=_term_text(result_focus) or "",
                path=_path_text(report_graph, report_graph.value(node, SH.resultPath)),
                value=_term_text(report_graph.value(node, SH.value)),
                message=str(result_message) if result_message else "(no message)",
                shape=shape_text,
                constraint=str(report_graph.value(node, SH.sourceConstraintComponent)).rsplit(
                    "#", 1
                )[-1],
                data_file=subject_origin.get(str(result_focus)),
                shape_file=shape_file,
            )
        )
    results.sort(
        key=lambda r: (SEVERITY_ORDER.get(r.severity, 9), r.focus_node, r.shape, r.path or "",
                       r.message, r.value or "")
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

