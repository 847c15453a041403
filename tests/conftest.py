"""Shared fixtures: an isolated data folder per test, and the real samples when present."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
REAL_SAMPLES = Path(
    os.environ.get("KREFELD_DATA_REAL_SAMPLES", PROJECT_ROOT.parent / "shared" / "real-samples")
)


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
    """The folder of real public files; tests using it skip where it is absent."""
    if not REAL_SAMPLES.is_dir():
        pytest.skip(f"real samples not found at {REAL_SAMPLES}")
    return REAL_SAMPLES


def real_sample(name_prefix: str) -> Path:
    """One real sample by its number prefix (e.g. '02_'); skips when absent."""
    if not REAL_SAMPLES.is_dir():
        pytest.skip(f"real samples not found at {REAL_SAMPLES}")
    matches = sorted(REAL_SAMPLES.glob(f"{name_prefix}*"))
    if not matches:
        pytest.skip(f"real sample {name_prefix}* not found")
    return matches[0]
