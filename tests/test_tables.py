"""Analysis-ready tables (issue 8): membership-year, state-year and dyad-year CSV with CSV on
the Web metadata, read with pandas as an analyst would. Answers from the record: NATO had 16
members at the start of 1999 and 19 by its end (Czechia, Hungary and Poland joined on 12
March); ANZUS's parties are Australia, New Zealand and the United States."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

ID = "https://w3id.org/alliance-ld/id/"
TABLES = "/downloads/0.1.0/"


@pytest.fixture(scope="module")
def frames(client: TestClient) -> dict[str, pd.DataFrame]:
    out = {}
    for name in ("membership-year", "state-year", "dyad-year"):
        response = client.get(TABLES + name + ".csv")
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        out[name] = pd.read_csv(io.StringIO(response.text), keep_default_na=False)
    return out


def test_nato_members_in_1999(frames: dict[str, pd.DataFrame]) -> None:
    table = frames["membership-year"]
    nato = table[(table.organisation == ID + "alliance/nato") & (table.year == 1999)]
    assert len(nato) == 19
    assert int((nato.certain == True).sum()) == 16  # noqa: E712 - the three joined in March
    assert set(nato[nato.certain == False].iso3) == {"CZE", "HUN", "POL"}  # noqa: E712
    assert set(table[(table.organisation == ID + "alliance/nato") & (table.year == 2024)]
               .nation_label) >= {"Finland", "Sweden"}


def test_state_year(frames: dict[str, pd.DataFrame]) -> None:
    table = frames["state-year"].set_index(["iso3", "year"])
    assert table.loc[("JPN", 2024), "alliances"] == 1  # the U.S.-Japan alliance
    assert table.loc[("JPN", 2024), "designations"] == 1  # major non-NATO ally
    assert table.loc[("JPN", 2024), "wikidata"] == "Q17"
    assert ("JPN", 1959) not in table.index  # before the 1960 treaty and any designation


def test_dyad_year(frames: dict[str, pd.DataFrame]) -> None:
    table = frames["dyad-year"]
    pair = table[(table.nation_a == ID + "nation/australia")
                 & (table.nation_b == ID + "nation/new-zealand") & (table.year == 1960)]
    assert list(pair.alliances) == [ID + "alliance/anzus"]
    kinds = set(pair.obligation_kinds.iloc[0].split(";"))
    assert kinds and all(k.endswith("Obligation") for k in kinds)
    assert (table.nation_a < table.nation_b).all()  # each pair once


def test_a_suspension_takes_the_obligations_out_of_the_dyad(
        frames: dict[str, pd.DataFrame]) -> None:
    # The United States suspended its ANZUS obligations to New Zealand on 1986-09-17;
    # Australia's obligations to both go on (data/alliances.ttl).
    table = frames["dyad-year"].set_index(["nation_a", "nation_b", "year"])
    nz_us = (ID + "nation/new-zealand", ID + "nation/united-states")
    both = "ConsultationObligation;DefenceObligation"
    assert table.loc[(*nz_us, 1985), ["obligation_kinds", "suspended"]].tolist() == [both, ""]
    assert table.loc[(*nz_us, 1986), ["obligation_kinds", "suspended"]].tolist() == [
        both, ID + "alliance/anzus"]
    assert table.loc[(*nz_us, 1987), ["alliances", "obligation_kinds", "suspended"]].tolist() == [
        ID + "alliance/anzus", "", ID + "alliance/anzus"]
    assert table.loc[(ID + "nation/australia", ID + "nation/new-zealand", 1987),
                     ["obligation_kinds", "suspended"]].tolist() == [both, ""]


def test_csvw_metadata_describes_every_column(client: TestClient,
                                              frames: dict[str, pd.DataFrame]) -> None:
    response = client.get(TABLES + "tables.csv-metadata.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/csvm+json")
    metadata = json.loads(response.text)
    assert "http://www.w3.org/ns/csvw" in metadata["@context"]
    assert metadata["dc:hasVersion"] == "0.1.0"
    described = {t["url"]: [c["name"] for c in t["tableSchema"]["columns"]]
                 for t in metadata["tables"]}
    for name, frame in frames.items():
        assert described[name + ".csv"] == list(frame.columns)
    year = next(c for c in metadata["tables"][0]["tableSchema"]["columns"]
                if c["name"] == "year")
    assert year["datatype"] == "gYear"


def test_listed_on_the_downloads_page(client: TestClient) -> None:
    listing = client.get("/downloads", headers={"Accept": "application/json"}).json()
    tables = [f["filename"] for f in listing["files"] if f.get("kind") == "table"]
    assert tables == ["membership-year.csv", "state-year.csv", "dyad-year.csv",
                      "tables.csv-metadata.json"]


def test_alliance_ld_build_writes_the_same_tables(run_cli, client: TestClient,  # type: ignore[no-untyped-def]
                                                  tmp_path: Path) -> None:
    result = run_cli("build", "--out", str(tmp_path / "artefacts"), "--tables",
                     str(tmp_path / "tables"))
    assert result.returncode == 0, result.stderr
    for name in ("membership-year.csv", "state-year.csv", "dyad-year.csv"):
        written = (tmp_path / "tables" / name).read_bytes()
        assert written == client.get(TABLES + name).content, name


def test_a_dyad_table_too_large_to_build_is_left_out_and_says_why(
        publication, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Pairs grow with the square of an alliance's size: above the limit the dyad-year table
    is not built (and not described), and the note gives the bound; the others are built."""
    from alliance_ld import tables

    full = tables.build(publication, "https://example.org/t/", "0.1.0")
    assert full.dyad_year is not None and full.note == ""
    rows = len(full.dyad_year.rows)
    assert full.dyad_year.text.count("\r\n") == rows + 1  # the header and each row
    monkeypatch.setattr(tables, "DYAD_ROWS_MAX", rows - 1)
    cut = tables.build(publication, "https://example.org/t/", "0.1.0")
    assert cut.dyad_year is None
    assert cut.membership_year == full.membership_year and cut.state_year == full.state_year
    described = [t["url"] for t in json.loads(cut.metadata)["tables"]]
    assert described == ["membership-year.csv", "state-year.csv"]
    bound = int(cut.note.split("up to ")[1].split(" rows")[0].replace(",", ""))
    assert bound >= rows  # an upper bound: a pair in two alliances is one row
    assert f"above the limit of {rows - 1:,}" in cut.note
