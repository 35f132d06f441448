"""The query result cache: the same answer is never computed twice on the same data."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

from alliance_ld.backend import QueryOutcome, QueryRequest
from alliance_ld.cache import ResultCache, request_key, result_tag

JSON = "application/sparql-results+json"


def _query() -> str:
    """A query no other test sends (the comment makes its text, and so its key, new)."""
    return (f"# {uuid.uuid4().hex}\nSELECT ?n WHERE {{ ?m <http://www.w3.org/ns/org#organization> "
            "<https://w3id.org/alliance-ld/id/alliance/norad> ; "
            "<http://www.w3.org/ns/org#member> ?n } ORDER BY ?n")


def _cache(client: TestClient) -> ResultCache:
    cache: ResultCache = client.app.state.executor.results  # type: ignore[attr-defined]
    return cache


def test_a_repeated_query_is_answered_from_the_cache(client: TestClient) -> None:
    cache = _cache(client)
    query = _query()
    first = client.get("/sparql", params={"query": query}, headers={"Accept": JSON})
    misses, hits = cache.misses, cache.hits
    # POST is the same query: the same answer, from the result cache
    posted = client.post("/sparql", content=query, headers={
        "Content-Type": "application/sparql-query", "Accept": JSON})
    assert first.status_code == posted.status_code == 200
    assert posted.content == first.content
    assert (cache.misses, cache.hits) == (misses, hits + 1)
    members = [b["n"]["value"] for b in posted.json()["results"]["bindings"]]
    assert members == ["https://w3id.org/alliance-ld/id/nation/canada",
                       "https://w3id.org/alliance-ld/id/nation/united-states"]
    # the same GET again is answered whole before the application: not even the
    # result cache is asked (tests/test_response_cache.py)
    second = client.get("/sparql", params={"query": query}, headers={"Accept": JSON})
    assert second.content == first.content
    assert (cache.misses, cache.hits) == (misses, hits + 1)


def test_results_carry_an_etag_and_a_conditional_get_is_304(client: TestClient) -> None:
    cache = _cache(client)
    query = _query()
    first = client.get("/sparql", params={"query": query}, headers={"Accept": JSON})
    etag = first.headers["etag"]
    assert etag.startswith('W/"') and first.headers["cache-control"] == "no-cache"
    counts = (cache.misses, cache.hits)
    again = client.get("/sparql", params={"query": query},
                       headers={"Accept": JSON, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert (cache.misses, cache.hits) == counts  # not even the cache was asked
    other = client.get("/sparql", params={"query": query},
                       headers={"Accept": "text/csv", "If-None-Match": etag})
    assert other.status_code == 200 and other.headers["etag"] != etag
    assert other.text.splitlines()[0] == "n"


def test_the_cache_is_bounded_in_bytes() -> None:
    cache = ResultCache(max_bytes=8_000)

    def outcome(size: int) -> QueryOutcome:
        return QueryOutcome("solutions", JSON, b"x" * size, 1, False)

    for number in range(10):
        cache.put(("k", number), outcome(900))
    assert cache.size <= 8_000 and len(cache) == 8
    assert cache.get(("k", 0)) is None and cache.get(("k", 9)) is not None
    cache.put(("big",), outcome(1_001))  # more than an eighth of the bound: not kept
    assert cache.get(("big",)) is None


def test_the_key_holds_the_data_version_and_every_field() -> None:
    request = QueryRequest("ASK {}", JSON, None)
    assert request_key("v1", request) != request_key("v2", request)
    other = QueryRequest("ASK {}", "application/sparql-results+xml", None)
    assert request_key("v1", request) != request_key("v1", other)
    wider = QueryRequest("ASK {}", JSON, None, named_graphs=("https://example.org/g",))
    assert request_key("v1", request) != request_key("v1", wider)
    assert result_tag(request_key("v1", request)) != result_tag(request_key("v2", request))


def test_metrics_count_cache_hits(client: TestClient) -> None:
    query = _query()
    for _ in range(2):
        client.get("/sparql", params={"query": query}, headers={"Accept": JSON})
    metrics = client.get("/metrics").text
    values: dict[str, Any] = {}
    for line in metrics.splitlines():
        if line.startswith("alliance_ld_result_cache_"):
            name, value = line.split()
            values[name] = float(value)
    assert values["alliance_ld_result_cache_hits"] >= 1
    assert values["alliance_ld_result_cache_bytes"] > 0
