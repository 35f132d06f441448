"""The documentation of the ontology, read from its graph, for the ``/ontology`` HTML page.

One :class:`TermDoc` per term of our namespace (classes, object, data and
annotation properties, named individuals): label, definition, notes, hierarchy
(super- and subterms), domains and ranges (class expressions such as unions and
restrictions kept as structures, so the page can say "A or B"), alignments to
external vocabularies (external super-terms and SKOS mapping properties) and,
for classes, a few labelled instances from the data.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import rdflib
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from .network import LabelSource
from .publication import ONTOLOGY_GRAPH, Publication
from .resources import TERMS_NS
from .void import per_publication

VANN = rdflib.Namespace("http://purl.org/vocab/vann/")
#: How many instances each class shows.
EXAMPLES_PER_CLASS = 5

_MAPPINGS = (
    (SKOS.exactMatch, "exact match"),
    (SKOS.closeMatch, "close match"),
    (SKOS.broadMatch, "broad match"),
    (SKOS.narrowMatch, "narrow match"),
    (SKOS.relatedMatch, "related match"),
)
_CHARACTERISTICS = (
    (OWL.FunctionalProperty, "functional"),
    (OWL.InverseFunctionalProperty, "inverse functional"),
    (OWL.TransitiveProperty, "transitive"),
    (OWL.SymmetricProperty, "symmetric"),
    (OWL.AsymmetricProperty, "asymmetric"),
    (OWL.ReflexiveProperty, "reflexive"),
    (OWL.IrreflexiveProperty, "irreflexive"),
)
_RESTRICTIONS = (
    (OWL.someValuesFrom, "some"),
    (OWL.allValuesFrom, "only"),
    (OWL.hasValue, "value"),
    (OWL.minQualifiedCardinality, "min"),
    (OWL.maxQualifiedCardinality, "max"),
    (OWL.qualifiedCardinality, "exactly"),
    (OWL.minCardinality, "min"),
    (OWL.maxCardinality, "max"),
    (OWL.cardinality, "exactly"),
)


@dataclass(frozen=True)
class Expression:
    """A class expression: a named class, a union/intersection/complement, or a restriction."""

    kind: str  # "named", "union", "intersection", "complement", "oneOf", "restriction", "literal"
    iri: str = ""
    members: tuple[Expression, ...] = ()
    on_property: str = ""
    quantifier: str = ""
    count: str = ""
    value: str = ""  # a literal's text, for hasValue with a literal

    @property
    def external(self) -> bool:
        return self.kind == "named" and not self.iri.startswith(TERMS_NS)


@dataclass
class TermDoc:
    iri: str
    local: str
    kind: str  # "class", "object property", "datatype property", "annotation property",
    #            "individual"
    label: str
    definitions: list[rdflib.Literal] = field(default_factory=list)
    comments: list[rdflib.Literal] = field(default_factory=list)
    alt_labels: list[rdflib.Literal] = field(default_factory=list)
    scope_notes: list[rdflib.Literal] = field(default_factory=list)
    editorial_notes: list[rdflib.Literal] = field(default_factory=list)
    examples: list[rdflib.Literal] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    characteristics: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)  # for individuals
    supers: list[Expression] = field(default_factory=list)  # our named supers + restrictions
    subs: list[str] = field(default_factory=list)
    equivalents: list[Expression] = field(default_factory=list)
    disjoints: list[Expression] = field(default_factory=list)
    domains: list[Expression] = field(default_factory=list)
    ranges: list[Expression] = field(default_factory=list)
    inverses: list[str] = field(default_factory=list)
    alignments: list[tuple[str, str]] = field(default_factory=list)  # (relation, external IRI)
    in_domain_of: list[str] = field(default_factory=list)
    in_range_of: list[str] = field(default_factory=list)
    instances: list[str] = field(default_factory=list)
    instance_count: int = 0
    related: list[tuple[str, str]] = field(default_factory=list)  # (property label, IRI)


@dataclass
class OntologyDoc:
    iri: str
    title: str
    description: str
    version_iri: str
    version_info: str
    licence: str
    creators: list[str]
    created: str
    modified: str
    prefix: str
    namespace: str
    comments: list[str]
    classes: list[TermDoc]
    object_properties: list[TermDoc]
    datatype_properties: list[TermDoc]
    annotation_properties: list[TermDoc]
    individuals: list[TermDoc]

    @property
    def sections(self) -> list[tuple[str, str, list[TermDoc]]]:
        """(id, heading, terms) of each non-empty group, in page order."""
        groups = [
            ("classes", "Classes", self.classes),
            ("object-properties", "Object properties", self.object_properties),
            ("datatype-properties", "Data properties", self.datatype_properties),
            ("annotation-properties", "Annotation properties", self.annotation_properties),
            ("individuals", "Named individuals", self.individuals),
        ]
        return [g for g in groups if g[2]]

    @property
    def terms(self) -> list[TermDoc]:
        return [t for _, _, terms in self.sections for t in terms]


def _literals(graph: rdflib.Graph, subject: rdflib.term.Node,
              predicate: rdflib.URIRef) -> list[rdflib.Literal]:
    found = [o for o in graph.objects(subject, predicate) if isinstance(o, rdflib.Literal)]
    # English (or untagged) first, then the rest; stable order by text.
    return sorted(found, key=lambda lit: (lit.language not in (None, "en"), str(lit)))


def _first(graph: rdflib.Graph, subject: rdflib.term.Node, predicate: rdflib.URIRef) -> str:
    values = _literals(graph, subject, predicate)
    return str(values[0]) if values else ""


def _expression(graph: rdflib.Graph, node: rdflib.term.Node) -> Expression:
    if isinstance(node, rdflib.URIRef):
        return Expression("named", iri=str(node))
    if isinstance(node, rdflib.Literal):
        return Expression("literal", value=str(node))
    for predicate, kind in ((OWL.unionOf, "union"), (OWL.intersectionOf, "intersection"),
                            (OWL.oneOf, "oneOf")):
        head = graph.value(node, predicate)
        if head is not None:
            members = tuple(_expression(graph, m) for m in Collection(graph, head))
            return Expression(kind, members=members)
    complement = graph.value(node, OWL.complementOf)
    if complement is not None:
        return Expression("complement", members=(_expression(graph, complement),))
    on_property = graph.value(node, OWL.onProperty)
    if on_property is not None:
        for predicate, quantifier in _RESTRICTIONS:
            value = graph.value(node, predicate)
            if value is None:
                continue
            if quantifier in ("some", "only", "value"):
                return Expression("restriction", on_property=str(on_property),
                                  quantifier=quantifier, members=(_expression(graph, value),))
            on_class = graph.value(node, OWL.onClass) or graph.value(node, OWL.onDataRange)
            members = (_expression(graph, on_class),) if on_class is not None else ()
            return Expression("restriction", on_property=str(on_property), quantifier=quantifier,
                              count=str(value), members=members)
    return Expression("named", iri=str(node))


def _kind(types: set[rdflib.term.Node]) -> str | None:
    if OWL.Class in types or RDFS.Class in types:
        return "class"
    if OWL.ObjectProperty in types:
        return "object property"
    if OWL.DatatypeProperty in types:
        return "datatype property"
    if OWL.AnnotationProperty in types:
        return "annotation property"
    if OWL.NamedIndividual in types or types:
        return "individual"
    return None


class _NoLabels:
    def get(self, iri: str, default: str | None = None) -> str | None:
        return default


def build(graph: rdflib.Graph, publication: Publication | None = None) -> OntologyDoc:
    """The documentation of the ontology ``graph`` (instances from ``publication``)."""
    ontology = next((s for s in graph.subjects(RDF.type, OWL.Ontology)
                     if isinstance(s, rdflib.URIRef)), rdflib.URIRef(TERMS_NS.rstrip("#")))
    labels: LabelSource = publication.labels if publication is not None else _NoLabels()

    def label_of(node: rdflib.term.Node) -> str:
        text = _first(graph, node, RDFS.label) or _first(graph, node, SKOS.prefLabel)
        return text or labels.get(str(node)) or str(node).rsplit("#", 1)[-1]

    docs: dict[str, TermDoc] = {}
    for subject in set(graph.subjects()):
        if not isinstance(subject, rdflib.URIRef) or not str(subject).startswith(TERMS_NS):
            continue
        local = str(subject)[len(TERMS_NS):]
        if not local:
            continue
        types = set(graph.objects(subject, RDF.type))
        kind = _kind(types)
        if kind is None:
            continue
        docs[str(subject)] = TermDoc(iri=str(subject), local=local, kind=kind,
                                     label=label_of(subject))

    instances: dict[str, list[str]] = defaultdict(list)
    if publication is not None:
        id_space = publication.settings.base_iri + "id/"
        for row in publication.backend.select(
                "SELECT DISTINCT ?s ?c WHERE { ?s a ?c "
                f'FILTER(STRSTARTS(STR(?s), "{id_space}") && STRSTARTS(STR(?c), "{TERMS_NS}")) }}',
                default_graphs=publication.data_graphs):
            instances[str(row["c"])].append(str(row["s"]))
        publication.labels.fetch(iri for found in instances.values() for iri in found)

    for iri, doc in docs.items():
        node = rdflib.URIRef(iri)
        doc.definitions = _literals(graph, node, SKOS.definition)
        doc.comments = _literals(graph, node, RDFS.comment)
        doc.alt_labels = _literals(graph, node, SKOS.altLabel)
        doc.scope_notes = _literals(graph, node, SKOS.scopeNote)
        doc.editorial_notes = _literals(graph, node, SKOS.editorialNote)
        doc.examples = _literals(graph, node, SKOS.example)
        doc.sources = sorted(str(o) for o in graph.objects(node, DCTERMS.source))
        types = set(graph.objects(node, RDF.type))
        doc.characteristics = [name for cls, name in _CHARACTERISTICS if cls in types]
        if doc.kind == "individual":
            doc.types = sorted(str(t) for t in types
                               if isinstance(t, rdflib.URIRef) and t != OWL.NamedIndividual)
        hierarchy = RDFS.subClassOf if doc.kind == "class" else RDFS.subPropertyOf
        for parent in graph.objects(node, hierarchy):
            expression = _expression(graph, parent)
            if expression.external:
                relation = "subclass of" if doc.kind == "class" else "subproperty of"
                doc.alignments.append((relation, expression.iri))
            else:
                doc.supers.append(expression)
        doc.subs = sorted((str(s) for s in graph.subjects(hierarchy, node)
                           if isinstance(s, rdflib.URIRef)), key=lambda s: s.lower())
        for other in graph.objects(node, OWL.equivalentClass):
            expression = _expression(graph, other)
            if expression.external:
                doc.alignments.append(("equivalent class", expression.iri))
            else:
                doc.equivalents.append(expression)
        # owl:disjointWith is symmetric: OWL tools state it once, from either side.
        disjoint = {*graph.objects(node, OWL.disjointWith), *graph.subjects(OWL.disjointWith, node)}
        doc.disjoints = sorted((_expression(graph, o) for o in disjoint), key=_sort_key)
        doc.domains = [_expression(graph, o) for o in graph.objects(node, RDFS.domain)]
        doc.ranges = [_expression(graph, o) for o in graph.objects(node, RDFS.range)]
        doc.inverses = sorted({str(o) for o in graph.objects(node, OWL.inverseOf)}
                              | {str(s) for s in graph.subjects(OWL.inverseOf, node)})
        for predicate, relation in _MAPPINGS:
            for target in graph.objects(node, predicate):
                doc.alignments.append((relation, str(target)))
        doc.supers.sort(key=_sort_key)
        doc.alignments.sort()
        if doc.kind == "class":
            found = instances.get(iri, [])
            doc.instance_count = len(found)
            ranked = sorted(found, key=lambda i: (labels.get(i) is None,
                                                  (labels.get(i) or i).lower()))
            doc.instances = ranked[:EXAMPLES_PER_CLASS]

    # Which properties name a class in their domain or range (unions included).
    for doc in docs.values():
        if doc.kind not in ("object property", "datatype property"):
            continue
        for expression in doc.domains:
            for named in _named(expression):
                if named in docs:
                    docs[named].in_domain_of.append(doc.iri)
        for expression in doc.ranges:
            for named in _named(expression):
                if named in docs:
                    docs[named].in_range_of.append(doc.iri)

    def group(kind: str) -> list[TermDoc]:
        found = [d for d in docs.values() if d.kind == kind]
        for d in found:
            d.in_domain_of.sort()
            d.in_range_of.sort()
        return sorted(found, key=lambda d: d.local.lower())

    return OntologyDoc(
        iri=str(ontology),
        title=_first(graph, ontology, DCTERMS.title) or label_of(ontology),
        description=_first(graph, ontology, DCTERMS.description),
        version_iri=str(graph.value(ontology, OWL.versionIRI) or ""),
        version_info=_first(graph, ontology, OWL.versionInfo),
        licence=str(graph.value(ontology, DCTERMS.license) or ""),
        creators=sorted(str(c) for c in graph.objects(ontology, DCTERMS.creator)),
        created=_first(graph, ontology, DCTERMS.created),
        modified=_first(graph, ontology, DCTERMS.modified),
        prefix=_first(graph, ontology, VANN.preferredNamespacePrefix),
        namespace=_first(graph, ontology, VANN.preferredNamespaceUri),
        comments=[str(c) for c in _literals(graph, ontology, RDFS.comment)],
        classes=group("class"),
        object_properties=group("object property"),
        datatype_properties=group("datatype property"),
        annotation_properties=group("annotation property"),
        individuals=group("individual"),
    )


def _named(expression: Expression) -> list[str]:
    if expression.kind == "named":
        return [expression.iri]
    if expression.kind == "union":
        return [iri for member in expression.members for iri in _named(member)]
    return []


def _sort_key(expression: Expression) -> tuple[int, str]:
    return (expression.kind != "named", expression.iri or expression.on_property)


def _build_for(publication: Publication) -> OntologyDoc:
    return build(publication.rdflib_graph([ONTOLOGY_GRAPH]), publication)


def documentation(publication: Publication) -> OntologyDoc:
    """The documentation of the publication's ontology (built once)."""
    return per_publication("ontology-doc", publication, _build_for)


__all__ = ["EXAMPLES_PER_CLASS", "Expression", "OntologyDoc", "TermDoc", "build",
           "documentation"]
