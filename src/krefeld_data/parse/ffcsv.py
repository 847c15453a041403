"""GENESIS flat file CSV (``ffcsv``), current layout: one row per value, English header.

Header: ``statistics_code;statistics_label;time_code;time_label;time;`` then four columns per
classifying variable (``N_variable_code``, ``N_variable_label``, ``N_variable_attribute_code``,
``N_variable_attribute_label``), then ``value;value_unit;value_variable_code;
value_variable_label`` and, with ``quality=on``, ``value_q``. Totals have an empty attribute
code and the label ``Insgesamt``. Read with pyarrow (dictionary-encoded columns), no row loops.
"""

from __future__ import annotations

import logging
import re

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from krefeld_data.errors import ParseError
from krefeld_data.parse import common
from krefeld_data.parse.sniff import Payload

log = logging.getLogger(__name__)

FIXED = ["statistics_code", "statistics_label", "time_code", "time_label", "time"]
VALUE = ["value", "value_unit", "value_variable_code", "value_variable_label"]
QUALITY = "value_q"
VARIABLE_COLUMN = re.compile(r"^(\d+)_variable_(code|label|attribute_code|attribute_label)$")
GROUP = ("code", "label", "attribute_code", "attribute_label")


def parse(payload: Payload, where: str) -> pd.DataFrame:
    """The tidy frame of a current-layout flat file."""
    header = common.header_fields(payload.text)
    columns = _check_header(header, where)
    types = [pa.string() if name == "value" else common.DICT for name in header]
    table = common.read_semicolon_csv(payload, where, types)
    if table.num_rows == 0:
        # The services answer an empty selection with a status message, not an empty file.
        raise ParseError(f"{where}: the flat file has a header but no data rows (a cut-off download?)")
    col = {name: table.column(columns[name]) for name in columns}
    # Only columns with a value per row become pandas; the rest are checked in arrow.
    per_row = ["time", *VALUE[1:], *([QUALITY] if QUALITY in columns else []),
               *(n for n in columns if n.endswith(("_attribute_code", "_attribute_label")))]
    cats = {name: common.categorical(col[name]) for name in per_row}
    _reject_repeated_header(col["statistics_code"], where)

    positions = sorted({int(m.group(1)) for name in header if (m := VARIABLE_COLUMN.match(name))})
    groups = [
        (col[f"{p}_variable_code"], col[f"{p}_variable_label"],
         cats[f"{p}_variable_attribute_code"], cats[f"{p}_variable_attribute_label"])
        for p in positions
    ]
    variables, region = common.build_variables(groups, where)
    values, status = common.parse_values(
        col["value"], where, lambda i: f"line {i + 2}", common.NUMBER_COMMA_OR_POINT
    )
    year, date = common.parse_times(common.strip_labels(cats["time"]), where)
    statistics = common.single_value(col["statistics_code"], "the statistics code", where)
    attrs = {
        "statistics": statistics,
        "statistics_label": ", ".join(common.distinct_values(col["statistics_label"])),
        "region_variable": region.code if region else "",
        "time_code": ", ".join(common.distinct_values(col["time_code"])),
    }
    n = table.num_rows
    del table, col, groups  # frees the arrow table before the frame is built (peak memory)
    return common.tidy_frame(
        n=n,
        table=payload.table_code or statistics,
        region_code=region.codes if region else "",
        region_name=region.labels if region else "",
        year=year,
        date=date,
        variables=variables,
        measure=cats["value_variable_code"],
        measure_label=cats["value_variable_label"],
        unit=common.unit_column(cats["value_unit"]),
        value=values,
        status=status,
        quality=common.quality_column(cats.get(QUALITY), n),
        where=where,
        attrs=attrs,
    )


def _check_header(header: list[str], where: str) -> dict[str, int]:
    """Column positions by name; a damaged or unexpected header is a clear error."""
    seen: dict[str, int] = {}
    for index, name in enumerate(header):
        if name in seen:
            raise ParseError(f"{where}: the header names the column {name!r} twice")
        seen[name] = index
    missing = [name for name in FIXED + VALUE if name not in seen]
    if missing:
        raise ParseError(f"{where}: flat-file header lacks {', '.join(missing)}")
    groups: dict[str, set[str]] = {}
    for name in header:
        if m := VARIABLE_COLUMN.match(name):
            groups.setdefault(m.group(1), set()).add(m.group(2))
    for position, parts in groups.items():
        if parts != set(GROUP):
            lacking = ", ".join(f"{position}_variable_{p}" for p in GROUP if p not in parts)
            raise ParseError(f"{where}: flat-file header lacks {lacking}")
    known = set(FIXED + VALUE + [QUALITY])
    extra = [n for n in header if n not in known and not VARIABLE_COLUMN.match(n)]
    if extra:
        raise ParseError(f"{where}: flat-file header has unknown columns {', '.join(extra[:5])}")
    return seen


def _reject_repeated_header(statistics: pa.ChunkedArray, where: str) -> None:
    """Concatenated downloads repeat the header inside the data: say so, with the line."""
    for label in ("statistics_code", "Statistik_Code"):
        if label in common.distinct_values(statistics):
            row = pc.index(statistics.cast(pa.string()), label).as_py()
            raise ParseError(f"{where}: line {row + 2} repeats the header row (two files joined?)")
