"""A remote back end: any SPARQL 1.1 Protocol endpoint (Virtuoso, Fuseki, GraphDB, QLever,
the Oxigraph server…), spoken to over HTTP with a pooled ``httpx`` client.

The dataset
    This project's semantics hold whatever the store's own defaults are. The
    graphs of the dataset are the store's named graphs, minus the store's own
    system graphs (:data:`SYSTEM_GRAPHS`: Virtuoso's ``virtrdf#`` and the like),
    listed by one query and cached for ``ttl`` seconds. Every query is sent
    with an explicit dataset in the protocol parameters: ``default-graph-uri``
    once per graph of the default graph (the caller's list, or every graph of
    the dataset when it is ``None``: the union) and ``named-graph-uri`` once
    per named graph (likewise), always in a form-encoded ``POST`` so that
    thousands of graphs fit. An empty list is sent as one graph that holds
    nothing (:data:`EMPTY_GRAPH`), since the protocol cannot say "no graph".
    The store's unnamed default graph cannot be named in the protocol and is
    not part of the dataset. The Oxigraph server (told by its ``Server``
    header) is asked for the union with its own ``union-default-graph``
    parameter instead when neither list is given: it evaluates a join over the
    union 6x faster than over the same graphs listed one by one.

Dialects
    The store is recognised by its ``Server`` header. Virtuoso answers ``ASK``
    with a ``__ASK_RETVAL`` solution, writes booleans as ``1`` in JSON, labels
    blank nodes ``nodeID://…``, writes ``"1"^^xsd:decimal`` as the integer
    ``1`` in Turtle and leaves the ``?`` out of TSV headers: it is asked for XML
    results and N-Triples graphs, its blank node labels are made valid, and its
    answers are always written again. Virtuoso's merging of a query's ``FROM``
    with ``default-graph-uri`` (the protocol says the latter replaces it) is
    not undone; the tests list it.

Parsing
    The query form, which decides the ``Accept`` header, comes from a parse,
    never from the text: the caller's (:attr:`QueryRequest.form`), else that of
    the in-memory back end's engine on an empty store, which also reports the
    same syntax errors. Oxigraph evaluates an ``ASK`` as it parses it,
    ``SERVICE`` included: :meth:`RemoteBackend.ask` never parses here, and a
    request without a form must have passed
    :func:`alliance_ld.query_analysis.analyse`, which refuses ``SERVICE``.
    A query the store itself rejects (HTTP 400) is a
    :class:`~alliance_ld.errors.QuerySyntaxError` quoting the store, with the
    position it gives.

Results
    :meth:`RemoteBackend.evaluate` streams the store's answer through
    Oxigraph's parsers and applies the same caps as the in-memory back end
    (rows, and bytes counted over the terms). When the store answered in the
    requested format and nothing was cut, its bytes are passed on unchanged;
    otherwise the result is written again by the in-memory back end's
    serialisers. At most ``max_bytes`` of the store's answer are ever held;
    the connection is closed as soon as a cap is reached. CSV cannot be parsed
    back (it is lossy), so CSV results are asked for as JSON and written here.

The data version
    A remote store cannot announce its changes. :meth:`RemoteBackend.version`
    is ``<epoch>-<digest>``: the epoch is the wall-clock time divided by the
    time to live (so it changes every ``ttl`` seconds, at the same moment in
    every process), the digest hashes the graph list, the triple count of each
    graph and the number of updates made through this back end, computed at
    most once per ``ttl``. An answer cached under a version is therefore at
    most ``ttl`` seconds old; an update made through this back end changes the
    version at once.

Result caps of the store
    A store may cut an answer at its own row cap (Virtuoso's
    ``ResultSetMaxRows``, 10,000 in Debian's configuration). A cut SELECT
    carries Virtuoso's ``X-SPARQL-MaxRows`` header: a client's query is then
    answered as truncated, as if our own cap had cut it, and a read of this
    server's own (a page, a table) fails with the reason rather than showing
    part of the data. A CONSTRUCT is cut without a sign; dumps therefore check
    what they read against the graph's count and page through a graph bigger
    than :data:`DUMP_PAGE` triples (or than the cap, found by a short page)
    with ``LIMIT``/``OFFSET``, unordered and, if that comes short, again in
    the order ``?s ?p ?o`` (see :meth:`RemoteBackend._graph_triples`). On
    Virtuoso the order is given in a subquery (its "scrollable cursor"), since
    an ordered ``LIMIT``/``OFFSET`` beyond ``MaxSortedTopRows`` is refused there.

Errors
    A store that cannot be reached, times out or answers with an error status
    raises :class:`~alliance_ld.backend.BackendUnavailableError` naming the
    endpoint and the reason (with the first line of the store's message). The
    pooled client is not poisoned: the next call after the store returns works.
"""

from __future__ import annotations

import hashlib
import io
import re
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox

from ..errors import QuerySyntaxError
from . import Backend, BackendUnavailableError, QueryOutcome, QueryRequest, Row, Triple
from .oxigraph import (
    _syntax_error,
    _term_size,
    neutral,
    row_size,
    serialize_boolean,
    serialize_solutions,
    serialize_triples,
    solution_rows,
    take_capped,
)

#: Graphs a store keeps for itself, left out of the dataset (IRIs or IRI prefixes).
SYSTEM_GRAPHS: tuple[str, ...] = (
    "http://www.openlinksw.com/schemas/virtrdf#",  # Virtuoso's mapping schema
    "http://www.w3.org/ns/ldp#",  # Virtuoso's LDP support
    "http://localuriqaserver/",  # Virtuoso's service description, before a host is set
    "http://www.w3.org/2002/07/owl#",  # Virtuoso's inference rule set
)
#: Sent as the only graph of an empty default graph or an empty set of named graphs.
EMPTY_GRAPH = "urn:x-alliance-ld:empty-graph"

_FORM = "application/x-www-form-urlencoded"
JSON_RESULTS = "application/sparql-results+json"
XML_RESULTS = "application/sparql-results+xml"
TSV_RESULTS = "text/tab-separated-values"
N_TRIPLES = "application/n-triples"
#: Result formats read back from a store (CSV is not: it loses term types).
_READ_RESULTS = (JSON_RESULTS, XML_RESULTS, TSV_RESULTS)
#: Result formats a store's answer may be passed on in (TSV is not: Virtuoso's has no "?").
_PASSED_RESULTS = (JSON_RESULTS, XML_RESULTS)
_GRAPH_LIST = ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
_CHUNK_TRIPLES = 50_000
#: The most triples a dump reads with one CONSTRUCT (Virtuoso refuses a CONSTRUCT of a
#: million: its vectors hold at most 1,000,000 values).
DUMP_PAGE = 100_000
#: Virtuoso's header on an answer it cut at its ``ResultSetMaxRows``.
_CUT_HEADER = "x-sparql-maxrows"


#: What an IRIREF of SPARQL may not hold.
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def _iri(value: str) -> str:
    """``value`` written as an IRI in a query; a value that cannot be one is refused."""
    if _NOT_IN_IRI.search(value):
        raise ValueError(f"not an IRI: {value!r}")
    return f"<{value}>"


def _base(media_type: str | None) -> str:
    return (media_type or "").split(";", 1)[0].strip().lower()


class _Capped(io.RawIOBase):
    """A response body as a file: read as the parser asks, with a copy kept up to a cap."""

    def __init__(self, chunks: Iterator[bytes], keep: int) -> None:
        self._chunks = chunks
        self._pending = b""
        self._keep = keep
        self.copy: bytearray | None = bytearray()
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._pending = chunk
            self.size += len(chunk)
            if self.copy is not None:
                if len(self.copy) + len(chunk) > self._keep:
                    self.copy = None  # too big to pass on: written again, capped
                else:
                    self.copy += chunk
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


class RemoteBackend(Backend):
    """A SPARQL 1.1 Protocol endpoint, with this project's dataset semantics."""

    def __init__(self, query_url: str, update_url: str | None = None, *,
                 timeout: float = 60.0, connect_timeout: float = 5.0, ttl: float = 60.0,
                 system_graphs: Iterable[str] = SYSTEM_GRAPHS,
                 auth: httpx.Auth | tuple[str, str] | None = None,
                 dialect: str | None = None,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.query_url = query_url
        self.update_url = update_url
        self.ttl = ttl
        self.system_graphs = tuple(system_graphs)
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=connect_timeout), auth=auth,
            transport=transport, follow_redirects=True,
            limits=httpx.Limits(max_connections=16, max_keepalive_connections=8),
            headers={"User-Agent": "alliance-ld"})
        self._timeout = timeout
        self._probe = ox.Store()  # empty: parses queries and tells their form
        self._lock = threading.Lock()
        self._refreshing = threading.Lock()
        self._counts: dict[str, int] | None = None
        self._counted_epoch: int | None = None
        self._digest = ""  # of the counts, computed with them (asked on every request)
        self._updates = 0
        #: "virtuoso", "oxigraph" or "standard"; ``None``: told by the ``Server`` header.
        self.dialect = dialect

    def __repr__(self) -> str:
        return f"RemoteBackend({self.query_url!r})"

    # -- HTTP -----------------------------------------------------------------

    @contextmanager
    def _post(self, url: str, data: list[tuple[str, str]],
              accept: str) -> Iterator[httpx.Response]:
        """POST a form to the store; errors become BackendUnavailableError or QuerySyntaxError."""
        try:
            with self._client.stream("POST", url, content=urlencode(data).encode("ascii"),
                                     headers={"Accept": accept,
                                              "Content-Type": _FORM}) as response:
                if response.status_code >= 400:
                    self._fail(url, response)
                if self.dialect is None:  # from an answer, not from a proxy's error page
                    server = response.headers.get("server", "")
                    self.dialect = ("virtuoso" if server.startswith("Virtuoso") else
                                    "oxigraph" if server.startswith("Oxigraph") else "standard")
                yield response
        except httpx.ConnectError as exc:
            raise BackendUnavailableError(url, f"cannot connect ({_reason(exc)})") from exc
        except httpx.TimeoutException as exc:
            raise BackendUnavailableError(url, f"no answer within {self._timeout:g} s "
                                          f"({type(exc).__name__})") from exc
        except httpx.HTTPError as exc:
            raise BackendUnavailableError(url, f"{type(exc).__name__}: {_reason(exc)}") from exc

    def _fail(self, url: str, response: httpx.Response) -> None:
        text = b""
        for chunk in response.iter_bytes():
            text += chunk
            if len(text) > 4096:
                break
        lines = [line.strip() for line in text.decode("utf-8", "replace").splitlines()]
        first = next((line for line in lines if line), "")[:300]
        if response.status_code == 400:
            raise _store_syntax_error(url, first)
        raise BackendUnavailableError(
            url, f"HTTP {response.status_code} {response.reason_phrase}"
            + (f": {first}" if first else ""))

    # -- the dataset ----------------------------------------------------------

    def _is_virtuoso(self) -> bool:
        if self.dialect is None:
            self._graph_counts()  # the first answer tells
        return self.dialect == "virtuoso"

    def _is_system(self, graph: str) -> bool:
        return any(graph.startswith(prefix) for prefix in self.system_graphs)

    def _graph_counts(self) -> dict[str, int]:
        """The triple count of every graph of the dataset, fetched at most once per ``ttl``."""
        epoch = self._epoch()
        with self._lock:
            if self._counts is not None and self._counted_epoch == epoch:
                return self._counts
        with self._refreshing:  # one request to the store; the others wait for its answer
            with self._lock:
                if self._counts is not None and self._counted_epoch == epoch:
                    return self._counts
            return self._fetch_counts(epoch)

    def _fetch_counts(self, epoch: int) -> dict[str, int]:
        counts: dict[str, int] = {}
        accept = f"{JSON_RESULTS}, {XML_RESULTS};q=0.9"
        with self._post(self.query_url, [("query", _GRAPH_LIST)], accept) as response:
            _, _, result = self._read_results(response, 0)
            if not isinstance(result, ox.QuerySolutions):
                raise BackendUnavailableError(self.query_url, "answered SELECT with a boolean")
            try:
                for solution in result:
                    graph, number = solution["g"], solution["n"]
                    if isinstance(graph, ox.NamedNode) and isinstance(number, ox.Literal) \
                            and not self._is_system(graph.value):
                        counts[graph.value] = int(number.value)
            except (SyntaxError, ValueError) as exc:
                raise BackendUnavailableError(
                    self.query_url, f"answered the list of graphs with {exc}") from exc
        with self._lock:
            self._counts, self._counted_epoch = counts, epoch
            self._digest = _digest(counts, self._updates)
        return counts

    def _epoch(self) -> int:
        return int(time.time() // self.ttl) if self.ttl > 0 else time.monotonic_ns()

    def _dataset(self, default_graphs: Sequence[str] | None,
                 named_graphs: Sequence[str] | None) -> list[tuple[str, str]]:
        every = sorted(self._graph_counts())  # also tells the store's dialect
        if self.dialect == "oxigraph" and default_graphs is None and named_graphs is None:
            # Its own parameter (alone: it refuses it with a graph list): the union as a
            # union, 6x faster on a join than the same graphs listed one by one.
            return [("union-default-graph", "true")]
        default = list(default_graphs) if default_graphs is not None else every or []
        named = list(named_graphs) if named_graphs is not None else every or []
        params = [("default-graph-uri", g) for g in default or [EMPTY_GRAPH]]
        params += [("named-graph-uri", g) for g in named or [EMPTY_GRAPH]]
        return params

    def _probe_boolean(self, answer: bool) -> ox.QueryBoolean:
        """``answer`` as Oxigraph's boolean result, for its serialiser."""
        result = self._probe.query("ASK {}" if answer else "ASK { FILTER(false) }")
        assert isinstance(result, ox.QueryBoolean)
        return result

    def _kind(self, query: str, base_iri: str | None, form: str | None) -> str:
        """The kind of result of ``query``: "solutions", "boolean" or "graph".

        From the caller's parse when it gives the form: then nothing of the query
        runs here. Otherwise from Oxigraph's parse, on an empty store: it raises
        the same syntax errors as the in-memory back end. Oxigraph evaluates a
        SELECT, CONSTRUCT or DESCRIBE only as its solutions are read (never, here)
        but an ASK at once, and would call the ``SERVICE`` endpoints of one:
        :meth:`ask` therefore never parses here, and a query in
        :class:`QueryRequest` carries its form or has passed
        :func:`alliance_ld.query_analysis.analyse`, which refuses ``SERVICE``.
        """
        if form is not None:
            return _KINDS[form.upper()]
        try:
            result = self._probe.query(query, base_iri=base_iri)
        except SyntaxError as exc:
            raise _syntax_error(exc) from exc
        if isinstance(result, ox.QueryTriples):
            return "graph"
        return "boolean" if isinstance(result, ox.QueryBoolean) else "solutions"

    # -- queries --------------------------------------------------------------

    def _results_accept(self, wanted: str) -> str:
        """What to ask the store for when ``wanted`` results are to be given."""
        if self._is_virtuoso():
            # Virtuoso's JSON writes booleans as "1"/"0"; its XML keeps them.
            return XML_RESULTS
        if wanted in _PASSED_RESULTS:
            return wanted if wanted == JSON_RESULTS else f"{wanted}, {JSON_RESULTS};q=0.5"
        return JSON_RESULTS

    def _graph_accept(self, wanted: str) -> str:
        """What to ask the store for when a graph in ``wanted`` is to be given."""
        if self._is_virtuoso() or ox.RdfFormat.from_media_type(wanted) not in _PASSED_GRAPHS:
            # Virtuoso's Turtle writes "1"^^xsd:decimal as 1, an xsd:integer.
            return N_TRIPLES
        return wanted if wanted == N_TRIPLES else f"{wanted}, {N_TRIPLES};q=0.5"

    def evaluate(self, request: QueryRequest) -> QueryOutcome:
        kind = self._kind(request.query, request.base_iri, request.form)
        query = request.query
        if request.base_iri:
            query = f"BASE {_iri(request.base_iri)}\n{query}"
        data = [("query", query), *self._dataset(request.default_graphs,
                                                  request.named_graphs)]
        if kind == "graph":
            wanted = request.graph_media_type or "text/turtle"
            if ox.RdfFormat.from_media_type(wanted) is None:
                raise ValueError(f"no RDF serialiser for {wanted}")
            with self._post(self.query_url, data, self._graph_accept(wanted)) as response:
                return self._graph_outcome(response, request, wanted)
        wanted = request.results_media_type or JSON_RESULTS
        if ox.QueryResultsFormat.from_media_type(wanted) is None:
            raise ValueError(f"no SPARQL results serialiser for {wanted}")
        with self._post(self.query_url, data, self._results_accept(wanted)) as response:
            return self._results_outcome(response, request, wanted, kind == "boolean")

    def _read_results(self, response: httpx.Response, keep: int
                      ) -> tuple[str, _Capped, ox.QuerySolutions | ox.QueryBoolean]:
        got = _base(response.headers.get("content-type"))
        fmt = ox.QueryResultsFormat.from_media_type(got) if got in _READ_RESULTS else None
        if fmt is None:
            raise BackendUnavailableError(self.query_url,
                                          f"answered a query with unreadable results ({got})")
        chunks = response.iter_bytes()
        if self._is_virtuoso():  # blank nodes labelled nodeID://b123
            chunks = _replaced(chunks, b"nodeID://", b"")
        body = _Capped(chunks, keep)
        try:
            return got, body, ox.parse_query_results(io.BufferedReader(body), fmt)
        except SyntaxError as exc:
            raise BackendUnavailableError(
                self.query_url, f"answered with results that do not parse: {exc}") from exc

    def _results_outcome(self, response: httpx.Response, request: QueryRequest,
                         wanted: str, boolean: bool) -> QueryOutcome:
        got, body, result = self._read_results(response, request.max_bytes)
        store_cut = _CUT_HEADER in response.headers
        passed = got == wanted and not self._is_virtuoso() and not store_cut
        try:
            if boolean:
                answer = _boolean(result)
                if passed and isinstance(result, ox.QueryBoolean) and body.copy is not None:
                    return QueryOutcome("boolean", wanted, bytes(body.copy), 1, False)
                return QueryOutcome("boolean", wanted,
                                    serialize_boolean(self._probe_boolean(answer), wanted), 1,
                                    False)
            if not isinstance(result, ox.QuerySolutions):
                raise BackendUnavailableError(self.query_url, "answered SELECT with a boolean")
            variables, all_rows = solution_rows(result)
            rows, truncated = take_capped(all_rows, request.max_rows, request.max_bytes,
                                          row_size)
            truncated = truncated or store_cut
        except SyntaxError as exc:
            raise BackendUnavailableError(
                self.query_url, f"answered with results that do not parse: {exc}") from exc
        if not truncated and passed and body.copy is not None:
            return QueryOutcome("solutions", wanted, bytes(body.copy), len(rows), False)
        link = request.truncation_link if truncated else None
        return QueryOutcome("solutions", wanted,
                            serialize_solutions(variables, rows, wanted, link), len(rows),
                            truncated)

    def _graph_outcome(self, response: httpx.Response, request: QueryRequest,
                       wanted: str) -> QueryOutcome:
        got = _base(response.headers.get("content-type"))
        fmt = ox.RdfFormat.from_media_type(got) if got else None
        if fmt is None:
            raise BackendUnavailableError(self.query_url,
                                          f"answered a query with an unreadable graph ({got})")
        body = _Capped(response.iter_bytes(), request.max_bytes)
        try:
            triples, truncated = take_capped(
                (quad.triple for quad in ox.parse(io.BufferedReader(body), fmt)),
                request.max_rows, request.max_bytes, _term_size)
        except SyntaxError as exc:
            raise BackendUnavailableError(
                self.query_url, f"answered with a graph that does not parse: {exc}") from exc
        if not truncated and _base(wanted) == got and body.copy is not None:
            return QueryOutcome("graph", wanted, bytes(body.copy), len(triples), False)
        return QueryOutcome("graph", wanted,
                            serialize_triples(triples, wanted, request.prefixes),
                            len(triples), truncated)

    def stream(self, request: QueryRequest) -> Streamed:
        """``evaluate(request)``, with the body in chunks; see :class:`Streamed`.

        A CONSTRUCT or DESCRIBE asked in N-Triples, which the store answers in
        N-Triples, streams: its lines pass on as they arrive, checked and counted
        triple by triple against the same caps (a document cut after a line is
        still a whole document), so nothing of its size is held. Any other
        request is evaluated and its body given as one chunk.
        """
        kind = self._kind(request.query, request.base_iri, request.form)
        wanted = request.graph_media_type or "text/turtle"
        if kind != "graph" or _base(wanted) != N_TRIPLES:
            outcome = self.evaluate(request)
            return Streamed(outcome.kind, outcome.media_type, iter([outcome.body]),
                            outcome.rows, outcome.truncated)
        query = request.query
        if request.base_iri:
            query = f"BASE {_iri(request.base_iri)}\n{query}"
        data = [("query", query), *self._dataset(request.default_graphs,
                                                  request.named_graphs)]
        streamed = Streamed("graph", wanted, iter(()), 0, False)
        streamed.chunks = self._ntriples_lines(data, request, streamed)
        return streamed

    def _ntriples_lines(self, data: list[tuple[str, str]], request: QueryRequest,
                        streamed: Streamed) -> Iterator[bytes]:
        size = 0
        with self._post(self.query_url, data, N_TRIPLES) as response:
            got = _base(response.headers.get("content-type"))
            if got != N_TRIPLES:  # written again, as evaluate() would
                body = self._graph_outcome(response, request, request.graph_media_type
                                           or N_TRIPLES)
                streamed.rows, streamed.truncated = body.rows, body.truncated
                yield body.body
                return
            tail = b""
            for chunk in response.iter_bytes():
                lines = (tail + chunk).split(b"\n")
                tail = lines.pop()
                out = self._checked_lines(lines, request, streamed, size)
                size = out[1]
                if out[0]:
                    yield out[0]
                if streamed.truncated:
                    return
            if tail.strip():
                out = self._checked_lines([tail], request, streamed, size)
                if out[0]:
                    yield out[0]

    def _checked_lines(self, lines: list[bytes], request: QueryRequest, streamed: Streamed,
                       size: int) -> tuple[bytes, int]:
        """The lines that fit the caps, parsed; sets ``streamed.truncated`` at a cap."""
        texts = [text for text in (line.strip() for line in lines)
                 if text and not text.startswith(b"#")]
        try:
            triples = [q.triple for q in ox.parse(b"\n".join(texts) + b"\n",
                                                    ox.RdfFormat.N_TRIPLES)]
        except SyntaxError as exc:
            raise BackendUnavailableError(
                self.query_url, f"answered with a graph that does not parse: {exc}") from exc
        if len(triples) != len(texts):  # N-Triples: one triple a line
            raise BackendUnavailableError(self.query_url,
                                          "answered with N-Triples of several triples a line")
        kept = 0
        for triple in triples:
            size += _term_size(triple)
            if streamed.rows == request.max_rows or size > request.max_bytes:
                streamed.truncated = True
                break
            streamed.rows += 1
            kept += 1
        return b"".join(text + b"\n" for text in texts[:kept]), size

    def _solutions(self, query: str, default_graphs: Sequence[str] | None,
                   named_graphs: Sequence[str] | None) -> _Solutions | ox.QueryBoolean:
        data = [("query", query), *self._dataset(default_graphs, named_graphs)]
        with self._post(self.query_url, data, self._results_accept(JSON_RESULTS)) as response:
            if _CUT_HEADER in response.headers:
                raise BackendUnavailableError(
                    self.query_url, f"cut its answer at {response.headers[_CUT_HEADER]} rows "
                    "(its result cap, such as Virtuoso's ResultSetMaxRows), where every row "
                    "is needed: raise the cap")
            # read to the end while the response is open: the rows are all wanted
            _, _, result = self._read_results(response, 0)
            if isinstance(result, ox.QueryBoolean):
                return result
            try:
                return _Solutions([v.value for v in result.variables], list(result))
            except SyntaxError as exc:
                raise BackendUnavailableError(
                    self.query_url, f"answered with results that do not parse: {exc}") from exc

    def select(self, query: str, *, default_graphs: Sequence[str] | None = None,
               named_graphs: Sequence[str] | None = None) -> list[Row]:
        if self._kind(query, None, None) != "solutions":
            raise TypeError("select() needs a SELECT query")
        result = self._solutions(query, default_graphs, named_graphs)
        if not isinstance(result, _Solutions):
            raise BackendUnavailableError(self.query_url, "answered SELECT with a boolean")
        rows: list[Row] = []
        for solution in result.solutions:
            row: Row = {}
            for name in result.variables:
                value = solution[name]
                if value is not None:
                    row[name] = neutral(value)
            rows.append(row)
        return rows

    def ask(self, query: str, *, default_graphs: Sequence[str] | None = None,
            named_graphs: Sequence[str] | None = None) -> bool:
        # Not parsed here (see _kind): the store's answer tells a query that is no ASK.
        result = self._solutions(query, default_graphs, named_graphs)
        if isinstance(result, _Solutions) and result.variables != [_VIRTUOSO_ASK]:
            raise TypeError("ask() needs an ASK query")
        return _boolean(result)

    def construct(self, query: str, *, default_graphs: Sequence[str] | None = None,
                  named_graphs: Sequence[str] | None = None) -> list[Triple]:
        if self._kind(query, None, None) != "graph":
            raise TypeError("construct() needs a CONSTRUCT or DESCRIBE query")
        return [(neutral(t.subject), neutral(t.predicate), neutral(t.object))  # type: ignore[misc]
                for t in self._triples(query, default_graphs, named_graphs)]

    def _triples(self, query: str, default_graphs: Sequence[str] | None,
                 named_graphs: Sequence[str] | None) -> Iterator[ox.Triple]:
        data = [("query", query), *self._dataset(default_graphs, named_graphs)]
        with self._post(self.query_url, data, N_TRIPLES) as response:
            got = _base(response.headers.get("content-type"))
            fmt = ox.RdfFormat.from_media_type(got) if got else None
            if fmt is None:
                raise BackendUnavailableError(
                    self.query_url, f"answered CONSTRUCT with an unreadable graph ({got})")
            try:
                for quad in ox.parse(io.BufferedReader(_Capped(response.iter_bytes(), 0)), fmt):
                    yield quad.triple
            except SyntaxError as exc:
                raise BackendUnavailableError(
                    self.query_url, f"answered with a graph that does not parse: {exc}") from exc

    # -- writes, dumps, counts, version ---------------------------------------

    def update(self, sparql: str) -> None:
        if self.update_url is None:
            raise BackendUnavailableError(self.query_url,
                                          "read-only: no SPARQL update endpoint was given")
        with self._post(self.update_url, [("update", sparql)], "*/*") as response:
            response.read()
        with self._lock:
            self._updates += 1
            self._counts = None

    def dump(self, media_type: str, graph: str | None = None,
             prefixes: Mapping[str, str] | None = None) -> Iterator[bytes]:
        """Each graph read with ``CONSTRUCT … GRAPH`` in N-Triples (in pages when it is big,
        see :meth:`_graph_triples`) and written in chunks.

        The dataset (``graph=None``) needs a quads format; blank nodes get labels
        of their graph, so that nodes of two graphs stay apart. With ``prefixes``,
        each Turtle or TriG chunk declares them (a redeclaration is valid syntax).
        """
        fmt = ox.RdfFormat.from_media_type(media_type)
        if fmt is None:
            raise ValueError(f"no RDF serialiser for {media_type}")
        quads = fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG)
        if graph is None and not quads:
            raise ValueError(f"{media_type} holds one graph: the dataset needs N-Quads or TriG")
        graphs = [graph] if graph is not None else self.graphs()
        kwargs: dict[str, Any] = {}
        if prefixes and fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
            kwargs["prefixes"] = dict(prefixes)
        for number, name in enumerate(graphs):
            target = ox.NamedNode(name) if quads else None
            chunk: list[Any] = []
            for triple in self._graph_triples(name):
                if target is not None:
                    chunk.append(ox.Quad(_relabel(triple.subject, number), triple.predicate,
                                         _relabel(triple.object, number), target))
                else:
                    chunk.append(triple)
                if len(chunk) == _CHUNK_TRIPLES:
                    yield ox.serialize(chunk, format=fmt, **kwargs) or b""
                    chunk = []
            if chunk:
                yield ox.serialize(chunk, format=fmt, **kwargs) or b""

    def _graph_triples(self, name: str) -> Iterator[ox.Triple]:
        """Every triple of graph ``name`` once, checked against its count.

        Read in pages of at most :data:`DUMP_PAGE` triples with ``LIMIT``/``OFFSET``
        and no order (a graph that fits is read with one plain CONSTRUCT); a page the
        store cut (at its own result cap) sets the size of the next ones. A store may
        order the pages differently, so a triple given twice is passed on once, and if
        some are then missing the graph is read again in pages ordered by ``?s ?p ?o``
        (correct whatever the store does, and slower: each page sorts the graph) for
        the ones not given yet. A dump that still does not match the count fails with
        the numbers: nothing is published cut. What was given is remembered by its
        hash, so a collision could only make the dump fail, never come short silently.
        """
        _iri(name)  # refused before anything is sent
        expected = self.count(name)
        given: set[int] = set()
        for ordered in (False, True):
            for triple in self._pages(name, expected, ordered):
                key = hash(triple)
                if key not in given:
                    given.add(key)
                    yield triple
            if len(given) >= expected:
                break
        if len(given) != expected:
            raise BackendUnavailableError(
                self.query_url, f"gave {len(given)} of the {expected} triples of graph "
                f"<{name}> (the data changed during the dump, or the store cut its answers)")

    def _pages(self, name: str, expected: int, ordered: bool) -> Iterator[ox.Triple]:
        where = f"GRAPH {_iri(name)} {{ ?s ?p ?o }}"
        page, read = DUMP_PAGE, 0
        while read < expected:
            if ordered and self._is_virtuoso():  # its "scrollable cursor": see the module
                query = (f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {{ SELECT ?s ?p ?o WHERE "
                         f"{{ {where} }} ORDER BY ?s ?p ?o }} }} LIMIT {page} OFFSET {read}")
            elif ordered:
                query = (f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {where} }} ORDER BY ?s ?p ?o "
                         f"LIMIT {page} OFFSET {read}")
            elif read == 0 and expected <= page:
                query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {where} }}"
            else:
                query = (f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {where} }} "
                         f"LIMIT {page} OFFSET {read}")
            got = 0
            for triple in self._triples(query, None, [name]):
                got += 1
                yield triple
            if got == 0:
                return
            read += got
            page = min(page, got)  # the store's cap, when it cut this page

    def graphs(self) -> list[str]:
        return sorted(self._graph_counts())

    def count(self, graph: str | None = None) -> int:
        counts = self._graph_counts()
        if graph is None:
            return sum(counts.values())
        return counts.get(graph, 0)

    def version(self) -> str:
        """``<epoch>-<digest>``: changes every ``ttl`` seconds, and with the data as seen."""
        digest = self.content_version()
        return f"{self._counted_epoch}-{digest}"

    def known_version(self) -> str | None:
        """:meth:`version` while the graph counts of this time-to-live period are known;
        ``None`` when finding it means asking the store."""
        with self._lock:
            known = self._counts is not None and self._counted_epoch == self._epoch()
        return self.version() if known else None

    def content_version(self) -> str:
        """The digest alone: the graph list, each graph's count and the updates made here.

        It changes only when those do (an edit that keeps every count is not seen), so
        it suits what is costly to rebuild and may be a little stale (downloads, VoID),
        where :meth:`version`, which also changes every ``ttl``, would rebuild it each time.
        """
        self._graph_counts()
        with self._lock:
            return self._digest

    def close(self) -> None:
        self._client.close()


#: Graph formats a store's answer may be passed on in.
_PASSED_GRAPHS = (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML)


@dataclass
class Streamed:
    """A result whose body comes in chunks (:meth:`RemoteBackend.stream`).

    ``rows`` and ``truncated`` are final once ``chunks`` is exhausted; the
    connection to the store is open until then (or until ``chunks`` is closed).
    """

    kind: str
    media_type: str
    chunks: Iterator[bytes]
    rows: int
    truncated: bool

    def __iter__(self) -> Iterator[bytes]:
        return self.chunks


@dataclass(frozen=True)
class _Solutions:
    """Solutions read to the end (the response is closed)."""

    variables: list[str]
    solutions: list[ox.QuerySolution]


#: Where a store says a syntax error is: Oxigraph's "error at 1:38: …", Virtuoso's
#: "SPARQL compiler, line 1: …".
_STORE_POSITION = re.compile(r"^error at (\d+):(\d+): |SPARQL compiler, line (\d+): ")


def _store_syntax_error(url: str, first_line: str) -> QuerySyntaxError:
    """A request the store refused (HTTP 400), with the position if the store gave one."""
    message = f"the store at {url} rejected the request: {first_line}"
    found = _STORE_POSITION.search(first_line)
    if found is None:
        return QuerySyntaxError(message)
    if found[3] is not None:
        return QuerySyntaxError(message, int(found[3]))
    return QuerySyntaxError(message, int(found[1]), int(found[2]))


_KINDS = {"SELECT": "solutions", "ASK": "boolean", "CONSTRUCT": "graph", "DESCRIBE": "graph"}
_VIRTUOSO_ASK = "__ASK_RETVAL"


def _boolean(result: Any) -> bool:
    """An ASK answer; Virtuoso answers ASK with one solution binding ``__ASK_RETVAL`` to 1,
    or none, rather than a boolean."""
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    solutions = result.solutions if isinstance(result, _Solutions) else list(result)
    for solution in solutions:
        for value in solution:
            if value is not None and getattr(value, "value", "") not in ("0", "false"):
                return True
    return False


def _replaced(chunks: Iterator[bytes], old: bytes, new: bytes) -> Iterator[bytes]:
    """``chunks`` with ``old`` replaced by ``new``, also where ``old`` spans two chunks."""
    tail = b""
    for chunk in chunks:
        data = (tail + chunk).replace(old, new)
        keep = next((k for k in range(min(len(old) - 1, len(data)), 0, -1)
                     if old.startswith(data[-k:])), 0)
        tail = data[len(data) - keep:] if keep else b""
        yield data[:len(data) - keep]
    if tail:
        yield tail


def _digest(counts: Mapping[str, int], updates: int) -> str:
    digest = hashlib.sha256()
    for name in sorted(counts):
        digest.update(f"{name} {counts[name]}\n".encode())
    digest.update(f"updates {updates}".encode())
    return digest.hexdigest()[:16]


def _relabel(term: Any, graph_number: int) -> Any:
    if isinstance(term, ox.BlankNode):
        return ox.BlankNode(f"g{graph_number}x{term.value}")
    return term


def _reason(exc: httpx.HTTPError) -> str:
    text = str(exc) or type(exc).__name__
    if "Connection refused" in text or "Errno 111" in text:
        return "connection refused"
    return text.splitlines()[0][:200]
