"""What every story module needs: the latest snapshot of a table, parsed, with its regions
resolved, and the provenance of every snapshot carried along to the chart's source line.

Story functions return frames whose ``attrs["sources"]`` lists the provenance records of
all snapshots used; :func:`krefeld_data.charts` turns them into "Quelle: …" lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from krefeld_data import catalog
from krefeld_data.clean.hierarchy import attribute_codes
from krefeld_data.clean.regions import normalise_regions, region_key
from krefeld_data.errors import KrefeldDataError, MissingDataError
from krefeld_data.parse import read_table
from krefeld_data.raw.store import RawStore

Cities = Sequence[str]
NUMERIC = ("", "zero")  # statuses that carry a number


def fetch_hint(table: str) -> str:
    """The command that gets ``table`` into the store."""
    source = catalog.SOURCE_TABLES.get(table)
    db = source.database if source else "regio"
    return f"`krefeld-data fetch {table} --db {db}` or `krefeld-data import FILE`"


def load(table: str, store: RawStore | None = None, *, german_regions: bool = True) -> pd.DataFrame:
    """The latest snapshot of ``table``, parsed, with ``region_key`` and ``region`` columns.

    ``german_regions=False`` for sources with other region codes (Eurostat's ``DE``).
    """
    store = store or RawStore()
    snapshot = store.latest(table)
    if snapshot is None:
        raise MissingDataError(
            f"table {table} is not in the raw store {store.root}; get it with {fetch_hint(table)}"
        )
    frame = read_table(snapshot)
    provenance = frame.attrs.get("provenance") or snapshot.provenance.to_dict()
    if german_regions and "region_code" in frame.columns and frame["region_code"].notna().any():
        frame = normalise_regions(frame)
    frame.attrs["sources"] = [provenance]
    return frame


def load_series(table: str, store: RawStore | None = None) -> pd.DataFrame:
    """Every stored publication of ``table`` spliced into one series (newest wins on overlap).

    A download of the latest year and an older file with 1995–2015 together give the longest
    series; ``attrs["sources"]`` lists every snapshot used.
    """
    from krefeld_data.clean.splice import splice

    store = store or RawStore()
    snapshots = store.snapshots(table)
    if len(snapshots) <= 1:
        return load(table, store)
    frames = [read_table(snapshot) for snapshot in snapshots]
    spliced = normalise_regions(splice(frames))
    spliced.attrs["sources"] = [f.attrs["provenance"] for f in frames if f.attrs.get("provenance")]
    return spliced


def keys_of(regions: Iterable[str]) -> list[str]:
    """Region keys for codes (any length) or names ("Krefeld"), in the order given."""
    keys = []
    for item in regions:
        text = str(item).strip()
        try:
            key = region_key(text)
        except KrefeldDataError:
            from krefeld_data.regions.registry import region

            key = region_key(region(text).code)
        if key not in keys:
            keys.append(key)
    return keys


def wanted_keys(cities: Cities | None, context: Cities | None) -> list[str]:
    cities = catalog.DEFAULT_CITIES if cities is None else cities
    context = catalog.DEFAULT_CONTEXT if context is None else context
    return keys_of([*cities, *context])


def for_regions(frame: pd.DataFrame, keys: list[str], table: str) -> pd.DataFrame:
    """Rows of the requested regions; a region the table does not have is an error, not a gap."""
    present = set(frame["region_key"].astype(str))
    missing = [k for k in keys if k not in present]
    if missing:
        raise MissingDataError(
            f"table {table} has no rows for region(s) {', '.join(missing)}; the stored snapshot may "
            f"be cut to other regions: get the full table with {fetch_hint(table)}"
        )
    return frame[frame["region_key"].isin(keys)].copy()


def codes(frame: pd.DataFrame, var: str) -> pd.Series:
    """Attribute codes of ``var`` with the total as ``""`` (classic tables: the label)."""
    return attribute_codes(frame, var)


ADDED_COLUMNS = frozenset({"region", "region_key", "census_basis", "status_code", "number"})


def classifying(frame: pd.DataFrame) -> list[str]:
    """The table's own classifying variables (not the columns cleaning or stories added)."""
    from krefeld_data.schema import variable_columns

    return [v for v in variable_columns(frame) if v not in ADDED_COLUMNS]


def find_variable(frame: pd.DataFrame, *markers: str) -> str:
    """The classifying variable whose codes or labels contain one of ``markers``.

    Lets a story work with flat files (variables named after their codes) and classic tables
    (variables named after their labels) alike.
    """
    wanted = {m.lower() for m in markers}
    for var in classifying(frame):
        values = set(frame[var].astype(str).str.strip().str.lower())
        code_col = f"{var}_code"
        if code_col in frame.columns:
            values |= set(frame[code_col].astype(str).str.strip().str.lower())
        if values & wanted:
            return var
    table = frame.attrs.get("sources", [{}])[0].get("table", "?")
    raise KrefeldDataError(
        f"table {table}: no variable with any of {', '.join(markers)}; the table layout may have "
        f"changed (variables: {', '.join(classifying(frame))})"
    )


def nationality(frame: pd.DataFrame, var: str) -> pd.Series:
    """``deutsch`` / ``ausländisch`` / ``""`` (total) per row, from codes or labels.

    Codes differ between databases (``NATA``, ``NATEU1`` …) while the labels say it plainly
    (``Deutsche``, ``Ausländer(innen)``); an attribute that is neither fails loudly.
    """
    code = codes(frame, var)
    label = frame[var].astype(str).str.strip().str.lower()
    result = pd.Series("", index=frame.index, dtype=object)
    foreign = code.isin(["NATA"]) | label.str.startswith("ausländ")
    german = code.isin(["NATD"]) | label.str.startswith("deutsch")
    result[foreign] = "ausländisch"
    result[german & ~foreign] = "deutsch"
    unknown = (result == "") & (code != "")
    if unknown.any():
        odd = sorted(set(frame.loc[unknown, var].astype(str)))
        raise KrefeldDataError(f"nationality attribute(s) {', '.join(odd)} are neither German nor foreign")
    return result


def only_totals(frame: pd.DataFrame, variables: Iterable[str]) -> pd.DataFrame:
    """Rows that are the total of each of ``variables``."""
    mask = pd.Series(True, index=frame.index)
    for var in variables:
        mask &= codes(frame, var) == ""
    return frame[mask]


def numeric_value(frame: pd.DataFrame) -> pd.Series:
    """The value where a number is published (``-`` counts as 0), else NaN."""
    return frame["value"].where(frame["status"].astype(str).isin(NUMERIC))


def latest_date(frame: pd.DataFrame) -> pd.Timestamp:
    """The newest reference date with at least one number."""
    dates = frame.loc[numeric_value(frame).notna(), "date"]
    if dates.dropna().empty:
        raise KrefeldDataError("the table holds no published number")
    return dates.max()


def merge_sources(*frames: Any) -> list[dict[str, Any]]:
    """The provenance records of all ``frames``, each snapshot once (by sha256 and file)."""
    seen, result = set(), []
    for frame in frames:
        for record in getattr(frame, "attrs", {}).get("sources", []) or []:
            key = (record.get("sha256"), record.get("file"), record.get("table"))
            if key not in seen:
                seen.add(key)
                result.append(dict(record))
    return result


def finish(result: pd.DataFrame, *inputs: pd.DataFrame) -> pd.DataFrame:
    """Reset the index and attach the sources of every input frame."""
    result = result.reset_index(drop=True)
    result.attrs = {"sources": merge_sources(*inputs)}
    return result


def region_names(frame: pd.DataFrame) -> dict[str, str]:
    """region_key -> short name, from the registry columns."""
    pairs = frame[["region_key", "region"]].drop_duplicates("region_key")
    return dict(zip(pairs["region_key"].astype(str), pairs["region"].astype(str), strict=True))


def order_regions(result: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Rows in the order the caller asked for the regions (charts keep that order)."""
    rank = {k: i for i, k in enumerate(keys)}
    sort_cols = [c for c in ("year", "date") if c in result.columns]
    return result.assign(_rank=result["region_key"].map(rank)).sort_values(
        ["_rank", *sort_cols], kind="stable"
    ).drop(columns="_rank")
