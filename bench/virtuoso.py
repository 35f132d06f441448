"""A throw-away Virtuoso Open Source for the benchmark: a temporary ini, database and ports.

``virtuoso-t`` runs in the foreground with its own configuration file (free 127.0.0.1 ports
for the SQL and HTTP servers, the database in a given folder; nothing of a system service
is used). Data is bulk loaded into one named graph with ``ld_dir`` + ``rdf_loader_run()``
over ``isql-vt``, then checkpointed, so that a second start on the same folder serves it.
Virtuoso's ``/sparql`` answers over the union of its graphs when no graph is named.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

INI = """\
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
ServerThreads = {sql_threads}
CheckpointInterval = 0
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
DirsAllowed = ., {load}
MaxQueryMem = {query_mem}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {www}
ServerThreads = {http_threads}
MaxKeepAlives = {clients}
KeepAliveTimeout = 10
MaxClientConnections = {clients}

[SPARQL]
ResultSetMaxRows = {result_rows}
MaxQueryExecutionTime = {max_seconds}
MaxQueryCostEstimationTime = 0
"""



def ini_text(db: Path, load: Path, www: Path, sql_port: int, http_port: int, *,
             buffers: int = 10_000, dirty: int = 6_000, sql_threads: int = 10,
             http_threads: int = 4, clients: int = 8, query_mem: str = "256M",
             max_seconds: int = 60, result_rows: int = 1_000_000) -> str:
    """A ``virtuoso.ini`` for a throw-away server on loopback ports (small by default, as the
    tests' stores; the benchmark asks for more threads, buffers and memory)."""
    return INI.format(db=db, load=load, www=www, sql_port=sql_port, http_port=http_port,
                      buffers=buffers, dirty=dirty, sql_threads=sql_threads,
                      http_threads=http_threads, clients=clients, query_mem=query_mem,
                      max_seconds=max_seconds, result_rows=result_rows)


#: The named graph the benchmark's data is loaded into.
GRAPH = "https://w3id.org/alliance-ld/graph/bench"


def available() -> bool:
    return shutil.which("virtuoso-t") is not None and shutil.which("isql-vt") is not None


def write_ini(folder: Path, load: Path, sql_port: int, http_port: int, triples: int) -> Path:
    """Write ``folder/virtuoso.ini`` (database in ``folder/db``); its path.

    Buffers (8 kB pages) follow Virtuoso's own sizing advice: about 80 MB up to 500k triples,
    about 0.7 GB above.
    """
    buffers = 10_000 if triples <= 500_000 else 85_000
    for sub in ("db", "www"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    ini = folder / "virtuoso.ini"
    ini.write_text(ini_text(folder / "db", load, folder / "www", sql_port, http_port,
                            buffers=buffers, dirty=buffers * 3 // 4, sql_threads=20,
                            http_threads=16, clients=32, query_mem="512M", max_seconds=120))
    return ini


def command(ini: Path) -> list[str]:
    return [shutil.which("virtuoso-t") or "virtuoso-t", "+foreground", "+configfile", str(ini)]


def load_script(data: Path, graph: str = GRAPH) -> str:
    """isql script: bulk load ``data`` (one Turtle file) into ``graph``, then checkpoint."""
    return (f"ld_dir('{data.parent}', '{data.name}', '{graph}');\n"
            "rdf_loader_run();\n"
            "checkpoint;\n")


def isql(sql_port: int, script: str, log: Path, timeout: float = 3600) -> None:
    """Run ``script`` with ``isql-vt`` as dba; raise on an error (the output goes to ``log``)."""
    done = subprocess.run([shutil.which("isql-vt") or "isql-vt", f"127.0.0.1:{sql_port}", "dba",
                           "dba", "VERBOSE=OFF", "PROMPT=OFF", "ERRORS=STDOUT", "BANNER=OFF"],
                          input=script, capture_output=True, text=True, timeout=timeout)
    with log.open("a") as out:
        out.write(done.stdout + done.stderr)
    if done.returncode != 0 or "*** Error" in done.stdout:
        raise RuntimeError(f"isql-vt failed (see {log}):\n{done.stdout[-2000:]}"
                           f"{done.stderr[-1000:]}")
