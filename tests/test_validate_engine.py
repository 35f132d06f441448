"""The engine path of validation gives what pySHACL alone gives, and skips no shape.

``validate_store`` runs the SPARQL-based targets and rules of the shapes in the
store's engine (one query per rule for all focus nodes) and the SHACL Core rest
in pySHACL; ``validate_store(..., engine=False)`` hands every shape to pySHACL,
as a user running pySHACL on our shapes would. Both must report the same
results: on the shipped data, and on fixtures that break each SPARQL-based
shape.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDF, SH
from test_shapes import INVALID_CASES, INVALID_DIR, expand

from alliance_ld.resources import DATA_DIR, SHAPES_DIR, SHAPES_NS
from alliance_ld.store import Store
from alliance_ld.validate import (
    COMPILED,
    ENGINE,
    LOGICAL,
    PYSHACL,
    Delegated,
    ValidationReport,
    _shape_name,
    _this_is_top_level,
    delegated_checks,
    load_shapes,
    plan_shapes,
    validate_store,
)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from generate import generate, write  # noqa: E402

Key = tuple[str, str, str, str | None, str | None, str]


def keys(report: ValidationReport) -> list[Key]:
    """Each result as (severity, focus node, shape, path, value, message), sorted."""
    return sorted(
        ((r.severity, r.focus_node, r.shape, r.path, r.value, r.message) for r in report.results),
        key=lambda key: tuple("" if part is None else part for part in key),
    )


def both(paths: list[Path]) -> tuple[ValidationReport, ValidationReport]:
    store = Store()
    store.load_paths(paths)
    return validate_store(store), validate_store(store, engine=False)


SHAPES, _ORIGIN = load_shapes()
PLAN = plan_shapes(SHAPES)
ENGINE_SHAPES = sorted(str(s) for s, how in PLAN.coverage.items() if ENGINE in how)
#: the shapes with SPARQL rules or SPARQL targets
SPARQL_SHAPES = sorted({str(rule.shape) for rule in PLAN.rules}
                       | {str(s) for s in PLAN.sparql_targets})
#: compiled component (e.g. "Class") -> the names of the property shapes whose checks use it
COMPILED_SHAPES: dict[str, set[str]] = {}
for _check in PLAN.checks:
    _name = str(_check.component).rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
    COMPILED_SHAPES.setdefault(_name, set()).add(_shape_name(SHAPES, _check.prop))
for _logical in PLAN.logical:
    _name = str(_logical.component).rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
    COMPILED_SHAPES.setdefault(_name, set()).add(str(_logical.shape))


def _fixtures_for(shape: str) -> list[str]:
    return [
        name
        for name, expected in INVALID_CASES.items()
        if any(expand(e.shape).split(" ")[0] == shape for e in expected)
    ]


#: one fixture per SPARQL-based shape (the first that the shape tests list for it)
ENGINE_FIXTURES = sorted({_fixtures_for(shape)[0] for shape in SPARQL_SHAPES
                          if _fixtures_for(shape)})


def _compiled_fixtures(component: str) -> list[str]:
    """The fixtures the shape tests expect to break ``component`` of a compiled property shape."""
    return [name for name, expected in INVALID_CASES.items()
            if any(e.constraint == component and expand(e.shape) in COMPILED_SHAPES[component]
                   for e in expected)]


#: two fixtures per compiled component (where the shape tests have two)
COMPILED_FIXTURES = {component: _compiled_fixtures(component)[:2] for component in COMPILED_SHAPES}


#: fixtures that break the property shapes whose targets the plan moves (Ranges_Shape, ...)
_INDEXED = ("#Ranges_Shape", "#ControlledVocabularies_Shape")
INDEXED_FIXTURES = sorted({
    name for name, expected in INVALID_CASES.items()
    if any(expand(e.shape).split(" ")[0].endswith(_INDEXED) for e in expected)
})


def test_shipped_data_same_results() -> None:
    fast, plain = both([DATA_DIR])
    assert keys(fast) == keys(plain)
    assert fast.conforms and plain.conforms


def test_every_sparql_based_shape_has_a_breaking_fixture() -> None:
    missing = [shape for shape in SPARQL_SHAPES if not _fixtures_for(shape)]
    assert missing == []
    assert len(SPARQL_SHAPES) >= 15  # the SPARQL-based shapes of core.ttl and recommended.ttl


@pytest.mark.parametrize("name", ENGINE_FIXTURES + INDEXED_FIXTURES)
def test_broken_data_same_results(name: str) -> None:
    fast, plain = both([INVALID_DIR / f"{name}.ttl"])
    assert keys(fast) == keys(plain)
    assert fast.results, f"{name} must break a shape"
    assert fast.conforms == plain.conforms
    assert [r.constraint for r in sorted(fast.results, key=lambda r: (r.focus_node, r.shape))] \
        == [r.constraint for r in sorted(plain.results, key=lambda r: (r.focus_node, r.shape))]


def test_many_focus_nodes_in_one_query_same_results() -> None:
    """All SPARQL-breaking fixtures at once: rules see many focus nodes in one query."""
    fast, plain = both([INVALID_DIR / f"{name}.ttl" for name in ENGINE_FIXTURES])
    assert keys(fast) == keys(plain)
    # merged, the fixtures mend some of each other's faults, but many rules still fire
    fired = {r.shape for r in fast.results if r.constraint.startswith("SPARQL")}
    assert len(fired) >= 8


def test_turtle_report_holds_the_engine_results() -> None:
    fast, _plain = both([INVALID_DIR / "alliance-one-member.ttl"])
    graph = rdflib.Graph().parse(data=fast.to_turtle(), format="turtle")
    report = next(iter(graph.subjects(RDF.type, SH.ValidationReport)))
    assert graph.value(report, SH.conforms) == rdflib.Literal(False)
    components = set(graph.objects(None, SH.sourceConstraintComponent))
    assert SH.SPARQLConstraintComponent in components
    assert len(list(graph.objects(report, SH.result))) == len(fast.results)


def test_every_shape_is_covered() -> None:
    """Every node shape of shapes/*.ttl is checked by pySHACL, by the engine, or both."""
    node_shapes = set(SHAPES.subjects(RDF.type, SH.NodeShape))
    assert node_shapes, SHAPES_DIR
    assert node_shapes <= set(PLAN.coverage)
    uncovered = [str(s) for s in node_shapes if not PLAN.coverage[s]]
    assert uncovered == []
    # nothing SPARQL-based is left for pySHACL ...
    assert not list(PLAN.core.triples((None, SH.sparql, None)))
    assert not list(PLAN.core.triples((None, SH.select, None))) or all(
        (None, SH.target, t) not in PLAN.core for t in PLAN.core.subjects(SH.select, None)
    )
    # ... and every sh:sparql constraint of the shapes is a rule the engine runs
    constraints = set(SHAPES.objects(None, SH.sparql))
    assert {rule.constraint for rule in PLAN.rules} == constraints
    for shape in node_shapes:
        how = PLAN.coverage[shape]
        if PYSHACL in how:
            # pySHACL still has targets for it (or the engine computes them as sh:targetNode)
            # itself, or each of its property shapes (alds:Ranges_Shape)
            targets = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
            targeted = any((shape, p, None) in PLAN.core for p in targets)
            properties = list(PLAN.core.objects(shape, SH.property))
            each_property_targeted = bool(properties) and all(
                any((prop, p, None) in PLAN.core for p in targets) for prop in properties)
            assert targeted or each_property_targeted or shape in PLAN.target_node_shapes, shape
        if ENGINE in how and shape not in PLAN.target_node_shapes:
            assert any(rule.shape == shape for rule in PLAN.rules) or any(
                check.shape == shape for check in [*PLAN.checks, *PLAN.logical]), shape
    # a compiled property shape is no longer pySHACL's
    for check in PLAN.checks:
        assert (check.shape, SH.property, check.prop) not in PLAN.core
        assert (check.prop, None, None) not in PLAN.core


def test_shared_property_shapes_target_the_subjects_of_their_own_property() -> None:
    ranges = rdflib.URIRef(SHAPES_NS + "Ranges_Shape")
    assert (ranges, SH.targetSubjectsOf, None) in SHAPES
    assert (ranges, SH.targetSubjectsOf, None) not in PLAN.core
    for prop in PLAN.core.objects(ranges, SH.property):
        path = PLAN.core.value(prop, SH.path)
        assert set(PLAN.core.objects(prop, SH.targetSubjectsOf)) == {path}
    # a shape with sh:minCount keeps its own targets (a node without the value must fail):
    # the compiled checks of Membership_Shape select its focus nodes by its sh:targetClass
    membership = rdflib.URIRef(SHAPES_NS + "Membership_Shape")
    holders = {check.holder for check in PLAN.checks if check.shape == membership}
    assert holders == {membership}
    assert (membership, SH.targetClass, None) in PLAN.targets


def test_every_rule_runs_in_one_query_for_all_focus_nodes() -> None:
    """No rule of the shipped shapes falls back to one query per focus node.

    ``MembershipDates_Shape`` and ``Claim_Shape`` once held one UNION with
    ``$this`` in each branch; they are one constraint per branch now.
    """
    assert [str(rule.shape) for rule in PLAN.rules if not rule.batched] == []
    by_shape: dict[str, int] = {}
    for rule in PLAN.rules:
        name = str(rule.shape).rsplit("#", 1)[-1]
        by_shape[name] = by_shape.get(name, 0) + 1
    assert by_shape["MembershipDates_Shape"] == 11
    assert by_shape["Claim_Shape"] == 2


def test_rules_that_mention_this_in_nested_groups_are_not_batched() -> None:
    """The test of :attr:`SparqlRule.batched`: ``$this`` in a UNION branch is not top level."""
    nested = "SELECT $this WHERE { { $this a ?c } UNION { ?x ?p $this } }"
    exists = "SELECT $this WHERE { $this a ?c . FILTER NOT EXISTS { $this ?p ?o } }"
    optional = "SELECT $this WHERE { ?x ?p ?o OPTIONAL { $this ?q ?x } }"
    assert not _this_is_top_level(nested)
    assert _this_is_top_level(exists)
    assert not _this_is_top_level(optional)
    assert not _this_is_top_level('SELECT $this WHERE { { $this a ?c } } # "$this"')
    nested_exists = ("SELECT $this WHERE { FILTER NOT EXISTS { ?a ?b $this . "
                     "FILTER EXISTS { ?c ?d $this } } }")
    assert _this_is_top_level(nested_exists)  # substituted on into the inner EXISTS
    assert not _this_is_top_level(
        "SELECT $this WHERE { FILTER NOT EXISTS { ?a ?b ?c . OPTIONAL { ?c ?d $this } } }")


# ---------------------------------------------------------------------------
# SHACL Core constraints compiled to engine queries (CoreCheck)


def test_every_compiled_component_is_used() -> None:
    """Each component the engine compiles checks some property shape of the shipped shapes.

    Dropping one from ``COMPILED`` (or from the compiler) fails here; a compiled
    check whose results went missing fails the comparisons below.
    """
    assert {check.parameter for check in PLAN.checks} == set(COMPILED)
    assert len(PLAN.checks) >= 100
    assert {check.parameter for check in PLAN.logical} == set(LOGICAL)
    labelled = rdflib.URIRef(SHAPES_NS + "LabelledResource_Shape")
    assert any(check.shape == labelled for check in PLAN.logical)  # every resource: not pySHACL's


#: data that breaks a compiled component no fixture of the shape tests breaks
_INLINE = {
    "Xone": """
@prefix ald: <https://w3id.org/alliance-ld/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix cal: <https://w3id.org/alliance-ld/id/calendar/> .

cal:two a time:Instant ; time:inXSDDate "1949-04-04"^^xsd:date ; time:inXSDgYear "1949"^^xsd:gYear ;
    ald:precision time:unitDay ; ald:earliestDate "1949-04-04"^^xsd:date ;
    ald:latestDate "1949-04-04"^^xsd:date .
cal:none a time:Instant ; ald:precision time:unitDay ;
    ald:earliestDate "1949-04-04"^^xsd:date ; ald:latestDate "1949-04-04"^^xsd:date .
cal:wrong a time:Instant ; time:inXSDgYear "1949-04"^^xsd:gYearMonth ; ald:precision time:unitYear ;
    ald:earliestDate "1949-01-01"^^xsd:date ; ald:latestDate "1949-12-31"^^xsd:date .
""",
}


@pytest.mark.parametrize("component", sorted(COMPILED_SHAPES))
def test_each_compiled_component_breaks_like_pyshacl(component: str, tmp_path: Path) -> None:
    """Fixtures that break a compiled component: the engine reports it, as pySHACL does."""
    paths = [INVALID_DIR / f"{name}.ttl" for name in COMPILED_FIXTURES[component]]
    if component in _INLINE:
        paths.append(tmp_path / "inline.ttl")
        paths[-1].write_text(_INLINE[component], encoding="utf-8")
    assert paths, f"no fixture breaks {component}"
    for name in paths:
        fast, plain = both([name])
        assert keys(fast) == keys(plain), name
        assert fast.conforms == plain.conforms
        component_iri = f"{component}ConstraintComponent"
        reported = {r.shape for r in fast.results if r.constraint == component_iri}
        assert reported & COMPILED_SHAPES[component], (name, component)


_ILL_TYPED = """
@prefix ald: <https://w3id.org/alliance-ld/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix src: <https://w3id.org/alliance-ld/id/source/> .
@prefix treaty: <https://w3id.org/alliance-ld/id/treaty/> .
@prefix contribution: <https://w3id.org/alliance-ld/id/contribution/> .

src:s a ald:SourceDocument ; rdfs:label "A source"@en .
treaty:t a ald:Treaty ; rdfs:label "A treaty"@en , "Un traité"@fr , "Le traité"@FR ;
    dcterms:source src:s , "not a source" ;
    ald:signedOn "1949-13-45"^^xsd:date , "1949"^^xsd:gYear ;
    ald:enteredIntoForceOn "maybe"^^xsd:boolean .
contribution:c a ald:TroopContribution ; rdfs:label "A contribution"@en ;
    dcterms:source src:s ;
    ald:personnelCount "-3"^^xsd:nonNegativeInteger , "many" , "7"^^xsd:decimal .
"""


def test_ill_typed_and_odd_values_same_results(tmp_path: Path) -> None:
    """Ill-typed literals, literals where resources belong, mixed-case language tags."""
    data = tmp_path / "odd.ttl"
    data.write_text(_ILL_TYPED, encoding="utf-8")
    fast, plain = both([data])
    assert keys(fast) == keys(plain)
    components = {r.constraint for r in fast.results}
    assert {"DatatypeConstraintComponent", "ClassConstraintComponent",
            "MaxCountConstraintComponent"} <= components


def test_synthetic_10k_same_results(tmp_path: Path) -> None:
    """10,000 synthetic triples (bench/generate.py): many focus nodes per compiled query."""
    out = write(generate(10_000, 42), tmp_path)
    fast, plain = both([out])
    assert keys(fast) == keys(plain)
    assert fast.conforms


def test_a_delegated_half_gives_the_same_report() -> None:
    """The import's two processes (``load --parallel``): the sh:or/sh:xone checks and the
    SPARQL rules run on a second copy (here in the same process, on a store of its own,
    with shapes parsed again) and are merged into the report of the first."""
    paths = [INVALID_DIR / f"{name}.ttl" for name in ENGINE_FIXTURES]
    first, second = Store(), Store()
    first.load_paths(paths)
    second.load_paths(paths)
    asked: list[bool] = []

    def delegate() -> Delegated:
        asked.append(True)
        return delegated_checks(second)

    whole = validate_store(first)
    shared = validate_store(first, delegate=delegate)
    assert asked == [True]
    assert keys(shared) == keys(whole)
    assert {r.constraint for r in shared.results} >= {"SPARQLConstraintComponent"}
    assert any(r.constraint in ("OrConstraintComponent", "XoneConstraintComponent")
               for r in shared.results)
    assert shared.to_text() == whole.to_text()


def test_a_delegated_result_that_names_no_check_is_refused() -> None:
    store = Store()
    store.load_paths([INVALID_DIR / f"{ENGINE_FIXTURES[0]}.ttl"])
    delegated = delegated_checks(store)
    assert delegated[1], "the fixture breaks a SPARQL rule"
    _key, *rest = delegated[1][0]
    forged: Delegated = (delegated[0], [("no such rule", *rest)])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="names no check of these shapes"):
        validate_store(store, delegate=lambda: forged)
