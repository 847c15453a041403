"""The tidy schema (design contract): one row per published value.

Column order: ``table, region_code, region_name, year, date``, then one pair of columns per
classifying variable (``<var>`` label as category, ``<var>_code``), then
``measure, measure_label, unit, value, status, quality``.
"""

from __future__ import annotations

import pandas as pd

LEADING = ["table", "region_code", "region_name", "year", "date"]
TRAILING = ["measure", "measure_label", "unit", "value", "status", "quality"]

# GENESIS special values -> status. `-` is a true zero: value 0.0, status "zero".
SPECIAL_VALUES = {
    "-": "zero",
    ".": "unknown",
    "...": "later",
    "x": "not_meaningful",
    "/": "unreliable",
}
STATUSES = ["", "zero", "unknown", "later", "not_meaningful", "unreliable", "confidential"]


def variable_columns(frame: pd.DataFrame) -> list[str]:
    """The classifying variables of a tidy frame (label columns, without ``_code``)."""
    fixed = set(LEADING) | set(TRAILING)
    return [c for c in frame.columns if c not in fixed and not c.endswith("_code")]


def ordered(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns in schema order, dtypes as the contract says."""
    variables = variable_columns(frame)
    middle = [c for v in variables for c in (v, f"{v}_code") if c in frame.columns]
    return frame[LEADING + middle + TRAILING]
