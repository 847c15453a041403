"""The raw store under concurrency and crashes, with real processes.

- Two ``krefeld-data fetch`` processes at once, against the replay server: one snapshot for
  identical bytes, two complete ones for different bytes, never a broken or duplicated file.
- Six processes storing the same bytes at the same moment: one snapshot, one "created".
- A fetch process killed with SIGKILL at each step of a write (after each fsync of the
  store's two files and folder) or while downloading: readers see no partial snapshot,
  ``krefeld-data verify`` names what was left behind, and the next fetch stores a good one.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from replay_server import (
    GENESIS_PATHS,
    ReplayServer,
    Reply,
    metadata_answer,
    point_env_at,
    recording,
    zipped_flat_file,
)

from krefeld_data import read_table
from krefeld_data.raw.store import RawStore

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and fork semantics are POSIX")

USER, PASSWORD = "u-concurrency", "p-concurrency"
REGIO = GENESIS_PATHS["regio"]
CODE = "12411-01-01-4"
METADATA = metadata_answer(CODE)



TINY = recording("genesis_tiny_ffcsv.csv")
ZIP_A = zipped_flat_file(TINY, CODE)
ZIP_B = zipped_flat_file(TINY.replace(b";111;", b";112;"), CODE)

# Runs the real command line, but os.fsync hangs (after syncing) at its N-th call, so the
# test can kill the process at exactly that step of a store write.
HANGING_CLI = """
import os, sys, time
from pathlib import Path
marker, hang_at = Path(sys.argv[1]), int(sys.argv[2])
real_fsync, calls = os.fsync, []
def fsync(fd):
    real_fsync(fd)
    calls.append(fd)
    if len(calls) == hang_at:
        marker.write_text(str(hang_at))
        time.sleep(600)
os.fsync = fsync
from krefeld_data.cli import main
sys.exit(main(sys.argv[3:]))
"""

# Stores the same bytes as its siblings at an agreed moment; prints whether it created a snapshot.
SAVING_PROCESS = """
import sys, time
from krefeld_data.raw.provenance import Provenance
from krefeld_data.raw.store import RawStore
start = float(sys.argv[1])
content = b"year;value\\n2024;229500\\n"
record = Provenance(source="regio", table="TEST-0001", origin="test",
                    retrieved_at="2026-11-25T09:30:00+00:00")
while time.time() < start:
    pass
print(RawStore().save(content, record, "csv").created)
"""


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch):
    with ReplayServer(credentials=(USER, PASSWORD)) as srv:
        point_env_at(srv, monkeypatch, credentials={"regio": (USER, PASSWORD)})
        monkeypatch.setenv("TQDM_DISABLE", "1")
        yield srv
        assert srv.violations == []


def cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "krefeld_data.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen, timeout: float = 120) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != ".lock") if folder.is_dir() else []


def run_verify() -> tuple[int, str]:
    result = subprocess.run([sys.executable, "-m", "krefeld_data.cli", "verify"], capture_output=True,
                            text=True, timeout=120)
    return result.returncode, result.stdout + result.stderr


def wait_for(condition, timeout: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def table_dir() -> Path:
    return RawStore().table_dir("regio", CODE)


# ------------------------------------------------------------------------------- two fetches


def test_two_fetch_processes_with_the_same_bytes_store_one_snapshot(server: ReplayServer) -> None:
    server.add(REGIO + "data/tablefile", Reply(200, ZIP_A, "application/zip", delay=1.0), repeat=True)
    server.add(REGIO + "metadata/table", Reply.json(METADATA), repeat=True)
    processes = [cli("fetch", CODE, "--db", "regio") for _ in range(2)]
    results = [finish(p) for p in processes]
    assert [r[0] for r in results] == [0, 0], results
    # Both really downloaded at the same time (else this would test nothing).
    assert len(server.requests_to("data/tablefile")) == 2 and server.max_active >= 2
    states = sorted(r[1].strip().rsplit(": ", 1)[-1] for r in results)
    assert states == ["stored", "unchanged"]
    snapshots = RawStore().snapshots(CODE)
    assert len(snapshots) == 1
    assert snapshots[0].read_bytes() == ZIP_A
    assert files_in(table_dir()) == [snapshots[0].path.name, snapshots[0].sidecar.name]
    assert run_verify()[0] == 0


def test_two_fetch_processes_with_different_bytes_store_two_whole_snapshots(server: ReplayServer) -> None:
    server.add(REGIO + "data/tablefile", Reply(200, ZIP_A, "application/zip", delay=1.0),
               Reply(200, ZIP_B, "application/zip", delay=1.0))
    server.add(REGIO + "metadata/table", Reply.json(METADATA), repeat=True)
    processes = [cli("fetch", CODE, "--db", "regio") for _ in range(2)]
    results = [finish(p) for p in processes]
    assert [r[0] for r in results] == [0, 0], results
    assert server.max_active >= 2
    snapshots = RawStore().snapshots(CODE)
    assert sorted(s.read_bytes() for s in snapshots) == sorted([ZIP_A, ZIP_B])
    assert len({s.path.name for s in snapshots}) == 2
    assert len(files_in(table_dir())) == 4
    values = sorted(read_table(s)["value"].sum() for s in snapshots)
    assert values == [333.0, 334.0]
    assert run_verify()[0] == 0


def test_six_processes_storing_the_same_bytes_at_once_store_it_once(isolated_env: Path) -> None:
    start = time.time() + 2.0  # all six are running by then
    processes = [subprocess.Popen([sys.executable, "-c", SAVING_PROCESS, str(start)], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(6)]
    results = [finish(p) for p in processes]
    assert all(code == 0 for code, _, _ in results), results
    assert sorted(out.strip() for _, out, _ in results) == ["False"] * 5 + ["True"]
    snapshots = RawStore().snapshots("TEST-0001")
    assert len(snapshots) == 1 and snapshots[0].read_bytes() == b"year;value\n2024;229500\n"
    assert len(files_in(snapshots[0].path.parent)) == 2


# ------------------------------------------------------------------------------- kill -9

# fsync calls of one store write: data temp file, folder (data linked), record temp file,
# folder (record linked). What a kill right after each leaves behind, and what verify says.
KILL_POINTS = {
    1: ([".tmp-"], ["left over from an interrupted write"]),
    2: (["data"], ["no provenance record"]),
    3: (["data", ".tmp-"], ["no provenance record", "left over from an interrupted write"]),
    4: (["data", "record"], []),
}


@pytest.mark.parametrize("hang_at", sorted(KILL_POINTS))
def test_a_fetch_killed_during_the_write_leaves_no_partial_snapshot(
    server: ReplayServer, tmp_path: Path, hang_at: int
) -> None:
    server.add(REGIO + "data/tablefile", Reply(200, ZIP_A, "application/zip"), repeat=True)
    server.add(REGIO + "metadata/table", Reply.json(METADATA), repeat=True)
    marker = tmp_path / "hanging"
    process = subprocess.Popen(
        [sys.executable, "-c", HANGING_CLI, str(marker), str(hang_at), "fetch", CODE, "--db", "regio"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        wait_for(marker.exists, what=f"fsync call {hang_at}")
    finally:
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL

    left, complaints = KILL_POINTS[hang_at]
    names = files_in(table_dir())
    kinds = sorted(".tmp-" if n.startswith(".tmp-") else "record" if n.endswith(".json") else "data"
                   for n in names)
    assert kinds == sorted(left), names
    status, output = run_verify()
    problems = [line for line in output.splitlines() if line.startswith("PROBLEM")]
    assert len(problems) == len(complaints), output
    for complaint in complaints:
        assert any(complaint in line for line in problems), output
    assert status == (1 if complaints else 0)

    store = RawStore()
    if hang_at < 4:  # readers see no snapshot at all, never a partial one
        assert store.snapshots(CODE) == []
        assert store.latest(CODE) is None
    else:
        assert store.latest(CODE).read_bytes() == ZIP_A

    # The next fetch is not blocked by the dead process's lock and stores (or keeps) a whole snapshot.
    code, _, err = finish(cli("fetch", CODE, "--db", "regio"), timeout=60)
    assert code == 0, err
    snapshot = RawStore().latest(CODE)
    assert snapshot.read_bytes() == ZIP_A
    assert read_table(snapshot)["value"].sum() == 333.0


def test_a_fetch_killed_while_downloading_leaves_nothing(server: ReplayServer) -> None:
    server.add(REGIO + "data/tablefile", Reply(200, ZIP_A, "application/zip", delay=30), repeat=True)
    server.add(REGIO + "metadata/table", Reply.json(METADATA), repeat=True)
    process = cli("fetch", CODE, "--db", "regio")
    try:
        wait_for(lambda: server.requests_to("data/tablefile") and server.active >= 1, what="the download")
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.communicate(timeout=30)
    assert files_in(table_dir()) == []
    status, output = run_verify()
    assert status == 0 and "all intact" in output
