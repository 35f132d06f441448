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
"""

from __future__ import annotations

import gc
import gzip
import json
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
    counts: dict[str, int] = {}
    for graph in store.named_graphs():
        if isinstance(graph, ox.NamedNode):
            counts[graph.value] = sum(
                1 for _ in store.quads_for_pattern(None, None, None, graph))
    return dict(sorted(counts.items()))


def _validate(store: ox.Store, files: dict[str, Path]) -> tuple[bool, str]:
    """Check what the store will hold against the shapes (as ``alliance-ld validate`` does)."""
    from ..validate import validate_store
    from .store import Store

    report = validate_store(Store.wrap(store, files))
    return report.conforms, report.to_text()


def load(folder: Path, files: Sequence[Path], graph: str | None = None, *,
         progress: bool = True, validate: bool = True) -> StoreRecord:
    """Import ``files`` into the store ``folder`` (made if missing); see the module docstring."""
    if not files:
        raise MissingInputError("no files to load")
    for path in files:
        if not path.is_file():
            raise MissingInputError(f"{path}: no such file")
        format_for(path)
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
    try:
        if previous is not None:
            with _opened(folder) as current:
                current.backup(str(staging))  # a checkpoint: hard links, cheap
        store = ox.Store(str(staging))
        for number, path in enumerate(files, 1):
            label = f"[{number}/{len(files)}] {path.name}"
            before = len(store)
            _load_file(store, path, graph, show, label)
            if progress and show is None:
                _stderr(f"{label}: {len(store) - before} triples\n")
        origins = {graph or graph_name_for(p): p for p in files}
        conforms, report = (_validate(store, origins) if validate else (True, "not validated"))
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
    """The record of a store ``serve --store`` may serve; raises :class:`StoreError` if not."""
    if not folder.is_dir():
        raise StoreError(f"{folder}: no such store folder")
    record = StoreRecord.read(folder)
    record.check_engine(folder)
    if not record.conforms and not accept_nonconforming:
        raise StoreError(f"{folder}: the store's data does not conform to the shapes (see its "
                         f"{RECORD_FILE}); not serving it")
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
