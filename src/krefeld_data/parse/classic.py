"""The classic GENESIS table CSV (the download on the offices' websites) into the tidy schema.

Two generations: downloads of 2017–18 start ``GENESIS-Tabelle: <code>``, those of 2025–26 from
all three websites (GENESIS-Online, Regionaldatenbank, Landesdatenbank NRW) ``Tabelle: <code>``,
in German or English, with a UTF-8 BOM or in Latin-1.

Layout, top to bottom:
- a title block: ``[GENESIS-]Tabelle: <code>``, title lines, the statistic, sometimes the
  measure with its unit (``Bevölkerungsstand (Anzahl)``) or a reference date (``09.05.2011``);
- header rows, which start with one empty cell per leading (row) column: perhaps a row with
  the measure label over every value column, variable label rows, attribute label rows
  (or dates across the columns in a *wide* table), perhaps a unit row (``Anzahl``);
- data rows: leading cells (year or date, region key, indented region name, row variables
  such as age groups), then one cell per value column; GENESIS-Online writes each value with
  its quality flag in the next column (``428;e``: header cell empty over the flag), and leaves
  a leading cell blank where it repeats the one above (``;;Female;…``: filled down here);
- ``__________``, footnotes, ``© …`` and ``Stand: 09.02.2026 / 16:09:36`` (English:
  ``created: 2025-09-12 / 19:55:56``). That date is the publication's vintage:
  ``attrs["stand"]`` holds it as written, ``attrs["vintage"]`` as an ISO date.

A region is a key column followed by its indented name, or (Landesdatenbank NRW) a name
column alone: its key then comes from the region registry, and a name the registry does not
know, or knows several times, is a :class:`ParseError` naming the candidates.

The header gives labels, not codes, so each classifying variable is named like this: a
variable label we know maps to its GENESIS code (``Geschlecht`` → ``ges``, ``Nationalität`` →
``nat``); any other label becomes a slug of its text before any parenthesis (``Kontinente
(einschl. staatenlos etc.)`` → ``kontinente``). Where the header shows attributes without a
variable label, the variable is inferred from attributes we know (``männlich`` → Geschlecht,
``Deutsche`` → Nationalität), else from its row neighbours, else it is called ``merkmal_<n>``.
A leading column of age groups is called ``alter``; a leading code column with a label column
beside it (``WZ08-A;Agriculture…``, ``163;  Türkei``) is one variable with its codes, named after
the codes' common prefix (``wz08``) or the title's "… nach A und B" word, else ``merkmal_<n>``.
``<name>_code`` holds the GENESIS
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
from krefeld_data.parse.common import SPECIAL_SYMBOLS
from krefeld_data.parse.sniff import Payload

log = logging.getLogger(__name__)

FOOTER_RULE = "__________"
TITLE_STARTS = ("GENESIS-Tabelle:", "Tabelle:", "GENESIS-Table:", "Table:")
VINTAGE_LINES = ("Stand:", "created:", "Erstellt am:", "Erstellt:")  # the publication date
KNOWN_UNITS = {
    "Anzahl", "Prozent", "%", "EUR", "Euro", "Tsd. EUR", "Mill. EUR", "Mrd. EUR", "1000 EUR", "Tsd.",
    "1000", "ha", "qkm", "km²", "km", "t", "Tsd. t", "kg", "Jahre", "Promille", "‰", "je 1000 EW",
    "Number", "Percent", "sq km", "Years", "Personen", "Persons", "EW pro qkm", "Einwohner je qkm",
}
# A unit not listed: "EW pro qkm", "EUR je Einwohner", "Anzahl je 1000 EW".
UNIT_LIKE = re.compile(r"^\S+(?:\s\S+)?\s(?:pro|je|per)\s\S+(?:\s\S+)?$")
FLAG_CELL = re.compile(r"^[a-zA-Z]{0,3}$")  # a quality flag column's cells: e, p, r, s, or empty
CODE_CELL = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-_/]*$")  # a classification code: WZ08-A, 163
CODE_PREFIX = re.compile(r"^([A-Za-z][A-Za-z0-9]*?\d*)-")  # WZ08-A -> WZ08
# GENESIS-Online in English names Germany and the Länder in English.
ENGLISH_REGIONS = {
    "Germany": "Deutschland", "Bavaria": "Bayern", "Hesse": "Hessen", "Lower Saxony": "Niedersachsen",
    "North Rhine-Westphalia": "Nordrhein-Westfalen", "Rhineland-Palatinate": "Rheinland-Pfalz",
    "Saxony": "Sachsen", "Saxony-Anhalt": "Sachsen-Anhalt", "Thuringia": "Thüringen",
    "Mecklenburg-Western Pomerania": "Mecklenburg-Vorpommern",
    "Mecklenburg-West Pomerania": "Mecklenburg-Vorpommern",
}
TITLE_MEASURE = re.compile(r"^(.+?)(?:\s+nach\s|:\s)")  # "Bevölkerung nach …", "Bevölkerung: Kreise, …"
TITLE_VARIABLES = re.compile(r"\bnach\s+(.+?)(?:\s+-\s|\s+-$|$)")
# Region designations in a name-only region column (Landesdatenbank NRW writes "krfr. Stadt").
REGION_NAME = re.compile(
    r"(,\s*(krfr\.\s*Stadt|kreisfreie Stadt|Stadtkreis|Landkreis|Kreis|Regierungsbezirk|"
    r"Statistische Region|Stadt)$)|^(Deutschland|Regierungsbezirk\s.+|.+-Kreis|.+kreis(?: .+)?|"
    r"Baden-Württemberg|Bayern|Berlin|Brandenburg|Bremen|Hamburg|Hessen|Mecklenburg-Vorpommern|"
    r"Niedersachsen|Nordrhein-Westfalen|Rheinland-Pfalz|Saarland|Sachsen|Sachsen-Anhalt|"
    r"Schleswig-Holstein|Thüringen|Städteregion .+)$",
    re.IGNORECASE,
)
# Variable labels of the header -> GENESIS variable code (the ones seen in real tables).
KNOWN_VARIABLES = {
    "Geschlecht": "GES",
    "Nationalität": "NAT",
    "Sex": "GES",
    "Nationality": "NAT",
}
# Attribute labels -> variable label, for headers that omit the variable label.
KNOWN_ATTRIBUTES = {
    "männlich": "Geschlecht",
    "weiblich": "Geschlecht",
    "Deutsche": "Nationalität",
    "Ausländer(innen)": "Nationalität",
    "Ausländer": "Nationalität",
    "Male": "Geschlecht",
    "Female": "Geschlecht",
    "male": "Geschlecht",
    "female": "Geschlecht",
    "Germans": "Nationalität",
    "Foreigners": "Nationalität",
}
# Further header cells that are variable labels, not attributes (seen in real tables).
VARIABLE_LABELS = {"Migrationshintergrund", "Staatsangehörigkeit", "Altersgruppen", "Familienstand"}
# Attribute codes we know for certain (from the flat files of the same tables).
KNOWN_CODES = {"Geschlecht": {"männlich": "GESM", "weiblich": "GESW", "Insgesamt": "",
                              "Male": "GESM", "Female": "GESW", "male": "GESM", "female": "GESW",
                              "Total": ""}}
KNOWN_MEASURES = {"Bevölkerungsstand": "BEVSTD"}
TOTAL = "Insgesamt"
MEASURE_IN_TITLE = re.compile(r"^(?P<label>.+?)\s*\((?P<unit>[^()]+)\)$")
DATE_IN_TITLE = re.compile(r"(?<![\d.])(\d{2}\.\d{2}\.\d{4})(?![\d.])")
TIME_CELL = re.compile(r"^(\d{2}\.\d{2}\.\d{4}|\d{4}-\d{2}-\d{2}|\d{4})$")  # English files: ISO dates
AGE_LABEL = re.compile(r"\bJahre?n?\b|Jährige|\byears?\b", re.IGNORECASE)
WORD = re.compile(r"[^\W\d_]{2,}")  # two letters in a row: a word, not a damaged number
# Header cells that only say "the dates across are reference dates / years".
TIME_WORDS = {"Stichtag", "Jahr", "Jahre", "Berichtsjahr", "Zeit", "Year", "Years", "Reference date"}


@dataclass
class Layout:
    """Where the parts of a classic table are (row indexes into the csv rows)."""

    title: list[str]
    header: list[list[str]]
    data: list[tuple[int, list[str]]]  # (line number, fields)
    footer: list[str]
    width: int
    lead: int = 0
    lead_labels: list[str] = field(default_factory=list)  # header text over the leading columns
    measure_labels: list[str] = field(default_factory=list)  # per value column
    unit: str = ""
    units: list[str] = field(default_factory=list)
    flags: list[list[str]] | None = None  # per data row: the quality flag of each value column


def parse(payload: Payload, where: str) -> pd.DataFrame:
    """The tidy frame of a classic GENESIS table CSV, long or wide."""
    layout = _split(payload.text, where)
    _split_flag_columns(layout)
    _read_header(layout, where)
    _fill_down(layout)
    n_rows, n_cols = len(layout.data), layout.width - layout.lead
    column_vars, times = _column_variables(layout.header, n_cols, where)
    lead = _leading_columns(layout, where)
    _name_from_title(lead, column_vars, layout.title)

    cells = [fields[layout.lead:] for _, fields in layout.data]
    flat = pa.array([c for row in cells for c in row], type=pa.string())
    lines = [line for line, _ in layout.data]

    def line_of(i: int) -> str:
        return f"line {lines[i // n_cols]}, column {layout.lead + i % n_cols + 1}"

    values, status = common.parse_values(flat, where, line_of, common.NUMBER_COMMA)
    n = n_rows * n_cols

    year, date = _times(lead, times, layout, n_rows, n_cols, where)
    variables: list[common.Variable] = []
    for name, label, code, labels, codes in lead["variables"]:
        cat = pd.Categorical(labels)
        code_cat = pd.Categorical(codes) if codes is not None else _codes_for(label, cat)
        variables.append(common.Variable(
            name=name, labels=_repeat(cat, n_cols), codes=_repeat(code_cat, n_cols),
            code=code, label=label,
        ))
    for name, label, code, labels in column_vars:
        cat = pd.Categorical(labels)
        variables.append(common.Variable(
            name=name, labels=_tile(cat, n_rows), codes=_tile(_codes_for(label, cat), n_rows),
            code=code, label=label,
        ))
    units = [common.unit_words(u) for u in (layout.units or [layout.unit] * n_cols)]
    quality = common.quality_column(None, n) if layout.flags is None else common.quality_column(
        pd.Categorical([f.strip() for row in layout.flags for f in row]), n)
    measure_codes = [KNOWN_MEASURES.get(label, "") for label in layout.measure_labels]
    region_code, region_name = _title_region(layout.title)
    if lead["region_code"]:
        region_code = _repeat(pd.Categorical(lead["region_code"]), n_cols)
        region_name = _repeat(common.strip_labels(lead["region_name"]), n_cols)
    frame = common.tidy_frame(
        n=n,
        table=payload.table_code or "",
        region_code=region_code,
        region_name=region_name,
        year=year,
        date=date,
        variables=variables,
        measure=_tile(pd.Categorical(measure_codes), n_rows),
        measure_label=_tile(pd.Categorical(layout.measure_labels), n_rows),
        unit=_tile(pd.Categorical(units), n_rows),
        value=values,
        status=status,
        quality=quality,
        where=where,
        attrs=_footer_attrs(layout),
    )
    return frame


def _title_region(title: list[str]) -> tuple[str, str]:
    """A table for Germany alone says so in a title line (``Germany``, ``Deutschland``)."""
    for line in title[1:]:
        if line in ("Deutschland", "Germany"):
            return "DG", line
    return "", ""


def _split(text: str, where: str) -> Layout:
    """Cut the file into title block, header rows, data rows and footer."""
    rows = []
    reader = csv.reader(io.StringIO(text), delimiter=";")
    try:
        for fields in reader:
            rows.append((reader.line_num, fields))
    except csv.Error as exc:
        raise ParseError(f"{where}: line {reader.line_num}: broken quoting ({exc})") from None
    if not rows or not rows[0][1] or not rows[0][1][0].startswith(TITLE_STARTS):
        raise ParseError(f"{where}: a classic GENESIS table starts with 'Tabelle: <code>' "
                         f"(or, before 2019, 'GENESIS-Tabelle: <code>')")
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
        if first.startswith(FOOTER_RULE) or first.startswith(("©", *VINTAGE_LINES)):
            break
        if not any(f.strip() for f in fields):
            i += 1
            continue
        if first.startswith(TITLE_STARTS):
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
                   if fields and fields[0].startswith(TITLE_STARTS)), None)
    if joined is not None:  # after the footer: the rest would be dropped without a word
        raise ParseError(f"{where}: line {joined}: a second table starts here (two files joined?)")
    if not data:
        raise ParseError(f"{where}: the classic table has header rows but no data rows")
    return Layout(title=title, header=header, data=data, footer=footer, width=width)


def _split_flag_columns(layout: Layout) -> None:
    """GENESIS-Online's value/flag pairs (``428;e;423;e``): the flags move to ``layout.flags``.

    A pair is recognised by its shape, not by a language: every second value column has an
    empty cell in each header row (or repeats the one beside it) and holds nothing but flag
    letters (or nothing). A ``;`` closing every line is an empty column, not a value: such
    columns are dropped one by one until the pairs fit (the last flag column may be empty too).
    """
    while not _take_flag_pairs(layout) and _drop_trailing_empty_column(layout):
        pass


def _take_flag_pairs(layout: Layout) -> bool:
    header, data = layout.header, layout.data
    lead = min(len(row) - len(_lstrip_empty(row)) for row in header)
    count = layout.width - lead
    if lead == 0 or count < 2 or count % 2:
        return False
    values, flags = range(lead, layout.width, 2), range(lead + 1, layout.width, 2)
    # Over a flag column the header is empty, or repeats the cell over its value (``2009;2009``).
    if any(row[j].strip() not in ("", row[j - 1].strip()) for row in header for j in flags):
        return False
    if all(row[j].strip() for row in header for j in flags) and not any(
            fields[j].strip() for _, fields in data for j in flags):
        return False  # repeated headers over empty columns: nothing says these are flags
    if not all(any(row[j].strip() for row in header) for j in values):
        return False
    if not all(FLAG_CELL.match(fields[j].strip()) for _, fields in data for j in flags):
        return False
    layout.header = [row[:lead] + [row[j] for j in values] for row in header]
    layout.flags = [[fields[j] for j in flags] for _, fields in data]
    layout.data = [(line, fields[:lead] + [fields[j] for j in values]) for line, fields in data]
    layout.width = lead + count // 2
    return True


def _drop_trailing_empty_column(layout: Layout) -> bool:
    """Drop the last column if it is empty in every header and data row; True if dropped."""
    if layout.width <= 2 or any(row[-1].strip() for row in layout.header) or any(
            fields[-1].strip() for _, fields in layout.data):
        return False
    layout.header = [row[:-1] for row in layout.header]
    layout.data = [(line, fields[:-1]) for line, fields in layout.data]
    layout.width -= 1
    return True


def _fill_down(layout: Layout) -> None:
    """Leading cells left blank because they repeat the row above (``;;Female;…``) get its text."""
    previous: list[str] = [""] * layout.lead
    for _, fields in layout.data:
        for c in range(layout.lead):
            if fields[c].strip():
                previous[c] = fields[c]
            elif previous[c]:
                fields[c] = previous[c]


def _is_unit(text: str) -> bool:
    return text in KNOWN_UNITS or bool(UNIT_LIKE.match(text))


def _title_like(fields: list[str]) -> bool:
    """Title lines have text in the first cell only (or nothing at all)."""
    return not fields or (fields[0].strip() != "" and not any(f.strip() for f in fields[1:]))


def _read_header(layout: Layout, where: str) -> None:
    """Leading column count, measure row, unit row; what is left describes the columns."""
    header = layout.header
    layout.lead = min(len(row) - len(_lstrip_empty(row)) for row in header)
    if layout.lead == 0 or layout.lead >= layout.width:
        raise ParseError(f"{where}: cannot tell the leading columns from the value columns in the header")
    while layout.data and _labels_leading_columns(layout.data[0][1], layout.lead):
        # GENESIS-Online names the leading columns in a header row of its own
        # ("Altersjahre;Bevölkerungsstand;…"): it is no data row.
        _, fields = layout.data.pop(0)
        layout.lead_labels = [f.strip() for f in fields[:layout.lead]]
        header.append([""] * layout.lead + fields[layout.lead:])
    body = [row[layout.lead:] for row in header]
    if any(_is_time_row(row) for row in body):
        body = [row for row in body if not ({c.strip() for c in row} - {""}) <= TIME_WORDS]
    if body and all(_is_unit(c.strip()) for c in body[-1] if c.strip()) and any(body[-1]):
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
    if not layout.measure_labels and layout.title and (m := TITLE_MEASURE.match(layout.title[0])):
        # "Bevölkerung nach Altersjahren …", "Bevölkerung: Deutschland, …": what is counted comes first.
        layout.measure_labels = [m.group(1).strip()] * (layout.width - layout.lead)
    if not layout.measure_labels:
        log.warning("%s: the classic table names no measure; measure_label left empty", where)
        layout.measure_labels = [""] * (layout.width - layout.lead)
    layout.header = body


def _labels_leading_columns(fields: list[str], lead: int) -> bool:
    """A row with words over the leading columns (no date, no region key) and words, not
    numbers, over every value column: a damaged number in a data row does not look like that."""
    leading = [f.strip() for f in fields[:lead]]
    values = [f.strip() for f in fields[lead:]]
    if not any(leading) or any(TIME_CELL.match(f) or common.REGION_KEY.match(f) for f in leading if f):
        return False
    return all(values) and all(WORD.search(v) for v in values) and not any(
        re.match(common.NUMBER_COMMA, v) or v in SPECIAL_SYMBOLS for v in values)


def _is_time_row(cells: list[str]) -> bool:
    filled = [c.strip() for c in cells if c.strip()]
    return bool(filled) and all(TIME_CELL.match(c) for c in filled)


def _is_measure_row(cells: list[str], has_unit_row: bool) -> bool:
    """The top header row names the measure over each column: one text over all, or, in a
    table with a unit row, one measure per column (``Lebendgeborene``, ``Gestorbene``)."""
    if not all(cells) or TOTAL in cells or _is_time_row(cells):
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
        if found["region_code"] is None and not found["variables"] and _names_regions(stripped):
            found["region_code"] = _region_keys(values, layout, where)
            found["region_name"] = values
            c += 1
            continue
        labels = [v.strip() for v in values]
        if c + 1 < layout.lead and _code_and_label(stripped, columns[c], columns[c + 1]):
            codes = labels
            labels = [v.strip() for v in columns[c + 1]]
            prefixes = {m.group(1) if (m := CODE_PREFIX.match(code)) else "" for code in set(codes)}
            common_prefix = prefixes.pop() if len(prefixes) == 1 else ""
            name = slug(common_prefix) if common_prefix else f"merkmal_{c + 1}"
            label = common_prefix or name
            if not common_prefix and _ages(set(labels)):
                name, label = "alter", "Altersgruppen"
            elif not common_prefix and _lead_label(layout, c):
                label = _lead_label(layout, c)
                name = _name_for(label)[0]
            found["variables"].append((name, label, common_prefix, labels, codes))
            c += 2
            continue
        distinct = set(labels) - {TOTAL, "Total"}
        known = {KNOWN_ATTRIBUTES.get(v) for v in distinct} - {None}
        if _ages(distinct):
            name, label = "alter", "Altersgruppen"
        elif len(known) == 1 and all(v in KNOWN_ATTRIBUTES for v in distinct):
            label = known.pop()
            name = _name_for(label)[0]
        elif _lead_label(layout, c):
            label = _lead_label(layout, c)
            name = _name_for(label)[0]
        else:
            name = label = f"merkmal_{c + 1}"
        found["variables"].append((name, label, KNOWN_VARIABLES.get(label, ""), labels, None))
        c += 1
    return found


def _lead_label(layout: Layout, c: int) -> str:
    """The header's name for leading column ``c`` (``Altersjahre``), '' where it gives none."""
    return layout.lead_labels[c] if c < len(layout.lead_labels) else ""


def _ages(labels: set[str]) -> bool:
    """Age groups or single years of age (``6 bis unter 10 Jahre``, ``95 Jahre und mehr``)."""
    distinct = labels - {TOTAL, "Total"}
    return bool(distinct) and sum(bool(AGE_LABEL.search(v)) for v in distinct) >= 0.8 * len(distinct)


def _names_regions(names: set[str]) -> bool:
    """A column of region names without keys: most names carry a designation or name a Land."""
    names = {n for n in names if n}
    regional = sum(bool(REGION_NAME.search(ENGLISH_REGIONS.get(n, n))) for n in names)
    return bool(names) and regional >= 0.6 * len(names)


def _region_keys(names: list[str], layout: Layout, where: str) -> list[str]:
    """The registry key of each region name; an unknown or ambiguous name is an error naming
    the line and the candidates the registry offers."""
    from krefeld_data.regions.registry import UnknownRegion, region

    keys: dict[str, str] = {}
    for (line, _), name in zip(layout.data, names, strict=True):
        if name not in keys:
            try:
                keys[name] = region(ENGLISH_REGIONS.get(name.strip(), name)).code
            except UnknownRegion as exc:
                raise ParseError(f"{where}: line {line}: the table names its regions without keys, "
                                 f"and {exc}") from None
    return [keys[name] for name in names]


def _code_and_label(stripped: set[str], codes: list[str], labels: list[str]) -> bool:
    """A classification code column with its label column beside it (``WZ08-A;Agriculture…``):
    every cell a code, the neighbour a text, and one label per code."""
    if not stripped or not all(CODE_CELL.match(v) for v in stripped):
        return False
    label_set = {v.strip() for v in labels}
    if all(CODE_CELL.match(v) for v in label_set):
        return False
    pairs = {(code.strip(), label.strip()) for code, label in zip(codes, labels, strict=True)}
    return len(pairs) == len(stripped)


def _name_from_title(lead: dict, column_vars: list, title: list[str]) -> None:
    """Unnamed row variables take their names from the title's "… nach A und B" words.

    Only when the title names exactly as many variables as are still unnamed, after those the
    header already shows: a guess would name a column wrongly.
    """
    match = TITLE_VARIABLES.search(" ".join(title))
    if not match:
        return
    words = [w.strip() for w in re.split(r",\s*|\s+und\s+", match.group(1)) if w.strip()]
    shown = {slug(label) for _, label, _, _ in column_vars}
    shown |= {slug(v[1]) for v in lead["variables"]} | {"alter"}
    left = [w for w in words if slug(w) not in shown and not (slug(w).startswith("alter") and "alter" in
                                                             {v[0] for v in lead["variables"]})]
    unnamed = [i for i, v in enumerate(lead["variables"]) if v[0].startswith("merkmal_")]
    if not unnamed or len(left) != len(unnamed):
        return
    names = {v[0] for v in lead["variables"]} | {v[0] for v in column_vars}
    for i, word in zip(unnamed, left, strict=True):
        name = slug(word)
        if name in names or name in {"region", "measure", "unit", "value", "status", "quality"}:
            continue
        _, _, code, labels, codes = lead["variables"][i]
        lead["variables"][i] = (name, word.split("(")[0].strip(), code, labels, codes)
        names.add(name)


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
    footnotes, copyright_, stand, vintage_line = [], "", "", ""
    for text in layout.footer:
        text = text.strip()
        if text.startswith(FOOTER_RULE):
            continue
        if text.startswith("©"):
            copyright_ = " ".join(text.split())
        elif text.startswith(VINTAGE_LINES):
            vintage_line, _, stand = text.partition(":")
            stand = stand.strip()
        else:
            footnotes.append(text)
    attrs = {"footnotes": footnotes, "copyright": copyright_, "stand": stand, "title": " ".join(layout.title)}
    vintage = common.iso_date_of(stand)
    if vintage:
        attrs["vintage"] = vintage
        attrs["vintage_source"] = f"{vintage_line.strip()} line of the file"
    return attrs
