"""The home page (and, once, all pages of this part through a real server).

HTML is read with the standard library's ``html.parser`` into a small tree
(:func:`parse_html`), which the search and network tests use too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from xml.etree import ElementTree

import httpx
import pytest

BASE = "https://w3id.org/alliance-ld/"
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                 "source", "track", "wbr"}


# -- a small HTML tree -------------------------------------------------------------------


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)

    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text() for c in self.children]
        return " ".join(" ".join(parts).split())

    def iter(self, tag: str | None = None) -> Iterator[Element]:
        for child in self.children:
            if isinstance(child, Element):
                if tag is None or child.tag == tag:
                    yield child
                yield from child.iter(tag)

    def find_id(self, ident: str) -> Element:
        for element in self.iter():
            if element.attrs.get("id") == ident:
                return element
        raise AssertionError(f"no element with id {ident!r}")

    def links(self) -> list[tuple[str, str]]:
        """(text, href) of every ``<a>`` inside, in document order."""
        return [(a.text(), a.attrs.get("href", "")) for a in self.iter("a")]

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID_ELEMENTS:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(text: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


def section_links(page: Element, heading_id: str) -> list[tuple[str, str]]:
    """The links of the ``<section>`` labelled by the heading with ``heading_id``."""
    for section in page.iter("section"):
        if section.attrs.get("aria-labelledby") == heading_id:
            return section.links()
    raise AssertionError(f"no section labelled by {heading_id!r}")


# -- the home page -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def home(client) -> Element:  # type: ignore[no-untyped-def]
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return parse_html(response.text)


def test_home_is_english_with_one_h1(home: Element) -> None:
    (html,) = list(home.iter("html"))
    assert html.attrs["lang"] == "en"
    assert [h.text() for h in home.iter("h1")] == [
        "alliance-ld: international military alliances and partnerships"]
    assert [h.text() for h in home.iter("h2")] == [
        "Where the facts come from", "Using the data", "Contents", "Licence and citation"]


def test_home_lists_every_alliance_with_its_local_page(home: Element) -> None:
    assert section_links(home, "alliances") == [
        ("ANZUS", "/id/alliance/anzus"),
        ("North American Aerospace Defense Command", "/id/alliance/norad"),
        ("North Atlantic Treaty Organization", "/id/alliance/nato"),
        ("Rio Pact", "/id/alliance/rio-treaty"),
        ("Southeast Asia Treaty Organization", "/id/alliance/seato"),
        ("U.S.–Japan Alliance", "/id/alliance/us-japan"),
        ("U.S.–Philippines Alliance", "/id/alliance/us-philippines"),
        ("U.S.–Republic of Korea Alliance", "/id/alliance/us-south-korea"),
        ("Warsaw Pact", "/id/alliance/warsaw-pact"),
    ]
    assert home.find_id("alliances").text() == "Alliances (9)"


def test_home_lists_partnerships_and_exercises(home: Element) -> None:
    partnerships = section_links(home, "partnerships")
    assert len(partnerships) == 14
    assert ("AUKUS", "/id/partnership/aukus") in partnerships
    assert ("Partnership for Peace", "/id/partnership/partnership-for-peace") in partnerships
    assert section_links(home, "exercises") == [
        ("African Lion", "/id/exercise/african-lion"),
        ("African Lion 21", "/id/exercise/african-lion-21"),
        ("African Lion 22", "/id/exercise/african-lion-22"),
        ("African Lion 23", "/id/exercise/african-lion-23"),
        ("African Lion 24", "/id/exercise/african-lion-24"),
        ("African Lion 25", "/id/exercise/african-lion-25"),
        ("Balikatan", "/id/exercise/balikatan"),
        ("Balikatan 23", "/id/exercise/balikatan-23"),
        ("Balikatan 24", "/id/exercise/balikatan-24"),
        ("Balikatan 25", "/id/exercise/balikatan-25"),
        ("Cobra Gold", "/id/exercise/cobra-gold"),
        ("Cobra Gold 23", "/id/exercise/cobra-gold-23"),
        ("Cobra Gold 24", "/id/exercise/cobra-gold-24"),
        ("Cobra Gold 25", "/id/exercise/cobra-gold-25"),
        ("Cold Response 22", "/id/exercise/cold-response-22"),
        ("Nordic Response", "/id/exercise/nordic-response"),
        ("Nordic Response 24", "/id/exercise/nordic-response-24"),
        ("Valiant Shield", "/id/exercise/valiant-shield"),
        ("Valiant Shield 16", "/id/exercise/valiant-shield-16"),
        ("Valiant Shield 20", "/id/exercise/valiant-shield-20"),
        ("Valiant Shield 24", "/id/exercise/valiant-shield-24"),
    ]


def test_home_lists_activities_including_subclasses(home: Element) -> None:
    # personnel exchanges and the State Partnership Program are typed only with the
    # subclass ald:MilitaryToMilitaryEngagement
    assert section_links(home, "activities") == [
        ("bilateral and regional cooperation programs",
         "/id/activity/bilateral-and-regional-cooperation-programs"),
        ("cooperation in research, development, and acquisition",
         "/id/activity/research-development-acquisition-cooperation"),
        ("foreign military sales", "/id/programme/foreign-military-sales"),
        ("NATO force generation", "/id/activity/nato-force-generation"),
        ("personnel exchanges", "/id/activity/personnel-exchanges"),
        ("security assistance programs", "/id/activity/security-assistance-programs"),
        ("State Partnership Program", "/id/partnership/state-partnership-program"),
        ("U.S. security cooperation", "/id/activity/us-security-cooperation"),
    ]
    section = next(s for s in home.iter("section") if s.attrs["aria-labelledby"] == "activities")
    item = next(li for li in section.iter("li") if "personnel exchanges" in li.text())
    assert item.text() == "personnel exchanges (military-to-military engagement)"


def test_home_explains_where_and_how(home: Element) -> None:
    hrefs = {href for _, href in home.links()}
    for target in ("/sparql", "/downloads", "/ontology", "/.well-known/void", "/network",
                   "/search", "/id/source/article", "/id/alliance/nato"):
        assert target in hrefs, target
    sources = home.find_id("sources")
    assert sources.text() == "Where the facts come from"
    details = next(home.iter("details"))
    source_links = details.links()
    assert source_links[0] == (
        "Source article on U.S. international military alliances and partnerships",
        "/id/source/article")
    assert ("U.S. Department of Defense: NATO spotlight page",
            "/id/source/dod-nato-spotlight") in source_links
    text = home.text()
    assert "dcterms:source" in text
    assert f"curl -L -H 'Accept: text/turtle' {BASE}id/alliance/nato" in text
    # the search form works without JavaScript
    (form,) = [f for f in home.iter("form") if f.attrs.get("role") == "search"]
    assert form.attrs["action"] == "/search" and form.attrs["method"] == "get"
    (field_,) = list(form.iter("input"))
    assert field_.attrs["name"] == "q"
    (label,) = list(form.iter("label"))
    assert label.attrs["for"] == field_.attrs["id"]


def test_home_shows_licence_and_citation(home: Element) -> None:
    licence_links = [a for a in home.iter("a") if a.attrs.get("rel") == "license"]
    assert {(a.text(), a.attrs["href"]) for a in licence_links} >= {
        ("Creative Commons Attribution 4.0 International (CC BY 4.0)",
         "https://creativecommons.org/licenses/by/4.0/")}
    licence = home.find_id("licence")
    assert licence.text() == "Licence and citation"
    text = home.text()
    assert "The text of the source article the data is drawn from belongs to its authors" in text
    citation = next(p for p in home.iter("p") if "citation" in p.classes())
    assert citation.text() == (
        "alliance-ld developers. alliance-ld: international military alliances and "
        f"partnerships. Dataset, version 0.1.0. {BASE}. Licensed under CC BY 4.0.")


@pytest.mark.parametrize("accept", ["text/turtle", "application/ld+json",
                                    "application/rdf+xml;q=0.9, text/html;q=0.5"])
def test_home_sends_rdf_clients_to_void(client, accept: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/", headers={"Accept": accept}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/.well-known/void"
    assert "Accept" in response.headers["vary"]


@pytest.mark.parametrize("media_type", ["text/turtle", "application/ld+json",
                                        "application/rdf+xml", "application/n-triples"])
def test_home_first_alternate_of_each_type_is_its_own_data(client, home: Element,  # type: ignore[no-untyped-def]
                                                           media_type: str) -> None:
    """A client taking the first alternate of a type gets what ``/`` answers in that type."""
    (head,) = list(home.iter("head"))
    alternates = [link.attrs["href"] for link in head.iter("link")
                  if link.attrs.get("rel") == "alternate" and link.attrs.get("type") == media_type]
    assert alternates, f"no {media_type} alternate"
    first = client.get(alternates[0])
    negotiated = client.get("/", headers={"Accept": media_type})
    assert first.status_code == negotiated.status_code == 200
    assert first.headers["content-type"].startswith(media_type)
    assert first.content == negotiated.content


def test_home_gives_browsers_html(client) -> None:  # type: ignore[no-untyped-def]
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get("/", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "Accept" in response.headers["vary"]


def test_head_answers_without_a_body(client) -> None:  # type: ignore[no-untyped-def]
    for path in ("/", "/search?q=nato", "/network", "/network.svg"):
        response = client.head(path)
        assert response.status_code == 200, path
        assert response.content == b""


def test_home_refuses_what_it_cannot_give(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert response.text.startswith("not acceptable: this page is available as text/html, ")


def test_home_links_keep_the_proxy_prefix(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/", headers={"X-Forwarded-Prefix": "/ald"})
    page = parse_html(response.text)
    assert ("ANZUS", "/ald/id/alliance/anzus") in section_links(page, "alliances")
    hrefs = {href for _, href in page.links()}
    assert {"/ald/network", "/ald/sparql", "/ald/.well-known/void"} <= hrefs
    redirect = client.get("/", headers={"Accept": "text/turtle", "X-Forwarded-Prefix": "/ald"},
                          follow_redirects=False)
    assert redirect.headers["location"] == "/ald/.well-known/void"


# -- a real server with --public-url ------------------------------------------------------


def test_live_pages_show_public_iris_that_dereference(server) -> None:  # type: ignore[no-untyped-def]
    with httpx.Client(base_url=server.url, timeout=30) as http:
        home = http.get("/")
        assert home.status_code == 200
        assert BASE not in home.text  # every canonical IRI is rewritten
        page = parse_html(home.text)
        assert f"curl -L -H 'Accept: text/turtle' {server.url}id/alliance/nato" in page.text()
        # the linked pages answer (303 to the document, then the HTML page)
        samples = section_links(page, "alliances")[:2] + section_links(page, "exercises")[:1]
        for text, href in samples:
            followed = http.get(href, headers={"Accept": "text/html"}, follow_redirects=True)
            assert followed.status_code == 200, href
            assert text in followed.text

        found = http.get("/search", params={"q": "anzus", "format": "json"}).json()
        assert [r["iri"] for r in found["results"][:2]] == [
            server.url + "id/alliance/anzus", server.url + "id/treaty/anzus-treaty"]
        assert found["results"][0]["page"] == server.url + "id/alliance/anzus"
        rdf = http.get(found["results"][0]["iri"], headers={"Accept": "text/turtle"},
                       follow_redirects=True)
        assert rdf.status_code == 200
        assert rdf.headers["content-type"].startswith("text/turtle")

        svg = http.get("/network.svg")
        assert svg.headers["content-type"].startswith("image/svg+xml")
        root = ElementTree.fromstring(svg.content)
        iris = [e.get("data-iri") for e in root.iter() if e.get("data-iri")]
        assert iris and all(iri.startswith(server.url) for iri in iris)
        assert BASE not in http.get("/network").text


# -- the site's icon ---------------------------------------------------------------------


def test_favicon_is_an_svg_linked_from_every_page(client) -> None:  # type: ignore[no-untyped-def]
    for path in ("/", "/search", "/id/alliance/nato", "/sparql/limits", "/docs"):
        page = parse_html(client.get(path, headers={"Accept": "text/html"}).text)
        icons = [link.attrs for link in page.iter("link") if link.attrs.get("rel") == "icon"]
        assert icons == [{"rel": "icon", "type": "image/svg+xml",
                          "href": "/static/favicon.svg"}], path
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200
    assert icon.headers["content-type"] == "image/svg+xml"
    root = ElementTree.fromstring(icon.content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"


def test_favicon_ico_redirects_to_the_icon(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/favicon.ico", follow_redirects=False)
    assert response.status_code == 301
    assert response.headers["location"] == "/static/favicon.svg"
    followed = client.get("/favicon.ico")
    assert followed.status_code == 200
    assert followed.headers["content-type"] == "image/svg+xml"
