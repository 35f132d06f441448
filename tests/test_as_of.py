"""Pages as of a date (issue 8): members and relationships in a table, and their view on a day
or in a year, in HTML and in RDF. Answers are written from the record (data/alliances.ttl,
data/frameworks.ttl, data/designations.ttl)."""

from __future__ import annotations

import rdflib
from fastapi.testclient import TestClient
from html_tree import parse_html

ID = "https://w3id.org/alliance-ld/id/"
ORG = rdflib.Namespace("http://www.w3.org/ns/org#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
XSD = rdflib.Namespace("http://www.w3.org/2001/XMLSchema#")


def _rows(client: TestClient, path: str) -> dict[str, list[str]]:
    """The members table: party IRI -> the cells' text."""
    response = client.get(path)
    assert response.status_code == 200, response.text[:300]
    page = parse_html(response.text)
    table = page.by_id("dated-table")
    return {row.get("data-party") or "": [c.text for c in row.iter() if c.tag in ("th", "td")]
            for row in table.find_all("tr", class_="dated-row")}


def test_an_alliance_page_lists_its_members_with_dates_and_events(client: TestClient) -> None:
    rows = _rows(client, "/doc/alliance/nato.html")
    assert len(rows) == 32
    assert rows[ID + "nation/albania"][:3] == ["Albania", "2009-04-01",
                                               "deposit of the instrument of accession"]
    assert rows[ID + "nation/belgium"][1:3] == ["1949-08-24", "entry into force"]


def test_members_on_a_day(client: TestClient) -> None:
    rows = _rows(client, "/doc/alliance/nato.html?as_of=1999-03-12")
    assert len(rows) == 19
    assert {cells[5] for cells in rows.values()} == {"certain"}
    assert ID + "nation/czechia" in rows and ID + "nation/slovakia" not in rows


def test_members_in_a_year_say_which_are_uncertain(client: TestClient) -> None:
    rows = _rows(client, "/doc/alliance/nato.html?as_of=1999")
    uncertain = {party for party, cells in rows.items() if cells[5] == "uncertain"}
    assert uncertain == {ID + "nation/czechia", ID + "nation/hungary", ID + "nation/poland"}
    assert len(rows) == 19


def test_a_day_inside_a_year_only_start_is_uncertain(client: TestClient) -> None:
    # Belarus joined the Partnership for Peace in 1995 (a year, no day)
    path = "/doc/partnership/partnership-for-peace.html?as_of="
    assert _rows(client, path + "1995-06-01")[ID + "nation/belarus"][5] == "uncertain"
    assert _rows(client, path + "1996-01-01")[ID + "nation/belarus"][5] == "certain"
    assert ID + "nation/belarus" not in _rows(client, path + "1994-12-31")
    # Ireland signed the Framework Document on 1 December 1999 (NATO Update): a day
    assert ID + "nation/ireland" not in _rows(client, path + "1999-11-30")
    assert _rows(client, path + "1999-12-01")[ID + "nation/ireland"][5] == "certain"


def test_a_nation_page_lists_its_alliances_and_designations(client: TestClient) -> None:
    rows = _rows(client, "/doc/nation/japan.html")
    assert rows[ID + "alliance/us-japan"][1] == "1960-06-23"
    assert rows[ID + "designation/major-non-nato-ally"][1] == "1996-07-21"
    assert _rows(client, "/doc/nation/japan.html?as_of=1990")[ID + "alliance/us-japan"][5] == (
        "certain")
    assert list(_rows(client, "/doc/nation/japan.html?as_of=1990")) == [ID + "alliance/us-japan"]


def test_the_view_links_to_the_changes_around_it_and_to_the_page(client: TestClient) -> None:
    page = parse_html(client.get("/doc/alliance/nato.html?as_of=2000-01-01").text)
    links = {a.get("rel"): a.get("href") for a in page.by_id("as-of-changes").find_all("a")}
    assert links == {"prev": "/doc/alliance/nato.html?as_of=1999-03-12",
                     "next": "/doc/alliance/nato.html?as_of=2004-03-29"}
    assert page.by_id("as-of-all").get("href") == "/doc/alliance/nato.html"
    form = page.by_id("as-of-form")  # works without JavaScript
    assert form.get("method") == "get" and form.get("action") == "/doc/alliance/nato.html"
    assert form.find("input").get("name") == "as_of"


def test_the_view_in_rdf(client: TestClient) -> None:
    response = client.get("/doc/alliance/nato.ttl?as_of=1999-03-12")
    assert response.status_code == 200
    assert response.headers["content-location"].endswith("/doc/alliance/nato.ttl?as_of=1999-03-12")
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    nato = rdflib.URIRef(ID + "alliance/nato")
    assert len(set(graph.subjects(ORG.organization, nato))) == 19
    doc = next(graph.subjects(DCT.temporal, None))
    assert graph.value(doc, DCT.temporal) == rdflib.Literal("1999-03-12", datatype=XSD.date)
    assert str(graph.value(doc, DCT.isVersionOf)).endswith("/doc/alliance/nato")
    for fmt, media in (("jsonld", "application/ld+json"), ("nt", "application/n-triples"),
                       ("rdf", "application/rdf+xml")):
        other = client.get(f"/doc/alliance/nato.{fmt}?as_of=1999-03-12")
        assert other.status_code == 200 and other.headers["content-type"].startswith(media)
    pact = rdflib.Graph().parse(data=client.get(
        "/doc/alliance/warsaw-pact.ttl?as_of=1991-07-01").text, format="turtle")
    assert not list(pact.subjects(ORG.organization, None))  # dissolved that day


def test_a_wrong_date_or_resource_is_a_400(client: TestClient) -> None:
    for value in ("19999", "1999-02-30", "1999-3-1", "yesterday"):
        response = client.get(f"/doc/alliance/nato.html?as_of={value}")
        assert response.status_code == 400
        assert "as_of" in response.text and "Traceback" not in response.text
    response = client.get("/doc/source/article.html?as_of=1999")
    assert response.status_code == 400 and "no memberships, designations or agreements" in (
        response.text)


ALD = rdflib.Namespace("https://w3id.org/alliance-ld/ontology#")


def _agreements(client: TestClient, path: str) -> dict[str, dict[str, str]]:
    """The agreements table: agreement IRI -> column heading -> cell text."""
    response = client.get(path)
    assert response.status_code == 200, response.text[:300]
    page = parse_html(response.text)
    if not page.find_all(id="agreements-table"):
        return {}
    table = page.by_id("agreements-table")
    heads = [th.text for th in table.find("thead").find_all("th")]
    out = {}
    for row in table.find_all("tr", class_="agreement-row"):
        cells = [c.text for c in row.iter() if c.tag in ("th", "td")]
        out[row.get("data-agreement") or ""] = dict(zip(heads, cells, strict=True))
    return out


def test_a_treaty_page_says_whether_it_was_in_force_and_with_which_obligations(
        client: TestClient) -> None:
    anzus = ID + "treaty/anzus-treaty"
    # Signed 1951-09-01, in force 1952-04-29 (data/treaties.ttl, from the treaty text).
    assert _agreements(client, "/doc/treaty/anzus-treaty.html?as_of=1951-12-31") == {}
    row = _agreements(client, "/doc/treaty/anzus-treaty.html?as_of=1952-04-29")[anzus]
    assert row["As of 1952-04-29"] == "certain"
    assert row["Obligations"] == "consultation (Article III)defence (Article IV)"
    assert _agreements(client, "/doc/treaty/anzus-treaty.html?as_of=1952")[anzus][
        "As of 1952"] == "uncertain: a date the record gives only to the year or month"
    # The treaty's parties, dated by the memberships of the alliance founded on it.
    assert set(_rows(client, "/doc/treaty/anzus-treaty.html?as_of=1990")) == {
        ID + "nation/australia", ID + "nation/new-zealand", ID + "nation/united-states"}


def test_where_the_record_cannot_settle_it_the_view_says_why(client: TestClient) -> None:
    old = ID + "treaty/us-japan-security-treaty-1951"
    path = "/doc/treaty/us-japan-security-treaty-1951.html?as_of="
    assert _agreements(client, path + "1955")[old]["As of 1955"] == "certain"
    # Superseded by the 1960 treaty (in force 1960-06-23); its own end is not recorded.
    assert _agreements(client, path + "1970")[old]["As of 1970"] == (
        "uncertain: superseded by its successor, and the day it ceased to be in force is not "
        "recorded")
    norad = ID + "treaty/norad-agreement"  # signed 1958-05-12, entry into force not recorded
    assert _agreements(client, "/doc/treaty/norad-agreement.html?as_of=1957") == {}
    assert _agreements(client, "/doc/treaty/norad-agreement.html?as_of=1960")[norad][
        "As of 1960"] == "uncertain: signed, but its entry into force is not recorded"


def test_a_nation_page_lists_the_agreements_in_force_and_the_suspensions(
        client: TestClient) -> None:
    japan = _agreements(client, "/doc/nation/japan.html?as_of=1965-01-01")
    assert japan[ID + "treaty/us-japan-security-treaty"]["As of 1965-01-01"] == "certain"
    assert set(_agreements(client, "/doc/nation/japan.html?as_of=1955-01-01")) == {
        ID + "treaty/us-japan-security-treaty-1951"}

    def suspensions(path: str) -> list[str]:
        page = parse_html(client.get(path).text)
        found = page.find_all(id="suspensions")
        return [li.text for li in found[0].find_all("li")] if found else []

    # The United States suspended its ANZUS obligations to New Zealand on 1986-09-17
    # (data/alliances.ttl, from the ADST and Britannica sources); New Zealand stayed a party.
    assert suspensions("/doc/nation/new-zealand.html?as_of=1986-09-16") == []
    text = ("United States suspended its obligations to New Zealand under ANZUS on 1986-09-17 "
            "(certain); New Zealand stays a member. Record: New Zealand in ANZUS.")
    assert suspensions("/doc/nation/new-zealand.html?as_of=2000") == [text]
    assert suspensions("/doc/nation/united-states.html?as_of=2000") == [text]
    assert suspensions("/doc/alliance/anzus.html?as_of=2000") == [text]
    assert ID + "treaty/anzus-treaty" in _agreements(
        client, "/doc/nation/new-zealand.html?as_of=2000")


def test_the_agreements_and_suspensions_are_in_the_rdf_view(client: TestClient) -> None:
    graph = rdflib.Graph().parse(data=client.get(
        "/doc/nation/new-zealand.ttl?as_of=2000").text, format="turtle")
    anzus = rdflib.URIRef(ID + "treaty/anzus-treaty")
    assert graph.value(anzus, ALD.enteredIntoForceOn) == rdflib.Literal("1952-04-29",
                                                                         datatype=XSD.date)
    kinds = {graph.value(o, ALD.obligationKind) for o in graph.objects(anzus, ALD.hasObligation)}
    assert kinds == {ALD.DefenceObligation, ALD.ConsultationObligation}
    membership = rdflib.URIRef(ID + "membership/anzus-new-zealand")
    assert graph.value(membership, ALD.suspendedBy) == rdflib.URIRef(ID + "nation/united-states")
    before = rdflib.Graph().parse(data=client.get(
        "/doc/treaty/anzus-treaty.ttl?as_of=1951").text, format="turtle")
    assert (anzus, ALD.enteredIntoForceOn, None) not in before  # not yet in force


def _svg(client: TestClient, path: str) -> str:
    text = client.get(path).text
    return text[text.index("<svg"):text.index("</svg>") + 6]


def test_the_timeline_has_a_bar_per_membership_with_an_accessible_name(
        client: TestClient) -> None:
    import xml.etree.ElementTree as ET

    from alliance_ld import timeline

    svg = ET.fromstring(_svg(client, "/doc/alliance/nato.html"))
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "timeline-title timeline-desc"
    assert svg.find("s:title", ns).text == (
        "Timeline of the members of North Atlantic Treaty Organization")
    bars = svg.findall(".//s:g[@class='timeline-bar']", ns)
    assert len(bars) == 32
    titles = {b.get("data-relationship"): b.find("s:title", ns).text for b in bars}
    assert titles[ID + "membership/nato-czechia"] == (
        "Czechia: from 1999-03-12 (deposit of the instrument of accession), in force")
    # a day-precise start: no pale part; Belarus's PfP start is a year: a pale part
    assert not [r for r in bars[0].findall("s:rect", ns) if r.get("fill") == timeline.PALE]
    pfp = ET.fromstring(_svg(client, "/doc/partnership/partnership-for-peace.html"))
    belarus = pfp.find(".//s:g[@data-relationship='" + ID
                       + "membership/partnership-for-peace-belarus']", ns)
    assert [r for r in belarus.findall("s:rect", ns) if r.get("fill") == timeline.PALE]
    ireland = pfp.find(".//s:g[@data-relationship='" + ID
                       + "membership/partnership-for-peace-ireland']", ns)
    assert not [r for r in ireland.findall("s:rect", ns) if r.get("fill") == timeline.PALE]
    assert pfp.find(".//s:line[@id='timeline-as-of']", ns) is None
    dated = ET.fromstring(_svg(client, "/doc/alliance/nato.html?as_of=1999"))
    assert dated.find(".//s:line[@id='timeline-as-of']", ns) is not None


def test_a_partner_that_left_and_came_back_is_out_of_the_years_between(
        client: TestClient) -> None:
    """Malta: in the Partnership for Peace from April 1995 to October 1996 and from April 2008
    (NATO's news item on its return)."""
    malta = ID + "nation/malta"
    assert malta in _rows(client, "/doc/partnership/partnership-for-peace.html?as_of=1996-01-01")
    assert malta not in _rows(client, "/doc/partnership/partnership-for-peace.html?as_of=2000")
    assert _rows(client, "/doc/partnership/partnership-for-peace.html?as_of=2010")[malta][5] == (
        "certain")
    # in 1996 only part of the year: the month of departure is inside it
    assert _rows(client, "/doc/partnership/partnership-for-peace.html?as_of=1996")[malta][5] == (
        "uncertain")


def test_a_designation_by_the_president_is_dated_to_the_day(client: TestClient) -> None:
    """Colombia from 23 May 2022 (Presidential Determination No. 2022-14); Afghanistan's
    designation ended on 23 September 2022 (No. 2022-24): certain on any day before, and
    uncertain only in a view of the whole year 2022."""
    mnna = ID + "designation/major-non-nato-ally"
    colombia = "/doc/nation/colombia.html?as_of="
    # the day before, Colombia is NATO's partner across the globe (since May 2017), not an MNNA
    assert set(_rows(client, colombia + "2022-05-22")) == {
        ID + "partnership/nato-partners-across-the-globe"}
    assert _rows(client, colombia + "2022-05-23")[mnna][5] == "certain"
    afghanistan = "/doc/nation/afghanistan.html?as_of="
    assert _rows(client, afghanistan + "2022-09-22")[mnna][3:6] == ["2022-09-23", "", "certain"]
    assert _rows(client, afghanistan + "2022")[mnna][5] == "uncertain"
    # from that day only its partnership with NATO (since the declaration of 6 September 2006)
    assert set(_rows(client, afghanistan + "2022-09-23")) == {
        ID + "partnership/nato-partners-across-the-globe"}
