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
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from krefeld_data.errors import ParseError

ZIP_MAGIC = b"PK\x03\x04"
# What a zip can throw while it is read: all mean a damaged or truncated archive.
ZIP_ERRORS = (zipfile.BadZipFile, EOFError, OSError, ValueError, zipfile.LargeZipFile, zlib.error)
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
SDMX_CSV = "eurostat-sdmx-csv"  # Eurostat SDMX-CSV 1.0 / 2.0 (Data Browser download, API)
GENESIS_STATUS = "genesis-status"  # GENESIS JSON status answer (no data)
EUROSTAT_ERROR = "eurostat-error"  # Eurostat JSON error object
VCR_CASSETTE = "vcr-cassette"  # recorded HTTP traffic (YAML), e.g. from a test suite

# The classic table's first line in the downloads of 2025-26 (all three GENESIS websites).
CLASSIC_START = re.compile(r"^(?:GENESIS-)?(?:Tabelle|Table):\s*([^;\s]+)")
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
    # Set by :func:`sniff_file` for a large flat file: ``data`` is then empty and the parser
    # streams the content from this file (or from its zip ``member``), so the file's bytes
    # never sit in memory whole.
    path: Path | None = None

    @property
    def is_data(self) -> bool:
        return self.kind not in (GENESIS_STATUS, EUROSTAT_ERROR, VCR_CASSETTE)


def unzip_single(data: bytes, where: str) -> tuple[bytes, str]:
    """The one member of a zip as the services send it; a damaged zip is a clear error."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            member = _single_member(archive, where)
            return archive.read(member), member.filename
    except ZIP_ERRORS as exc:
        raise ParseError(f"{where}: damaged or truncated zip archive ({exc})") from None
    except (NotImplementedError, RuntimeError) as exc:
        raise ParseError(f"{where}: zip archive uses an unsupported feature ({exc})") from None


def _single_member(archive: zipfile.ZipFile, where: str) -> zipfile.ZipInfo:
    members = [m for m in archive.infolist() if not m.is_dir()]
    if not members:
        raise ParseError(f"{where}: the zip archive is empty")
    if len(members) > 1:
        if any(m.filename.startswith(("xl/", "word/")) for m in members):
            raise ParseError(f"{where}: an Excel workbook (xlsx), not a table file: download the table "
                             f"again as CSV (classic CSV, flat file or SDMX-CSV)")
        names = ", ".join(m.filename for m in members[:5])
        raise ParseError(f"{where}: the zip holds {len(members)} files ({names}); expected one")
    return members[0]


@contextmanager
def open_content(payload: Payload, where: str) -> Iterator[IO[bytes]]:
    """The content of a payload as a binary file; a streamed one (see :func:`sniff_file`) from disk.

    A zip member is decompressed as it is read; damage found on the way (a bad CRC, a cut-off
    stream) is a :class:`ParseError` naming the file.
    """
    if payload.path is None:
        yield io.BytesIO(payload.data)
        return
    if payload.member is None:
        with open(payload.path, "rb") as handle:
            yield handle
        return
    with ExitStack() as stack:
        with _zip_errors(where):  # not around the yield: the reader's own errors pass unchanged
            archive = stack.enter_context(zipfile.ZipFile(payload.path))
            member = stack.enter_context(archive.open(payload.member))
        yield _ZipMemberReader(member, where)


@contextmanager
def _zip_errors(where: str) -> Iterator[None]:
    try:
        yield
    except ZIP_ERRORS as exc:
        raise ParseError(f"{where}: damaged or truncated zip archive ({exc})") from None
    except (NotImplementedError, RuntimeError) as exc:
        raise ParseError(f"{where}: zip archive uses an unsupported feature ({exc})") from None


class _ZipMemberReader(io.RawIOBase):
    """A zip member whose read errors are :class:`ParseError` (a reader above may catch ValueError)."""

    def __init__(self, member: IO[bytes], where: str) -> None:
        super().__init__()
        self._member = member
        self._where = where

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        with _zip_errors(self._where):
            return self._member.read(size)

    def readinto(self, buffer) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def read_content(payload: Payload, where: str) -> bytes:
    """All of a payload's content (after unzipping), also for a streamed one."""
    if payload.path is None:
        return payload.data
    with open_content(payload, where) as handle:
        return handle.read()


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


def _is_large_flat_file(data: bytes) -> bool:
    """More than the head and starting like a flat file: decode only its first lines."""
    return len(data) > FLAT_FILE_HEAD and data[:FLAT_FILE_HEAD].lstrip(UTF8_BOM + b" \r\n\t").startswith(
        FLAT_FILE_STARTS
    )


def _decode_head(data: bytes, where: str) -> tuple[str, str]:
    """The first lines (cut at a line end, so no character is split), decoded."""
    head_bytes = data[: data.rfind(b"\n", 0, FLAT_FILE_HEAD) + 1] or data[:FLAT_FILE_HEAD]
    return decode(head_bytes, where)


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
    if _is_large_flat_file(data):
        text, encoding = _decode_head(data, where)
        return _classify(data, text, encoding, member, where, text_complete=False)
    text, encoding = decode(data, where)
    return _classify(data, text, encoding, member, where)


def sniff_file(path: Path | str, where: str | None = None) -> Payload:
    """:func:`sniff` for a file on disk, reading no more than it must.

    A flat file (zipped or not) larger than :data:`FLAT_FILE_HEAD` is sniffed from its first
    64 KiB; the payload then names the file and the parser streams it from there. Anything
    else is read whole and sniffed as before. Raises ``OSError`` when the file cannot be read.
    """
    path = Path(path)
    where = where if where is not None else str(path)
    if not path.is_file():  # a pipe can be read only once; a folder fails here as before
        return sniff(path.read_bytes(), where)
    with path.open("rb") as handle:
        head = handle.read(FLAT_FILE_HEAD + 1)
        zipped = head.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC))
        if zipped and (payload := _sniff_zip_file(path, where)) is not None:
            return payload
        if zipped or not _is_large_flat_file(head):
            handle.seek(0)  # read whole (not head + rest: that would hold the file twice)
            return sniff(handle.read(), where)
    text, encoding = _decode_head(head, where)
    return _classify(b"", text, encoding, None, where, text_complete=False, path=path)


def _sniff_zip_file(path: Path, where: str) -> Payload | None:
    """The payload of a zipped large flat file, streamed; None for any other zip (read it whole)."""
    try:
        with zipfile.ZipFile(path) as archive:
            info = _single_member(archive, where)
            with archive.open(info) as member:
                head = member.read(FLAT_FILE_HEAD + 1)
    except (ParseError, *ZIP_ERRORS, NotImplementedError, RuntimeError):
        return None  # reading it whole gives the same error as ever
    if not _is_large_flat_file(head):
        return None
    where = f"{where} (zip member {info.filename})"
    text, encoding = _decode_head(head, where)
    return _classify(b"", text, encoding, info.filename, where, text_complete=False, path=path)


SDMX_DATASET = re.compile(r"^[^\n]*\n(?:\"?[A-Za-z]+\"?[,;])?\"?(?:[A-Za-z0-9_.]+:)([A-Za-z0-9_\-]+)\(")


def _is_sdmx_csv(first_line: str) -> bool:
    """``STRUCTURE,STRUCTURE_ID,…`` (2.0) or ``DATAFLOW,LAST UPDATE,…`` (1.0), with OBS_VALUE."""
    cells = [c.strip().strip('"').upper() for c in re.split(r"[,;]", first_line)]
    return bool(cells) and cells[0] in ("STRUCTURE", "DATAFLOW") and "OBS_VALUE" in cells


def _sdmx_dataset(text: str) -> str | None:
    """The dataset id of an SDMX-CSV file from its first data row (``ESTAT:URB_CPOP1(1.0)``)."""
    match = SDMX_DATASET.search(text[:8192])
    return match.group(1).lower() if match else None


def _is_data_explorer_csv(head: str) -> bool:
    """The retired Data Explorer (appsso) CSV: ``"TIME","GEO",…,"Value","Flag and Footnotes"``,
    or its table layout with a ``GEO/TIME`` corner and a title block (``Last update``,
    ``Extracted on``, ``Source of data``)."""
    lines = [line.strip() for line in head.splitlines()[:30]]
    first = lines[0].replace('"', "") if lines else ""
    if first.upper().startswith("TIME,") and "Value" in first and "Flag and Footnotes" in first:
        return True
    markers = ("Last update", "Extracted on", "Source of data")
    titled = sum(any(line.lstrip('"').startswith(m) for m in markers) for line in lines)
    corner = any(re.match(r'^"?[A-Z_]+/TIME"?[,;\t]', line) for line in lines)
    return titled >= 2 or (titled >= 1 and corner)


def _classify(
    data: bytes, text: str, encoding: str, member: str | None, where: str, *,
    text_complete: bool = True, path: Path | None = None,
) -> Payload:
    """The payload of decoded content, by what it holds."""
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
        return Payload(kind, data, text, encoding, member, member_code,
                       text_complete=text_complete, path=path)
    if first_line.startswith(("statistics_code,", "Statistik_Code,")):
        raise ParseError(f"{where}: a GENESIS flat file separated by commas; the offices use ';' "
                         f"(was it re-saved by a spreadsheet program?)")
    classic = re.search(r"^GENESIS-Tabelle:\s*([^;\s]+)", head[:1024], re.MULTILINE) or CLASSIC_START.match(
        first_line)
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
    if _is_sdmx_csv(first_line):
        return Payload(SDMX_CSV, data, text, encoding, member, _sdmx_dataset(text) or member_code)
    if _is_data_explorer_csv(head):
        raise ParseError(
            f"{where}: a CSV from Eurostat's retired Data Explorer (title block, places by name only, "
            f"formatted numbers): it cannot be read reliably. Download the dataset again from the "
            f"Eurostat Data Browser as 'SDMX-CSV' (or fetch it: krefeld-data fetch)"
        )
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
