"""The raw tables a dataset maker reads: each stored file parsed once per build, then shaped.

Several datasets rest on the same table (population for every rate, 12531-0043 for two protection
datasets), and the 33.5 MB protection file takes seconds to parse. :func:`latest`, :func:`series`
and :func:`publications` keep each parsed frame for the length of a build (keyed by the
snapshot's sha256, so a new download is parsed anew); :func:`forget` empties the cache when the
build is done. Every frame is checked once, when it is parsed
(:func:`krefeld_data.clean.checks.check_schema`, :func:`~krefeld_data.clean.checks.check_unique`),
so a broken table fails every dataset that needs it with the same line, before anything is
written. Population and census tables get their ``census_basis`` here, from their own vintage.

The shaping helpers below (codes, totals, nationality, numbers) work on the tidy frames of any
supported format, flat files and classic tables alike, so makers never look at a layout.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from krefeld_data import catalog
from krefeld_data.clean.census import add_census_basis, census_kind
from krefeld_data.clean.checks import check_schema, check_unique
from krefeld_data.clean.hierarchy import attribute_codes
from krefeld_data.clean.regions import normalise_regions
from krefeld_data.errors import KrefeldDataError, MissingDataError
from krefeld_data.raw.store import RawStore

NUMERIC = ("", "zero")  # statuses that carry a number

_PARSED: dict[tuple[str, str], pd.DataFrame] = {}


def forget() -> None:
    """Drop every parsed frame (the end of a build, or a test that changes the store)."""
    _PARSED.clear()


def fetch_hint(table: str) -> str:
    """The command that gets ``table`` into the store."""
    source = catalog.SOURCE_TABLES.get(table)
    db = source.database if source else "regio"
    return f"`krefeld-data fetch {table} --db {db}` or `krefeld-data import FILE`"


def _parsed(snapshot: Any, *, german_regions: bool) -> pd.DataFrame:
    """One snapshot parsed, checked, with region keys and census basis; cached per build."""
    from krefeld_data.parse import read_table

    key = (snapshot.provenance.sha256 or str(snapshot.path), "de" if german_regions else "raw")
    cached = _PARSED.get(key)
    if cached is None:
        frame = read_table(snapshot)
        provenance = frame.attrs.get("provenance") or snapshot.provenance.to_dict()
        frame.attrs["provenance"] = provenance
        check_schema(frame)
        check_unique(frame)
        if german_regions and "region_code" in frame.columns and frame["region_code"].notna().any():
            frame = normalise_regions(frame)
        table = str(provenance.get("table") or "")
        if census_kind(table) is not None or provenance.get("source") == "zensus":
            frame = add_census_basis(frame)
        frame.attrs["sources"] = [provenance]
        _PARSED[key] = cached = frame
    out = cached.copy()
    out.attrs = {k: (list(v) if isinstance(v, list) else v) for k, v in cached.attrs.items()}
    return out


def latest(table: str, store: RawStore | None = None, *, german_regions: bool = True) -> pd.DataFrame:
    """The latest snapshot of ``table``, parsed, with ``region_key``, ``region`` and (for
    population tables) ``census_basis``. ``german_regions=False`` for Eurostat's ``DE``."""
    store = store or RawStore()
    snapshot = store.latest(table)
    if snapshot is None:
        raise MissingDataError(
            f"table {table} is not in the raw store {store.root}; get it with {fetch_hint(table)}"
        )
    return _parsed(snapshot, german_regions=german_regions)


def publications(table: str, store: RawStore | None = None) -> list[pd.DataFrame]:
    """Every stored snapshot of ``table``, parsed (from the cache), oldest first."""
    store = store or RawStore()
    return [_parsed(snapshot, german_regions=True) for snapshot in store.snapshots(table)]


def series(table: str, store: RawStore | None = None) -> pd.DataFrame:
    """Every stored publication of ``table`` spliced into one series (newest vintage wins).

    A download of the latest year and an older file with 1995–2015 together give the longest
    series. Each publication gets its census basis from its own vintage before splicing, so a
    value keeps the basis of the publication it came from (``source_snapshot`` names it).
    """
    from krefeld_data.clean.splice import splice

    store = store or RawStore()
    snapshots = store.snapshots(table)
    if len(snapshots) <= 1:
        return latest(table, store)
    frames = publications(table, store)
    for frame in frames:
        frame.attrs.pop("sources", None)
    spliced = normalise_regions(splice(frames))
    spliced.attrs["sources"] = [f.attrs["provenance"] for f in frames if f.attrs.get("provenance")]
    return spliced


def codes(frame: pd.DataFrame, var: str) -> pd.Series:
    """Attribute codes of ``var`` with the total as ``""`` (classic tables: the label)."""
    return attribute_codes(frame, var)


ADDED_COLUMNS = frozenset({"region", "region_key", "census_basis", "vintage", "status_code", "number",
                           "source_table", "source_snapshot"})


def classifying(frame: pd.DataFrame) -> list[str]:
    """The table's own classifying variables (not the columns cleaning or stories added)."""
    from krefeld_data.schema import variable_columns

    return [v for v in variable_columns(frame) if v not in ADDED_COLUMNS]


def find_variable(frame: pd.DataFrame, *markers: str) -> str:
    """The classifying variable whose codes or labels contain one of ``markers``.

    Lets a maker work with flat files (variables named after their codes) and classic tables
    (variables named after their labels) alike.
    """
    wanted = {m.lower() for m in markers}
    for var in classifying(frame):
        distinct = set(map(str, pd.unique(frame[var].astype(object))))
        code_col = f"{var}_code"
        if code_col in frame.columns:
            distinct |= set(map(str, pd.unique(frame[code_col].astype(object))))
        if {v.strip().lower() for v in distinct} & wanted:
            return var
    table = (frame.attrs.get("sources") or [frame.attrs.get("provenance") or {}])[0].get("table", "?")
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


