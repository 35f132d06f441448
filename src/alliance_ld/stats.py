"""Summary statistics of the knowledge graph."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from .resources import GRAPH_NS
from .store import Store

_BY_CLASS = f"""
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  GRAPH ?g {{ ?s a ?class }}
  FILTER(?g != <{GRAPH_NS}ontology>)
}} GROUP BY ?class ORDER BY DESC(?n) ?class
"""


@dataclass
class Stats:
    triples: int
    graphs: dict[str, int]
    resources_by_class: dict[str, int]

    def to_text(self) -> str:
        lines = [f"triples: {self.triples}", "graphs:"]
        lines += [f"  {name}: {n}" for name, n in self.graphs.items()]
        lines.append("resources by class:")
        lines += [f"  {cls}: {n}" for cls, n in self.resources_by_class.items()]
        return "\n".join(lines) + "\n"


def compute(store: Store) -> Stats:
    graphs = {name: sum(1 for _ in store.quads(name)) for name in store.graph_names}
    result = store.query(_BY_CLASS, default_graphs=[])
    assert isinstance(result, ox.QuerySolutions)
    by_class = {s["class"].value: int(s["n"].value) for s in result}
    return Stats(triples=len(store), graphs=graphs, resources_by_class=by_class)
