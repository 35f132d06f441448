"""Named queries with typed parameters: declared in the query file, checked, bound safely.

A query file of ``queries/`` may declare parameters in its header comment, one a line::

    # @param date xsd:date  The date to look at (YYYY-MM-DD)
    # @param organisation iri = https://w3id.org/alliance-ld/id/alliance/nato  The organisation

``name`` is the query's variable (``?date``), the type one of :data:`TYPES`, the
optional ``= value`` a default (a parameter without one is required), and the rest
the description shown in ``/queries``, the OpenAPI description and the errors.

A value from a request is checked against its type (:func:`parse_value`: a wrong
one is a :class:`ParameterError`, 400, naming the parameter and what it expects)
and written as an RDF term by this module, never copied into the query as text:
an IRI must be an absolute IRI with none of the characters SPARQL forbids in one,
a date or a number is matched in full by its lexical pattern, a string is escaped.
The terms are bound with one ``VALUES`` row placed as the first element of the
query's outermost group (:func:`bind`), a position found at load time in our own
query file, not in anything a client sends. Since a group's ``FILTER`` and ``BIND``
see every variable of the group, the parameter is bound wherever the query's
outermost group uses it; a parameter may not be used only inside a sub-query (the
tests check every shipped file). The bound query then takes the endpoint's path
(parsed in a worker, the same caps, caches and back ends as ``/sparql``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .backend.writers import check_iri
from .errors import InputError, shown_input
from .resources import QUERIES_DIR

XSD = "http://www.w3.org/2001/XMLSchema#"

#: Parameter types: name -> (what a value must look like, for the messages).
TYPES: dict[str, str] = {
    "xsd:date": "a date, YYYY-MM-DD",
    "xsd:gYear": "a year, YYYY",
    "xsd:integer": "an integer, such as 42",
    "xsd:string": "a text",
    "iri": "an absolute IRI, such as https://w3id.org/alliance-ld/id/alliance/nato",
}
#: OpenAPI schema of each type.
SCHEMAS: dict[str, dict[str, str]] = {
    "xsd:date": {"type": "string", "format": "date"},
    "xsd:gYear": {"type": "string", "pattern": "^[0-9]{4}$"},
    "xsd:integer": {"type": "integer"},
    "xsd:string": {"type": "string"},
    "iri": {"type": "string", "format": "iri"},
}

_DECLARATION = re.compile(
    r"@param\s+(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<type>\S+)"
    r"(?:\s*=\s*(?P<default>\S+))?\s*(?P<description>.*)$")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_YEAR = re.compile(r"[0-9]{4}")
_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")
#: What SPARQL's IRIREF production forbids between < and >.
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')


class ParameterError(InputError):
    """A named query's parameter is missing, unknown, or not of its type."""


class QueryFileError(ValueError):
    """A query file whose parameters cannot be bound (a fault of the file, at load time)."""


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: str | None
    description: str

    @property
    def required(self) -> bool:
        return self.default is None

    @property
    def expects(self) -> str:
        return TYPES[self.type]


def declared_parameters(comments: list[str], source: str = "query") -> list[Parameter]:
    """The ``@param`` lines of a header comment (its lines without ``#``)."""
    found: list[Parameter] = []
    for line in comments:
        match = _DECLARATION.search(line)
        if match is None:
            if "@param" in line:
                raise QueryFileError(f"{source}: cannot read the declaration {line!r}; write "
                                     "'@param NAME TYPE [= DEFAULT] DESCRIPTION'")
            continue
        kind = match["type"]
        if kind not in TYPES:
            raise QueryFileError(f"{source}: parameter {match['name']!r} has the unknown type "
                                 f"{kind!r}; types: {', '.join(TYPES)}")
        parameter = Parameter(match["name"], kind, match["default"],
                              match["description"].strip())
        if parameter.default is not None:
            try:
                parse_value(parameter, parameter.default)
            except ParameterError as exc:
                raise QueryFileError(f"{source}: the default is wrong: {exc}") from exc
        if any(p.name == parameter.name for p in found):
            raise QueryFileError(f"{source}: parameter {parameter.name!r} is declared twice")
        found.append(parameter)
    return found


def parse_value(parameter: Parameter, value: str) -> str:
    """``value`` as a SPARQL term of the parameter's type; :class:`ParameterError` if not."""
    def wrong(why: str = "") -> ParameterError:
        return ParameterError(
            f"parameter {parameter.name!r}: expected {parameter.expects}, got "
            f"{shown_input(value)}{why}")

    kind = parameter.type
    if kind == "xsd:date":
        if not _DATE.fullmatch(value):
            raise wrong()
        try:
            date.fromisoformat(value)
        except ValueError as exc:
            raise wrong(f" ({exc})") from exc
        return f'"{value}"^^<{XSD}date>'
    if kind == "xsd:gYear":
        if not _YEAR.fullmatch(value):
            raise wrong()
        return f'"{value}"^^<{XSD}gYear>'
    if kind == "xsd:integer":
        if not _INTEGER.fullmatch(value):
            raise wrong()
        return f'"{int(value)}"^^<{XSD}integer>'
    if kind == "xsd:string":
        escaped = (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
                   .replace("\r", "\\r"))
        return f'"{escaped}"'
    if _NOT_IN_IRI.search(value) or not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", value):
        raise wrong()
    try:
        check_iri(value)
    except ValueError as exc:
        raise wrong(f" ({exc})") from exc
    return f"<{value}>"


def _top_level_groups(text: str) -> tuple[list[int], str]:
    """Offsets just after each ``{`` at depth 0, and the text outside comments, IRIs and
    strings that comes before the first one."""
    opened: list[int] = []
    head: list[str] = []
    depth, i, n = 0, 0, len(text)
    while i < n:
        char = text[i]
        if char == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if char == "<" and re.match(r"<[^\s<>\"{}|^`\\]*>", text[i:]):
            i = text.index(">", i) + 1
            continue
        if char in "\"'":
            quote = text[i:i + 3] if text[i:i + 3] in ('"""', "'''") else char
            i += len(quote)
            while i < n and not text.startswith(quote, i):
                i += 2 if text[i] == "\\" else 1
            i += len(quote)
            continue
        if char == "{":
            if depth == 0:
                opened.append(i + 1)
            depth += 1
        elif char == "}":
            depth -= 1
        elif not opened:
            head.append(char)
        i += 1
    return opened, "".join(head)


def outer_group(text: str) -> int:
    """The offset just after the ``{`` that opens the query's outermost group pattern
    (its ``WHERE`` clause; a ``CONSTRUCT`` template before it is skipped).

    Comments, IRIs and strings are skipped, so a brace inside them is not taken.
    """
    opened, head = _top_level_groups(text)
    words = head.upper().split()
    if words[-2:] == ["CONSTRUCT", "WHERE"]:
        raise QueryFileError("CONSTRUCT WHERE { ... } holds triple patterns only: write the "
                             "template and the WHERE clause to bind parameters")
    skip = 1 if "CONSTRUCT" in words and words[-1:] != ["WHERE"] else 0
    if len(opened) <= skip:
        raise QueryFileError("the query has no group pattern ({ ... }) to bind parameters in")
    return opened[skip]


def bind(text: str, parameters: list[Parameter], values: Mapping[str, str]) -> str:
    """``text`` with one ``VALUES`` row of the parameters' terms opening its outermost group.

    ``values`` are the request's raw values by name; missing ones take their default
    (:class:`ParameterError` for a required one), unknown names are refused.
    """
    unknown = sorted(set(values) - {p.name for p in parameters})
    if unknown:
        known = ", ".join(p.name for p in parameters) or "none"
        raise ParameterError(f"unknown parameter {shown_input(unknown[0])}; this query takes: "
                             f"{known}")
    if not parameters:
        return text
    terms = []
    for parameter in parameters:
        value = values.get(parameter.name, parameter.default)
        if value is None:
            raise ParameterError(f"parameter {parameter.name!r} is required: "
                                 f"{parameter.description or parameter.expects}")
        terms.append(parse_value(parameter, value))
    at = outer_group(text)
    names = " ".join("?" + p.name for p in parameters)
    row = " ".join(terms)
    return f"{text[:at]}\n  VALUES ({names}) {{ ({row}) }}{text[at:]}"


@dataclass(frozen=True)
class NamedQuery:
    name: str
    question: str
    description: str
    kind: str  # "competency", "quality" or "parameterised"
    text: str
    parameters: tuple[Parameter, ...] = ()


def parse_query_file(path: Path) -> NamedQuery:
    """A query file with its header comment: first line the question, the rest notes."""
    text = path.read_text(encoding="utf-8")
    comments: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            break
        comments.append(stripped.lstrip("#").strip())
    first = comments[0] if comments else ""
    head, sep, rest = first.partition(":")
    if sep and head.strip() and " " not in head.strip():
        first = rest.strip()  # "cq01: Which nations …" → "Which nations …"
    name = path.stem
    parameters = tuple(declared_parameters(comments, str(path)))
    kind = ("quality" if name.endswith("-violation")
            else "parameterised" if parameters else "competency")
    description = " ".join(c for c in comments[1:] if c and "@param" not in c)
    if parameters:
        # the file must bind: a group to open with VALUES, each parameter used in it
        outer_group(text)
        for parameter in parameters:
            if not re.search(rf"[?$]{parameter.name}\b", text):
                raise QueryFileError(f"{path}: parameter {parameter.name!r} is declared but "
                                     f"the query has no ?{parameter.name}")
    return NamedQuery(name, first or name, description, kind, text, parameters)


def load_queries(folder: Path = QUERIES_DIR) -> dict[str, NamedQuery]:
    """Every ``*.rq`` file of ``folder``, by name (competency questions first)."""
    if not folder.is_dir():
        return {}
    found = [parse_query_file(p) for p in sorted(folder.glob("*.rq"))]
    order = {"parameterised": 0, "competency": 1, "quality": 2}
    found.sort(key=lambda q: (order[q.kind], q.name))
    return {q.name: q for q in found}
