"""Where ``alliance-ld serve`` and ``make run`` listen, and where their links and redirects point.

Each test starts the server for real (``alliance-ld serve`` or ``make run``) on a
port chosen here, and reads a ``303`` from it: its ``Location`` must be on the
port served on (or on the public URL given), never on a port nobody listens on.
A port already in use is reported at once, before the data is loaded.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from live_server import ROOT, free_port, stop_group
from rdflib import Graph, URIRef

SERVE = (sys.executable, "-m", "alliance_ld.cli", "serve")
MAKE = shutil.which("make")
READY_TIMEOUT = 120.0
#: Server settings a developer's shell might have set; each test sets its own.
SETTINGS_ENVIRONMENT = ("ALLIANCE_LD_PORT", "ALLIANCE_LD_HOST", "ALLIANCE_LD_PUBLIC_URL")


def _environment(**variables: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in SETTINGS_ENVIRONMENT and k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    return {**env, **variables}


@contextmanager
def running(command: Sequence[str], env: dict[str, str], log: Path,
            port: int | None = None) -> Iterator[int]:
    """Start ``command``; yield the port it serves on once ``/readyz`` answers 200.

    With ``port=None`` the port is read from the server's "serving on" line.
    """
    with log.open("w") as out:
        process = subprocess.Popen(list(command), cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            text = log.read_text(errors="replace")
            if process.poll() is not None:
                raise AssertionError(f"exited with {process.returncode}:\n{text}")
            if port is None and (found := re.search(r"serving on http://127\.0\.0\.1:(\d+)/",
                                                    text)):
                port = int(found.group(1))
            if port is not None:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
            if time.monotonic() > deadline:
                raise AssertionError(f"not ready after {READY_TIMEOUT} s:\n{text}")
            time.sleep(0.2)
        yield port
    finally:
        stop_group(process)


def see_other(port: int) -> str:
    response = httpx.get(f"http://127.0.0.1:{port}/id/alliance/nato",
                         headers={"Accept": "text/turtle"}, follow_redirects=False)
    assert response.status_code == 303
    return response.headers["location"]


def test_serve_follows_the_port_from_the_environment(tmp_path: Path) -> None:
    port = free_port()
    env = _environment(ALLIANCE_LD_PORT=str(port), ALLIANCE_LD_PUBLIC_URL="auto")
    log = tmp_path / "serve.log"
    with running(SERVE, env, log, port):
        assert see_other(port) == f"http://127.0.0.1:{port}/doc/alliance/nato.ttl"
        # the data shows IRIs on this port too, so every IRI it shows dereferences here
        document = Graph().parse(data=httpx.get(see_other(port)).text, format="turtle")
        assert (URIRef(f"http://127.0.0.1:{port}/id/alliance/nato"), None, None) in document
    assert f"serving on http://127.0.0.1:{port}/" in log.read_text()


def test_serve_on_any_free_port_links_to_the_one_it_got(tmp_path: Path) -> None:
    with running([*SERVE, "--port", "0", "--public-url", "auto"], _environment(),
                 tmp_path / "serve.log") as port:
        assert port != 0
        assert see_other(port) == f"http://127.0.0.1:{port}/doc/alliance/nato.ttl"


@pytest.fixture
def make() -> str:
    if MAKE is None:
        pytest.fail("make is not installed")
    return MAKE


def test_make_run_port(make: str, tmp_path: Path) -> None:
    port = free_port()
    with running([make, "-s", "run", f"PORT={port}"], _environment(), tmp_path / "make.log",
                 port):
        assert see_other(port) == f"http://127.0.0.1:{port}/doc/alliance/nato.ttl"


def test_make_run_keeps_a_public_url_from_the_environment(make: str, tmp_path: Path) -> None:
    port = free_port()
    env = _environment(ALLIANCE_LD_PUBLIC_URL="https://data.example.test/",
                       ALLIANCE_LD_PORT=str(port))
    with running([make, "-s", "run"], env, tmp_path / "make.log", port):
        assert see_other(port) == "https://data.example.test/doc/alliance/nato.ttl"


@contextmanager
def occupied() -> Iterator[int]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        yield int(sock.getsockname()[1])


def test_a_port_in_use_is_reported_before_loading(tmp_path: Path) -> None:
    """Were the data loaded first, the missing --data folder would be the error."""
    with occupied() as port:
        started = time.monotonic()
        result = subprocess.run([*SERVE, "--port", str(port), "--data", str(tmp_path / "none")],
                                cwd=ROOT, env=_environment(), capture_output=True, text=True,
                                timeout=60)
        elapsed = time.monotonic() - started
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"alliance-ld: error: port {port} on 127.0.0.1 is already in use (by another server, "
        "perhaps another alliance-ld); choose another with --port N (or ALLIANCE_LD_PORT=N; "
        "`make run PORT=N`), or --port 0 for any free port"]
    assert "validated" not in result.stdout + result.stderr
    assert "none" not in result.stderr  # the data was never looked at
    assert elapsed < 20, elapsed


def test_make_run_reports_a_port_in_use(make: str) -> None:
    with occupied() as port:
        result = subprocess.run([make, "-s", "run", f"PORT={port}"], cwd=ROOT,
                                env=_environment(), capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    assert f"alliance-ld: error: port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "validated" not in result.stdout + result.stderr
