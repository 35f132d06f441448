"""The back-end seam: the one place that knows where the graph lives and which engine runs it.

Everything above this package speaks SPARQL and plain values: a
:class:`QueryRequest` goes in (query text, dataset, caps, result media type) and
a :class:`QueryOutcome` comes out (serialised bytes, row count, whether it was
cut). Where the data is held is a :class:`BackendSpec`, small enough to hand to
a query worker process, which opens the back end itself:

* in memory, from an N-Quads snapshot (the default, for the shipped data);
* on disk, an Oxigraph store folder made by ``alliance-ld load``, which every
  worker opens read-only, so the data is held once, by the operating system's
  page cache, however many workers there are (see :mod:`alliance_ld.backend.disk`).

* in any SPARQL 1.1 triplestore, over the SPARQL protocol
  (:class:`alliance_ld.backend.remote.RemoteBackend`); a store that cannot be
  reached raises :class:`BackendUnavailableError`.

Results reach the code above in two shapes: serialised, for the endpoint
(:meth:`Backend.evaluate`), and as *neutral terms* for documents and pages
(:meth:`Backend.select`, :meth:`Backend.construct`, :meth:`Backend.ask`):
rdflib's ``URIRef``, ``BNode`` and ``Literal``, which every module above already
knows, so no engine's term types leak through the seam.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from rdflib.term import BNode, Literal, URIRef

from ..errors import AllianceLDError

#: A term as the seam hands it out.
Term = URIRef | BNode | Literal
#: A triple of neutral terms.
Triple = tuple[URIRef | BNode, URIRef, Term]
#: A solution: variable name to its value; unbound variables are absent.
Row = dict[str, Term]


class BackendUnavailableError(AllianceLDError):
    """The store behind a back end cannot answer: unreachable, timed out, or failing.

    The message names the endpoint and the reason (``connection refused``, a
    timeout, an HTTP status with the first line of the store's message).
    """

    def __init__(self, endpoint: str, reason: str) -> None:
        self.endpoint = endpoint
        self.reason = reason
        super().__init__(f"SPARQL endpoint {endpoint} is unavailable: {reason}")


@dataclass(frozen=True)
class QueryRequest:
    """A query to evaluate: it has passed :func:`alliance_ld.query_analysis.analyse`."""

    query: str
    results_media_type: str | None  # for SELECT / ASK
    graph_media_type: str | None  # for CONSTRUCT / DESCRIBE
    #: The default graph: these graphs merged; ``None``: the union of every graph.
    default_graphs: tuple[str, ...] | None = None
    #: The named graphs a query may see; ``None``: every graph of the store.
    named_graphs: tuple[str, ...] | None = None
    max_rows: int = 10_000
    #: Cap on the size of a result, counted over its terms before serialisation.
    max_bytes: int = 64 * 1024 * 1024
    truncation_link: str | None = None
    prefixes: dict[str, str] = field(default_factory=dict)
    base_iri: str | None = None  # resolves relative IRIs in the query
    #: The query form the parse found (``QueryAnalysis.form``: SELECT, ASK, CONSTRUCT or
    #: DESCRIBE); a back end that must know it (a remote one) parses the query when absent.
    form: str | None = None


@dataclass(frozen=True)
class QueryOutcome:
    kind: str  # "solutions", "boolean" or "graph"
    media_type: str
    body: bytes
    rows: int
    truncated: bool


class Backend(ABC):
    """A dataset of named graphs that answers SPARQL queries."""

    @abstractmethod
    def evaluate(self, request: QueryRequest) -> QueryOutcome:
        """Run ``request`` and serialise its result, capped in rows and bytes.

        A query the engine cannot parse raises
        :class:`alliance_ld.errors.QuerySyntaxError` with its position.
        """

    @abstractmethod
    def select(self, query: str, *, default_graphs: Sequence[str] | None = None,
               named_graphs: Sequence[str] | None = None) -> list[Row]:
        """The solutions of a SELECT query as neutral terms.

        ``default_graphs=None`` makes the default graph the union of every named
        graph (this project's dataset semantics, on every back end);
        ``named_graphs=None`` lets ``GRAPH`` see every named graph. The dataset
        given here replaces any ``FROM``/``FROM NAMED`` of the query text, as the
        protocol's dataset parameters do: the caller (the endpoint, after its
        parse) decides which graphs a query reads.
        """

    @abstractmethod
    def construct(self, query: str, *, default_graphs: Sequence[str] | None = None,
                  named_graphs: Sequence[str] | None = None) -> list[Triple]:
        """The triples of a CONSTRUCT (or DESCRIBE) query as neutral terms."""

    @abstractmethod
    def ask(self, query: str, *, default_graphs: Sequence[str] | None = None,
            named_graphs: Sequence[str] | None = None) -> bool:
        """The answer to an ASK query."""

    @abstractmethod
    def update(self, sparql: str) -> None:
        """Apply a SPARQL 1.1 Update as one transaction: all of it or nothing."""

    @abstractmethod
    def dump(self, media_type: str, graph: str | None = None,
             prefixes: Mapping[str, str] | None = None) -> Iterator[bytes]:
        """A graph (or, with ``graph=None``, the whole dataset) serialised.

        ``media_type`` is a triples format for one graph, or a quads format
        (N-Quads, TriG) for the dataset; the chunks are written by the engine
        where it can, with ``prefixes`` where the syntax has them.
        """

    @abstractmethod
    def graphs(self) -> list[str]:
        """The IRIs of the named graphs, sorted."""

    @abstractmethod
    def count(self, graph: str | None = None) -> int:
        """The number of quads, in all graphs or in one."""

    @abstractmethod
    def version(self) -> str:
        """The data version: changes with every change of the data (the key of every cache).

        A back end that cannot know when its data changes (a remote store)
        returns a version that changes at least once per its cache lifetime.
        """

    def known_version(self) -> str | None:
        """:meth:`version` if it is known without waiting on I/O, else ``None`` (a remote
        store due for its check): the event loop asks this, and a thread the rest."""
        return self.version()

    def content_version(self) -> str:
        """A version for what is costly to rebuild (VoID, downloads): changes with the data.

        The same as :meth:`version` where the back end knows every change; a remote
        store, whose :meth:`version` also changes every time to live, gives a digest
        of what it holds instead.
        """
        return self.version()

    def close(self) -> None:  # noqa: B027 - optional
        """Release what the back end holds (files, connections)."""


@dataclass(frozen=True)
class BackendSpec:
    """Where the data is: enough for any process to open the same back end."""

    #: An N-Quads snapshot to load into memory.
    nquads: bytes | None = None
    #: An on-disk store folder (``alliance-ld load``), opened read-only.
    store: str | None = None
    #: The data version: changes with every change of the data (the key of every cache).
    version: str = ""
    #: A remote SPARQL 1.1 endpoint (query URL), its update URL, and how long its answers last.
    endpoint: str | None = None
    update_endpoint: str | None = None
    ttl: float = 60.0

    @property
    def remote(self) -> bool:
        """Whether the data is in a remote triplestore (queries run from the server process)."""
        return self.endpoint is not None

    def open(self) -> Backend:
        from .oxigraph import OxigraphBackend

        if self.endpoint is not None:
            from .remote import RemoteBackend

            return RemoteBackend(self.endpoint, self.update_endpoint, ttl=self.ttl)
        if self.store is not None:
            return OxigraphBackend.open_read_only(self.store, self.version)
        return OxigraphBackend.from_nquads(self.nquads or b"", self.version)

    @property
    def description(self) -> str:
        if self.endpoint is not None:
            return f"in a remote triplestore ({self.endpoint})"
        return f"on disk ({self.store})" if self.store is not None else "in memory"


__all__: Sequence[str] = ("Backend", "BackendSpec", "BackendUnavailableError", "QueryOutcome",
                          "QueryRequest", "Row", "Term", "Triple")
