"""One behaviour on every back end: the same server in front of four homes for the data.

``alliance-ld serve`` runs for real (uvicorn on 127.0.0.1) over

* ``memory``: the shipped files, loaded in memory (``serve``, as ``make run``);
* ``disk``: an on-disk store made by ``alliance-ld load`` (``serve --store``);
* ``oxigraph``: the Oxigraph server (PyPI ``oxigraph``), through ``serve --sparql-endpoint``;
* ``virtuoso``: Virtuoso (Debian's ``virtuoso-opensource``), through ``serve --sparql-endpoint``;

and every test asks each of them the same thing: the W3C SPARQL 1.1 Protocol
manifest, dereferencing with content negotiation, resource pages, search, the
VoID description and the downloads. The in-memory server is the reference the
others are compared with. A divergence of one back end is an ``xfail`` naming it.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import rdflib
from live_server import ROOT, LiveServer, downloaded_dump, live_server
from rdflib.compare import isomorphic
from test_sparql_protocol_w3c import ENTRIES, adapted, check, send

pytestmark = pytest.mark.triplestore

BACKENDS = ("memory", "disk", "oxigraph", "virtuoso")
NATO = "https://w3id.org/alliance-ld/id/alliance/nato"
ORG = "http://www.w3.org/ns/org#"


@pytest.fixture(scope="session")
def disk_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped data imported with ``alliance-ld load`` (validated on the way in)."""
    folder = tmp_path_factory.mktemp("contract") / "store"
    files = sorted((ROOT / "data").glob("*.ttl"))
    result = subprocess.run(
        [sys.executable, "-m", "alliance_ld.cli", "load", "--store", str(folder), "--quiet",
         *map(str, files)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return folder


def _front_end(*args: str) -> Iterator[LiveServer]:
    with live_server(*args, "--workers", "2") as running:
        yield running


@pytest.fixture(scope="session", params=BACKENDS)
def served(request: pytest.FixtureRequest) -> Iterator[tuple[str, LiveServer]]:
    name: str = request.param
    if name == "memory":
        yield name, request.getfixturevalue("server")
        return
    if name == "disk":
        args: tuple[str, ...] = ("--store", str(request.getfixturevalue("disk_store")))
    else:
        store = request.getfixturevalue(
            "oxigraph_server" if name == "oxigraph" else "virtuoso_server")
        args = ("--sparql-endpoint", store.query_url, "--remote-ttl", "5")
    yield from ((name, running) for running in _front_end(*args))


@pytest.fixture(scope="session")
def reference(server: LiveServer) -> LiveServer:
    return server


def _graph(response: httpx.Response, fmt: str = "turtle") -> rdflib.Graph:
    assert response.status_code == 200, response.text[:500]
    return rdflib.Graph().parse(data=response.content, format=fmt)


def _local(server: LiveServer, graph: rdflib.Graph) -> rdflib.Graph:
    """``graph`` with the server's public address put back to the canonical base."""
    out = rdflib.Graph()
    base = "https://w3id.org/alliance-ld/"
    for triple in graph:
        out.add(tuple(  # type: ignore[arg-type]
            type(t)(str(t).replace(server.url, base)) if isinstance(t, rdflib.URIRef) else t
            for t in triple))
    return out


# -- the endpoint: the W3C protocol manifest ---------------------------------------

#: Known divergences of a back end, each with what differs (checked: strict xfails).
DIVERGENCES: dict[tuple[str, str], str] = {
    ("virtuoso", "query_multiple_dataset"):
        "Virtuoso merges the query's FROM with the protocol's default-graph-uri instead of "
        "letting the parameter replace it, so the ASK sees the FROM graph too",
    **{("virtuoso", f"update_dataset_{part}"):
       "given a protocol dataset, Virtuoso answers GRAPH <iri> for an IRI outside it with one "
       "solution instead of none (the refused update's follow-up ASK is true)"
       for part in ("default_graph", "default_graphs", "named_graphs", "full")},
}


@pytest.mark.parametrize(("name", "title", "exchanges"), ENTRIES,
                         ids=[name for name, _, _ in ENTRIES])
def test_w3c_protocol_on_every_back_end(served: tuple[str, LiveServer], name: str, title: str,
                                         exchanges: list[Any],
                                         request: pytest.FixtureRequest) -> None:
    backend, running = served
    reason = DIVERGENCES.get((backend, name))
    if reason is not None:
        request.applymarker(pytest.mark.xfail(strict=True, reason=reason))
    for exchange in adapted(name, exchanges, running.url):
        check(name, exchange, send(running.url, exchange))


def test_select_answers_alike(served: tuple[str, LiveServer], reference: LiveServer) -> None:
    query = (f"PREFIX org: <{ORG}> SELECT ?member WHERE {{ ?m org:organization <{NATO}> ; "
             "org:member ?member } ORDER BY ?member")

    def members(server: LiveServer) -> list[str]:
        response = httpx.get(server.url + "sparql", params={"query": query},
                             headers={"Accept": "application/sparql-results+json"}, timeout=60)
        assert response.status_code == 200, response.text
        return [b["member"]["value"].replace(server.url, "https://w3id.org/alliance-ld/")
                for b in response.json()["results"]["bindings"]]

    found = members(served[1])
    assert len(found) >= 32
    assert found == members(reference)


# -- linked data -------------------------------------------------------------------------


def test_dereferencing_gives_the_same_description(served: tuple[str, LiveServer],
                                                   reference: LiveServer) -> None:
    _, running = served
    redirect = httpx.get(running.url + "id/alliance/nato", headers={"Accept": "text/turtle"})
    assert redirect.status_code == 303
    assert redirect.headers["location"].endswith("doc/alliance/nato.ttl")
    for extension, fmt in (("ttl", "turtle"), ("nt", "nt"), ("rdf", "xml"), ("jsonld", "json-ld")):
        mine = _graph(httpx.get(running.url + f"doc/alliance/nato.{extension}", timeout=60), fmt)
        theirs = _graph(httpx.get(reference.url + f"doc/alliance/nato.{extension}", timeout=60),
                        fmt)
        assert len(mine) > 100
        assert isomorphic(_local(running, mine), _local(reference, theirs)), extension


def test_resource_page_shows_the_members(served: tuple[str, LiveServer]) -> None:
    _, running = served
    page = httpx.get(running.url + "doc/alliance/nato.html", timeout=60)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    for label in ("Finland in NATO", "Sweden in NATO", "North Atlantic Treaty Organization"):
        assert label in page.text


def test_a_parameterised_query_answers_alike(served: tuple[str, LiveServer]) -> None:
    """NATO's members on the day Czechia, Hungary and Poland joined: 19, on every back end
    (the date is bound by a VALUES row, which every store evaluates the same)."""
    _, running = served
    response = httpx.get(running.url + "queries/members-as-of",
                         params={"date": "1999-03-12", "format": "csv"}, timeout=60)
    assert response.status_code == 200, response.text[:500]
    rows = response.text.strip().splitlines()[1:]
    assert len(rows) == 19
    assert {r.split(",")[1] for r in rows} >= {"Czechia", "Hungary", "Poland", "Spain"}
    wrong = httpx.get(running.url + "queries/members-as-of", params={"date": "1999"},
                      timeout=60)
    assert wrong.status_code == 400 and "'date'" in wrong.text


def test_the_view_as_of_a_date_is_the_same(served: tuple[str, LiveServer]) -> None:
    _, running = served
    response = httpx.get(running.url + "doc/alliance/nato.ttl",
                         params={"as_of": "1999-03-12"}, timeout=60)
    graph = _graph(response)
    nato = rdflib.URIRef(running.url + "id/alliance/nato")
    members = set(graph.subjects(rdflib.URIRef("http://www.w3.org/ns/org#organization"), nato))
    assert len(members) == 19


#: The analyst's views (issue 8), each with the part of it to compare: the whole body,
#: or one element of a page (by its id). The data version is left out of citations.
ANALYST_VIEWS = (
    ("doc/nation/new-zealand.html?as_of=2000", "dated"),
    ("doc/treaty/anzus-treaty.html?as_of=1952", "dated"),
    ("doc/treaty/us-japan-security-treaty-1951.html?as_of=1970", "dated"),
    ("doc/alliance/nato.html", "timeline"),
    ("map/alliance/nato.svg?as_of=1999", None),
    ("map/nation/united-states.svg?as_of=1985", None),
    ("map/treaty/warsaw-treaty.svg?as_of=1980", None),
    ("network.svg?year=1985", None),
    ("network.svg?year=2024", None),
    ("downloads/0.1.0/membership-year.csv", None),
    ("downloads/0.1.0/dyad-year.csv", None),
    ("downloads/0.1.0/state-year.csv", None),
)


def _part(server: LiveServer, path: str, element: str | None) -> str:
    response = httpx.get(server.url + path, timeout=120)
    assert response.status_code == 200, (path, response.text[:300])
    text = response.text.replace(server.url, "/")
    # A timeline runs to the data's last change (the files' time in memory, the import's
    # on disk, the first answer's on a remote store): the same day but around midnight.
    changed = parsedate_to_datetime(response.headers["Last-Modified"]).date().isoformat()
    text = text.replace(f" to {changed}; a pale part", " to <last change>; a pale part")
    if element is None:
        return text
    start = text.index(f'id="{element}"')
    tag = text[text.rindex("<", 0, start) + 1:start].split()[0]
    return text[start:text.index(f"</{tag}>", start)]


@pytest.mark.parametrize(("path", "element"), ANALYST_VIEWS,
                         ids=[path for path, _ in ANALYST_VIEWS])
def test_the_analyst_views_are_the_same(served: tuple[str, LiveServer], reference: LiveServer,
                                        path: str, element: str | None) -> None:
    """Pages as of a date (agreements in force, suspensions), the timeline, the world maps,
    the network by year and the analysis-ready tables: byte for byte what the in-memory
    server answers."""
    mine = _part(served[1], path, element)
    assert len(mine) > 500
    assert mine == _part(reference, path, element)


def test_search_finds_the_same(served: tuple[str, LiveServer], reference: LiveServer) -> None:
    def hits(server: LiveServer) -> list[str]:
        response = httpx.get(server.url + "search", params={"q": "treaty", "format": "json"},
                             timeout=60)
        assert response.status_code == 200
        return [h["iri"].replace(server.url, "") for h in response.json()["results"]]

    found = hits(served[1])
    assert len(found) >= 5
    assert found == hits(reference)


# -- dataset descriptions and downloads ----------------------------------------------


def test_void_counts_alike(served: tuple[str, LiveServer], reference: LiveServer) -> None:
    void = rdflib.Namespace("http://rdfs.org/ns/void#")

    def counts(server: LiveServer) -> dict[str, int]:
        graph = _local(server, _graph(httpx.get(server.url + ".well-known/void",
                                                headers={"Accept": "text/turtle"}, timeout=60)))
        dataset = rdflib.URIRef("https://w3id.org/alliance-ld/.well-known/void#dataset")
        return {name: int(graph.value(dataset, void[name]))  # type: ignore[arg-type]
                for name in ("triples", "entities", "classes", "properties")}

    mine = counts(served[1])
    assert mine["triples"] > 3000
    assert mine == counts(reference)


def test_downloads_hold_the_same_graphs(served: tuple[str, LiveServer],
                                        reference: LiveServer) -> None:
    def per_graph(server: LiveServer) -> dict[str, rdflib.Graph]:
        dataset = rdflib.Dataset()
        dataset.parse(data=downloaded_dump(server), format="nquads")
        return {str(g.identifier): _local(server, g) for g in dataset.graphs()
                if len(g) and str(g.identifier).startswith("https://")}

    mine, theirs = per_graph(served[1]), per_graph(reference)
    assert sorted(mine) == sorted(theirs)
    for name in theirs:
        assert isomorphic(mine[name], theirs[name]), name


# -- a remote store that goes away and comes back --------------------------------------


def test_an_unreachable_store_is_a_502_with_the_reason_and_the_server_recovers(
        triplestore_dataset: dict[str, bytes]) -> None:
    from triplestores import oxigraph_server

    def ask(server: LiveServer, number: int) -> httpx.Response:
        # A new query each time: an answer from the result cache would prove nothing.
        return httpx.get(server.url + "sparql",
                         params={"query": f"ASK {{ ?s ?p ?o FILTER(?o != {number}) }}"},
                         headers={"Accept": "application/sparql-results+json"}, timeout=30)

    with oxigraph_server(triplestore_dataset) as store, \
            live_server("--sparql-endpoint", store.query_url, "--remote-ttl", "1") as running:
        first = ask(running, 1)
        assert first.status_code == 200 and first.json()["boolean"] is True
        store.stop()
        down = ask(running, 2)
        assert down.status_code == 502
        assert store.query_url in down.text
        assert "refused" in down.text.lower()
        assert "Traceback" not in down.text
        page = httpx.get(running.url + "doc/nation/finland.ttl", timeout=30)
        assert page.status_code == 502 and store.query_url in page.text
        store.start()
        back = ask(running, 3)
        assert back.status_code == 200 and back.json()["boolean"] is True
        again = httpx.get(running.url + "doc/alliance/nato.ttl", timeout=30)
        assert again.status_code == 200


class _HoldingProxy:
    """A forwarding proxy before a SPARQL endpoint that, once ``hold`` is set, keeps the
    next request for the store's graph counts waiting until ``release`` is set."""

    def __init__(self, target: str) -> None:
        import http.server
        import threading

        self.target = target
        self.hold, self.arrived, self.release = (threading.Event(), threading.Event(),
                                                 threading.Event())
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the standard library's name
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if proxy.hold.is_set() and b"GROUP+BY+%3Fg" in body:
                    proxy.hold.clear()
                    proxy.arrived.set()
                    proxy.release.wait(30)
                answer = httpx.post(proxy.target, content=body, timeout=30, headers={
                    name: self.headers[name] for name in ("Content-Type", "Accept")
                    if self.headers.get(name)})
                self.send_response(answer.status_code)
                for name in ("Content-Type", "Server"):
                    if name in answer.headers:
                        self.send_header(name, answer.headers[name])
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/query"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def test_the_server_answers_while_it_waits_for_the_store(oxigraph_server: Any) -> None:
    """A remote store's data version is checked once per time to live; while the store
    takes its time to answer that check, the server's event loop is not held: /healthz
    answers before the store does (before, the loop waited on the store)."""
    import threading
    import time

    proxy = _HoldingProxy(oxigraph_server.query_url)
    try:
        with live_server("--sparql-endpoint", proxy.url, "--remote-ttl", "1") as running:
            page = running.url + "doc/alliance/nato.ttl"
            assert httpx.get(page, timeout=30).status_code == 200
            proxy.hold.set()
            time.sleep(1.1)  # into the next time-to-live period: the next request checks
            answers: list[int] = []
            waiting = threading.Thread(
                target=lambda: answers.append(httpx.get(page, timeout=60).status_code))
            waiting.start()
            assert proxy.arrived.wait(30), "the check of the data version never came"
            health = httpx.get(running.url + "healthz", timeout=10)
            assert health.status_code == 200
            assert answers == []  # the page is still waiting for the store
            proxy.release.set()
            waiting.join(60)
            assert answers == [200]
    finally:
        proxy.close()


def test_graph_results_stream_from_a_remote_store_within_the_caps(
        oxigraph_server: Any, server: LiveServer) -> None:
    """N-Triples from the store pass on line by line; a cut result ends with a comment."""
    query = (f"CONSTRUCT {{ ?m <{ORG}member> ?n }} WHERE {{ ?m <{ORG}organization> <{NATO}> ; "
             f"<{ORG}member> ?n }}")
    headers = {"Accept": "application/n-triples"}
    with live_server("--sparql-endpoint", oxigraph_server.query_url, "--max-rows", "5") as capped:
        whole = httpx.get(server.url + "sparql", params={"query": query}, headers=headers)
        assert whole.status_code == 200
        reference = _local(server, rdflib.Graph().parse(data=whole.text, format="nt"))
        assert len(reference) >= 32
        with httpx.stream("GET", capped.url + "sparql", params={"query": query},
                          headers=headers, timeout=30) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("application/n-triples")
            assert "content-length" not in response.headers  # streamed, not buffered
            text = response.read().decode()
        lines = text.splitlines()
        assert lines[-1].startswith("# result cut at 5 triples")
        cut = _local(capped, rdflib.Graph().parse(data=text, format="nt"))
        assert len(cut) == 5
        assert set(cut) <= set(reference)


def test_validate_reads_a_remote_store(oxigraph_server: Any, run_cli: Any) -> None:
    """``alliance-ld validate --sparql-endpoint``: the shapes run over the store's data graphs."""
    result = run_cli("validate", "--format", "json", "--sparql-endpoint",
                     oxigraph_server.query_url)
    assert result.returncode == 0, result.stderr
    import json

    report = json.loads(result.stdout)
    assert report["conforms"] is True
    local = run_cli("validate", "--format", "json")
    assert local.returncode == 0
    # The same warnings as validating the files: the same data, read from the store.
    def focus(r: dict[str, Any]) -> list[tuple[str, str]]:
        return sorted((x["focus_node"], x["shape"]) for x in r["results"])

    assert focus(report) == focus(json.loads(local.stdout))
    assert all(x["data_file"].startswith("https://w3id.org/alliance-ld/graph/")
               for x in report["results"])
