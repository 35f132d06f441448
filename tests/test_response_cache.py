"""The response cache: repeated GETs answered whole (or 304) without reaching a route.

Each test shows one promise of :mod:`alliance_ld.api.response_cache`: a document or
query answer is computed once per data version and representation; what varies
the answer (Accept, gzip, the forwarded host, credentials) is never mixed up; a
change of the data is never answered from the cache; the cache is bounded.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from alliance_ld.api.response_cache import CachedResponse, ResponseCache

DOC = "/doc/alliance/warsaw-pact"
JSON = "application/sparql-results+json"


@pytest.fixture
def fresh(publication) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """An app of its own over the session's data: an empty response cache."""
    from alliance_ld.api.main import create_app

    app = create_app(publication.settings, publication)
    with TestClient(app, client=("127.0.0.1", 50001)) as client:
        yield client


class Builds:
    """Counts the documents the route builds (wraps ``describe``)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from alliance_ld.api.routes import resources

        self.count = 0
        original = resources.describe

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(resources, "describe", counted)


def _cache(client: TestClient) -> ResponseCache:
    cache: ResponseCache = client.app.state.response_cache  # type: ignore[attr-defined]
    return cache


def test_a_repeated_document_is_built_once(fresh: TestClient,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    builds = Builds(monkeypatch)
    first = fresh.get(DOC, headers={"Accept": "text/turtle"})
    assert first.status_code == 200 and builds.count == 1
    cache = _cache(fresh)
    hits = cache.hits
    again = fresh.get(DOC, headers={"Accept": "text/turtle"})
    assert again.status_code == 200
    assert builds.count == 1 and cache.hits == hits + 1
    assert again.content == first.content
    for name in ("etag", "content-type", "content-location", "link", "vary", "last-modified",
                 "content-security-policy", "x-content-type-options"):
        assert again.headers[name] == first.headers[name], name
    # what belongs to the request is its own, not the cached one's
    assert again.headers["x-request-id"] != first.headers["x-request-id"]
    assert len(again.headers.get_list("x-request-id")) == 1


def test_representations_and_encodings_are_kept_apart(fresh: TestClient,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    builds = Builds(monkeypatch)
    answers = {}
    for accept in ("text/turtle", "application/n-triples"):
        for encoding in ("gzip", "identity"):
            for _ in range(2):
                response = fresh.get(DOC, headers={"Accept": accept, "Accept-Encoding": encoding})
                assert response.status_code == 200
                assert response.headers["content-type"].startswith(accept)
                assert response.headers.get("content-encoding") == (
                    "gzip" if encoding == "gzip" else None)
                answers[accept, encoding] = response
    assert builds.count == 4  # one per representation and encoding, then from the cache
    turtle, ntriples = answers["text/turtle", "identity"], answers["application/n-triples",
                                                                  "identity"]
    assert turtle.content != ntriples.content
    assert turtle.headers["etag"] != ntriples.headers["etag"]
    # httpx decodes gzip: both encodings carry the same document
    assert answers["text/turtle", "gzip"].content == turtle.content


def test_a_conditional_request_that_misses_is_answered_304_and_kept(
        client: TestClient, fresh: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    etag = client.get(DOC, headers={"Accept": "text/turtle"}).headers["etag"]
    builds = Builds(monkeypatch)
    response = fresh.get(DOC, headers={"Accept": "text/turtle", "If-None-Match": etag})
    assert response.status_code == 304 and response.content == b""
    assert response.headers["etag"] == etag and "content-type" not in response.headers
    assert builds.count == 1
    # the full answer was built once and kept: the plain GET, a stale tag and HEAD need no build
    plain = fresh.get(DOC, headers={"Accept": "text/turtle"})
    stale = fresh.get(DOC, headers={"Accept": "text/turtle", "If-None-Match": 'W/"old"'})
    head = fresh.head(DOC, headers={"Accept": "text/turtle"})
    assert plain.status_code == stale.status_code == head.status_code == 200
    assert plain.content == stale.content and head.content == b""
    assert head.headers["content-length"] == plain.headers["content-length"]
    assert builds.count == 1
    assert fresh.get(DOC, headers={"Accept": "text/turtle", "If-None-Match": etag}
                     ).status_code == 304
    assert builds.count == 1


def test_the_forwarded_host_and_credentials_are_not_mixed_up(
        fresh: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    builds = Builds(monkeypatch)
    own = fresh.get(DOC, headers={"Accept": "text/turtle"})
    proxied = fresh.get(DOC, headers={"Accept": "text/turtle",
                                      "X-Forwarded-Host": "alliances.example.org"})
    assert builds.count == 2
    assert b"alliances.example.org" not in own.content
    assert proxied.headers["content-location"].startswith("http://alliances.example.org/")
    # a request with credentials is never answered from, nor kept in, the cache
    for _ in range(2):
        fresh.get(DOC, headers={"Accept": "text/turtle", "Authorization": "Bearer x"})
    assert builds.count == 4


def test_query_answers_skip_the_application(fresh: TestClient,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    query = ("SELECT ?n WHERE { ?m <http://www.w3.org/ns/org#organization> "
             "<https://w3id.org/alliance-ld/id/alliance/norad> ; "
             "<http://www.w3.org/ns/org#member> ?n } ORDER BY ?n")
    first = fresh.get("/sparql", params={"query": query}, headers={"Accept": JSON})
    assert first.status_code == 200
    executor = fresh.app.state.executor  # type: ignore[attr-defined]

    async def refused(*_: object, **__: object) -> None:
        raise AssertionError("the query was analysed again")

    monkeypatch.setattr(executor, "analysis", refused)
    again = fresh.get("/sparql", params={"query": query}, headers={"Accept": JSON})
    assert again.status_code == 200 and again.content == first.content
    assert [b["n"]["value"] for b in again.json()["results"]["bindings"]] == [
        "https://w3id.org/alliance-ld/id/nation/canada",
        "https://w3id.org/alliance-ld/id/nation/united-states"]
    not_modified = fresh.get("/sparql", params={"query": query},
                             headers={"Accept": JSON, "If-None-Match": first.headers["etag"]})
    assert not_modified.status_code == 304
    # another result format is another answer: it reaches the application
    with pytest.raises(AssertionError, match="analysed again"):
        fresh.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})


def test_a_change_of_the_data_is_never_answered_from_the_cache() -> None:
    from alliance_ld.api.main import create_app
    from alliance_ld.publication import load_publication
    from alliance_ld.settings import Settings

    publication = load_publication(Settings())
    app = create_app(publication.settings, publication)
    label = "Warsaw Pact (a label added by a test)"
    with TestClient(app, client=("127.0.0.1", 50002)) as client:
        before = client.get(DOC, headers={"Accept": "text/turtle"})
        assert client.get(DOC, headers={"Accept": "text/turtle"}).content == before.content
        publication.backend.update(
            "INSERT DATA { GRAPH <https://w3id.org/alliance-ld/graph/alliances> { "
            "<https://w3id.org/alliance-ld/id/alliance/warsaw-pact> "
            f"<http://www.w3.org/2000/01/rdf-schema#label> \"{label}\"@en }} }}")
        after = client.get(DOC, headers={"Accept": "text/turtle"})
        assert after.status_code == 200
        assert label.encode() not in before.content and label.encode() in after.content
        assert after.headers["etag"] != before.headers["etag"]
        stale = client.get(DOC, headers={"Accept": "text/turtle",
                                         "If-None-Match": before.headers["etag"]})
        assert stale.status_code == 200 and label.encode() in stale.content


def test_probes_and_metrics_are_never_kept(fresh: TestClient) -> None:
    cache = _cache(fresh)
    for path in ("/healthz", "/readyz", "/metrics"):
        for _ in range(2):
            assert fresh.get(path).status_code == 200
    assert len(cache) == 0


def test_metrics_count_answers_from_the_cache(fresh: TestClient) -> None:
    def samples() -> dict[str, float]:
        found = {}
        for line in fresh.get("/metrics").text.splitlines():
            if line.startswith(('http_requests_total{handler="/doc/{path}",method="GET",'
                                'status="2xx"}', "alliance_ld_response_cache_")):
                name, value = line.rsplit(" ", 1)
                found[name] = float(value)
        return found

    fresh.get(DOC, headers={"Accept": "text/turtle"})
    before = samples()
    for _ in range(3):
        assert fresh.get(DOC, headers={"Accept": "text/turtle"}).status_code == 200
    after = samples()
    requests = 'http_requests_total{handler="/doc/{path}",method="GET",status="2xx"}'
    assert after[requests] - before[requests] == 3
    assert after["alliance_ld_response_cache_hits"] - before[
        "alliance_ld_response_cache_hits"] == 3
    assert after["alliance_ld_response_cache_bytes"] > 0


def _entry(size: int, tag: str) -> CachedResponse:
    return CachedResponse([(b"etag", tag.encode()), (b"vary", b"Accept")], b"x" * size, tag,
                          None, "/doc/{path}")


def test_the_cache_is_bounded_in_bytes() -> None:
    cache = ResponseCache(max_bytes=8000)
    request = {b"accept": b"text/turtle"}
    for n in range(20):
        assert cache.put(("v1", f"/doc/{n}"), request, _entry(900, f'W/"{n}"'))
        assert cache.size <= 8000
    assert cache.get(("v1", "/doc/19"), request) is not None
    assert cache.get(("v1", "/doc/0"), request) is None  # the least recently used went first
    assert not cache.put(("v1", "/doc/big"), request, _entry(1001, 'W/"big"'))  # > bound / 8
    assert cache.get(("v1", "/doc/19"), {b"accept": b"text/html"}) is None  # Vary: Accept


def test_over_real_http(server) -> None:  # type: ignore[no-untyped-def]
    url = server.url + DOC.lstrip("/")
    with httpx.Client(headers={"Accept": "text/turtle", "Accept-Encoding": "gzip"}) as http:
        first = http.get(url)
        second = http.get(url)
        assert first.status_code == second.status_code == 200
        assert second.content == first.content
        assert second.headers["etag"] == first.headers["etag"]
        assert second.headers["content-encoding"] == "gzip"
        conditional = http.get(url, headers={"If-None-Match": first.headers["etag"]})
        assert conditional.status_code == 304 and conditional.content == b""
        assert conditional.headers["etag"] == first.headers["etag"]
        assert "accept-encoding" in conditional.headers["vary"].lower()
        entry = server.access_log_entry(conditional.headers["x-request-id"])
        assert entry["status"] == 304 and entry["path"] == DOC


def test_static_files_are_read_afresh(fresh: TestClient) -> None:
    cache = _cache(fresh)
    for _ in range(2):
        assert fresh.get("/static/css/site.css").status_code == 200
    assert len(cache) == 0
