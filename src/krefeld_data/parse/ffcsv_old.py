"""GENESIS flat file CSV, old layout: German header, one value column per measure.

Header: ``Statistik_Code;Statistik_Label;Zeit_Code;Zeit_Label;Zeit;`` then four columns per
classifying variable (``N_Merkmal_Code``, ``N_Merkmal_Label``, ``N_Auspraegung_Code``,
``N_Auspraegung_Label``), then one column per measure named ``CODE__Label__Unit`` (label in
ASCII, e.g. ``Bevoelkerungsstand``), optionally followed by its quality column ``…__q``.
Dates are German (``31.12.2023``) and labels are indented with spaces.

The columns are read by position, not by name: the English variant of this layout repeats
names (``1_variable_code;1_variable_label;1_variable_code;1_variable_code``).
"""

from __future__ import annotations

import logging
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from krefeld_data.errors import ParseError
from krefeld_data.parse import common
from krefeld_data.parse.sniff import Payload

log = logging.getLogger(__name__)

N_FIXED = 5  # statistics code and label, time code, label and value
QUALITY_SUFFIX = "__q"
UNIT_VARIABLE = re.compile(r"^(?:EINH\w*|MASSEINHEIT|MASSEINH\w*|Ma(?:ß|ss)einheit|Einheit\w*|units?)$",
                           re.IGNORECASE)


def parse(payload: Payload, where: str) -> pd.DataFrame:
    """The tidy frame of an old-layout flat file (all measures stacked into rows)."""
    header = common.header_fields(payload.text)
    first_measure = next((i for i, name in enumerate(header) if "__" in name), None)
    if first_measure is None or first_measure < N_FIXED or (first_measure - N_FIXED) % 4:
        raise ParseError(
            f"{where}: old flat-file header does not have 5 fixed columns, 4 per variable and "
            f"then the measures (CODE__Label__Unit): {';'.join(header)[:160]!r}"
        )
    measures = _measures(header[first_measure:], first_measure, where)
    value_columns = {m[3] for m in measures} | {m[4] for m in measures if m[4] is not None}
    types = [pa.string() if i in value_columns else common.DICT for i in range(len(header))]
    table = common.read_semicolon_csv(payload, where, types)
    rows = table.num_rows
    if rows == 0:
        # The services answer an empty selection with a status message, not an empty file.
        raise ParseError(f"{where}: the flat file has a header but no data rows (a cut-off download?)")
    n_variables = (first_measure - N_FIXED) // 4
    # Only columns with a value per row become pandas; the rest are checked in arrow.
    per_row = {4} | {N_FIXED + 4 * k + j for k in range(n_variables) for j in (2, 3)}
    cats = [common.categorical(table.column(i)) if i in per_row else table.column(i)
            for i in range(first_measure)]
    _reject_repeated_header(cats[0], where)
    groups = [tuple(cats[N_FIXED + 4 * k + j] for j in range(4)) for k in range(n_variables)]
    variables, region = common.build_variables(groups, where)
    unit_variable = next((v for v in variables if _is_unit_variable(v)), None)
    if unit_variable is not None and any(not m[2] for m in measures):
        variables.remove(unit_variable)  # it says what the numbers count, it classifies nothing
    else:
        unit_variable = None

    k = len(measures)
    value_parts, status_parts, quality_parts = [], [], []
    for code, _label, _unit, column, quality_column in measures:
        values, status = common.parse_values(
            table.column(column), where,
            lambda i, code=code: f"line {i + 2}, column {code}", common.NUMBER_COMMA_OR_POINT,
        )
        value_parts.append(values)
        status_parts.append(status)
        flags = common.categorical(table.column(quality_column)) if quality_column is not None else None
        quality_parts.append(common.quality_column(flags, rows))
    status = pd.Categorical.from_codes(
        np.concatenate([s.codes for s in status_parts]), categories=status_parts[0].categories
    )
    quality = _concat_categoricals(quality_parts)

    year, date = common.parse_times(common.strip_labels(cats[4]), where)
    statistics = common.single_value(cats[0], "the statistics code", where)
    for variable in variables:
        variable.labels = _tile(variable.labels, k)
        variable.codes = _tile(variable.codes, k)
    measure_index = np.repeat(np.arange(k, dtype=np.int32), rows)
    unit = _per_measure(measure_index, [common.unit_words(m[2]) for m in measures])
    if unit_variable is not None:
        unit = _units_from_variable(measures, unit_variable, rows)
    return common.tidy_frame(
        n=rows * k,
        table=payload.table_code or statistics,
        region_code=_tile(region.codes, k) if region else "",
        region_name=_tile(region.labels, k) if region else "",
        year=np.tile(year, k),
        date=np.tile(date, k),
        variables=variables,
        measure=_per_measure(measure_index, [m[0] for m in measures]),
        measure_label=_per_measure(measure_index, [m[1] for m in measures]),
        unit=unit,
        value=np.concatenate(value_parts),
        status=status,
        quality=quality,
        where=where,
        attrs={
            "statistics": statistics,
            "statistics_label": ", ".join(common.distinct_values(cats[1])),
            "region_variable": region.code if region else "",
            "time_code": ", ".join(common.distinct_values(cats[2])),
        },
    )


def _measures(names: list[str], offset: int, where: str) -> list[tuple[str, str, str, int, int | None]]:
    """(code, label, unit, value column, quality column or None) per measure column."""
    measures: list[tuple[str, str, str, int, int | None]] = []
    for i, name in enumerate(names, start=offset):
        if name.endswith(QUALITY_SUFFIX):
            base = name[: -len(QUALITY_SUFFIX)]
            if not measures or names[measures[-1][3] - offset] != base:
                raise ParseError(f"{where}: quality column {name!r} does not follow its value column")
            measures[-1] = (*measures[-1][:4], i)
            continue
        parts = name.split("__")
        if len(parts) < 2 or not parts[0]:
            raise ParseError(f"{where}: column {name!r} is not a measure (CODE__Label__Unit)")
        code, unit = parts[0], parts[-1] if len(parts) > 2 else ""
        label = "__".join(parts[1:-1]) if len(parts) > 2 else parts[1]
        measures.append((code, label.replace("_", " "), unit.replace("_", " "), i, None))
    codes = [m[0] for m in measures]
    if len(set(codes)) != len(codes):
        raise ParseError(f"{where}: a measure column appears twice: {', '.join(codes)}")
    return measures


def _per_measure(index: np.ndarray, items: list[str]) -> pd.Categorical:
    """Each row's entry of its measure; two measures may share a label or a unit (``Anzahl``)."""
    categories = list(dict.fromkeys(items))
    codes = np.asarray([categories.index(item) for item in items], dtype=np.int32)
    return pd.Categorical.from_codes(codes[index], categories=categories)


def _is_unit_variable(variable: common.Variable) -> bool:
    """A classifying variable that carries the unit (``EINHEIT`` / ``Maßeinheit``) instead of the header."""
    return bool(UNIT_VARIABLE.match(variable.code.strip()) or UNIT_VARIABLE.match(variable.label.strip()))


def _units_from_variable(measures: list, variable: common.Variable, rows: int) -> pd.Categorical:
    """The unit of every row: the header's where it names one, else the unit variable's label."""
    per_row = pd.Series(common.unit_column(common.strip_labels(variable.labels))).astype("str")
    parts = [per_row if not unit else pd.Series([common.unit_words(unit)] * rows, dtype="str")
             for _code, _label, unit, _column, _quality in measures]
    return pd.Categorical(pd.concat(parts, ignore_index=True))


def _tile(cat: pd.Categorical, k: int) -> pd.Categorical:
    if k == 1:
        return cat
    return pd.Categorical.from_codes(np.tile(cat.codes, k), categories=cat.categories)


def _concat_categoricals(parts: list[pd.Categorical]) -> pd.Categorical:
    if len(parts) == 1:
        return parts[0]
    return pd.Categorical(pd.concat([pd.Series(p) for p in parts], ignore_index=True).astype(str))


def _reject_repeated_header(statistics: pa.ChunkedArray, where: str) -> None:
    for label in ("Statistik_Code", "statistics_code"):
        if label in common.distinct_values(statistics):
            row = pc.index(statistics.cast(pa.string()), label).as_py()
            raise ParseError(f"{where}: line {row + 2} repeats the header row (two files joined?)")
