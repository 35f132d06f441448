"""The JSON-LD ``@context`` of our terms, and compaction of RDF into JSON-LD with it.

The context is generated from the ontology: every ``ald:`` class is a term
(``"Alliance": "ald:Alliance"``), every object property a term whose values are
IRIs (``"@type": "@id"``), every data property a term with its XSD datatype
(``"@type": "xsd:nonNegativeInteger"``; plain strings and properties without a
single XSD range stay untyped), and the external object properties the ontology
declares (``org:member``…) are coerced to IRIs too. It is served, stable, at
``/context.jsonld``; our JSON-LD output uses the same definitions.

Use :func:`compact` to turn triples into compacted JSON-LD. By default the
context is embedded in the document so that it parses anywhere, offline;
``context_url`` references the served context instead (as a URL in ``@context``),
which JSON-LD processors then fetch.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import rdflib
from rdflib.namespace import OWL, RDF, RDFS, XSD

from .backend import Triple
from .publication import ONTOLOGY_GRAPH, PREFIXES, Publication
from .resources import TERMS_NS
from .void import per_publication

#: Prefixes of the context, beyond :data:`~alliance_ld.publication.PREFIXES`.
EXTRA_PREFIXES = {
    "time": "http://www.w3.org/2006/time#",
    "vann": "http://purl.org/vocab/vann/",
}
_UNTYPED_RANGES = {str(XSD.string), str(RDF.langString), str(RDFS.Literal)}

Triples = Iterable[Triple] | rdflib.Graph


def build_context(ontology: rdflib.Graph) -> dict[str, Any]:
    """The ``@context`` object (prefixes and term definitions) for an ontology graph."""
    prefixes = {**PREFIXES, **EXTRA_PREFIXES}
    context: dict[str, Any] = dict(sorted(prefixes.items()))
    terms: dict[str, Any] = {}
    coerced: dict[str, Any] = {}

    def curie(iri: str) -> str:
        for prefix, namespace in prefixes.items():
            if iri.startswith(namespace) and len(iri) > len(namespace):
                return f"{prefix}:{iri[len(namespace):]}"
        return iri

    for subject in sorted(set(ontology.subjects(RDF.type, None)), key=str):
        if not isinstance(subject, rdflib.URIRef):
            continue
        iri = str(subject)
        kinds = set(ontology.objects(subject, RDF.type))
        if not iri.startswith(TERMS_NS):
            if OWL.ObjectProperty in kinds:
                coerced[curie(iri)] = {"@type": "@id"}
            continue
        local = iri[len(TERMS_NS):]
        if OWL.Class in kinds:
            terms[local] = curie(iri)
        elif OWL.ObjectProperty in kinds:
            terms[local] = {"@id": curie(iri), "@type": "@id"}
        elif OWL.DatatypeProperty in kinds:
            ranges = [str(r) for r in ontology.objects(subject, RDFS.range)
                      if isinstance(r, rdflib.URIRef)]
            if len(ranges) == 1 and ranges[0].startswith(str(XSD)) \
                    and ranges[0] not in _UNTYPED_RANGES:
                terms[local] = {"@id": curie(iri), "@type": curie(ranges[0])}
            else:
                terms[local] = curie(iri)
        elif OWL.AnnotationProperty in kinds:
            terms[local] = curie(iri)
    context.update(dict(sorted(terms.items())))
    context.update(dict(sorted(coerced.items())))
    return context


def _build_for(publication: Publication) -> dict[str, Any]:
    return build_context(publication.rdflib_graph([ONTOLOGY_GRAPH]))


def context(publication: Publication) -> dict[str, Any]:
    """The ``@context`` object of ``publication`` (canonical IRIs; built once)."""
    return per_publication("jsonld-context", publication, _build_for)


def context_document(publication: Publication) -> bytes:
    """``/context.jsonld``: ``{"@context": {…}}``, rewritten to the public base."""
    body = json.dumps({"@context": context(publication)}, indent=2, ensure_ascii=False)
    return publication.rewriter.to_public_bytes((body + "\n").encode("utf-8"))


def _graph(triples: Triples) -> rdflib.Graph:
    if isinstance(triples, rdflib.Graph):
        return triples
    graph = rdflib.Graph()
    for t in triples:
        graph.add(tuple(t))  # type: ignore[arg-type]
    return graph


def compact(publication: Publication, triples: Triples, *,
            context_url: str | None = None) -> bytes:
    """Triples (canonical IRIs) as compacted JSON-LD, rewritten to the public base.

    With ``context_url`` (e.g. the public ``…/context.jsonld``), ``@context`` is
    that URL; otherwise the context object is embedded.
    """
    ctx = context(publication)
    text = _graph(triples).serialize(format="json-ld", context=ctx, auto_compact=True)
    document = json.loads(text)
    if isinstance(document, dict):
        if context_url is not None:
            document["@context"] = context_url
        else:
            document["@context"] = ctx
    body = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return publication.rewriter.to_public_bytes(body.encode("utf-8"))


__all__ = ["build_context", "compact", "context", "context_document"]
