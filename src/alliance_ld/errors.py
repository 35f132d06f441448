"""Errors raised by alliance-ld.

Every error a user can cause derives from :class:`AllianceLDError` and carries a
message that says what went wrong and where (file and line, query position,
focus node and shape). Anything else escaping the package is a bug.

::

    AllianceLDError
    ├── InputError            bad input given by the user (exit code 2, HTTP 4xx)
    │   ├── DataSyntaxError   an RDF file that does not parse (file, line, column)
    │   ├── QuerySyntaxError  a SPARQL query that does not parse (line, column)
    │   ├── MissingInputError a file or folder that is missing, unreadable or empty
    │   └── ServeAddressError an address ``serve`` cannot listen on (port in use, …)
    ├── ShapeViolationError data that does not conform to the shapes (exit code 1)
    └── ReasonerError     the OWL reasoner could not give an answer (exit code 2)
        ├── ReasonerUnavailableError  Java, which HermiT runs on, is missing or does not start
        └── ReasonerFailedError       HermiT started but stopped with an error
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

#: Characters of client input that error messages repeat as they are; everything else
#: (markup: ``<``, ``>``, ``&``, quotes; controls; non-ASCII) is percent-encoded.
_SHOWN_AS_IS = " !#$()*+,-./:;=?@[]_~"


def shown_input(value: str, limit: int = 80) -> str:
    """Client input (a path segment, a media type, a parameter) quoted for an error message.

    Error bodies are plain text, sent with ``nosniff``; this keeps them free of markup
    as well, so that no client and no proxy that renders them could run what a
    request put in them: ``<script>`` comes back as ``'%3Cscript%3E'``.
    """
    cut = value[:limit]
    return "'" + quote(cut, safe=_SHOWN_AS_IS) + ("…'" if len(value) > limit else "'")


class AllianceLDError(Exception):
    """Base class of every error alliance-ld reports to its users."""


class InputError(AllianceLDError):
    """The user gave input we cannot use."""


class DataSyntaxError(InputError):
    """An RDF document that does not parse."""

    def __init__(
        self, source: Path | str, message: str, line: int | None = None, column: int | None = None
    ) -> None:
        self.source = str(source)
        self.line = line
        self.column = column
        self.detail = message
        where = self.source
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: syntax error: {message}")


class QuerySyntaxError(InputError):
    """A SPARQL query or update that does not parse."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        self.line = line
        self.column = column
        self.detail = message
        where = f"line {line}, column {column}: " if line is not None else ""
        super().__init__(f"SPARQL syntax error: {where}{message}")


class MissingInputError(InputError):
    """A file or folder that does not exist, cannot be read, or holds no data."""


class ServeAddressError(InputError):
    """A host and port ``alliance-ld serve`` cannot listen on (in use, not allowed, unknown)."""


class ShapeViolationError(AllianceLDError):
    """Data that does not conform to the SHACL shapes."""

    def __init__(self, report_text: str) -> None:
        self.report_text = report_text
        super().__init__(report_text)


class ReasonerError(AllianceLDError):
    """The OWL reasoner (HermiT) could not give an answer.

    An inconsistent ontology is an answer, not an error: it is reported, not raised.
    """


class ReasonerUnavailableError(ReasonerError):
    """Java, which the HermiT reasoner runs on, is not installed or does not start."""


class ReasonerFailedError(ReasonerError):
    """HermiT started but stopped with an error (the message names the Java exception)."""


class QueryTimeoutError(AllianceLDError):
    """A query ran past the timeout and was stopped."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        shown = f"{seconds:g}"
        super().__init__(f"query timed out after {shown} s")
