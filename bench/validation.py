"""Validation of synthetic alliance-ld data, side by side: pySHACL alone, the
engine path of ``validate_store``, and pyrudof.

Variants (each measured in a fresh child process, so that its peak resident
memory is its own):

* ``pyshacl``  -- ``validate_store(store, engine=False)``: pySHACL checks every
  shape, SPARQL targets and SPARQL rules included (what ``load`` did before);
* ``engine``   -- ``validate_store(store)``: SPARQL targets and rules, and the
  SHACL Core constraints that compile exactly, run in the store's engine, one
  query per rule or check for all focus nodes; pySHACL checks the rest;
* ``pyrudof``  -- pyrudof's native SHACL validator over the same file plus the
  ontology, each shapes file in turn (if pyrudof is installed).

Times cover validation only (the store is loaded first, untimed; pyrudof's time
includes parsing the file, which it cannot skip). Peak memory is the child's
peak resident set size, loading included. ``results`` is the number of
results, and ``same`` whether they equal pySHACL's (focus node, shape,
severity, path, value, message), where pySHACL finished.

This is a script, not a test: it never asserts on times.

    .venv/bin/python bench/generate.py --size 10000 --out /tmp/ald-10k
    .venv/bin/python bench/validation.py /tmp/ald-10k/synthetic.ttl
    .venv/bin/python bench/validation.py --sizes 10000 100000 --timeout 1800
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = ("pyshacl", "engine", "pyrudof")


def _key(r: Any) -> list[Any]:
    return [r.severity, r.focus_node, r.shape, r.path, r.value, r.message]


def run_one(variant: str, data: Path) -> dict[str, Any]:
    """Measure one variant in this process; the parent reads the JSON it prints."""
    if variant == "pyrudof":
        import pyrudof

        rudof = pyrudof.Rudof(pyrudof.RudofConfig())
        start = time.perf_counter()
        rudof.read_data(str(data))
        rudof.read_data(str(ROOT / "ontology" / "alliance.ttl"), merge=True)
        count = 0
        for shapes in sorted((ROOT / "shapes").glob("*.ttl")):
            rudof.reset_shacl()
            rudof.read_shacl(str(shapes))
            count += len(rudof.validate_shacl())
        seconds = time.perf_counter() - start
        keys: list[Any] = []
    else:
        from alliance_ld.store import Store
        from alliance_ld.validate import validate_store

        store = Store()
        store.load_paths([data])
        start = time.perf_counter()
        report = validate_store(store, engine=variant == "engine")
        seconds = time.perf_counter() - start
        count = len(report.results)
        keys = sorted(_key(r) for r in report.results)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"variant": variant, "seconds": seconds, "peak_mb": peak, "results": count,
            "keys": keys}


def measure(variant: str, data: Path, timeout: float) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--one", variant, str(data)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"variant": variant, "error": f"over {timeout:.0f} s"}
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {"variant": variant, "error": last[:80]}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def table(size: str, rows: list[dict[str, Any]]) -> str:
    base = next((r for r in rows if r["variant"] == "pyshacl" and "error" not in r), None)
    lines = [f"## {size}",
             "| variant | validation s | x pySHACL | peak MB | results | same as pySHACL |",
             "|---|---:|---:|---:|---:|---|"]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['variant']} | ({r['error']}) | | | | |")
            continue
        ratio = f"{base['seconds'] / r['seconds']:.1f}x faster" if base else "-"
        same = "-" if not base or not r["keys"] else ("yes" if r["keys"] == base["keys"] else "NO")
        if r["variant"] == "pyrudof" and base:
            same = "count " + ("equal" if r["results"] == base["results"] else "differs")
        lines.append(f"| {r['variant']} | {r['seconds']:.1f} | {ratio} | {r['peak_mb']:.0f} "
                     f"| {r['results']} | {same} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="data files (default: generated)")
    parser.add_argument("--sizes", nargs="*", type=int, default=[10000, 100000])
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS), choices=VARIANTS)
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per variant")
    parser.add_argument("--one", nargs=2, metavar=("VARIANT", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(args.one[0], Path(args.one[1]))))
        return 0
    inputs: list[tuple[str, Path]] = [(f.name, f) for f in args.files]
    tmp = tempfile.TemporaryDirectory(prefix="ald-validation-")
    if not inputs:
        for size in args.sizes:
            out = Path(tmp.name) / str(size)
            subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--size",
                            str(size), "--out", str(out)], check=True, capture_output=True)
            inputs.append((f"{size:,} triples asked", out / "synthetic.ttl"))
    for name, path in inputs:
        rows = [measure(v, path, args.timeout) for v in args.variants]
        print(table(name, rows), flush=True)
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
