"""HTTP middleware: reverse-proxy prefixes (more arrive with the operations work)."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from ..settings import Settings


class ForwardedPrefixMiddleware:
    """Honour ``X-Forwarded-Prefix`` from a reverse proxy that strips a path prefix.

    Host and scheme (``X-Forwarded-Host``/``-Proto``/``-For``) are handled by
    uvicorn's proxy-headers support for the trusted proxy addresses.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for name, value in scope.get("headers", []):
                if name == b"x-forwarded-prefix":
                    prefix = value.decode("latin-1").strip().rstrip("/")
                    if prefix.startswith("/") and ".." not in prefix:
                        scope = dict(scope)
                        scope["root_path"] = prefix
                    break
        await self.app(scope, receive, send)


def install(app: FastAPI, settings: Settings) -> None:
    app.add_middleware(ForwardedPrefixMiddleware)
