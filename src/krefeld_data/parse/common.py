"""What the GENESIS parsers share: special values, numbers, labels, dates, the tidy frame.

Everything here works on whole columns (pyarrow compute or pandas categoricals), never row
by row: a flat file can hold millions of values.
"""

from __future__ import annotations

import functools
import logging
import re
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from krefeld_data.errors import ParseError
from krefeld_data.schema import LEADING, SPECIAL_VALUES, STATUSES, TRAILING

log = logging.getLogger(__name__)

# Numbers as the offices write them: no thousands separator, decimal comma (flat files and
# classic tables alike). A decimal point is accepted only where the format allows it.
NUMBER_COMMA = r"^-?[0-9]+(,[0-9]+)?$"
NUMBER_COMMA_OR_POINT = r"^-?[0-9]+([,.][0-9]+)?$"
SPECIAL_SYMBOLS = list(SPECIAL_VALUES)  # order fixes the status codes below

# Region variables of the GENESIS databases: their attribute codes are region keys.
REGION_VARIABLES = {
    "DINSG", "DLAND", "REGBEZ", "KREISE", "GEMEIN", "GEMEINDE", "GEMVB", "BEZIRK", "STADTT",
}
REGION_KEY = re.compile(r"^(DG|\d{2}|\d{3}|\d{5}|\d{8}|\d{9}|\d{12})$")
REGION_WORDS = ("kreis", "land", "länder", "gemeinde", "regierungsbezirk", "deutschland", "bezirk")

DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
DATE_GERMAN = re.compile(r"^(\d{2})\.(\d{2})\.(\d{4})$")
YEAR = re.compile(r"^(\d{4})$")
YEAR_LEADING = re.compile(r"^(\d{4})\b")


@dataclass
class Variable:
    """One classifying variable of a table: its column name and per-row label and code."""

    name: str  # column name in the tidy frame, e.g. ``ges``
    labels: Any  # per-row attribute labels (Categorical, array or scalar)
    codes: Any  # per-row attribute codes (same)
    code: str = ""  # the GENESIS variable code, e.g. ``GES`` ('' where the file gives none)
    label: str = ""  # the variable label, e.g. ``Geschlecht``


def parse_values(
    values: pa.Array | pa.ChunkedArray,
    where: str,
    line_of: Callable[[int], str],
    number_pattern: str = NUMBER_COMMA,
) -> tuple[np.ndarray, pd.Categorical]:
    """Numbers and statuses of a column of published cells.

    ``-`` is a true zero (0.0, status ``zero``); ``.``, ``...``, ``x`` and ``/`` give NaN with
    their own status. Anything else that is not a number is a :class:`ParseError` naming the
    line (``line_of(position)``) and the value: a silent NaN would hide a broken file.
    """
    values = pc.utf8_trim_whitespace(values)
    special_index = pc.index_in(values, value_set=pa.array(SPECIAL_SYMBOLS))
    is_special = pc.is_valid(special_index)
    is_number = pc.match_substring_regex(values, number_pattern)
    bad = pc.invert(pc.or_(is_special, is_number))
    if pc.any(bad).as_py():
        position = pc.index(bad, True).as_py()
        shown = values[position].as_py()
        what = "an empty cell" if shown == "" else f"the value {shown!r}"
        raise ParseError(
            f"{where}: {line_of(position)}: {what} is neither a number nor a GENESIS special "
            f"symbol ({' '.join(SPECIAL_SYMBOLS)})"
        )
    as_number = pc.if_else(is_special, pa.scalar(None, pa.string()), values)
    as_number = pc.replace_substring(as_number, ",", ".")
    numbers = pc.cast(as_number, pa.float64()).to_numpy(zero_copy_only=False)
    # status code 0 is '' (a number); special symbol i gets status i + 1 in STATUSES order.
    codes = pc.fill_null(pc.add(special_index, 1), 0).to_numpy(zero_copy_only=False).astype(np.int8)
    numbers = np.where(codes == STATUSES.index("zero"), 0.0, numbers)
    status = pd.Categorical.from_codes(codes, categories=_status_categories())
    return numbers, status


def _status_categories() -> list[str]:
    # STATUSES starts with '' and then the statuses in SPECIAL_VALUES order; check, don't assume.
    expected = ["", *SPECIAL_VALUES.values()]
    if STATUSES[: len(expected)] != expected:  # pragma: no cover - a schema edit gone wrong
        raise AssertionError("schema.STATUSES must begin with '' and the SPECIAL_VALUES statuses")
    return STATUSES


def special_value_counts(status: pd.Categorical | pd.Series) -> dict[str, int]:
    """How many cells carry each special status (only statuses that occur)."""
    counts = pd.Series(status).value_counts()
    return {str(k): int(v) for k, v in counts.items() if k != "" and v > 0}


def quality_column(flags: Any, n: int) -> pd.Categorical:
    """Quality flags (``e``, ``p``, …) as a categorical; '' where none is published."""
    if flags is None:
        return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=[""])
    cat = strip_labels(flags)
    if "" not in cat.categories:
        cat = cat.add_categories([""])
    return cat.fillna("")


def strip_labels(labels: Any) -> pd.Categorical:
    """Labels without the indentation the offices use to show the hierarchy."""
    cat = labels if isinstance(labels, pd.Categorical) else pd.Categorical(labels)
    stripped = [str(c).strip() for c in cat.categories]
    if len(set(stripped)) == len(stripped):
        return cat.rename_categories(stripped)
    # Two labels differing only in indentation: merge them (rare, keeps codes valid).
    mapping = dict(zip(cat.categories, stripped, strict=True))
    return pd.Categorical(pd.Series(cat).map(mapping))


def parse_times(times: pd.Categorical, where: str) -> tuple[pd.arrays.IntegerArray, np.ndarray]:
    """Year (Int64) and Stichtag (datetime64, NaT where the period is a year) per row.

    Only the distinct time labels are parsed, so this costs nothing per row.
    """
    years: list[Any] = []
    dates: list[Any] = []
    for label in times.categories:
        year, date = parse_time(str(label), where)
        if year is None:
            log.warning("%s: time %r gives no year; year left empty", where, label)
        years.append(year)
        dates.append(date)
    codes = times.codes
    year_by_code = pd.array([*years, None], dtype="Int64")
    date_by_code = np.array([*(d if d is not None else np.datetime64("NaT") for d in dates),
                             np.datetime64("NaT")], dtype="datetime64[ns]")
    return year_by_code[codes], date_by_code[codes]


def parse_time(text: str, where: str = "") -> tuple[int | None, np.datetime64 | None]:
    """``2024-12-31`` / ``31.12.2024`` → (2024, that day); ``2024`` → (2024, None)."""
    text = text.strip()
    try:
        if m := DATE_ISO.match(text):
            return int(m.group(1)), np.datetime64(text, "ns")
        if m := DATE_GERMAN.match(text):
            day, month, year = m.groups()
            return int(year), np.datetime64(f"{year}-{month}-{day}", "ns")
    except ValueError:  # 2023-02-30, 31.13.2023: the shape of a date, but no such day
        raise ParseError(f"{where}: the date {text!r} does not exist") from None
    if m := YEAR.match(text) or YEAR_LEADING.match(text):
        return int(m.group(1)), None
    return None, None


def is_region_variable(code: str, label: str, attribute_codes: Sequence[str]) -> bool:
    """Is this the variable whose attribute codes are region keys (AGS/ARS)?"""
    code = code.strip().upper()
    if code in REGION_VARIABLES or code.startswith("GEO"):
        return True
    keys = [c for c in attribute_codes if c]
    lowered = label.lower()
    return bool(keys) and all(REGION_KEY.match(c) for c in keys) and any(w in lowered for w in REGION_WORDS)


def column_name(code: str) -> str:
    """Tidy column name of a variable: its code in lower case."""
    return code.strip().lower()


def as_str(values: Any, n: int) -> pd.Series:
    """A string column (pandas ``str`` dtype); a scalar is repeated ``n`` times."""
    if values is None or np.isscalar(values):
        text = "" if values is None else str(values)
        return strings_of(pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=[text]))
    if isinstance(values, pd.Categorical):
        return strings_of(values)
    return pd.Series(values).astype("str").reset_index(drop=True)


def as_category(values: Any, n: int) -> pd.Categorical:
    if values is None or np.isscalar(values):
        return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=["" if values is None
                                                                                  else str(values)])
    if isinstance(values, pd.Categorical):
        return values
    return pd.Categorical(values)


def tidy_frame(
    *,
    n: int,
    table: Any,
    region_code: Any,
    region_name: Any,
    year: Any,
    date: Any,
    variables: Sequence[Variable],
    measure: Any,
    measure_label: Any,
    unit: Any,
    value: np.ndarray,
    status: pd.Categorical,
    quality: pd.Categorical,
    where: str,
    attrs: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Assemble the tidy schema (see :mod:`krefeld_data.schema`) from per-row columns or scalars."""
    columns: dict[str, Any] = {
        "table": as_str(table, n),
        "region_code": as_str(region_code, n),
        "region_name": as_str(region_name, n),
        "year": _int64(year, n),
        "date": _dates(date, n),
    }
    reserved = set(LEADING) | set(TRAILING)
    for variable in variables:
        name = variable.name
        if name in reserved or name in columns or name.endswith("_code") or name == "region":
            raise ParseError(f"{where}: variable {variable.code or variable.label!r} would give the "
                             f"column name {name!r}, which is taken")
        columns[name] = as_category(variable.labels, n)
        if not name.endswith("_variable"):
            columns[f"{name}_code"] = as_category(variable.codes, n)
    columns.update(
        measure=as_str(measure, n),
        measure_label=as_str(measure_label, n),
        unit=as_str(unit, n),
        value=np.asarray(value, dtype="float64"),
        status=status,
        quality=quality,
    )
    frame = pd.DataFrame(columns, copy=False)  # a dict of columns is copied by default
    counts = special_value_counts(status)
    if counts:
        # The only coercion parsing does: special symbols become 0.0 ('-') or NaN, status kept.
        log.info("%s: %d values, special symbols coerced: %s", where, n,
                 ", ".join(f"{k} {v}" for k, v in counts.items()))
    frame.attrs["special_values"] = counts
    frame.attrs["variables"] = {v.name: {"code": v.code, "label": v.label} for v in variables}
    if attrs:
        frame.attrs.update(attrs)
    return frame


def _int64(values: Any, n: int) -> pd.arrays.IntegerArray:
    if values is None or np.isscalar(values):
        return pd.array(np.full(n, values if values is not None else None, dtype=object), dtype="Int64")
    return pd.array(values, dtype="Int64")


def _dates(values: Any, n: int) -> np.ndarray:
    if values is None:
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    if isinstance(values, np.datetime64):
        return np.full(n, values, dtype="datetime64[ns]")
    return np.asarray(values, dtype="datetime64[ns]")


def empty_frame(table: str | None, attrs: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """A table without data rows still has the schema's columns."""
    frame = tidy_frame(
        n=0, table=table or "", region_code="", region_name="", year=None, date=None, variables=[],
        measure="", measure_label="", unit="", value=np.array([], dtype="float64"),
        status=pd.Categorical([], categories=STATUSES), quality=pd.Categorical([], categories=[""]),
        where="", attrs=attrs,
    )
    return frame


def header_fields(text: str) -> list[str]:
    """The fields of the first line (the flat files' header)."""
    end = text.find("\n")
    first = (text if end < 0 else text[:end]).rstrip("\r")  # no split: that would copy the whole file
    return [field.strip().strip('"') for field in first.split(";")]


# arrow's streaming CSV reader reads up to 32 blocks ahead of the batch it hands out: with
# its default 1 MiB blocks that is the whole of a 32 MB file. 512 KiB halves that and measured
# as fast; smaller blocks were slower and give every column more per-batch dictionaries.
CSV_BLOCK_SIZE = 512 << 10
ENCODE_AHEAD = 4  # batches read but not yet dictionary-encoded, at most


@functools.cache
def csv_memory_pool() -> pa.MemoryPool:
    """The pool the flat-file reader allocates from: jemalloc where pyarrow has it.

    Blocks are allocated on arrow's threads and freed on others; with pyarrow's default
    mimalloc pool the process kept much more of that memory. Measured on the real 33.5 MB
    flat file: peak 77-92 MB above idle with mimalloc, 63-64 MB with jemalloc. Only this
    reader uses it; pyarrow's default pool stays as it is.
    """
    try:
        return pa.jemalloc_memory_pool()
    except NotImplementedError:  # a pyarrow built without jemalloc (e.g. on Windows)
        return pa.default_memory_pool()


def read_semicolon_csv(payload: Any, where: str, types: Sequence[pa.DataType]) -> pa.Table:
    """The data rows of a flat file as an arrow table with columns ``f0``, ``f1``, …

    The header is skipped and the columns are named by position, because one variant of
    the old layout repeats column names. Rows with the wrong number of fields (shifted
    columns, a comma-separated export) are a :class:`ParseError` naming the line.
    """
    import pyarrow.csv as pacsv

    names = [f"f{i}" for i in range(len(types))]
    encoding = "utf8" if payload.encoding.startswith("utf-8") else payload.encoding

    def read(encoding: str) -> pa.Table:
        with _arrow_stream(payload, where) as stream:
            return read_from(stream, encoding)

    def read_from(stream: pa.NativeFile, encoding: str) -> pa.Table:
        # Stream blocks as strings and dictionary-encode each at once: faster than letting the
        # reader build dictionaries, and the file's strings never all exist at the same time.
        pool = csv_memory_pool()
        reader = pacsv.open_csv(
            stream,
            read_options=pacsv.ReadOptions(skip_rows=1, column_names=names, encoding=encoding,
                                           block_size=CSV_BLOCK_SIZE),
            memory_pool=pool,
            parse_options=pacsv.ParseOptions(delimiter=";", quote_char='"', newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        encode = [pa.types.is_dictionary(t) for t in types]

        def encoded(batch: pa.RecordBatch) -> pa.RecordBatch:
            return pa.record_batch(
                [pc.dictionary_encode(c, memory_pool=pool) if e else c
                 for c, e in zip(batch.columns, encode, strict=True)],
                names=names,
            )

        # Encode on a worker while arrow parses the next blocks (both release the GIL); a
        # few batches in flight at most, so the file's strings still never pile up.
        batches: list[pa.RecordBatch] = []
        pending: deque[Future[pa.RecordBatch]] = deque()
        with ThreadPoolExecutor(max_workers=1) as workers:
            for batch in reader:
                pending.append(workers.submit(encoded, batch))
                del batch
                while len(pending) > ENCODE_AHEAD or (pending and pending[0].done()):
                    batches.append(pending.popleft().result())
            batches.extend(f.result() for f in pending)
        schema = pa.schema([(n, t) for n, t in zip(names, types, strict=True)])
        return pa.Table.from_batches(batches, schema=schema)

    try:
        try:
            return read(encoding)
        except pa.ArrowInvalid as exc:
            # Sniffing decoded only the first lines; a Windows-1252 byte further down shows here.
            if encoding != "utf8" or "UTF8" not in str(exc):
                raise
            if not payload.text.isascii():  # UTF-8 umlauts up there: Windows-1252 would garble them
                raise ParseError(f"{where}: mixed encodings: UTF-8 at the start, then bytes that are "
                                 f"not UTF-8; save the file again in one encoding") from None
            log.warning("%s: not UTF-8 after the first lines; reading it as Windows-1252", where)
            return read("cp1252")
    except pa.ArrowInvalid as exc:
        text = payload.text if getattr(payload, "text_complete", True) else _decode_all(payload, where)
        raise ParseError(_explain_csv_error(text, len(types), where, str(exc))) from None


@contextmanager
def _arrow_stream(payload: Any, where: str) -> Iterator[pa.NativeFile]:
    """The payload's content for arrow: from memory, or streamed from its file (or zip member)."""
    from krefeld_data.parse.sniff import open_content

    if getattr(payload, "path", None) is None:
        yield pa.BufferReader(pa.py_buffer(payload.data))  # zero-copy; io.BytesIO copies each block
    elif payload.member is None:
        with pa.input_stream(str(payload.path)) as stream:  # read by arrow, not through Python
            yield stream
    else:
        with open_content(payload, where) as member, pa.PythonFile(member, mode="r") as stream:
            yield stream


def _decode_all(payload: Any, where: str) -> str:
    from krefeld_data.parse.sniff import decode, read_content

    return decode(read_content(payload, where), where)[0]


def _explain_csv_error(text: str, expected: int, where: str, message: str) -> str:
    """Find the offending line ourselves: arrow's message does not give its number."""
    import csv

    for number, fields in enumerate(csv.reader(text.splitlines(), delimiter=";"), start=1):
        if len(fields) != expected and any(f.strip() for f in fields):
            shown = ";".join(fields)[:120]
            hint = ""
            if len(fields) == 1 and "," in shown:
                hint = " (the line is comma-separated; GENESIS flat files use ';')"
            return (f"{where}: line {number} has {len(fields)} fields where the header has {expected}"
                    f"{hint}: {shown!r}")
    return f"{where}: cannot read the flat file: {message.splitlines()[0][:200]}"


DICT = pa.dictionary(pa.int32(), pa.string())


def single_value(column: pd.Categorical | pa.ChunkedArray, what: str, where: str) -> str:
    """The one value a column must hold throughout (e.g. the statistics code)."""
    present = distinct_values(column)
    if len(present) > 1:
        raise ParseError(f"{where}: {what} is not the same in every row: {', '.join(present[:5])}")
    return present[0] if present else ""


def distinct_values(column: pd.Categorical | pa.ChunkedArray) -> list[str]:
    """The values that occur in a column (not merely its categories), sorted.

    Takes an arrow column too, so columns needed only for this never become pandas.
    """
    if isinstance(column, pa.ChunkedArray):
        unique = column.unique()
        if pa.types.is_dictionary(unique.type):
            unique = unique.dictionary_decode()
        return sorted(str(v) for v in unique.to_pylist() if v is not None)
    if not len(column):
        return []
    used = np.unique(column.codes[column.codes >= 0])
    return sorted(str(c) for c in column.categories[used])


def build_variables(
    groups: Sequence[tuple[Any, Any, pd.Categorical, pd.Categorical]],
    where: str,
) -> tuple[list[Variable], Variable | None]:
    """Classifying variables and the region variable from the flat files' column groups.

    Each group is (variable code, variable label, attribute code, attribute label) per row.
    The first position whose variables' attribute codes are region keys becomes the region
    (a position may mix region levels, e.g. ``GEODL1`` and ``GEOBL1`` in the census).
    A position that mixes other variables (the census' ``WDGAT1``/``WDGAT2``, two
    overlapping breakdowns of one theme) becomes one column named after all of them, plus
    ``<name>_variable`` with each row's variable code, so no row is confused with another.
    """
    variables: list[Variable] = []
    region: Variable | None = None
    for position, (codes, labels, attr_codes, attr_labels) in enumerate(groups, start=1):
        var_codes = [c.strip() for c in distinct_values(codes)]
        var_labels = distinct_values(labels)
        if not var_codes or not all(var_codes):
            raise ParseError(f"{where}: variable {position} has rows without a variable code")
        codes_stripped = strip_labels(attr_codes)
        attribute_codes = [str(c) for c in codes_stripped.categories]
        label = ", ".join(var_labels)
        if region is None and all(is_region_variable(c, label, attribute_codes) for c in var_codes):
            region = Variable(
                name="region", labels=strip_labels(attr_labels), codes=codes_stripped,
                code=", ".join(var_codes), label=label,
            )
            continue
        name = "_".join(column_name(c) for c in var_codes)
        if any(v.name == name for v in variables):
            raise ParseError(f"{where}: variable {', '.join(var_codes)} appears twice")
        variables.append(Variable(
            name=name, labels=strip_labels(attr_labels), codes=codes_stripped,
            code=", ".join(var_codes), label=label,
        ))
        if len(var_codes) > 1:
            log.info("%s: position %d mixes the variables %s", where, position, ", ".join(var_codes))
            which = strip_labels(categorical(codes) if isinstance(codes, pa.ChunkedArray) else codes)
            variables.append(Variable(name=f"{name}_variable", labels=which, codes=which,
                                      code="", label="variable code of each row"))
    return variables, region


def categorical(column: pa.ChunkedArray) -> pd.Categorical:
    """An arrow dictionary column as a pandas Categorical (chunks' dictionaries unified)."""
    series = column.to_pandas()
    return series.array if isinstance(series.dtype, pd.CategoricalDtype) else pd.Categorical(series)


def strings_of(cat: pd.Categorical) -> pd.Series:
    """Categorical to a plain ``str`` column, taking from the categories (fast)."""
    categories = pd.Series(cat.categories.astype(str), dtype="str")
    codes = cat.codes
    if (codes < 0).any():
        categories = pd.concat([categories, pd.Series([""], dtype="str")], ignore_index=True)
        codes = np.where(codes < 0, len(categories) - 1, codes)
    return categories.take(codes).reset_index(drop=True)


# The unit of a value published "in 1000": said in words, so no reader takes 648 for 648 people.
MULTIPLIER_UNITS = {
    "1000": "in 1000", "1 000": "in 1000", "1.000": "in 1000", "Tsd.": "in 1000", "Tsd": "in 1000",
    "1000000": "in Millionen", "Mill.": "in Millionen", "Mio.": "in Millionen",
}
STAND_DATE = re.compile(r"^\s*(?:(\d{2})\.(\d{2})\.(\d{4})|(\d{4})-(\d{2})-(\d{2}))(?![\d])")


def unit_words(unit: str) -> str:
    """A unit that is only a multiplier (``1000``, ``Tsd.``) as words (``in 1000``); others as given.

    Flat files write ``value_unit`` ``1000`` and classic tables ``Persons in employment (1000)``:
    a bare ``1000`` in a unit column reads like a number, not like "thousands of".
    """
    text = str(unit).strip()
    return MULTIPLIER_UNITS.get(text, text)


def unit_column(units: pd.Categorical) -> pd.Categorical:
    """:func:`unit_words` over a categorical unit column (on its categories only)."""
    words = [unit_words(str(c)) for c in units.categories]
    if words == [str(c) for c in units.categories]:
        return units
    if len(set(words)) == len(words):
        return units.rename_categories(words)
    return pd.Categorical(pd.Series(units).map(dict(zip(units.categories, words, strict=True))))


def iso_date_of(stand: str) -> str:
    """The ISO day (``2026-02-09``) a ``Stand`` / ``created`` text begins with; '' if none.

    ``09.02.2026 / 16:09:36`` and ``2025-09-12 / 19:55:56`` are how the offices write it.
    """
    match = STAND_DATE.match(str(stand or ""))
    if not match:
        return ""
    day, month, year, iso_year, iso_month, iso_day = match.groups()
    year, month, day = (year, month, day) if year else (iso_year, iso_month, iso_day)
    try:
        return str(np.datetime64(f"{year}-{month}-{day}", "D"))
    except ValueError:
        return ""
