"""Prometheus metrics, served at ``/metrics``.

* ``http_requests_total``, ``http_request_duration_seconds`` and
  ``http_response_size_bytes``: requests by route *template* as OpenAPI writes it
  (``/id/{path}``, never the raw path; ``none`` for a path no route has), method and grouped status
  (``2xx``), answers from the response cache included (:class:`HttpMetricsMiddleware`);
* ``alliance_ld_query_duration_seconds``: how long SPARQL queries take in the
  worker pool, by outcome (``ok``, ``timeout``, ``error``), observed around
  :meth:`alliance_ld.sparql.QueryExecutor.execute` (so ``/sparql`` and the
  named queries are both counted);
* ``alliance_ld_query_timeouts_total``: queries stopped by the timeout;
* ``alliance_ld_result_cache_{hits,misses,bytes}``: the query result cache;
* ``alliance_ld_response_cache_{hits,not_modified,misses,bytes}``: whole responses
  answered before the application (:mod:`alliance_ld.api.response_cache`);
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

from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
        responses = getattr(state, "response_cache", None)
        if responses is not None:
            for name, value, text in (
                    ("hits", responses.hits, "Whole responses answered from the response cache"),
                    ("not_modified", responses.not_modified,
                     "304 answers given by the response cache"),
                    ("misses", responses.misses, "Cacheable requests the response cache "
                     "did not have"),
                    ("bytes", responses.size, "Bytes of bodies in the response cache")):
                family = GaugeMetricFamily(f"alliance_ld_response_cache_{name}", text)
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


#: Seconds; most answers take milliseconds, a query up to the timeout.
HTTP_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
                30.0, 60.0)


#: The scope key under which :class:`HttpMetricsMiddleware` leaves a list for the
#: route template; :class:`RouteTemplateMiddleware`, or the response cache on a hit,
#: fills it in.
ROUTE_KEY = "alliance_ld.route"


def note_route(scope: Scope, template: str) -> None:
    """Tell :class:`HttpMetricsMiddleware` which route answered ``scope``."""
    holder = scope.get(ROUTE_KEY)
    if isinstance(holder, list) and not holder:
        holder.append(template)


class RouteTemplateMiddleware:
    """Innermost: after the router has answered, pass on the template of its route.

    The router records the route it chose in the scope it was given (``route``);
    the template is read from there, so no route is matched twice.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            route = scope.get("route")
            # the template as OpenAPI writes it: "/doc/{path}", without the convertor
            path = getattr(route, "path_format", None) or getattr(route, "path", None)
            if isinstance(path, str):
                note_route(scope, path)


class HttpMetricsMiddleware:
    """Requests by route template, method and grouped status; their time and size.

    The template comes from the router (:class:`RouteTemplateMiddleware`) or, for an
    answer from the response cache, from the cache, which kept it: a request
    costs three observations, not a walk over every route as
    prometheus-fastapi-instrumentator did (about 0.2 ms per request here, more
    than the rest of a cached answer). It sits outside the response cache, so that
    answers from the cache are counted too; a path no route has counts as ``none``.
    """

    def __init__(self, app: ASGIApp, registry: CollectorRegistry,
                 excluded: frozenset[str] = frozenset({METRICS_PATH})) -> None:
        self.app = app
        self.excluded = excluded
        self.requests = Counter("http_requests", "HTTP requests by route template, method "
                                "and status class", ("handler", "method", "status"),
                                registry=registry)
        self.seconds = Histogram("http_request_duration_seconds", "Time to answer HTTP "
                                 "requests", ("handler", "method"), buckets=HTTP_BUCKETS,
                                 registry=registry)
        self.sizes = Counter("http_response_size_bytes", "Bytes of HTTP response bodies sent",
                             ("handler",), registry=registry)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        holder: list[str] = []
        scope[ROUTE_KEY] = holder
        started = time.perf_counter()
        status = 500
        size = 0

        async def send_counted(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, send_counted)
        finally:
            handler = holder[0] if holder else "none"
            if handler not in self.excluded:
                method = scope["method"]
                self.requests.labels(handler, method, f"{status // 100}xx").inc()
                self.seconds.labels(handler, method).observe(time.perf_counter() - started)
                self.sizes.labels(handler).inc(size)


def install(app: FastAPI) -> CollectorRegistry:
    """Make ``app``'s registry and its ``/metrics`` route; returns the registry.

    :class:`HttpMetricsMiddleware` is added by :func:`alliance_ld.api.middleware.install`
    with this registry, where it belongs in the stack.
    """
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    GCCollector(registry=registry)
    registry.register(QUERY_SECONDS)
    registry.register(QUERY_TIMEOUTS)
    registry.register(StoreCollector(app))

    @app.get(METRICS_PATH, include_in_schema=False)
    def metrics(_: Request) -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    app.state.metrics_registry = registry
    return registry
