"""Property-based tests of the parsers (hypothesis).

1. Round trip: a random valid table written out as a GENESIS flat file (current and old
   layout), a classic GENESIS CSV (UTF-8 or Windows-1252) and Eurostat JSON-stat 2.0 reads
   back (also a 2025-26 classic table with value/flag pairs and blank repeated dates) with the
   same values, statuses (every special value), quality flags, region codes
   (leading zeros, ``DG``, 2 to 12 digits), labels (umlauts, commas, brackets), years and dates.
2. Damage: random flipped bits, cut-offs and inserted bytes in valid files (also the classic
   tables of 2025-26, SDMX-CSV and an old flat file with several value columns) never escape as
   anything but a :class:`KrefeldDataError` (a parse that still succeeds is allowed: a
   flipped digit is still a number).
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from bad_inputs.make_corpus import CLASSIC_2026, CLASSIC_FLAGS, OLD_MULTI, SDMX_CSV
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from krefeld_data import read_table
from krefeld_data.errors import KrefeldDataError
from krefeld_data.schema import SPECIAL_VALUES

# PROPERTY_EXAMPLES=2000 for a longer search (the default keeps the suite quick).
SCALE = int(os.environ.get("PROPERTY_EXAMPLES", "0")) or None
PROPERTY_SETTINGS = settings(max_examples=SCALE or 75, deadline=None,
                             suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
DAMAGE_SETTINGS = settings(max_examples=SCALE or 100, deadline=None,
                           suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

GES = [("", "Insgesamt"), ("GESM", "männlich"), ("GESW", "weiblich")]
LABEL_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZäöüÄÖÜß -,.()/"


def digits(n: int) -> st.SearchStrategy[str]:
    """Region keys of ``n`` digits, half of them with a leading zero (05114, 0511400000)."""
    tail = st.text("0123456789", min_size=n - 1, max_size=n - 1)
    return st.one_of(tail.map(lambda t: "0" + t), st.text("0123456789", min_size=n, max_size=n))


REGION_CODES = st.one_of(st.just("DG"), *(digits(n) for n in (2, 3, 5, 8, 12)))
# Names as the offices write them: with a lower-case letter (a name like "DG" would be a key).
LABELS = (st.text(LABEL_ALPHABET, min_size=1, max_size=30).map(str.strip)
          .filter(lambda s: any(c.islower() for c in s)))


@dataclass(frozen=True)
class Cell:
    """What is published: the text in the file and what it must read back as."""

    text: str
    value: float  # NaN where no number is published
    status: str


def _number(whole: int, cents: int | None) -> Cell:
    if cents is None:
        return Cell(str(whole), float(whole), "")
    text = f"{whole},{cents:02d}"
    return Cell(text, float(text.replace(",", ".")), "")


CELLS = st.one_of(
    st.builds(_number, st.integers(-10**6, 10**9), st.none() | st.integers(0, 99)),
    st.sampled_from([Cell(symbol, 0.0 if symbol == "-" else float("nan"), status)
                     for symbol, status in SPECIAL_VALUES.items()]),
)


@dataclass(frozen=True)
class Table:
    regions: list[tuple[str, str]]  # (code, name)
    years: list[int]
    ges: list[tuple[str, str]]  # (attribute code, label), the columns of a classic table
    cells: dict[tuple[str, int, str], Cell]  # (region code, year, ges code) -> cell

    def expected(self) -> pd.DataFrame:
        names = dict(self.regions)
        labels = dict(self.ges)
        rows = [{"region_code": r, "region_name": names[r], "year": y, "ges_code": g, "ges": labels[g],
                 "value": c.value, "status": c.status} for (r, y, g), c in self.cells.items()]
        return _sorted(pd.DataFrame(rows))


@st.composite
def tables(draw, min_columns: int = 1) -> Table:
    regions = draw(st.lists(st.tuples(REGION_CODES, LABELS), min_size=1, max_size=4,
                            unique_by=lambda t: t[0]))
    years = draw(st.lists(st.integers(1990, 2030), min_size=1, max_size=3, unique=True))
    ges = draw(st.lists(st.sampled_from(GES), min_size=min_columns, max_size=3, unique=True))
    keys = [(r, y, g) for r, _ in regions for y in years for g, _ in ges]
    cells = draw(st.lists(CELLS, min_size=len(keys), max_size=len(keys)))
    return Table(regions, years, ges, dict(zip(keys, cells, strict=True)))


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["region_code", "year", "ges_code"]).reset_index(drop=True)


def _observed(frame: pd.DataFrame) -> pd.DataFrame:
    picked = pd.DataFrame({
        "region_code": frame["region_code"].astype(str),
        "region_name": frame["region_name"].astype(str),
        "year": frame["year"].astype(int),
        "ges_code": frame["ges_code"].astype(str),
        "ges": frame["ges"].astype(str),
        "value": frame["value"].astype(float),
        "status": frame["status"].astype(str),
    })
    return _sorted(picked)


def assert_same(frame: pd.DataFrame, table: Table) -> None:
    pd.testing.assert_frame_equal(_observed(frame), table.expected(), check_dtype=False)


# ------------------------------------------------------------------------------- writers

FF_HEADER = (
    "statistics_code;statistics_label;time_code;time_label;time;1_variable_code;1_variable_label;"
    "1_variable_attribute_code;1_variable_attribute_label;2_variable_code;2_variable_label;"
    "2_variable_attribute_code;2_variable_attribute_label;value;value_unit;value_variable_code;"
    "value_variable_label"
)
OLD_HEADER = (
    "Statistik_Code;Statistik_Label;Zeit_Code;Zeit_Label;Zeit;1_Merkmal_Code;1_Merkmal_Label;"
    "1_Auspraegung_Code;1_Auspraegung_Label;2_Merkmal_Code;2_Merkmal_Label;2_Auspraegung_Code;"
    "2_Auspraegung_Label;BEVSTD__Bevoelkerungsstand__Anzahl"
)


def write_ffcsv(table: Table, order: list[int]) -> bytes:
    names, labels = dict(table.regions), dict(table.ges)
    items = list(table.cells.items())
    lines = [FF_HEADER]
    for i in order:
        (region, year, ges), cell = items[i]
        lines.append(
            f"12411;Fortschreibung des Bevölkerungsstandes;STAG;Stichtag;{year}-12-31;KREISE;"
            f"Kreise und kreisfreie Städte;{region};{names[region]};GES;Geschlecht;{ges};{labels[ges]};"
            f"{cell.text};Anzahl;BEVSTD;Bevölkerungsstand"
        )
    return b"\xef\xbb\xbf" + ("\n".join(lines) + "\n").encode("utf-8")


def write_old(table: Table, order: list[int]) -> bytes:
    names, labels = dict(table.regions), dict(table.ges)
    items = list(table.cells.items())
    lines = [OLD_HEADER]
    for i in order:
        (region, year, ges), cell = items[i]
        indent = " " * (2 * (len(region) // 3))  # the old layout indents labels by level
        lines.append(
            f"12411;Fortschreibung des Bevölkerungsstandes;STAG;Stichtag;31.12.{year};KREISE;"
            f"Kreise und kreisfreie Städte;{region};{indent}{names[region]};GES;Geschlecht;{ges};"
            f"{labels[ges]};{cell.text}"
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


def write_classic(table: Table, encoding: str) -> bytes:
    columns = [label for _, label in table.ges]
    lead = ";;;"
    lines = [
        "GENESIS-Tabelle: 12411-01-01-4",
        "Bevölkerung: Kreise, Stichtag, Geschlecht" + ";" * (2 + len(columns)),
        "Fortschreibung des Bevölkerungsstandes" + ";" * (2 + len(columns)),
        lead + ";".join(["Bevölkerungsstand"] * len(columns)),
        lead + ";".join(["Geschlecht"] * len(columns)),
        lead + ";".join(columns),
        lead + ";".join(["Anzahl"] * len(columns)),
    ]
    for year in table.years:
        for region, name in table.regions:
            cells = [table.cells[(region, year, ges)].text for ges, _ in table.ges]
            lines.append(f"31.12.{year};{region};      {name};" + ";".join(cells))
    lines += ["__________", "© Statistische Ämter des Bundes und der Länder, Deutschland, 2026.",
              "Stand: 25.11.2026 / 12:00:00"]
    return ("\n".join(lines) + "\n").encode(encoding)


# ------------------------------------------------------------------------------- round trips


@PROPERTY_SETTINGS
@given(table=tables(), data=st.data())
def test_flat_file_current_layout_round_trip(table: Table, data: st.DataObject) -> None:
    order = data.draw(st.permutations(range(len(table.cells))))
    frame = read_table(write_ffcsv(table, order))
    assert_same(frame, table)
    assert set(frame["date"].dt.strftime("%m-%d")) == {"12-31"}
    assert (frame["quality"].astype(str) == "").all()


@PROPERTY_SETTINGS
@given(table=tables(), data=st.data())
def test_flat_file_old_layout_round_trip(table: Table, data: st.DataObject) -> None:
    order = data.draw(st.permutations(range(len(table.cells))))
    frame = read_table(write_old(table, order))
    assert_same(frame, table)
    assert (frame["date"].dt.year == frame["year"]).all()
    assert set(frame["measure"]) == {"BEVSTD"}


@PROPERTY_SETTINGS
# A classic table with a single value column cannot say which header row is the variable and
# which its attribute (every row "spans" the one column), so the tables have two or three.
@given(table=tables(min_columns=2), encoding=st.sampled_from(["utf-8", "cp1252", "utf-8-sig"]))
def test_classic_csv_round_trip(table: Table, encoding: str) -> None:
    frame = read_table(write_classic(table, encoding))
    assert_same(frame, table)
    assert set(frame["measure"]) == {"BEVSTD"} and set(frame["unit"]) == {"Anzahl"}
    assert (frame["date"].dt.year == frame["year"]).all()


def write_classic_2026(table: Table, flags: list[str], encoding: str) -> bytes:
    """The 2025-26 generation: ``Tabelle:``, a value/flag pair per column, blank repeated dates."""
    columns = [label for _, label in table.ges]
    lead = ";;;"
    pairs = lambda cells: ";".join(f"{c};" for c in cells)  # noqa: E731 - value, then its flag cell
    lines = [
        "Tabelle: 12411-01-01-4",
        "Bevölkerung: Kreise, Stichtag, Geschlecht" + ";" * (2 + 2 * len(columns)),
        lead + pairs(["Bevölkerungsstand"] * len(columns)),
        lead + pairs(columns),
        lead + pairs(["Anzahl"] * len(columns)),
    ]
    k = 0
    for year in table.years:
        for i, (region, name) in enumerate(table.regions):
            cells = []
            for ges, _ in table.ges:
                cells += [table.cells[(region, year, ges)].text, flags[k % len(flags)]]
                k += 1
            date = f"31.12.{year}" if i == 0 else ""  # left blank where it repeats the row above
            lines.append(f"{date};{region};    {name};" + ";".join(cells))
    lines += ["__________", "© IT.NRW, Düsseldorf, 2026. Testdaten.", "Stand: 09.02.2026 / 16:09:36"]
    return ("\n".join(lines) + "\n").encode(encoding)


@PROPERTY_SETTINGS
@given(table=tables(min_columns=2), flags=st.lists(st.sampled_from(["", "e", "p", "r", "s"]), min_size=1,
                                                  max_size=5),
       encoding=st.sampled_from(["latin-1", "utf-8", "utf-8-sig"]))
def test_classic_2026_with_flag_pairs_round_trip(table: Table, flags: list[str], encoding: str) -> None:
    frame = read_table(write_classic_2026(table, flags, encoding))
    assert_same(frame, table)
    assert frame.attrs["vintage"] == "2026-02-09"
    expected = [flags[k % len(flags)] for k in range(len(table.cells))]
    order = [(r, y, g) for y in table.years for r, _ in table.regions for g, _ in table.ges]
    flag_of = dict(zip(order, expected, strict=True))
    columns = (frame["region_code"], frame["year"], frame["ges_code"].astype(str),
               frame["quality"].astype(str))
    got = {(r, int(y), g): q for r, y, g, q in zip(*columns, strict=True)}
    assert got == flag_of


# JSON-stat cells: a number with an optional observation flag, or a flag without a number.
JSON_CELLS = st.one_of(
    st.tuples(st.integers(0, 10**8), st.sampled_from([None, "e", "p"])),
    st.tuples(st.floats(0, 1e6, allow_nan=False).map(lambda f: round(f, 2)), st.sampled_from([None, "p"])),
    st.tuples(st.none(), st.sampled_from([":", "|C", None])),  # unknown, confidential, not published
)
JSON_EXPECTED = {":": ("unknown", ""), "|C": ("confidential", "")}


@PROPERTY_SETTINGS
@given(regions=st.lists(st.tuples(REGION_CODES, LABELS), min_size=1, max_size=4, unique_by=lambda t: t[0]),
       years=st.lists(st.integers(1990, 2030), min_size=1, max_size=4, unique=True),
       sexes=st.lists(st.sampled_from([("T", "Total"), ("M", "Männer"), ("F", "Frauen")]),
                      min_size=1, max_size=3, unique=True),
       data=st.data(), dense=st.booleans())
def test_jsonstat_round_trip(regions, years, sexes, data: st.DataObject, dense: bool) -> None:
    sizes = [1, 1, len(sexes), len(regions), len(years)]
    total = int(np.prod(sizes))
    cells = data.draw(st.lists(JSON_CELLS, min_size=total, max_size=total))
    values = {str(i): v for i, (v, _) in enumerate(cells) if v is not None}
    statuses = {str(i): s for i, (_, s) in enumerate(cells) if s is not None}
    obj = {
        "version": "2.0", "class": "dataset", "label": "Bevölkerung – Testdaten", "source": "ESTAT",
        "id": ["freq", "unit", "sex", "geo", "time"], "size": sizes,
        "value": [values.get(str(i)) for i in range(total)] if dense else values,
        "status": statuses,
        "dimension": {
            "freq": {"label": "Time frequency", "category": {"index": {"A": 0}, "label": {"A": "Annual"}}},
            "unit": {"label": "Unit", "category": {"index": {"NR": 0}, "label": {"NR": "Number"}}},
            "sex": {"label": "Sex", "category": {"index": [c for c, _ in sexes], "label": dict(sexes)}},
            "geo": {"label": "Geo", "category": {"index": {c: i for i, (c, _) in enumerate(regions)},
                                                 "label": dict(regions)}},
            "time": {"label": "Time", "category": {"index": {str(y): i for i, y in enumerate(years)},
                                                   "label": {str(y): str(y) for y in years}}},
        },
        "extension": {"id": "TEST_POP"},
    }
    frame = read_table(json.dumps(obj, ensure_ascii=False).encode("utf-8"))
    expected = []
    for i, (value, flag) in enumerate(cells):
        if value is None and flag is None:
            continue  # not published: no row
        s, g, t = np.unravel_index(i, sizes[2:])
        if value is None:
            status, quality = JSON_EXPECTED[flag]
        else:
            status, quality = "", flag or ""
        expected.append({"region_code": regions[g][0], "region_name": regions[g][1], "year": years[t],
                         "sex_code": sexes[s][0], "value": float("nan") if value is None else float(value),
                         "status": status, "quality": quality})
    keys = ["region_code", "year", "sex_code"]
    got = pd.DataFrame({
        "region_code": frame["region_code"].astype(str), "region_name": frame["region_name"].astype(str),
        "year": frame["year"].astype(int), "sex_code": frame["sex_code"].astype(str),
        "value": frame["value"].astype(float), "status": frame["status"].astype(str),
        "quality": frame["quality"].astype(str),
    }) if len(frame) else pd.DataFrame(columns=list(expected[0]) if expected else keys)
    assert len(got) == len(expected)
    if expected:
        pd.testing.assert_frame_equal(
            got.sort_values(keys).reset_index(drop=True),
            pd.DataFrame(expected).sort_values(keys).reset_index(drop=True), check_dtype=False,
        )


# ------------------------------------------------------------------------------- damage

TINY_TABLE = Table(
    regions=[("05114", "Krefeld, kreisfreie Stadt"), ("DG", "Deutschland")],
    years=[2022, 2023],
    ges=GES,
    cells={(r, y, g): Cell(text, 0.0, "") for (r, y, g), text in zip(
        [(r, y, g) for r in ("05114", "DG") for y in (2022, 2023) for g, _ in GES],
        ["333", "111", "222", "-", ".", "...", "x", "/", "1,5", "7", "8", "15"], strict=True)},
)


def _zip(member: str, content: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, content)
    return buffer.getvalue()


def _jsonstat_sample() -> bytes:
    from krefeld_data.samples import sample_path

    return sample_path("migr_asyappctza").read_bytes()


VALID_FILES = {
    "ffcsv": write_ffcsv(TINY_TABLE, list(range(12))),
    "ffcsv-old": write_old(TINY_TABLE, list(range(12))),
    "classic-cp1252": write_classic(TINY_TABLE, "cp1252"),
    "classic-utf8": write_classic(TINY_TABLE, "utf-8"),
    "jsonstat": _jsonstat_sample(),
    "ffcsv-zip": _zip("12411-01-01-4_de_flat.csv", write_ffcsv(TINY_TABLE, list(range(12)))),
    # The formats of 2025-26 (test data from the bad-input corpus).
    "classic-2026-latin1": CLASSIC_2026.encode("latin-1"),
    "classic-value-flag-pairs": CLASSIC_FLAGS.encode("utf-8-sig"),
    "sdmx-csv-2": SDMX_CSV.encode("utf-8"),
    "ffcsv-old-several-values": OLD_MULTI.encode("utf-8"),
}
INTERESTING_BYTES = st.sampled_from([b";", b"\n", b"\r\n", b'"', b"\x00", b"\xc3", b"\xff", b"{", b"}",
                                     b",", b"-", b"...", b"\xe2\x80\x93", b"PK\x03\x04"])
DAMAGE = st.one_of(
    st.tuples(st.just("flip"), st.floats(0, 1), st.integers(0, 7)),
    st.tuples(st.just("truncate"), st.floats(0, 1), st.just(0)),
    st.tuples(st.just("insert"), st.floats(0, 1),
              st.one_of(INTERESTING_BYTES, st.binary(min_size=1, max_size=6))),
    st.tuples(st.just("delete"), st.floats(0, 1), st.integers(1, 40)),
)


def damage(data: bytes, operations) -> bytes:
    for kind, where, arg in operations:
        if not data:
            break
        at = min(int(where * len(data)), len(data) - 1)
        if kind == "flip":
            data = data[:at] + bytes([data[at] ^ (1 << arg)]) + data[at + 1:]
        elif kind == "truncate":
            data = data[:at]
        elif kind == "insert":
            data = data[:at] + arg + data[at:]
        else:
            data = data[:at] + data[at + arg:]
    return data


def read_or_refuse(data: bytes) -> pd.DataFrame | None:
    """A parse or a KrefeldDataError; any other exception fails the test."""
    try:
        return read_table(data)
    except KrefeldDataError as exc:
        assert str(exc) and "\n" not in str(exc)
        return None


@pytest.mark.parametrize("name", sorted(VALID_FILES))
def test_the_undamaged_files_parse(name: str) -> None:
    assert len(read_table(VALID_FILES[name])) > 0


@pytest.mark.parametrize("name", sorted(VALID_FILES))
@DAMAGE_SETTINGS
@given(operations=st.lists(DAMAGE, min_size=1, max_size=3))
def test_byte_damage_never_escapes_as_another_error(name: str, operations) -> None:
    frame = read_or_refuse(damage(VALID_FILES[name], operations))
    if frame is not None:
        assert set(frame["status"].astype(str)) <= {"", "zero", "unknown", "later", "not_meaningful",
                                                     "unreliable", "confidential"}
        assert all(isinstance(code, str) for code in frame["region_code"])


@DAMAGE_SETTINGS
@given(table=tables(), fmt=st.sampled_from(["ffcsv", "old", "classic"]),
       operations=st.lists(DAMAGE, min_size=1, max_size=2))
def test_damage_to_random_tables_never_escapes(table: Table, fmt: str, operations) -> None:
    order = list(range(len(table.cells)))
    data = {"ffcsv": lambda: write_ffcsv(table, order), "old": lambda: write_old(table, order),
            "classic": lambda: write_classic(table, "cp1252")}[fmt]()
    read_or_refuse(damage(data, operations))
