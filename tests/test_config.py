"""Where data, pages and notebooks go: the project folder follows the current directory, not the install.

The oracle is the folder layout the test makes on disk: which folder holds a
``pyproject.toml`` naming krefeld-data, or a ``notebooks/`` folder with story notebooks.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from krefeld_data import config


@pytest.fixture
def no_dirs_set(monkeypatch: pytest.MonkeyPatch) -> None:
    """Undo the conftest's KREFELD_DATA_DIR / _REPORTS_DIR, so the defaults are tested."""
    monkeypatch.delenv(config.DATA_DIR_ENV, raising=False)
    monkeypatch.delenv(config.REPORTS_DIR_ENV, raising=False)


def test_a_folder_with_our_pyproject_is_the_project_from_any_subfolder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_dirs_set: None) -> None:
    project = tmp_path / "checkout"
    (project / "docs" / "deep").mkdir(parents=True)
    (project / "pyproject.toml").write_text('[project]\nname = "Krefeld_Data"\n', encoding="utf-8")
    monkeypatch.chdir(project / "docs" / "deep")
    assert config.project_dir() == project
    assert config.data_dir() == project / "data"
    assert config.raw_dir() == project / "data" / "raw"
    assert config.processed_dir() == project / "data" / "processed"
    assert config.reports_dir() == project / "reports"
    assert project == config.PROJECT_ROOT  # the older name follows the same rule


def test_another_projects_pyproject_does_not_count(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_dirs_set: None) -> None:
    outer = tmp_path / "outer"
    inner = outer / "someone-elses"
    inner.mkdir(parents=True)
    (inner / "pyproject.toml").write_text('[project]\nname = "pandas"\n', encoding="utf-8")
    (outer / "pyproject.toml").write_text("this is [not toml", encoding="utf-8")
    monkeypatch.chdir(inner)
    assert config.project_dir() == inner  # no project above: the current directory
    assert config.data_dir() == inner / "data"


def test_a_folder_with_story_notebooks_is_a_project(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_dirs_set: None) -> None:
    newsroom = tmp_path / "newsroom"
    (newsroom / "notebooks").mkdir(parents=True)
    (newsroom / "notebooks" / "07_mieten.py").write_text("# %%\n", encoding="utf-8")
    (newsroom / "texte").mkdir()
    monkeypatch.chdir(newsroom / "texte")
    assert config.project_dir() == newsroom
    assert config.notebooks_dir() == newsroom / "notebooks"
    assert config.reports_dir() == newsroom / "reports"


def test_an_empty_notebooks_folder_is_not_a_project(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_dirs_set: None) -> None:
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "scratch.py").write_text("# %%\n", encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert config.project_dir() == work


def test_the_environment_wins_over_the_project_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "krefeld-data"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(config.DATA_DIR_ENV, str(tmp_path / "elsewhere" / "d"))
    monkeypatch.setenv(config.REPORTS_DIR_ENV, str(tmp_path / "elsewhere" / "r"))
    assert config.data_dir() == tmp_path / "elsewhere" / "d"
    assert config.reports_dir() == tmp_path / "elsewhere" / "r"


def test_outside_a_project_the_notebooks_come_from_the_installed_copy(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_dirs_set: None) -> None:
    # A wheel installs the notebooks under <prefix>/share/krefeld-data/notebooks (pyproject's data-files).
    prefix = tmp_path / "venv"
    shipped = prefix / "share" / "krefeld-data" / "notebooks"
    shipped.mkdir(parents=True)
    (shipped / "01_wer_lebt_in_der_stadt.py").write_text("# %%\n", encoding="utf-8")
    monkeypatch.setattr("sys.prefix", str(prefix))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert config.notebooks_dir() == shipped
    assert config.data_dir() == work / "data"  # the data still goes to the current folder
    # a project's own notebooks win over the installed copy
    (work / "notebooks").mkdir()
    (work / "notebooks" / "01_wer_lebt_in_der_stadt.py").write_text("# %%\n", encoding="utf-8")
    assert config.notebooks_dir() == work / "notebooks"


def test_the_checkout_is_found_from_the_project_itself() -> None:
    # pytest runs in the checkout: its pyproject.toml names the package.
    here = Path(__file__).resolve().parents[1]
    assert (here / "pyproject.toml").is_file()
    assert config.project_dir(here / "tests") == here
    assert config.project_dir(here / "src" / "krefeld_data") == here


def test_an_editable_install_run_from_another_folder_finds_the_checkouts_notebooks(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_dirs_set: None) -> None:
    # make install is editable: nothing is shipped under sys.prefix, the checkout holds the notebooks.
    monkeypatch.setattr("sys.prefix", str(tmp_path / "empty-venv"))
    work = tmp_path / "elsewhere"
    work.mkdir()
    monkeypatch.chdir(work)
    checkout = Path(__file__).resolve().parents[1]
    assert config.notebooks_dir() == checkout / "notebooks"
    assert config.data_dir() == work / "data"  # data and pages still go where the journalist is
