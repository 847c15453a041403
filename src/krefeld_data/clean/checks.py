"""Checks every cleaned frame passes before it becomes a processed dataset.

Sum checks against published totals live in :mod:`krefeld_data.clean.hierarchy`; these are
the structural ones: the schema columns are there, region codes are strings, and no value is
published twice for the same cell (which would double-count in any sum).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from krefeld_data.errors import DataCheckError
from krefeld_data.schema import LEADING, STATUSES, TRAILING, variable_columns


def _where(df: pd.DataFrame) -> str:
    provenance = df.attrs.get("provenance")
    if isinstance(provenance, dict) and provenance.get("table"):
        return f"table {provenance['table']}" + (f" ({provenance['file']})" if provenance.get("file") else "")
    if "table" in df.columns and len(df):
        return ", ".join(sorted(str(t) for t in df["table"].dropna().unique()))
    return "frame"


def check_schema(df: pd.DataFrame) -> None:
    """The tidy schema's columns exist, region codes are strings, statuses are known."""
    missing = [c for c in LEADING + TRAILING if c not in df.columns]
    if missing:
        raise DataCheckError(f"{_where(df)}: columns {missing} of the tidy schema are missing")
    codes = df["region_code"].dropna()
    not_text = codes[~codes.map(lambda c: isinstance(c, str))]
    if len(not_text):
        raise DataCheckError(
            f"{_where(df)}: region codes must be strings (leading zeros matter); found "
            f"{type(not_text.iloc[0]).__name__} {not_text.iloc[0]!r}"
        )
    unknown = set(df["status"].astype(str).unique()) - set(STATUSES) - {"nan"}
    if unknown:
        raise DataCheckError(f"{_where(df)}: unknown status values {sorted(unknown)}")


def default_cell_keys(df: pd.DataFrame) -> list[str]:
    """The columns that identify one published cell of a tidy frame."""
    region = "region_key" if "region_key" in df.columns else "region_code"
    # measure_label too: classic tables leave the measure code empty, so a count and a rate of
    # the same cell (12511-04-01-4: Einbürgerungen, Einbürgerungsquote) differ only by label.
    keys = [c for c in ("table", region, "year", "date", "measure", "measure_label") if c in df.columns]
    for var in variable_columns(df):
        if var in ("census_basis", "region", "region_key", "source_table", "source_snapshot"):
            continue
        # Both: classic tables publish labels without codes, flat files codes with labels.
        keys.extend(c for c in (var, f"{var}_code") if c in df.columns)
    return keys


def check_unique(df: pd.DataFrame, keys: Sequence[str] | None = None) -> None:
    """Every cell appears once; a duplicate would be counted twice in any sum."""
    keys = list(keys) if keys is not None else default_cell_keys(df)
    absent = [k for k in keys if k not in df.columns]
    if absent:
        raise DataCheckError(f"{_where(df)}: key columns {absent} are missing (columns: {list(df.columns)})")
    dup = df.duplicated(subset=keys, keep=False)
    if dup.any():
        first = df[dup].iloc[0]
        where = ", ".join(f"{k}={first[k]}" for k in keys)
        raise DataCheckError(
            f"{_where(df)}: {int(dup.sum())} rows share their keys with another row (first: {where}); "
            f"splice overlapping publications with clean.splice instead of stacking them"
        )
