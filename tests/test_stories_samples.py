"""Story data on the sample files: each function returns what it promises.

Expected numbers are recomputed here from the parsed sample files (``read_table``), never
typed in, so the tests hold whatever the generator's seed produces.
"""

from __future__ import annotations

import pandas as pd
import pytest

from krefeld_data import catalog
from krefeld_data.datasets import asylum as asylum_data
from krefeld_data.datasets import naturalisation as naturalisation_data
from krefeld_data.datasets import protection as protection_data
from krefeld_data.errors import KrefeldDataError, MissingDataError
from krefeld_data.parse import read_table
from krefeld_data.raw.store import RawStore
from krefeld_data.samples import install_samples, sample_path
from krefeld_data.stories import age, population

KREFELD = "05114"


@pytest.fixture
def samples(isolated_env):
    install_samples(RawStore())
    return isolated_env


def raw(table: str) -> pd.DataFrame:
    return read_table(sample_path(table))


def assert_sample_sources(frame: pd.DataFrame, *tables: str) -> None:
    sources = frame.attrs["sources"]
    assert sources, "no provenance attached"
    assert {s["origin"] for s in sources} == {"sample"}
    assert set(tables) <= {s["table"] for s in sources}


def test_population_series_is_the_published_total_with_its_census_basis(samples):
    series = population.population_series()
    assert_sample_sources(series, "12411-01-01-4")
    assert list(dict.fromkeys(series["region_key"])) == [*catalog.DEFAULT_CITIES, *catalog.DEFAULT_CONTEXT]
    published = raw("12411-01-01-4")
    published = published[(published["region_code"] == KREFELD) & (published["ges_code"] == "")]
    krefeld = series[series["region_key"] == KREFELD].set_index("year")
    assert sorted(krefeld.index) == sorted(published["year"])  # every available year, none typed in
    for row in published.itertuples():
        assert krefeld.loc[row.year, "population"] == row.value
    basis = krefeld["census_basis"]
    assert set(basis[krefeld.index < 2011]) == {"vor Zensus 2011"}
    assert set(basis[(krefeld.index >= 2011) & (krefeld.index < 2022)]) == {"Zensus 2011"}
    assert set(basis[krefeld.index >= 2022]) == {"Zensus 2022"}


def test_a_dissolved_kreis_is_a_gap_not_a_fall_to_zero(samples):
    series = population.population_series(["05354"], context=[])
    assert series["population"].isna().any() and (series["population"].dropna() > 0).all()


def test_population_for_any_city_by_name(samples):
    series = population.population_series(["Wuppertal"], context=[])
    assert set(series["region_key"]) == {"05124"}


def test_foreign_share_is_foreigners_over_all_residents(samples):
    shares = population.foreign_share_series()
    assert_sample_sources(shares, "12411-03-03-4")
    assert shares["foreign_share"].between(0, 1).all()
    published = raw("12411-03-03-4")
    all_ages = published[(published["ges_code"] == "") & (published["altx20_code"] == "")
                         & (published["region_code"] == KREFELD)]
    for year, rows in all_ages.groupby("year"):
        total = rows.loc[rows["nat_code"] == "", "value"].item()
        foreign = rows.loc[rows["nat_code"] == "NATA", "value"].item()
        got = shares[(shares["region_key"] == KREFELD) & (shares["year"] == year)]["foreign_share"].item()
        assert got == pytest.approx(foreign / total)


def test_migration_background_2011_counts_foreigners_and_germans_with_one(samples):
    census = population.migration_background_2011()
    assert_sample_sources(census, "12111-07-01-4")
    assert census["share"].between(0, 1).all()
    assert (census["with_background"] == census["german_with_background"] + census["foreign"]).all()
    published = raw("12111-07-01-4")
    rows = published[(published["region_code"] == KREFELD) & (published["alter"] == "Insgesamt")]
    total = rows[(rows["nat"] == "Insgesamt")]["value"].item()
    foreign = rows[rows["nat"].str.startswith("Ausländer")]["value"].item()
    german_mh = rows[rows["migrationshintergrund"] == "Personen mit Migrationshintergrund"]["value"].item()
    got = census.set_index("region_key").loc[KREFELD]
    assert got["share"] == pytest.approx((foreign + german_mh) / total)
    assert str(got["date"].date()) == "2011-05-09"


def test_immigration_history_2022_resolves_12_digit_ars_to_kreise(samples):
    census = population.immigration_history_2022()
    assert_sample_sources(census, "1000A-2022")
    assert set(census["region_key"]) == {*catalog.DEFAULT_CITIES, *catalog.DEFAULT_CONTEXT}
    assert census.attrs["missing_regions"] == []
    assert census["share"].between(0, 1).all()
    assert (census["with_history"] == census["immigrants"] + census["descendants"]).all()
    published = raw("1000A-2022")
    rows = published[(published["region_code"] == "051140000000") & (published["altgr2_code"] == "")]
    code = rows["wdgat1_wdgat2_code"].astype(str)
    total = rows[(code == "")]["value"].item()
    with_history = rows[code == "WANDERUNG-BEID"]["value"].item()
    assert census.set_index("region_key").loc[KREFELD, "share"] == pytest.approx(with_history / total)


def test_age_structure_shares_add_up_per_nationality(samples):
    structure = age.age_structure()
    assert_sample_sources(structure, "12411-03-03-4")
    published = raw("12411-03-03-4")
    assert set(structure["year"]) == {published["year"].max()}
    sums = structure.groupby(["region_key", "nationality"])["share"].sum()
    assert sums.to_numpy() == pytest.approx([1.0] * len(sums))
    row = structure[(structure["region_key"] == KREFELD) & (structure["nationality"] == "ausländisch")
                    & (structure["sex"] == "weiblich") & (structure["age_from"] == 0)]
    newest = published["year"].max()
    expected = published[(published["region_code"] == KREFELD) & (published["year"] == newest)
                         & (published["nat_code"] == "NATA") & (published["ges_code"] == "GESW")
                         & (published["altx20_code"] == "ALT000B03")]["value"].item()
    assert row["value"].item() == expected
    young = age.young_share(under=18)
    assert young["share"].between(0, 1).all()
    with pytest.raises(KrefeldDataError, match="not an age group bound"):
        age.young_share(under=17)


STORY_CALLS = {
    "12411-01-01-4": lambda: population.population_series(),
    "12411-03-03-4": lambda: population.foreign_share_series(),
    "12111-07-01-4": lambda: population.migration_background_2011(),
    "1000A-2022": lambda: population.immigration_history_2022(),
    # stories 2, 4, 5: their dataset makers (tests/test_story2_*, _4_*, _5_* test the rest)
    "12531-0043": lambda: protection_data.protection_by_status(),
    "12511-04-01-4": lambda: naturalisation_data.naturalisations_per_year(),
    "12511-01-01-4": lambda: naturalisation_data.naturalisations_by_continent(),
    "migr_asyappctza": lambda: asylum_data.asylum_applications(),
}


@pytest.mark.parametrize("table", list(STORY_CALLS))
def test_a_missing_table_names_the_command_that_gets_it(table, isolated_env):
    with pytest.raises(MissingDataError) as info:
        STORY_CALLS[table]()
    message = str(info.value)
    assert table in message
    assert "krefeld-data fetch" in message and "import" in message


def test_a_city_the_table_lacks_is_an_error_not_a_silent_gap(samples):
    with pytest.raises(MissingDataError, match="05315"):
        population.population_series(["05315"], context=[])
