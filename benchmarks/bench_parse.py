"""``read_table`` on the real 33.5 MB flat file of table 12531-0043 against pyarrow and pandas.

The file is the zip member inside cassette 05 of the real samples (never copied into the
project). Larger files are made from it by repeating its data rows with the reference date
moved back one year per copy, so every copy is a distinct, valid year of the same table.
"""

from __future__ import annotations

import io
import json
import statistics
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

from _common import MB, REAL_SAMPLES, Row, Skipped, best_of, child_peak_rss, idle_rss, megabytes, seconds

CASSETTE = "05_pystatis-cassette_12531-0043_genesis_job-flow_2026-03.yaml"
TIME_TARGET = 3.0  # read_table at most 3x pyarrow.csv.read_csv
MEMORY_TARGET = 2.5  # peak memory at most 2.5x the file size
LARGE_BYTES = 1024 * MB  # the "1 GB" file
LARGE_PEAK_LIMIT = 2.5 * 1024 * MB


def real_flat_file() -> bytes | None:
    """The CSV member of the ``data/resultfile`` zip in cassette 05, or None when the folder is absent."""
    cassette = REAL_SAMPLES / CASSETTE
    if not cassette.is_file():
        return None
    import yaml

    with cassette.open("rb") as handle:
        recorded = yaml.safe_load(handle)
    for interaction in recorded["interactions"]:
        if "data/resultfile" in interaction["request"]["uri"]:
            body = interaction["response"]["body"]["string"]
            body = body if isinstance(body, bytes) else body.encode("latin-1")
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                (member,) = archive.namelist()
                return archive.read(member)
    raise RuntimeError(f"{cassette.name}: no interaction with data/resultfile in its request uri")


def shifted_copies(data: bytes, copies: int) -> Iterator[bytes]:
    """The header, then ``copies`` blocks of the data rows, copy k with the Stichtag k years earlier."""
    header_end = data.index(b"\n") + 1
    header = data[:header_end].decode("utf-8-sig").rstrip("\r\n").split(";")
    time_field = header.index("time")
    body = data[header_end:]
    if not body.endswith(b"\n"):
        body += b"\n"
    first_row = body[: body.index(b"\n")].split(b";")
    stichtag = first_row[time_field]  # e.g. b"2024-12-31"
    year = int(stichtag[:4])
    rows = body.count(b"\n")
    # The value stands between a time label and a variable code: ";2024-12-31;" occurs once per row.
    needle = b";" + stichtag + b";"
    if body.count(needle) != rows:
        raise RuntimeError(f"the Stichtag {stichtag!r} is not once in every row; cannot shift dates safely")
    yield data[:header_end]
    for k in range(copies):
        yield body if k == 0 else body.replace(needle, b";" + str(year - k).encode() + stichtag[4:] + b";")


def write_scaled(data: bytes, path: Path, copies: int) -> int:
    with path.open("wb") as out:
        for part in shifted_copies(data, copies):
            out.write(part)
    return path.stat().st_size


# ---------------------------------------------------------------- timing (in this process)

def _readers(path: Path):
    """Every reader reads the same file on disk (in the page cache after the warm-up)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from krefeld_data import read_table

    with path.open("rb") as handle:
        header = handle.readline().decode("utf-8-sig").rstrip("\r\n").split(";")
    semicolon = pacsv.ParseOptions(delimiter=";")
    as_strings = pacsv.ConvertOptions(column_types={name: pa.string() for name in header})
    return {
        "pyarrow": lambda: pacsv.read_csv(path, parse_options=semicolon),
        "pyarrow_str": lambda: pacsv.read_csv(path, parse_options=semicolon, convert_options=as_strings),
        "pandas": lambda: pd.read_csv(path, sep=";", dtype=str),
        "read_table": lambda: read_table(path),
    }


def time_readers(path: Path, repeat: int, with_pandas: bool = True) -> dict[str, list[float]]:
    """Seconds per reader and round; in each round every reader runs once, one right after the other."""
    readers = _readers(path)
    if not with_pandas:
        readers.pop("pandas")
    for fn in readers.values():  # warm-up: imports, first-call caches, the file in the page cache
        fn()
    times: dict[str, list[float]] = {name: [] for name in readers}
    for _ in range(repeat):
        for name, fn in readers.items():
            times[name].append(best_of(fn, 1))
    return times


def paired_ratio(ours: list[float], baseline: list[float]) -> float:
    """Median over rounds of ours / baseline: runs taken seconds apart share the machine's load."""
    return statistics.median(o / b for o, b in zip(ours, baseline, strict=True))


def timing_rows(label: str, path: Path, repeat: int, with_pandas: bool = True) -> list[Row]:
    times = time_readers(path, repeat, with_pandas)
    ours = times["read_table"]
    rows_read = len(_readers(path)["read_table"]())
    size = f"{label} ({megabytes(path.stat().st_size)}, {rows_read:,} rows)"
    spread = f"{len(ours)} rounds; ratio per round {{}}"
    rows = []
    for reader, name, target, note in (
        ("pyarrow", "pyarrow.csv.read_csv", True, "pyarrow with ';' and its default type inference"),
        ("pyarrow_str", "pyarrow, all columns string", True, "stricter baseline: no type inference"),
        ("pandas", "pandas.read_csv(dtype=str)", False, "pandas C engine, sep=';'"),
    ):
        if reader not in times:
            continue
        per_round = sorted(o / b for o, b in zip(ours, times[reader], strict=True))
        ratio = paired_ratio(ours, times[reader])
        rows.append(Row(
            f"read_table vs {name}, {size}", seconds(min(times[reader])), seconds(min(ours)), ratio,
            f"<= {TIME_TARGET:g}x" if target else "-", ratio <= TIME_TARGET if target else None,
            f"{note}; {spread.format(f'{per_round[0]:.2f}-{per_round[-1]:.2f}x')}",
        ))
    return rows


# ---------------------------------------------------------------- peak memory (in a child process)

_CHILD_READERS = {
    "read_table": "from krefeld_data import read_table\nframe = read_table({path!r})\nrows = len(frame)",
    "pyarrow": "table = pyarrow.csv.read_csv({path!r}, parse_options=pyarrow.csv.ParseOptions(delimiter=';'))"
               "\nrows = table.num_rows",
    "pandas": "frame = pandas.read_csv({path!r}, sep=';', dtype=str)\nrows = len(frame)",
}
_CHILD_TIMER = (
    "import json, time\nstarted = time.perf_counter()\n{reader}\n"
    "print(json.dumps({{'seconds': time.perf_counter() - started, 'rows': rows}}))"
)


def child_peak(reader: str, path: Path, idle: int) -> tuple[int, float, int]:
    """Peak memory above the idle interpreter, seconds and rows of one read in a fresh process."""
    code = _CHILD_TIMER.format(reader=_CHILD_READERS[reader].format(path=str(path)))
    peak, out = child_peak_rss(code)
    report = json.loads(out.strip().splitlines()[-1])
    return peak - idle, report["seconds"], report["rows"]


def memory_rows(label: str, path: Path, idle: int, readers=("read_table", "pyarrow", "pandas")) -> list[Row]:
    size = path.stat().st_size
    rows = []
    for reader in readers:
        peak, _, _ = child_peak(reader, path, idle)
        ratio = peak / size
        if reader == "read_table":
            rows.append(Row(f"peak memory read_table(path), {label}", f"file {megabytes(size)}",
                            megabytes(peak), ratio, f"<= {MEMORY_TARGET:g}x file",
                            ratio <= MEMORY_TARGET, "child process, minus idle interpreter"))
        else:
            rows.append(Row(f"peak memory {reader}, {label} (for comparison)", f"file {megabytes(size)}",
                            megabytes(peak), ratio, "-", None, "child process, minus idle interpreter"))
    return rows


# ---------------------------------------------------------------- the benchmark

def run(repeat: int = 5, large: bool = False) -> list[Row | Skipped]:
    data = real_flat_file()
    if data is None:
        return [Skipped("read_table on 12531-0043", f"real samples not found at {REAL_SAMPLES} "
                                                    f"(set KREFELD_DATA_REAL_SAMPLES)")]
    results: list[Row | Skipped] = []
    with tempfile.TemporaryDirectory(prefix="krefeld-bench-") as tmp:
        folder = Path(tmp)
        real = folder / "12531-0043_flat.csv"
        real.write_bytes(data)
        results += timing_rows("real 12531-0043", real, repeat)
        idle = idle_rss()
        results += memory_rows("real 12531-0043", real, idle)

        ten = folder / "12531-0043_x10_flat.csv"
        write_scaled(data, ten, 10)
        del data
        results += timing_rows("x10, shifted dates", ten, max(2, repeat // 2))
        results += memory_rows("x10, shifted dates", ten, idle)
        ten.unlink()

        if large:
            copies = max(1, round(LARGE_BYTES / real.stat().st_size))
            big = folder / "12531-0043_large_flat.csv"
            size = write_scaled(real.read_bytes(), big, copies)
            above_idle, secs, rows = child_peak("read_table", big, idle)
            total = above_idle + idle  # the limit is on the whole process, interpreter included
            results.append(Row(
                f"peak memory read_table(path), ~1 GB ({megabytes(size)}, {rows:,} rows, "
                f"read in {secs:.1f} s)",
                f"limit {megabytes(LARGE_PEAK_LIMIT)}", megabytes(total), above_idle / size,
                f"< {megabytes(LARGE_PEAK_LIMIT)} whole process", total < LARGE_PEAK_LIMIT,
                "ours: whole process; ratio: (peak - idle) / file size",
            ))
            big.unlink()
    return results
