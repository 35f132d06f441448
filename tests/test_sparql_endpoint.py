"""The SPARQL endpoint: negotiation, overrides, errors, refusals, IRI rewriting,
the service description, the row cap and the query timeout.

TestClient covers what depends on the app alone; a live ``alliance-ld serve``
covers what depends on real sockets and processes (proxy headers, the row cap and
the timeout, which kills a worker process).
"""

from __future__ import annotations

import csv
import io
import json
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import httpx
import psutil
import pytest
from fastapi.testclient import TestClient
from live_server import Listener, LiveServer, live_server
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF
from syntax_errors import SYNTAX_ERRORS
from syntax_errors import message as syntax_message

from alliance_ld.api.main import create_app
from alliance_ld.rewrite import IriRewriter

BASE = "https://w3id.org/alliance-ld/"
NATO = BASE + "id/alliance/nato"
NORAD = BASE + "id/alliance/norad"
ORG = "http://www.w3.org/ns/org#"
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
SRX = "{http://www.w3.org/2005/sparql-results#}"
NORAD_MEMBERS = (f"SELECT ?n WHERE {{ ?m <{ORG}organization> <{NORAD}> ; <{ORG}member> ?n }} "
                 "ORDER BY ?n")
MEMBERS = [BASE + "id/nation/canada", BASE + "id/nation/united-states"]
NORAD_GRAPH = f"CONSTRUCT {{ <{NORAD}> ?p ?o }} WHERE {{ <{NORAD}> ?p ?o }}"
READ_ONLY = "read-only"
HOW_TO_WRITE = "edit the Turtle files the server loads (see --data) and restart it"


def json_values(response: httpx.Response, variable: str) -> list[str]:
    return [b[variable]["value"] for b in response.json()["results"]["bindings"]]


def xml_values(body: bytes, variable: str) -> list[str]:
    root = ET.fromstring(body)
    return [b[0].text or "" for b in root.iter(SRX + "binding") if b.attrib["name"] == variable]


# ---------------------------------------------------------------------------
# Content negotiation and the format=/output= override


@pytest.mark.parametrize(("accept", "expected"), [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("application/sparql-results+xml;q=0.5, text/csv;q=0.9", "text/csv"),
    ("text/csv;q=0, */*;q=0.1", "application/sparql-results+json"),
    ("application/json", "application/sparql-results+json"),
    ("application/xml;q=0.9,*/*;q=0.8", "application/sparql-results+xml"),
    ("application/sparql-results+json;q=0.1, text/tab-separated-values;q=0.2",
     "text/tab-separated-values"),
])
def test_select_results_by_accept(client: TestClient, accept: str, expected: str) -> None:
    response = client.get("/sparql", params={"query": NORAD_MEMBERS}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{expected}; charset=utf-8"
    assert "Accept" in response.headers["vary"]
    assert _members(response) == MEMBERS


def _members(response: httpx.Response) -> list[str]:
    """The ?n values of NORAD_MEMBERS in whichever results format came back."""
    media = response.headers["content-type"].split(";")[0]
    if media == "application/sparql-results+json":
        return json_values(response, "n")
    if media == "application/sparql-results+xml":
        return xml_values(response.content, "n")
    if media == "text/csv":
        rows = list(csv.reader(io.StringIO(response.text)))
        assert rows[0] == ["n"]
        return [row[0] for row in rows[1:]]
    assert media == "text/tab-separated-values"
    lines = response.text.splitlines()
    assert lines[0] == "?n"
    return [line.strip("<>") for line in lines[1:]]


@pytest.mark.parametrize(("accept", "expected", "rdflib_format"), [
    ("text/turtle", "text/turtle", "turtle"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
    ("application/trig", "application/trig", "trig"),
    ("application/n-quads", "application/n-quads", "nquads"),
    ("application/rdf+xml;q=0.4, application/ld+json;q=0.6", "application/ld+json", "json-ld"),
    ("*/*", "text/turtle", "turtle"),
])
def test_construct_by_accept(client: TestClient, accept: str, expected: str,
                             rdflib_format: str) -> None:
    response = client.get("/sparql", params={"query": NORAD_GRAPH}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{expected}; charset=utf-8"
    _assert_norad_graph(response.text, rdflib_format)


def _assert_norad_graph(text: str, rdflib_format: str, base: str = BASE) -> None:
    graph = Graph()
    graph.parse(data=text, format=rdflib_format)
    norad = URIRef(base + "id/alliance/norad")
    assert (norad, RDF.type, URIRef(base + "ontology#Alliance")) in graph
    assert Literal("NORAD", lang="en") in set(graph.objects(norad, None))
    assert set(graph.subjects()) == {norad}


@pytest.mark.parametrize(("params", "expected"), [
    ([("format", "csv")], "text/csv"),
    ([("output", "tsv")], "text/tab-separated-values"),
    ([("format", "xml")], "application/sparql-results+xml"),
    ([("format", "application/sparql-results+xml")], "application/sparql-results+xml"),
    ([("format", "bogus"), ("format", "tsv"), ("format", "csv")], "text/tab-separated-values"),
    ([("format", "bogus"), ("output", "csv")], "text/csv"),
    # SPARQLWrapper's TSV: format=tsv&format=text/tab-separated-values, output=... too
    ([("format", "tsv"), ("format", "text/tab-separated-values"), ("output", "tsv"),
      ("output", "text/tab-separated-values"), ("results", "tsv")],
     "text/tab-separated-values"),
])
def test_select_format_override_beats_accept(client: TestClient, params: list[tuple[str, str]],
                                             expected: str) -> None:
    response = client.get("/sparql", params=[("query", NORAD_MEMBERS), *params],
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{expected}; charset=utf-8"
    assert _members(response) == MEMBERS


@pytest.mark.parametrize(("value", "expected", "rdflib_format"), [
    ("turtle", "text/turtle", "turtle"),
    ("nt", "application/n-triples", "nt"),
    ("jsonld", "application/ld+json", "json-ld"),
    ("rdfxml", "application/rdf+xml", "xml"),
    ("json", "application/ld+json", "json-ld"),  # json for a graph: JSON-LD
    ("xml", "application/rdf+xml", "xml"),  # xml for a graph: RDF/XML
    ("application/n-triples", "application/n-triples", "nt"),
])
def test_construct_format_override(client: TestClient, value: str, expected: str,
                                   rdflib_format: str) -> None:
    response = client.get("/sparql", params={"query": NORAD_GRAPH, "format": value},
                          headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{expected}; charset=utf-8"
    _assert_norad_graph(response.text, rdflib_format)


def test_override_in_a_form_body(client: TestClient) -> None:
    response = client.post("/sparql", data={"query": NORAD_MEMBERS, "output": "csv"})
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert _members(response) == MEMBERS


def test_an_override_nobody_understands_falls_back_to_accept(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": NORAD_MEMBERS, "format": "bogus"},
                          headers={"Accept": "text/csv"})
    assert response.headers["content-type"] == "text/csv; charset=utf-8"


@pytest.mark.parametrize(("query", "accept"), [
    (NORAD_MEMBERS, "text/turtle"),
    (NORAD_MEMBERS, "image/png, application/pdf;q=0.5"),
    ("ASK {}", "application/rdf+xml"),
    (NORAD_GRAPH, "application/sparql-results+json"),
    (f"DESCRIBE <{NATO}>", "text/csv"),
    (NORAD_MEMBERS, "application/sparql-results+json;q=0"),
])
def test_unacceptable_accept_is_406(client: TestClient, query: str, accept: str) -> None:
    response = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 406
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert "Not Acceptable" in response.text and "available:" in response.text


@pytest.mark.parametrize("query", [NORAD_GRAPH, f"DESCRIBE <{NORAD}>"])
def test_a_graph_for_an_xml_only_client_is_rdf_xml(client: TestClient, query: str) -> None:
    """roqet -p asks for SPARQL XML results whatever the form: a graph comes as RDF/XML."""
    response = client.get("/sparql", params={"query": query},
                          headers={"Accept": "application/sparql-results+xml"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/rdf+xml; charset=utf-8"
    _assert_norad_graph(response.text, "xml")


FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize("accept", [FIREFOX, "*/*", None])
def test_limits_page_for_browsers(client: TestClient, accept: str | None) -> None:
    response = client.get("/sparql/limits", headers={"Accept": accept or ""})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "Accept" in response.headers["vary"]
    assert "Results are cut at <strong>10000</strong> rows" in response.text
    assert '<link rel="icon"' in response.text  # the site's page, with its icon


@pytest.mark.parametrize(("headers", "params"), [
    ({"Accept": "application/json"}, {}),
    ({"Accept": "application/json, text/html;q=0.5"}, {}),
    ({"Accept": FIREFOX}, {"format": "json"}),
])
def test_limits_as_json_for_a_client_that_asks(client: TestClient, headers: dict[str, str],
                                               params: dict[str, str]) -> None:
    response = client.get("/sparql/limits", headers=headers, params=params)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    limits = response.json()
    assert limits["max_rows"] == 10_000
    assert limits["query_timeout_seconds"] == 30
    assert limits["max_query_depth"] == 64
    assert limits["outbound_requests"] is False and limits["read_only"] is True
    assert isinstance(limits["workers_sandboxed"], bool)


def test_limits_refuse_what_they_cannot_give(client: TestClient) -> None:
    assert client.get("/sparql/limits", headers={"Accept": "image/png"}).status_code == 406
    assert client.get("/sparql/limits", params={"format": "pdf"}).status_code == 400


def test_describe_is_a_graph(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": f"DESCRIBE <{NORAD}>"},
                          headers={"Accept": "application/n-triples"})
    assert response.headers["content-type"] == "application/n-triples; charset=utf-8"
    graph = Graph().parse(data=response.text, format="nt")
    assert (URIRef(NORAD), RDF.type, URIRef(BASE + "ontology#Alliance")) in graph


# ---------------------------------------------------------------------------
# Request errors: 415, 400 with the parser's position, 403 for updates


@pytest.mark.parametrize("content_type", [
    "text/plain", "application/json", "application/sparql-results+json", None,
    "application/sparql-query; charset=utf-16", "application/x-www-form-urlencoded; charset=latin1",
])
def test_unsupported_request_media_type_is_415(client: TestClient,
                                               content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post("/sparql", content=b"ASK {}", headers=headers)
    assert response.status_code == 415
    assert "Unsupported Media Type" in response.text


def test_utf8_charset_is_accepted(client: TestClient) -> None:
    response = client.post("/sparql", content="ASK { ?s ?p \"Zürich\" }".encode(),
                           headers={"Content-Type": "application/sparql-query; charset=UTF-8"})
    assert response.status_code == 200
    assert response.json()["boolean"] is False


def test_syntax_error_is_400_with_line_and_column(client: TestClient) -> None:
    query = "PREFIX ald: <https://w3id.org/alliance-ld/ontology#>\nSELECT ?x\nWHERE { ?x a }"
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 400
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    # The position is where the parser got furthest: the object of "?x a" is missing.
    assert response.text.startswith(
        "SPARQL syntax error: line 3, column 14: found '}'; expected one of '/', '|', "
        "a variable, an IRI, a prefixed name, a string, a number, true, false, a blank node, "
        "'(', '[' (")
    assert "line" in response.text and "column" in response.text
    assert "Traceback" not in response.text


@pytest.mark.parametrize(("query", "line", "column", "found", "expected"),
                         [case[1:] for case in SYNTAX_ERRORS],
                         ids=[case[0] for case in SYNTAX_ERRORS])
def test_syntax_error_says_what_was_found_and_what_could_come(
        client: TestClient, query: str, line: int, column: int, found: str,
        expected: str) -> None:
    response = client.get("/sparql", params={"query": query},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text.startswith(syntax_message(line, column, found, expected))


def test_syntax_error_from_a_live_server(server: LiveServer) -> None:
    response = httpx.post(server.url + "sparql", content="SELEC * WHERE {",
                          headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 400
    assert response.text.startswith(
        "SPARQL syntax error: line 1, column 1: found 'SELEC'; expected one of SELECT, "
        "CONSTRUCT, DESCRIBE, ASK, BASE, PREFIX (")


@pytest.mark.parametrize("body", [b"\xff\xfeA\x00S\x00K\x00", b"ASK { ?s ?p \"\xe9\" }"])
def test_query_that_is_not_utf8_is_400(client: TestClient, body: bytes) -> None:
    response = client.post("/sparql", content=body,
                           headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 400
    assert "not valid UTF-8" in response.text


def _assert_refused(response: httpx.Response) -> None:
    assert response.status_code == 403
    assert READ_ONLY in response.text
    assert HOW_TO_WRITE in response.text


def test_update_via_get_is_refused(client: TestClient) -> None:
    _assert_refused(client.get("/sparql", params={"update": "CLEAR ALL"}))


def test_update_via_form_is_refused(client: TestClient) -> None:
    _assert_refused(client.post("/sparql", data={"update": f"DELETE WHERE {{ <{NATO}> ?p ?o }}"}))


def test_update_via_direct_post_is_refused_and_changes_nothing(client: TestClient) -> None:
    _assert_refused(client.post("/sparql", content=f"DELETE WHERE {{ <{NATO}> ?p ?o }}",
                                headers={"Content-Type": "application/sparql-update"}))
    after = client.get("/sparql", params={"query": f"ASK {{ <{NATO}> a ?t }}"})
    assert after.json()["boolean"] is True


def test_update_sent_as_a_query_is_400_and_says_why(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "INSERT DATA { <a:s> <a:p> <a:o> }"})
    assert response.status_code == 400
    assert "is a SPARQL Update, not a query" in response.text
    assert READ_ONLY in response.text


@pytest.mark.parametrize("how", ["update-form", "update-direct", "update-get", "query"])
def test_load_is_refused_without_a_request(client: TestClient, listener: Listener,
                                           how: str) -> None:
    load = f"LOAD <http://127.0.0.1:{listener.port}/data.ttl>"
    if how == "update-form":
        response = client.post("/sparql", data={"update": load})
    elif how == "update-direct":
        response = client.post("/sparql", content=load,
                               headers={"Content-Type": "application/sparql-update"})
    elif how == "update-get":
        response = client.get("/sparql", params={"update": load})
    else:
        response = client.get("/sparql", params={"query": load})
    assert response.status_code == (400 if how == "query" else 403)
    assert READ_ONLY in response.text
    assert listener.connections == 0


@pytest.mark.parametrize("template", [
    "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
    "select * where {{ ?s a ?t OPTIONAL {{ service <{url}> {{ ?s ?p ?o }} }} }}",
    "PREFIX remote: <{url}#>\nSELECT * WHERE {{ SERVICE remote:x {{ ?s ?p ?o }} }}",
    "ASK {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",  # codepoint escape
])
def test_service_is_refused_without_a_request(client: TestClient, listener: Listener,
                                              template: str) -> None:
    query = template.format(url=f"http://127.0.0.1:{listener.port}/sparql")
    response = client.post("/sparql", content=query,
                           headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 400
    assert listener.connections == 0


def test_service_refusal_says_why(client: TestClient) -> None:
    response = client.get("/sparql", params={
        "query": "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"})
    assert response.status_code == 400
    assert response.text == ("SERVICE is not supported: this endpoint never sends requests "
                             "to other servers (federated queries are refused before "
                             "evaluation)\n")


def test_keywords_inside_strings_iris_and_comments_are_not_refused(client: TestClient) -> None:
    query = ("# SERVICE <http://example.org/> and LOAD in a comment\n"
             "SELECT ?x WHERE { VALUES ?x { \"SERVICE\" 'INSERT' <http://example.org/SERVICE> } }")
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200
    assert len(json_values(response, "x")) == 3


# ---------------------------------------------------------------------------
# Datasets: FROM and the protocol's graph IRIs name graphs of the store


def test_from_names_a_graph_of_the_store(client: TestClient) -> None:
    query = (f"SELECT (COUNT(*) AS ?n) FROM <{BASE}graph/alliances> "
             f"WHERE {{ <{NATO}> a ?t }}")
    assert json_values(client.get("/sparql", params={"query": query}), "n") == ["2"]
    query = f"SELECT (COUNT(*) AS ?n) FROM <{BASE}graph/nations> WHERE {{ <{NATO}> a ?t }}"
    assert json_values(client.get("/sparql", params={"query": query}), "n") == ["0"]


def test_from_named_alone_leaves_the_default_graph_empty(client: TestClient) -> None:
    query = (f"SELECT ?g (COUNT(*) AS ?n) FROM NAMED <{BASE}graph/alliances> "
             "WHERE { { ?s ?p ?o BIND(\"default\" AS ?g) } UNION { GRAPH ?g { ?s ?p ?o } } } "
             "GROUP BY ?g")
    response = client.get("/sparql", params={"query": query})
    assert json_values(response, "g") == [BASE + "graph/alliances"]


def test_relative_iris_resolve_against_the_canonical_base(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "ASK { <id/alliance/nato> a ?t }"})
    assert response.status_code == 200
    assert response.json()["boolean"] is True


# ---------------------------------------------------------------------------
# --public-url: public IRIs in, public IRIs out; canonical without it


def test_public_server_answers_public_iris_with_public_iris(server: LiveServer) -> None:
    query = (f"SELECT ?n WHERE {{ ?m <{ORG}organization> <{server.url}id/alliance/norad> ; "
             f"<{ORG}member> ?n }} ORDER BY ?n")
    response = httpx.get(server.url + "sparql", params={"query": query},
                         headers={"Accept": "application/sparql-results+xml"})
    assert xml_values(response.content, "n") == [m.replace(BASE, server.url) for m in MEMBERS]
    assert BASE.encode() not in response.content


def test_public_server_also_takes_canonical_iris_and_rewrites_graphs(server: LiveServer) -> None:
    response = httpx.get(server.url + "sparql", params={"query": NORAD_GRAPH},
                         headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert BASE.encode() not in response.content
    _assert_norad_graph(response.text, "turtle", base=server.url)


def test_without_public_url_results_carry_canonical_iris(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": NORAD_MEMBERS})
    assert json_values(response, "n") == MEMBERS


PUBLIC = "https://alliances.example.org/ld/"


@pytest.fixture(scope="module")
def public_client(publication: Any) -> Iterator[TestClient]:
    """The app as deployed at https://alliances.example.org/ld/ (one query worker)."""
    settings = publication.settings.model_copy(update={"public_url": PUBLIC,
                                                       "query_workers": 1, "max_rows": 5})
    deployed = replace(publication, settings=settings,
                       rewriter=IriRewriter(settings.base_iri, PUBLIC))
    with TestClient(create_app(settings, deployed)) as test_client:
        yield test_client


def test_public_url_rewrites_queries_and_results(public_client: TestClient) -> None:
    query = NORAD_MEMBERS.replace(BASE, PUBLIC)
    response = public_client.post("/sparql", data={"query": query})
    assert json_values(response, "n") == [m.replace(BASE, PUBLIC) for m in MEMBERS]


def test_truncation_link_uses_the_public_url(public_client: TestClient) -> None:
    response = public_client.get("/sparql", params={"query": "SELECT * { ?s ?p ?o } LIMIT 9"},
                                 headers={"Accept": "application/sparql-results+json"})
    assert response.headers["x-result-truncated"] == "true"
    assert response.json()["head"]["link"] == [PUBLIC + "sparql/limits"]
    assert response.headers["link"] == f'<{PUBLIC}sparql/limits>; rel="describedby"'


def test_public_url_rewrites_protocol_graph_iris(public_client: TestClient) -> None:
    response = public_client.get("/sparql", params=[
        ("query", f"ASK {{ <{PUBLIC}id/alliance/nato> a ?t }}"),
        ("default-graph-uri", PUBLIC + "graph/alliances")])
    assert response.json()["boolean"] is True


# ---------------------------------------------------------------------------
# The service description


def _service_description(text: str) -> tuple[Graph, URIRef]:
    graph = Graph().parse(data=text, format="turtle")
    services = list(graph.subjects(RDF.type, SD.Service))
    assert len(services) == 1
    service = services[0]
    assert isinstance(service, URIRef)
    return graph, service


def test_service_description_advertises_the_public_url(public_client: TestClient) -> None:
    response = public_client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"
    graph, service = _service_description(response.text)
    assert service == URIRef(PUBLIC + "sparql")
    assert set(graph.objects(service, SD.endpoint)) == {URIRef(PUBLIC + "sparql")}
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert set(graph.objects(service, SD.resultFormat)) >= {
        FORMATS.SPARQL_Results_JSON, FORMATS.SPARQL_Results_XML, FORMATS.SPARQL_Results_CSV,
        FORMATS.SPARQL_Results_TSV, FORMATS.Turtle, FORMATS["N-Triples"], FORMATS["JSON-LD"],
        FORMATS.RDF_XML}
    names = set(graph.objects(None, SD.name))
    assert URIRef(PUBLIC + "graph/alliances") in names
    assert b"127.0.0.1" not in response.content and b"localhost" not in response.content
    assert BASE.encode() not in response.content


@pytest.fixture(scope="module")
def rooted_client(publication: Any) -> Iterator[TestClient]:
    """The app behind a proxy that strips the prefix /ald (--root-path /ald)."""
    settings = publication.settings.model_copy(update={"root_path": "/ald", "query_workers": 1})
    with TestClient(create_app(settings, replace(publication, settings=settings))) as client:
        yield client


def test_service_description_under_a_root_path(rooted_client: TestClient) -> None:
    response = rooted_client.get("/sparql", headers={"Accept": "text/turtle"})
    _, service = _service_description(response.text)
    assert service == URIRef("http://testserver/ald/sparql")


def test_service_description_of_the_live_server(server: LiveServer) -> None:
    response = httpx.get(server.url + "sparql", headers={"Accept": "text/turtle"})
    graph, service = _service_description(response.text)
    assert set(graph.objects(service, SD.endpoint)) == {URIRef(server.url + "sparql")}


@pytest.mark.parametrize("accept", [
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
])
def test_service_description_for_a_browser_is_the_query_editor(client: TestClient,
                                                               accept: str) -> None:
    response = client.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(("accept", "media"), [
    (None, "text/turtle"), ("*/*", "text/turtle"),
    ("application/ld+json", "application/ld+json"), ("application/rdf+xml", "application/rdf+xml"),
])
def test_service_description_for_rdf_clients(client: TestClient, accept: str | None,
                                             media: str) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", headers=headers)
    assert response.headers["content-type"] == f"{media}; charset=utf-8"
    graph = Graph().parse(data=response.text, format={
        "text/turtle": "turtle", "application/ld+json": "json-ld",
        "application/rdf+xml": "xml"}[media])
    assert len(list(graph.subjects(RDF.type, SD.Service))) == 1


# ---------------------------------------------------------------------------
# A live server with a row cap of 5 and a timeout of 2 s, without a public URL


@pytest.fixture(scope="module")
def limited() -> Iterator[LiveServer]:
    with live_server("--max-rows", "5", "--query-timeout", "2", public=False) as running:
        yield running


@pytest.mark.parametrize("host_header", ["Host", "X-Forwarded-Host"])
def test_service_description_behind_a_proxy(limited: LiveServer, host_header: str) -> None:
    response = httpx.get(limited.url + "sparql", headers={
        "Accept": "text/turtle", host_header: "data.example.org",
        "X-Forwarded-Proto": "https", "X-Forwarded-Prefix": "/ald"})
    _, service = _service_description(response.text)
    assert service == URIRef("https://data.example.org/ald/sparql")


@pytest.mark.parametrize("bad_host", ["evil.example.org/path", "a b", "host:port:extra", ""])
def test_malformed_forwarded_host_is_ignored(limited: LiveServer, bad_host: str) -> None:
    response = httpx.get(limited.url + "sparql", headers={
        "Accept": "text/turtle", "X-Forwarded-Host": bad_host})
    _, service = _service_description(response.text)
    assert service == URIRef(limited.url + "sparql")


def test_service_description_without_public_url_names_the_request_url(
        limited: LiveServer) -> None:
    response = httpx.get(limited.url + "sparql", headers={"Accept": "text/turtle"})
    _, service = _service_description(response.text)
    assert service == URIRef(limited.url + "sparql")


# IRI subjects only, so that every worker process sorts the rows the same way
# (blank-node labels differ between workers); some objects are multi-line literals.
BIG_SELECT = ("SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(isIRI(?s)) } "
              "ORDER BY ?s ?p ?o LIMIT 50")


def test_row_cap_cuts_select_and_says_so_in_json(limited: LiveServer) -> None:
    response = httpx.get(limited.url + "sparql", params={"query": BIG_SELECT},
                         headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    assert response.headers["x-result-truncated"] == "true"
    assert response.headers["x-result-limit"] == "5"
    body = response.json()
    assert len(body["results"]["bindings"]) == 5
    assert body["head"]["link"] == [limited.url + "sparql/limits"]
    assert body["head"]["vars"] == ["s", "p", "o"]
    limits = httpx.get(body["head"]["link"][0])
    assert limits.status_code == 200 and "<strong>5</strong> rows" in limits.text


def test_row_cap_in_xml_csv_and_tsv(limited: LiveServer) -> None:
    url = limited.url + "sparql"
    xml = httpx.get(url, params={"query": BIG_SELECT, "format": "xml"})
    root = ET.fromstring(xml.content)
    assert len(root.findall(f"{SRX}results/{SRX}result")) == 5
    links = root.findall(f"{SRX}head/{SRX}link")
    assert [link.attrib["href"] for link in links] == [limited.url + "sparql/limits"]
    subjects = [b.find(f"{SRX}uri").text for r in root.findall(f"{SRX}results/{SRX}result")
                for b in r.findall(f"{SRX}binding") if b.get("name") == "s"]
    csv_response = httpx.get(url, params={"query": BIG_SELECT, "format": "csv"})
    assert csv_response.headers["x-result-truncated"] == "true"
    # A CSV record may span lines (quoted multi-line literals): read it as CSV.
    rows = list(csv.reader(io.StringIO(csv_response.text, newline="")))
    assert rows[0] == ["s", "p", "o"]
    assert [row[0] for row in rows[1:]] == subjects
    tsv_response = httpx.get(url, params={"query": BIG_SELECT, "format": "tsv"})
    assert tsv_response.headers["x-result-truncated"] == "true"
    # TSV escapes newlines inside literals, so one line is one row.
    lines = tsv_response.text.splitlines()
    assert lines[0] == "?s\t?p\t?o"
    assert [line.split("\t")[0] for line in lines[1:]] == [f"<{s}>" for s in subjects]


def test_row_cap_cuts_construct(limited: LiveServer) -> None:
    response = httpx.get(limited.url + "sparql",
                         params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
                         headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    assert response.headers["x-result-truncated"] == "true"
    assert len(Graph().parse(data=response.text, format="nt")) == 5
    assert response.headers["link"] == f'<{limited.url}sparql/limits>; rel="describedby"'


def test_result_at_the_cap_is_not_marked_truncated(limited: LiveServer) -> None:
    query = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 5"
    response = httpx.get(limited.url + "sparql", params={"query": query},
                         headers={"Accept": "application/sparql-results+json"})
    assert len(response.json()["results"]["bindings"]) == 5
    assert "x-result-truncated" not in response.headers
    assert "link" not in response.json()["head"]


def _workers(server: LiveServer) -> set[int]:
    """PIDs of the server's query worker processes."""
    children = psutil.Process(server.process.pid).children(recursive=True)
    pids = set()
    for child in children:
        try:
            if "spawn_main" in " ".join(child.cmdline()):
                pids.add(child.pid)
        except psutil.NoSuchProcess:
            continue
    return pids


def _tree_cpu(server: LiveServer) -> float:
    """User + system CPU seconds of the server process and all its children."""
    root = psutil.Process(server.process.pid)
    total = 0.0
    for process in [root, *root.children(recursive=True)]:
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            continue
    return total


def _wait_until_idle(server: LiveServer, workers: int, timeout: float = 60) -> None:
    """Until the pool is back to ``workers`` processes and the tree is quiet."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(_workers(server)) == workers:
            before = _tree_cpu(server)
            time.sleep(0.5)
            if _tree_cpu(server) - before < 0.1:
                return
        else:
            time.sleep(0.2)


HEAVY = {
    "count-cartesian":
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    # ORDER BY must see every row before the first: it cannot stream. (Grouped, so
    # that memory stays small while the CPU works through the product.)
    "order-by-cartesian":
        "SELECT ?c (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } "
        "GROUP BY ?c ORDER BY DESC(?n) LIMIT 1",
}


@pytest.mark.parametrize("heavy", sorted(HEAVY))
def test_timeout_kills_the_query_and_frees_the_cpu(limited: LiveServer, heavy: str) -> None:
    url = limited.url + "sparql"
    _wait_until_idle(limited, 2)
    workers_before = _workers(limited)
    assert len(workers_before) == 2
    outcome: dict[str, httpx.Response] = {}

    # Two clients (as a proxy on loopback forwards them): each may hold one worker.
    first, second = {"X-Forwarded-For": "198.51.100.1"}, {"X-Forwarded-For": "198.51.100.2"}

    def run_heavy() -> None:
        outcome["heavy"] = httpx.get(url, params={"query": HEAVY[heavy]}, timeout=60,
                                     headers=first)

    thread = threading.Thread(target=run_heavy)
    thread.start()
    time.sleep(0.5)  # the heavy query is in a worker by now
    assert thread.is_alive()

    # While it runs, queries and dereferencing are answered.
    quick = httpx.get(url, params={"query": NORAD_MEMBERS.replace(BASE, BASE)},
                      headers={"Accept": "application/sparql-results+json", **second},
                      timeout=10)
    page = httpx.get(limited.url + "id/alliance/nato", headers={"Accept": "text/turtle"},
                     follow_redirects=False, timeout=10)
    ask = httpx.post(url, content="ASK {}", timeout=10,
                     headers={"Content-Type": "application/sparql-query", **second})
    assert thread.is_alive(), "the other requests must be answered before the heavy one ends"
    assert quick.status_code == 200 and json_values(quick, "n") == MEMBERS
    assert page.status_code in (200, 303)
    assert ask.status_code == 200 and ask.json()["boolean"] is True

    thread.join(30)
    response = outcome["heavy"]
    assert response.status_code == 503
    assert response.text.strip() == "query timed out after 2 s"

    # The worker that ran it is gone (killed and reaped), and a new one replaces it.
    killed = workers_before - _workers(limited)
    assert len(killed) == 1
    assert not any(psutil.pid_exists(pid) for pid in killed)
    _wait_until_idle(limited, 2)
    assert len(_workers(limited)) == 2
    # No process is left busy: the whole server tree uses well under 0.5 s of CPU in 2 s.
    before = _tree_cpu(limited)
    time.sleep(2)
    assert _tree_cpu(limited) - before < 0.5
    # And the new worker answers.
    again = httpx.get(url, params={"query": NORAD_MEMBERS},
                      headers={"Accept": "application/sparql-results+json"})
    assert json_values(again, "n") == MEMBERS


def test_json_results_are_valid_json_with_non_ascii(client: TestClient) -> None:
    query = "SELECT ?l WHERE { BIND(\"Zürich – 東京\"@en AS ?l) }"
    response = client.get("/sparql", params={"query": query})
    assert json.loads(response.content.decode("utf-8"))["results"]["bindings"] == [
        {"l": {"type": "literal", "value": "Zürich – 東京", "xml:lang": "en"}}]


def test_query_running_out_of_memory_is_stopped_and_its_worker_replaced() -> None:
    heavy = "SELECT ?a ?d WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 3"
    small = "ASK { ?s ?p ?o }"
    with live_server("--query-memory", "512", "--query-timeout", "120", "--workers", "1",
                     public=False) as capped:
        url = capped.url + "sparql"
        response = httpx.get(url, params={"query": heavy}, timeout=150,
                             headers={"Accept": "application/sparql-results+json"})
        assert response.status_code == 503
        assert response.text.strip() == ("query stopped: it needed more memory than the "
                                         "512 MB a query may use")
        # the only worker was replaced: the next query is answered
        after = httpx.get(url, params={"query": small}, timeout=60,
                          headers={"Accept": "application/sparql-results+json"})
        assert after.status_code == 200
        assert after.json()["boolean"] is True
