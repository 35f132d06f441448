"""The command line as a user runs it: exit codes, outputs and one-line errors."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from conftest import ROOT
from syntax_errors import SYNTAX_ERRORS
from syntax_errors import message as syntax_message

NORAD_QUERY = ROOT / "queries" / "cq01-norad-members.rq"
US = "https://w3id.org/alliance-ld/id/nation/united-states"
CANADA = "https://w3id.org/alliance-ld/id/nation/canada"
INLINE = (
    "PREFIX org: <http://www.w3.org/ns/org#> SELECT ?n WHERE { ?m org:organization "
    "<https://w3id.org/alliance-ld/id/alliance/norad> ; org:member ?n } ORDER BY ?n"
)


def assert_one_line_error(stderr: str, *fragments: str) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("alliance-ld: error: "), stderr
    assert "Traceback" not in stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_validate_shipped_data_conforms(run_cli) -> None:
    result = run_cli("validate")
    assert result.returncode == 0, result.stdout
    assert "0 violation(s)" in result.stdout or result.stdout.startswith("Conforms")


def test_validate_reports_violation_with_exit_1(run_cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix ald: <https://w3id.org/alliance-ld/ontology#> .\n"
        "<https://w3id.org/alliance-ld/id/nation/nowhere> a ald:Nation .\n"
    )
    result = run_cli("validate", "--data", str(bad), "--format", "json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["conforms"] is False
    focus = {r["focus_node"] for r in report["results"] if r["severity"] == "Violation"}
    assert focus == {"https://w3id.org/alliance-ld/id/nation/nowhere"}
    assert all(r["data_file"] == str(bad) for r in report["results"])
    assert all(r["message"] and r["shape"] for r in report["results"])


def test_validate_text_report_names_focus_path_shape_and_file(run_cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix ald: <https://w3id.org/alliance-ld/ontology#> .\n"
        "<https://w3id.org/alliance-ld/id/nation/nowhere> a ald:Nation .\n"
    )
    result = run_cli("validate", "--data", str(bad))
    assert result.returncode == 1
    out = result.stdout
    assert "focus node: https://w3id.org/alliance-ld/id/nation/nowhere" in out
    assert "path:       http://www.w3.org/2000/01/rdf-schema#label" in out
    assert "shape:" in out and f"file:       {bad}" in out
    assert "Does not conform" in out


def test_validate_turtle_report_is_a_shacl_report(run_cli, tmp_path: Path) -> None:
    import rdflib
    from rdflib.namespace import RDF, SH

    result = run_cli("validate", "--format", "turtle")
    graph = rdflib.Graph().parse(data=result.stdout, format="turtle")
    reports = list(graph.subjects(RDF.type, SH.ValidationReport))
    assert len(reports) == 1


def test_query_file_table(run_cli) -> None:
    result = run_cli("query", str(NORAD_QUERY))
    assert result.returncode == 0, result.stderr
    assert US in result.stdout and CANADA in result.stdout
    assert "(2 rows)" in result.stdout


def test_query_text_csv(run_cli) -> None:
    result = run_cli("query", INLINE, "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows == [["n"], [CANADA], [US]]


def test_query_stdin_json(run_cli) -> None:
    result = run_cli("query", "-", "--format", "json", stdin=INLINE)
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["head"]["vars"] == ["n"]
    assert [b["n"]["value"] for b in body["results"]["bindings"]] == [CANADA, US]


def test_query_ask(run_cli) -> None:
    result = run_cli("query", "ASK { <https://w3id.org/alliance-ld/id/alliance/nato> ?p ?o }")
    assert result.returncode == 0
    assert result.stdout.strip() == "true"


def test_malformed_query_is_one_line_exit_2(run_cli) -> None:
    result = run_cli("query", "SELECT ?s WHERE { ?s ?p }")
    assert result.returncode == 2
    assert_one_line_error(result.stderr, "SPARQL syntax error", "line 1, column")


@pytest.mark.parametrize(("query", "line", "column", "found", "expected"),
                         [case[1:] for case in SYNTAX_ERRORS],
                         ids=[case[0] for case in SYNTAX_ERRORS])
def test_syntax_error_says_what_was_found_and_what_could_come(
        run_cli, query: str, line: int, column: int, found: str, expected: str) -> None:
    result = run_cli("query", query)
    assert result.returncode == 2
    assert_one_line_error(result.stderr, "alliance-ld: error: " + syntax_message(
        line, column, found, expected).replace("\n", " "))


def test_unknown_query_file(run_cli) -> None:
    result = run_cli("query", "queries/no-such-query.rq")
    assert result.returncode == 2
    assert_one_line_error(result.stderr, "no-such-query.rq")


def test_turtle_syntax_error_names_file_and_line(run_cli, tmp_path: Path) -> None:
    bad = tmp_path / "broken.ttl"
    bad.write_text(
        "@prefix ex: <http://example.org/> .\n"
        "ex:a ex:b ex:c .\n"
        "ex:d ex:e ex:f ex:g .\n"
    )
    for command in ("validate", "stats", "query"):
        args = [command, "--data", str(bad)]
        if command == "query":
            args = [command, "ASK {}", "--data", str(bad)]
        result = run_cli(*args)
        assert result.returncode == 2, (command, result.stdout)
        assert_one_line_error(result.stderr, f"{bad}:3:", "syntax error")


def test_unknown_data_file(run_cli) -> None:
    result = run_cli("validate", "--data", "data/no-such-file.ttl")
    assert result.returncode == 2
    assert_one_line_error(result.stderr, "data/no-such-file.ttl", "no such file")


def test_empty_data_folder(run_cli, tmp_path: Path) -> None:
    result = run_cli("stats", "--data", str(tmp_path))
    assert result.returncode == 2
    assert_one_line_error(result.stderr, str(tmp_path), "no RDF files")


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None,
                    reason="needs root to run the command as another user")
def test_unreadable_data_folder(run_cli) -> None:
    probe = run_cli("--version", user="nobody")
    if probe.returncode != 0:
        pytest.skip(f"user nobody cannot run this checkout: {probe.stderr.strip()[:200]}")
    parent = Path(tempfile.mkdtemp(prefix="alliance-ld-"))  # world-readable parent
    try:
        parent.chmod(0o755)
        folder = parent / "private"
        folder.mkdir()
        shutil.copy(ROOT / "data" / "nations.ttl", folder)
        folder.chmod(0o700)  # owned by root: unreadable for 'nobody'
        result = run_cli("stats", "--data", str(folder), user="nobody")
        assert result.returncode == 2, result.stderr
        assert_one_line_error(result.stderr, str(folder), "not readable")
    finally:
        shutil.rmtree(parent)


def test_stats_counts(run_cli) -> None:
    result = run_cli("stats")
    assert result.returncode == 0
    out = result.stdout
    assert "https://w3id.org/alliance-ld/graph/nations:" in out
    # 100 + Singapore and Malaysia (Cobra Gold 24) + Bangladesh, Vietnam, Djibouti and Sierra Leone
    # (State Partnership Program partners; issue 9) + 16 partners of the second round (Tonga,
    # Papua New Guinea, Cambodia, Nicaragua, Ecuador, Belize, Jamaica, Suriname, Guyana, Rwanda,
    # Niger, Benin, Togo, Burkina Faso, Kosovo and Oman) + Zambia, Palau, Gabon and Samoa
    # + seven participants of African Lion 25 (Cameroon, Cape Verde, Chad, Cote d'Ivoire,
    # Guinea-Bissau, Libya and The Gambia; DVIDS) + Cyprus and the seven members of the
    # Regional Security System (State Partnership Program partners of New Jersey and Florida)
    assert "https://w3id.org/alliance-ld/ontology#Nation: 141" in out
    assert "https://w3id.org/alliance-ld/ontology#Alliance: 9" in out


def test_check_validates_then_summarises(run_cli) -> None:
    result = run_cli("check")
    assert result.returncode == 0
    assert "Conforms" in result.stdout and "triples:" in result.stdout


def test_build_writes_artefacts(run_cli, tmp_path: Path) -> None:
    result = run_cli("build", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "alliance.jsonld", "alliance.nt", "alliance.rdf", "alliance.ttl"
    ]


def test_missing_command_is_usage_error(run_cli) -> None:
    result = run_cli()
    assert result.returncode == 2
    assert "usage: alliance-ld" in result.stderr


def test_reason_consistent(run_cli) -> None:
    result = run_cli("reason", "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["consistent"] is True and report["unsatisfiable_classes"] == []
    assert report["ignored_datatypes"]


def test_reason_contradiction_exits_1(run_cli) -> None:
    fixture = ROOT / "tests" / "data" / "reasoning" / "contradictory.ttl"
    result = run_cli("reason", "--data", str(fixture))
    assert result.returncode == 1, result.stderr
    assert "Consistent: no" in result.stdout
    assert "told to ignore unsupported datatypes" in result.stdout or "Reasoner" in result.stdout


def test_query_has_the_endpoints_dataset_semantics(run_cli, client) -> None:  # type: ignore[no-untyped-def]
    """FROM names one graph, from the command line as on the endpoint (one query path)."""
    import pyoxigraph as ox

    from alliance_ld.resources import DATA_DIR

    query = ("SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/alliance-ld/graph/nations> "
             "WHERE { ?s ?p ?o }")
    in_file = len(list(ox.parse(path=str(DATA_DIR / "nations.ttl"),
                                format=ox.RdfFormat.TURTLE)))
    result = run_cli("query", query, "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert list(csv.reader(io.StringIO(result.stdout))) == [["n"], [str(in_file)]]
    served = client.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    assert served.text.splitlines() == ["n", str(in_file)]


def test_query_refuses_service_as_the_endpoint_does(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("query", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    assert result.returncode == 2
    assert_one_line_error(result.stderr, "SERVICE is not supported")


def test_every_setting_is_a_serve_flag_with_its_variable() -> None:
    """One description: each Settings field is a ``serve`` flag, typed, with its variable."""
    import argparse

    from alliance_ld.cli import build_parser
    from alliance_ld.settings import Settings

    parser = build_parser()
    serve = next(action for action in parser._subparsers._group_actions  # type: ignore[union-attr]
                 if isinstance(action, argparse._SubParsersAction)).choices["serve"]
    by_dest = {action.dest: action for action in serve._actions}
    assert set(Settings.model_fields) <= set(by_dest)
    for name in Settings.model_fields:
        if name != "data":
            assert f"ALLIANCE_LD_{name.upper()}" in (by_dest[name].help or ""), name
    args = serve.parse_args(["--workers", "3", "--remote-ttl", "2.5", "--no-log-json",
                             "--store", "/tmp/x", "--sparql-endpoint", "http://127.0.0.1:1/q"])
    assert (args.query_workers, args.remote_ttl, args.log_json) == (3, 2.5, False)
    assert args.store == Path("/tmp/x") and args.sparql_endpoint == "http://127.0.0.1:1/q"
    assert args.port is None  # unset flags leave the environment and defaults alone
