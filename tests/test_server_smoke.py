"""The server starts for real and answers a query (the rest lives in the topic test files)."""

from __future__ import annotations

import httpx


def test_live_server_answers_a_query(server) -> None:
    response = httpx.get(server.url + "sparql", params={
        "query": "SELECT ?n WHERE { ?m <http://www.w3.org/ns/org#organization> "
                 f"<{server.url}id/alliance/norad> ; <http://www.w3.org/ns/org#member> ?n }} "
                 "ORDER BY ?n"},
        headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/sparql-results+json; charset=utf-8"
    values = [b["n"]["value"] for b in response.json()["results"]["bindings"]]
    assert values == [server.url + "id/nation/canada", server.url + "id/nation/united-states"]


def test_testclient_answers_with_canonical_iris(client) -> None:
    response = client.get("/sparql", params={
        "query": "ASK { <https://w3id.org/alliance-ld/id/alliance/nato> a ?t }"},
        headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    assert response.json()["boolean"] is True
