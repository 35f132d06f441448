"""Writing and reading neutral triples in RDF syntaxes, with the engine's own serialisers.

The modules above the seam build documents (descriptions, VoID, the service
description) as neutral triples; they are written here, by Oxigraph's Rust
writers, whatever back end the data came from. Prefixes are used by the
formats that have them (Turtle, TriG, RDF/XML).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import pyoxigraph as ox
from rdflib.term import BNode, Literal, URIRef

from . import Term, Triple
from .oxigraph import neutral

_PREFIXED = (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML)
_QUADS = (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG)


def engine_term(term: Term) -> Any:
    """A neutral term as the engine's term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not a neutral term: {term!r}")


def _format(media_type: str) -> ox.RdfFormat:
    fmt = ox.RdfFormat.from_media_type(media_type)
    if fmt is None:
        raise ValueError(f"no RDF writer for {media_type}")
    return fmt


def write(triples: Iterable[Triple], media_type: str,
          prefixes: Mapping[str, str] | None = None) -> bytes:
    """``triples`` in the syntax of ``media_type`` (a quads syntax: in the default graph)."""
    fmt = _format(media_type)
    engine = [ox.Triple(engine_term(s), engine_term(p), engine_term(o)) for s, p, o in triples]
    data: list[Any] = engine
    if fmt in _QUADS:
        data = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in engine]
    kwargs: dict[str, Any] = {}
    if fmt in _PREFIXED and prefixes:
        kwargs["prefixes"] = dict(prefixes)
    body = bytes(ox.serialize(data, format=fmt, **kwargs) or b"")
    if fmt == ox.RdfFormat.JSON_LD and not engine:
        body = json.dumps([]).encode()
    return body


def read(data: bytes, media_type: str, base_iri: str | None = None) -> list[Triple]:
    """The triples of an RDF document (default graph of a quads syntax included)."""
    fmt = _format(media_type)
    kwargs: dict[str, Any] = {"base_iri": base_iri} if base_iri else {}
    return [(neutral(t.subject), neutral(t.predicate), neutral(t.object))  # type: ignore[misc]
            for t in ox.parse(data, format=fmt, **kwargs)]


def check_iri(iri: str) -> None:
    """Raise ``ValueError`` (saying why) unless ``iri`` is an absolute IRI (RFC 3987)."""
    ox.NamedNode(iri)
