"""SPARQL query execution, in one place: sandboxed worker processes, timeouts, caps.

The server never parses or evaluates a query in its own process. A pool of
worker processes each hold a copy of the dataset (loaded from an N-Quads
snapshot). Before it loads anything, each worker confines itself with a seccomp
filter under which it can never create a socket (:mod:`alliance_ld.sandbox`),
so no query, however it is spelt, can make it reach the network.

A request takes two jobs: the query is first parsed in a worker
(:func:`alliance_ld.query_analysis.analyse`: form, dataset, refusals; cached by
query text), then run there with the dataset that parse found. A job goes to a
free worker; one that runs past the timeout is killed and replaced, so a
runaway query really stops using the CPU while the server goes on answering
everything else. A worker found dead while idle is replaced before a job is
handed to it, and a job that a worker never acknowledged is tried once more on
another. Waiting for a worker is bounded (``queue_size`` waiting requests,
``queue_wait`` seconds each): past that the answer is an immediate 503.

Results are serialised in the worker, capped at ``max_rows`` rows (or triples)
and at ``max_bytes`` (counted over the terms), so what the server relays is
bounded too: a capped result says so (``truncated``), and SPARQL JSON/XML carry
a ``head.link`` to an explanation.
"""
from __future__ import annotations

import functools
import multiprocessing
import multiprocessing.connection
import queue
import resource
import signal
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import anyio
import anyio.to_thread

from .backend import Backend, BackendSpec, QueryOutcome, QueryRequest
from .cache import CACHE_BYTES, ResultCache, request_key
from .errors import AllianceLDError, InputError, QuerySyntaxError, QueryTimeoutError
from .query_analysis import (
    QueryAnalysis,
    QueryLimitError,
    QueryLimits,
    QueryRefusedError,
    QueryTooDeepError,
    QueryTooLargeError,
    ServiceRefusedError,
    UpdateRefusedError,
    analyse,
)
from .sandbox import SandboxUnavailableError, deny_network

SPARQL_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class WorkerFailedError(AllianceLDError):
    """A query worker died while running a query."""


class QueryOutOfMemoryError(WorkerFailedError):
    """A query needed more memory than a worker may use, and was stopped."""

    def __init__(self, megabytes: int) -> None:
        self.megabytes = megabytes
        super().__init__(f"query stopped: it needed more memory than the {megabytes} MB "
                         "a query may use")


class WorkerBusyError(WorkerFailedError):
    """No query worker became free in time, or too many queries already wait for one."""

    def __init__(self, message: str, retry_after: int = 1) -> None:
        self.retry_after = retry_after
        super().__init__(message)


# ---------------------------------------------------------------------------
# Requests and outcomes


def query_dataset(analysis: QueryAnalysis, default_graphs: list[str], named_graphs: list[str],
                  ) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    """The dataset a query runs on: ``(default graphs, named graphs)``.

    A dataset in the protocol request (``default-graph-uri``/``named-graph-uri``)
    replaces the query's own, and what it does not name is empty; else the
    query's ``FROM``/``FROM NAMED`` as the parse found them (with ``FROM NAMED``
    alone, the default graph is empty); else the union of every graph as the
    default graph, and every graph as a named graph. The IRIs name graphs of
    this store: nothing is ever fetched.
    """
    if default_graphs or named_graphs:
        return tuple(default_graphs), tuple(named_graphs)
    if analysis.has_dataset:
        return analysis.default_graphs, analysis.named_graphs or ()
    return None, None


@dataclass(frozen=True)
class AnalyseJob:
    """Ask a worker to parse a query (see :mod:`alliance_ld.query_analysis`)."""

    query: str
    base_iri: str | None
    limits: QueryLimits


# ---------------------------------------------------------------------------
# Serialisation of (possibly capped) results, done in the worker


# ---------------------------------------------------------------------------
# Worker processes

#: How long a worker may take to acknowledge a job before it counts as hung.
ACK_SECONDS = 5.0
#: Refusals a worker reports, rebuilt by name in the server.
_REFUSALS: dict[str, type[InputError]] = {
    cls.__name__: cls for cls in (QueryRefusedError, ServiceRefusedError, UpdateRefusedError,
                                  QueryLimitError, QueryTooLargeError, QueryTooDeepError)
}


def _limit_memory(megabytes: int) -> None:
    """Cap this process's address space, so a runaway query fails instead of the machine."""
    if megabytes > 0:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _handle(backend: Backend | None, job: Any) -> tuple[str, Any]:
    try:
        if isinstance(job, AnalyseJob):
            return "ok", analyse(job.query, job.base_iri, job.limits)
        if isinstance(job, QueryRequest) and backend is not None:
            return "ok", backend.evaluate(job)
        return "error", f"unknown job {type(job).__name__}"
    except QuerySyntaxError as exc:
        return "syntax", (exc.detail, exc.line, exc.column)
    except QueryRefusedError as exc:
        return "refused", (type(exc).__name__, str(exc))
    except Exception as exc:  # noqa: BLE001 - reported to the client as a bad query
        return "error", f"{type(exc).__name__}: {exc}"


def _worker_main(conn: multiprocessing.connection.Connection, spec: BackendSpec,
                 memory_mb: int = 0, require_sandbox: bool = True) -> None:
    """A query worker: no network (seccomp, first of all), capped memory, one job at a time."""
    try:
        deny_network()
        sandbox = None
    except SandboxUnavailableError as exc:
        sandbox = str(exc)
        if require_sandbox:
            conn.send(("unsandboxed", sandbox))
            return
    _limit_memory(memory_mb)
    backend: Backend | None = None
    if not spec.remote:  # a remote store's queries run from the server process; here: parses
        try:
            backend = spec.open()
        except OSError as exc:
            conn.send(("failed", f"cannot open the data {spec.description}: {exc}"))
            return
    del spec
    conn.send(("ready", (None, sandbox)))  # no count: that would scan a store on disk
    while True:
        try:
            job = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        except Exception as exc:  # noqa: BLE001 - e.g. a message that does not unpickle
            conn.send(("error", f"the worker could not read the job: {type(exc).__name__}"))
            continue
        conn.send(("started", None))
        conn.send(_handle(backend, job))


class _Worker:
    def __init__(self, context: Any, spec: BackendSpec, memory_mb: int,
                 require_sandbox: bool) -> None:
        parent, child = context.Pipe()
        self.conn: multiprocessing.connection.Connection = parent
        self.process = context.Process(target=_worker_main,
                                       args=(child, spec, memory_mb, require_sandbox),
                                       daemon=True)
        self.process.start()
        child.close()
        #: ``None`` when the network sandbox holds, else why it could not be installed.
        self.unsandboxed: str | None = None

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not self.conn.poll(0.1):
            if not self.process.is_alive():
                raise WorkerFailedError(
                    f"query worker exited while starting (exit code {self.process.exitcode})"
                )
            if time.monotonic() > deadline:
                raise WorkerFailedError("query worker did not start in time")
        status, payload = self.conn.recv()
        if status == "unsandboxed":
            raise SandboxUnavailableError(payload)
        if status == "failed":
            raise WorkerFailedError(payload)
        if status != "ready":
            raise WorkerFailedError("query worker failed to start")
        self.unsandboxed = payload[1]

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


class QueryExecutor:
    """A pool of sandboxed worker processes that parse and run queries with a timeout.

    Admission is bounded: at most ``queue_size`` requests wait for a free worker,
    each for at most ``queue_wait`` seconds; beyond that :class:`WorkerBusyError`
    (503 with ``Retry-After``) comes at once.
    """

    def __init__(self, data: BackendSpec | bytes, workers: int = 2, timeout: float = 30.0,
                 memory_mb: int = 0, *, queue_size: int | None = None,
                 queue_wait: float = 5.0, require_sandbox: bool = True,
                 limits: QueryLimits | None = None, cache_bytes: int = CACHE_BYTES,
                 remote: Backend | None = None) -> None:
        self.spec = data if isinstance(data, BackendSpec) else BackendSpec(nquads=data)
        #: A remote triplestore, queried from this process once a worker has parsed the query.
        self.remote = remote
        self.memory_mb = memory_mb
        self._size = workers
        self.timeout = timeout
        self.queue_size = workers * 2 if queue_size is None else queue_size
        self.queue_wait = queue_wait
        self.require_sandbox = require_sandbox
        self.limits = limits or QueryLimits()
        #: Why the workers are not confined, or ``None`` when they are.
        self.unsandboxed: str | None = None
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._waiting = 0
        self._closed = False
        self._analyses: OrderedDict[tuple[str, str | None], QueryAnalysis] = OrderedDict()
        self.replaced = 0
        self.results = ResultCache(cache_bytes)

    # -- life cycle -------------------------------------------------------
    def start(self) -> None:
        started = [self._spawn() for _ in range(self._size)]
        try:
            for worker in started:
                worker.wait_ready(120)
                self._idle.put(worker)
        except AllianceLDError:
            self.close()
            raise
        self.unsandboxed = started[0].unsandboxed

    def _spawn(self) -> _Worker:
        worker = _Worker(self._context, self.spec, self.memory_mb, self.require_sandbox)
        with self._lock:
            self._all.add(worker)
        return worker

    def _replace(self, dead: _Worker) -> None:
        dead.kill()
        with self._lock:
            self._all.discard(dead)
            self.replaced += 1
        if self._closed:
            return

        def start_new() -> None:
            try:
                worker = self._spawn()
                worker.wait_ready(120)
                self._idle.put(worker)
            except AllianceLDError:
                pass

        threading.Thread(target=start_new, name="alliance-ld-worker-spawn", daemon=True).start()

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()

    @property
    def worker_pids(self) -> list[int]:
        with self._lock:
            return sorted(w.process.pid for w in self._all if w.process.pid is not None)

    # -- handing out workers ----------------------------------------------------
    def _acquire(self) -> _Worker:
        """A live idle worker, waiting at most ``queue_wait`` s in a queue of ``queue_size``."""
        retry_after = max(1, round(self.queue_wait))
        try:
            return self._live(self._idle.get_nowait())
        except queue.Empty:
            pass
        with self._lock:
            if self._waiting >= self.queue_size:
                raise WorkerBusyError(
                    f"every query worker is busy and {self._waiting} queries are already "
                    "waiting; try again later", retry_after)
            self._waiting += 1
        try:
            deadline = time.monotonic() + self.queue_wait
            while True:
                remaining = deadline - time.monotonic()
                try:
                    worker = self._idle.get(timeout=max(0.0, remaining))
                except queue.Empty as exc:
                    raise WorkerBusyError(
                        f"no query worker became free within {self.queue_wait:g} s; "
                        "try again later", retry_after) from exc
                try:
                    return self._live(worker)
                except _DeadWorkerError:
                    continue
        finally:
            with self._lock:
                self._waiting -= 1

    def _live(self, worker: _Worker) -> _Worker:
        """``worker`` if it is alive; a dead one (died while idle) is replaced."""
        if worker.process.is_alive():
            return worker
        self._replace(worker)
        raise _DeadWorkerError

    def _acquire_live(self) -> _Worker:
        while True:
            try:
                return self._acquire()
            except _DeadWorkerError:
                continue

    def _start_job(self, job: Any) -> tuple[_Worker, tuple[str, Any] | None]:
        """Hand ``job`` to a worker; one that fails before starting it is replaced, once."""
        for attempt in (1, 2):
            worker = self._acquire_live()
            try:
                worker.conn.send(job)
                if worker.conn.poll(ACK_SECONDS):
                    reply = worker.conn.recv()
                    return worker, (None if reply[0] == "started" else reply)
            except (EOFError, OSError):
                pass
            self._replace(worker)  # dead, or hung before it took the job
            if attempt == 2:
                raise WorkerFailedError("the query could not be started on a query worker")
        raise AssertionError("not reached")

    def _call(self, job: Any) -> Any:
        """Run ``job`` in a worker, blocking; raises on timeout or bad query."""
        worker, early = self._start_job(job)
        if early is not None:  # refused before it started (e.g. an unreadable job)
            self._idle.put(worker)
            status, payload = early
        else:
            try:
                if not worker.conn.poll(self.timeout):
                    self._replace(worker)
                    raise QueryTimeoutError(self.timeout)
                status, payload = worker.conn.recv()
            except (EOFError, OSError) as exc:
                worker.process.join(1)
                aborted = worker.process.exitcode == -signal.SIGABRT
                self._replace(worker)
                if aborted and self.memory_mb > 0:
                    raise QueryOutOfMemoryError(self.memory_mb) from exc
                raise WorkerFailedError("the query worker stopped unexpectedly") from exc
            self._idle.put(worker)
        if status == "ok":
            return payload
        if status == "syntax":
            message, line, column = payload
            raise QuerySyntaxError(message, line, column)
        if status == "refused":
            name, message = payload
            cls = _REFUSALS.get(name, QueryRefusedError)
            error = cls.__new__(cls)
            Exception.__init__(error, message)
            raise error
        raise InputError(f"query failed: {payload}")

    # -- the public operations ----------------------------------------------
    def analyse(self, query: str, base_iri: str | None) -> QueryAnalysis:
        """Parse ``query`` in a worker (cached by text): what it does, or why it is refused."""
        cached = self._known_analysis(query, base_iri)
        if cached is not None:
            return cached
        analysis: QueryAnalysis = self._call(AnalyseJob(query, base_iri, self.limits))
        with self._lock:
            self._analyses[query, base_iri] = analysis
            while len(self._analyses) > ANALYSIS_CACHE_SIZE:
                self._analyses.popitem(last=False)
        return analysis

    def key(self, request: QueryRequest) -> tuple[Hashable, ...]:
        """What identifies the answer to ``request`` on this data (see :mod:`alliance_ld.cache`)."""
        version = self.remote.version() if self.remote is not None else self.spec.version
        return request_key(version, request)

    def run(self, request: QueryRequest, *, looked_up: bool = False) -> QueryOutcome:
        """Answer an analysed query from the cache, or run it in a worker; blocking.

        The timeout counts from when a worker takes the query. Only complete
        answers are kept (errors and timeouts are not). ``looked_up``: the caller
        has just found the answer missing from the cache.
        """
        key = self.key(request)
        cached = None if looked_up else self.results.get(key)
        if cached is not None:
            return cached
        outcome: QueryOutcome = (self.remote.evaluate(request) if self.remote is not None
                                 else self._call(request))
        self.results.put(key, outcome)
        return outcome

    async def analysis(self, query: str, base_iri: str | None) -> QueryAnalysis:
        """:meth:`analyse` without blocking the event loop (a known query: no thread)."""
        cached = self._known_analysis(query, base_iri)
        if cached is not None:
            return cached
        return await anyio.to_thread.run_sync(self.analyse, query, base_iri)

    def _known_analysis(self, query: str, base_iri: str | None) -> QueryAnalysis | None:
        """The analysis of a query parsed before, if it is still remembered."""
        key = (query, base_iri)
        with self._lock:
            cached = self._analyses.get(key)
            if cached is not None:
                self._analyses.move_to_end(key)
            return cached

    async def execute(self, request: QueryRequest) -> QueryOutcome:
        """Run a query without blocking the event loop (timed for ``/metrics``).

        An answer in the result cache is taken here, without a thread; on a remote
        back end the key needs the store's version, which may ask the store, so
        that case always goes through a thread.
        """
        from .metrics import observe_query  # here: workers need not import prometheus

        with observe_query():
            if self.remote is not None:
                return await anyio.to_thread.run_sync(self.run, request)
            cached = self.results.get(self.key(request))
            if cached is not None:
                return cached
            return await anyio.to_thread.run_sync(
                functools.partial(self.run, request, looked_up=True))


class _DeadWorkerError(Exception):
    """An idle worker found dead (it has been replaced)."""


#: How many query analyses the server keeps (by query text).
ANALYSIS_CACHE_SIZE = 1024
