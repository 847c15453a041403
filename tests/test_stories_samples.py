"""Story data on the sample files: each function returns what it promises.

Expected numbers are recomputed here from the parsed sample files (``read_table``), never
typed in, so the tests hold whatever the generator's seed produces.
"""

from __future__ import annotations

import pandas as pd
import pytest

from krefeld_data import catalog
from krefeld_data.datasets import age as age_data
from krefeld_data.datasets import asylum as asylum_data
from krefeld_data.datasets import load
from krefeld_data.datasets import naturalisation as naturalisation_data
from krefeld_data.datasets import population as population_data
from krefeld_data.datasets import protection as protection_data
from krefeld_data.datasets.registry import build_datasets
from krefeld_data.errors import KrefeldDataError, MissingDataError
from krefeld_data.parse import read_table
from krefeld_data.raw.store import RawStore
from krefeld_data.samples import install_samples, sample_path
from krefeld_data.stories import age

KREFELD = "05114"


@pytest.fixture
def samples(isolated_env):
    install_samples(RawStore())
    return isolated_env


@pytest.fixture
def built(samples):
    """The sample store with the datasets of stories 1 and 3 built (what the notebooks read)."""
    result = build_datasets(["bevoelkerung", "auslaenderanteil", "migrationshintergrund_2011",
                             "einwanderungsgeschichte_2022", "altersstruktur"])
    assert not result.failed, result
    return samples


def raw(table: str) -> pd.DataFrame:
    return read_table(sample_path(table))


def assert_sample_sources(frame: pd.DataFrame, *tables: str) -> None:
    sources = frame.attrs["sources"]
    assert sources, "no provenance attached"
    assert {s["origin"] for s in sources} == {"sample"}
    assert set(tables) <= {s["table"] for s in sources}


def test_population_series_is_the_published_total_with_its_census_basis(built):
    series = load("bevoelkerung", [*catalog.DEFAULT_CITIES, *catalog.DEFAULT_CONTEXT])
    assert_sample_sources(series, "12411-01-01-4")
    assert set(series["region_key"]) == {*catalog.DEFAULT_CITIES, *catalog.DEFAULT_CONTEXT}
    published = raw("12411-01-01-4")
    published = published[(published["region_code"] == KREFELD) & (published["ges_code"] == "")]
    krefeld = series[series["region_key"] == KREFELD].set_index("year")
    assert sorted(krefeld.index) == sorted(published["year"])  # every available year, none typed in
    for row in published.itertuples():
        assert krefeld.loc[row.year, "population"] == row.value
    basis = krefeld["census_basis"]
    assert set(basis[krefeld.index < 2011]) == {"vor Zensus 2011"}
    assert set(basis[(krefeld.index >= 2011) & (krefeld.index < 2022)]) == {"Zensus 2011"}
    # The samples are "fetched" today: a vintage after the switch, so 2022 on rests on 2022.
    assert set(basis[krefeld.index >= 2022]) == {"Zensus 2022"}
    assert set(krefeld["vintage"]) == {series.attrs["sources"][0]["retrieved_at"][:10]}


def test_a_dissolved_kreis_is_a_gap_not_a_fall_to_zero(built):
    series = load("bevoelkerung", ["05354"])
    assert series["population"].isna().any() and (series["population"].dropna() > 0).all()


def test_every_region_of_the_table_is_in_the_dataset(built):
    series = load("bevoelkerung")
    published = raw("12411-01-01-4")
    assert set(series["region_key"]) >= {c for c in published["region_code"] if len(c) == 5}


def test_foreign_share_is_foreigners_over_all_residents(built):
    shares = load("auslaenderanteil")
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


def test_migration_background_2011_counts_foreigners_and_germans_with_one(built):
    census = load("migrationshintergrund_2011")
    census = census[census["age_group"] == "Insgesamt"]
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


def test_immigration_history_2022_resolves_12_digit_ars_to_kreise(built):
    census = load("einwanderungsgeschichte_2022", [*catalog.DEFAULT_CITIES, *catalog.DEFAULT_CONTEXT])
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


def test_age_structure_shares_add_up_per_nationality(built):
    structure = load("altersstruktur")
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
    young = age.young_share(structure, under=18)
    assert young["share"].between(0, 1).all()
    with pytest.raises(KrefeldDataError, match="not an age group bound"):
        age.young_share(structure, under=17)
    assert age.usable_bound(structure, 17) == 15


STORY_CALLS = {
    "12411-01-01-4": lambda: population_data.population(RawStore()),
    "12411-03-03-4": lambda: age_data.age_structure(RawStore()),
    "12111-07-01-4": lambda: population_data.migration_background(RawStore()),
    "1000A-2022": lambda: population_data.immigration_history(RawStore()),
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


def test_a_city_the_dataset_lacks_is_named_not_dropped_silently(built):
    frame = load("bevoelkerung", ["05114", "05315"])
    assert set(frame["region_key"]) == {"05114"}
    assert frame.attrs["missing_regions"] == ["05315"]
