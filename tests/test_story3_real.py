"""Story 3 ("Jung und hier") on the real files: the census 2011 migration background by age is
the measure, the passport view a labelled secondary one, and ``YOUNG`` drives the age band.

Oracle: sample 10 (12111-07-01-4) and sample 09 (12411-03-03-4) read with the csv module. The
issue's figures: 38.0 % of Krefeld's under-10s with a migration background against 28.2 % of
all residents.
"""

from __future__ import annotations

import csv

import pytest
from helpers import real_sample
from helpers import run_notebook as run

from krefeld_data.datasets import load
from krefeld_data.datasets.registry import build_datasets
from krefeld_data.fetch.importer import import_file
from krefeld_data.stories import age as facts
from krefeld_data.stories import percent

CITIES = ["05114", "05111", "05124", "08311"]


def census_rows(key: str) -> dict[str, list[float | None]]:
    """Sample 10 by age group: [total, Deutsche, ohne MH, mit MH, Ausländer] (None for '/')."""
    with real_sample("10_").open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.reader(handle, delimiter=";") if r and r[0] == key]
    return {r[2]: [None if v.strip() in ("/", ".") else float(v.replace("-", "0") or 0) for v in r[3:8]]
            for r in rows}


def with_background_share(cells: list[float | None]) -> float:
    return (cells[3] + cells[4]) / cells[0]


@pytest.fixture
def imported(isolated_env):
    for prefix in ("09_", "10_"):
        import_file(real_sample(prefix))
    result = build_datasets(["migrationshintergrund_2011", "altersstruktur"])
    assert result.written == ["migrationshintergrund_2011", "altersstruktur"], result
    return isolated_env


def test_under_tens_with_a_migration_background_against_all_residents(imported):
    cells = census_rows("05114")
    assert percent(with_background_share(cells["unter 10 Jahre"])) == "38,0 %"
    assert percent(with_background_share(cells["Insgesamt"])) == "28,2 %"
    background = load("migrationshintergrund_2011", CITIES)
    young = facts.background_by_age(background, 10).set_index("region_key")
    for key in CITIES:
        own = census_rows(key)
        assert young.loc[key, "young_share"] == pytest.approx(with_background_share(own["unter 10 Jahre"]))
        assert young.loc[key, "all_share"] == pytest.approx(with_background_share(own["Insgesamt"]))
    krefeld = young.loc["05114"]
    assert facts.comparison_word(krefeld["young_share"], krefeld["all_share"]) == "höher"


def test_the_age_band_follows_the_parameter(imported):
    background = load("migrationshintergrund_2011", ["05114"])
    assert facts.usable_bound(background, 18) == 10  # ten-year groups: the nearest bound below
    assert facts.usable_bound(background, 20) == 20
    twenty = facts.background_by_age(background, 20).set_index("region_key").loc["05114"]
    cells = census_rows("05114")
    young = [cells["unter 10 Jahre"], cells["10 bis unter 20 Jahre"]]
    expected = sum(c[3] + c[4] for c in young) / sum(c[0] for c in young)
    assert twenty["young_share"] == pytest.approx(expected)
    structure = load("altersstruktur", ["05114"])
    assert facts.usable_bound(structure, 18) == 18  # the population update has a bound at 18


def test_the_passport_view_shows_foreigners_less_often_young(imported):
    structure = load("altersstruktur", CITIES)
    passport = facts.young_share(structure, 18).set_index(["region_key", "nationality"])["share"]
    with real_sample("09_").open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.reader(handle, delimiter=";") if len(r) > 10]
    young_groups = {"unter 3 Jahre", "3 bis unter 6 Jahre", "6 bis unter 10 Jahre", "10 bis unter 15 Jahre",
                    "15 bis unter 18 Jahre"}
    for key in CITIES:
        own = [r for r in rows if r[1] == key]
        total = next(r for r in own if r[3] == "Insgesamt")
        young_foreign = sum(float(r[10]) for r in own if r[3] in young_groups)
        assert passport[(key, "ausländisch")] == pytest.approx(young_foreign / float(total[10]))
        # Biased by construction (issue 14 §3.1): foreigners less often minors than Germans in 2015.
        assert passport[(key, "ausländisch")] < passport[(key, "deutsch")]


@pytest.mark.slow
def test_the_page_rests_on_the_census_measure_and_quotes_only_the_column(imported):
    markdown, outputs = run("03_jung_und_hier.py")
    assert "**38,0 %** der Einwohner unter 10 Jahren einen Migrationshintergrund" in markdown
    assert "unter allen Einwohnern 28,2 %" in markdown
    assert "Integration ist vor allem Jugendarbeit" not in markdown + outputs
    assert "kd-claim" in outputs and "kd-verdict" in outputs
    assert "Wegen der Verzerrung oben ist das kein Maß dafür" in markdown  # the passport view, labelled
    parameters = 'CITY = "05111"\nCOMPARE = ["05114"]\nCONTEXT = ["05"]\nYOUNG = 20'
    markdown, _ = run("03_jung_und_hier.py", parameters)
    background = load("migrationshintergrund_2011", ["05111"])
    twenty = facts.background_by_age(background, 20).iloc[0]
    assert f"in Düsseldorf **{percent(twenty['young_share'])}** der Einwohner unter 20 Jahren" in markdown
    assert "jünger als 20 Jahre" in markdown  # the passport view follows YOUNG too
    assert "18" not in markdown.replace("1955", "")  # no hard-wired 18-45 band
