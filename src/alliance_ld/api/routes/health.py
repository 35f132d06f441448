"""Liveness and readiness probes (never cached)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(tags=["operations"])

NO_STORE = {"Cache-Control": "no-store"}


@router.get("/healthz", summary="Liveness: the process is up")
async def healthz() -> JSONResponse:
    return JSONResponse({"status": "alive"}, headers=NO_STORE)


@router.get("/readyz", summary="Readiness: data loaded, validated and query workers started",
            responses={503: {"description": "still loading (status \"loading\"), or the data "
                             "failed to load or to validate (status \"failed\", with the report)",
                             "content": {"application/json": {}}}})
async def readyz(request: Request) -> JSONResponse:
    state = request.app.state
    if state.ready:
        publication = state.publication
        sizes = publication.graph_sizes()
        ready: dict[str, object] = {"status": "ready", "triples": sum(sizes.values()),
                                    "graphs": len(sizes)}
        if publication.warning:
            ready["warning"] = publication.warning
        return JSONResponse(ready, headers=NO_STORE)
    body: dict[str, object] = {"status": "loading" if state.load_error is None else "failed"}
    if state.load_error:
        body["error"] = state.load_error
    return JSONResponse(body, status_code=503, headers={**NO_STORE, "Retry-After": "5"})
