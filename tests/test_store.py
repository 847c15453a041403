"""The raw snapshot store: atomic, immutable, checksummed."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from krefeld_data.errors import ChecksumMismatch, KrefeldDataError, StoreError
from krefeld_data.raw.provenance import Provenance, utc_now
from krefeld_data.raw.store import RawStore


def _prov(table: str = "12411-01-01-4", origin: str = "test", **extra) -> Provenance:
    return Provenance(source="regio", table=table, origin=origin,
                      retrieved_at=utc_now().isoformat(), **extra)


def test_save_writes_file_and_provenance(tmp_path: Path) -> None:
    store = RawStore(tmp_path / "raw")
    result = store.save(b"a;b\n1;2\n", _prov(query={"name": "12411-01-01-4"}), "csv")
    snap = result.snapshot
    assert result.created
    assert snap.path.parent == tmp_path / "raw" / "regio" / "12411-01-01-4"
    record = json.loads(snap.sidecar.read_text(encoding="utf-8"))
    # the oracle is hashlib on the bytes we handed in, not the store's own hashing
    assert record["sha256"] == hashlib.sha256(b"a;b\n1;2\n").hexdigest()
    assert record["origin"] == "test"
    assert record["size"] == 8
    assert snap.path.read_bytes() == b"a;b\n1;2\n"  # on disk byte for byte
    assert record["licence"] == "dl-de/by-2-0"
    assert "Regionaldatenbank Deutschland" in record["citation"]
    assert snap.read_bytes() == b"a;b\n1;2\n"


def test_credentials_never_reach_the_record(tmp_path: Path) -> None:
    store = RawStore(tmp_path / "raw")
    query = {"name": "x", "username": "CANARY-USER", "password": "CANARY-PW"}
    snap = store.save(b"1", _prov(query=query), "csv").snapshot
    assert "CANARY" not in snap.sidecar.read_text(encoding="utf-8")


def test_two_snapshots_kept_side_by_side(tmp_path: Path) -> None:
    store = RawStore(tmp_path / "raw")
    first = store.save(b"version 1", _prov(), "csv").snapshot
    second = store.save(b"version 2", _prov(), "csv").snapshot
    assert first.path != second.path
    assert first.read_bytes() == b"version 1"
    assert second.read_bytes() == b"version 2"
    assert [s.path for s in store.snapshots("12411-01-01-4")] == [first.path, second.path]
    assert store.latest("12411-01-01-4").path == second.path


def test_identical_bytes_are_stored_once(tmp_path: Path) -> None:
    store = RawStore(tmp_path / "raw")
    first = store.save(b"same", _prov(), "csv")
    again = store.save(b"same", _prov(), "csv")
    assert not again.created and again.snapshot.path == first.snapshot.path
    assert len(store.snapshots()) == 1


def test_checksum_mismatch_is_an_error_and_file_is_kept(tmp_path: Path) -> None:
    store = RawStore(tmp_path / "raw")
    snap = store.save(b"1;2;3\n", _prov(), "csv").snapshot
    data = bytearray(snap.path.read_bytes())
    data[2] ^= 0x01  # flip one bit
    snap.path.write_bytes(bytes(data))
    with pytest.raises(ChecksumMismatch, match="has changed since it was stored"):
        store.latest("12411-01-01-4").read_bytes()
    assert snap.path.exists()
    checked, problems = store.verify()
    assert checked == 1 and len(problems) == 1 and problems[0].path == snap.path


def test_unsafe_table_code_is_refused(tmp_path: Path) -> None:
    store = RawStore(tmp_path / "raw")
    with pytest.raises(StoreError, match="folder name"):
        store.save(b"x", _prov(table="../../etc"), "csv")
    assert not (tmp_path / "etc").exists()


def test_unknown_origin_is_refused() -> None:
    with pytest.raises(KrefeldDataError, match="unknown origin"):
        _prov(origin="made-up")


def test_crash_mid_write_leaves_no_visible_snapshot(tmp_path: Path) -> None:
    """A process killed while writing leaves no file under a snapshot name."""
    root = tmp_path / "raw"
    script = textwrap.dedent(f"""
        import os
        from krefeld_data.raw import store as store_mod
        from krefeld_data.raw.provenance import Provenance, utc_now
        real_fsync = os.fsync
        def die(fd):
            os._exit(9)  # the process dies after writing, before the rename into place
        store_mod.os.fsync = die
        prov = Provenance(source="regio", table="T-1", origin="test",
                          retrieved_at=utc_now().isoformat())
        store_mod.RawStore({str(root)!r}).save(b"x" * 100000, prov, "csv")
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert proc.returncode == 9
    store = RawStore(root)
    assert store.snapshots() == []
    names = [p.name for p in (root / "regio" / "T-1").iterdir() if p.name != ".lock"]
    assert names and all(n.startswith(".tmp-") for n in names)
    checked, problems = store.verify()
    assert checked == 0 and "interrupted write" in problems[0].message


def test_crash_between_data_and_record_is_ignored_by_readers(tmp_path: Path) -> None:
    store = RawStore(tmp_path / "raw")
    snap = store.save(b"data", _prov(), "csv").snapshot
    snap.sidecar.unlink()
    assert store.snapshots() == []
    _, problems = store.verify()
    assert "no provenance record" in problems[0].message


def test_concurrent_saves_of_same_bytes_store_one_snapshot(tmp_path: Path) -> None:
    root = tmp_path / "raw"
    script = textwrap.dedent(f"""
        from krefeld_data.raw.provenance import Provenance, utc_now
        from krefeld_data.raw.store import RawStore
        prov = Provenance(source="regio", table="T-2", origin="test",
                          retrieved_at=utc_now().isoformat())
        RawStore({str(root)!r}).save(b"y" * 2_000_000, prov, "csv")
    """)
    env = dict(os.environ)
    procs = [subprocess.Popen([sys.executable, "-c", script], env=env) for _ in range(4)]
    assert all(p.wait() == 0 for p in procs)
    assert len(RawStore(root).snapshots("T-2")) == 1


def test_the_snapshot_time_is_read_from_its_file_name(tmp_path: Path) -> None:
    store = RawStore(tmp_path / "raw")
    snap = store.save(b"1", _prov(), "csv").snapshot
    stem = snap.path.name.split(".")[0] + "." + snap.path.name.split(".")[1]  # 20261201T184501.123456Z
    assert snap.timestamp.strftime("%Y%m%dT%H%M%S.%fZ") == stem
    assert snap.path.name == f"{stem}.csv"


def test_a_file_not_named_like_a_snapshot_has_no_time(tmp_path: Path) -> None:
    from krefeld_data.raw.store import Snapshot

    stray = Snapshot(tmp_path / "notes.csv", _prov())
    with pytest.raises(StoreError, match=r"notes\.csv is not named like a snapshot"):
        _ = stray.timestamp


def test_a_record_whose_checksum_was_edited_is_refused(tmp_path: Path) -> None:
    """Editing a recorded checksum to match changed data is caught by the record's own digest."""
    store = RawStore(tmp_path / "raw")
    snap = store.save(b"1;2;3\n", _prov(), "csv").snapshot
    snap.path.write_bytes(b"9;9;9\n")
    record = json.loads(snap.sidecar.read_text(encoding="utf-8"))
    record["sha256"] = hashlib.sha256(b"9;9;9\n").hexdigest()
    snap.sidecar.write_text(json.dumps(record), encoding="utf-8")
    checked, problems = store.verify()
    assert checked == 1 and len(problems) == 1, problems
    assert problems[0].path == snap.path


@pytest.mark.parametrize(("change", "problem"), [
    ({"retrieved_at": "gestern", "citation": ""}, "is damaged"),
    ({"origin": "made-up"}, "unknown origin"),
    ({"extra": 1}, "unexpected keys"),
])
def test_a_damaged_record_is_a_store_error_naming_the_file(tmp_path: Path, change: dict,
                                                            problem: str) -> None:
    store = RawStore(tmp_path / "raw")
    snap = store.save(b"1;2\n", _prov(), "csv").snapshot
    record = json.loads(snap.sidecar.read_text(encoding="utf-8"))
    record.update(change)
    record["record_sha256"] = ""  # as in records written before the record's own checksum existed
    snap.sidecar.write_text(json.dumps(record), encoding="utf-8")
    checked, problems = store.verify()
    assert checked == 1 and len(problems) == 1
    assert str(snap.sidecar) in problems[0].message and problem in problems[0].message
    with pytest.raises(StoreError, match=problem):
        store.snapshots()
