"""Sample data: real formats, invented numbers, stored as ``origin: sample``, never mixed in."""

from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path

import pandas as pd
import pytest

from krefeld_data import catalog
from krefeld_data.parse import read_table
from krefeld_data.parse import sniff as formats
from krefeld_data.raw.provenance import SAMPLE_MARK
from krefeld_data.raw.store import RawStore
from krefeld_data.samples import FILES_DIR, SAMPLE_FILES, SAMPLE_NOTE, demo_cli, install_samples, sample_path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _generator():
    spec = importlib.util.spec_from_file_location("make_samples", PROJECT_ROOT / "tools" / "make_samples.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_samples"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def parsed() -> dict[str, pd.DataFrame]:
    return {s.table: read_table(FILES_DIR / s.name) for s in SAMPLE_FILES}


def test_every_catalog_table_has_a_sample_marked_in_its_name():
    tables = {s.table for s in SAMPLE_FILES}
    # Stand-ins (keyless NRW tables) and optional tables run no story of the demo: no sample.
    assert tables == {code for code, table in catalog.SOURCE_TABLES.items() if table.is_core}
    for sample in SAMPLE_FILES:
        assert sample.name.startswith("SAMPLE_")
        assert sample.table in sample.name
        assert sample.source == catalog.SOURCE_TABLES[sample.table].database
    assert "keine echten Zahlen" in (FILES_DIR / "README.md").read_text(encoding="utf-8")


def test_committed_files_are_what_the_generator_writes():
    built = _generator().build()
    assert set(built) == {s.name for s in SAMPLE_FILES}
    for name, content in built.items():
        assert (FILES_DIR / name).read_bytes() == content, f"{name} differs: run tools/make_samples.py"


@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=lambda s: s.table)
def test_sample_is_detected_as_its_table_and_parses(sample, parsed):
    payload = formats.sniff((FILES_DIR / sample.name).read_bytes(), sample.name)
    expected_kind = formats.JSONSTAT if sample.name.endswith(".json") else (
        formats.CLASSIC if sample.table.startswith(("12511", "12111")) else formats.FFCSV
    )
    assert payload.kind == expected_kind
    if payload.table_code:
        assert payload.table_code.lower() == sample.table.lower()
    frame = parsed[sample.table]
    assert len(frame) > 0
    assert frame["value"].notna().sum() > 0.9 * len(frame) - 30


def flat_file_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a flat (ffcsv) sample read with the ``csv`` module: the oracle for the parser."""
    import csv
    import io
    import zipfile

    raw = path.read_bytes()
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            (member,) = archive.namelist()
            raw = archive.read(member)
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def published_number(text: str) -> float | None:
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return None  # "-", ".", "...", "x", "/" or empty


FLAT_TABLES = ("12411-01-01-4", "12411-03-03-4", "1000A-2022", "12531-0043")
FLAT_SAMPLES = [s for s in SAMPLE_FILES if s.table in FLAT_TABLES]


@pytest.mark.parametrize("sample", FLAT_SAMPLES, ids=lambda s: s.table)
def test_flat_samples_parse_to_one_row_per_value_as_the_csv_module_reads_them(sample, parsed):
    rows = flat_file_rows(FILES_DIR / sample.name)
    frame = parsed[sample.table]
    assert len(frame) == len(rows) > 0
    numbers = [published_number(r["value"]) for r in rows]
    assert frame["value"].notna().sum() == sum(n is not None for n in numbers) + sum(
        r["value"] == "-" for r in rows)  # "-" is a published zero
    assert frame["value"].sum() == pytest.approx(sum(n for n in numbers if n is not None))
    assert (frame["status"].astype(str) == "zero").sum() == sum(r["value"] == "-" for r in rows)
    assert set(frame["region_code"].astype(str)) == {r["1_variable_attribute_code"] for r in rows}


def test_encodings_and_byte_order_marks_are_the_offices():
    ffcsv = [s for s in SAMPLE_FILES if s.table in ("12411-01-01-4", "1000A-2022")]
    for sample in ffcsv:
        assert (FILES_DIR / sample.name).read_bytes().startswith(b"\xef\xbb\xbf")
    for table in ("12511-04-01-4", "12511-01-01-4"):
        raw = sample_path(table).read_bytes()
        assert "ü".encode("latin-1") in raw and "ü".encode() not in raw  # Latin-1, not UTF-8


def test_each_genesis_special_value_and_eurostat_flag_occurs(parsed):
    statuses = set()
    for frame in parsed.values():
        statuses |= set(frame["status"].astype(str))
    assert {"zero", "unknown", "later", "not_meaningful", "unreliable"} <= statuses
    eurostat = parsed["migr_asyappctza"]
    assert {"p", "e"} <= set(eurostat["quality"].astype(str))
    census = parsed["1000A-2022"]
    assert set(census["quality"].astype(str)) == {"e", ""}
    assert (census.loc[census["status"] == "zero", "quality"].astype(str) == "").all()


def test_population_tables_agree_with_each_other(parsed):
    by_sex = parsed["12411-01-01-4"]
    detail = parsed["12411-03-03-4"]
    totals = detail[(detail["ges_code"] == "") & (detail["nat_code"] == "") & (detail["altx20_code"] == "")]
    merged = totals.merge(
        by_sex[by_sex["ges_code"] == ""], on=["region_code", "date"], suffixes=("_detail", "_sex")
    )
    assert len(merged) == len(totals) > 0
    assert (merged["value_detail"] == merged["value_sex"]).all()
    # the two census breaks show as falls in the series of every region
    krefeld = by_sex[(by_sex["region_code"] == "05114") & (by_sex["ges_code"] == "")].set_index("year")
    assert krefeld.loc[2011, "value"] < krefeld.loc[2010, "value"]
    assert krefeld.loc[2022, "value"] < krefeld.loc[2021, "value"]


def test_protection_seekers_are_multiples_of_five_with_the_real_codes(parsed):
    frame = parsed["12531-0043"]
    assert (frame["value"] % 5 == 0).all()
    assert {"SCHUTZST-AK-1", "SCHUTZST-AK-2", "SCHUTZST-OF", "SCHUTZST-X", "AUSRPFL-G"} <= set(
        frame["schst2_code"].astype(str)
    )
    assert "" not in set(frame["ges_code"].astype(str))  # compress=true: no total rows


def test_census_2022_sample_has_kreise_as_12_digit_ars(parsed):
    codes = set(parsed["1000A-2022"]["region_code"].astype(str))
    assert {"051140000000", "051110000000", "051240000000", "083110000000", "DG", "05"} <= codes


def test_install_stores_every_file_once_with_origin_sample(tmp_path):
    store = RawStore(tmp_path / "raw")
    first = install_samples(store)
    assert len(first) == len(SAMPLE_FILES)
    for snapshot in first:
        assert snapshot.provenance.origin == "sample"
        assert snapshot.provenance.is_sample
        assert snapshot.provenance.note == SAMPLE_NOTE
        assert SAMPLE_MARK in snapshot.provenance.note
        assert snapshot.read_bytes() == (FILES_DIR / snapshot.provenance.original_filename).read_bytes()
    assert install_samples(store) == []
    assert len(store.snapshots()) == len(SAMPLE_FILES)
    checked, problems = store.verify()
    assert checked == len(SAMPLE_FILES) and problems == []


def test_read_table_from_the_store_carries_the_sample_provenance(tmp_path):
    store = RawStore(tmp_path / "raw")
    install_samples(store)
    frame = read_table(store.latest("12411-01-01-4"))
    assert frame.attrs["provenance"]["origin"] == "sample"


def test_demo_installs_into_its_own_folder_and_builds_there(tmp_path, monkeypatch, isolated_env, capsys):
    demo_root = tmp_path / "demo"
    monkeypatch.setenv("KREFELD_DATA_DEMO_DIR", str(demo_root))
    seen = {}

    def fake_build_cli(*, force, partial, stories):
        import os

        seen.update(data=os.environ["KREFELD_DATA_DIR"], reports=os.environ["KREFELD_DATA_REPORTS_DIR"],
                    force=force, partial=partial, stories=stories)
        return 0

    fake = types.SimpleNamespace(build_cli=fake_build_cli)
    monkeypatch.setitem(sys.modules, "krefeld_data.publish.build", fake)
    assert demo_cli(force=True) == 0
    assert seen["data"] == str(demo_root / "data")
    assert seen["reports"].endswith("demo")
    assert seen["force"] is True and seen["partial"] is False and seen["stories"] == []
    assert len(RawStore(demo_root / "data" / "raw").snapshots()) == len(SAMPLE_FILES)
    assert not (isolated_env / "raw").exists()  # the real data folder stays untouched
    assert "index.html" in capsys.readouterr().out


@pytest.mark.parametrize("table", ["urb_cpop1", "urb_cpopcb"])
def test_urban_audit_samples_have_the_api_shape_and_the_catalog_city_codes(table, parsed):
    import json
    from math import prod

    doc = json.loads(sample_path(table).read_text(encoding="utf-8"))
    assert doc["id"] == ["freq", "indic_ur", "cities", "time"]
    assert doc["size"] == [len(doc["dimension"][d]["category"]["index"]) for d in doc["id"]]
    cities = doc["dimension"]["cities"]["category"]["index"]
    assert set(cities) == set(catalog.SOURCE_TABLES[table].params["cities"])
    assert list(cities) != list(catalog.SOURCE_TABLES[table].params["cities"])  # the API's own order
    assert all(0 <= int(k) < prod(doc["size"]) for k in doc["value"])
    assert set(doc["status"]) <= set(doc["value"])
    # positions-with-no-data lists exactly the time positions without any value
    times = list(doc["dimension"]["time"]["category"]["index"])
    filled = {int(k) % len(times) for k in doc["value"]}
    empty = [i for i in range(len(times)) if i not in filled]
    assert doc["extension"]["positions-with-no-data"]["time"] == empty
    frame = parsed[table]
    assert len(frame) == len(doc["value"])
    assert "b" in set(frame["quality"].astype(str))
