"""Source lines from provenance records: nobody types a source by hand.

Data arrives with its provenance: a tidy frame from ``read_table`` carries one record in
``df.attrs["provenance"]``, a cleaned frame a list in ``df.attrs["sources"]``. Whatever a
chart is drawn from is passed here, and the line under the chart is generated from it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from krefeld_data.errors import KrefeldDataError
from krefeld_data.raw.provenance import SAMPLE_MARK, Provenance
from krefeld_data.util import german

DERIVED_NOTE = "eigene Berechnung"
__all__ = ["SAMPLE_MARK", "by_table", "collect_provenance", "is_sample", "source_line"]


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


_DAY = re.compile(r"(\d{2})\.(\d{2})\.(\d{4})|(\d{4})-(\d{2})-(\d{2})")


def _day_key(text: Any) -> tuple[str, str] | None:
    """``(sortable ISO day, German day)`` of a Stand or timestamp, or None."""
    match = _DAY.search(str(text or ""))
    if not match:
        return None
    if match.group(1):
        d, m, y = match.group(1), match.group(2), match.group(3)
    else:
        y, m, d = match.group(4), match.group(5), match.group(6)
    return f"{y}-{m}-{d}", f"{d}.{m}.{y}"


def _days(values: Iterable[Any]) -> list[str]:
    """Distinct days in German form, oldest first; a Stand that is no date is kept as given."""
    values = [v for v in values if v]
    keys = sorted({k for v in values if (k := _day_key(v))})
    other = dict.fromkeys(str(v) for v in values if _day_key(v) is None)
    return [german for _, german in keys] + list(other)


def by_table(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per publisher, database and table: several snapshots of a table are one source.

    A story that splices three downloads of 12411-01-01-4 cites the table once, with every
    vintage (``stands``) and the range of access dates, not three times.
    """
    merged: dict[tuple, dict[str, Any]] = {}
    for record in records:
        key = (record.get("producer"), record.get("database"), record.get("source"), record.get("table"))
        entry = merged.setdefault(key, {**record, "stands": [], "accessed": []})
        entry["stands"].append(record.get("stand"))
        entry["accessed"].append(record.get("retrieved_at"))
        if record.get("origin") in ("sample", "test"):
            entry["origin"] = record["origin"]
    return list(merged.values())


def _table_part(record: dict[str, Any]) -> str:
    stands = _days(record.get("stands") or [record.get("stand")])
    accessed = _days(record.get("accessed") or [record.get("retrieved_at")])
    details = []
    if stands:
        details.append(("Stand " if len(stands) == 1 else "Stände ") + _join(stands))
    if len(accessed) == 1:
        details.append(f"abgerufen am {accessed[0]}")
    elif accessed:
        details.append(f"abgerufen {accessed[0]} bis {accessed[-1]}")
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
    for record in by_table(records):
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
