"""Eurostat dissemination API (Statistics API 1.0, JSON-stat 2.0): no account needed.

``GET <base>statistics/1.0/data/<dataset>?format=JSON&lang=DE&<filters>``. Known answers
(real samples 12–22): a JSON-stat dataset; ``{"error": [{status, id, label}]}`` with HTTP
400 (unknown parameter), 404 (unknown dataset) or 413 (extraction too big); and, for an
unknown dimension *code*, HTTP 200 with a dimension of size 0 and no values. We turn the
last into an error naming the filter that matched nothing, so nobody stores an empty table.
Parsing JSON-stat into the tidy schema is ``krefeld_data.parse.jsonstat``'s job.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from typing import Any

import requests

from krefeld_data import config
from krefeld_data.errors import ServiceError
from krefeld_data.fetch.http import (
    RetryPolicy,
    default_policy,
    default_timeout,
    make_session,
    public_url,
    request_with_retries,
)
from krefeld_data.fetch.types import FetchOutcome
from krefeld_data.raw.provenance import Provenance, utc_now
from krefeld_data.raw.store import RawStore, Snapshot
from krefeld_data.util import german

log = logging.getLogger(__name__)

SOURCE = "eurostat"
_DATASET = re.compile(r"^[A-Za-z][A-Za-z0-9_$-]*$")
_TIME_FILTERS = ("time", "sinceTimePeriod", "untilTimePeriod", "lastTimePeriod", "TIME_PERIOD")


class EurostatError(ServiceError):
    """Eurostat answered with an error, an HTML page or an empty dataset."""


def _one_line(text: Any) -> str:
    return " ".join(str(text).split())


def _query(filters: Mapping[str, Any]) -> list[tuple[str, str]]:
    """format/lang first, then filters; a list becomes repeated parameters (geo=DE&geo=FR)."""
    pairs = [("format", "JSON"), ("lang", "DE")]
    for key, value in filters.items():
        if value is None:
            continue
        values = value if isinstance(value, list | tuple | set) else [value]
        pairs.extend((key, str(v)) for v in values)
    return pairs


def _query_record(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """The query as recorded in provenance: repeated parameters become lists."""
    record: dict[str, Any] = {}
    for key, value in pairs:
        if key in record:
            record[key] = [*record[key], value] if isinstance(record[key], list) else [record[key], value]
        else:
            record[key] = value
    return record


class EurostatClient:
    """Requests to the dissemination API. One instance per thread (it holds a session)."""

    def __init__(self, *, session: requests.Session | None = None, policy: RetryPolicy | None = None,
                 timeout: tuple[float, float] | None = None) -> None:
        self.base_url = config.eurostat_url()
        self.session = session or make_session()
        self.policy = policy or default_policy()
        self.timeout = timeout or default_timeout()

    def data(self, dataset: str, **filters: Any) -> tuple[bytes, str, str, list[tuple[str, str]]]:
        """Body, content type, public URL and query of one dataset request, checked for errors."""
        if not _DATASET.match(dataset):
            raise EurostatError(f"Eurostat: {dataset!r} is not a dataset code (e.g. migr_asyappctza)")
        url = f"{self.base_url}statistics/1.0/data/{dataset}"
        pairs = _query(filters)
        what = f"Eurostat, dataset {dataset}"
        response = request_with_retries(
            self.session, "GET", url, what=what, params=pairs, timeout=self.timeout, policy=self.policy,
            headers={"Accept": "application/json"},
        )
        body = response.content
        ctype = response.headers.get("Content-Type", "")
        obj = _json(body)
        if isinstance(obj, dict) and "error" in obj:
            hint = _hint(response.status_code)
            raise EurostatError(f"{what}: HTTP {response.status_code}: {_error_label(obj)}{hint}")
        if response.status_code >= 400:
            hint = _hint(response.status_code)
            raise EurostatError(f"{what}: HTTP {response.status_code} from {public_url(url)}{hint}")
        if obj is None:
            head = body[:512].lstrip().lower()
            if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
                title = re.search(rb"<title>(.*?)</title>", body[:8192], re.I | re.S)
                text = _one_line(title.group(1).decode("utf-8", "replace"))[:100] if title else ""
                shown = f" titled {text!r}" if text else ""
                raise EurostatError(
                    f"{what}: Eurostat sent an HTML page{shown} instead of JSON-stat "
                    f"(maintenance, or a wrong KREFELD_DATA_EUROSTAT_URL: now {self.base_url})"
                )
            raise EurostatError(f"{what}: the answer ({ctype or 'no type'}, {len(body)} bytes) is not JSON")
        _check_dataset(obj, dataset, filters)
        return body, ctype or "application/json", public_url(url), pairs


def _json(body: bytes) -> Any | None:
    stripped = body.lstrip()
    if not stripped.startswith((b"{", b"[")):
        return None
    try:
        return json.loads(stripped.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None


def _error_label(obj: dict[str, Any]) -> str:
    errors = obj.get("error")
    items = errors if isinstance(errors, list) else [errors]
    labels = []
    for item in items:
        if isinstance(item, dict):
            labels.append(f"{_one_line(item.get('label', ''))} (error id {item.get('id', '?')})")
        else:
            labels.append(_one_line(item))
    return "; ".join(labels) or "error without a label"


def _hint(status: int) -> str:
    return {
        400: ". A query parameter is not known for this dataset: check the filter names",
        404: ". Check the dataset code in Eurostat's data browser",
        413: ". Too much data at once: add filters (geo, time, ...)",
    }.get(status, "")


def _check_dataset(obj: Any, dataset: str, filters: Mapping[str, Any]) -> None:
    """A JSON-stat dataset with no empty dimension; else name the filter that matched nothing."""
    what = f"Eurostat, dataset {dataset}"
    if not isinstance(obj, dict) or obj.get("class") != "dataset" or "dimension" not in obj:
        raise EurostatError(f"{what}: the answer is JSON but not a JSON-stat dataset")
    ids, sizes = obj.get("id") or [], obj.get("size") or []
    lowered = {k.lower(): (k, v) for k, v in filters.items()}
    for dim, size in zip(ids, sizes, strict=False):
        if size:
            continue
        if dim.lower() in lowered:
            key, value = lowered[dim.lower()]
            raise EurostatError(
                f"{what}: the filter {key}={value} matched nothing (dimension {dim!r} is empty): "
                f"check the code against the dataset's codes in Eurostat's data browser"
            )
        time_filters = [f"{k}={v}" for k, v in filters.items() if k in _TIME_FILTERS or k.lower() == "time"]
        if dim.lower() in ("time", "time_period") and time_filters:
            raise EurostatError(
                f"{what}: the time filter {', '.join(time_filters)} matched no period "
                f"(dimension {dim!r} is empty)"
            )
        raise EurostatError(f"{what}: dimension {dim!r} is empty: the query matched no data")
    if not obj.get("value") and not obj.get("status"):
        log.warning("%s: the dataset holds no values for this query (all positions empty)", what)


def fetch_eurostat(dataset: str, *, refresh: bool = False, store: RawStore | None = None,
                   client: EurostatClient | None = None, **filters: Any) -> FetchOutcome:
    """Fetch a dataset query into the raw store (or serve it from there); says what happened."""
    store = store or RawStore()
    pairs = _query(filters)
    record = _query_record(pairs)
    existing = next(
        (s for s in reversed(store.snapshots(dataset, SOURCE))
         if s.provenance.origin in ("api", "manual-import") and s.provenance.query == record),
        None,
    )
    if existing is not None and not refresh:
        return FetchOutcome(dataset, SOURCE, "cached", existing)
    client = client or EurostatClient()
    body, ctype, url, sent = client.data(dataset, **filters)
    obj = _json(body) or {}
    provenance = Provenance(
        source=SOURCE, table=dataset, origin="api", retrieved_at=utc_now().isoformat(), url=url,
        query=_query_record(sent), content_type=ctype,
        stand=_german_date(obj.get("updated")),
        metadata={"title": _one_line(obj.get("label") or ""), "updated": obj.get("updated")},
    )
    saved = store.save(body, provenance, "json")
    return FetchOutcome(dataset, SOURCE, "stored" if saved.created else "unchanged", saved.snapshot)


def _german_date(updated: Any) -> str | None:
    """Eurostat's ``updated`` (2026-09-22T11:00:00+0200) as the citation's date: 22.09.2026."""
    return german.iso_day(updated) or None


def fetch_dataset(dataset: str, *, refresh: bool = False, store: RawStore | None = None,
                  **filters: Any) -> Snapshot:
    """Fetch one Eurostat dataset query into the raw store, or return the stored snapshot."""
    return fetch_eurostat(dataset, refresh=refresh, store=store, **filters).snapshot
