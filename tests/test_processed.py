"""Processed datasets: Parquet + German CSV + data dictionary, atomic, with freshness (processed.py)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from krefeld_data import config
from krefeld_data.clean.census import add_census_basis
from krefeld_data.datasets.io import (
    code_hash,
    dataset_is_fresh,
    dataset_paths,
    read_dataset,
    write_dataset,
)
from krefeld_data.errors import KrefeldDataError, MissingDataError

SOURCE = {
    "source": "regio", "table": "12411-01-01-4", "origin": "api",
    "retrieved_at": "2026-03-10T12:00:00+00:00", "producer": "Statistische Ämter des Bundes und der Länder",
    "database": "Regionaldatenbank Deutschland", "licence": "dl-de/by-2-0",
    "licence_url": "https://www.govdata.de/dl-de/by-2-0",
    "citation": "Statistische Ämter des Bundes und der Länder, Regionaldatenbank Deutschland, 12411-01-01-4",
    "file": "20260310T120000.000000Z.csv", "sha256": "c" * 64, "stand": None,
}


def dataset() -> pd.DataFrame:
    df = pd.DataFrame({
        "table": "12411-01-01-4",
        "region_code": ["05114", "05114", "05111"],
        "region_name": ["Krefeld, kreisfreie Stadt"] * 2 + ["Düsseldorf, kreisfreie Stadt"],
        "year": pd.array([2010, 2024, 2024], dtype="Int64"),
        "date": pd.to_datetime(["2010-12-31", "2024-12-31", None]),
        "ges": pd.Categorical(["Insgesamt", "männlich", "weiblich"]),
        "ges_code": pd.Categorical(["", "GESM", "GESW"]),
        "measure": "BEVSTD",
        "measure_label": "Bevölkerungsstand",
        "unit": "Anzahl",
        "value": [235076.0, 0.5, float("nan")],
        "status": pd.Categorical(["", "", "unknown"]),
        "quality": pd.Categorical(["", "", ""]),
    })
    df = add_census_basis(df)
    df.attrs = {"sources": [SOURCE], "variables": {"ges": {"code": "GES", "label": "Geschlecht"}}}
    return df


def test_parquet_round_trip_keeps_types_categories_and_attrs():
    df = dataset()
    write_dataset("bevoelkerung", df, "Bevölkerung nach Geschlecht")
    back = read_dataset("bevoelkerung")
    expected = df.reset_index(drop=True)
    expected.attrs = {}
    back_data = back.copy()
    back_data.attrs = {}
    pd.testing.assert_frame_equal(back_data, expected)
    assert isinstance(back["census_basis"].dtype, pd.CategoricalDtype)
    assert back.attrs["sources"][0]["sha256"] == "c" * 64
    assert back.attrs["variables"]["ges"]["label"] == "Geschlecht"
    assert dataset_paths("bevoelkerung").parquet.parent == config.processed_dir()


def test_csv_is_for_german_excel():
    paths = write_dataset("bevoelkerung", dataset(), "Bevölkerung")
    raw = paths.csv.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    header, first, second, third = text.splitlines()
    assert header.split(";")[:3] == ["table", "region_code", "region_name"]
    assert ";235076;" in first and "2010-12-31" in first  # whole numbers without ",0"; ISO dates
    assert ";0,5;" in second
    assert ";2024;;weiblich;" in third and ";;unknown;" in third  # no date, no value: empty cells
    back = pd.read_csv(paths.csv, sep=";", decimal=",", encoding="utf-8-sig", dtype={"region_code": str})
    assert back["value"].tolist()[:2] == [235076.0, 0.5] and pd.isna(back["value"].iloc[2])
    assert back["region_code"].tolist() == ["05114", "05114", "05111"]
    assert back["region_name"].iloc[2] == "Düsseldorf, kreisfreie Stadt"
    assert back["census_basis"].tolist()[:2] == ["vor Zensus 2011", "Zensus 2022"]


def test_dictionary_lists_every_column_sources_rows_and_census_caveat():
    df = dataset()
    paths = write_dataset("bevoelkerung", df, "Bevölkerung nach Geschlecht",
                          column_docs={"value": "Einwohnerinnen und Einwohner"})
    text = paths.dictionary.read_text(encoding="utf-8")
    for column in df.columns:
        assert f"| `{column}` |" in text
    assert "Einwohnerinnen und Einwohner" in text
    assert "(Geschlecht)" in text
    assert "Zeilen: 3" in text
    assert "abgerufen am 10.03.2026" in text and "dl-de/by-2-0" in text
    assert "Zensusbrüche" in text
    assert "Enthaltene Grundlagen: vor Zensus 2011, Zensus 2022." in text
    assert "region_code` beim Import als Text" in text
    no_census = df.drop(columns="census_basis")
    text = write_dataset("ohne", no_census, "x").dictionary.read_text(encoding="utf-8")
    assert "Zensusbrüche" not in text


def test_dictionary_reports_spliced_revisions():
    df = dataset()
    df.attrs["splice"] = {"overlapping_values": 7, "revisions": 2, "listed": []}
    text = write_dataset("bevoelkerung", df, "x").dictionary.read_text(encoding="utf-8")
    assert "7 Werte wurden mehrfach" in text and "Davon wurden 2 revidiert" in text


def test_sample_sources_are_marked_in_the_dictionary():
    df = dataset()
    df.attrs["sources"] = [dict(SOURCE, origin="sample")]
    text = write_dataset("probe", df, "x").dictionary.read_text(encoding="utf-8")
    assert "Beispieldaten" in text


def test_freshness_follows_inputs_code_and_outputs(package_copy):
    from krefeld_data.util import fingerprint

    df = dataset()
    assert not dataset_is_fresh("bevoelkerung", ["c" * 64])
    paths = write_dataset("bevoelkerung", df, "x")
    assert json.loads(paths.inputs.read_text())["inputs"] == ["c" * 64]
    assert dataset_is_fresh("bevoelkerung", ["c" * 64])
    assert dataset_is_fresh("bevoelkerung", {"12411-01-01-4": "c" * 64})
    assert not dataset_is_fresh("bevoelkerung", ["d" * 64])
    with open(package_copy / "parse" / "sniff.py", "a", encoding="utf-8") as handle:
        handle.write("\n")  # a parser fix changes what a dataset holds
    fingerprint.forget_package_fingerprint()
    assert not dataset_is_fresh("bevoelkerung", ["c" * 64])
    paths.csv.unlink()
    assert not dataset_is_fresh("bevoelkerung", ["c" * 64])


def test_code_hash_is_the_package_fingerprint_over_code_reference_data_and_templates():
    from krefeld_data.util import fingerprint

    names = {str(p.relative_to(fingerprint.PACKAGE_DIR)) for p in fingerprint.package_files()}
    assert {"regions/reference/regions.csv", "parse/sniff.py", "publish/templates/page.html.j2"} <= names
    assert not any(name.startswith("samples/files") for name in names)
    assert code_hash() == fingerprint.package_fingerprint()


def test_a_failed_write_leaves_the_old_file_and_no_temporary(monkeypatch):
    paths = write_dataset("bevoelkerung", dataset(), "x")
    before = paths.parquet.read_bytes()

    def broken(self, path, **kwargs):
        path.write_bytes(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", broken)
    with pytest.raises(OSError):
        write_dataset("bevoelkerung", dataset().head(1), "x")
    assert paths.parquet.read_bytes() == before
    assert not [p for p in paths.parquet.parent.iterdir() if p.name.endswith(".tmp")]


def test_bad_names_and_missing_datasets():
    with pytest.raises(KrefeldDataError, match="name"):
        write_dataset("../escape", dataset(), "x")
    with pytest.raises(MissingDataError, match="krefeld-data build"):
        read_dataset("nicht-da")


def test_real_spliced_population_round_trips_through_parquet_and_csv():
    from helpers import real_sample

    from krefeld_data import read_table
    from krefeld_data.clean import splice

    series = add_census_basis(splice([read_table(real_sample(p)) for p in ("11_", "04_", "02_")]))
    paths = write_dataset("bevoelkerung-geschlecht", series, "Bevölkerung nach Geschlecht, Kreise, 31.12.")
    back = read_dataset("bevoelkerung-geschlecht")
    assert len(back) == len(series) and back.attrs["splice"]["revisions"] == 0
    csv = pd.read_csv(paths.csv, sep=";", decimal=",", encoding="utf-8-sig",
                      dtype={"region_code": str, "region_key": str, "ges_code": str})
    assert csv["value"].dtype == float and csv["value"].isna().sum() == series["value"].isna().sum()
    krefeld = csv[(csv["region_key"] == "05114") & csv["ges_code"].isna() & (csv["year"] == 2024)]
    assert krefeld["value"].tolist() == [231406]
    assert krefeld["date"].tolist() == ["2024-12-31"]
