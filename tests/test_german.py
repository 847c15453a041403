"""German formats for readers: the expectations are typed as a German page prints them.

The oracle is the convention, written out by hand (Duden; the statistical offices round half
away from zero), never the formatting code itself.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import numpy as np
import pytest

from krefeld_data.util import german


@pytest.mark.parametrize(("value", "decimals", "expected"), [
    (0, 0, "0"),
    (229500, 0, "229.500"),
    (1234567.8, 1, "1.234.567,8"),
    (-17343748, 0, "-17.343.748"),
    (2.5, 0, "3"),          # half away from zero, not to even
    (3.5, 0, "4"),
    (-2.5, 0, "-3"),
    (1.25, 1, "1,3"),       # the figure as shown, not the binary float below it
    (0.125, 2, "0,13"),
    (2.675, 2, "2,68"),     # the float is 2.67499999…; a reader sees 2,675
    (-0.4, 0, "0"),         # never "-0"
    (999.96, 1, "1.000,0"),
    (np.int64(10453555), 0, "10.453.555"),
    (np.float64(0.05), 1, "0,1"),
])
def test_number(value, decimals: int, expected: str) -> None:
    assert german.number(value, decimals) == expected


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan])
def test_no_number_is_a_dash(missing) -> None:
    assert german.number(missing) == "–"
    assert german.percent(missing) == "–"
    assert german.rounded(missing) == "–"


@pytest.mark.parametrize(("share", "expected"), [
    (0.123, "12,3 %"), (0.0125, "1,3 %"), (1, "100,0 %"), (1 / 3, "33,3 %"), (0.00049, "0,0 %"),
])
def test_percent(share: float, expected: str) -> None:
    assert german.percent(share) == expected


@pytest.mark.parametrize(("value", "step", "expected"), [
    (10685, 100, "rund 10.700"),
    (10650, 100, "rund 10.700"),   # half up, where round() would give 10.600
    (10649, 100, "rund 10.600"),
    (4_321_000, 1000, "rund 4.321.000"),
    (1255, 10, "rund 1.260"),
])
def test_rounded_sums_say_rund(value: float, step: int, expected: str) -> None:
    assert german.rounded(value, step) == expected


def test_dates() -> None:
    assert german.day(date(2024, 12, 31)) == "31.12.2024"
    assert german.day(date(2011, 5, 9)) == "09.05.2011"
    assert german.month(date(2024, 3, 1)) == "März 2024"
    assert german.month(date(2024, 12, 31), short=True) == "Dez. 2024"
    assert german.iso_day("2022-05-15") == "15.05.2022"
    assert german.iso_day("2026-11-25T09:30:00+00:00") == "25.11.2026"
    assert german.iso_day("Stand: Mai 2024") == "Stand: Mai 2024"  # kept as given
    assert german.iso_day(None, default="unbekannt") == "unbekannt"


def test_timestamps_are_utc() -> None:
    summer = timezone(timedelta(hours=2))  # Berlin in July
    assert german.timestamp(datetime(2026, 7, 1, 16, 5, tzinfo=summer)) == "01.07.2026, 14:05 Uhr (UTC)"
    assert german.timestamp(datetime(2026, 11, 25, 14, 7, tzinfo=UTC)) == "25.11.2026, 14:07 Uhr (UTC)"
