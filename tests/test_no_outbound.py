"""The endpoint never makes an outbound request, by any spelling, through any door.

A canary listener on loopback counts connections. A corpus of spellings of
SERVICE, FROM, FROM NAMED, LOAD and dataset parameters (escapes, comments,
case, relative and prefixed IRIs, variables, nesting) goes through every way a
query reaches the engine: GET, POST form, POST ``application/sparql-query``, the
HTML editor and the named-query API (the spellings served as named queries with
``--queries``); a hypothesis strategy mutates them further. Not one connection,
ever. Below that, the workers themselves are shown unable to connect even when
asked directly, and the server refuses to start where they cannot be confined.
"""

from __future__ import annotations

import errno
import multiprocessing
import pickle
import re
import socket
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from live_server import ROOT, Listener, LiveServer, live_server, run_serve

from alliance_ld.sandbox import ARCHES, build_filter, seccomp_mode
from alliance_ld.sparql import QueryExecutor

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="seccomp is Linux's")

# {u}: the canary's URL; {host}/{port}: its parts. Each spelling makes an engine that
# honoured it reach the canary.
SERVICE = [
    "SELECT * WHERE {{ SERVICE <{u}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SERVICE SILENT <{u}> {{ ?s ?p ?o }} }}",
    "select * where {{ service <{u}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SeRvIcE sIlEnT <{u}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ \\u0053ERVICE <{u}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SERV\\U00000049CE <{u}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SERVICE <http://{host}:{port_esc}/sparql> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SERVICE#comment\n<{u}>#more\n{{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ #x SERVICE\nSERVICE\t\r\n <{u}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SERVICE SILENT # a comment between\n <{u}> {{ ?s ?p ?o }} }}",
    # The regular expression's blind spots: escapes in prefixed names, quotes, long strings.
    "PREFIX ex: <http://e.example/> SELECT * WHERE {{ BIND(ex:a\\# AS ?q) "
    "SERVICE <{u}> {{ ?a ?b ?c }} }}",
    "PREFIX ex: <http://e.example/> SELECT * WHERE {{ BIND(ex:\\'a AS ?q) "
    "SERVICE <{u}> {{ ?a ?b ?c }} }}",
    "PREFIX ex: <http://e.example/> SELECT * WHERE {{ BIND(ex:a\\\"b AS ?q) "
    "SERVICE <{u}> {{ ?a ?b ?c }} }}",
    "SELECT * WHERE {{ BIND(\"a\\\"#\" AS ?q) SERVICE <{u}> {{ ?a ?b ?c }} }}",
    "SELECT * WHERE {{ BIND('''#\n'' }}''' AS ?q) SERVICE <{u}> {{ ?a ?b ?c }} }}",
    "SELECT * WHERE {{ BIND(\"\"\"<\"\"\" AS ?q) SERVICE <{u}> {{ ?a ?b ?c }} }}",
    # Where the IRI comes from.
    "BASE <{u}> SELECT * WHERE {{ SERVICE <> {{ ?s ?p ?o }} }}",
    "BASE <http://{host}:{port}/> SELECT * WHERE {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
    "PREFIX r: <http://{host}:{port}/> SELECT * WHERE {{ SERVICE r:sparql {{ ?s ?p ?o }} }}",
    "PREFIX : <{u}> SELECT * WHERE {{ SERVICE : {{ ?s ?p ?o }} }}",
    "PREFIX service: <{u}#> SELECT * WHERE {{ SERVICE service:x {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ VALUES ?svc {{ <{u}> }} SERVICE ?svc {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ BIND(<{u}> AS ?svc) SERVICE ?svc {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ BIND(IRI(CONCAT(\"http://{host}:\", \"{port}/\")) AS ?svc) "
    "SERVICE SILENT ?svc {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SERVICE ?svc {{ ?s ?p ?o }} }} VALUES ?svc {{ <{u}> }}",
    # Nesting.
    "SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{u}> {{ ?s ?p ?o }} }} }} }}",
    "SELECT * WHERE {{ {{ ?s ?p ?o }} UNION {{ SERVICE <{u}> {{ ?s ?p ?o }} }} }}",
    "SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE <{u}> {{ ?s ?p ?o }} }} }}",
    "SELECT * WHERE {{ ?s ?p ?o MINUS {{ SERVICE <{u}> {{ ?s ?p ?o }} }} }}",
    "SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE <{u}> {{ ?s ?p ?o }} }} }}",
    "SELECT * WHERE {{ ?s ?p ?o FILTER NOT EXISTS {{ SERVICE <{u}> {{ }} }} }}",
    "SELECT ?x WHERE {{ BIND(EXISTS {{ SERVICE <{u}> {{ ?s ?p ?o }} }} AS ?x) }}",
    "SELECT * WHERE {{ GRAPH ?g {{ SERVICE <{u}> {{ ?s ?p ?o }} }} }}",
    "SELECT * WHERE {{ {{ {{ {{ SERVICE <{u}> {{ SERVICE <{u}> {{ ?s ?p ?o }} }} }} }} }} }}",
    "ASK {{ SERVICE <{u}> {{ ?s ?p ?o }} }}",
    "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{u}> {{ ?s ?p ?o }} }}",
    "CONSTRUCT WHERE {{ SERVICE <{u}> {{ ?s ?p ?o }} }}",
    "DESCRIBE ?s WHERE {{ SERVICE <{u}> {{ ?s ?p ?o }} }}",
    "SELECT (COUNT(*) AS ?n) WHERE {{ SERVICE <{u}> {{ ?s ?p ?o }} }} GROUP BY ?s",
]
#: Updates sent as queries: refused (read-only), never run.
UPDATES = [
    "LOAD <{u}>",
    "load silent <{u}> into graph <http://example.org/g>",
    "PREFIX r: <http://{host}:{port}/> LOAD r:data",
    "INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{u}> {{ ?s ?p ?o }} }}",
    "CLEAR ALL ; LOAD <{u}>",
]
#: Dataset clauses name graphs of this store; the canary is an empty graph, never fetched.
DATASETS = [
    "SELECT (COUNT(*) AS ?n) FROM <{u}> WHERE {{ ?s ?p ?o }}",
    "SELECT (COUNT(*) AS ?n) FROM NAMED <{u}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    "PREFIX r: <http://{host}:{port}/> SELECT (COUNT(*) AS ?n) FROM r:g FROM NAMED r:h "
    "WHERE {{ ?s ?p ?o }}",
    "BASE <http://{host}:{port}/> SELECT (COUNT(*) AS ?n) from <g> WHERE {{ ?s ?p ?o }}",
    "SELECT (COUNT(*) AS ?n) FROM <http://{host}:{port_esc}/g> WHERE {{ ?s ?p ?o }}",
]


def spell(template: str, port: int) -> str:
    host = "127.0.0.1"
    digits = str(port)
    return template.format(u=f"http://{host}:{port}/sparql", host=host, port=port,
                           port_esc=f"\\u{ord(digits[0]):04X}{digits[1:]}")


@dataclass
class Case:
    template: str
    kind: str  # "service", "update" or "dataset"


CORPUS = ([Case(t, "service") for t in SERVICE] + [Case(t, "update") for t in UPDATES]
          + [Case(t, "dataset") for t in DATASETS])


def test_the_corpus_is_large_enough() -> None:
    assert len(SERVICE) >= 30 and len(CORPUS) >= 45


@pytest.fixture(scope="module")
def canary() -> Iterator[Listener]:
    running = Listener()
    yield running
    running.close()


@pytest.fixture(scope="module")
def served(canary: Listener, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A live server whose named queries are the corpus (``q00.rq``…)."""
    folder = tmp_path_factory.mktemp("named")
    for number, case in enumerate(CORPUS):
        text = spell(case.template, canary.port)
        (folder / f"q{number:02d}.rq").write_text(f"# q{number:02d}: {case.kind}\n{text}\n")
    with live_server("--queries", str(folder), "--workers", "2", "--client-queries", "2",
                     public=False) as running:
        yield running


def _send(server: LiveServer, door: str, query: str, number: int) -> httpx.Response:
    url = server.url + "sparql"
    if door == "get":
        return httpx.get(url, params={"query": query}, timeout=30)
    if door == "form":
        return httpx.post(url, data={"query": query}, timeout=30)
    if door == "direct":
        return httpx.post(url, content=query.encode("utf-8"), timeout=30,
                          headers={"Content-Type": "application/sparql-query"})
    if door == "editor":
        return httpx.get(url, params={"query": query}, timeout=30,
                         headers={"Accept": "text/html,application/xhtml+xml"})
    if door == "named":
        return httpx.get(server.url + f"queries/q{number:02d}", timeout=30)
    raise AssertionError(door)


DOORS = ("get", "form", "direct", "editor", "named")


@pytest.mark.parametrize("door", DOORS)
def test_no_spelling_reaches_the_canary(served: LiveServer, canary: Listener,
                                        door: str) -> None:
    before = canary.connections
    for number, case in enumerate(CORPUS):
        query = spell(case.template, canary.port)
        response = _send(served, door, query, number)
        expected = 200 if case.kind == "dataset" else 400
        assert response.status_code == expected, (door, query, response.text[:300])
        assert "Traceback" not in response.text
        if case.kind == "dataset" and door != "editor":
            assert response.json()["results"]["bindings"] == [
                {"n": {"type": "literal", "value": "0",
                       "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]
        if case.kind == "service" and door != "editor":
            assert response.text.startswith(("SERVICE is not supported", "SPARQL syntax error"))
    assert canary.connections == before == 0


def test_the_editor_shows_why_a_service_query_is_refused(served: LiveServer,
                                                         canary: Listener) -> None:
    query = spell(SERVICE[0], canary.port)
    response = _send(served, "editor", query, 0)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "SERVICE is not supported" in response.text
    assert canary.connections == 0


@pytest.mark.parametrize("door", ["get", "form", "direct"])
def test_dataset_parameters_name_empty_graphs_never_fetched(served: LiveServer,
                                                            canary: Listener, door: str) -> None:
    url = served.url + "sparql"
    query = "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
    graphs = {"default-graph-uri": spell("{u}", canary.port),
              "named-graph-uri": spell("http://{host}:{port}/named", canary.port)}
    if door == "get":
        response = httpx.get(url, params={"query": query, **graphs})
    elif door == "form":
        response = httpx.post(url, data={"query": query, **graphs})
    else:
        response = httpx.post(url, params=graphs, content=query,
                              headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 200
    assert response.json()["results"]["bindings"][0]["n"]["value"] == "0"
    assert canary.connections == 0


@pytest.mark.parametrize("template", UPDATES)
def test_updates_by_parameter_are_refused_without_a_request(served: LiveServer,
                                                           canary: Listener,
                                                           template: str) -> None:
    update = spell(template, canary.port)
    url = served.url + "sparql"
    assert httpx.post(url, data={"update": update}).status_code == 403
    assert httpx.post(url, content=update, headers={
        "Content-Type": "application/sparql-update"}).status_code == 403
    assert httpx.get(url, params={"update": update}).status_code == 403
    assert canary.connections == 0


# ---------------------------------------------------------------------------
# Mutations: whatever hypothesis makes of the spellings, nothing connects

_KEYWORD = re.compile(r"SERVICE|SILENT|SELECT|WHERE|FROM|NAMED|LOAD|BIND|VALUES|OPTIONAL",
                      re.IGNORECASE)


@st.composite
def mutated(draw: st.DrawFn, port: int) -> str:
    query = spell(draw(st.sampled_from(SERVICE + UPDATES)), port)

    def keyword(match: re.Match[str]) -> str:
        out = []
        for char in match[0]:
            how = draw(st.sampled_from(["keep", "case", "u", "U"]))
            if how == "case":
                out.append(char.swapcase())
            elif how == "u":
                out.append(f"\\u{ord(char):04X}")
            elif how == "U":
                out.append(f"\\U{ord(char):08x}")
            else:
                out.append(char)
        return "".join(out)

    if draw(st.booleans()):
        query = _KEYWORD.sub(keyword, query)
    spaces = st.sampled_from([" ", "\t", "\n", "\r\n", " #c\n", "\n# { SERVICE\n", "  "])
    query = re.sub(" ", lambda _: draw(spaces), query)
    wrap = draw(st.sampled_from(["", "opt", "union", "sub", "exists", "minus"]))
    if wrap and query.lstrip().upper().startswith("SELECT") and "{" in query:
        head, _, tail = query.partition("{")
        body = "{" + tail
        body = {"opt": f"{{ ?x ?y ?z OPTIONAL {body} }}",
                "union": f"{{ {{ ?x ?y ?z }} UNION {body} }}",
                "sub": f"{{ {{ SELECT * WHERE {body} }} }}",
                "exists": f"{{ ?x ?y ?z FILTER EXISTS {body} }}",
                "minus": f"{{ ?x ?y ?z MINUS {body} }}"}[wrap]
        query = head + body
    if draw(st.booleans()):
        query = "PREFIX e: <http://e.example/> " + query.replace(
            "WHERE {", "WHERE { BIND(e:x\\#y AS ?zz) ", 1)
    return query


def test_mutated_spellings_never_connect(served: LiveServer, canary: Listener) -> None:
    seen: list[int] = []

    @settings(max_examples=150, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(query=mutated(canary.port), door=st.sampled_from(["get", "form", "direct"]))
    def check(query: str, door: str) -> None:
        response = _send(served, door, query, 0)
        seen.append(response.status_code)
        assert response.status_code in (200, 400), (query, response.text[:300])
        assert "Traceback" not in response.text
        assert canary.connections == 0, query

    check()
    assert canary.connections == 0
    assert 400 in seen


# ---------------------------------------------------------------------------
# The workers cannot connect, even when asked directly


class Connect:
    """Unpickling this object opens a TCP connection: a job that asks a worker to connect."""

    def __init__(self, port: int) -> None:
        self.port = port

    def __reduce__(self) -> tuple[Any, ...]:
        return (socket.create_connection, (("127.0.0.1", self.port), 2))


def _unpickle(data: bytes) -> None:  # runs in an ordinary, unconfined process
    try:
        pickle.loads(data)
    except OSError:
        pass


def test_an_unconfined_process_given_the_job_does_connect(listener: Listener) -> None:
    """The control: the job below really makes a connection where nothing stops it."""
    process = multiprocessing.get_context("spawn").Process(
        target=_unpickle, args=(pickle.dumps(Connect(listener.port)),))
    process.start()
    process.join(30)
    deadline = time.monotonic() + 5
    while listener.connections == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert listener.connections == 1


def test_a_query_worker_asked_directly_cannot_connect(canary: Listener) -> None:
    before = canary.connections
    executor = QueryExecutor(b"", workers=1, timeout=10)
    executor.start()
    try:
        worker = executor._idle.get(timeout=5)  # noqa: SLF001 - talking to the worker itself
        assert seccomp_mode(worker.process.pid) == 2
        worker.conn.send(Connect(canary.port))
        status, message = worker.conn.recv()
        assert status == "error"
        assert message == "the worker could not read the job: PermissionError"
        # and it goes on working
        executor._idle.put(worker)  # noqa: SLF001
        assert executor.analyse("ASK {}", None).form == "ASK"
    finally:
        executor.close()
    assert canary.connections == before


def test_every_worker_of_a_live_server_is_confined(served: LiveServer) -> None:
    workers = [p for p in psutil.Process(served.process.pid).children(recursive=True)
               if "spawn_main" in " ".join(p.cmdline())]
    assert len(workers) == 2
    assert all(seccomp_mode(p.pid) == 2 for p in workers)
    assert seccomp_mode(served.process.pid) == 0  # the web server itself is not filtered
    limits = httpx.get(served.url + "sparql/limits").text
    assert "Enforced by the operating system" in limits


def test_the_filter_denies_sockets_and_foreign_abis() -> None:
    arch = ARCHES["x86_64"]
    program = build_filter(arch, {arch.socket: errno.EACCES})
    assert len(program) % 8 == 0
    # load arch, check, load nr, x32 guard (2), socket rule (2), allow
    assert len(program) // 8 == 9


# ---------------------------------------------------------------------------
# Where the OS cannot confine the workers

WITHOUT_SECCOMP = [sys.executable, str(ROOT / "tests" / "seccomp_denied.py")]


def test_the_server_refuses_to_start_without_the_sandbox() -> None:
    result = run_serve(["--port", "0"], wrapper=WITHOUT_SECCOMP)
    assert result.returncode == 2
    assert "the query workers cannot be kept off the network on this system" in result.stderr
    assert "--allow-unsandboxed-workers" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_risk_can_be_accepted_and_is_then_said_loudly(canary: Listener,
                                                         tmp_path: Path) -> None:
    with live_server("--allow-unsandboxed-workers", public=False, wrapper=WITHOUT_SECCOMP,
                     log_dir=tmp_path) as running:
        assert "WARNING: query workers are NOT sandboxed" in running.log()
        limits = httpx.get(running.url + "sparql/limits").text
        assert "NOT enforced by the operating system" in limits
        # The parse still refuses SERVICE.
        response = httpx.get(running.url + "sparql",
                             params={"query": spell(SERVICE[0], canary.port)})
        assert response.status_code == 400
    assert canary.connections == 0
