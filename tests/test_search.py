"""Search by label: matching, ranking, HTML and JSON, and its limits."""

from __future__ import annotations

from typing import Any

import pytest
from test_pages import parse_html

from alliance_ld.search import normalise, search

BASE = "https://w3id.org/alliance-ld/"
ID = BASE + "id/"


def found(client, q: str, **params: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = client.get("/search", params={"q": q, "format": "json", **params})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    return body


def iris(body: dict[str, Any]) -> list[str]:
    return [r["iri"].removeprefix(ID) for r in body["results"]]


def test_anzus_finds_the_alliance_then_the_treaty(client) -> None:  # type: ignore[no-untyped-def]
    body = found(client, "anzus")
    assert body["query"] == "anzus"
    assert body["total"] == 11
    assert iris(body) == [
        "alliance/anzus",  # rdfs:label "ANZUS": exact
        "treaty/anzus-treaty",  # skos:altLabel "ANZUS Treaty": prefix, shortest
        "obligation/anzus-treaty-article-iv",
        "obligation/anzus-treaty-article-iii",
        "membership/anzus-australia",  # "Australia in ANZUS": a word starts with it
        "membership/anzus-new-zealand",
        "membership/anzus-united-states",
        # "Parliamentary Education Office: the ANZUS treaty came into force ...": a claim
        "claim/anzus-new-zealand-since-1952-04-29",
        "source/peo-anzus-treaty",  # "Parliamentary Education Office ...: ANZUS treaty, ..."
        "claim/anzus-new-zealand-suspended-1986-09-17",  # "... its ANZUS obligations ..."
        "source/hsg-milestones-anzus",  # "... (ANZUS Treaty), 1951": the longest label
    ]
    assert [r["match"] for r in body["results"]] == ["exact"] + ["prefix"] * 3 + ["word"] * 7
    first, second = body["results"][:2]
    assert first == {
        "iri": ID + "alliance/anzus", "label": "ANZUS", "matched": "ANZUS", "match": "exact",
        "types": [{"iri": BASE + "ontology#Alliance", "label": "alliance"}],
        "page": "http://testserver/id/alliance/anzus",
    }
    assert second["label"] == "Australia, New Zealand, and U.S. Security Treaty"
    assert second["matched"] == "ANZUS Treaty"
    assert second["types"] == [{"iri": BASE + "ontology#Treaty", "label": "treaty"}]


def test_nato_is_found_by_its_alt_label_in_any_case(client) -> None:  # type: ignore[no-untyped-def]
    lower, upper, mixed = (found(client, q, limit=500) for q in ("nato", "NATO", "NaTo"))
    assert iris(lower) == iris(upper) == iris(mixed)
    top = lower["results"][0]
    assert (top["iri"], top["label"], top["matched"], top["match"]) == (
        ID + "alliance/nato", "North Atlantic Treaty Organization", "NATO", "exact")
    assert {"membership/nato-finland", "membership/nato-sweden"} <= set(iris(lower))


def test_treaty_finds_every_treaty(client) -> None:  # type: ignore[no-untyped-def]
    body = found(client, "treaty", limit=500)
    assert body["total"] == len(body["results"])
    names = iris(body)
    treaties = ["treaty/north-atlantic-treaty", "treaty/anzus-treaty",
                "treaty/us-japan-security-treaty", "treaty/us-philippines-mutual-defense-treaty",
                "treaty/warsaw-treaty"]
    assert set(treaties) <= set(names)
    # the class itself is the exact match
    assert body["results"][0]["iri"] == BASE + "ontology#Treaty"
    # treaties (a word of a label begins with "treaty") before the substrings, if any
    ranks = [r["match"] for r in body["results"]]
    order = ["exact", "prefix", "word", "substring", "words"]
    assert ranks == sorted(ranks, key=order.index)


@pytest.mark.parametrize(("q", "first"), [
    ("turkiye", "nation/turkiye"),  # accents are ignored: Türkiye
    ("us japan", "alliance/us-japan"),  # punctuation: U.S.–Japan Alliance
    ("U.S.-Japan", "alliance/us-japan"),  # a hyphen for the en dash
    ("balikatan", "exercise/balikatan"),
    ("personnel exchanges", "activity/personnel-exchanges"),
    ("  Nordic   response ", "exercise/nordic-response"),  # the series, before its edition 24
])
def test_matching_ignores_case_accents_and_punctuation(client, q: str, first: str) -> None:  # type: ignore[no-untyped-def]
    assert iris(found(client, q))[0] == first


def test_every_word_may_match_anywhere(client) -> None:  # type: ignore[no-untyped-def]
    body = found(client, "treaty anzus")
    # "... Security Treaty (ANZUS Treaty), 1951" holds the words in that order: a word match
    assert [(i, r["match"]) for i, r in zip(iris(body), body["results"], strict=True)] == [
        ("source/hsg-milestones-anzus", "word"),
        ("treaty/anzus-treaty", "words"),  # "ANZUS Treaty": both words, the other way round
        ("obligation/anzus-treaty-article-iv", "words"),
        ("obligation/anzus-treaty-article-iii", "words"),
        ("claim/anzus-new-zealand-since-1952-04-29", "words"),
        ("source/peo-anzus-treaty", "words"),
    ]


def test_no_match_is_an_empty_list(client) -> None:  # type: ignore[no-untyped-def]
    assert found(client, "zzzqqq") == {"query": "zzzqqq", "total": 0, "limit": 50, "results": []}


def test_limit_cuts_the_list_but_not_the_total(client) -> None:  # type: ignore[no-untyped-def]
    body = found(client, "anzus", limit=2)
    assert iris(body) == ["alliance/anzus", "treaty/anzus-treaty"]
    assert body["total"] == 11 and body["limit"] == 2
    assert client.get("/search", params={"q": "anzus", "limit": 0}).status_code == 400


def test_json_by_accept_header(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/search", params={"q": "norad"}, headers={"Accept": "application/json"})
    assert response.headers["content-type"] == "application/json"
    assert response.json()["results"][0]["iri"] == ID + "alliance/norad"
    assert "Accept" in response.headers["vary"]
    html = client.get("/search", params={"q": "norad", "format": "html"},
                      headers={"Accept": "application/json"})
    assert html.headers["content-type"] == "text/html; charset=utf-8"
    bad = client.get("/search", params={"q": "norad", "format": "xml"})
    assert bad.status_code == 400
    assert bad.text == "unknown format 'xml': use json or html\n"
    assert client.get("/search", params={"q": "x"}, headers={"Accept": "image/png"}).status_code \
        == 406


def test_html_results_link_to_local_pages(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/search", params={"q": "anzus"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = parse_html(response.text)
    (html,) = list(page.iter("html"))
    assert html.attrs["lang"] == "en"
    assert [h.text() for h in page.iter("h1")] == ["Search by name"]
    assert page.find_id("results").text() == "11 results for “anzus”"
    (results,) = [ol for ol in page.iter("ol") if "results" in ol.classes()]
    items = list(results.iter("li"))
    assert len(items) == 11
    assert items[0].links()[0] == ("ANZUS", "/id/alliance/anzus")
    assert items[1].links()[0] == ("Australia, New Zealand, and U.S. Security Treaty",
                                   "/id/treaty/anzus-treaty")
    assert "(also called “ANZUS Treaty”)" in items[1].text()
    assert ("treaty", "/ontology#Treaty") in items[1].links()  # its type, with its label
    assert ID + "treaty/anzus-treaty" in items[1].text()
    # the form keeps the query, and the page offers its JSON
    (field,) = [i for i in page.iter("input") if i.attrs.get("name") == "q"]
    assert field.attrs["value"] == "anzus"
    alternates = [link.attrs["href"] for link in page.iter("link")
                  if link.attrs.get("type") == "application/json"]
    assert alternates == ["/search?q=anzus&format=json"]


def test_empty_query_is_the_form_alone(client) -> None:  # type: ignore[no-untyped-def]
    for params in ({}, {"q": ""}, {"q": "   "}):
        response = client.get("/search", params=params)
        assert response.status_code == 200
        page = parse_html(response.text)
        assert [f.attrs["action"] for f in page.iter("form")] == ["/search"]
        assert not [ol for ol in page.iter("ol") if "results" in ol.classes()]
        assert "result" not in " ".join(h.text() for h in page.iter("h2"))
    assert found(client, "")["results"] == []


def test_very_long_query_is_refused(client) -> None:  # type: ignore[no-untyped-def]
    ok = client.get("/search", params={"q": "a" * 200, "format": "json"})
    assert ok.status_code == 200
    message = "the search query is too long (201 characters; at most 200 are allowed)"
    refused = client.get("/search", params={"q": "a" * 201, "format": "json"})
    assert refused.status_code == 400
    assert refused.json() == {"error": message}
    page = client.get("/search", params={"q": "a" * 201})
    assert page.status_code == 400
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    alert = [p for p in parse_html(page.text).iter("p") if p.attrs.get("role") == "alert"]
    assert [p.text() for p in alert] == [message]


def test_normalise() -> None:
    assert normalise("U.S.–Japan Alliance") == "us japan alliance"
    assert normalise("  Türkiye ") == "turkiye"
    assert normalise("NATO: Member countries (2024)") == "nato member countries 2024"
    assert normalise("...") == ""


def test_shapes_are_not_searched(publication) -> None:  # type: ignore[no-untyped-def]
    results = search(publication, "shape", limit=500)
    assert not [h for h in results.hits if "/shapes#" in h.iri]
    assert all(h.iri.startswith(BASE) for h in search(publication, "organization", 500).hits)
