"""Running SPARQL queries from the command line and rendering their results."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pyoxigraph as ox

from .errors import MissingInputError
from .store import QueryResult, Store

RESULT_FORMATS = ("table", "csv", "json")


def read_query(arg: str) -> tuple[str, str]:
    """The query text for a command-line argument, and where it came from.

    An existing path is a file, ``-`` is standard input, anything else is the
    query text itself.
    """
    if arg == "-":
        return sys.stdin.read(), "<stdin>"
    path = Path(arg)
    try:
        is_file = path.is_file()
    except OSError:  # e.g. a query string too long to be a file name
        is_file = False
    if is_file:
        try:
            return path.read_text(encoding="utf-8"), str(path)
        except (OSError, UnicodeDecodeError) as exc:
            raise MissingInputError(f"{path}: cannot read query file: {exc}") from exc
    if path.suffix in {".rq", ".sparql"} and "\n" not in arg and " " not in arg:
        raise MissingInputError(f"{arg}: no such query file")
    return arg, "<argument>"


def _cell(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term)


def render(result: QueryResult, fmt: str) -> str:
    """Render a query result as an aligned table, SPARQL CSV or SPARQL JSON."""
    if isinstance(result, ox.QueryBoolean):
        value = bool(result)
        if fmt == "json":
            return '{"head": {}, "boolean": %s}\n' % ("true" if value else "false")
        return ("true" if value else "false") + "\n"
    if isinstance(result, ox.QueryTriples):
        buffer = io.BytesIO()
        result.serialize(buffer, ox.RdfFormat.N_TRIPLES)
        return buffer.getvalue().decode("utf-8")
    if fmt == "csv":
        return _serialize(result, ox.QueryResultsFormat.CSV)
    if fmt == "json":
        return _serialize(result, ox.QueryResultsFormat.JSON)
    variables = [v.value for v in result.variables]
    rows = [[_cell(solution[v]) for v in variables] for solution in result]
    widths = [max([len(v) + 1] + [len(r[i]) for r in rows]) for i, v in enumerate(variables)]
    lines = ["  ".join(("?" + v).ljust(w) for v, w in zip(variables, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _serialize(result: ox.QuerySolutions, fmt: ox.QueryResultsFormat) -> str:
    buffer = io.BytesIO()
    result.serialize(buffer, fmt)
    return buffer.getvalue().decode("utf-8")


def run_query(store: Store, text: str, fmt: str = "table") -> str:
    return render(store.query(text), fmt)
