"""Story 1 for a newcomer without an account: the keyless Landesdatenbank NRW table 12521-03i
(foreigners in the central register, real sample 37) stands in for the account-only tables.

Oracle: sample 37 read with the csv module (ISO-8859-1; continents have one-digit codes).
"""

from __future__ import annotations

import csv

import pytest
from helpers import real_sample
from helpers import run_notebook as run

from krefeld_data.datasets import load, load_or_note
from krefeld_data.datasets.registry import build_datasets
from krefeld_data.fetch.importer import import_file
from krefeld_data.stories import population as facts
from krefeld_data.stories import rounded


def register_rows(key: str) -> list[list[str]]:
    with real_sample("37_").open(encoding="latin-1", newline="") as handle:
        return [r for r in csv.reader(handle, delimiter=";") if len(r) > 5 and r[1] == key]


@pytest.fixture
def keyless(isolated_env):
    import_file(real_sample("37_"))
    result = build_datasets(["auslaender_register_nrw"])
    assert result.written == ["auslaender_register_nrw"], result
    return isolated_env


def test_the_register_total_is_the_sum_of_the_continents(keyless):
    rows = register_rows("05114")
    continents = sum(float(r[5]) for r in rows if len(r[3]) == 1)
    states = sorted(((float(r[5]), r[4].strip()) for r in rows if len(r[3]) == 3 and r[5] != "-"),
                    reverse=True)
    counted = facts.register_count(load("auslaender_register_nrw", ["05114"]), "05114")
    assert counted.total == continents
    assert [name for name, _ in counted.largest] == [name for _, name in states[:3]]
    assert counted.largest[0] == ("Türkei", 7620.0)  # the README's example row of sample 37
    assert counted.date.strftime("%d.%m.%Y") == "31.12.2024"


def test_a_missing_account_only_table_names_the_keyless_stand_in(isolated_env):
    frame, note = load_or_note("auslaenderanteil")
    assert frame is None
    assert "`krefeld-data fetch 12411-03-03-4 --db regio`" in note
    assert "`krefeld-data fetch 12521-03i --db nrw`" in note


@pytest.mark.slow
def test_the_page_builds_from_the_keyless_table_alone(keyless):
    markdown, outputs = run("01_wer_lebt_in_der_stadt.py")
    total = facts.register_count(load("auslaender_register_nrw", ["05114"]), "05114").total
    assert f"in Krefeld {rounded(total)} Ausländerinnen und Ausländer" in markdown
    assert "Für die Einwohnerzahl fehlen die Daten." in markdown
    assert "kd-verdict" in outputs
