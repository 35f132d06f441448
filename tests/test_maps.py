"""World maps (issue 8): an organisation's members, and a nation with those it shares an
organisation with, as of a date, drawn on the server as SVG from Natural Earth's
boundaries shipped inside the package. Answers are written from the record
(data/alliances.ttl): Poland in NATO from 1999-03-12, Finland from 2023-04-04, Sweden
from 2024-03-07; Czechia, Hungary and Poland uncertain in the year 1999 as a whole."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from fastapi.testclient import TestClient
from html_tree import parse_html

from alliance_ld import maps

SVG = "{http://www.w3.org/2000/svg}"
ID = "https://w3id.org/alliance-ld/id/"


def _svg(client: TestClient, path: str) -> ET.Element:
    response = client.get(path)
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"].startswith("image/svg+xml")
    return ET.fromstring(response.content)


def _fills(svg: ET.Element) -> dict[str, str]:
    """ISO alpha-3 code -> the fill of that country's shape."""
    return {p.get("data-iso", ""): p.get("fill", "") for p in svg.iter(SVG + "path")
            if p.get("data-iso")}


def _titles(svg: ET.Element) -> dict[str, str]:
    return {p.get("data-iso", ""): (p.findtext(SVG + "title") or "")
            for p in svg.iter(SVG + "path") if p.get("data-iso")}


def _subpaths(d: str) -> list[list[tuple[float, float]]]:
    """The absolute points of each ring of our path data (``M x y l dx dy … z``)."""
    rings = []
    for part in re.findall(r"M([^z]*)z", d):
        start, _, moves = part.partition("l")
        numbers = [float(n) for n in re.findall(r"-?[0-9]*\.?[0-9]+", moves)]
        x, y = (float(n) for n in start.split())
        ring = [(x, y)]
        for dx, dy in zip(numbers[::2], numbers[1::2], strict=True):
            x, y = x + dx, y + dy
            ring.append((x, y))
        rings.append(ring)
    return rings


def test_the_boundaries_ship_with_the_package_and_say_where_they_come_from() -> None:
    folder = maps.BOUNDARIES.parent
    assert (folder / "VERSION").read_text().strip() == "2.0.2"
    readme = (folder / "README").read_text()
    assert "Natural Earth" in readme and "public domain" in readme
    world = maps.shapes()
    assert len(world.by_code) > 170
    assert {"POL", "FIN", "SWE", "USA", "DEU", "JPN", "AUS", "XKX"} <= set(world.by_code)
    assert "ATA" not in world.by_code  # Antarctica is left out
    assert world.by_code["DEU"].name == "Germany"
    assert maps.shapes() is world  # read and projected once


def test_no_shape_crosses_the_whole_map() -> None:
    """Fiji and Chukotka cross the antimeridian: cut there, not drawn as a band across."""
    world = maps.shapes()
    for code in ("FJI", "RUS", "USA"):
        for ring in _subpaths(world.by_code[code].path):
            xs = [x for x, _ in ring]
            assert max(xs) - min(xs) < 0.6 * maps.WIDTH, code
            assert min(xs) >= -0.5 and max(xs) <= maps.WIDTH + 0.5, code
    fiji = [max(x for x, _ in r) - min(x for x, _ in r) for r in
            _subpaths(world.by_code["FJI"].path)]
    assert max(fiji) < 20


def test_a_ring_across_the_antimeridian_is_cut_on_it() -> None:
    ring = [(179.0, -16.0), (-179.0, -16.0), (-179.0, -17.0), (179.0, -17.0)]
    west, east = maps._split(ring)
    assert {x for x, _ in west} == {179.0, 180.0}
    assert {x for x, _ in east} == {-180.0, -179.0}
    assert maps._split([(1.0, 1.0), (2.0, 1.0), (2.0, 2.0)]) == [[(1.0, 1.0), (2.0, 1.0),
                                                                   (2.0, 2.0)]]


def test_path_numbers_are_tenths_written_short() -> None:
    assert [maps._tenths(v) for v in (15, -5, 20, 0, -123)] == ["1.5", "-.5", "2", "0", "-12.3"]


def test_nato_members_on_a_day(client: TestClient) -> None:
    before = _fills(_svg(client, "/map/alliance/nato.svg?as_of=1998-07-01"))
    after = _fills(_svg(client, "/map/alliance/nato.svg?as_of=1999-07-01"))
    assert before["POL"] == maps.OTHER and after["POL"] == maps.MEMBER
    assert before["DEU"] == after["DEU"] == maps.MEMBER
    assert after["FIN"] == after["SWE"] == after["AUT"] == after["RUS"] == maps.OTHER
    assert sum(1 for fill in after.values() if fill == maps.MEMBER) == 19


def test_finland_and_sweden_join(client: TestClient) -> None:
    in_2023 = _fills(_svg(client, "/map/alliance/nato.svg?as_of=2023-01-01"))
    in_2024 = _fills(_svg(client, "/map/alliance/nato.svg?as_of=2024-01-01"))
    later = _fills(_svg(client, "/map/alliance/nato.svg?as_of=2024-06-01"))
    assert in_2023["FIN"] == maps.OTHER and in_2024["FIN"] == maps.MEMBER
    assert in_2024["SWE"] == maps.OTHER and later["SWE"] == maps.MEMBER
    assert sum(1 for fill in later.values() if fill == maps.MEMBER) == 32
    # without a date: the data's date, when Sweden is a member
    assert _fills(_svg(client, "/map/alliance/nato.svg"))["SWE"] == maps.MEMBER


def test_uncertain_members_are_hatched_with_a_legend(client: TestClient) -> None:
    svg = _svg(client, "/map/alliance/nato.svg?as_of=1999")
    fills = _fills(svg)
    hatched = {code for code, fill in fills.items() if fill == "url(#map-hatch)"}
    assert hatched == {"CZE", "HUN", "POL"}
    assert fills["DEU"] == maps.MEMBER
    assert svg.find(f".//{SVG}pattern[@id='map-hatch']") is not None
    legend = [t.text for t in svg.iter(SVG + "text")]
    assert any(t and t.startswith("uncertain") for t in legend)
    title = _titles(svg)["POL"]
    assert title.startswith("Poland: member since 1999-03-12") and "uncertain" in title
    assert "hatched: Czechia, Hungary, Poland" in (svg.findtext(SVG + "desc") or "")


def test_every_country_has_a_title_and_the_picture_a_text_equivalent(
        client: TestClient) -> None:
    svg = _svg(client, "/map/alliance/nato.svg?as_of=1999-07-01")
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "map-title map-desc"
    assert svg.findtext(SVG + "title") == ("Members of North Atlantic Treaty Organization on "
                                          "1999-07-01")
    desc = svg.findtext(SVG + "desc") or ""
    assert "19 nations drawn in blue" in desc and "Poland" in desc and "Finland" not in desc
    paths = list(svg.iter(SVG + "path"))
    assert len(paths) > 170 and all(p.findtext(SVG + "title") for p in paths)
    titles = _titles(svg)
    assert titles["FIN"] == "Finland"
    assert titles["DEU"] == "Germany: member since 1955-05-06"
    # members link to their pages, as of the same date
    links = {a.get("href") for a in svg.iter(SVG + "a")}
    assert "/doc/nation/poland.html?as_of=1999-07-01" in links


def test_former_states_are_listed_as_not_drawn(client: TestClient) -> None:
    svg = _svg(client, "/map/alliance/warsaw-pact.svg?as_of=1980")
    fills = _fills(svg)
    assert fills["POL"] == fills["HUN"] == fills["BGR"] == fills["ROU"] == maps.MEMBER
    # no modern shape stands in for a former state
    assert fills["RUS"] == fills["CZE"] == fills["DEU"] == maps.OTHER
    desc = svg.findtext(SVG + "desc") or ""
    assert desc.endswith("Not drawn (a former state, or too small at this scale): "
                         "Czechoslovakia, German Democratic Republic, Soviet Union.")


def test_a_nation_and_those_it_shares_an_organisation_with(client: TestClient) -> None:
    svg = _svg(client, "/map/nation/poland.svg?as_of=2024-01-01")
    fills, titles = _fills(svg), _titles(svg)
    assert fills["POL"] == maps.NATION
    assert fills["DEU"] == fills["FIN"] == fills["USA"] == fills["SWE"] == maps.MEMBER
    assert fills["CHN"] == fills["IND"] == maps.OTHER
    assert titles["POL"] == ("Poland: member of North Atlantic Treaty Organization, "
                             "Partnership for Peace")
    assert titles["USA"] == "United States: shares North Atlantic Treaty Organization"
    assert titles["SWE"] == "Sweden: shares Partnership for Peace"  # not yet NATO
    assert svg.findtext(SVG + "title") == (
        "Poland and the nations it shares an organisation with, on 2024-01-01")
    in_1990 = _fills(_svg(client, "/map/nation/poland.svg?as_of=1990-06-01"))
    assert in_1990["POL"] == maps.NATION
    assert in_1990["HUN"] == maps.MEMBER and in_1990["DEU"] == maps.OTHER  # the Warsaw Pact
    us = _fills(_svg(client, "/map/nation/united-states.svg?as_of=2024-01-01"))
    assert us["JPN"] == us["AUS"] == us["CAN"] == maps.MEMBER and us["CHN"] == maps.OTHER


def test_the_map_is_small(client: TestClient) -> None:
    response = client.get("/map/alliance/nato.svg")
    assert len(response.content) < 150_000


def test_map_errors(client: TestClient) -> None:
    assert client.get("/map/alliance/nato").status_code == 404
    assert client.get("/map/alliance/nato.ttl").status_code == 404
    assert client.get("/map/alliance/no-such-alliance.svg").status_code == 404
    assert client.get("/map/source/article.svg").status_code == 404
    bad = client.get("/map/alliance/nato.svg?as_of=99")
    assert bad.status_code == 400 and "as_of" in bad.text
    assert client.get("/map/alliance/../nato.svg").status_code in (400, 404)


def test_the_map_is_on_the_pages(client: TestClient) -> None:
    response = client.get("/doc/alliance/nato.html?as_of=1999-07-01")
    assert response.status_code == 200
    page = parse_html(response.text)
    figure = page.by_id("map")
    assert figure is not None
    drawn = page.by_id("map-drawn").text
    assert "Poland" in drawn and "Finland" not in drawn
    assert '<svg xmlns="http://www.w3.org/2000/svg" id="map-svg"' in response.text
    assert 'href="/map/alliance/nato.svg?as_of=1999-07-01"' in response.text
    nation = parse_html(client.get("/doc/nation/poland.html").text)
    assert "Finland" in nation.by_id("map-drawn").text
    soviet = parse_html(client.get("/doc/alliance/warsaw-pact.html?as_of=1980").text)
    assert "Soviet Union" in soviet.by_id("map-missing").text
    # a page without memberships has no map
    assert 'id="map"' not in client.get("/doc/source/article.html").text


def test_the_map_route_is_described(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/map/{path}"]["get"]
    assert "image/svg+xml" in operation["responses"]["200"]["content"]
    assert {p["name"] for p in operation["parameters"]} >= {"path", "as_of"}


def test_without_the_boundaries_the_page_has_no_map_and_the_svg_is_503(
        publication, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Built without npm (no ``make setup``): the pages still work, without a map."""
    from alliance_ld.api.main import create_app

    monkeypatch.setattr(maps, "BOUNDARIES", maps.BOUNDARIES.parent / "missing.json")
    app = create_app(publication.settings, publication)  # its own response cache
    with TestClient(app, client=("127.0.0.1", 50000)) as own:
        page = own.get("/doc/alliance/nato.html")
        assert page.status_code == 200 and 'id="dated-table"' in page.text
        assert 'id="map"' not in page.text
        missing = own.get("/map/alliance/nato.svg")
        assert missing.status_code == 503 and "make setup" in missing.text


def test_the_map_has_validators(client: TestClient) -> None:
    first = client.get("/map/alliance/nato.svg?as_of=1999-07-01")
    etag = first.headers.get("etag")
    assert etag
    again = client.get("/map/alliance/nato.svg?as_of=1999-07-01",
                       headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_an_agreements_parties(client: TestClient) -> None:
    svg = _svg(client, "/map/treaty/north-atlantic-treaty.svg?as_of=1999-07-01")
    fills, titles = _fills(svg), _titles(svg)
    assert fills["POL"] == fills["USA"] == maps.MEMBER and fills["FIN"] == maps.OTHER
    assert titles["POL"] == "Poland: party since 1999-03-12"
    assert svg.findtext(SVG + "title") == "Parties to North Atlantic Treaty on 1999-07-01"
    assert "party" in [t.text for t in svg.iter(SVG + "text")]
