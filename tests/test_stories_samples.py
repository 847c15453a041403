"""Story data on the sample files: each function returns what it promises.

Expected numbers are recomputed here from the parsed sample files (``read_table``), never
typed in, so the tests hold whatever the generator's seed produces.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from krefeld_data import catalog
from krefeld_data.clean.hierarchy import HIERARCHIES
from krefeld_data.errors import KrefeldDataError, MissingDataError
from krefeld_data.parse import read_table
from krefeld_data.raw.store import RawStore
from krefeld_data.samples import install_samples, sample_path
from krefeld_data.stories import age, asylum, naturalisation, population, protection

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


def test_protection_status_levels_never_double_count(samples):
    level1 = protection.protection_by_status()
    assert_sample_sources(level1, "12531-0043", "12411-01-01-4")
    assert set(level1["group"]) == {"offen", "anerkannt", "abgelehnt"}
    level2 = protection.protection_by_status(level=2)
    published = raw("12531-0043")
    latest = published[published["date"] == published["date"].max()]
    leaves = HIERARCHIES["schst2"].leaf_codes()
    for key in catalog.DEFAULT_CITIES:
        one = level1[level1["region_key"] == key].set_index("status_code")["value"]
        two = level2[level2["region_key"] == key].set_index("status_code")["value"]
        assert one["SCHUTZST-AK-1"] == two["SCHUTZST-AK-2"] + two["SCHUTZST-AK-5"]
        assert one.sum() == two.sum()
        city = latest[latest["region_code"] == key]
        assert one.sum() == city.loc[city["schst2_code"].isin(leaves), "value"].sum()
        assert one.sum() < city["value"].sum()  # a naive sum over all status rows counts twice


def test_protection_per_1000_uses_the_population_on_the_same_date(samples):
    totals = protection.protection_totals()
    assert_sample_sources(totals, "12531-0043", "12411-01-01-4")
    people = raw("12411-01-01-4")
    people = people[people["ges_code"] == ""]
    for row in totals.itertuples():
        inhabitants = people[(people["region_code"] == row.region_key) & (people["date"] == row.date)]
        assert row.per_1000 == pytest.approx(row.value / inhabitants["value"].item() * 1000)
    assert set(totals["date"]) == {raw("12531-0043")["date"].max()}  # latest available


def test_top_citizenships_are_ranked_and_shares_of_all(samples):
    top = protection.top_citizenships(n=3)
    assert_sample_sources(top, "12531-0043")
    for _key, group in top.groupby("region_key"):
        assert list(group["rank"]) == [1, 2, 3]
        assert group["value"].is_monotonic_decreasing
        assert group["share"].between(0, 1).all() and group["share"].sum() < 1


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


def test_naturalisations_per_1000_foreign_residents(samples):
    per_year = naturalisation.naturalisations_per_year()
    assert_sample_sources(per_year, "12511-04-01-4", "12411-03-03-4")
    detail = raw("12411-03-03-4")
    foreign = detail[(detail["nat_code"] == "NATA") & (detail["ges_code"] == "")
                     & (detail["altx20_code"] == "")]
    checked = 0
    for row in per_year.dropna(subset=["per_1000_foreign"]).itertuples():
        base = foreign[(foreign["region_code"] == row.region_key) & (foreign["year"] == row.year)]
        assert row.per_1000_foreign == pytest.approx(row.value / base["value"].item() * 1000)
        checked += 1
    assert checked > 0
    # a year not yet published is NaN with its status, not zero
    later = per_year[per_year["status"] == "later"]
    assert len(later) > 0 and later["value"].isna().all()


def test_naturalisations_by_continent_add_up_to_the_total(samples):
    continents = naturalisation.naturalisations_by_continent()
    assert_sample_sources(continents, "12511-01-01-4")
    complete = continents.groupby(["region_key", "year"]).filter(lambda g: g["value"].notna().all())
    sums = complete.groupby(["region_key", "year"])["share"].sum()
    assert len(sums) > 0 and sums.to_numpy() == pytest.approx([1.0] * len(sums))
    assert "Insgesamt" not in set(continents["continent"])


def test_first_time_asylum_applicants_with_the_debate_year_marked(samples):
    applicants = asylum.asylum_applicants()
    assert_sample_sources(applicants, "migr_asyappctza")
    assert set(applicants["applicant_type"]) == {"NASY_APP"}
    assert applicants.loc[applicants["debate_year"], "year"].tolist() == [asylum.DEBATE_YEAR]
    published = raw("migr_asyappctza")
    first = published[published["asyl_app_code"] == "NASY_APP"].dropna(subset=["value"])
    assert sorted(applicants["year"]) == sorted(first["year"])
    latest = applicants.iloc[-1]
    assert latest["quality"] == "p"
    previous = applicants.iloc[-2]["value"]
    assert math.isclose(latest["change"], latest["value"] / previous - 1)
    both = asylum.asylum_applicants(first_time_only=False)
    assert set(both["applicant_type"]) == {"NASY_APP", "ASY_APP"}


STORY_CALLS = {
    "12411-01-01-4": lambda: population.population_series(),
    "12411-03-03-4": lambda: population.foreign_share_series(),
    "12111-07-01-4": lambda: population.migration_background_2011(),
    "1000A-2022": lambda: population.immigration_history_2022(),
    "12531-0043": lambda: protection.protection_by_status(),
    "12511-04-01-4": lambda: naturalisation.naturalisations_per_year(),
    "12511-01-01-4": lambda: naturalisation.naturalisations_by_continent(),
    "migr_asyappctza": lambda: asylum.asylum_applicants(),
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
