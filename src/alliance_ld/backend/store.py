"""The one place that knows which engine holds the graph.

The knowledge graph lives in an Oxigraph store (``pyoxigraph``): parsing, SPARQL
evaluation and result serialisation all happen in Rust, 15-60x faster than
rdflib's pure-Python evaluator on joins, aggregates and filters at 100k triples
(see ``bench/engines.py`` and the README's design notes). Every data file is
loaded into a named graph of its own; queries see the union of all named graphs
as their default graph.

Code that needs an rdflib graph (pySHACL, owlready2 conversion, serialisers that
Oxigraph lacks) asks :meth:`Store.rdflib_graph`, which converts on demand.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import rdflib

from ..errors import DataSyntaxError, MissingInputError, QuerySyntaxError
from ..resources import DATA_DIR, GRAPH_NS, ONTOLOGY_FILE, RDF_SUFFIXES, rdf_files
from . import Backend
from .oxigraph import neutral
from .writers import engine_term

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples

#: File suffixes and their formats; any of them may also end in ``.gz``.
RDF_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".jsonld": ox.RdfFormat.JSON_LD,
}
_POSITION = re.compile(r"line (\d+) (?:column|between columns) (\d+)")
_PARSER_PREFIX = re.compile(r"^Parser error (at|between) [^:]*: ")
_QUERY_POSITION = re.compile(r"^error at (\d+):(\d+): ")


def graph_name_for(path: Path) -> str:
    """The named-graph IRI of a data file: ``…/graph/<file stem>`` (``nations.ttl.gz``: nations)."""
    return GRAPH_NS + Path(path.name.removesuffix(".gz")).stem


def rdf_suffix(path: Path) -> str:
    """The RDF suffix of a file, past a ``.gz``."""
    return Path(path.name.removesuffix(".gz")).suffix


def data_syntax_error(path: Path, exc: SyntaxError) -> DataSyntaxError:
    """A parser's syntax error as a :class:`DataSyntaxError` naming file, line and column."""
    message = str(exc)
    match = _POSITION.search(message)
    line, column = (int(match[1]), int(match[2])) if match else (None, None)
    return DataSyntaxError(path, _PARSER_PREFIX.sub("", message), line, column)


def _rdf_inputs(paths: Sequence[Path]) -> list[Path]:
    """Expand folders to the RDF files they hold, failing clearly on bad paths."""
    files: list[Path] = []
    for path in paths:
        try:
            exists, is_dir = path.exists(), path.is_dir()
        except OSError as exc:
            raise MissingInputError(f"{path}: cannot access: {exc.strerror}") from exc
        if not exists:
            raise MissingInputError(f"{path}: no such file or directory")
        if is_dir:
            try:
                found = rdf_files(path)
            except PermissionError as exc:
                raise MissingInputError(f"{path}: directory is not readable") from exc
            if not found:
                suffixes = ", ".join(sorted(RDF_SUFFIXES))
                raise MissingInputError(f"{path}: no RDF files ({suffixes}) in this directory")
            files.extend(found)
        else:
            if rdf_suffix(path) not in RDF_FORMATS:
                raise MissingInputError(f"{path}: unknown RDF file type {rdf_suffix(path)!r}")
            files.append(path)
    return files


def _read(path: Path) -> bytes:
    try:
        if path.name.endswith(".gz"):
            with gzip.open(path, "rb") as compressed:
                return compressed.read()
        return path.read_bytes()
    except PermissionError as exc:
        raise MissingInputError(f"{path}: file is not readable") from exc
    except (OSError, EOFError) as exc:
        raise MissingInputError(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}"
                                ) from exc


def parse_quads(path: Path, graph: str | None = None) -> list[ox.Quad]:
    """Parse one RDF file into quads of ``graph`` (default: the file's graph name).

    A syntax error raises :class:`DataSyntaxError` naming the file, line and column.
    """
    target = ox.NamedNode(graph or graph_name_for(path))
    data = _read(path)
    try:
        triples = ox.parse(
            data, format=RDF_FORMATS[rdf_suffix(path)], base_iri=path.resolve().as_uri()
        )
        return [ox.Quad(t.subject, t.predicate, t.object, target) for t in triples]
    except SyntaxError as exc:
        raise data_syntax_error(path, exc) from exc


# ---------------------------------------------------------------------------
# Term conversion between Oxigraph and rdflib


#: An Oxigraph term as the equal rdflib term (lexical forms kept).
to_rdflib = neutral
#: An rdflib term as the equal Oxigraph term.
to_ox = engine_term


# ---------------------------------------------------------------------------


class Store:
    """A dataset of named graphs with SPARQL 1.1 query over their union.

    ``path=None`` keeps everything in memory; a folder path makes it persistent
    (Oxigraph's RocksDB store), which the roadmap's persistent store builds on.
    """

    def __init__(self, path: Path | None = None, *, read_only: bool = False) -> None:
        if path is None:
            self._ox = ox.Store()
        else:
            try:
                self._ox = ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
            except OSError as exc:
                raise MissingInputError(f"{path}: cannot open the store: {exc}") from exc
        self.files: dict[str, Path] = {}

    @classmethod
    def wrap(cls, engine_store: ox.Store, files: dict[str, Path] | None = None) -> Store:
        """A :class:`Store` over an Oxigraph store opened elsewhere (``files``: graph → file)."""
        store = cls.__new__(cls)
        store._ox = engine_store
        store.files = dict(files or {})
        return store

    def backend(self, version: str = "") -> Backend:
        """This store behind the back-end seam."""
        from .oxigraph import OxigraphBackend

        return OxigraphBackend(self._ox, version)

    def nquads(self) -> bytes:
        """Every quad as N-Quads (the snapshot in-memory query workers load)."""
        return bytes(ox.serialize(list(self._ox), format=ox.RdfFormat.N_QUADS) or b"")

    # -- loading ----------------------------------------------------------
    def load_file(self, path: Path, graph: str | None = None) -> int:
        """Load one RDF file into its named graph; returns the number of triples."""
        name = graph or graph_name_for(path)
        quads = parse_quads(path, name)
        self._ox.extend(quads)
        self.files[name] = path
        return len(quads)

    def load_paths(self, paths: Sequence[Path]) -> int:
        """Load every RDF file given directly or found in the given folders."""
        files = _rdf_inputs(paths)
        parsed = [(graph_name_for(p), p, parse_quads(p)) for p in files]  # all or nothing
        for name, path, quads in parsed:
            self._ox.extend(quads)
            self.files[name] = path
        return sum(len(q) for _, _, q in parsed)

    def remove_graph(self, name: str) -> None:
        """Remove a named graph and what it holds (e.g. a scratch graph of the validator)."""
        self._ox.remove_graph(ox.NamedNode(name))
        self.files.pop(name, None)

    # -- reading ----------------------------------------------------------
    def __len__(self) -> int:
        return len(self._ox)

    @property
    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self._ox.named_graphs() if isinstance(g, ox.NamedNode))

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """All quads, or those of one named graph."""
        target = ox.NamedNode(graph) if graph is not None else None
        return iter(self._ox.quads_for_pattern(None, None, None, target))

    def quads_for_pattern(
        self,
        subject: ox.NamedNode | ox.BlankNode | None = None,
        predicate: ox.NamedNode | None = None,
        obj: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None = None,
        graph: str | None = None,
    ) -> Iterator[ox.Quad]:
        """The quads matching a pattern (``None`` matches anything), in any or one graph."""
        target = ox.NamedNode(graph) if graph is not None else None
        return iter(self._ox.quads_for_pattern(subject, predicate, obj, target))

    def neutral_quads(self) -> Iterator[tuple[Any, Any, Any, str | None]]:
        """Every quad as neutral (rdflib) terms and the graph IRI (``None``: default graph)."""
        for quad in self._ox:
            graph = quad.graph_name
            yield (to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object),
                   graph.value if isinstance(graph, ox.NamedNode) else None)

    def neutral_quads_for(self, subject: Any = None, predicate: Any = None,
                          ) -> Iterator[tuple[Any, Any, Any, str | None]]:
        """The quads with that subject and/or predicate (neutral rdflib terms; ``None``
        matches anything) and the graph IRI (``None``: default graph)."""
        found = self._ox.quads_for_pattern(
            None if subject is None else to_ox(subject),
            None if predicate is None else to_ox(predicate), None, None)
        for quad in found:
            graph = quad.graph_name
            yield (to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object),
                   graph.value if isinstance(graph, ox.NamedNode) else None)

    def rdflib_graph(self, graphs: Iterable[str] | None = None) -> rdflib.Graph:
        """The union of the given named graphs (default: all) as an rdflib graph."""
        wanted = set(graphs) if graphs is not None else None
        g = rdflib.Graph()
        for quad in self._ox:
            if wanted is not None and quad.graph_name.value not in wanted:
                continue
            g.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
        return g

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        """Evaluate a SPARQL 1.1 query.

        Without ``default_graphs`` the default graph is the union of all named
        graphs. A syntax error raises :class:`QuerySyntaxError` with its position.
        """
        kwargs: dict[str, object] = {}
        if default_graphs is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        else:
            kwargs["use_default_graph_as_union"] = True
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        if base_iri is not None:
            kwargs["base_iri"] = base_iri
        try:
            return self._ox.query(sparql, **kwargs)  # type: ignore[arg-type]
        except SyntaxError as exc:
            message = str(exc)
            match = _QUERY_POSITION.match(message)
            if match:
                raise QuerySyntaxError(message[match.end():], int(match[1]), int(match[2])) from exc
            raise QuerySyntaxError(message) from exc


def load_default(data: Sequence[Path] | None = None, *, ontology: bool = True) -> Store:
    """A store holding the ontology (graph ``…/graph/ontology``) and the data files."""
    store = Store()
    if ontology:
        store.load_file(ONTOLOGY_FILE, GRAPH_NS + "ontology")
    store.load_paths(list(data) if data else [DATA_DIR])
    return store
