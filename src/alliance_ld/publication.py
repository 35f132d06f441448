"""What the server publishes: the loaded, validated dataset and what is derived from it.

Built once, in the app's lifespan: the back end holding the data (ontology, data
and shapes as named graphs), where the query workers find it, the SHACL report,
the labels pages show, and the validators (ETag, Last-Modified) of every document.
Everything served is read through :attr:`Publication.backend`: the seam.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import anyio.to_thread
import rdflib
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Literal, URIRef

from .backend import Backend, BackendSpec, Triple
from .backend.store import Store
from .errors import AllianceLDError, ShapeViolationError
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
from .validate import ValidationReport, validate_store

log = logging.getLogger("alliance_ld.publication")
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


_LABEL_RANK = {str(RDFS.label): 0, str(SKOS.prefLabel): 2}
_LABEL_VALUES = f"VALUES ?p {{ <{RDFS.label}> <{SKOS.prefLabel}> }}"
_LABELS_QUERY = ("SELECT ?s ?p ?l WHERE { " + _LABEL_VALUES
                 + " VALUES ?s { %s } ?s ?p ?l FILTER(isLiteral(?l)) }")


class Labels:
    """The label a page shows for an IRI: English ``rdfs:label``, else ``skos:prefLabel``.

    Read through the back end when first asked for and remembered (bounded, and
    forgotten when the data version changes). Documents prime it with the labels
    their description already holds, so a page costs no extra reads.
    """

    def __init__(self, backend: Backend, graphs: Callable[[], Sequence[str] | None],
                 size: int = 100_000) -> None:
        self._backend = backend
        self._graphs = graphs  # asked at each read: a remote store's graphs may change
        self._size = size
        self._known: OrderedDict[str, str | None] = OrderedDict()
        self._version = backend.version()
        self._lock = threading.Lock()

    @staticmethod
    def _rank(predicate: str, literal: Literal) -> int:
        return _LABEL_RANK[predicate] + (0 if literal.language in (None, "en") else 1)

    def _current(self) -> None:
        """Forget everything if the data changed (hold the lock)."""
        version = self._backend.version()
        if version != self._version:
            self._known.clear()
            self._version = version

    def _remember(self, found: dict[str, tuple[int, str]], asked: Iterable[str]) -> None:
        with self._lock:
            self._current()
            for iri in asked:
                self._known[iri] = found[iri][1] if iri in found else None
                self._known.move_to_end(iri)
            while len(self._known) > self._size:
                self._known.popitem(last=False)

    def prime(self, triples: Iterable[Triple]) -> None:
        """Learn the labels stated in ``triples`` (a description's)."""
        found: dict[str, tuple[int, str]] = {}
        for s, p, o in triples:
            if isinstance(s, URIRef) and str(p) in _LABEL_RANK and isinstance(o, Literal):
                rank = self._rank(str(p), o)
                if str(s) not in found or rank < found[str(s)][0]:
                    found[str(s)] = (rank, str(o))
        self._remember(found, found)

    def fetch(self, iris: Iterable[str]) -> None:
        """Read the labels of ``iris`` not yet known, in one query per 500."""
        with self._lock:
            self._current()
            missing = sorted({i for i in iris if i not in self._known})
        for start in range(0, len(missing), 500):
            chunk = missing[start:start + 500]
            values = " ".join(f"<{iri}>" for iri in chunk)
            found: dict[str, tuple[int, str]] = {}
            for row in self._backend.select(_LABELS_QUERY % values,
                                            default_graphs=self._graphs()):
                s, p, lit = str(row["s"]), str(row["p"]), row["l"]
                assert isinstance(lit, Literal)
                rank = self._rank(p, lit)
                if s not in found or rank < found[s][0]:
                    found[s] = (rank, str(lit))
            self._remember(found, chunk)

    def get(self, iri: str, default: str | None = None) -> str | None:
        with self._lock:
            self._current()
            if iri in self._known:
                return self._known[iri] or default
        self.fetch([iri])
        with self._lock:
            return self._known.get(iri) or default


@dataclass
class Publication:
    settings: Settings
    #: The data, read by everything the server builds (pages, VoID, search…).
    backend: Backend
    #: Where the query workers find the same data.
    spec: BackendSpec
    report: ValidationReport
    rewriter: IriRewriter
    last_modified: datetime = field(default_factory=lambda: datetime.now(UTC))
    #: Said at start-up and by /readyz: a store served although it was not validated or
    #: does not conform (``--accept-nonconforming-store``).
    warning: str | None = None
    labels: Labels = field(init=False)
    _sizes: tuple[str, dict[str, int]] = field(init=False, default=("", {}))

    def __post_init__(self) -> None:
        self.labels = Labels(self.backend, lambda: self.document_graphs)

    def graph_sizes(self) -> dict[str, int]:
        """Triples per named graph, counted once per data version."""
        version = self.backend.version()
        if self._sizes[0] != version or not self._sizes[1]:
            self._sizes = (version, {g: self.backend.count(g) for g in self.backend.graphs()})
        return self._sizes[1]

    @property
    def triples(self) -> int:
        """Triples in every named graph together."""
        return sum(self.graph_sizes().values())

    @property
    def graph_names(self) -> list[str]:
        return self.backend.graphs()

    @property
    def data_graphs(self) -> list[str]:
        return [g for g in self.backend.graphs() if g not in (ONTOLOGY_GRAPH, SHAPES_GRAPH)]

    @property
    def document_graphs(self) -> list[str] | None:
        """The graphs documents are built from: all but the shapes (served apart).

        ``None`` (the union of every graph) when there is no shapes graph to leave out,
        as in a remote store: a union is cheaper for a store than a list of graphs.
        """
        graphs = self.backend.graphs()
        if SHAPES_GRAPH not in graphs:
            return None
        return [g for g in graphs if g != SHAPES_GRAPH]

    @property
    def version(self) -> str:
        """The data version (changes with every change of the data)."""
        return self.backend.version()

    async def current_version(self) -> str:
        """:attr:`version` for the event loop: in a worker thread when finding it means
        waiting on I/O (a remote store's check, once per time to live), so that the loop
        never waits on the store."""
        known = self.backend.known_version()
        if known is not None:
            return known
        return await anyio.to_thread.run_sync(self.backend.version)

    @property
    def content_version(self) -> str:
        """The version of what is costly to rebuild (VoID, downloads, the ontology's pages)."""
        return self.backend.content_version()

    def rdflib_graph(self, graphs: Sequence[str]) -> rdflib.Graph:
        """The union of ``graphs`` as an rdflib graph (for the small ones: ontology, shapes)."""
        graph = rdflib.Graph()
        for triple in self.backend.construct("CONSTRUCT WHERE { ?s ?p ?o }",
                                             default_graphs=list(graphs)):
            graph.add(triple)
        return graph

    def canonical(self, path: str) -> str:
        """The canonical IRI of a path below the base (``id/alliance/nato``)."""
        return self.settings.base_iri + path.lstrip("/")


def _data_paths(settings: Settings) -> list[Path]:
    return list(settings.data) if settings.data else [DATA_DIR]


_BLANK = re.compile(rb"_:[A-Za-z0-9_.-]+")


def data_digest(nquads: bytes) -> str:
    """A version of the data that is the same for the same data, load after load: the
    SHA-256 of its N-Quads lines sorted, blank node labels (which every load names
    afresh) left out. Citations and ETags name the data by it."""
    lines = sorted(_BLANK.sub(b"_:", line) for line in nquads.splitlines() if line.strip())
    return hashlib.sha256(b"\n".join(lines)).hexdigest()


def load_publication(settings: Settings) -> Publication:
    """Load ontology, data and shapes; validate; raise if the data violates the shapes.

    With ``settings.store``, the data is an on-disk store made by ``alliance-ld
    load``: it was validated when it was imported, and its record says so.
    """
    if settings.sparql_endpoint is not None:
        return _publication_from_endpoint(settings, settings.sparql_endpoint)
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
    nquads = store.nquads()
    version = data_digest(nquads)
    publication = Publication(
        settings=settings,
        backend=store.backend(version),
        spec=BackendSpec(nquads=nquads, version=version),
        report=report,
        rewriter=IriRewriter(settings.base_iri, settings.public_url),
        last_modified=_last_modified(store),
    )
    _prime(publication)
    return publication


def _publication_from_store(settings: Settings, folder: Path) -> Publication:
    from .backend.disk import open_checked

    record = open_checked(folder, accept_nonconforming=settings.accept_nonconforming_store)
    spec = BackendSpec(store=str(folder.resolve()), version=record.data_version)
    publication = Publication(
        settings=settings,
        backend=spec.open(),
        spec=spec,
        report=ValidationReport(),
        rewriter=IriRewriter(settings.base_iri, settings.public_url),
        last_modified=datetime.fromisoformat(record.modified),
    )
    problem = record.problem()
    if problem is not None:  # accepted: said loudly
        publication.warning = (f"serving {folder} although {problem} "
                               "(--accept-nonconforming-store)")
        log.warning("WARNING: %s", publication.warning)
    if record.graphs:  # the import counted them: no scan of the store at start-up
        publication._sizes = (record.data_version, dict(record.graphs))
    _prime(publication)
    return publication


def _publication_from_endpoint(settings: Settings, endpoint: str) -> Publication:
    """A front end over a remote triplestore: its data is validated on demand
    (``alliance-ld validate --sparql-endpoint``), not at start-up; an unreachable
    store is not fatal (its requests answer 502 until it is back)."""
    spec = BackendSpec(endpoint=endpoint, update_endpoint=settings.sparql_update_endpoint,
                       ttl=settings.remote_ttl)
    backend = spec.open()
    publication = Publication(
        settings=settings,
        backend=backend,
        spec=spec,
        report=ValidationReport(),
        rewriter=IriRewriter(settings.base_iri, settings.public_url),
        last_modified=datetime.now(UTC).replace(microsecond=0),
    )
    try:
        _prime(publication)
    except AllianceLDError as exc:
        log.warning("the remote triplestore is not answering yet: %s", exc)
    return publication


def _last_modified(store: Store) -> datetime:
    mtimes = [p.stat().st_mtime for p in store.files.values()] + [ONTOLOGY_FILE.stat().st_mtime]
    return datetime.fromtimestamp(int(max(mtimes)), UTC)


_ONTOLOGY_LABELS = ("CONSTRUCT { ?s ?p ?l } WHERE { " + _LABEL_VALUES
                    + " ?s ?p ?l FILTER(isIRI(?s) && isLiteral(?l)) }")


def _prime(publication: Publication) -> None:
    """Learn the ontology's labels (every page names its properties and classes)."""
    if ONTOLOGY_GRAPH in publication.graph_names:
        publication.labels.prime(publication.backend.construct(
            _ONTOLOGY_LABELS, default_graphs=[ONTOLOGY_GRAPH]))


RDF_TYPE = str(RDF.type)
