"""What a SPARQL request does, decided from a parse of it, never from its text.

Every query the server runs is first parsed with a full SPARQL 1.1 grammar
(rdflib's parser). From the parse tree, not from the query text, come

* its form (``SELECT``, ``ASK``, ``CONSTRUCT``, ``DESCRIBE``), which picks the
  result formats;
* whether it is an update (refused: the endpoint is read-only);
* whether it has a ``SERVICE`` clause anywhere (refused: the endpoint never
  sends a request to another server);
* its dataset (``FROM`` / ``FROM NAMED``), resolved against its ``BASE`` and
  ``PREFIX`` declarations and handed to the engine explicitly, so the graphs a
  query reads are the graphs this parse found.

A query the parser cannot read is refused with its position, even where the
engine might have run it: the engine never evaluates a query that was not
parsed here first. Queries are parsed in the query worker processes (see
:mod:`alliance_ld.sparql`), so a costly parse is bounded by the query timeout
and the worker's memory cap, not paid by the web server.

Two limits are checked before parsing, because the cost of a parse grows with
them: the size of the query in bytes, and its nesting depth (brackets ``{``,
``(`` and ``[`` counted over the query's tokens, outside strings, IRIs and
comments). The depth count only guards cost: whatever it says, a query is run
only if the parser read it.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urljoin

from .errors import InputError, QuerySyntaxError

#: Default cap on the size of a query, in bytes of UTF-8.
MAX_QUERY_BYTES = 1_000_000
#: Default cap on bracket nesting.
MAX_QUERY_DEPTH = 64

FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT",
         "DescribeQuery": "DESCRIBE"}


class QueryRefusedError(InputError):
    """A well-formed query that this endpoint will not run (e.g. one with ``SERVICE``)."""


class ServiceRefusedError(QueryRefusedError):
    """A query with a ``SERVICE`` clause."""

    def __init__(self) -> None:
        super().__init__(
            "SERVICE is not supported: this endpoint never sends requests to other servers "
            "(federated queries are refused before evaluation)"
        )


class UpdateRefusedError(QueryRefusedError):
    """A SPARQL Update sent where a query was expected."""


class QueryLimitError(QueryRefusedError):
    """A query over the size or nesting limits."""


class QueryTooLargeError(QueryLimitError):
    def __init__(self, size: int, limit: int) -> None:
        self.size = size
        self.limit = limit
        super().__init__(f"the query is {size} bytes long; this endpoint accepts queries of up "
                         f"to {limit} bytes")


class QueryTooDeepError(QueryLimitError):
    def __init__(self, depth: int | None, limit: int, line: int | None = None,
                 column: int | None = None) -> None:
        self.depth = depth
        self.limit = limit
        where = f" (at line {line}, column {column})" if line is not None else ""
        nested = f"nested {depth} levels deep" if depth is not None else "nested too deeply"
        super().__init__(f"the query is {nested}{where}; this endpoint accepts brackets "
                         f"{{ }}, ( ) and [ ] nested up to {limit} levels")


@dataclass(frozen=True)
class QueryLimits:
    max_bytes: int = MAX_QUERY_BYTES
    max_depth: int = MAX_QUERY_DEPTH


@dataclass(frozen=True)
class QueryAnalysis:
    """What the parse found."""

    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    #: ``FROM`` graphs, resolved; ``None`` when the query has no dataset clause.
    default_graphs: tuple[str, ...] | None
    #: ``FROM NAMED`` graphs, resolved; ``None`` when the query has no dataset clause.
    named_graphs: tuple[str, ...] | None

    @property
    def has_dataset(self) -> bool:
        return self.default_graphs is not None


# ---------------------------------------------------------------------------
# The cost guard: nesting depth over tokens

_TOKENS = re.compile(
    r"""(?P<skip>
          \#[^\n\r]*                                        # comment
        | '''(?:[^'\\]|\\.|'(?!''))*(?:'''|$)
        | \"\"\"(?:[^"\\]|\\.|"(?!""))*(?:\"\"\"|$)
        | '(?:[^'\\\n\r]|\\.)*' | "(?:[^"\\\n\r]|\\.)*"    # strings
        | <[^<>"{}|^`\\\x00-\x20]*>                         # IRIs
        | (?:[A-Za-z0-9_\-.\u00b7-\uffff]|\\.)*:(?:[A-Za-z0-9_\-.:%\u00b7-\uffff]|\\.)*  # names
        )
      | (?P<open>[{(\[]) | (?P<close>[})\]])""",
    re.VERBOSE | re.DOTALL,
)


def nesting_depth(query: str, stop_above: int | None = None) -> tuple[int, int]:
    """The deepest bracket nesting of ``query``, and the offset where it is reached.

    Counting stops as soon as the depth exceeds ``stop_above``.
    """
    depth = deepest = where = 0
    for match in _TOKENS.finditer(query):
        if match.lastgroup == "open":
            depth += 1
            if depth > deepest:
                deepest, where = depth, match.start()
                if stop_above is not None and deepest > stop_above:
                    break
        elif match.lastgroup == "close":
            depth = max(0, depth - 1)
    return deepest, where


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def check_limits(query: str, limits: QueryLimits) -> None:
    """Refuse a query over the size or depth limits, before any parse."""
    size = len(query.encode("utf-8"))
    if size > limits.max_bytes:
        raise QueryTooLargeError(size, limits.max_bytes)
    depth, offset = nesting_depth(query, stop_above=limits.max_depth)
    if depth > limits.max_depth:
        line, column = _position(query, offset)
        raise QueryTooDeepError(None, limits.max_depth, line, column)


# ---------------------------------------------------------------------------
# The parse

#: The parser recurses about 20 Python frames per bracket level; a thread with a
#: large stack lets it read every query within the depth limit.
_PARSE_STACK_BYTES = 256 * 1024 * 1024
_RECURSION_LIMIT = 100_000
_T = TypeVar("_T")


def _with_deep_stack(function: Callable[[], _T]) -> _T:
    """Run ``function`` in a thread with a large stack and a high recursion limit."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = function()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller
            outcome["error"] = exc

    previous_stack = threading.stack_size()
    previous_limit = sys.getrecursionlimit()
    threading.stack_size(_PARSE_STACK_BYTES)
    sys.setrecursionlimit(max(previous_limit, _RECURSION_LIMIT))
    try:
        thread = threading.Thread(target=target, name="alliance-ld-parse")
        thread.start()
    finally:
        threading.stack_size(previous_stack)
    thread.join()
    sys.setrecursionlimit(previous_limit)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]  # type: ignore[no-any-return]


_PARSER_NOTE = ("every query is parsed here with a SPARQL 1.1 parser before it runs; "
                "a query that parser cannot read is not run")


def _syntax_error(exc: Any, query: str) -> QuerySyntaxError:
    """A parse failure: what was found where the parser got furthest, and what could come there.

    The expectations come from a second parse that records every token the grammar
    tried at the furthest position it reached (:func:`expectations`); should that
    fail, the message falls back to pyparsing's position and the text found there.
    """
    at_end_of_text = str(getattr(exc, "msg", "")) == "Expected end of text"
    try:
        furthest = _with_deep_stack(lambda: expectations(query))
    except Exception:  # noqa: BLE001 - the diagnosis is a courtesy; the error stands without it
        furthest = None
    if furthest is not None:
        where, expected = furthest
        if at_end_of_text and getattr(exc, "loc", None) == where:
            expected.append(_END)
        if expected:
            return QuerySyntaxError(
                f"found {_found(query, where)}; expected {_listed(expected)} ({_PARSER_NOTE})",
                *_position(query, where))
    line = getattr(exc, "lineno", None)
    column = getattr(exc, "col", None)
    loc = getattr(exc, "loc", None)
    snippet = ""
    if isinstance(loc, int) and 0 <= loc < len(query):
        snippet = query[loc:loc + 30].splitlines()[0] if query[loc:].strip() else ""
    if snippet:
        message = f"cannot read the query from here: {snippet!r}"
    else:
        message = "the query ends too early"
    if at_end_of_text:
        message = f"unexpected text after the end of the query: {snippet!r}"
    return QuerySyntaxError(f"{message} ({_PARSER_NOTE})", line, column)


# ---------------------------------------------------------------------------
# What the parser expected: the tokens it tried where it got furthest

_END = "the end of the query"
#: The grammar's named terminals (rdflib's names), said in words.
_TERMINAL_WORDS = {
    "VAR1": "a variable", "VAR2": "a variable",
    "IRIREF": "an IRI", "PNAME_LN": "a prefixed name", "PNAME_NS": "a prefix (such as ex:)",
    "STRING_LITERAL1": "a string", "STRING_LITERAL2": "a string",
    "STRING_LITERAL_LONG1": "a string", "STRING_LITERAL_LONG2": "a string",
    **{f"{kind}{sign}": "a number" for kind in ("INTEGER", "DECIMAL", "DOUBLE")
       for sign in ("", "_POSITIVE", "_NEGATIVE")},
    "BLANK_NODE_LABEL": "a blank node", "ANON": "a blank node", "NIL": "'()'",
    "LANGTAG": "a language tag", "A": "'a'",
    "VARNAME": "a name", "PN_PREFIX": "a name", "PN_LOCAL": "a name",
}
#: Said instead of each of the built-in functions, when many of them could come.
_FUNCTIONS = "a function such as STR(…) or REGEX(…)"
_PROLOGUE = ("BASE", "PREFIX")
_MOST_LISTED = 16
_TOKEN = re.compile(r"""[?$][^\s{}().,;]*|<[^>\s]*>?|"[^"\n]*"?|'[^'\n]*'?"""
                    r"|[A-Za-z_][\w-]*(?::[\w.-]*)?|\d+(?:\.\d+)?|\S")


@dataclass(frozen=True)
class _Grammar:
    terminals: tuple[tuple[Any, str], ...]  # (parser element, what it is in words)
    functions: frozenset[str]


_grammar: _Grammar | None = None
_diagnosing = threading.local()
_diagnosis_lock = threading.Lock()


def _label(element: Any, name: str | None) -> str | None:
    from pyparsing import Keyword, Literal

    if name is not None:
        return _TERMINAL_WORDS.get(name, name.lower().replace("_", " "))
    if isinstance(element, Keyword):
        return str(element.match)
    if isinstance(element, Literal):
        return f"'{element.match}'"
    return None


def _leaves(root: Any, names: dict[int, str]) -> list[Any]:
    """The terminals below ``root``: leaves, and the grammar's named terminals as wholes."""
    seen: set[int] = set()
    found: list[Any] = []
    stack = [root]
    while stack:
        element = stack.pop()
        if id(element) in seen:
            continue
        seen.add(id(element))
        children = [] if id(element) in names else element.recurse()
        if children:
            stack.extend(reversed(children))
        else:
            found.append(element)
    return found


def _the_grammar() -> _Grammar:
    global _grammar
    if _grammar is None:
        from pyparsing import ParserElement
        from rdflib.plugins.sparql import parser

        names = {id(value): name for name, value in vars(parser).items()
                 if isinstance(value, ParserElement) and name.isupper()}
        terminals = tuple((leaf, label) for leaf in _leaves(parser.Query, names)
                          if (label := _label(leaf, names.get(id(leaf)))) is not None)
        # the functions' names: the keywords of their calls, not of their arguments
        arguments = {id(e): "" for e in (parser.Expression, parser.GroupGraphPattern,
                                         parser.ExpressionList, parser.Var)}
        functions = frozenset(
            label for root in (parser.BuiltInCall, parser.Aggregate)
            for leaf in _leaves(root, {**names, **arguments})
            if id(leaf) not in arguments
            and (label := _label(leaf, names.get(id(leaf)))) and label[0].isalpha()
            and label not in ("DISTINCT", "SEPARATOR"))
        _grammar = _Grammar(terminals, functions)
    return _grammar


def _record_failure(instring: str, loc: int, element: Any, exc: Exception) -> None:
    record = getattr(_diagnosing, "record", None)
    if record is None:  # another thread's parse, while this one diagnoses
        return
    if loc > record["loc"]:
        record["loc"], record["expected"] = loc, []
    if loc == record["loc"]:
        label = record["labels"].get(id(element))
        if label is not None and label not in record["expected"]:
            record["expected"].append(label)


def expectations(query: str) -> tuple[int, list[str]] | None:
    """Where the parser got furthest in ``query``, and what it tried there (in words).

    The query is parsed again with every terminal of the grammar reporting its
    failures; ``None`` if it parses (then there is nothing to say).
    """
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import Query

    grammar = _the_grammar()
    record: dict[str, Any] = {"loc": -1, "expected": [],
                              "labels": {id(e): label for e, label in grammar.terminals}}
    with _diagnosis_lock:
        saved = [(element, element.failAction) for element, _ in grammar.terminals]
        for element, _ in grammar.terminals:
            element.failAction = _record_failure
        _diagnosing.record = record
        try:
            Query.parse_string(query, parse_all=True)
            return None
        except ParseBaseException:
            pass
        finally:
            _diagnosing.record = None
            for element, action in saved:
                element.failAction = action
    if record["loc"] < 0:
        return None
    return record["loc"], _tidy(record["expected"], grammar.functions)


def _tidy(expected: list[str], functions: frozenset[str]) -> list[str]:
    """Say each thing once, the built-in functions as one, the prologue last."""
    listed: list[str] = []
    named_functions = [e for e in expected if e in functions]
    for item in expected:
        if len(named_functions) > 3 and item in functions:
            item = _FUNCTIONS
        if item not in listed:
            listed.append(item)
    # parts of a prefixed name the grammar tries on their own: said by the whole
    if "a prefixed name" in listed or "a prefix (such as ex:)" in listed:
        listed = [item for item in listed if item not in ("a name", "':'")]
    if "a prefixed name" in listed and "a prefix (such as ex:)" in listed:
        listed.remove("a prefix (such as ex:)")
    if "'('" in listed and "'()'" in listed:
        listed.remove("'()'")
    return sorted(listed, key=lambda item: item in _PROLOGUE)


def _found(query: str, loc: int) -> str:
    rest = query[loc:]
    if not rest.strip():
        return _END
    if rest[0] in "\r\n":
        return "a line break"
    if rest[0].isspace():
        return "a space"
    match = _TOKEN.match(rest)
    token = match.group(0) if match else rest[:1]
    return repr(token[:40] + ("…" if len(token) > 40 else ""))


def _listed(expected: list[str]) -> str:
    if len(expected) == 1:
        return expected[0]
    shown = expected[:_MOST_LISTED]
    more = ", …" if len(expected) > _MOST_LISTED else ""
    return "one of " + ", ".join(shown) + more


def _field(node: Any, name: str) -> Any:
    """A field of a parse-tree node, or ``None`` (rdflib's ``CompValue.get`` returns the name)."""
    return dict.get(node, name)


def _walk(node: Any) -> Iterator[Any]:
    """Every node of a parse tree (iteratively: trees may be deep)."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack: list[Any] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            yield item
            stack.extend(dict.values(item))
        elif isinstance(item, (list, tuple, ParseResults)):
            stack.extend(item)


def _resolve(iri: Any, prefixes: dict[str, str], base: str | None) -> str:
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(iri, CompValue) and iri.name == "pname":
        prefix = str(_field(iri, "prefix") or "")
        if prefix not in prefixes:
            raise QuerySyntaxError(f"undeclared prefix {prefix + ':'!r} in FROM")
        return prefixes[prefix] + str(_field(iri, "localname") or "")
    text = str(iri)
    return urljoin(base, text) if base else text


def _prologue(declarations: Any, base: str | None) -> tuple[dict[str, str], str | None]:
    prefixes: dict[str, str] = {}
    for declaration in declarations:
        if declaration.name == "Base":
            base = urljoin(base, str(declaration.iri)) if base else str(declaration.iri)
        elif declaration.name == "PrefixDecl":
            iri = str(declaration.iri)
            prefixes[str(_field(declaration, "prefix") or "")] = urljoin(base, iri) if base else iri
    return prefixes, base


class _ServiceFound(Exception):  # noqa: N818 - a signal, not an error
    """Raised from inside the parser at the first complete ``SERVICE`` pattern."""


_service_hook_installed = False


def _install_service_hook() -> None:
    """Stop the parse at the first ``SERVICE`` pattern the parser completes.

    rdflib's parser, on completing a ``ServiceGraphPattern``, searches the whole
    query text again for the pattern's source (to keep it for federation): with
    nested ``SERVICE`` clauses that search repeats at every level and a 90-byte
    query takes minutes. The endpoint refuses any ``SERVICE``, so its completion
    ends the parse instead. A pattern completed while the parser explores an
    alternative it later drops is refused too: refusing never lets more through.
    """
    global _service_hook_installed
    if _service_hook_installed:
        return
    from rdflib.plugins.sparql import parser

    def refuse(instring: str, loc: int, tokens: Any) -> Any:
        raise _ServiceFound

    parser.ServiceGraphPattern.postParse = refuse  # type: ignore[method-assign,assignment]
    _service_hook_installed = True


_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def expand_codepoint_escapes(query: str) -> str:
    """Decode ``\\uXXXX`` and ``\\UXXXXXXXX`` once, as SPARQL 1.1 (19.2) says, before parsing.

    Exactly four or eight hexadecimal digits: rdflib's own expansion takes eight
    after ``\\u`` when it can, and would read ``\\u00383602`` otherwise than the
    engine does, so the parser is handed this expansion instead.
    """

    def expand(match: re.Match[str]) -> str:
        digits = match[1] or match[2]
        code = int(digits, 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            line, column = _position(query, match.start())
            raise QuerySyntaxError(f"\\{'u' if match[1] else 'U'}{digits} is not a Unicode "
                                   "scalar value", line, column)
        return chr(code)

    return _CODEPOINT.sub(expand, query)


def analyse(query: str, base_iri: str | None = None,
            limits: QueryLimits | None = None) -> QueryAnalysis:
    """Parse ``query`` and say what it does; refuse what this endpoint does not run.

    Raises :class:`QueryLimitError`, :class:`QuerySyntaxError`,
    :class:`UpdateRefusedError` or :class:`ServiceRefusedError`.
    """
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import Query, UpdateUnit

    limits = limits or QueryLimits()
    check_limits(query, limits)
    _install_service_hook()
    text = expand_codepoint_escapes(query)
    try:
        parsed = _with_deep_stack(lambda: Query.parse_string(text, parse_all=True))
    except _ServiceFound as exc:
        raise ServiceRefusedError() from exc
    except RecursionError as exc:
        raise QueryTooDeepError(None, limits.max_depth) from exc
    except ParseBaseException as exc:
        error = _syntax_error(exc, text)
        try:
            _with_deep_stack(lambda: UpdateUnit.parse_string(text, parse_all=True))
        except (ParseBaseException, RecursionError):
            raise error from exc
        except _ServiceFound:
            pass  # an update with SERVICE is still an update: refused as one
        raise UpdateRefusedError(
            "this is a SPARQL Update, not a query: this endpoint is read-only"
        ) from exc
    prologue, body = parsed[0], parsed[1]
    for node in _walk(body):
        if node.name == "ServiceGraphPattern":
            raise ServiceRefusedError()
    form = FORMS.get(body.name)
    if form is None:  # not reached: the grammar has these four forms
        raise QuerySyntaxError(f"unknown query form {body.name}")
    clauses = _field(body, "datasetClause")
    default: tuple[str, ...] | None = None
    named: tuple[str, ...] | None = None
    if clauses:
        prefixes, base = _prologue(prologue, base_iri)
        default = tuple(_resolve(_field(c, "default"), prefixes, base) for c in clauses
                        if _field(c, "default") is not None)
        named = tuple(_resolve(_field(c, "named"), prefixes, base) for c in clauses
                      if _field(c, "named") is not None)
    return QueryAnalysis(form, default, named)
