"""Census basis tags and break points (clean/census.py)."""

from __future__ import annotations

import logging

import pandas as pd

from krefeld_data.clean.census import (
    BEFORE_2011,
    ZENSUS_2011,
    ZENSUS_2022,
    add_census_basis,
    basis_for_date,
    basis_for_year,
    census_breaks,
)


def frame(table: str, years: list[int]) -> pd.DataFrame:
    return pd.DataFrame({
        "table": table,
        "region_code": "05114",
        "year": pd.array(years, dtype="Int64"),
        "value": [float(y) for y in years],
    })


def test_population_update_basis_switches_at_2011_and_2022():
    tagged = add_census_basis(frame("12411-01-01-4", [1995, 2010, 2011, 2021, 2022, 2024]))
    assert list(tagged["census_basis"]) == [
        BEFORE_2011, BEFORE_2011, ZENSUS_2011, ZENSUS_2011, ZENSUS_2022, ZENSUS_2022,
    ]
    assert isinstance(tagged["census_basis"].dtype, pd.CategoricalDtype)


def test_mid_year_dates_switch_on_the_census_day():
    df = frame("12411-0020", [2011, 2011, 2022])
    df["date"] = pd.to_datetime(["2011-03-31", "2011-06-30", "2022-03-31"])
    assert list(add_census_basis(df)["census_basis"]) == [BEFORE_2011, ZENSUS_2011, ZENSUS_2011]


def test_frame_rule_agrees_with_the_single_value_rules():
    days = pd.date_range("2009-01-31", "2024-12-31", freq="ME")
    df = frame("12411-0020", [d.year for d in days])
    df["date"] = days
    tagged = add_census_basis(df)["census_basis"].astype(str).tolist()
    assert tagged == [basis_for_date(d.date()) for d in days]
    undated = add_census_basis(df.drop(columns="date"))["census_basis"].astype(str).tolist()
    assert undated == [basis_for_year(d.year) for d in days]


def test_census_tables_carry_their_own_census_whatever_the_year():
    z11 = add_census_basis(frame("12111-07-01-4", [2011]))
    z22 = add_census_basis(frame("1000A-2022", [2022]))
    assert z11["census_basis"].iloc[0] == ZENSUS_2011
    assert z22["census_basis"].iloc[0] == ZENSUS_2022


def test_any_table_from_the_census_database_is_zensus_2022():
    df = frame("3000G-1001", [2022])
    df.attrs["provenance"] = {"source": "zensus", "table": "3000G-1001"}
    assert add_census_basis(df)["census_basis"].iloc[0] == ZENSUS_2022


def test_tables_that_are_not_population_counts_get_no_basis():
    tagged = add_census_basis(frame("12531-0043", [2010, 2024]))
    assert list(tagged["census_basis"]) == ["", ""]
    forced = add_census_basis(frame("12531-0043", [2010, 2024]), population_update=True)
    assert list(forced["census_basis"]) == [BEFORE_2011, ZENSUS_2022]


def test_input_frame_is_not_changed():
    original = frame("12411-01-01-4", [2010])
    add_census_basis(original)
    assert "census_basis" not in original.columns


def test_breaks_inside_a_long_series():
    breaks = census_breaks(range(1995, 2025))
    assert [(b.last_old_year, b.first_new_year) for b in breaks] == [(2010, 2011), (2021, 2022)]
    assert [b.position for b in breaks] == [2010.5, 2021.5]
    assert breaks[0].census_day.isoformat() == "2011-05-09"
    assert breaks[0].label == "Zensus 2011 (09.05.2011)"


def test_breaks_only_where_the_series_has_years_on_both_sides():
    assert census_breaks(range(2012, 2021)) == []
    assert census_breaks([2023, 2024]) == []
    assert [b.first_new_year for b in census_breaks([2010, 2011])] == [2011]
    # A gap (no 2016-2022) does not hide the 2022 break.
    assert [b.first_new_year for b in census_breaks([2015, 2023])] == [2022]
    assert census_breaks([]) == []


def test_warns_when_file_predates_the_new_basis(caplog):
    df = frame("12411-01-01-4", [2022, 2023])
    df.attrs["provenance"] = {"table": "12411-01-01-4", "retrieved_at": "2024-01-15T10:00:00+00:00"}
    with caplog.at_level(logging.WARNING, logger="krefeld_data.clean.census"):
        add_census_basis(df)
    assert "2 values" in caplog.text and "Zensus 2022" in caplog.text
    caplog.clear()
    df.attrs["provenance"]["retrieved_at"] = "2025-03-01T10:00:00+00:00"
    with caplog.at_level(logging.WARNING, logger="krefeld_data.clean.census"):
        add_census_basis(df)
    assert caplog.text == ""
