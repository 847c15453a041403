"""One series from several publications (clean/splice.py)."""

from __future__ import annotations

import logging

import pandas as pd
import pytest
from helpers import real_sample

from krefeld_data.clean.census import (
    ZENSUS_2011,
    ZENSUS_2022,
    add_census_basis,
    census_breaks,
    series_breaks,
)
from krefeld_data.clean.splice import publication_date, splice
from krefeld_data.errors import KrefeldDataError


def population(table: str, rows: list[tuple], *, codes: bool = True, name: str = "Krefeld, kreisfreie Stadt",
               region: str = "05114", provenance: dict | None = None) -> pd.DataFrame:
    """rows: (year, sex label, value)."""
    code_of = {"Insgesamt": "", "männlich": "GESM", "weiblich": "GESW"}
    df = pd.DataFrame({
        "table": table,
        "region_code": region,
        "region_name": name,
        "year": pd.array([r[0] for r in rows], dtype="Int64"),
        "date": pd.to_datetime([f"{r[0]}-12-31" for r in rows]),
        "ges": pd.Categorical([r[1] for r in rows]),
        "ges_code": [code_of[r[1]] for r in rows],
        "measure": "BEVSTD",
        "measure_label": "Bevölkerungsstand",
        "unit": "Anzahl",
        "value": [float(r[2]) for r in rows],
        "status": "",
        "quality": "",
    })
    if not codes:
        df = df.drop(columns="ges_code")
    if provenance is not None:
        df.attrs["provenance"] = provenance
    return df


OLD = {"table": "12411-01-01-4", "file": "old.csv", "retrieved_at": "2018-03-03T00:00:00+00:00",
       "stand": "10.10.2017 / 11:57:53", "sha256": "a" * 64}
# Fetched (test data): the fetch time is its vintage. An imported file's import time would not be.
NEW = {"table": "12411-0015", "file": "new.csv", "retrieved_at": "2026-03-10T12:00:00+00:00",
       "origin": "test", "sha256": "b" * 64}


def test_newest_publication_wins_and_each_value_keeps_its_source(caplog):
    old = population("12411-01-01-4", [(2014, "Insgesamt", 100), (2015, "Insgesamt", 110)],
                     codes=False, name="Krefeld, Kreisfreie Stadt", provenance=OLD)
    new = population("12411-0015", [(2015, "Insgesamt", 111), (2016, "Insgesamt", 120)], provenance=NEW)
    with caplog.at_level(logging.INFO, logger="krefeld_data.clean.splice"):
        out = splice([new, old])  # list order must not matter: dates decide
    assert list(out["year"]) == [2014, 2015, 2016]
    assert list(out["value"]) == [100, 111, 120]
    assert list(out["source_table"]) == ["12411-01-01-4", "12411-0015", "12411-0015"]
    assert list(out["source_snapshot"]) == ["old.csv", "new.csv", "new.csv"]
    assert set(out["region_name"]) == {"Krefeld, kreisfreie Stadt"}  # newest label everywhere
    report = out.attrs["splice"]
    assert report["overlapping_values"] == 1 and report["revisions"] == 1
    assert report["listed"][0]["value_old"] == 110 and report["listed"][0]["value_new"] == 111
    assert "revision" in caplog.text
    assert [s["file"] for s in out.attrs["sources"]] == ["new.csv", "old.csv"]


def test_agreeing_overlap_is_not_a_revision():
    a = population("T1", [(2015, "männlich", 5)], provenance=OLD)
    b = population("T2", [(2015, "männlich", 5)], provenance=NEW)
    report = splice([a, b]).attrs["splice"]
    assert report == {"overlapping_values": 1, "revisions": 0, "listed": []}


def test_rows_join_on_region_keys_and_attribute_codes_not_labels():
    old = population("T1", [(2010, "männlich", 1), (2010, "weiblich", 2)], codes=False,
                     region="05114000", provenance=OLD)
    new = population("T2", [(2010, "männlich", 3), (2010, "weiblich", 4)], region="05114",
                     provenance=NEW)
    out = splice([old, new])
    assert len(out) == 2
    assert list(out["value"]) == [3, 4]
    assert set(out["region_key"]) == {"05114"}


def test_stand_beats_retrieval_date():
    # Imported in 2026, but its data are as of 2017: the 2025 publication is newer.
    imported_late = population("T1", [(2015, "Insgesamt", 1)],
                               provenance=dict(OLD, retrieved_at="2026-11-01T00:00:00+00:00"))
    newer = population("T2", [(2015, "Insgesamt", 2)], provenance=dict(NEW, stand="2025-05-01"))
    assert splice([newer, imported_late])["value"].tolist() == [2]
    assert publication_date(imported_late).year == 2017


def test_frames_without_provenance_rank_by_their_latest_reference_date_then_position():
    first = population("T1", [(2015, "Insgesamt", 1)])
    second = population("T2", [(2015, "Insgesamt", 2)])
    assert splice([first, second])["value"].tolist() == [2]
    assert splice([second, first])["value"].tolist() == [1]
    # A frame that also holds 2016 was published after 31.12.2016: it is the newer one.
    later = population("T3", [(2015, "Insgesamt", 3), (2016, "Insgesamt", 4)])
    assert splice([later, first])["value"].tolist() == [3, 4]
    # A recorded stand beats a mere reference date.
    dated = population("T4", [(2015, "Insgesamt", 5)], provenance={"stand": "01.06.2020"})
    assert splice([dated, later])["value"].tolist() == [5, 4]


def test_bad_keys_and_empty_input_raise():
    with pytest.raises(KrefeldDataError):
        splice([])
    with pytest.raises(KrefeldDataError, match="nope"):
        splice([population("T1", [(2015, "Insgesamt", 1)])], keys=["region_key", "nope"])


def test_status_change_counts_as_revision():
    a = population("T1", [(2015, "Insgesamt", 0)], provenance=OLD)
    a["status"] = "zero"
    b = population("T2", [(2015, "Insgesamt", 0)], provenance=NEW)
    assert splice([a, b]).attrs["splice"]["revisions"] == 1


def test_real_population_series_for_krefeld_with_census_breaks():
    from krefeld_data import read_table

    # Each publication is tagged from its own vintage before splicing (11: Stand 10.10.2017;
    # 04: Germany's total 84,669,326 is the 2011-basis figure; 02: 31.12.2024 exists on 2022 only).
    frames = [add_census_basis(read_table(real_sample(p))) for p in ("11_", "04_", "02_")]
    series = splice(frames)
    krefeld = series[(series["region_key"] == "05114") & (series["ges_code"].astype(str) == "")]
    years = krefeld["year"].tolist()
    assert years[0] == 1995 and years[-1] == 2024
    assert len(years) == len(set(years))
    by_year = krefeld.set_index("year")
    # Published figures: 31.12.2010 (old counts) and 31.12.2011 (Zensus 2011), 2024 (Zensus 2022).
    assert by_year.loc[2010, "value"] == 235076 and by_year.loc[2011, "value"] == 221864
    assert by_year.loc[2024, "value"] == 231406
    assert by_year.loc[2011, "census_basis"] == ZENSUS_2011
    assert by_year.loc[2024, "census_basis"] == ZENSUS_2022
    # 31.12.2023 from the 2024-12 download rests on the 2011 census: the break lies before 2024.
    assert by_year.loc[2023, "value"] == 228550 and by_year.loc[2023, "census_basis"] == ZENSUS_2011
    assert series_breaks(krefeld.assign(region_key="05114")) == [2010.5, 2023.5]
    assert [b.first_new_year for b in census_breaks(years)] == [2011, 2022]
    assert set(krefeld["source_table"]) <= {"12411-01-01-4", "12411"}
    # The label of the newest file (02) for every year, not the capital-K one of 2017 (11).
    assert set(krefeld["region_name"]) == {"Krefeld, kreisfreie Stadt"}
