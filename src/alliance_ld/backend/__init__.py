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

A remote SPARQL triplestore is the next implementation of :class:`Backend`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field


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
    def graphs(self) -> list[str]:
        """The IRIs of the named graphs, sorted."""

    @abstractmethod
    def count(self, graph: str | None = None) -> int:
        """The number of quads, in all graphs or in one."""

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

    def open(self) -> Backend:
        from .oxigraph import OxigraphBackend

        if self.store is not None:
            return OxigraphBackend.open_read_only(self.store)
        return OxigraphBackend.from_nquads(self.nquads or b"")

    @property
    def description(self) -> str:
        return f"on disk ({self.store})" if self.store is not None else "in memory"


__all__: Sequence[str] = ("Backend", "BackendSpec", "QueryOutcome", "QueryRequest")
