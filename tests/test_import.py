"""`krefeld-data import`: real files land in the store under the right table code."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import missing, real_sample

from krefeld_data.cli import main
from krefeld_data.errors import KrefeldDataError
from krefeld_data.fetch.importer import import_file
from krefeld_data.raw.store import RawStore

# Real sample prefix -> (table code, database) the importer must detect.
EXPECTED_TABLES = {
    "01_": ("12411-01-01-4", "regio"),
    "02_": ("12411-01-01-4", "regio"),  # flat files name no database: the catalogue's
    "03_": ("12411-01-01-4", "regio"),
    "04_": ("12411-01-01-4", "regio"),
    "05_": ("12531-0043", "destatis"),
    "06_": ("12531-0043", "destatis"),
    "07_": ("1000A-2022", "zensus"),
    "08_": ("12511-01-01-4", "regio"),
    "09_": ("12411-03-03-4", "regio"),
    "10_": ("12111-07-01-4", "regio"),
    "11_": ("12411-01-01-4", "regio"),
    "12_": ("une_rt_m", "eurostat"),
    "17_": ("sts_inpr_m", "eurostat"),
    "18_": ("ds-059358", "eurostat"),
    "19_": ("ds-059358", "eurostat"),
    "31_": ("nama_gdp_c", "eurostat"),
    "34_": ("une_rt_m", "eurostat"),
    "37_": ("12521-03i", "nrw"),
    "38_": ("12411-02-03-4", "regio"),
    "39_": ("urb_cpop1", "eurostat"),
    "40_": ("12211-9008", "destatis"),
}
# Vintage (ISO day) and where it was read, typed from each file's content.
EXPECTED_VINTAGES = {
    "01_": ("2026-03-10", "recorded response date"),  # Date: header of the recorded answer
    "08_": ("2018-02-27", "Stand line of the file"),  # Stand: 27.02.2018 / 13:00:56
    "12_": ("2026-09-22", "JSON-stat 'updated' of the file"),  # "updated": "2026-09-22T11:00:00+0200"
    "37_": ("2026-02-09", "Stand line of the file"),  # Stand: 09.02.2026 / 16:09:36
    "38_": ("2025-12-18", "Stand line of the file"),  # Stand: 18.12.2025 / 12:13:08
    "40_": ("2025-09-12", "created line of the file"),  # created: 2025-09-12 / 19:55:56
    "02_": (None, ""),  # a flat file says nothing about its vintage: unknown, not guessed
}
# Status answers, error bodies and other files are refused with a message naming why.
NOT_TABLES = {
    "20_": "Eurostat error", "21_": "Eurostat error", "22_": "Eurostat error",
    "23_": "GENESIS status", "24_": "GENESIS status", "25_": "GENESIS status",
    "26_": "GENESIS status", "27_": "without a German data response",
    "28_": "without a German data response", "29_": "code -1", "30_": "code 104",
    "32_": "binary content", "33_": "not a GENESIS table", "35_": "JSON, but neither",
    "36_": "not a GENESIS table",
    # Empty Eurostat answers (no value yet, unknown code, future period): nothing to store.
    "13_": "holds no values", "14_": "holds no values", "15_": "holds no values",
    "16_": "holds no values",
}


def _sample(real_samples: Path, prefix: str) -> Path:
    matches = sorted(real_samples.glob(f"{prefix}*"))
    if not matches:
        missing(f"{prefix}* not in real samples at {real_samples}")
    return matches[0]


@pytest.mark.parametrize("prefix", sorted(EXPECTED_TABLES))
def test_import_detects_table_code(real_samples: Path, prefix: str, tmp_path: Path) -> None:
    store = RawStore(tmp_path / "raw")
    results = import_file(_sample(real_samples, prefix), store=store)
    table, source = EXPECTED_TABLES[prefix]
    assert [(r.result.snapshot.provenance.table, r.result.snapshot.provenance.source)
            for r in results] == [(table, source)]
    prov = results[0].result.snapshot.provenance
    assert prov.origin == "manual-import"
    assert results[0].result.snapshot.read_bytes()  # checksum verifies


@pytest.mark.parametrize("prefix", sorted(NOT_TABLES))
def test_import_refuses_non_tables(real_samples: Path, prefix: str, tmp_path: Path) -> None:
    store = RawStore(tmp_path / "raw")
    with pytest.raises(KrefeldDataError, match=NOT_TABLES[prefix]):
        import_file(_sample(real_samples, prefix), store=store)
    assert store.snapshots() == []


@pytest.mark.parametrize("prefix", sorted(EXPECTED_VINTAGES))
def test_import_reads_the_vintage_from_the_content(real_samples: Path, prefix: str, tmp_path: Path) -> None:
    (result,) = import_file(_sample(real_samples, prefix), store=RawStore(tmp_path / "raw"))
    prov = result.result.snapshot.provenance
    assert (prov.vintage, prov.vintage_source) == EXPECTED_VINTAGES[prefix]


def test_every_real_sample_that_holds_a_table_imports(real_samples: Path, tmp_path: Path) -> None:
    store = RawStore(tmp_path / "raw")
    tables = [f for f in sorted(real_samples.iterdir())
              if f.is_file() and f.name[:3] not in NOT_TABLES and f.name != "README.md"]
    assert len(tables) >= len(EXPECTED_TABLES)
    for path in tables:
        results = import_file(path, store=store)
        assert results, path.name
        for r in results:
            prov = r.result.snapshot.provenance
            assert prov.table and prov.source, path.name


def test_cassette_import_keeps_recording_date_and_metadata(real_samples: Path, tmp_path: Path):
    store = RawStore(tmp_path / "raw")
    (result,) = import_file(_sample(real_samples, "01_"), store=store)
    prov = result.result.snapshot.provenance
    assert prov.retrieved_at.startswith("2026-03-10")
    assert prov.url == "https://www.regionalstatistik.de/genesisws/rest/2020/data/tablefile"
    assert prov.query["language"] == "de" and "username" not in prov.query
    assert prov.metadata.get("Code") == "12411-01-01-4"


def test_import_same_file_twice_stores_once(real_samples: Path, tmp_path: Path) -> None:
    store = RawStore(tmp_path / "raw")
    path = _sample(real_samples, "08_")
    first = import_file(path, store=store)[0].result
    second = import_file(path, store=store)[0].result
    assert first.created and not second.created
    assert len(store.snapshots()) == 1


def test_cli_import_without_code_asks_for_table(tmp_path: Path, capsys) -> None:
    from krefeld_data.samples import sample_path

    odd = tmp_path / "download.csv"  # a renamed download: the flat file itself has no table code
    odd.write_bytes(sample_path("12411-01-01-4").read_bytes())
    assert main(["import", str(odd)]) == 1
    assert "--table CODE" in capsys.readouterr().err
    assert main(["import", str(odd), "--table", "12411-01-01-4"]) == 0


def test_a_flat_file_gets_the_catalogues_database_only_for_a_table_the_catalogue_knows(tmp_path) -> None:
    """Flat files name no database. For a table the catalogue keeps (12411-01-01-4 in the
    Regionaldatenbank, per SOURCES.md) the record names it and says why; any other stays manual."""
    sample = real_sample("02_")
    store = RawStore(tmp_path / "raw")
    known = import_file(sample, store=store)[0].result.snapshot.provenance
    assert (known.source, known.database) == ("regio", "Regionaldatenbank Deutschland")
    assert "the file names no database" in known.note
    other = import_file(sample, store=store, table="99999-0001")[0].result.snapshot.provenance
    assert other.source == "manual"
    assert "names no database" not in other.note
