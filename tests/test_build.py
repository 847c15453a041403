"""`krefeld-data build`: reader pages from notebooks, the index, missing data, incremental builds.

The fixture notebooks in tests/fixtures/notebooks draw charts from a tiny frame whose
provenance (origin "test") comes from a snapshot each test stores in the raw store.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from krefeld_data import cli, config
from krefeld_data.catalog import STORIES, Story
from krefeld_data.errors import MissingDataError
from krefeld_data.publish.build import BuildSummary, NotebookFailed, build_reports
from krefeld_data.raw.provenance import SAMPLE_MARK, Provenance
from krefeld_data.raw.store import RawStore

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
CANARY = "CANARY-token-55c2"
FILE_CANARY = "CANARY-file-91ab"
ABSOLUTE_PATH = re.compile(r"(?<![\w/.:-])/(?:home|work|tmp|root|Users|var/folders)/")
TEST_TABLE = "TEST-0001"

pytestmark = pytest.mark.slow


def store_table(content: bytes = b"year;value\n2023;229500\n", table: str = TEST_TABLE) -> None:
    record = Provenance(source="regio", table=table, origin="test",
                        retrieved_at="2026-11-25T09:30:00+00:00", stand="2024-12-31")
    RawStore().save(content, record, "csv")


@pytest.fixture
def notebooks(tmp_path: Path) -> Path:
    folder = tmp_path / "notebooks"
    shutil.copytree(FIXTURES, folder)
    return folder


@pytest.fixture
def canary(monkeypatch: pytest.MonkeyPatch) -> str:
    """The credential in the environment, and another one in the user config file."""
    monkeypatch.setenv("KREFELD_DATA_GENESIS_REGIO_TOKEN", CANARY)
    config_file = config.user_config_path()
    config_file.write_text(f'KREFELD_DATA_GENESIS_NRW_TOKEN = "{FILE_CANARY}"\n', encoding="utf-8")
    config_file.chmod(0o600)
    return CANARY


CHART_STORY = Story("01-test", "Testgeschichte", "fixture_chart.py", (TEST_TABLE,))


def build(notebooks: Path, stories=(CHART_STORY,), **options) -> BuildSummary:
    return build_reports(list(stories), notebooks_dir=notebooks, progress=False, **options)


def page(name: str) -> BeautifulSoup:
    return BeautifulSoup((config.reports_dir() / name).read_text(encoding="utf-8"), "html.parser")


def plot_calls(text: str) -> dict[str, tuple[dict, dict]]:
    """Chart id -> (layout, config) of every ``Plotly.newPlot(id, data, layout, config)`` call."""
    decoder = json.JSONDecoder()
    calls = {}
    for match in re.finditer(r"Plotly\.newPlot\(", text):
        values, position = [], match.end()
        for _ in range(4):
            while text[position] in " \n\t,":
                position += 1
            value, position = decoder.raw_decode(text, position)
            values.append(value)
        calls[values[0]] = (values[2], values[3])
    return calls


def written_files(*roots: Path) -> list[Path]:
    return [p for root in roots for p in root.rglob("*") if p.is_file()]


def test_a_story_page_shows_results_only_with_sources_and_no_secrets(notebooks, canary) -> None:
    store_table()
    summary = build(notebooks)
    assert summary.slugs("built") == ["01-test"]
    reports = config.reports_dir()
    text = (reports / "01-test.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(text, "html.parser")

    # no code: neither input areas nor the notebook's source text
    assert not soup.select(".input, .input_area, .jp-InputArea, .highlight")
    assert "import pandas" not in text and "charts.show" not in text
    # no stderr, warnings or tracebacks
    assert "reading" not in text and "a warning for the author only" not in text
    assert "Traceback" not in text
    # cells tagged remove_output / remove_cell
    assert "Prüfausgabe" not in text and "bitte nicht veröffentlichen" not in text
    # the notebook's text is there, and so is its stdout
    assert "ein kleiner Text zwischen zwei Grafiken" in text
    assert "token: None None" in text  # the kernel saw neither credential

    charts = soup.select("div.plotly-graph-div")
    assert len(charts) == 3
    for chart in charts:
        figure = chart.find_parent("figure")
        caption = figure.find("figcaption")
        assert caption.get_text().startswith("Quelle: Statistische Ämter des Bundes und der Länder")
        assert "Tabelle TEST-0001 (Stand 31.12.2024, abgerufen am 25.11.2026)" in caption.get_text()
        alt = figure.select_one("[role=img]")["aria-label"]
        assert alt.startswith(("Liniendiagramm", "Balkendiagramm", "Bevölkerungspyramide"))
    plots = plot_calls(text)
    assert sorted(plots) == sorted(c["id"] for c in charts)
    for layout, config_ in plots.values():
        assert layout["separators"] == ",."
        assert config_["locale"] == "de"
        assert SAMPLE_MARK in [a.get("text") for a in layout.get("annotations", [])]

    # sample data: a banner at the top and the mark on every chart
    banner = soup.select_one(".kd-sample-banner")
    assert banner is not None and SAMPLE_MARK in banner.get_text()
    assert len(soup.select("figure .kd-sample-mark")) == len(charts)

    # methodology box: source with licence, columns, census caveat, versions
    method = soup.select_one("section.kd-method").get_text(" ")
    assert "Tabelle TEST-0001" in method and "dl-de/by-2-0" in method
    assert "region_code" in method and "Zensus 2022" in method
    assert "krefeld-data 0.1.0" in method and "plotly" in method

    # plotly.js shipped once, beside the pages, by a relative path
    assert (reports / "assets" / "plotly.min.js").stat().st_size > 1_000_000
    scripts = [s["src"] for s in soup.select("script[src]")]
    assert scripts == ["assets/plotly.min.js", "assets/plotly-locale-de.js"]
    # offline: nothing is loaded from the internet (links for the reader are fine)
    assert [s["href"] for s in soup.select("link[href]")] == ["assets/krefeld.css"]
    assert not re.search(r"""(src|@import)\s*=?\s*["']?(https?:)?//""", text)
    assert len(text) < 200_000

    # nothing written anywhere holds the credential; no page holds a local path
    for path in written_files(reports, config.data_dir()):
        assert CANARY.encode() not in path.read_bytes(), path
        assert FILE_CANARY.encode() not in path.read_bytes(), path
    for html_file in reports.glob("*.html"):
        content = html_file.read_text(encoding="utf-8")
        assert not ABSOLUTE_PATH.search(content), ABSOLUTE_PATH.search(content)
        assert str(config.data_dir()) not in content


def test_the_index_lists_the_stories_with_links(notebooks) -> None:
    store_table()
    build(notebooks)
    entries = page("index.html").select("li.kd-story-entry")
    assert [e["data-slug"] for e in entries] == ["01-test"]
    assert entries[0].find("a")["href"] == "01-test.html"
    assert SAMPLE_MARK in entries[0].get_text()


def test_a_missing_table_stops_the_build_with_the_next_step(notebooks) -> None:
    story = Story("02-needs-data", "Braucht Daten", "fixture_chart.py", ("12411-01-01-4",))
    with pytest.raises(MissingDataError) as caught:
        build(notebooks, stories=[story])
    message = str(caught.value)
    assert "12411-01-01-4" in message and "\n" not in message
    assert "krefeld-data fetch 12411-01-01-4 --db regio" in message
    assert "krefeld-data import FILE" in message
    assert "KREFELD_DATA_GENESIS_REGIO_TOKEN" in message  # no credentials configured: say how
    assert not (config.reports_dir() / "02-needs-data.html").exists()


def test_with_partial_a_story_without_data_is_listed_as_not_built(notebooks, canary) -> None:
    store_table()
    missing = Story("02-needs-data", "Braucht Daten", "fixture_chart.py", ("12411-01-01-4",))
    summary = build(notebooks, stories=[CHART_STORY, missing], partial=True)
    assert summary.slugs("built") == ["01-test"] and summary.slugs("skipped") == ["02-needs-data"]
    assert not (config.reports_dir() / "02-needs-data.html").exists()
    entry = page("index.html").select_one('li[data-slug="02-needs-data"]')
    assert entry.find("a") is None
    assert "krefeld-data fetch 12411-01-01-4 --db regio" in entry.get_text()
    index = (config.reports_dir() / "index.html").read_text(encoding="utf-8")
    assert not ABSOLUTE_PATH.search(index) and CANARY not in index


def test_a_notebook_error_fails_the_build_with_the_cells_message(notebooks) -> None:
    store_table()
    story = Story("03-broken", "Kaputt", "fixture_fails.py", (TEST_TABLE,))
    with pytest.raises(NotebookFailed) as caught:
        build(notebooks, stories=[CHART_STORY, story], jobs=2)
    message = str(caught.value)
    assert "03-broken" in message and "cell 3" in message
    assert "ValueError: Spalte 'wert' fehlt in der Tabelle TEST-0001" in message
    assert not ABSOLUTE_PATH.search(message)
    assert not (config.reports_dir() / "03-broken.html").exists()
    # the story that worked still got its page, and the index says which is missing
    assert (config.reports_dir() / "01-test.html").is_file()
    assert page("index.html").select_one('li[data-slug="01-test"] a') is not None
    broken = page("index.html").select_one('li[data-slug="03-broken"]')
    assert broken.find("a") is None and broken["data-status"] == "failed"
    assert "ValueError: Spalte 'wert' fehlt" in broken.get_text()


def test_an_unchanged_story_is_not_run_again_and_a_change_reruns_it(notebooks) -> None:
    store_table()
    first = build(notebooks)
    target = config.reports_dir() / "01-test.html"
    stamp = target.stat().st_mtime_ns
    assert first.slugs("built") == ["01-test"]

    again = build(notebooks)
    assert again.slugs("unchanged") == ["01-test"]
    assert target.stat().st_mtime_ns == stamp

    notebook = notebooks / "fixture_chart.py"
    notebook.write_text(notebook.read_text(encoding="utf-8").replace(
        "ein kleiner Text zwischen zwei Grafiken", "ein geänderter Text"), encoding="utf-8")
    changed = build(notebooks)
    assert changed.slugs("built") == ["01-test"]
    assert "ein geänderter Text" in target.read_text(encoding="utf-8")

    store_table(b"year;value\n2023;230000\n")  # a new snapshot of the story's table
    assert build(notebooks).slugs("built") == ["01-test"]
    assert build(notebooks).slugs("unchanged") == ["01-test"]
    assert build(notebooks, force=True).slugs("built") == ["01-test"]


@pytest.mark.parametrize(
    "changed", ["regions/reference/regions.csv", "parse/sniff.py", "publish/templates/page.html.j2"]
)
def test_a_change_in_the_package_reruns_the_story(notebooks, package_copy, changed) -> None:
    """Code, reference data and templates all count: a corrected regions.csv must rebuild too."""
    from krefeld_data.util import fingerprint

    copy = package_copy
    store_table()
    build(notebooks)
    assert build(notebooks).slugs("unchanged") == ["01-test"]
    with open(copy / changed, "a", encoding="utf-8") as handle:
        handle.write("\n")
    fingerprint.forget_package_fingerprint()
    assert build(notebooks).slugs("built") == ["01-test"]


def test_a_change_in_its_own_processed_dataset_reruns_the_story_another_one_does_not(notebooks) -> None:
    # The slug of story 5, so the registry gives it its dataset; its table is not stored, so
    # the clean stage skips the dataset and the test writes the files itself.
    story = Story("05-debatte-und-zahlen", "Testgeschichte", "fixture_chart.py", (TEST_TABLE,))
    store_table()
    build(notebooks, stories=[story])
    processed = config.processed_dir()
    processed.mkdir(parents=True, exist_ok=True)
    (processed / "bevoelkerung.parquet").write_bytes(b"another story's dataset")
    assert build(notebooks, stories=[story]).slugs("unchanged") == [story.slug]
    (processed / "asylerstantraege.parquet").write_bytes(b"its own dataset")
    assert build(notebooks, stories=[story]).slugs("built") == [story.slug]
    assert build(notebooks, stories=[story]).slugs("unchanged") == [story.slug]


def test_cli_build_without_data_fails_in_one_line(capsys) -> None:
    assert cli.main(["build"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith("krefeld-data build: story ") and "krefeld-data fetch" in err


def test_cli_build_partial_without_data_lists_every_story(capsys) -> None:
    assert cli.main(["-q", "build", "--partial"]) == 0
    entries = page("index.html").select("li.kd-story-entry")
    assert [e["data-slug"] for e in entries] == [s.slug for s in STORIES]
    assert all(e["data-status"] == "skipped" for e in entries)
    assert "not built" in capsys.readouterr().err


def test_scrub_removes_paths_and_credentials_but_not_markup_or_urls(monkeypatch) -> None:
    from krefeld_data.publish.pages import scrub

    monkeypatch.setenv("KREFELD_DATA_GENESIS_ZENSUS_PASSWORD", "hunter2-secret")
    text = ('<div>read /d/raw/x.csv</div> <a href="https://example.org/tmp/file">x</a> '
            "from /home/anna/krefeld/notebooks and /work/main/data, password hunter2-secret")
    clean = scrub(text, paths=["/d"])
    assert clean.startswith("<div>read …/raw/x.csv</div>")
    assert 'href="https://example.org/tmp/file"' in clean
    assert "/home/anna" not in clean and "/work/main" not in clean
    assert "hunter2-secret" not in clean and "***" in clean


LEAKY = '''# %% tags=["parameters"]
NAME = "a"

# %%
import os

import pandas as pd
import plotly.io as pio

import krefeld_data.charts

print("pid", os.getpid(), "cwd", os.path.basename(os.getcwd()))
print("left over:", sorted(n for n in ("LEFT_BY_A", "NAME_OF_B") if n in dir()))
print("settings:", pd.get_option("display.max_rows"), pio.templates.default,
      krefeld_data.charts.current_focus().city)
LEFT_BY_A = NAME
pd.set_option("display.max_rows", 7)  # process-wide: the next notebook must not inherit them
pio.templates.default = "plotly_dark"
krefeld_data.charts.set_focus("09162")
'''


def test_notebooks_share_a_warm_kernel_but_never_a_namespace(tmp_path) -> None:
    """The speed of the build rests on reused kernels; a story must still start from nothing."""
    folder = tmp_path / "nb"
    folder.mkdir()
    for name in ("01_a.py", "02_b.py"):
        (folder / name).write_text(LEAKY, encoding="utf-8")
    store_table()
    stories = [Story("01-a", "A", "01_a.py", (TEST_TABLE,)), Story("02-b", "B", "02_b.py", (TEST_TABLE,))]
    summary = build_reports(stories, notebooks_dir=folder, progress=False, jobs=1)
    assert summary.slugs("built") == ["01-a", "02-b"]
    texts = [page(f"{slug}.html").get_text(" ") for slug in ("01-a", "02-b")]
    pids = [re.search(r"pid (\d+)", text).group(1) for text in texts]
    assert pids[0] == pids[1]  # one kernel ran both (jobs=1)
    assert all("left over: []" in text for text in texts)  # B does not see what A defined
    settings = [re.search(r"settings: (\S+ \S+ \S+)", text).group(1) for text in texts]
    assert settings[0] == settings[1] == f"{pd.get_option('display.max_rows')} krefeld None"
    assert all("cwd nb" in text for text in texts)
