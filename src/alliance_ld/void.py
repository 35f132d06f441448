"""Publication and discovery: the VoID description of the dataset and its downloads.

Both are derived from a :class:`~alliance_ld.publication.Publication` once per
content version (the first time they are asked for, or by :func:`warm` at
start-up); the VoID triples are kept in memory, the downloads on disk:

* :func:`downloads` — the versioned files: the whole dataset as gzip-compressed
  N-Quads (``downloads/alliance-ld-<version>.nq.gz``) and every named graph as
  Turtle (``downloads/<version>/<graph stem>.ttl``), with their ETags: written
  from the engine's dump straight to files in a temporary folder of the server
  process (removed when it exits), so their size is never held in memory.
* :func:`description` — the VoID triples (canonical IRIs): the dataset with its
  title, licence, citation, statistics (triples, entities, distinct subjects and
  objects), class and property partitions, SPARQL endpoint, URI space,
  vocabularies, data dumps, example resources, and one subset per named graph.

IRIs are minted under the canonical base, like all stored data; responses pass
them through the publication's rewriter, so a server run with ``--public-url``
advertises its public address (SPARQL endpoint, dumps, URI space) and never a
bind address it was not told is public.
"""

from __future__ import annotations

import atexit
import gzip
import hashlib
import io
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from rdflib.term import BNode, Literal, URIRef

from . import __version__
from .backend import Term, Triple
from .backend.writers import write
from .conneg import Format
from .publication import ONTOLOGY_GRAPH, PREFIXES, SHAPES_GRAPH, Publication
from .resources import GRAPH_NS

#: The version of the published data and ontology (the release the downloads belong to).
VERSION = __version__
TITLE = "alliance-ld: international military alliances and partnerships"
DESCRIPTION = (
    "A knowledge graph of international military alliances and partnerships: nations, "
    "alliances, partnerships, treaties and their obligations, memberships with dates, "
    "exercises, security cooperation activities, contributions, organisations and policy "
    "documents, each fact with its source. Built from one source article on U.S. alliances "
    "and partnerships and the public records it leads to."
)
CREATOR = "alliance-ld developers"
LICENCE = "https://creativecommons.org/licenses/by/4.0/"
LICENCE_NAME = "Creative Commons Attribution 4.0 International (CC BY 4.0)"
RIGHTS = (
    "The data and the ontology are published under CC BY 4.0. The text of the source article "
    "the data is drawn from belongs to its authors and is not covered by this licence; the "
    "data quotes it only in short descriptions."
)

VOID = "http://rdfs.org/ns/void#"
DCTERMS = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
SD = "http://www.w3.org/ns/sparql-service-description#"
SCHEMA = "https://schema.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
FORMATS = "http://www.w3.org/ns/formats/"

#: Vocabulary namespaces we recognise when listing ``void:vocabulary``.
KNOWN_VOCABULARIES: dict[str, str] = {
    **{prefix: ns for prefix, ns in PREFIXES.items()},
    "time": "http://www.w3.org/2006/time#",
    "vann": "http://purl.org/vocab/vann/",
}

#: Resources a newcomer might look at first (``void:exampleResource``).
EXAMPLE_RESOURCES = ("id/alliance/nato", "id/nation/finland")


def citation(base: str) -> str:
    """How to cite the dataset (``dcterms:bibliographicCitation``)."""
    return (f"{CREATOR}. {TITLE}. Dataset, version {VERSION}. {base}. "
            f"Licensed under CC BY 4.0.")


# ---------------------------------------------------------------------------
# Per-publication cache

T = TypeVar("T")
_cache: dict[tuple[str, int], tuple[Publication, str, object]] = {}
_lock = threading.RLock()  # guards the two dicts, and the downloads' build folders
#: One lock per kind and publication, so that a slow build (the downloads, in the
#: background after start-up) never holds up a quick one (the JSON-LD context every
#: document needs); re-entrant, since builders ask for one another (VoID lists the
#: downloads), always in that order.
_build_locks: dict[tuple[str, int], threading.RLock] = {}


def per_publication(kind: str, publication: Publication,
                     build: Callable[[Publication], T]) -> T:
    """``build(publication)``, computed once per publication and data (content) version."""
    key = (kind, id(publication))
    with _lock:
        lock = _build_locks.setdefault(key, threading.RLock())
    with lock:
        version = publication.content_version
        hit = _cache.get(key)
        if hit is not None and hit[0] is publication and hit[1] == version:
            return hit[2]  # type: ignore[return-value]
        value = build(publication)
        with _lock:
            _cache[key] = (publication, version, value)
        return value


def warm(publication: Publication) -> None:
    """Build the downloads and the VoID description now (e.g. at start-up)."""
    downloads(publication)
    description(publication)


# ---------------------------------------------------------------------------
# Downloads


@dataclass(frozen=True)
class Download:
    """One downloadable file, already rewritten to the public base, on disk."""

    path: str  # below the base, e.g. "downloads/alliance-ld-0.1.0.nq.gz"
    filename: str
    media_type: str  # Content-Type header value
    file: Path  # where its bytes are (a folder of this process's, see _download_folder)
    size: int
    digest: str  # SHA-256 of the bytes, hex
    title: str
    triples: int
    graph: str | None = None  # the named graph it holds (None: all of them)
    encoding_note: str = ""

    @property
    def etag(self) -> str:
        return '"' + self.digest[:32] + '"'

    def read(self) -> bytes:
        return self.file.read_bytes()


@dataclass(frozen=True)
class Downloads:
    version: str
    dump: Download
    graphs: tuple[Download, ...]
    folder: Path
    by_path: dict[str, Download] = field(default_factory=dict)
    #: The analysis-ready tables (CSV) and their CSV on the Web metadata: not RDF dumps.
    tables: tuple[Download, ...] = ()
    #: Why a table is missing, if one is (the dyad-year table of very large data).
    tables_note: str = ""

    @property
    def all(self) -> tuple[Download, ...]:
        return (self.dump, *self.graphs)


def dump_path(version: str = VERSION) -> str:
    return f"downloads/alliance-ld-{version}.nq.gz"


def graph_path(stem: str, version: str = VERSION) -> str:
    return f"downloads/{version}/{stem}.ttl"


def graph_stem(graph: str) -> str:
    return graph[len(GRAPH_NS):] if graph.startswith(GRAPH_NS) else graph.rsplit("/", 1)[-1]


class _Sink(io.RawIOBase):
    """A file being written, with the SHA-256 and the size of what went into it."""

    def __init__(self, path: Path) -> None:
        self._file = path.open("wb")
        self.sha256 = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = bytes(data)
        self._file.write(view)
        self.sha256.update(view)
        self.size += len(view)
        return len(view)

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()
        super().close()


def _write_rewritten(chunks: Iterable[bytes], out: Any, publication: Publication) -> None:
    """Write the engine's serialisation with the public base, a whole line at a time
    (an IRI never spans lines, so none is cut between two chunks)."""
    rewrite = publication.rewriter.to_public_bytes
    rest = b""
    for chunk in chunks:
        data = rest + bytes(chunk)
        cut = data.rfind(b"\n") + 1
        if cut:
            out.write(rewrite(data[:cut]))
            rest = data[cut:]
        else:
            rest = data
    if rest:
        out.write(rewrite(rest))


#: One folder per server process for the files it builds; removed when it exits.
_folder: Path | None = None
#: The folder of each publication's latest build (removed when the next one is made).
_builds: dict[int, tuple[Publication, Path]] = {}


def _download_folder() -> Path:
    global _folder
    if _folder is None:
        _folder = Path(tempfile.mkdtemp(prefix="alliance-ld-downloads-"))
        atexit.register(shutil.rmtree, _folder, True)
    return _folder


def _build_downloads(publication: Publication) -> Downloads:
    """Write every download to a new folder, streaming from the engine's dump (nothing of
    the data's size is held in memory); the previous build's folder is removed."""
    backend = publication.backend
    folder = Path(tempfile.mkdtemp(prefix="build-", dir=_download_folder()))

    def written(name: str, fill: Callable[[Any], None]) -> tuple[Path, int, str]:
        target = folder / name
        sink = _Sink(target)
        try:
            fill(sink)
        finally:
            sink.close()
        return target, sink.size, sink.sha256.hexdigest()

    def dump_into(sink: Any) -> None:
        # mtime=0 and no file name: the same data always gives the same bytes (and ETag).
        with gzip.GzipFile(filename="", mode="wb", fileobj=sink, compresslevel=6,
                           mtime=0) as zipped:
            _write_rewritten(backend.dump("application/n-quads"), zipped, publication)

    file, size, digest = written("dump.nq.gz", dump_into)
    dump = Download(
        path=dump_path(),
        filename=f"alliance-ld-{VERSION}.nq.gz",
        media_type="application/gzip",
        file=file, size=size, digest=digest,
        title="The whole dataset (every named graph) as gzip-compressed N-Quads",
        triples=backend.count(),
        encoding_note="a gzip file; decompressed, it is N-Quads (application/n-quads)",
    )
    graphs = []
    for number, graph in enumerate(backend.graphs()):
        stem = graph_stem(graph)
        def fill(sink: Any, graph: str = graph) -> None:
            _write_rewritten(backend.dump("text/turtle", graph, PREFIXES), sink, publication)

        file, size, digest = written(f"{number}.ttl", fill)
        graphs.append(Download(
            path=graph_path(stem),
            filename=f"{stem}.ttl",
            media_type="text/turtle; charset=utf-8",
            file=file, size=size, digest=digest,
            title=f"Named graph {stem} as Turtle",
            triples=publication.graph_sizes().get(graph, 0),
            graph=graph,
        ))
    tables, note = _build_tables(publication, folder, written)
    result = Downloads(VERSION, dump, tuple(graphs), folder, tables=tables, tables_note=note)
    result.by_path.update({d.path: d for d in (*result.all, *result.tables)})
    with _lock:
        previous = _builds.get(id(publication))
        _builds[id(publication)] = (publication, folder)
    if previous is not None and previous[0] is publication:
        # the files of the data before: a download under way keeps its open file
        shutil.rmtree(previous[1], ignore_errors=True)
    return result


def tables_path(name: str, version: str = VERSION) -> str:
    return f"downloads/{version}/{name}"


def _build_tables(publication: Publication, folder: Path,
                  written: Callable[[str, Callable[[Any], None]], tuple[Path, int, str]],
                  ) -> tuple[tuple[Download, ...], str]:
    from . import tables

    base = publication.settings.base_iri + tables_path("")
    built = tables.build(publication, base, VERSION)
    out = []
    for name, media, title, rows, chunks in built.files():
        def fill(sink: Any, chunks: Iterable[bytes] = chunks) -> None:
            _write_rewritten(chunks, sink, publication)

        file, size, digest = written(name, fill)
        out.append(Download(path=tables_path(name), filename=name, media_type=media,
                            file=file, size=size, digest=digest, title=title, triples=rows))
    return tuple(out), built.note


def downloads(publication: Publication) -> Downloads:
    """The downloadable files of ``publication`` (built once)."""
    return per_publication("downloads", publication, _build_downloads)


# ---------------------------------------------------------------------------
# Statistics


@dataclass(frozen=True)
class Statistics:
    triples: int
    entities: int
    distinct_subjects: int
    distinct_objects: int
    classes: dict[str, int]  # class IRI -> distinct instances that are IRIs (entities)
    properties: dict[str, int]  # property IRI -> triples
    graphs: dict[str, int]  # named graph IRI -> triples
    graph_entities: dict[str, int]  # named graph IRI -> distinct subjects in our id space
    iris: frozenset[str] = frozenset()  # every IRI used (subject, predicate or object)


def statistics(publication: Publication) -> Statistics:
    """Counts over the whole dataset (every quad of every named graph), built once."""
    return per_publication("statistics", publication, _build_statistics)


def _counts(publication: Publication, query: str) -> dict[str, int]:
    return {str(row["k"]): int(row["n"]) for row in publication.backend.select(query)
            if "k" in row}


def _build_statistics(publication: Publication) -> Statistics:
    """Counted by the back end, with aggregate queries over every named graph."""
    backend = publication.backend
    id_space = publication.settings.base_iri + "id/"
    in_ids = f'isIRI(?s) && STRSTARTS(STR(?s), "{id_space}")'
    totals = backend.select(
        "SELECT (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?o) AS ?objects) "
        f"(COUNT(DISTINCT IF({in_ids}, ?s, ?unbound)) AS ?entities) "
        "WHERE { GRAPH ?g { ?s ?p ?o } }")[0]
    classes = _counts(publication, "SELECT ?k (COUNT(DISTINCT ?s) AS ?n) WHERE { "
                      "GRAPH ?g { ?s a ?k } FILTER(isIRI(?s) && isIRI(?k)) } GROUP BY ?k")
    properties = _counts(publication, "SELECT ?k (COUNT(*) AS ?n) WHERE { "
                         "GRAPH ?g { ?s ?k ?o } } GROUP BY ?k")
    graph_entities = _counts(publication, "SELECT (?g AS ?k) (COUNT(DISTINCT ?s) AS ?n) "
                             f"WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER({in_ids}) }} GROUP BY ?g")
    graphs = {graph: backend.count(graph) for graph in backend.graphs()}
    iris = set(properties) | set(classes)
    if ONTOLOGY_GRAPH in graphs:  # alignment targets and other vocabulary terms it names
        for row in backend.select("SELECT DISTINCT ?i WHERE { { ?i ?p ?o } UNION { ?s ?p ?i } "
                                  "FILTER(isIRI(?i)) }", default_graphs=[ONTOLOGY_GRAPH]):
            iris.add(str(row["i"]))
    return Statistics(
        triples=sum(graphs.values()),
        entities=int(totals["entities"]),
        distinct_subjects=int(totals["subjects"]),
        distinct_objects=int(totals["objects"]),
        classes=dict(sorted(classes.items())),
        properties=dict(sorted(properties.items())),
        graphs=dict(sorted(graphs.items())),
        graph_entities=graph_entities,
        iris=frozenset(iris),
    )


def vocabularies(stats: Statistics) -> list[str]:
    """Known vocabulary namespaces whose terms the dataset uses (``void:vocabulary``).

    A term counts wherever it appears: as a predicate, a class, or an object such as
    an alignment target of the ontology (``rdfs:subPropertyOf prov:wasAssociatedWith``).
    """
    used = set()
    for iri in stats.iris:
        for namespace in KNOWN_VOCABULARIES.values():
            if iri.startswith(namespace) and len(iri) > len(namespace):
                used.add(namespace)
    return sorted(used)


# ---------------------------------------------------------------------------
# The VoID description


def void_document(base: str) -> str:
    return base + ".well-known/void"


def dataset_iri(base: str) -> str:
    return void_document(base) + "#dataset"


def subset_iri(base: str, graph: str) -> str:
    return void_document(base) + "#graph-" + graph_stem(graph)


def description(publication: Publication) -> list[Triple]:
    """The VoID description of ``publication`` with canonical IRIs (built once)."""
    return per_publication("void", publication, _build_description)


def _build_description(publication: Publication) -> list[Triple]:
    base = publication.settings.base_iri
    stats = statistics(publication)
    files = downloads(publication)
    triples: list[Triple] = []

    def iri(value: str) -> URIRef:
        return URIRef(value)

    def add(s: URIRef | BNode, p: str, o: Term) -> None:
        triples.append((s, URIRef(p), o))

    def integer(n: int) -> Literal:
        return Literal(str(n), datatype=URIRef(XSD + "integer"))

    def text(value: str) -> Literal:
        return Literal(value, lang="en")

    dataset = iri(dataset_iri(base))
    document = iri(void_document(base))
    add(document, RDF_TYPE, iri(VOID + "DatasetDescription"))
    add(document, DCTERMS + "title", text("VoID description of alliance-ld"))
    add(document, FOAF + "primaryTopic", dataset)

    add(dataset, RDF_TYPE, iri(VOID + "Dataset"))
    add(dataset, DCTERMS + "title", text(TITLE))
    add(dataset, DCTERMS + "description", text(DESCRIPTION))
    add(dataset, DCTERMS + "creator", Literal(CREATOR))
    add(dataset, DCTERMS + "publisher", Literal(CREATOR))
    add(dataset, DCTERMS + "license", iri(LICENCE))
    add(dataset, DCTERMS + "rights", text(RIGHTS))
    add(dataset, DCTERMS + "bibliographicCitation", Literal(citation(base)))
    add(dataset, DCTERMS + "source", iri(base + "id/source/article"))
    add(dataset, DCTERMS + "modified", Literal(
        publication.last_modified.date().isoformat(), datatype=URIRef(XSD + "date")))
    add(dataset, SCHEMA + "version", Literal(VERSION))
    add(dataset, FOAF + "homepage", iri(base))
    add(dataset, DCTERMS + "conformsTo", iri(base + "ontology"))

    add(dataset, VOID + "sparqlEndpoint", iri(base + "sparql"))
    add(dataset, VOID + "uriSpace", Literal(base + "id/"))
    for vocabulary in vocabularies(stats):
        add(dataset, VOID + "vocabulary", iri(vocabulary))
    add(dataset, VOID + "dataDump", iri(base + files.dump.path))
    for path in EXAMPLE_RESOURCES:
        add(dataset, VOID + "exampleResource", iri(base + path))
    for feature in ("Turtle", "N-Triples", "JSON-LD", "RDF_XML", "N-Quads"):
        add(dataset, VOID + "feature", iri(FORMATS + feature))

    add(dataset, VOID + "triples", integer(stats.triples))
    add(dataset, VOID + "entities", integer(stats.entities))
    add(dataset, VOID + "distinctSubjects", integer(stats.distinct_subjects))
    add(dataset, VOID + "distinctObjects", integer(stats.distinct_objects))
    add(dataset, VOID + "classes", integer(len(stats.classes)))
    add(dataset, VOID + "properties", integer(len(stats.properties)))
    for cls, n in stats.classes.items():
        partition = BNode()
        add(dataset, VOID + "classPartition", partition)
        add(partition, VOID + "class", iri(cls))
        add(partition, VOID + "entities", integer(n))
    for prop, n in stats.properties.items():
        partition = BNode()
        add(dataset, VOID + "propertyPartition", partition)
        add(partition, VOID + "property", iri(prop))
        add(partition, VOID + "triples", integer(n))

    for download in files.graphs:
        graph = download.graph or ""
        subset = iri(subset_iri(base, graph))
        add(dataset, VOID + "subset", subset)
        add(subset, RDF_TYPE, iri(VOID + "Dataset"))
        add(subset, DCTERMS + "title", text(_graph_title(graph)))
        add(subset, SD + "name", iri(graph))
        add(subset, VOID + "triples", integer(stats.graphs.get(graph, 0)))
        if stats.graph_entities.get(graph):
            add(subset, VOID + "entities", integer(stats.graph_entities[graph]))
        add(subset, VOID + "dataDump", iri(base + download.path))
        add(subset, DCTERMS + "license", iri(LICENCE))
    return triples


def _graph_title(graph: str) -> str:
    if graph == ONTOLOGY_GRAPH:
        return "The alliance ontology"
    if graph == SHAPES_GRAPH:
        return "The SHACL shapes"
    return f"Data: {graph_stem(graph)}"


def serialize(publication: Publication, fmt: Format) -> bytes:
    """The VoID description as ``fmt``, rewritten to the public base."""
    if not fmt.rdf:
        raise ValueError(f"{fmt.name} is not an RDF format")
    prefixes = {"void": VOID, "sd": SD, "formats": FORMATS, **PREFIXES}
    body = write(description(publication), fmt.media_type, prefixes)
    return publication.rewriter.to_public_bytes(body)


__all__ = [
    "DESCRIPTION", "LICENCE", "TITLE", "VERSION", "Download", "Downloads", "Statistics",
    "citation", "dataset_iri", "description", "downloads", "serialize", "statistics",
    "vocabularies", "warm",
]
