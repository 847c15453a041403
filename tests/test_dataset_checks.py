"""Checks run at dataset write (datasets/registry.py build_dataset): a failing check stops that
dataset with one line naming table, region, date and the difference, and what was stored before
stays untouched. The broken inputs here are test data (origin "test"), derived from the samples.
"""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from krefeld_data.datasets import io as processed
from krefeld_data.datasets.registry import DATASETS, Dataset, TotalsCheck, build_dataset, build_datasets
from krefeld_data.fetch.importer import import_file
from krefeld_data.raw.store import RawStore
from krefeld_data.samples import install_samples, sample_path


@pytest.fixture
def samples(isolated_env):
    install_samples(RawStore())
    return isolated_env


def broken_population(tmp_path, *, region: str, year: str, delta: int):
    """The sample 12411-01-01-4 with the male count of one cell changed by ``delta`` (test data)."""
    text = sample_path("12411-01-01-4").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header = rows[0]
    code, sex, time, value = (header.index(c) for c in (
        "1_variable_attribute_code", "2_variable_attribute_code", "time", "value"))
    changed = 0
    for row in rows[1:]:
        if row[code] == region and row[sex] == "GESM" and row[time].startswith(year):
            row[value] = str(int(row[value]) + delta)
            changed += 1
    assert changed == 1
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\n").writerows(rows)
    path = tmp_path / "12411-01-01-4_broken.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    import_file(path, table="12411-01-01-4", database="regio", origin="test")


def test_parts_that_do_not_add_up_stop_the_dataset_and_keep_the_old_files(samples, tmp_path):
    first = build_datasets(["bevoelkerung"])
    assert first.written == ["bevoelkerung"]
    paths = processed.dataset_paths("bevoelkerung")
    before = {p: p.read_bytes() for p in (*paths.outputs(), paths.inputs)}
    broken_population(tmp_path, region="05114", year="2020", delta=7)
    second = build_datasets(["bevoelkerung"])
    assert second.failed == ["bevoelkerung"]
    (result,) = second.results
    line = result.reason
    assert "\n" not in line
    assert "12411" in line and "05114" in line and "2020-12-31" in line
    assert "difference -7" in line
    assert {p: p.read_bytes() for p in before} == before  # nothing stored before was touched


def test_duplicate_keys_in_a_made_dataset_stop_it(samples):
    def twice(store):
        frame = pd.DataFrame({"region_key": ["05114", "05114"], "year": [2024, 2024], "value": [1.0, 2.0]})
        frame.attrs["sources"] = []
        return frame

    base = DATASETS["bevoelkerung"]
    dataset = Dataset("test_twice", "Test", "Testdaten", base.tables, (), twice, {},
                      keys=("region_key", "year"))
    result = build_dataset(dataset, RawStore())
    assert result.status == "failed"
    assert "2 rows share their keys" in result.reason and "region_key=05114" in result.reason
    assert not processed.dataset_paths("test_twice").parquet.exists()


def test_a_declared_totals_check_on_a_variable_the_table_lacks_fails_loudly(samples):
    base = DATASETS["bevoelkerung"]
    dataset = Dataset("test_totals", "Test", "Testdaten", base.tables, (), base.make, {},
                      totals=(TotalsCheck("12411-01-01-4", "nat"),))
    result = build_dataset(dataset, RawStore())
    assert result.status == "failed" and "no variable 'nat'" in result.reason


def test_every_story_1_and_3_dataset_declares_its_keys_and_they_hold_on_the_samples(samples):
    mine = ["bevoelkerung", "auslaenderanteil", "migrationshintergrund_2011",
            "einwanderungsgeschichte_2022", "altersstruktur", "urban_audit_staatsangehoerigkeit"]
    result = build_datasets(mine)
    assert result.written == mine, result
    for name in mine:
        assert DATASETS[name].keys, name
        frame = processed.read_dataset(name)
        assert not frame.duplicated(list(DATASETS[name].keys)).any(), name
