"""Every hash and cache key of the package in one place.

Raw snapshots are identified by the sha256 of their bytes; built datasets and pages by a key
over their inputs and over the *whole* package (code, reference data, templates). Hashing the
whole package is deliberately coarse: a hand-kept list of "code that shapes a dataset" was
once too narrow (a corrected ``regions.csv`` rewrote nothing) and too broad at once; a full
fingerprint is never wrong, and rebuilding is cheap next to publishing a stale figure.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

PACKAGE_DIR = Path(__file__).resolve().parents[1]
# What belongs to the package's behaviour: its code, reference tables and page templates.
# Sample files are data with their own sha256 in the raw store, so they are left out.
_PACKAGE_SUFFIXES = {".py", ".csv", ".j2", ".css", ".js", ".json", ".toml", ".yaml"}
_LEFT_OUT = {"__pycache__", "samples"}

_PACKAGE_FINGERPRINT: str | None = None


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> tuple[str, int]:
    """The sha256 and size of a file, read in blocks (a stored file can be gigabytes)."""
    with open(path, "rb") as handle:
        digest = hashlib.file_digest(handle, "sha256")
        size = handle.tell()
    return digest.hexdigest(), size


def key_of(value: Any) -> str:
    """A stable key for a JSON-serialisable value (dict keys sorted)."""
    return sha256_bytes(json.dumps(value, sort_keys=True, default=str).encode("utf-8"))


def package_files() -> list[Path]:
    """The files whose content shapes every dataset and page."""
    return sorted(
        path for path in PACKAGE_DIR.rglob("*")
        if path.is_file() and path.suffix in _PACKAGE_SUFFIXES
        and not _LEFT_OUT.intersection(path.relative_to(PACKAGE_DIR).parts)
    )


def package_fingerprint() -> str:
    """One hash over the package's code, reference data and templates (computed once a process)."""
    global _PACKAGE_FINGERPRINT
    if _PACKAGE_FINGERPRINT is None:
        digest = hashlib.sha256()
        for path in package_files():
            digest.update(str(path.relative_to(PACKAGE_DIR)).encode() + b"\0" + path.read_bytes() + b"\0")
        _PACKAGE_FINGERPRINT = digest.hexdigest()
    return _PACKAGE_FINGERPRINT


def forget_package_fingerprint() -> None:
    """Recompute the fingerprint at next use (a long-running process whose package was edited)."""
    global _PACKAGE_FINGERPRINT
    _PACKAGE_FINGERPRINT = None
