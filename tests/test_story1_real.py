"""Story 1 ("Wer lebt in der Stadt?") on the real files: facts functions and the page.

Oracles are the files' own rows read with the csv module (never the function under test) and
the figures the issues name from the real samples (Duisburg 502,270 on 31.12.2024 in sample 02;
Krefeld's foreign share 13.6 % at the end of 2015 in sample 09; 28.2 % with a migration
background in 2011 in sample 10).
"""

from __future__ import annotations

import csv

import pytest
from helpers import real_sample
from helpers import run_notebook as run

from krefeld_data.datasets import load
from krefeld_data.datasets.registry import build_datasets
from krefeld_data.fetch.importer import import_file
from krefeld_data.stories import number, percent
from krefeld_data.stories import population as facts
from krefeld_data.stories.claims import CLAIMS

STORY1_DATASETS = ["bevoelkerung", "auslaenderanteil", "migrationshintergrund_2011",
                   "einwanderungsgeschichte_2022"]


def semicolon_rows(prefix: str, encoding: str = "utf-8-sig") -> list[list[str]]:
    with real_sample(prefix).open(encoding=encoding, newline="") as handle:
        return list(csv.reader(handle, delimiter=";"))


def population_2024(key: str) -> float:
    rows = semicolon_rows("02_")
    header = rows[0]
    code, sex, value = (header.index(c) for c in ("1_variable_attribute_code", "2_variable_attribute_code",
                                                  "value"))
    return float(next(r[value] for r in rows[1:] if r[code] == key and r[sex] == ""))


@pytest.fixture
def imported(isolated_env):
    for prefix in ("11_", "04_", "02_", "09_", "10_", "07_"):
        import_file(real_sample(prefix))
    result = build_datasets(STORY1_DATASETS)
    assert result.written == STORY1_DATASETS, result
    return isolated_env


def test_facts_on_the_population_series(imported):
    people = load("bevoelkerung", ["05114", "05112", "05111"])
    latest = facts.latest_value(people, "05112", "population")
    assert latest["population"] == population_2024("05112") == 502_270
    # 1995-2015 (sample 11, Stand 2017), 2023 (04, 2011 basis), 2024 (02, 2022 basis)
    assert facts.basis_changes(people, "05114") == [
        (2011, "vor Zensus 2011", "Zensus 2011"), (2024, "Zensus 2011", "Zensus 2022")]
    assert facts.change_on_same_basis(people, "05114") is None  # 2024 is the first on its basis
    older = people[people["year"] <= 2015]
    change = facts.change_on_same_basis(older, "05114")
    rows = semicolon_rows("11_", "utf-8")
    krefeld = next(r for r in rows if len(r) > 3 and r[0] == "05114")
    header = next(r for r in rows if len(r) > 3 and r[2] == "31.12.2015")
    first = float(krefeld[header.index("31.12.2011")])  # first column of each date: Insgesamt
    last = float(krefeld[header.index("31.12.2015")])
    assert (change.first_year, change.last_year) == (2011, 2015)
    assert change.relative == pytest.approx(last / first - 1)


def test_foreign_share_ranking_and_the_2015_figure(imported):
    shares = load("auslaenderanteil", ["05114", "05111", "05124", "08311"])
    rows = semicolon_rows("09_", "utf-8")
    expected = {}
    for key in ("05114", "05111", "05124", "08311"):
        total = next(r for r in rows if len(r) > 10 and r[1] == key and r[3] == "Insgesamt")
        expected[key] = float(total[10]) / float(total[4])  # Ausländer(innen) / Insgesamt
    assert percent(expected["05114"]) == "13,6 %"
    newest = facts.on_date(shares, "foreign_share")
    for key, share in expected.items():
        assert newest.set_index("region_key").loc[key, "foreign_share"] == pytest.approx(share)
    order = sorted(expected, key=expected.get, reverse=True)
    assert facts.rank_of(newest, "05114", "foreign_share", list(expected)) == (order.index("05114") + 1, 4)


def test_migration_background_2011_all_ages(imported):
    background = load("migrationshintergrund_2011", ["05114"])
    row = facts.background_share(background, "05114")
    cells = next(r for r in semicolon_rows("10_", "utf-8") if r and r[0] == "05114" and r[2] == "Insgesamt")
    # Insgesamt; Deutsche; Deutsche ohne MH; Deutsche mit MH; Ausländer
    assert row["share"] == pytest.approx((float(cells[6]) + float(cells[7])) / float(cells[3]))
    assert percent(row["share"]) == "28,2 %"


@pytest.mark.slow
def test_the_page_quotes_the_claim_states_the_figures_and_computes_no_change_across_the_break(imported):
    markdown, outputs = run("01_wer_lebt_in_der_stadt.py")
    assert f"in Krefeld **{number(population_2024('05114'))}** Menschen (Zensus 2022)" in markdown
    assert "Zwischen 2023 und 2024 wechselt die Grundlage (Zensus 2011 → Zensus 2022)" in markdown
    assert "**13,6 %**" in markdown and "28,2 %" in markdown
    assert "Ende 2015 hatten in Krefeld **13,6 %** der Einwohner keinen deutschen Pass." in markdown
    assert "(Ende 2015:" not in markdown  # one year only: no comparison with itself
    assert "Mehr als die Hälfte" not in markdown and "mehr als die Hälfte" not in markdown
    assert "kd-claim" in outputs and "kd-verdict" in outputs
    assert CLAIMS["K5"][0] in outputs.replace("\\u201e", "„")
    assert 'data-word=\\"mit amtlichen Daten nicht prüfbar\\"' in outputs
    assert "Beispieldaten" not in outputs


@pytest.mark.slow
def test_the_page_for_duisburg_names_duisburg_and_its_figures(imported):
    parameters = 'CITY = "05112"\nCOMPARE = ["05113", "05119"]\nCONTEXT = ["05", "DG"]'
    markdown, _ = run("01_wer_lebt_in_der_stadt.py", parameters)
    assert markdown.startswith("# Wer lebt in Duisburg?")
    assert "in Duisburg **502.270** Menschen" in markdown
    assert "Essen" in markdown and "Oberhausen" in markdown
    assert "Krefeld" not in markdown.replace(CLAIMS["K5"][0], "")


@pytest.mark.slow
def test_the_page_for_a_city_outside_nrw(imported):
    parameters = 'CITY = "09162"\nCOMPARE = ["08311"]\nCONTEXT = ["09", "DG"]'
    markdown, _ = run("01_wer_lebt_in_der_stadt.py", parameters)
    assert markdown.startswith("# Wer lebt in München?")
    assert f"in München **{number(population_2024('09162'))}** Menschen" in markdown
