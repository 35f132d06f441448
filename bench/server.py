"""alliance-ld's server against the Oxigraph server, Virtuoso, rdflib-endpoint and in-process
pyoxigraph, on the same data; and alliance-ld in front of Virtuoso and of the Oxigraph server.

For each size, on one generated file (``bench/generate.py``):

* ``alliance-ld load --store``, ``oxigraph load`` and Virtuoso's bulk load (``bench/virtuoso.py``:
  a temporary ini and database, ``ld_dir`` + ``rdf_loader_run()``): wall time and peak resident
  memory; both stores get the data in one named graph;
* start-up to ready (``/readyz`` 200; for a store, a first query answered) and the resident
  memory of all the server's processes once ready, of ``alliance-ld serve --data FILE`` (in
  memory, validates at start), ``alliance-ld serve --store DIR`` (on disk),
  ``alliance-ld serve --store DIR --cache-bytes 0`` (no response or result cache: every
  request computed), ``oxigraph serve-read-only --union-default-graph``, Virtuoso,
  ``rdflib-endpoint serve FILE``
  (up to ``--rdflib-max`` triples) and ``alliance-ld serve --sparql-endpoint URL`` in front of
  Virtuoso and of the Oxigraph server (with its result cache, and with ``--cache-bytes 0``);
* the median and p99 latency over HTTP (127.0.0.1, one keep-alive connection, requests one
  after another) of a fixed query set, against every server, and the same queries run and
  serialised to SPARQL JSON in process with pyoxigraph (the floor);
* ``/doc/...`` dereferencing, cold (first request for each of several documents), warm and
  ``304``; and ``/healthz``, which reads no data: the floor of the web stack;
* throughput with ``wrk`` (16 connections, a few seconds) of the lookup query on every server,
  and of a document and its ``304`` on alliance-ld.

Ratios (alliance-ld / Oxigraph server, / in-process, / Virtuoso, / rdflib-endpoint, and in front
of a store / that store's own endpoint, against the target of 1.2x or +2 ms) are printed as
tables; every figure goes to ``bench/results/server-<stamp>.csv``, the tables to
``server-<stamp>.txt`` and a plot to ``server-<stamp>.png`` (and ``server-latest.*``). Every
server this script starts is stopped at the end, also on Ctrl-C or an error. Nothing here
asserts on a time.

    .venv/bin/pip install -e '.[bench]'      # oxigraph (its CLI), rdflib-endpoint, matplotlib
    apt-get install wrk virtuoso-opensource-7-bin   # optional: without them, skipped
    .venv/bin/python bench/server.py                          # 10k and 100k triples
    .venv/bin/python bench/server.py --sizes 10000 --requests 20 --wrk-seconds 2   # quick
"""

from __future__ import annotations

import argparse
import csv
import functools
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from urllib.parse import quote, urlencode

import psutil
import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent))
import virtuoso  # noqa: E402
from generate import ALD, ID, ORG, generate, write  # noqa: E402

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
RESULTS = HERE / "results"

_Q_PREFIXES = f"""\
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX org: <{ORG}>
PREFIX ald: <{ALD}>
"""

#: name -> SPARQL SELECT; every one answers fewer rows than alliance-ld's default row cap.
QUERIES: dict[str, str] = {
    # Lookup by IRI: everything about one exercise.
    "lookup": f"SELECT ?p ?o WHERE {{ <{ID}exercise/e1> ?p ?o }}",
    # 2-hop join with a date filter: memberships begun 1990-1994, with the alliance's region.
    "join-date": _Q_PREFIXES + """SELECT ?nation ?alliance ?region ?start WHERE {
  ?m org:member ?nation ; org:organization ?alliance ; ald:startDate ?start .
  ?alliance ald:region ?region .
  FILTER (?start >= "1990-01-01"^^xsd:date && ?start < "1995-01-01"^^xsd:date)
}""",
    # GROUP BY with COUNT: troop contributions per nation.
    "group-count": _Q_PREFIXES + """SELECT ?nation (COUNT(?c) AS ?n) WHERE {
  ?c a ald:TroopContribution ; ald:contributor ?nation .
} GROUP BY ?nation""",
    # OPTIONAL + ORDER BY + LIMIT: the latest memberships, with their end if any.
    "optional-order": _Q_PREFIXES + """SELECT ?m ?start ?end WHERE {
  ?m a ald:Membership ; ald:startDate ?start .
  OPTIONAL { ?m ald:endDate ?end }
} ORDER BY DESC(?start) ?m LIMIT 20""",
    # Property path: participations in exercises of alliances of the Arctic region.
    "path": _Q_PREFIXES + f"""SELECT (COUNT(?c) AS ?n) WHERE {{
  ?c ald:inExercise/ald:conductedUnder/ald:region <{ID}region/arctic> .
}}""",
}
JSON_RESULTS = "application/sparql-results+json"
DOC_COLD = 10  # distinct documents fetched once each for the cold figure

# ---------------------------------------------------------------------------
# Processes: every one started here is stopped at the end
# ---------------------------------------------------------------------------

_STARTED: list[subprocess.Popen[bytes]] = []


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop ``proc`` and its process group (it was started in a session of its own)."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    else:  # the leader has gone; stragglers of its group may not have
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    if proc in _STARTED:
        _STARTED.remove(proc)


def _stop_all() -> None:
    for proc in list(_STARTED):
        _stop(proc)


def _on_signal(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _start(cmd: Sequence[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    _STARTED.append(proc)
    return proc


def _tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def memory(pid: int) -> tuple[int, float, float]:
    """(processes, summed RSS MB, summed PSS MB) of ``pid`` and all its descendants."""
    rss = pss = 0.0
    procs = _tree(pid)
    for p in procs:
        try:
            info = p.memory_full_info()
            rss += info.rss
            pss += getattr(info, "pss", info.rss)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return len(procs), rss / 1e6, pss / 1e6


def run_measured(cmd: Sequence[str], log: Path) -> tuple[float, float]:
    """Run ``cmd`` to its end; (wall seconds, peak summed RSS MB of its process tree)."""
    started = time.perf_counter()
    proc = _start(cmd, log)
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, memory(proc.pid)[1])
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    _stop(proc)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}; see {log}")
    return seconds, peak


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ---------------------------------------------------------------------------
# HTTP
# ---------------------------------------------------------------------------


class Client:
    """One keep-alive HTTP/1.1 connection to 127.0.0.1."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=900)

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str],
                                                                            bytes]:
        try:
            self.conn.request("GET", path, headers=headers or {})
            resp = self.conn.getresponse()
        except (ConnectionError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=900)
            self.conn.request("GET", path, headers=headers or {})
            resp = self.conn.getresponse()
        body = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body

    def close(self) -> None:
        self.conn.close()


def wait_ready(proc: subprocess.Popen[bytes], port: int, path: str, log: Path,
               limit: float) -> float:
    """Poll ``path`` until it answers 200; seconds since ``proc`` started."""
    started = time.perf_counter()
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited {proc.returncode} before ready; see {log}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                conn.close()
                return time.perf_counter() - started
            conn.close()
        except OSError:
            pass
        if time.perf_counter() - started > limit:
            raise RuntimeError(f"not ready after {limit:.0f} s; see {log}")
        time.sleep(0.02)


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def timed(action: Callable[[], object], n: int, warm_up: int = 3) -> list[float]:
    for _ in range(warm_up):
        action()
    times: list[float] = []
    for _ in range(n):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return times


def wrk(url: str, seconds: int, connections: int, headers: dict[str, str]) -> dict[str, float]:
    """Run wrk; requests/s, non-2xx/3xx answers, and latency percentiles (ms)."""
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for k, v in headers.items():
        cmd += ["-H", f"{k}: {v}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, timeout=seconds + 60,
                         check=True).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    total = re.search(r"(\d+) requests in", out)
    result = {"rps": float(rps.group(1)) if rps else 0.0,
              "requests": float(total.group(1)) if total else 0.0,
              "non_2xx_3xx": float(bad.group(1)) if bad else 0.0}
    for name, q in (("p50_ms", "50%"), ("p99_ms", "99%")):
        m = re.search(rf"^\s+{q}\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
        if m:
            scale = {"us": 1e-3, "ms": 1.0, "s": 1e3}[m.group(2)]
            result[name] = float(m.group(1)) * scale
    return result


# ---------------------------------------------------------------------------
# The benchmark
# ---------------------------------------------------------------------------


@dataclass
class Row:
    size: int
    triples: int
    system: str
    metric: str
    item: str
    value: float
    unit: str


class Bench:
    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.args = args
        self.work = work
        self.rows: list[Row] = []
        self.size = 0
        self.triples = 0
        self.counts: dict[tuple[str, str], int] = {}  # (system, query) -> rows

    def add(self, system: str, metric: str, item: str, value: float, unit: str) -> None:
        self.rows.append(Row(self.size, self.triples, system, metric, item, value, unit))
        print(f"  {system:<16} {metric:<14} {item:<16} {value:12.3f} {unit}", flush=True)

    def latencies(self, system: str, run: Callable[[str], int]) -> None:
        for name, query in QUERIES.items():
            self.counts[(system, name)] = run(query)
            times = timed(functools.partial(run, query), self.args.requests)
            self.add(system, "median", name, statistics.median(times) * 1e3, "ms")
            self.add(system, "p99", name, percentile(times, 0.99) * 1e3, "ms")

    def throughput(self, system: str, item: str, url: str, headers: dict[str, str]) -> None:
        if shutil.which("wrk") is None:
            return
        r = wrk(url, self.args.wrk_seconds, self.args.connections, headers)
        self.add(system, "wrk_rps", item, r["rps"], "req/s")
        self.add(system, "wrk_non2xx", item, r["non_2xx_3xx"], "responses")
        if "p99_ms" in r:
            self.add(system, "wrk_p99", item, r["p99_ms"], "ms")

    def ready(self, system: str, proc: subprocess.Popen[bytes], port: int, path: str,
              log: Path) -> None:
        self.add(system, "ready", "start-up", wait_ready(proc, port, path, log,
                                                         self.args.start_limit), "s")
        time.sleep(0.5)  # let the workers settle
        procs, rss, pss = memory(proc.pid)
        self.add(system, "rss", f"{procs} processes", rss, "MB")
        self.add(system, "pss", f"{procs} processes", pss, "MB")

    def downloads_built(self, system: str, proc: subprocess.Popen[bytes],
                        client: Client) -> None:
        """Wait for the downloads (the dump, each graph, the tables), which the server builds
        in the background once ready: ``GET /downloads`` answers when they are built. The
        time since ready, the peak of the process tree's RSS meanwhile and the RSS after;
        nothing is measured while they are built (they share the server's CPU)."""
        peak = [memory(proc.pid)[1]]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.25):
                peak.append(memory(proc.pid)[1])

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        started = time.perf_counter()
        try:
            status, _, body = client.get("/downloads")
        finally:
            done.set()
            sampler.join()
        if status != 200:  # recorded, and the rest measured all the same
            print(f"{system}: /downloads answered {status}: "
                  f"{body[:400].decode('utf-8', 'replace')}", file=sys.stderr)
            self.add(system, "downloads_status", "after ready", status, "status")
        self.add(system, "downloads", "after ready", time.perf_counter() - started, "s")
        self.add(system, "downloads_peak_rss", "while built", max(peak), "MB")
        self.add(system, "rss_built", "once built", memory(proc.pid)[1], "MB")

    def alliance(self, system: str, serve_args: list[str]) -> None:
        port = free_port()
        log = self.work / f"{system}.log"
        cmd = [str(BIN / "alliance-ld"), "serve", *serve_args, "--port", str(port),
               # wrk's 16 connections come from one address: let them all query at once
               "--client-queries", str(self.args.connections),
               "--queue-size", str(2 * self.args.connections), *self.args.serve_arg]
        proc = _start(cmd, log)
        try:
            self.ready(system, proc, port, "/readyz", log)
            client = Client(port)
            self.downloads_built(system, proc, client)

            def run(query: str) -> int:
                status, _, body = client.get("/sparql?" + urlencode({"query": query}),
                                             {"Accept": JSON_RESULTS})
                if status != 200:
                    raise RuntimeError(f"{system}: {status} {body[:300]!r}")
                return len(json.loads(body)["results"]["bindings"])

            self.latencies(system, run)
            # The floor of the web stack: a route that reads no data.
            health = timed(lambda: client.get("/healthz"), self.args.requests)
            self.add(system, "median", "healthz", statistics.median(health) * 1e3, "ms")
            # Dereferencing: first request of each of DOC_COLD documents, then one warm.
            turtle = {"Accept": "text/turtle"}
            cold = []
            for i in range(2, 2 + DOC_COLD):
                started = time.perf_counter()
                status, _, _ = client.get(f"/doc/exercise/e{i}.ttl", turtle)
                cold.append(time.perf_counter() - started)
                if status != 200:
                    raise RuntimeError(f"{system}: /doc/exercise/e{i}.ttl answered {status}")
            self.add(system, "median", "doc-cold", statistics.median(cold) * 1e3, "ms")
            doc = "/doc/exercise/e2.ttl"
            warm = timed(lambda: client.get(doc, turtle), self.args.requests)
            self.add(system, "median", "doc-warm", statistics.median(warm) * 1e3, "ms")
            self.add(system, "p99", "doc-warm", percentile(warm, 0.99) * 1e3, "ms")
            _, headers, _ = client.get(doc, turtle)
            etag = headers.get("etag")
            if etag:
                cond = {**turtle, "If-None-Match": etag}
                status, _, _ = client.get(doc, cond)
                t304 = timed(lambda: client.get(doc, cond), self.args.requests)
                self.add(system, "median", "doc-304", statistics.median(t304) * 1e3, "ms")
            client.close()
            base = f"http://127.0.0.1:{port}"
            self.throughput(system, "lookup", f"{base}/sparql?query={quote(QUERIES['lookup'])}",
                            {"Accept": JSON_RESULTS})
            self.throughput(system, "doc", base + doc, turtle)
            if etag:
                self.throughput(system, "doc-304", base + doc, cond)
        finally:
            _stop(proc)

    def sparql_server(self, system: str, proc: subprocess.Popen[bytes], port: int, path: str,
                      log: Path, then: Callable[[str], None] | None = None) -> None:
        """Measure a store's own SPARQL endpoint at ``path`` (GET ?query=), then ``then(url)``
        while it is still up (alliance-ld in front of it); stop it at the end."""
        try:
            self.ready(system, proc, port, path + "?" + urlencode({"query": "ASK {}"}), log)
            client = Client(port)

            def run(query: str) -> int:
                status, _, body = client.get(path + "?" + urlencode({"query": query}),
                                             {"Accept": JSON_RESULTS})
                if status != 200:
                    raise RuntimeError(f"{system}: {status} {body[:300]!r}")
                return len(json.loads(body)["results"]["bindings"])

            self.latencies(system, run)
            client.close()
            url = f"http://127.0.0.1:{port}{path}"
            self.throughput(system, "lookup", url + "?query=" + quote(QUERIES["lookup"]),
                            {"Accept": JSON_RESULTS})
            if then is not None:
                then(url)
        finally:
            _stop(proc)

    def fronts(self, store: str) -> Callable[[str], None]:
        """alliance-ld in front of ``store``'s endpoint: with its result cache, and without
        (``--cache-bytes 0``: every query is sent to the store; the list of graphs is still
        kept for --remote-ttl)."""
        def run(url: str) -> None:
            if self.args.no_front:
                return
            self.alliance(f"ald-{store}", ["--sparql-endpoint", url])
            self.alliance(f"ald-{store}-nc", ["--sparql-endpoint", url, "--cache-bytes", "0"])
        return run

    def oxigraph_server(self, location: Path) -> None:
        system = "oxigraph-server"
        port = free_port()
        log = self.work / f"{system}.log"
        proc = _start([str(BIN / "oxigraph"), "serve-read-only", "--location", str(location),
                       "--union-default-graph", "--bind", f"127.0.0.1:{port}"], log)
        self.sparql_server(system, proc, port, "/query", log, self.fronts("oxigraph"))

    def virtuoso_load(self, folder: Path, data: Path) -> Path:
        """Start Virtuoso on an empty database, bulk load ``data`` into one named graph and
        checkpoint: wall time from the start and peak RSS; its ini (for the next start)."""
        system = "virtuoso"
        sql_port, http_port = free_port(), free_port()
        ini = virtuoso.write_ini(folder / "virtuoso", data.parent, sql_port, http_port,
                                 self.triples)
        log = self.work / f"{system}-load.log"
        started = time.perf_counter()
        proc = _start(virtuoso.command(ini), log)
        peak = [0.0]
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], memory(proc.pid)[1])
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            wait_ready(proc, http_port, "/sparql?" + urlencode({"query": "ASK {}"}), log,
                       self.args.start_limit)
            virtuoso.isql(sql_port, virtuoso.load_script(data), self.work / "virtuoso-isql.log")
            seconds = time.perf_counter() - started
        finally:
            done.set()
            sampler.join()
            _stop(proc)
        self.add(system, "load", "ld_dir", seconds, "s")
        self.add(system, "load_peak_rss", "ld_dir", peak[0], "MB")
        return ini

    def virtuoso_server(self, ini: Path) -> None:
        system = "virtuoso"
        text = ini.read_text()
        # the same database, on fresh ports
        sql_port, http_port = free_port(), free_port()
        text = re.sub(r"(\[Parameters\]\nServerPort = 127\.0\.0\.1:)\d+",
                      rf"\g<1>{sql_port}", text)
        text = re.sub(r"(\[HTTPServer\]\nServerPort = 127\.0\.0\.1:)\d+",
                      rf"\g<1>{http_port}", text)
        ini.write_text(text)
        log = self.work / f"{system}.log"
        proc = _start(virtuoso.command(ini), log)
        self.sparql_server(system, proc, http_port, "/sparql", log, self.fronts("virtuoso"))

    def rdflib_endpoint(self, data: Path) -> None:
        """rdflib-endpoint serving the file (parsed at start: its load is its start-up)."""
        system = "rdflib-endpoint"
        exe = BIN / "rdflib-endpoint"
        if not exe.exists():
            print("rdflib-endpoint missing: skipped (pip install -e '.[bench]')", file=sys.stderr)
            return
        if self.triples > self.args.rdflib_max:
            print(f"rdflib-endpoint skipped above {self.args.rdflib_max:,} triples "
                  "(--rdflib-max)", file=sys.stderr)
            return
        port = free_port()
        log = self.work / f"{system}.log"
        proc = _start([str(exe), "serve", str(data), "--host", "127.0.0.1", "--port", str(port)],
                      log)
        self.sparql_server(system, proc, port, "/", log)  # it answers at the root

    def in_process(self, path: Path) -> None:
        system = "pyoxigraph"
        started = time.perf_counter()
        store = ox.Store()
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
        self.add(system, "load", "in memory", time.perf_counter() - started, "s")

        def run(query: str) -> int:
            result = store.query(query)
            assert isinstance(result, ox.QuerySolutions)
            body = result.serialize(format=ox.QueryResultsFormat.JSON) or b""
            return len(json.loads(body)["results"]["bindings"])

        self.latencies(system, run)

    def one_size(self, target: int) -> None:
        folder = self.work / str(target)
        data = generate(target, self.args.seed)
        path = write(data, folder)
        self.size, self.triples = target, data.triples
        print(f"\n# {target:,}: {data.triples:,} triples, {path.stat().st_size / 1e6:.1f} MB "
              f"Turtle; " + ", ".join(f"{k} {v:,}" for k, v in data.counts.items()), flush=True)

        store = folder / "alliance-store"
        no_validate = ["--no-validate"] if self.args.no_validate else []
        seconds, peak = run_measured([str(BIN / "alliance-ld"), "load", "--quiet", *no_validate,
                                      "--store", str(store), str(path)],
                                     folder / "alliance-load.log")
        self.add("alliance-ld", "load", "load --store", seconds, "s")
        self.add("alliance-ld", "validated", "load --store", 0 if self.args.no_validate else 1,
                 "flag")
        self.add("alliance-ld", "load_peak_rss", "load --store", peak, "MB")
        oxstore = folder / "oxigraph-store"
        # one named graph, as in Virtuoso: alliance-ld in front of a store serves its named
        # graphs (not its unnamed default graph); the server answers over their union
        seconds, peak = run_measured([str(BIN / "oxigraph"), "load", "--location", str(oxstore),
                                      "--graph", virtuoso.GRAPH, "--file", str(path)],
                                     folder / "oxigraph-load.log")
        self.add("oxigraph-server", "load", "oxigraph load", seconds, "s")
        self.add("oxigraph-server", "load_peak_rss", "oxigraph load", peak, "MB")

        vini = None
        if virtuoso.available() and not self.args.no_virtuoso:
            vini = self.virtuoso_load(folder, path)

        self.in_process(path)
        self.oxigraph_server(oxstore)
        if vini is not None:
            self.virtuoso_server(vini)
        self.rdflib_endpoint(path)
        accept = ["--accept-nonconforming-store"] if self.args.no_validate else []
        self.alliance("alliance-disk", ["--store", str(store), *accept])
        # without the caches: every request computed (a repeated query otherwise is not)
        self.alliance("alliance-disk-nc", ["--store", str(store), "--cache-bytes", "0", *accept])
        if not (self.args.no_memory_server or self.args.no_validate):
            self.alliance("alliance-memory", ["--data", str(path)])

        for name in QUERIES:
            found = {s: n for (s, q), n in self.counts.items() if q == name}
            if len(set(found.values())) > 1:
                print(f"!!! ROW COUNT MISMATCH {name} at {target:,}: {found}", file=sys.stderr)
                self.add("all", "mismatch", name, 1, "flag")
            elif found:
                self.add("all", "rows", name, next(iter(found.values())), "rows")
        self.counts.clear()


# ---------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------

SYSTEMS = ["alliance-memory", "alliance-disk", "oxigraph-server", "pyoxigraph", "virtuoso",
           "rdflib-endpoint", "alliance-disk-nc"]
#: alliance-ld in front of a store: (store's own endpoint, front with cache, front without)
FRONTS = [("virtuoso", "ald-virtuoso", "ald-virtuoso-nc"),
          ("oxigraph-server", "ald-oxigraph", "ald-oxigraph-nc")]
SERVERS = ["alliance-memory", "alliance-disk", "oxigraph-server", "virtuoso", "rdflib-endpoint",
           "ald-virtuoso", "ald-oxigraph"]


def _target(front: float | None, own: float | None) -> str:
    """The issue's target in front of a store: within 1.2x its own endpoint or +2 ms."""
    if front is None or own is None:
        return "-"
    return "ok" if front <= max(1.2 * own, own + 2.0) else f"MISS +{front - own:.1f}ms"


def _value(rows: list[Row], size: int, system: str, metric: str, item: str) -> float | None:
    for r in rows:
        if (r.size, r.system, r.metric, r.item) == (size, system, metric, item):
            return r.value
    return None


def _fmt(v: float | None, digits: int = 2) -> str:
    return "-" if v is None else f"{v:.{digits}f}"


def _ratio(a: float | None, b: float | None) -> str:
    return "-" if a is None or b is None or b == 0 else f"{a / b:.1f}x"


def _table(header: list[str], lines: list[list[str]]) -> str:
    widths = [max(len(x[i]) for x in [header, *lines]) for i in range(len(header))]
    out = ["  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in
                     enumerate(zip(header, widths, strict=True)))]
    out.append("  ".join("-" * w for w in widths))
    for line in lines:
        out.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in
                             enumerate(zip(line, widths, strict=True))))
    return "\n".join(out)


def report(rows: list[Row]) -> str:
    sizes = sorted({r.size for r in rows})
    parts = []
    for size in sizes:
        triples = next(r.triples for r in rows if r.size == size)
        lines = []
        for item in [*QUERIES, "healthz", "doc-cold", "doc-warm", "doc-304"]:
            med = {s: _value(rows, size, s, "median", item) for s in SYSTEMS}
            p99 = _value(rows, size, "alliance-disk", "p99", item)
            lines.append([item, *(_fmt(med[s]) for s in SYSTEMS[:4]), _fmt(p99),
                          _ratio(med["alliance-disk"], med["oxigraph-server"]),
                          _ratio(med["alliance-memory"], med["oxigraph-server"]),
                          _ratio(med["alliance-memory"], med["pyoxigraph"]),
                          _ratio(med["alliance-disk"], med["pyoxigraph"]),
                          *(_fmt(med[s]) for s in SYSTEMS[4:6]),
                          _ratio(med["alliance-disk"], med["virtuoso"]),
                          _ratio(med["alliance-disk"], med["rdflib-endpoint"]),
                          _fmt(med["alliance-disk-nc"]),
                          _ratio(med["alliance-disk-nc"], med["oxigraph-server"]),
                          _ratio(med["alliance-disk-nc"], med["pyoxigraph"])])
        parts.append(f"## {triples:,} triples: median latency, ms (p99 of alliance-disk)\n"
                     + _table(["query", "ald mem", "ald disk", "oxigraph", "in-proc",
                               "ald disk p99", "disk/oxigraph", "mem/oxigraph", "mem/in-proc",
                               "disk/in-proc", "virtuoso", "rdflib-ep", "disk/virtuoso",
                               "disk/rdflib-ep", "disk nc", "nc/oxigraph", "nc/in-proc"],
                              lines))
        lines = []
        for item in [*QUERIES, "healthz", "doc-cold", "doc-warm", "doc-304"]:
            line = [item]
            for own, cached, nc in FRONTS:
                o, c, n = (_value(rows, size, x, "median", item) for x in (own, cached, nc))
                line += [_fmt(o), _fmt(c), _fmt(n), _ratio(n, o),
                         _target(n, o) if item in QUERIES else "-"]
            if any(x != "-" for x in line[1:]):
                lines.append(line)
        if any(_value(rows, size, f, "median", "lookup") is not None for _, f, _ in FRONTS):
            parts.append(f"## {triples:,} triples: alliance-ld in front of a store, median ms "
                         "(nc: --cache-bytes 0, every query sent to the store; target: within "
                         "1.2x the store's own endpoint or +2 ms)\n"
                         + _table(["query", "virtuoso", "ald>virt", "ald>virt nc", "nc/virt",
                                   "target", "oxigraph", "ald>oxi", "ald>oxi nc", "nc/oxi",
                                   "target"], lines))
        lines = []
        loads = {"alliance-disk": ("alliance-ld", "load --store"),
                 "oxigraph-server": ("oxigraph-server", "oxigraph load"),
                 "virtuoso": ("virtuoso", "ld_dir")}
        for system in SERVERS:
            if _value(rows, size, system, "ready", "start-up") is None:
                continue
            load_owner, load_name = loads.get(system, (system, ""))
            load = _fmt(_value(rows, size, load_owner, "load", load_name))
            if system == "alliance-disk" and _value(rows, size, "alliance-ld", "validated",
                                                    "load --store") == 0:
                load += " (not validated)"
            lines.append([system, load,
                          _fmt(_value(rows, size, load_owner, "load_peak_rss", load_name), 0),
                          _fmt(_value(rows, size, system, "ready", "start-up")),
                          *(_fmt(next((r.value for r in rows if r.size == size
                                       and r.system == system and r.metric == m), None), 0)
                            for m in ("rss", "pss")),
                          _fmt(_value(rows, size, system, "downloads", "after ready"))
                          + (f" ({_fmt(failed, 0)})" if (failed := _value(
                              rows, size, system, "downloads_status", "after ready")) else ""),
                          _fmt(_value(rows, size, system, "downloads_peak_rss", "while built"),
                               0),
                          _fmt(_value(rows, size, system, "rss_built", "once built"), 0)])
        parts.append(_table(["server", "load s", "load peak MB", "ready s", "RSS MB (all)",
                             "PSS MB (all)", "downloads s", "peak MB building",
                             "RSS MB built"], lines))
        lines = []
        for system, item in (("alliance-disk", "lookup"), ("alliance-disk-nc", "lookup"),
                             ("alliance-memory", "lookup"),
                             ("oxigraph-server", "lookup"), ("virtuoso", "lookup"),
                             ("rdflib-endpoint", "lookup"), ("ald-virtuoso", "lookup"),
                             ("ald-virtuoso-nc", "lookup"), ("ald-oxigraph", "lookup"),
                             ("ald-oxigraph-nc", "lookup"), ("alliance-disk", "doc"),
                             ("alliance-disk", "doc-304"), ("alliance-disk-nc", "doc"),
                             ("alliance-disk-nc", "doc-304"), ("alliance-memory", "doc"),
                             ("alliance-memory", "doc-304"), ("ald-virtuoso", "doc"),
                             ("ald-virtuoso", "doc-304"), ("ald-virtuoso-nc", "doc")):
            rps = _value(rows, size, system, "wrk_rps", item)
            if rps is not None:
                lines.append([f"{system} {item}", _fmt(rps, 0),
                              _fmt(_value(rows, size, system, "wrk_non2xx", item), 0),
                              _fmt(_value(rows, size, system, "wrk_p99", item))])
        if lines:
            parts.append(_table(["wrk, 16 connections", "req/s", "non-2xx/3xx", "p99 ms"], lines))
    return "\n\n".join(parts)


def plot(rows: list[Row], path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib missing: no plot (pip install -e '.[bench]')", file=sys.stderr)
        return
    sizes = sorted({r.triples for r in rows})
    fig, axes = plt.subplots(1, 3, figsize=(16, 5))
    for ax, item in zip(axes[:2], ("lookup", "join-date"), strict=True):
        for system in [*SYSTEMS, "ald-virtuoso-nc", "ald-oxigraph-nc"]:
            ys = [next((r.value for r in rows if r.triples == t and r.system == system
                        and r.metric == "median" and r.item == item), float("nan"))
                  for t in sizes]
            ax.plot(sizes, ys, marker="o", label=system)
        ax.set(xscale="log", yscale="log", xlabel="triples", ylabel="median latency, ms",
               title=f"{item} query")
        ax.legend()
    ax = axes[2]
    for system in SERVERS:
        ys = [next((r.value for r in rows if r.triples == t and r.system == system
                    and r.metric == "pss"), float("nan")) for t in sizes]
        ax.plot(sizes, ys, marker="o", label=system)
    ax.set(xscale="log", xlabel="triples", ylabel="PSS of all processes once ready, MB",
           title="server memory")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


FIELDS = ["size", "triples", "system", "metric", "item", "value", "unit"]


def save(rows: list[Row], text: str, folder: Path, names: Sequence[str]) -> None:
    """Write ``rows`` as CSV, ``text`` and the plot, under each of ``names`` in ``folder``."""
    for name in names:
        with (folder / f"{name}.csv").open("w", newline="") as f:
            out = csv.writer(f)
            out.writerow(FIELDS)
            for r in rows:
                out.writerow([r.size, r.triples, r.system, r.metric, r.item, f"{r.value:.6g}",
                              r.unit])
        (folder / f"{name}.txt").write_text(text.rstrip("\n") + "\n")
        plot(rows, folder / f"{name}.png")


def read_csv(paths: Sequence[Path]) -> list[Row]:
    rows: list[Row] = []
    for path in paths:
        with path.open(newline="") as f:
            for r in csv.DictReader(f):
                rows.append(Row(int(r["size"]), int(r["triples"]), r["system"], r["metric"],
                                r["item"], float(r["value"]), r["unit"]))
    return rows


def _dist_version(name: str) -> str:
    try:
        return version(name)
    except Exception:  # noqa: BLE001 - not installed
        return "missing"


def _virtuoso_version() -> str:
    if not virtuoso.available():
        return "missing"
    out = subprocess.run(["virtuoso-t", "-?"], capture_output=True, text=True, timeout=30)
    m = re.search(r"Version (\S+)", out.stdout + out.stderr)
    return m.group(1) if m else "?"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000], metavar="N",
                        help="target sizes in triples (default 10000 100000)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--requests", type=int, default=50,
                        help="timed requests per query and server (default 50, after 3 warm-up)")
    parser.add_argument("--wrk-seconds", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--start-limit", type=float, default=1800,
                        help="seconds a server may take to be ready (default 1800)")
    parser.add_argument("--no-memory-server", action="store_true",
                        help="skip `serve --data` (it validates at start: slow on big data)")
    parser.add_argument("--no-validate", action="store_true",
                        help="load with --no-validate and skip `serve --data` (which validates): "
                        "for sizes where pySHACL takes too long; the load time is then not ours")
    parser.add_argument("--no-virtuoso", action="store_true",
                        help="skip Virtuoso (skipped anyway when virtuoso-t or isql-vt is missing)")
    parser.add_argument("--no-front", action="store_true",
                        help="skip alliance-ld in front of the Oxigraph server and Virtuoso")
    parser.add_argument("--rdflib-max", type=int, default=200_000, metavar="N",
                        help="largest size (triples) served with rdflib-endpoint, which holds "
                        "the graph in Python and is slow to load (default 200000)")
    parser.add_argument("--report", type=Path, nargs="+", metavar="CSV",
                        help="run nothing: print the tables of earlier runs' CSV files (merged) "
                        "and write them, with the plot, as --out/server-latest.*")
    parser.add_argument("--serve-arg", action="append", default=[], metavar="ARG",
                        help="extra argument for `alliance-ld serve` (repeatable)")
    parser.add_argument("--work", type=Path, help="scratch folder (default: a new temporary one)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results folder")
    args = parser.parse_args(argv)

    if args.report:
        rows = read_csv(args.report)
        text = report(rows)
        print(text)
        args.out.mkdir(parents=True, exist_ok=True)
        save(rows, "# tables of " + ", ".join(p.name for p in args.report) + "\n\n" + text,
             args.out, ["server-latest"])
        return 0

    signal.signal(signal.SIGTERM, _on_signal)
    work = args.work or Path(tempfile.mkdtemp(prefix="alliance-ld-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    env = {"python": platform.python_version(), "cpus": str(os.cpu_count()),
           "pyoxigraph": version("pyoxigraph"), "oxigraph": version("oxigraph"),
           "virtuoso": _virtuoso_version(), "rdflib-endpoint": _dist_version("rdflib-endpoint"),
           "load": " ".join(f"{x:.1f}" for x in os.getloadavg())}
    print("server benchmark: " + ", ".join(f"{k} {v}" for k, v in env.items()), flush=True)
    print(f"scratch {work}", flush=True)
    bench = Bench(args, work)
    started = time.perf_counter()
    status = 0
    try:
        for size in args.sizes:
            bench.one_size(size)
    except KeyboardInterrupt:
        print("\ninterrupted: stopping the servers", file=sys.stderr)
        status = 130
    finally:
        _stop_all()
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    if not bench.rows:
        return status or 2
    text = report(bench.rows)
    print("\n" + text)
    print(f"\ntotal {time.perf_counter() - started:.0f} s; load average at the end "
          + " ".join(f"{x:.1f}" for x in os.getloadavg()))
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    header = "# " + ", ".join(f"{k} {v}" for k, v in env.items()) + "\n# " + " ".join(
        ["bench/server.py", *(argv if argv is not None else sys.argv[1:])]) + "\n\n"
    save(bench.rows, header + text, args.out, [f"server-{stamp}", "server-latest"])
    print(f"results in {args.out}/server-{stamp}.{{csv,txt,png}} (and server-latest.*)")
    if any(r.metric == "mismatch" for r in bench.rows):
        status = status or 2
    return status


if __name__ == "__main__":
    sys.exit(main())
