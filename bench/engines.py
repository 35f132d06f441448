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
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
import rdflib

ID = "https://w3id.org/alliance-ld/id/"
ALD = "https://w3id.org/alliance-ld/ontology#"
ORG = "http://www.w3.org/ns/org#"

#: rdflib's evaluator is skipped above this many triples unless ``--all`` is given.
RDFLIB_LIMIT = 300_000

#: (IRI slug, English label) of the regions every size gets.
REGIONS = [
    ("europe", "Europe"),
    ("north-america", "North America"),
    ("south-america", "South America"),
    ("africa", "Africa"),
    ("middle-east", "Middle East"),
    ("central-asia", "Central Asia"),
    ("indo-pacific", "Indo-Pacific"),
    ("arctic", "Arctic"),
]

# ---------------------------------------------------------------------------
# Synthetic data
# ---------------------------------------------------------------------------

_PREFIXES = f"""\
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix org: <{ORG}> .
@prefix ald: <{ALD}> .
@prefix region: <{ID}region/> .
@prefix nation: <{ID}nation/> .
@prefix alliance: <{ID}alliance/> .
@prefix membership: <{ID}membership/> .
@prefix exercise: <{ID}exercise/> .
@prefix contribution: <{ID}contribution/> .

"""

_FIRST_DAY = date(1949, 1, 1)
_LAST_DAY = date(2024, 12, 31)


@dataclass
class Dataset:
    """A generated graph: its Turtle text, its triple count and how many of each entity."""

    turtle: bytes
    triples: int
    counts: dict[str, int] = field(default_factory=dict)


def _random_date(rng: random.Random, after: date = _FIRST_DAY) -> date:
    return after + timedelta(days=rng.randint(0, max((_LAST_DAY - after).days, 0)))


def _date(d: date) -> str:
    return f'"{d.isoformat()}"^^xsd:date'


def _statement(parts: list[str]) -> tuple[str, int]:
    """One Turtle statement from ``subject predicate object`` parts; with its triple count."""
    return " ; ".join(parts) + " .", len(parts)


def generate(target: int, seed: int) -> Dataset:
    """A deterministic graph of ``target`` triples or a few more.

    Uses the terms of ``ontology/alliance.ttl``. Regions are fixed; nations and
    alliances are sized from ``target``; then membership nodes (``ald:Membership``
    with ``org:member``, ``org:organization`` and dates), exercises (with
    participants) and contributions (exercise participations, and troop
    contributions with a personnel count) are added in a fixed rotation until
    the triple budget is spent.
    """
    rng = random.Random(seed)
    lines: list[str] = []
    triples = 0

    def emit(parts: list[str]) -> None:
        nonlocal triples
        line, n = _statement(parts)
        lines.append(line)
        triples += n

    for slug, label in REGIONS:
        emit([f"region:{slug} a ald:Region", f'rdfs:label "{label}"@en'])

    n_nations = max(12, target // 300)
    home: list[int] = []  # a nation's home region: not emitted, biases its memberships
    for i in range(n_nations):
        home.append(rng.randrange(len(REGIONS)))
        emit(
            [
                f"nation:n{i} a ald:Nation",
                f'rdfs:label "Nation {i}"@en',
                f'skos:altLabel "N{i:04d}"@en',
            ]
        )

    n_alliances = max(len(REGIONS), target // 2000)
    by_region: dict[int, list[int]] = {r: [] for r in range(len(REGIONS))}
    alliance_region: list[int] = []
    for i in range(n_alliances):
        region = i % len(REGIONS)
        alliance_region.append(region)
        by_region[region].append(i)
        emit(
            [
                f"alliance:a{i} a ald:Alliance",
                f'rdfs:label "Alliance {i}"@en',
                f'skos:altLabel "A{i}"@en',
                f"ald:region region:{REGIONS[region][0]}",
            ]
        )

    counts = {"memberships": 0, "exercises": 0, "participations": 0, "troop_contributions": 0}
    exercises: list[tuple[int, list[int]]] = []  # (alliance, participants) per exercise
    rotation = ("exercise", "membership", "participation", "membership", "troops", "participation")
    step = 0
    while triples < target:
        kind = rotation[step % len(rotation)]
        step += 1
        if kind == "membership":
            i = counts["memberships"]
            nation = rng.randrange(n_nations)
            if rng.random() < 0.6:  # most nations join alliances of their own region
                alliance = rng.choice(by_region[home[nation]])
            else:
                alliance = rng.randrange(n_alliances)
            start = _random_date(rng)
            parts = [
                f"membership:m{i} a ald:Membership",
                f"org:member nation:n{nation}",
                f"org:organization alliance:a{alliance}",
                f"ald:startDate {_date(start)}",
            ]
            if rng.random() < 0.2:
                parts.append(f"ald:endDate {_date(_random_date(rng, start))}")
            emit(parts)
            counts["memberships"] += 1
        elif kind == "exercise":
            i = counts["exercises"]
            alliance = rng.randrange(n_alliances)
            who = rng.sample(range(n_nations), rng.randint(3, 8))
            exercises.append((alliance, who))
            emit(
                [
                    f"exercise:e{i} a ald:Exercise",
                    f'rdfs:label "Exercise {i}"@en',
                    f"ald:conductedUnder alliance:a{alliance}",
                    f"ald:ledBy nation:n{who[0]}",
                    f"ald:region region:{REGIONS[alliance_region[alliance]][0]}",
                    f"ald:startDate {_date(_random_date(rng))}",
                    "ald:participant " + ", ".join(f"nation:n{n}" for n in who),
                ]
            )
            triples += len(who) - 1  # the object list holds one triple per participant
            counts["exercises"] += 1
        elif kind == "participation":
            i = counts["participations"] + counts["troop_contributions"]
            ex = rng.randrange(len(exercises))
            alliance, who = exercises[ex]
            emit(
                [
                    f"contribution:c{i} a ald:ExerciseParticipation",
                    f"ald:contributor nation:n{rng.choice(who)}",
                    f"ald:recipient alliance:a{alliance}",
                    f"ald:inExercise exercise:e{ex}",
                ]
            )
            counts["participations"] += 1
        else:
            i = counts["participations"] + counts["troop_contributions"]
            alliance = rng.randrange(n_alliances)
            emit(
                [
                    f"contribution:c{i} a ald:TroopContribution",
                    f"ald:contributor nation:n{rng.randrange(n_nations)}",
                    f"ald:recipient alliance:a{alliance}",
                    f"ald:region region:{REGIONS[alliance_region[alliance]][0]}",
                    f'ald:personnelCount "{rng.randint(10, 5000)}"^^xsd:nonNegativeInteger',
                ]
            )
            counts["troop_contributions"] += 1

    counts = {"regions": len(REGIONS), "nations": n_nations, "alliances": n_alliances, **counts}
    text = _PREFIXES + "\n".join(lines) + "\n"
    return Dataset(text.encode("utf-8"), triples, counts)


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
