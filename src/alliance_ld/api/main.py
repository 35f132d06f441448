"""The FastAPI application: lifespan, error mapping, middleware and routers."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles

from .. import __version__
from ..admission import ClientLimiter, TooManyQueriesError
from ..backend import BackendUnavailableError
from ..errors import AllianceLDError, InputError, QueryTimeoutError, ShapeViolationError
from ..publication import Publication, load_publication
from ..query_analysis import QueryLimits, QueryTooLargeError
from ..resources import QUERIES_DIR
from ..settings import Settings, get_settings
from ..sparql import QueryExecutor, WorkerFailedError
from . import middleware, openapi
from .routes import docs, health, ontology, pages, queries, resources, sparql, void

log = logging.getLogger("alliance_ld.server")
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


def start_executor(settings: Settings, publication: Publication) -> QueryExecutor:
    """Start the sandboxed query workers (raises SandboxUnavailableError when they cannot be)."""
    executor = QueryExecutor(
        publication.spec, settings.query_workers, settings.query_timeout,
        settings.query_memory_mb, queue_size=settings.queue_size,
        queue_wait=settings.queue_wait,
        require_sandbox=not settings.allow_unsandboxed_workers,
        limits=QueryLimits(settings.max_query_bytes, settings.max_query_depth),
        cache_bytes=settings.cache_bytes,
        remote=publication.backend if publication.spec.remote else None,
    )
    executor.start()
    if executor.unsandboxed:
        log.warning("query workers are NOT sandboxed: %s", executor.unsandboxed)
    return executor


def _start(app: FastAPI, settings: Settings, publication: Publication | None,
           executor: QueryExecutor | None = None) -> None:
    """Load (if needed) and validate the data, then start the query workers."""
    try:
        if publication is None:
            publication = load_publication(settings)
        from ..jsonld import context

        context(publication)
        app.state.executor = executor or start_executor(settings, publication)
        app.state.publication = publication
        app.state.ready = True
        log.info("ready: %d triples", publication.triples)
        # VoID and the downloads are built after start-up, off the request path (a request
        # that needs them first waits for this build rather than starting its own).
        threading.Thread(target=_warm, args=(publication,), name="alliance-ld-warm",
                         daemon=True).start()
    except ShapeViolationError as exc:
        app.state.load_error = "the data does not conform to the shapes:\n" + exc.report_text
        log.error("%s", app.state.load_error)
    except AllianceLDError as exc:
        app.state.load_error = str(exc)
        log.error("loading failed: %s", exc)


def _warm(publication: Publication) -> None:
    from ..void import warm

    try:
        warm(publication)
    except Exception:  # a request will build it again and report the error then
        log.exception("building VoID and the downloads failed")


def create_app(settings: Settings | None = None, publication: Publication | None = None,
               *, background_load: bool = False,
               executor: QueryExecutor | None = None) -> FastAPI:
    """Build the application.

    With a ``publication`` (as ``alliance-ld serve`` passes after validating),
    the app is ready once its workers start. Without one, the data is loaded
    and validated at start-up; with ``background_load`` that happens in a
    thread, and ``/readyz`` answers 503 until it is done.
    """
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.ready = False
        app.state.load_error = None
        app.state.publication = None
        app.state.executor = None
        if background_load:
            threading.Thread(target=_start, args=(app, settings, publication, executor),
                             name="alliance-ld-load", daemon=True).start()
        else:
            _start(app, settings, publication, executor)
        yield
        if app.state.executor is not None:
            app.state.executor.close()

    app = FastAPI(
        title="alliance-ld",
        version=__version__,
        description="Linked data about international military alliances and partnerships: "
        "a SPARQL 1.1 endpoint, dereferenceable IRIs and pages for people.",
        lifespan=lifespan,
        root_path=settings.root_path,
        docs_url=None,  # our own /docs (routes/docs.py), which runs under the CSP
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.ready = False
    app.state.publication = None
    app.state.executor = None
    app.state.load_error = None
    app.state.limiter = ClientLimiter(settings.client_query_limit)

    _install_error_handlers(app)
    middleware.install(app, settings)
    openapi.install(app)

    app.include_router(health.router)
    app.include_router(docs.router)
    app.include_router(sparql.router)
    app.include_router(queries.build_router(settings.queries or QUERIES_DIR))
    app.include_router(void.router)
    app.include_router(ontology.router)
    app.include_router(pages.router)
    app.include_router(resources.router)
    if STATIC_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


def _plain(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return PlainTextResponse(message.rstrip("\n") + "\n", status_code=status, headers=headers)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(QueryTimeoutError)
    async def _timeout(_: Request, exc: QueryTimeoutError) -> Response:
        return _plain(503, str(exc), {"Retry-After": "1"})

    @app.exception_handler(WorkerFailedError)
    async def _worker(_: Request, exc: WorkerFailedError) -> Response:
        retry_after = getattr(exc, "retry_after", 1)
        return _plain(503, str(exc), {"Retry-After": str(retry_after)})

    @app.exception_handler(BackendUnavailableError)
    async def _unavailable(_: Request, exc: BackendUnavailableError) -> Response:
        # The triplestore behind this server is down or failing: a bad gateway, and why.
        return _plain(502, str(exc), {"Retry-After": "5"})

    @app.exception_handler(TooManyQueriesError)
    async def _too_many(_: Request, exc: TooManyQueriesError) -> Response:
        return _plain(429, str(exc), {"Retry-After": str(exc.retry_after)})

    @app.exception_handler(QueryTooLargeError)
    async def _too_large(_: Request, exc: QueryTooLargeError) -> Response:
        return _plain(413, str(exc))

    @app.exception_handler(InputError)
    async def _input(_: Request, exc: InputError) -> Response:
        return _plain(400, str(exc))

    @app.exception_handler(AllianceLDError)
    async def _other(_: Request, exc: AllianceLDError) -> Response:
        return _plain(503 if not app.state.ready else 500, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"
            for e in exc.errors()
        )
        return _plain(400, f"bad request: {problems}")

    @app.exception_handler(Exception)
    async def _bug(_: Request, exc: Exception) -> Response:
        log.exception("unhandled error")
        return _plain(500, "internal server error")


def app_factory() -> FastAPI:
    """For ``uvicorn --factory alliance_ld.api.main:app_factory``: loads in the background."""
    return create_app(background_load=True)
