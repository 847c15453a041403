"""Eurostat SDMX-CSV (the Data Browser's download button, and the API's ``format=SDMX-CSV``).

Two generations, both one row per observation:

- **2.0**: ``STRUCTURE,STRUCTURE_ID[,STRUCTURE_NAME],<dimensions…>,TIME_PERIOD,OBS_VALUE,OBS_FLAG,
  CONF_STATUS``. "With labels", every coded column is followed by its label column (``freq,Time
  frequency,…,cities,Geopolitical entity (declaring),…``).
- **1.0**: ``DATAFLOW,LAST UPDATE,<dimensions…>,TIME_PERIOD,OBS_VALUE,OBS_FLAG[,CONF_STATUS]``;
  ``LAST UPDATE`` is the publication date (``22/05/26 11:00:00``). "With labels" writes
  ``CODE:Label`` in one cell.

The rows become a cube and go through the same mapping as JSON-stat
(:func:`krefeld_data.parse.jsonstat.tidy`): ``OBS_FLAG`` and ``CONF_STATUS`` are joined as
``OBS|CONF`` exactly as JSON-stat writes its status, so ``quality`` and ``status`` mean the same
in both formats (:mod:`krefeld_data.parse.flags`); the geography (``geo``, ``cities``, ``reporter``)
is ``region_code``, its label ``region_name`` (the code again where the file has no labels).
A row with neither a value nor a flag gives no row, as JSON-stat leaves such a cell out.
"""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pandas as pd

from krefeld_data.errors import ParseError
from krefeld_data.parse import common
from krefeld_data.parse import sniff as formats
from krefeld_data.parse.jsonstat import GEO_DIMENSIONS, Cube, Dimension, tidy

PREFIX_2 = ("STRUCTURE", "STRUCTURE_ID", "STRUCTURE_NAME", "ACTION")
PREFIX_1 = ("DATAFLOW", "LAST UPDATE")
OBSERVATION = ("TIME_PERIOD", "OBS_VALUE", "OBS_FLAG", "CONF_STATUS")
STRUCTURE_ID = re.compile(r"^(?:[A-Za-z0-9_.]+:)?([A-Za-z0-9_\-]+)(?:\([^)]*\))?$")
LAST_UPDATE = re.compile(r"^(\d{2})/(\d{2})/(\d{2}|\d{4})\b")
CODE_LABEL = re.compile(r"^([^:\s][^:]*?):\s?(.*)$")


def parse(payload: formats.Payload, where: str) -> pd.DataFrame:
    first_line = payload.text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(payload.text), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise ParseError(f"{where}: line {reader.line_num}: broken quoting ({exc})") from None
    header = [h.strip() for h in rows[0]] if rows else []
    upper = [h.upper() for h in header]
    version = "2.0" if upper and upper[0] == "STRUCTURE" else "1.0"
    if "OBS_VALUE" not in upper or "TIME_PERIOD" not in upper:
        raise ParseError(f"{where}: SDMX-CSV header without TIME_PERIOD and OBS_VALUE: "
                         f"{','.join(header)[:160]!r}")
    columns = _columns(header, upper, where)
    data = [(number, row) for number, row in enumerate(rows[1:], start=2) if any(c.strip() for c in row)]
    if not data:
        raise ParseError(f"{where}: the SDMX-CSV file has a header but no data rows (a cut-off download?)")
    for number, row in data:
        if len(row) != len(header):
            raise ParseError(f"{where}: line {number} has {len(row)} fields where the header has "
                             f"{len(header)}: {delimiter.join(row)[:120]!r}")

    def cells(name: str) -> list[str]:
        index = columns.get(name)
        return [row[index].strip() if index is not None else "" for _, row in data]

    structure = cells("STRUCTURE_ID" if version == "2.0" else "DATAFLOW")
    ids = {_dataset_id(s) for s in structure}
    if len(ids) != 1:
        raise ParseError(f"{where}: the file mixes datasets: {', '.join(sorted(ids))[:120]}")
    (dataset,) = ids
    label = next(iter(dict.fromkeys(cells("STRUCTURE_NAME"))), "")
    dims = list(columns["dimensions"])
    dimensions, positions = [], []
    for dim, code_index, label_index in dims:
        codes = [row[code_index].strip() for _, row in data]
        labels = [row[label_index].strip() for _, row in data] if label_index is not None else None
        if labels is None and codes and all(CODE_LABEL.match(c) for c in codes):
            split = [CODE_LABEL.match(c).groups() for c in codes]  # type: ignore[union-attr]
            codes, labels = [s[0].strip() for s in split], [s[1].strip() for s in split]
        order = list(dict.fromkeys(codes))
        label_of = dict(zip(codes, labels or codes, strict=True))
        lookup = {code: k for k, code in enumerate(order)}
        dimensions.append(Dimension(dim, columns["dim_labels"].get(dim, dim), order,
                                    [label_of[c] for c in order]))
        positions.append(np.asarray([lookup[c] for c in codes], dtype=np.int64))
    times = [CODE_LABEL.match(t).group(1) if ":" in t and CODE_LABEL.match(t) else t
             for t in cells("TIME_PERIOD")]
    time_order = list(dict.fromkeys(times))
    time_lookup = {t: k for k, t in enumerate(time_order)}
    dimensions.append(Dimension("time", "Time", time_order, time_order))
    positions.append(np.asarray([time_lookup[t] for t in times], dtype=np.int64))

    values_raw, flags, conf = cells("OBS_VALUE"), cells("OBS_FLAG"), cells("CONF_STATUS")
    keep = [i for i in range(len(data)) if (values_raw[i] not in ("", ":")) or flags[i] or conf[i]]
    sizes = [len(d.codes) for d in dimensions]
    flat = np.ravel_multi_index([p[keep] for p in positions], sizes) if keep else np.asarray([], np.int64)
    unique, counts = np.unique(flat, return_counts=True)
    if (counts > 1).any():
        second = np.flatnonzero(flat == unique[counts > 1][0])[1]
        raise ParseError(f"{where}: line {data[keep[second]][0]} repeats an observation of an earlier line")
    values, statuses = [], []
    for i in keep:
        text = values_raw[i]
        values.append(_number(text, data[i][0], where) if text not in ("", ":") else None)
        raw = flags[i] + (f"|{conf[i]}" if conf[i] else "")
        statuses.append(raw or None)
    labelled = any(i is not None for _, _, i in dims) or any(d.codes != d.labels for d in dimensions)
    order = np.argsort(flat, kind="stable")
    updated = next((u for u in cells("LAST UPDATE") if u), "")
    attrs = {
        "dataset": dataset.lower(),
        "dataset_label": label,
        "updated": updated,
        "source": f"ESTAT (SDMX-CSV {version})",
        "sdmx_csv_version": version,
        "labels": "in the file" if labelled else "none in the file: codes repeated",
        "cells_without_content": len(data) - len(keep),
    }
    vintage = _vintage(updated)
    if vintage:
        attrs["vintage"] = vintage
        attrs["vintage_source"] = "LAST UPDATE column of the file"
    cube = Cube(
        table=dataset,
        label=label,
        dimensions=dimensions,
        cells=flat[order],
        values=[values[k] for k in order],
        statuses=[statuses[k] for k in order],
        geo=next((d for d, _, _ in dims if d.lower() in GEO_DIMENSIONS), None),
        time="time",
        attrs=attrs,
    )
    return tidy(cube, where)


def _columns(header: list[str], upper: list[str], where: str) -> dict:
    """Positions of the fixed columns, and each dimension with the position of its label column.

    Dimensions stand between the structure columns and TIME_PERIOD; after it come the
    observation and its attributes (OBS_FLAG, CONF_STATUS; other attributes are not read). In
    the labelled 2.0 layout each coded column is followed by its label: the label column is
    recognised by position (the column after TIME_PERIOD is not OBS_VALUE), not by its wording,
    which follows the download language.
    """
    found: dict = {"dimensions": [], "dim_labels": {}}
    time = upper.index("TIME_PERIOD")
    labelled = time + 1 < len(upper) and upper[time + 1] != "OBS_VALUE"
    i = 0
    while i < time:
        name = upper[i]
        if name in PREFIX_2 + PREFIX_1:
            found[name] = i
            i += 1  # STRUCTURE_NAME is the label of STRUCTURE_ID; ACTION has none
            continue
        if labelled:
            if i + 1 >= time:
                raise ParseError(f"{where}: SDMX-CSV column {header[i]!r} lacks its label column")
            found["dimensions"].append((header[i], i, i + 1))
            found["dim_labels"][header[i]] = header[i + 1]
            i += 2
        else:
            found["dimensions"].append((header[i], i, None))
            i += 1
    for j in range(time, len(upper)):
        if upper[j] in (*OBSERVATION, "OBS_STATUS"):
            found.setdefault(upper[j], j)
    if "OBS_FLAG" not in found and "OBS_STATUS" in found:
        found["OBS_FLAG"] = found["OBS_STATUS"]  # the SDMX name of the same flag
    if "OBS_VALUE" not in found:
        raise ParseError(f"{where}: cannot find the OBS_VALUE column in the SDMX-CSV header")
    return found


def _dataset_id(structure: str) -> str:
    match = STRUCTURE_ID.match(structure.strip())
    return match.group(1) if match else structure.strip()


def _number(text: str, line: int, where: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ParseError(f"{where}: line {line}: OBS_VALUE {text!r} is not a number") from None


def _vintage(updated: str) -> str:
    """``22/05/26 11:00:00`` (the Data Browser's LAST UPDATE) → ``2026-05-22``; ISO dates too."""
    match = LAST_UPDATE.match(updated)
    if match:
        day, month, year = match.groups()
        year = year if len(year) == 4 else f"20{year}"
        return common.iso_date_of(f"{day}.{month}.{year}")
    return common.iso_date_of(updated)
