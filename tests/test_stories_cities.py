"""Urban Audit city statistics (urb_cpop1, urb_cpopcb) for story 1: the dataset and the page.

Expected numbers are read from the parsed sample files by their labels in the test; the city
codes a fetch asked for are checked against the stored response, because Eurostat answers an
unknown code by leaving the city out (HTTP 200), not with an error.
"""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from krefeld_data import catalog
from krefeld_data.datasets import cities as maker
from krefeld_data.datasets.cities import CityCodeMismatch, indicator_role
from krefeld_data.datasets.registry import build_datasets
from krefeld_data.errors import MissingDataError
from krefeld_data.fetch.importer import import_file
from krefeld_data.parse import read_table
from krefeld_data.raw.store import RawStore
from krefeld_data.regions.urban_audit import require_city_code as eurostat_city_code
from krefeld_data.samples import install_samples, sample_path
from krefeld_data.stories import cities

TOTAL_LABEL = "Population on the 1st of January, total"


@pytest.fixture
def samples(isolated_env):
    install_samples(RawStore())
    return isolated_env


def store_modified(table: str, change, tmp_path) -> None:
    """A changed copy of the sample response, imported as the newest snapshot of ``table``."""
    doc = json.loads(sample_path(table).read_text(encoding="utf-8"))
    change(doc)
    path = tmp_path / f"{table}_changed.json"
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    import_file(path, table=table, database="eurostat")


def test_catalog_lists_both_datasets_as_optional_unconfirmed_and_filtered_to_the_four_cities():
    story = catalog.story("01-wer-lebt-in-der-stadt")
    assert story.optional_tables[:2] == ("urb_cpop1", "urb_cpopcb")
    assert not set(story.optional_tables) & set(story.tables)
    expected = [eurostat_city_code(key) for key in catalog.DEFAULT_CITIES]
    assert expected == ["DE087C", "DE011C", "DE124C", "DE025C"]  # as in the real export (sample 39)
    for code in story.optional_tables[:2]:
        table = catalog.SOURCE_TABLES[code]
        assert table.database == "eurostat" and not table.needs_account
        assert table.params == {"cities": expected}


@pytest.mark.parametrize(("label", "role"), [
    (TOTAL_LABEL, "population"),
    ("Bevölkerung am 1. Januar, insgesamt", "population"),
    ("Population on the 1st of January, male", None),
    ("Population on the 1st of January, 0-4 years total", None),
    ("Nationals", "nationals"),
    ("Staatsangehörige", "nationals"),
    ("EU foreigners", "foreigners_eu"),
    ("Nationals of other EU Member State", "foreigners_eu"),
    ("EU-Ausländer", "foreigners_eu"),
    ("Non-EU foreigners", "foreigners_non_eu"),
    ("Nicht-EU-Ausländer", "foreigners_non_eu"),
    ("Foreigners", "foreigners"),
    ("Ausländer", "foreigners"),
    ("Proportion of non-EU foreigners", None),
    ("Anteil der EU-Ausländer", None),
    ("Foreign-born", None),
    ("Foreign-born in a EU country", None),
    ("Native-born", None),
])
def test_indicator_role_reads_the_label(label, role):
    assert indicator_role(label) == role


def city_frame():
    return maker.city_population_by_citizenship(RawStore())


def test_story_values_are_the_sample_files_own_numbers(samples):
    frame = city_frame()
    assert set(frame["region_key"]) == set(catalog.DEFAULT_CITIES)
    names = {"Krefeld", "Düsseldorf", "Wuppertal", "Freiburg im Breisgau"}
    assert set(frame["region"]) == names
    assert {s["table"] for s in frame.attrs["sources"]} == {"urb_cpop1", "urb_cpopcb"}
    assert {s["origin"] for s in frame.attrs["sources"]} == {"sample"}

    total = read_table(sample_path("urb_cpop1"))
    total = total[total["indic_ur"] == TOTAL_LABEL].set_index(["region_code", "year"])["value"]
    parts = read_table(sample_path("urb_cpopcb"))
    by_label = {
        label: parts[parts["indic_ur"] == label].set_index(["region_code", "year"])["value"]
        for label in ("Nationals", "EU foreigners", "Non-EU foreigners")
    }
    foreign = by_label["EU foreigners"].add(by_label["Non-EU foreigners"])  # NaN where one is missing
    checked = 0
    for row in frame.itertuples():
        key = (row.city_code, row.year)
        assert row.city_code == eurostat_city_code(row.region_key)
        assert row.population == total.get(key)
        if key in by_label["Nationals"].index:
            assert row.nationals == by_label["Nationals"][key]
        else:
            assert pd.isna(row.nationals)
        if pd.notna(row.foreign_share):
            assert row.foreigners == foreign[key]
            assert row.foreign_share == pytest.approx(foreign[key] / total[key])
            checked += 1
        else:
            assert key not in foreign.dropna().index
    assert checked >= 40
    assert len(frame) == total.size  # every published total; a year without a split keeps its row
    indexed = frame.set_index(["region_key", "year"])
    assert indexed["foreign_share"].xs(2013, level="year").isna().all()  # no city delivered 2013
    assert pd.isna(indexed.loc[("05124", 2015), "foreign_share"])  # Wuppertal: no EU/non-EU split
    assert pd.notna(indexed.loc[("05124", 2015), "nationals"])
    assert "b" in indexed.loc[("05114", 2023), "quality"].split(",")
    assert "e" in indexed.loc[("05114", 2024), "quality"].split(",")


def test_latest_shares_takes_each_citys_newest_year_with_a_share(samples):
    frame = city_frame()
    latest = cities.latest_shares(frame).set_index("region_key")
    for key, group in frame.dropna(subset=["foreign_share"]).groupby("region_key"):
        assert latest.loc[key, "year"] == group["year"].max()
    assert latest.loc["08311", "year"] < latest.loc["05114", "year"]  # Freiburg's newest year is empty


def test_german_labels_give_the_same_numbers(samples, tmp_path):
    english = city_frame()
    german = {"DE1001V": "Bevölkerung am 1. Januar, insgesamt",
              "DE1002V": "Bevölkerung am 1. Januar, männlich",
              "DE1003V": "Bevölkerung am 1. Januar, weiblich", "DE2001V": "Staatsangehörige",
              "DE2002V": "EU-Ausländer", "DE2003V": "Nicht-EU-Ausländer", "DE2008V": "Im Inland geboren",
              "DE2009V": "Im Ausland geboren"}

    def relabel(doc):
        labels = doc["dimension"]["indic_ur"]["category"]["label"]
        for code in labels:
            labels[code] = german[code]

    store_modified("urb_cpop1", relabel, tmp_path)
    store_modified("urb_cpopcb", relabel, tmp_path)
    result = city_frame()
    assert {s["origin"] for s in result.attrs["sources"]} == {"manual-import"}
    pd.testing.assert_series_equal(result["foreign_share"], english["foreign_share"])


def test_a_code_the_registry_does_not_know_gives_that_city_no_split(samples, tmp_path):
    def rename_wuppertal(doc):
        category = doc["dimension"]["cities"]["category"]
        category["index"] = {("DE124C1" if k == "DE124C" else k): v for k, v in category["index"].items()}
        category["label"] = {("DE124C1" if k == "DE124C" else k): v for k, v in category["label"].items()}

    store_modified("urb_cpopcb", rename_wuppertal, tmp_path)
    frame = city_frame()
    with_split = set(frame.dropna(subset=["foreign_share"])["region_key"])
    assert "05124" not in with_split and "05114" in with_split
    assert frame.attrs["cities_without_region"] == ["DE124C1"]


def test_a_city_an_imported_response_lacks_has_no_share(samples, tmp_path):
    def drop_freiburg(doc):
        # What Eurostat sends for four codes of which one is unknown: three cities, size 3.
        doc_cities = doc["dimension"]["cities"]["category"]
        position = doc_cities["index"].pop("DE025C")
        doc_cities["label"].pop("DE025C")
        doc_cities["index"] = {k: (v if v < position else v - 1) for k, v in doc_cities["index"].items()}
        doc["size"][doc["id"].index("cities")] -= 1
        doc["value"], doc["status"] = {"0": 1000}, {}  # one cell, so the import accepts it

    store_modified("urb_cpop1", drop_freiburg, tmp_path)
    frame = city_frame()
    freiburg = frame[frame["region_key"] == "08311"]
    assert freiburg["population"].isna().all() and freiburg["foreign_share"].isna().all()
    assert "05114" in set(frame["region_key"])


def test_missing_dataset_names_the_fetch_command(isolated_env):
    with pytest.raises(MissingDataError, match="krefeld-data fetch urb_cpop1 --db eurostat"):
        city_frame()


def test_only_one_of_the_two_datasets_stored_is_missing_data(samples):
    store = RawStore()
    shutil.rmtree(store.table_dir("eurostat", "urb_cpopcb"))
    with pytest.raises(MissingDataError, match="krefeld-data fetch urb_cpopcb --db eurostat"):
        city_frame()
    result = build_datasets(["urban_audit_staatsangehoerigkeit"])
    assert result.skipped == ["urban_audit_staatsangehoerigkeit"]


# --- notebook 01 with and without the optional Urban Audit tables --------------------------


@pytest.mark.slow
def test_population_notebook_shows_the_urban_audit_section_from_the_samples(samples):
    from helpers import run_notebook as run

    from krefeld_data.stories import percent

    build_datasets()
    markdown, outputs = run("01_wer_lebt_in_der_stadt.py")
    latest = cities.latest_shares(city_frame()).set_index("region_key")
    krefeld = latest.loc["05114"]
    assert (f"Nach Eurostat hatten am 1. Januar {int(krefeld['year'])} in Krefeld "
            f"**{percent(krefeld['foreign_share'])}**") in markdown
    assert "markiert die Zahlen als eine Schätzung" in markdown  # the sample flags Krefeld's newest total `e`
    assert "nicht gespeichert" not in markdown
    assert "Urban Audit (Eurostat)" in outputs


@pytest.mark.slow
def test_population_notebook_says_how_to_get_the_missing_optional_tables(samples):
    from helpers import run_notebook as run

    store = RawStore()
    for table in ("urb_cpop1", "urb_cpopcb"):
        shutil.rmtree(store.table_dir("eurostat", table))
    build_datasets()
    markdown, outputs = run("01_wer_lebt_in_der_stadt.py")
    assert "Die Tabellen urb_cpop1, urb_cpopcb sind nicht gespeichert" in markdown
    assert "`krefeld-data fetch urb_cpop1 --db eurostat`" in markdown
    assert "Urban Audit (Eurostat)" not in outputs


def test_a_missing_section_names_only_the_tables_that_are_not_stored(samples):
    """With urb_cpop1 stored and urb_cpopcb not, the page must not claim both are missing."""
    from krefeld_data import datasets

    store = RawStore()
    shutil.rmtree(store.table_dir("eurostat", "urb_cpopcb"))
    build_datasets()
    frame, note = datasets.load_or_note("urban_audit_staatsangehoerigkeit", ["05114"])
    assert frame is None
    assert "Die Tabelle urb_cpopcb ist nicht gespeichert" in note
    assert "urb_cpop1" not in note


@pytest.mark.slow
def test_population_notebook_for_a_kreis_without_an_urban_audit_code(samples):
    from helpers import run_notebook as run

    from krefeld_data.regions.urban_audit import city_code

    assert city_code("05154") is None  # Kreis Kleve
    build_datasets()
    markdown, _ = run("01_wer_lebt_in_der_stadt.py", 'CITY = "05154"\nCOMPARE = ["05114"]\nCONTEXT = ["05"]')
    assert "Kleve gehört nicht zu den Städten des Urban Audit" in markdown
    assert "Krefeld" not in markdown.split("\n")[0]  # the heading names the parameter's city


def test_fetched_response_missing_one_city_passes_the_client_and_stops_the_story(isolated_env, monkeypatch):
    """End to end against a local server: the catalog's query asks for four cities, Eurostat
    answers with three (HTTP 200), the client stores it, the story names the fourth."""
    from replay_server import EUROSTAT_PATH, ReplayServer, Reply, point_env_at

    from krefeld_data.fetch.runner import fetch_one, plan

    doc = json.loads(sample_path("urb_cpopcb").read_text(encoding="utf-8"))
    category = doc["dimension"]["cities"]["category"]
    dropped = category["index"].pop("DE011C")
    category["label"].pop("DE011C")
    category["index"] = {k: (v if v < dropped else v - 1) for k, v in category["index"].items()}
    doc["size"][doc["id"].index("cities")] -= 1
    doc["value"] = {"0": 1000}
    doc["status"] = {}
    with ReplayServer() as server:
        point_env_at(server, monkeypatch)
        path = EUROSTAT_PATH + "statistics/1.0/data/urb_cpopcb"
        server.add(path, Reply(200, json.dumps(doc).encode(), "application/json"), method="GET")
        (job,) = plan(["urb_cpopcb"], "eurostat")
        outcome = fetch_one(job)
        sent = server.requests_to("urb_cpopcb")[0]
        assert server.violations == []
    assert outcome.state == "stored"
    assert sent.query["cities"] == ["DE087C", "DE011C", "DE124C", "DE025C"]
    import_file(sample_path("urb_cpop1"), table="urb_cpop1", database="eurostat")
    with pytest.raises(CityCodeMismatch, match=r"urb_cpopcb .*no DE011C \(Düsseldorf, Kreis 05111\)"):
        city_frame()
    result = build_datasets(["urban_audit_staatsangehoerigkeit"])
    assert result.failed == ["urban_audit_staatsangehoerigkeit"]


def test_sources_listing_marks_the_urban_audit_tables_as_optional_for_story_1():
    text = catalog.describe_sources()
    block = text[text.index("urb_cpopcb"):].splitlines()[:3]
    assert "[unconfirmed]" in block[0] and "no account" in block[0]
    assert block[2].strip() == "used by: 01-wer-lebt-in-der-stadt (optional)"
