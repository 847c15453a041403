"""Eurostat SDMX-TSV bulk files into the tidy schema (same mapping as :mod:`.jsonstat`).

The layout: a header ``freq,geo,unit\\TIME_PERIOD<TAB>2022<TAB>2023`` (the period codes may carry
trailing spaces), then one line per series: its codes joined by commas, a tab, and one cell per
period. A cell is a number with optional flags (``12345 e``), ``:`` (not available), ``:`` with a
flag (``: c``, or ``:C`` on the Comext host), or a text (``KG``, a unit). Lines end in CRLF.

The file carries codes only, no labels: label columns repeat the code and ``region_name`` is the
geo code, so that grouping by label still works; ``attrs["labels"]`` says so. A plain ``:`` is a
cell without content and gives no row, as the JSON-stat answer leaves it out; ``:`` with a flag
gives a row, as does a text. The dataset id is not in the file: it comes from the file (member)
name where there is one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from krefeld_data.errors import ParseError
from krefeld_data.parse import sniff as formats
from krefeld_data.parse.flags import is_flag_text
from krefeld_data.parse.jsonstat import Cube, Dimension, tidy


def parse(payload: formats.Payload, where: str) -> pd.DataFrame:
    lines = payload.text.splitlines()
    header = lines[0].split("\t") if lines else []
    if len(header) < 2 or "\\" not in header[0]:
        raise ParseError(f"{where}: not a Eurostat TSV header (want 'dims\\TIME_PERIOD<TAB>periods…')")
    dims_part, time_id = header[0].rsplit("\\", 1)
    dim_ids = [d.strip() for d in dims_part.split(",")]
    periods = [p.strip() for p in header[1:]]
    if not all(periods) or len(set(periods)) != len(periods):
        raise ParseError(f"{where}: the TSV header has empty or repeated periods: {header[1:]!r}")

    series_codes: list[list[str]] = []
    cells: list[tuple[int, int]] = []  # (series number, period position)
    values: list[object] = []
    statuses: list[str | None] = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = line.split("\t")
        codes = [c.strip() for c in fields[0].split(",")]
        if len(codes) != len(dim_ids) or len(fields) != len(periods) + 1:
            raise ParseError(
                f"{where}: line {number} has {len(codes)} codes and {len(fields) - 1} cells; the header "
                f"promises {len(dim_ids)} and {len(periods)}"
            )
        series = len(series_codes)
        series_codes.append(codes)
        for position, cell in enumerate(fields[1:]):
            parsed = _cell(cell)
            if parsed is not None:
                cells.append((series, position))
                values.append(parsed[0])
                statuses.append(parsed[1])

    # The series as a cube: each dimension's codes in order of first appearance, then time.
    dimensions = []
    positions = []
    for i, dim_id in enumerate(dim_ids):
        codes = list(dict.fromkeys(row[i] for row in series_codes))
        lookup = {code: k for k, code in enumerate(codes)}
        dimensions.append(Dimension(dim_id, dim_id, codes, codes))
        positions.append(np.asarray([lookup[series_codes[s][i]] for s, _ in cells], dtype=np.int64))
    dimensions.append(Dimension(time_id, time_id, periods, periods))
    positions.append(np.asarray([p for _, p in cells], dtype=np.int64))
    sizes = [len(d.codes) for d in dimensions]
    flat = np.ravel_multi_index(positions, sizes) if cells else np.asarray([], dtype=np.int64)
    order = np.argsort(flat, kind="stable")
    table = payload.table_code or ""
    cube = Cube(
        table=table,
        label="",
        dimensions=dimensions,
        cells=flat[order],
        values=[values[k] for k in order],
        statuses=[statuses[k] for k in order],
        geo=_first(dim_ids, ("geo", "cities", "reporter")),
        time=time_id,
        attrs={"dataset": table, "source": "ESTAT (SDMX-TSV)", "labels": "none in the file: codes repeated"},
    )
    return tidy(cube, where)


def _cell(cell: str) -> tuple[object, str | None] | None:
    """(value, status) of one cell, None for an empty one (``:`` without a flag)."""
    text = cell.strip()
    if not text:
        return None
    if text.startswith(":"):
        # ':C' / ': c' as a value, exactly as the JSON-stat answer of the Comext host writes it.
        return (text, None) if text[1:].strip() else None
    number, _, flags = text.partition(" ")
    flags = flags.strip()
    try:
        float(number)
    except ValueError:
        return text, None  # a text such as a unit (Comext QNTUNIT "KG")
    if flags and not is_flag_text(flags):
        return text, None
    return float(number), flags or None


def _first(ids: list[str], wanted: tuple[str, ...]) -> str | None:
    lowered = {i.lower(): i for i in ids}
    return next((lowered[w] for w in wanted if w in lowered), None)
