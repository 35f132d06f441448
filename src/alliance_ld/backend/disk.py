"""On-disk stores: import into, open, back up and restore an Oxigraph store folder.

A store folder holds Oxigraph's RocksDB files and ``alliance-ld.json``, the
record of what is in it: the engine version that wrote it, a data version that
changes with every import, the graphs and their sizes, and the SHACL report of
the last import. ``alliance-ld serve --store DIR`` trusts that record instead
of validating again, and its query workers open the folder read-only: the data
is held once, on disk and in the page cache, however many workers there are.

An import never changes a store in place: it works on a checkpoint of the store
(an empty store for a new folder) beside it, loads every file into it, checks
the whole of its data against the shapes, writes the record, and only then
swaps the folders. A file that does not parse, or data that violates the shapes, leaves
the store exactly as it was.

An import of :data:`PARALLEL_BYTES` or more (or when asked) uses both cores and
validates copies in memory, where the engine's checks run about twice as fast
as on RocksDB: a child process validates half of the shapes on a copy of its
own and then loads the files into the checkpoint on disk, while this one
validates the rest on another copy (the store's data, when there is some, and
the same files). The copies come from the same bytes through the same loader;
their graph counts are compared with the import's before the record is
written, and any difference stops the import.
"""

from __future__ import annotations

import gc
import gzip
import json
import multiprocessing
import multiprocessing.connection
import os
import shutil
import sys
import time
import traceback
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, cast

import pyoxigraph as ox

from ..errors import AllianceLDError, MissingInputError, ShapeViolationError
from ..resources import GRAPH_NS, ONTOLOGY_FILE, SHAPES_DIR, rdf_files
from .store import RDF_FORMATS, data_syntax_error, graph_name_for, rdf_suffix

RECORD_FILE = "alliance-ld.json"
#: The record's own format.
RECORD_FORMAT = 1
ONTOLOGY_GRAPH = GRAPH_NS + "ontology"
SHAPES_GRAPH = GRAPH_NS + "shapes"

QUAD_FORMATS = (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG)
#: The report of an import made with ``--no-validate``.
NOT_VALIDATED = "not validated"
_GRAPH_COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
#: Inputs of at least this many bytes (as stored) are imported and validated side by side.
PARALLEL_BYTES = 8 * 1024 * 1024


class StoreError(AllianceLDError):
    """A store folder that cannot be used as asked."""


def engine_version() -> str:
    return f"pyoxigraph {ox.__version__}"


def _storage_generation(version: str) -> str:
    """The part of an engine version that fixes the storage format (``0.5`` of ``0.5.13``)."""
    number = version.split()[-1]
    return ".".join(number.split(".")[:2])


@dataclass
class StoreRecord:
    """What ``alliance-ld.json`` says about a store folder."""

    engine: str
    data_version: str
    modified: str
    triples: int
    graphs: dict[str, int] = field(default_factory=dict)
    conforms: bool = True
    report: str = ""
    imports: list[dict[str, Any]] = field(default_factory=list)
    format: int = RECORD_FORMAT

    def problem(self) -> str | None:
        """Why the store must not be served unless the publisher says so, or ``None``."""
        if not self.conforms:
            return f"its data does not conform to the shapes (see its {RECORD_FILE})"
        if self.report == NOT_VALIDATED:
            return "it was imported without validation (load --no-validate)"
        return None

    @classmethod
    def read(cls, folder: Path) -> StoreRecord:
        path = folder / RECORD_FILE
        try:
            values = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise StoreError(f"{folder}: not an alliance-ld store (no {RECORD_FILE}); make one "
                             "with 'alliance-ld load --store DIR FILE…'") from exc
        except (OSError, ValueError) as exc:
            raise StoreError(f"{path}: unreadable store record: {exc}") from exc
        known = {k: v for k, v in values.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def write(self, folder: Path) -> None:
        path = folder / RECORD_FILE
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")
        os.replace(temporary, path)

    def check_engine(self, folder: Path) -> None:
        """Refuse a store written by an engine whose storage format may differ."""
        if _storage_generation(self.engine) != _storage_generation(engine_version()):
            raise StoreError(
                f"{folder}: written by {self.engine}, but this is {engine_version()}, whose "
                "storage format may differ. Upgrade the store: dump it with the version that "
                "wrote it ('alliance-ld dump' there, or the server's /downloads), then "
                "'alliance-ld load --store NEWDIR dump.nq.gz' here")


def format_for(path: Path) -> ox.RdfFormat:
    suffix = rdf_suffix(path)
    if suffix not in RDF_FORMATS:
        known = ", ".join(sorted(RDF_FORMATS))
        raise MissingInputError(f"{path}: unknown RDF file type {suffix!r} (known: {known}, "
                                "each also gzip-compressed)")
    return RDF_FORMATS[suffix]


class _Progress:
    """A binary reader that draws a progress bar of the bytes read on standard error."""

    def __init__(self, raw: IO[bytes], size: int, label: str,
                 show: Callable[[str], None] | None) -> None:
        self.raw = raw
        self.size = max(size, 1)
        self.label = label
        self.show = show
        self.done = 0
        self._shown = -1.0

    def read(self, n: int = -1) -> bytes:
        chunk = self.raw.read(n)
        self.done += len(chunk)
        if self.show is not None:
            fraction = min(1.0, self.done / self.size)
            if fraction - self._shown >= 0.02 or (fraction == 1.0 and self._shown < 1.0):
                self._shown = fraction
                filled = int(fraction * 30)
                self.show(f"\r{self.label} [{'#' * filled}{'.' * (30 - filled)}] "
                          f"{fraction:4.0%}")
        return chunk


def _stderr(text: str) -> None:
    sys.stderr.write(text)
    sys.stderr.flush()


def _load_file(store: ox.Store, path: Path, graph: str | None,
               show: Callable[[str], None] | None, label: str) -> None:
    fmt = format_for(path)
    target = None
    if fmt not in QUAD_FORMATS or graph is not None:
        target = ox.NamedNode(graph or graph_name_for(path))
    try:
        size = path.stat().st_size
        raw = path.open("rb")
    except OSError as exc:
        raise MissingInputError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    with raw:
        # The bar counts the bytes of the file as stored (compressed ones for .gz).
        reader = _Progress(raw, size, label, show)
        source = cast(IO[bytes], reader)
        if path.name.endswith(".gz"):
            source = cast(IO[bytes], gzip.GzipFile(fileobj=source, mode="rb"))
        try:
            store.bulk_load(source, format=fmt, base_iri=path.resolve().as_uri(),
                            to_graph=target)
        except SyntaxError as exc:
            raise data_syntax_error(path, exc) from exc
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise MissingInputError(f"{path}: cannot read: {exc}") from exc
    if show is not None:
        if reader._shown < 1.0:  # noqa: SLF001
            show(f"\r{label} [{'#' * 30}] 100%")
        show("\n")


def _count_graphs(store: ox.Store) -> dict[str, int]:
    """Each named graph's triple count (counted by the engine: 14x faster than in Python)."""
    counted: dict[str, int] = {}
    for row in cast(ox.QuerySolutions, store.query(_GRAPH_COUNTS)):
        graph, number = row["g"], row["n"]
        if isinstance(graph, ox.NamedNode) and isinstance(number, ox.Literal):
            counted[graph.value] = int(number.value)
    return {graph.value: counted.get(graph.value, 0) for graph in sorted(
        store.named_graphs(), key=str) if isinstance(graph, ox.NamedNode)}


def _validate(store: ox.Store, files: dict[str, Path],
              delegate: Callable[[], Any] | None = None) -> tuple[bool, str]:
    """Check what the store will hold against the shapes (as ``alliance-ld validate`` does);
    ``delegate``: see :func:`alliance_ld.validate.validate_store`."""
    from ..validate import validate_store
    from .store import Store

    report = validate_store(Store.wrap(store, files), delegate=delegate)
    return report.conforms, report.to_text()


def load(folder: Path, files: Sequence[Path], graph: str | None = None, *,
         progress: bool = True, validate: bool = True,
         parallel: bool | None = None) -> StoreRecord:
    """Import ``files`` into the store ``folder`` (made if missing); see the module docstring.

    ``parallel``: import on disk and validate in memory side by side (``None``: when the
    files hold at least :data:`PARALLEL_BYTES`); only with ``validate``.
    """
    if not files:
        raise MissingInputError("no files to load")
    for path in files:
        if not path.is_file():
            raise MissingInputError(f"{path}: no such file")
        format_for(path)
    if parallel is None:
        parallel = sum(path.stat().st_size for path in files) >= PARALLEL_BYTES
    parallel = parallel and validate
    folder = folder.resolve()
    previous: StoreRecord | None = None
    if folder.exists() and any(folder.iterdir()):
        previous = StoreRecord.read(folder)
        previous.check_engine(folder)
    staging = folder.with_name(f".{folder.name}.importing-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    # A bar on a terminal; in a log, one line per file.
    show = _stderr if progress and sys.stderr.isatty() else None
    started = time.monotonic()
    store: ox.Store | None = None
    origins = {graph or graph_name_for(p): p for p in files}
    try:
        if previous is not None:
            with _opened(folder) as current:
                current.backup(str(staging))  # a checkpoint: hard links, cheap
            del current
            _collect()  # closed: the copies in memory open it read-only
        if parallel:
            conforms, report = _import_beside_validation(
                staging, folder if previous is not None else None, files, graph, progress,
                origins)
            store = ox.Store(str(staging))
        else:
            store = ox.Store(str(staging))
            _load_files(store, files, graph, progress, show)
            conforms, report = (_validate(store, origins) if validate
                                else (True, NOT_VALIDATED))
        if not conforms:
            raise ShapeViolationError(report)
        if not any(g.value == ONTOLOGY_GRAPH for g in store.named_graphs()
                   if isinstance(g, ox.NamedNode)):
            store.bulk_load(path=str(ONTOLOGY_FILE), format=ox.RdfFormat.TURTLE,
                            to_graph=ox.NamedNode(ONTOLOGY_GRAPH))
        store.clear_graph(ox.NamedNode(SHAPES_GRAPH))
        for shapes in rdf_files(SHAPES_DIR):
            store.bulk_load(path=str(shapes), format=ox.RdfFormat.TURTLE,
                            to_graph=ox.NamedNode(SHAPES_GRAPH))
        store.flush()
        graphs = _count_graphs(store)
        store = None
        _collect()
        record = StoreRecord(
            engine=engine_version(),
            data_version=uuid.uuid4().hex,
            modified=datetime.now(UTC).isoformat(timespec="seconds"),
            triples=sum(graphs.values()),
            graphs=graphs,
            conforms=conforms,
            report=report,
            imports=[*(previous.imports if previous else []), {
                "files": [str(p) for p in files], "graph": graph,
                "validated": ("in memory, beside the import" if parallel else
                              "in the store" if validate else "no"),
                "at": datetime.now(UTC).isoformat(timespec="seconds"),
                "seconds": round(time.monotonic() - started, 3)}],
        )
        record.write(staging)
        _swap(staging, folder)
        return record
    except BaseException as exc:
        # The failed frames hold the staging store; let it go before the folder is removed.
        traceback.clear_frames(exc.__traceback__)
        raise
    finally:
        store = None
        _collect()  # the engine lets go of the staging folder before it is removed
        shutil.rmtree(staging, ignore_errors=True)


def _load_files(store: ox.Store, files: Sequence[Path], graph: str | None, progress: bool,
                show: Callable[[str], None] | None) -> None:
    for number, path in enumerate(files, 1):
        label = f"[{number}/{len(files)}] {path.name}"
        before = len(store)
        _load_file(store, path, graph, show, label)
        if progress and show is None:
            _stderr(f"{label}: {len(store) - before} triples\n")


def _import_child(conn: multiprocessing.connection.Connection, staging: str,
                  existing: str | None, files: list[str], graph: str | None,
                  progress: bool) -> None:
    """In the child process: first its half of the validation, on a copy in memory (the
    store's data and ``files``), sent as ``("checked", results)``; then ``files`` loaded
    into the store at ``staging``, sent as ``("ok", graph counts)``."""
    try:
        paths = [Path(f) for f in files]
        from ..validate import delegated_checks  # here: the parent only imports this module
        from .store import Store

        memory = _memory_copy(Path(existing) if existing else None, paths, graph)
        checked = delegated_checks(Store.wrap(memory))
        del memory
        _collect()
        conn.send(("checked", checked))
        store = ox.Store(staging)
        show = _stderr if progress and sys.stderr.isatty() else None
        _load_files(store, paths, graph, progress, show)
        store.flush()
        conn.send(("ok", _count_graphs(store)))
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def _import_beside_validation(staging: Path, existing: Path | None, files: Sequence[Path],
                              graph: str | None, progress: bool,
                              origins: dict[str, Path]) -> tuple[bool, str]:
    """Import into ``staging`` in a child process while a copy in memory is validated here.

    The validation is shared: the child runs the sh:or/sh:xone checks and the SPARQL
    rules on a copy of its own (:func:`alliance_ld.validate.delegated_checks`) before
    it imports, this process the rest. The copies hold the store's data (``existing``:
    its folder, read-only) and the files; the graph counts of this one must equal
    those of ``staging`` (which holds the ontology and the shapes of an existing store
    too, and nothing else more). Returns (conforms, report).
    """
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(
        target=_import_child, name="alliance-ld-import", daemon=True,
        args=(send, str(staging), str(existing) if existing else None,
              [str(f) for f in files], graph, progress))
    child.start()
    send.close()

    def answer(expected: str) -> Any:
        try:
            status, value = receive.recv()
        except EOFError:
            raise StoreError("the import process stopped without an answer "
                             f"(exit code {child.exitcode})") from None
        if status != expected:
            raise StoreError(f"{staging}: the import failed: {value}")
        return value

    try:
        memory = _memory_copy(existing, files, graph)
        conforms, report = _validate(memory, origins, lambda: answer("checked"))
        validated = _count_graphs(memory)
        del memory
        _collect()
        imported = answer("ok")
        child.join()
    finally:
        if child.is_alive():
            child.kill()
            child.join()
        receive.close()
    if imported != validated:
        differ = sorted(g for g in set(imported) | set(validated)
                        if imported.get(g) != validated.get(g))
        raise StoreError(f"the imported data and the validated copy differ in {differ}")
    return conforms, report


def _memory_copy(existing: Path | None, files: Sequence[Path], graph: str | None) -> ox.Store:
    """The store's data (``existing``: its folder) and ``files``, in memory."""
    memory = ox.Store()
    if existing is not None:
        current = ox.Store.read_only(str(existing))
        memory.bulk_extend(current.quads_for_pattern(None, None, None, None))
        del current
    for path in files:  # the bar is the disk import's; the errors are found here too
        _load_file(memory, path, graph, None, "")
    return memory


def _collect() -> None:
    """Collect the engine's stores that are no longer referenced (RocksDB closes on drop)."""
    gc.collect()


class _opened:  # noqa: N801 - a context manager used like a function
    """A store folder opened read-write, closed on exit."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __enter__(self) -> ox.Store:
        try:
            self.store: ox.Store | None = ox.Store(str(self.folder))
        except OSError as exc:
            raise StoreError(f"{self.folder}: cannot open the store: {exc}") from exc
        return self.store

    def __exit__(self, *_: object) -> None:
        self.store = None


def _swap(staging: Path, folder: Path) -> None:
    """Put ``staging`` in the place of ``folder``, as atomically as the file system allows."""
    if folder.exists():
        old = folder.with_name(f".{folder.name}.old-{os.getpid()}")
        os.replace(folder, old)
        os.replace(staging, folder)
        shutil.rmtree(old, ignore_errors=True)
    else:
        folder.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging, folder)


def open_checked(folder: Path, *, accept_nonconforming: bool = False) -> StoreRecord:
    """The record of a store ``serve --store`` may serve; raises :class:`StoreError` if not
    (a store that was not validated or does not conform, unless ``accept_nonconforming``)."""
    if not folder.is_dir():
        raise StoreError(f"{folder}: no such store folder")
    record = StoreRecord.read(folder)
    record.check_engine(folder)
    problem = record.problem()
    if problem is not None and not accept_nonconforming:
        raise StoreError(f"{folder}: {problem}; not serving it (import it again with "
                         "validation, or serve it anyway with --accept-nonconforming-store)")
    return record


def backup(folder: Path, target: Path) -> StoreRecord:
    """Copy the store ``folder`` into the new folder ``target`` (hard links where it can)."""
    record = StoreRecord.read(folder)
    record.check_engine(folder)
    if target.exists():
        raise StoreError(f"{target}: already exists; a backup goes into a new folder")
    with _opened(folder) as store:
        store.backup(str(target))
    record.write(target)
    return record


def restore(backup_folder: Path, folder: Path, *, replace: bool = False) -> StoreRecord:
    """Make ``folder`` a copy of the backup ``backup_folder``."""
    record = StoreRecord.read(backup_folder)
    record.check_engine(backup_folder)
    if folder.exists() and any(folder.iterdir()) and not replace:
        raise StoreError(f"{folder}: not empty; pass --replace to overwrite it with the backup")
    staging = folder.with_name(f".{folder.name}.restoring-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        with _opened(backup_folder) as store:
            store.backup(str(staging))
        record.write(staging)
        if folder.exists() and not any(folder.iterdir()):
            folder.rmdir()
        _swap(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return record
