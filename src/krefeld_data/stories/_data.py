"""Shim for the story modules that still shape raw tables themselves (protection,
naturalisation, asylum) until their makers live in ``datasets/``: the helpers are those of
:mod:`krefeld_data.datasets.tables`, so every table is parsed once per build there too.
New code imports :mod:`krefeld_data.datasets.tables` directly.
"""

from __future__ import annotations

from krefeld_data.datasets.tables import (
    NUMERIC,
    Cities,
    classifying,
    codes,
    fetch_hint,
    find_variable,
    finish,
    for_regions,
    keys_of,
    latest,
    latest_date,
    merge_sources,
    nationality,
    numeric_value,
    only_totals,
    order_regions,
    region_names,
    series,
    wanted_keys,
)
from krefeld_data.errors import KrefeldDataError, MissingDataError

load = latest
load_series = series

__all__ = [
    "NUMERIC", "Cities", "KrefeldDataError", "MissingDataError", "classifying", "codes", "fetch_hint",
    "find_variable", "finish", "for_regions", "keys_of", "latest_date", "load", "load_series",
    "merge_sources", "nationality", "numeric_value", "only_totals", "order_regions", "region_names",
    "wanted_keys",
]
