"""``krefeld-data fetch``: every table the stories need, three requests at a time.

The offices ask for at most three parallel requests per user, so three workers share
the list; each table ends as ``stored``, ``unchanged``, ``cached`` or ``failed (why)``.
When tables fail for lack of an account, the summary names the one account that
unlocks the most of them, and the one line to set. Optional tables and stand-ins (the
catalogue's ``may_fail``) are fetched too, but their failure does not fail the run.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

from krefeld_data.errors import CredentialsMissing, KrefeldDataError
from krefeld_data.fetch.types import FetchJob, FetchOutcome

log = logging.getLogger(__name__)

MAX_WORKERS = 3
_EUROSTAT_CODE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")


@dataclass(frozen=True)
class FetchReport:
    job: FetchJob
    outcome: FetchOutcome | None = None
    error: str | None = None
    missing_credentials: bool = False

    @property
    def failed(self) -> bool:
        return self.outcome is None

    @property
    def line(self) -> str:
        state = self.outcome.state if self.outcome else f"failed ({self.error})"
        optional = " [optional]" if self.failed and self.job.optional else ""
        return f"{self.job.code} ({self.job.database}): {state}{optional}"


def plan(codes: Sequence[str], database: str | None) -> list[FetchJob]:
    """The tables to fetch: the catalogue's, or the codes named (with the catalogue's parameters)."""
    from krefeld_data.catalog import SOURCE_TABLES
    from krefeld_data.raw.databases import get_database

    if database:
        get_database(database)
    if not codes:
        tables = SOURCE_TABLES.values()
        if database:
            tables = [t for t in tables if t.database == database]
        return [FetchJob(t.code, t.database, dict(t.params), t.may_fail) for t in tables]
    jobs = []
    for code in codes:
        known = SOURCE_TABLES.get(code)
        if known and database in (None, known.database):
            jobs.append(FetchJob(code, known.database, dict(known.params)))  # asked for: required
        elif database:
            jobs.append(FetchJob(code, database))
        else:
            jobs.append(FetchJob(code, "eurostat" if _EUROSTAT_CODE.match(code) else "regio"))
    return jobs


def fetch_one(job: FetchJob, *, refresh: bool = False, progress: Callable[[str], None] | None = None,
              store: Any = None) -> FetchOutcome:
    """One job through the fetch dispatcher."""
    from krefeld_data.fetch.dispatch import fetch

    return fetch(job.code, job.database, refresh=refresh, store=store, progress=progress, **job.params)


def _run(job: FetchJob, refresh: bool, progress: Callable[[str], None] | None, store: Any) -> FetchReport:
    try:
        return FetchReport(job, fetch_one(job, refresh=refresh, progress=progress, store=store))
    except CredentialsMissing as exc:
        from krefeld_data.config import credential_variables

        # The full "register at … then set …" text comes once, as the next step at the end.
        variables = " and ".join(credential_variables(exc.database or job.database))
        short = f"needs an account: {variables} not set"
        return FetchReport(job, error=short, missing_credentials=True)
    except KrefeldDataError as exc:
        return FetchReport(job, error=str(exc))
    except Exception as exc:  # a bug must not hide the other tables' results
        log.debug("unexpected error fetching %s", job.code, exc_info=True)
        return FetchReport(job, error=f"unexpected {type(exc).__name__}; run with --debug and report it")


def fetch_all(jobs: Sequence[FetchJob], *, refresh: bool = False, workers: int = MAX_WORKERS,
              store: Any = None, show_progress: bool = True) -> list[FetchReport]:
    """Fetch ``jobs`` with at most ``workers`` at once; reports in the order of ``jobs``."""
    from tqdm import tqdm

    reports: dict[int, FetchReport] = {}
    options: dict[str, Any] = {}
    if not show_progress:
        options["disable"] = True
    elif "TQDM_DISABLE" not in os.environ:  # `--quiet` sets it; an explicit argument would override it
        options["disable"] = None  # no bar when stderr is not a terminal (logs, CI)
    with tqdm(total=len(jobs), desc="fetch", unit="table", file=sys.stderr, **options) as bar:

        def note(message: str) -> None:
            bar.write(message, file=sys.stderr)

        with ThreadPoolExecutor(max_workers=max(1, min(workers, MAX_WORKERS))) as pool:
            futures = {pool.submit(_run, job, refresh, note, store): i for i, job in enumerate(jobs)}
            for future in as_completed(futures):
                report = future.result()
                reports[futures[future]] = report
                state = report.outcome.state if report.outcome else "failed"
                bar.set_postfix_str(f"{report.job.code}: {state}")
                bar.update(1)
    return [reports[i] for i in range(len(jobs))]


def next_step(reports: Sequence[FetchReport]) -> str | None:
    """The one step that unlocks the most of the required tables that failed."""
    from krefeld_data.guidance import next_step as step_for

    failed = [r.job for r in reports if r.failed and not r.job.optional]
    return step_for([j.code for j in failed], {j.code: j.database for j in failed})


def fetch_cli(codes: Sequence[str], database: str | None, refresh: bool, keep_going: bool) -> int:
    jobs = plan(codes, database)
    if not jobs:
        print("nothing to fetch", file=sys.stderr)
        return 0
    reports = fetch_all(jobs, refresh=refresh)
    for report in reports:
        print(report.line)
    failed = [r for r in reports if r.failed and not r.job.optional]
    optional = [r for r in reports if r.failed and r.job.optional]
    if optional:
        print(f"{len(optional)} optional table(s) not fetched; the stories run without them",
              file=sys.stderr)
    if failed:
        print(f"{len(failed)} of {len(reports)} table(s) failed", file=sys.stderr)
        step = next_step(reports)
        if step:
            print(step, file=sys.stderr)
    return 0 if not failed or keep_going else 1
