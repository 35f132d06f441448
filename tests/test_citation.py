"""Cite this (CSL-JSON and BibTeX, with the release and data versions) and the schema.org
JSON-LD embedded in the pages (issue 8), read back as RDF."""

from __future__ import annotations

import json

import rdflib
from fastapi.testclient import TestClient
from html_tree import parse_html

from alliance_ld import void

ID = "https://w3id.org/alliance-ld/id/"
SDO = rdflib.Namespace("https://schema.org/")


def test_the_dataset_as_csl_json(client: TestClient, publication) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/cite")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.citationstyles.csl+json")
    [item] = response.json()
    assert item["type"] == "dataset" and item["title"] == void.TITLE
    assert item["version"] == void.VERSION
    assert publication.content_version in item["note"]  # the data version cited
    assert item["URL"] == "https://w3id.org/alliance-ld/"


def test_a_resource_as_bibtex(client: TestClient, publication) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/cite", params={"resource": "alliance/nato", "format": "bibtex"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-bibtex")
    text = response.text
    assert text.startswith("@misc{alliance-ld-id-alliance-nato,\n")
    assert "  title = {{North Atlantic Treaty Organization}},\n" in text
    assert "  url = {https://w3id.org/alliance-ld/doc/alliance/nato},\n" in text
    assert f"Data version {publication.content_version}" in text
    by_accept = client.get("/cite", params={"resource": "alliance/nato"},
                           headers={"Accept": "application/x-bibtex"})
    assert by_accept.text == text


def test_tex_special_characters_are_escaped() -> None:
    from alliance_ld.citation import bibtex

    item = {"id": "x", "author": [{"literal": "A & B"}], "title": "50% of {x}_y #1",
            "issued": {"date-parts": [[2026, 1, 1]]}, "version": "1", "URL": "http://e",
            "note": "n"}
    assert "title = {{50\\% of \\{x\\}\\_y \\#1}}" in bibtex(item)
    assert "author = {{A \\& B}}" in bibtex(item)


def test_an_unknown_resource_is_a_404(client: TestClient) -> None:
    for resource in ("nope/x", "../etc", "alliance/nato>"):
        response = client.get("/cite", params={"resource": resource})
        assert response.status_code == 404 and "is not one of ours" in response.text


def _schema_org(html: str) -> tuple[rdflib.Graph, dict]:  # type: ignore[type-arg]
    script = parse_html(html).by_id("schema-org")
    assert script.get("type") == "application/ld+json"
    data = json.loads(script.raw_text)
    graph = rdflib.Graph().parse(data=json.dumps(data), format="json-ld")  # nothing fetched
    return graph, data


def test_pages_embed_schema_org_json_ld(client: TestClient) -> None:
    cases = {"/doc/alliance/nato.html": ("alliance/nato", SDO.Organization),
             "/doc/nation/japan.html": ("nation/japan", SDO.Country),
             "/doc/treaty/north-atlantic-treaty.html": ("treaty/north-atlantic-treaty",
                                                       SDO.Legislation)}
    for page, (path, kind) in cases.items():
        graph, _ = _schema_org(client.get(page).text)
        subject = rdflib.URIRef(ID + path)
        assert (subject, rdflib.RDF.type, kind) in graph, page
        assert graph.value(subject, SDO.name) is not None
        dataset = graph.value(subject, SDO.isPartOf)
        assert (dataset, rdflib.RDF.type, SDO.Dataset) in graph
    graph, _ = _schema_org(client.get("/doc/nation/japan.html").text)
    assert list(graph.objects(rdflib.URIRef(ID + "nation/japan"), SDO.sameAs)) == [
        rdflib.Literal("http://www.wikidata.org/entity/Q17")]  # its Wikidata match
    home, data = _schema_org(client.get("/", headers={"Accept": "text/html"}).text)
    assert data["@type"] == "Dataset"
    assert (None, SDO.version, rdflib.Literal(void.VERSION)) in home


def test_pages_offer_cite_this(client: TestClient) -> None:
    page = parse_html(client.get("/doc/alliance/nato.html").text)
    assert page.by_id("cite-bibtex").text.startswith("@misc{alliance-ld-id-alliance-nato,")
    links = [a.get("href") for a in page.by_id("cite").find_all("a")]
    assert links == ["/cite?resource=alliance%2Fnato&format=csl-json",
                     "/cite?resource=alliance%2Fnato&format=bibtex"]
    for href in links:
        assert client.get(href).status_code == 200
    home = parse_html(client.get("/", headers={"Accept": "text/html"}).text)
    assert [a.get("href") for a in home.by_id("cite-this").find_all("a")] == [
        "/cite?format=csl-json", "/cite?format=bibtex"]
