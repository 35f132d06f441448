"""No page links to an IRI or web address whose scheme is not http(s).

``tests/data/unsafe-links/`` (served with the shipped data by ``alliance-ld serve``)
names a partnership ``<javascript:alert(1)>``, gives a source the web address
``"javascript:alert(2)"^^xsd:anyURI`` and NORAD ``rdfs:seeAlso`` links to
``JavaScript:``, ``data:``, ``vbscript:`` and ``mailto:`` IRIs. Every page that
shows them must show them as text; the editor's results table (no JavaScript)
does the same for IRIs and ``xsd:anyURI`` values a query makes up.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx
import pytest
from html_tree import Element, parse_html

from alliance_ld.templating import is_safe_link

ROOT = Path(__file__).resolve().parent.parent
UNSAFE_DATA = ROOT / "tests" / "data" / "unsafe-links"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
UNSAFE = ["javascript:alert(1)", "javascript:alert(2)", "JavaScript:alert(3)",
          "data:text/html;base64,PHNjcmlwdD5hbGVydCg0KTwvc2NyaXB0Pg==", "vbscript:msgbox(5)",
          "mailto:someone@example.org"]

UNSAFE_QUERY = """\
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT ?iri ?address WHERE {
  VALUES (?text) { ("javascript:alert(1)") ("JaVaScRiPt:alert(2)") ("data:text/html,x")
                   ("vbscript:msgbox(3)") ("mailto:someone@example.org")
                   ("https://example.org/safe") }
  BIND(IRI(?text) AS ?iri)
  BIND(STRDT(?text, xsd:anyURI) AS ?address)
}
"""


def link_targets(page: Element) -> list[str]:
    """Every place a link can go: href (HTML and SVG), xlink:href, src, action."""
    targets = []
    for element in page.iter():
        for name in ("href", "xlink:href", "src", "action", "formaction"):
            value = element.get(name)
            if value is not None:
                targets.append(value)
    return targets


def assert_links_are_safe(page: Element) -> None:
    for target in link_targets(page):
        assert urlsplit(target.strip()).scheme.lower() in ("", "http", "https"), target


@pytest.fixture(scope="module")
def unsafe_server() -> Iterator[object]:
    from live_server import live_server

    with live_server("--data", "data", str(UNSAFE_DATA)) as running:
        yield running


def get_page(server: object, path: str) -> tuple[str, Element]:
    url = server.url + path  # type: ignore[attr-defined]
    response = httpx.get(url, headers={"Accept": BROWSER_ACCEPT}, follow_redirects=True)
    assert response.status_code == 200, (path, response.status_code)
    return response.text, parse_html(response.text)


@pytest.mark.parametrize(("path", "unlinked"), [
    ("", ["javascript:alert(1)"]),
    ("search?q=scripted", []),
    ("network", ["javascript:alert(1)"]),
    ("doc/alliance/norad.html", UNSAFE[2:]),
    ("doc/membership/scripted-canada.html", ["javascript:alert(1)", "javascript:alert(2)"]),
    ("doc/source/scripted-record.html", ["javascript:alert(1)"]),
])
def test_pages_show_unsafe_iris_as_text(unsafe_server, path: str, unlinked: list[str]) -> None:  # type: ignore[no-untyped-def]
    _, page = get_page(unsafe_server, path)
    assert_links_are_safe(page)
    # each unsafe IRI is there, as text with the IRI as its title
    shown = page.find_all("span", class_="unlinked")
    assert sorted({s.get("title") or "" for s in shown}) == sorted(unlinked)
    for span in shown:
        if span.get("title") == "javascript:alert(1)":
            assert span.text == "Scripted partnership"


@pytest.mark.parametrize("path", ["doc/membership/scripted-canada.html",
                                  "doc/source/scripted-record.html"])
def test_unsafe_web_addresses_are_text(unsafe_server, path: str) -> None:  # type: ignore[no-untyped-def]
    _, page = get_page(unsafe_server, path)
    assert_links_are_safe(page)
    literals = [e for e in page.find_all(class_="literal") if e.text == "javascript:alert(2)"]
    sources = [e for e in page.find_all(class_="source-url")]
    assert literals or sources
    assert all(e.tag == "span" for e in literals + sources)


def test_the_network_picture_has_no_unsafe_link(unsafe_server) -> None:  # type: ignore[no-untyped-def]
    response = httpx.get(unsafe_server.url + "network.svg")
    assert response.status_code == 200
    svg = parse_html(response.text)
    assert_links_are_safe(svg)
    node = svg.find("g", **{"data-iri": "javascript:alert(1)"})
    assert "Scripted partnership" in node.text
    canada = svg.find("a", **{"data-iri": unsafe_server.url + "id/nation/canada"})
    assert canada.get("href") == "/id/nation/canada"


def test_links_that_are_safe_still_link(unsafe_server) -> None:  # type: ignore[no-untyped-def]
    _, page = get_page(unsafe_server, "doc/membership/scripted-canada.html")
    hrefs = [a.get("href") for a in page.find_all("a")]
    assert "/id/nation/canada" in hrefs


def test_the_editor_table_shows_unsafe_results_as_text(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/sparql?format=html&query=" + quote(UNSAFE_QUERY))
    assert response.status_code == 200
    page = parse_html(response.text)
    results = page.by_id("results")
    assert_links_are_safe(results)
    rows = [[td for td in tr.find_all("td")] for tr in results.find("tbody").find_all("tr")]
    assert len(rows) == 6
    by_text = {row[0].text: row for row in rows}
    for value in ["javascript:alert(1)", "JaVaScRiPt:alert(2)", "data:text/html,x",
                  "vbscript:msgbox(3)", "mailto:someone@example.org"]:
        iri_cell, address_cell = by_text[value]
        assert not iri_cell.find_all("a") and not address_cell.find_all("a"), value
        assert address_cell.text.startswith(value)
    safe_iri, safe_address = by_text["https://example.org/safe"]
    assert [a.get("href") for a in safe_iri.find_all("a")] == ["https://example.org/safe"]
    assert [a.get("href") for a in safe_address.find_all("a")] == ["https://example.org/safe"]


@pytest.mark.parametrize(("target", "safe"), [
    ("https://example.org/", True), ("http://example.org/", True), ("HTTPS://example.org", True),
    ("/id/nation/canada", True), ("relative/path", True), ("#fragment", True),
    ("//example.org/x", True), ("?q=1", True), ("1abc:relative", True),
    ("javascript:alert(1)", False), ("JavaScript:alert(1)", False),
    ("java\tscript:alert(1)", False), ("java\nscript:alert(1)", False),
    (" javascript:alert(1)", False), ("\x01javascript:alert(1)", False),
    ("data:text/html,x", False), ("vbscript:msgbox(1)", False), ("mailto:a@b.c", False),
    ("ftp://example.org/", False), ("file:///etc/passwd", False), ("blob:https://x/y", False),
])
def test_is_safe_link(target: str, safe: bool) -> None:
    assert is_safe_link(target) is safe
