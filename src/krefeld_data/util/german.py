"""German formats for readers, in one place: numbers, shares, dates, timestamps, rounded counts.

Every number a sentence states passes through here, so 1.234.567,8 and „rund 10.700“ look the
same on every page, in every alt text and every data dictionary.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

MONTHS = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
          "Oktober", "November", "Dezember")
MONTHS_SHORT = ("Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.",
                "Dez.")
NONE = "–"  # what a reader sees where there is no number


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def half_up(value: float, decimals: int = 0) -> Decimal:
    """``value`` rounded half away from zero, as the statistical offices round (2,5 → 3; 1,25 → 1,3).

    Python's ``round`` and ``format`` round half to even (2.5 → 2), and see a binary float, not
    the decimal figure a reader was shown; the decimal text of the float is rounded instead.
    """
    exact = Decimal(str(value))
    rounded_ = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return rounded_.copy_abs() if rounded_.is_zero() else rounded_  # never "-0"


def number(value: float | None, decimals: int = 0) -> str:
    """German number: 1.234.567,8 (``–`` where there is none), rounded half away from zero."""
    if _missing(value):
        return NONE
    try:
        text = f"{half_up(value, decimals):,.{decimals}f}"
    except (InvalidOperation, ValueError):  # infinity: nothing to round
        text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def percent(share: float | None, decimals: int = 1) -> str:
    """A share (0–1) as ``12,3 %``."""
    if _missing(share):
        return NONE
    return f"{number(share * 100, decimals)} %"


def rounded(value: float | None, step: int = 100) -> str:
    """A sum of rounded cells for text: ``rund 10.700`` (the offices round such cells to 5)."""
    if _missing(value):
        return NONE
    return f"rund {number(half_up(value / step) * step)}"


def day(value: date | datetime) -> str:
    """``31.12.2024``."""
    return value.strftime("%d.%m.%Y")


def month(value: date | datetime, short: bool = False) -> str:
    """``Dezember 2024`` or ``Dez. 2024``."""
    return f"{(MONTHS_SHORT if short else MONTHS)[value.month - 1]} {value.year}"


def iso_day(value: Any, default: str = "") -> str:
    """``2024-12-31``, an ISO timestamp (``…Z``, ``…+0200``) or a date as ``31.12.2024``.

    Text that is no ISO date is kept as given (``default`` where there is none).
    """
    if value is None or value == "":
        return default
    if isinstance(value, date | datetime):
        return day(value)
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", str(value))
    return f"{match.group(3)}.{match.group(2)}.{match.group(1)}" if match else (str(value) or default)


def timestamp(moment: datetime | None = None) -> str:
    """``25.11.2026, 14:07 Uhr (UTC)`` (build times on pages)."""
    moment = moment or datetime.now(UTC)
    return moment.astimezone(UTC).strftime("%d.%m.%Y, %H:%M Uhr (UTC)")
