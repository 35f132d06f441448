"""On-disk stores: ``alliance-ld load``, ``serve --store``, ``backup`` and ``restore``."""

from __future__ import annotations

import gzip
import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psutil
import pyoxigraph as ox
import pytest
from live_server import LiveServer, live_server

from alliance_ld.resources import DATA_DIR, GRAPH_NS

RunCli = Callable[..., subprocess.CompletedProcess[str]]
BASE = "https://w3id.org/alliance-ld/"
NORAD_MEMBERS = (f"SELECT ?n WHERE {{ ?m <http://www.w3.org/ns/org#organization> "
                 f"<{BASE}id/alliance/norad> ; <http://www.w3.org/ns/org#member> ?n }} "
                 "ORDER BY ?n")
DATA_FILES = sorted(DATA_DIR.glob("*.ttl"))


def _record(folder: Path) -> dict[str, object]:
    record: dict[str, object] = json.loads((folder / "alliance-ld.json").read_text())
    return record


def _shipped_triples() -> dict[str, int]:
    """Triples per data file, counted by parsing each file here."""
    return {GRAPH_NS + p.stem: sum(1 for _ in ox.parse(path=str(p), format=ox.RdfFormat.TURTLE))
            for p in DATA_FILES}


@pytest.fixture(scope="module")
def shipped_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("stores") / "shipped"
    result = subprocess.run(
        [*_cli(), "load", "--store", str(folder), *map(str, DATA_FILES)],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return folder


def _cli() -> list[str]:
    import sys

    return [sys.executable, "-m", "alliance_ld.cli"]


def test_load_makes_a_store_with_each_file_in_its_graph(shipped_store: Path) -> None:
    record = _record(shipped_store)
    expected = _shipped_triples()
    graphs = record["graphs"]
    assert isinstance(graphs, dict)
    for graph, count in expected.items():
        assert graphs[graph] == count
    # the ontology and the shapes are published beside the data, as by the in-memory server
    assert graphs[GRAPH_NS + "ontology"] > 100 and graphs[GRAPH_NS + "shapes"] > 100
    assert record["triples"] == sum(graphs.values())
    assert record["conforms"] is True
    assert record["engine"] == f"pyoxigraph {ox.__version__}"


def test_load_reports_each_file_when_not_on_a_terminal(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("load", "--store", str(tmp_path / "s"), "--no-validate",
                     str(DATA_DIR / "nations.ttl"), str(DATA_DIR / "alliances.ttl"))
    assert result.returncode == 0, result.stderr
    expected = _shipped_triples()
    lines = result.stderr.splitlines()
    assert lines[0] == f"[1/2] nations.ttl: {expected[GRAPH_NS + 'nations']} triples"
    assert lines[1] == f"[2/2] alliances.ttl: {expected[GRAPH_NS + 'alliances']} triples"


@pytest.fixture(scope="module")
def store_server(shipped_store: Path) -> Iterator[LiveServer]:
    with live_server("--store", str(shipped_store), public=False) as running:
        yield running


def test_serve_store_answers_like_the_files(store_server: LiveServer,
                                           server: LiveServer) -> None:
    ours = httpx.get(store_server.url + "sparql", params={"query": NORAD_MEMBERS},
                     headers={"Accept": "text/csv"})
    assert ours.status_code == 200
    members = ours.text.splitlines()[1:]
    assert members == [BASE + "id/nation/canada", BASE + "id/nation/united-states"]
    page = httpx.get(store_server.url + "doc/alliance/nato.ttl")
    assert page.status_code == 200 and "North Atlantic Treaty Organization" in page.text
    graphs = httpx.get(store_server.url + "readyz").json()["graphs"]
    assert graphs == len(DATA_FILES) + 2


def test_workers_read_the_store_itself_not_a_copy(store_server: LiveServer,
                                                  shipped_store: Path) -> None:
    workers = [p for p in psutil.Process(store_server.process.pid).children(recursive=True)
               if "spawn_main" in " ".join(p.cmdline())]
    assert len(workers) == 2
    for worker in workers:
        opened = {Path(f.path).parent for f in worker.open_files()}
        assert shipped_store.resolve() in opened


def _three_files_the_last_broken(tmp_path: Path) -> tuple[list[Path], int]:
    """Copies of three data files, the last line of the third cut short; and its number."""
    files = []
    for name in ("alliances", "treaties", "exercises"):
        copy = tmp_path / f"{name}.ttl"
        copy.write_text((DATA_DIR / f"{name}.ttl").read_text())
        files.append(copy)
    broken = files[2].read_text().rstrip("\n").splitlines()
    broken[-1] = broken[-1] + " <unterminated"
    files[2].write_text("\n".join(broken) + "\n")
    return files, len(broken)


@pytest.mark.parametrize("mode", ["--no-validate", "--parallel"])
def test_a_file_that_does_not_parse_leaves_the_store_as_it_was(run_cli: RunCli, tmp_path: Path,
                                                               mode: str) -> None:
    """In one process, and with the import beside the validation (which parses too)."""
    folder = tmp_path / "store"
    assert run_cli("load", "--store", str(folder), "--no-validate",
                   str(DATA_DIR / "nations.ttl")).returncode == 0
    before = _record(folder)
    files, last = _three_files_the_last_broken(tmp_path)
    result = run_cli("load", "--store", str(folder), mode, *map(str, files))
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1].startswith(
        f"alliance-ld: error: {files[2]}:{last}:")
    assert "Traceback" not in result.stderr
    assert _record(folder) == before
    store = ox.Store.read_only(str(folder))
    assert len(store) == before["triples"]
    assert not list(tmp_path.glob(".store.*"))  # no staging left behind
    assert not [p for p in psutil.process_iter(["cmdline"])
                if "alliance-ld-import" in " ".join(p.info["cmdline"] or [])]


def test_data_that_violates_the_shapes_is_not_imported(run_cli: RunCli, tmp_path: Path) -> None:
    folder = tmp_path / "store"
    invalid = Path(__file__).parent / "data" / "invalid" / "count-qualifier-not-in-vocabulary.ttl"
    result = run_cli("load", "--store", str(folder), *map(str, DATA_FILES), str(invalid))
    assert result.returncode == 1
    assert "Violation" in result.stdout
    assert f"file:       {invalid}" in result.stdout  # the file of the focus node
    assert result.stderr.splitlines()[-1] == (
        "alliance-ld: error: the data does not conform to the shapes (report above); "
        f"{folder} is unchanged")
    assert not folder.exists()


def test_every_format_and_gzip_load_into_the_right_graphs(run_cli: RunCli,
                                                          tmp_path: Path) -> None:
    source = list(ox.parse(path=str(DATA_DIR / "nations.ttl"), format=ox.RdfFormat.TURTLE))
    count = len(source)
    files = {
        "a.nt": ox.serialize(source, format=ox.RdfFormat.N_TRIPLES),
        "b.rdf": ox.serialize(source, format=ox.RdfFormat.RDF_XML),
        "c.jsonld": ox.serialize(source, format=ox.RdfFormat.JSON_LD),
    }
    in_graph = [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(GRAPH_NS + "quads"))
                for t in source]
    files["d.nq"] = ox.serialize(in_graph, format=ox.RdfFormat.N_QUADS)
    files["e.trig"] = ox.serialize(in_graph, format=ox.RdfFormat.TRIG)
    paths = []
    for name, body in files.items():
        path = tmp_path / (name + ".gz" if name in ("a.nt", "d.nq") else name)
        path.write_bytes(gzip.compress(body or b"") if path.suffix == ".gz" else body or b"")
        paths.append(path)
    folder = tmp_path / "store"
    result = run_cli("load", "--store", str(folder), "--no-validate", *map(str, paths))
    assert result.returncode == 0, result.stderr
    graphs = _record(folder)["graphs"]
    assert isinstance(graphs, dict)
    assert graphs[GRAPH_NS + "a"] == graphs[GRAPH_NS + "b"] == graphs[GRAPH_NS + "c"] == count
    assert graphs[GRAPH_NS + "quads"] == count  # N-Quads and TriG keep their graph
    assert _record(folder)["report"] == "not validated"


def test_graph_option_names_the_target_graph(run_cli: RunCli, tmp_path: Path) -> None:
    folder = tmp_path / "store"
    target = "https://example.org/graph/all"
    result = run_cli("load", "--store", str(folder), "--no-validate", "--graph", target,
                     str(DATA_DIR / "nations.ttl"), str(DATA_DIR / "alliances.ttl"))
    assert result.returncode == 0, result.stderr
    expected = _shipped_triples()
    graphs = _record(folder)["graphs"]
    assert isinstance(graphs, dict)
    assert graphs[target] == expected[GRAPH_NS + "nations"] + expected[GRAPH_NS + "alliances"]


def test_backup_and_restore(run_cli: RunCli, tmp_path: Path) -> None:
    folder, saved = tmp_path / "store", tmp_path / "backup"
    assert run_cli("load", "--store", str(folder), "--no-validate",
                   str(DATA_DIR / "nations.ttl")).returncode == 0
    kept = _record(folder)
    assert run_cli("backup", "--store", str(folder), str(saved)).returncode == 0
    assert _record(saved) == kept
    assert run_cli("load", "--store", str(folder), "--no-validate",
                   str(DATA_DIR / "alliances.ttl")).returncode == 0
    assert _record(folder)["triples"] != kept["triples"]
    refused = run_cli("restore", str(saved), "--store", str(folder))
    assert refused.returncode == 2 and "--replace" in refused.stderr
    assert run_cli("restore", str(saved), "--store", str(folder), "--replace").returncode == 0
    assert _record(folder) == kept
    assert len(ox.Store.read_only(str(folder))) == kept["triples"]
    again = run_cli("backup", "--store", str(folder), str(saved))
    assert again.returncode == 2 and "already exists" in again.stderr


def test_a_store_from_another_engine_generation_is_refused(run_cli: RunCli,
                                                           tmp_path: Path) -> None:
    folder = tmp_path / "store"
    assert run_cli("load", "--store", str(folder), "--no-validate",
                   str(DATA_DIR / "nations.ttl")).returncode == 0
    record = _record(folder)
    record["engine"] = "pyoxigraph 0.4.11"
    (folder / "alliance-ld.json").write_text(json.dumps(record))
    result = run_cli("serve", "--store", str(folder), "--port", "0")
    assert result.returncode == 2
    assert "written by pyoxigraph 0.4.11" in result.stderr
    assert "alliance-ld load --store NEWDIR" in result.stderr
    assert "Traceback" not in result.stderr
    assert run_cli("load", "--store", str(folder),
                   str(DATA_DIR / "alliances.ttl")).returncode == 2


def test_serving_a_folder_that_is_not_a_store_says_how_to_make_one(run_cli: RunCli,
                                                                   tmp_path: Path) -> None:
    result = run_cli("serve", "--store", str(tmp_path), "--port", "0")
    assert result.returncode == 2
    assert "not an alliance-ld store" in result.stderr
    assert "alliance-ld load --store DIR" in result.stderr


# -- the import on disk beside a validation in memory (``--parallel``) ------------------


def test_a_parallel_import_makes_the_same_store(shipped_store: Path, run_cli: RunCli,
                                                tmp_path: Path) -> None:
    folder = tmp_path / "store"
    result = run_cli("load", "--store", str(folder), "--parallel", *map(str, DATA_FILES))
    assert result.returncode == 0, result.stderr
    mine, theirs = _record(folder), _record(shipped_store)
    assert mine["graphs"] == theirs["graphs"]
    assert mine["conforms"] is True
    assert mine["report"] == theirs["report"]
    imports = mine["imports"]
    assert isinstance(imports, list)
    assert imports[-1]["validated"] == "in memory, beside the import"
    theirs_imports = theirs["imports"]
    assert isinstance(theirs_imports, list)
    assert theirs_imports[-1]["validated"] == "in the store"  # the shipped data is small
    # the child's progress lines, one per file
    assert result.stderr.splitlines()[0] == (
        f"[1/{len(DATA_FILES)}] {DATA_FILES[0].name}: "
        f"{_shipped_triples()[GRAPH_NS + DATA_FILES[0].stem]} triples")


def test_a_parallel_import_validates_what_the_store_already_holds(run_cli: RunCli,
                                                                  tmp_path: Path) -> None:
    folder = tmp_path / "store"
    invalid = Path(__file__).parent / "data" / "invalid" / "count-qualifier-not-in-vocabulary.ttl"
    assert run_cli("load", "--store", str(folder), "--no-validate",
                   *map(str, DATA_FILES), str(invalid)).returncode == 0
    before = _record(folder)
    extra = tmp_path / "extra.ttl"
    extra.write_text("<https://example.org/a> <https://example.org/b> \"c\" .\n")
    result = run_cli("load", "--store", str(folder), "--parallel", str(extra))
    assert result.returncode == 1
    assert "Violation" in result.stdout
    assert f"file:       {invalid}" not in result.stdout  # the store's data: named by graph
    assert GRAPH_NS + invalid.stem in result.stdout
    assert _record(folder) == before


def test_a_parallel_import_adds_to_the_store(shipped_store: Path, run_cli: RunCli,
                                             tmp_path: Path) -> None:
    folder = tmp_path / "store"
    first, rest = DATA_FILES[:3], DATA_FILES[3:]  # the first alone do not conform
    assert run_cli("load", "--store", str(folder), "--no-validate",
                   *map(str, first)).returncode == 0
    result = run_cli("load", "--store", str(folder), "--parallel", *map(str, rest))
    assert result.returncode == 0, result.stderr
    record = _record(folder)
    assert record["graphs"] == _record(shipped_store)["graphs"]
    assert record["conforms"] is True
    imports = record["imports"]
    assert isinstance(imports, list) and len(imports) == 2


# -- serving only what was validated ------------------------------------------------------


def test_a_store_imported_without_validation_is_not_served_unless_asked(
        run_cli: RunCli, tmp_path: Path) -> None:
    folder = tmp_path / "store"
    assert run_cli("load", "--store", str(folder), "--no-validate",
                   *map(str, DATA_FILES)).returncode == 0
    refused = run_cli("serve", "--store", str(folder), "--port", "0")
    assert refused.returncode == 2
    assert refused.stderr.splitlines()[-1] == (
        f"alliance-ld: error: {folder.resolve()}: it was imported without validation "
        "(load --no-validate); not serving it (import it again with validation, or serve it "
        "anyway with --accept-nonconforming-store)")
    assert "Traceback" not in refused.stderr
    with live_server("--store", str(folder), "--accept-nonconforming-store",
                     public=False) as running:
        ready = httpx.get(running.url + "readyz", timeout=30)
        assert ready.status_code == 200
        assert ready.json()["warning"] == (
            f"serving {folder.resolve()} although it was imported without validation "
            "(load --no-validate) (--accept-nonconforming-store)")
        members = httpx.get(running.url + "sparql", params={"query": NORAD_MEMBERS},
                            headers={"Accept": "text/csv"}, timeout=30)
        assert members.text.splitlines()[1:] == [BASE + "id/nation/canada",
                                                 BASE + "id/nation/united-states"]
        assert "WARNING: serving" in running.log_path.read_text()


def test_a_store_whose_record_does_not_conform_is_refused(shipped_store: Path,
                                                          store_server: LiveServer,
                                                          run_cli: RunCli,
                                                          tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    assert run_cli("backup", "--store", str(shipped_store), str(copy)).returncode == 0
    record = _record(copy)
    assert httpx.get(store_server.url + "readyz").json().get("warning") is None
    record["conforms"] = False
    (copy / "alliance-ld.json").write_text(json.dumps(record))
    refused = run_cli("serve", "--store", str(copy), "--port", "0")
    assert refused.returncode == 2
    assert (f"{copy.resolve()}: its data does not conform to the shapes (see its "
            "alliance-ld.json); not serving it") in refused.stderr
