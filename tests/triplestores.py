"""Real SPARQL triplestores for the tests: the Oxigraph server and Virtuoso.

Each store runs as a child process on free 127.0.0.1 ports, with its database in
a temporary folder; nothing of a system service is used. :func:`oxigraph_server`
and :func:`virtuoso` are context managers that load a dataset (a mapping of
graph IRI to N-Triples), wait until the store answers a query (with a deadline;
on failure the error quotes the end of the store's log) and always kill the
process on exit. :meth:`TripleStore.stop` and :meth:`TripleStore.start` stop and
restart the same store on the same ports and data, for tests of an endpoint that
goes away and comes back.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from live_server import stop_group

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from virtuoso import ini_text  # noqa: E402 - the benchmark's Virtuoso configuration

#: Seconds a store may take to answer its first query.
READY_SECONDS = 60.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class TripleStoreError(RuntimeError):
    """A test triplestore did not start, load or stop."""


@dataclass
class TripleStore:
    """A store process: how to start it, where it answers, where it logs."""

    name: str
    command: list[str]
    query_url: str
    update_url: str | None
    folder: Path
    log_path: Path
    #: Seconds taken by the first start and the load of the dataset.
    startup_seconds: float = 0.0
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def start(self, timeout: float = READY_SECONDS) -> None:
        """Start the process and wait until the endpoint answers ``ASK {}``."""
        if self.process is not None and self.process.poll() is None:
            return
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command, cwd=self.folder, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise TripleStoreError(
                    f"{self.name} exited with {self.process.returncode} while starting:\n"
                    f"{self.log_tail()}")
            try:
                answer = httpx.post(self.query_url, data={"query": "ASK {}"}, timeout=2,
                                    headers={"Accept": "application/sparql-results+json"})
                if answer.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise TripleStoreError(
                    f"{self.name} did not answer {self.query_url} within {timeout:.0f} s:\n"
                    f"{self.log_tail()}")
            time.sleep(0.1)

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL) and wait until its port is free."""
        process, self.process = self.process, None
        if process is not None:
            stop_group(process, grace=20)


def _oxigraph_command() -> str:
    found = shutil.which("oxigraph", path=str(Path(sys.executable).parent))
    found = found or shutil.which("oxigraph")
    if found is None:
        raise TripleStoreError("the oxigraph command is missing: pip install -e '.[test]'")
    return found


def _write_nquads(dataset: Mapping[str, bytes], path: Path) -> None:
    """Graph IRI → N-Triples, written as one N-Quads file."""
    with path.open("wb") as out:
        for graph, ntriples in dataset.items():
            suffix = f" <{graph}> .\n".encode()
            for line in ntriples.splitlines():
                line = line.strip()
                if line and not line.startswith(b"#"):
                    out.write(line.removesuffix(b".").rstrip() + suffix)


@contextmanager
def oxigraph_server(dataset: Mapping[str, bytes]) -> Iterator[TripleStore]:
    """The Oxigraph server (``oxigraph serve``) over a store folder loaded with ``dataset``.

    Each graph is loaded into its named graph with ``oxigraph load``; the server
    runs without ``--union-default-graph``, as a store set up by anyone else would.
    """
    command = _oxigraph_command()
    with tempfile.TemporaryDirectory(prefix="oxigraph-") as tmp:
        folder = Path(tmp)
        began = time.monotonic()
        quads = folder / "dataset.nq"
        _write_nquads(dataset, quads)
        loaded = subprocess.run(
            [command, "load", "--location", str(folder / "db"), "--file", str(quads)],
            capture_output=True, text=True, timeout=300)
        if loaded.returncode != 0:
            raise TripleStoreError(f"oxigraph load failed:\n{loaded.stderr[-3000:]}")
        url = f"http://127.0.0.1:{free_port()}"
        store = TripleStore(
            name="Oxigraph server",
            command=[command, "serve", "--location", str(folder / "db"),
                     "--bind", url.removeprefix("http://")],
            query_url=url + "/query", update_url=url + "/update", folder=folder,
            log_path=folder / "oxigraph.log")
        try:
            store.start()
            store.startup_seconds = time.monotonic() - began
            yield store
        finally:
            store.stop()


# ---------------------------------------------------------------------------
# Virtuoso



def _isql(sql_port: int, script: str, log: Path) -> None:
    isql = shutil.which("isql-vt")
    if isql is None:
        raise TripleStoreError("isql-vt is missing: run scripts/install-system-deps.sh")
    done = subprocess.run([isql, f"127.0.0.1:{sql_port}", "dba", "dba", "VERBOSE=OFF",
                           "PROMPT=OFF", "ERRORS=STDOUT", "BANNER=OFF"],
                          input=script, capture_output=True, text=True, timeout=300)
    with log.open("a") as out:
        out.write(done.stdout + done.stderr)
    if done.returncode != 0 or "*** Error" in done.stdout:
        raise TripleStoreError(f"isql-vt failed:\n{done.stdout[-3000:]}{done.stderr[-2000:]}")


@contextmanager
def virtuoso(dataset: Mapping[str, bytes], *,
             result_rows: int = 1_000_000) -> Iterator[TripleStore]:
    """Virtuoso Open Source (``virtuoso-t``) with a temporary database holding ``dataset``.

    Started in the foreground with its own configuration file: free ports for
    the SQL and HTTP servers, the database in a temporary folder. Each graph is
    loaded with ``DB.DBA.TTLP`` over isql into its named graph; the SPARQL user
    may update (``SPARQL_UPDATE``), so that the tests can write through
    ``/sparql``. ``result_rows`` is its ``ResultSetMaxRows``, the cap at which it
    cuts an answer.
    """
    virtuoso_t = shutil.which("virtuoso-t")
    if virtuoso_t is None:
        raise TripleStoreError("virtuoso-t is missing: run scripts/install-system-deps.sh")
    with tempfile.TemporaryDirectory(prefix="virtuoso-") as tmp:
        folder = Path(tmp)
        began = time.monotonic()
        for sub in ("db", "load", "www"):
            (folder / sub).mkdir()
        sql_port, http_port = free_port(), free_port()
        ini = folder / "virtuoso.ini"
        ini.write_text(ini_text(folder / "db", folder / "load", folder / "www", sql_port,
                                http_port, result_rows=result_rows))
        url = f"http://127.0.0.1:{http_port}/sparql"
        store = TripleStore(
            name="Virtuoso", command=[virtuoso_t, "+foreground", "+configfile", str(ini)],
            query_url=url, update_url=url, folder=folder, log_path=folder / "db/virtuoso.log")
        try:
            store.start()
            lines = []
            for number, (graph, ntriples) in enumerate(dataset.items()):
                path = folder / "load" / f"{number}.nt"
                path.write_bytes(ntriples)
                lines.append(f"DB.DBA.TTLP(file_to_string_output('{path}'), '', '{graph}', 0);")
            lines += ['GRANT SPARQL_UPDATE TO "SPARQL";', "checkpoint;"]
            _isql(sql_port, "\n".join(lines) + "\n", folder / "isql.log")
            store.startup_seconds = time.monotonic() - began
            yield store
        finally:
            store.stop()
