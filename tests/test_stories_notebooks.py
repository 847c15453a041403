"""The story notebooks run on the sample data (real files: tests/test_story1_real.py,
tests/test_story3_real.py and the other stories' own files); their text says the numbers the
facts functions compute from the processed datasets (no number typed into the text)."""

from __future__ import annotations

import json

import jupytext
import pytest
from helpers import NOTEBOOKS
from helpers import run_notebook as run

from krefeld_data import catalog
from krefeld_data.raw.store import RawStore
from krefeld_data.samples import install_samples
from krefeld_data.stories import number, percent

pytestmark = pytest.mark.slow




@pytest.fixture
def samples(isolated_env):
    install_samples(RawStore())
    return isolated_env


def test_every_story_has_its_notebook_and_a_paired_ipynb_without_outputs():
    for story in catalog.STORIES:
        text = NOTEBOOKS / story.notebook
        assert text.is_file()
        paired = json.loads(text.with_suffix(".ipynb").read_text(encoding="utf-8"))
        assert paired["cells"][0]["metadata"]["tags"] == ["parameters"]
        assert all(not c.get("outputs") for c in paired["cells"] if c["cell_type"] == "code")
        twin = jupytext.read(text.with_suffix(".ipynb"))
        assert [c.source for c in jupytext.read(text).cells] == [c.source for c in twin.cells]


def test_population_notebook_on_samples(samples):
    from krefeld_data.datasets import load
    from krefeld_data.datasets.registry import build_datasets
    from krefeld_data.stories import population

    build_datasets()
    markdown, outputs = run("01_wer_lebt_in_der_stadt.py")
    people = load("bevoelkerung", ["05114"])
    assert number(population.latest_value(people, "05114", "population")["population"]) in markdown
    shares = load("auslaenderanteil", ["05114"])
    assert percent(population.latest_value(shares, "05114", "foreign_share")["foreign_share"]) in markdown
    assert "Beispieldaten" in outputs
    assert "kd-claim" in outputs and "kd-verdict" in outputs


def test_age_notebook_on_samples(samples):
    from krefeld_data.datasets import load
    from krefeld_data.datasets.registry import build_datasets
    from krefeld_data.stories import age

    build_datasets()
    markdown, _ = run("03_jung_und_hier.py")
    structure = load("altersstruktur", ["05114"])
    young = age.young_share(structure, age.usable_bound(structure, 10)).set_index("nationality")["share"]
    assert percent(young["ausländisch"]) in markdown and percent(young["deutsch"]) in markdown
