"""The query editor page at ``GET /sparql`` for browsers (TestClient).

YASGUI comes from our own static files (built by ``scripts/build-frontend.sh``);
the plain form works without them and without JavaScript, and shows results as
an HTML table on the page.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from html_tree import Element, parse_html

from alliance_ld.api.routes import editor

ROOT = Path(__file__).resolve().parent.parent
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
BASE = "https://w3id.org/alliance-ld/"
NORAD_MEMBERS = (ROOT / "queries" / "cq01-norad-members.rq").read_text(encoding="utf-8")
VENDOR_BUILT = editor.vendor_available()

needs_vendor = pytest.mark.skipif(
    not VENDOR_BUILT and not os.environ.get("CI"),
    reason="YASGUI is not built (run scripts/build-frontend.sh); in CI this fails instead",
)


# ---------------------------------------------------------------------------
# A small DOM over the stdlib HTML parser


def editor_config(page: Element) -> dict[str, object]:
    config: dict[str, object] = json.loads(page.by_id("editor-config").raw_text)
    return config


# ---------------------------------------------------------------------------
# The page


@pytest.fixture(scope="module")
def editor_html(client):  # type: ignore[no-untyped-def]
    response = client.get("/sparql", headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 200, response.text
    return response


def test_browser_gets_the_editor_page(editor_html) -> None:  # type: ignore[no-untyped-def]
    assert editor_html.headers["content-type"] == "text/html; charset=utf-8"
    assert "Accept" in editor_html.headers["vary"]
    page = parse_html(editor_html.text)
    assert page.find("html").get("lang") == "en"
    assert page.find("h1").text == "SPARQL query editor"
    assert page.by_id("endpoint-url").text == "http://testserver/sparql"


def test_fallback_form_posts_to_the_endpoint(editor_html) -> None:  # type: ignore[no-untyped-def]
    page = parse_html(editor_html.text)
    form = page.by_id("query-form")
    assert (form.get("action"), form.get("method")) == ("/sparql", "get")
    textarea = form.find("textarea", name="query")
    assert textarea.raw_text == editor.DEFAULT_QUERY
    select = form.find("select", name="format")
    options = select.find_all("option")
    assert [o.get("value") for o in options][:2] == ["html", "json"]
    assert options[0].get("selected") is not None or "selected" in options[0].attrs
    assert form.find("button", type="submit").text == "Run query"
    # labels are tied to their controls
    assert {label.get("for") for label in page.find_all("label")} >= {"query-text", "query-format"}


@needs_vendor
def test_yasgui_is_served_from_our_static_files(editor_html) -> None:  # type: ignore[no-untyped-def]
    page = parse_html(editor_html.text)
    stylesheets = [link.get("href") for link in page.find_all("link", rel="stylesheet")]
    scripts = [script.get("src") for script in page.find_all("script") if script.get("src")]
    assert "/static/vendor/yasgui/yasgui.min.css" in stylesheets
    assert scripts == ["/static/vendor/yasgui/yasgui.min.js", "/static/editor.js"]
    # nothing on the page loads from another server
    for url in stylesheets + scripts:
        assert url is not None and not urlsplit(url).netloc
    assert page.by_id("yasgui").get("data-yasgui-version") == pinned_yasgui_version()
    assert not [e for e in page.iter() if e.get("id") == "editor-missing"]


def test_example_queries_are_listed(editor_html) -> None:  # type: ignore[no-untyped-def]
    files = sorted((ROOT / "queries").glob("cq*.rq"))
    assert len(files) >= 14
    page = parse_html(editor_html.text)
    items = page.by_id("examples").find_all("li")
    assert [item.get("id") for item in items] == [f"example-{f.stem}" for f in files]
    first = page.by_id("example-cq01-norad-members")
    assert first.find("span", class_="code").text == "cq01"
    assert first.find("span", class_="question").text == "Which nations are members of NORAD?"
    link = first.find("a")
    assert link.get("data-example") == "cq01-norad-members"
    path, _, query = (link.get("href") or "").partition("?")
    assert path == "/sparql"
    assert parse_qs(query)["query"] == [NORAD_MEMBERS]
    examples = editor_config(page)["examples"]
    assert isinstance(examples, list)
    assert [e["name"] for e in examples] == [f.stem for f in files]
    assert examples[0]["query"] == NORAD_MEMBERS
    assert examples[0]["question"] == "Which nations are members of NORAD?"


def test_editor_config_points_at_this_server_only(editor_html) -> None:  # type: ignore[no-untyped-def]
    config = editor_config(parse_html(editor_html.text))
    assert config["endpoint"] == "/sparql"
    assert config["query"] is None
    prefixes = config["prefixes"]
    assert isinstance(prefixes, dict) and prefixes["ald"] == BASE + "ontology#"
    assert BASE + "ontology#Alliance" in config["classes"]  # type: ignore[operator]
    assert "http://www.w3.org/ns/org#memberOf" not in config["classes"]  # type: ignore[operator]
    assert config["properties"]  # local autocompletion has something to offer


def test_example_header_parsing(tmp_path: Path) -> None:
    path = tmp_path / "cq99-some-thing.rq"
    path.write_text("# cq99: What is it?\n# More words\n#   and more.\nSELECT * {}\n",
                    encoding="utf-8")
    example = editor.parse_example(path)
    assert (example.name, example.code, example.question) == ("cq99-some-thing", "cq99",
                                                             "What is it?")
    assert example.description == "More words and more."
    bare = tmp_path / "cq98-bare.rq"
    bare.write_text("SELECT * {}\n", encoding="utf-8")
    assert (editor.parse_example(bare).code, editor.parse_example(bare).question) == (
        "cq98", "cq98-bare")


# ---------------------------------------------------------------------------
# ?query= and results on the page


def test_query_parameter_prefills_the_editor(client) -> None:  # type: ignore[no-untyped-def]
    query = "ASK { ?s ?p ?o }"
    response = client.get("/sparql", params={"query": query}, headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = parse_html(response.text)
    assert page.find("textarea", name="query").raw_text == query
    assert editor_config(page)["query"] == query
    assert page.by_id("boolean-result").find("code").text == "true"


def test_machine_clients_still_get_results(client) -> None:  # type: ignore[no-untyped-def]
    for accept in (None, "*/*", "text/html;q=0.5, application/sparql-results+json"):
        headers = {"Accept": accept} if accept else {}
        response = client.get("/sparql", params={"query": "ASK {}"}, headers=headers)
        assert response.headers["content-type"].startswith("application/sparql-results+json")
        assert response.json() == {"head": {}, "boolean": True}
    # an explicit format beats a browser's Accept
    response = client.get("/sparql", params={"query": "ASK {}", "format": "json"},
                          headers={"Accept": BROWSER_ACCEPT})
    assert response.json()["boolean"] is True


def test_form_submission_shows_a_results_table(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/sparql", params={"query": NORAD_MEMBERS, "format": "html"})
    assert response.status_code == 200
    page = parse_html(response.text)
    table = page.by_id("results").find("table")
    assert [th.text for th in table.find("thead").find_all("th")] == ["?nation", "?label"]
    rows = table.find("tbody").find_all("tr")
    links = [row.find_all("td")[0].find("a") for row in rows]
    assert [(a.get("href"), a.get("title"), a.text) for a in links] == [
        ("/id/nation/canada", BASE + "id/nation/canada", "Canada"),
        ("/id/nation/united-states", BASE + "id/nation/united-states", "United States"),
    ]
    assert page.by_id("result-count").text.strip() == "2 rows."
    # the query stays in the form for the next run
    assert page.find("textarea", name="query").raw_text == NORAD_MEMBERS


def test_construct_results_are_a_triples_table(client) -> None:  # type: ignore[no-untyped-def]
    query = ("CONSTRUCT { ?n a <https://w3id.org/alliance-ld/ontology#Nation> } WHERE { "
             "VALUES ?n { <https://w3id.org/alliance-ld/id/nation/canada> } }")
    response = client.get("/sparql", params={"query": query}, headers={"Accept": "text/html"})
    table = parse_html(response.text).by_id("results").find("table")
    assert [th.text for th in table.find_all("th")] == ["subject", "predicate", "object"]
    (row,) = table.find("tbody").find_all("tr")
    assert [td.find("a").get("title") for td in row.find_all("td")] == [
        BASE + "id/nation/canada",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
        BASE + "ontology#Nation",
    ]


def test_syntax_error_is_shown_on_the_page(client) -> None:  # type: ignore[no-untyped-def]
    query = "SELECT ?x WHERE { ?x ?y }"
    response = client.get("/sparql", params={"query": query, "format": "html"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = parse_html(response.text)
    error = page.by_id("query-error").find("p").text
    assert re.search(r"line 1", error) or re.search(r"column", error), error
    assert page.find("textarea", name="query").raw_text == query


def test_service_query_is_refused_on_the_page(client) -> None:  # type: ignore[no-untyped-def]
    query = "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"
    response = client.get("/sparql", params={"query": query, "format": "html"})
    assert response.status_code == 400
    assert "SERVICE is not supported" in parse_html(response.text).by_id("query-error").text


# ---------------------------------------------------------------------------
# Without the YASGUI files; behind a path prefix


def test_page_works_without_yasgui_files(publication, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from alliance_ld.api.main import create_app

    monkeypatch.setattr(editor, "VENDOR_DIR", tmp_path / "missing")
    with TestClient(create_app(publication.settings, publication)) as client:
        response = client.get("/sparql", headers={"Accept": BROWSER_ACCEPT})
        # the page that asks for the bundle is not kept: once built, the editor shows
        assert "no-store" in response.headers["cache-control"]
        monkeypatch.undo()
        built = client.get("/sparql", headers={"Accept": BROWSER_ACCEPT})
        assert 'id="editor-missing"' not in built.text
    assert response.status_code == 200
    page = parse_html(response.text)
    note = page.by_id("editor-missing").text
    assert "scripts/build-frontend.sh" in note and "npm" in note
    assert not [s for s in page.find_all("script") if s.get("src")]
    # only our own style sheets: none of YASGUI's
    assert [link.get("href") for link in page.find_all("link", rel="stylesheet")] == [
        "/static/css/editor.css", "/static/css/site.css"]
    assert page.by_id("query-form").get("action") == "/sparql"
    assert page.by_id("plain-form").get("open") is not None or "open" in page.by_id(
        "plain-form").attrs


def test_links_respect_the_root_path(client) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    # The same app, reached through a reverse proxy that mounts it under /ald
    # (no ``with``: the app is already running, its lifespan must not start again).
    prefixed = TestClient(client.app, root_path="/ald")
    response = prefixed.get("/ald/sparql", headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 200, response.text
    page = parse_html(response.text)
    assert page.by_id("query-form").get("action") == "/ald/sparql"
    assert editor_config(page)["endpoint"] == "/ald/sparql"
    assert page.by_id("endpoint-url").text == "http://testserver/ald/sparql"
    first = page.by_id("example-cq01-norad-members").find("a").get("href") or ""
    assert first.startswith("/ald/sparql?query=")
    if VENDOR_BUILT:
        assert "/ald/static/editor.js" in [s.get("src") for s in page.find_all("script")]
        css = [link.get("href") for link in page.find_all("link", rel="stylesheet")]
        assert "/ald/static/vendor/yasgui/yasgui.min.css" in css


# ---------------------------------------------------------------------------
# Static files


@needs_vendor
@pytest.mark.parametrize(("path", "media_type"), [
    ("vendor/yasgui/yasgui.min.js", "text/javascript"),
    ("vendor/yasgui/yasgui.min.css", "text/css"),
])
def test_yasgui_static_files(client, path: str, media_type: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/static/" + path, headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert response.content == (editor.VENDOR_DIR / Path(path).name).read_bytes()


def test_editor_script_is_served(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/static/editor.js")
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == "text/javascript"
    assert "new Yasgui(" in response.text


def test_editor_script_names_no_other_server() -> None:
    script = (editor.STATIC_DIR / "editor.js").read_text(encoding="utf-8")
    code = re.sub(r"/\*.*?\*/", "", script, flags=re.DOTALL)
    assert not re.findall(r"https?://", code)
    for setting in ("prefixCcApi: null", "persistenceId: null", "populateFromUrl: false",
                    "copyEndpointOnNewTab: false", "corsProxy: undefined"):
        assert setting in code
    assert 'delete Yasqe.Autocompleters[name]' in code


def pinned_yasgui_version() -> str:
    package = json.loads((ROOT / "frontend" / "package.json").read_text(encoding="utf-8"))
    version: str = package["dependencies"]["@zazuko/yasgui"]
    return version


def test_yasgui_version_is_pinned_exactly() -> None:
    version = pinned_yasgui_version()
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"not an exact version: {version}"
    lock = json.loads((ROOT / "frontend" / "package-lock.json").read_text(encoding="utf-8"))
    locked = lock["packages"]["node_modules/@zazuko/yasgui"]
    assert locked["version"] == version
    assert locked["integrity"].startswith("sha512-")
    if VENDOR_BUILT:
        assert editor.vendor_version() == version
