"""Every story for a city nobody named: Duisburg against two NRW cities, and München outside NRW.

The real samples are imported as a journalist would (``krefeld-data import``, with ``--db`` where
the file does not say its database), including cassette 05, which holds the protection seekers of
every Kreis. Then ``krefeld-data build --partial --city … --compare …`` runs every story notebook
for that city. Each page must name the city, state its figures (the population read from sample 02
with the ``csv`` module; the naturalisations read from sample 08 the same way) and keep no
"Krefeld" where the city belongs: only the column's verbatim quotes may name Krefeld.
Story 5 (Eurostat asylum applications) has no real sample: it is listed as not built.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from helpers import real_sample

from krefeld_data import cli, config
from krefeld_data.catalog import BUILTIN_STORIES

pytestmark = pytest.mark.slow

# (sample prefix, database when the file does not say it)
SAMPLES = (("02_", "regio"), ("04_", "regio"), ("05_", None), ("07_", "zensus"), ("08_", None),
           ("09_", None), ("10_", None), ("11_", None), ("39_", None))
CITY_STORIES = [s for s in BUILTIN_STORIES if s.slug != "05-debatte-und-zahlen"]
KREFELD = re.compile(r"\bKrefeld\b")
ABOUT_THE_COLUMN = re.compile(r"Kolumne|Dezernent")


def import_real_samples() -> None:
    for prefix, database in SAMPLES:
        path = real_sample(prefix)
        assert cli.main(["import", str(path), *(["--db", database] if database else [])]) == 0, path


def population_2024(key: str) -> int:
    """Both sexes on 31.12.2024 from sample 02, read with csv (the file's own total row)."""
    with real_sample("02_").open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            if (row["1_variable_attribute_code"] == key and row["2_variable_attribute_code"] == ""
                    and row["time"] == "2024-12-31"):
                return int(row["value"])
    raise AssertionError(f"no total for {key} in sample 02")


def naturalisations(key: str) -> tuple[str, int]:
    """The latest year and its total naturalisations for ``key`` from sample 08 (Latin-1 classic CSV)."""
    with real_sample("08_").open(encoding="latin-1", newline="") as handle:
        rows = [r for r in csv.reader(handle, delimiter=";") if len(r) > 3 and r[1] == key and r[0].isdigit()]
    latest = max(rows, key=lambda r: int(r[0]))
    return latest[0], int(latest[3])


def german(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def page_text(path: Path) -> tuple[str, str]:
    """(whole text, text outside the column's verbatim quotes), whitespace collapsed."""
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    whole = " ".join(soup.get_text(" ").split())
    for quote in soup.select(".kd-claim, blockquote"):
        quote.decompose()
    return whole, " ".join(soup.get_text(" ").split())


def build_for(city: str, compare: str, capsys) -> Path:
    import_real_samples()
    capsys.readouterr()
    status = cli.main(["build", "--partial", "--city", city, "--compare", compare])
    err = capsys.readouterr().err
    assert status == 0, err[-2000:]
    assert "not built: 05-debatte-und-zahlen (missing migr_asyappctza)" in err
    return config.reports_dir()


def check_pages(folder: Path, name: str, others: list[str]) -> dict[str, str]:
    texts = {}
    for story in CITY_STORIES:
        page = folder / f"{story.slug}.html"
        assert page.is_file(), f"{story.slug}: no page for {name}"
        whole, outside_quotes = page_text(page)
        assert name in whole, f"{story.slug}: the page does not name {name}"
        assert re.search(rf"{re.escape(name)}[^.]{{0,300}}\d", whole), f"{story.slug}: no figure for {name}"
        # Krefeld may be named where the text speaks of the column (its author's city), nowhere else.
        leftovers = [s for s in re.split(r"(?<=[.!?])\s+", outside_quotes)
                     if KREFELD.search(s) and not ABOUT_THE_COLUMN.search(s)]
        assert not leftovers, f"{story.slug}: 'Krefeld' where {name} belongs: {leftovers[:3]}"
        for other in others:
            assert other in whole, f"{story.slug}: comparison city {other} missing"
        texts[story.slug] = whole
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert f"{name} in Zahlen" in index
    return texts


def test_every_story_for_duisburg_against_two_nrw_cities(capsys) -> None:
    reports = build_for("Duisburg", "05113,05119", capsys)
    folder = reports / "duisburg"
    assert not (reports / "01-wer-lebt-in-der-stadt.html").exists()  # the default pages are elsewhere
    texts = check_pages(folder, "Duisburg", ["Essen", "Oberhausen"])

    population = population_2024("05112")
    assert population == 502_270  # the figure typed from sample 02, as a check of the oracle
    assert german(population) in texts["01-wer-lebt-in-der-stadt"]
    year, count = naturalisations("05112")
    assert (year, count) == ("2016", 978)  # typed from sample 08
    assert german(count) in texts["04-einbuergerungen"]


def test_every_story_for_a_city_outside_nrw(capsys) -> None:
    reports = build_for("München", "09564,09761", capsys)  # Nürnberg, Augsburg
    texts = check_pages(reports / "muenchen", "München", ["Nürnberg", "Augsburg"])
    assert german(population_2024("09162")) in texts["01-wer-lebt-in-der-stadt"]
    assert "Nordrhein-Westfalen" not in texts["03-jung-und-hier"]  # the context is Bayern now
    _, count = naturalisations("09162")
    assert german(count) in texts["04-einbuergerungen"]
