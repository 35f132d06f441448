"""Downloads (the N-Quads dump and Turtle per named graph) and the JSON-LD context."""

from __future__ import annotations

import gzip
import io
import json

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from oracle import published_store
from rdflib.compare import isomorphic

from alliance_ld import jsonld
from alliance_ld.store import to_rdflib

BASE = "https://w3id.org/alliance-ld/"
DUMP = "/downloads/alliance-ld-0.1.0.nq.gz"
NATO = BASE + "id/alliance/nato"


def _graph_of(publication, graph: str) -> rdflib.Graph:  # type: ignore[no-untyped-def]
    g = rdflib.Graph()
    for q in published_store().quads(graph):
        g.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return g


def test_dump_is_a_gzip_file_of_the_whole_dataset(client, publication) -> None:  # type: ignore[no-untyped-def]
    response = client.get(DUMP)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/gzip"
    assert response.headers["content-disposition"] == (
        'attachment; filename="alliance-ld-0.1.0.nq.gz"')
    assert response.content[:2] == b"\x1f\x8b"
    nquads = gzip.decompress(response.content)
    quads = list(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))
    assert len(quads) == len(published_store())
    graphs = sorted({q.graph_name.value for q in quads})
    assert graphs == published_store().graph_names
    for graph in graphs:  # the same triples in each graph, blank nodes up to renaming
        served = rdflib.Graph()
        for q in quads:
            if q.graph_name.value == graph:
                served.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
        assert isomorphic(served, published_store().rdflib_graph([graph])), graph


def test_dump_per_graph_is_isomorphic(client, publication) -> None:  # type: ignore[no-untyped-def]
    dataset = rdflib.Dataset()
    dataset.parse(data=gzip.decompress(client.get(DUMP).content), format="nquads")
    for graph in published_store().graph_names:
        parsed = dataset.graph(rdflib.URIRef(graph))
        assert isomorphic(parsed, _graph_of(publication, graph)), graph


def test_dump_is_cached_with_validators(client) -> None:  # type: ignore[no-untyped-def]
    first = client.get(DUMP)
    etag = first.headers["etag"]
    assert first.headers["last-modified"].endswith("GMT")
    assert client.get(DUMP).content == first.content  # deterministic bytes
    assert client.get(DUMP, headers={"If-None-Match": etag}).status_code == 304
    modified = first.headers["last-modified"]
    assert client.get(DUMP, headers={"If-Modified-Since": modified}).status_code == 304


@pytest.mark.parametrize("stem", ["nations", "alliances", "ontology", "shapes", "sources"])
def test_turtle_per_graph(client, publication, stem: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/downloads/0.1.0/{stem}.ttl")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"
    parsed = rdflib.Graph().parse(data=response.text, format="turtle")
    expected = _graph_of(publication, BASE + "graph/" + stem)
    assert len(expected) > 50
    assert isomorphic(parsed, expected)


def test_every_graph_has_a_turtle_download(client, publication) -> None:  # type: ignore[no-untyped-def]
    listing = client.get("/downloads", headers={"Accept": "application/json"})
    assert listing.status_code == 200
    assert listing.headers["content-type"] == "application/json"
    body = listing.json()
    assert body["version"] == "0.1.0"
    assert body["licence"] == "https://creativecommons.org/licenses/by/4.0/"
    paths = [f["path"] for f in body["files"] if f.get("kind") != "table"]
    stems = [g.rsplit("/", 1)[-1] for g in published_store().graph_names]
    assert paths == [DUMP] + [f"/downloads/0.1.0/{s}.ttl" for s in stems]
    for entry in body["files"]:
        assert client.get(entry["path"]).content.__len__() == entry["bytes"]
    assert body["files"][0]["triples"] == len(published_store())


@pytest.mark.parametrize("path", [
    "/downloads/alliance-ld-0.0.9.nq.gz", "/downloads/0.2.0/nations.ttl",
    "/downloads/0.1.0/unknown.ttl", "/downloads/0.1.0/nations.nt",
    "/downloads/0.1.0/..%2F..%2Fpyproject.toml",
])
def test_unknown_downloads_are_404(client, path: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == 404
    assert "Traceback" not in response.text


def test_downloads_page(client, publication) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/downloads", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    html = response.text
    assert f'href="{DUMP}"' in html
    for graph in published_store().graph_names:
        assert f'href="/downloads/0.1.0/{graph.rsplit("/", 1)[-1]}.ttl"' in html
    assert 'rel="license" href="https://creativecommons.org/licenses/by/4.0/"' in html
    assert "version 0.1.0" in html  # the citation


# ---------------------------------------------------------------------------
# JSON-LD context


@pytest.fixture(scope="module")
def served_context(client) -> dict:  # type: ignore[no-untyped-def,type-arg]
    response = client.get("/context.jsonld")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ld+json"
    document = response.json()
    assert list(document) == ["@context"]
    return document["@context"]  # type: ignore[no-any-return]


def test_context_terms(served_context: dict) -> None:  # type: ignore[type-arg]
    ctx = served_context
    assert ctx["ald"] == BASE + "ontology#"
    assert ctx["Alliance"] == "ald:Alliance"
    assert ctx["foundedOn"] == {"@id": "ald:foundedOn", "@type": "@id"}
    assert ctx["personnelCount"] == {"@id": "ald:personnelCount",
                                     "@type": "xsd:nonNegativeInteger"}
    # Plain strings and dates of several types are not coerced.
    assert ctx["articleReference"] == "ald:articleReference"
    assert ctx["startDate"] == "ald:startDate"
    assert ctx["org:member"] == {"@type": "@id"}


def _nato_triples(publication) -> list[tuple[rdflib.term.Node, ...]]:  # type: ignore[no-untyped-def]
    store = published_store()
    membership = BASE + "id/membership/nato-"
    return [(to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))
            for q in store.quads()
            if q.subject.value == NATO or q.subject.value.startswith(membership)]


def test_context_compacts_nato(publication, served_context: dict) -> None:  # type: ignore[no-untyped-def,type-arg]
    triples = _nato_triples(publication)
    graph = rdflib.Graph()
    for t in triples:
        graph.add(t)
    text = graph.serialize(format="json-ld", context=served_context, auto_compact=True)
    document = json.loads(text)
    nodes = {n["@id"]: n for n in document["@graph"]}
    nato = nodes[NATO]
    assert sorted(nato["@type"]) == ["Alliance", "InternationalOrganisation"]
    assert nato["foundedOn"] == BASE + "id/treaty/north-atlantic-treaty"
    assert BASE + "id/region/europe" in nato["region"]
    finland = nodes[BASE + "id/membership/nato-finland"]
    assert finland["@type"] == "Membership"
    assert finland["org:member"] == BASE + "id/nation/finland"
    assert finland["startDate"] == {"@type": "xsd:date", "@value": "2023-04-04"}
    assert isomorphic(rdflib.Graph().parse(data=text, format="json-ld"), graph)


def test_compact_helper_embeds_or_references_the_context(publication, served_context: dict  # type: ignore[no-untyped-def,type-arg]
                                                         ) -> None:
    triples = _nato_triples(publication)
    embedded = json.loads(jsonld.compact(publication, triples))
    assert embedded["@context"] == served_context
    expected = rdflib.Graph()
    for t in triples:
        expected.add(tuple(t))
    parsed = rdflib.Graph().parse(data=json.dumps(embedded), format="json-ld")
    assert isomorphic(parsed, expected)
    referenced = json.loads(jsonld.compact(publication, triples,
                                           context_url=BASE + "context.jsonld"))
    assert referenced["@context"] == BASE + "context.jsonld"


def test_live_downloads_carry_public_iris(server) -> None:  # type: ignore[no-untyped-def]
    response = httpx.get(server.url + "downloads/alliance-ld-0.1.0.nq.gz")
    assert response.headers["content-type"] == "application/gzip"
    nquads = gzip.decompress(response.content).decode()
    assert f"<{server.url}id/alliance/nato>" in nquads
    assert "https://w3id.org/alliance-ld/" not in nquads
    g = rdflib.Graph().parse(server.url + "downloads/0.1.0/nations.ttl", format="turtle")
    assert (rdflib.URIRef(server.url + "id/nation/finland"), None, None) in g
    ctx = httpx.get(server.url + "context.jsonld").json()["@context"]
    assert ctx["ald"] == server.url + "ontology#"


def test_downloads_are_files_written_from_the_engine(client, publication) -> None:  # type: ignore[no-untyped-def]
    from alliance_ld import void

    files = void.downloads(publication)
    dump = files.dump
    assert dump.file.is_file() and dump.file.parent == files.folder
    assert not hasattr(dump, "body")  # the bytes live on disk, not in the server's memory
    served = client.get(DUMP).content
    assert dump.size == len(served) == dump.file.stat().st_size
    assert dump.read() == served
    for download in files.graphs:
        assert download.file.read_bytes() == client.get("/" + download.path).content


def test_a_range_of_the_dump_resumes_a_download(client) -> None:  # type: ignore[no-untyped-def]
    whole = client.get(DUMP)
    part = client.get(DUMP, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 100-199/{len(whole.content)}"
    assert part.content == whole.content[100:200]
    rest = client.get(DUMP, headers={"Range": "bytes=100-"})
    assert whole.content[:100] + rest.content == whole.content


def test_the_public_base_is_written_whole_across_chunks() -> None:
    from types import SimpleNamespace

    from alliance_ld.void import _write_rewritten

    rewriter = SimpleNamespace(to_public_bytes=lambda b: b.replace(
        b"https://w3id.org/alliance-ld/", b"http://example.org/ld/"))
    text = (b"<https://w3id.org/alliance-ld/id/a> <https://w3id.org/alliance-ld/p> "
            b"\"x\" .\n") * 50
    for size in (1, 7, 30, 4096):  # chunks that cut IRIs anywhere
        chunks = [text[i:i + size] for i in range(0, len(text), size)]
        out = io.BytesIO()
        _write_rewritten(chunks, out, SimpleNamespace(rewriter=rewriter))  # type: ignore[arg-type]
        assert out.getvalue() == rewriter.to_public_bytes(text), size


def test_a_change_of_the_data_rebuilds_the_files_and_drops_the_old() -> None:
    from alliance_ld import void
    from alliance_ld.publication import load_publication
    from alliance_ld.settings import Settings

    publication = load_publication(Settings())
    before = void.downloads(publication)
    old_folder, old_size = before.folder, before.dump.size
    publication.backend.update(
        "INSERT DATA { GRAPH <https://w3id.org/alliance-ld/graph/nations> { "
        "<https://w3id.org/alliance-ld/id/nation/x> <http://www.w3.org/2000/01/rdf-schema#label> "
        "\"a nation added by a test\" } }")
    after = void.downloads(publication)
    assert after.folder != old_folder and not old_folder.exists()
    assert after.dump.digest != before.dump.digest
    assert b"a nation added by a test" in gzip.decompress(after.dump.read())
    assert after.dump.size > old_size
