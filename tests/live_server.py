"""Start ``alliance-ld serve`` for real (uvicorn on 127.0.0.1) and stop it afterwards."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    url: str  # ends with "/"
    process: subprocess.Popen[str]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def access_log_entry(self, request_id: str, timeout: float = 10) -> dict[str, object]:
        """The JSON access-log line of the request sent with ``X-Request-ID: request_id``."""
        deadline = time.monotonic() + timeout
        while True:
            for line in self.log().splitlines():
                if request_id in line and line.startswith("{"):
                    entry: dict[str, object] = json.loads(line)
                    if entry.get("request_id") == request_id:
                        return entry
            if time.monotonic() > deadline:
                raise AssertionError(f"no access log line for {request_id}:\n{self.log()[-3000:]}")
            time.sleep(0.1)


@contextmanager
def live_server(*args: str, env: dict[str, str] | None = None, public: bool = True,
                ready_timeout: float = 120.0, log_dir: Path | None = None,
                wrapper: Sequence[str] = ()) -> Iterator[LiveServer]:
    """Run ``[WRAPPER] alliance-ld serve --port P [--public-url http://127.0.0.1:P/] ARGS``.

    Waits for ``/readyz``; on exit sends SIGTERM (then SIGKILL) to the process group.
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    command: list[str] = [*wrapper, sys.executable, "-m", "alliance_ld.cli", "serve",
                          "--port", str(port)]
    if public:
        command += ["--public-url", url]
    command += list(args)
    log_dir = log_dir or Path(os.environ.get("TMPDIR", "/tmp"))
    log_path = log_dir / f"alliance-ld-serve-{port}.log"
    log_file = log_path.open("w")
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, **(env or {})}, start_new_session=True,
    )
    server = LiveServer(url, process, log_path)
    try:
        _wait_ready(server, ready_timeout)
        yield server
    finally:
        _stop(process)
        log_file.close()


def _wait_ready(server: LiveServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited with {server.process.returncode}:\n{server.log()}")
        try:
            if httpx.get(server.url + "readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server not ready after {timeout} s:\n{server.log()}")


def stop_group(process: subprocess.Popen[Any], grace: float = 15) -> None:
    """Stop a process started in its own session: SIGTERM to its group, SIGKILL after ``grace``."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(grace)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(10)


_stop = stop_group


def run_serve(args: Sequence[str], timeout: float = 120,
              wrapper: Sequence[str] = ()) -> subprocess.CompletedProcess[str]:
    """Run ``alliance-ld serve`` expecting it to exit by itself (e.g. on invalid data)."""
    return subprocess.run([*wrapper, sys.executable, "-m", "alliance_ld.cli", "serve", *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=timeout)


class Listener:
    """A TCP port on 127.0.0.1 that counts the connections made to it.

    Tests point would-be outbound requests (SERVICE, FROM, LOAD) at it and assert
    that nothing ever connected.
    """

    def __init__(self) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(8)
        self.socket.settimeout(0.2)
        self.port: int = self.socket.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.socket.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.socket.close()


def downloaded_dump(server: LiveServer) -> bytes:
    """The dataset dump (N-Quads, uncompressed) that the server's /downloads lists."""
    import gzip

    import httpx

    listing = httpx.get(server.url + "downloads", params={"format": "json"},
                        headers={"Accept": "application/json"}, timeout=120)
    assert listing.status_code == 200
    dump = next(f for f in listing.json()["files"] if f["path"].endswith(".nq.gz"))
    body = httpx.get(dump["url"], timeout=120)
    assert body.status_code == 200
    return gzip.decompress(body.content)
