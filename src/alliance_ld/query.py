"""Running SPARQL queries from the command line and rendering their results."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .backend import QueryRequest
from .errors import MissingInputError
from .query_analysis import analyse
from .sparql import query_dataset
from .store import Store

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


#: The command line's formats, as the endpoint's media types.
_RESULT_TYPES = {"table": "application/sparql-results+json",
                 "json": "application/sparql-results+json", "csv": "text/csv"}
#: No cap from the command line: the user asked for the whole answer.
_UNCAPPED = 2**62


def _cell(term: dict[str, str] | None) -> str:
    if term is None:
        return ""
    if term["type"] == "bnode":
        return f"_:{term['value']}"
    return term["value"]


def _table(body: bytes) -> str:
    """SPARQL JSON results as an aligned text table (or ``true``/``false``)."""
    results = json.loads(body)
    if "boolean" in results:
        return ("true" if results["boolean"] else "false") + "\n"
    variables: list[str] = results["head"]["vars"]
    rows = [[_cell(binding.get(v)) for v in variables]
            for binding in results["results"]["bindings"]]
    widths = [max([len(v) + 1] + [len(r[i]) for r in rows]) for i, v in enumerate(variables)]
    lines = ["  ".join(("?" + v).ljust(w) for v, w in zip(variables, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(line.rstrip() for line in lines) + "\n"


def run_query(store: Store, text: str, fmt: str = "table") -> str:
    """Answer a query exactly as the endpoint does, and render it for the terminal.

    The same parse (:func:`alliance_ld.query_analysis.analyse`: refusals, the
    dataset of ``FROM``/``FROM NAMED``), the same dataset semantics
    (:func:`alliance_ld.sparql.query_dataset`), the same back end and result
    writers; only the caps are off. CONSTRUCT and DESCRIBE print N-Triples.
    """
    analysis = analyse(text)
    default_graphs, named_graphs = query_dataset(analysis, [], [])
    # CSV has no form for a boolean: an ASK is answered in JSON, then printed as the table does.
    media = _RESULT_TYPES["json" if analysis.form == "ASK" else fmt]
    request = QueryRequest(
        query=text, results_media_type=media, graph_media_type="application/n-triples",
        default_graphs=default_graphs, named_graphs=named_graphs,
        max_rows=_UNCAPPED, max_bytes=_UNCAPPED, form=analysis.form)
    outcome = store.backend().evaluate(request)
    if outcome.kind != "graph" and (fmt == "table" or outcome.kind == "boolean" and fmt == "csv"):
        return _table(outcome.body)
    return outcome.body.decode("utf-8").rstrip("\n") + "\n"
