"""Splicing: one series from the same figures published in several tables, layouts and years.

Population by sex, for example, comes as a classic CSV for 1995–2015 and as ffcsv for later
years, under the same or a different table code. :func:`splice` stacks such frames into one
series with one row per region, year and attribute:

- rows are matched on keys, never on labels: the region by its registry key (so ``05114``,
  ``05114000`` and ``051140000000`` meet), each classifying variable by its attribute code
  (``""`` for the total; a format without codes, the classic CSV, borrows the code that the
  other frames give the same label);
- where publications overlap, the later vintage wins (see :func:`publication_date`: the
  recorded vintage or ``Stand``, the fetch time of a fetched file, else the latest reference
  date in the frame); ties rank by position in the list (later wins);
- each row keeps where it came from: ``source_table`` and ``source_snapshot`` (the raw file);
- overlapping values that disagree are revisions, which is normal: they are counted, logged
  and listed in ``attrs["splice"]``, never hidden;
- ``region_name`` is the newest publication's label for each key, so one region has one name.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pandas as pd

from krefeld_data.clean.hierarchy import TOTAL_CODE, TOTAL_LABEL
from krefeld_data.clean.regions import region_key
from krefeld_data.errors import KrefeldDataError
from krefeld_data.schema import LEADING, STATUSES, TRAILING, variable_columns

log = logging.getLogger(__name__)

SOURCE_COLUMNS = ["source_table", "source_snapshot"]
MAX_LISTED_REVISIONS = 50


def publication_date(frame: pd.DataFrame) -> datetime | None:
    """When the figures in ``frame`` were published (their vintage), as well as we can tell.

    The vintage the provenance records (a ``Stand:`` line, a cassette's response date), the
    data's own ``stand``, the fetch time for a fetched file
    (:func:`krefeld_data.clean.census.vintage_of`); else the latest reference date in the data
    (a publication cannot precede its own figures); else None. An imported file's import time
    is no vintage: a file downloaded in 2017 and imported today is still the 2017 publication.
    """
    from krefeld_data.clean.census import vintage_of

    provenance = frame.attrs.get("provenance") or {}
    vintage = vintage_of(provenance, frame.attrs)
    if vintage.day is not None:
        return datetime(vintage.day.year, vintage.day.month, vintage.day.day)
    if "date" in frame.columns and frame["date"].notna().any():
        return pd.Timestamp(frame["date"].max()).to_pydatetime().replace(tzinfo=None)
    if "year" in frame.columns and frame["year"].notna().any():
        return datetime(int(frame["year"].max()), 12, 31)
    return None


def _parse_date(text: Any) -> datetime | None:
    if not text:
        return None
    text = str(text).strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return parsed.replace(tzinfo=None)
    except ValueError:
        pass
    match = re.match(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\D+(\d{1,2}):(\d{2})(?::(\d{2}))?)?", text)
    if match:
        day, month, year, hour, minute, second = match.groups()
        return datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                        int(second or 0))
    return None


def _label_key(label: Any) -> str:
    return re.sub(r"\s+", " ", str(label)).strip().lower()


def _attribute_keys(frames: list[pd.DataFrame], variables: list[str]) -> dict[str, dict[str, str]]:
    """Per variable: normalised label -> code, learned from the frames that publish codes."""
    mapping: dict[str, dict[str, str]] = {v: {} for v in variables}
    for frame in frames:
        for var in variables:
            code_col = f"{var}_code"
            if var not in frame.columns or code_col not in frame.columns:
                continue
            pairs = frame[[var, code_col]].dropna().drop_duplicates()
            for label, code in pairs.itertuples(index=False):
                if str(code) != "":
                    mapping[var].setdefault(_label_key(label), str(code))
    return mapping


def _variable_key(frame: pd.DataFrame, var: str, label_to_code: dict[str, str]) -> pd.Series:
    labels = frame[var].astype(object) if var in frame.columns else pd.Series(pd.NA, index=frame.index)
    code_col = f"{var}_code"
    codes = frame[code_col].astype(object) if code_col in frame.columns else pd.Series(
        pd.NA, index=frame.index
    )
    has_code = codes.notna() & (codes.astype(str) != "")
    label_keys = labels.map(_label_key)
    from_label = label_keys.map(label_to_code)
    total = label_keys == TOTAL_LABEL.lower()
    key = codes.where(has_code, from_label.where(from_label.notna(), labels))
    key = key.where(has_code | ~total, TOTAL_CODE)
    unmatched = ~has_code & ~total & from_label.isna()
    if unmatched.any():
        log.info("%s: %d rows of %s have no code and a label no other frame codes; joined on "
                 "the label", _tables(frame), int(unmatched.sum()), var)
    return key.astype(str)


def splice(
    frames: Sequence[pd.DataFrame],
    keys: Sequence[str] | None = None,
    *,
    value_tolerance: float = 0.0,
) -> pd.DataFrame:
    """One series from several publications of it; newest wins; sources and revisions kept.

    ``keys`` are the columns that identify one value; by default the region key, the year and
    every classifying variable (matched by code). Values differing by more than
    ``value_tolerance`` (or in status) where publications overlap count as revisions.
    """
    frames = [f for f in frames if f is not None]
    if not frames:
        raise KrefeldDataError("splice needs at least one frame")
    added = ("census_basis", "region", "region_key", *SOURCE_COLUMNS)  # cleaning's, not the table's
    variables = sorted({v for f in frames for v in variable_columns(f) if v not in added})
    label_to_code = _attribute_keys(frames, variables)
    ranked = sorted(
        enumerate(frames),
        key=lambda item: (publication_date(item[1]) or datetime.min, item[0]),
    )
    if any(publication_date(f) is None for f in frames):
        log.info("splice: %d of %d frames carry no date at all; they rank by position",
                 sum(publication_date(f) is None for f in frames), len(frames))
    parts = []
    sources: list[dict[str, Any]] = []
    for rank, (_, frame) in enumerate(ranked):
        provenance = frame.attrs.get("provenance") or {}
        part = frame.copy()
        if "region_key" in part.columns:
            part["region_key"] = part["region_key"].astype(str)
        else:
            codes = part["region_code"].astype(str)
            part["region_key"] = codes.map({c: region_key(c) for c in codes.unique()})
        # The provenance names the table as requested (12411-01-01-4); ffcsv only says 12411.
        table = provenance.get("table")
        part["source_table"] = str(table) if table else part["table"].astype(str)
        part["source_snapshot"] = str(provenance.get("file", ""))
        for var in variables:
            part[f"_key_{var}"] = _variable_key(part, var, label_to_code[var])
        part["_rank"] = rank
        parts.append(part)
        if provenance:
            sources.append(dict(provenance))
    stacked = pd.concat(parts, ignore_index=True)
    default_keys = ["region_key", "year", *(f"_key_{v}" for v in variables)]
    key_columns = list(keys) if keys is not None else default_keys
    missing = [k for k in key_columns if k not in stacked.columns]
    if missing:
        raise KrefeldDataError(f"splice: key columns {missing} are not in the frames")
    stacked = stacked.sort_values("_rank", ascending=False, kind="stable")
    report = _revisions(stacked, key_columns, value_tolerance)
    result = stacked.drop_duplicates(subset=key_columns, keep="first")
    newest_name = result.drop_duplicates("region_key").set_index("region_key")["region_name"]
    result = result.assign(region_name=result["region_key"].map(newest_name))
    order = [c for c in ["region_key", "year", *key_columns] if c in result.columns]
    result = result.sort_values(list(dict.fromkeys(order)), kind="stable")
    result = result.drop(columns=[c for c in result.columns if c.startswith("_")])
    result = _tidy_types(result, variables).reset_index(drop=True)
    result.attrs = {"sources": sources[::-1], "splice": report}
    log.info("splice: %d rows from %d frames; %d values published more than once, %d revised",
             len(result), len(frames), report["overlapping_values"], report["revisions"])
    return result


def _revisions(stacked: pd.DataFrame, key_columns: list[str], tolerance: float) -> dict[str, Any]:
    duplicated = stacked.duplicated(subset=key_columns, keep=False)
    overlap = stacked[duplicated]
    if overlap.empty:
        return {"overlapping_values": 0, "revisions": 0, "listed": []}
    newest = overlap.drop_duplicates(subset=key_columns, keep="first")
    older = overlap[overlap.duplicated(subset=key_columns, keep="first")]
    cols = [*key_columns, "value", "status", "source_table", "source_snapshot"]
    paired = older[cols].merge(newest[cols], on=key_columns, suffixes=("_old", "_new"))
    value_diff = (paired["value_new"] - paired["value_old"]).abs()
    both_nan = paired["value_new"].isna() & paired["value_old"].isna()
    changed = (~both_nan & ~(value_diff <= tolerance)) | (
        paired["status_new"].astype(str) != paired["status_old"].astype(str)
    )
    revised = paired[changed]
    for row in revised.head(MAX_LISTED_REVISIONS).to_dict("records"):
        log.info("revision: %s: %s (%s) -> %s (%s)",
                 {k: row[k] for k in key_columns if not k.startswith("_rank")},
                 row["value_old"], row["source_table_old"], row["value_new"], row["source_table_new"])
    listed = [
        {k.removeprefix("_key_"): _plain(v) for k, v in row.items()}
        for row in revised.head(MAX_LISTED_REVISIONS).to_dict("records")
    ]
    return {"overlapping_values": len(newest), "revisions": len(revised), "listed": listed}


def _plain(value: Any) -> Any:
    if value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def _tidy_types(frame: pd.DataFrame, variables: list[str]) -> pd.DataFrame:
    out = frame.copy()
    for column in [*variables, "status", "quality", "census_basis", "region"]:
        if column not in out.columns:
            continue
        if column in ("status", "quality"):
            values = out[column].astype(object).fillna("").astype(str)
            known = STATUSES if column == "status" else []
            categories = known + sorted(set(values) - set(known))
            out[column] = pd.Categorical(values, categories=categories)
        else:
            out[column] = out[column].astype("category")
    if "year" in out.columns:
        out["year"] = out["year"].astype("Int64")
    middle = [c for v in variables for c in (v, f"{v}_code") if c in out.columns]
    front = [c for c in LEADING if c in out.columns] + ["region_key"]
    front += [c for c in ("region",) if c in out.columns]
    back = [c for c in TRAILING if c in out.columns]
    rest = [c for c in out.columns if c not in set(front) | set(middle) | set(back)]
    return out[front + middle + back + rest]


def _tables(frame: pd.DataFrame) -> str:
    return ", ".join(sorted(str(t) for t in frame["table"].dropna().unique())) if len(frame) else "frame"
