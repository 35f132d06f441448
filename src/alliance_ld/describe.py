"""What a resource's document says about it: its description, built from the store.

A description (:func:`describe`) holds

* the resource's concise bounded description: every triple with it as
  subject, and, through blank-node objects, the triples of those blank nodes;
* its incoming links (triples with it as object), sorted and cut into pages of
  ``settings.incoming_page_size``;
* the ``rdfs:label`` and ``rdf:type`` of every neighbour IRI (objects of its
  triples, subjects of the incoming links on the page);
* its provenance: the ``dcterms:source`` documents of the resource, with their
  labels, types and web addresses (``schema:url``).

:func:`document_triples` adds what the document says about itself
(``foaf:primaryTopic``, licence, ``void:inDataset`` the VoID dataset, paging
links in Hydra terms), and
:func:`serialize` writes the whole in one of the document formats.

The shapes graph is not part of any description (shapes are served apart);
the ontology graph and the data graphs are. Graph IRIs (``…/graph/<stem>``)
are described by their content: :func:`describe_graph`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
import rdflib

from .conneg import Format
from .publication import PREFIXES, SHAPES_GRAPH, Publication
from .store import Store, to_rdflib
from .void import dataset_iri

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DCTERMS = "http://purl.org/dc/terms/"
DCT_SOURCE = DCTERMS + "source"
DCT_LICENSE = DCTERMS + "license"
SCHEMA_URL = "https://schema.org/url"
FOAF = "http://xmlns.com/foaf/0.1/"
HYDRA = "http://www.w3.org/ns/hydra/core#"
VOID = "http://rdfs.org/ns/void#"
DATA_LICENCE_IRI = "https://creativecommons.org/licenses/by/4.0/"

#: Prefixes of the documents' Turtle and RDF/XML: the publication's plus Hydra.
DOCUMENT_PREFIXES: dict[str, str] = {**PREFIXES, "hydra": HYDRA}

_PREFIX_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")

Subject = ox.NamedNode | ox.BlankNode
Object = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def _nn(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _pattern(store: Store, subject: Subject | None = None, predicate: ox.NamedNode | None = None,
             obj: Object | None = None) -> Iterator[ox.Triple]:
    """Triples matching a pattern over every graph except the shapes, without duplicates."""
    seen: set[ox.Triple] = set()
    shapes = ox.NamedNode(SHAPES_GRAPH)
    for quad in store.quads_for_pattern(subject, predicate, obj):
        if quad.graph_name == shapes:
            continue
        triple = quad.triple
        if triple not in seen:
            seen.add(triple)
            yield triple


def _sort_key(triple: ox.Triple) -> tuple[str, str, str]:
    return (str(triple.subject), str(triple.predicate), str(triple.object))


@dataclass
class Description:
    """Everything a document about ``iri`` says (before document-level triples)."""

    iri: str
    outgoing: list[ox.Triple]
    incoming: list[ox.Triple]
    incoming_total: int
    page: int
    page_size: int
    neighbours: list[ox.Triple] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    provenance: list[ox.Triple] = field(default_factory=list)

    @property
    def pages(self) -> int:
        """How many pages of incoming links there are (at least 1)."""
        return max(1, -(-self.incoming_total // self.page_size))

    @property
    def paged(self) -> bool:
        return self.incoming_total > self.page_size

    @property
    def triples(self) -> list[ox.Triple]:
        """The description's triples, without duplicates, in a stable order."""
        seen: set[ox.Triple] = set()
        out: list[ox.Triple] = []
        for triple in (*self.outgoing, *self.incoming, *self.neighbours, *self.provenance):
            if triple not in seen:
                seen.add(triple)
                out.append(triple)
        return out

    def values(self, predicate: str) -> list[Object]:
        """Objects of the resource's own triples with ``predicate``."""
        subject = _nn(self.iri)
        return [t.object for t in self.outgoing
                if t.subject == subject and t.predicate.value == predicate]


class PageOutOfRangeError(LookupError):
    """A page of incoming links that does not exist."""

    def __init__(self, page: int, pages: int) -> None:
        super().__init__(f"page {page} does not exist: there are {pages} page(s) of "
                         "incoming links")
        self.page, self.pages = page, pages


def is_known(publication: Publication, iri: str) -> bool:
    """Whether any triple (outside the shapes) has ``iri`` as subject or object."""
    node = _nn(iri)
    return (next(_pattern(publication.store, subject=node), None) is not None
            or next(_pattern(publication.store, obj=node), None) is not None)


def _cbd(store: Store, node: ox.NamedNode) -> list[ox.Triple]:
    """The concise bounded description: own triples, following blank-node objects."""
    out: list[ox.Triple] = []
    todo: list[Subject] = [node]
    done: set[Subject] = set()
    while todo:
        current = todo.pop()
        if current in done:
            continue
        done.add(current)
        found = sorted(_pattern(store, subject=current), key=_sort_key)
        out.extend(found)
        todo.extend(t.object for t in found if isinstance(t.object, ox.BlankNode))
    return out


def _labels_and_types(store: Store, iris: Iterable[str]) -> list[ox.Triple]:
    label, rdf_type = _nn(RDFS_LABEL), _nn(RDF_TYPE)
    out: list[ox.Triple] = []
    for iri in sorted(set(iris)):
        node = _nn(iri)
        out.extend(sorted(_pattern(store, subject=node, predicate=label), key=_sort_key))
        out.extend(sorted(_pattern(store, subject=node, predicate=rdf_type), key=_sort_key))
    return out


def describe(publication: Publication, iri: str, page: int = 1) -> Description | None:
    """The description of ``iri``; ``None`` if no triple mentions it.

    Raises :class:`PageOutOfRangeError` for a page of incoming links past the last.
    """
    store = publication.store
    node = _nn(iri)
    outgoing = _cbd(store, node)
    all_incoming = sorted(_pattern(store, obj=node), key=_sort_key)
    if not outgoing and not all_incoming:
        return None
    size = publication.settings.incoming_page_size
    description = Description(iri, outgoing, [], len(all_incoming), page, size)
    if page < 1 or page > description.pages:
        raise PageOutOfRangeError(page, description.pages)
    description.incoming = all_incoming[(page - 1) * size: page * size]

    neighbours = {t.object.value for t in outgoing if isinstance(t.object, ox.NamedNode)}
    neighbours |= {t.subject.value for t in description.incoming
                   if isinstance(t.subject, ox.NamedNode)}
    neighbours.discard(iri)
    description.neighbours = _labels_and_types(store, neighbours)

    description.sources = sorted(
        v.value for v in description.values(DCT_SOURCE) if isinstance(v, ox.NamedNode))
    url = _nn(SCHEMA_URL)
    provenance = _labels_and_types(store, description.sources)
    for source in description.sources:
        provenance.extend(sorted(_pattern(store, subject=_nn(source), predicate=url),
                                 key=_sort_key))
    description.provenance = provenance
    return description


def document_iri(publication: Publication, path: str, page: int = 1) -> str:
    """The IRI of the (format-independent) document about the resource at ``path``.

    ``path`` is the resource's path below the base. Resources under ``id/``
    drop that step (``id/alliance/nato`` -> ``<base>doc/alliance/nato``); others
    keep their path (``graph/alliances`` -> ``<base>doc/graph/alliances``).
    Pages of incoming links after the first add ``?page=N``.
    """
    rest = path[3:] if path.startswith("id/") else path
    iri = publication.settings.base_iri + "doc/" + rest
    return iri if page == 1 else f"{iri}?page={page}"


def document_triples(publication: Publication, description: Description,
                     path: str) -> list[ox.Triple]:
    """What the document says about itself: topic, licence, and the paging links."""
    doc = _nn(document_iri(publication, path, description.page))
    out = [
        ox.Triple(doc, _nn(RDF_TYPE), _nn(FOAF + "Document")),
        ox.Triple(doc, _nn(FOAF + "primaryTopic"), _nn(description.iri)),
        ox.Triple(doc, _nn(DCT_LICENSE), _nn(DATA_LICENCE_IRI)),
        ox.Triple(doc, _nn(VOID + "inDataset"), _nn(dataset_iri(publication.settings.base_iri))),
    ]
    if description.paged:
        def page_link(relation: str, number: int) -> ox.Triple:
            return ox.Triple(doc, _nn(HYDRA + relation),
                             _nn(document_iri(publication, path, number)))

        out.append(ox.Triple(doc, _nn(RDF_TYPE), _nn(HYDRA + "PartialCollectionView")))
        out.append(ox.Triple(doc, _nn(HYDRA + "totalItems"),
                             ox.Literal(str(description.incoming_total),
                                        datatype=_nn("http://www.w3.org/2001/XMLSchema#integer"))))
        out.append(page_link("first", 1))
        out.append(page_link("last", description.pages))
        if description.page > 1:
            out.append(page_link("previous", description.page - 1))
        if description.page < description.pages:
            out.append(page_link("next", description.page + 1))
    return out


@dataclass
class GraphDescription:
    """A named graph of the store: its IRI, its triples, and the resources it describes."""

    iri: str
    triples: list[ox.Triple]

    @property
    def subjects(self) -> list[str]:
        return sorted({t.subject.value for t in self.triples
                       if isinstance(t.subject, ox.NamedNode)})


def describe_graph(publication: Publication, iri: str) -> GraphDescription | None:
    """The content of the named graph ``iri`` (not the shapes: they are served apart)."""
    if iri not in publication.store.graph_names or iri == SHAPES_GRAPH:
        return None
    triples = sorted((q.triple for q in publication.store.quads(iri)), key=_sort_key)
    return GraphDescription(iri, triples)


def graph_document_triples(publication: Publication, graph: GraphDescription,
                           path: str) -> list[ox.Triple]:
    doc = _nn(document_iri(publication, path))
    return [
        ox.Triple(doc, _nn(RDF_TYPE), _nn(FOAF + "Document")),
        ox.Triple(doc, _nn(FOAF + "primaryTopic"), _nn(graph.iri)),
        ox.Triple(doc, _nn(DCT_LICENSE), _nn(DATA_LICENCE_IRI)),
        ox.Triple(doc, _nn(VOID + "inDataset"), _nn(dataset_iri(publication.settings.base_iri))),
        ox.Triple(_nn(graph.iri), _nn(VOID + "triples"),
                  ox.Literal(str(len(graph.triples)),
                             datatype=_nn("http://www.w3.org/2001/XMLSchema#integer"))),
    ]


def document_prefixes(publication: Publication, triples: Iterable[ox.Triple]) -> dict[str, str]:
    """:data:`DOCUMENT_PREFIXES` plus one prefix per kind of resource the triples name.

    ``nation:`` for ``<base>id/nation/``, ``alliance:`` for ``<base>id/alliance/``…
    (as the data files spell them), when the name is free.
    """
    id_ns = publication.settings.base_iri + "id/"
    prefixes = dict(DOCUMENT_PREFIXES)
    for triple in triples:
        for term in (triple.subject, triple.object):
            if isinstance(term, ox.NamedNode) and term.value.startswith(id_ns):
                kind, slash, _ = term.value[len(id_ns):].partition("/")
                if slash and _PREFIX_NAME.fullmatch(kind) and kind not in prefixes:
                    prefixes[kind] = id_ns + kind + "/"
    return prefixes


def serialize(triples: Iterable[ox.Triple], fmt: Format, *,
              prefixes: Mapping[str, str] | None = None,
              jsonld_context: Mapping[str, Any] | None = None) -> bytes:
    """Write triples as ``fmt`` (Turtle, N-Triples, RDF/XML, JSON-LD).

    JSON-LD comes out expanded (valid JSON-LD any processor reads); with a
    ``jsonld_context`` (the publication's ``@context``, once it exists) it is
    compacted with it instead, the context given inline.
    """
    triples = list(triples)
    if fmt.rdf == ox.RdfFormat.JSON_LD and jsonld_context is not None:
        graph = rdflib.Graph()
        for t in triples:
            graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
        text = graph.serialize(format="json-ld", context=dict(jsonld_context), auto_compact=True)
        return text.encode("utf-8")
    if fmt.rdf is None:
        raise ValueError(f"{fmt.name} is not an RDF format")
    if fmt.rdf in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML):
        chosen = dict(prefixes if prefixes is not None else DOCUMENT_PREFIXES)
    else:
        chosen = None
    body = ox.serialize(triples, format=fmt.rdf, prefixes=chosen) or b""
    if fmt.rdf == ox.RdfFormat.JSON_LD and not triples:
        body = json.dumps([]).encode()
    return body
