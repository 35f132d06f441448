"""Dereferenceable IRIs: 303 See Other, documents per format, 404s, escapes, paging.

Most checks go through FastAPI's TestClient (no public URL: canonical IRIs in
the RDF, ``http://testserver/`` in the HTTP headers); the last ones talk to a
real ``alliance-ld serve`` with rdflib's own HTTP client and with raw
``http.client`` requests that no client library normalises.
"""

from __future__ import annotations

import dataclasses
import http.client
import json
from typing import Any
from urllib.parse import urlsplit

import pytest
import rdflib
from oracle import published_store
from rdflib import RDF, RDFS, Literal, Namespace, URIRef
from rdflib.compare import isomorphic

from alliance_ld.describe import PageOutOfRangeError, describe

BASE = "https://w3id.org/alliance-ld/"
ID = Namespace(BASE + "id/")
ALD = Namespace(BASE + "ontology#")
DCT = Namespace("http://purl.org/dc/terms/")
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
NATO = ID["alliance/nato"]
US = ID["nation/united-states"]
TESTSERVER = "http://testserver/"

RDF_FORMATS = {  # extension: (media type, rdflib parser)
    "ttl": ("text/turtle", "turtle"),
    "jsonld": ("application/ld+json", "json-ld"),
    "rdf": ("application/rdf+xml", "xml"),
    "nt": ("application/n-triples", "nt"),
}
ALL_TYPES = {"html": "text/html", **{ext: mt for ext, (mt, _) in RDF_FORMATS.items()}}
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CHROME = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
          "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7")
RDFLIB_DEFAULT = ("application/rdf+xml, text/n3, text/turtle, application/n-triples, "
                  "application/ld+json, application/n-quads, application/trix, application/trig")


def parse(body: bytes | str, ext: str, base: str = BASE) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(data=body, format=RDF_FORMATS[ext][1], publicID=base)
    return graph


def links(header: str) -> dict[tuple[str, str | None], str]:
    """Parse a Link header into {(rel, type): target}."""
    out: dict[tuple[str, str | None], str] = {}
    for part in header.split(", <"):
        target, _, params = part.lstrip("<").partition(">")
        fields = dict(p.strip().split("=", 1) for p in params.split(";") if "=" in p)
        rel = fields["rel"].strip('"')
        kind = fields.get("type", "").strip('"') or None
        out[(rel, kind)] = target
    return out


def store_incoming(publication: Any, iri: str) -> set[tuple[rdflib.term.Node, ...]]:
    """Every (s, p, o) with ``iri`` as object, straight from the store (not the shapes)."""
    rows = published_store().query(
        f"SELECT DISTINCT ?s ?p WHERE {{ GRAPH ?g {{ ?s ?p <{iri}> }} "
        f"FILTER(?g != <{BASE}graph/shapes>) }}")
    return {(URIRef(r["s"].value), URIRef(r["p"].value), URIRef(iri)) for r in rows}


# -- 303 See Other -------------------------------------------------------------------


@pytest.mark.parametrize(("accept", "extension"), [
    (None, "ttl"),
    ("*/*", "ttl"),
    ("text/html", "html"),
    (FIREFOX, "html"),
    (CHROME, "html"),
    ("application/xhtml+xml", "html"),
    ("text/turtle", "ttl"),
    ("application/x-turtle", "ttl"),
    ("application/ld+json", "jsonld"),
    ("application/json", "jsonld"),
    ("application/rdf+xml", "rdf"),
    ("application/n-triples", "nt"),
    ("text/turtle;q=0.5, application/rdf+xml;q=0.9", "rdf"),
    ("text/html;q=0.9, text/turtle", "ttl"),
    ("text/html;q=0, */*;q=0.1", "ttl"),
    ("application/ld+json;q=0.2, text/html;q=0, text/turtle;q=0.1", "jsonld"),
    ("text/*", "ttl"),
    ("application/n-triples, text/turtle", "nt"),
    (RDFLIB_DEFAULT, "rdf"),
    ("text/turtle, application/x-turtle, */*;q=0.1", "ttl"),  # rdflib format="turtle"
    ("application/rdf+xml, text/rdf+n3;q=0.9, application/xhtml+xml;q=0.5, */*;q=0.1",
     "rdf"),  # raptor's rapper
])
def test_resource_iri_redirects_by_accept(client: Any, accept: str | None,
                                          extension: str) -> None:
    headers = {"Accept": accept if accept is not None else ""}
    response = client.get("/id/alliance/nato", headers=headers, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"{TESTSERVER}doc/alliance/nato.{extension}"
    assert "Accept" in [v.strip() for v in response.headers["vary"].split(",")]
    assert links(response.headers["link"]) == {
        ("describedby", None): f"{TESTSERVER}doc/alliance/nato"}


def test_redirect_keeps_the_page_of_incoming_links(client: Any) -> None:
    response = client.get("/id/nation/united-states?page=2",
                          headers={"Accept": "text/turtle"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"{TESTSERVER}doc/nation/united-states.ttl?page=2"


def test_unacceptable_type_is_406_listing_the_formats(client: Any) -> None:
    response = client.get("/id/alliance/nato", headers={"Accept": "image/png"},
                          follow_redirects=False)
    assert response.status_code == 406
    for media_type in ALL_TYPES.values():
        assert media_type in response.text


def test_location_follows_host_forwarded_proto_and_prefix(client: Any) -> None:
    response = client.get("/id/alliance/nato", follow_redirects=False, headers={
        "Accept": "text/turtle", "Host": "data.example.org",
        "X-Forwarded-Prefix": "/alliance-ld"})
    assert response.status_code == 303
    assert response.headers["location"] == (
        "http://data.example.org/alliance-ld/doc/alliance/nato.ttl")
    document = client.get("/doc/alliance/nato.ttl", headers={
        "Host": "data.example.org", "X-Forwarded-Prefix": "/alliance-ld"})
    assert document.headers["content-location"] == (
        "http://data.example.org/alliance-ld/doc/alliance/nato.ttl")
    assert links(document.headers["link"])[("alternate", "text/html")] == (
        "http://data.example.org/alliance-ld/doc/alliance/nato.html")


def test_head_answers_like_get_without_a_body(client: Any) -> None:
    redirect = client.head("/id/alliance/nato", headers={"Accept": "text/turtle"},
                           follow_redirects=False)
    assert redirect.status_code == 303
    assert redirect.headers["location"].endswith("/doc/alliance/nato.ttl")
    document = client.head("/doc/alliance/nato.ttl")
    assert document.status_code == 200
    assert document.headers["content-type"] == "text/turtle; charset=utf-8"
    assert document.content == b""


# -- documents -------------------------------------------------------------------------


@pytest.mark.parametrize("extension", ["html", *RDF_FORMATS])
def test_document_headers(client: Any, extension: str) -> None:
    response = client.get(f"/doc/alliance/nato.{extension}")
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{ALL_TYPES[extension]}; charset=utf-8"
    assert "Accept" in [v.strip() for v in response.headers["vary"].split(",")]
    assert response.headers["content-location"] == f"{TESTSERVER}doc/alliance/nato.{extension}"
    found = links(response.headers["link"])
    expected = {("alternate", media_type): f"{TESTSERVER}doc/alliance/nato.{ext}"
                for ext, media_type in ALL_TYPES.items() if ext != extension}
    for key, target in expected.items():
        assert found[key] == target
    assert ("alternate", ALL_TYPES[extension]) not in found
    assert found[("http://rdfs.org/ns/void#inDataset", None)] == f"{TESTSERVER}.well-known/void"
    assert response.headers["etag"]  # set by the document-validators middleware


def test_conditional_get_of_a_document_is_304(client: Any) -> None:
    first = client.get("/doc/alliance/nato.ttl")
    again = client.get("/doc/alliance/nato.ttl", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""


@pytest.mark.parametrize("extension", list(RDF_FORMATS))
def test_document_describes_nato(client: Any, extension: str) -> None:
    graph = parse(client.get(f"/doc/alliance/nato.{extension}").content, extension)
    # its own triples
    assert (NATO, RDFS.label, Literal("North Atlantic Treaty Organization", lang="en")) in graph
    assert (NATO, ALD.foundedOn, ID["treaty/north-atlantic-treaty"]) in graph
    assert (NATO, RDF.type, ALD.Alliance) in graph
    assert (NATO, DCT.source, ID["source/dod-nato-spotlight"]) in graph
    # incoming links (first page, sorted by subject)
    assert (ID["membership/nato-belgium"], ORG.organization, NATO) in graph
    # labels and types of neighbours
    assert (ID["treaty/north-atlantic-treaty"], RDFS.label,
            Literal("North Atlantic Treaty", lang="en")) in graph
    assert (ID["membership/nato-belgium"], RDF.type, ALD.Membership) in graph
    assert (ALD.Alliance, RDFS.label, None) in graph
    # provenance: the sources' labels and web addresses
    assert (ID["source/dod-nato-spotlight"], SCHEMA.url,
            Literal("https://www.defense.gov/Spotlights/nato/",
                    datatype=rdflib.XSD.anyURI)) in graph
    assert (ID["source/article"], RDFS.label, None) in graph
    # the document itself
    document = URIRef(BASE + "doc/alliance/nato")
    assert (document, FOAF.primaryTopic, NATO) in graph
    assert (document, URIRef("http://rdfs.org/ns/void#inDataset"),
            URIRef(BASE + ".well-known/void#dataset")) in graph
    assert (document, HYDRA.next, URIRef(BASE + "doc/alliance/nato?page=2")) in graph
    # nothing about unrelated resources: the treaty's own facts stay in its document
    assert (ID["treaty/north-atlantic-treaty"], DCT.source, None) not in graph


def test_every_format_says_the_same(client: Any) -> None:
    graphs = {ext: parse(client.get(f"/doc/alliance/nato.{ext}").content, ext)
              for ext in RDF_FORMATS}
    reference = graphs.pop("nt")
    assert len(reference) > 80
    for ext, graph in graphs.items():
        assert isomorphic(graph, reference), ext


def test_turtle_uses_readable_prefixes(client: Any) -> None:
    text = client.get("/doc/alliance/nato.ttl").text
    assert f"@prefix ald: <{BASE}ontology#> ." in text
    assert f"@prefix membership: <{BASE}id/membership/> ." in text
    assert "ald:foundedOn treaty:north-atlantic-treaty" in text


def test_jsonld_is_json_ld_rdflib_reads(client: Any) -> None:
    response = client.get("/doc/alliance/nato.jsonld")
    data = json.loads(response.text)
    nodes = data if isinstance(data, list) else data.get("@graph", [data])
    assert any(node.get("@id") == str(NATO) for node in nodes)


def test_jsonld_is_compacted_with_the_published_context(client: Any, publication: Any) -> None:
    from alliance_ld import jsonld

    response = client.get("/doc/alliance/nato.jsonld")
    data = json.loads(response.text)
    assert data["@context"] == jsonld.context(publication)
    nodes = data.get("@graph", [data])
    nato = next(node for node in nodes if node.get("@id") in (str(NATO), "alliance:nato"))
    assert nato["foundedOn"] in (str(ID["treaty/north-atlantic-treaty"]),
                                 "treaty:north-atlantic-treaty")


@pytest.mark.parametrize(("accept", "extension"), [
    ("text/turtle", "ttl"), ("text/html", "html"), ("application/ld+json", "jsonld"),
    (None, "ttl"),
])
def test_generic_document_negotiates(client: Any, accept: str | None, extension: str) -> None:
    response = client.get("/doc/alliance/nato", headers={"Accept": accept or ""})
    assert response.status_code == 200
    assert response.headers["content-location"] == f"{TESTSERVER}doc/alliance/nato.{extension}"
    assert response.headers["content-type"].startswith(ALL_TYPES[extension])
    assert response.content == client.get(f"/doc/alliance/nato.{extension}").content


def test_description_follows_blank_nodes(tmp_path: Any) -> None:
    from alliance_ld.describe import describe
    from alliance_ld.publication import load_publication
    from alliance_ld.settings import Settings

    data = tmp_path / "blank.ttl"
    data.write_text(
        "@prefix ex: <http://example.org/> .\n"
        "ex:a ex:p [ ex:q [ ex:r [ ex:v \"deeper\" ] ] ; ex:s ex:b ] .\n"
        "ex:b ex:t [ ex:u \"not a's\" ] .\n")
    small = load_publication(Settings(data=[data]))
    description = describe(small, "http://example.org/a")
    assert description is not None
    predicates = sorted(str(t.predicate).rsplit("/", 1)[-1] for t in description.outgoing)
    assert predicates == ["p", "q", "r", "s", "v"]  # three blank levels; not ex:b's own triples


# -- paging of incoming links ------------------------------------------------------------


def test_incoming_links_are_paged_over_http(client: Any, publication: Any) -> None:
    size = publication.settings.incoming_page_size
    expected = store_incoming(publication, str(US))
    assert len(expected) > size  # the United States needs more than one page
    pages = -(-len(expected) // size)
    seen: set[tuple[rdflib.term.Node, ...]] = set()
    for number in range(1, pages + 1):
        path = "/doc/nation/united-states.ttl" + (f"?page={number}" if number > 1 else "")
        response = client.get(path)
        assert response.status_code == 200
        graph = parse(response.content, "ttl")
        page = {t for t in graph.triples((None, None, US))
                if not str(t[0]).startswith(BASE + "doc/")}  # not foaf:primaryTopic
        assert len(page) == (size if number < pages else len(expected) - size * (pages - 1))
        assert not page & seen
        seen |= page
        found = links(response.headers["link"])
        assert found[("last", None)].endswith(f"united-states.ttl?page={pages}")
        document = URIRef(BASE + "doc/nation/united-states"
                          + (f"?page={number}" if number > 1 else ""))
        assert (document, HYDRA.totalItems, Literal(len(expected))) in graph
        if number < pages:
            assert found[("next", None)] == (
                f"{TESTSERVER}doc/nation/united-states.ttl?page={number + 1}")
            assert (document, HYDRA.next,
                    URIRef(f"{BASE}doc/nation/united-states?page={number + 1}")) in graph
        else:
            assert ("next", None) not in found
            assert (document, HYDRA.next, None) not in graph
        if number > 1:
            assert ("prev", None) in found
        # the resource's own triples are on every page
        assert (US, RDF.type, ALD.Nation) in graph
    assert seen == expected
    past = client.get(f"/doc/nation/united-states.ttl?page={pages + 1}")
    assert past.status_code == 404
    assert f"there are {pages} page(s)" in past.headers["x-alliance-ld-error"]


@pytest.mark.parametrize("page", ["0", "-1", "two", "1.5", "9999999999", "%C2%B2", "%E0%A5%A8"])
def test_bad_page_numbers_are_400(client: Any, page: str) -> None:
    response = client.get(f"/doc/nation/united-states.ttl?page={page}")
    assert response.status_code == 400
    assert "page must be a positive whole number" in response.text


def test_small_pages_cover_all_incoming_links(publication: Any) -> None:
    settings = publication.settings.model_copy(update={"incoming_page_size": 20})
    small = dataclasses.replace(publication, settings=settings)
    article = str(ID["source/article"])
    expected = {(URIRef(s), URIRef(p), URIRef(article))
                for s, p, _ in store_incoming(publication, article)}
    first = describe(small, article)
    assert first is not None
    assert first.incoming_total == len(expected) and first.pages == -(-len(expected) // 20)
    assert first.pages >= 5
    union: set[tuple[rdflib.term.Node, ...]] = set()
    for number in range(1, first.pages + 1):
        page = describe(small, article, number)
        assert page is not None
        assert len(page.incoming) <= 20
        union |= {(URIRef(t.subject), URIRef(t.predicate), URIRef(article))
                  for t in page.incoming}
    assert union == expected
    with pytest.raises(PageOutOfRangeError):
        describe(small, article, first.pages + 1)


def test_a_resource_with_few_links_is_not_paged(client: Any) -> None:
    response = client.get("/doc/alliance/anzus.ttl")
    graph = parse(response.content, "ttl")
    assert (None, HYDRA.next, None) not in graph
    assert ("next", None) not in links(response.headers["link"])


# -- unknown IRIs and escapes ---------------------------------------------------------------


@pytest.mark.parametrize(("accept", "media_type"), [
    ("text/turtle", "text/turtle"), ("application/n-triples", "application/n-triples"),
    ("application/rdf+xml", "application/rdf+xml"), ("application/ld+json", "application/ld+json"),
])
def test_unknown_iri_is_404_as_an_empty_rdf_document(client: Any, accept: str,
                                                      media_type: str) -> None:
    response = client.get("/id/alliance/atlantis", headers={"Accept": accept},
                          follow_redirects=False)
    assert response.status_code == 404
    assert response.headers["content-type"] == f"{media_type}; charset=utf-8"
    assert "no triple of this dataset" in response.headers["x-alliance-ld-error"]
    ext = {v[0]: k for k, v in RDF_FORMATS.items()}[media_type]
    assert len(parse(response.content, ext)) == 0


def test_unknown_iri_is_404_html_for_a_browser(client: Any) -> None:
    response = client.get("/id/alliance/atlantis", headers={"Accept": FIREFOX})
    assert response.status_code == 404
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "<h1>Not found</h1>" in response.text
    assert f"{BASE}id/alliance/atlantis" in response.text


@pytest.mark.parametrize("path", [
    "/doc/alliance/atlantis.ttl", "/doc/alliance/atlantis", "/doc/nato.ttl",
    "/graph/nowhere", "/graph/shapes", "/doc/graph/shapes.ttl",
])
def test_unknown_documents_are_404(client: Any, path: str) -> None:
    assert client.get(path, headers={"Accept": "text/turtle"},
                      follow_redirects=False).status_code == 404


@pytest.mark.parametrize("path", [
    "/id/..%2F..%2Fetc%2Fpasswd",
    "/doc/..%2F..%2Fpyproject.toml.ttl",
    "/doc/%2e%2e/%2e%2e/pyproject.toml.ttl",
    "/id/%2E%2E/%2E%2E/etc/passwd",
    "/id/alliance%2Fnato",
    "/id/alliance/nato%00",
    "/id/alliance/nato%5C..%5C..%5Cetc",
    "/id/alliance//nato",
    "/id/alliance/nato/",
    "/doc/alliance/" + "a" * 2100 + ".ttl",
    "/id/" + "x/" * 1100 + "nato",
])
def test_escape_attempts_are_400(client: Any, path: str) -> None:
    response = client.get(path, headers={"Accept": "text/turtle"}, follow_redirects=False)
    assert response.status_code == 400, response.text
    assert response.text.startswith("Bad request: ")
    assert "[build-system]" not in response.text and "root:" not in response.text


def test_control_characters_do_not_name_a_resource(client: Any) -> None:
    response = client.get("/id/alliance/%0Anato", headers={"Accept": "text/turtle"})
    assert response.status_code in (400, 404)
    tab = client.get("/id/alliance/%09nato", headers={"Accept": "text/turtle"})
    assert tab.status_code == 400


# -- named graphs ------------------------------------------------------------------------------


def test_graph_iri_redirects_to_its_content(client: Any, publication: Any) -> None:
    response = client.get("/graph/alliances", headers={"Accept": "text/turtle"},
                          follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"{TESTSERVER}doc/graph/alliances.ttl"
    document = client.get("/doc/graph/alliances.nt")
    assert document.status_code == 200
    graph = parse(document.content, "nt")
    expected = published_store().rdflib_graph([BASE + "graph/alliances"])
    graph_iri = URIRef(BASE + "graph/alliances")
    assert (URIRef(BASE + "doc/graph/alliances"), FOAF.primaryTopic, graph_iri) in graph
    assert (graph_iri, URIRef("http://rdfs.org/ns/void#triples"), Literal(len(expected))) in graph
    graph.remove((URIRef(BASE + "doc/graph/alliances"), None, None))
    graph.remove((graph_iri, None, None))
    assert isomorphic(graph, expected)


def test_graph_page_lists_its_resources(client: Any) -> None:
    response = client.get("/doc/graph/alliances.html")
    assert response.status_code == 200
    assert 'id="graph-resources"' in response.text
    assert 'href="/id/alliance/nato"' in response.text
    download = response.text.split('id="download" href="', 1)[1].split('"', 1)[0]
    assert download.endswith("/alliances.ttl")
    fetched = client.get(download)
    assert fetched.status_code == 200
    assert isomorphic(parse(fetched.content, "ttl"),
                      published_store().rdflib_graph([BASE + "graph/alliances"]))


# -- a real server, real clients -----------------------------------------------------------------


def test_rdflib_follows_the_303_and_then_a_link(server: Any) -> None:
    ald = Namespace(server.url + "ontology#")  # the whole base is rewritten, terms too
    nato = URIRef(server.url + "id/alliance/nato")
    graph = rdflib.Graph()
    graph.parse(str(nato))
    assert (nato, RDFS.label, Literal("North Atlantic Treaty Organization", lang="en")) in graph
    treaty = graph.value(nato, ald.foundedOn)
    assert treaty == URIRef(server.url + "id/treaty/north-atlantic-treaty")
    # no canonical IRI leaks into a response of a server with a public URL
    assert not any(BASE in str(term) for triple in graph for term in triple)
    followed = rdflib.Graph()
    followed.parse(str(treaty))
    assert (treaty, RDFS.label, Literal("North Atlantic Treaty", lang="en")) in followed
    assert (None, ald.foundedOn, treaty) in followed  # its incoming link from NATO
    assert (nato, RDFS.label, None) in followed  # with the neighbour's label


@pytest.mark.parametrize("extension", list(RDF_FORMATS))
def test_live_redirect_and_document(server: Any, extension: str) -> None:
    media_type, _ = RDF_FORMATS[extension]
    status, headers, _ = raw_get(server.url, "/id/alliance/nato", {"Accept": media_type})
    assert status == 303
    assert headers["location"] == f"{server.url}doc/alliance/nato.{extension}"
    status, headers, body = raw_get(server.url, f"/doc/alliance/nato.{extension}",
                                    {"Accept": media_type})
    assert status == 200
    assert headers["content-type"] == f"{media_type}; charset=utf-8"
    assert headers["content-location"] == f"{server.url}doc/alliance/nato.{extension}"
    graph = parse(body, extension, server.url)
    assert (URIRef(server.url + "id/alliance/nato"), URIRef(server.url + "ontology#foundedOn"),
            URIRef(server.url + "id/treaty/north-atlantic-treaty")) in graph


@pytest.mark.parametrize("path", [
    "/id/../../etc/passwd",
    "/id/alliance/../../../pyproject.toml",
    "/doc/../pyproject.toml.ttl",
    "/doc/..%2F..%2Fpyproject.toml.ttl",
    "/doc/alliance/%2e%2e/%2e%2e/%2e%2e/pyproject.toml.ttl",
    "/graph/..%2f..%2fetc%2fpasswd",
    "/id/alliance/nato%00.ttl",
])
def test_live_escape_attempts_leak_nothing(server: Any, path: str) -> None:
    status, _, body = raw_get(server.url, path, {"Accept": "text/turtle"})
    assert status in (400, 404)
    assert b"[build-system]" not in body and b"root:x:" not in body


def raw_get(base: str, path: str,
            headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    """GET ``path`` exactly as written (http.client does not normalise dot segments)."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return (response.status, {k.lower(): v for k, v in response.getheaders()},
                response.read())
    finally:
        connection.close()


def test_redirect_behind_a_proxy_uses_forwarded_host_and_prefix(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/id/alliance/nato", follow_redirects=False, headers={
        "Accept": "text/turtle", "X-Forwarded-Host": "data.example.org",
        "X-Forwarded-Prefix": "/ald"})
    assert response.status_code == 303
    assert response.headers["location"] == "http://data.example.org/ald/doc/alliance/nato.ttl"


@pytest.mark.parametrize("prefix", ["/doc/", "/id/", "/graph/"])
def test_a_line_break_in_a_path_is_a_400_from_the_route(client, prefix: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(prefix + "alliance%0Anato")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    assert "characters that no IRI of this dataset has" in response.text
