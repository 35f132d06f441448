"""Which serialisation does Protégé save deterministically, with the smallest diff?

Measures, with the OWL API that Protégé saves with (Debian's ``libowlapi-java``, through
``tests/owlapi/ProtegeSave.java``), for OWL Functional Syntax, Turtle and RDF/XML:

* the file's length in lines;
* whether two saves of the same ontology are byte-identical;
* how many lines change when the saved file is reopened and saved (Protégé: open, save);
* how many lines change when one class (declaration, subclass axiom, label, definition) is added
  to the reopened file and it is saved;
* and, for the edit file's format, the same two diffs after ``alliance-ld normalise-ontology``.

The numbers are the README's table ("Why OWL Functional Syntax: measured")::

    .venv/bin/python bench/protege_formats.py [--source ontology/alliance-edit.owl]

A measurement, not a test: it asserts nothing (``tests/test_protege_round_trip.py`` holds the
properties the project relies on).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from owlapi_check import run_protege_save  # noqa: E402

from alliance_ld.build import normalise  # noqa: E402
from alliance_ld.resources import EDIT_FILE, TERMS_NS  # noqa: E402

FORMATS = {"ofn": "OWL Functional Syntax", "ttl": "Turtle", "rdfxml": "RDF/XML"}


def changed_lines(a: Path, b: Path) -> int:
    """Lines added plus lines removed, as ``git diff`` (what a reviewer reads) counts them."""
    run = subprocess.run(["git", "diff", "--no-index", "--numstat", str(a), str(b)],
                         capture_output=True, text=True, check=False)
    if run.returncode not in (0, 1):
        raise RuntimeError(run.stderr)
    return sum(int(n) for line in run.stdout.splitlines() for n in line.split()[:2])


def add_class(source: Path, target: Path) -> None:
    run_protege_save(source, target, "same", add_class=TERMS_NS + "PeaceMission",
                     label="peace mission", definition="A mission to keep the peace.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=EDIT_FILE,
                        help="the ontology to save (default: the edit file)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="protege-formats-") as tmp:
        out = Path(tmp)
        print(f"source: {args.source}")
        print(f"{'format':<22} {'lines':>6}  {'two saves':<15} {'reopen+save':>11} "
              f"{'add a class':>11}")
        for key, name in FORMATS.items():
            first, second = out / f"first.{key}", out / f"second.{key}"
            reopened, added = out / f"reopened.{key}", out / f"added.{key}"
            run_protege_save(args.source, first, key)
            run_protege_save(args.source, second, key)
            run_protege_save(first, reopened, "same")
            add_class(reopened, added)
            same = first.read_bytes() == second.read_bytes()
            lines = len(first.read_text(encoding="utf-8").splitlines())
            print(f"{name:<22} {lines:>6}  {'byte-identical' if same else 'differ':<15} "
                  f"{changed_lines(first, reopened):>11} {changed_lines(reopened, added):>11}")
        # The workflow: Protégé saves the canonical edit file, then the normaliser runs.
        canonical = out / "canonical.owl"
        canonical.write_bytes(EDIT_FILE.read_bytes())
        saved, added = out / "saved.owl", out / "added.owl"
        run_protege_save(canonical, saved, "same")
        add_class(canonical, added)
        raw_saved, raw_added = changed_lines(canonical, saved), changed_lines(canonical, added)
        normalise(saved)
        normalise(added)
        print(f"\nedit file, Protégé save of it unchanged: {raw_saved} lines changed, "
              f"after the normaliser {changed_lines(canonical, saved)}")
        print(f"edit file, Protégé save with a class added: {raw_added} lines changed, "
              f"after the normaliser {changed_lines(canonical, added)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
