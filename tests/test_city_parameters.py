"""``--city`` / ``--compare`` / ``--context``: resolution, bad parameters, injection, folders, cache keys.

The notebook used here is written by the test (test data): its parameters cell defines CITY and
COMPARE, not CONTEXT, and it prints what it received, so the test sees exactly what was injected.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from krefeld_data import cli, config
from krefeld_data.catalog import DEFAULT_CITIES, DEFAULT_CONTEXT, Story
from krefeld_data.publish.build import build_reports, inject_parameters, parameter_names
from krefeld_data.raw.provenance import Provenance
from krefeld_data.raw.store import RawStore
from krefeld_data.regions.resolve import ParameterError, resolve_city, resolve_parameters

TEST_TABLE = "TEST-0002"
PARAMETER_NOTEBOOK = '''# %% tags=["parameters"]
CITY = "05114"
COMPARE = ["05111"]
WIDTH = 3

# %%
print("CITY=" + CITY + " COMPARE=" + ",".join(COMPARE) + " WIDTH=" + str(WIDTH))
print("CONTEXT defined:", "CONTEXT" in dir())
'''
STORY = Story("01-parameter", "Parameterprobe", "01_parameter.py", (TEST_TABLE,))


@pytest.fixture
def notebooks(tmp_path: Path) -> Path:
    folder = tmp_path / "notebooks"
    folder.mkdir()
    (folder / STORY.notebook).write_text(PARAMETER_NOTEBOOK, encoding="utf-8")
    record = Provenance(source="regio", table=TEST_TABLE, origin="test",
                        retrieved_at="2026-11-25T09:30:00+00:00")
    RawStore().save(b"year;value\n2023;1\n", record, "csv")
    return folder


def printed(page: Path) -> str:
    from bs4 import BeautifulSoup

    return BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").get_text(" ")


# ---------------------------------------------------------------- resolution

def test_names_and_keys_resolve_to_the_same_kreis() -> None:
    by_name = resolve_parameters("05112", ["Essen", "Oberhausen"])
    assert resolve_parameters("Duisburg", "05113,05119") == by_name
    params = resolve_parameters("Duisburg", "05113,05119")
    assert (params.city, params.compare, params.context) == ("05112", ("05113", "05119"), ("05", "DG"))
    assert params.slug == "duisburg" and not params.is_default
    assert resolve_city("München").code == "09162"


def test_defaults_are_the_column_cities_and_the_citys_own_land() -> None:
    default = resolve_parameters()
    assert default.is_default
    assert (default.city, *default.compare) == DEFAULT_CITIES
    assert default.context == DEFAULT_CONTEXT
    munich = resolve_parameters("09162")
    assert munich.context == ("09", "DG")  # Bayern, not NRW
    assert munich.compare == DEFAULT_CITIES
    dusseldorf = resolve_parameters("Düsseldorf")
    assert "05111" not in dusseldorf.compare and "05114" in dusseldorf.compare


@pytest.mark.parametrize(("city", "compare", "context", "expected"), [
    ("Duisbrug", None, None, ["unknown region name 'Duisbrug'", "'Duisburg' (05112)"]),
    ("Frankfurt", None, None, ["ambiguous", "Frankfurt am Main (06412)", "Frankfurt (Oder) (12053)"]),
    ("05", None, None, ["Nordrhein-Westfalen (05), a Land, not a Kreis", "Duisburg (05112)"]),
    ("05334002", None, None, ["a Gemeinde", "Städteregion Aachen (05334)"]),
    ("DG", None, None, ["Germany as a whole"]),
    ("Duisburg", "05113,Duisburg", None, ["--compare includes the city itself", "05112", "05113"]),
    ("Duisburg", "05113", "Hannover", ["--context 'Hannover'", "a Gemeinde"]),
    ("Duisburg", "Esen", None, ["--compare 'Esen'", "'Essen' (05113)"]),
])
def test_bad_parameters_name_the_problem_and_the_closest_matches(city, compare, context, expected) -> None:
    with pytest.raises(ParameterError) as caught:
        resolve_parameters(city, compare, context)
    message = str(caught.value)
    assert "\n" not in message
    for part in expected:
        assert part in message, message


def test_a_bad_city_on_the_command_line_is_one_line_and_builds_nothing(notebooks, capsys) -> None:
    reports = config.reports_dir()
    status = cli.main(["build", "--city", "Frankfurt", "--compare", "05113"])
    err = capsys.readouterr().err.strip()
    assert status == 1
    assert len(err.splitlines()) == 1 and "Frankfurt am Main (06412)" in err
    assert "Traceback" not in err
    assert not reports.exists() or not any(reports.rglob("*.html"))
    status = cli.main(["report", "--city", "Duisburg", "--compare", "Duisburg"])
    assert status == 1 and "includes the city itself" in capsys.readouterr().err
    assert not reports.exists() or not any(reports.rglob("*.html"))


# ---------------------------------------------------------------- injection

def test_only_the_names_of_the_parameters_cell_are_injected_after_it(notebooks) -> None:
    import jupytext

    nb = jupytext.read(notebooks / STORY.notebook)
    assert parameter_names(nb) == {"CITY", "COMPARE", "WIDTH"}
    values = resolve_parameters("Duisburg", "05113,05119").notebook_values()
    from krefeld_data.publish.build import notebook_parameters

    chosen = notebook_parameters(nb, values)
    assert chosen == {"CITY": "05112", "COMPARE": ["05113", "05119"]}  # no CONTEXT: not defined there
    injected = inject_parameters(nb, chosen)
    tags = [cell.metadata.get("tags", []) for cell in injected.cells]
    assert tags[0] == ["parameters"] and tags[1] == ["injected-parameters"]
    assert 'CITY = "05112"' in injected.cells[1].source
    assert "CONTEXT" not in injected.cells[1].source


@pytest.mark.slow
def test_pages_for_another_city_go_to_its_folder_and_leave_the_default_pages(notebooks) -> None:
    reports = config.reports_dir()
    default = build_reports([STORY], notebooks_dir=notebooks, progress=False)
    assert default.slugs("built") == [STORY.slug]
    default_page = reports / f"{STORY.slug}.html"
    before = default_page.read_bytes()
    assert "CITY=05114 COMPARE=05111 WIDTH=3" in printed(default_page)

    duisburg = resolve_parameters("Duisburg", "05113,05119")
    summary = build_reports([STORY], notebooks_dir=notebooks, progress=False, parameters=duisburg)
    assert summary.reports_dir == reports / "duisburg"
    assert summary.slugs("built") == [STORY.slug]
    text = printed(reports / "duisburg" / f"{STORY.slug}.html")
    assert "CITY=05112 COMPARE=05113,05119 WIDTH=3" in text
    assert "CONTEXT defined: False" in text
    assert default_page.read_bytes() == before  # the default page is untouched
    assert "Duisburg in Zahlen" in (reports / "duisburg" / "index.html").read_text(encoding="utf-8")

    # Same parameters again: nothing to do. Other comparison cities: the key changes, it rebuilds.
    again = build_reports([STORY], notebooks_dir=notebooks, progress=False, parameters=duisburg)
    assert again.slugs("unchanged") == [STORY.slug]
    other = resolve_parameters("Duisburg", "05113")
    rebuilt = build_reports([STORY], notebooks_dir=notebooks, progress=False, parameters=other)
    assert rebuilt.slugs("built") == [STORY.slug]
    assert "COMPARE=05113 WIDTH" in printed(reports / "duisburg" / f"{STORY.slug}.html")
    keys = json.loads((reports / "duisburg" / ".build-cache.json").read_text(encoding="utf-8"))
    default_keys = json.loads((reports / ".build-cache.json").read_text(encoding="utf-8"))
    assert keys["stories"][STORY.slug]["key"] != default_keys["stories"][STORY.slug]["key"]


@pytest.mark.slow
def test_a_story_runs_when_its_required_tables_are_there_and_optional_ones_are_not(notebooks) -> None:
    story = Story("01-parameter", "Parameterprobe", "01_parameter.py", (TEST_TABLE, "TEST-MISSING"),
                  required=((TEST_TABLE, "TEST-OTHER"),))
    summary = build_reports([story], notebooks_dir=notebooks, progress=False)
    assert summary.slugs("built") == [story.slug]
    strict = Story("01-parameter", "Parameterprobe", "01_parameter.py", (TEST_TABLE, "TEST-MISSING"))
    summary = build_reports([strict], notebooks_dir=notebooks, progress=False, partial=True)
    assert summary.slugs("skipped") == [strict.slug]
    assert summary.results[0].missing == ("TEST-MISSING",)
