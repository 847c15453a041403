"""Table → raw store: the one fetch dispatcher, ``fetch_table`` of the design contract.

A table already stored is served without a request. ``refresh=True`` asks the service
for data newer than the stored snapshot (``stand``); "no newer data" keeps the old one.
Eurostat codes go to :mod:`~krefeld_data.fetch.eurostat`; the Landesdatenbank NRW without an
account goes to its keyless download (:mod:`~krefeld_data.fetch.nrw_download`); every other
GENESIS fetch to the REST client.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from krefeld_data.errors import KrefeldDataError
from krefeld_data.fetch.eurostat import fetch_eurostat
from krefeld_data.fetch.genesis import GenesisClient, NoNewerData, form_fields, one_line
from krefeld_data.fetch.nrw_download import download_table, uses_keyless_download
from krefeld_data.fetch.types import FetchOutcome
from krefeld_data.parse.sniff import sniff
from krefeld_data.raw.databases import EUROSTAT, get_database
from krefeld_data.raw.provenance import Provenance, utc_now
from krefeld_data.raw.store import RawStore, Snapshot

log = logging.getLogger(__name__)

# Form fields that do not change which data a request asks for.
_NOT_PART_OF_THE_QUESTION = frozenset({"stand", "job"})


def fetch_table(code: str, database: str = "regio", *, refresh: bool = False,
                store: RawStore | None = None, **params: Any) -> Snapshot:
    """Fetch one table into the raw store, or return the stored snapshot."""
    return fetch(code, database, refresh=refresh, store=store, **params).snapshot


def fetch(code: str, database: str = "regio", *, refresh: bool = False, store: RawStore | None = None,
          progress: Callable[[str], None] | None = None, **params: Any) -> FetchOutcome:
    """Like :func:`fetch_table`, and says what happened: the one place that routes a fetch."""
    if database == EUROSTAT.key:
        return fetch_eurostat(code, refresh=refresh, store=store, **params)
    return fetch_genesis(code, database, refresh=refresh, store=store, progress=progress, **params)


def fetch_genesis(
    code: str,
    database: str = "regio",
    *,
    refresh: bool = False,
    store: RawStore | None = None,
    client: GenesisClient | None = None,
    progress: Callable[[str], None] | None = None,
    **params: Any,
) -> FetchOutcome:
    """Like :func:`fetch_table`, and says whether the table was stored, unchanged or cached."""
    get_database(database)  # an unknown key fails here, before anything else
    store = store or RawStore()
    existing = _stored(store, code, database, params)
    if existing is not None and not refresh:
        log.info("%s/%s: served from the raw store (%s)", database, code, existing.path.name)
        return FetchOutcome(code, database, "cached", existing)
    if client is None and uses_keyless_download(database):
        # No account for a database with a keyless download (Landesdatenbank NRW): whole tables.
        return download_table(code, database, store=store, **params)
    # Only now are credentials needed: a cached table works without an account.
    client = client or GenesisClient(database, progress=progress)
    if existing is not None:
        params = {**params, "stand": stand_of(existing)}
    try:
        table_file = client.tablefile(code, **params)
    except NoNewerData:
        if existing is None:  # code 50 without a `stand` sent: the service's error, not "unchanged"
            raise
        log.info("%s/%s: no newer data than %s", database, code, params.get("stand"))
        return FetchOutcome(code, database, "unchanged", existing)

    where = f"{client.db.label} ({database}), table {code}: the answer"
    payload = sniff(table_file.body, where)
    if not payload.is_data:
        raise KrefeldDataError(f"{where} is a {payload.kind}, not a table; nothing was stored")
    _check_parses(table_file.body, where)
    metadata = _metadata(client, code)
    query = {k: v for k, v in table_file.query.items() if k != "stand"}
    provenance = Provenance(
        source=database,
        table=code,
        origin="api",
        retrieved_at=utc_now().isoformat(),
        url=table_file.url,
        query=query,
        content_type=table_file.content_type,
        stand=_stand_from_metadata(metadata),
        metadata=metadata,
        note=f"produced by background job {table_file.job_result}" if table_file.job_result else "",
    )
    saved = store.save(table_file.body, provenance, table_file.kind)
    state = "stored" if saved.created else "unchanged"
    return FetchOutcome(code, database, state, saved.snapshot)


def _check_parses(body: bytes, where: str) -> None:
    """A body that arrives whole but does not read (a broken export) is never stored."""
    from krefeld_data.errors import ParseError
    from krefeld_data.parse import read_table

    try:
        read_table(body)
    except ParseError as exc:
        raise ParseError(f"{where} does not read as a table ({exc}); nothing was stored") from None


def _stored(store: RawStore, code: str, database: str, params: dict[str, Any]) -> Snapshot | None:
    """The newest real snapshot that answers the same question (demo samples do not count)."""
    wanted = {k: v for k, v in form_fields(params).items() if k not in _NOT_PART_OF_THE_QUESTION}
    candidates = [
        s for s in store.snapshots(code, database) if s.provenance.origin in ("api", "manual-import")
    ]
    for snap in reversed(candidates):
        if snap.provenance.origin == "manual-import":
            if not wanted:
                return snap
            continue
        sent = snap.provenance.query
        if all(str(sent.get(k)) == v for k, v in wanted.items()):
            return snap
    return None


def stand_of(snapshot: Snapshot) -> str:
    """The snapshot's retrieval time as GENESIS wants ``stand``: German local time, dd.mm.yyyy hh:mm:ss."""
    moment = datetime.fromisoformat(snapshot.provenance.retrieved_at)
    # Without a tz database we stay in UTC: earlier, so we ask for a little more, not less.
    with contextlib.suppress(ZoneInfoNotFoundError):
        moment = moment.astimezone(ZoneInfo("Europe/Berlin"))
    return moment.strftime("%d.%m.%Y %H:%M:%S")


def _metadata(client: GenesisClient, code: str) -> dict[str, Any]:
    """Title, time range, update date, variables, units and footnotes from ``metadata/table``.

    Metadata is a bonus: the table is stored even if this call fails.
    """
    try:
        obj = client.metadata_table(code)
    except KrefeldDataError as exc:
        log.warning("%s: no metadata stored: %s", code, exc)
        return {}
    return summarize_metadata(obj)


def summarize_metadata(obj: dict[str, Any]) -> dict[str, Any]:
    time = obj.get("Time") if isinstance(obj.get("Time"), dict) else {}
    variables: list[dict[str, str]] = []
    units: list[str] = []
    footnotes: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
            return
        if not isinstance(node, dict):
            return
        if node.get("Code") and node.get("Type") in ("Merkmal", "Statistik", "variable", "statistic"):
            variables.append({"code": str(node["Code"]), "label": one_line(node.get("Content") or ""),
                              "type": str(node["Type"])})
        for key, value in node.items():
            if key.lower() in ("unit", "einheit") and isinstance(value, str) and value.strip():
                units.append(one_line(value))
            elif key.lower() in ("footnote", "footnotes", "fussnote", "fussnoten") and value:
                footnotes.extend(one_line(v) for v in (value if isinstance(value, list) else [value]))
            elif isinstance(value, dict | list):
                walk(value)

    walk(obj.get("Structure"))
    for key in ("Footnote", "Footnotes", "Information"):
        if isinstance(obj.get(key), str) and obj[key].strip():
            footnotes.append(one_line(obj[key]))
    return {
        "title": one_line(obj.get("Content") or ""),
        "time_from": (time or {}).get("From"),
        "time_to": (time or {}).get("To"),
        "updated": str(obj.get("Updated") or "").rstrip("h").strip() or None,
        "variables": variables,
        "units": sorted(set(units)),
        "footnotes": footnotes,
    }


def _stand_from_metadata(metadata: dict[str, Any]) -> str | None:
    updated = metadata.get("updated")
    return updated.split()[0] if updated else None
