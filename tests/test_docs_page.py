"""The OpenAPI page ``/docs`` (TestClient): Swagger UI from our own static files.

Swagger UI (``swagger-ui-dist``, pinned in ``frontend/``) is copied into
``static/vendor/swagger-ui/`` by ``scripts/build-frontend.sh``; without it the page
says how to build it. Its policy is the standard one (``test_security_headers.py``);
the browser test (``test_browser.py``) runs it in Chromium.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from html_tree import parse_html

from alliance_ld.api import middleware
from alliance_ld.api.routes import docs

ROOT = Path(__file__).resolve().parent.parent
VENDOR_BUILT = docs.vendor_available()

needs_vendor = pytest.mark.skipif(
    not VENDOR_BUILT and not os.environ.get("CI"),
    reason="Swagger UI is not built (run scripts/build-frontend.sh); in CI this fails instead",
)


def pinned_version() -> str:
    package = json.loads((ROOT / "frontend" / "package.json").read_text(encoding="utf-8"))
    version: str = package["dependencies"]["swagger-ui-dist"]
    return version


def test_swagger_ui_version_is_pinned_exactly() -> None:
    version = pinned_version()
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"not an exact version: {version}"
    lock = json.loads((ROOT / "frontend" / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["packages"][""]["dependencies"]["swagger-ui-dist"] == version
    locked = lock["packages"]["node_modules/swagger-ui-dist"]
    assert locked["version"] == version
    assert locked["integrity"].startswith("sha512-")
    # every locked package is pinned by its hash
    for name, entry in lock["packages"].items():
        if name:
            assert entry["integrity"].startswith("sha512-"), name


def test_no_package_runs_code_at_install() -> None:
    """swagger-ui-dist depends on @scarf/scarf, whose install script reports the install:
    the build never runs install scripts, and the package's own switch is off too."""
    script = (ROOT / "scripts" / "build-frontend.sh").read_text(encoding="utf-8")
    assert re.findall(r"^npm .*$", script, flags=re.MULTILINE) == [
        "npm ci --ignore-scripts --no-audit --no-fund --loglevel=error"]
    package = json.loads((ROOT / "frontend" / "package.json").read_text(encoding="utf-8"))
    assert package["scarfSettings"] == {"enabled": False}


@needs_vendor
def test_built_files_match_the_pinned_version() -> None:
    assert (docs.VENDOR_DIR / "VERSION").read_text(encoding="utf-8").strip() == pinned_version()
    readme = (docs.VENDOR_DIR / "README").read_text(encoding="utf-8")
    assert readme.startswith(f"swagger-ui-dist {pinned_version()} (Apache-2.0 licence")
    for name in ("LICENSE", "NOTICE"):
        assert (docs.VENDOR_DIR / name).stat().st_size > 0, name


@needs_vendor
@pytest.mark.parametrize(("name", "media_type"), [
    ("swagger-ui-bundle.js", "text/javascript"),
    ("swagger-ui.css", "text/css"),
])
def test_swagger_ui_static_files(client, name: str, media_type: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(docs.VENDOR_PATH + name, headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert response.content == (docs.VENDOR_DIR / name).read_bytes()


@needs_vendor
def test_docs_page(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/docs")
    assert response.status_code == 200
    page = parse_html(response.text)
    assert [s.get("src") for s in page.find_all("script")] == [
        "/static/vendor/swagger-ui/swagger-ui-bundle.js", "/static/docs.js"]
    assert [link.get("href") for link in page.find_all("link", rel="stylesheet")] == [
        "/static/vendor/swagger-ui/swagger-ui.css"]
    assert page.by_id("swagger-ui").get("data-openapi-url") == "/openapi.json"
    assert not page.find_all(id="swagger-ui-missing")


@needs_vendor
def test_docs_behind_a_proxy_prefix(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/docs", headers={"X-Forwarded-Prefix": "/ld"})
    page = parse_html(response.text)
    assert [s.get("src") for s in page.find_all("script")] == [
        "/ld/static/vendor/swagger-ui/swagger-ui-bundle.js", "/ld/static/docs.js"]
    assert [link.get("href") for link in page.find_all("link", rel="stylesheet")] == [
        "/ld/static/vendor/swagger-ui/swagger-ui.css"]
    assert page.by_id("swagger-ui").get("data-openapi-url") == "/ld/openapi.json"


def test_docs_without_swagger_ui_says_how_to_build_it(client, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi.testclient import TestClient

    from alliance_ld.api.main import create_app

    monkeypatch.setattr(docs, "VENDOR_DIR", tmp_path / "swagger-ui")
    assert not docs.vendor_available()
    # an app of its own: the session's has the built page in its response cache
    app = create_app(client.app.state.publication.settings, client.app.state.publication)
    with TestClient(app) as own:
        response = own.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    # not cached, so the page changes as soon as Swagger UI is built
    assert response.headers["cache-control"] == "no-store"
    assert "etag" not in response.headers
    assert response.headers["content-security-policy"] == middleware.CONTENT_SECURITY_POLICY
    page = parse_html(response.text)
    assert page.find_all("script") == []
    assert [link.get("href") for link in page.find_all("link", rel="stylesheet")] == [
        "/static/css/site.css"]
    note = page.by_id("swagger-ui-missing").text
    assert "Swagger UI" in note and "is not installed" in note
    assert "scripts/build-frontend.sh" in note and "make setup" in note
    assert "src/alliance_ld/static/vendor/swagger-ui/" in note
    assert [a.get("href") for a in page.find_all("a")] == ["/openapi.json"]


def test_vendor_available_needs_both_files(tmp_path: Path) -> None:
    assert not docs.vendor_available(tmp_path)
    (tmp_path / "swagger-ui-bundle.js").write_text("//", encoding="utf-8")
    assert not docs.vendor_available(tmp_path)
    (tmp_path / "swagger-ui.css").write_text("", encoding="utf-8")
    assert docs.vendor_available(tmp_path)


def test_docs_script_names_no_other_server() -> None:
    script = (docs.STATIC_DIR / "docs.js").read_text(encoding="utf-8")
    code = re.sub(r"/\*.*?\*/", "", script, flags=re.DOTALL)
    assert not re.findall(r"https?://", code)
    assert "validatorUrl: null" in code
    assert "SwaggerUIBundle(" in code
