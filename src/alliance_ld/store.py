"""Loading RDF files into a store: the public face of :mod:`alliance_ld.backend.store`.

The command line, the validator and the tests load files with :class:`Store`;
the server reads the data only through the :class:`~alliance_ld.backend.Backend`
seam. Kept here so that ``from alliance_ld.store import load_default`` goes on working.
"""

from __future__ import annotations

from .backend.store import (
    RDF_FORMATS,
    Store,
    data_syntax_error,
    graph_name_for,
    load_default,
    parse_quads,
    rdf_suffix,
    to_ox,
    to_rdflib,
)

__all__ = ["RDF_FORMATS", "Store", "data_syntax_error", "graph_name_for", "load_default",
           "parse_quads", "rdf_suffix", "to_ox", "to_rdflib"]
