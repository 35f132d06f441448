"""What the server publishes: the loaded, validated dataset and what is derived from it.

Built once, in the app's lifespan: the store (ontology, data and shapes as named
graphs), the SHACL report, an N-Quads snapshot for the query workers, labels and
types for pages, and the validators (ETag, Last-Modified) of every document.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
from rdflib.namespace import RDF, RDFS, SKOS

from .backend import BackendSpec
from .errors import ShapeViolationError
from .resources import (
    DATA_DIR,
    GRAPH_NS,
    ONTOLOGY_FILE,
    SHAPES_DIR,
    TERMS_NS,
    rdf_files,
)
from .rewrite import IriRewriter
from .settings import Settings
from .store import Store
from .validate import ValidationReport, validate_store

ONTOLOGY_GRAPH = GRAPH_NS + "ontology"
SHAPES_GRAPH = GRAPH_NS + "shapes"

#: Prefixes used in Turtle/TriG/RDF-XML output.
PREFIXES: dict[str, str] = {
    "ald": TERMS_NS,
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": str(SKOS),
    "dcterms": "http://purl.org/dc/terms/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "https://schema.org/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "sh": "http://www.w3.org/ns/shacl#",
    "void": "http://rdfs.org/ns/void#",
}


@dataclass
class Publication:
    settings: Settings
    store: Store
    report: ValidationReport
    nquads: bytes
    rewriter: IriRewriter
    #: Where the query workers find the data.
    backend: BackendSpec = field(default_factory=BackendSpec)
    labels: dict[str, str] = field(default_factory=dict)
    types: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    etag: str = ""
    last_modified: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __post_init__(self) -> None:
        if self.backend.store is None and self.backend.nquads is None:
            self.backend = BackendSpec(nquads=self.nquads,
                                       version=hashlib.sha256(self.nquads).hexdigest())

    @property
    def data_graphs(self) -> list[str]:
        return [g for g in self.store.graph_names if g not in (ONTOLOGY_GRAPH, SHAPES_GRAPH)]

    def canonical(self, path: str) -> str:
        """The canonical IRI of a path below the base (``id/alliance/nato``)."""
        return self.settings.base_iri + path.lstrip("/")


def _data_paths(settings: Settings) -> list[Path]:
    return list(settings.data) if settings.data else [DATA_DIR]


def load_publication(settings: Settings) -> Publication:
    """Load ontology, data and shapes; validate; raise if the data violates the shapes.

    With ``settings.store``, the data is an on-disk store made by ``alliance-ld
    load``: it was validated when it was imported, and its record says so.
    """
    if settings.store is not None:
        return _publication_from_store(settings, settings.store)
    store = Store()
    store.load_file(ONTOLOGY_FILE, ONTOLOGY_GRAPH)
    store.load_paths(_data_paths(settings))
    report = validate_store(store)
    if not report.conforms:
        raise ShapeViolationError(report.to_text())
    for shapes_file in rdf_files(SHAPES_DIR):
        store.load_file(shapes_file, SHAPES_GRAPH)
    nquads = ox.serialize(list(store.quads()), format=ox.RdfFormat.N_QUADS) or b""
    publication = Publication(
        settings=settings,
        store=store,
        report=report,
        nquads=nquads,
        rewriter=IriRewriter(settings.base_iri, settings.public_url),
        etag='"' + hashlib.sha256(nquads).hexdigest()[:32] + '"',
        last_modified=_last_modified(store),
        backend=BackendSpec(nquads=nquads, version=hashlib.sha256(nquads).hexdigest()),
    )
    _index(publication)
    return publication


def _publication_from_store(settings: Settings, folder: Path) -> Publication:
    from .backend.disk import open_checked

    record = open_checked(folder)
    store = Store(folder, read_only=True)
    nquads = ox.serialize(list(store.quads()), format=ox.RdfFormat.N_QUADS) or b""
    publication = Publication(
        settings=settings,
        store=store,
        report=ValidationReport(),
        nquads=nquads,
        rewriter=IriRewriter(settings.base_iri, settings.public_url),
        etag='"' + record.data_version + '"',
        last_modified=datetime.fromisoformat(record.modified),
        backend=BackendSpec(store=str(folder.resolve()), version=record.data_version),
    )
    _index(publication)
    return publication


def _last_modified(store: Store) -> datetime:
    mtimes = [p.stat().st_mtime for p in store.files.values()] + [ONTOLOGY_FILE.stat().st_mtime]
    return datetime.fromtimestamp(int(max(mtimes)), UTC)


def _index(publication: Publication) -> None:
    """Labels (English rdfs:label, else skos:prefLabel) and types of every resource."""
    label_rank = {str(RDFS.label): 0, str(SKOS.prefLabel): 1}
    best: dict[str, tuple[int, str]] = {}
    for quad in publication.store.quads():
        subject, predicate, obj = quad.subject, quad.predicate.value, quad.object
        if not isinstance(subject, ox.NamedNode):
            continue
        if predicate in label_rank and isinstance(obj, ox.Literal):
            rank = label_rank[predicate] * 2 + (0 if obj.language in (None, "en") else 1)
            if subject.value not in best or rank < best[subject.value][0]:
                best[subject.value] = (rank, obj.value)
        elif predicate == str(RDF.type) and isinstance(obj, ox.NamedNode):
            if obj.value not in publication.types[subject.value]:
                publication.types[subject.value].append(obj.value)
    publication.labels = {iri: text for iri, (_, text) in best.items()}
