"""The clean stage: processed datasets from the raw store, rebuilt only when their inputs change."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from krefeld_data import catalog, cli, config
from krefeld_data.catalog import Story
from krefeld_data.datasets import io as processed
from krefeld_data.datasets import registry as datasets
from krefeld_data.errors import KrefeldDataError
from krefeld_data.publish.build import build_reports
from krefeld_data.raw.provenance import Provenance
from krefeld_data.raw.store import RawStore
from krefeld_data.samples import install_samples, sample_path

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
CSV = {"sep": ";", "decimal": ",", "encoding": "utf-8-sig"}


@pytest.fixture
def samples(isolated_env) -> RawStore:
    store = RawStore()
    install_samples(store)
    return store


def store_new_snapshot(table: str, content: bytes, source: str) -> None:
    """A newer publication of ``table`` (other bytes than the sample)."""
    record = Provenance(source=source, table=table, origin="test", retrieved_at="2030-01-01T00:00:00+00:00")
    RawStore().save(content, record, sample_path(table).suffix.lstrip("."))


def test_the_registry_names_real_tables_and_stories_and_needs_no_other_table() -> None:
    slugs = {s.slug: s for s in catalog.STORIES}
    for dataset in datasets.DATASETS.values():
        assert set(dataset.tables) <= set(catalog.SOURCE_TABLES), dataset.name
        assert dataset.stories and set(dataset.stories) <= set(slugs), dataset.name
        # A story that has its tables can always build its datasets.
        for slug in dataset.stories:
            assert set(dataset.tables) <= set(slugs[slug].all_tables), (dataset.name, slug)
    assert all(datasets.datasets_for([s.slug]) for s in catalog.STORIES)


def sampled_datasets() -> list[str]:
    """The datasets whose tables all have a sample file (in registry order)."""
    from krefeld_data.samples import SAMPLE_FILES

    sampled = {sample.table for sample in SAMPLE_FILES}
    return [d.name for d in datasets.DATASETS.values() if set(d.tables) <= sampled]


def test_every_dataset_is_written_from_the_samples_and_a_second_build_writes_nothing(samples) -> None:
    covered = sampled_datasets()
    uncovered = [name for name in datasets.DATASETS if name not in covered]
    assert uncovered == ["auslaender_register_nrw"]  # keyless NRW stand-in: no sample, real file 37
    first = datasets.build_datasets()
    assert first.written == covered and first.skipped == uncovered and not first.failed
    for name in covered:
        paths = processed.dataset_paths(name)
        assert all(p.is_file() for p in (*paths.outputs(), paths.inputs)), name
        assert len(processed.read_dataset(name)) > 0, name
    before = {p: p.stat().st_mtime_ns for p in config.processed_dir().iterdir()}
    second = datasets.build_datasets()
    assert second.written == [] and second.unchanged == covered
    assert {p: p.stat().st_mtime_ns for p in config.processed_dir().iterdir()} == before


def test_datasets_hold_every_region_of_their_table(samples) -> None:
    from krefeld_data.datasets import tables

    datasets.build_datasets(["bevoelkerung", "altersstruktur"])
    for name, table in (("bevoelkerung", "12411-01-01-4"), ("altersstruktur", "12411-03-03-4")):
        published = set(tables.latest(table)["region_key"].astype(str))
        assert set(processed.read_dataset(name)["region_key"]) == published
        assert len(published) > len(catalog.DEFAULT_CITIES) + len(catalog.DEFAULT_CONTEXT) - 2


def test_a_new_snapshot_rewrites_exactly_the_datasets_of_its_table(samples) -> None:
    datasets.build_datasets()
    content = sample_path("12411-01-01-4").read_bytes() + b"\n"
    store_new_snapshot("12411-01-01-4", content, "regio")
    result = datasets.build_datasets()
    assert sorted(result.written) == ["bevoelkerung", "schutzsuchende_status"]
    assert len(result.unchanged) == len(sampled_datasets()) - 2

    store_new_snapshot("migr_asyappctza", sample_path("migr_asyappctza").read_bytes() + b"\n", "eurostat")
    assert datasets.build_datasets().written == ["asylerstantraege"]


def test_a_corrected_reference_file_rewrites_every_dataset(samples, package_copy) -> None:
    """The region registry shapes every dataset: correcting regions.csv must rewrite them all."""
    from krefeld_data.util import fingerprint

    datasets.build_datasets()
    assert datasets.build_datasets().written == []
    with open(package_copy / "regions" / "reference" / "regions.csv", "a", encoding="utf-8") as handle:
        handle.write("\n")
    fingerprint.forget_package_fingerprint()
    assert datasets.build_datasets().written == sampled_datasets()
    assert datasets.build_datasets().written == []


def test_force_rewrites_a_fresh_dataset(samples) -> None:
    datasets.build_datasets(["asylerstantraege"])
    assert datasets.build_datasets(["asylerstantraege"], force=True).written == ["asylerstantraege"]


def _csv_equals_parquet(name: str) -> None:
    paths = processed.dataset_paths(name)
    frame = pd.read_parquet(paths.parquet)
    text = pd.read_csv(paths.csv, dtype=str, keep_default_na=False, **CSV)
    assert list(text.columns) == list(frame.columns), name
    assert len(text) == len(frame), name
    for column in frame.columns:
        series, written = frame[column], text[column]
        if pd.api.types.is_bool_dtype(series):
            assert written.tolist() == series.astype(str).tolist(), (name, column)
        elif pd.api.types.is_numeric_dtype(series):
            numbers = pd.to_numeric(written.str.replace(",", ".", regex=False).replace("", None))
            pd.testing.assert_series_equal(numbers.astype(float), series.astype(float), check_names=False,
                                           rtol=1e-12, obj=f"{name}.{column}")
        elif pd.api.types.is_datetime64_any_dtype(series):
            dates = pd.to_datetime(written.replace("", None), format="%Y-%m-%d")
            assert dates.tolist() == series.tolist() or dates.equals(series), (name, column)
        else:
            expected = series.astype(object).where(series.notna(), "").astype(str)
            assert written.tolist() == expected.tolist(), (name, column)


def test_the_csv_opens_in_german_excel_settings_and_equals_the_parquet(samples) -> None:
    datasets.build_datasets()
    for name in sampled_datasets():
        _csv_equals_parquet(name)
    raw = processed.dataset_paths("bevoelkerung").csv.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b";" in raw.splitlines()[0]
    assert pd.read_csv(processed.dataset_paths("bevoelkerung").csv, dtype={"region_key": str},
                       **CSV)["region_key"].str.len().min() >= 2  # leading zeros kept


def test_the_dictionary_describes_every_column(samples) -> None:
    datasets.build_datasets()
    for name, dataset in ((n, datasets.DATASETS[n]) for n in sampled_datasets()):
        text = processed.dataset_paths(name).dictionary.read_text(encoding="utf-8")
        frame = processed.read_dataset(name)
        for column in frame.columns:
            row = next((line for line in text.splitlines() if line.startswith(f"| `{column}` |")), None)
            assert row is not None, (name, column)
            assert "(ohne Beschreibung)" not in row, (name, column)
        assert dataset.description.split(".")[0] in text
        assert "Beispieldaten" in text  # the sample mark reaches the readers' download too


def test_a_dataset_whose_table_is_missing_is_skipped_with_the_fetch_command(isolated_env) -> None:
    result = datasets.build_datasets(["asylerstantraege", "schutzsuchende_status"])
    assert result.skipped == ["asylerstantraege", "schutzsuchende_status"] and result.written == []
    first, second = result.results
    assert first.missing == ("migr_asyappctza",)
    assert "`krefeld-data fetch migr_asyappctza --db eurostat`" in first.reason
    assert "12531-0043" in second.reason and "12411-01-01-4" in second.reason
    assert not processed.dataset_paths("asylerstantraege").parquet.exists()


def test_a_failing_dataset_is_reported_and_the_others_are_written(samples, monkeypatch) -> None:
    def broken(store):
        raise KrefeldDataError("table migr_asyappctza: no variable asyl_app")

    dataset = datasets.DATASETS["asylerstantraege"]
    monkeypatch.setitem(datasets.DATASETS, "asylerstantraege",
                        datasets.Dataset(**{**dataset.__dict__, "make": broken}))
    result = datasets.build_datasets(["asylerstantraege", "einbuergerungen_kontinente"])
    assert result.failed == ["asylerstantraege"] and result.written == ["einbuergerungen_kontinente"]
    assert "no variable asyl_app" in result.results[0].reason


def test_unknown_dataset_names_the_known_ones(isolated_env) -> None:
    with pytest.raises(KrefeldDataError, match="bevoelkerung"):
        datasets.build_datasets(["bevölkerung"])


def test_cli_data_only_writes_the_datasets_and_no_page(samples, capsys) -> None:
    assert cli.main(["-q", "build", "--data-only", "05-debatte-und-zahlen"]) == 0
    assert processed.dataset_paths("asylerstantraege").csv.is_file()
    assert not processed.dataset_paths("bevoelkerung").csv.exists()
    assert not (config.reports_dir() / "index.html").exists()
    assert "1 written" in capsys.readouterr().out
    assert cli.main(["-q", "build", "--data-only", "05-debatte-und-zahlen"]) == 0
    assert "0 written, 1 unchanged" in capsys.readouterr().out


@pytest.mark.slow
def test_the_story_page_links_its_datasets_and_the_links_resolve(samples, tmp_path) -> None:
    notebooks = tmp_path / "notebooks"
    shutil.copytree(FIXTURES, notebooks)
    record = Provenance(source="regio", table="TEST-0001", origin="test",
                        retrieved_at="2026-11-25T09:30:00+00:00")
    RawStore().save(b"year;value\n2023;229500\n", record, "csv")
    story = Story("05-debatte-und-zahlen", "Test", "fixture_chart.py", ("TEST-0001", "migr_asyappctza"))
    summary = build_reports([story], notebooks_dir=notebooks, progress=False)
    assert summary.slugs("built") == [story.slug]
    assert summary.clean.written == ["asylerstantraege"]
    reports = config.reports_dir()
    soup = BeautifulSoup((reports / f"{story.slug}.html").read_text(encoding="utf-8"), "html.parser")
    links = [a["href"] for a in soup.select(".kd-method a[href^='data/']")]
    assert links == ["data/asylerstantraege.csv", "data/asylerstantraege.html"]
    for link in links:
        assert (reports / link).is_file()
    assert (reports / links[0]).read_bytes() == processed.dataset_paths("asylerstantraege").csv.read_bytes()
    dictionary = BeautifulSoup((reports / links[1]).read_text(encoding="utf-8"), "html.parser")
    assert dictionary.select_one(".kd-sample-banner") is not None  # made from the sample data
    columns = {td.get_text() for td in dictionary.select("table tr td:first-child")}
    assert set(processed.read_dataset("asylerstantraege").columns) <= columns
    for href in [a["href"] for a in dictionary.select("a[href]")] + [
            link["href"] for link in dictionary.select("link[href]")]:
        assert not href.startswith(("/", "file:")) and (reports / "data" / href).resolve().is_file(), href

    # Nothing changed: no dataset written, no notebook run, the download stays.
    again = build_reports([story], notebooks_dir=notebooks, progress=False)
    assert again.clean.written == [] and again.slugs("unchanged") == [story.slug]
    assert (reports / links[0]).is_file()


def test_real_files_give_datasets_with_every_region_they_publish(isolated_env) -> None:
    from helpers import real_sample

    from krefeld_data.datasets import tables
    from krefeld_data.fetch.importer import import_file

    import_file(real_sample("02_"), table="12411-01-01-4", database="regio")
    import_file(real_sample("09_"), table="12411-03-03-4", database="regio")
    result = datasets.build_datasets(["bevoelkerung", "auslaenderanteil", "altersstruktur"])
    assert result.written == ["bevoelkerung", "auslaenderanteil", "altersstruktur"]
    population = processed.read_dataset("bevoelkerung")
    raw = tables.latest("12411-01-01-4")
    assert set(population["region_key"]) == set(raw["region_key"].astype(str))
    assert population["region_key"].nunique() > 300  # every Kreis, not only the story's cities
    structure = processed.read_dataset("altersstruktur")
    assert set(structure["region_key"]) == set(tables.latest("12411-03-03-4")["region_key"].astype(str))
    # Per region and nationality the age shares of a pyramid add up to one, where the region
    # had residents (a Kreis formed later is published as '-' throughout: no shares).
    groups = structure.groupby(["region_key", "nationality"])
    sums, people = groups["share"].sum(), groups["value"].sum()
    assert ((sums[people > 0] - 1).abs() < 1e-9).all() and (people > 0).sum() > 600
    assert structure.loc[structure.groupby(["region_key", "nationality"])["value"].transform("sum") == 0,
                         "share"].isna().all()
    _csv_equals_parquet("altersstruktur")
