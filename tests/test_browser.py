"""Built pages in a real browser: Debian's chromium, headless, from file://, offline.

Each page is copied with a small script added first in <head> that notes every JavaScript
error, failed resource load and console.error on the <html> element; chromium's --dump-dom
then gives us the drawn DOM and that note in one go, with no DevTools plumbing.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from helpers import chromium

from krefeld_data import config
from krefeld_data.catalog import Story
from krefeld_data.publish.build import build_reports
from krefeld_data.raw.provenance import Provenance
from krefeld_data.raw.store import RawStore

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
pytestmark = [pytest.mark.browser, pytest.mark.slow]

ERROR_COLLECTOR = """<script>(function () {
  var root = document.documentElement;
  function note(text) {
    root.setAttribute("data-kd-errors", (root.getAttribute("data-kd-errors") || "") + "|" + text);
  }
  window.addEventListener("error", function (e) {
    var target = e.target && (e.target.src || e.target.href);
    note(e.message || ("failed to load " + (target || "?")));
  }, true);
  window.addEventListener("unhandledrejection", function (e) { note("unhandled rejection " + e.reason); });
  var original = console.error;
  console.error = function () {
    note(Array.prototype.join.call(arguments, " "));
    return original.apply(console, arguments);
  };
})();</script>"""


def open_in_chromium(page: Path, profile: Path) -> BeautifulSoup:
    probe = page.with_name(f".probe-{page.name}")
    probe.write_text(page.read_text(encoding="utf-8").replace("<head>", "<head>\n" + ERROR_COLLECTOR, 1),
                     encoding="utf-8")
    command = [
        chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
        "--virtual-time-budget=10000", "--dump-dom", probe.as_uri(),
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    finally:
        probe.unlink()
    assert done.returncode == 0, done.stderr[-2000:]
    return BeautifulSoup(done.stdout, "html.parser")


def test_every_chart_on_every_page_is_drawn_without_errors(tmp_path: Path) -> None:
    RawStore().save(b"year;value\n2023;1\n", Provenance(
        source="regio", table="TEST-0001", origin="test", retrieved_at="2026-11-25T09:30:00+00:00"), "csv")
    story = Story("01-test", "Testgeschichte", "fixture_chart.py", ("TEST-0001",))
    build_reports([story], notebooks_dir=FIXTURES, progress=False)
    pages = sorted(config.reports_dir().glob("*.html"))
    assert [p.name for p in pages] == ["01-test.html", "index.html"]
    drawn = 0
    for number, page in enumerate(pages):
        dom = open_in_chromium(page, tmp_path / f"profile-{number}")
        assert dom.html.get("data-kd-errors") is None, (page.name, dom.html.get("data-kd-errors"))
        for chart in dom.select("div.plotly-graph-div"):
            assert chart.select_one("svg.main-svg") is not None, (page.name, chart.get("id"))
            assert chart.select(".xtick text"), "axis ticks drawn"
            drawn += 1
        if page.name == "01-test.html":
            # German month/number locale loaded: y ticks use a dot for thousands
            ticks = [t.get_text() for t in dom.select(".ytick text")]
            assert any("." in t and t.replace(".", "").isdigit() for t in ticks), ticks
    assert drawn == 3


def test_the_story_pages_built_from_the_samples_draw_every_chart(tmp_path: Path) -> None:
    from krefeld_data.catalog import STORIES
    from krefeld_data.samples import install_samples

    install_samples(RawStore())
    summary = build_reports(progress=False)
    assert summary.slugs("built") == [s.slug for s in STORIES]
    for number, story in enumerate(STORIES):
        dom = open_in_chromium(config.reports_dir() / f"{story.slug}.html", tmp_path / f"profile-{number}")
        assert dom.html.get("data-kd-errors") is None, (story.slug, dom.html.get("data-kd-errors"))
        charts = dom.select("div.plotly-graph-div")
        assert charts, story.slug
        for chart in charts:
            assert chart.select_one("svg.main-svg") is not None, (story.slug, chart.get("id"))
        assert dom.select_one(".kd-sample-banner") is not None
        # Each chart alone, as a CMS embeds it: drawn from the shared assets, without errors.
        folder = config.reports_dir() / "embed" / story.slug
        embeds = sorted(folder.glob("*.html"))
        assert len(embeds) == len(charts), story.slug
        embed = open_in_chromium(embeds[0], tmp_path / f"embed-profile-{number}")
        assert embed.html.get("data-kd-errors") is None, (embeds[0].name, embed.html.get("data-kd-errors"))
        assert embed.select_one("div.plotly-graph-div svg.main-svg") is not None, embeds[0].name
