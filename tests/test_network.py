"""The picture of the alliance network: the graph, the SVG, and its text equivalent."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
from oracle import published_store
from test_pages import Element, parse_html

from alliance_ld.network import REL_GAP, ROW, build_network, layout, render_svg

BASE = "https://w3id.org/alliance-ld/"
ID = BASE + "id/"
SVG_NS = "{http://www.w3.org/2000/svg}"

NATIONS_WITH_MEMBERSHIPS = """
PREFIX ald: <https://w3id.org/alliance-ld/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
SELECT DISTINCT ?nation WHERE {
  ?m org:member ?nation ; org:organization ?rel .
  ?nation a ald:Nation .
  { ?rel a ald:Alliance } UNION { ?rel a ald:Partnership }
}
"""
NATION_MEMBERSHIPS = """
PREFIX ald: <https://w3id.org/alliance-ld/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
SELECT DISTINCT ?rel ?nation WHERE {
  ?m org:member ?nation ; org:organization ?rel .
  ?nation a ald:Nation .
  { ?rel a ald:Alliance } UNION { ?rel a ald:Partnership }
}
"""


def expected_nations(publication) -> set[str]:  # type: ignore[no-untyped-def]
    return {row["nation"].value for row in published_store().query(NATIONS_WITH_MEMBERSHIPS)}


def expected_pairs(publication) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return {(row["rel"].value, row["nation"].value)
            for row in published_store().query(NATION_MEMBERSHIPS)}


@pytest.fixture(scope="module")
def svg(client) -> ElementTree.Element:  # type: ignore[no-untyped-def]
    response = client.get("/network.svg")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg ')
    return ElementTree.fromstring(response.content)


def nodes(svg: ElementTree.Element, kind: str) -> list[ElementTree.Element]:
    return [a for a in svg.iter(SVG_NS + "a") if kind in a.get("class", "").split()]


def edges(svg: ElementTree.Element) -> list[ElementTree.Element]:
    return [p for p in svg.iter(SVG_NS + "path") if "edge" in p.get("class", "").split()]


# -- the graph ------------------------------------------------------------------------


def test_norad_joins_exactly_the_united_states_and_canada(publication) -> None:  # type: ignore[no-untyped-def]
    network = build_network(publication.backend, publication.labels)
    assert sorted(network.members_of(ID + "alliance/norad")) == [
        ID + "nation/canada", ID + "nation/united-states"]
    assert sorted(network.members_of(ID + "partnership/aukus")) == [
        ID + "nation/australia", ID + "nation/united-kingdom", ID + "nation/united-states"]
    assert len(network.members_of(ID + "alliance/nato")) == 32
    # NATO runs its partnership frameworks and is a member of none; their members are nations
    peace = network.members_of(ID + "partnership/partnership-for-peace")
    # the 33 signatories of the Framework Document in NATO's table, and Malta (NATO news, 2008)
    assert len(peace) == 34 and ID + "alliance/nato" not in peace
    assert len(network.members_of(ID + "partnership/mediterranean-dialogue")) == 7
    kinds = {r.iri.removeprefix(ID): r.kind_name for r in network.relationships.values()}
    assert kinds["alliance/nato"] == "alliance" and kinds["partnership/aukus"] == "partnership"
    assert len(network.relationships) == 23
    edge = next(e for e in network.edges if e.relationship == ID + "alliance/norad"
                and e.member == ID + "nation/canada")
    assert edge.memberships == (ID + "membership/norad-canada",)


def test_the_graph_matches_an_independent_query(publication) -> None:  # type: ignore[no-untyped-def]
    network = build_network(publication.backend, publication.labels)
    assert {m.iri for m in network.nations} == expected_nations(publication)
    assert len(network.nations) == 93
    nation_edges = {(e.relationship, e.member) for e in network.edges
                    if e.member not in network.relationships}
    assert nation_edges == expected_pairs(publication)


def test_layout_is_deterministic_and_readable(publication) -> None:  # type: ignore[no-untyped-def]
    network = build_network(publication.backend, publication.labels)
    first = render_svg(network, lambda iri: iri)
    again = render_svg(build_network(publication.backend, publication.labels), lambda iri: iri)
    assert first == again
    placed = layout(network)
    member_ys = sorted(placed.positions[m].y for m in placed.member_order)
    assert all(b - a >= ROW for a, b in zip(member_ys, member_ys[1:], strict=False))
    rel_ys = [placed.positions[r].y for r in placed.order]
    assert all(b - a >= REL_GAP - 0.1 for a, b in zip(rel_ys, rel_ys[1:], strict=False))
    for point in placed.positions.values():
        assert 0 < point.x < placed.width and 0 < point.y < placed.height
    # the ordering cuts crossings: far fewer than with both columns in alphabetical order
    alphabetical = {iri: i for i, iri in enumerate(
        sorted(placed.order, key=lambda r: network.relationships[r].label)
        + sorted(placed.member_order, key=lambda m: network.members[m].label))}
    ordered = {iri: placed.positions[iri].y for iri in placed.positions}
    pairs = [(e.relationship, e.member) for e in network.edges
             if e.member not in network.relationships]
    assert crossings(pairs, ordered) * 3 < crossings(pairs, alphabetical)


def crossings(pairs: list[tuple[str, str]], position: dict[str, float] | dict[str, int]) -> int:
    count = 0
    for i, (r1, m1) in enumerate(pairs):
        for r2, m2 in pairs[i + 1:]:
            if (position[r1] - position[r2]) * (position[m1] - position[m2]) < 0:
                count += 1
    return count


# -- the SVG ----------------------------------------------------------------------------


def test_svg_is_an_accessible_image(svg: ElementTree.Element) -> None:
    assert svg.tag == SVG_NS + "svg"
    assert svg.get("role") == "img"
    title, desc = svg.find(SVG_NS + "title"), svg.find(SVG_NS + "desc")
    assert title is not None and desc is not None
    assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text == "The alliance network"
    assert desc.text is not None
    assert desc.text.startswith("93 nations joined by 9 alliances and 14 partnerships through "
                                "151 memberships.")
    width, height = int(svg.get("width", "0")), int(svg.get("height", "0"))
    assert svg.get("viewBox") == f"0 0 {width} {height}"


def test_svg_has_one_node_per_nation_with_a_membership(svg: ElementTree.Element,
                                                       publication) -> None:  # type: ignore[no-untyped-def]
    nations = nodes(svg, "nation")
    assert len(nations) == len({a.get("data-iri") for a in nations})
    assert {a.get("data-iri") for a in nations} == expected_nations(publication)
    assert len(nodes(svg, "relationship")) == 23


def test_every_node_links_to_its_page_and_has_a_tooltip(svg: ElementTree.Element) -> None:
    for node in nodes(svg, "node"):
        iri = node.get("data-iri", "")
        assert node.get("href") == "/" + iri.removeprefix(BASE)
        tooltip = node.find(SVG_NS + "title")
        assert tooltip is not None and tooltip.text
        assert node.find(SVG_NS + "text") is not None
    canada = next(a for a in nodes(svg, "nation") if a.get("data-iri") == ID + "nation/canada")
    tip = canada.find(SVG_NS + "title")
    assert tip is not None
    assert tip.text == ("Canada: member of North American Aerospace Defense Command, "
                        "North Atlantic Treaty Organization")
    label = canada.find(SVG_NS + "text")
    assert label is not None and label.text == "Canada"


def test_svg_edges_are_the_memberships(svg: ElementTree.Element, publication) -> None:  # type: ignore[no-untyped-def]
    all_edges = edges(svg)
    nation_edges = [e for e in all_edges if "nested" not in e.get("class", "").split()]
    pairs = [(e.get("data-relationship"), e.get("data-member")) for e in nation_edges]
    assert len(pairs) == len(set(pairs))
    assert set(pairs) == expected_pairs(publication)
    assert len(nation_edges) == 151
    norad = {e.get("data-member") for e in all_edges
             if e.get("data-relationship") == ID + "alliance/norad"}
    assert norad == {ID + "nation/united-states", ID + "nation/canada"}
    nested = {(e.get("data-relationship"), e.get("data-member")) for e in all_edges
              if "nested" in e.get("class", "").split()}
    # no relationship is a member of another: NATO runs its partnership frameworks
    assert nested == set()


def test_svg_follows_the_proxy_prefix(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/network.svg", headers={"X-Forwarded-Prefix": "/ald"})
    root = ElementTree.fromstring(response.content)
    hrefs = {a.get("href") for a in nodes(root, "node")}
    assert "/ald/id/alliance/norad" in hrefs and "/ald/id/nation/canada" in hrefs
    assert all(h is not None and h.startswith("/ald/id/") for h in hrefs)


# -- the page ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def page(client) -> Element:  # type: ignore[no-untyped-def]
    response = client.get("/network")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return parse_html(response.text)


def table_pairs(page: Element) -> set[tuple[str, str]]:
    """(relationship href, member href) for every member listed in the text equivalent."""
    (table,) = [t for t in page.iter("table") if "network-members" in t.classes()]
    pairs = set()
    for row in table.iter("tr"):
        if "data-relationship" not in row.attrs:
            continue
        (heading,) = list(row.iter("th"))
        rel_href = heading.links()[0][1]
        for item in row.iter("li"):
            pairs.add((rel_href, item.links()[0][1]))
    return pairs


def test_page_is_english_with_the_picture_inline(page: Element) -> None:
    (html,) = list(page.iter("html"))
    assert html.attrs["lang"] == "en"
    assert [h.text() for h in page.iter("h1")] == ["The alliance network"]
    (svg,) = list(page.iter("svg"))
    assert svg.attrs["role"] == "img"
    assert svg.attrs["aria-labelledby"] == "network-title network-desc"
    assert page.find_id("network-title").text() == "The alliance network"
    assert ("an SVG image", "/network.svg") in page.links()


def test_text_equivalent_lists_the_same_pairs_as_the_picture(page: Element) -> None:
    (svg,) = list(page.iter("svg"))
    drawn = set()
    href_of = {a.attrs["data-iri"]: a.attrs["href"] for a in svg.iter("a")}
    for path in svg.iter("path"):
        if "edge" not in path.attrs.get("class", "").split():
            continue  # a trunk: it joins the lines into one member
        drawn.add((href_of[path.attrs["data-relationship"]], href_of[path.attrs["data-member"]]))
    listed = table_pairs(page)
    assert listed == drawn
    assert len(listed) == 151
    assert {("/id/alliance/norad", "/id/nation/united-states"),
            ("/id/alliance/norad", "/id/nation/canada")} <= listed
    assert {m for r, m in listed if r == "/id/alliance/norad"} == {
        "/id/nation/united-states", "/id/nation/canada"}


def test_text_equivalent_names_each_relationship(page: Element) -> None:
    (table,) = [t for t in page.iter("table") if "network-members" in t.classes()]
    rows = [r for r in table.iter("tr") if "data-relationship" in r.attrs]
    assert len(rows) == 23
    norad = next(r for r in rows if r.attrs["data-relationship"] == ID + "alliance/norad")
    assert norad.links() == [("North American Aerospace Defense Command", "/id/alliance/norad"),
                             ("Canada", "/id/nation/canada"),
                             ("United States", "/id/nation/united-states")]
    assert [td.text() for td in norad.iter("td")][0] == "alliance"
    peace = next(r for r in rows
                 if r.attrs["data-relationship"] == ID + "partnership/partnership-for-peace")
    assert "North Atlantic Treaty Organization" not in peace.text()
    assert ("Finland", "/id/nation/finland") in peace.links()


def test_the_network_in_a_year(client) -> None:  # type: ignore[no-untyped-def]
    """1985 against 2024: the memberships in force at some time in each year (the record:
    NATO had 16 members in 1985 and 32 in 2024; AUKUS began in 2021)."""
    def members(year: int) -> dict[str, set[str]]:
        from html_tree import parse_html

        page = parse_html(client.get("/network", params={"year": year}).text)
        table = page.find("table", class_="network-members")
        return {row.get("data-relationship") or "": {li.get("data-member") or ""
                                                     for li in row.find_all("li")}
                for row in table.find_all("tr") if row.get("data-relationship")}

    base = "https://w3id.org/alliance-ld/id/"
    in_1985, in_2024 = members(1985), members(2024)
    assert len(in_1985[base + "alliance/nato"]) == 16
    assert len(in_2024[base + "alliance/nato"]) == 32
    assert base + "partnership/aukus" not in in_1985
    assert in_2024[base + "partnership/aukus"] == {base + "nation/australia",
                                                   base + "nation/united-kingdom",
                                                   base + "nation/united-states"}
    svg = client.get("/network.svg", params={"year": 1985})
    assert svg.status_code == 200 and "aukus" not in svg.text.lower()
    assert client.get("/network", params={"year": "nineteen"}).status_code == 400


def test_long_names_are_abbreviated_or_wrapped(svg: ElementTree.Element) -> None:
    """On the picture NATO is "NATO" (its English skos:altLabel), with its full name as the
    text's accessible name; a long name without an abbreviation is wrapped onto lines."""
    by_iri = {a.get("data-iri"): a for a in nodes(svg, "relationship")}
    nato = by_iri[ID + "alliance/nato"].find(SVG_NS + "text")
    assert nato is not None
    assert [t.text for t in nato.iter(SVG_NS + "tspan")] == ["NATO"]
    assert nato.get("aria-label") == "North Atlantic Treaty Organization"
    korea = by_iri[ID + "alliance/us-south-korea"].find(SVG_NS + "text")
    assert korea is not None
    assert [t.text for t in korea.iter(SVG_NS + "tspan")] == ["U.S.–Republic of",
                                                               "Korea Alliance"]
    rio = by_iri[ID + "alliance/rio-treaty"].find(SVG_NS + "text")  # short enough as it is
    assert rio is not None and [t.text for t in rio.iter(SVG_NS + "tspan")] == ["Rio Pact"]


def test_a_member_of_many_gets_one_trunk(svg: ElementTree.Element, publication) -> None:  # type: ignore[no-untyped-def]
    """The lines into the United States (a member of most relationships) meet in one thick
    trunk before its name instead of fanning into it; a member of few keeps its lines."""
    trunks = {p.get("data-member"): p for p in svg.iter(SVG_NS + "path")
              if p.get("class") == "trunk"}
    us = ID + "nation/united-states"
    joined = {rel for rel, nation in expected_pairs(publication) if nation == us}
    title = trunks[us].find(SVG_NS + "title")
    assert title is not None and title.text == f"United States: {len(joined)} memberships"
    assert ID + "nation/canada" not in trunks
    ends = {p.get("d", "").rsplit(" ", 1)[-1] for p in edges(svg)
            if p.get("data-member") == us}
    assert len(ends) == 1  # every line into the United States ends at the trunk's start
    assert trunks[us].get("d", "").startswith("M" + next(iter(ends)))
