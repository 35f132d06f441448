"""Operations: /healthz and /readyz, Prometheus metrics, structured access logs, no tracebacks."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from oracle import published_store
from prometheus_client.parser import text_string_to_metric_families

from alliance_ld.api import main as api_main
from alliance_ld.api.main import create_app
from alliance_ld.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
INVALID = ROOT / "tests" / "data" / "invalid" / "alliance-one-member.ttl"
JSON_RESULTS = {"Accept": "application/sparql-results+json"}


def scrape(client) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:  # type: ignore[no-untyped-def]
    """``/metrics`` parsed: {(sample name, labels): value}."""
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples, name: str, **labels: str) -> float:  # type: ignore[no-untyped-def]
    return float(samples.get((name, frozenset(labels.items())), 0.0))


def wait_for(client, predicate: Callable[[httpx.Response], bool],  # type: ignore[no-untyped-def]
             timeout: float = 120) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        response = client.get("/readyz")
        if predicate(response) or time.monotonic() > deadline:
            return response  # type: ignore[no-any-return]
        time.sleep(0.1)


# ---------------------------------------------------------------------------
# Health and readiness


def test_healthz_and_readyz_when_ready(client, publication) -> None:
    alive = client.get("/healthz")
    assert alive.status_code == 200 and alive.json() == {"status": "alive"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "triples": len(published_store()),
                            "graphs": len(published_store().graph_names)}
    assert ready.headers["cache-control"] == "no-store"


@pytest.fixture
def blocked_loading(monkeypatch, publication) -> Iterator[threading.Event]:  # type: ignore[no-untyped-def]
    """Make the app's background load wait until the returned event is set."""
    release = threading.Event()

    def slow_load(settings: Settings):  # type: ignore[no-untyped-def]
        if not release.wait(120):
            raise RuntimeError("test never released the load")
        return publication

    monkeypatch.setattr(api_main, "load_publication", slow_load)
    yield release
    release.set()


def test_readyz_is_503_until_the_data_is_loaded(blocked_loading, publication) -> None:
    app = create_app(Settings(query_workers=1), background_load=True)
    with TestClient(app) as client:
        loading = client.get("/readyz")
        assert loading.status_code == 503
        assert loading.json() == {"status": "loading"}
        assert loading.headers["retry-after"] == "5"
        assert client.get("/healthz").status_code == 200  # alive while loading
        query = client.get("/sparql", params={"query": "ASK {}"}, headers=JSON_RESULTS)
        assert query.status_code == 503
        assert query.text == "the dataset is not loaded yet\n"
        samples = scrape(client)
        assert value(samples, "alliance_ld_ready") == 0.0
        assert ("alliance_ld_store_triples", frozenset()) not in samples

        blocked_loading.set()
        ready = wait_for(client, lambda r: r.status_code != 503)
        assert ready.status_code == 200
        assert ready.json()["status"] == "ready"
        assert ready.json()["triples"] == len(published_store())
        samples = scrape(client)
        assert value(samples, "alliance_ld_ready") == 1.0
        assert value(samples, "alliance_ld_store_triples") == len(published_store())
        answer = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers=JSON_RESULTS)
        assert answer.status_code == 200 and answer.json()["boolean"] is True


def test_readyz_reports_data_that_violates_the_shapes() -> None:
    app = create_app(Settings(data=[INVALID], query_workers=1), background_load=True)
    with TestClient(app) as client:
        response = wait_for(client, lambda r: r.json()["status"] != "loading")
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "failed"
        assert body["error"].startswith("the data does not conform to the shapes:")
        assert "focus node: https://w3id.org/alliance-ld/id/alliance/test-alliance" in body["error"]
        assert "Alliance_Shape" in body["error"]
        assert client.get("/healthz").status_code == 200
        assert value(scrape(client), "alliance_ld_ready") == 0.0


def test_serve_refuses_data_that_violates_the_shapes() -> None:
    from live_server import free_port, run_serve

    result = run_serve(["--port", str(free_port()), "--data", str(INVALID)])
    assert result.returncode == 2
    assert "focus node: https://w3id.org/alliance-ld/id/alliance/test-alliance" in result.stdout
    assert "Alliance_Shape" in result.stdout
    assert "does not conform to the shapes; not serving" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


# ---------------------------------------------------------------------------
# Metrics


def test_metrics_count_requests_by_route_template(client) -> None:
    before = scrape(client)
    for _ in range(3):
        assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"},
                          headers=JSON_RESULTS).status_code == 200
    assert client.get("/sparql", params={"query": "SELECT * WHERE {"}).status_code == 400
    for slug in ("alliance/nato", "nation/canada", "nation/france"):
        client.get(f"/id/{slug}", follow_redirects=False)
    assert client.get("/no/such/thing").status_code == 404
    after = scrape(client)

    def delta(**labels: str) -> float:
        return value(after, "http_requests_total", **labels) - value(
            before, "http_requests_total", **labels)

    assert delta(handler="/sparql", method="GET", status="2xx") == 3
    assert delta(handler="/sparql", method="GET", status="4xx") == 1
    assert delta(handler="/id/{path}", method="GET", status="3xx") == 3
    assert delta(handler="none", method="GET", status="4xx") == 1
    handlers = {dict(labels).get("handler") for (name, labels) in after
                if name == "http_requests_total"}
    assert not {h for h in handlers if h and h.startswith("/id/") and "{" not in h}
    # Latency by route template too.
    assert value(after, "http_request_duration_seconds_count", handler="/sparql",
                 method="GET") >= 4


def test_metrics_store_size(client, publication) -> None:
    samples = scrape(client)
    store = published_store()
    assert value(samples, "alliance_ld_store_triples") == len(store)
    assert value(samples, "alliance_ld_store_graphs") == len(store.graph_names)
    per_graph = {dict(labels)["graph"]: v for (name, labels), v in samples.items()
                 if name == "alliance_ld_store_graph_triples"}
    assert set(per_graph) == set(store.graph_names)
    assert sum(per_graph.values()) == len(store)
    alliances = "https://w3id.org/alliance-ld/graph/alliances"
    assert per_graph[alliances] == sum(1 for _ in store.quads(alliances))
    assert value(samples, "alliance_ld_ready") == 1.0


def test_metrics_query_latency_histogram(client) -> None:
    before = scrape(client)
    for query in ("ASK { ?s ?p ?o }", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"):
        assert client.post("/sparql", data={"query": query},
                           headers=JSON_RESULTS).status_code == 200
    after = scrape(client)
    name = "alliance_ld_query_duration_seconds"
    count = (value(after, name + "_count", outcome="ok")
             - value(before, name + "_count", outcome="ok"))
    assert count == 2
    assert value(after, name + "_sum", outcome="ok") > value(before, name + "_sum", outcome="ok")
    assert value(after, name + "_bucket", outcome="ok", le="+Inf") == value(
        after, name + "_count", outcome="ok")
    # A query refused before it reaches a worker is not a query run.
    assert client.get("/sparql", params={"query": "SELEC nothing"}).status_code == 400
    assert value(scrape(client), name + "_count", outcome="ok") == value(
        after, name + "_count", outcome="ok")


def test_metrics_count_query_timeouts(publication) -> None:
    app = create_app(Settings(query_timeout=1, query_workers=1), publication)
    cartesian = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } "
                 "GROUP BY ?a ORDER BY DESC(?n)")
    with TestClient(app) as client:
        before = scrape(client)
        response = client.get("/sparql", params={"query": cartesian}, headers=JSON_RESULTS)
        assert response.status_code == 503
        assert response.text == "query timed out after 1 s\n"
        after = scrape(client)
    assert (value(after, "alliance_ld_query_timeouts_total")
            - value(before, "alliance_ld_query_timeouts_total")) == 1
    name = "alliance_ld_query_duration_seconds"
    assert (value(after, name + "_count", outcome="timeout")
            - value(before, name + "_count", outcome="timeout")) == 1
    assert (value(after, name + "_sum", outcome="timeout")
            - value(before, name + "_sum", outcome="timeout")) >= 1.0
    assert (value(after, name + "_bucket", outcome="timeout", le="0.5")
            == value(before, name + "_bucket", outcome="timeout", le="0.5"))


# ---------------------------------------------------------------------------
# Errors never show a traceback


def test_an_internal_error_is_a_plain_500(client, monkeypatch) -> None:
    import alliance_ld.service_description as sd

    def broken(*args: object, **kwargs: object) -> bytes:
        raise RuntimeError("secret internal detail in /work/main/src")

    monkeypatch.setattr(sd, "service_description", broken)
    # Same app and state as the session client, but errors are answered, not raised.
    bare = TestClient(client.app, raise_server_exceptions=False)
    response = bare.get("/sparql", headers={"Accept": "text/turtle", "Origin": "https://x.org"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text == "internal server error\n"
    assert "Traceback" not in response.text and "secret" not in response.text


# ---------------------------------------------------------------------------
# Structured access logs (a real server, its real log file)


def test_access_log_has_one_json_line_per_request(server) -> None:
    request_id = "test-" + uuid.uuid4().hex
    response = httpx.get(server.url + "sparql", params={"query": "ASK { ?s ?p ?o }"},
                         headers={**JSON_RESULTS, "User-Agent": "ops-test/1.0",
                                  "X-Request-ID": request_id, "Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.headers["x-request-id"] == request_id
    entry = server.access_log_entry(request_id)
    assert entry["logger"] == "alliance_ld.access"
    assert entry["method"] == "GET"
    assert entry["path"] == "/sparql"
    assert entry["query"] == "query=ASK+%7B+%3Fs+%3Fp+%3Fo+%7D"
    assert entry["status"] == 200
    assert entry["bytes"] == len(response.content)
    assert entry["client"] == "127.0.0.1"
    assert entry["user_agent"] == "ops-test/1.0"
    assert isinstance(entry["duration_ms"], float) and 0 <= entry["duration_ms"] < 60_000
    assert server.log().count(request_id) == 1  # one line, not one per layer


def test_access_log_of_a_404_and_a_fresh_request_id(server) -> None:
    response = httpx.get(server.url + "id/nation/atlantis",
                         headers={"X-Request-ID": "not a valid id!", "Accept": "text/turtle"})
    assert response.status_code == 404
    request_id = response.headers["x-request-id"]
    assert len(request_id) == 32 and int(request_id, 16) >= 0
    entry = server.access_log_entry(request_id)
    assert entry["status"] == 404
    assert entry["path"] == "/id/nation/atlantis"
    assert entry["bytes"] == len(response.content)


def test_uvicorns_own_access_log_is_off_when_ours_is_on(server) -> None:
    marker = uuid.uuid4().hex
    httpx.get(server.url + "healthz", params={"probe": marker}, headers={"X-Request-ID": marker})
    server.access_log_entry(marker)
    plain = [line for line in server.log().splitlines()
             if marker in line and not line.startswith("{")]
    assert plain == []


@pytest.mark.parametrize("path", ["/.well-known/void", "/ontology", "/id/alliance/nato",
                                  "/doc/alliance/nato.ttl", "/network.svg"])
def test_head_answers_like_get_without_a_body(client, path: str) -> None:  # type: ignore[no-untyped-def]
    get = client.get(path, follow_redirects=False, headers={"Accept-Encoding": "identity"})
    head = client.head(path, follow_redirects=False, headers={"Accept-Encoding": "identity"})
    assert head.status_code == get.status_code
    assert head.content == b""
    for name in ("content-type", "location", "content-length"):
        assert head.headers.get(name) == get.headers.get(name)


def test_openapi_operation_ids_are_unique(client) -> None:  # type: ignore[no-untyped-def]
    spec = client.get("/openapi.json").json()
    ids = [op["operationId"] for item in spec["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))
    assert "get" in spec["paths"]["/id/{path}"] and "head" not in spec["paths"]["/id/{path}"]
