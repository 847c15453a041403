"""The raw snapshot store: immutable files with a provenance record beside each.

Layout: ``<raw>/<source>/<table>/<UTC timestamp>.<ext>`` plus ``<same>.json``.

Guarantees, each tested:
- a write is atomic: the file appears whole under its final name or not at all
  (written to a hidden temporary file, fsynced, then hard-linked into place);
- an existing snapshot is never overwritten (``os.link`` fails on an existing name);
- a snapshot counts only once its provenance record exists, so a crash between the
  two writes leaves an orphan that readers ignore and ``verify`` reports;
- identical bytes for the same table are stored once (under a per-table file lock,
  so two processes fetching at once do not both store them);
- reading checks the sha256 and raises :class:`ChecksumMismatch` on any change.
"""

from __future__ import annotations

import contextlib
import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from filelock import FileLock

from krefeld_data import config
from krefeld_data.errors import ChecksumMismatch, StoreError
from krefeld_data.raw.provenance import Provenance, utc_now
from krefeld_data.util.fingerprint import sha256_bytes, sha256_file

TIMESTAMP_FORMAT = "%Y%m%dT%H%M%S.%fZ"
_DATA_NAME = re.compile(r"^(\d{8}T\d{6}\.\d{6}Z)\.([a-z0-9]+)$")
_SAFE_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")
SIDECAR_SUFFIX = ".json"


HASH_BLOCK = 1 << 20  # a file is hashed in blocks of this size, never read whole


sha256_of = sha256_bytes
sha256_of_file = sha256_file


def _safe_part(value: str, what: str) -> str:
    """Table codes and source keys become folder names: refuse anything path-like."""
    if not _SAFE_PART.match(value) or ".." in value:
        raise StoreError(f"{what} {value!r} cannot be used as a folder name in the raw store")
    return value


@dataclass(frozen=True)
class Snapshot:
    """One stored file and its provenance."""

    path: Path
    provenance: Provenance

    @property
    def sidecar(self) -> Path:
        return self.path.with_name(self.path.name + SIDECAR_SUFFIX)

    @property
    def timestamp(self) -> datetime:
        match = _DATA_NAME.match(self.path.name)
        if match is None:
            raise StoreError(f"{self.path} is not named like a snapshot (<UTC timestamp>.<ext>)")
        return datetime.strptime(match.group(1), TIMESTAMP_FORMAT)

    def read_bytes(self) -> bytes:
        """The stored bytes, after checking them against the recorded sha256."""
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            raise StoreError(f"cannot read snapshot {self.path}: {exc.strerror}") from None
        self._check(sha256_of(data), len(data))
        return data

    def verify(self) -> None:
        """Check the stored file against the recorded sha256 without holding it in memory.

        For readers that then stream the file from :attr:`path` (a large flat file).
        """
        try:
            actual, size = sha256_of_file(self.path)
        except OSError as exc:
            raise StoreError(f"cannot read snapshot {self.path}: {exc.strerror}") from None
        self._check(actual, size)

    def _check(self, actual: str, size: int) -> None:
        if actual != self.provenance.sha256 or size != self.provenance.size:
            raise ChecksumMismatch(
                f"{self.path} has changed since it was stored (sha256 {actual[:12]}…, "
                f"recorded {self.provenance.sha256[:12]}…). The file is left in place for "
                f"inspection; fetch or import the table again to get a good copy."
            )


@dataclass(frozen=True)
class SaveResult:
    snapshot: Snapshot
    created: bool  # False when identical bytes were already stored for this table


@dataclass(frozen=True)
class Problem:
    path: Path
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform can open a folder
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_new_file(final: Path, content: bytes) -> None:
    """Write ``content`` under ``final`` atomically; fail if ``final`` exists."""
    tmp = final.with_name(f".tmp-{uuid.uuid4().hex}-{final.name}")
    try:
        with open(tmp, "xb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.link(tmp, final)  # atomic, and refuses to replace an existing file
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    _fsync_dir(final.parent)


class RawStore:
    """Snapshots under one root folder (default: ``<data dir>/raw``)."""

    def __init__(self, root: Path | str | None = None) -> None:
        self.root = Path(root) if root is not None else config.raw_dir()

    def table_dir(self, source: str, table: str) -> Path:
        return self.root / _safe_part(source, "source") / _safe_part(table, "table code")

    def save(self, content: bytes, provenance: Provenance, ext: str) -> SaveResult:
        """Store ``content`` as a new snapshot unless the latest one has the same bytes."""
        ext = ext.lower().lstrip(".")
        if not re.fullmatch(r"[a-z0-9]+", ext):
            raise StoreError(f"file extension {ext!r} is not allowed in the raw store")
        folder = self.table_dir(provenance.source, provenance.table)
        folder.mkdir(parents=True, exist_ok=True)
        digest = sha256_of(content)
        with FileLock(str(folder / ".lock"), timeout=600):
            for existing in reversed(self._snapshots_in(folder)):
                if existing.provenance.sha256 == digest and (
                    existing.provenance.origin == provenance.origin
                ):
                    return SaveResult(existing, created=False)
            provenance.sha256 = digest
            provenance.size = len(content)
            provenance.package_version = _package_version()
            while True:
                name = f"{utc_now().strftime(TIMESTAMP_FORMAT)}.{ext}"
                path = folder / name
                provenance.file = name
                try:
                    _write_new_file(path, content)
                    break
                except FileExistsError:
                    continue  # same microsecond as another snapshot: take the next one
            sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
            provenance.record_sha256 = provenance.record_digest()
            _write_new_file(sidecar, provenance.to_json().encode("utf-8"))
        return SaveResult(Snapshot(path, provenance), created=True)

    def _snapshots_in(self, folder: Path) -> list[Snapshot]:
        found = []
        if not folder.is_dir():
            return found
        for path in sorted(folder.iterdir()):
            if not _DATA_NAME.match(path.name):
                continue
            sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
            if not sidecar.is_file():
                continue  # incomplete write: ignored here, reported by verify()
            prov = Provenance.read(sidecar)
            found.append(Snapshot(path, prov))
        return found

    def _table_dirs(self, source: str | None = None, table: str | None = None) -> Iterator[Path]:
        if not self.root.is_dir():
            return
        sources = [self.root / source] if source else sorted(self.root.iterdir())
        for src in sources:
            if not src.is_dir() or src.name.startswith("."):
                continue
            tables = [src / table] if table else sorted(src.iterdir())
            for tdir in tables:
                if tdir.is_dir() and not tdir.name.startswith("."):
                    yield tdir

    def snapshots(self, table: str | None = None, source: str | None = None) -> list[Snapshot]:
        """All complete snapshots, oldest first (by retrieval time)."""
        found = [s for d in self._table_dirs(source, table) for s in self._snapshots_in(d)]
        return sorted(found, key=lambda s: (s.provenance.retrieved_at, s.path.name))

    def latest(
        self, table: str, source: str | None = None, *, origins: tuple[str, ...] | None = None
    ) -> Snapshot | None:
        """The newest snapshot of ``table`` (from any source unless one is named)."""
        candidates = [
            s
            for s in self.snapshots(table, source)
            if origins is None or s.provenance.origin in origins
        ]
        return candidates[-1] if candidates else None

    def verify(self) -> tuple[int, list[Problem]]:
        """Check every stored file against its record; returns (files checked, problems)."""
        checked, problems = 0, []
        for tdir in self._table_dirs():
            for path in sorted(tdir.iterdir()):
                name = path.name
                if name == ".lock":
                    continue
                if name.startswith(".tmp-"):
                    problems.append(Problem(path, "left over from an interrupted write"))
                    continue
                if name.endswith(SIDECAR_SUFFIX) and _DATA_NAME.match(name[: -len(SIDECAR_SUFFIX)]):
                    if not path.with_name(name[: -len(SIDECAR_SUFFIX)]).exists():
                        problems.append(Problem(path, "provenance record without its data file"))
                    continue
                if not _DATA_NAME.match(name):
                    problems.append(Problem(path, "not a snapshot (unexpected file in the store)"))
                    continue
                sidecar = path.with_name(name + SIDECAR_SUFFIX)
                if not sidecar.is_file():
                    problems.append(Problem(path, "no provenance record (interrupted write?)"))
                    continue
                checked += 1
                try:
                    prov = Provenance.read(sidecar)
                    Snapshot(path, prov).verify()
                except StoreError as exc:
                    problems.append(Problem(path, str(exc)))
        return checked, problems


def _package_version() -> str:
    from krefeld_data import __version__

    return __version__
