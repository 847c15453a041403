"""Story 2 (protection seekers): datasets, facts and the page, against the files read independently.

The oracles are the raw files read with the ``csv`` module (real samples 06 and 02, the sample
zip), never the functions under test. Published figures named here come from real sample 06:
Krefeld's 10,745 protection seekers on 31.12.2024 are the sum of the level-1 status rows (open,
recognised, rejected), not the 29,515 that summing every status row gives.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pandas as pd
import pytest
from helpers import real_sample, run_notebook, samples_with_datasets

from krefeld_data import datasets
from krefeld_data.datasets import protection as maker
from krefeld_data.datasets.registry import build_datasets
from krefeld_data.fetch.importer import import_file
from krefeld_data.samples import sample_path
from krefeld_data.stories import protection as story
from krefeld_data.stories.claims import CLAIMS, VERDICT_WORDS
from krefeld_data.util.german import number

CITIES = ["05114", "05111", "05124", "08311"]
LEVEL1 = {"SCHUTZST-OF", "SCHUTZST-AK-1", "SCHUTZST-X"}
DATASETS = [story.STATUS_DATASET, story.CITIZENSHIP_DATASET]


def flat_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))


def sums(rows, region: str, codes=LEVEL1, date: str | None = None, citizenship: str | None = None) -> float:
    """Sum of the value column over the given status codes: the oracle for every count here."""
    return sum(float(r["value"]) for r in rows
               if r["1_variable_attribute_code"] == region and r["2_variable_attribute_code"] in codes
               and (date is None or r["time"] == date)
               and (citizenship is None or r["4_variable_attribute_code"] == citizenship))


@pytest.fixture
def real(isolated_env):
    """Real sample 06 (12531-0043 rows of the four cities) and 02 (population 31.12.2024)."""
    for prefix in ("06_", "02_"):
        import_file(real_sample(prefix))
    result = build_datasets(DATASETS)
    assert result.written == DATASETS, [r.reason for r in result.results]
    return isolated_env


@pytest.fixture
def samples(isolated_env):
    samples_with_datasets(DATASETS)
    return isolated_env


# ---------------------------------------------------------------- real files


def test_krefeld_has_10745_protection_seekers_at_the_top_of_the_status_tree(real):
    rows = flat_rows(real_sample("06_").read_text(encoding="utf-8-sig"))
    assert sums(rows, "05114") == 10745  # the published figure, read here from the file itself
    assert sums(rows, "05114", codes={r["2_variable_attribute_code"] for r in rows}) == 29515  # naive sum
    status = datasets.load(story.STATUS_DATASET, regions=CITIES)
    totals = story.totals(status).set_index("region_key")
    for key in CITIES:
        assert totals.loc[key, "value"] == sums(rows, key)
    assert totals.loc["05114", "value"] == 10745
    assert story.people(totals.loc["05114", "value"]) == "rund 10.700"


def test_each_level_counts_every_person_once(real):
    rows = flat_rows(real_sample("06_").read_text(encoding="utf-8-sig"))
    status = datasets.load(story.STATUS_DATASET, regions=CITIES)
    for level, codes in ((2, {"SCHUTZST-AK-2", "SCHUTZST-AK-5", "SCHUTZST-OF", "AUSRPFL-G", "AUSRPFL-L",
                              "AUSRPFL-V"}),
                         (3, {"SCHUTZST-AK-3", "SCHUTZST-AK-4", "SCHUTZST-AK-5", "SCHUTZST-OF", "AUSRPFL-G",
                              "AUSRPFL-L", "AUSRPFL-V"})):
        mine = status[(status["region_key"] == "05114") & (status["level"] == level)]
        assert set(mine["status_code"]) <= codes
        assert mine["value"].sum() == sums(rows, "05114", codes)


def test_ukrainian_citizens_are_25_to_41_percent_and_split_out(real):
    rows = flat_rows(real_sample("06_").read_text(encoding="utf-8-sig"))
    status = datasets.load(story.STATUS_DATASET, regions=CITIES)
    totals = story.totals(status).set_index("region_key")
    for key in CITIES:
        ukrainian = sums(rows, key, citizenship="ST166")  # STAAG5 code of Ukraine in the file
        assert totals.loc[key, "ukrainian"] == ukrainian
        assert totals.loc[key, "without_ukrainian"] == sums(rows, key) - ukrainian
        assert totals.loc[key, "ukrainian_share"] == pytest.approx(ukrainian / sums(rows, key))
    low, high = story.share_range(totals)
    assert 0.25 <= low < 0.26 and 0.40 < high <= 0.41  # issue 14: "25–41 %" in the four cities


def test_rates_use_the_population_of_the_same_date_from_the_population_file(real):
    people = {r["1_variable_attribute_code"]: float(r["value"])
              for r in flat_rows(real_sample("02_").read_text(encoding="utf-8-sig"))
              if r["2_variable_attribute_code"] == "" and r["1_variable_attribute_code"] in CITIES}
    rows = flat_rows(real_sample("06_").read_text(encoding="utf-8-sig"))
    totals = story.totals(datasets.load(story.STATUS_DATASET, regions=CITIES)).set_index("region_key")
    for key in CITIES:
        assert totals.loc[key, "per_1000"] == pytest.approx(sums(rows, key) / people[key] * 1000)
        without = sums(rows, key) - sums(rows, key, citizenship="ST166")
        assert totals.loc[key, "per_1000_without_ukrainian"] == pytest.approx(without / people[key] * 1000)
    assert totals.attrs["missing_population"] == []


def test_a_city_without_population_on_the_date_is_kept_and_named(isolated_env):
    import_file(real_sample("06_"))  # protection seekers 31.12.2024
    import_file(real_sample("04_"))  # population only for 31.12.2023
    assert build_datasets([story.STATUS_DATASET]).written == [story.STATUS_DATASET]
    status = datasets.load(story.STATUS_DATASET, regions=CITIES)
    totals = story.totals(status)
    assert sorted(totals["region_key"]) == sorted(CITIES)  # no city vanished
    assert totals["per_1000"].isna().all() and totals["value"].notna().all()
    text = story.missing_population_text(totals)
    for name in ("Krefeld", "Düsseldorf", "Wuppertal", "Freiburg"):
        assert name in text
    assert "12411-01-01-4" in text and "31.12.2024" in text


def test_top_citizenships_match_the_file(real):
    rows = flat_rows(real_sample("06_").read_text(encoding="utf-8-sig"))
    per: dict[str, float] = {}
    for r in rows:
        if r["1_variable_attribute_code"] == "05114" and r["2_variable_attribute_code"] in LEVEL1:
            code = r["4_variable_attribute_code"]
            per[code] = per.get(code, 0.0) + float(r["value"])
    expected = sorted(per.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    top = datasets.load(story.CITIZENSHIP_DATASET, regions=["05114"])
    assert list(zip(top["citizenship_code"][:3], top["value"][:3], strict=True)) == expected


def test_2018_is_not_in_the_stored_table_and_the_page_says_which_dates_are(real):
    status = datasets.load(story.STATUS_DATASET, regions=CITIES)
    assert story.dates_in_year(status, 2018) == []
    text = story.year_text(status, "05114", 2018)
    assert "keinen Stichtag im Jahr 2018" in text and "31.12.2024" in text and "krefeld-data import" in text


def test_verdicts_are_one_word_per_claim_with_computed_numbers(real):
    status = datasets.load(story.STATUS_DATASET, regions=CITIES)
    verdicts = story.verdicts(status, "05114")
    assert [v.claim for v in verdicts] == ["K1", "K2"]
    assert all(v.word in VERDICT_WORDS for v in verdicts)
    rows = flat_rows(real_sample("06_").read_text(encoding="utf-8-sig"))
    share = sums(rows, "05114", citizenship="ST166") / sums(rows, "05114")
    assert f"{number(share * 100, 1)} %" in verdicts[1].reason
    assert "1. August 2018" in verdicts[1].reason and "Bayern" in verdicts[1].reason


def test_the_page_from_real_files(real):
    markdown, outputs = run_notebook("02_schutzsuchende.py")
    assert "in Krefeld **rund 10.700** Schutzsuchende" in markdown
    assert "Beispieldaten" not in outputs
    assert "keinen Stichtag im Jahr 2018" in markdown
    assert "in Nordrhein-Westfalen gab es 2018 also keines" in markdown
    assert "Freiburg etwa" in markdown and "nicht bestätigt" in markdown
    assert "12531-0006" in markdown and "12531-0025" in markdown
    for claim in ("K1", "K2"):
        for sentence in CLAIMS[claim]:
            assert sentence in outputs  # verbatim, in the kd-claim block
    assert 'class=\\"kd-claim\\"' in outputs and 'class=\\"kd-verdict\\"' in outputs
    assert len(re.findall(r'data-word=\\"mit amtlichen Daten nicht prüfbar\\"', outputs)) == 2


def test_the_page_for_a_city_the_table_lacks_still_builds_and_says_so(real):
    markdown, outputs = run_notebook(
        "02_schutzsuchende.py", 'CITY = "Duisburg"\nCOMPARE = ["05114", "05111"]\nCONTEXT = ["05"]\nTOP = 3'
    )
    assert "Schutzsuchende in Duisburg" in markdown
    assert "hat keine Zahlen für Duisburg" in markdown
    assert 'class=\\"kd-verdict\\"' in outputs


# ---------------------------------------------------------------- samples


def test_sample_levels_agree_with_the_zip_read_by_csv(samples):
    with zipfile.ZipFile(sample_path(maker.PROTECTION)) as archive:
        text = archive.read(archive.namelist()[0]).decode("utf-8-sig")
    rows = flat_rows(text)
    status = datasets.load(story.STATUS_DATASET)
    for date in sorted({r["time"] for r in rows}):
        for key in ("05114", "05124"):
            mine = status[(status["region_key"] == key) & (status["date"] == date) & (status["level"] == 1)]
            assert mine["value"].sum() == sums(rows, key, date=date)
    assert sorted(status["date"].dt.year.unique()) == [2023, 2024]


def test_people_never_states_a_rounded_sum_as_exact():
    assert story.people(10745) == "rund 10.700"
    assert story.people(375) == "rund 380"
    assert story.people(45) == "weniger als 50"


def test_anker_context_follows_the_land():
    assert "in Nordrhein-Westfalen gab es 2018 also keines" in story.anker_context("05")
    assert "Bayern gehörte dazu" in story.anker_context("09")


def test_sample_page_for_another_city(samples):
    markdown, outputs = run_notebook(
        "02_schutzsuchende.py", 'CITY = "05124"\nCOMPARE = ["05114", "05111"]\nCONTEXT = ["05"]\nTOP = 3'
    )
    totals = story.totals(datasets.load(story.STATUS_DATASET, regions=["05124"])).iloc[0]
    assert f"in Wuppertal **{story.people(totals['value'])}** Schutzsuchende" in markdown
    assert number(totals["per_1000"], 1) in markdown
    assert "Unter den 3 Städten" in markdown
    assert "Beispieldaten" in outputs


def national_rows(codes: set[str]) -> list[dict[str, str]]:
    """Rows of the given Kreise from the 33.5 MB national file in cassette 05 (yaml → zip → csv)."""
    import yaml

    cassette = yaml.load(real_sample("05_").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    bodies = [i["response"]["body"].get("string") for i in cassette["interactions"]]
    body = next(b for b in bodies if isinstance(b, bytes) and b[:2] == b"PK")
    with zipfile.ZipFile(io.BytesIO(body)) as archive, archive.open(archive.namelist()[0]) as handle:
        reader = csv.DictReader(io.TextIOWrapper(handle, encoding="utf-8-sig"), delimiter=";")
        return [r for r in reader if r["1_variable_attribute_code"] in codes]


def test_any_kreis_from_the_national_file_inside_and_outside_nrw(isolated_env):
    for prefix in ("05_", "02_"):  # the cassette with every Kreis, population 31.12.2024
        import_file(real_sample(prefix))
    assert build_datasets(DATASETS).written == DATASETS
    rows = national_rows({"05112", "09162"})
    people = {r["1_variable_attribute_code"]: float(r["value"])
              for r in flat_rows(real_sample("02_").read_text(encoding="utf-8-sig"))
              if r["2_variable_attribute_code"] == "" and r["value"] != "-"}  # '-': dissolved Kreise
    assert people["05112"] == 502270  # Duisburg on 31.12.2024 (issue 15, sample 02)
    markdown, _ = run_notebook(
        "02_schutzsuchende.py", 'CITY = "Duisburg"\nCOMPARE = ["05113", "05119"]\nCONTEXT = ["05"]\nTOP = 3')
    duisburg = sums(rows, "05112")
    assert f"in Duisburg **{story.people(duisburg)}** Schutzsuchende, " in markdown
    assert f"{number(duisburg / people['05112'] * 1000, 1)} je 1.000 Einwohner" in markdown
    assert "Unter den 3 Städten" in markdown and "Krefeld" not in markdown
    markdown, _ = run_notebook(
        "02_schutzsuchende.py", 'CITY = "09162"\nCOMPARE = ["09564"]\nCONTEXT = ["09"]\nTOP = 3')
    assert f"in München **{story.people(sums(rows, '09162'))}** Schutzsuchende" in markdown
    assert "Bayern gehörte dazu" in markdown


def test_a_2018_date_is_shown_when_the_table_has_it(real):
    status = datasets.load(story.STATUS_DATASET, regions=CITIES)
    older = status.assign(date=pd.Timestamp("2018-12-31"), year=2018)  # test data: a copy moved to 2018
    both = pd.concat([older, status], ignore_index=True)
    assert [d.year for d in story.dates_in_year(both, 2018)] == [2018]
    rows = flat_rows(real_sample("06_").read_text(encoding="utf-8-sig"))
    open_share = sums(rows, "05114", {"SCHUTZST-OF"}) / sums(rows, "05114")
    assert story.year_text(both, "05114", 2018) == (
        f"Am 31.12.2018 lebten in Krefeld {story.people(sums(rows, '05114'))} Schutzsuchende; bei "
        f"{number(open_share * 100, 1)} % war das Verfahren noch offen.")


def test_bar_labels_of_rounded_sums_are_never_exact():
    import plotly.graph_objects as go

    fig = go.Figure(go.Bar(x=[25.0, 375.0, 10745.0], y=["a", "b", "c"], orientation="h"))  # test data
    story.rounded_labels(fig)
    assert list(fig.data[0].text) == ["weniger als 50", "rund 380", "rund 10.700"]
    assert fig.data[0].texttemplate == "%{text}"
