"""Story 4 (naturalisations): datasets, facts and the page, against the files read independently.

The story must build from 12511-01-01-4 alone (real sample 08, ISO-8859-1 classic CSV); every
expected count is read from that file with the ``csv`` module. Counts and the official rate never
share a frame; our own rate is named as such.
"""

from __future__ import annotations

import csv
import io
import zipfile

import pandas as pd
import pytest
from helpers import real_sample, run_notebook, samples_with_datasets

from krefeld_data import datasets
from krefeld_data.datasets import naturalisation as maker
from krefeld_data.datasets.registry import build_datasets
from krefeld_data.fetch.importer import import_file
from krefeld_data.raw.store import RawStore
from krefeld_data.samples import sample_path
from krefeld_data.stories import naturalisation as story
from krefeld_data.stories.claims import CLAIMS
from krefeld_data.util.german import number

DATASETS = [story.CONTINENTS, story.PER_YEAR, story.BY_CITIZENSHIP]


def classic_rows(path, encoding: str = "latin-1") -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode(encoding)), delimiter=";"))


def row_of(rows, year: str, key: str) -> list[str]:
    return next(r for r in rows if r[:2] == [year, key])


@pytest.fixture
def real08(isolated_env):
    import_file(real_sample("08_"))
    result = build_datasets(DATASETS)
    assert result.written == [story.CONTINENTS], [r.reason for r in result.results]
    return isolated_env


@pytest.fixture
def samples(isolated_env):
    samples_with_datasets(DATASETS)
    return isolated_env


def test_continents_from_the_latin1_file(real08):
    rows = classic_rows(real_sample("08_"))
    krefeld = row_of(rows, "2016", "05114")  # Insgesamt; Afrika; Amerika; Asien; Australien; Europa; …
    continents = datasets.load(story.CONTINENTS, regions=["05114"])
    mine = continents[continents["year"] == 2016].set_index("continent")
    assert mine.loc["Europa", "value"] == float(krefeld[8])
    assert mine.loc["Europa", "share"] == pytest.approx(float(krefeld[8]) / float(krefeld[3]))
    assert (mine["total"] == float(krefeld[3])).all()
    totals = story.yearly_totals(continents).set_index("year")
    assert totals.loc[2016, "value"] == float(krefeld[3]) == 326


def test_change_text_states_both_years_from_the_file(real08):
    rows = classic_rows(real_sample("08_"))
    first, last = float(row_of(rows, "2011", "05114")[3]), float(row_of(rows, "2016", "05114")[3])
    totals = story.yearly_totals(datasets.load(story.CONTINENTS, regions=["05114"]))
    text = story.change_text(totals, "05114", "Krefeld")
    assert text.startswith(f"2016 wurden in Krefeld {number(last)} Menschen eingebürgert")
    word = "mehr" if last > first else "weniger"
    assert f"{number(abs(last - first))} {word} als 2011 ({number(first)})" in text


def test_the_page_builds_from_12511_01_01_4_alone(real08):
    markdown, outputs = run_notebook("04_einbuergerungen.py")
    rows = classic_rows(real_sample("08_"))
    assert f"2016 wurden in Krefeld {number(float(row_of(rows, '2016', '05114')[3]))} Menschen" in markdown
    assert "12511-04-01-4" in markdown and "krefeld-data fetch 12511-04-01-4" in markdown
    assert "Über Einbürgerungen sagt die Kolumne nichts" in markdown
    assert "Die Behauptung" not in markdown
    assert CLAIMS["K6"][0] in outputs
    assert 'data-claim=\\"K6\\"' in outputs and "mit amtlichen Daten nicht prüfbar" in outputs
    assert "Beispieldaten" not in outputs


def test_the_page_for_another_city_names_it(real08):
    markdown, _ = run_notebook("04_einbuergerungen.py",
                               'CITY = "05112"\nCOMPARE = ["05113", "05119"]\nCONTEXT = ["05"]')
    rows = classic_rows(real_sample("08_"))
    duisburg = float(row_of(rows, "2016", "05112")[3])
    assert f"2016 wurden in Duisburg {number(duisburg)} Menschen eingebürgert" in markdown


def test_measures_are_told_apart_by_label_and_unit():
    assert maker.measure_kind("Einbürgerungen von Ausländern", "Anzahl") == "count"
    assert maker.measure_kind("Einbürgerungsquote", "Prozent") == "rate"
    assert maker.measure_kind("Ausgeschöpftes Einbürgerungspotenzial", "%") == "rate"
    assert maker.measure_kind("Einbürgerungen", "Prozent") == "rate"


def test_official_rate_is_taken_as_published():
    per_year = pd.DataFrame({  # test data, not a published figure
        "region_key": ["05114", "05114", "05114"], "region": ["Krefeld"] * 3, "year": [2022, 2023, 2024],
        "value": [900.0, 950.0, None], "official_rate": [1.1, 1.4, None],
        "official_rate_label": ["Einbürgerungsquote"] * 3, "official_rate_unit": ["Prozent"] * 3,
    })
    row = story.official_rate(per_year, "05114")
    assert int(row["year"]) == 2023 and row["official_rate"] == 1.4
    assert story.official_rate_text(row, "Krefeld") == (
        "Die amtliche Einbürgerungsquote (Einbürgerungsquote) lag 2023 in Krefeld bei 1,4 Prozent.")
    assert story.official_rate(per_year, "05111") is None
    assert "keine amtliche Einbürgerungsquote" in story.official_rate_text(None, "Düsseldorf")


def test_own_rate_is_counts_over_foreign_residents_read_from_both_files(samples):
    counts = classic_rows(sample_path("12511-04-01-4"))
    with zipfile.ZipFile(sample_path("12411-03-03-4")) as archive:
        text = archive.read(archive.namelist()[0]).decode("utf-8-sig")
    people = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    per_year = datasets.load(story.PER_YEAR, regions=["05114"]).set_index("year")
    checked = 0
    for year in (2015, 2022, 2023):
        count = float(row_of(counts, str(year), "05114")[3])
        foreign = [float(r["value"]) for r in people
                   if r["time"].startswith(str(year)) and r["1_variable_attribute_code"] == "05114"
                   and r["2_variable_attribute_code"] == ""  # GES: both sexes
                   and r["3_variable_attribute_code"] == "NATA"  # NAT: foreigners
                   and r["4_variable_attribute_code"] == ""]  # ALTX20: all ages
        assert len(foreign) == 1
        assert per_year.loc[year, "value"] == count
        assert per_year.loc[year, "per_1000_foreign"] == pytest.approx(count / foreign[0] * 1000)
        checked += 1
    assert checked == 3
    assert datasets.load(story.PER_YEAR)["official_rate"].isna().all()  # the sample publishes no rate


def test_sample_page_keeps_counts_and_rates_apart(samples):
    markdown, outputs = run_notebook("04_einbuergerungen.py")
    per_year = datasets.load(story.PER_YEAR, regions=["05114"]).dropna(subset=["value"])
    assert number(per_year["value"].iloc[-1]) in markdown
    assert "Noch nicht veröffentlicht: Freiburg im Breisgau (2024)" in markdown  # `...` in the sample
    assert "keine amtliche Einbürgerungsquote" in markdown
    assert "nicht die amtliche Einbürgerungsquote" in markdown  # the own rate says what it is
    assert "Beispieldaten" in outputs


RATE_TABLE = """GENESIS-Tabelle: 12511-04-01-4
Testdaten - keine echten Zahlen;;;;
Einbürgerungsstatistik;;;;
;;;Einbürgerungen von Ausländern;Einbürgerungen von Ausländern;Einbürgerungsquote
;;;Staatsangehörigkeit (ausgewählte);Staatsangehörigkeit (ausgewählte);Staatsangehörigkeit (ausgewählte)
;;;Insgesamt;Türkei;Insgesamt
;;;Anzahl;Anzahl;Prozent
2023;05114;      Krefeld, Kreisfreie Stadt;954;135;1,4
2023;05111;      Düsseldorf, Kreisfreie Stadt;3451;801;1,2
__________
Stand: 15.06.2025 / 10:12:44
"""


def test_a_published_rate_stays_out_of_the_counts(samples):
    from krefeld_data.raw.provenance import Provenance, utc_now

    store = RawStore()
    provenance = Provenance(source="regio", table="12511-04-01-4", origin="test",
                            retrieved_at=utc_now().isoformat(), content_type="text/csv",
                            note="Testdaten – keine echten Zahlen")
    store.save(RATE_TABLE.encode("latin-1"), provenance, "csv")  # test data in the classic layout
    result = build_datasets([story.PER_YEAR, story.BY_CITIZENSHIP])
    assert result.written == [story.PER_YEAR, story.BY_CITIZENSHIP], [r.reason for r in result.results]
    per_year = datasets.load(story.PER_YEAR, regions=["05114", "05111"]).set_index("region_key")
    assert per_year.loc["05114", "value"] == 954 and per_year.loc["05114", "official_rate"] == 1.4
    assert per_year.loc["05111", "official_rate"] == 1.2
    assert per_year.loc["05114", "official_rate_unit"] == "Prozent"
    shares = datasets.load(story.BY_CITIZENSHIP, regions=["05114"])
    assert list(shares["citizenship"]) == ["Türkei"]  # the rate column is no citizenship count
    assert shares["value"].tolist() == [135] and shares["share"].tolist() == [pytest.approx(135 / 954)]
    text = story.official_rate_text(story.official_rate(per_year.reset_index(), "05114"), "Krefeld")
    assert text == "Die amtliche Einbürgerungsquote (Einbürgerungsquote) lag 2023 in Krefeld bei 1,4 Prozent."


def test_the_page_builds_from_12511_04_01_4_alone(isolated_env):
    """The build runs story 4 with either naturalisation table (catalogue: any of the two)."""
    from krefeld_data.raw.provenance import Provenance, utc_now

    provenance = Provenance(source="regio", table="12511-04-01-4", origin="test",
                            retrieved_at=utc_now().isoformat(), content_type="text/csv",
                            note="Testdaten – keine echten Zahlen")
    RawStore().save(RATE_TABLE.encode("latin-1"), provenance, "csv")  # test data, no other table
    result = build_datasets(DATASETS)
    assert result.written == [story.BY_CITIZENSHIP], [r.reason for r in result.results]
    markdown, outputs = run_notebook("04_einbuergerungen.py")
    assert "2023 wurden in Krefeld 954 Menschen eingebürgert" in markdown  # the published total row
    assert "krefeld-data fetch 12511-01-01-4" in markdown  # the continent section says what is missing
    assert 'data-claim=\\"K6\\"' in outputs


def test_the_own_rate_marks_where_the_census_basis_of_its_base_changes(samples):
    per_year = datasets.load(story.PER_YEAR, regions=["05114"])
    basis = dict(zip(per_year["year"].astype(int), per_year["census_basis"], strict=True))
    changes = [y for y in sorted(basis)[1:] if basis[y] != basis[y - 1]]
    assert changes  # the sample's population update crosses a census (its vintage decides where)
    assert list(story.basis_breaks(per_year, ["05114"])) == changes
    text = story.basis_text(per_year, "05114", "Krefeld")
    assert all(str(y) in text for y in changes) and "nicht vergleichbar" in text
