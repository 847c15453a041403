"""Story 1 and 3 datasets on real published files (../shared/real-samples), imported like a
journalist would, built by the clean stage and read back through ``datasets.load``.

Every expected number is read from the file's own rows in the test (the csv module); nothing is
typed in. Skipped where the folder is absent (a failure under CI=true).
"""

from __future__ import annotations

import csv
import io

import pytest
from helpers import real_sample

from krefeld_data.datasets import load
from krefeld_data.datasets.registry import build_datasets
from krefeld_data.fetch.importer import import_file

CITIES = ["05114", "05111", "05124", "08311"]


def rows_of(path, encoding="utf-8-sig"):
    text = path.read_bytes().decode(encoding)
    return list(csv.reader(io.StringIO(text), delimiter=";"))


@pytest.fixture
def imported(isolated_env):
    """The real files in a temporary data folder (12411-01-01-4: the 2024 flat file last)."""
    for prefix in ("09_", "10_", "07_", "02_"):
        import_file(real_sample(prefix))
    build_datasets(["bevoelkerung", "auslaenderanteil", "migrationshintergrund_2011",
                    "einwanderungsgeschichte_2022", "altersstruktur"])
    return isolated_env


def assert_real_sources(frame, *tables):
    sources = frame.attrs["sources"]
    assert {s["origin"] for s in sources} == {"manual-import"}
    assert set(tables) <= {s["table"] for s in sources}


def test_population_2024_is_the_files_own_row(imported):
    series = load("bevoelkerung", CITIES)
    assert_real_sources(series, "12411-01-01-4")
    rows = rows_of(real_sample("02_"))
    header = rows[0]
    code, attr, value, time = (header.index(c) for c in (
        "1_variable_attribute_code", "2_variable_attribute_code", "value", "time"))
    for key in CITIES:
        expected = [r for r in rows[1:] if r[code] == key and r[attr] == ""]
        assert len(expected) == 1
        got = series[(series["region_key"] == key)]
        assert got["population"].item() == float(expected[0][value])
        assert str(got["date"].item().date()) == expected[0][time]
        assert got["census_basis"].item() == "Zensus 2022"


def test_old_flat_file_and_classic_wide_file_give_the_same_kind_of_series(isolated_env):
    import_file(real_sample("11_"))  # classic wide table 1995-2015
    build_datasets(["bevoelkerung"])
    series = load("bevoelkerung", ["05114", "DG"])
    krefeld = series[series["region_key"] == "05114"].set_index("year")
    assert krefeld.index.min() == 1995 and krefeld.index.max() == 2015
    assert krefeld.loc[2010, "census_basis"] == "vor Zensus 2011"
    assert krefeld.loc[2011, "census_basis"] == "Zensus 2011"
    import_file(real_sample("04_"))  # flat file, old layout, 31.12.2023: spliced onto the series
    build_datasets(["bevoelkerung"])
    series = load("bevoelkerung", ["05114", "05", "DG"])
    assert set(series["year"]) == {*range(1995, 2016), 2023}
    assert {s["table"] for s in series.attrs["sources"]} == {"12411-01-01-4"}
    assert len(series.attrs["sources"]) == 2
    rows = rows_of(real_sample("04_"))
    expected = next(r for r in rows[1:] if r[7] == "05114" and r[11] == "")[-1]
    krefeld = series[series["region_key"] == "05114"].set_index("year")
    assert krefeld.loc[2023, "population"] == float(expected)
    assert krefeld.loc[2023, "census_basis"] == "Zensus 2011"  # the 2024-12 download: still 2011


def test_foreign_share_2015_is_auslaender_over_insgesamt(imported):
    shares = load("auslaenderanteil", [*CITIES, "05", "DG"])
    assert_real_sources(shares, "12411-03-03-4")
    assert set(shares["year"]) == {2015}
    assert shares["foreign_share"].between(0, 1).all()
    rows = rows_of(real_sample("09_"), "utf-8")
    for key in CITIES:
        total_row = [r for r in rows if len(r) > 10 and r[1] == key and r[3] == "Insgesamt"]
        assert len(total_row) == 1
        # columns: Insgesamt (i, m, w), Deutsche (i, m, w), Ausländer(innen) (i, m, w)
        insgesamt, auslaender = float(total_row[0][4]), float(total_row[0][10])
        got = shares.set_index("region_key").loc[key, "foreign_share"]
        assert got == pytest.approx(auslaender / insgesamt)


def test_migration_background_2011_from_the_census_file(imported):
    census = load("migrationshintergrund_2011", [*CITIES, "DG"])
    census = census[census["age_group"] == "Insgesamt"]
    assert_real_sources(census, "12111-07-01-4")
    assert census["share"].between(0, 1).all()
    rows = rows_of(real_sample("10_"), "utf-8")
    for key in CITIES:
        total = next(r for r in rows if r and r[0] == key and r[2] == "Insgesamt")
        # Insgesamt; Deutsche; Deutsche ohne MH; Deutsche mit MH; Ausländer
        expected = (float(total[6]) + float(total[7])) / float(total[3])
        assert census.set_index("region_key").loc[key, "share"] == pytest.approx(expected)


def test_immigration_history_2022_for_germany_and_nrw(imported):
    census = load("einwanderungsgeschichte_2022", [*CITIES, "05", "DG"])
    assert_real_sources(census, "1000A-2022")
    assert set(census["region_key"]) == {"05", "DG"}  # the public table has no Kreise
    assert census.attrs["missing_regions"] == CITIES
    assert census["share"].between(0, 1).all()
    rows = rows_of(real_sample("07_"))
    header = rows[0]
    region, age_code, var, attr, value = (header.index(c) for c in (
        "1_variable_attribute_code", "2_variable_attribute_code", "3_variable_code",
        "3_variable_attribute_code", "value"))
    nrw = [r for r in rows[1:] if r[region] == "05" and r[age_code] == ""]
    total = next(float(r[value]) for r in nrw if r[var] == "WDGAT2" and r[attr] == "")
    history = next(float(r[value]) for r in nrw if r[attr] == "WANDERUNG-BEID")
    assert census.set_index("region_key").loc["05", "share"] == pytest.approx(history / total)


def test_age_structure_2015_shares_sum_to_one(imported):
    structure = load("altersstruktur", CITIES)
    assert set(structure["year"]) == {2015}
    sums = structure.groupby(["region_key", "nationality"])["share"].sum()
    assert sums.to_numpy() == pytest.approx([1.0] * len(sums))
    assert structure["age_group"].nunique() == 21
