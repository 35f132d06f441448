"""SHACL validation of the knowledge graph: in the store's engine where that is exact, else pySHACL.

SPARQL targets and rules, and the SHACL Core constraints that compile exactly
(:class:`CoreCheck`, :class:`LogicalCheck`), run as engine queries;
pySHACL checks the rest (see :func:`plan_shapes` and :func:`validate_store`),
and ``validate_store(..., engine=False)`` runs pySHACL alone, which the tests
compare against.

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

import dataclasses
import json
import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD

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
# rule's top-level group or inside a top-level ``FILTER (NOT) EXISTS``, or an
# EXISTS nested in one (an outer solution is substituted into EXISTS, and on
# into the EXISTS within it); a rule that mentions ``$this``
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


#: the target predicates of a shape
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)

#: SHACL Core parameters the engine checks (:func:`_check_query`) -> their constraint component
COMPILED: dict[rdflib.URIRef, rdflib.URIRef] = {
    SH["class"]: SH.ClassConstraintComponent,
    SH.datatype: SH.DatatypeConstraintComponent,
    SH.minCount: SH.MinCountConstraintComponent,
    SH.maxCount: SH.MaxCountConstraintComponent,
    SH["in"]: SH.InConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent,
    SH.hasValue: SH.HasValueConstraintComponent,
    SH.minInclusive: SH.MinInclusiveConstraintComponent,
    SH.uniqueLang: SH.UniqueLangConstraintComponent,
    SH.disjoint: SH.DisjointConstraintComponent,
    SH["or"]: SH.OrConstraintComponent,
}

#: what else a compiled property shape may say (none of it changes its results)
_PROPERTY_NOTES = frozenset({SH.path, SH.message, SH.severity, SH.name, SH.description,
                             SH.order, SH.group, SH.targetSubjectsOf})

#: sh:nodeKind -> the SPARQL test a value passes
_NODE_KINDS = {
    SH.IRI: "isIRI(?value)", SH.BlankNode: "isBlank(?value)", SH.Literal: "isLiteral(?value)",
    SH.BlankNodeOrIRI: "!isLiteral(?value)", SH.BlankNodeOrLiteral: "!isIRI(?value)",
    SH.IRIOrLiteral: "!isBlank(?value)",
}


#: a value-level constraint: (parameter, argument, list members for sh:in/sh:languageIn)
ValueTest = tuple[rdflib.URIRef, rdflib.term.Node, tuple[rdflib.term.Node, ...]]


@dataclass(frozen=True)
class CoreCheck:
    """One SHACL Core constraint of a property shape (e.g. its ``sh:class``), as an engine query.

    Results name the property shape (``prop``) as pySHACL does; ``holder`` is
    the shape whose targets select the focus nodes: the node shape, or the
    property shape itself when the plan moved the targets there.
    """

    shape: rdflib.term.Node
    prop: rdflib.term.Node
    holder: rdflib.term.Node
    path: rdflib.URIRef
    parameter: rdflib.URIRef
    argument: rdflib.term.Node
    members: tuple[rdflib.term.Node, ...]  # the list of sh:in; the classes of an sh:or
    message: rdflib.Literal
    severity: str
    #: sh:or judged in Python: for each member shape, the value-level tests it holds
    tests: tuple[tuple[ValueTest, ...], ...] = ()

    @property
    def component(self) -> rdflib.URIRef:
        return COMPILED[self.parameter]


#: node-level logical constraints the engine's rows and Python decide -> their component
LOGICAL: dict[rdflib.URIRef, rdflib.URIRef] = {
    SH["or"]: SH.OrConstraintComponent,
    SH.xone: SH.XoneConstraintComponent,
}


@dataclass(frozen=True)
class NestedProperty:
    """A property shape inside a member of a node-level sh:or/sh:xone, judged in Python."""

    path: rdflib.URIRef
    min_count: int | None
    max_count: int | None
    tests: tuple[ValueTest, ...]  # every value must pass them
    qualified: tuple[ValueTest, ...] | None  # sh:qualifiedValueShape, as value tests
    qualified_min: int | None
    qualified_max: int | None

    def conforms(self, values: set[rdflib.term.Node]) -> bool:
        """Whether a focus node with these values for ``path`` conforms, as pySHACL decides."""
        if self.min_count is not None and len(values) < self.min_count:
            return False
        if self.max_count is not None and len(values) > self.max_count:
            return False
        if any(_term_fails(test, value) for test in self.tests for value in values):
            return False
        if self.qualified is not None:
            tests = self.qualified
            count = sum(1 for v in values if not any(_term_fails(test, v) for test in tests))
            if self.qualified_min is not None and count < self.qualified_min:
                return False
            if self.qualified_max is not None and count > self.qualified_max:
                return False
        return True


@dataclass(frozen=True)
class LogicalCheck:
    """A node shape's sh:or or sh:xone over members made of property shapes.

    The engine hands over each focus node's values for the members' paths;
    :meth:`NestedProperty.conforms` decides each member as pySHACL would. A
    result names the node shape, with the focus node as its value.
    """

    shape: rdflib.term.Node
    parameter: rdflib.URIRef
    members: tuple[tuple[NestedProperty, ...], ...]
    message: rdflib.Literal
    severity: str

    @property
    def component(self) -> rdflib.URIRef:
        return LOGICAL[self.parameter]

    def fails(self, values: dict[rdflib.URIRef, set[rdflib.term.Node]]) -> bool:
        passed = sum(1 for member in self.members
                     if all(p.conforms(values.get(p.path, set())) for p in member))
        return passed == 0 if self.parameter == SH["or"] else passed != 1


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
    #: SHACL Core constraints of property shapes, compiled to engine queries
    checks: list[CoreCheck] = field(default_factory=list)
    #: the targets of the shapes whose focus nodes the checks use (taken out of ``core``)
    targets: rdflib.Graph = field(default_factory=rdflib.Graph)
    #: node-level sh:or/sh:xone constraints, compiled
    logical: list[LogicalCheck] = field(default_factory=list)


def _blank_strings(text: str) -> str:
    """``text`` with strings and comments replaced by spaces (positions kept)."""
    return _STRING.sub(lambda m: " " * len(m.group(0)), text)


def _this_is_top_level(select: str) -> bool:
    text = _blank_strings(select)
    where = _WHERE.search(text)
    if where is None:
        return False
    depth = 0
    # for each open group: is it a top-level EXISTS group, or an EXISTS group inside one?
    stack: list[bool] = []
    for pos, char in enumerate(text):
        if char == "{":
            depth += 1
            exists = pos > where.start() and bool(_EXISTS.search(text[:pos]))
            stack.append(exists and (depth == 2 or (depth > 2 and bool(stack) and stack[-1])))
        elif char == "}":
            depth -= 1
            if stack:
                stack.pop()
        elif char == "$" and _THIS.match(text, pos):
            if pos < where.start():
                continue  # the projection
            if depth == 1 or (stack and stack[-1]):
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


def plan_shapes(shapes: rdflib.Graph, *, compile_core: bool = True) -> ShapesPlan:
    """Split the shapes graph: SPARQL rules and SPARQL targets go to the engine.

    ``core`` is a copy of ``shapes`` without the ``sh:sparql`` constraints and
    the SPARQL targets (and without the targets of shapes left with nothing
    else to check); it stays a valid shapes graph for pySHACL. With
    ``compile_core``, the property shapes whose every constraint the engine can
    check exactly (:func:`_compile_property_shapes`) leave ``core`` too and
    become :class:`CoreCheck` queries.
    """
    core = rdflib.Graph()
    for triple in shapes:
        core.add(triple)
    rules: list[SparqlRule] = []
    sparql_targets: dict[rdflib.term.Node, list[tuple[str, str]]] = {}
    target_node_shapes: set[rdflib.term.Node] = set()
    coverage: dict[rdflib.term.Node, set[str]] = {}
    checks: list[CoreCheck] = []
    logical: list[LogicalCheck] = []
    targets = rdflib.Graph()
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
            _index_subjects_of_targets(core, shape)
            if compile_core:
                compiled = _compile_property_shapes(core, shape, shape in sparql_targets, targets)
                checks.extend(compiled)
                found = _compile_logical(core, shape, shape in sparql_targets, targets)
                logical.extend(found)
                if compiled or found:
                    how.add(ENGINE)
        if _has_core_constraints(core, shape):
            how.add(PYSHACL)
            if shape in sparql_targets:
                target_node_shapes.add(shape)
        else:
            for predicate in _TARGETS:
                core.remove((shape, predicate, None))
    return ShapesPlan(core, rules, sparql_targets, target_node_shapes, coverage, checks, targets,
                      logical)


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


#: the parameters a member of a compiled sh:or may hold (judged in Python on the value alone)
_VALUE_PARAMETERS = frozenset({SH.datatype, SH.languageIn, SH.nodeKind, SH["in"]})


def _value_tests(core: rdflib.Graph, node: rdflib.term.Node) -> tuple[ValueTest, ...] | None:
    """The tests of a shape that only constrains a node's own term (``[ sh:datatype xsd:date ]``).

    None when it holds anything else (a path, a class, nested shapes, a
    severity or a deactivation that would change its conformance).
    """
    tests: list[ValueTest] = []
    for parameter, argument in core.predicate_objects(node):
        if parameter == RDF.type and argument in (SH.NodeShape, SH.Shape):
            continue
        if not str(parameter).startswith(str(SH)):
            continue
        if parameter in (SH.message, SH.name, SH.description):
            continue
        if parameter not in _VALUE_PARAMETERS or not isinstance(parameter, rdflib.URIRef):
            return None
        members: tuple[rdflib.term.Node, ...] = ()
        if parameter in (SH["in"], SH.languageIn):
            members = tuple(Collection(core, argument))
        elif parameter == SH.nodeKind and argument not in _NODE_KINDS:
            return None
        tests.append((parameter, argument, members))
    return tuple(tests)


def _or_members(core: rdflib.Graph, argument: rdflib.term.Node) -> (
        tuple[rdflib.term.Node, tuple[rdflib.term.Node, ...], tuple[tuple[ValueTest, ...], ...]]
        | None):
    """A property shape's sh:or as (kind, classes, tests), or None if not compiled.

    Two forms are compiled: every member a lone ``sh:class`` (an instance of
    any of the classes passes, checked in SPARQL), or every member a shape of
    value tests (:func:`_value_tests`, judged in Python).
    """
    members = list(Collection(core, argument))
    if not members:
        return None
    classes = []
    for member in members:
        said = [(p, o) for p, o in core.predicate_objects(member) if str(p).startswith(str(SH))]
        if len(said) == 1 and said[0][0] == SH["class"] and isinstance(said[0][1], rdflib.URIRef):
            classes.append(said[0][1])
    if len(classes) == len(members):
        return SH["class"], tuple(classes), ()
    tests = [_value_tests(core, member) for member in members]
    if any(test is None for test in tests):
        return None
    return RDF.nil, (), tuple(test for test in tests if test is not None)


def _property_checks(core: rdflib.Graph, shape: rdflib.term.Node,
                     prop: rdflib.term.Node) -> list[CoreCheck] | None:
    """The checks of a property shape, or None when the engine cannot check all of it exactly.

    Compiled: a property shape of one node shape, with an IRI as its path, one
    ``sh:message`` (pySHACL's generic messages are not reproduced), and nothing
    but the parameters of :data:`COMPILED`, each given once, with arguments
    whose comparison in SPARQL is term equality (``sh:in`` and ``sh:hasValue``
    of IRIs only). Everything else stays with pySHACL.
    """
    path = core.value(prop, SH.path)
    if not isinstance(path, rdflib.URIRef) or set(core.subjects(SH.property, prop)) != {shape}:
        return None
    parameters = {p for p in core.predicates(prop, None) if str(p).startswith(str(SH))}
    if any(p not in COMPILED and p not in _PROPERTY_NOTES for p in parameters):
        return None
    messages = list(core.objects(prop, SH.message))
    if len(messages) != 1 or not isinstance(messages[0], rdflib.Literal):
        return None
    checks = []
    compiled = [p for p in parameters if isinstance(p, rdflib.URIRef) and p in COMPILED]
    for parameter in sorted(compiled, key=str):
        arguments = list(core.objects(prop, parameter))
        if len(arguments) != 1:
            return None
        argument = arguments[0]
        members: tuple[rdflib.term.Node, ...] = ()
        tests: tuple[tuple[ValueTest, ...], ...] = ()
        if parameter == SH["or"]:
            form = _or_members(core, argument)
            if form is None:
                return None
            argument, members, tests = form
        elif parameter == SH["in"]:
            members = tuple(Collection(core, argument))
            if not all(isinstance(m, rdflib.URIRef) for m in members):
                return None
        elif parameter in (SH["class"], SH.datatype, SH.hasValue, SH.disjoint):
            if not isinstance(argument, rdflib.URIRef):
                return None
        elif parameter == SH.nodeKind:
            if argument not in _NODE_KINDS:
                return None
        elif parameter in (SH.minCount, SH.maxCount):
            if not isinstance(argument, rdflib.Literal) or not isinstance(argument.value, int):
                return None
        elif parameter == SH.uniqueLang:
            if argument != rdflib.Literal(True):
                return None
        elif not isinstance(argument, rdflib.Literal):  # sh:minInclusive
            return None
        checks.append(CoreCheck(shape, prop, shape, path, parameter, argument, members,
                                messages[0], _severity(core, prop), tests))
    return checks


def _compile_property_shapes(core: rdflib.Graph, shape: rdflib.term.Node, sparql_targeted: bool,
                             targets: rdflib.Graph) -> list[CoreCheck]:
    """Take the property shapes of ``shape`` that the engine checks exactly out of ``core``.

    The focus nodes of a compiled property shape are those of its node shape,
    or, where :func:`_index_subjects_of_targets` moved the targets to the
    property shape, its own; those targets are copied to ``targets`` (the node
    shape's stay in ``core`` while pySHACL still needs them).
    """
    own = [(p, o) for p in _TARGETS for o in core.objects(shape, p)]
    out: list[CoreCheck] = []
    for prop in sorted(core.objects(shape, SH.property), key=str):
        checks = _property_checks(core, shape, prop)
        if not checks:
            continue
        moved = [(p, o) for p in _TARGETS for o in core.objects(prop, p)]
        if moved and (own or sparql_targeted):
            continue  # focus nodes from both: leave it to pySHACL
        holder, holder_targets = (prop, moved) if moved else (shape, own)
        if not holder_targets and not sparql_targeted:
            continue
        if any(p == SH.target or (p == SH.targetNode and not isinstance(o, rdflib.URIRef))
               for p, o in holder_targets):
            continue
        for p, o in holder_targets:
            targets.add((holder, p, o))
        core.remove((shape, SH.property, prop))
        core.remove((prop, None, None))  # so that pySHACL neither sees it nor reads its path
        out.extend(dataclasses.replace(c, holder=holder) for c in checks)
    return out


_NESTED_PARAMETERS = frozenset({SH.path, SH.minCount, SH.maxCount, SH.qualifiedValueShape,
                                SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.message, SH.name,
                                SH.description}) | _VALUE_PARAMETERS


def _count(core: rdflib.Graph, node: rdflib.term.Node, parameter: rdflib.URIRef) -> int | None:
    value = core.value(node, parameter)
    return value.value if isinstance(value, rdflib.Literal) and isinstance(value.value, int) \
        else None


def _nested_property(core: rdflib.Graph, prop: rdflib.term.Node) -> NestedProperty | None:
    """A property shape of a logical member, or None if it holds anything not compiled."""
    path = core.value(prop, SH.path)
    said = [p for p in core.predicates(prop, None) if str(p).startswith(str(SH))]
    if not isinstance(path, rdflib.URIRef) or any(p not in _NESTED_PARAMETERS for p in said):
        return None
    if any(said.count(p) > 1 for p in said if p != SH.message):
        return None  # each parameter once
    tests: list[ValueTest] = []
    for parameter in sorted(set(said) & _VALUE_PARAMETERS, key=str):
        argument = core.value(prop, parameter)
        assert argument is not None and isinstance(parameter, rdflib.URIRef)
        members: tuple[rdflib.term.Node, ...] = ()
        if parameter in (SH["in"], SH.languageIn):
            members = tuple(Collection(core, argument))
        elif parameter == SH.nodeKind and argument not in _NODE_KINDS:
            return None
        tests.append((parameter, argument, members))
    qualified = None
    shape = core.value(prop, SH.qualifiedValueShape)
    if shape is not None:
        qualified = _value_tests(core, shape)
        if qualified is None:
            return None
    for parameter in (SH.minCount, SH.maxCount, SH.qualifiedMinCount, SH.qualifiedMaxCount):
        if (prop, parameter, None) in core and _count(core, prop, parameter) is None:
            return None
    return NestedProperty(path, _count(core, prop, SH.minCount), _count(core, prop, SH.maxCount),
                          tuple(tests), qualified, _count(core, prop, SH.qualifiedMinCount),
                          _count(core, prop, SH.qualifiedMaxCount))


def _logical_member(core: rdflib.Graph,
                    node: rdflib.term.Node) -> tuple[NestedProperty, ...] | None:
    """A member of a node-level sh:or/sh:xone that holds only compiled property shapes."""
    props = []
    for parameter, argument in core.predicate_objects(node):
        if parameter == RDF.type and argument in (SH.NodeShape, SH.Shape):
            continue
        if parameter != SH.property:
            if str(parameter).startswith(str(SH)):
                return None
            continue
        nested = _nested_property(core, argument)
        if nested is None:
            return None
        props.append(nested)
    return tuple(props) if props else None


def _compile_logical(core: rdflib.Graph, shape: rdflib.term.Node, sparql_targeted: bool,
                     targets: rdflib.Graph) -> list[LogicalCheck]:
    """Take the node-level sh:or/sh:xone of ``shape`` that can be compiled out of ``core``."""
    own = [(p, o) for p in _TARGETS for o in core.objects(shape, p)]
    messages = list(core.objects(shape, SH.message))
    if (not own and not sparql_targeted) or len(messages) != 1 \
            or not isinstance(messages[0], rdflib.Literal) \
            or any(p == SH.target or (p == SH.targetNode and not isinstance(o, rdflib.URIRef))
                   for p, o in own):
        return []
    out = []
    for parameter in LOGICAL:
        for argument in list(core.objects(shape, parameter)):
            members = [_logical_member(core, m) for m in Collection(core, argument)]
            if not members or any(m is None for m in members):
                continue
            out.append(LogicalCheck(shape, parameter, tuple(m for m in members if m is not None),
                                    messages[0], _severity(core, shape)))
            core.remove((shape, parameter, argument))
    if out:
        for p, o in own:
            targets.add((shape, p, o))
    return out


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


def _check_query(check: CoreCheck, target: str, classes: ClassClosure) -> str:
    """The SELECT of ``?this`` (and ``?value`` where pySHACL reports one) that fail ``check``.

    Each is the constraint's definition in the SHACL spec, over value nodes
    taken as a set (hence DISTINCT); ``sh:datatype`` and ``sh:minInclusive``
    select every value, which :func:`_value_fails` then judges as pySHACL does.
    """
    path = _iri(check.path)
    values = f"{target} ?this {path} ?value ."
    parameter, argument = check.parameter, check.argument
    count = argument.value if isinstance(argument, rdflib.Literal) else 0  # sh:min/maxCount
    if parameter == SH.minCount:
        return (f"SELECT ?this WHERE {{ {target} OPTIONAL {{ ?this {path} ?value }} }} "
                f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {count})")
    if parameter == SH.maxCount:
        return (f"SELECT ?this WHERE {{ {values} }} "
                f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {count})")
    if parameter == SH.hasValue:
        return (f"SELECT ?this WHERE {{ {target} "
                f"FILTER NOT EXISTS {{ ?this {path} {_iri(argument)} }} }}")
    if parameter == SH.uniqueLang:
        # one result per language written twice (pySHACL compares tags in lower case)
        return (f"SELECT ?this WHERE {{ {values} "
                f"FILTER (isLiteral(?value) && LANG(?value) != \"\") "
                f"BIND (LCASE(LANG(?value)) AS ?alds_lang) }} "
                f"GROUP BY ?this ?alds_lang HAVING (COUNT(DISTINCT ?value) > 1)")
    if parameter == SH["class"] or (parameter == SH["or"] and argument == SH["class"]):
        wanted = check.members if parameter == SH["or"] else (argument,)
        types = " ".join(_iri(c) for c in sorted({c for w in wanted for c in classes(w)}, key=str))
        test = f"FILTER NOT EXISTS {{ ?value a ?alds_type . VALUES ?alds_type {{ {types} }} }}"
    elif parameter == SH["in"]:
        allowed = " || ".join(f"sameTerm(?value, {_iri(m)})" for m in check.members) or "false"
        test = f"FILTER (!({allowed}))"
    elif parameter == SH.nodeKind:
        test = f"FILTER (!({_NODE_KINDS[argument]}))"  # type: ignore[index]
    elif parameter == SH.disjoint:
        test = f"?this {_iri(argument)} ?value ."
    else:  # sh:datatype, sh:minInclusive, an sh:or of value tests: judged in Python
        test = ""
    return f"SELECT DISTINCT ?this ?value WHERE {{ {values} {test} }}"


def _actual_datatype(value: rdflib.Literal, datatype: rdflib.term.Node) -> bool:
    """pySHACL 0.40's ``DatatypeConstraintComponent._assert_actual_datatype``."""
    python = value.value
    if datatype in (XSD.string, RDF.langString):
        return isinstance(python, str | bytes)
    expected: dict[rdflib.term.Node, type | tuple[type, ...]] = {
        XSD.integer: int, XSD.float: float, XSD.decimal: Decimal, XSD.boolean: bool,
        XSD.date: date, XSD.time: time, XSD.dateTime: datetime,
    }
    kind = expected.get(datatype)
    return kind is None or isinstance(python, kind)


def _value_fails(check: CoreCheck, value: rdflib.term.Node) -> bool:
    """Whether a value fails a check judged in Python (see :func:`_term_fails`)."""
    if check.parameter == SH["or"]:
        return not any(all(not _term_fails(test, value) for test in member)
                       for member in check.tests)
    return _term_fails((check.parameter, check.argument, check.members), value)


def _term_fails(test: ValueTest, value: rdflib.term.Node) -> bool:
    """Whether a value fails a value-level constraint, decided as pySHACL 0.40 does.

    In Python rather than SPARQL because pySHACL's notion of a well-formed
    literal is rdflib's (``ill_typed``), and the seam hands over the literal as
    written (``normalize=False``), which is what pySHACL sees too.
    """
    parameter, argument, members = test
    if parameter == SH["in"]:
        return value not in members
    if parameter == SH.nodeKind:
        if isinstance(value, rdflib.BNode):
            kinds = (SH.BlankNode, SH.BlankNodeOrLiteral, SH.BlankNodeOrIRI)
        elif isinstance(value, rdflib.Literal):
            kinds = (SH.Literal, SH.BlankNodeOrLiteral, SH.IRIOrLiteral)
        else:
            kinds = (SH.IRI, SH.IRIOrLiteral, SH.BlankNodeOrIRI)
        return argument not in kinds
    if parameter == SH.languageIn:
        wanted = {str(m).lower() for m in members}
        if not isinstance(value, rdflib.Literal) or not value.language:
            return True
        lang = str(value.language)
        return not ("*" in wanted or lang.lower() in wanted
                    or lang.split("-")[0].lower() in wanted)
    if parameter == SH.datatype:
        if not isinstance(value, rdflib.Literal):
            return True
        if value.datatype == argument:
            ill_typed = getattr(value, "ill_typed", None) is True
            return ill_typed or not _actual_datatype(value, argument)
        if argument == RDFS.Literal:
            return False
        if argument == RDFS.Datatype and value.datatype:
            return False
        if value.datatype is None and value.language is None and argument == XSD.string:
            return not _actual_datatype(value, argument)
        if argument == RDF.langString and value.language:
            return not _actual_datatype(value, argument)
        return True
    if parameter == SH.minInclusive:
        from pyshacl.rdfutil.compare import compare_literal

        if not isinstance(value, rdflib.Literal):
            return True
        assert isinstance(argument, rdflib.Literal)
        if isinstance(argument.value, str) != isinstance(value.value, str):
            return True
        try:
            return not compare_literal(value, argument) >= 0  # type: ignore[no-untyped-call]
        except (TypeError, NotImplementedError):
            return True
    return False


CheckResult = tuple[CoreCheck, rdflib.term.Node, rdflib.term.Node | None]


class _Focus:
    """How the compiled queries select a shape's focus nodes.

    Targets by class, subjects, objects or IRI join each query as a group
    binding ``?this``. A SPARQL target (every resource of the dataset, for
    alds:LabelledResource_Shape) is costly to evaluate: it runs once, its focus
    nodes are kept here, and each query then runs over every subject of its
    path, its rows kept for the focus nodes only.
    """

    def __init__(self, backend: Backend, dataset: list[str], plan: ShapesPlan,
                 classes: ClassClosure) -> None:
        self.backend, self.dataset, self.plan, self.classes = backend, dataset, plan, classes
        self._nodes: dict[rdflib.term.Node, set[rdflib.term.Node]] = {}

    def target(self, holder: rdflib.term.Node) -> tuple[str, str]:
        """The target group and its prefixes ("" when a node set stands for it, or no target)."""
        if holder in self.plan.sparql_targets:
            return "", ""
        return _target_pattern(self.plan.targets, holder, [], self.classes)

    def nodes(self, holder: rdflib.term.Node) -> set[rdflib.term.Node] | None:
        """The focus nodes of a shape with SPARQL targets (None for the others)."""
        if holder not in self.plan.sparql_targets:
            return None
        if holder not in self._nodes:
            target, prefixes = _target_pattern(self.plan.targets, holder,
                                               self.plan.sparql_targets[holder], self.classes)
            rows = self.backend.select(prefixes + f"SELECT ?this WHERE {target}",
                                       default_graphs=self.dataset) if target else []
            self._nodes[holder] = {row["this"] for row in rows}
        return self._nodes[holder]


def _run_checks(backend: Backend, dataset: list[str], shapes: rdflib.Graph, plan: ShapesPlan,
                classes: ClassClosure, focus: _Focus | None = None) -> list[CheckResult]:
    """Every compiled check over the data and the ontology: (check, focus node, value)."""
    focus = focus or _Focus(backend, dataset, plan, classes)
    out: list[CheckResult] = []
    for check in plan.checks:
        nodes = focus.nodes(check.holder)
        target, target_prefixes = focus.target(check.holder)
        if nodes is None and not target:
            continue
        path = _iri(check.path)
        if nodes is not None and check.parameter == SH.minCount:
            rows = backend.select(
                f"SELECT ?this (COUNT(DISTINCT ?value) AS ?n) WHERE {{ ?this {path} ?value }} "
                "GROUP BY ?this", default_graphs=dataset)
            counts: dict[rdflib.term.Node, int] = {row["this"]: int(row["n"]) for row in rows}
            minimum = int(check.argument) if isinstance(check.argument, rdflib.Literal) else 0
            out.extend((check, node, None) for node in nodes if counts.get(node, 0) < minimum)
            continue
        if nodes is not None and check.parameter == SH.hasValue:
            have = {row["this"] for row in backend.select(
                f"SELECT DISTINCT ?this WHERE {{ ?this {path} {_iri(check.argument)} }}",
                default_graphs=dataset)}
            out.extend((check, node, None) for node in nodes if node not in have)
            continue
        rows = backend.select(target_prefixes + _check_query(check, target, classes),
                              default_graphs=dataset)
        judged = check.parameter in (SH.datatype, SH.minInclusive) or (
            check.parameter == SH["or"] and check.argument != SH["class"])
        for row in rows:
            value = row.get("value")
            if nodes is not None and row["this"] not in nodes:
                continue
            if judged and (value is None or not _value_fails(check, value)):
                continue
            out.append((check, row["this"], value))
    return out


LogicalResult = tuple[LogicalCheck, rdflib.term.Node]


def _run_logical(backend: Backend, dataset: list[str], plan: ShapesPlan,
                 classes: ClassClosure, focus: _Focus | None = None) -> list[LogicalResult]:
    """Every compiled sh:or/sh:xone: the focus nodes that fail it."""
    focus = focus or _Focus(backend, dataset, plan, classes)
    out: list[LogicalResult] = []
    for check in plan.logical:
        nodes = focus.nodes(check.shape)
        target, prefixes = focus.target(check.shape)
        if nodes is None:
            if not target:
                continue
            nodes = {row["this"] for row in backend.select(
                prefixes + f"SELECT ?this WHERE {target}", default_graphs=dataset)}
        values: dict[rdflib.term.Node, dict[rdflib.URIRef, set[rdflib.term.Node]]] = {}
        for path in sorted({p.path for member in check.members for p in member}):
            for row in backend.select(
                    prefixes + f"SELECT DISTINCT ?this ?value WHERE {{ {target} "
                    f"?this {_iri(path)} ?value }}", default_graphs=dataset):
                if row["this"] in nodes:
                    values.setdefault(row["this"], {}).setdefault(path, set()).add(row["value"])
        for node in nodes:
            if check.fails(values.get(node, {})):
                out.append((check, node))
    return out


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
    delegate: Callable[[], Delegated] | None = None,
) -> ValidationReport:
    """Validate the data graphs of ``store`` (not the ontology, not the shapes).

    What is validated is what the store holds, as the endpoint and the dumps
    publish it (not the files it was loaded from). A focus node's data file is
    the file its graph was loaded from, or else the graph's IRI.

    With ``engine`` (the default) the SPARQL-based targets and constraints run
    in the store's engine, once per rule for all focus nodes (see
    :func:`plan_shapes`), and pySHACL checks the SHACL Core rest; without it,
    pySHACL checks everything, as it would on its own. On a store loaded here
    (not a remote back end), the engine also checks the SHACL Core property
    shapes it can check exactly (:class:`CoreCheck`), with the ontology in a
    scratch graph of the store for the time of the validation, and pySHACL gets
    only the triples its remaining shapes read (:func:`_pyshacl_data`).

    ``delegate`` (on a store loaded here): the sh:or/sh:xone checks and the SPARQL
    rules are not run here; ``delegate()`` gives their results, computed by
    :func:`delegated_checks` on the same data elsewhere (another process).
    """
    from pyshacl import validate as shacl_validate  # here: a slow import the server rarely needs

    shapes, shape_origin = load_shapes(shapes_paths)
    ontology = rdflib.Graph().parse(ontology_file, format="turtle")
    if not engine or not isinstance(store, Store):
        data, subject_origin, data_graphs = _data_graph(store)
        data += ontology
        if not engine:
            _conforms, report_graph, _text = shacl_validate(
                data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
            )
            return _report(report_graph, shapes, shape_origin, subject_origin, [])
        plan = plan_shapes(shapes, compile_core=False)
        backend = store.backend() if isinstance(store, Store) else store

        def rdflib_classes(cls: rdflib.term.Node) -> set[rdflib.term.Node]:
            return {c for c in data.transitive_subjects(RDFS.subClassOf, cls) if c is not None}

        for shape in sorted(plan.target_node_shapes, key=str):
            for node in _sparql_focus_nodes(backend, data_graphs, ontology,
                                            plan.sparql_targets[shape]):
                plan.core.add((shape, SH.targetNode, node))
        _conforms, report_graph, _text = shacl_validate(
            data, shacl_graph=plan.core, inference="none", advanced=True, allow_warnings=True
        )
        return _report(report_graph, shapes, shape_origin, subject_origin,
                       _run_rules(backend, data_graphs, shapes, plan, rdflib_classes))

    plan = plan_shapes(shapes)
    backend = store.backend()
    data_graphs = [g for g in store.graph_names if not _is_ontology_or_shapes(g)]
    logical_results: list[LogicalResult] = []
    engine_results: list[EngineResult] = []
    with _ontology_graph(store, ontology_file) as scratch:
        dataset = [*data_graphs, scratch]
        classes = _class_closure(backend, dataset)
        focus = _Focus(backend, dataset, plan, classes)
        check_results = _run_checks(backend, dataset, shapes, plan, classes, focus)
        if delegate is None:
            logical_results = _run_logical(backend, dataset, plan, classes, focus)
        for shape in sorted(plan.target_node_shapes, key=str):
            for node in _sparql_focus_nodes(backend, data_graphs, ontology,
                                            plan.sparql_targets[shape]):
                plan.core.add((shape, SH.targetNode, node))
        restricted = _pyshacl_data(store, plan.core, set(data_graphs))
        restricted += ontology
        _conforms, report_graph, _text = shacl_validate(
            restricted, shacl_graph=plan.core, inference="none", advanced=True,
            allow_warnings=True)
        del restricted
        if delegate is None:
            engine_results = _run_rules(backend, data_graphs, shapes, plan, classes)
    if delegate is not None:
        logical_results, engine_results = _adopted(plan, delegate())
    _add_checks(report_graph, check_results, logical_results)
    focus_nodes = set(report_graph.objects(None, SH.focusNode))
    focus_nodes.update(result[1] for result in engine_results)
    subject_origin = _subject_origin(store, focus_nodes, set(data_graphs))
    return _report(report_graph, shapes, shape_origin, subject_origin, engine_results)


def _class_closure(backend: Backend, dataset: list[str]) -> ClassClosure:
    closures: dict[rdflib.term.Node, set[rdflib.term.Node]] = {}

    def classes(cls: rdflib.term.Node) -> set[rdflib.term.Node]:
        """A class and its subclasses (rdfs:subClassOf*) in the data and the ontology."""
        if cls not in closures:
            rows = backend.select(f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS.subClassOf}>* "
                                  f"{_iri(cls)} }}", default_graphs=dataset)
            closures[cls] = {cls} | {row["c"] for row in rows}
        return closures[cls]

    return classes


#: What :func:`delegated_checks` gives back, in plain values another process can send:
#: the focus nodes failing each sh:or/sh:xone check, and the results of each SPARQL rule
#: (focus, path, value, message), each keyed by text that names its check in any process
#: (the blank nodes of the shapes graph are not the same in two parses).
Delegated = tuple[list[tuple[str, rdflib.term.Node]],
                  list[tuple[str, rdflib.term.Node, rdflib.term.Node | None,
                             rdflib.term.Node | None, str]]]


def _logical_key(check: LogicalCheck) -> str:
    if not isinstance(check.shape, rdflib.URIRef):
        raise ValueError(f"sh:or/sh:xone on a blank node shape ({check.shape}) cannot be "
                         "delegated")
    return f"{check.shape} {check.parameter}"


def _rule_key(rule: SparqlRule) -> str:
    return f"{rule.prefixes}\n{rule.select}\n{rule.message}\n{rule.severity}"


def delegated_checks(store: Store, shapes_paths: Sequence[Path] | None = None,
                     ontology_file: Path = ONTOLOGY_FILE) -> Delegated:
    """The part of :func:`validate_store` that ``delegate`` stands for, run over ``store``:
    the compiled sh:or/sh:xone checks and the SPARQL rules."""
    shapes, _origin = load_shapes(shapes_paths)
    plan = plan_shapes(shapes)
    backend = store.backend()
    data_graphs = [g for g in store.graph_names if not _is_ontology_or_shapes(g)]
    with _ontology_graph(store, ontology_file) as scratch:
        dataset = [*data_graphs, scratch]
        classes = _class_closure(backend, dataset)
        focus = _Focus(backend, dataset, plan, classes)
        logical = _run_logical(backend, dataset, plan, classes, focus)
        rules = _run_rules(backend, data_graphs, shapes, plan, classes)
    return ([(_logical_key(check), node) for check, node in logical],
            [(_rule_key(rule), node, path, value, message)
             for rule, node, path, value, message in rules])


def _adopted(plan: ShapesPlan, delegated: Delegated
             ) -> tuple[list[LogicalResult], list[EngineResult]]:
    """``delegated`` with this process's checks in place of their keys."""
    logical = {_logical_key(check): check for check in plan.logical}
    rules = {_rule_key(rule): rule for rule in plan.rules}
    if len(rules) != len(plan.rules):
        raise ValueError("two SPARQL rules with the same text cannot be told apart")
    try:
        return ([(logical[key], node) for key, node in delegated[0]],
                [(rules[key], node, path, value, message)
                 for key, node, path, value, message in delegated[1]])
    except KeyError as exc:
        raise ValueError(f"a delegated result names no check of these shapes: {exc}") from exc


def _is_ontology_or_shapes(graph: str) -> bool:
    return graph.endswith(("/graph/ontology", "/graph/shapes"))


@contextmanager
def _ontology_graph(store: Store, ontology_file: Path) -> Iterator[str]:
    """The ontology in a scratch named graph of ``store``, removed afterwards.

    pySHACL validates the data with the ontology added (``sh:class`` and
    ``sh:targetClass`` follow the ontology's rdfs:subClassOf; its named
    individuals are focus nodes and values too); the compiled checks read the
    same union when they name this graph among their default graphs.
    """
    name = f"urn:alliance-ld:validation:ontology:{uuid.uuid4().hex}"
    store.load_file(ontology_file, name)
    try:
        yield name
    finally:
        store.remove_graph(name)


#: the data-graph predicates that SHACL Core reads through these shape predicates' objects
_PREDICATE_PARAMETERS = (SH.targetSubjectsOf, SH.targetObjectsOf, SH.equals, SH.disjoint,
                         SH.lessThan, SH.lessThanOrEquals)

#: shape predicates after which pySHACL may read any triple: then it gets all the data
_READS_ANYTHING = tuple(rdflib.URIRef(str(SH) + name) for name in (
    "closed", "sparql", "target", "rule", "validator", "nodeValidator", "propertyValidator",
    "values", "condition", "expression", "js", "jsFunctionName"))


def _path_predicates(shapes: rdflib.Graph, path: rdflib.term.Node,
                     seen: set[rdflib.term.Node] | None = None) -> set[rdflib.URIRef]:
    """Every IRI in a property path (an IRI, or a path built of blank nodes and lists)."""
    if isinstance(path, rdflib.URIRef):
        return {path}
    seen = set() if seen is None else seen
    if path in seen:
        return set()
    seen.add(path)
    out: set[rdflib.URIRef] = set()
    for _p, part in shapes.predicate_objects(path):
        if part != RDF.nil:
            out |= _path_predicates(shapes, part, seen)
    return out


def _reachable(graph: rdflib.Graph, start: set[rdflib.term.Node]) -> set[rdflib.term.Node]:
    """The nodes reachable from ``start`` in ``graph`` (the shapes pySHACL evaluates: those with
    targets and whatever they refer to; compiled shapes are left behind unreachable)."""
    seen = set(start)
    todo = list(start)
    while todo:
        for obj in graph.objects(todo.pop(), None):
            if isinstance(obj, rdflib.BNode | rdflib.URIRef) and obj not in seen:
                seen.add(obj)
                todo.append(obj)
    return seen


def _pyshacl_data(store: Store, core: rdflib.Graph, data_graphs: set[str]) -> rdflib.Graph:
    """The data triples that pySHACL's shapes (``core``) can read, as an rdflib graph.

    SHACL Core reads the data graph through the shapes' property paths, the
    predicates of ``sh:targetSubjectsOf``/``sh:targetObjectsOf`` and of the
    property-pair constraints, and ``rdf:type``/``rdfs:subClassOf`` (targets,
    ``sh:class``). Every triple of those predicates is copied (whichever its
    subject: a focus node's values, the values' values, ...), so pySHACL sees
    the same focus nodes and value nodes as on the whole data, at any depth of
    nested shapes. A shape that can read anything (``sh:closed``, SPARQL, rules)
    makes it the whole data.
    """
    if any((None, p, None) in core for p in _READS_ANYTHING):
        predicates: set[rdflib.URIRef] | None = None
    else:
        predicates = {RDF.type, RDFS.subClassOf}
        shapes = _reachable(core, {s for p in _TARGETS for s in core.subjects(p, None)})
        for shape in shapes:
            for path in core.objects(shape, SH.path):
                predicates |= _path_predicates(core, path)
            for parameter in _PREDICATE_PARAMETERS:
                predicates.update(o for o in core.objects(shape, parameter)
                                  if isinstance(o, rdflib.URIRef))
    data = rdflib.Graph()
    quads = (store.neutral_quads() if predicates is None else
             (q for p in sorted(predicates) for q in store.neutral_quads_for(predicate=p)))
    for s, p, o, graph in quads:
        if graph is not None and graph not in data_graphs:
            continue
        data.add((s, p, o))
    return data


def _subject_origin(store: Store, nodes: set[rdflib.term.Node],
                    data_graphs: set[str]) -> dict[str, str]:
    """For each node, the file (or else the graph) of a data graph that holds it as a subject."""
    origin: dict[str, str] = {}
    for node in nodes:
        if not isinstance(node, rdflib.URIRef | rdflib.BNode):
            continue
        for _, _, _, graph in store.neutral_quads_for(subject=node):
            name = graph or ""
            if name and name not in data_graphs:
                continue
            path = store.files.get(name)
            origin[str(node)] = str(path) if path is not None else name
            break
    return origin


def _add_checks(report_graph: rdflib.Graph, results: list[CheckResult],
                logical: list[LogicalResult]) -> None:
    """The compiled checks' results in pySHACL's report, as pySHACL would write them."""
    report_node = next(iter(report_graph.subjects(RDF.type, SH.ValidationReport)), None)
    rows: list[tuple[CoreCheck | LogicalCheck, rdflib.term.Node, rdflib.term.Node | None]] = [
        *results, *((check, focus, focus) for check, focus in logical)]
    for check, focus, value in rows:
        node = rdflib.BNode()
        report_graph.add((node, RDF.type, SH.ValidationResult))
        report_graph.add((node, SH.focusNode, focus))
        report_graph.add((node, SH.resultSeverity, SH[check.severity]))
        report_graph.add((node, SH.sourceConstraintComponent, check.component))
        report_graph.add((node, SH.resultMessage, check.message))
        if isinstance(check, CoreCheck):
            report_graph.add((node, SH.sourceShape, check.prop))
            report_graph.add((node, SH.resultPath, check.path))
        else:
            report_graph.add((node, SH.sourceShape, check.shape))
        if value is not None:
            report_graph.add((node, SH.value, value))
        if report_node is not None:
            report_graph.add((report_node, SH.result, node))
            if check.severity == "Violation":
                report_graph.set((report_node, SH.conforms, rdflib.Literal(False)))


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


def _run_rules(backend: Backend, data_graphs: list[str], shapes: rdflib.Graph,
               plan: ShapesPlan, classes: ClassClosure) -> list[EngineResult]:
    """Every SPARQL rule over the store: (rule, focus, path, value, message)."""
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

