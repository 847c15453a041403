"""The benchmarks' own tools: the scaled test file and the child-process memory measurement.

Speed itself is measured in ``benchmarks/``, not here; these tests check that what the
benchmarks measure is what they claim to measure.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import _common  # noqa: E402
import bench_parse  # noqa: E402

from krefeld_data import read_table  # noqa: E402

TINY = (Path(__file__).parent / "recordings" / "genesis_tiny_ffcsv.csv").read_bytes()


def test_scaled_file_repeats_every_row_once_per_year_back_in_time(tmp_path: Path) -> None:
    path = tmp_path / "x4.csv"
    bench_parse.write_scaled(TINY, path, 4)
    frame = read_table(path)
    original = read_table(TINY)
    assert len(frame) == 4 * len(original)
    assert sorted(frame["year"].unique()) == [2096, 2097, 2098, 2099]
    assert (frame["date"].dt.strftime("%m-%d") == "12-31").all()
    # every copy holds the same values, only the Stichtag moved
    for year, part in frame.groupby("year"):
        assert list(part["value"]) == list(original["value"]), year
    assert path.read_bytes().count(b"statistics_code;") == 1  # the header is not repeated


def test_scaled_file_refuses_a_date_that_is_not_once_per_row(tmp_path: Path) -> None:
    header, first, *rest = TINY.split(b"\n")
    broken = b"\n".join([header, first.replace(b"2099-12-31", b"2099-12-30"), *rest])
    with pytest.raises(RuntimeError, match="not once in every row"):
        bench_parse.write_scaled(broken, tmp_path / "x2.csv", 2)


def test_child_peak_memory_sees_what_the_child_allocates() -> None:
    idle = _common.idle_rss()
    # 200 MB touched in the child must show; the benchmark process' own size must not.
    peak, _ = _common.child_peak_rss("block = bytearray(200 * 1024 * 1024)")
    grown = (peak - idle) / _common.MB
    assert 180 < grown < 260, grown


def test_the_import_probe_sees_what_a_fresh_interpreter_loads() -> None:
    import bench_import

    seconds_json, heavy_json = bench_import.import_once("import json")
    seconds_jinja, heavy_jinja = bench_import.import_once("import jinja2")
    assert heavy_json == [] and heavy_jinja == ["jinja2"]  # this process' own modules do not count
    assert 0 <= seconds_json < 5 and 0 < seconds_jinja < 30


def test_a_cold_build_folder_keeps_the_raw_snapshots_only(tmp_path: Path) -> None:
    import bench_build

    for name in ("data/raw/regio/T/1.csv", "data/processed/x.parquet", "data/.cache", "reports/index.html"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    bench_build.make_cold(tmp_path)
    left = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert left == ["data/raw/regio/T/1.csv"]
