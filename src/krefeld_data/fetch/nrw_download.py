"""Landesdatenbank NRW without an account: the keyless download of whole classic tables.

IT.NRW serves every table of its database as the classic table CSV (the file a reader gets
from the website's download button) at ``<base><code>_00.csv``, without registration
(``https://www.landesdatenbank.nrw.de/ldbnrwws/downloader/00/tables/``; real sample 37 is such
a file: ISO-8859-1, first line ``Tabelle: 12521-03i``, footer ``Stand: 09.02.2026 / 16:09:36``).
So a newcomer without an account still gets real NRW tables; with an NRW token set,
:mod:`krefeld_data.fetch.dispatch` uses the REST interface instead.

What is stored is exactly the bytes sent, with the same provenance as any other fetch. What is
refused, before anything is stored: an HTTP error, an HTML page (the website's error and
maintenance pages arrive with status 200), a body that is not a classic table, a table that is
not the one asked for, and a table without its footer (a download cut off at a line end).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

import requests

from krefeld_data import config
from krefeld_data.errors import ConfigError, KrefeldDataError, ParseError, ServiceError
from krefeld_data.fetch.http import (
    RetryPolicy,
    default_policy,
    default_timeout,
    make_session,
    public_url,
    request_with_retries,
)
from krefeld_data.fetch.types import FetchOutcome
from krefeld_data.raw.databases import get_database
from krefeld_data.raw.provenance import Provenance, utc_now
from krefeld_data.raw.store import RawStore

log = logging.getLogger(__name__)

FILE_SUFFIX = "_00.csv"
NOTE = "keyless classic-table download of the Landesdatenbank NRW (no account used)"
# Table codes as the offices write them (12521-03i, 12411-01-01-4): no slashes, no dots.
_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z-]{1,40}$")
# First line of a classic table: "Tabelle: 12521-03i" (2025-26) or "GENESIS-Tabelle: …" (2017-18).
_FIRST_LINE = re.compile(r"^\s*(?:GENESIS-)?Tabelle:\s*([^;\s]+)")
# Footer lines: "Stand: 09.02.2026 / 16:09:36", "created: 2025-09-12 / 19:55:56", "© IT.NRW, …".
_FOOTER_DATE = re.compile(
    r"^\s*\"?(Stand|created|erstellt am):?\s*(?:(\d{2})\.(\d{2})\.(\d{4})|(\d{4})-(\d{2})-(\d{2}))",
    re.IGNORECASE,
)
_COPYRIGHT = re.compile(r"^\s*\"?(?:©|\(c\))", re.IGNORECASE)
_FOOTER_LINES = 40  # the footer sits in the last lines; footnotes before it may be long
_DATA_LINE = re.compile(r";\s*-?\d[\d.,]*\s*(?:;|$)")


class DownloadError(ServiceError):
    """The keyless download answered with something that is not the table asked for."""


class DownloadNotFound(DownloadError):
    """HTTP 404: the download has no table under this code."""


@dataclass(frozen=True)
class FooterDate:
    """The date a classic table's footer gives for its publication."""

    stand: str  # German form for the citation: 09.02.2026
    vintage: str  # ISO date: 2026-02-09
    source: str  # where it was read: "Stand line", "created line"


@dataclass(frozen=True)
class DownloadedTable:
    body: bytes
    url: str  # public URL (no query, no user info)
    content_type: str
    title: str
    footer_date: FooterDate | None


def uses_keyless_download(database: str) -> bool:
    """Whether a fetch from ``database`` goes through the keyless download: it has one and no
    account is configured. A half-configured account (user without password) is not "none":
    the REST client then says what is missing."""
    db = get_database(database)
    if not db.has_keyless_download:
        return False
    return config.genesis_credentials(db.key, required=False) is None


def decode(body: bytes) -> str:
    """The text of a classic table: UTF-8 (with or without BOM) where it is, else ISO-8859-1."""
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        return body.decode("latin-1")


def footer_date(text: str) -> FooterDate | None:
    """The ``Stand:`` / ``created:`` date of a classic table's footer, or None without one.

    The footer is read from the end: a title line such as "Stand: 31.12." is no footer.
    """
    lines = [line for line in text.splitlines() if line.strip()]
    for line in reversed(lines[-_FOOTER_LINES:]):
        match = _FOOTER_DATE.match(line)
        if not match:
            continue
        word = match.group(1).lower()
        if match.group(2):
            day, month, year = match.group(2), match.group(3), match.group(4)
        else:
            year, month, day = match.group(5), match.group(6), match.group(7)
        source = "created line" if word == "created" else "Stand line"
        return FooterDate(f"{day}.{month}.{year}", f"{year}-{month}-{day}", source)
    return None


def title_of(text: str) -> str:
    """The title lines under ``Tabelle:`` (padded with ``;``), joined into one line."""
    parts: list[str] = []
    for line in text.splitlines()[1:12]:
        cells = [cell.strip().strip('"') for cell in line.split(";")]
        if not cells[0] or any(cells[1:]):
            break
        parts.append(cells[0])
    return " ".join(" ".join(parts).split())


def classic_table_problem(text: str, code: str) -> str | None:
    """Why ``text`` is not the classic table ``code`` in one piece, or None if it is.

    A classic table starts with ``Tabelle: <code>``, holds rows of ``;``-separated numbers and
    ends in a footer (``©`` line or ``Stand:``/``created:`` date). Without the footer the file
    was cut off, even if it ends at a line break.
    """
    stripped = text.lstrip("\ufeff")
    first = stripped.split("\n", 1)[0].strip()
    match = _FIRST_LINE.match(first)
    if not match:
        return f"it does not start with 'Tabelle: {code}' (first line: {first[:80]!r})"
    if match.group(1).casefold() != code.casefold():
        return f"it is table {match.group(1)}, not {code}"
    lines = [line for line in stripped.splitlines() if line.strip()]
    if not any(_DATA_LINE.search(line) for line in lines[1:]):
        return "it holds no row of values (header only?)"
    tail = lines[-_FOOTER_LINES:]
    if not any(_FOOTER_DATE.match(line) or _COPYRIGHT.match(line) for line in tail):
        return "it ends without the footer (© line, Stand: date): the download was cut off"
    return None


def _looks_like_html(body: bytes) -> bool:
    head = body[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in head


def _html_title(body: bytes) -> str:
    match = re.search(rb"<title>(.*?)</title>", body[:8192], re.I | re.S)
    return " ".join(match.group(1).decode("utf-8", "replace").split())[:100] if match else ""


class NrwDownloadClient:
    """GET requests to the keyless download. One instance per thread (it holds a session)."""

    def __init__(self, database: str = "nrw", *, session: requests.Session | None = None,
                 policy: RetryPolicy | None = None, timeout: tuple[float, float] | None = None) -> None:
        self.db = get_database(database)
        base = config.download_url(self.db.key)
        if base is None:
            raise ConfigError(f"{self.db.label} ({self.db.key}) offers no keyless download")
        self.base_url = base
        self.session = session or make_session()
        self.policy = policy or default_policy()
        self.timeout = timeout or default_timeout()

    def where(self, code: str) -> str:
        return f"{self.db.label} ({self.db.key}), keyless download, table {code}"

    def url_of(self, code: str) -> str:
        if not _CODE.match(code):
            raise ConfigError(f"{code!r} is not a table code (e.g. 12521-03i)")
        return f"{self.base_url}{code}{FILE_SUFFIX}"

    def table(self, code: str) -> DownloadedTable:
        """The classic table ``code``, checked; a :class:`DownloadError` for anything else."""
        url = self.url_of(code)
        shown = public_url(url)
        where = self.where(code)
        response = request_with_retries(
            self.session, "GET", url, what=where, timeout=self.timeout, policy=self.policy,
            headers={"Accept": "text/csv, text/plain, */*"},
        )
        body = response.content
        if response.status_code == 404:
            raise DownloadNotFound(
                f"{where}: HTTP 404 from {shown}: no such table. Check the code on "
                f"{self.db.registration_url} (codes there end in a letter, e.g. 12521-03i)"
            )
        if response.status_code >= 400:
            raise DownloadError(
                f"{where}: HTTP {response.status_code} from {shown}; nothing was stored. "
                f"Check {self.db.env_prefix}_DOWNLOAD_URL (now {self.base_url})"
            )
        if _looks_like_html(body):
            title = _html_title(body)
            shown_title = f" titled {title!r}" if title else ""
            raise DownloadError(
                f"{where}: {shown} sent an HTML page{shown_title} instead of the table "
                f"(maintenance, an unknown code or a wrong {self.db.env_prefix}_DOWNLOAD_URL?); "
                f"nothing was stored"
            )
        if not body.strip():
            raise DownloadError(f"{where}: {shown} sent an empty answer; nothing was stored")
        text = decode(body)
        problem = classic_table_problem(text, code)
        if problem:
            raise DownloadError(f"{where}: the answer from {shown} is not a classic table: {problem}; "
                                f"nothing was stored")
        ctype = response.headers.get("Content-Type", "") or "text/csv"
        return DownloadedTable(body, shown, ctype, title_of(text), footer_date(text))


def check_reads(body: bytes, where: str) -> dict[str, Any]:
    """Refuse a table the parser knows but cannot read; the frame's ``attrs`` where it reads.

    A classic-table generation ``sniff`` does not know yet (the 2025-26 ``Tabelle:`` files were
    new to it once) is stored on the structural check of :func:`classic_table_problem` alone.
    """
    from krefeld_data.parse import read_table
    from krefeld_data.parse.sniff import CLASSIC, sniff

    try:
        kind = sniff(body, where).kind
    except ParseError as exc:
        log.info("%s: stored on the structural check; the parser does not read it yet (%s)", where, exc)
        return {}
    if kind != CLASSIC:
        raise DownloadError(f"{where}: the answer reads as {kind}, not as a classic table; "
                            f"nothing was stored")
    try:
        frame = read_table(body)
    except ParseError as exc:
        raise DownloadError(f"{where} does not read as a table ({exc}); nothing was stored") from None
    return dict(frame.attrs)


def download_table(code: str, database: str = "nrw", *, store: RawStore | None = None,
                   client: NrwDownloadClient | None = None, **params: Any) -> FetchOutcome:
    """Download one whole table without an account and store it with its provenance."""
    client = client or NrwDownloadClient(database)
    where = client.where(code)
    if params:
        names = ", ".join(sorted(params))
        raise KrefeldDataError(
            f"{where}: the keyless download serves whole tables only; the parameters {names} need "
            f"the REST interface: set {client.db.env_prefix}_TOKEN (free account at "
            f"{client.db.registration_url})"
        )
    store = store or RawStore()
    table = client.table(code)
    attrs = check_reads(table.body, where)
    # The parser's reading of the footer where it has one; ours (the same lines) otherwise.
    stand, vintage, vintage_source = None, None, ""
    if table.footer_date is not None:
        stand = table.footer_date.stand
        vintage, vintage_source = table.footer_date.vintage, table.footer_date.source
    if attrs.get("vintage"):
        vintage = str(attrs["vintage"])
        vintage_source = str(attrs.get("vintage_source") or vintage_source or "parser")
    title = " ".join(str(attrs.get("title") or table.title).split())
    retrieved = utc_now()
    if vintage is None:
        vintage, vintage_source = retrieved.date().isoformat(), "fetch time"
    provenance = Provenance(
        source=client.db.key,
        table=code,
        origin="api",
        retrieved_at=retrieved.isoformat(),
        url=table.url,
        query={},
        content_type=table.content_type,
        stand=stand,
        vintage=vintage,
        vintage_source=vintage_source,
        metadata={"title": title, "access": "keyless download"},
        note=NOTE,
    )
    saved = store.save(table.body, provenance, "csv")
    state = "stored" if saved.created else "unchanged"
    log.info("%s: %s (%d bytes, Stand %s)", where, state, len(table.body), stand or "unknown")
    return FetchOutcome(code, client.db.key, state, saved.snapshot)
