"""Named queries (/queries, /queries/{name}): the list, results in every format, OpenAPI."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import httpx
import pytest

from alliance_ld.api.routes.queries import load_queries
from alliance_ld.resources import QUERIES_DIR

BASE = "https://w3id.org/alliance-ld/"
NORAD = [BASE + "id/nation/canada", BASE + "id/nation/united-states"]
SRX = "{http://www.w3.org/2005/sparql-results#}"
ALL = sorted(p.stem for p in QUERIES_DIR.glob("*.rq"))
COMPETENCY = [n for n in ALL if n.startswith("cq")]
QUALITY = [n for n in ALL if n.endswith("-violation")]
#: Questions with typed parameters (tests/test_query_parameters.py), listed first.
PARAMETERISED = [n for n in ALL if n not in COMPETENCY and n not in QUALITY]


def test_list_as_json(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/queries")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    queries = response.json()["queries"]
    assert [q["name"] for q in queries] == PARAMETERISED + COMPETENCY + QUALITY
    assert len(PARAMETERISED) == 4 and len(COMPETENCY) == 32 and len(QUALITY) == 8
    assert {q["kind"] for q in queries[:len(PARAMETERISED)]} == {"parameterised"}
    queries = queries[len(PARAMETERISED):]
    first = queries[0]
    assert first["name"] == "cq01-norad-members"
    assert first["question"] == "Which nations are members of NORAD?"
    assert first["kind"] == "competency"
    assert first["url"] == "http://testserver/queries/cq01-norad-members"
    assert first["query"] == (QUERIES_DIR / "cq01-norad-members.rq").read_text()
    assert first["description"].startswith("Each ald:Membership names its organisation")
    assert {q["kind"] for q in queries[len(COMPETENCY):]} == {"quality"}


def test_list_as_html(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/queries", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    for name in COMPETENCY + QUALITY:
        assert f'href="/queries/{name}"' in response.text
        assert f'href="/queries/{name}?format=csv"' in response.text
    for name in PARAMETERISED:  # a form: they cannot run without their values
        assert f'<form method="get" action="/queries/{name}">' in response.text
    assert "Which nations are members of NORAD?" in response.text


def test_results_as_sparql_json(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/queries/cq01-norad-members",
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/sparql-results+json; charset=utf-8"
    body = response.json()
    assert body["head"]["vars"] == ["nation", "label"]
    assert [b["nation"]["value"] for b in body["results"]["bindings"]] == NORAD
    assert [b["label"]["value"] for b in body["results"]["bindings"]] == [
        "Canada", "United States"]


def test_results_as_csv_by_accept(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/queries/cq01-norad-members", headers={"Accept": "text/csv"})
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows == [["nation", "label"], [NORAD[0], "Canada"], [NORAD[1], "United States"]]


@pytest.mark.parametrize("value", ["xml", "application/sparql-results+xml"])
def test_results_as_xml_by_format(client, value: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/queries/cq01-norad-members", params={"format": value},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.headers["content-type"] == "application/sparql-results+xml; charset=utf-8"
    root = ET.fromstring(response.content)
    nations = [b.find(f"{SRX}uri").text  # type: ignore[union-attr]
               for b in root.iter(f"{SRX}binding") if b.get("name") == "nation"]
    assert nations == NORAD


def test_results_as_tsv_by_output(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/queries/cq01-norad-members?output=bogus&output=tsv")
    assert response.headers["content-type"] == "text/tab-separated-values; charset=utf-8"
    lines = response.text.splitlines()
    assert lines[0] == "?nation\t?label"
    assert lines[1].startswith(f"<{NORAD[0]}>\t")


@pytest.mark.parametrize("name", QUALITY)
def test_quality_queries_return_no_rows(client, name: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/queries/{name}", params={"format": "json"})
    assert response.status_code == 200
    assert response.json()["results"]["bindings"] == []


def test_unknown_name_is_404(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/queries/cq99-nothing")
    assert response.status_code == 404
    assert "no named query 'cq99-nothing'" in response.text
    assert "cq01-norad-members" in response.text


def test_unacceptable_is_406(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/queries/cq01-norad-members", headers={"Accept": "image/png"})
    assert response.status_code == 406


def test_openapi_documents_every_query(client) -> None:  # type: ignore[no-untyped-def]
    paths = client.get("/openapi.json").json()["paths"]
    assert "/queries" in paths
    assert "/queries/{name}" not in paths
    for name in ALL:
        operation = paths[f"/queries/{name}"]["get"]
        assert "```sparql" in operation["description"]
        parameters = {p["name"] for p in operation["parameters"]}
        assert parameters - {"format", "output"} == (
            {p.name for p in load_queries()[name].parameters})
        assert {"format", "output"} <= parameters
        assert "text/csv" in operation["responses"]["200"]["content"]
    assert paths["/queries/cq01-norad-members"]["get"]["summary"] == (
        "Which nations are members of NORAD?")


def test_live_named_query_uses_public_iris(server) -> None:  # type: ignore[no-untyped-def]
    response = httpx.get(server.url + "queries/cq01-norad-members",
                         headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    nations = [b["nation"]["value"] for b in response.json()["results"]["bindings"]]
    assert nations == [server.url + "id/nation/canada", server.url + "id/nation/united-states"]
