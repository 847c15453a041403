"""What every benchmark shares: a result row, best-of timing, child-process peak memory, the machine.

Ratios are taken between numbers measured in the same run on the same machine, so they
survive a slower or busier machine far better than absolute times do.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
REAL_SAMPLES = Path(
    os.environ.get("KREFELD_DATA_REAL_SAMPLES", PROJECT_ROOT.parent / "shared" / "real-samples")
)
MB = 1024 * 1024


@dataclass
class Row:
    """One line of the results table. ``passed`` is None where there is no target (information only)."""

    name: str
    baseline: str
    ours: str
    ratio: float | None
    target: str
    passed: bool | None
    note: str = ""

    @property
    def verdict(self) -> str:
        return {True: "pass", False: "FAIL", None: "info"}[self.passed]


@dataclass
class Skipped:
    """A benchmark that could not run here, with the reason (e.g. the real samples are absent)."""

    name: str
    reason: str


def best_of(fn: Callable[[], Any], repeat: int) -> float:
    """The shortest of ``repeat`` wall-clock runs: the least disturbed by other work on the machine."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def seconds(value: float) -> str:
    return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"


def megabytes(value: float) -> str:
    return f"{value / MB:,.0f} MB" if value >= 10 * MB else f"{value / MB:.1f} MB"


# ---------------------------------------------------------------- peak memory of a child process

CHILD_IMPORTS = (
    "import pandas, pyarrow, pyarrow.csv, pyarrow.compute, krefeld_data, "
    "krefeld_data.parse, krefeld_data.parse.ffcsv, krefeld_data.parse.sniff"
)


# The launcher is a small fresh interpreter: Linux counts the memory a process had before
# exec (its fork of the parent) in ru_maxrss, so children forked straight from this
# benchmark (hundreds of MB by then) would all report at least the benchmark's own peak.
_LAUNCHER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:]).returncode\n"
    "sys.stdout.flush()\n"
    "print('maxrss-kb', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code, flush=True)\n"
)
_REPORT_HWM = (
    "\nimport re as _re\n"
    "_status = open('/proc/self/status').read()\n"
    "print('vmhwm-kb', _re.search(r'VmHWM:\\s+(\\d+)', _status).group(1), flush=True)"
)


def child_peak_rss(code: str) -> tuple[int, str]:
    """Peak resident memory (bytes) and stdout of a fresh interpreter running ``CHILD_IMPORTS`` + ``code``.

    A small launcher runs the child and reads ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` after
    it exited. The child also reports its own ``VmHWM`` (peak of its address space after
    exec); the two must agree within 10 %, else the measurement is reported as broken.
    """
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    child = [sys.executable, "-c", f"{CHILD_IMPORTS}\n{code}{_REPORT_HWM}"]
    done = subprocess.run([sys.executable, "-c", _LAUNCHER, *child], env=env, capture_output=True, text=True)
    lines = done.stdout.strip().splitlines()
    last = lines[-1].split() if lines else []
    if done.returncode != 0 or len(last) != 3 or last[0] != "maxrss-kb" or last[2] != "0":
        raise RuntimeError(f"benchmark child failed: {done.stderr[-800:]}")
    maxrss = int(last[1]) * 1024  # kilobytes on Linux
    hwm = int(next(line.split()[1] for line in lines if line.startswith("vmhwm-kb"))) * 1024
    if abs(maxrss - hwm) > 0.1 * hwm:
        raise RuntimeError(f"peak memory disagrees: ru_maxrss {maxrss} vs VmHWM {hwm} bytes")
    stdout = "\n".join(line for line in lines if not line.startswith(("maxrss-kb", "vmhwm-kb")))
    return maxrss, stdout


def idle_rss() -> int:
    """The same interpreter with the same imports doing nothing: subtracted from every peak."""
    return min(child_peak_rss("pass")[0] for _ in range(3))


# ---------------------------------------------------------------- the machine

def _run(*command: str) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def machine() -> dict[str, str]:
    """Where the numbers were taken: CPU, cores, memory, versions."""
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for package in ("krefeld-data", "pandas", "pyarrow", "numpy", "nbclient", "requests"):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = "-"
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cpu": cpu_model(),
        "nproc": _run("nproc"),
        "memory": _run("free", "-h"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": ", ".join(f"{k} {v}" for k, v in versions.items()),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }
