"""Summary statistics of the knowledge graph."""

from __future__ import annotations

from dataclasses import dataclass

from .backend import Backend
from .resources import GRAPH_NS

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


def compute(backend: Backend) -> Stats:
    graphs = {name: backend.count(name) for name in backend.graphs()}
    by_class = {str(row["class"]): int(row["n"])
                for row in backend.select(_BY_CLASS, default_graphs=[])}
    return Stats(triples=backend.count(), graphs=graphs, resources_by_class=by_class)
