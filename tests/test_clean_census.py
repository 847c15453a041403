"""Census basis tags by reference date and vintage, and break points (clean/census.py).

The frames here are test data (no provenance origin other than "test"); the real files are
read in tests/test_census_vintage.py.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from krefeld_data.clean.census import (
    BEFORE_2011,
    BEFORE_OR_ZENSUS_2011,
    ZENSUS_2011,
    ZENSUS_2011_OR_2022,
    ZENSUS_2022,
    add_census_basis,
    basis_for,
    basis_statements,
    census_breaks,
    series_breaks,
    vintage_of,
)


def frame(table: str, years: list[int], *, vintage: str | None = None, origin: str = "test") -> pd.DataFrame:
    df = pd.DataFrame({
        "table": table,
        "region_code": "05114",
        "year": pd.array(years, dtype="Int64"),
        "value": [float(y) for y in years],
    })
    if vintage is not None:
        df.attrs["provenance"] = {"table": table, "origin": origin, "source": "regio",
                                  "retrieved_at": "2026-12-01T10:00:00+00:00", "vintage": vintage}
    return df


def tags(df: pd.DataFrame) -> list[str]:
    return add_census_basis(df)["census_basis"].astype(str).tolist()


def test_a_recent_vintage_puts_every_date_after_a_census_day_on_that_census():
    assert tags(frame("12411-01-01-4", [1995, 2010, 2011, 2021, 2022, 2024], vintage="2026-03-10")) == [
        BEFORE_2011, BEFORE_2011, ZENSUS_2011, ZENSUS_2011, ZENSUS_2022, ZENSUS_2022,
    ]


def test_a_vintage_before_the_census_results_keeps_the_old_basis():
    # Published 2024-01-15, before the 2022 results (25.06.2024): 2022 and 2023 rest on 2011.
    assert tags(frame("12411-01-01-4", [2021, 2022, 2023], vintage="2024-01-15")) == [ZENSUS_2011] * 3
    # A file of 2012 (before 31.05.2013) still counts 2011 on the old basis.
    assert tags(frame("12411-01-01-4", [2010, 2011], vintage="2012-10-01")) == [BEFORE_2011] * 2


def test_in_the_switch_period_or_without_a_vintage_the_tag_names_both_censuses():
    assert tags(frame("12411-01-01-4", [2021, 2022, 2023, 2024], vintage="2024-12-03")) == [
        ZENSUS_2011, ZENSUS_2011_OR_2022, ZENSUS_2011_OR_2022, ZENSUS_2022,
    ]
    assert tags(frame("12411-01-01-4", [2010, 2011, 2013, 2023, 2024])) == [
        BEFORE_2011, BEFORE_OR_ZENSUS_2011, ZENSUS_2011, ZENSUS_2011_OR_2022, ZENSUS_2022,
    ]


def test_the_import_time_of_a_file_is_no_vintage_but_the_fetch_time_is():
    imported = frame("12411-01-01-4", [2023], vintage=None)
    imported.attrs["provenance"] = {"origin": "manual-import", "retrieved_at": "2026-12-01T10:00:00+00:00"}
    assert tags(imported) == [ZENSUS_2011_OR_2022]
    fetched = frame("12411-01-01-4", [2023])
    fetched.attrs["provenance"] = {"origin": "api", "retrieved_at": "2026-12-01T10:00:00+00:00"}
    assert tags(fetched) == [ZENSUS_2022]
    assert vintage_of(fetched.attrs["provenance"]).source == "fetch time"


def test_a_stand_line_of_the_file_is_a_vintage():
    df = frame("12411-01-01-4", [2011, 2015])
    df.attrs["stand"] = "10.10.2017 / 16:36:03"
    assert vintage_of({}, df.attrs).day == date(2017, 10, 10)
    assert tags(df) == [ZENSUS_2011, ZENSUS_2011]


def test_a_footnote_naming_the_basis_decides_from_the_period_it_names():
    # The footnote of the Regionaldatenbank's classic file (real sample 38), line breaks as there.
    note = ("Bei den Bevölkerungsdaten handelt es sich um\nFortschreibungszahlen, die ab dem "
            "Berichtsmonat Mai 2022 auf\nden Ergebnissen des Zensus vom 15. Mai 2022 basieren.")
    assert basis_statements([note]) == [(date(2022, 5, 1), ZENSUS_2022)]
    df = frame("12411-02-03-4", [2021, 2023])
    df.attrs["footnotes"] = [note]
    assert tags(df) == [ZENSUS_2011, ZENSUS_2022]
    old = "Berichtsjahr ab 2011: Ergebnisse auf Grundlage des Zensus\n2011"  # real sample 09
    assert basis_statements([old]) == [(date(2011, 1, 1), ZENSUS_2011)]
    labelled = frame("12411-0001", [2023])
    labelled["measure_label"] = "Bevölkerungsstand (Basis Zensus 2022)"
    assert tags(labelled) == [ZENSUS_2022]


def test_a_published_total_known_on_one_basis_decides_the_publication():
    df = pd.DataFrame({
        "table": "12411", "region_code": ["DG", "05114"], "year": pd.array([2023, 2023], dtype="Int64"),
        "date": pd.to_datetime(["2023-12-31"] * 2), "ges": "Insgesamt", "ges_code": "",
        "value": [84_669_326.0, 228_550.0],  # sample 04: Germany and Krefeld on the 2011 basis
    })
    df.attrs["provenance"] = {"origin": "manual-import", "table": "12411-01-01-4"}
    assert tags(df) == [ZENSUS_2011, ZENSUS_2011]
    df["value"] = [1.0, 230_393.0]  # Krefeld on the 2022 basis (sample 38)
    assert tags(df) == [ZENSUS_2022, ZENSUS_2022]


def test_single_value_rule_agrees_with_the_frame_rule():
    days = pd.date_range("2009-01-31", "2025-12-31", freq="ME")
    for vintage in (None, "2012-06-01", "2014-01-01", "2024-03-01", "2024-12-03", "2026-03-10"):
        df = frame("12411-0020", [d.year for d in days], vintage=vintage)
        df["date"] = days
        expected = [basis_for(d.date(), date.fromisoformat(vintage) if vintage else None) for d in days]
        assert tags(df) == expected, vintage


def test_census_tables_carry_their_own_census_whatever_the_year():
    assert tags(frame("12111-07-01-4", [2011])) == [ZENSUS_2011]
    assert tags(frame("1000A-2022", [2022])) == [ZENSUS_2022]
    df = frame("3000G-1001", [2022])
    df.attrs["provenance"] = {"source": "zensus", "table": "3000G-1001"}
    assert tags(df) == [ZENSUS_2022]


def test_tables_that_are_not_population_counts_get_no_basis():
    assert tags(frame("12531-0043", [2010, 2024])) == ["", ""]
    forced = add_census_basis(frame("12531-0043", [2010, 2024], vintage="2026-01-01"), population_update=True)
    assert forced["census_basis"].astype(str).tolist() == [BEFORE_2011, ZENSUS_2022]


def test_input_frame_is_not_changed():
    original = frame("12411-01-01-4", [2010])
    add_census_basis(original)
    assert "census_basis" not in original.columns


def test_series_breaks_follow_the_tags_not_the_calendar():
    tagged = pd.DataFrame({
        "region_key": "05111", "year": [2021, 2022, 2023, 2024],
        "census_basis": [ZENSUS_2011, ZENSUS_2011, ZENSUS_2011, ZENSUS_2022],
    })
    assert series_breaks(tagged) == [2023.5]
    tagged["census_basis"] = [ZENSUS_2011, ZENSUS_2011_OR_2022, ZENSUS_2011_OR_2022, ZENSUS_2022]
    assert series_breaks(tagged) == [2021.5, 2022.5, 2023.5]


def test_census_days_inside_a_long_series():
    breaks = census_breaks(range(1995, 2025))
    assert [(b.last_old_year, b.first_new_year) for b in breaks] == [(2010, 2011), (2021, 2022)]
    assert [b.position for b in breaks] == [2010.5, 2021.5]
    assert breaks[0].label == "Zensus 2011 (09.05.2011)"
    assert census_breaks(range(2012, 2021)) == [] and census_breaks([]) == []
