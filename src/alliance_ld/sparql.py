"""SPARQL query execution, in one place: worker processes, timeouts, row caps.

The server never evaluates a query in its own process. A pool of worker
processes each hold a copy of the dataset (loaded from an N-Quads snapshot);
a query goes to a free worker, and one that runs past the timeout is killed and
replaced, so a runaway query really stops using the CPU while the server goes
on answering everything else.

Results are serialised in the worker, capped at ``max_rows`` rows (or triples):
a capped result says so (``truncated``), and SPARQL JSON/XML carry a
``head.link`` to an explanation.
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import multiprocessing.connection
import queue
import re
import resource
import signal
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import anyio
import anyio.to_thread
import pyoxigraph as ox

from .errors import AllianceLDError, InputError, QuerySyntaxError

SPARQL_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class QueryTimeoutError(AllianceLDError):
    """A query ran past the timeout and was stopped."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        shown = f"{seconds:g}"
        super().__init__(f"query timed out after {shown} s")


class QueryRefusedError(InputError):
    """A query this endpoint refuses to run (e.g. one with SERVICE)."""


class WorkerFailedError(AllianceLDError):
    """A query worker died while running a query."""


class QueryOutOfMemoryError(WorkerFailedError):
    """A query needed more memory than a worker may use, and was stopped."""

    def __init__(self, megabytes: int) -> None:
        self.megabytes = megabytes
        super().__init__(f"query stopped: it needed more memory than the {megabytes} MB "
                         "a query may use")


class WorkerBusyError(WorkerFailedError):
    """No query worker became free in time."""


#: How long a query may wait for a free worker, beyond the query timeout itself.
WORKER_WAIT_SECONDS = 30.0


# ---------------------------------------------------------------------------
# Static checks before a query reaches a worker

_STRIP = re.compile(
    r"""\#[^\n]*                      # comments (\# : a bare # starts a comment here)
      | '''(?:[^'\\]|\\.|'(?!''))*''' | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
      | '(?:[^'\\\n]|\\.)*' | "(?:[^"\\\n]|\\.)*"   # string literals
      | <[^<>"{}|^`\\\s]*>            # IRIs
      | [?$][A-Za-z0-9_\u00b7-\uffff]+   # variables
    """,
    re.VERBOSE,
)
_FORM = re.compile(r"(?<![\w:?$])(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:-])", re.IGNORECASE)
_SERVICE = re.compile(r"(?<![\w:?$])SERVICE(?![\w:-])", re.IGNORECASE)
_DATASET_CLAUSE = re.compile(r"(?<![\w:?$])FROM(?![\w:-])", re.IGNORECASE)
_UPDATE = re.compile(
    r"(?<![\w:?$])(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)(?![\w:-])",
    re.IGNORECASE,
)


def _code_only(query: str) -> str:
    """The query with comments, strings, IRIs and variables blanked out."""
    return _STRIP.sub(" ", query)


def query_form(query: str) -> str | None:
    """``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``, or ``None`` if none is found."""
    match = _FORM.search(_code_only(query))
    return match[1].upper() if match else None


def looks_like_update(query: str) -> bool:
    """True when the text reads as a SPARQL Update (its first keyword is an update one)."""
    code = _code_only(query)
    update = _UPDATE.search(code)
    form = _FORM.search(code)
    return update is not None and (form is None or update.start() < form.start())


def has_dataset_clause(query: str) -> bool:
    """True when the query names its own dataset (``FROM`` or ``FROM NAMED``)."""
    return _DATASET_CLAUSE.search(_code_only(query)) is not None


def check_query(query: str) -> None:
    """Refuse, before evaluation, what would make the engine reach the network."""
    if _SERVICE.search(_code_only(query)):
        raise QueryRefusedError(
            "SERVICE is not supported: this endpoint never sends requests to other endpoints"
        )


# ---------------------------------------------------------------------------
# Requests and outcomes


@dataclass(frozen=True)
class QueryRequest:
    query: str
    results_media_type: str | None  # for SELECT / ASK
    graph_media_type: str | None  # for CONSTRUCT / DESCRIBE
    default_graphs: list[str] | None = None
    named_graphs: list[str] | None = None
    max_rows: int = 10_000
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


# ---------------------------------------------------------------------------
# Serialisation of (possibly capped) results, done in the worker


def _json_term(term: Any) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": str(term)}


def _xml_term(term: Any) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        attrs = ""
        if term.language:
            attrs = f" xml:lang={quoteattr(term.language)}"
        elif term.datatype.value != XSD_STRING:
            attrs = f" datatype={quoteattr(term.datatype.value)}"
        return f"<literal{attrs}>{escape(term.value)}</literal>"
    return f"<literal>{escape(str(term))}</literal>"


def _csv_value(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(getattr(term, "value", term))


def serialize_solutions(variables: list[str], rows: list[list[Any]], media_type: str,
                        link: str | None) -> bytes:
    if media_type == "application/sparql-results+json":
        head: dict[str, Any] = {"vars": variables}
        if link:
            head["link"] = [link]
        bindings = [{v: _json_term(t) for v, t in zip(variables, row, strict=True)
                     if t is not None} for row in rows]
        body = {"head": head, "results": {"bindings": bindings}}
        return json.dumps(body, ensure_ascii=False).encode("utf-8")
    if media_type == "application/sparql-results+xml":
        out = ['<?xml version="1.0"?>', f'<sparql xmlns="{SPARQL_RESULTS_NS}">', "<head>"]
        out += [f"<variable name={quoteattr(v)}/>" for v in variables]
        if link:
            out.append(f"<link href={quoteattr(link)}/>")
        out += ["</head>", "<results>"]
        for row in rows:
            out.append("<result>")
            out += [f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                    for v, t in zip(variables, row, strict=True) if t is not None]
            out.append("</result>")
        out += ["</results>", "</sparql>"]
        return ("\n".join(out) + "\n").encode("utf-8")
    if media_type == "text/csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(variables)
        writer.writerows([_csv_value(t) for t in row] for row in rows)
        return buffer.getvalue().encode("utf-8")
    if media_type == "text/tab-separated-values":
        lines = ["\t".join("?" + v for v in variables)]
        lines += ["\t".join("" if t is None else str(t) for t in row) for row in rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise ValueError(f"no SPARQL results serialiser for {media_type}")


def serialize_boolean(result: ox.QueryBoolean, media_type: str) -> bytes:
    buffer = io.BytesIO()
    fmt = ox.QueryResultsFormat.from_media_type(media_type)
    if fmt is None:
        raise ValueError(f"no SPARQL results serialiser for {media_type}")
    result.serialize(buffer, fmt)
    return buffer.getvalue()


def serialize_triples(triples: list[ox.Triple], media_type: str,
                      prefixes: dict[str, str]) -> bytes:
    fmt = ox.RdfFormat.from_media_type(media_type)
    if fmt is None:
        raise ValueError(f"no RDF serialiser for {media_type}")
    data: list[Any] = triples
    if fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
        data = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    kwargs: dict[str, Any] = {}
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML):
        kwargs["prefixes"] = prefixes
    return bytes(ox.serialize(data, format=fmt, **kwargs))  # type: ignore[arg-type]


def evaluate(store: ox.Store, request: QueryRequest) -> QueryOutcome:
    """Run one query on ``store`` and serialise its (capped) result."""
    kwargs: dict[str, Any] = {"base_iri": request.base_iri}
    if request.default_graphs is not None:
        # A dataset given by the protocol replaces the query's FROM / FROM NAMED.
        kwargs["default_graph"] = [ox.NamedNode(g) for g in request.default_graphs]
    elif not has_dataset_clause(request.query):
        kwargs["use_default_graph_as_union"] = True
    # else: the query's FROM / FROM NAMED name graphs of the store (never fetched);
    # with FROM NAMED alone the default graph is the store's (empty) default graph.
    if request.named_graphs is not None:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in request.named_graphs]
    result = store.query(request.query, **kwargs)
    cap = request.max_rows
    if isinstance(result, ox.QueryBoolean):
        media = request.results_media_type or "application/sparql-results+json"
        return QueryOutcome("boolean", media, serialize_boolean(result, media), 1, False)
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        rows: list[list[Any]] = []
        truncated = False
        for solution in result:
            if len(rows) == cap:
                truncated = True
                break
            rows.append([solution[v] for v in variables])
        media = request.results_media_type or "application/sparql-results+json"
        link = request.truncation_link if truncated else None
        return QueryOutcome("solutions", media,
                            serialize_solutions(variables, rows, media, link), len(rows),
                            truncated)
    triples: list[ox.Triple] = []
    truncated = False
    for triple in result:
        if len(triples) == cap:
            truncated = True
            break
        triples.append(triple)
    media = request.graph_media_type or "text/turtle"
    return QueryOutcome("graph", media, serialize_triples(triples, media, request.prefixes),
                        len(triples), truncated)


# ---------------------------------------------------------------------------
# Worker processes

_QUERY_POSITION = re.compile(r"^error at (\d+):(\d+): ")


def _limit_memory(megabytes: int) -> None:
    """Cap this process's address space, so a runaway query fails instead of the machine."""
    if megabytes > 0:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _worker_main(conn: multiprocessing.connection.Connection, nquads: bytes,
                 memory_mb: int = 0) -> None:
    _limit_memory(memory_mb)
    store = ox.Store()
    store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
    conn.send(("ready", len(store)))
    while True:
        try:
            request = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        try:
            conn.send(("ok", evaluate(store, request)))
        except SyntaxError as exc:
            message = str(exc)
            match = _QUERY_POSITION.match(message)
            if match:
                conn.send(("syntax", (message[match.end():], int(match[1]), int(match[2]))))
            else:
                conn.send(("syntax", (message, None, None)))
        except Exception as exc:  # noqa: BLE001 - reported to the client as a bad query
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


class _Worker:
    def __init__(self, context: Any, nquads: bytes, memory_mb: int = 0) -> None:
        parent, child = context.Pipe()
        self.conn: multiprocessing.connection.Connection = parent
        self.process = context.Process(target=_worker_main, args=(child, nquads, memory_mb),
                                       daemon=True)
        self.process.start()
        child.close()

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not self.conn.poll(0.1):
            if not self.process.is_alive():
                raise WorkerFailedError(
                    f"query worker exited while starting (exit code {self.process.exitcode})"
                )
            if time.monotonic() > deadline:
                raise WorkerFailedError("query worker did not start in time")
        status, _ = self.conn.recv()
        if status != "ready":
            raise WorkerFailedError("query worker failed to start")

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


class QueryExecutor:
    """A pool of worker processes that run queries with a timeout."""

    def __init__(self, nquads: bytes, workers: int = 2, timeout: float = 30.0,
                 memory_mb: int = 0) -> None:
        self._nquads = nquads
        self.memory_mb = memory_mb
        self._size = workers
        self.timeout = timeout
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.replaced = 0

    # -- life cycle -------------------------------------------------------
    def start(self) -> None:
        started = [self._spawn() for _ in range(self._size)]
        for worker in started:
            worker.wait_ready(120)
            self._idle.put(worker)

    def _spawn(self) -> _Worker:
        worker = _Worker(self._context, self._nquads, self.memory_mb)
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
            except WorkerFailedError:
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

    # -- running queries ------------------------------------------------------
    def run(self, request: QueryRequest) -> QueryOutcome:
        """Run a query in a worker, blocking; raises on timeout or bad query.

        The timeout counts from when a worker takes the query. Waiting for a free
        worker (all busy, or one being replaced after a timeout) is bounded apart.
        """
        try:
            worker = self._idle.get(timeout=self.timeout + WORKER_WAIT_SECONDS)
        except queue.Empty as exc:
            raise WorkerBusyError(
                "no query worker became free in time; try again later"
            ) from exc
        try:
            worker.conn.send(request)
            if not worker.conn.poll(self.timeout):
                self._replace(worker)
                raise QueryTimeoutError(self.timeout)
            status, payload = worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError) as exc:
            worker.process.join(1)
            aborted = worker.process.exitcode == -signal.SIGABRT
            self._replace(worker)
            if aborted and self.memory_mb > 0:
                raise QueryOutOfMemoryError(self.memory_mb) from exc
            raise WorkerFailedError("the query worker stopped unexpectedly") from exc
        self._idle.put(worker)
        if status == "ok":
            return payload  # type: ignore[no-any-return]
        if status == "syntax":
            message, line, column = payload
            raise QuerySyntaxError(message, line, column)
        raise InputError(f"query failed: {payload}")

    async def execute(self, request: QueryRequest) -> QueryOutcome:
        """Run a query without blocking the event loop (timed for ``/metrics``)."""
        from .metrics import observe_query  # here: workers need not import prometheus

        with observe_query():
            return await anyio.to_thread.run_sync(self.run, request)
