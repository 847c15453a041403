"""``krefeld-data verify`` finds one flipped byte in any stored file: data or provenance record.

The store holds every sample (flat files, a zip, classic CSV, JSON-stat). For each stored
file, a byte at its start, middle and end is flipped; verify must exit 1 and name the file.
Readers must refuse the changed snapshot too.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from krefeld_data import cli, read_table
from krefeld_data.errors import KrefeldDataError
from krefeld_data.raw.store import RawStore
from krefeld_data.samples import FILES_DIR, SAMPLE_FILES, install_samples

# (sample table, which file of the snapshot); every sample's data file and record.
TARGETS = [(s.table, part) for s in SAMPLE_FILES for part in ("data", "record")]
POSITIONS = ("start", "middle", "end")


def flip(path: Path, position: str) -> int:
    data = bytearray(path.read_bytes())
    at = {"start": 0, "middle": len(data) // 2, "end": len(data) - 2}[position]  # -2: not the final newline
    data[at] ^= 0x01
    path.write_bytes(bytes(data))
    return at


def verify_in_process(capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = cli.main(["verify"])
    captured = capsys.readouterr()
    return status, captured.out + captured.err


def test_an_intact_store_verifies(capsys) -> None:
    snapshots = install_samples()
    # the oracle: the sample files on disk, not the package's list of them
    on_disk = sorted(p.name for p in FILES_DIR.iterdir() if p.name.startswith("SAMPLE_"))
    assert sorted(s.provenance.original_filename for s in snapshots) == on_disk
    for snapshot in snapshots:
        assert snapshot.path.read_bytes() == (FILES_DIR / snapshot.provenance.original_filename).read_bytes()
    status, output = verify_in_process(capsys)
    assert status == 0, output
    assert f"{len(on_disk)} stored files checked" in output and "all intact" in output


@pytest.mark.parametrize("position", POSITIONS)
@pytest.mark.parametrize(("table", "part"), TARGETS, ids=[f"{t}-{p}" for t, p in TARGETS])
def test_verify_finds_a_flipped_byte(table: str, part: str, position: str, capsys) -> None:
    install_samples()
    snapshot = RawStore().latest(table)
    target = snapshot.path if part == "data" else snapshot.sidecar
    flip(target, position)
    status, output = verify_in_process(capsys)
    assert status == 1, output
    assert str(target) in output or str(snapshot.path) in output
    problems = [line for line in output.splitlines() if line.startswith("PROBLEM")]
    assert len(problems) == 1, problems  # the other snapshots are intact
    # Readers refuse it as well (a changed record means a changed source line or checksum).
    with pytest.raises(KrefeldDataError):
        read_table(RawStore().latest(table) if part == "data" else snapshot.path)


def test_verify_as_a_command_names_the_file_and_exits_1(isolated_env: Path) -> None:
    install_samples()
    snapshot = RawStore().latest("12411-01-01-4")
    flip(snapshot.path, "middle")
    result = subprocess.run([sys.executable, "-m", "krefeld_data.cli", "verify"], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 1
    assert f"PROBLEM {snapshot.path}" in result.stderr
    assert "1 problem(s)" in result.stdout and "Traceback" not in result.stderr
