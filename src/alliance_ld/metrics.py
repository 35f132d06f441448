"""Prometheus metrics, served at ``/metrics``.

* HTTP requests, sizes and latencies by route *template* (``/id/{path:path}``,
  never the raw path) and grouped status (``2xx``), by
  prometheus-fastapi-instrumentator;
* ``alliance_ld_query_duration_seconds``: how long SPARQL queries take in the
  worker pool, by outcome (``ok``, ``timeout``, ``error``), observed around
  :meth:`alliance_ld.sparql.QueryExecutor.execute` (so ``/sparql`` and the
  named queries are both counted);
* ``alliance_ld_query_timeouts_total``: queries stopped by the timeout;
* ``alliance_ld_result_cache_{hits,misses,bytes}``: the query result cache;
* ``alliance_ld_store_triples``, ``alliance_ld_store_graphs`` and
  ``alliance_ld_store_graph_triples{graph=…}``: the size of the published store,
  read at scrape time; ``alliance_ld_ready``: 1 once the data is loaded and valid;
* the usual ``process_*`` and ``python_*`` metrics.

Each app has its own :class:`~prometheus_client.CollectorRegistry` (tests build
several apps in one process); the query metrics belong to the process, since the
query executor does not know which app it serves, and are registered in each
app's registry.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI
from prometheus_client import (
    CollectorRegistry,
    Counter,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from prometheus_fastapi_instrumentator import Instrumentator

from . import __version__

METRICS_PATH = "/metrics"

#: Seconds; the default query timeout is 30 s.
QUERY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
                 120.0)

QUERY_SECONDS = Histogram(
    "alliance_ld_query_duration_seconds",
    "Time to run a SPARQL query in the worker pool (waiting for a free worker included)",
    labelnames=("outcome",),
    buckets=QUERY_BUCKETS,
    registry=None,
)
QUERY_TIMEOUTS = Counter(
    "alliance_ld_query_timeouts",
    "SPARQL queries stopped because they ran past the query timeout",
    registry=None,
)
for _outcome in ("ok", "timeout", "error"):
    QUERY_SECONDS.labels(outcome=_outcome)


@contextmanager
def observe_query() -> Iterator[None]:
    """Time the query run inside the block; count it as a timeout if it timed out."""
    from .errors import QueryTimeoutError

    start = time.perf_counter()
    outcome = "error"
    try:
        yield
        outcome = "ok"
    except QueryTimeoutError:
        outcome = "timeout"
        QUERY_TIMEOUTS.inc()
        raise
    finally:
        QUERY_SECONDS.labels(outcome=outcome).observe(time.perf_counter() - start)


class StoreCollector(Collector):
    """The size of the app's published store, read when Prometheus scrapes."""

    def __init__(self, app: FastAPI) -> None:
        self._app = app

    def _graph_sizes(self, publication: Any) -> list[tuple[str, int]]:
        return sorted(publication.graph_sizes().items())

    def collect(self) -> Iterable[Metric]:
        state = self._app.state
        ready = GaugeMetricFamily("alliance_ld_ready",
                                  "1 once the data is loaded, validated and queryable, else 0")
        ready.add_metric([], 1.0 if getattr(state, "ready", False) else 0.0)
        yield ready
        info = GaugeMetricFamily("alliance_ld_build_info", "The alliance-ld version serving",
                                 labels=["version"])
        info.add_metric([__version__], 1.0)
        yield info
        executor = getattr(state, "executor", None)
        if executor is not None:
            cache = executor.results
            for name, value, text in (
                    ("hits", cache.hits, "Query answers served from the result cache"),
                    ("misses", cache.misses, "Query answers the result cache did not have"),
                    ("bytes", cache.size, "Bytes of query answers in the result cache")):
                family = GaugeMetricFamily(f"alliance_ld_result_cache_{name}", text)
                family.add_metric([], float(value))
                yield family
        publication = getattr(state, "publication", None)
        if publication is None:
            return
        triples = GaugeMetricFamily("alliance_ld_store_triples",
                                    "Triples in the published store (all named graphs)")
        triples.add_metric([], float(publication.triples))
        yield triples
        sizes = self._graph_sizes(publication)
        graphs = GaugeMetricFamily("alliance_ld_store_graphs",
                                   "Named graphs in the published store")
        graphs.add_metric([], float(len(sizes)))
        yield graphs
        per_graph = GaugeMetricFamily("alliance_ld_store_graph_triples",
                                      "Triples per named graph", labels=["graph"])
        for name, count in sizes:
            per_graph.add_metric([name], float(count))
        yield per_graph


def install(app: FastAPI) -> CollectorRegistry:
    """Instrument ``app`` and expose ``/metrics``; returns the app's registry."""
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    GCCollector(registry=registry)
    registry.register(QUERY_SECONDS)
    registry.register(QUERY_TIMEOUTS)
    registry.register(StoreCollector(app))
    Instrumentator(
        should_group_status_codes=True,
        should_ignore_untemplated=False,
        should_group_untemplated=True,  # unknown paths count as handler="none"
        # (its in-progress gauge would go to the global registry: left off)
        excluded_handlers=[f"^{METRICS_PATH}$"],
        registry=registry,
    ).instrument(app).expose(app, endpoint=METRICS_PATH, include_in_schema=False)
    app.state.metrics_registry = registry
    return registry
