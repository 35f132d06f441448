"""Named queries with typed parameters (issue 8): declared in the file, checked, bound safely.

The answers are written from the record (data/alliances.ttl, data/frameworks.ttl,
data/designations.ttl), not copied from query output.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from alliance_ld.api.routes.queries import load_queries
from alliance_ld.named_queries import (
    Parameter,
    ParameterError,
    QueryFileError,
    bind,
    declared_parameters,
)

ID = "https://w3id.org/alliance-ld/id/"
#: NATO's twelve founding members, in force from 24 August 1949.
FOUNDERS = {"Belgium", "Canada", "Denmark", "France", "Iceland", "Italy", "Luxembourg",
            "Netherlands", "Norway", "Portugal", "United Kingdom", "United States"}
#: Members by 1998: Greece and Türkiye (1952), West Germany (1955), Spain (1982).
BY_1998 = FOUNDERS | {"Greece", "Türkiye", "Germany", "Spain"}


def _rows(client: TestClient, name: str, **params: str) -> list[dict[str, str]]:
    response = client.get(f"/queries/{name}", params={**params, "format": "csv"})
    assert response.status_code == 200, response.text
    return list(csv.DictReader(io.StringIO(response.text)))


def test_members_of_nato_as_of_a_date(client: TestClient) -> None:
    before = _rows(client, "members-as-of", date="1999-03-11")
    assert {r["label"] for r in before} == BY_1998
    on = _rows(client, "members-as-of", date="1999-03-12")
    assert {r["label"] for r in on} == BY_1998 | {"Czechia", "Hungary", "Poland"}
    assert {r["status"] for r in on} == {"member"}
    founding = _rows(client, "members-as-of", date="1949-08-24")
    assert {r["label"] for r in founding} == FOUNDERS


def test_a_membership_ends_on_its_end_date(client: TestClient) -> None:
    pact = ID + "alliance/warsaw-pact"
    in_1990 = {r["label"] for r in _rows(client, "members-as-of", organisation=pact,
                                         date="1990-01-01")}
    assert {"Soviet Union", "Poland", "Bulgaria"} <= in_1990
    assert "Albania" not in in_1990  # withdrew on 13 September 1968
    assert _rows(client, "members-as-of", organisation=pact, date="1991-07-01") == []


def test_a_date_inside_a_year_only_start_is_uncertain(client: TestClient) -> None:
    pfp = ID + "partnership/partnership-for-peace"

    def status(label: str, date: str) -> list[str]:
        return [r["status"] for r in _rows(client, "members-as-of", organisation=pfp,
                                           date=date) if r["label"] == label]

    assert status("Belarus", "1994-12-31") == []  # joined in 1995 (a year, no day)
    assert status("Belarus", "1995-06-01") == ["uncertain"]
    assert status("Belarus", "1996-01-01") == ["member"]
    # Ireland signed the Framework Document on 1 December 1999 (NATO Update): a day
    assert status("Ireland", "1999-11-30") == []
    assert status("Ireland", "1999-12-01") == ["member"]


def test_a_nations_relationships_as_of_a_date(client: TestClient) -> None:
    rows = _rows(client, "nation-relationships-as-of", nation=ID + "nation/japan",
                 date="2024-01-01")
    assert {(r["kind"], r["with"]) for r in rows} == {
        ("membership", ID + "alliance/us-japan"),
        ("designation", ID + "designation/major-non-nato-ally")}
    assert _rows(client, "nation-relationships-as-of", nation=ID + "nation/japan",
                 date="1959-01-01") == []  # the 1960 treaty's alliance had not begun


def test_treaty_allies_of_the_united_states_in_a_region(client: TestClient) -> None:
    rows = _rows(client, "us-treaty-allies-in-region-as-of", date="1985-01-01")
    assert {(r["label"], r["alliance"]) for r in rows} == {
        ("Japan", ID + "alliance/us-japan"),
        ("Philippines", ID + "alliance/us-philippines"),
        ("South Korea", ID + "alliance/us-south-korea")}


def test_what_changed_between_two_dates(client: TestClient) -> None:
    rows = _rows(client, "changes-between", **{"from": "1999-01-01", "to": "1999-12-31"})
    began = {r["label"] for r in rows if r["change"] == "began"}
    assert {"Czechia in NATO", "Hungary in NATO", "Poland in NATO",
            "Ireland in the Partnership for Peace"} <= began
    assert all(r["date"].startswith("1999") for r in rows)


@pytest.mark.parametrize(("params", "message"), [
    ({"date": "1999-13-01"}, "parameter 'date': expected a date, YYYY-MM-DD, got '1999-13-01'"),
    ({"date": "1999"}, "parameter 'date': expected a date, YYYY-MM-DD"),
    ({}, "parameter 'date' is required"),
    ({"date": "1999-01-01", "dat": "x"}, "unknown parameter 'dat'; this query takes: date, "
                                         "organisation"),
    ({"date": "1999-01-01", "organisation": "nato"}, "parameter 'organisation': expected an "
                                                     "absolute IRI"),
    # an attempt to close the IRI and add a pattern of one's own is not an IRI
    ({"date": "1999-01-01", "organisation": "http://a.example/> } SERVICE <http://127.0.0.1/"},
     "parameter 'organisation': expected an absolute IRI"),
    ({"date": '1999-01-01" } SERVICE <http://127.0.0.1/> { "'}, "parameter 'date'"),
])
def test_a_wrong_value_is_a_400_naming_the_parameter(client: TestClient,
                                                      params: dict[str, str],
                                                      message: str) -> None:
    response = client.get("/queries/members-as-of", params=params)
    assert response.status_code == 400
    assert message in response.text
    assert "Traceback" not in response.text


def test_a_parameter_given_twice_is_refused(client: TestClient) -> None:
    response = client.get("/queries/members-as-of?date=1999-01-01&date=2000-01-01")
    assert response.status_code == 400 and "'date' is given more than once" in response.text


def test_values_are_bound_as_terms_never_as_text() -> None:
    parameters = [Parameter("org", "iri", None, ""), Parameter("name", "xsd:string", None, ""),
                  Parameter("n", "xsd:integer", None, "")]
    text = "PREFIX ex: <http://e.example/>\n# a { in a comment\nSELECT * WHERE { ?s ?p ?o }"
    bound = bind(text, parameters, {"org": "http://e.example/a#b%20c", "name": 'say "}"\n',
                                    "n": "007"})
    assert bound == ("PREFIX ex: <http://e.example/>\n# a { in a comment\nSELECT * WHERE {\n"
                     '  VALUES (?org ?name ?n) { (<http://e.example/a#b%20c> "say \\"}\\"\\n" '
                     '"7"^^<http://www.w3.org/2001/XMLSchema#integer>) } ?s ?p ?o }')
    construct = bind("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", parameters[:1],
                     {"org": "urn:x:y"})
    assert construct.startswith("CONSTRUCT { ?s ?p ?o } WHERE {\n  VALUES (?org)")
    for wrong in ("http://e.example/a b", "http://e.example/<x>", "no-scheme", ""):
        with pytest.raises(ParameterError, match="'org'"):
            bind(text, parameters[:1], {"org": wrong})


def test_a_query_file_must_declare_what_it_can_bind(tmp_path: Path) -> None:
    with pytest.raises(QueryFileError, match="unknown type 'date'"):
        declared_parameters(["@param when date The day"])
    with pytest.raises(QueryFileError, match="the default is wrong"):
        declared_parameters(["@param when xsd:date = tomorrow The day"])
    with pytest.raises(QueryFileError, match="declared twice"):
        declared_parameters(["@param a xsd:date x", "@param a xsd:date y"])
    folder = tmp_path / "queries"
    folder.mkdir()
    (folder / "unused.rq").write_text("# Q?\n# @param when xsd:date The day\n"
                                      "SELECT * WHERE { ?s ?p ?o }\n")
    with pytest.raises(QueryFileError, match="has no \\?when"):
        load_queries(folder)


def test_parameters_are_listed_in_openapi_and_the_query_list(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/queries/members-as-of"]["get"]
    declared = {p["name"]: p for p in operation["parameters"]}
    assert declared["date"]["required"] is True
    assert declared["date"]["schema"] == {"type": "string", "format": "date"}
    assert declared["organisation"]["schema"]["default"] == ID + "alliance/nato"
    listed = {q["name"]: q for q in client.get("/queries", headers={
        "Accept": "application/json"}).json()["queries"]}
    assert [p["name"] for p in listed["changes-between"]["parameters"]] == ["from", "to"]
    assert listed["members-as-of"]["kind"] == "parameterised"
    page = client.get("/queries", headers={"Accept": "text/html"}).text
    assert '<form method="get" action="/queries/members-as-of">' in page
    assert 'name="date"' in page and 'type="date"' in page


def test_every_shipped_parameterised_query_runs(client: TestClient) -> None:
    # (through the endpoint: the parse happens in a worker, not in this process, whose
    # rdflib must stay as it is for the client tests)
    queries = [q for q in load_queries().values() if q.parameters]
    assert {q.name for q in queries} >= {"members-as-of", "nation-relationships-as-of",
                                         "us-treaty-allies-in-region-as-of", "changes-between"}
    samples = {"xsd:date": "2000-01-01", "iri": ID + "nation/japan", "xsd:gYear": "2000",
               "xsd:integer": "1", "xsd:string": "x"}
    for query in queries:
        values = {p.name: samples[p.type] for p in query.parameters}
        response = client.get(f"/queries/{query.name}", params={**values, "format": "json"})
        assert response.status_code == 200, (query.name, response.text)
        assert "results" in response.json(), query.name


def test_the_editor_lists_the_questions_with_parameters(client: TestClient) -> None:
    page = client.get("/sparql", headers={"Accept": "text/html"}).text
    assert '<li id="asked-members-as-of"><a href="/queries#members-as-of">' in page
    assert "<code>date</code>, <code>organisation</code>" in page
