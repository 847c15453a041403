"""Eurostat JSON-stat into the tidy schema: the Statistics API (2.0) and the retired wdds v1.1 API.

A JSON-stat dataset is a dense cube stored sparsely: ``value`` and ``status`` map the flat,
row-major index (last dimension varying fastest) to a number or a flag, as an object keyed by
the index as a string (in any key order) or as an array. Cells without a value are simply
absent; a cell that carries only a status (``"|C"``: confidential) is still a published cell
and becomes a row with NaN, as does a value written as text (``":C"``, Comext).

Mapping to the tidy schema (shared with :mod:`krefeld_data.parse.eurostat_tsv`):

- ``table``: the dataset id in lower case (``une_rt_m``, ``ds-059358``); ``measure``: the id in
  upper case as the Statistics API writes it (``UNE_RT_M``); ``measure_label``: the dataset label.
- ``region_code`` / ``region_name``: the geo dimension, which is ``geo``, ``cities`` (Urban Audit)
  or ``reporter`` (Comext), or whatever ``role.geo`` names. Eurostat codes (``DE``, ``DE508C``)
  are not German region keys; the cleaning layer maps them.
- ``year`` from ``time``; ``date`` is the first day of a month, quarter, half-year or ISO week
  (``2024-01`` → 2024-01-01), the day itself for daily data, and NaT for yearly data: a yearly
  Eurostat figure may be a stock on 1 January or a flow over the year, and we do not invent a day.
- ``unit``: the unit label, the code in ``unit_code`` (after ``quality``); ``""`` without a unit
  dimension. ``freq`` is dropped when it has a single category (the time codes carry it).
- every other dimension: a category column named after its id in lower case, plus ``<id>_code``.
- ``status``: ``""`` for a number; for a cell without one ``confidential`` (flag ``C``/``c``),
  ``not_meaningful`` (``z``, or a text such as a unit ``KG`` in the value), else ``unknown``
  (``:``). ``quality``: the observation flags (``e``, ``p``, ``b``, …; for ``OBS|CONF`` such as
  ``e|C`` the part before ``|``), ``""`` where none.

Frames without rows say why in ``attrs["empty_reason"]``; the caller decides whether that is an
error (an unknown geo code gives HTTP 200 and a dimension of size 0).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from math import prod
from typing import Any

import numpy as np
import pandas as pd

from krefeld_data.errors import ParseError
from krefeld_data.parse import sniff as formats
from krefeld_data.parse.common import Variable, empty_frame, tidy_frame
from krefeld_data.parse.flags import missing_status, split_status
from krefeld_data.schema import LEADING, STATUSES, TRAILING

log = logging.getLogger(__name__)

GEO_DIMENSIONS = ("geo", "cities", "reporter")  # in this order of preference
TIME_DIMENSIONS = ("time", "time_period")
UNIT_DIMENSION = "unit"
FREQ_DIMENSION = "freq"


@dataclass
class Dimension:
    """One dimension: its categories in position order."""

    id: str
    label: str
    codes: list[str]
    labels: list[str]


@dataclass
class Cube:
    """What both JSON flavours and the TSV boil down to before the tidy frame is built."""

    table: str  # dataset id as published, e.g. UNE_RT_M
    label: str
    dimensions: list[Dimension]
    cells: np.ndarray  # flat indices of the published cells, ascending
    values: list[Any]  # per cell: number, text or None
    statuses: list[str | None]  # per cell: raw status string or None
    geo: str | None = None  # id of the geo dimension
    time: str | None = None  # id of the time dimension
    attrs: dict[str, Any] = field(default_factory=dict)


def parse(payload: formats.Payload, where: str) -> pd.DataFrame:
    """A JSON-stat 2.0 dataset or a legacy wdds v1.1 answer as a tidy frame."""
    obj = payload.json
    if obj is None:
        raise ParseError(f"{where}: no JSON content to read as JSON-stat")
    if payload.kind == formats.JSONSTAT_LEGACY:
        cube = _legacy_cube(obj, where)
    else:
        cube = _cube(obj, where, payload.table_code)
    return tidy(cube, where)


# --- JSON-stat 2.0 (Statistics API) ------------------------------------------------------------


def _cube(obj: Mapping[str, Any], where: str, fallback_id: str | None) -> Cube:
    ids, sizes = obj.get("id"), obj.get("size")
    dimensions = obj.get("dimension")
    if not isinstance(ids, list) or not isinstance(sizes, list) or not isinstance(dimensions, dict):
        raise ParseError(f"{where}: JSON-stat dataset without 'id', 'size' and 'dimension'")
    extension = obj.get("extension") if isinstance(obj.get("extension"), dict) else {}
    table = str(extension.get("id") or fallback_id or "")
    dims = _dimensions(ids, sizes, dimensions, where)
    total = prod(sizes)
    cells, values, statuses = _cells(obj.get("value"), obj.get("status"), total, where)
    status_labels = (extension.get("status") or {}).get("label") or {}
    role = obj.get("role") if isinstance(obj.get("role"), dict) else {}
    return Cube(
        table=table,
        label=str(obj.get("label") or ""),
        dimensions=dims,
        cells=cells,
        values=values,
        statuses=statuses,
        geo=_role(role, "geo", ids, GEO_DIMENSIONS),
        time=_role(role, "time", ids, TIME_DIMENSIONS),
        attrs={
            "dataset": table,
            "dataset_label": str(obj.get("label") or ""),
            "updated": str(obj.get("updated") or ""),
            "source": str(obj.get("source") or ""),
            "status_labels": dict(status_labels),
            "positions_with_no_data": extension.get("positions-with-no-data") or {},
        },
    )


def _dimensions(ids: Sequence[Any], sizes: Sequence[Any], dimensions: Mapping[str, Any], where: str):
    if len(ids) != len(sizes):
        raise ParseError(f"{where}: JSON-stat 'id' has {len(ids)} entries but 'size' {len(sizes)}")
    result = []
    for dim_id, size in zip(ids, sizes, strict=True):
        spec = dimensions.get(dim_id)
        if not isinstance(spec, dict) or not isinstance(size, int) or size < 0:
            raise ParseError(f"{where}: JSON-stat dimension {dim_id!r} is missing or has no valid size")
        codes, labels = _categories(spec.get("category") or {}, dim_id, where)
        if len(codes) != size:
            raise ParseError(
                f"{where}: JSON-stat dimension {dim_id!r} has {len(codes)} categories but size {size}"
            )
        result.append(Dimension(str(dim_id), str(spec.get("label") or dim_id), codes, labels))
    return result


def _categories(category: Mapping[str, Any], dim_id: str, where: str) -> tuple[list[str], list[str]]:
    """Codes in position order: ``index`` is ``{code: position}`` or a list of codes; a single
    category may come without an index (then ``label`` has one entry)."""
    index = category.get("index")
    labels = category.get("label") or {}
    if isinstance(index, list):
        codes = [str(c) for c in index]
    elif isinstance(index, dict):
        numbers = all(isinstance(v, int) and not isinstance(v, bool) for v in index.values())
        positions = sorted(index.values()) if numbers else None  # a damaged file may mix in text
        if positions != list(range(len(index))):
            raise ParseError(f"{where}: JSON-stat dimension {dim_id!r}: category positions are not 0…n-1")
        codes = [str(code) for code, _ in sorted(index.items(), key=lambda item: item[1])]
    elif index is None and isinstance(labels, dict) and len(labels) <= 1:
        codes = [str(c) for c in labels]
    else:
        raise ParseError(f"{where}: JSON-stat dimension {dim_id!r} has no category index")
    return codes, [str(labels.get(code, code)) for code in codes]


def _cells(value: Any, status: Any, total: int, where: str) -> tuple[np.ndarray, list[Any], list[Any]]:
    """Published cells: those with a value, a status or both, by flat index."""
    values = _by_index(value, total, "value", where)
    if isinstance(status, str):  # one status for every cell (allowed by the JSON-stat spec)
        statuses = dict.fromkeys(range(total), status)
    else:
        statuses = _by_index(status, total, "status", where)
    cells = sorted({i for i, v in values.items() if v is not None} | {i for i, s in statuses.items() if s})
    return (
        np.asarray(cells, dtype=np.int64),
        [values.get(i) for i in cells],
        [statuses.get(i) or None for i in cells],
    )


def _by_index(content: Any, total: int, name: str, where: str) -> dict[int, Any]:
    if content is None:
        return {}
    if isinstance(content, list):
        if len(content) != total:
            raise ParseError(f"{where}: JSON-stat '{name}' has {len(content)} entries for {total} cells")
        return {i: v for i, v in enumerate(content) if v is not None}
    if not isinstance(content, dict):
        raise ParseError(f"{where}: JSON-stat '{name}' is neither an object nor an array")
    result: dict[int, Any] = {}
    for key, item in content.items():
        try:
            index = int(key)
        except ValueError:
            raise ParseError(f"{where}: JSON-stat '{name}' has the key {key!r}, not a cell index") from None
        if not 0 <= index < total:
            raise ParseError(f"{where}: JSON-stat '{name}' index {index} lies outside the {total} cells")
        result[index] = item
    return result


def _role(role: Mapping[str, Any], name: str, ids: Sequence[str], known: Sequence[str]) -> str | None:
    named = role.get(name)
    if isinstance(named, list) and named and named[0] in ids:
        return str(named[0])
    lowered = {str(i).lower(): str(i) for i in ids}
    for candidate in known:
        if candidate in lowered:
            return lowered[candidate]
    return None


# --- retired wdds v1.1 API ({"nama_gdp_c": {...}}) ---------------------------------------------


def _legacy_cube(obj: Mapping[str, Any], where: str) -> Cube:
    """The old API wrapped a JSON-stat 1.x dataset in its code; id and size sit in 'dimension'."""
    ((key, inner),) = obj.items()
    dimension = dict(inner.get("dimension") or {})
    ids, sizes = dimension.pop("id", None), dimension.pop("size", None)
    if not isinstance(ids, list) or not isinstance(sizes, list):
        raise ParseError(f"{where}: legacy Eurostat JSON {key!r} without dimension 'id' and 'size'")
    dims = _dimensions(ids, sizes, dimension, where)
    status = inner.get("status")
    status_values = status.get("value") if isinstance(status, dict) and "value" in status else status
    status_labels = ((status.get("category") or {}).get("label") or {}) if isinstance(status, dict) else {}
    cells, values, statuses = _cells(inner.get("value"), status_values, prod(sizes), where)
    table = str(inner.get("code") or key)
    return Cube(
        table=table,
        label=str(inner.get("title") or inner.get("label") or ""),
        dimensions=dims,
        cells=cells,
        values=values,
        statuses=statuses,
        geo=_role({}, "geo", ids, GEO_DIMENSIONS),
        time=_role({}, "time", ids, TIME_DIMENSIONS),
        attrs={
            "dataset": table,
            "dataset_label": str(inner.get("title") or ""),
            "updated": _epoch_ms(inner.get("lastUpdateDate")),
            "source": "ESTAT (wdds v1.1, retired)",
            "status_labels": dict(status_labels),
        },
    )


def _epoch_ms(value: Any) -> str:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value / 1000, tz=UTC).isoformat()
    return str(value or "")


# --- the tidy frame ----------------------------------------------------------------------------


def tidy(cube: Cube, where: str) -> pd.DataFrame:
    """Rows for the published cells of ``cube``, in the tidy schema."""
    attrs = {**cube.attrs, "dimensions": {d.id: d.label for d in cube.dimensions}}
    updated = re.match(r"\d{4}-\d{2}-\d{2}", str(attrs.get("updated") or ""))
    if updated and not attrs.get("vintage"):
        # The publication's vintage, as the classic tables' Stand line gives it.
        attrs["vintage"] = updated.group(0)
        attrs["vintage_source"] = "JSON-stat 'updated' of the file"
    table = cube.table.lower()
    empty = [d.id for d in cube.dimensions if not d.codes]
    if empty:
        reason = (
            f"dimension {', '.join(empty)} has no categories (size 0): the query named a code the "
            f"dataset does not have, or a period outside its data"
        )
        return _empty(table, cube, attrs, reason, where)
    if len(cube.cells) == 0:
        selected = prod(len(d.codes) for d in cube.dimensions)
        reason = f"no cell of the {selected} selected holds a value or flag"
        return _empty(table, cube, attrs, reason, where)

    sizes = [len(d.codes) for d in cube.dimensions]
    positions = np.unravel_index(cube.cells, sizes)
    column = {d.id: pos for d, pos in zip(cube.dimensions, positions, strict=True)}
    by_id = {d.id: d for d in cube.dimensions}
    n = len(cube.cells)

    def codes_of(dim_id: str) -> pd.Categorical:
        return pd.Categorical.from_codes(column[dim_id], categories=_unique(by_id[dim_id].codes))

    def labels_of(dim_id: str) -> pd.Categorical:
        dim = by_id[dim_id]
        cats = _unique(dim.labels)
        return pd.Categorical.from_codes(np.asarray([cats.index(x) for x in dim.labels])[column[dim_id]],
                                         categories=cats)

    region_code = codes_of(cube.geo) if cube.geo else ""
    region_name = labels_of(cube.geo) if cube.geo else ""
    if cube.time:
        years, dates = _periods(by_id[cube.time].codes, where)
        year = years[column[cube.time]]
        day = dates[column[cube.time]]
    else:
        year, day = None, None
    unit_dim = next((d.id for d in cube.dimensions if d.id.lower() == UNIT_DIMENSION), None)
    fixed = {cube.geo, cube.time, unit_dim}
    variables = [
        Variable(name=_column_name(d.id, where), labels=labels_of(d.id), codes=codes_of(d.id),
                 code=d.id, label=d.label)
        for d in cube.dimensions
        if d.id not in fixed and not (d.id.lower() == FREQ_DIMENSION and len(d.codes) == 1)
    ]
    value, status, quality, texts = _interpret(cube.values, cube.statuses)
    attrs["text_values"] = texts
    frame = tidy_frame(
        n=n, table=table, region_code=region_code, region_name=region_name, year=year, date=day,
        variables=variables, measure=cube.table.upper(), measure_label=cube.label,
        unit=labels_of(unit_dim) if unit_dim else "", value=value, status=status, quality=quality,
        where=where, attrs=attrs,
    )
    frame["unit_code"] = codes_of(unit_dim).astype(str) if unit_dim else ""
    frame["unit_code"] = frame["unit_code"].astype("str")
    return frame


def _empty(table: str, cube: Cube, attrs: dict[str, Any], reason: str, where: str) -> pd.DataFrame:
    log.info("%s: %s: %s", where, cube.table, reason)
    frame = empty_frame(table, {**attrs, "empty_reason": reason})
    frame["unit_code"] = pd.Series([], dtype="str")
    return frame


def _unique(items: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _column_name(dim_id: str, where: str) -> str:
    """Lower-case id; a dimension whose id is taken by the schema gets a ``dim_`` prefix."""
    name = dim_id.lower().replace("-", "_")
    if name in set(LEADING) | set(TRAILING) | {"unit_code"} or name.endswith("_code"):
        log.info("%s: dimension %r is named dim_%s to keep clear of the schema", where, dim_id, name)
        name = f"dim_{name}"
    return name


# --- cells -------------------------------------------------------------------------------------

_MISSING_TEXT = re.compile(r"^:\s*(\S*)$")  # ':' or ':C' / ': c' written in the value itself


def _interpret(values: Sequence[Any], statuses: Sequence[str | None]):
    """Numbers, statuses, quality flags per cell, plus a count of values published as text.

    Plain numbers without a flag (nearly all cells) are converted in one go; only the others
    are looked at one by one.
    """
    n = len(values)
    number = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(dtype=float, copy=True)
    flagged = np.fromiter((raw is not None for raw in statuses), dtype=bool, count=n)
    status = np.zeros(n, dtype=np.int8)  # index into STATUSES; 0 = a number
    quality = np.full(n, "", dtype=object)
    texts: dict[str, int] = {}
    for i in np.flatnonzero(np.isnan(number) | flagged):
        observation, conf = split_status(statuses[i])
        quality[i] = observation
        value = values[i]
        missing_flag = ""
        if isinstance(value, str):
            match = _MISSING_TEXT.match(value.strip())
            if match:
                missing_flag = match.group(1)
            elif _float(value) is None:
                texts[value] = texts.get(value, 0) + 1
                missing_flag = "z"
        if np.isnan(number[i]):
            status[i] = STATUSES.index(missing_status(observation + missing_flag, conf + missing_flag))
    status_cat = pd.Categorical.from_codes(status, categories=STATUSES)
    quality_cat = pd.Categorical(quality)
    if "" not in quality_cat.categories:
        quality_cat = quality_cat.add_categories([""])
    return number, status_cat, quality_cat, texts


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


# --- time --------------------------------------------------------------------------------------

_PERIODS = (
    (re.compile(r"^(\d{4})$"), lambda y, _: None),
    (re.compile(r"^(\d{4})-?M?(\d{2})$"), lambda y, m: date(y, int(m), 1)),
    (re.compile(r"^(\d{4})-?Q([1-4])$"), lambda y, q: date(y, 3 * int(q) - 2, 1)),
    (re.compile(r"^(\d{4})-?[SH]([12])$"), lambda y, s: date(y, 6 * int(s) - 5, 1)),
    (re.compile(r"^(\d{4})-?W(\d{2})$"), lambda y, w: date.fromisocalendar(y, int(w), 1)),
    (re.compile(r"^(\d{4})-(\d{2}-\d{2})$"), lambda y, md: date.fromisoformat(f"{y}-{md}")),
)


def _periods(codes: Sequence[str], where: str) -> tuple[pd.arrays.IntegerArray, np.ndarray]:
    """Year and date per time category (rules in the module docstring)."""
    years: list[int] = []
    dates: list[Any] = []
    for code in codes:
        text = str(code).strip()
        for pattern, to_date in _PERIODS:
            match = pattern.match(text)
            if match:
                year = int(match.group(1))
                try:
                    day = to_date(year, match.groups()[-1])
                except ValueError:
                    raise ParseError(f"{where}: the time period {code!r} is not a valid date") from None
                years.append(year)
                dates.append(np.datetime64(day, "ns") if day else np.datetime64("NaT", "ns"))
                break
        else:
            raise ParseError(
                f"{where}: the time period {code!r} is not one Eurostat uses (2024, 2024-01, 2024-Q1, "
                f"2024-S1, 2024-W01, 2024-01-31)"
            )
    return pd.array(years, dtype="Int64"), np.asarray(dates, dtype="datetime64[ns]")
