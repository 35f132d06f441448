"""The OpenAPI description for people: Swagger UI at ``/docs``.

FastAPI's own page starts Swagger UI with an inline script and loads it from a
public CDN, both of which our Content-Security-Policy forbids. This page loads
Swagger UI (``swagger-ui-dist``, built into ``static/vendor/swagger-ui/`` by
``scripts/build-frontend.sh``, like the query editor's YASGUI) from this server
and starts it from ``static/docs.js``, which reads the address of
``/openapi.json`` from a ``data-`` attribute: ``/docs`` runs under the same
policy as every other page, and the browser fetches nothing from another host.
Without the built files the page says how to build them and links the JSON.
ReDoc is not offered.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup, escape

from ...templating import FAVICON_PATH, local_url
from .editor import BUILD_COMMAND, STATIC_DIR

router = APIRouter(tags=["operations"])

#: Where ``scripts/build-frontend.sh`` copies Swagger UI (generated, not committed),
#: served at ``/static/vendor/swagger-ui/``.
VENDOR_DIR = STATIC_DIR / "vendor" / "swagger-ui"
VENDOR_FILES = ("swagger-ui-bundle.js", "swagger-ui.css")
VENDOR_PATH = "/static/vendor/swagger-ui/"

_PAGE = Markup("""\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>alliance-ld – API</title>
<link rel="icon" type="image/svg+xml" href="{icon}">
<link rel="stylesheet" href="{swagger}swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{openapi}"></div>
<script src="{swagger}swagger-ui-bundle.js"></script>
<script src="{init}"></script>
</body>
</html>
""")

_MISSING = Markup("""\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>alliance-ld – API</title>
<link rel="icon" type="image/svg+xml" href="{icon}">
<link rel="stylesheet" href="{css}">
</head>
<body>
<main>
<h1>API</h1>
<p class="note" id="swagger-ui-missing">Swagger UI, which shows the OpenAPI description here,
is not installed on this server. To install it, run <code>{build_command}</code>
(or <code>make setup</code>) in the source checkout; it needs Node.js and npm, and copies
Swagger UI from the npm registry into <code>src/alliance_ld/static/vendor/swagger-ui/</code>.</p>
<p>The description itself is at <a href="{openapi}">/openapi.json</a>.</p>
</main>
</body>
</html>
""")


def vendor_available(folder: Path | None = None) -> bool:
    """Whether Swagger UI has been built (checked per request: building needs no restart)."""
    folder = folder or VENDOR_DIR
    return all((folder / name).is_file() for name in VENDOR_FILES)


@router.get("/docs", name="docs", summary="The OpenAPI description, for people (Swagger UI)",
            include_in_schema=False)
async def docs(request: Request) -> HTMLResponse:
    openapi = escape(local_url(request, "/openapi.json"))
    icon = escape(local_url(request, FAVICON_PATH))
    if not vendor_available():
        # not cached: the page is to change as soon as Swagger UI is built
        return HTMLResponse(_MISSING.format(css=escape(local_url(request, "/static/css/site.css")),
                                            build_command=BUILD_COMMAND, openapi=openapi,
                                            icon=icon),
                            headers={"Cache-Control": "no-store"})
    return HTMLResponse(_PAGE.format(swagger=escape(local_url(request, VENDOR_PATH)),
                                     openapi=openapi, icon=icon,
                                     init=escape(local_url(request, "/static/docs.js"))))
