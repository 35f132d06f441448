"""The ontology namespace (/ontology, its release, its documentation page) and /shapes."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS

from alliance_ld.resources import ONTOLOGY_DIR, SHAPES_DIR

BASE = "https://w3id.org/alliance-ld/"
ALD = rdflib.Namespace(BASE + "ontology#")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY_DIR / "alliance.ttl", format="turtle")


class Sections(HTMLParser):
    """The text and links of every element with an id (nested ones included in their parents)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.text: dict[str, list[str]] = {}
        self.links: dict[str, list[str]] = {}
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        element_id = attributes.get("id")
        if tag in ("br", "meta", "link", "img", "input"):
            return
        self.stack.append((tag, element_id))
        if element_id:
            self.ids.append(element_id)
            self.text.setdefault(element_id, [])
            self.links.setdefault(element_id, [])
        if tag == "a" and attributes.get("href"):
            for _, open_id in self.stack:
                if open_id:
                    self.links[open_id].append(attributes["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            open_tag, _ = self.stack.pop()
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        for _, open_id in self.stack:
            if open_id:
                self.text[open_id].append(data)

    def section(self, element_id: str) -> str:
        """The element's text, whitespace collapsed (none inside parentheses or before ,;)."""
        text = " ".join(" ".join(self.text[element_id]).split())
        return re.sub(r"\s+([),;])", r"\1", re.sub(r"\(\s+", "(", text))


@pytest.fixture(scope="module")
def page(client) -> Sections:  # type: ignore[no-untyped-def]
    response = client.get("/ontology", headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    parser = Sections()
    parser.feed(response.text)
    return parser


@pytest.mark.parametrize(("accept", "fmt", "content_type", "location"), [
    ("text/turtle", "turtle", "text/turtle; charset=utf-8", "/ontology.ttl"),
    ("application/rdf+xml", "xml", "application/rdf+xml; charset=utf-8", "/ontology.rdf"),
    ("application/ld+json", "json-ld", "application/ld+json; charset=utf-8", "/ontology.jsonld"),
    ("application/n-triples", "nt", "application/n-triples; charset=utf-8", "/ontology.nt"),
])
def test_ontology_by_content_negotiation(client, ontology: rdflib.Graph, accept: str,  # type: ignore[no-untyped-def]
                                         fmt: str, content_type: str, location: str) -> None:
    response = client.get("/ontology", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    assert response.headers["content-location"] == location
    assert "Accept" in response.headers["vary"]
    assert '</ontology.ttl>; rel="alternate"; type="text/turtle"' in response.headers["link"]
    assert isomorphic(rdflib.Graph().parse(data=response.content, format=fmt), ontology)
    direct = client.get(location)
    assert direct.status_code == 200
    assert direct.content == response.content
    assert direct.headers["content-type"] == content_type


def test_turtle_is_the_source_file_byte_for_byte(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/ontology", params={"format": "ttl"}, headers={"Accept": BROWSER})
    assert response.content == (ONTOLOGY_DIR / "alliance.ttl").read_bytes()
    assert client.get("/ontology.owl").content == (ONTOLOGY_DIR / "alliance.rdf").read_bytes()


def test_version_iri_resolves_to_the_release(client, ontology: rdflib.Graph) -> None:  # type: ignore[no-untyped-def]
    version_iri = str(ontology.value(rdflib.URIRef(BASE + "ontology"), OWL.versionIRI))
    assert version_iri == BASE + "ontology/0.1.0"
    path = "/" + version_iri[len(BASE):]
    turtle = client.get(path, headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200
    assert turtle.headers["content-location"] == "/ontology/0.1.0.ttl"
    assert isomorphic(rdflib.Graph().parse(data=turtle.content, format="turtle"), ontology)
    xml = client.get(path + ".rdf")
    assert xml.headers["content-type"] == "application/rdf+xml; charset=utf-8"
    assert isomorphic(rdflib.Graph().parse(data=xml.content, format="xml"), ontology)
    html = client.get(path, headers={"Accept": BROWSER})
    assert html.headers["content-type"] == "text/html; charset=utf-8"
    assert 'id="Alliance"' in html.text


@pytest.mark.parametrize("path", ["/ontology/0.2.0", "/ontology/0.1.0.xyz", "/ontology.xyz",
                                  "/ontology/..%2Fpyproject.toml", "/shapes.html"])
def test_unknown_ontology_paths_are_404(client, path: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == 404
    assert "Traceback" not in response.text


def test_unacceptable_is_406(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/ontology", headers={"Accept": "image/png"}).status_code == 406
    assert client.get("/shapes", headers={"Accept": "image/png"}).status_code == 406


def test_every_term_has_a_section(page: Sections, ontology: rdflib.Graph) -> None:
    terms = {str(s)[len(str(ALD)):] for s in ontology.subjects(RDF.type, None)
             if isinstance(s, rdflib.URIRef) and str(s).startswith(str(ALD))}
    assert len(terms) > 100
    missing = terms - set(page.ids)
    assert not missing
    assert len(page.ids) == len(set(page.ids)), "ids are unique"


def test_class_section(page: Sections, ontology: rdflib.Graph) -> None:
    definition = str(ontology.value(ALD.Alliance, rdflib.URIRef(
        "http://www.w3.org/2004/02/skos/core#definition")))
    text = page.section("Alliance")
    assert text.startswith("alliance class")
    assert definition in text
    assert BASE + "ontology#Alliance" in text
    # Hierarchy, with labels and in-page links; the restriction with its union.
    assert "/ontology#SecurityRelationship" in page.links["Alliance"]
    # OWL tools keep a union as a set and write it sorted by IRI (the edit file is OWL
    # Functional Syntax, normalised), so the members come in that order.
    assert "founded on some (binational defence agreement or treaty)" in text
    assert "/ontology#Alliance" in page.links["SecurityRelationship"]
    assert "Subclasses" in page.section("SecurityRelationship")
    assert "Disjoint with partnership" in text
    # Examples of instances, linked to their pages.
    assert "/id/alliance/nato" in page.links["Alliance"]
    assert "North Atlantic Treaty Organization" in text


def test_alignments(page: Sections) -> None:
    nation = page.section("Nation")
    assert "close match schema:Country" in nation
    assert "https://schema.org/Country" in page.links["Nation"]
    assert "subclass of foaf:Agent" in nation
    assert "subproperty of prov:wasAssociatedWith" in page.section("ledBy")


def test_property_section_domains_and_ranges(page: Sections) -> None:
    region = page.section("region")
    assert "object property" in region
    assert ("Domain Organization or contribution or exercise or programme or security "
            "cooperation activity or strategy") in region
    assert "Range region" in region
    assert "/ontology#Region" in page.links["region"]
    count = page.section("personnelCount")
    assert "datatype property" in count and "functional" in count
    assert "Range xsd:nonNegativeInteger" in count
    # The class lists the properties that take it as domain or range.
    assert "/ontology#host" in page.links["Nation"]


def test_metadata_and_downloads(page: Sections) -> None:
    metadata = page.section("metadata")
    assert BASE + "ontology/0.1.0" in metadata and "version 0.1.0" in metadata
    assert "/ontology.ttl" in page.links["downloads"]
    assert "/ontology.rdf" in page.links["downloads"]
    assert "https://creativecommons.org/licenses/by/4.0/" in page.links["metadata"]


def test_shapes(client) -> None:  # type: ignore[no-untyped-def]
    expected = rdflib.Graph()
    for path in sorted(SHAPES_DIR.glob("*.ttl")):
        expected.parse(path, format="turtle")
    response = client.get("/shapes")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"
    assert isomorphic(rdflib.Graph().parse(data=response.content, format="turtle"), expected)
    nt = client.get("/shapes", headers={"Accept": "application/n-triples"})
    assert nt.headers["content-location"] == "/shapes.nt"
    assert isomorphic(rdflib.Graph().parse(data=nt.content, format="nt"), expected)
    xml = client.get("/shapes.rdf")
    assert isomorphic(rdflib.Graph().parse(data=xml.content, format="xml"), expected)


def test_live_term_iris_dereference(server) -> None:  # type: ignore[no-untyped-def]
    """rdflib fetches a term IRI of the running server: the fragment's document, as RDF."""
    public = rdflib.Namespace(server.url + "ontology#")
    g = rdflib.Graph().parse(server.url + "ontology#Alliance")
    assert (public.Alliance, RDFS.label, rdflib.Literal("alliance", lang="en")) in g
    assert (public.Alliance, RDFS.subClassOf, public.SecurityRelationship) in g
    release = rdflib.Graph().parse(server.url + "ontology/0.1.0")
    assert isomorphic(release, g)


def test_disjointness_is_shown_from_both_sides(client) -> None:  # type: ignore[no-untyped-def]
    """``owl:disjointWith`` is stated once in the ontology; both classes' entries show it."""
    import rdflib
    from rdflib.namespace import OWL

    from alliance_ld.resources import ONTOLOGY_FILE, TERMS_NS

    graph = rdflib.Graph().parse(ONTOLOGY_FILE)
    pairs = [(str(a), str(b)) for a, b in graph.subject_objects(OWL.disjointWith)
             if str(a).startswith(TERMS_NS) and str(b).startswith(TERMS_NS)]
    assert pairs
    html = client.get("/ontology", headers={"Accept": "text/html"}).text
    for a, b in pairs:
        for this, other in ((a, b), (b, a)):
            local, other_local = this[len(TERMS_NS):], other[len(TERMS_NS):]
            start = html.index(f'id="{local}"')
            entry = html[start:html.find('<section', start + 1)]
            assert f"#{other_local}" in entry, (local, other_local)
