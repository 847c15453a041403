"""``krefeld-data datawrapper STORY [--publish]``: the story's charts as Datawrapper charts.

Many newsrooms publish charts through Datawrapper. The build already wrote, for each chart,
``reports/embed/<story>/<chart>.datawrapper.json`` (title, type, language, describe,
annotate, number formats) and ``<chart>.csv``; this sends them through Datawrapper's API v3:

- ``POST /charts`` creates a chart (only for a chart we have no id for yet),
- ``PATCH /charts/{id}`` sets title, type, language and metadata,
- ``PUT /charts/{id}/data`` uploads the CSV,
- ``POST /charts/{id}/publish`` publishes it (with ``--publish``).

Chart ids are kept in ``reports/.datawrapper.json``, written right after each chart is
created, so running the command again updates the same charts and never duplicates one, even
after an interrupted run. The base URL is ``KREFELD_DATA_DATAWRAPPER_URL`` (default the public
API); the token comes from ``DATAWRAPPER_ACCESS_TOKEN`` (environment or the user config file)
and travels only in the ``Authorization`` header: never in a file, a log line or a message.
Retries (429, 5xx, cut connections) are those of :mod:`krefeld_data.fetch.http`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from krefeld_data import config
from krefeld_data.errors import ConfigError, KrefeldDataError
from krefeld_data.publish.embed import EMBED_FOLDER, MANIFEST
from krefeld_data.util.atomic import write_text_atomically

URL_ENV = "KREFELD_DATA_DATAWRAPPER_URL"
TOKEN_ENV = "DATAWRAPPER_ACCESS_TOKEN"
DEFAULT_URL = "https://api.datawrapper.de/v3"
STATE_FILE = ".datawrapper.json"
TOKEN_PAGE = "https://app.datawrapper.de/account/api-tokens"


class DatawrapperError(KrefeldDataError):
    """Datawrapper refused a call, or the story has nothing to send."""


def base_url() -> str:
    return (config.setting(URL_ENV) or DEFAULT_URL).rstrip("/")


def access_token() -> str:
    token = config.setting(TOKEN_ENV)
    if not token:
        raise ConfigError(
            f"Datawrapper needs an API access token: create one at {TOKEN_PAGE} (scopes chart:read, "
            f"chart:write) and set {TOKEN_ENV} in the environment or in {config.user_config_path()}"
        )
    return token


@dataclass
class State:
    """Which Datawrapper chart each of our charts became, beside the reports."""

    path: Path
    charts: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, reports: Path) -> State:
        path = reports / STATE_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(path)
        except (OSError, json.JSONDecodeError) as exc:
            raise DatawrapperError(
                f"{path} is not readable JSON ({type(exc).__name__}); it maps our charts to Datawrapper "
                f"ids: repair it, or delete it and the next run creates new charts"
            ) from None
        return cls(path, dict(data.get("charts", {})))

    def save(self) -> None:
        text = json.dumps({"charts": self.charts}, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        write_text_atomically(self.path, text)


class Client:
    """A thin Datawrapper API v3 client: JSON in and out, the token in the header only."""

    def __init__(self, url: str | None = None, token: str | None = None, *, policy: Any = None) -> None:
        from krefeld_data.fetch.http import make_session

        self.url = (url or base_url()).rstrip("/")
        self._token = token or access_token()
        self.session = make_session()
        self.policy = policy

    def call(self, method: str, path: str, *, body: Any = None, csv: str | None = None,
             what: str = "") -> dict[str, Any]:
        from krefeld_data.fetch.http import request_with_retries

        headers = {"Authorization": f"Bearer {self._token}", "Accept": "application/json"}
        data: bytes | None = None
        if csv is not None:
            headers["Content-Type"] = "text/csv; charset=utf-8"
            data = csv.encode("utf-8")
        elif body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        label = f"Datawrapper, {what or method + ' ' + path}"
        response = request_with_retries(self.session, method, f"{self.url}{path}", what=label,
                                        data=data, headers=headers, policy=self.policy)
        status = response.status_code
        if status in (401, 403):
            raise DatawrapperError(
                f"{label}: Datawrapper refused the access token (HTTP {status}); check {TOKEN_ENV} "
                f"(a token with the scopes chart:read and chart:write, from {TOKEN_PAGE})"
            )
        if status == 404:
            raise ChartNotFound(f"{label}: no such chart (HTTP 404)")
        if status >= 400:
            detail = _message(response.text).replace(self._token, "***")
            raise DatawrapperError(f"{label}: HTTP {status}{': ' + detail if detail else ''}")
        if not response.content:
            return {}
        try:
            answer = response.json()
        except ValueError:
            raise DatawrapperError(f"{label}: the answer is not JSON (HTTP {status})") from None
        return answer if isinstance(answer, dict) else {"data": answer}


class ChartNotFound(DatawrapperError):
    """The chart id we kept no longer exists in Datawrapper (deleted there)."""


def _message(text: str) -> str:
    try:
        data = json.loads(text)
    except ValueError:
        return text.strip()[:200]
    if isinstance(data, dict):
        return str(data.get("message") or data.get("error") or "")[:200]
    return ""


@dataclass(frozen=True)
class SyncResult:
    slug: str
    chart_id: str
    action: str  # created, updated
    public_url: str = ""


def story_charts(reports: Path, story: str) -> list[dict[str, Any]]:
    folder = reports / EMBED_FOLDER / story
    try:
        return list(json.loads((folder / MANIFEST).read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise DatawrapperError(
            f"story {story}: no charts in {folder}; build the story first (krefeld-data build {story})"
        ) from None
    except json.JSONDecodeError:
        raise DatawrapperError(f"story {story}: {folder / MANIFEST} is damaged; rebuild the story") from None


def _spec(folder: Path, slug: str) -> tuple[dict[str, Any], str]:
    try:
        spec = json.loads((folder / f"{slug}.datawrapper.json").read_text(encoding="utf-8"))
        csv = (folder / f"{slug}.csv").read_text(encoding="utf-8")
    except (OSError, json.JSONDecodeError) as exc:
        raise DatawrapperError(f"chart {slug}: its Datawrapper files in {folder} are missing or damaged "
                               f"({type(exc).__name__}); rebuild the story") from None
    return spec, csv


def sync_story(story: str, reports: Path, *, publish: bool = False, client: Client | None = None,
               ) -> list[SyncResult]:
    """Create or update every chart of ``story`` in Datawrapper; returns what happened to each."""
    charts = story_charts(reports, story)
    folder = reports / EMBED_FOLDER / story
    state = State.load(reports)
    client = client or Client()
    results = []
    for chart in charts:
        slug = str(chart["slug"])
        key = f"{story}/{slug}"
        spec, csv = _spec(folder, slug)
        entry = state.charts.get(key, {})
        chart_id = str(entry.get("id") or "")
        action = "updated"
        if chart_id:
            try:
                client.call("PATCH", f"/charts/{chart_id}", body=spec, what=f"update chart {slug}")
            except ChartNotFound:
                chart_id = ""  # deleted in Datawrapper: make it again
        if not chart_id:
            created = client.call("POST", "/charts", body=spec, what=f"create chart {slug}")
            chart_id = str(created.get("id") or "")
            if not chart_id:
                raise DatawrapperError(f"Datawrapper, create chart {slug}: the answer holds no chart id")
            state.charts[key] = {"id": chart_id, "title": spec.get("title", "")}
            state.save()  # before anything else can fail: a rerun must find this chart
            action = "created"
        client.call("PUT", f"/charts/{chart_id}/data", csv=csv, what=f"upload data of chart {slug}")
        public = ""
        if publish:
            answer = client.call("POST", f"/charts/{chart_id}/publish", what=f"publish chart {slug}")
            data = answer.get("data") if isinstance(answer.get("data"), Mapping) else {}
            public = str(data.get("publicUrl") or answer.get("url") or "")
            state.charts[key] = {**state.charts.get(key, {}), "id": chart_id, "public_url": public}
            state.save()
        results.append(SyncResult(slug, chart_id, action, public))
    return results


def reports_for(city: str | None) -> Path:
    """The reports folder of a build: ``reports/``, or ``reports/<city>/`` for another city."""
    reports = config.reports_dir()
    if not city:
        return reports
    from krefeld_data.regions.resolve import resolve_parameters

    parameters = resolve_parameters(city)
    return reports if parameters.is_default else reports / parameters.slug


def datawrapper_cli(story: str, *, publish: bool = False, city: str | None = None) -> int:
    """``krefeld-data datawrapper STORY [--publish] [--city KEY|NAME]``."""
    from krefeld_data.catalog import story as find_story

    try:
        slug = find_story(story).slug
    except KrefeldDataError:
        slug = story  # a scaffolded story not yet in the catalogue still has its charts
    reports = reports_for(city)
    results = sync_story(slug, reports, publish=publish)
    for result in results:
        where = f" {result.public_url}" if result.public_url else ""
        print(f"{result.slug}: {result.action} as Datawrapper chart {result.chart_id}{where}")
    print(f"{len(results)} chart(s) of {slug} sent to Datawrapper; ids in {reports / STATE_FILE}",
          file=sys.stderr)
    return 0
