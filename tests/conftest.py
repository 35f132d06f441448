"""Shared fixtures."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from alliance_ld.store import Store, load_default

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "alliance_ld.cli"]


@pytest.fixture(scope="session")
def store() -> Store:
    """The shipped ontology and data, loaded once."""
    return load_default()


@pytest.fixture
def run_cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``alliance-ld`` in a subprocess, as a user would."""

    def run(*args: str, stdin: str | None = None,
            user: str | None = None) -> subprocess.CompletedProcess[str]:
        command = CLI + list(args)
        if user is not None:
            command = ["setpriv", f"--reuid={user}", "--regid=nogroup", "--clear-groups", *command]
        return subprocess.run(
            command, input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=300,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )

    return run


@pytest.fixture(scope="session")
def publication():  # type: ignore[no-untyped-def]
    """The shipped data, loaded and validated once for the whole session."""
    from alliance_ld.publication import load_publication
    from alliance_ld.settings import Settings

    return load_publication(Settings())


@pytest.fixture(scope="session")
def client(publication):  # type: ignore[no-untyped-def]
    """FastAPI's TestClient over the app (no public URL: canonical IRIs in responses)."""
    from fastapi.testclient import TestClient

    from alliance_ld.api.main import create_app

    app = create_app(publication.settings, publication)
    # The requests come from a loopback peer, as from a reverse proxy on the same
    # machine: its X-Forwarded-* headers are trusted by default.
    with TestClient(app, client=("127.0.0.1", 50000)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def server():  # type: ignore[no-untyped-def]
    """``alliance-ld serve`` running for real on 127.0.0.1, with --public-url set to itself."""
    from live_server import live_server

    with live_server() as running:
        yield running


@pytest.fixture
def listener():  # type: ignore[no-untyped-def]
    """A local port that counts connections: proof that nothing was fetched."""
    from live_server import Listener

    running = Listener()
    yield running
    running.close()


# ---------------------------------------------------------------------------
# Real SPARQL triplestores (tests/triplestores.py), started once per session


@pytest.fixture(scope="session")
def triplestore_dataset() -> dict[str, bytes]:
    """The shipped dataset as the server loads it: graph IRI → N-Triples."""
    from alliance_ld.resources import GRAPH_NS, SHAPES_DIR, rdf_files

    shipped = load_default()
    for shapes_file in rdf_files(SHAPES_DIR):
        shipped.load_file(shapes_file, GRAPH_NS + "shapes")
    backend = shipped.backend()
    return {graph: b"".join(backend.dump("application/n-triples", graph))
            for graph in backend.graphs()}


@pytest.fixture(scope="session")
def oxigraph_server(triplestore_dataset):  # type: ignore[no-untyped-def]
    """The Oxigraph server on a free port, holding the shipped dataset."""
    from triplestores import oxigraph_server as start

    with start(triplestore_dataset) as running:
        yield running


@pytest.fixture(scope="session")
def virtuoso_server(triplestore_dataset):  # type: ignore[no-untyped-def]
    """Virtuoso on free ports with a temporary database, holding the shipped dataset."""
    from triplestores import virtuoso as start

    with start(triplestore_dataset) as running:
        yield running
