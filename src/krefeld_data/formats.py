"""Recognise what a file is from its bytes alone: zip or not, encoding, format, table code.

Used by ``read_table`` (to pick a parser) and by ``import`` (to name the snapshot).
The file name is never used to decide the format: downloads get renamed.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any

from krefeld_data.errors import ParseError

ZIP_MAGIC = b"PK\x03\x04"
FLAT_FILE_STARTS = (b"statistics_code;", b"Statistik_Code;")
FLAT_FILE_HEAD = 1 << 16  # bytes of a flat file decoded while sniffing
UTF8_BOM = b"\xef\xbb\xbf"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"  # a zip without members is just its end record
# Umlauts and ß as UTF-8 bytes; in a Windows-1252 file these pairs would read 'Ã¤' etc.
UTF8_UMLAUT = re.compile(rb"\xc3[\x84\x96\x9c\xa4\xb6\xbc\x9f]")

# Kinds of content we can tell apart.
FFCSV = "ffcsv"  # flat file CSV, current layout (English header)
FFCSV_OLD = "ffcsv-old"  # flat file CSV, old layout (German header, one column per measure)
CLASSIC = "genesis-classic"  # the table CSV offered on the offices' websites
JSONSTAT = "jsonstat"  # Eurostat JSON-stat 2.0
JSONSTAT_LEGACY = "jsonstat-legacy"  # retired Eurostat wdds v1.1 JSON
EUROSTAT_TSV = "eurostat-tsv"  # Eurostat SDMX-TSV bulk file
GENESIS_STATUS = "genesis-status"  # GENESIS JSON status answer (no data)
EUROSTAT_ERROR = "eurostat-error"  # Eurostat JSON error object
VCR_CASSETTE = "vcr-cassette"  # recorded HTTP traffic (YAML), e.g. from a test suite

# GENESIS table codes: 12411-01-01-4, 12531-0043, 12411-01i, 1000A-2022; Eurostat Comext ids.
TABLE_CODE = re.compile(
    r"(?<![0-9A-Za-z])(\d{5}-[0-9A-Za-z]{1,5}(?:-[0-9A-Za-z]{1,3}){0,3}|\d{4}[A-Z]-\d{4}"
    r"|ds-\d{6})(?![0-9A-Za-z-])"
)


@dataclass(frozen=True)
class Payload:
    """The decoded content of one file."""

    kind: str
    data: bytes  # after unzipping
    text: str  # decoded (BOM removed)
    encoding: str
    member: str | None = None  # zip member name, if the file was a zip
    table_code: str | None = None  # as far as the content tells it
    json: Any = None  # parsed JSON for JSON kinds
    # Flat files can be gigabytes: for them ``text`` holds only the first lines (the parsers
    # read ``data`` with pyarrow), so sniffing does not double the memory. False then.
    text_complete: bool = True

    @property
    def is_data(self) -> bool:
        return self.kind not in (GENESIS_STATUS, EUROSTAT_ERROR, VCR_CASSETTE)


def unzip_single(data: bytes, where: str) -> tuple[bytes, str]:
    """The one member of a zip as the services send it; a damaged zip is a clear error."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if not members:
                raise ParseError(f"{where}: the zip archive is empty")
            if len(members) > 1:
                names = ", ".join(m.filename for m in members[:5])
                raise ParseError(f"{where}: the zip holds {len(members)} files ({names}); expected one")
            return archive.read(members[0]), members[0].filename
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, zipfile.LargeZipFile, zlib.error) as exc:
        raise ParseError(f"{where}: damaged or truncated zip archive ({exc})") from None
    except (NotImplementedError, RuntimeError) as exc:
        raise ParseError(f"{where}: zip archive uses an unsupported feature ({exc})") from None


def decode(data: bytes, where: str = "") -> tuple[str, str]:
    """Text and encoding: UTF-8 (with or without BOM), else Windows-1252 / Latin-1.

    The offices' classic downloads are Latin-1, their flat files UTF-8 with a BOM.
    """
    if b"\x00" in data[:4096]:
        raise ParseError(f"{where}: binary content (NUL bytes), not a text table")
    if data.startswith(UTF8_BOM):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig"  # no slice: that would copy the file
        except UnicodeDecodeError as exc:
            raise ParseError(
                f"{where}: starts with a UTF-8 byte order mark but is not UTF-8 "
                f"(byte {exc.start}): mixed encodings?"
            ) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        # UTF-8 umlauts beside the bytes that are not UTF-8: decoding it all as Windows-1252
        # would silently turn every 'ä' into 'Ã¤'.
        if UTF8_UMLAUT.search(data):
            raise ParseError(
                f"{where}: mixed encodings: UTF-8 text with a byte that is not UTF-8 (byte "
                f"{exc.start}); save the file again in one encoding"
            ) from None
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _code_from_member(member: str | None) -> str | None:
    if not member:
        return None
    match = TABLE_CODE.search(member)
    return match.group(1) if match else None


def _classify_json(obj: Any) -> tuple[str, str | None] | None:
    if not isinstance(obj, dict):
        return None
    if "Status" in obj and isinstance(obj["Status"], dict) and "Code" in obj["Status"]:
        params = obj.get("Parameter") or {}
        name = params.get("name") if isinstance(params, dict) else None
        return GENESIS_STATUS, name or None
    if isinstance(obj.get("error"), list | dict):
        return EUROSTAT_ERROR, None
    if obj.get("class") == "dataset" and "dimension" in obj:
        ext = obj.get("extension") or {}
        code = ext.get("id") if isinstance(ext, dict) else None
        return JSONSTAT, code.lower() if isinstance(code, str) else None
    if len(obj) == 1:
        (key, inner), = obj.items()
        if isinstance(inner, dict) and "dimension" in inner and "value" in inner:
            return JSONSTAT_LEGACY, key
    return None


def sniff(data: bytes, where: str = "<bytes>") -> Payload:
    """Find out what ``data`` is; raise :class:`ParseError` naming the problem if unknown."""
    if not data or data.isspace():  # not data.strip(): that copies the whole file
        raise ParseError(f"{where}: the file is empty")
    member = None
    if data.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC)):
        data, member = unzip_single(data, where)
        where = f"{where} (zip member {member})"
        if not data or data.isspace():
            raise ParseError(f"{where}: the file is empty")
    text_complete = True
    if len(data) > FLAT_FILE_HEAD and data[:FLAT_FILE_HEAD].lstrip(UTF8_BOM + b" \r\n\t").startswith(
        FLAT_FILE_STARTS
    ):
        # Decode the first lines only (cut at a line end, so no character is split).
        head_bytes = data[: data.rfind(b"\n", 0, FLAT_FILE_HEAD) + 1] or data[:FLAT_FILE_HEAD]
        text, encoding = decode(head_bytes, where)
        text_complete = False
    else:
        text, encoding = decode(data, where)
    head = text.lstrip()[:4096]
    first_line = head.split("\n", 1)[0].strip()
    member_code = _code_from_member(member)

    if first_line.startswith(("statistics_code;", "Statistik_Code;")):
        # The old layout has one column per measure named CODE__Label__Unit (in German
        # or, with duplicated column names, in English); the current one a `value` column.
        columns = first_line.split(";")
        kind = FFCSV if "value" in columns else FFCSV_OLD
        if kind == FFCSV_OLD and not any("__" in c for c in columns):
            raise ParseError(f"{where}: flat-file header without a value column: {first_line[:120]!r}")
        return Payload(kind, data, text, encoding, member, member_code, text_complete=text_complete)
    if first_line.startswith(("statistics_code,", "Statistik_Code,")):
        raise ParseError(f"{where}: a GENESIS flat file separated by commas; the offices use ';' "
                         f"(was it re-saved by a spreadsheet program?)")
    classic = re.search(r"^GENESIS-Tabelle:\s*([^;\s]+)", head[:1024], re.MULTILINE)
    if classic:
        return Payload(CLASSIC, data, text, encoding, member, classic.group(1))
    if head.startswith(("{", "[")):
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ParseError(f"{where}: looks like JSON but is not valid JSON ({exc})") from None
        classified = _classify_json(obj)
        if classified:
            kind, code = classified
            return Payload(kind, data, text, encoding, member, code or member_code, obj)
        raise ParseError(f"{where}: JSON, but neither a GENESIS status, JSON-stat nor a Eurostat error")
    if "\\TIME_PERIOD\t" in first_line or "\\time\t" in first_line:
        return Payload(EUROSTAT_TSV, data, text, encoding, member, member_code)
    if head.startswith("interactions:") or "\ninteractions:" in head[:200]:
        return Payload(VCR_CASSETTE, data, text, encoding, member, None)
    lowered = head[:512].lower()
    if lowered.startswith(("<!doctype html", "<html")) or "<html" in lowered:
        title = re.search(r"<title>(.*?)</title>", text[:4096], re.IGNORECASE | re.DOTALL)
        shown = f" titled {title.group(1).strip()[:80]!r}" if title else ""
        raise ParseError(
            f"{where}: an HTML page{shown}, not a table: the service probably sent an error "
            f"or login page instead of data"
        )
    raise ParseError(
        f"{where}: not a GENESIS table (flat file or classic CSV) nor Eurostat JSON-stat; "
        f"first line: {first_line[:80]!r}"
    )
