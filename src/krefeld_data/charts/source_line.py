"""Source lines from provenance records: nobody types a source by hand.

Data arrives with its provenance: a tidy frame from ``read_table`` carries one record in
``df.attrs["provenance"]``, a cleaned frame a list in ``df.attrs["sources"]``. Whatever a
chart is drawn from is passed here, and the line under the chart is generated from it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from krefeld_data.errors import KrefeldDataError
from krefeld_data.raw.provenance import SAMPLE_MARK, Provenance
from krefeld_data.util import german

DERIVED_NOTE = "eigene Berechnung"
__all__ = ["SAMPLE_MARK", "collect_provenance", "is_sample", "source_line"]


class MissingSourceError(KrefeldDataError):
    """A chart or page was asked for without the provenance of its data."""


def _records_of(item: Any) -> list[dict[str, Any]]:
    if item is None:
        return []
    if isinstance(item, Provenance):
        return [item.to_dict()]
    if isinstance(item, dict):
        if "table" in item and "source" in item:
            return [dict(item)]
        raise MissingSourceError(
            f"not a provenance record (keys {sorted(item)[:6]}); pass df.attrs['provenance'] "
            f"or a Provenance"
        )
    attrs = getattr(item, "attrs", None)
    if isinstance(attrs, dict):  # a pandas DataFrame or Series
        return _records_of(attrs.get("provenance")) + _records_of(attrs.get("sources"))
    provenance = getattr(item, "provenance", None)  # a store Snapshot
    if isinstance(provenance, Provenance):
        return [provenance.to_dict()]
    if isinstance(item, Iterable) and not isinstance(item, (str, bytes)):
        return [record for part in item for record in _records_of(part)]
    raise MissingSourceError(f"cannot read a provenance record from a {type(item).__name__}")


def collect_provenance(*items: Any) -> list[dict[str, Any]]:
    """Provenance records from frames, records, snapshots or lists of them, without repeats."""
    seen: set[tuple] = set()
    records = []
    for record in _records_of(list(items)):
        key = (record.get("source"), record.get("table"), record.get("sha256") or record.get("retrieved_at"))
        if key not in seen:
            seen.add(key)
            records.append(record)
    return records


def is_sample(records: Iterable[dict[str, Any]]) -> bool:
    """True if any record is sample or test data: the chart must say so on its face."""
    return any(r.get("origin") in ("sample", "test") for r in records)


def german_date(value: str | None) -> str:
    """``2024-12-31`` or an ISO timestamp as ``31.12.2024``; other text is kept as given."""
    return german.iso_day(value)


def _table_part(record: dict[str, Any]) -> str:
    details = []
    if record.get("stand"):
        details.append(f"Stand {german_date(record['stand'])}")
    if record.get("retrieved_at"):
        details.append(f"abgerufen am {german_date(record['retrieved_at'])}")
    table = str(record.get("table", "?"))
    return f"{table} ({', '.join(details)})" if details else table


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " und " + parts[-1]


def citation(record: dict[str, Any], *, licence: bool = True) -> str:
    """One record as a full citation, for the sources list of a page's methodology box."""
    producer = record.get("producer") or "unbekannte Quelle"
    database = record.get("database") or ""
    database = "" if record.get("source") == "manual" or database == producer else database
    head = f"{producer}, {database}" if database else producer
    text = f"{head}, Tabelle {_table_part(record)}"
    return f"{text}, Lizenz {record['licence']}" if licence and record.get("licence") else text


def source_line(*items: Any, derived: bool = True, prefix: str = "Quelle") -> str:
    """One line naming every source, grouped by publisher and database.

    ``derived`` adds "eigene Berechnung": the usual case, since charts show computed values.
    """
    records = collect_provenance(*items)
    if not records:
        raise MissingSourceError(
            "a chart needs the provenance of its data for the source line; pass the frame it was "
            "drawn from (df.attrs['provenance'] from read_table) as sources=..."
        )
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for record in records:
        producer = record.get("producer") or "unbekannte Quelle"
        database = record.get("database") or ""
        if record.get("source") == "manual" or database == producer:
            database = ""  # "manuell importierte Datei" or "Eurostat, Eurostat" says nothing more
        groups.setdefault((producer, database), []).append(record)
    licences = {r.get("licence") for r in records if r.get("licence")}
    one_licence = len(licences) <= 1
    pieces = []
    for (producer, database), group in groups.items():
        tables = [_table_part(r) for r in group]
        label = "Tabelle" if len(tables) == 1 else "Tabellen"
        head = f"{producer}, {database}" if database else producer
        piece = f"{head}, {label} {_join(tables)}"
        group_licences = sorted({r.get('licence') for r in group if r.get("licence")})
        if not one_licence and group_licences:
            piece += f", Lizenz {' / '.join(group_licences)}"
        pieces.append(piece)
    text = f"{prefix}{'n' if len(groups) > 1 else ''}: " + "; ".join(pieces)
    if one_licence and licences:
        text += f", Lizenz {next(iter(licences))}"
    if derived:
        text += f"; {DERIVED_NOTE}"
    return text
