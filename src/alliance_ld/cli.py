"""The ``alliance-ld`` command line.

Exit codes: 0 success (data conforms), 1 SHACL violations found (or an
inconsistent ontology), 2 bad input or a runtime error. Errors are one line on
standard error, never a traceback.
"""

from __future__ import annotations

import argparse
import errno
import socket
import sys
import typing
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .errors import AllianceLDError, ServeAddressError, ShapeViolationError

EXIT_OK, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2


def _paths(values: Sequence[str] | None) -> list[Path] | None:
    return [Path(v) for v in values] if values else None


def cmd_validate(args: argparse.Namespace) -> int:
    from .validate import validate_paths, validate_store

    if getattr(args, "sparql_endpoint", None):
        from .backend import BackendSpec

        remote = BackendSpec(endpoint=args.sparql_endpoint).open()
        report = validate_store(remote, _paths(args.shapes))
    else:
        report = validate_paths(_paths(args.data), _paths(args.shapes))
    output = {"text": report.to_text, "json": report.to_json, "turtle": report.to_turtle}
    sys.stdout.write(output[args.format]().rstrip("\n") + "\n")
    return EXIT_OK if report.conforms else EXIT_VIOLATIONS


def cmd_reason(args: argparse.Namespace) -> int:
    from .reasoning import reason

    report = reason(_paths(args.data))
    sys.stdout.write(report.to_json() if args.format == "json" else report.to_text())
    sys.stdout.write("\n")
    consistent = report.consistent and not report.unsatisfiable_classes
    return EXIT_OK if consistent else EXIT_VIOLATIONS


def cmd_query(args: argparse.Namespace) -> int:
    from .query import read_query, run_query
    from .store import load_default

    text, _origin = read_query(args.query)
    store = load_default(_paths(args.data))
    sys.stdout.write(run_query(store, text, args.format))
    return EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    from .build import build

    # With --out, only the artefacts are written; the namespace module stays put.
    if args.out:
        Path(args.out).mkdir(parents=True, exist_ok=True)
    written = build(Path(args.out), namespace_module=None) if args.out else build()
    for path in written:
        print(f"wrote {path}")
    if args.tables:
        for path in write_tables(Path(args.tables)):
            print(f"wrote {path}")
    return EXIT_OK


def write_tables(folder: Path) -> list[Path]:
    """The analysis-ready tables of the shipped data (validated first), written to ``folder``:
    the same files ``/downloads`` serves, with the canonical IRIs."""
    from . import tables
    from .publication import load_publication
    from .settings import Settings
    from .void import VERSION, tables_path

    publication = load_publication(Settings())
    base = publication.settings.base_iri + tables_path("")
    built = tables.build(publication, base, VERSION)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    if built.note:  # the dyad-year table of very large data
        print(built.note, file=sys.stderr)
    for name, _media_type, _title, _rows, chunks in built.files():
        path = folder / name
        with path.open("wb") as file:
            for chunk in chunks:
                file.write(chunk)
        out.append(path)
    return out


def cmd_normalise_ontology(args: argparse.Namespace) -> int:
    """Rewrite the edit file in its canonical form (with --check: only say whether it is)."""
    from .build import is_canonical, normalise
    from .resources import EDIT_FILE

    path = Path(args.file) if args.file else EDIT_FILE
    if args.check:
        if not is_canonical(path):
            print(f"{path}: not in canonical form: run `alliance-ld normalise-ontology`",
                  file=sys.stderr)
            return EXIT_VIOLATIONS
        print(f"{path}: canonical")
        return EXIT_OK
    print(f"{'normalised' if normalise(path) else 'already canonical:'} {path}")
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    from .stats import compute
    from .store import load_default

    sys.stdout.write(compute(load_default(_paths(args.data)).backend()).to_text())
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    """Validate the data, then print a summary of the graph (the quick start's main job)."""
    status = cmd_validate(argparse.Namespace(data=args.data, shapes=None, format="text"))
    print()
    cmd_stats(args)
    return status


def cmd_load(args: argparse.Namespace) -> int:
    from .backend.disk import load

    files: list[Path] = list(args.files)
    try:
        record = load(args.store, files, args.graph, progress=not args.quiet,
                      validate=not args.no_validate, parallel=args.parallel)
    except ShapeViolationError as exc:
        print(exc.report_text)
        print(f"alliance-ld: error: the data does not conform to the shapes (report above); "
              f"{args.store} is unchanged", file=sys.stderr)
        return EXIT_VIOLATIONS
    print(f"alliance-ld: {args.store}: {record.triples} triples in {len(record.graphs)} "
          f"graphs (data version {record.data_version})", file=sys.stderr)
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    from .backend.disk import backup

    record = backup(args.store, args.target)
    print(f"alliance-ld: backed up {args.store} ({record.triples} triples, data version "
          f"{record.data_version}) to {args.target}", file=sys.stderr)
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from .backend.disk import restore

    record = restore(args.backup, args.store, replace=args.replace)
    print(f"alliance-ld: restored {args.store} from {args.backup} ({record.triples} triples, "
          f"data version {record.data_version})", file=sys.stderr)
    return EXIT_OK


def _listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` (not yet listening: connections are refused until
    the server starts), so a port in use is found before the data is loaded.

    Raises :class:`ServeAddressError` saying which address and how to choose another.
    """
    how = ("choose another with --port N (or ALLIANCE_LD_PORT=N; `make run PORT=N`), "
           "or --port 0 for any free port")
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as exc:
        raise ServeAddressError(
            f"cannot listen on host {host!r}: {exc.strerror}; choose another with --host "
            "(or ALLIANCE_LD_HOST; `make run HOST=…`), e.g. 127.0.0.1 or 0.0.0.0") from exc
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        where = f"{host}:{port}"
        if exc.errno == errno.EADDRINUSE:
            raise ServeAddressError(
                f"port {port} on {host} is already in use (by another server, perhaps "
                f"another alliance-ld); {how}") from exc
        if exc.errno == errno.EACCES:
            raise ServeAddressError(
                f"not allowed to listen on port {port} ({where}): ports below 1024 need "
                f"privileges; {how}") from exc
        raise ServeAddressError(f"cannot listen on {where}: {exc.strerror}; {how}") from exc
    return sock


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .api.main import create_app, start_executor
    from .logs import uvicorn_log_config
    from .publication import load_publication
    from .sandbox import SandboxUnavailableError
    from .settings import Settings, served_url

    overrides = {name: value for name in Settings.model_fields
                 if (value := getattr(args, name, None)) is not None}
    overrides["data"] = _paths(args.data)
    overrides = {k: v for k, v in overrides.items() if v is not None}
    settings = Settings(**overrides)
    # The address first: a port in use is reported at once, not after loading the data.
    sock = _listening_socket(settings.host, settings.port)
    try:
        settings = settings.served_on(int(sock.getsockname()[1]))
        try:
            publication = load_publication(settings)
        except ShapeViolationError as exc:
            print(exc.report_text)
            print("alliance-ld: error: the data does not conform to the shapes; not serving",
                  file=sys.stderr)
            return EXIT_ERROR
        try:
            executor = start_executor(settings, publication)
        except SandboxUnavailableError as exc:
            print(f"alliance-ld: error: the query workers cannot be kept off the network on "
                  f"this system ({exc}); not serving. Pass --allow-unsandboxed-workers to "
                  "serve anyway, accepting that a query the parser misreads could make "
                  "requests from this machine.", file=sys.stderr)
            return EXIT_ERROR
        if executor.unsandboxed:
            print(f"alliance-ld: WARNING: query workers are NOT sandboxed "
                  f"({executor.unsandboxed}); serving anyway because "
                  "--allow-unsandboxed-workers was given", file=sys.stderr)
        address = served_url(settings.host, settings.port).rstrip("/") + settings.root_path + "/"
        links = (f"; links and redirects use {settings.public_url}"
                 if settings.public_url and settings.public_url != address else "")
        print(f"alliance-ld: validated {publication.triples} triples; "
              f"serving on {address}{links}", file=sys.stderr)
        app = create_app(settings, publication, executor=executor)
        # Forwarded headers are handled by our middleware, from settings.forwarded_allow_ips.
        config = uvicorn.Config(app, host=settings.host, port=settings.port, proxy_headers=False,
                                log_level="info", log_config=uvicorn_log_config(settings),
                                access_log=not settings.log_json)
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
    return EXIT_OK


#: Flags whose name is not the setting's (kept as they were first published).
_FLAG_NAMES = {"query_memory_mb": "--query-memory", "query_workers": "--workers"}
_METAVARS = {int: "N", float: "SECONDS", Path: "PATH", str: "VALUE"}
_METAVAR_NAMES = {"store": "DIR", "queries": "DIR", "sparql_endpoint": "URL",
                  "sparql_update_endpoint": "URL", "public_url": "URL", "base_iri": "IRI",
                  "query_memory_mb": "MB", "forwarded_allow_ips": "ADDRESSES",
                  "metrics_allow_ips": "ADDRESSES", "metrics_token": "TOKEN",
                  "max_result_bytes": "BYTES", "cache_bytes": "BYTES",
                  "max_query_bytes": "BYTES"}


def _flag_type(annotation: Any) -> type:
    """The argparse type of a setting: ``int | None`` is ``int``."""
    options = [t for t in typing.get_args(annotation) if t is not type(None)] or [annotation]
    chosen = options[0]
    return chosen if chosen in (int, float, str, bool, Path) else str


def add_settings_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per server setting, named, typed and documented from :class:`Settings`.

    The settings are the single description: a flag, its environment variable
    (``ALLIANCE_LD_<NAME>``), its type, default and help all come from one field.
    ``--data`` (several paths) is added with the other commands'.
    """
    from .settings import Settings

    for name, field in Settings.model_fields.items():
        if name == "data":
            continue
        flag = _FLAG_NAMES.get(name, "--" + name.replace("_", "-"))
        kind = _flag_type(field.annotation)
        default = field.default
        described = field.description or name
        shown = "none" if default is None else repr(default) if default == "" else str(default)
        extra = "" if "(default" in described else f"default {shown}; "
        help_text = f"{described} ({extra}env ALLIANCE_LD_{name.upper()})".replace("%", "%%")
        if kind is bool:
            parser.add_argument(flag, dest=name, action=argparse.BooleanOptionalAction,
                                default=None, help=help_text)
        else:
            parser.add_argument(flag, dest=name, type=kind, help=help_text,
                                metavar=_METAVAR_NAMES.get(name, _METAVARS[kind]))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="alliance-ld",
        description="Validate, reason over, query and publish the alliance-ld knowledge graph.",
    )
    parser.add_argument("--version", action="version", version=f"alliance-ld {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, func: Callable[[argparse.Namespace], int], help_: str,
            data: bool = True) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.set_defaults(func=func)
        if data:
            p.add_argument("--data", nargs="+", metavar="PATH",
                           help="data files or folders (default: the shipped data/)")
        return p

    p = add("validate", cmd_validate, "Validate the data against the SHACL shapes.")
    p.add_argument("--shapes", nargs="+", metavar="PATH",
                   help="shapes files or folders (default: the shipped shapes/)")
    p.add_argument("--format", choices=("text", "turtle", "json"), default="text",
                   help="report format (default: text)")
    p.add_argument("--sparql-endpoint", metavar="URL",
                   help="validate the data of this SPARQL endpoint (a remote triplestore) "
                   "instead of files")

    p = add("reason", cmd_reason, "Run HermiT over the ontology and data; report consistency.")
    p.add_argument("--format", choices=("text", "json"), default="text")

    p = add("query", cmd_query, "Run a SPARQL query over the ontology and data.")
    p.add_argument("query", metavar="FILE-or-QUERY",
                   help="a query file, the query text itself, or - for standard input")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")

    p = add("build", cmd_build, "Generate the ontology's release artefacts.", data=False)
    p.add_argument("--out", metavar="DIR", help="write the artefacts to DIR instead")
    p.add_argument("--tables", metavar="DIR",
                   help="also write the analysis-ready tables (CSV and their CSV on the Web "
                        "metadata) of the shipped data to DIR")

    p = add("normalise-ontology", cmd_normalise_ontology,
            "Rewrite the ontology's edit file (OWL Functional Syntax) in its canonical form.",
            data=False)
    p.add_argument("file", nargs="?", metavar="FILE",
                   help="the file to rewrite (default: ontology/alliance-edit.owl)")
    p.add_argument("--check", action="store_true",
                   help="change nothing; exit 1 if the file is not in canonical form")

    add("stats", cmd_stats, "Count triples per graph and resources per class.")

    p = add("load", cmd_load, "Import RDF files into an on-disk store (validated first).",
            data=False)
    p.add_argument("--store", type=Path, required=True, metavar="DIR",
                   help="the store folder (made if missing)")
    p.add_argument("--graph", metavar="IRI",
                   help="load every file into this named graph (default: each triples file "
                   "into …/graph/<file stem>; N-Quads and TriG keep their graphs)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--no-validate", action="store_true",
                   help="do not check the files against the shapes (the record says so)")
    p.add_argument("--parallel", action=argparse.BooleanOptionalAction, default=None,
                   help="import on disk in a second process while a copy in memory is "
                   "validated (uses both cores and about twice the memory; default: for "
                   "inputs of 8 MB or more)")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE",
                   help="N-Triples, Turtle, N-Quads, TriG, RDF/XML or JSON-LD, also .gz")

    p = add("backup", cmd_backup, "Copy an on-disk store into a new folder.", data=False)
    p.add_argument("--store", type=Path, required=True, metavar="DIR")
    p.add_argument("target", type=Path, metavar="BACKUP-DIR")

    p = add("restore", cmd_restore, "Make an on-disk store a copy of a backup.", data=False)
    p.add_argument("backup", type=Path, metavar="BACKUP-DIR")
    p.add_argument("--store", type=Path, required=True, metavar="DIR")
    p.add_argument("--replace", action="store_true", help="overwrite a store that has data")

    p = add("serve", cmd_serve, "Serve the data: SPARQL endpoint, linked data and pages.")
    add_settings_flags(p)
    add("check", cmd_check, "Validate the data, then summarise the graph.")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except AllianceLDError as exc:
        message = str(exc).replace("\n", " ")
        print(f"alliance-ld: error: {message}", file=sys.stderr)
        return EXIT_VIOLATIONS if isinstance(exc, ShapeViolationError) else EXIT_ERROR
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
