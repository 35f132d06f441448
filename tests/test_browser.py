"""Debian's headless Chromium, driven by selenium, against a live ``alliance-ld serve``.

It loads a resource page and the query editor (YASGUI from our static files), runs a
query and reads the result table from the DOM, uses the plain form with
JavaScript off, and opens the OpenAPI page (Swagger UI from our static files)
and runs an operation from it. Every request the pages make is read from Chrome's DevTools
performance log: a test fails if any of them leaves loopback. Every page records
the Content-Security-Policy violations it meets (a ``securitypolicyviolation``
listener installed before the page's own scripts, and the browser's console log);
the pages must work under the policy without any. (Chromium's own
background traffic is switched off by flags and, should any remain, cannot
resolve a host other than 127.0.0.1/localhost.)

Needs the apt packages ``chromium`` and ``chromium-driver`` and the pip package
``selenium``; without them the tests are skipped, unless ``CI`` is set.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from alliance_ld.api.routes import docs, editor

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
# data:, blob:, about: never touch the network; chrome:// is the browser's own built-in
# pages and resources (its start-up new-tab page), served from inside the binary.
LOCAL_SCHEMES = {"data", "blob", "about", "chrome"}
NORAD_LABEL = "North American Aerospace Defense Command"
NORAD_MEMBERS = """\
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX ald: <https://w3id.org/alliance-ld/ontology#>
SELECT ?nation WHERE {
  ?membership a ald:Membership ;
      org:organization <https://w3id.org/alliance-ld/id/alliance/norad> ;
      org:member ?nation .
} ORDER BY ?nation
"""
CANONICAL_BASE = "https://w3id.org/alliance-ld/"
WAIT = 20.0  # seconds for any one thing to appear

CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--disable-breakpad",
    "--no-pings",
    "--metrics-recording-only",
    "--dns-prefetch-disable",
    "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication,"
    "InterestFeedContentSuggestions,CertificateTransparencyComponentUpdater",
    # Anything that still tried to reach another host could not resolve it.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
    "--window-size=1280,1024",
)


def _require_browser() -> None:
    missing = [name for name, path in (("chromium", CHROMIUM), ("chromedriver", CHROMEDRIVER))
               if path is None]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium (pip)")
    if missing:
        message = ("browser tests need " + ", ".join(missing)
                   + " (apt-get install chromium chromium-driver; pip install selenium)")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def _require_editor() -> None:
    if not editor.vendor_available():
        message = "YASGUI is not built: run scripts/build-frontend.sh"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def _require_swagger_ui() -> None:
    if not docs.vendor_available():
        message = "Swagger UI is not built: run scripts/build-frontend.sh"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


class Browser:
    """A headless Chromium that records the URL of every request its pages make."""

    def __init__(self, profile: Path, *, javascript: bool = True) -> None:
        # Selenium Manager is not needed (drivers are given) and must not phone home.
        os.environ.setdefault("SE_AVOID_STATS", "true")
        os.environ.setdefault("SE_OFFLINE", "true")
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service

        options = Options()
        assert CHROMIUM is not None and CHROMEDRIVER is not None
        options.binary_location = CHROMIUM
        for flag in CHROMIUM_FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={profile}")
        options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
        options.add_experimental_option("perfLoggingPrefs", {"enableNetwork": True,
                                                             "enablePage": False})
        if not javascript:
            options.add_experimental_option(
                "prefs", {"profile.managed_default_content_settings.javascript": 2})
        self.driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
        self.driver.set_page_load_timeout(WAIT)
        self.driver.set_script_timeout(WAIT)
        self.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": (
            "window.cspViolations = [];"
            "document.addEventListener('securitypolicyviolation', function (e) {"
            "  window.cspViolations.push([e.violatedDirective, e.blockedURI, e.sourceFile,"
            "                             e.lineNumber].join(' '));"
            "});")})
        self.requested: list[str] = []

    def csp_violations(self) -> list[str]:
        """The policy violations of the current page, and those in the console log since
        the last call."""
        found: list[str] = list(self.driver.execute_script("return window.cspViolations || [];"))
        found += [entry["message"] for entry in self.driver.get_log("browser")
                  if "Content Security Policy" in entry["message"]]
        return found

    def collect(self) -> list[str]:
        """The URLs requested since the last call (from the DevTools performance log)."""
        urls: list[str] = []
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            params: dict[str, Any] = message.get("params", {})
            method = message.get("method", "")
            if method == "Network.requestWillBeSent":
                urls.append(params["request"]["url"])
            elif method in ("Network.webSocketCreated", "Network.eventSourceMessageReceived"):
                urls.append(params.get("url", ""))
        self.requested += urls
        return urls

    def assert_loopback_only(self) -> list[str]:
        urls = self.collect()
        leaving = [u for u in urls if not _is_local(u)]
        assert not leaving, f"requests that leave loopback: {leaving}"
        return urls

    def wait_for(self, css: str, timeout: float = WAIT) -> Any:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as ec
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.driver, timeout).until(
            ec.presence_of_element_located((By.CSS_SELECTOR, css)))

    def quit(self) -> None:
        self.driver.quit()


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    return parts.scheme in ("http", "https", "ws", "wss") and parts.hostname in LOOPBACK_HOSTS


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    _require_browser()
    with tempfile.TemporaryDirectory(prefix="alliance-ld-chromium-") as profile:
        running = Browser(Path(profile))
        try:
            yield running
        finally:
            running.quit()


@pytest.fixture
def browser_without_js() -> Iterator[Browser]:
    _require_browser()
    with tempfile.TemporaryDirectory(prefix="alliance-ld-chromium-") as profile:
        running = Browser(Path(profile), javascript=False)
        try:
            yield running
        finally:
            running.quit()


def test_is_local() -> None:
    assert _is_local("http://127.0.0.1:8000/sparql")
    assert _is_local("data:image/png;base64,AAAA")
    assert not _is_local("https://lov.linkeddata.es/dataset/lov/api/v2/autocomplete/terms")
    assert not _is_local("http://prefix.cc/popular/all.file.json")
    assert not _is_local("http://127.0.0.1.example.org/")
    assert not _is_local("wss://example.org/socket")


def test_resource_page(browser: Browser, server) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    driver = browser.driver
    driver.get(server.url + "id/alliance/norad")
    browser.wait_for("h1")
    # the 303 was followed to the HTML document
    assert driver.current_url.startswith(server.url)
    assert driver.current_url != server.url + "id/alliance/norad"
    assert driver.find_element(By.TAG_NAME, "h1").text.strip() == NORAD_LABEL
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    rows = driver.find_elements(By.CSS_SELECTOR, "table tr td")
    assert rows, "the properties table has no rows"
    agreement = [a for a in driver.find_elements(By.TAG_NAME, "a")
                 if (a.get_attribute("href") or "").rstrip("/").endswith(
                     "/id/treaty/norad-agreement")]
    assert agreement, "no link to the NORAD Agreement"
    assert agreement[0].text.strip() == "NORAD Agreement"
    assert (agreement[0].get_attribute("href") or "").startswith(server.url)
    assert browser.csp_violations() == []
    urls = browser.assert_loopback_only()
    assert any(u.startswith(server.url + "id/alliance/norad") for u in urls)


def _wait_editor_ready(browser: Browser) -> None:
    browser.wait_for('#yasgui[data-ready="true"]')
    browser.wait_for("#yasgui .yasqe .CodeMirror")


def test_query_editor_runs_a_query(browser: Browser, server) -> None:  # type: ignore[no-untyped-def]
    _require_editor()
    from selenium.webdriver.common.by import By

    driver = browser.driver
    driver.get(server.url + "sparql")
    _wait_editor_ready(browser)
    tab_endpoint = driver.execute_script("return window.yasgui.getTab().getEndpoint();")
    assert tab_endpoint == server.url + "sparql"
    # even an endpoint typed by hand is not used: the field is read-only
    field = driver.find_element(By.CSS_SELECTOR, "#yasgui .controlbar input.autocomplete")
    assert field.get_attribute("readonly") is not None
    driver.execute_script(
        "const tab = window.yasgui.getTab(); tab.setQuery(arguments[0]);"
        "tab.query().catch(e => { window.queryError = String(e); });", NORAD_MEMBERS)
    cells = browser.wait_for("#yasgui .yasr table tbody tr td a")
    assert cells is not None
    rows = driver.find_elements(By.CSS_SELECTOR, "#yasgui .yasr table tbody tr")
    hrefs = [[a.get_attribute("href") for a in row.find_elements(By.CSS_SELECTOR, "td a")]
             for row in rows]
    assert hrefs == [[server.url + "id/nation/canada"], [server.url + "id/nation/united-states"]]
    assert driver.execute_script("return window.queryError || null;") is None
    assert browser.csp_violations() == []
    urls = browser.assert_loopback_only()
    assert server.url + "sparql" in urls  # the query went to our endpoint
    assert server.url + "static/vendor/yasgui/yasgui.min.js" in urls


def test_query_editor_autocompletes_from_our_vocabulary(browser: Browser, server) -> None:  # type: ignore[no-untyped-def]
    _require_editor()
    from selenium.webdriver.common.by import By

    driver = browser.driver
    if not driver.current_url.startswith(server.url + "sparql"):
        driver.get(server.url + "sparql")
    _wait_editor_ready(browser)
    text = "PREFIX ald: <" + server.url + "ontology#>\nSELECT * WHERE { ?x a ald:Allian"
    driver.execute_script(
        "const yasqe = window.yasgui.getTab().getYasqe(); yasqe.setValue(arguments[0]);"
        "yasqe.focus(); yasqe.setCursor(yasqe.lastLine(), yasqe.getLine(yasqe.lastLine()).length);"
        "yasqe.autocomplete();", text)
    hint = browser.wait_for(".CodeMirror-hints li")
    assert hint is not None
    offered = [li.text for li in driver.find_elements(By.CSS_SELECTOR, ".CodeMirror-hints li")]
    assert "ald:Alliance" in offered
    browser.assert_loopback_only()


def test_query_parameter_prefills_the_editor(browser: Browser, server) -> None:  # type: ignore[no-untyped-def]
    _require_editor()
    driver = browser.driver
    driver.get(server.url + "sparql?query=" + quote(NORAD_MEMBERS))
    _wait_editor_ready(browser)
    # shown with this server's IRIs, as every page shows them (and queries are read back)
    shown = NORAD_MEMBERS.replace(CANONICAL_BASE, server.url)
    assert driver.execute_script("return window.yasgui.getTab().getQuery();") == shown
    # the server also answered it on the page, under the plain form
    links = driver.execute_script(
        "return Array.from(document.querySelectorAll('#results tbody a')).map(a => a.href);")
    assert links == [server.url + "id/nation/canada", server.url + "id/nation/united-states"]
    browser.assert_loopback_only()


def test_plain_form_without_javascript(browser_without_js: Browser, server) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    driver = browser_without_js.driver
    driver.get(server.url + "sparql")
    browser_without_js.wait_for("#query-form")
    # JavaScript really is off: editor.js would have folded the plain form away
    assert driver.find_element(By.ID, "plain-form").get_attribute("open") is not None
    assert not driver.find_elements(By.CSS_SELECTOR, "#yasgui .yasqe")
    textarea = driver.find_element(By.ID, "query-text")
    textarea.clear()
    textarea.send_keys(NORAD_MEMBERS)
    driver.find_element(By.ID, "query-submit").click()
    browser_without_js.wait_for("#results table tbody tr")
    assert urlsplit(driver.current_url).path == "/sparql"
    rows = driver.find_elements(By.CSS_SELECTOR, "#results table tbody tr")
    links = [row.find_element(By.CSS_SELECTOR, "td a") for row in rows]
    assert [(a.get_attribute("href"), a.text) for a in links] == [
        (server.url + "id/nation/canada", "Canada"),
        (server.url + "id/nation/united-states", "United States"),
    ]
    shown = NORAD_MEMBERS.replace(CANONICAL_BASE, server.url)
    assert driver.find_element(By.ID, "query-text").get_attribute("value") == shown
    urls = browser_without_js.assert_loopback_only()
    assert not [u for u in urls if u.startswith(server.url) and u.endswith(".js")]


UNSAFE_RESULTS = """\
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT ?iri ?address WHERE {
  VALUES (?text) { ("javascript:alert(1)") ("JaVaScRiPt:alert(2)") ("data:text/html,x")
                   ("vbscript:msgbox(3)") ("mailto:someone@example.org")
                   ("https://example.org/safe") }
  BIND(IRI(?text) AS ?iri)
  BIND(STRDT(?text, xsd:anyURI) AS ?address)
} ORDER BY ?text
"""


def test_query_editor_does_not_link_unsafe_iris(browser: Browser, server) -> None:  # type: ignore[no-untyped-def]
    _require_editor()
    from selenium.webdriver.common.by import By

    driver = browser.driver
    driver.get(server.url + "sparql")
    _wait_editor_ready(browser)
    driver.execute_script(
        "const tab = window.yasgui.getTab(); tab.setQuery(arguments[0]);"
        "tab.query().catch(e => { window.queryError = String(e); });", UNSAFE_RESULTS)
    browser.wait_for("#yasgui .yasr table tbody tr td a[href='https://example.org/safe']")
    rows = driver.find_elements(By.CSS_SELECTOR, "#yasgui .yasr table tbody tr")
    assert len(rows) == 6
    cells = {}
    for row in rows:
        iri_cell = row.find_elements(By.CSS_SELECTOR, "td")[1]
        cells[iri_cell.text.strip("<> ")] = iri_cell
    assert sorted(cells) == sorted(["JaVaScRiPt:alert(2)", "data:text/html,x",
                                    "https://example.org/safe", "javascript:alert(1)",
                                    "mailto:someone@example.org", "vbscript:msgbox(3)"])
    for text, cell in cells.items():
        links = cell.find_elements(By.TAG_NAME, "a")
        if text == "https://example.org/safe":
            assert [a.get_attribute("href") for a in links] == ["https://example.org/safe"]
            continue
        # shown as text: no <a> at all, so nothing to click
        assert links == [], text
        assert [s.get_attribute("title") for s in
                cell.find_elements(By.CSS_SELECTOR, "span.unlinked")] in ([text], [""], [None])
    # every link left in the table goes to http(s), whatever the cell
    hrefs = driver.execute_script(
        "return Array.from(document.querySelectorAll('#yasgui .yasr table a'))"
        ".map(a => a.protocol);")
    assert set(hrefs) <= {"http:", "https:"}
    assert driver.execute_script("return window.queryError || null;") is None
    assert browser.csp_violations() == []
    browser.assert_loopback_only()


@pytest.mark.parametrize("path", ["", "search?q=nato", "network", "ontology",
                                  "doc/alliance/nato.html", "sparql"])
def test_pages_work_under_the_content_security_policy(browser: Browser, server,  # type: ignore[no-untyped-def]
                                                      path: str) -> None:
    from selenium.webdriver.common.by import By

    driver = browser.driver
    driver.get(server.url + path)
    browser.wait_for("main h1")
    if path == "sparql" and editor.vendor_available():
        _wait_editor_ready(browser)
    assert driver.find_element(By.CSS_SELECTOR, "main h1").text.strip()
    # our style sheets applied (not blocked): the header's flex layout from site.css
    header = driver.find_element(By.TAG_NAME, "header")
    assert header.value_of_css_property("display") == "flex"
    if path == "network":  # the picture's own <style>, allowed by its hash
        label = driver.find_element(By.CSS_SELECTOR, "figure svg .node.relationship text")
        assert label.value_of_css_property("font-weight") == "700"
    assert browser.csp_violations() == []
    # the policy is in force: an injected inline script does not run
    ran = driver.execute_script(
        "const s = document.createElement('script'); s.textContent = 'window.injected = 1;';"
        "document.body.appendChild(s); return window.injected || null;")
    assert ran is None
    assert any("script-src" in v for v in browser.csp_violations())
    browser.assert_loopback_only()


SPARQL_GET = "#operations-SPARQL-sparql_get_sparql_get"  # Swagger UI's id: tag, operationId


def test_openapi_page_runs_from_this_server(browser: Browser, server) -> None:  # type: ignore[no-untyped-def]
    """/docs: Swagger UI from our static files, under the standard policy, fetching
    nothing from another host; it lists the operations and runs one against us."""
    _require_swagger_ui()
    from selenium.webdriver.common.by import By

    driver = browser.driver
    driver.get(server.url + "docs")
    operation = browser.wait_for(SPARQL_GET)
    assert driver.find_element(By.CSS_SELECTOR, "#swagger-ui .info .title").text.startswith(
        "alliance-ld")
    assert operation.find_element(By.CSS_SELECTOR, ".opblock-summary-method").text == "GET"
    assert operation.find_element(By.CSS_SELECTOR, ".opblock-summary-path").text == "/sparql"
    paths = {e.text for e in driver.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")}
    assert {"/sparql", "/healthz", "/downloads", "/id/{path}"} <= paths
    # Swagger UI's style sheet applied (not blocked): GET operations are drawn blue
    method = operation.find_element(By.CSS_SELECTOR, ".opblock-summary-method")
    assert method.value_of_css_property("background-color") == "rgba(97, 175, 254, 1)"
    # run the operation: ASK {} on our endpoint
    operation.find_element(By.CSS_SELECTOR, ".opblock-summary-control").click()
    browser.wait_for(SPARQL_GET + " .try-out__btn").click()
    browser.wait_for(SPARQL_GET + " tr[data-param-name='query'] input").send_keys("ASK {}")
    driver.find_element(By.CSS_SELECTOR, SPARQL_GET + " .execute").click()
    status = browser.wait_for(SPARQL_GET + " .live-responses-table tbody .response-col_status")
    assert status.text.strip() == "200"
    request_url = driver.find_element(By.CSS_SELECTOR, SPARQL_GET + " .request-url pre").text
    assert request_url == server.url + "sparql?query=ASK%20%7B%7D"
    body = driver.find_element(
        By.CSS_SELECTOR, SPARQL_GET + " .live-responses-table tbody .response-col_description pre")
    assert json.loads(body.text) == {"head": {}, "boolean": True}
    assert driver.execute_script("return document.querySelectorAll('style').length;") == 0
    assert browser.csp_violations() == []
    urls = browser.assert_loopback_only()
    for path in ("docs", "static/vendor/swagger-ui/swagger-ui-bundle.js",
                 "static/vendor/swagger-ui/swagger-ui.css", "static/docs.js", "openapi.json",
                 "sparql?query=ASK%20%7B%7D"):
        assert server.url + path in urls, path
    # the policy is in force on /docs too: an injected inline script does not run
    ran = driver.execute_script(
        "const s = document.createElement('script'); s.textContent = 'window.injected = 1;';"
        "document.body.appendChild(s); return window.injected || null;")
    assert ran is None
    assert any("script-src" in v for v in browser.csp_violations())


def _png_pixels(data: bytes) -> tuple[int, int, list[tuple[int, ...]]]:
    """Width, height and the pixels of an 8-bit RGB or RGBA PNG (what Chromium writes)."""
    import struct
    import zlib

    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, width = 8, b"", 0
    height = channels = 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6) and body[12] == 0  # not interlaced
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            chunks += body
        pos += 12 + length
    raw = zlib.decompress(chunks)
    stride = width * channels
    rows: list[bytearray] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc
                                      else corner)) & 255
        rows.append(line)
        previous = line
    pixels = [tuple(row[i:i + 3]) for row in rows for i in range(0, stride, channels)]
    return width, height, pixels


def test_timeline_as_of_a_date_in_a_screenshot(browser: Browser, server) -> None:  # type: ignore[no-untyped-def]
    """The timeline is drawn: its bars (solid blue), the pale part of year-only dates and
    the red line of the date, counted in a screenshot of the picture."""
    from selenium.webdriver.common.by import By

    from alliance_ld import timeline

    driver = browser.driver
    driver.set_window_size(1000, 1200)
    driver.get(server.url + "doc/partnership/partnership-for-peace.html?as_of=1999-06-01")
    browser.wait_for("#timeline-svg")
    picture = driver.find_element(By.ID, "timeline-svg")
    assert picture.get_attribute("role") == "img"
    # every membership has its bar (the table under the as-of view lists those in force)
    assert len(driver.find_elements(By.CSS_SELECTOR, "#timeline-svg g.timeline-bar")) >= len(
        driver.find_elements(By.CSS_SELECTOR, "#dated-table tr.dated-row")) > 20
    driver.execute_script("arguments[0].scrollIntoView(true);", picture)
    width, height, pixels = _png_pixels(picture.screenshot_as_png)
    assert width > 500 and height > 150

    def share(colour: str) -> float:
        rgb = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
        near = sum(1 for p in pixels if all(abs(a - b) <= 12 for a, b in zip(p, rgb,
                                                                              strict=True)))
        return near / len(pixels)

    assert share(timeline.SOLID) > 0.10  # the bars
    assert share(timeline.PALE) > 0.002  # years known only to the year (1994, 1999, ...)
    assert share(timeline.AS_OF) > 0.0005  # the line at 1999-06-01
    assert browser.csp_violations() == []
    browser.assert_loopback_only()


#: A point well inside each named country (4 CSS pixels from any edge, the nearest such
#: point of a grid to the centre of its box), in CSS pixels from the map's top left corner.
_MAP_CENTRES = """
const svg = document.getElementById('map-svg');
const k = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
const r = 4 / k;
const around = [[0, 0], [r, 0], [-r, 0], [0, r], [0, -r], [r, r], [-r, -r], [r, -r], [-r, r]];
const out = {};
for (const code of arguments[0]) {
  const path = svg.querySelector('path[data-iso="' + code + '"]');
  const b = path.getBBox();
  let best = null, distance = Infinity;
  for (let i = 1; i < 40; i++) {
    for (let j = 1; j < 40; j++) {
      const x = b.x + b.width * i / 40, y = b.y + b.height * j / 40;
      if (!around.every(([dx, dy]) => path.isPointInFill(new DOMPoint(x + dx, y + dy)))) {
        continue;
      }
      const d = Math.hypot(x - b.x - b.width / 2, y - b.y - b.height / 2);
      if (d < distance) { best = [x * k, y * k]; distance = d; }
    }
  }
  out[code] = best;
}
return {centres: out, width: svg.getBoundingClientRect().width};
"""


def _map_colours(browser: Browser, url: str,
                 codes: list[str]) -> dict[str, list[tuple[int, ...]]]:
    """The pixels of a 5 by 5 square well inside each country, in a screenshot of the map
    on the page at ``url``."""
    from selenium.webdriver.common.by import By

    driver = browser.driver
    driver.get(url)
    browser.wait_for("#map-svg")
    picture = driver.find_element(By.ID, "map-svg")
    driver.execute_script("arguments[0].scrollIntoView(true);", picture)
    found = driver.execute_script(_MAP_CENTRES, codes)
    width, height, pixels = _png_pixels(picture.screenshot_as_png)
    scale = width / found["width"]
    out = {}
    for code, point in found["centres"].items():
        assert point is not None, code
        x, y = point
        cx, cy = round(x * scale), round(y * scale)
        out[code] = [pixels[j * width + i] for j in range(cy - 2, cy + 3)
                     for i in range(cx - 2, cx + 3) if 0 <= i < width and 0 <= j < height]
    return out


def _near(colour: str, pixels: list[tuple[int, ...]]) -> float:
    rgb = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return sum(1 for p in pixels if all(abs(a - b) <= 12 for a, b in zip(p, rgb, strict=True))
               ) / len(pixels)


def test_world_map_of_members_in_a_screenshot(browser: Browser, server) -> None:  # type: ignore[no-untyped-def]
    """The map on NATO's page is drawn: inside Poland the member blue from 1999-03-12 on
    and the grey of a non-member before; Finland and Sweden grey in 1999, blue in mid-2024;
    Ukraine grey; Poland hatched pale in the year 1999, its start then uncertain; on
    Poland's page, Poland red and its allies blue."""
    from alliance_ld import maps

    browser.driver.set_window_size(1000, 1200)
    page = server.url + "doc/alliance/nato.html?as_of="
    codes = ["POL", "FIN", "SWE", "DEU", "UKR", "USA"]
    before = _map_colours(browser, page + "1998-07-01", codes)
    after = _map_colours(browser, page + "1999-07-01", codes)
    joined = _map_colours(browser, page + "2024-06-01", codes)
    year = _map_colours(browser, page + "1999", codes)
    assert _near(maps.OTHER, before["POL"]) > 0.8
    assert _near(maps.MEMBER, after["POL"]) > 0.8
    assert _near(maps.MEMBER, before["DEU"]) > 0.8 and _near(maps.MEMBER, after["USA"]) > 0.8
    assert _near(maps.OTHER, after["FIN"]) > 0.8 and _near(maps.OTHER, after["SWE"]) > 0.8
    assert _near(maps.MEMBER, joined["FIN"]) > 0.8 and _near(maps.MEMBER, joined["SWE"]) > 0.8
    assert _near(maps.OTHER, joined["UKR"]) > 0.8
    # hatched: pale stripes with darker ones, neither colour alone
    assert 0.2 < _near(maps.UNCERTAIN, year["POL"]) < 0.95
    assert _near(maps.MEMBER, year["DEU"]) > 0.8
    nation = _map_colours(browser, server.url + "doc/nation/poland.html?as_of=2024-01-01",
                          ["POL", "DEU", "CHN"])
    assert _near(maps.NATION, nation["POL"]) > 0.8
    assert _near(maps.MEMBER, nation["DEU"]) > 0.8 and _near(maps.OTHER, nation["CHN"]) > 0.8
    assert browser.csp_violations() == []
    browser.assert_loopback_only()


WIDE_RESULTS = """\
SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 40
"""
#: The page column's edges and every box of the editor that sticks out of it (in CSS pixels).
_OVERFLOW_SCRIPT = """
const column = document.querySelector('body > header').getBoundingClientRect();
const out = [];
for (const el of document.querySelectorAll('main, main *')) {
  const box = el.getBoundingClientRect();
  if (box.width === 0 || box.height === 0) continue;
  // inside a scrolling box (the results table), being wider than the column is fine
  let scroller = el.parentElement, clipped = false;
  while (scroller && scroller !== document.body) {
    const style = getComputedStyle(scroller);
    if (['auto', 'scroll', 'hidden'].includes(style.overflowX) && scroller !== el) {
      const clip = scroller.getBoundingClientRect();
      if (clip.right <= column.right + 0.5 && clip.left >= column.left - 0.5) {
        clipped = true;
        break;
      }
    }
    scroller = scroller.parentElement;
  }
  if (!clipped && (box.right > column.right + 0.5 || box.left < column.left - 0.5)) {
    const kind = typeof el.className === 'string' && el.className
      ? '.' + el.className.split(' ')[0] : '';
    out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + kind +
             ' ' + Math.round(box.left) + '-' + Math.round(box.right));
  }
}
return {left: column.left, right: column.right, out: out.slice(0, 10),
        main: document.querySelector('main').getBoundingClientRect().right,
        scroll: document.documentElement.scrollWidth, width: window.innerWidth};
"""


@pytest.mark.parametrize("width", [1280, 700])
def test_query_editor_stays_within_the_page_column(browser: Browser, server,  # type: ignore[no-untyped-def]
                                                   width: int) -> None:
    """The editor, and a wide result under it, keep to the column of the header and footer."""
    _require_editor()
    driver = browser.driver
    driver.set_window_size(width, 1024)
    try:
        driver.get(server.url + "sparql")
        _wait_editor_ready(browser)
        driver.execute_script(
            "const tab = window.yasgui.getTab(); tab.setQuery(arguments[0]);"
            "tab.query().catch(e => { window.queryError = String(e); });", WIDE_RESULTS)
        browser.wait_for("#yasgui .yasr table tbody tr td")
        measured = driver.execute_script(_OVERFLOW_SCRIPT)
    finally:
        driver.set_window_size(1280, 1024)
    assert measured["out"] == [], measured
    assert measured["main"] <= measured["right"] + 0.5
    assert measured["scroll"] <= measured["width"], "the page scrolls sideways"


_NETWORK_SCRIPT = """
const svg = document.querySelector('figure svg.network');
const figure = svg.closest('figure');
const heights = [...svg.querySelectorAll('.node text')].map(t => t.getBoundingClientRect().height);
const nato = [...svg.querySelectorAll('.node.relationship')].find(
  n => n.getAttribute('data-iri').endsWith('/alliance/nato'));
return {smallest: Math.min(...heights), count: heights.length,
        nato: nato.querySelector('text').textContent,
        figureScrolls: figure.scrollWidth > figure.clientWidth,
        pageScroll: document.documentElement.scrollWidth, width: window.innerWidth};
"""


def test_the_network_can_be_read_on_a_phone(browser: Browser, server) -> None:  # type: ignore[no-untyped-def]
    """At a phone's width (390 CSS pixels) every name in the network picture is drawn at
    least 10 px high: the picture scrolls sideways inside its figure, the page does not,
    and long names are drawn by their abbreviation (NATO)."""
    driver = browser.driver
    driver.set_window_size(390, 844)
    try:
        driver.get(server.url + "network?year=2024")
        browser.wait_for("figure svg.network")
        phone = driver.execute_script(_NETWORK_SCRIPT)
        driver.set_window_size(1280, 1024)
        driver.get(server.url + "network?year=2024")
        browser.wait_for("figure svg.network")
        desktop = driver.execute_script(_NETWORK_SCRIPT)
    finally:
        driver.set_window_size(1280, 1024)
    assert phone["count"] == desktop["count"] > 60  # 60 nations and 10 relationships
    assert phone["smallest"] >= 10, phone
    assert phone["figureScrolls"] and not desktop["figureScrolls"]
    assert phone["pageScroll"] <= phone["width"], "the page scrolls sideways"
    assert phone["nato"] == "NATO"
    assert browser.csp_violations() == []
    browser.assert_loopback_only()
