"""The classic GENESIS table CSV (the download on the offices' websites) into the tidy schema.

Layout, top to bottom:
- a title block: ``GENESIS-Tabelle: <code>``, title lines, the statistic, sometimes the
  measure with its unit (``Bevölkerungsstand (Anzahl)``) or a reference date (``09.05.2011``);
- header rows, which start with one empty cell per leading (row) column: perhaps a row with
  the measure label over every value column, variable label rows, attribute label rows
  (or dates across the columns in a *wide* table), perhaps a unit row (``Anzahl``);
- data rows: leading cells (year or date, region key, indented region name, row variables
  such as age groups), then one cell per value column;
- ``__________``, footnotes, ``© …`` and ``Stand: …``.

The header gives labels, not codes, so each classifying variable is named like this: a
variable label we know maps to its GENESIS code (``Geschlecht`` → ``ges``, ``Nationalität`` →
``nat``); any other label becomes a slug of its text before any parenthesis (``Kontinente
(einschl. staatenlos etc.)`` → ``kontinente``). Where the header shows attributes without a
variable label, the variable is inferred from attributes we know (``männlich`` → Geschlecht,
``Deutsche`` → Nationalität), else from its row neighbours, else it is called ``merkmal_<n>``.
A leading column of age groups is called ``alter``. ``<name>_code`` holds the GENESIS
attribute code where we know it for certain (``GESM``, ``GESW``, '' for ``Insgesamt``), else ''.
The measure label comes from the top header row (one text over every column, or, above a
unit row, one measure per column), else from a title line ``Label (Unit)``. Its code is
known for ``Bevölkerungsstand`` (``BEVSTD``) and '' otherwise.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from krefeld_data.errors import ParseError
from krefeld_data.parse import common
from krefeld_data.parse.sniff import Payload

log = logging.getLogger(__name__)

FOOTER_RULE = "__________"
KNOWN_UNITS = {
    "Anzahl", "Prozent", "%", "EUR", "Euro", "Tsd. EUR", "Mill. EUR", "Mrd. EUR", "1000 EUR", "Tsd.",
    "1000", "ha", "qkm", "km²", "km", "t", "Tsd. t", "kg", "Jahre", "Promille", "‰", "je 1000 EW",
}
# Variable labels of the header -> GENESIS variable code (the ones seen in real tables).
KNOWN_VARIABLES = {
    "Geschlecht": "GES",
    "Nationalität": "NAT",
}
# Attribute labels -> variable label, for headers that omit the variable label.
KNOWN_ATTRIBUTES = {
    "männlich": "Geschlecht",
    "weiblich": "Geschlecht",
    "Deutsche": "Nationalität",
    "Ausländer(innen)": "Nationalität",
    "Ausländer": "Nationalität",
}
# Further header cells that are variable labels, not attributes (seen in real tables).
VARIABLE_LABELS = {"Migrationshintergrund", "Staatsangehörigkeit", "Altersgruppen", "Familienstand"}
# Attribute codes we know for certain (from the flat files of the same tables).
KNOWN_CODES = {"Geschlecht": {"männlich": "GESM", "weiblich": "GESW", "Insgesamt": ""}}
KNOWN_MEASURES = {"Bevölkerungsstand": "BEVSTD"}
TOTAL = "Insgesamt"
MEASURE_IN_TITLE = re.compile(r"^(?P<label>.+?)\s*\((?P<unit>[^()]+)\)$")
DATE_IN_TITLE = re.compile(r"(?<![\d.])(\d{2}\.\d{2}\.\d{4})(?![\d.])")
TIME_CELL = re.compile(r"^(\d{2}\.\d{2}\.\d{4}|\d{4})$")
AGE_LABEL = re.compile(r"\bJahre?n?\b")


@dataclass
class Layout:
    """Where the parts of a classic table are (row indexes into the csv rows)."""

    title: list[str]
    header: list[list[str]]
    data: list[tuple[int, list[str]]]  # (line number, fields)
    footer: list[str]
    width: int
    lead: int = 0
    measure_labels: list[str] = field(default_factory=list)  # per value column
    unit: str = ""
    units: list[str] = field(default_factory=list)


def parse(payload: Payload, where: str) -> pd.DataFrame:
    """The tidy frame of a classic GENESIS table CSV, long or wide."""
    layout = _split(payload.text, where)
    _read_header(layout, where)
    n_rows, n_cols = len(layout.data), layout.width - layout.lead
    column_vars, times = _column_variables(layout.header, n_cols, where)
    lead = _leading_columns(layout, where)

    cells = [fields[layout.lead:] for _, fields in layout.data]
    flat = pa.array([c for row in cells for c in row], type=pa.string())
    lines = [line for line, _ in layout.data]

    def line_of(i: int) -> str:
        return f"line {lines[i // n_cols]}, column {layout.lead + i % n_cols + 1}"

    values, status = common.parse_values(flat, where, line_of, common.NUMBER_COMMA)
    n = n_rows * n_cols

    year, date = _times(lead, times, layout, n_rows, n_cols, where)
    variables: list[common.Variable] = []
    for name, label, code, labels in lead["variables"]:
        cat = pd.Categorical(labels)
        variables.append(common.Variable(
            name=name, labels=_repeat(cat, n_cols), codes=_repeat(_codes_for(label, cat), n_cols),
            code=code, label=label,
        ))
    for name, label, code, labels in column_vars:
        cat = pd.Categorical(labels)
        variables.append(common.Variable(
            name=name, labels=_tile(cat, n_rows), codes=_tile(_codes_for(label, cat), n_rows),
            code=code, label=label,
        ))
    units = layout.units or [layout.unit] * n_cols
    measure_codes = [KNOWN_MEASURES.get(label, "") for label in layout.measure_labels]
    frame = common.tidy_frame(
        n=n,
        table=payload.table_code or "",
        region_code=_repeat(pd.Categorical(lead["region_code"]), n_cols) if lead["region_code"] else "",
        region_name=_repeat(common.strip_labels(lead["region_name"]), n_cols) if lead["region_name"] else "",
        year=year,
        date=date,
        variables=variables,
        measure=_tile(pd.Categorical(measure_codes), n_rows),
        measure_label=_tile(pd.Categorical(layout.measure_labels), n_rows),
        unit=_tile(pd.Categorical(units), n_rows),
        value=values,
        status=status,
        quality=common.quality_column(None, n),
        where=where,
        attrs=_footer_attrs(layout),
    )
    return frame


def _split(text: str, where: str) -> Layout:
    """Cut the file into title block, header rows, data rows and footer."""
    rows = []
    reader = csv.reader(io.StringIO(text), delimiter=";")
    try:
        for fields in reader:
            rows.append((reader.line_num, fields))
    except csv.Error as exc:
        raise ParseError(f"{where}: line {reader.line_num}: broken quoting ({exc})") from None
    if not rows or not rows[0][1] or not rows[0][1][0].startswith("GENESIS-Tabelle:"):
        raise ParseError(f"{where}: a classic GENESIS table starts with 'GENESIS-Tabelle: <code>'")
    i, title = 1, []
    while i < len(rows) and _title_like(rows[i][1]):
        if rows[i][1] and rows[i][1][0].strip():
            title.append(rows[i][1][0].strip())
        i += 1
    header = []
    while i < len(rows) and rows[i][1] and rows[i][1][0] == "" and any(rows[i][1]):
        header.append(rows[i][1])
        i += 1
    if not header:
        hint = " (no ';' anywhere: separated by commas?)" if ";" not in text else ""
        raise ParseError(f"{where}: line {rows[i][0] if i < len(rows) else '?'}: expected the table's "
                         f"header rows (starting with ';') after the title block{hint}")
    width = len(header[0])
    for line, fields in rows[i - len(header):i]:
        if len(fields) != width:
            raise ParseError(f"{where}: line {line}: header row has {len(fields)} fields, expected {width}")
    data = []
    while i < len(rows):
        line, fields = rows[i]
        first = fields[0].strip() if fields else ""
        if first.startswith(FOOTER_RULE) or first.startswith(("©", "Stand:")):
            break
        if not any(f.strip() for f in fields):
            i += 1
            continue
        if first.startswith("GENESIS-Tabelle:"):
            raise ParseError(f"{where}: line {line}: a second table starts here (two files joined?)")
        if fields in header:
            raise ParseError(f"{where}: line {line} repeats a header row")
        if len(fields) != width:
            hint = " (comma-separated? classic tables use ';')" if len(fields) == 1 and "," in first else ""
            raise ParseError(f"{where}: line {line} has {len(fields)} fields where the header has "
                             f"{width}{hint}: {';'.join(fields)[:120]!r}")
        data.append((line, fields))
        i += 1
    if i == len(rows) and data:
        # Every download ends with '__________', '©' and 'Stand:'; without them rows may be missing.
        raise ParseError(f"{where}: the table ends at line {data[-1][0]} without its footer "
                         f"(__________, ©, Stand): a cut-off download?")
    footer = [fields[0] for _, fields in rows[i:] if fields and fields[0].strip()]
    joined = next((line for line, fields in rows[i:]
                   if fields and fields[0].startswith("GENESIS-Tabelle:")), None)
    if joined is not None:  # after the footer: the rest would be dropped without a word
        raise ParseError(f"{where}: line {joined}: a second table starts here (two files joined?)")
    if not data:
        raise ParseError(f"{where}: the classic table has header rows but no data rows")
    return Layout(title=title, header=header, data=data, footer=footer, width=width)


def _title_like(fields: list[str]) -> bool:
    """Title lines have text in the first cell only (or nothing at all)."""
    return not fields or (fields[0].strip() != "" and not any(f.strip() for f in fields[1:]))


def _read_header(layout: Layout, where: str) -> None:
    """Leading column count, measure row, unit row; what is left describes the columns."""
    header = layout.header
    layout.lead = min(len(row) - len(_lstrip_empty(row)) for row in header)
    if layout.lead == 0 or layout.lead >= layout.width:
        raise ParseError(f"{where}: cannot tell the leading columns from the value columns in the header")
    body = [row[layout.lead:] for row in header]
    if body and all(c.strip() in KNOWN_UNITS for c in body[-1]):
        layout.units = [c.strip() for c in body[-1]]
        body = body[:-1]
    if body and _is_measure_row([c.strip() for c in body[0]], bool(layout.units)):
        layout.measure_labels = [c.strip() for c in body[0]]
        body = body[1:]
    else:
        for line in reversed(layout.title):
            if m := MEASURE_IN_TITLE.match(line):
                layout.measure_labels = [m.group("label")] * (layout.width - layout.lead)
                layout.unit = m.group("unit")
                break
    if not layout.measure_labels:
        log.warning("%s: the classic table names no measure; measure_label left empty", where)
        layout.measure_labels = [""] * (layout.width - layout.lead)
    layout.header = body


def _is_measure_row(cells: list[str], has_unit_row: bool) -> bool:
    """The top header row names the measure over each column: one text over all, or, in a
    table with a unit row, one measure per column (``Lebendgeborene``, ``Gestorbene``)."""
    if not all(cells) or TOTAL in cells:
        return False
    if set(cells) & {*KNOWN_VARIABLES, *VARIABLE_LABELS, *KNOWN_ATTRIBUTES}:
        return False
    return _spanning(cells) or has_unit_row


def _lstrip_empty(row: list[str]) -> list[str]:
    i = 0
    while i < len(row) and not row[i].strip():
        i += 1
    return row[i:]


def _spanning(cells: list[str]) -> bool:
    texts = {c.strip() for c in cells}
    return len(texts) == 1 and "" not in texts


def _column_variables(body: list[list[str]], n_cols: int, where: str):
    """(name, label, code, per-column labels) per column variable, and per-column times.

    Each value column is described by the non-empty header cells above it. A cell is a
    variable label when its row repeats one text over every column, or when it is a
    variable label we know; the next cell down is then its attribute. An attribute whose
    variable is not shown takes it from the same attribute elsewhere, from a list of known
    attributes, from the other attributes in its row, or becomes ``merkmal_<row>``.
    """
    times: list[str] | None = None
    rows = []
    for index, row in enumerate(body):
        cells = [c.strip() for c in row]
        filled = [c for c in cells if c]
        if filled and all(TIME_CELL.match(c) for c in filled):
            if times is not None:
                raise ParseError(f"{where}: two header rows of dates; cannot tell them apart")
            if len(filled) != len(cells):
                raise ParseError(f"{where}: a header row of dates has empty cells")
            times = cells
            continue
        rows.append((index, cells, _spanning(cells) and len(body) > 1))
    # Per column: list of (row index, text, is variable label)
    stacks: list[list[tuple[int, str, bool]]] = [[] for _ in range(n_cols)]
    for index, cells, spanning in rows:
        for j, text in enumerate(cells):
            if text:
                is_variable = spanning or text in KNOWN_VARIABLES or text in VARIABLE_LABELS
                stacks[j].append((index, text, is_variable))
    explicit: dict[str, str] = {}
    pairs: list[list[tuple[int, str | None, str]]] = []  # per column: (row, variable or None, attribute)
    for stack in stacks:
        column: list[tuple[int, str | None, str]] = []
        pending: str | None = None
        for index, text, is_variable in stack:
            if is_variable:
                if pending is not None:
                    column.append((index, None, pending))  # a variable label with no attribute below
                pending = text
                continue
            if pending is not None:
                explicit.setdefault(text, pending)
            column.append((index, pending, text))
            pending = None
        if pending is not None:
            column.append((stack[-1][0], None, pending))
        pairs.append(column)
    # Resolve attributes shown without their variable.
    by_row: dict[int, Counter] = {}
    for column in pairs:
        for index, variable, text in column:
            guess = variable or explicit.get(text) or KNOWN_ATTRIBUTES.get(text)
            if guess:
                by_row.setdefault(index, Counter())[guess] += 1
    resolved: list[dict[str, str]] = []
    order: list[str] = []
    for column in pairs:
        assigned: dict[str, str] = {}
        for index, variable, text in column:
            neighbours = by_row[index].most_common(1)[0][0] if index in by_row else f"merkmal_{index + 1}"
            variable = variable or explicit.get(text) or KNOWN_ATTRIBUTES.get(text) or neighbours
            if variable in assigned:
                raise ParseError(f"{where}: the header gives {variable!r} twice over one column")
            assigned[variable] = text
            if variable not in order:
                order.append(variable)
        resolved.append(assigned)
    variables = []
    for label in order:
        labels = [assigned.get(label, TOTAL) for assigned in resolved]
        name, code = _name_for(label)
        variables.append((name, label, code, labels))
    _check_unique_names([v[0] for v in variables], where)
    return variables, times


def _name_for(label: str) -> tuple[str, str]:
    """Column name and GENESIS code ('' if unknown) of a variable known only by its label."""
    if label in KNOWN_VARIABLES:
        code = KNOWN_VARIABLES[label]
        return code.lower(), code
    if label.startswith("merkmal_") or label == "alter":
        return label, ""
    return slug(label), ""


def slug(label: str) -> str:
    """``Kontinente (einschl. staatenlos etc.)`` → ``kontinente``; umlauts spelt out."""
    text = label.split("(")[0].strip().lower()
    for umlaut, spelt in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, spelt)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_") or "merkmal"


def _check_unique_names(names: list[str], where: str) -> None:
    duplicates = [n for n, count in Counter(names).items() if count > 1]
    if duplicates:
        raise ParseError(f"{where}: two header variables get the column name {duplicates[0]!r}")


def _leading_columns(layout: Layout, where: str) -> dict:
    """Which leading column holds the time, the region key and name, and row variables."""
    columns = [[fields[c] for _, fields in layout.data] for c in range(layout.lead)]
    found: dict = {"time": None, "region_code": None, "region_name": None, "variables": []}
    c = 0
    while c < layout.lead:
        values = columns[c]
        stripped = {v.strip() for v in values}
        next_is_key = c + 1 < layout.lead and all(
            common.REGION_KEY.match(v.strip()) or TIME_CELL.match(v.strip()) for v in columns[c + 1]
        )
        if (found["region_code"] is None and c + 1 < layout.lead and not next_is_key
                and all(common.REGION_KEY.match(v) for v in stripped)):
            found["region_code"] = [v.strip() for v in values]
            found["region_name"] = columns[c + 1]
            c += 2
            continue
        if found["time"] is None and all(TIME_CELL.match(v) for v in stripped):
            found["time"] = [v.strip() for v in values]
            c += 1
            continue
        labels = [v.strip() for v in values]
        distinct = set(labels) - {TOTAL}
        if distinct and sum(bool(AGE_LABEL.search(v)) for v in distinct) >= 0.8 * len(distinct):
            name, label = "alter", "Altersgruppen"
        else:
            name = label = f"merkmal_{c + 1}"
        found["variables"].append((name, label, "", labels))
        c += 1
    return found


def _times(lead: dict, times: list[str] | None, layout: Layout, n_rows: int, n_cols: int, where: str):
    """Year and date per value: from a leading column, a header row of dates, or the title."""
    if lead["time"] is not None and times is not None:
        raise ParseError(f"{where}: dates both in a leading column and across the columns")
    if lead["time"] is not None:
        distinct = {t: common.parse_time(t, where) for t in set(lead["time"])}
        parsed = [distinct[t] for t in lead["time"]]
        years = np.repeat(np.array([p[0] for p in parsed], dtype=object), n_cols)
        dates = np.repeat(np.array([p[1] if p[1] is not None else np.datetime64("NaT") for p in parsed],
                                   dtype="datetime64[ns]"), n_cols)
        return years, dates
    if times is not None:
        parsed = [common.parse_time(t, where) for t in times]
        years = np.tile(np.array([p[0] for p in parsed], dtype=object), n_rows)
        dates = np.tile(np.array([p[1] if p[1] is not None else np.datetime64("NaT") for p in parsed],
                                 dtype="datetime64[ns]"), n_rows)
        return years, dates
    for line in layout.title:
        if m := DATE_IN_TITLE.search(line):
            year, date = common.parse_time(m.group(1), where)
            return year, date
    log.warning("%s: the classic table gives no year or date; year left empty", where)
    return None, None


def _codes_for(label: str, cat: pd.Categorical) -> pd.Categorical:
    known = KNOWN_CODES.get(label, {})
    return cat.rename_categories([known.get(str(c), "") for c in cat.categories]) if known and all(
        str(c) in known for c in cat.categories
    ) else pd.Categorical.from_codes(np.zeros(len(cat), dtype=np.int8), categories=[""])


def _repeat(cat: pd.Categorical, k: int) -> pd.Categorical:
    return pd.Categorical.from_codes(np.repeat(cat.codes, k), categories=cat.categories)


def _tile(cat: pd.Categorical, k: int) -> pd.Categorical:
    return pd.Categorical.from_codes(np.tile(cat.codes, k), categories=cat.categories)


def _footer_attrs(layout: Layout) -> dict:
    footnotes, copyright_, stand = [], "", ""
    for text in layout.footer:
        text = text.strip()
        if text.startswith(FOOTER_RULE):
            continue
        if text.startswith("©"):
            copyright_ = " ".join(text.split())
        elif text.startswith("Stand:"):
            stand = text.removeprefix("Stand:").strip()
        else:
            footnotes.append(text)
    return {"footnotes": footnotes, "copyright": copyright_, "stand": stand, "title": " ".join(layout.title)}
