"""Compare SPARQL engines side by side on synthetic alliance-ld data.

Engines:

* ``rdflib``     -- ``rdflib.Graph()`` (in-memory store, pure-Python SPARQL evaluator);
* ``oxrdflib``   -- ``rdflib.Graph(store="Oxigraph")`` (rdflib API, Oxigraph underneath);
* ``pyoxigraph`` -- ``pyoxigraph.Store()`` used directly.

Every engine gets the same Turtle text and the same SPARQL query strings. Each
measurement is repeated and the best time (``time.perf_counter``) is kept; a
query's time covers parsing, evaluating and iterating over every solution.

This is a script, not a test: it never asserts on times. It exits with status 2
if the engines disagree on a query's row count.

    .venv/bin/python bench/engines.py                       # 10k and 100k triples
    .venv/bin/python bench/engines.py --sizes 10000 100000 1000000 --json out.json
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
import rdflib

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import ALD, ID, ORG, Dataset, generate  # noqa: E402

#: rdflib's evaluator is skipped above this many triples unless ``--all`` is given.
RDFLIB_LIMIT = 300_000

# ---------------------------------------------------------------------------
# Workloads
# ---------------------------------------------------------------------------

_Q_PREFIXES = f"""\
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX org: <{ORG}>
PREFIX ald: <{ALD}>
"""

#: name -> SPARQL text; the same string is sent to every engine.
QUERIES: dict[str, str] = {
    # Everything about one exercise.
    "lookup": _Q_PREFIXES
    + f"""
SELECT ?p ?o WHERE {{ <{ID}exercise/e1> ?p ?o }}
""",
    # nation -> membership -> alliance -> the alliance's region, for every membership.
    "join-2hop": _Q_PREFIXES
    + """
SELECT ?nation ?alliance ?region WHERE {
  ?m org:member ?nation ;
     org:organization ?alliance .
  ?alliance ald:region ?region .
}
""",
    # Troop contributions and personnel per nation, largest first.
    "aggregate": _Q_PREFIXES
    + """
SELECT ?nation (COUNT(?c) AS ?contributions) (SUM(?n) AS ?personnel) WHERE {
  ?c a ald:TroopContribution ;
     ald:contributor ?nation ;
     ald:personnelCount ?n .
}
GROUP BY ?nation
ORDER BY DESC(?personnel) ?nation
""",
    # Memberships that began in the 1990s.
    "date-filter": _Q_PREFIXES
    + """
SELECT ?m ?start WHERE {
  ?m a ald:Membership ;
     ald:startDate ?start .
  FILTER (?start >= "1990-01-01"^^xsd:date && ?start < "2000-01-01"^^xsd:date)
}
""",
    # region "Europe" <- alliance <- exercise <- participation -> nation.
    "join-3hop": _Q_PREFIXES
    + """
SELECT ?c ?nation ?exercise ?alliance WHERE {
  ?region rdfs:label "Europe"@en .
  ?alliance ald:region ?region .
  ?exercise ald:conductedUnder ?alliance .
  ?c ald:inExercise ?exercise ;
     ald:contributor ?nation .
}
""",
    # Participations of nations in exercises conducted under an alliance they are
    # a member of: a cyclic pattern (nation -> exercise -> alliance <- membership <- nation).
    "join-cycle": _Q_PREFIXES
    + """
SELECT ?c ?nation ?exercise ?alliance WHERE {
  ?c ald:contributor ?nation ;
     ald:inExercise ?exercise .
  ?exercise ald:conductedUnder ?alliance .
  ?m org:member ?nation ;
     org:organization ?alliance .
}
""",
}
WARM_UP = "SELECT * WHERE { ?s ?p ?o } LIMIT 1"
WORKLOADS = ["load", *QUERIES]


# ---------------------------------------------------------------------------
# Engines
# ---------------------------------------------------------------------------


class Engine(Protocol):
    name: str

    def load(self, turtle: bytes) -> None:
        """Replace the engine's data with a fresh parse of ``turtle``."""

    def count(self, query: str) -> int:
        """Run ``query`` and iterate over every solution; return how many there were."""


class RdflibEngine:
    name = "rdflib"

    def __init__(self) -> None:
        self.graph = rdflib.Graph()

    def load(self, turtle: bytes) -> None:
        self.graph = rdflib.Graph()
        self.graph.parse(data=turtle, format="turtle")

    def count(self, query: str) -> int:
        return sum(1 for _ in self.graph.query(query))


class OxrdflibEngine:
    """rdflib's API over an Oxigraph store; parsing uses oxrdflib's native ``ox-turtle``."""

    name = "oxrdflib"

    def __init__(self) -> None:
        self.graph = rdflib.Graph(store="Oxigraph")

    def load(self, turtle: bytes) -> None:
        self.graph = rdflib.Graph(store="Oxigraph")
        self.graph.parse(data=turtle, format="ox-turtle")

    def count(self, query: str) -> int:
        return sum(1 for _ in self.graph.query(query))


class PyoxigraphEngine:
    name = "pyoxigraph"

    def __init__(self) -> None:
        self.store = ox.Store()

    def load(self, turtle: bytes) -> None:
        self.store = ox.Store()
        self.store.load(turtle, format=ox.RdfFormat.TURTLE)

    def count(self, query: str) -> int:
        result = self.store.query(query)
        if not isinstance(result, ox.QuerySolutions):
            raise TypeError(f"expected a SELECT query, got {type(result).__name__}")
        return sum(1 for _ in result)


ENGINE_TYPES: dict[str, Callable[[], Engine]] = {
    "rdflib": RdflibEngine,
    "oxrdflib": OxrdflibEngine,
    "pyoxigraph": PyoxigraphEngine,
}


# ---------------------------------------------------------------------------
# Measurement
# ---------------------------------------------------------------------------


@dataclass
class Measurement:
    workload: str
    target: int
    triples: int
    engine: str
    seconds: float | None  # best of ``repeat``; None when the engine was skipped
    runs: list[float] = field(default_factory=list)
    rows: int | None = None
    skipped: str | None = None


def best_of(repeat: int, action: Callable[[], int | None]) -> tuple[list[float], int | None]:
    """Run ``action`` ``repeat`` times; return every wall time and the first result."""
    runs: list[float] = []
    first: int | None = None
    for i in range(repeat):
        gc.collect()
        start = time.perf_counter()
        value = action()
        runs.append(time.perf_counter() - start)
        if i == 0:
            first = value
    return runs, first


def bench_size(
    target: int,
    engines: Sequence[str],
    repeat: int,
    seed: int,
    include_rdflib: bool,
    workloads: Sequence[str],
) -> tuple[Dataset, list[Measurement]]:
    started = time.perf_counter()
    data = generate(target, seed)
    print(
        f"\n# size {target:,}: {data.triples:,} triples, {len(data.turtle) / 1e6:.1f} MB Turtle "
        f"(generated in {time.perf_counter() - started:.1f} s); "
        + ", ".join(f"{k} {v:,}" for k, v in data.counts.items()),
        flush=True,
    )
    results: list[Measurement] = []
    for name in engines:
        if name == "rdflib" and data.triples > RDFLIB_LIMIT and not include_rdflib:
            reason = f"skipped: > {RDFLIB_LIMIT:,} triples (use --all)"
            print(f"  {name}: {reason}", flush=True)
            for workload in workloads:
                results.append(
                    Measurement(workload, target, data.triples, name, None, skipped=reason)
                )
            continue
        engine = ENGINE_TYPES[name]()

        def load(engine: Engine = engine) -> None:
            engine.load(data.turtle)

        # The engine always loads (queries need data); a run without the "load"
        # workload loads once, untimed.
        runs, _ = best_of(repeat if "load" in workloads else 1, load)
        # Untimed warm-up: the first query pays one-off costs (imports, plugin lookup).
        engine.count(WARM_UP)
        if "load" in workloads:
            results.append(Measurement("load", target, data.triples, name, min(runs), runs))
            print(f"  {name:<10} {'load':<12} {min(runs):10.5f} s", flush=True)
        for workload in workloads:
            if workload == "load":
                continue
            query = QUERIES[workload]

            def run(engine: Engine = engine, query: str = query) -> int:
                return engine.count(query)

            runs, rows = best_of(repeat, run)
            results.append(Measurement(workload, target, data.triples, name, min(runs), runs, rows))
            print(f"  {name:<10} {workload:<12} {min(runs):10.5f} s  {rows:>8,} rows", flush=True)
        del engine
        gc.collect()
    return data, results


# ---------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------


def _seconds(value: float | None) -> str:
    return "skipped" if value is None else f"{value:.5f}"


def _ratio(num: float | None, den: float | None) -> str:
    if num is None or den is None or den == 0:
        return "-"
    return f"{num / den:.1f}x"


def report(results: list[Measurement], engines: Sequence[str]) -> list[str]:
    """Print the comparison table; return a description of every row-count mismatch."""
    cells: dict[tuple[str, int], dict[str, Measurement]] = {}
    for m in results:
        cells.setdefault((m.workload, m.target), {})[m.engine] = m

    header = ["workload", "triples", "rows"]
    header += [f"{e} s" for e in engines]
    ratio_pairs = [(e, "pyoxigraph") for e in ("rdflib", "oxrdflib") if e in engines]
    if "pyoxigraph" not in engines:
        ratio_pairs = []
    header += [f"{a}/{b}" for a, b in ratio_pairs]

    table: list[list[str]] = []
    mismatches: list[str] = []
    for (workload, _target), by_engine in cells.items():
        any_m = next(iter(by_engine.values()))
        counted = {e: m.rows for e, m in by_engine.items() if m.rows is not None}
        rows = "-"
        if counted:
            distinct = set(counted.values())
            if len(distinct) == 1:
                rows = f"{distinct.pop():,}"
            else:
                rows = "MISMATCH"
                detail = ", ".join(f"{e}={n:,}" for e, n in counted.items())
                mismatches.append(f"{workload} at {any_m.triples:,} triples: {detail}")
        line = [workload, f"{any_m.triples:,}", rows]
        line += [_seconds(by_engine[e].seconds) if e in by_engine else "-" for e in engines]
        for a, b in ratio_pairs:
            num = by_engine[a].seconds if a in by_engine else None
            den = by_engine[b].seconds if b in by_engine else None
            line.append(_ratio(num, den))
        table.append(line)

    widths = [max(len(r[i]) for r in [header, *table]) for i in range(len(header))]
    print()
    print(
        "  ".join(
            h.ljust(w) if i == 0 else h.rjust(w)
            for i, (h, w) in enumerate(zip(header, widths, strict=True))
        )
    )
    print("  ".join("-" * w for w in widths))
    for line in table:
        print(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(line, widths, strict=True))
            )
        )

    for problem in mismatches:
        print(f"\n!!! ROW COUNT MISMATCH: {problem} !!!", file=sys.stderr)
    return mismatches


def environment() -> dict[str, str | int | None]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "rdflib": version("rdflib"),
        "oxrdflib": version("oxrdflib"),
        "pyoxigraph": version("pyoxigraph"),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[10_000, 100_000],
        metavar="N",
        help="target graph sizes in triples (default: 10000 100000)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (best kept)")
    parser.add_argument("--seed", type=int, default=42, help="random seed for the data")
    parser.add_argument(
        "--engines",
        nargs="+",
        choices=list(ENGINE_TYPES),
        default=list(ENGINE_TYPES),
        help="engines to run (default: all three)",
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help=f"also run rdflib's evaluator above {RDFLIB_LIMIT:,} triples (slow)",
    )
    parser.add_argument(
        "--workloads",
        nargs="+",
        choices=WORKLOADS,
        default=WORKLOADS,
        help="workloads to run (default: all)",
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also save results as JSON")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    env = environment()
    print("engines benchmark: " + ", ".join(f"{k} {v}" for k, v in env.items()))
    print(f"repeat {args.repeat} (best kept), seed {args.seed}")
    workloads = [w for w in WORKLOADS if w in args.workloads]
    engines = [e for e in ENGINE_TYPES if e in args.engines]

    started = time.perf_counter()
    results: list[Measurement] = []
    datasets: dict[int, dict[str, int]] = {}
    for target in args.sizes:
        data, measured = bench_size(target, engines, args.repeat, args.seed, args.all, workloads)
        datasets[target] = {
            "triples": data.triples,
            "turtle_bytes": len(data.turtle),
            **data.counts,
        }
        results.extend(measured)

    mismatches = report(results, engines)
    total = time.perf_counter() - started
    print(f"\ntotal wall time {total:.1f} s")

    if args.json:
        payload = {
            "environment": env,
            "repeat": args.repeat,
            "seed": args.seed,
            "sizes": args.sizes,
            "datasets": {str(k): v for k, v in datasets.items()},
            "workloads": workloads,
            "queries": {w: QUERIES[w] for w in workloads if w in QUERIES},
            "results": [asdict(m) for m in results],
            "mismatches": mismatches,
            "total_seconds": total,
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        print(f"results saved to {args.json}")
    return 2 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
