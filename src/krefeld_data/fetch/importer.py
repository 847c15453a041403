"""Register files a journalist downloaded (or traffic someone recorded) in the raw store.

The table code comes from the file itself where the format carries it (classic CSV
title block, zip member name, JSON-stat id, SDMX-CSV structure id, the request inside a
recorded cassette), else from a table code in the file name, else from ``--table``.

The vintage of the publication (the date as of which the office published the figures: the
census basis of a population figure depends on it) is read from the content where it says so:
the classic table's ``Stand:``/``created:`` line, JSON-stat's ``updated``, SDMX-CSV's ``LAST
UPDATE``; for recorded traffic the recorded response's ``Date``. A flat file carries no date:
its vintage stays unknown (None) rather than being guessed from the import time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from krefeld_data.catalog import SOURCE_TABLES
from krefeld_data.errors import KrefeldDataError, ParseError
from krefeld_data.parse import sniff as formats
from krefeld_data.raw.provenance import Provenance, scrub_query, utc_now
from krefeld_data.raw.store import RawStore, SaveResult

HOST_TO_DATABASE = {
    "www.regionalstatistik.de": "regio",
    "www-genesis.destatis.de": "destatis",
    "www.landesdatenbank.nrw.de": "nrw",
    "ergebnisse.zensus2022.de": "zensus",
    "ec.europa.eu": "eurostat",
}
DATA_METHODS = ("data/tablefile", "data/resultfile", "data/table")
EXTENSIONS = {formats.JSONSTAT: "json", formats.JSONSTAT_LEGACY: "json", formats.EUROSTAT_TSV: "tsv"}


@dataclass(frozen=True)
class ImportResult:
    file: Path
    result: SaveResult
    kind: str


def guess_database(payload: formats.Payload) -> str:
    """Which database published a file, as far as its content tells; else ``manual``."""
    if payload.kind in (formats.JSONSTAT, formats.JSONSTAT_LEGACY, formats.EUROSTAT_TSV, formats.SDMX_CSV):
        return "eurostat"
    tail = payload.text[-2000:]
    if "IT.NRW" in tail or "Landesdatenbank" in tail:
        return "nrw"
    if "Statistische Ämter des Bundes und der Länder" in tail:
        return "regio"
    if "Statistisches Bundesamt" in tail or "Destatis" in tail:
        return "destatis"
    return "manual"


def _table_code(payload: formats.Payload, path: Path, explicit: str | None) -> str:
    if explicit:
        return explicit
    if payload.table_code:
        return payload.table_code
    match = formats.TABLE_CODE.search(path.name)
    if match:
        return match.group(1)
    raise ParseError(
        f"{path}: the file does not say which table it is; give the code: "
        f"krefeld-data import {path} --table CODE"
    )


def one_line(text: str) -> str:
    """Service texts span lines; our error messages are one line."""
    return " ".join(text.split())


def _reject_non_data(payload: formats.Payload, where: str) -> None:
    if payload.kind == formats.GENESIS_STATUS:
        status = payload.json.get("Status", {})
        raise ParseError(
            f"{where}: a GENESIS status answer, not a table (code {status.get('Code')}: "
            f"{one_line(str(status.get('Content', '')))[:200]})"
        )
    if payload.kind == formats.EUROSTAT_ERROR:
        errors = payload.json.get("error")
        first = errors[0] if isinstance(errors, list) and errors else errors
        label = first.get("label", "") if isinstance(first, dict) else str(first)
        raise ParseError(f"{where}: a Eurostat error answer, not a table: {one_line(label)[:200]}")


def import_file(
    path: Path | str,
    *,
    store: RawStore | None = None,
    table: str | None = None,
    database: str | None = None,
    origin: str = "manual-import",
) -> list[ImportResult]:
    """Store one file (or each data response of a recorded cassette) as a snapshot."""
    path = Path(path)
    store = store or RawStore()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KrefeldDataError(f"cannot read {path}: {exc.strerror}") from None
    payload = formats.sniff(data, str(path))
    if payload.kind == formats.VCR_CASSETTE:
        return import_cassette(path, payload.text, store=store, origin=origin)
    _reject_non_data(payload, str(path))
    stand, vintage, vintage_source = vintage_of(_check_parses(path).attrs)
    code = _table_code(payload, path, table)
    source = database or guess_database(payload)
    note = f"imported from a file ({payload.kind}, {payload.encoding})"
    if source == "manual" and code in SOURCE_TABLES:
        # A flat file names no database; the catalogue knows where this table is published, so
        # its source line cites the database instead of "a file imported by hand" (--db overrides).
        source = SOURCE_TABLES[code].database
        note += f"; the file names no database: {source}, where the catalogue keeps table {code}"
    ext = "zip" if data.startswith(formats.ZIP_MAGIC) else EXTENSIONS.get(payload.kind, "csv")
    prov = Provenance(
        source=source,
        table=code,
        origin=origin,
        retrieved_at=utc_now().isoformat(),
        content_type="application/zip" if ext == "zip" else f"text/{ext}",
        original_filename=path.name,
        note=note,
        stand=stand,
        vintage=vintage,
        vintage_source=vintage_source,
    )
    return [ImportResult(path, store.save(data, prov, ext), payload.kind)]


def _check_parses(path: Path):
    """Refuse a damaged download now, while the journalist still has the website open.

    Storing it would only move the error to the next build. Returns the frame (for its attrs).
    """
    from krefeld_data.parse import read_table

    frame = read_table(path)
    if frame.empty and frame.attrs.get("empty_reason"):
        raise ParseError(f"{path}: holds no values ({frame.attrs['empty_reason']})")
    return frame


def vintage_of(attrs: dict[str, Any]) -> tuple[str | None, str | None, str]:
    """(stand as written, vintage as ISO day, where it was read) from a parsed frame's attrs.

    The classic table and SDMX-CSV parsers put ``vintage`` there; JSON-stat gives ``updated``
    (``2026-09-22T11:00:00+0200``). (None, None, "") where the content says nothing.
    """
    if attrs.get("vintage"):
        return (str(attrs.get("stand") or attrs.get("updated") or attrs["vintage"]),
                str(attrs["vintage"]), str(attrs.get("vintage_source") or "the file's content"))
    updated = str(attrs.get("updated") or "")
    match = re.match(r"(\d{4}-\d{2}-\d{2})", updated)
    if match:
        return updated, match.group(1), "JSON-stat 'updated' of the file"
    return None, None, ""


def _request_fields(request: dict[str, Any]) -> dict[str, str]:
    fields = dict(parse_qsl(urlsplit(request.get("uri", "")).query, keep_blank_values=True))
    body = request.get("body")
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if isinstance(body, str) and "=" in body:
        fields.update(parse_qsl(body, keep_blank_values=True))
    return fields


def _body_bytes(response: dict[str, Any]) -> bytes:
    body = response.get("body", {})
    raw = body.get("string", b"") if isinstance(body, dict) else body
    return raw.encode("utf-8") if isinstance(raw, str) else bytes(raw or b"")


def _recorded_at(response: dict[str, Any], *, fallback: bool = True) -> str:
    """The recorded response's ``Date`` header (UTC, ISO); now, or '' without ``fallback``."""
    date = (response.get("headers") or {}).get("Date")
    if isinstance(date, list):
        date = date[0] if date else None
    if date:
        try:
            return parsedate_to_datetime(date).astimezone(UTC).isoformat()
        except (TypeError, ValueError):
            pass
    return datetime.now(UTC).isoformat() if fallback else ""


def _metadata_stand(meta: dict[str, Any]) -> str | None:
    """The table's ``Updated`` text from the recorded metadata answer (``31.03.2025 …``)."""
    updated = meta.get("Updated") if isinstance(meta, dict) else None
    return " ".join(str(updated).split()) if updated and updated != "see parent" else None


def import_cassette(
    path: Path, text: str, *, store: RawStore, origin: str = "manual-import"
) -> list[ImportResult]:
    """Store the German data responses of recorded GENESIS traffic (VCR YAML).

    Metadata responses (``metadata/table``) of the same table go into the record.
    """
    try:
        import yaml
    except ImportError:  # pragma: no cover - pyyaml is a dependency
        raise KrefeldDataError("importing recorded traffic needs PyYAML") from None
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ParseError(f"{path}: not valid YAML ({exc.__class__.__name__})") from None
    interactions = doc.get("interactions") if isinstance(doc, dict) else None
    if not isinstance(interactions, list):
        raise ParseError(f"{path}: a YAML file without recorded interactions")
    metadata: dict[str, Any] = {}
    found: list[tuple[dict, dict, bytes, formats.Payload]] = []
    for item in interactions:
        request, response = item.get("request", {}), item.get("response", {})
        status = (response.get("status") or {}).get("code")
        uri = request.get("uri", "")
        fields = _request_fields(request)
        if fields.get("language", "de") != "de" or status != 200:
            continue
        body = _body_bytes(response)
        if "/metadata/table" in uri:
            try:
                meta = formats.sniff(body, f"{path} metadata").json or {}
                metadata[fields.get("name", "")] = meta.get("Object") or {}
            except ParseError:
                pass
            continue
        if not any(f"/{m}" in uri for m in DATA_METHODS):
            continue
        try:
            payload = formats.sniff(body, f"{path} ({uri})")
        except ParseError:
            continue
        if payload.is_data:
            found.append((request, response, body, payload))
    if not found:
        raise ParseError(f"{path}: recorded traffic without a German data response to import")
    results = []
    for request, response, body, payload in found:
        fields = _request_fields(request)
        split = urlsplit(request.get("uri", ""))
        code = payload.table_code or fields.get("name", "")
        code = re.sub(r"_\d+$", "", code)  # a job result name is <table>_<number>
        if not code:
            raise ParseError(f"{path}: cannot tell the table code of a recorded response")
        zipped = body.startswith(formats.ZIP_MAGIC)
        recorded = _recorded_at(response, fallback=False)  # the vintage: when the office answered
        prov = Provenance(
            source=HOST_TO_DATABASE.get(split.hostname or "", "manual"),
            table=code,
            origin=origin,
            retrieved_at=_recorded_at(response),
            url=f"{split.scheme}://{split.netloc}{split.path}",
            query=scrub_query(fields),
            content_type="application/zip" if zipped else "text/csv",
            metadata=metadata.get(code, {}),
            original_filename=path.name,
            note="extracted from recorded HTTP traffic",
            stand=_metadata_stand(metadata.get(code, {})),
            vintage=recorded[:10] or None,
            vintage_source="recorded response date" if recorded else "",
        )
        ext = "zip" if zipped else EXTENSIONS.get(payload.kind, "csv")
        results.append(ImportResult(path, store.save(body, prov, ext), payload.kind))
    return results
