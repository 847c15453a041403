"""Fetching 9 tables three at a time against one at a time, on the local replay server.

The server (``tests/replay_server.py``) waits 1 s before answering each table request, as a
slow service would; the metadata request that follows each table answers at once. Serial
takes about 9 s, so three workers should take about 3 s.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from _common import PROJECT_ROOT, Row, seconds

TABLES = 9
DELAY = 1.0  # seconds before each table response
TARGET_SPEEDUP = 2.5  # at least 2.5x faster (ideal: 3x with three workers)


def _zip(name: str, content: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{name}_1_de_flat.csv", content)
    return buffer.getvalue()


class _Env:
    """Stands in for pytest's monkeypatch in ``point_env_at``; restores the environment afterwards."""

    def __init__(self) -> None:
        self.saved: dict[str, str | None] = {}

    def setenv(self, name: str, value: str) -> None:
        self.saved.setdefault(name, os.environ.get(name))
        os.environ[name] = value

    def undo(self) -> None:
        for name, value in self.saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run() -> list[Row]:
    sys.path.insert(0, str(PROJECT_ROOT / "tests"))
    from replay_server import GENESIS_PATHS, ReplayServer, Reply, point_env_at, recording

    from krefeld_data.fetch.runner import MAX_WORKERS, FetchJob, fetch_all
    from krefeld_data.raw.store import RawStore

    regio = GENESIS_PATHS["regio"]
    codes = [f"99999-{i:02d}" for i in range(1, TABLES + 1)]
    tiny = recording("genesis_tiny_ffcsv.csv")
    env = _Env()
    timings: dict[int, float] = {}
    try:
        with ReplayServer() as server, tempfile.TemporaryDirectory(prefix="krefeld-bench-fetch-") as tmp:
            point_env_at(server, env, credentials={"regio": ("bench-user", "bench-password")})
            env.setenv("KREFELD_DATA_DIR", str(Path(tmp) / "data"))
            for code in codes:
                body = _zip(code, tiny.replace(b"Beispielstadt", code.encode()))
                server.add(regio + "data/tablefile", Reply(200, body, "application/zip", delay=DELAY),
                           match={"name": code}, repeat=True)
                server.add(regio + "metadata/table",
                           Reply.json({"Status": {"Code": 0, "Content": "erfolgreich", "Type": "Information"},
                                       "Object": {"Code": code, "Content": f"Benchmark {code}"}}),
                           match={"name": code}, repeat=True)
            for workers in (1, MAX_WORKERS):
                store = RawStore(Path(tmp) / f"raw-{workers}")  # empty: every table is really fetched
                started = time.perf_counter()
                reports = fetch_all([FetchJob(c, "regio") for c in codes], workers=workers, store=store,
                                    show_progress=False)
                timings[workers] = time.perf_counter() - started
                states = [r.outcome.state if r.outcome else r.error for r in reports]
                if states != ["stored"] * TABLES:
                    raise RuntimeError(f"fetch with {workers} worker(s) did not store every table: {states}")
            if server.violations:
                raise RuntimeError(f"the replay server saw bad requests: {server.violations[:3]}")
            most = server.max_active
    finally:
        env.undo()
    serial, parallel = timings[1], timings[MAX_WORKERS]
    ratio = parallel / serial
    return [Row(
        f"fetch {TABLES} tables, {MAX_WORKERS} at once vs serial ({DELAY:g} s server delay per table)",
        seconds(serial), seconds(parallel), ratio, f"<= {1 / TARGET_SPEEDUP:.2f}x",
        ratio <= 1 / TARGET_SPEEDUP and most <= MAX_WORKERS,
        f"{serial / parallel:.1f}x faster; at most {most} requests at once (limit {MAX_WORKERS})",
    )]
