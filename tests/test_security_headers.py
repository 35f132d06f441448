"""Content-Security-Policy, nosniff and Referrer-Policy on every response, and error
bodies that never repeat request input as markup (``SecurityHeadersMiddleware``,
``errors.shown_input``)."""

from __future__ import annotations

import base64
import hashlib
import os
import re
from typing import Any

import pytest
from html_tree import parse_html

from alliance_ld.api import middleware
from alliance_ld.api.routes import docs, editor
from alliance_ld.errors import shown_input
from alliance_ld.network import STYLE

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
SCRIPT = "<script>alert(1)</script>"
MARKUP_NAME = "<img src=x onerror=alert(1)>"


def policy(header: str) -> dict[str, list[str]]:
    """A CSP header as {directive: [sources]}."""
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            assert words[0] not in directives, f"{words[0]} given twice"
            directives[words[0]] = words[1:]
    return directives


def assert_security_headers(response: Any) -> None:
    headers = response.headers
    assert headers.get_list("x-content-type-options") == ["nosniff"]
    assert headers.get_list("referrer-policy") == ["strict-origin-when-cross-origin"]
    csp = headers.get_list("content-security-policy")
    assert len(csp) == 1
    directives = policy(csp[0])
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["default-src"] == ["'self'"]
    scripts = directives["script-src"]
    assert scripts[0] == "'self'"
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert not [s for s in scripts if s.startswith(("'sha", "'nonce", "data:", "*"))]
    styles = directives["style-src"]
    assert "'unsafe-inline'" not in styles
    assert not [s for s in styles if s != "'self'"
                and not re.fullmatch(r"'sha256-[A-Za-z0-9+/]+=*'", s)]


# Every kind of response: pages, RDF, results, redirects, errors of every handler,
# static files, probes, metrics, CORS preflights, HEAD.
REQUESTS: list[tuple[str, str, dict[str, str], bytes | None, int]] = [
    ("GET", "/", {"Accept": BROWSER_ACCEPT}, None, 200),
    ("GET", "/", {"Accept": "text/turtle"}, None, 303),
    ("GET", "/id/alliance/nato", {"Accept": "text/turtle"}, None, 303),
    ("GET", "/doc/alliance/nato.html", {}, None, 200),
    ("GET", "/doc/alliance/nato.ttl", {}, None, 200),
    ("GET", "/doc/alliance/no-such-thing.html", {}, None, 404),
    ("GET", "/doc/alliance/nato.html?page=0", {}, None, 400),
    ("GET", "/search?q=nato", {}, None, 200),
    ("GET", "/search?q=nato", {"Accept": "application/json"}, None, 200),
    ("GET", "/network", {}, None, 200),
    ("GET", "/network.svg", {}, None, 200),
    ("GET", "/ontology", {"Accept": BROWSER_ACCEPT}, None, 200),
    ("GET", "/.well-known/void", {"Accept": "text/turtle"}, None, 200),
    ("GET", "/sparql", {"Accept": BROWSER_ACCEPT}, None, 200),
    ("GET", "/sparql?query=ASK%7B%7D", {}, None, 200),
    ("GET", "/sparql?query=SELEKT", {}, None, 400),
    ("GET", "/sparql?update=CLEAR%20ALL", {}, None, 403),
    ("POST", "/sparql", {"Content-Type": "text/plain"}, b"ASK {}", 415),
    ("POST", "/", {}, None, 405),
    ("GET", "/no/such/route", {}, None, 404),
    ("GET", "/queries/no-such-query", {}, None, 404),
    ("GET", "/static/editor.js", {}, None, 200),
    ("GET", "/static/css/site.css", {}, None, 200),
    ("GET", "/static/no-such-file.js", {}, None, 404),
    ("GET", "/healthz", {}, None, 200),
    ("GET", "/metrics", {}, None, 200),
    ("GET", "/openapi.json", {}, None, 200),
    ("GET", "/docs", {}, None, 200),
    ("HEAD", "/doc/alliance/nato.html", {}, None, 200),
    ("OPTIONS", "/sparql", {"Origin": "http://example.org",
                            "Access-Control-Request-Method": "POST"}, None, 200),
]


@pytest.mark.parametrize(("method", "path", "headers", "body", "status"), REQUESTS,
                         ids=[f"{m} {p} {s}" for m, p, _, _, s in REQUESTS])
def test_every_response_carries_the_security_headers(client, method: str, path: str,  # type: ignore[no-untyped-def]
                                                     headers: dict[str, str], body: bytes | None,
                                                     status: int) -> None:
    response = client.request(method, path, headers=headers, content=body,
                              follow_redirects=False)
    assert response.status_code == status
    assert_security_headers(response)
    # one policy for every response, /docs included
    assert response.headers["content-security-policy"] == middleware.CONTENT_SECURITY_POLICY


def test_a_304_carries_them(client) -> None:  # type: ignore[no-untyped-def]
    first = client.get("/doc/alliance/nato.html")
    again = client.get("/doc/alliance/nato.html", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert_security_headers(again)


def test_a_static_file_304_carries_them(client) -> None:  # type: ignore[no-untyped-def]
    first = client.get("/static/editor.js")
    again = client.get("/static/editor.js", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert_security_headers(again)


def test_the_500_of_a_bug_carries_them(publication) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from alliance_ld.api.main import create_app

    app = create_app(publication.settings, publication)

    def broken() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/broken", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/broken")
    assert response.status_code == 500
    assert response.text == "internal server error\n"
    assert_security_headers(response)


def test_the_policy_of_pages() -> None:
    directives = policy(middleware.CONTENT_SECURITY_POLICY)
    assert directives["script-src"] == ["'self'"]
    assert directives["connect-src"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["style-src-attr"] == ["'unsafe-inline'"]
    digest = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in directives["style-src"]
    # no other host anywhere: the browser fetches nothing from outside this server
    sources = {s for values in directives.values() for s in values
               if not re.fullmatch(r"'sha256-[A-Za-z0-9+/]+=*'", s)}
    assert sources == {"'self'", "'none'", "'unsafe-inline'", "data:"}


def test_docs_has_the_standard_policy_and_only_our_files(client) -> None:  # type: ignore[no-untyped-def]
    if not docs.vendor_available():
        message = "Swagger UI is not built: run scripts/build-frontend.sh"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == middleware.CONTENT_SECURITY_POLICY
    directives = policy(response.headers["content-security-policy"])
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"][0] == "'self'"
    page = parse_html(response.text)
    assert [s.get("src") for s in page.find_all("script")] == [
        "/static/vendor/swagger-ui/swagger-ui-bundle.js", "/static/docs.js"]
    assert [link.get("href") for link in page.find_all("link", rel="stylesheet")] == [
        "/static/vendor/swagger-ui/swagger-ui.css"]
    assert "://" not in response.text
    assert page.by_id("swagger-ui").get("data-openapi-url") == "/openapi.json"
    for name in ("swagger-ui-bundle.js", "swagger-ui.css"):
        asset = client.get("/static/vendor/swagger-ui/" + name)
        assert asset.status_code == 200
        assert asset.content == (docs.VENDOR_DIR / name).read_bytes()
        assert asset.headers["content-security-policy"] == middleware.CONTENT_SECURITY_POLICY
    assert client.get("/redoc").status_code == 404


HTML_PAGES = [
    "/", "/doc/alliance/nato.html", "/doc/graph/alliances.html", "/doc/alliance/no-such.html",
    "/search?q=nato", "/search?q=" + "x" * 500, "/network", "/ontology", "/sparql",
    "/sparql?query=SELECT%20*%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%203&format=html",
    "/sparql?query=SELEKT&format=html", "/.well-known/void", "/downloads", "/queries",
    "/sparql/limits", "/docs",
]


@pytest.mark.parametrize("path", HTML_PAGES)
def test_pages_have_no_inline_script_or_style(client, path: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(path, headers={"Accept": BROWSER_ACCEPT})
    assert response.headers["content-type"].startswith("text/html")
    assert_security_headers(response)
    page = parse_html(response.text)
    for script in page.find_all("script"):
        # a script runs only from our files; data blocks are not run
        assert script.get("src") or script.get("type") in (
            "application/json", "application/ld+json"), script.attrs
        if script.get("src"):
            assert (script.get("src") or "").startswith("/static/")
            assert not script.raw_text.strip()
    allowed = set(middleware.YASGUI_INLINE_STYLES) | {STYLE}
    assert [s.raw_text for s in page.find_all("style") if s.raw_text not in allowed] == []
    for element in page.iter():
        handlers = [name for name in element.attrs if name.startswith("on")]
        assert not handlers, (element.tag, handlers)
        assert "style" not in element.attrs, element.tag
    for link in page.find_all("link", rel="stylesheet"):
        assert (link.get("href") or "").startswith("/static/")


def test_yasgui_adds_only_the_styles_the_policy_allows() -> None:
    if not editor.vendor_available():
        pytest.skip("YASGUI is not built")
    bundle = (editor.VENDOR_DIR / "yasgui.min.js").read_text(encoding="utf-8")
    for style in middleware.YASGUI_INLINE_STYLES:
        assert style in bundle or style == "*{cursor:col-resize!important}"
    assert "`*{cursor:`+n.opt.dragCursor+`!important}`" in bundle
    assert "dragCursor:`col-resize`" in bundle


# ---------------------------------------------------------------------------
# Error bodies


def assert_no_markup(response: Any) -> None:
    assert response.headers["content-type"].startswith("text/plain")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "<" not in response.text and ">" not in response.text, response.text


NOT_ACCEPTABLE = ["/", "/id/alliance/nato", "/doc/alliance/nato", "/.well-known/void",
                  "/ontology", "/shapes", "/search?q=nato", "/sparql?query=ASK%7B%7D",
                  "/sparql?query=CONSTRUCT%7B%7DWHERE%7B%7D", "/network.svg"]


@pytest.mark.parametrize("path", NOT_ACCEPTABLE)
def test_406_does_not_repeat_the_accept_header(client, path: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(path, headers={"Accept": SCRIPT})
    if path == "/network.svg":  # always SVG, whatever the Accept
        assert response.status_code == 200
        return
    assert response.status_code == 406
    assert_no_markup(response)
    assert "alert" not in response.text
    assert response.text.startswith(("Not Acceptable", "not acceptable"))


NAMED = [
    ("/queries/" + MARKUP_NAME, 404, "no named query '%3Cimg src=x onerror=alert(1)%3E'"),
    ("/downloads/" + MARKUP_NAME, 404, "'/downloads/%3Cimg src=x onerror=alert(1)%3E'"),
    ("/ontology/" + MARKUP_NAME, 404, "not '%3Cimg src=x onerror=alert(1)%3E'"),
    ("/ontology." + MARKUP_NAME, 404, "extension '.%3Cimg src=x onerror=alert(1)%3E'"),
    ("/shapes." + MARKUP_NAME, 404, "extension '.%3Cimg src=x onerror=alert(1)%3E'"),
    ("/doc/alliance/nato.html?page=" + SCRIPT, 400, "not '%3Cscript%3Ealert(1)%3C/script%3E'"),
    ("/search?q=nato&format=" + SCRIPT, 400, "unknown format '%3Cscript%3Ealert(1)"),
]


@pytest.mark.parametrize(("path", "status", "shown"), NAMED, ids=[p for p, _, _ in NAMED])
def test_names_in_error_bodies_are_escaped(client, path: str, status: int, shown: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == status
    assert_no_markup(response)
    assert shown in response.text


@pytest.mark.parametrize("content_type", [SCRIPT, "text/<b>plain</b>",
                                          "application/sparql-query; charset=<b>x</b>"])
def test_415_does_not_repeat_markup(client, content_type: str) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/sparql", content=b"ASK {}", headers={"Content-Type": content_type})
    assert response.status_code == 415
    assert_no_markup(response)
    assert "%3C" in response.text


def test_the_search_page_escapes_the_query(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/search", params={"q": SCRIPT})
    assert response.status_code == 200
    page = parse_html(response.text)
    assert not [s for s in page.find_all("script")]
    assert page.by_id("q").get("value") == SCRIPT
    assert SCRIPT not in response.text


@pytest.mark.parametrize(("value", "shown"), [
    ("plain-name", "'plain-name'"),
    ("<script>", "'%3Cscript%3E'"),
    ("a&b\"c'd`e", "'a%26b%22c%27d%60e'"),
    ("line\nbreak", "'line%0Abreak'"),
    ("é", "'%C3%A9'"),
    ("x" * 100, "'" + "x" * 80 + "…'"),
])
def test_shown_input(value: str, shown: str) -> None:
    assert shown_input(value) == shown
