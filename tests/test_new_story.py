"""``krefeld-data new-story``: a journalist's new story builds at once from a stored real table.

Real sample 38 (Regionaldatenbank 12411-02-03-4, population by age group, NRW Kreise, classic
CSV in Latin-1) is imported as a journalist would; the page must state Krefeld's population on
31.12.2023, which the test reads from the file itself with the ``csv`` module.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from helpers import PROJECT_ROOT, real_sample

from krefeld_data import cli, config

pytestmark = pytest.mark.slow
TABLE = "12411-02-03-4"


def krefeld_total_2023(path: Path) -> str:
    """Krefeld, all ages, both sexes on 31.12.2023, as printed in the file (the oracle)."""
    with path.open(encoding="latin-1", newline="") as handle:
        for row in csv.reader(handle, delimiter=";"):
            if len(row) >= 5 and row[0] == "31.12.2023" and row[1] == "05114" and row[3] == "Insgesamt":
                return row[4]
    raise AssertionError("Krefeld's total is not in sample 38")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "project"
    (folder / "notebooks").mkdir(parents=True)
    monkeypatch.chdir(folder)
    return folder


def german(digits: str) -> str:
    return f"{int(digits):,}".replace(",", ".")


def test_new_story_from_a_real_table_builds_its_page_at_once(project, capsys) -> None:
    sample = real_sample("38_")
    assert cli.main(["import", str(sample)]) == 0
    assert cli.main(["new-story", "altersgruppen", "--table", TABLE]) == 0
    out = capsys.readouterr().out

    # The files, in the project folder (nothing inside the package).
    notebook = project / "notebooks" / "06_altersgruppen.py"
    twin = notebook.with_suffix(".ipynb")
    facts = project / "notebooks" / "altersgruppen_facts.py"
    test = project / "tests" / "test_story_altersgruppen.py"
    for path in (notebook, twin, facts, test, project / "stories.toml"):
        assert path.is_file(), path
    assert "written: notebooks/06_altersgruppen.py" in out
    cells = json.loads(twin.read_text(encoding="utf-8"))["cells"]
    assert cells[0]["metadata"]["tags"] == ["parameters"]
    assert all(not c.get("outputs") for c in cells if c["cell_type"] == "code")
    assert "datasets.load(" in notebook.read_text(encoding="utf-8")
    assert "RawStore" not in notebook.read_text(encoding="utf-8")

    # The page: a chart with its generated source line, the methodology box, Krefeld's figure.
    page = config.reports_dir() / "06-altersgruppen.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    caption = soup.select_one("figure figcaption").get_text(" ")
    assert f"Tabelle {TABLE}" in caption and "dl-de/by-2-0" in caption
    assert soup.select_one("section.kd-method") is not None
    text = " ".join(soup.get_text(" ").split())
    figure = german(krefeld_total_2023(sample))
    assert figure == "230.393"  # typed from the file as a second check of the oracle
    assert f"Krefeld, 31.12.2023: {figure}" in text
    assert (config.processed_dir() / "altersgruppen.parquet").is_file()

    # The catalogue entry reaches the other commands; the generated test passes; lint is clean.
    sources = subprocess.run([sys.executable, "-m", "krefeld_data.cli", "sources"], capture_output=True,
                             text=True, cwd=project, check=True).stdout
    assert "06-altersgruppen" in sources and TABLE in sources
    generated = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test)],
                               capture_output=True, text=True, cwd=project)
    assert generated.returncode == 0, generated.stdout[-1500:]
    assert "2 passed" in generated.stdout
    lint = subprocess.run(
        [str(Path(sys.executable).parent / "ruff"), "check", "--config", str(PROJECT_ROOT / "pyproject.toml"),
         "--config", "lint.isort.known-first-party = ['krefeld_data']", str(notebook), str(facts), str(test)],
        capture_output=True, text=True,
    )
    assert lint.returncode == 0, lint.stdout[-1500:]

    # Once more with the same name: refused, nothing overwritten.
    before = notebook.read_bytes()
    assert cli.main(["new-story", "altersgruppen", "--table", TABLE, "--no-build"]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "exists already" in err
    assert notebook.read_bytes() == before


def test_new_story_for_a_table_not_stored_says_how_to_get_it(project, capsys) -> None:
    assert cli.main(["new-story", "arbeitsmarkt", "--table", "13111-01-03-4", "--db", "regio"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "13111-01-03-4 is not in the raw store" in err
    assert "krefeld-data fetch 13111-01-03-4 --db regio" in err
    assert not (project / "stories.toml").exists()
    assert not list((project / "notebooks").iterdir())


def test_new_story_rejects_a_name_that_is_no_file_name(project, capsys) -> None:
    assert cli.main(["new-story", "Arbeit Markt", "--table", TABLE]) == 1
    assert "lower-case letters" in capsys.readouterr().err
