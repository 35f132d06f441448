"""The query editor page for browsers (YASGUI), served from our own static files."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from ...publication import Publication


def editor_page(request: Request, publication: Publication) -> HTMLResponse:
    endpoint = str(request.url_for("sparql_get"))
    return HTMLResponse(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<title>SPARQL query editor - alliance-ld</title></head><body>"
        f"<h1>SPARQL endpoint</h1><p>Send queries to <code>{endpoint}</code>.</p>"
        "</body></html>"
    )
