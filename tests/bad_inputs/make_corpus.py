"""Write the bad-input corpus: damaged files in every format we read, plus a manifest.

Each file is made from a package sample (``src/krefeld_data/samples/files``, invented numbers)
or from a small inline table, damaged the way downloads really break: cut off, saved by a
spreadsheet, joined, re-encoded, or answered with an error page. The manifest says for each
file what it is and what must happen:

- ``expect="error"``: :func:`krefeld_data.read_table` (or the step named in ``via``) raises a
  :class:`~krefeld_data.errors.KrefeldDataError` whose message names the file and contains
  every keyword;
- ``expect="ok"``: it parses, and the frame equals the parse of the undamaged file
  (``same_as``) and/or holds the listed cells with their values and statuses.

Run ``python tests/bad_inputs/make_corpus.py DIR`` to write the files for inspection.
"""

from __future__ import annotations

import io
import json
import random
import sys
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

SAMPLES = Path(__file__).resolve().parents[2] / "src" / "krefeld_data" / "samples" / "files"
BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Case:
    name: str  # file name in the corpus folder
    what: str  # the damage, in words
    data: bytes = field(repr=False)
    expect: str  # "error" or "ok"
    keywords: tuple[str, ...] = ()  # for errors: each must appear in the message (any case)
    error: str = "KrefeldDataError"  # the subclass expected (name in krefeld_data.errors)
    via: str = "read"  # read | import | totals:<variable> | regions
    same_as: str | None = None  # for ok: frame equal to the parse of this undamaged base
    rows: int | None = None  # for ok: number of rows
    cells: tuple[dict[str, Any], ...] = ()  # for ok: rows selected by keys, with value/status
    differs: tuple[str, ...] = ()  # for same_as: columns the format itself writes differently
    xfail: str = ""  # a known gap: why the expected outcome does not happen yet

    def manifest(self) -> dict[str, Any]:
        entry = asdict(self)
        entry.pop("data")
        entry["bytes"] = len(self.data)
        return entry


# ---------------------------------------------------------------------------- base files


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def zipped(*members: tuple[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, content in members:
            # A fixed date: the same case gives the same bytes however often the corpus is made.
            info = zipfile.ZipInfo(member, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return buffer.getvalue()


def unzip(data: bytes) -> tuple[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        (member,) = archive.namelist()
        return member, archive.read(member)


FF_HEADER = (
    "statistics_code;statistics_label;time_code;time_label;time;1_variable_code;1_variable_label;"
    "1_variable_attribute_code;1_variable_attribute_label;2_variable_code;2_variable_label;"
    "2_variable_attribute_code;2_variable_attribute_label;value;value_unit;value_variable_code;"
    "value_variable_label"
)
# Invented numbers (not real figures). Total = männlich + weiblich in every region and year.
TINY_ROWS = [
    ("2023-12-31", "05114", "Krefeld, kreisfreie Stadt", "", "Insgesamt", "333"),
    ("2023-12-31", "05114", "Krefeld, kreisfreie Stadt", "GESM", "männlich", "111"),
    ("2023-12-31", "05114", "Krefeld, kreisfreie Stadt", "GESW", "weiblich", "222"),
    ("2023-12-31", "05", "Nordrhein-Westfalen", "", "Insgesamt", "1000"),
    ("2023-12-31", "05", "Nordrhein-Westfalen", "GESM", "männlich", "-"),
    ("2023-12-31", "05", "Nordrhein-Westfalen", "GESW", "weiblich", "1000"),
    ("2023-12-31", "08311", "Freiburg im Breisgau, Stadtkreis", "", "Insgesamt", "."),
    ("2023-12-31", "08311", "Freiburg im Breisgau, Stadtkreis", "GESM", "männlich", "..."),
    ("2023-12-31", "08311", "Freiburg im Breisgau, Stadtkreis", "GESW", "weiblich", "x"),
    ("2023-12-31", "DG", "Deutschland", "GESW", "weiblich", "/"),
]


def tiny_ffcsv(rows=TINY_ROWS, *, bom: bool = True, newline: str = "\n") -> bytes:
    lines = [FF_HEADER]
    for time, code, name, ges, ges_label, value in rows:
        lines.append(
            f"12411;Fortschreibung des Bevölkerungsstandes;STAG;Stichtag;{time};KREISE;"
            f"Kreise und kreisfreie Städte;{code};{name};GES;Geschlecht;{ges};{ges_label};{value};"
            f"Anzahl;BEVSTD;Bevölkerungsstand"
        )
    return (BOM if bom else b"") + (newline.join(lines) + newline).encode("utf-8")


OLD_HEADER = (
    "Statistik_Code;Statistik_Label;Zeit_Code;Zeit_Label;Zeit;1_Merkmal_Code;1_Merkmal_Label;"
    "1_Auspraegung_Code;1_Auspraegung_Label;2_Merkmal_Code;2_Merkmal_Label;2_Auspraegung_Code;"
    "2_Auspraegung_Label;BEVSTD__Bevoelkerungsstand__Anzahl"
)


def tiny_old(rows=TINY_ROWS) -> bytes:
    lines = [OLD_HEADER]
    for time, code, name, ges, ges_label, value in rows:
        year, month, day = time.split("-")
        lines.append(
            f"12411;Fortschreibung des Bevölkerungsstandes;STAG;Stichtag;{day}.{month}.{year};KREISE;"
            f"Kreise und kreisfreie Städte;{code};  {name};GES;Geschlecht;{ges};{ges_label};{value}"
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


# The classic table as the three websites send it in 2025-26 (Testdaten, invented numbers):
# "Tabelle:", padded title lines, three header rows, name-only regions, a quoted footnote.
CLASSIC_2026 = """Tabelle: 99999-03i
Testdaten: Ausländische Bevölkerung nach Geschlecht;;;;
- kreisfreie Städte und Kreise - Stichtag;;;;
;;Ausländische Bevölkerung;Ausländische Bevölkerung;Ausländische Bevölkerung
;;Insgesamt;männlich;weiblich
;;Anzahl;Anzahl;Anzahl
31.12.2024;Nordrhein-Westfalen;1000;600;400
31.12.2024;  Düsseldorf, Regierungsbezirk;500;300;200
31.12.2024;    Krefeld, krfr. Stadt;100;55;45
31.12.2024;    Kleve, Kreis;10;-;.
__________
"Testdaten:
Die Zahlen sind erfunden."
© IT.NRW, Düsseldorf, 2026. Testdaten.
Stand: 09.02.2026 / 16:09:36
"""
# GENESIS-Online in English with value/flag pairs and blank repeated keys (Testdaten).
CLASSIC_FLAGS = """Tabelle: 99999-9008
Testdaten: Persons in employment;;;;;;
Germany;;;;;;;;;
Persons in employment (1000);;;;;;;;;
;;;2009;;2010;
WZ08-A;Agriculture;Male;428;e;423;e
;;Female;220;e;214;
WZ08-B;Mining;Male;91;e;85;p
;;Female;13;e;11;e
__________
© Statistisches Bundesamt (Destatis), 2025
created: 2025-09-12 / 19:55:56
"""
# Eurostat SDMX-CSV 2.0 with labels, CRLF, as the Data Browser downloads it (Testdaten).
SDMX_CSV = (
    "STRUCTURE,STRUCTURE_ID,STRUCTURE_NAME,freq,Time frequency,cities,Geopolitical entity (declaring),"
    "TIME_PERIOD,Time,OBS_VALUE,Observation value,OBS_FLAG,Observation status (Flag) V2 structure,"
    "CONF_STATUS,Confidentiality status (flag)\r\n"
    "dataflow,ESTAT:TEST_DS(1.0),Testdaten,A,Annual,DE087C,Krefeld,2020,,1000,,,,,\r\n"
    "dataflow,ESTAT:TEST_DS(1.0),Testdaten,A,Annual,DE087C,Krefeld,2021,,1010,,e,estimated,,\r\n"
    "dataflow,ESTAT:TEST_DS(1.0),Testdaten,A,Annual,DE011C,Düsseldorf,2021,,2000,,b,break,,\r\n"
    "dataflow,ESTAT:TEST_DS(1.0),Testdaten,A,Annual,DE011C,Düsseldorf,2020,,,,,,C,confidential\r\n"
)
# An old flat file with several value columns sharing the unit "Anzahl" (Testdaten).
OLD_MULTI = (
    "Statistik_Code;Statistik_Label;Zeit_Code;Zeit_Label;Zeit;1_Merkmal_Code;1_Merkmal_Label;"
    "1_Auspraegung_Code;1_Auspraegung_Label;BEV001__Lebendgeborene__Anzahl;BEV002__Gestorbene__Anzahl\n"
    "99999;Testdaten;JAHR;Jahr;2023;KREISE;Kreise;05114;Krefeld, kreisfreie Stadt;2000;2500\n"
    "99999;Testdaten;JAHR;Jahr;2023;KREISE;Kreise;05111;Düsseldorf, kreisfreie Stadt;6000;-\n"
)


def new_format_cases() -> list[Case]:
    """Damaged variants of the formats of 2025-26: cut mid-line, re-encoded, header only,
    footer only, CRLF, zipped. Each ends in the right frame or a KrefeldDataError."""
    classic = CLASSIC_2026.encode("latin-1")
    flags = BOM + CLASSIC_FLAGS.encode("utf-8")
    sdmx = SDMX_CSV.encode("utf-8")
    old = OLD_MULTI.encode("utf-8")
    out: list[Case] = []
    for stem, data in (("classic2026", classic), ("classic_flags", flags), ("sdmx_csv", sdmx),
                       ("ffcsv_old_multi", old)):
        ext, base = "csv", stem
        cut = data[: data.index(b"\n", len(data) // 2) - 3]  # inside a data line
        out += [
            Case(f"{stem}_cut_mid_line.{ext}", f"{stem}: cut off inside a line", cut, "error", ("line",),
                 "ParseError"),
            Case(f"{stem}_crlf.{ext}", f"{stem}: Windows line ends", data.replace(b"\r\n", b"\n")
                 .replace(b"\n", b"\r\n"), "ok", same_as=base),
            Case(f"{stem}_zipped.zip", f"{stem}: zipped", zipped((f"{stem}.{ext}", data)), "ok",
                 same_as=base),
        ]
        text = data.decode("latin-1" if data is classic else "utf-8-sig")
        other = text.encode("utf-8-sig") if data is classic else text.encode("latin-1")
        out.append(Case(f"{stem}_reencoded.{ext}", f"{stem}: re-saved in the other encoding", other, "ok",
                        same_as=base))
    classic_lines = CLASSIC_2026.splitlines(keepends=True)
    out += [
        Case("classic2026_header_only.csv", "classic 2026: title and header rows, no data",
             "".join(classic_lines[:6]).encode("latin-1"), "error", ("header",), "ParseError"),
        Case("classic2026_footer_only.csv", "classic 2026: the first line and the footer only",
             ("".join(classic_lines[:1] + classic_lines[10:])).encode("latin-1"), "error", ("header rows",),
             "ParseError"),
        Case("classic2026_unknown_region_name.csv", "classic 2026: a region name the registry does not know",
             CLASSIC_2026.replace("Kleve, Kreis", "Klewe, Kreis").encode("latin-1"), "error",
             ("Klewe", "Kleve"), "ParseError"),
        Case("sdmx_csv_header_only.csv", "SDMX-CSV: the header line only",
             sdmx.split(b"\r\n")[0] + b"\r\n", "error", ("no data rows",), "ParseError"),
        Case("sdmx_csv_value_with_comma.csv", "SDMX-CSV: a value with a thousands comma (re-saved)",
             sdmx.replace(b",2000,", b",2,000,"), "error", ("line 4",), "ParseError"),
        Case("ffcsv_old_multi_header_only.csv", "old flat file with two value columns: header only",
             old.split(b"\n")[0] + b"\n", "error", ("no data rows",), "ParseError"),
        Case("data_explorer_retired.csv", "a CSV of Eurostat's retired Data Explorer",
             b'"TIME","CITIES","Value","Flag and Footnotes"\n"2015","Krefeld","222,500",""\n', "error",
             ("Data Explorer", "SDMX-CSV"), "ParseError"),
    ]
    return out


def status_json(code: int, content: str, type_: str = "Information") -> bytes:
    """A GENESIS status answer in the service's shape (no data)."""
    return json.dumps({
        "Ident": {"Service": "data", "Method": "tablefile"},
        "Status": {"Code": code, "Content": content, "Type": type_},
        "Parameter": {"username": "*" * 20, "password": "*" * 20, "name": "12411-01-01-4"},
        "Object": None,
    }, ensure_ascii=False).encode("utf-8")


def jsonstat_edit(edit) -> bytes:
    obj = json.loads(sample("SAMPLE_migr_asyappctza.json"))
    edit(obj)
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


def lines_of(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def replace_line(data: bytes, index: int, new: bytes) -> bytes:
    lines = lines_of(data)
    lines[index] = new
    return b"\n".join(lines)


def insert_line(data: bytes, index: int, new: bytes) -> bytes:
    lines = lines_of(data)
    lines.insert(index, new)
    return b"\n".join(lines)


def first_line_with(data: bytes, needle: bytes, start: int = 1) -> int:
    return next(i for i, line in enumerate(lines_of(data)) if i >= start and needle in line)


def set_field(line: bytes, index: int, value: bytes) -> bytes:
    fields = line.split(b";")
    fields[index] = value
    return b";".join(fields)


# ---------------------------------------------------------------------------- the corpus


def cases() -> list[Case]:
    ff = sample("SAMPLE_12411-01-01-4.csv")  # ffcsv current layout, UTF-8 with BOM, > 64 KiB
    ff_zip = sample("SAMPLE_12411-03-03-4.zip")
    quality = sample("SAMPLE_1000A-2022.csv")
    classic_latin1 = sample("SAMPLE_12511-01-01-4.csv")
    classic_utf8 = sample("SAMPLE_12111-07-01-4.csv")
    jsonstat = sample("SAMPLE_migr_asyappctza.json")
    tiny, old = tiny_ffcsv(), tiny_old()
    member, member_bytes = unzip(ff_zip)
    value_col = FF_HEADER.split(";").index("value")
    cut_in_value = ff.index(b";Anzahl;BEVSTD", len(ff) // 2) - 2  # inside a value, mid-file
    first_data_old = 1
    krefeld_old = first_line_with(old, b"05114")
    classic_row = first_line_with(classic_latin1, b";05114;")
    classic_utf8_row = first_line_with(classic_utf8, b"DG;Deutschland;")
    random_bytes = random.Random(8).randbytes(3000)

    def ff_value(line_no: int, value: bytes, data: bytes = ff) -> bytes:
        return replace_line(data, line_no, set_field(lines_of(data)[line_no], value_col, value))

    html = (b"<!DOCTYPE html>\n<html><head><title>Wartungsarbeiten</title></head>"
            b"<body><h1>Die Datenbank ist wegen Wartungsarbeiten nicht erreichbar.</h1></body></html>\n")
    krefeld_tiny = {"region_code": "05114", "ges_code": "GESM"}
    return [
        # ---- cut off
        Case("ffcsv_truncated_mid_value.csv", "flat file cut off inside a value in mid-file",
             ff[:cut_in_value], "error", ("fields where the header has",), "ParseError"),
        Case("ffcsv_truncated_in_header.csv", "flat file cut off inside the header line",
             ff[:200], "error", ("header without a value column",), "ParseError"),
        Case("zip_truncated_half.zip", "zip cut off at half its size",
             ff_zip[: len(ff_zip) // 2], "error", ("damaged or truncated zip",), "ParseError"),
        Case("zip_truncated_tail.zip", "zip without its last 10 bytes (central directory)",
             ff_zip[:-10], "error", ("zip",), "ParseError"),
        Case("zip_corrupted_member.zip", "zip with one byte of the compressed member flipped",
             ff_zip[:200] + bytes([ff_zip[200] ^ 0xFF]) + ff_zip[201:], "error", ("zip",), "ParseError"),
        Case("jsonstat_truncated.json", "JSON-stat cut off at two thirds",
             jsonstat[: len(jsonstat) * 2 // 3], "error", ("not valid JSON",), "ParseError"),
        Case("classic_truncated_mid_row.csv", "classic table cut off inside a data row",
             classic_latin1[: classic_latin1.index(b";05114;") + 20], "error",
             ("fields where the header has",), "ParseError"),
        Case("classic_truncated_before_footer.csv",
             "classic table cut off at a line end, before its footer (rows silently missing)",
             b"\n".join(lines_of(classic_latin1)[: classic_row + 3]) + b"\n", "error", ("footer",),
             "ParseError"),
        # ---- not a table at all
        Case("html_error_page.csv", "an HTML maintenance page saved under a .csv name",
             html, "error", ("HTML page", "Wartungsarbeiten"), "ParseError"),
        Case("zip_with_html_member.zip", "a zip holding an HTML error page",
             zipped(("12411-01-01-4_flat.csv", html)), "error", ("HTML page",), "ParseError"),
        Case("empty.csv", "an empty file", b"", "error", ("empty",), "ParseError"),
        Case("only_whitespace.csv", "blank lines only", b"\r\n \n\t\n", "error", ("empty",), "ParseError"),
        Case("zip_empty.zip", "a zip without members", zipped(), "error", ("zip", "empty"), "ParseError"),
        Case("zip_empty_member.zip", "a zip whose only member is empty",
             zipped(("12411-01-01-4_flat.csv", b"")), "error", ("empty",), "ParseError"),
        Case("zip_two_members.zip", "a zip with two tables in it",
             zipped((member, member_bytes), ("12411-01-01-4_flat.csv", tiny)), "error",
             ("holds 2 files",), "ParseError"),
        Case("binary_garbage.csv", "random bytes", random_bytes, "error", ("binary",), "ParseError"),
        Case("nul_bytes.csv", "a flat file with NUL bytes in its first line",
             tiny[:40] + b"\x00\x00\x00\x00" + tiny[40:], "error", ("NUL",), "ParseError"),
        Case("utf16_resave.csv", "a flat file re-saved as UTF-16 (spreadsheet 'Unicode text')",
             tiny.decode("utf-8-sig").encode("utf-16"), "error", ("NUL",), "ParseError"),
        Case("genesis_status_unknown_code.json",
             "a GENESIS status answer with an unknown code, saved as data",
             status_json(4711, "Unbekannter\nZustand"), "error", ("status", "4711"), "ParseError",
             via="import"),
        Case("genesis_status_read.json", "the same status answer given to read_table",
             status_json(4711, "Unbekannter Zustand"), "error", ("genesis-status",), "ParseError"),
        Case("genesis_status_table_not_found.json", "a GENESIS 'table not found' answer, saved as data",
             status_json(90, "Die angeforderte Tabelle existiert nicht.", "Fehler"), "error",
             ("code 90",), "ParseError", via="import"),
        Case("eurostat_error.json", "a Eurostat error object saved as data",
             b'{"error":[{"status":404,"id":100,"label":"ERR_NOT_FOUND_4: DS-999999 not available"}]}',
             "error", ("eurostat-error",), "ParseError"),
        Case("json_unknown_shape.json", "JSON that is neither JSON-stat nor a status",
             b'{"rows": [[1, 2], [3, 4]]}', "error", ("neither a GENESIS status",), "ParseError"),
        # ---- header damage
        Case("ffcsv_header_only.csv", "flat file with its header and no data rows",
             ff[: ff.index(b"\n") + 1], "error", ("no data rows",), "ParseError"),
        Case("classic_header_only.csv", "classic table with title and header rows but no data",
             b"\n".join(lines_of(classic_latin1)[: first_line_with(classic_latin1, b"2017;DG;")]) + b"\n",
             "error", ("no data rows",), "ParseError"),
        Case("ffcsv_duplicated_header.csv", "two downloads joined: the header repeated inside the data",
             tiny + tiny[len(BOM):], "error", ("repeats the header",), "ParseError"),
        Case("ffcsv_old_duplicated_header.csv", "old layout, header repeated inside the data",
             old + old, "error", ("repeats the header",), "ParseError"),
        Case("classic_duplicated_header_row.csv", "classic table with a header row repeated in the data",
             insert_line(classic_latin1, classic_row,
                         lines_of(classic_latin1)[first_line_with(classic_latin1, b";;;Insgesamt;")]),
             "error", ("repeats a header row",), "ParseError"),
        Case("classic_two_tables_joined.csv", "two classic tables joined into one file",
             classic_utf8 + classic_utf8, "error", ("second table",), "ParseError"),
        Case("ffcsv_unknown_column.csv", "flat file header with a column we do not know",
             tiny.replace(b"value_variable_label", b"value_variable_label;comment", 1).replace(
                 b";Bev\xc3\xb6lkerungsstand\n", b";Bev\xc3\xb6lkerungsstand;\n"), "error",
             ("unknown columns", "comment"), "ParseError"),
        Case("ffcsv_column_named_twice.csv", "flat file header naming a column twice",
             tiny.replace(b"value_unit", b"value", 1), "error", ("twice",), "ParseError"),
        Case("ffcsv_old_no_measure.csv", "old layout header without a measure column",
             old.replace(b"BEVSTD__Bevoelkerungsstand__Anzahl", b"Wert", 1), "error",
             ("without a value column",), "ParseError"),
        # ---- separators and encodings
        Case("ffcsv_comma_separated.csv", "flat file re-saved with commas by a spreadsheet",
             tiny.replace(b";", b","), "error", ("comma",), "ParseError"),
        Case("ffcsv_tab_separated.csv", "flat file re-saved with tabs",
             tiny.replace(b";", b"\t"), "error", ("not a GENESIS table",), "ParseError"),
        Case("classic_comma_separated.csv", "classic table re-saved with commas",
             classic_utf8.replace(b";", b","), "error", ("header rows",), "ParseError"),
        Case("ffcsv_bom_then_latin1.csv", "UTF-8 BOM, then one row in Latin-1 (small file)",
             tiny.replace("Düsseldorf".encode(), "Düsseldorf".encode("latin-1")).replace(
                 "männlich;111".encode(), "männlich;111".encode("latin-1")), "error",
             ("mixed encodings",), "ParseError"),
        Case("ffcsv_large_bom_then_latin1.csv",
             "UTF-8 BOM, then a Latin-1 row after the first 64 KiB (only the head is sniffed)",
             ff + "12411;Fortschreibung des Bevölkerungsstandes;STAG;Stichtag;2024-12-31;KREISE;Kreise und "
             "kreisfreie Städte;05114;Krefeld, kreisfreie Stadt;GES;Geschlecht;GESM;männlich;1;Anzahl;BEVSTD;"
             "Bevölkerungsstand\n".encode("latin-1"), "error", ("mixed encodings",), "ParseError"),
        Case("classic_utf8_with_latin1_row.csv", "UTF-8 classic table with one row in Latin-1",
             replace_line(classic_utf8, classic_utf8_row,
                          lines_of(classic_utf8)[classic_utf8_row].decode().replace(
                              "Deutschland", "Deutschländ").encode("latin-1")),
             "error", ("mixed encodings",), "ParseError"),
        Case("classic_latin1_with_utf8_row.csv", "Latin-1 classic table with one row in UTF-8",
             replace_line(classic_latin1, classic_row, lines_of(classic_latin1)[classic_row].replace(
                 b"Krefeld", "Krefeld-Düsseldorf".encode())), "error", ("mixed encodings",), "ParseError"),
        Case("ffcsv_crlf.csv", "flat file with Windows line ends (CRLF)",
             tiny_ffcsv(newline="\r\n"), "ok", same_as="tiny_ffcsv"),
        Case("ffcsv_no_bom.csv", "flat file without its byte order mark", tiny[len(BOM):], "ok",
             same_as="tiny_ffcsv"),
        Case("ffcsv_quoted_fields.csv", "flat file re-saved with every field in double quotes",
             b"\n".join(b";".join(b'"' + f + b'"' for f in line.split(b";")) if line else line
                        for line in lines_of(tiny[len(BOM):])), "error", ("not a GENESIS table",),
             "ParseError"),
        Case("classic_latin1.csv", "classic table in Latin-1 (as the offices send it)",
             classic_latin1, "ok",
             cells=({"region_code": "05114", "year": 2017, "kontinente": "Insgesamt", "value": 683.0,
                     "status": ""},
                    {"region_code": "08311", "year": 2016, "kontinente": "Australien und Ozeanien",
                     "value": 0.0, "status": "zero"},
                    {"region_code": "05111", "year": 2017, "region_name": "Düsseldorf, Kreisfreie Stadt",
                     "kontinente": "Insgesamt", "value": 1626.0, "status": ""})),
        Case("classic_latin1_as_utf8.csv", "the same table converted to UTF-8 reads the same",
             classic_latin1.decode("latin-1").encode("utf-8"), "ok", same_as="SAMPLE_12511-01-01-4.csv"),
        # ---- shifted columns (the flat-file export's known fault) and odd cells
        Case("ffcsv_row_one_field_too_many.csv", "one row with an extra ';' (shifted columns)",
             replace_line(tiny, 2, lines_of(tiny)[2].replace(b";Krefeld", b";Krefeld;", 1)), "error",
             ("line 3", "18 fields"), "ParseError"),
        Case("ffcsv_row_one_field_too_few.csv", "one row missing a field (shifted columns)",
             replace_line(tiny, 4, lines_of(tiny)[4].replace(b"GES;Geschlecht;", b"GES;", 1)), "error",
             ("line 5", "16 fields"), "ParseError"),
        Case("ffcsv_large_shifted_row.csv", "a shifted row deep inside a large flat file",
             replace_line(ff, 700, lines_of(ff)[700] + b";"), "error", ("line 701",), "ParseError"),
        Case("ffcsv_old_row_one_field_too_many.csv", "old layout, one row with an extra field",
             replace_line(old, krefeld_old, lines_of(old)[krefeld_old] + b";7"), "error",
             ("line 2", "15 fields"), "ParseError"),
        Case("classic_row_one_field_too_many.csv", "classic table, one row with an extra field",
             replace_line(classic_latin1, classic_row, lines_of(classic_latin1)[classic_row] + b";1"),
             "error", (f"line {classic_row + 1}", "11 fields"), "ParseError"),
        Case("classic_row_one_field_too_few.csv", "classic table, one row missing its last field",
             replace_line(classic_latin1, classic_row,
                          lines_of(classic_latin1)[classic_row].rsplit(b";", 1)[0]),
             "error", (f"line {classic_row + 1}", "9 fields"), "ParseError"),
        Case("ffcsv_en_dash.csv", "a value written as an en dash '–' instead of '-'",
             ff_value(3, "–".encode(), tiny), "error", ("line 4", "'–'", "special symbol"), "ParseError"),
        Case("ffcsv_large_star.csv", "a value '*' deep inside a large flat file",
             ff_value(800, b"*"), "error", ("line 801", "'*'"), "ParseError"),
        Case("ffcsv_old_na.csv", "old layout, a value 'n.a.'",
             replace_line(old, first_data_old, lines_of(old)[first_data_old].rsplit(b";", 1)[0] + b";n.a."),
             "error", ("line 2", "BEVSTD", "'n.a.'"), "ParseError"),
        Case("classic_star.csv", "classic table, a cell '*'",
             replace_line(classic_latin1, classic_row,
                          lines_of(classic_latin1)[classic_row].rsplit(b";", 1)[0] + b";*"),
             "error", (f"line {classic_row + 1}", "'*'"), "ParseError"),
        Case("ffcsv_letters_in_value.csv", "a value with letters in it ('12a4')",
             ff_value(5, b"12a4", tiny), "error", ("line 6", "'12a4'"), "ParseError"),
        Case("ffcsv_empty_value.csv", "a value cell left empty", ff_value(2, b"", tiny), "error",
             ("line 3", "empty cell"), "ParseError"),
        Case("ffcsv_thousands_separators.csv", "a value with German thousands separators (1.234.567)",
             ff_value(2, b"1.234.567", tiny), "error", ("line 3", "'1.234.567'"), "ParseError"),
        Case("ffcsv_quality_bad_value.csv", "census file (value_q) with a value 'k.A.'",
             replace_line(quality, 7, lines_of(quality)[7].replace(
                 b";" + lines_of(quality)[7].split(b";")[-5] + b";",
                 b";k.A.;", 1)), "error", ("line 8", "'k.A.'"), "ParseError"),
        Case("ffcsv_bad_date.csv", "a Stichtag that is no date (2023-02-30)",
             tiny.replace(b"2023-12-31", b"2023-02-30"), "error", ("2023-02-30",), "ParseError"),
        Case("ffcsv_old_bad_date.csv", "old layout, a German date with month 13 (31.13.2023)",
             old.replace(b"31.12.2023", b"31.13.2023"), "error", ("31.13.2023",), "ParseError"),
        Case("classic_bad_date.csv", "classic table, a date in the title block that does not exist",
             classic_utf8.replace(b"09.05.2011", b"31.02.2011"), "error", ("31.02.2011",), "ParseError"),
        Case("ffcsv_all_special_values.csv", "every special value once (a correct parse)",
             tiny, "ok", rows=len(TINY_ROWS),
             cells=({**krefeld_tiny, "value": 111.0, "status": ""},
                    {"region_code": "05", "ges_code": "GESM", "value": 0.0, "status": "zero"},
                    {"region_code": "08311", "ges_code": "", "value": None, "status": "unknown"},
                    {"region_code": "08311", "ges_code": "GESM", "value": None, "status": "later"},
                    {"region_code": "08311", "ges_code": "GESW", "value": None, "status": "not_meaningful"},
                    {"region_code": "DG", "ges_code": "GESW", "value": None, "status": "unreliable"})),
        Case("ffcsv_old_layout.csv", "old layout with German dates and indented labels (a correct parse)",
             old, "ok", same_as="tiny_ffcsv", differs=("measure_label",)),  # ASCII: Bevoelkerungsstand
        # ---- totals that do not match their parts: caught by the cleaning checks
        Case("ffcsv_total_off_by_one.csv", "Insgesamt is 334 where its parts sum to 333",
             tiny.replace(b";;Insgesamt;333;", b";;Insgesamt;334;"), "error",
             ("12411", "05114", "334", "333"), "DataCheckError", via="totals:ges"),
        Case("ffcsv_totals_consistent.csv", "the same table, totals consistent (the check passes)",
             tiny, "ok", via="totals:ges", rows=len(TINY_ROWS)),
        Case("ffcsv_large_total_changed.csv", "a large flat file with one total changed",
             ff_value(first_line_with(ff, b"05114;Krefeld, kreisfreie Stadt;GES;Geschlecht;;Insgesamt"),
                      b"1", ff), "error", ("12411", "05114"), "DataCheckError", via="totals:ges"),
        Case("classic_total_changed.csv", "classic table, the Insgesamt column off by 1000 in one row",
             replace_line(classic_latin1, classic_row, lines_of(classic_latin1)[classic_row].replace(
                 b";683;", b";1683;", 1)), "error", ("12511-01-01-4", "05114", "1683"),
             "DataCheckError", via="totals:kontinente"),
        # ---- region keys
        Case("ffcsv_leading_zero_lost.csv", "region key 05114 saved as 5114 by a spreadsheet",
             tiny.replace(b";05114;", b";5114;"), "error", ("5114",), via="regions"),
        # ---- JSON-stat structure
        Case("jsonstat_id_size_mismatch.json", "JSON-stat with one 'size' entry missing",
             jsonstat_edit(lambda o: o["size"].pop()), "error", ("'id' has 8 entries but 'size' 7",),
             "ParseError"),
        Case("jsonstat_category_size_mismatch.json", "JSON-stat time size 19 with 18 categories",
             jsonstat_edit(lambda o: o["size"].__setitem__(-1, 19)), "error", ("18 categories but size 19",),
             "ParseError"),
        Case("jsonstat_value_out_of_range.json", "JSON-stat value index beyond the cube",
             jsonstat_edit(lambda o: o["value"].__setitem__("36", 5)), "error", ("index 36",), "ParseError"),
        Case("jsonstat_value_list_short.json", "JSON-stat value as a list one entry short",
             jsonstat_edit(lambda o: o.__setitem__("value", [1] * 35)), "error", ("35 entries for 36",),
             "ParseError"),
        Case("jsonstat_bad_key.json", "JSON-stat value keyed by a word",
             jsonstat_edit(lambda o: o["value"].__setitem__("first", 5)), "error", ("'first'",),
             "ParseError"),
        Case("jsonstat_bad_period.json", "JSON-stat time code that is no period",
             jsonstat_edit(_rename_first_period), "error", ("2008-X9",), "ParseError"),
        Case("jsonstat_text_value.json", "JSON-stat value written as text (a correct parse: not meaningful)",
             jsonstat_edit(lambda o: o["value"].__setitem__("1", "n.a.")), "ok",
             cells=({"asyl_app_code": "ASY_APP", "year": 2009, "value": None, "status": "not_meaningful"},
                    {"asyl_app_code": "ASY_APP", "year": 2008, "value": 38125.0, "status": "",
                     "quality": "e"})),
        *new_format_cases(),
    ]


def _rename_first_period(obj: dict) -> None:
    index = obj["dimension"]["time"]["category"]["index"]
    labels = obj["dimension"]["time"]["category"]["label"]
    first = min(index, key=index.get)
    index["2008-X9"] = index.pop(first)
    labels["2008-X9"] = labels.pop(first)


def bases() -> dict[str, bytes]:
    """Undamaged files the ``same_as`` cases are compared with."""
    return {
        "tiny_ffcsv": tiny_ffcsv(),
        "SAMPLE_12511-01-01-4.csv": sample("SAMPLE_12511-01-01-4.csv"),
        "classic2026": CLASSIC_2026.encode("latin-1"),
        "classic_flags": BOM + CLASSIC_FLAGS.encode("utf-8"),
        "sdmx_csv": SDMX_CSV.encode("utf-8"),
        "ffcsv_old_multi": OLD_MULTI.encode("utf-8"),
    }


def write_corpus(folder: Path) -> list[Case]:
    """Write every case and ``manifest.json`` into ``folder``; returns the cases."""
    folder.mkdir(parents=True, exist_ok=True)
    all_cases = cases()
    names = [c.name for c in all_cases]
    if len(set(names)) != len(names):
        raise ValueError("two corpus files share a name")
    for case in all_cases:
        (folder / case.name).write_bytes(case.data)
    manifest = [c.manifest() for c in all_cases]
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n",
                                          encoding="utf-8")
    return all_cases


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "bad-inputs")
    print(f"{len(write_corpus(target))} files written to {target}")
