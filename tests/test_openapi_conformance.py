"""The server answers as its own OpenAPI description (``/openapi.json``) says.

* Schemathesis, with every check it has (``--checks all``), runs against the real
  server (uvicorn on 127.0.0.1): no server error and no conformance failure —
  undocumented statuses or media types, schema-valid requests refused,
  schema-violating ones accepted, ``405`` without ``Allow``, ``OPTIONS`` whose
  ``Allow`` does not match the description. It talks to the base URL it is given
  and to nothing else. Settings: ``tests/schemathesis/schemathesis.toml``.
* Plain tests pin what that needs: the error answers documented with their media
  types, ``OPTIONS`` and ``405`` listing the methods a path really takes, and CORS
  preflights still answered.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

CONFIG = Path(__file__).resolve().parent / "schemathesis" / "schemathesis.toml"
#: Test cases per operation and the seed: a bounded, reproducible run (about a minute
#: on two cores for the 45 operations).
MAX_EXAMPLES = 10
SEED = 20240601
#: A hard bound on the whole run; it takes well under this.
RUN_TIMEOUT = 170


def _responses(client: Any, path: str, method: str) -> dict[str, Any]:
    schema = client.get("/openapi.json").json()
    answers: dict[str, Any] = schema["paths"][path][method]["responses"]
    return answers


def _media_types(answer: dict[str, Any]) -> set[str]:
    return set(answer.get("content", {}))


# ---------------------------------------------------------------------------
# The description


def test_sparql_documents_its_errors_with_their_media_types(client: Any) -> None:
    get = _responses(client, "/sparql", "get")
    post = _responses(client, "/sparql", "post")
    for answers in (get, post):
        assert {"200", "400", "403", "406", "503"} <= set(answers)
        assert "text/plain" in _media_types(answers["400"])
        assert _media_types(answers["406"]) == {"text/plain"}
        assert _media_types(answers["403"]) == {"text/plain"}
        assert {"application/sparql-results+json", "text/csv", "text/turtle",
                "text/html"} <= _media_types(answers["200"])
        assert "application/json" not in _media_types(answers["200"])
    assert _media_types(post["415"]) == {"text/plain"}
    assert "304" in get  # the service description is a document


def test_query_routes_document_admission_and_size_limits(client: Any) -> None:
    get = _responses(client, "/sparql", "get")
    post = _responses(client, "/sparql", "post")
    named = _responses(client, "/queries/cq01-norad-members", "get")
    for answers in (get, post, named):
        assert _media_types(answers["413"]) == {"text/plain"}
        assert _media_types(answers["429"]) == {"text/plain"}
        assert "busy" in answers["503"]["description"]
    assert _media_types(post["408"]) == {"text/plain"}
    assert "400" in named  # a query file the parser refuses


def test_no_route_documents_the_422_it_never_sends(client: Any) -> None:
    schema = client.get("/openapi.json").json()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            assert "422" not in operation["responses"], (method, path)
    search = schema["paths"]["/search"]["get"]["responses"]
    assert "text/plain" in _media_types(search["400"])  # what the validation handler sends
    assert client.get("/search", params={"limit": "0"}).status_code == 400


def test_resource_iris_document_their_redirect_not_a_200(client: Any) -> None:
    answers = _responses(client, "/id/{path}", "get")
    assert "200" not in answers
    assert {"303", "400", "404", "406"} <= set(answers)
    assert {"text/html", "text/turtle", "application/ld+json"} <= _media_types(answers["404"])


# ---------------------------------------------------------------------------
# OPTIONS, 405 and CORS


def _allow(header: str) -> list[str]:
    return [m.strip() for m in header.split(",")]


def test_options_lists_the_methods_the_path_takes(client: Any) -> None:
    sparql = client.options("/sparql")
    assert sparql.status_code == 204
    assert sorted(_allow(sparql.headers["allow"])) == ["GET", "HEAD", "OPTIONS", "POST"]
    document = client.options("/doc/alliance/nato.ttl")
    assert document.status_code == 204
    assert sorted(_allow(document.headers["allow"])) == ["GET", "HEAD", "OPTIONS"]
    assert client.options("/no/such/path").status_code == 404


def test_method_not_allowed_lists_every_method_of_the_path(client: Any) -> None:
    response = client.put("/sparql", content=b"")
    assert response.status_code == 405
    assert sorted(_allow(response.headers["allow"])) == ["GET", "HEAD", "OPTIONS", "POST"]
    response = client.delete("/ontology")
    assert response.status_code == 405
    assert sorted(_allow(response.headers["allow"])) == ["GET", "HEAD", "OPTIONS"]


def test_cors_preflight_is_still_answered_by_the_cors_middleware(client: Any) -> None:
    response = client.options("/sparql", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "POST" in _allow(response.headers["access-control-allow-methods"])


def test_a_path_no_iri_can_hold_is_a_bad_request_not_a_server_error(client: Any) -> None:
    # U+0094, a C1 control: once a 500 from the IRI parser.
    response = client.get("/doc/alliance/na%C2%94to")
    assert response.status_code == 400
    assert "IRI" in response.headers["x-alliance-ld-error"]
    assert client.get("/id/alliance/na%C2%94to").status_code == 400


# ---------------------------------------------------------------------------
# Schemathesis against the live server


@pytest.mark.slow
def test_schemathesis_finds_no_failure(server: Any, tmp_path: Path) -> None:
    command = [
        sys.executable, "-m", "schemathesis.cli", "--no-color", "--config-file", str(CONFIG),
        "run", server.url + "openapi.json",
        "--url", server.url.rstrip("/"),  # the only address it sends requests to
        "--checks", "all",
        "--max-examples", str(MAX_EXAMPLES),
        "--seed", str(SEED),
        "--workers", "1",
        "--request-timeout", "30",
    ]
    env = {**os.environ, "NO_COLOR": "1"}
    # In tmp_path: schemathesis's cache and hypothesis's example database stay out of the tree.
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True,
                            timeout=RUN_TIMEOUT, env=env)
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert re.search(r"\b[1-9][0-9]* generated, [1-9][0-9]* passed\b", report), report
