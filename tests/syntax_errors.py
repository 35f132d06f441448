"""Common SPARQL mistakes and what the error must say about each: where, what was found,
what could come there. Shared by the endpoint's tests and the command line's."""

from __future__ import annotations

#: (id, query, line, column, found, expected)
SYNTAX_ERRORS: list[tuple[str, str, int, int, str, str]] = [
    ("misspelt-form", "SELEC * WHERE {", 1, 1, "'SELEC'",
     "one of SELECT, CONSTRUCT, DESCRIBE, ASK, BASE, PREFIX"),
    ("unclosed-brace", "SELECT * WHERE { ?s ?p ?o ", 1, 27, "the end of the query",
     "one of ',', ';', '.', '{', OPTIONAL, MINUS, GRAPH, SERVICE, FILTER, BIND, VALUES, '}'"),
    ("missing-dot", "SELECT * WHERE {\n  ?s ?p ?o\n  ?o ?q ?r\n}", 3, 3, "'?o'",
     "one of ',', ';', '.', '{', OPTIONAL, MINUS, GRAPH, SERVICE, FILTER, BIND, VALUES, '}'"),
    ("missing-object", "SELECT * WHERE { ?s ?p }", 1, 24, "'}'",
     "one of a variable, an IRI, a prefixed name, a string, a number, true, false, "
     "a blank node, '(', '['"),
    ("missing-variable", "SELECT WHERE { ?s ?p ?o }", 1, 8, "'WHERE'",
     "one of DISTINCT, REDUCED, a variable, '(', '*'"),
    ("misspelt-modifier", "SELECT * WHERE { ?s ?p ?o } LIMT 5", 1, 29, "'LIMT'",
     "one of GROUP, HAVING, ORDER, LIMIT, OFFSET, VALUES, the end of the query"),
    ("order-without-by", "SELECT ?s WHERE { ?s ?p ?o } ORDER ?s", 1, 36, "'?s'", "BY"),
    ("prefix-without-colon", "PREFIX ex <http://example.org/>\nSELECT * {}", 1, 10, "a space",
     "':'"),
    ("unclosed-filter", 'SELECT * WHERE { ?s ?p ?o FILTER(?o = "x" }', 1, 43, "'}'",
     "one of '*', '/', '+', '-', '&&', '||', ')'"),
]


def message(line: int, column: int, found: str, expected: str) -> str:
    """The start of the error message (a note on the parser follows it)."""
    return (f"SPARQL syntax error: line {line}, column {column}: "
            f"found {found}; expected {expected} (")
