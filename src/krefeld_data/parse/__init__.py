"""``read_table``: any supported file into the tidy schema (see :mod:`krefeld_data.schema`).

Format detection lives in :mod:`krefeld_data.parse.sniff`; each format has a module here with
``parse(payload: Payload, where: str) -> pandas.DataFrame``. Parsing makes no judgement:
no region cleaning, no dropping, no filling.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
from pathlib import Path
from typing import Any

import pandas as pd

from krefeld_data.errors import KrefeldDataError, ParseError, StoreError
from krefeld_data.parse import sniff as formats

log = logging.getLogger(__name__)

PARSERS = {
    formats.FFCSV: "krefeld_data.parse.ffcsv",
    formats.FFCSV_OLD: "krefeld_data.parse.ffcsv_old",
    formats.CLASSIC: "krefeld_data.parse.classic",
    formats.JSONSTAT: "krefeld_data.parse.jsonstat",
    formats.JSONSTAT_LEGACY: "krefeld_data.parse.jsonstat",
    formats.EUROSTAT_TSV: "krefeld_data.parse.eurostat_tsv",
    formats.SDMX_CSV: "krefeld_data.parse.sdmx_csv",
}


def _load(source: Any) -> tuple[formats.Payload, str, Any]:
    """The sniffed payload, a name for messages, and the snapshot (if the source came from the store).

    A file on disk is not read whole here: a large flat file is sniffed from its head and
    streamed by the parser (a snapshot's checksum is checked in blocks first).
    """
    from krefeld_data.raw.store import Snapshot

    if isinstance(source, bytes | bytearray | memoryview):
        return formats.sniff(bytes(source), "<bytes>"), "<bytes>", None
    if isinstance(source, Snapshot):
        path, snapshot = source.path, source
    elif isinstance(source, str | Path):
        path = Path(source)
        snapshot = _snapshot_for(path)
    else:
        raise KrefeldDataError(f"read_table needs a path, bytes or a snapshot, not {type(source).__name__}")
    where = str(path)
    if snapshot is not None:
        snapshot.verify()
    try:
        return formats.sniff_file(path, where), where, snapshot
    except OSError as exc:
        if snapshot is not None:
            raise StoreError(f"cannot read snapshot {path}: {exc.strerror}") from None
        raise KrefeldDataError(f"cannot read {path}: {exc.strerror}") from None


def _code_from_name(payload: formats.Payload, path: Path) -> str | None:
    """A flat file names only its statistic (``12411``); a table code in the file name that
    begins with that statistic (``12411-01-01-4_flat.csv``) is the table's."""
    if payload.kind not in (formats.FFCSV, formats.FFCSV_OLD):
        return None
    match = formats.TABLE_CODE.search(path.name)
    lines = payload.text.split("\n", 2)
    statistic = lines[1].split(";", 1)[0].strip().strip('"') if len(lines) > 1 else ""
    if match and statistic and match.group(1).startswith(statistic):
        return match.group(1)
    return None


def _snapshot_for(path: Path):
    """A file inside the raw store is read with its provenance (and checksum check)."""
    from krefeld_data.raw.provenance import Provenance
    from krefeld_data.raw.store import SIDECAR_SUFFIX, Snapshot

    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    if not sidecar.is_file():
        return None
    return Snapshot(path, Provenance.read(sidecar))


def read_table(source: Any) -> pd.DataFrame:
    """Parse ``source`` (path, bytes or :class:`~krefeld_data.raw.store.Snapshot`) into a tidy frame.

    The provenance record is in ``df.attrs["provenance"]`` (a dict) when the file came
    from the raw store; ``df.attrs["format"]`` names the detected format.
    """
    payload, where, snapshot = _load(source)
    if snapshot is not None and not payload.table_code and snapshot.provenance.table:
        # A plain flat file names only its statistic (12411); the store knows the table.
        payload = dataclasses.replace(payload, table_code=snapshot.provenance.table)
    elif snapshot is None and not payload.table_code and isinstance(source, str | Path):
        payload = dataclasses.replace(payload, table_code=_code_from_name(payload, Path(source)))
    module_name = PARSERS.get(payload.kind)
    if module_name is None:
        raise ParseError(f"{where}: {payload.kind} holds no table to read")
    module = importlib.import_module(module_name)
    try:
        frame = module.parse(payload, where)
    except KrefeldDataError:
        raise
    except (ValueError, KeyError, IndexError, TypeError, UnicodeError) as exc:
        # Every bad input must end in a KrefeldDataError naming the file; a parser slip shows
        # here with its type, so it can be fixed, instead of as a bare pandas message.
        log.debug("%s: parser error", where, exc_info=True)
        raise ParseError(f"{where}: cannot read this {payload.kind} file "
                         f"({type(exc).__name__}: {str(exc)[:160]})") from None
    frame.attrs["format"] = payload.kind
    if snapshot is not None:
        frame.attrs["provenance"] = snapshot.provenance.to_dict()
    return frame
