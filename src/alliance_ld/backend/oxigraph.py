"""The Oxigraph back end (``pyoxigraph``): in memory, or an on-disk store folder.

Parsing, SPARQL evaluation and result serialisation happen in Rust. Results
are capped here, in the process that evaluates them, in rows and in bytes,
so a caller never holds more than the caps allow.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox
from rdflib.term import BNode, Literal, URIRef

from ..errors import QuerySyntaxError
from . import Backend, QueryOutcome, QueryRequest, Row, Term, Triple

T = TypeVar("T")

SPARQL_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_QUERY_POSITION = re.compile(r"^error at (\d+):(\d+): ")


def _syntax_error(exc: SyntaxError) -> QuerySyntaxError:
    message = str(exc)
    match = _QUERY_POSITION.match(message)
    if match:
        return QuerySyntaxError(message[match.end():], int(match[1]), int(match[2]))
    return QuerySyntaxError(message)


XSD_STRING_IRI = XSD_STRING


def neutral(term: Any) -> Term:
    """An Oxigraph term as the seam's neutral (rdflib) term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == XSD_STRING_IRI:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)
    raise TypeError(f"no neutral term for {term!r}")


def _dataset(default_graphs: Sequence[str] | None,
             named_graphs: Sequence[str] | None) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    if default_graphs is None:
        kwargs["use_default_graph_as_union"] = True
    else:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
    if named_graphs is not None:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    return kwargs


class OxigraphBackend(Backend):
    """An Oxigraph store, in memory or in a folder."""

    def __init__(self, store: ox.Store, version: str = "") -> None:
        self.store = store
        self._version = version or uuid.uuid4().hex

    @classmethod
    def from_nquads(cls, nquads: bytes, version: str = "") -> OxigraphBackend:
        store = ox.Store()
        if nquads:
            store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
        return cls(store, version)

    @classmethod
    def open_read_only(cls, path: str | Path, version: str = "") -> OxigraphBackend:
        return cls(ox.Store.read_only(str(path)), version)

    def evaluate(self, request: QueryRequest) -> QueryOutcome:
        return evaluate(self.store, request)

    def _run(self, query: str, default_graphs: Sequence[str] | None,
             named_graphs: Sequence[str] | None) -> Any:
        try:
            return self.store.query(query, **_dataset(default_graphs, named_graphs))
        except SyntaxError as exc:
            raise _syntax_error(exc) from exc

    def select(self, query: str, *, default_graphs: Sequence[str] | None = None,
               named_graphs: Sequence[str] | None = None) -> list[Row]:
        result = self._run(query, default_graphs, named_graphs)
        if not isinstance(result, ox.QuerySolutions):
            raise TypeError("select() needs a SELECT query")
        names = [v.value for v in result.variables]
        rows: list[Row] = []
        for solution in result:
            row: Row = {}
            for name in names:
                value = solution[name]
                if value is not None:
                    row[name] = neutral(value)
            rows.append(row)
        return rows

    def construct(self, query: str, *, default_graphs: Sequence[str] | None = None,
                  named_graphs: Sequence[str] | None = None) -> list[Triple]:
        result = self._run(query, default_graphs, named_graphs)
        if not isinstance(result, ox.QueryTriples):
            raise TypeError("construct() needs a CONSTRUCT or DESCRIBE query")
        return [(neutral(t.subject), neutral(t.predicate), neutral(t.object))  # type: ignore[misc]
                for t in result]

    def ask(self, query: str, *, default_graphs: Sequence[str] | None = None,
            named_graphs: Sequence[str] | None = None) -> bool:
        result = self._run(query, default_graphs, named_graphs)
        if not isinstance(result, ox.QueryBoolean):
            raise TypeError("ask() needs an ASK query")
        return bool(result)

    def update(self, sparql: str) -> None:
        try:
            self.store.update(sparql)
        except SyntaxError as exc:
            raise _syntax_error(exc) from exc
        self._version = uuid.uuid4().hex

    def dump(self, media_type: str, graph: str | None = None,
             prefixes: Mapping[str, str] | None = None) -> Iterator[bytes]:
        fmt = ox.RdfFormat.from_media_type(media_type)
        if fmt is None:
            raise ValueError(f"no RDF serialiser for {media_type}")
        buffer = io.BytesIO()
        kwargs: dict[str, Any] = {}
        if prefixes and fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML):
            kwargs["prefixes"] = dict(prefixes)
        if graph is not None:
            kwargs["from_graph"] = ox.NamedNode(graph)
        self.store.dump(buffer, format=fmt, **kwargs)
        yield buffer.getvalue()

    def version(self) -> str:
        return self._version

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs()
                      if isinstance(g, ox.NamedNode))

    def count(self, graph: str | None = None) -> int:
        if graph is None:
            return len(self.store)
        name = ox.NamedNode(graph).value
        result = self.store.query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}")
        assert isinstance(result, ox.QuerySolutions)
        return int(next(iter(result))["n"].value)


def _json_term(term: Any) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": str(term)}


def _xml_term(term: Any) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        attrs = ""
        if term.language:
            attrs = f" xml:lang={quoteattr(term.language)}"
        elif term.datatype.value != XSD_STRING:
            attrs = f" datatype={quoteattr(term.datatype.value)}"
        return f"<literal{attrs}>{escape(term.value)}</literal>"
    return f"<literal>{escape(str(term))}</literal>"


def _csv_value(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(getattr(term, "value", term))


def serialize_solutions(variables: list[str], rows: list[list[Any]], media_type: str,
                        link: str | None) -> bytes:
    if media_type == "application/sparql-results+json":
        head: dict[str, Any] = {"vars": variables}
        if link:
            head["link"] = [link]
        bindings = [{v: _json_term(t) for v, t in zip(variables, row, strict=True)
                     if t is not None} for row in rows]
        body = {"head": head, "results": {"bindings": bindings}}
        return json.dumps(body, ensure_ascii=False).encode("utf-8")
    if media_type == "application/sparql-results+xml":
        out = ['<?xml version="1.0"?>', f'<sparql xmlns="{SPARQL_RESULTS_NS}">', "<head>"]
        out += [f"<variable name={quoteattr(v)}/>" for v in variables]
        if link:
            out.append(f"<link href={quoteattr(link)}/>")
        out += ["</head>", "<results>"]
        for row in rows:
            out.append("<result>")
            out += [f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                    for v, t in zip(variables, row, strict=True) if t is not None]
            out.append("</result>")
        out += ["</results>", "</sparql>"]
        return ("\n".join(out) + "\n").encode("utf-8")
    if media_type == "text/csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(variables)
        writer.writerows([_csv_value(t) for t in row] for row in rows)
        return buffer.getvalue().encode("utf-8")
    if media_type == "text/tab-separated-values":
        lines = ["\t".join("?" + v for v in variables)]
        lines += ["\t".join("" if t is None else str(t) for t in row) for row in rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise ValueError(f"no SPARQL results serialiser for {media_type}")


def serialize_boolean(result: ox.QueryBoolean, media_type: str) -> bytes:
    buffer = io.BytesIO()
    fmt = ox.QueryResultsFormat.from_media_type(media_type)
    if fmt is None:
        raise ValueError(f"no SPARQL results serialiser for {media_type}")
    result.serialize(buffer, fmt)
    return buffer.getvalue()


def serialize_triples(triples: list[ox.Triple], media_type: str,
                      prefixes: dict[str, str]) -> bytes:
    fmt = ox.RdfFormat.from_media_type(media_type)
    if fmt is None:
        raise ValueError(f"no RDF serialiser for {media_type}")
    data: list[Any] = triples
    if fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
        data = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    kwargs: dict[str, Any] = {}
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML):
        kwargs["prefixes"] = prefixes
    return bytes(ox.serialize(data, format=fmt, **kwargs))  # type: ignore[arg-type]


def _term_size(term: Any) -> int:
    """About how many bytes a term takes once serialised."""
    if term is None:
        return 0
    if isinstance(term, ox.Literal):
        return 32 + len(term.value) + len(term.datatype.value) + len(term.language or "")
    if isinstance(term, ox.Triple):
        return 8 + sum(_term_size(t) for t in (term.subject, term.predicate, term.object))
    return 32 + len(getattr(term, "value", ""))


def solution_rows(result: ox.QuerySolutions) -> tuple[list[str], Iterator[list[Any]]]:
    """The variables of ``result`` and its rows (terms in the variables' order)."""
    variables = [v.value for v in result.variables]
    return variables, ([solution[v] for v in variables] for solution in result)


def take_capped(items: Iterable[T], max_items: int, max_bytes: int,
                size_of: Callable[[T], int]) -> tuple[list[T], bool]:
    """The first items of ``items`` within both caps, and whether any were left out.

    The one place that cuts a result: rows of solutions and triples, in memory and
    from a remote store alike (the byte count is an estimate of the serialised
    size, see :func:`_term_size`).
    """
    taken: list[T] = []
    size = 0
    for item in items:
        size += size_of(item)
        if len(taken) == max_items or size > max_bytes:
            return taken, True
        taken.append(item)
    return taken, False


def row_size(row: list[Any]) -> int:
    return sum(_term_size(t) for t in row) + 8


class _TooLargeError(Exception):
    """A result passed the byte cap while the engine was writing it."""


class _CappedWriter:
    """A binary sink for the engine's writers that refuses to grow past ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.buffer = bytearray()

    def write(self, data: bytes) -> int:
        if len(self.buffer) + len(data) > self.limit:
            raise _TooLargeError
        self.buffer += data
        return len(data)

    def flush(self) -> None:
        pass


def _rows_in(body: bytes, fmt: ox.QueryResultsFormat) -> int:
    if fmt == ox.QueryResultsFormat.CSV:  # not readable back as RDF terms: count its records
        return max(0, sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8")))) - 1)
    parsed = ox.parse_query_results(body, fmt)
    assert isinstance(parsed, ox.QuerySolutions)
    count = 0
    for _ in parsed:
        count += 1
    return count


def _engine_solutions(result: ox.QuerySolutions, media_type: str,
                      request: QueryRequest) -> QueryOutcome | None:
    """The solutions written by the engine's own writer, if they fit both caps.

    About 5x faster than writing them row by row in Python (24,000 rows as SPARQL
    JSON: 0.53 s against 2.5 s, counting included). ``None`` when the result is
    past a cap: the caller evaluates again and cuts it (the cut needs the rows).
    """
    fmt = ox.QueryResultsFormat.from_media_type(media_type)
    if fmt is None:
        return None
    sink = _CappedWriter(request.max_bytes)
    try:
        result.serialize(sink, fmt)  # type: ignore[arg-type]
    except _TooLargeError:
        return None
    body = bytes(sink.buffer)
    rows = _rows_in(body, fmt)
    if rows > request.max_rows:
        return None
    return QueryOutcome("solutions", media_type, body, rows, False)


def evaluate(store: ox.Store, request: QueryRequest) -> QueryOutcome:
    """Run one query on ``store`` and serialise its result, capped in rows and bytes.

    The query must have passed :func:`alliance_ld.query_analysis.analyse`: its
    dataset comes from that parse (see :func:`alliance_ld.sparql.query_dataset`),
    never from the engine's reading of the query.
    """
    kwargs: dict[str, Any] = {"base_iri": request.base_iri}
    if request.default_graphs is None:
        kwargs["use_default_graph_as_union"] = True
    else:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in request.default_graphs]
    if request.named_graphs is not None:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in request.named_graphs]
    try:
        result = store.query(request.query, **kwargs)
    except SyntaxError as exc:
        raise _syntax_error(exc) from exc
    cap, budget = request.max_rows, request.max_bytes
    if isinstance(result, ox.QueryBoolean):
        media = request.results_media_type or "application/sparql-results+json"
        return QueryOutcome("boolean", media, serialize_boolean(result, media), 1, False)
    if isinstance(result, ox.QuerySolutions):
        media = request.results_media_type or "application/sparql-results+json"
        written = _engine_solutions(result, media, request)
        if written is not None:
            return written
        result = store.query(request.query, **kwargs)  # past a cap: again, cut in Python
        assert isinstance(result, ox.QuerySolutions)
        variables, all_rows = solution_rows(result)
        rows, truncated = take_capped(all_rows, cap, budget, row_size)
        link = request.truncation_link if truncated else None
        return QueryOutcome("solutions", media,
                            serialize_solutions(variables, rows, media, link), len(rows),
                            truncated)
    triples, truncated = take_capped(result, cap, budget, _term_size)
    media = request.graph_media_type or "text/turtle"
    return QueryOutcome("graph", media, serialize_triples(triples, media, request.prefixes),
                        len(triples), truncated)


