"""The wheel, installed into a fresh venv, runs ``krefeld-data demo`` in the journalist's folder.

Why: an editable install hides two failures a real install has — files the wheel does not
ship (notebooks, templates, reference data) and paths computed from the package's own
location (data landing inside site-packages). This test builds the wheel from a copy of the
project, installs it with ``--no-deps`` into a new venv that borrows the project venv's
dependencies through a ``.pth`` line (no network for dependencies), and runs the demo there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from helpers import PROJECT_ROOT

pytestmark = pytest.mark.slow

# What a wheel is built from (a copy: building in the checkout would write build/ and
# *.egg-info beside the work of others, and the copy holds still while we build).
SOURCES = ("pyproject.toml", "README.md", "src", "notebooks")


def files_under(folder: Path) -> set[Path]:
    """Every file below ``folder``, byte-code caches left out (Python writes those anywhere)."""
    return {p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


def build_wheel(tmp: Path) -> Path:
    source = tmp / "source"
    source.mkdir()
    for name in SOURCES:
        origin = PROJECT_ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns(
                "__pycache__", "*.egg-info", ".ipynb_checkpoints"))
        else:
            shutil.copy2(origin, source / name)
    wheels = tmp / "wheels"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels), str(source)],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (wheel,) = wheels.glob("krefeld_data-*.whl")
    return wheel


def test_the_wheel_holds_every_file_of_the_package_and_the_story_notebooks(tmp_path: Path) -> None:
    """The oracle is the source tree: a template or reference table left out breaks only the wheel."""
    import zipfile

    wheel = build_wheel(tmp_path)
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    package = tmp_path / "source" / "src"
    expected = {str(p.relative_to(package)) for p in files_under(package / "krefeld_data")}
    assert expected - names == set()
    shipped = {n.rsplit("/", 1)[-1] for n in names if "/data/share/krefeld-data/notebooks/" in n}
    # every notebook and the facts modules beside them (a story notebook imports its own)
    notebooks = tmp_path / "source" / "notebooks"
    assert shipped == {p.name for p in notebooks.iterdir() if p.is_file() and p.suffix in (".py", ".ipynb")}
    assert any(name.startswith("01_") for name in shipped)


def fresh_venv(tmp: Path, wheel: Path) -> tuple[Path, Path]:
    """A new venv holding only the wheel; the project venv's site-packages is on its path after it."""
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               capture_output=True, text=True, check=True).stdout.strip())
    # A plain path line: the project venv's own .pth files (its editable krefeld_data) are not run.
    (site / "borrowed-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
         "--quiet", str(wheel)],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return venv, site


def clean_env(tmp: Path, venv: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("KREFELD_DATA_", "PYTHON", "VIRTUAL_ENV", "JUPYTER"))}
    env.update(
        PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        KREFELD_DATA_CONFIG=str(tmp / "no-config.toml"),
        JUPYTER_RUNTIME_DIR=str(tmp / "jupyter-runtime"),
        # The borrowed dependencies' data files (nbconvert's templates, kernelspecs) lie under
        # the project venv's share/jupyter, where a real install would have put them in the venv.
        JUPYTER_PATH=str(Path(sys.prefix) / "share" / "jupyter"),
        TQDM_DISABLE="1",
    )
    return env


def test_the_wheel_runs_the_demo_in_a_fresh_folder_and_writes_nothing_into_the_venv(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path)
    venv, site = fresh_venv(tmp_path, wheel)
    env = clean_env(tmp_path, venv)
    python = venv / "bin" / "python"

    where = subprocess.run(
        [str(python), "-c", "import krefeld_data, sys; print(krefeld_data.__file__); "
                            "print(sorted(m for m in sys.modules if m.startswith('__editable__')))"],
        capture_output=True, text=True, env=env, cwd=tmp_path, check=True,
    ).stdout.splitlines()
    assert Path(where[0]).is_relative_to(site), f"krefeld_data came from {where[0]}, not the wheel"
    assert where[1] == "[]", "the project's editable install leaked into the fresh venv"

    folder = tmp_path / "newsroom"
    folder.mkdir()
    venv_before = files_under(venv)
    done = subprocess.run(
        [str(venv / "bin" / "krefeld-data"), "demo"],
        capture_output=True, text=True, env=env, cwd=folder, timeout=900,
    )
    assert done.returncode == 0, (done.stdout[-1500:], done.stderr[-3000:])

    # The pages and the sample data are in the folder the command ran in.
    pages = folder / "reports" / "demo"
    index = pages / "index.html"
    assert index.is_file(), done.stdout[-1500:]
    story_pages = sorted(p.name for p in pages.glob("0[1-9]-*.html"))
    shipped = sorted(p.name for p in (venv / "share" / "krefeld-data" / "notebooks").glob("[0-9][0-9]_*.py"))
    assert len(shipped) == 5, shipped  # the wheel carries the five story notebooks
    assert len(story_pages) == len(shipped), story_pages
    soup = BeautifulSoup(index.read_text(encoding="utf-8"), "html.parser")
    linked = {a["href"] for a in soup.find_all("a", href=True)}
    assert set(story_pages) <= linked, (story_pages, sorted(linked))
    assert "Beispieldaten" in soup.get_text()  # the demo says its numbers are not real
    raw = folder / "build" / "demo" / "data" / "raw"
    assert any(raw.rglob("*.json")), "the sample snapshots are not in the project folder"

    # Nothing was written inside the venv (site-packages included).
    assert files_under(venv) == venv_before, sorted(map(str, files_under(venv) - venv_before))[:10]
    assert str(site) not in done.stdout
