"""One client for the four GENESIS databases (REST "2020" API, POST only since 2025).

What the services do, checked against recorded real traffic (real samples 01, 05, 27, 28):
- every request is a POST with a form-encoded body; credentials travel ONLY in the
  ``username``/``password`` headers (a token in ``username`` with an empty ``password``);
- the HTTP status is 200 even for errors: ``Status.Code`` in the JSON answer tells;
- ``data/tablefile`` answers a zip with one CSV member, a plain CSV, or a JSON status;
- a table too large for a dialog request (code 98) is produced by a background job:
  the same request with ``job=true`` (code 99 names the result), then ``catalogue/results``
  is polled until it lists the result, then ``data/resultfile`` delivers it.
"""

from __future__ import annotations

import io
import json
import logging
import re
import time
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import requests

from krefeld_data import config
from krefeld_data.errors import ConfigError, ServiceError
from krefeld_data.fetch.http import (
    RetryPolicy,
    ServiceHTTPError,
    default_policy,
    default_timeout,
    make_session,
    public_url,
    request_with_retries,
)
from krefeld_data.raw.databases import GENESIS_DATABASES, Database, get_database

log = logging.getLogger(__name__)

OK = 0
WARNING_ADJUSTED = 22  # successful, but a parameter was adjusted
NO_NEWER_DATA = 50
TABLE_NOT_FOUND = 90
TOO_LARGE = 98
JOB_CREATED = 99
NOTHING_FOUND = 104
ERROR = -1
TOO_MANY_REQUESTS = 6

# The service's words for wrong credentials (real sample 36), in whatever status it comes.
_WRONG_CREDENTIALS = re.compile(r"Nutzernamen\s+bzw\.\s+(das\s+)?Passwort|user\s*name\s+or\s+password", re.I)
# "... mit folgendem Namen abgerufen werden: 12531-0043_175879554"
_RESULT_NAME = re.compile(r"([0-9A-Za-z][0-9A-Za-z-]*_\d+)\s*\.?\s*$")
JOB_TIMEOUT_ENV = "KREFELD_DATA_GENESIS_JOB_TIMEOUT"


def one_line(text: str) -> str:
    """The service's own text on one line (its messages contain line breaks)."""
    return " ".join(str(text).split())


@dataclass(frozen=True)
class GenesisStatus:
    code: int
    type: str
    content: str

    @classmethod
    def from_json(cls, obj: Any) -> GenesisStatus | None:
        status = obj.get("Status") if isinstance(obj, dict) else None
        if not isinstance(status, dict) or "Code" not in status:
            return None
        try:
            code = int(status["Code"])
        except (TypeError, ValueError):
            code = -999
        return cls(code, one_line(status.get("Type") or ""), one_line(status.get("Content") or ""))


class GenesisError(ServiceError):
    """A GENESIS database answered with an error status or an unusable body."""

    def __init__(self, message: str, *, database: str, table: str | None = None,
                 status: GenesisStatus | None = None) -> None:
        super().__init__(message)
        self.database = database
        self.table = table
        self.status = status


class TableNotFound(GenesisError):
    """Code 90 or 104 for a table: no such table here, or nothing to deliver."""


class GenesisAuthError(GenesisError):
    """The service rejected the credentials."""


class TokenCannotStartJob(GenesisError):
    """A large table needs a background job, which an API token may not start."""


class JobTimeout(GenesisError):
    """A background job did not finish within the overall timeout."""


class NoNewerData(GenesisError):
    """Code 50: nothing newer than the ``stand`` we sent. Not a failure for the caller."""


@dataclass(frozen=True)
class TableFile:
    """A table's bytes as the service sent them, and how we asked for them (no secrets)."""

    body: bytes
    kind: str  # "zip" or "csv"
    content_type: str
    url: str
    query: dict[str, str] = field(default_factory=dict)
    job_result: str | None = None  # result name when a background job produced it
    status: GenesisStatus | None = None


def _form_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple | set):
        return ",".join(str(v) for v in value)
    return str(value)


def form_fields(params: Mapping[str, Any]) -> dict[str, str]:
    """Parameters as the form fields GENESIS is sent (and provenance records): strings, no None."""
    return {k: _form_value(v) for k, v in params.items() if v is not None}


def _zip_problem(body: bytes) -> str | None:
    """Why a zip body is unusable (truncated, bad CRC), or None if it is whole."""
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            bad = archive.testzip()
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        return f"damaged or truncated zip ({exc})"
    if bad:
        return f"damaged zip (member {bad} fails its checksum)"
    return None


def _json_of(response: requests.Response) -> Any | None:
    body = response.content.lstrip()
    if not body.startswith((b"{", b"[")):
        return None
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        try:
            return json.loads(body.decode("latin-1"))
        except json.JSONDecodeError:
            return None


def _looks_like_html(body: bytes) -> bool:
    head = body[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head


def _html_title(body: bytes) -> str:
    match = re.search(rb"<title>(.*?)</title>", body[:8192], re.I | re.S)
    return one_line(match.group(1).decode("utf-8", "replace"))[:100] if match else ""


class GenesisClient:
    """All calls to one GENESIS database. One instance per thread (it holds a session)."""

    def __init__(
        self,
        database: str = "regio",
        *,
        credentials: config.Credentials | None = None,
        session: requests.Session | None = None,
        policy: RetryPolicy | None = None,
        timeout: tuple[float, float] | None = None,
        poll_seconds: float | None = None,
        job_timeout: float | None = None,
        progress: Callable[[str], None] | None = None,
        language: str = "de",
    ) -> None:
        self.db: Database = get_database(database)
        if self.db.key not in GENESIS_DATABASES:
            known = ", ".join(GENESIS_DATABASES)
            raise ConfigError(f"{database!r} is not a GENESIS database; use one of {known}")
        self.base_url = config.genesis_url(self.db.key)
        self._credentials = credentials or config.genesis_credentials(self.db.key)
        self.session = session or make_session()
        self.policy = policy or default_policy()
        self.timeout = timeout or default_timeout()
        self.poll_seconds = config.poll_seconds() if poll_seconds is None else poll_seconds
        self.job_timeout = job_timeout if job_timeout is not None else _job_timeout_setting()
        self.progress = progress
        self.language = language

    def __repr__(self) -> str:
        return f"GenesisClient({self.db.key!r}, url={self.base_url!r})"

    @property
    def is_token(self) -> bool:
        return self._credentials.is_token

    def _status_of(self, obj: Any) -> GenesisStatus | None:
        """The answer's status, with our credentials masked should the service echo them."""
        status = GenesisStatus.from_json(obj)
        if status is None:
            return None
        texts = [status.type, status.content]
        for secret in (str(self._credentials.username), str(self._credentials.password)):
            if secret:
                texts = [text.replace(secret, "***") for text in texts]
        return replace(status, type=texts[0], content=texts[1])

    # ------------------------------------------------------------------ transport

    def _where(self, table: str | None) -> str:
        where = f"{self.db.label} ({self.db.key})"
        return f"{where}, table {table}" if table else where

    def _post(self, path: str, form: Mapping[str, Any], *, table: str | None) -> requests.Response:
        headers = {
            "username": str(self._credentials.username),
            "password": str(self._credentials.password),
            "Accept": "application/json, application/zip, text/csv, */*",
        }
        response = request_with_retries(
            self.session,
            "POST",
            self.base_url + path,
            what=self._where(table),
            data=form_fields(form),
            headers=headers,
            timeout=self.timeout,
            policy=self.policy,
            retry_if=self._retry_reason,
        )
        if response.status_code in (401, 403):
            raise GenesisAuthError(self._auth_message(table, f"HTTP {response.status_code}"),
                                   database=self.db.key, table=table)
        if response.status_code >= 400:
            raise ServiceHTTPError(
                f"{self._where(table)}: HTTP {response.status_code} from {public_url(response.url)}; "
                f"check {self.db.env_prefix}_URL (now {self.base_url})",
                response.status_code,
            )
        return response

    def _retry_reason(self, response: requests.Response) -> str | None:
        body = response.content
        if body.startswith(b"PK"):
            return _zip_problem(body)
        if response.status_code < 400:
            status = self._status_of(_json_of(response))
            if status and status.code == TOO_MANY_REQUESTS:
                return f"too many parallel requests (status code 6: {status.content})"
        return None

    def _auth_message(self, table: str | None, service_text: str) -> str:
        kind = "token" if self.is_token else "user name and password"
        return (
            f"{self._where(table)}: the service rejected the {kind} ({service_text}). "
            f"Check {self.db.env_prefix}_TOKEN, or _USER and _PASSWORD (no stray spaces or quotes); "
            f"accounts are at {self.db.registration_url}"
        )

    def _status_error(self, status: GenesisStatus, table: str | None, hint: str = "") -> GenesisError:
        if _WRONG_CREDENTIALS.search(status.content):
            return GenesisAuthError(
                self._auth_message(table, f"status code {status.code}: {status.content}"),
                database=self.db.key, table=table, status=status,
            )
        kind = status.type or "no type"
        message = f"{self._where(table)}: status code {status.code} ({kind}): {status.content}"
        if hint:
            message += f". {hint}"
        cls = TableNotFound if status.code in (TABLE_NOT_FOUND, NOTHING_FOUND) else GenesisError
        return cls(message, database=self.db.key, table=table, status=status)

    def _json_call(
        self, path: str, form: Mapping[str, Any], *, table: str | None
    ) -> tuple[GenesisStatus, Any]:
        response = self._post(path, form, table=table)
        obj = _json_of(response)
        status = self._status_of(obj)
        if status is None:
            raise self._unusable(response, table, "a JSON status answer")
        if _WRONG_CREDENTIALS.search(status.content):
            raise self._status_error(status, table)
        if status.code == WARNING_ADJUSTED:
            log.warning("%s: %s (status code 22): %s", self._where(table), status.type, status.content)
        return status, obj

    def _unusable(self, response: requests.Response, table: str | None, expected: str) -> GenesisError:
        body = response.content
        if _looks_like_html(body):
            title = _html_title(body)
            shown = f" titled {title!r}" if title else ""
            return GenesisError(
                f"{self._where(table)}: the service sent an HTML page{shown} instead of {expected} "
                f"(maintenance or a wrong {self.db.env_prefix}_URL?)",
                database=self.db.key, table=table,
            )
        ctype = response.headers.get("Content-Type", "unknown type")
        return GenesisError(
            f"{self._where(table)}: unexpected answer ({ctype}, {len(body)} bytes) instead of {expected}",
            database=self.db.key, table=table,
        )

    # ------------------------------------------------------------------ data

    def _data_params(self, name: str, params: Mapping[str, Any]) -> dict[str, Any]:
        merged: dict[str, Any] = {
            "name": name, "area": "all", "compress": False, "format": "ffcsv",
            "language": self.language, "job": False,
        }
        merged.update({k: v for k, v in params.items() if v is not None})
        if merged.get("stand") == "":
            merged.pop("stand")
        return merged

    def _as_table_file(self, response: requests.Response, form: Mapping[str, Any], path: str,
                       table: str, job_result: str | None = None) -> TableFile | GenesisStatus:
        """The data in a response, or its JSON status for the caller to act on."""
        body = response.content
        ctype = response.headers.get("Content-Type", "")
        query = form_fields(form)
        url = public_url(self.base_url + path)
        if body.startswith(b"PK"):
            return TableFile(body, "zip", ctype or "application/zip", url, query, job_result)
        obj = _json_of(response)
        status = self._status_of(obj)
        if status is not None:
            return status
        if _looks_like_html(body) or not body.strip():
            raise self._unusable(response, table, "a table")
        head = body[:4096].lstrip(b"\xef\xbb\xbf").lstrip()
        if b";" in head.split(b"\n", 1)[0]:
            return TableFile(body, "csv", ctype or "text/csv", url, query, job_result)
        raise self._unusable(response, table, "a table")

    def tablefile(self, name: str, **params: Any) -> TableFile:
        """A table as ``ffcsv`` (zip or plain), following the background-job flow when needed.

        Raises :class:`NoNewerData` for code 50 (only when ``stand`` was sent).
        """
        form = self._data_params(name, params)
        response = self._post("data/tablefile", form, table=name)
        result = self._as_table_file(response, form, "data/tablefile", name)
        if isinstance(result, TableFile):
            return result
        status = result
        if status.code == TOO_LARGE and not _truthy(form.get("job")):
            if self.is_token:
                raise TokenCannotStartJob(
                    f"{self._where(name)}: status code 98: {status.content}. The table is too large for a "
                    f"direct download and needs a background job, which an API token cannot start: set "
                    f"{self.db.env_prefix}_USER and {self.db.env_prefix}_PASSWORD (your account's user "
                    f"name and password) instead of {self.db.env_prefix}_TOKEN",
                    database=self.db.key, table=name, status=status,
                )
            log.info("%s: too large for a direct download; starting a background job", self._where(name))
            return self._run_job(name, form)
        raise self._tablefile_error(status, name, form)

    def _tablefile_error(self, status: GenesisStatus, name: str, form: Mapping[str, Any]) -> GenesisError:
        if status.code == NO_NEWER_DATA:
            return NoNewerData(
                f"{self._where(name)}: status code 50: {status.content}",
                database=self.db.key, table=name, status=status,
            )
        hints = {
            TABLE_NOT_FOUND: (
                f"Check the code with `krefeld-data search '{name.split('-')[0]}*' --db {self.db.key}`"
            ),
            NOTHING_FOUND: "The table may not exist in this database or has no data for the parameters sent",
            ERROR: "The service could not produce the table with these parameters",
        }
        known = {OK, WARNING_ADJUSTED, TABLE_NOT_FOUND, TOO_LARGE, JOB_CREATED, NOTHING_FOUND, ERROR}
        hint = hints.get(status.code, "")
        if status.code not in known:
            hint = "This status code is unknown to krefeld-data"
        elif status.code in (OK, WARNING_ADJUSTED, JOB_CREATED, TOO_LARGE):
            hint = "The service answered with a status but sent no table"
        return self._status_error(status, name, hint)

    def _run_job(self, name: str, form: Mapping[str, Any]) -> TableFile:
        job_form = {**form, "job": True}
        answer = self._as_table_file(self._post("data/tablefile", job_form, table=name), job_form,
                                     "data/tablefile", name)
        if isinstance(answer, TableFile):
            return answer  # the service chose to answer directly after all
        if answer.code != JOB_CREATED:
            raise self._tablefile_error(answer, name, job_form)
        match = _RESULT_NAME.search(answer.content)
        if not match:
            raise GenesisError(
                f"{self._where(name)}: status code 99, but no result name in the answer: {answer.content}",
                database=self.db.key, table=name, status=answer,
            )
        result = match.group(1)
        self._wait_for_result(result, name)
        params = {k: v for k, v in form.items() if k not in ("name", "job", "stand")}
        return self.resultfile(result, table=name, **params)

    def _wait_for_result(self, result: str, table: str) -> None:
        started = time.monotonic()
        polls = 0
        next_note = started + 30.0
        self._note(f"{table}: background job {result} started in {self.db.label}; waiting for it")
        while True:
            status, obj = self._json_call(
                "catalogue/results", {"selection": result, "area": "user", "pagelength": 1}, table=table,
            )
            polls += 1
            if status.code in (OK, WARNING_ADJUSTED) and obj.get("List"):
                log.info("%s: job %s ready after %d polls", self._where(table), result, polls)
                return
            if status.code not in (OK, WARNING_ADJUSTED, NOTHING_FOUND):
                raise self._status_error(status, table, f"while waiting for background job {result}")
            elapsed = time.monotonic() - started
            if elapsed > self.job_timeout:
                raise JobTimeout(
                    f"{self._where(table)}: background job {result} not ready after {elapsed:.0f} s "
                    f"({polls} polls). It keeps running at the service: fetch again later (the result "
                    f"stays available for a while), or raise {JOB_TIMEOUT_ENV}",
                    database=self.db.key, table=table,
                )
            if time.monotonic() >= next_note:
                self._note(f"{table}: background job {result} still running ({elapsed:.0f} s)")
                next_note += 30.0
            time.sleep(self.poll_seconds)

    def _note(self, message: str) -> None:
        log.info(message)
        if self.progress:
            self.progress(message)

    def resultfile(self, name: str, *, table: str | None = None, **params: Any) -> TableFile:
        """A finished background job's result (``name`` like ``12531-0043_175879554``)."""
        form = self._data_params(name, params)
        table = table or name.rsplit("_", 1)[0]
        result = self._as_table_file(self._post("data/resultfile", form, table=table), form,
                                     "data/resultfile", table, job_result=name)
        if isinstance(result, TableFile):
            return result
        raise self._tablefile_error(result, table, form)

    # ------------------------------------------------------------------ catalogue and metadata

    def catalogue_tables(self, selection: str, pagelength: int = 500, *,
                         searchcriterion: str = "Code") -> list[dict[str, Any]]:
        """Tables whose code (or title, ``searchcriterion="Content"``) matches ``selection``."""
        status, obj = self._json_call(
            "catalogue/tables",
            {"selection": selection, "area": "all", "searchcriterion": searchcriterion,
             "sortcriterion": "Code", "pagelength": pagelength, "language": self.language},
            table=None,
        )
        if status.code == NOTHING_FOUND:
            return []
        if status.code not in (OK, WARNING_ADJUSTED):
            raise self._status_error(status, None, f"searching the catalogue for {selection!r}")
        return list(obj.get("List") or [])

    def metadata_table(self, name: str) -> dict[str, Any]:
        """The ``Object`` of ``metadata/table``: title, time range, structure, update date."""
        status, obj = self._json_call(
            "metadata/table", {"name": name, "area": "all", "language": self.language}, table=name,
        )
        if status.code not in (OK, WARNING_ADJUSTED) or not isinstance(obj.get("Object"), dict):
            raise self._status_error(status, name, "no metadata for this table")
        return obj["Object"]

    def logincheck(self) -> str:
        """Check the credentials; returns the service's message (never the echoed user name)."""
        response = self._post("helloworld/logincheck", {"language": self.language}, table=None)
        obj = _json_of(response)
        text = ""
        if isinstance(obj, dict):
            raw = obj.get("Status")
            text = one_line(raw.get("Content", "") if isinstance(raw, dict) else raw or "")
        if not text:
            raise self._unusable(response, None, "a login check answer")
        if "erfolgreich" in text.lower() or "successful" in text.lower():
            return text
        raise GenesisAuthError(self._auth_message(None, text), database=self.db.key)


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def _job_timeout_setting() -> float:
    raw = config.setting(JOB_TIMEOUT_ENV, "3600")
    try:
        return float(raw)  # type: ignore[arg-type]
    except ValueError:
        raise ConfigError(f"{JOB_TIMEOUT_ENV} must be a number of seconds, got {raw!r}") from None
