"""The story notebooks run on the sample data and on real files; their text says the numbers
the story data layer computes (no number typed into the text)."""

from __future__ import annotations

import json

import jupytext
import pytest
from helpers import NOTEBOOKS, real_sample
from helpers import run_notebook as run

from krefeld_data import catalog
from krefeld_data.fetch.importer import import_file
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
    from krefeld_data.stories import population

    markdown, outputs = run("01_wer_lebt_in_der_stadt.py")
    people = population.population_series(["05114"], context=[]).dropna(subset=["population"])
    assert number(people["population"].iloc[-1]) in markdown
    shares = population.foreign_share_series(["05114"], context=[])
    assert percent(shares["foreign_share"].iloc[-1]) in markdown
    assert "Beispieldaten" in outputs


def test_age_notebook_on_samples(samples):
    from krefeld_data.stories import age

    markdown, _ = run("03_jung_und_hier.py")
    young = age.young_share(["05114"], context=[]).set_index("nationality")["share"]
    assert percent(young["ausländisch"]) in markdown and percent(young["deutsch"]) in markdown


def test_age_notebook_on_real_files(isolated_env):
    from krefeld_data.stories import age

    # story 2 on real files: tests/test_story2_protection.py
    for prefix in ("06_", "02_", "09_"):
        import_file(real_sample(prefix))
    markdown, _ = run("03_jung_und_hier.py")
    young = age.young_share(["05114"], context=[]).set_index("nationality")["share"]
    assert "Ende 2015" in markdown
    assert percent(young["ausländisch"]) in markdown
