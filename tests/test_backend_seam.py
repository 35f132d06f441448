"""The back-end seam: one way in to the data, whatever holds it.

* no module above :mod:`alliance_ld.backend` imports the engine (read from the
  modules' parse trees, not their text);
* what the server builds (documents, labels) is read through the seam, one
  query per resource document;
* terms cross the seam unchanged (a literal's lexical form is kept);
* caches above the seam follow the data version.
"""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path
from typing import Any

import pytest
from rdflib.term import Literal

from alliance_ld.backend import Backend
from alliance_ld.backend.oxigraph import OxigraphBackend
from alliance_ld.describe import describe
from alliance_ld.publication import load_publication
from alliance_ld.settings import Settings

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "alliance_ld"
ENGINES = {"pyoxigraph"}
NATO = "https://w3id.org/alliance-ld/id/alliance/nato"


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_only_the_backend_package_imports_the_engine() -> None:
    above = [p for p in PACKAGE.rglob("*.py") if "backend" not in p.relative_to(PACKAGE).parts]
    assert len(above) > 30
    offenders = sorted(str(p.relative_to(PACKAGE)) for p in above if _imports(p) & ENGINES)
    assert offenders == []
    inside = [p for p in (PACKAGE / "backend").glob("*.py") if _imports(p) & ENGINES]
    assert {p.name for p in inside} >= {"oxigraph.py", "store.py"}  # the check can fail


class CountingBackend(OxigraphBackend):
    """Counts the reads that reach the back end."""

    def __init__(self, inner: OxigraphBackend) -> None:
        super().__init__(inner.store, inner.version())
        self.reads: list[str] = []

    def select(self, query: str, **kwargs: Any) -> Any:
        self.reads.append(query)
        return super().select(query, **kwargs)

    def construct(self, query: str, **kwargs: Any) -> Any:
        self.reads.append(query)
        return super().construct(query, **kwargs)

    def ask(self, query: str, **kwargs: Any) -> Any:
        self.reads.append(query)
        return super().ask(query, **kwargs)


def test_a_resource_document_is_one_read(publication: Any) -> None:
    assert isinstance(publication.backend, OxigraphBackend)
    counting = CountingBackend(publication.backend)
    counted = dataclasses.replace(publication, backend=counting)
    description = describe(counted, NATO)
    assert description is not None
    assert len(counting.reads) == 1
    # …and it holds everything the page shows: the members' labels come with it.
    members = {str(t.subject) for t in description.incoming
               if str(t.predicate) == "http://www.w3.org/ns/org#organization"}
    assert members
    labelled = {str(t.subject) for t in description.neighbours
                if str(t.predicate) == "http://www.w3.org/2000/01/rdf-schema#label"}
    assert members <= labelled
    counting.reads.clear()
    for member in sorted(members):
        assert counted.labels.get(member)  # primed by the description: no read
    assert counting.reads == []


def test_literals_keep_their_lexical_form_across_the_seam(tmp_path: Path) -> None:
    data = tmp_path / "forms.ttl"
    data.write_text(
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        '<http://example.org/a> <http://example.org/n> "007"^^xsd:integer ;\n'
        '    <http://example.org/b> "maybe"^^xsd:boolean ;\n'
        '    <http://example.org/l> "Kiel"@de .\n')
    backend = load_publication(Settings(data=[data])).backend
    assert isinstance(backend, OxigraphBackend)
    engine = {s["p"].value.rsplit("/", 1)[-1]: s["o"].value
              for s in backend.store.query("SELECT ?p ?o WHERE { <http://example.org/a> ?p ?o }",
                                           use_default_graph_as_union=True)}
    rows = backend.select("SELECT ?p ?o WHERE { <http://example.org/a> ?p ?o }")
    values = {str(r["p"]).rsplit("/", 1)[-1]: r["o"] for r in rows}
    assert {k: str(v) for k, v in values.items()} == engine  # what the engine holds
    assert str(values["b"]) == "maybe"  # rdflib alone would make it "false"
    assert values["l"] == Literal("Kiel", lang="de")
    triples = backend.construct("CONSTRUCT WHERE { ?s <http://example.org/b> ?o }")
    assert [str(o) for _, _, o in triples] == ["maybe"]


def test_labels_follow_the_data_version(tmp_path: Path) -> None:
    data = tmp_path / "label.ttl"
    data.write_text('<http://example.org/x> <http://www.w3.org/2000/01/rdf-schema#label> "Old" .\n')
    publication = load_publication(Settings(data=[data]))
    backend: Backend = publication.backend
    before = backend.version()
    assert publication.labels.get("http://example.org/x") == "Old"
    backend.update('DELETE DATA { GRAPH <https://w3id.org/alliance-ld/graph/label> {'
                   ' <http://example.org/x> <http://www.w3.org/2000/01/rdf-schema#label> "Old" } };'
                   'INSERT DATA { GRAPH <https://w3id.org/alliance-ld/graph/label> {'
                   ' <http://example.org/x> <http://www.w3.org/2000/01/rdf-schema#label> "New" } }')
    assert backend.version() != before
    assert publication.labels.get("http://example.org/x") == "New"


def test_an_update_is_all_or_nothing(publication: Any) -> None:
    backend = OxigraphBackend.from_nquads(
        b"<http://example.org/s> <http://example.org/p> <http://example.org/o> "
        b"<http://example.org/g> .\n")
    version = backend.version()
    from alliance_ld.errors import QuerySyntaxError

    with pytest.raises(QuerySyntaxError):
        backend.update("DELETE DATA { GRAPH <http://example.org/g> { <http://example.org/s> "
                       "<http://example.org/p> <http://example.org/o> } } ; INSERT DATA {")
    assert backend.count() == 1 and backend.version() == version
    assert backend.ask("ASK { GRAPH <http://example.org/g> { ?s ?p ?o } }")
    assert backend.graphs() == ["http://example.org/g"]
    assert b"".join(backend.dump("application/n-triples", "http://example.org/g")) == (
        b"<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n")


def test_the_command_line_and_the_server_count_a_from_graph_alike(
        client: Any, run_cli: Any) -> None:
    """``FROM <…/graph/nations>`` meant 2,720 triples on the command line, 213 on the server."""
    query = ("SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/alliance-ld/graph/nations> "
             "WHERE { ?s ?p ?o }")
    served = client.get("/sparql", params={"query": query},
                        headers={"Accept": "application/sparql-results+json"})
    assert served.status_code == 200
    over_http = int(served.json()["results"]["bindings"][0]["n"]["value"])
    result = run_cli("query", "--format", "csv", query)
    assert result.returncode == 0, result.stderr
    from_cli = int(result.stdout.splitlines()[1])
    nations = load_publication(Settings()).backend.count(
        "https://w3id.org/alliance-ld/graph/nations")
    assert over_http == from_cli == nations


@pytest.mark.parametrize("media_type", ["application/sparql-results+json",
                                        "application/sparql-results+xml", "text/csv",
                                        "text/tab-separated-values"])
def test_results_within_the_caps_are_written_by_the_engine(
        media_type: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import alliance_ld.backend.oxigraph as engine
    from alliance_ld.backend import QueryRequest

    backend = load_publication(Settings()).backend
    assert isinstance(backend, OxigraphBackend)
    query = (f"SELECT ?m ?n WHERE {{ ?m <http://www.w3.org/ns/org#organization> <{NATO}> ; "
             "<http://www.w3.org/ns/org#member> ?n } ORDER BY ?m")
    python_rows = engine.serialize_solutions

    def refuse(*args: Any, **kwargs: Any) -> bytes:
        raise AssertionError("written row by row in Python")

    monkeypatch.setattr(engine, "serialize_solutions", refuse)
    whole = backend.evaluate(QueryRequest(query, media_type, None, max_rows=1000))
    assert (whole.rows, whole.truncated) == (32, False)  # NATO's 32 members
    monkeypatch.setattr(engine, "serialize_solutions", python_rows)
    cut = backend.evaluate(QueryRequest(query, media_type, None, max_rows=5,
                                        truncation_link="http://example.org/why"))
    assert (cut.rows, cut.truncated) == (5, True)  # past the cap: cut, in Python
    tiny = backend.evaluate(QueryRequest(query, media_type, None, max_rows=1000, max_bytes=400))
    assert tiny.truncated and 0 < tiny.rows < 32  # past the byte cap: cut too


def test_one_cut_for_every_result() -> None:
    """Rows and triples, in memory and from a remote store, are cut by one function."""
    from alliance_ld.backend.oxigraph import take_capped

    assert take_capped(range(5), 5, 100, lambda _: 1) == ([0, 1, 2, 3, 4], False)
    assert take_capped(range(6), 5, 100, lambda _: 1) == ([0, 1, 2, 3, 4], True)
    assert take_capped(range(6), 10, 3, lambda _: 1) == ([0, 1, 2], True)
    assert take_capped([], 0, 0, lambda _: 1) == ([], False)


def test_the_data_version_is_the_same_for_the_same_data() -> None:
    """Two loads of the shipped data name it alike (citations and ETags carry it), though
    each load labels blank nodes afresh; a change of one triple changes it."""
    from alliance_ld.publication import data_digest, load_publication
    from alliance_ld.settings import Settings

    first, second = load_publication(Settings()), load_publication(Settings())
    assert first.version == second.version
    assert data_digest(b"<a> <b> _:x1 .\n<c> <d> <e> .\n") == data_digest(
        b"<c> <d> <e> .\n<a> <b> _:other .\n")
    assert data_digest(b"<a> <b> <c> .\n") != data_digest(b"<a> <b> <d> .\n")
