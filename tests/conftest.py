"""Shared fixtures: an isolated data folder per test, and the real samples when present."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import REAL_SAMPLES, missing


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data and report folders and no real credentials or config."""
    for name in list(os.environ):
        if name.startswith("KREFELD_DATA_") and name != "KREFELD_DATA_REAL_SAMPLES":
            monkeypatch.delenv(name)
    data = tmp_path / "data"
    monkeypatch.setenv("KREFELD_DATA_DIR", str(data))
    monkeypatch.setenv("KREFELD_DATA_REPORTS_DIR", str(tmp_path / "reports"))
    monkeypatch.setenv("KREFELD_DATA_CONFIG", str(tmp_path / "no-config.toml"))
    return data


@pytest.fixture
def real_samples() -> Path:
    """The folder of real public files; tests using it skip where it is absent (fail under CI)."""
    if not REAL_SAMPLES.is_dir():
        missing(f"real samples not found at {REAL_SAMPLES}")
    return REAL_SAMPLES


@pytest.fixture
def package_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A copy of the package's files that the fingerprint reads instead: edit it to change the code."""
    import shutil

    from krefeld_data.util import fingerprint

    copy = tmp_path / "package-copy"
    shutil.copytree(fingerprint.PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(fingerprint, "PACKAGE_DIR", copy)
    fingerprint.forget_package_fingerprint()
    yield copy
    fingerprint.forget_package_fingerprint()
