"""Fair admission and bounded resources, tried as an attacker would.

Flooding from one client, nesting ten thousand brackets deep, oversized and
never-finished request bodies, huge results, workers that die while idle,
malformed paths, and an open ``/metrics``: each is answered with the right
status and a clear message, and never costs other clients their answers.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import psutil
import pytest
from fastapi.testclient import TestClient
from live_server import LiveServer, live_server

from alliance_ld.sparql import QueryExecutor, WorkerFailedError

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CLIENT_A = {"X-Forwarded-For": "198.51.100.1"}
CLIENT_B = {"X-Forwarded-For": "198.51.100.2"}
CLIENT_C = {"X-Forwarded-For": "198.51.100.3"}
CLIENT_D = {"X-Forwarded-For": "198.51.100.4"}


def _fresh(query: str) -> str:
    """``query`` with a comment no other request has: never answered from the result cache."""
    return f"# {uuid.uuid4().hex}\n{query}"


def _workers(server: LiveServer) -> list[psutil.Process]:
    return [p for p in psutil.Process(server.process.pid).children(recursive=True)
            if "spawn_main" in " ".join(p.cmdline())]


def _wait_for_workers(server: LiveServer, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while len(_workers(server)) != count:
        assert time.monotonic() < deadline, "the worker pool did not come back"
        time.sleep(0.2)
    # a new worker is in the pool once it has loaded the data
    while time.monotonic() < deadline:
        if httpx.get(server.url + "sparql", params={"query": _fresh("ASK {}")},
                     headers=CLIENT_D, timeout=30).status_code == 200:
            return


class Background:
    """A request running in a thread (a client busy with a slow query)."""

    def __init__(self, url: str, headers: dict[str, str], query: str = HEAVY) -> None:
        self.response: httpx.Response | None = None
        self.thread = threading.Thread(target=self._run, args=(url, headers, query))
        self.thread.start()

    def _run(self, url: str, headers: dict[str, str], query: str) -> None:
        self.response = httpx.get(url, params={"query": query}, headers=headers, timeout=60)

    def join(self) -> httpx.Response:
        self.thread.join(60)
        assert self.response is not None
        return self.response


def _busy_workers(server: LiveServer, count: int, timeout: float = 10) -> None:
    """Until ``count`` workers are using the CPU (the heavy queries have started)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        busy = [p for p in _workers(server) if p.cpu_percent(interval=0.3) > 10]
        if len(busy) >= count:
            return
    raise AssertionError(f"{count} workers did not get busy")


@pytest.fixture(scope="module")
def admission() -> Iterator[LiveServer]:
    with live_server("--workers", "2", "--query-timeout", "8", "--queue-size", "1",
                     "--queue-wait", "2", public=False) as running:
        yield running


def test_one_client_cannot_hold_every_worker(admission: LiveServer) -> None:
    url = admission.url + "sparql"
    _wait_for_workers(admission, 2)
    first = Background(url, CLIENT_A)
    _busy_workers(admission, 1)
    # The same client floods: each further query is refused at once.
    flood = [httpx.get(url, params={"query": HEAVY}, headers=CLIENT_A, timeout=5)
             for _ in range(5)]
    assert [r.status_code for r in flood] == [429] * 5
    assert all(r.headers["retry-after"] == "1" for r in flood)
    assert flood[0].text == ("too many concurrent queries: each client may have 1 query "
                             "running or waiting at a time; wait for one to finish\n")
    # Another client's cheap query, the probes and the pages are answered within a second.
    ask = httpx.post(url, content="ASK {}", timeout=1.0,
                     headers={"Content-Type": "application/sparql-query", **CLIENT_B})
    assert ask.status_code == 200 and ask.json()["boolean"] is True
    assert httpx.get(admission.url + "healthz", timeout=1.0).status_code == 200
    page = httpx.get(admission.url + "doc/alliance/nato.ttl", timeout=1.0)
    assert page.status_code == 200 and "North Atlantic Treaty Organization" in page.text
    assert first.thread.is_alive()
    assert first.join().status_code == 503  # the heavy query met its timeout
    _wait_for_workers(admission, 2)


def test_waiting_for_a_worker_is_bounded(admission: LiveServer) -> None:
    url = admission.url + "sparql"
    _wait_for_workers(admission, 2)
    holders = [Background(url, CLIENT_A), Background(url, CLIENT_B)]
    _busy_workers(admission, 2)
    # takes the one place in the queue (a query never seen: it needs a worker to be parsed)
    waiting = Background(url, CLIENT_C, query=_fresh("ASK {}"))
    time.sleep(0.5)
    refused = httpx.get(url, params={"query": _fresh("ASK {}")}, headers=CLIENT_D, timeout=1.0)
    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "2"
    assert refused.text == ("every query worker is busy and 1 queries are already waiting; "
                            "try again later\n")
    waited = waiting.join()
    assert waited.status_code == 503
    assert waited.text == "no query worker became free within 2 s; try again later\n"
    assert [h.join().status_code for h in holders] == [503, 503]
    _wait_for_workers(admission, 2)


def test_a_worker_that_died_idle_is_replaced_before_it_gets_a_query(
        admission: LiveServer) -> None:
    url = admission.url + "sparql"
    _wait_for_workers(admission, 2)
    for victim in _workers(admission):
        victim.send_signal(signal.SIGKILL)
        deadline = time.monotonic() + 5
        while victim.is_running() and victim.status() != psutil.STATUS_ZOMBIE:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        answers = [httpx.get(url, params={"query": _fresh("ASK { ?s ?p ?o }")},
                             headers=CLIENT_A, timeout=30) for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 200]
        assert all(a.json()["boolean"] is True for a in answers)
        _wait_for_workers(admission, 2)


def test_a_job_a_worker_never_started_is_retried_once_on_another() -> None:
    executor = QueryExecutor(b"", workers=2, timeout=10)
    executor.start()
    try:
        first = executor._idle.get(timeout=5)  # noqa: SLF001 - arranging the race
        second = executor._idle.get(timeout=5)  # noqa: SLF001
        os.kill(first.process.pid, signal.SIGKILL)
        first.process.join(5)
        # As if it died between the liveness check and the hand-over:
        first.process.is_alive = lambda: True  # type: ignore[method-assign]
        executor._idle.put(first)  # noqa: SLF001
        executor._idle.put(second)  # noqa: SLF001
        assert executor.analyse("ASK {}", None).form == "ASK"
        assert executor.replaced == 1
    finally:
        executor.close()


def test_a_job_is_not_retried_twice() -> None:
    executor = QueryExecutor(b"", workers=2, timeout=10)
    executor.start()
    try:
        workers = [executor._idle.get(timeout=5) for _ in range(2)]  # noqa: SLF001
        for worker in workers:
            os.kill(worker.process.pid, signal.SIGKILL)
            worker.process.join(5)
            worker.process.is_alive = lambda: True  # type: ignore[method-assign]
            executor._idle.put(worker)  # noqa: SLF001
        with pytest.raises(WorkerFailedError, match="could not be started"):
            executor.analyse("ASK {}", None)
        assert executor.replaced == 2
    finally:
        executor.close()


# ---------------------------------------------------------------------------
# Nesting and size

DEEP = {
    "braces": "SELECT * WHERE " + "{" * 10_000 + "}" * 10_000,
    "parentheses": "SELECT * WHERE { FILTER(" + "(" * 10_000 + "1" + ")" * 10_000 + ") }",
    "optional": "SELECT * WHERE { ?s ?p ?o " + "OPTIONAL { ?s ?p ?o " * 10_000
                + "}" * 10_000 + " }",
    "subselect": "SELECT * WHERE " + "{ SELECT * WHERE " * 10_000 + "{ ?s ?p ?o }"
                 + " }" * 10_000,
    "collections": "SELECT * WHERE { ?s ?p " + "(" * 10_000 + "?o" + ")" * 10_000 + " }",
}


@pytest.mark.parametrize("shape", sorted(DEEP))
def test_deeply_nested_queries_are_refused_before_evaluation(client: TestClient,
                                                            shape: str) -> None:
    executor = client.app.state.executor  # type: ignore[attr-defined]
    replaced = executor.replaced
    response = client.post("/sparql", content=DEEP[shape],
                           headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 400
    assert response.text.startswith("the query is nested too deeply (at line 1, column ")
    assert response.text.endswith("this endpoint accepts brackets { }, ( ) and [ ] nested up "
                                  "to 64 levels\n")
    assert executor.replaced == replaced  # no worker died or was killed


WITHIN = {
    "braces": "ASK " + "{" * 60 + "}" * 60,
    "optional": "ASK { ?s ?p ?o " + "OPTIONAL { ?s ?p ?o " * 30 + "}" * 30 + " }",
    "subselect": "ASK { " + "{ SELECT * WHERE " * 20 + "{ ?s ?p ?o }" + " }" * 20 + " }",
    "parentheses": "ASK { FILTER(" + "(" * 60 + "true" + ")" * 60 + ") }",
}


@pytest.mark.parametrize("shape", sorted(WITHIN))
def test_queries_within_the_limits_are_answered(client: TestClient, shape: str) -> None:
    executor = client.app.state.executor  # type: ignore[attr-defined]
    replaced = executor.replaced
    response = client.get("/sparql", params={"query": WITHIN[shape]})
    assert response.status_code == 200, response.text
    assert response.json()["boolean"] is True
    assert executor.replaced == replaced


@pytest.fixture(scope="module")
def small() -> Iterator[LiveServer]:
    with live_server("--max-query-bytes", "4096", "--max-query-depth", "8",
                     "--body-timeout", "1", "--max-result-bytes", "4000000",
                     "--max-rows", "100000", "--workers", "1", public=False) as running:
        yield running


def test_the_depth_limit_is_configurable(small: LiveServer) -> None:
    url = small.url + "sparql"
    assert httpx.get(url, params={"query": "ASK " + "{" * 8 + "}" * 8}).status_code == 200
    refused = httpx.get(url, params={"query": "ASK " + "{" * 9 + "}" * 9})
    assert refused.status_code == 400
    assert refused.text == ("the query is nested too deeply (at line 1, column 13); this "
                            "endpoint accepts brackets { }, ( ) and [ ] nested up to 8 "
                            "levels\n")


def test_bodies_over_the_size_limit_get_413(small: LiveServer) -> None:
    url = small.url + "sparql"
    query = "ASK { ?s ?p \"" + "x" * 5000 + "\" }"
    direct = httpx.post(url, content=query, headers={"Content-Type": "application/sparql-query"})
    assert direct.status_code == 413
    assert direct.text == ("Content Too Large: request bodies may be up to 4096 bytes "
                           "(see /sparql/limits)\n")
    assert httpx.post(url, data={"query": query}).status_code == 413
    # A query in the URL is held to the same size.
    in_url = httpx.get(url, params={"query": query})
    assert in_url.status_code == 413
    assert in_url.text == ("the query is 5016 bytes long; this endpoint accepts queries of "
                           "up to 4096 bytes\n")


def test_a_body_sent_in_chunks_past_the_limit_gets_413(small: LiveServer) -> None:
    def chunks() -> Iterator[bytes]:
        yield b"ASK { ?s ?p \""
        for _ in range(10):
            yield b"y" * 1000
        yield b"\" }"

    response = httpx.post(small.url + "sparql", content=chunks(),
                          headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 413


def test_a_body_that_never_arrives_gets_408(small: LiveServer) -> None:
    port = int(small.url.rsplit(":", 1)[1].strip("/"))
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Content-Type: application/sparql-query\r\nContent-Length: 100\r\n"
                     b"\r\nASK {")
        answer = b""
        while chunk := sock.recv(4096):  # until the server closes the connection
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408 ")
    assert b"connection: close" in head.lower()
    assert body == b"Request Timeout: the request body did not arrive within 1 s\n"
    time.sleep(0.5)
    assert "Traceback" not in small.log()


def _peak_rss(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")


BIG = """SELECT ?s ?big WHERE {
  ?s ?p ?o
  BIND(CONCAT(STR(?s), STR(?s)) AS ?a)
  BIND(CONCAT(?a, ?a, ?a, ?a, ?a, ?a, ?a, ?a, ?a, ?a) AS ?b)
  BIND(CONCAT(?b, ?b, ?b, ?b, ?b, ?b, ?b, ?b, ?b, ?b) AS ?c)
  BIND(CONCAT(?c, ?c, ?c, ?c, ?c, ?c, ?c, ?c, ?c, ?c) AS ?big)
}"""


def test_relaying_a_huge_result_keeps_the_server_small(small: LiveServer) -> None:
    url = small.url + "sparql"
    count = httpx.get(url, params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
    rows = int(count.json()["results"]["bindings"][0]["n"]["value"])
    # Each row carries at least 100 kB (the subject IRI, 2000 times): uncapped, the
    # result would be hundreds of megabytes.
    assert rows * 100_000 > 300_000_000
    before = _peak_rss(small.process.pid)
    response = httpx.get(url, params={"query": BIG}, timeout=120,
                         headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    assert response.headers["x-result-truncated"] == "true"
    assert response.headers["x-result-byte-limit"] == "4000000"
    returned = response.json()["results"]["bindings"]
    assert 0 < len(returned) < 100
    assert len(response.content) < 5_000_000
    grown = _peak_rss(small.process.pid) - before
    assert grown < 50 * 1024 * 1024, f"the server grew by {grown} bytes"


# ---------------------------------------------------------------------------
# Malformed paths

@pytest.mark.parametrize("path", [
    "/doc/nation/%FF%FE.html", "/id/nation/%C0%AF", "/id/%FF", "/doc/%FF/x.ttl",
    "/queries/%FF", "/static/%FF", "/graph/%FF%FE", "/doc/nation/%ED%A0%80.ttl",
    "/id/nation/%00", "/doc/nation/%C2%94.html",
])
def test_invalid_utf8_in_a_path_is_a_client_error(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code in (400, 404), (path, response.status_code)
    assert "Traceback" not in response.text
    assert "internal server error" not in response.text


# ---------------------------------------------------------------------------
# /metrics


def _app_client(publication: Any, **settings: Any) -> Iterator[TestClient]:
    from alliance_ld.api.main import create_app
    from alliance_ld.settings import Settings

    app = create_app(Settings(**settings), publication)
    with TestClient(app, client=("127.0.0.1", 50000)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def guarded(publication: Any) -> Iterator[TestClient]:
    yield from _app_client(publication, metrics_token="s3cret-token", query_workers=1)


def test_metrics_need_the_token_when_one_is_set(guarded: TestClient) -> None:
    missing = guarded.get("/metrics")
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == 'Bearer realm="metrics"'
    assert missing.text == "Unauthorized: /metrics needs its bearer token\n"
    wrong = guarded.get("/metrics", headers={"Authorization": "Bearer s3cret-tokem"})
    assert wrong.status_code == 401
    right = guarded.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
    assert right.status_code == 200
    assert "alliance_ld_ready 1.0" in right.text
    # the rest of the server needs no token
    assert guarded.get("/healthz").status_code == 200


def test_metrics_can_be_limited_to_addresses(publication: Any) -> None:
    for client in _app_client(publication, metrics_allow_ips="10.0.0.0/8,::1",
                              query_workers=1):
        refused = client.get("/metrics")
        assert refused.status_code == 403
        assert refused.text == "Forbidden: /metrics is not open to this address\n"
        # a trusted proxy's X-Forwarded-For decides who the client is
        allowed = client.get("/metrics", headers={"X-Forwarded-For": "10.1.2.3"})
        assert allowed.status_code == 200
