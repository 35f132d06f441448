"""The HTML page of every resource: label, types, properties, incoming links, sources, formats.

Pages are parsed with the standard library's ``html.parser`` into a small tree,
and the assertions read the tree (elements by id, class, attribute), not the
markup's spelling.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from html_tree import Element, parse_html
from rdflib.term import BNode, Literal, URIRef

from alliance_ld import templating

BASE = "https://w3id.org/alliance-ld/"
def page(client: Any, path: str, **headers: str) -> Element:
    response = client.get(path, headers={"Accept": "text/html", **headers})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return parse_html(response.text)


@pytest.fixture(scope="module")
def nato(client: Any) -> Element:
    return page(client, "/id/alliance/nato")


def property_row(document: Element, predicate: str) -> Element:
    return document.by_id("properties").find("tr", **{"data-predicate": predicate})


# -- the layout of every page ---------------------------------------------------------------


def test_page_language_title_and_heading(nato: Element) -> None:
    assert nato.find("html").attrs["lang"] == "en"
    assert nato.find("title").text == "North Atlantic Treaty Organization – alliance-ld"
    headings = nato.find_all("h1")
    assert [h.text for h in headings] == ["North Atlantic Treaty Organization"]
    assert nato.by_id("iri").text == BASE + "id/alliance/nato"


def test_navigation_and_footer(nato: Element) -> None:
    header = nato.find("header")
    assert header.find("a", class_="site").attrs["href"] == "/"
    nav = header.find("nav")
    assert {a.text: a.attrs["href"] for a in nav.find_all("a")} == {
        "Home": "/", "SPARQL": "/sparql", "Ontology": "/ontology",
        "VoID": "/.well-known/void", "Search": "/search"}
    footer = nato.find("footer")
    licence = footer.find("a", rel="license")
    assert (licence.text, licence.attrs["href"]) == (
        "CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/")
    assert "MIT" in footer.text
    assert nato.find("main").attrs["id"] == "content"
    # no script runs: the one script element is a data block (schema.org JSON-LD)
    assert [s.get("type") for s in nato.find_all("script")] == ["application/ld+json"]


def test_alternates_in_head_and_in_the_data_section(nato: Element) -> None:
    head = nato.find("head")
    alternates = {(link.attrs["type"], link.attrs["href"])
                  for link in head.find_all("link", rel="alternate")}
    assert alternates == {
        ("text/turtle", "/doc/alliance/nato.ttl"),
        ("application/ld+json", "/doc/alliance/nato.jsonld"),
        ("application/rdf+xml", "/doc/alliance/nato.rdf"),
        ("application/n-triples", "/doc/alliance/nato.nt"),
        ("text/turtle", "/.well-known/void"),
    }
    formats = {a.text: a.attrs["href"] for a in nato.by_id("data").find_all("a", class_="format")}
    assert formats == {"Turtle": "/doc/alliance/nato.ttl", "JSON-LD": "/doc/alliance/nato.jsonld",
                       "RDF/XML": "/doc/alliance/nato.rdf", "N-Triples": "/doc/alliance/nato.nt"}


@pytest.mark.parametrize("path", ["/id/alliance/nato", "/doc/alliance/nato.html",
                                  "/id/nation/canada"])
def test_first_alternate_of_each_type_is_the_page_itself(client: Any, path: str) -> None:
    """Not the VoID description: the first ``text/turtle`` alternate is this resource's."""
    response = client.get(path, headers={"Accept": "text/html"})
    stem = "/doc/" + path.split("/", 2)[2].removesuffix(".html")
    head = parse_html(response.text).find("head")
    first: dict[str, str] = {}
    for link in head.find_all("link", rel="alternate"):
        first.setdefault(link.attrs["type"], link.attrs["href"])
    assert first == {"text/turtle": stem + ".ttl", "application/ld+json": stem + ".jsonld",
                     "application/rdf+xml": stem + ".rdf",
                     "application/n-triples": stem + ".nt"}
    # so does the HTTP Link header, before the link to the dataset
    linked = re.findall(r'<([^>]*)>; rel="([^"]*)"(?:; type="([^"]*)")?',
                        response.headers["link"])
    in_header: dict[str, str] = {}
    for href, rel, media_type in linked:
        if rel == "alternate":
            in_header.setdefault(media_type, href.removeprefix("http://testserver"))
    assert {t: in_header[t] for t in first} == first
    rels = [rel for _, rel, _ in linked]
    assert max(i for i, rel in enumerate(rels) if rel == "alternate") < rels.index(
        "http://rdfs.org/ns/void#inDataset")


def test_sparql_editor_link_queries_the_resource(client: Any, nato: Element) -> None:
    href = nato.by_id("sparql-link").attrs["href"]
    parts = urlsplit(href)
    assert parts.path == "/sparql"
    query = parse_qs(parts.query)["query"][0]
    assert f"<{BASE}id/alliance/nato> ?property ?value" in query
    # and the query runs, finding the founding treaty
    result = client.get("/sparql", params={"query": query},
                        headers={"Accept": "application/sparql-results+json"})
    values = {b["value"]["value"] for b in result.json()["results"]["bindings"]}
    assert BASE + "id/treaty/north-atlantic-treaty" in values


# -- the resource ------------------------------------------------------------------------


def test_types_are_labelled_links(nato: Element) -> None:
    types = {a.text: a.attrs["href"] for a in nato.by_id("types").find_all("a", class_="type")}
    assert types == {"alliance": "/ontology#Alliance",
                     "international organisation": "/ontology#InternationalOrganisation"}


def test_property_row_links_predicate_and_value_by_label(nato: Element) -> None:
    row = property_row(nato, BASE + "ontology#foundedOn")
    predicate = row.find("th").find("a")
    assert (predicate.text, predicate.attrs["href"]) == ("founded on", "/ontology#foundedOn")
    value = row.find("td").find("a")
    assert (value.text, value.attrs["href"]) == ("North Atlantic Treaty",
                                                 "/id/treaty/north-atlantic-treaty")
    assert value.attrs["title"] == BASE + "id/treaty/north-atlantic-treaty"


def test_multiple_values_are_a_list(nato: Element) -> None:
    row = property_row(nato, BASE + "ontology#region")
    assert sorted(li.text for li in row.find_all("li")) == [
        "Euro-Atlantic region", "Europe", "North America"]


def test_no_raw_iri_as_link_text_when_a_label_exists(client: Any, publication: Any) -> None:
    for path in ("/id/alliance/nato", "/id/nation/united-states", "/id/treaty/anzus-treaty"):
        document = page(client, path)
        for section in ("properties", "incoming", "sources", "types"):
            for a in document.by_id(section).find_all("a"):
                iri = a.attrs.get("title")
                if iri and publication.labels.get(iri):
                    assert a.text == publication.labels.get(iri), (path, iri)
                    assert not a.text.startswith("http"), (path, iri)


def test_literals_show_their_language(nato: Element) -> None:
    row = property_row(nato, "http://www.w3.org/2004/02/skos/core#altLabel")
    literal = row.find("span", class_="literal")
    assert (literal.text, literal.attrs["lang"]) == ("NATO", "en")
    assert row.find("span", class_="lang").text == "@en"
    assert row.find("th").text == "alternative label"


def test_typed_literals_show_their_datatype(client: Any) -> None:
    membership = page(client, "/id/membership/nato-belgium")
    row = property_row(membership, BASE + "ontology#startDate")
    assert row.find("span", class_="literal").text == "1949-08-24"
    datatype = row.find("abbr")
    assert (datatype.text, datatype.attrs["title"]) == (
        "xsd:date", "http://www.w3.org/2001/XMLSchema#date")


def test_sources_section_cites_the_documents(nato: Element) -> None:
    sources = nato.by_id("sources")
    assert sources.find("h2").text == "Sources"
    items = sources.find_all("li", class_="source")
    cited = {li.find("a").text: li.find("a").attrs["href"] for li in items}
    assert cited == {
        "Source article on U.S. international military alliances and partnerships":
            "/id/source/article",
        "U.S. Department of Defense: NATO spotlight page": "/id/source/dod-nato-spotlight",
    }
    urls = [a.attrs["href"] for a in sources.find_all("a", class_="source-url")]
    assert urls == ["https://www.defense.gov/Spotlights/nato/"]


def test_incoming_links_with_labels(nato: Element) -> None:
    incoming = nato.by_id("incoming")
    rows = incoming.by_id("incoming-links").find("tbody").find_all("tr")
    cells = [(r.find_all("td")[0].text, r.find_all("td")[1].text) for r in rows]
    assert ("Belgium in NATO", "organization") in cells
    assert ("North Atlantic Treaty", "founded on") not in cells  # outgoing, not incoming


def test_incoming_links_are_paged(client: Any, publication: Any) -> None:
    size = publication.settings.incoming_page_size
    first = page(client, "/id/nation/united-states")
    total = int(first.by_id("incoming").find("p", class_="count").text.split()[0])
    assert total > size
    rows = first.by_id("incoming-links").find("tbody").find_all("tr")
    assert len(rows) == size
    pager = first.by_id("incoming-pages")
    assert pager.find("span", **{"aria-current": "page"}).text == "1"
    following = pager.find("a", rel="next").attrs["href"]
    assert following == "/doc/nation/united-states.html?page=2"
    second = page(client, following)
    rest = second.by_id("incoming-links").find("tbody").find_all("tr")
    assert len(rest) == total - size
    assert second.by_id("incoming-pages").find("a", rel="prev").attrs["href"] == (
        "/doc/nation/united-states.html")
    assert not {r.text for r in rows} & {r.text for r in rest}
    # the resource's own properties are on every page
    assert second.find("h1").text == "United States"


def test_links_follow_the_proxy_prefix(client: Any) -> None:
    document = page(client, "/id/alliance/nato", **{"X-Forwarded-Prefix": "/ald"})
    row = property_row(document, BASE + "ontology#foundedOn")
    assert row.find("td").find("a").attrs["href"] == "/ald/id/treaty/north-atlantic-treaty"
    nav = {a.text: a.attrs["href"] for a in document.find("nav").find_all("a")}
    assert nav["SPARQL"] == "/ald/sparql"
    assert document.by_id("data").find("a", class_="format").attrs["href"].startswith("/ald/doc/")


def test_not_found_page(client: Any) -> None:
    response = client.get("/id/nation/atlantis", headers={"Accept": "text/html"})
    assert response.status_code == 404
    document = parse_html(response.text)
    assert document.find("html").attrs["lang"] == "en"
    assert document.find("h1").text == "Not found"
    assert BASE + "id/nation/atlantis" in document.by_id("not-found").text


def test_public_url_in_text_local_links_in_href(server: Any) -> None:
    response = httpx.get(server.url + "id/alliance/nato", headers={"Accept": "text/html"},
                         follow_redirects=True)
    assert response.status_code == 200
    document = parse_html(response.text)
    assert document.by_id("iri").text == server.url + "id/alliance/nato"
    row = property_row(document, server.url + "ontology#foundedOn")
    link = row.find("td").find("a")
    assert link.attrs["href"] == "/id/treaty/north-atlantic-treaty"
    assert link.attrs["title"] == server.url + "id/treaty/north-atlantic-treaty"
    assert BASE not in response.text


# -- the helpers other pages use ---------------------------------------------------------------


def _render(publication: Any, source: str, **context: Any) -> str:
    template = templating.environment.from_string(source)
    return template.render(publication=publication, root="/p", **context)


def test_term_helper_escapes_and_describes_literals(publication: Any) -> None:
    html = _render(publication, "{{ term(t) }}", t=Literal("<b>x</b> & y", lang="fr"))
    assert html == ('<span class="literal" lang="fr">&lt;b&gt;x&lt;/b&gt; &amp; y</span> '
                    '<span class="lang">@fr</span>')
    plain = _render(publication, "{{ term(t) }}", t=Literal("plain"))
    assert plain == '<span class="literal">plain</span>'
    url = _render(publication, "{{ term(t) }}", t=Literal(
        "https://example.org/", datatype=URIRef("http://www.w3.org/2001/XMLSchema#anyURI")))
    assert url == '<a class="literal" href="https://example.org/">https://example.org/</a>'
    blank = _render(publication, "{{ term(t) }}", t=BNode("b0"))
    assert blank == '<span class="bnode">_:b0</span>'


def test_link_helper_labels_and_localises(publication: Any) -> None:
    html = _render(publication, "{{ link(iri) }}", iri=BASE + "id/alliance/nato")
    assert html == (f'<a href="/p/id/alliance/nato" title="{BASE}id/alliance/nato">'
                    "North Atlantic Treaty Organization</a>")
    external = _render(publication, "{{ link(iri) }}", iri="http://www.w3.org/ns/org#member")
    assert external == ('<a href="http://www.w3.org/ns/org#member" '
                        'title="http://www.w3.org/ns/org#member">member</a>')
    unlabelled = _render(publication, "{{ label(iri) }}", iri="http://purl.org/dc/terms/notATerm")
    assert unlabelled == "dcterms:notATerm"


def test_a_page_shows_the_articles_claim_beside_the_records(client: Any) -> None:
    """Where the article and the record disagree, the page says both, each with its source."""
    document = page(client, "/id/exercise/valiant-shield")
    section = document.by_id("claims")
    items = section.find_all("li")
    disputed = [li for li in items if "disputed" in li.attrs.get("class", "")]
    asserted = [li for li in items if "asserted" in li.attrs.get("class", "").split()]
    assert len(disputed) == 1 and asserted
    text = " ".join(disputed[0].text.split())
    assert "“The article: Valiant Shield is a NATO exercise” — not asserted here" in text
    assert "“The record: Valiant Shield is led by U.S. Indo-Pacific Command”" in text
    sources = [a.attrs.get("title") for a in disputed[0].find_all("a")]
    assert "https://w3id.org/alliance-ld/id/source/article" in sources
    assert "https://w3id.org/alliance-ld/id/source/navy-valiant-shield-24" in sources
    # The machine-readable documents carry the same claims.
    import rdflib

    turtle = client.get("/doc/exercise/valiant-shield.ttl")
    graph = rdflib.Graph().parse(data=turtle.text, format="turtle")
    claim = rdflib.URIRef("https://w3id.org/alliance-ld/id/claim/valiant-shield-conducted-under-nato")
    ald = rdflib.Namespace("https://w3id.org/alliance-ld/ontology#")
    assert (claim, ald.claimStatus, ald.DisputedClaim) in graph
    assert (claim, rdflib.DCTERMS.source,
            rdflib.URIRef("https://w3id.org/alliance-ld/id/source/article")) in graph
    # A resource without claims has no such section.
    assert page(client, "/id/nation/finland").find_all("section", id="claims") == []
