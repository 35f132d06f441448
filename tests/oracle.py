"""The dataset the server publishes, loaded independently of the server's code path.

Tests compare what the server says (through the back-end seam) with this copy,
loaded straight from the files: the ontology, the data and the shapes, each in
its named graph, as ``alliance-ld serve`` publishes them.
"""

from __future__ import annotations

from functools import cache

from alliance_ld.publication import SHAPES_GRAPH
from alliance_ld.resources import SHAPES_DIR, rdf_files
from alliance_ld.store import Store, load_default


@cache
def published_store() -> Store:
    store = load_default()
    for shapes_file in rdf_files(SHAPES_DIR):
        store.load_file(shapes_file, SHAPES_GRAPH)
    return store
