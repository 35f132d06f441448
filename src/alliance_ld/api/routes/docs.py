"""The OpenAPI description for people: Swagger UI at ``/docs``.

FastAPI's own page starts Swagger UI with an inline script, which our
Content-Security-Policy forbids; this one starts it from ``static/docs.js``,
reading the address of ``/openapi.json`` from a ``data-`` attribute. Swagger UI
itself comes from its public CDN, as FastAPI's page has it: ``/docs`` is the one
page whose policy (:data:`~alliance_ld.api.middleware.DOCS_CONTENT_SECURITY_POLICY`)
allows scripts and style sheets from that host. ReDoc is not offered.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup, escape

from ...templating import local_url

router = APIRouter(tags=["operations"])

SWAGGER_UI = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/"

_PAGE = Markup("""\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>alliance-ld – API</title>
<link rel="stylesheet" href="{swagger}swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{openapi}"></div>
<script src="{swagger}swagger-ui-bundle.js"></script>
<script src="{init}"></script>
</body>
</html>
""")


@router.get("/docs", name="docs", summary="The OpenAPI description, for people (Swagger UI)",
            include_in_schema=False)
async def docs(request: Request) -> HTMLResponse:
    return HTMLResponse(_PAGE.format(swagger=SWAGGER_UI,
                                     openapi=escape(local_url(request, "/openapi.json")),
                                     init=escape(local_url(request, "/static/docs.js"))))
