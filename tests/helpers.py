"""Helpers the tests share (imported as ``from helpers import …``; never from another test file)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = PROJECT_ROOT / "notebooks"
REAL_SAMPLES = Path(
    os.environ.get("KREFELD_DATA_REAL_SAMPLES", PROJECT_ROOT.parent / "shared" / "real-samples")
)


def missing(what: str) -> None:
    """Skip a test whose material is absent; under CI (``CI=true``) that is a failure instead.

    CI runs with ../shared beside the checkout and installs chromium, so anything missing
    there means the run proves less than it claims: it must fail, naming what is missing.
    """
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {what}", pytrace=False)
    pytest.skip(what)


def real_sample(name_prefix: str) -> Path:
    """One real sample by its number prefix (e.g. '02_'); skips when absent (fails under CI)."""
    if not REAL_SAMPLES.is_dir():
        missing(f"real samples not found at {REAL_SAMPLES}")
    matches = sorted(REAL_SAMPLES.glob(f"{name_prefix}*"))
    if not matches:
        missing(f"real sample {name_prefix}* not found in {REAL_SAMPLES}")
    return matches[0]


def chromium() -> str:
    """Debian's chromium; a test without it skips (fails under CI, which installs it)."""
    path = shutil.which("chromium")
    if path is None:
        missing("Debian's chromium is not installed (apt-get install chromium)")
    return path


def run_notebook(name: str, parameters: str | None = None) -> tuple[str, str]:
    """Execute a story notebook; returns (markdown text it printed, all other outputs as text)."""
    import jupytext
    from nbclient import NotebookClient

    nb = jupytext.read(NOTEBOOKS / name)
    assert "parameters" in nb.cells[0].metadata.get("tags", [])
    if parameters is not None:
        nb.cells[0].source = parameters
    NotebookClient(nb, kernel_name="python3", timeout=300,
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    markdown, other = [], []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text/markdown" in data:
                markdown.append(data["text/markdown"])
            other.append(json.dumps(data, ensure_ascii=False))
    return "\n".join(markdown), "\n".join(other)


def samples_with_datasets(names: list[str]) -> None:
    """Install the sample data and write ``names``; each must be written (the reasons if not)."""
    from krefeld_data.datasets.registry import build_datasets
    from krefeld_data.raw.store import RawStore
    from krefeld_data.samples import install_samples

    install_samples(RawStore())
    result = build_datasets(names)
    assert result.written == list(names), [r.reason for r in result.results]
