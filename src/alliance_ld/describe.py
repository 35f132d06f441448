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

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import rdflib
from rdflib.term import BNode, Literal, URIRef

from .backend import Row, Term
from .backend.writers import write
from .conneg import JSONLD, Format
from .publication import PREFIXES, SHAPES_GRAPH, Publication
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
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
DATA_LICENCE_IRI = "https://creativecommons.org/licenses/by/4.0/"
ALD = "https://w3id.org/alliance-ld/ontology#"
CLAIM_SUBJECT = ALD + "claimSubject"

#: Prefixes of the documents' Turtle and RDF/XML: the publication's plus Hydra.
DOCUMENT_PREFIXES: dict[str, str] = {**PREFIXES, "hydra": HYDRA}

_PREFIX_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


class Statement(NamedTuple):
    """A triple of neutral terms, with names for its parts (templates use them)."""

    subject: URIRef | BNode
    predicate: URIRef
    object: Term


def _sort_key(triple: Statement) -> tuple[str, str, str]:
    return tuple(t.n3() for t in triple)  # type: ignore[return-value]


@dataclass
class Description:
    """Everything a document about ``iri`` says (before document-level triples)."""

    iri: str
    outgoing: list[Statement]
    incoming: list[Statement]
    incoming_total: int
    page: int
    page_size: int
    neighbours: list[Statement] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    provenance: list[Statement] = field(default_factory=list)
    #: The triples of the claims whose subject is this resource (``ald:claimSubject``).
    claims: list[Statement] = field(default_factory=list)

    @property
    def pages(self) -> int:
        """How many pages of incoming links there are (at least 1)."""
        return max(1, -(-self.incoming_total // self.page_size))

    @property
    def paged(self) -> bool:
        return self.incoming_total > self.page_size

    @property
    def triples(self) -> list[Statement]:
        """The description's triples, without duplicates, in a stable order."""
        seen: set[Statement] = set()
        out: list[Statement] = []
        for triple in (*self.outgoing, *self.incoming, *self.neighbours, *self.provenance,
                       *self.claims):
            if triple not in seen:
                seen.add(triple)
                out.append(triple)
        return out

    def values(self, predicate: str) -> list[Term]:
        """Objects of the resource's own triples with ``predicate``."""
        subject = URIRef(self.iri)
        return [t.object for t in self.outgoing
                if t.subject == subject and str(t.predicate) == predicate]


@dataclass(frozen=True)
class ClaimView:
    """One claim about a resource, as a page shows it."""

    iri: str
    label: str
    asserted: bool  # the data asserts it (ald:RecordedFact), or keeps it as a disputed claim
    sources: tuple[str, ...]
    contradicts: tuple[str, ...]


def claim_views(description: Description) -> list[ClaimView]:
    """The claims about the resource: disputed ones first, each then in label order."""
    by_claim: dict[str, dict[str, list[Term]]] = {}
    for s, p, o in description.claims:
        by_claim.setdefault(str(s), {}).setdefault(str(p), []).append(o)
    views = []
    for iri, values in by_claim.items():
        label = next((str(v) for v in values.get(RDFS_LABEL, [])), iri)
        status = {str(v) for v in values.get(ALD + "claimStatus", [])}
        views.append(ClaimView(
            iri, label, ALD + "RecordedFact" in status,
            tuple(sorted(str(v) for v in values.get(DCT_SOURCE, []))),
            tuple(sorted(str(v) for v in values.get(ALD + "contradicts", [])))))
    return sorted(views, key=lambda v: (v.asserted, v.label.casefold(), v.iri))


class PageOutOfRangeError(LookupError):
    """A page of incoming links that does not exist."""

    def __init__(self, page: int, pages: int) -> None:
        super().__init__(f"page {page} does not exist: there are {pages} page(s) of "
                         "incoming links")
        self.page, self.pages = page, pages


def is_known(publication: Publication, iri: str) -> bool:
    """Whether any triple (outside the shapes) has ``iri`` as subject or object."""
    return publication.backend.ask(
        f"ASK {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?p <{iri}> }} }}",
        default_graphs=publication.document_graphs)


#: One read per document: the resource's triples, those of its blank nodes (three
#: levels deep), the count and one page of its incoming links, the labels and types
#: of its neighbours, its sources with their labels, types and web addresses, and the
#: claims made about it (statement-level provenance, ``data/claims.ttl``) with theirs.
_DESCRIPTION_QUERY = """
SELECT DISTINCT ?part ?s ?p ?o WHERE {{
  {{ VALUES ?part {{ "out" }} <{iri}> ?p ?o BIND(<{iri}> AS ?s) }}
  UNION {{ VALUES ?part {{ "out" }} <{iri}> ?p1 ?s FILTER(isBlank(?s)) ?s ?p ?o }}
  UNION {{ VALUES ?part {{ "out" }} <{iri}> ?p1 ?b1 FILTER(isBlank(?b1))
          ?b1 ?p2 ?s FILTER(isBlank(?s)) ?s ?p ?o }}
  UNION {{ VALUES ?part {{ "out" }} <{iri}> ?p1 ?b1 FILTER(isBlank(?b1))
          ?b1 ?p2 ?b2 FILTER(isBlank(?b2)) ?b2 ?p3 ?s FILTER(isBlank(?s)) ?s ?p ?o }}
  UNION {{ VALUES ?part {{ "count" }}
          {{ SELECT (COUNT(*) AS ?o) WHERE {{
             SELECT DISTINCT ?s ?p WHERE {{ ?s ?p <{iri}> }} }} }} }}
  UNION {{ VALUES ?part {{ "in" }}
          {{ SELECT DISTINCT ?s ?p WHERE {{ ?s ?p <{iri}> }} ORDER BY ?s ?p
             LIMIT {limit} OFFSET {offset} }} }}
  UNION {{ VALUES ?part {{ "near" }} <{iri}> ?p1 ?s FILTER(isIRI(?s) && ?s != <{iri}>)
          ?s ?p ?o FILTER(?p IN (<{type}>, <{label}>)) }}
  UNION {{ {{ SELECT DISTINCT ?s ?p0 WHERE {{ ?s ?p0 <{iri}> }} ORDER BY ?s ?p0
             LIMIT {limit} OFFSET {offset} }}
          FILTER(isIRI(?s) && ?s != <{iri}>) ?s ?p ?o FILTER(?p IN (<{type}>, <{label}>))
          VALUES ?part {{ "near" }} }}
  UNION {{ VALUES ?part {{ "source" }} <{iri}> <{source}> ?s FILTER(isIRI(?s))
          ?s ?p ?o FILTER(?p IN (<{type}>, <{label}>, <{url}>)) }}
  UNION {{ VALUES ?part {{ "claim" }} ?s <{claim_subject}> <{iri}> . ?s ?p ?o }}
  UNION {{ VALUES ?part {{ "source" }} ?c <{claim_subject}> <{iri}> ; <{source}> ?s
          FILTER(isIRI(?s)) ?s ?p ?o FILTER(?p IN (<{type}>, <{label}>, <{url}>)) }}
}}"""


def _statement(row: Row) -> Statement:
    return Statement(row["s"], row["p"], row["o"])  # type: ignore[arg-type]


def describe(publication: Publication, iri: str, page: int = 1) -> Description | None:
    """The description of ``iri``; ``None`` if no triple mentions it.

    Raises :class:`PageOutOfRangeError` for a page of incoming links past the last.
    """
    size = publication.settings.incoming_page_size
    offset = max(page - 1, 0) * size
    rows = publication.backend.select(
        _DESCRIPTION_QUERY.format(iri=iri, limit=size, offset=offset, type=RDF_TYPE,
                                  label=RDFS_LABEL, url=SCHEMA_URL, source=DCT_SOURCE,
                                  claim_subject=CLAIM_SUBJECT),
        default_graphs=publication.document_graphs)
    parts: dict[str, list[Statement]] = {"out": [], "in": [], "near": [], "source": [],
                                         "claim": []}
    total = 0
    target = URIRef(iri)
    for row in rows:
        part = str(row["part"])
        if part == "count":
            total = int(row["o"])
        elif part == "in":
            parts["in"].append(Statement(row["s"], row["p"], target))  # type: ignore[arg-type]
        else:
            parts[part].append(_statement(row))
    outgoing = sorted(set(parts["out"]), key=_sort_key)
    if not outgoing and not total:
        return None
    description = Description(iri, outgoing, [], total, page, size)
    if page < 1 or page > description.pages:
        raise PageOutOfRangeError(page, description.pages)
    description.incoming = parts["in"]
    description.neighbours = sorted(set(parts["near"]), key=_sort_key)
    description.sources = sorted(
        str(v) for v in description.values(DCT_SOURCE) if isinstance(v, URIRef))
    description.provenance = sorted(set(parts["source"]), key=_sort_key)
    description.claims = sorted(set(parts["claim"]), key=_sort_key)
    publication.labels.prime(description.triples)
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


def _integer(value: int) -> Literal:
    return Literal(str(value), datatype=URIRef(XSD_INTEGER))


def document_triples(publication: Publication, description: Description,
                     path: str) -> list[Statement]:
    """What the document says about itself: topic, licence, and the paging links."""
    doc = URIRef(document_iri(publication, path, description.page))
    out = [
        Statement(doc, URIRef(RDF_TYPE), URIRef(FOAF + "Document")),
        Statement(doc, URIRef(FOAF + "primaryTopic"), URIRef(description.iri)),
        Statement(doc, URIRef(DCT_LICENSE), URIRef(DATA_LICENCE_IRI)),
        Statement(doc, URIRef(VOID + "inDataset"),
                  URIRef(dataset_iri(publication.settings.base_iri))),
    ]
    if description.paged:
        def page_link(relation: str, number: int) -> Statement:
            return Statement(doc, URIRef(HYDRA + relation),
                             URIRef(document_iri(publication, path, number)))

        out.append(Statement(doc, URIRef(RDF_TYPE), URIRef(HYDRA + "PartialCollectionView")))
        out.append(Statement(doc, URIRef(HYDRA + "totalItems"),
                             _integer(description.incoming_total)))
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
    triples: list[Statement]

    @property
    def subjects(self) -> list[str]:
        return sorted({str(t.subject) for t in self.triples if isinstance(t.subject, URIRef)})


def describe_graph(publication: Publication, iri: str) -> GraphDescription | None:
    """The content of the named graph ``iri`` (not the shapes: they are served apart)."""
    if iri == SHAPES_GRAPH or iri not in publication.graph_names:
        return None
    triples = publication.backend.construct("CONSTRUCT WHERE { ?s ?p ?o }",
                                            default_graphs=[iri])
    return GraphDescription(iri, sorted((Statement(*t) for t in triples), key=_sort_key))


def graph_document_triples(publication: Publication, graph: GraphDescription,
                           path: str) -> list[Statement]:
    doc = URIRef(document_iri(publication, path))
    return [
        Statement(doc, URIRef(RDF_TYPE), URIRef(FOAF + "Document")),
        Statement(doc, URIRef(FOAF + "primaryTopic"), URIRef(graph.iri)),
        Statement(doc, URIRef(DCT_LICENSE), URIRef(DATA_LICENCE_IRI)),
        Statement(doc, URIRef(VOID + "inDataset"),
                  URIRef(dataset_iri(publication.settings.base_iri))),
        Statement(URIRef(graph.iri), URIRef(VOID + "triples"), _integer(len(graph.triples))),
    ]


def document_prefixes(publication: Publication,
                      triples: Iterable[Statement]) -> dict[str, str]:
    """:data:`DOCUMENT_PREFIXES` plus one prefix per kind of resource the triples name.

    ``nation:`` for ``<base>id/nation/``, ``alliance:`` for ``<base>id/alliance/``…
    (as the data files spell them), when the name is free.
    """
    id_ns = publication.settings.base_iri + "id/"
    prefixes = dict(DOCUMENT_PREFIXES)
    for triple in triples:
        for term in (triple[0], triple[2]):
            if isinstance(term, URIRef) and term.startswith(id_ns):
                kind, slash, _ = term[len(id_ns):].partition("/")
                if slash and _PREFIX_NAME.fullmatch(kind) and kind not in prefixes:
                    prefixes[kind] = id_ns + kind + "/"
    return prefixes


def serialize(triples: Iterable[Statement], fmt: Format, *,
              prefixes: Mapping[str, str] | None = None,
              jsonld_context: Mapping[str, Any] | None = None) -> bytes:
    """Write triples as ``fmt`` (Turtle, N-Triples, RDF/XML, JSON-LD).

    JSON-LD comes out expanded (valid JSON-LD any processor reads); with a
    ``jsonld_context`` (the publication's ``@context``, once it exists) it is
    compacted with it instead, the context given inline.
    """
    triples = list(triples)
    if fmt.media_type == JSONLD.media_type and jsonld_context is not None:
        graph = rdflib.Graph()
        for t in triples:
            graph.add(tuple(t))  # type: ignore[arg-type]
        text = graph.serialize(format="json-ld", context=dict(jsonld_context), auto_compact=True)
        return text.encode("utf-8")
    if not fmt.rdf:
        raise ValueError(f"{fmt.name} is not an RDF format")
    chosen = dict(prefixes if prefixes is not None else DOCUMENT_PREFIXES)
    return write(triples, fmt.media_type, chosen)
