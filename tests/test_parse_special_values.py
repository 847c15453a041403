"""GENESIS special values keep their meaning: `-` is a true zero, the others are not numbers."""

from __future__ import annotations

import math

import pytest

from krefeld_data import read_table
from krefeld_data.errors import KrefeldDataError, ParseError

HEADER = (
    "statistics_code;statistics_label;time_code;time_label;time;1_variable_code;1_variable_label;"
    "1_variable_attribute_code;1_variable_attribute_label;value;value_unit;value_variable_code;"
    "value_variable_label"
)


def flat(*values: str) -> bytes:
    """A current-layout flat file with one row per value, Kreise 05111, 05112, …"""
    rows = [
        f"12411;Bevölkerung;STAG;Stichtag;2024-12-31;KREISE;Kreise;0511{i + 1};Kreis {i + 1};"
        f"{value};Anzahl;BEVSTD;Bevölkerungsstand"
        for i, value in enumerate(values)
    ]
    return ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")


def classic(*values: str) -> bytes:
    rows = [f"2016;0511{i + 1};      Kreis {i + 1};{value}" for i, value in enumerate(values)]
    text = "\n".join([
        "GENESIS-Tabelle: 12511-01-01-4", "Einbürgerungen;;;", ";;;Einbürgerungen", ";;;Anzahl",
        *rows, "__________", "Stand: 27.02.2018 / 13:00:56",
    ])
    return text.encode("cp1252")


@pytest.mark.parametrize("make", [flat, classic], ids=["ffcsv", "classic"])
@pytest.mark.parametrize(
    ("symbol", "status", "value"),
    [("-", "zero", 0.0), (".", "unknown", None), ("...", "later", None),
     ("x", "not_meaningful", None), ("/", "unreliable", None)],
)
def test_each_symbol_has_its_status(make, symbol: str, status: str, value: float | None) -> None:
    frame = read_table(make("17", symbol))
    assert list(frame["status"]) == ["", status]
    assert frame["value"].iloc[0] == 17.0
    got = frame["value"].iloc[1]
    assert (math.isnan(got) if value is None else got == value)
    assert frame.attrs["special_values"] == {status: 1}


def test_counts_of_every_status_in_one_file() -> None:
    frame = read_table(flat("-", "-", ".", "...", "x", "/", "/", "/", "5"))
    assert frame.attrs["special_values"] == {
        "zero": 2, "unknown": 1, "later": 1, "not_meaningful": 1, "unreliable": 3,
    }
    assert len(frame) == 9  # nothing dropped


@pytest.mark.parametrize("make", [flat, classic], ids=["ffcsv", "classic"])
def test_german_decimal_comma_and_negative_numbers(make) -> None:
    frame = read_table(make("12,5", "-3", "-0,25", "0"))
    assert list(frame["value"]) == [12.5, -3.0, -0.25, 0.0]
    assert list(frame["status"]) == ["", "", "", ""]  # "0" is a number, not the zero symbol


def test_flat_files_also_accept_a_decimal_point() -> None:
    assert read_table(flat("108.84"))["value"].iloc[0] == pytest.approx(108.84)


@pytest.mark.parametrize(
    ("make", "line"), [(flat, "line 3"), (classic, "line 6, column 4")], ids=["ffcsv", "classic"]
)
@pytest.mark.parametrize("bad", ["?", "12a", "(5)", "1 234", ""])
def test_unknown_symbol_names_file_line_and_value(make, line: str, bad: str, tmp_path) -> None:
    path = tmp_path / "table.csv"
    path.write_bytes(make("1", bad, "2"))
    with pytest.raises(ParseError) as info:
        read_table(path)
    message = str(info.value)
    assert str(path) in message and line in message
    assert (repr(bad) in message) if bad else ("empty cell" in message)
    assert isinstance(info.value, KrefeldDataError)


def test_thousands_separator_in_a_classic_table_is_refused() -> None:
    with pytest.raises(ParseError, match=r"'1\.234'"):
        read_table(classic("1.234"))


def test_quality_flags_are_kept_separately_from_the_status() -> None:
    text = HEADER + ";value_q\n" + "\n".join([
        "1000A;Bevölkerung;STAG;Stichtag;2022-05-15;GEODL1;Deutschland;DG;Deutschland;5;Anzahl;PRS001;Personen;e",
        "1000A;Bevölkerung;STAG;Stichtag;2022-05-15;GEOBL1;Bundesländer;05;NRW;-;Anzahl;PRS001;Personen;",
        "1000A;Bevölkerung;STAG;Stichtag;2022-05-15;GEOBL1;Bundesländer;08;BW;7;Anzahl;PRS001;Personen;p",
    ])
    frame = read_table(text.encode())
    assert list(frame["quality"]) == ["e", "", "p"]
    assert list(frame["status"]) == ["", "zero", ""]
    assert list(frame["value"]) == [5.0, 0.0, 7.0]


SYMBOLS = {"-": ("zero", 0.0), ".": ("unknown", None), "...": ("later", None),
           "x": ("not_meaningful", None), "/": ("unreliable", None)}


def _cell():
    from hypothesis import strategies as st

    numbers = st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
    return st.one_of(st.sampled_from(sorted(SYMBOLS)), numbers.map(lambda d: str(d).replace(".", ",")))


def test_any_mix_of_numbers_and_symbols_round_trips() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=60, deadline=None)
    @given(st.lists(_cell(), min_size=1, max_size=9))
    def check(cells: list[str]) -> None:
        for frame in (read_table(flat(*cells)), read_table(classic(*cells))):
            assert len(frame) == len(cells)
            for cell, value, status in zip(cells, frame["value"], frame["status"], strict=True):
                if cell in SYMBOLS:
                    expected_status, expected_value = SYMBOLS[cell]
                    assert status == expected_status
                    assert math.isnan(value) if expected_value is None else value == expected_value
                else:
                    assert status == "" and value == pytest.approx(float(cell.replace(",", ".")))

    check()
