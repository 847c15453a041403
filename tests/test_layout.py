"""Charts on a phone (390 px) and a desktop (1280 px): no text cut off, no label on another.

Headless chromium will not make its window narrower than 500 px, so each page is shown in an
iframe of the width under test inside a small host page. A script added to the page waits for
plotly to draw, then reads ``getBoundingClientRect()`` of every text of every chart and posts
the boxes to the host, which writes them into its DOM; ``--dump-dom`` hands them to us.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
from itertools import combinations
from pathlib import Path

import pandas as pd
import pytest
from helpers import chromium

from krefeld_data import charts
from krefeld_data.publish.pages import render_embed_page, write_assets
from krefeld_data.raw.provenance import Provenance

pytestmark = [pytest.mark.browser, pytest.mark.slow]
WIDTHS = (390, 1280)

MEASURE = """<script>
window.addEventListener("load", function () {
  setTimeout(function () {
    var out = [];
    document.querySelectorAll(".js-plotly-plot").forEach(function (plot, n) {
      var box = plot.getBoundingClientRect();
      var texts = [];
      plot.querySelectorAll(".main-svg text").forEach(function (t) {
        var r = t.getBoundingClientRect();
        var style = window.getComputedStyle(t);
        if (!t.textContent.trim() || r.width === 0 || style.display === "none"
            || style.visibility === "hidden" || style.opacity === "0") { return; }
        var group = "", p = t.parentNode;
        while (p && p !== plot) {
          var c = p.getAttribute && p.getAttribute("class");
          if (c) { group = c + " " + group; }
          p = p.parentNode;
        }
        texts.push({text: t.textContent, group: group.trim(), x: r.left, y: r.top, w: r.width, h: r.height,
                    fill: style.fillOpacity});
      });
      out.push({n: n, id: plot.id, x: box.left, y: box.top, w: box.width, h: box.height,
                viewport: document.documentElement.clientWidth, texts: texts});
    });
    parent.postMessage({kdLayout: out}, "*");
  }, 1200);
});
</script>"""

HOST = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="page" src="{src}" style="width:{width}px;height:6000px;border:0"></iframe>
<pre id="kd-layout"></pre>
<script>window.addEventListener("message", function (e) {{
  if (e.data && e.data.kdLayout) {{
    document.getElementById("kd-layout").textContent = JSON.stringify(e.data.kdLayout);
  }}
}});</script></body></html>"""


def measure(page: Path, width: int, profile: Path) -> list[dict]:
    """The text boxes of every chart on ``page`` shown ``width`` pixels wide."""
    probe = page.with_name(f".layout-{page.name}")
    host = page.with_name(f".host-{width}-{page.name}")
    text = page.read_text(encoding="utf-8")
    probe.write_text(text.replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    host.write_text(HOST.format(src=probe.name, width=width), encoding="utf-8")
    command = [
        chromium(), "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
        "--disable-background-networking", "--disable-component-update", "--no-first-run",
        f"--user-data-dir={profile}", f"--window-size={max(width, 500) + 40},2000",
        "--virtual-time-budget=15000", "--dump-dom", host.as_uri(),
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    finally:
        probe.unlink()
        host.unlink()
    found = re.search(r'<pre id="kd-layout">(.*?)</pre>', done.stdout, re.S)
    assert found and found.group(1).strip(), f"no layout from {page.name}: {done.stderr[-1500:]}"
    return json.loads(html.unescape(found.group(1)))


def is_watermark(text: dict) -> bool:
    """The diagonal sample mark lies over the plot on purpose."""
    return text["text"].startswith("Beispieldaten")


def overlap(a: dict, b: dict) -> float:
    """Overlapping area of two boxes, in px² (a pixel of anti-aliasing is forgiven)."""
    width = min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"]) - 1
    height = min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"]) - 1
    return max(0.0, width) * max(0.0, height)


def problems(charts_found: list[dict], width: int) -> list[str]:
    """Every text outside its chart or the screen, and every pair of texts that overlap."""
    found = []
    for chart in charts_found:
        left, right = max(0.0, chart["x"]) - 0.5, min(width, chart["x"] + chart["w"]) + 0.5
        texts = [t for t in chart["texts"] if not is_watermark(t)]
        for text in texts:
            if text["x"] < left or text["x"] + text["w"] > right:
                found.append(f"chart {chart['n']}: {text['text']!r} cut off "
                             f"({text['x']:.0f}–{text['x'] + text['w']:.0f} px of {left:.0f}–{right:.0f})")
        for a, b in combinations(texts, 2):
            if overlap(a, b) > 4:
                found.append(f"chart {chart['n']}: {a['text']!r} overlaps {b['text']!r}")
    return found


def provenance(origin: str = "test") -> dict:
    return Provenance(source="regio", table="12531-0043", origin=origin,
                      retrieved_at="2026-11-25T09:30:00+00:00").to_dict()


CITIES = {"05114": "Krefeld", "05111": "Düsseldorf", "05124": "Wuppertal", "08311": "Freiburg im Breisgau",
          "05": "Nordrhein-Westfalen", "DG": "Deutschland"}


def frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    df.attrs["provenance"] = provenance()
    return df


def kit_charts() -> list:
    """One chart of every kind, with the longest labels the stories have (test data)."""
    charts.set_focus("05114", ["05111", "05124", "08311"])
    per_1000 = frame([{"region_code": k, "region_name": n, "value": v} for (k, n), v in
                      zip(CITIES.items(), [63.3, 41.2, 55.0, 38.9, 48.1, 36.6], strict=True)])
    years = range(1995, 2025)
    series = frame([{"region_code": k, "region_name": n, "year": y,
                     "value": 200_000 + 9_000 * i + 50 * (y - 1995)}
                    for i, (k, n) in enumerate(list(CITIES.items())[:4]) for y in years])
    shares = frame([{"region_code": k, "region_name": n, "group": g, "value": v}
                    for k, n in list(CITIES.items())[:4]
                    for g, v in (("offen", 1_200), ("anerkannt", 4_300), ("abgelehnt", 310))])
    pyramid = frame([{"age": a, "sex": s, "value": v} for a in
                     ("unter 6", "6 bis 18", "18 bis 25", "25 bis 45", "45 bis 65", "65 und mehr")
                     for s, v in (("deutsch", 14.5), ("ausländisch", 21.25))])
    grouped = frame([{"region_code": k, "region_name": n, "nationality": g, "value": v}
                     for k, n in list(CITIES.items())[:4]
                     for g, v in (("deutsch", 17.3), ("ausländisch", 22.8))])
    figures = [
        charts.compare_cities(per_1000, title="Schutzsuchende je 1.000 Einwohner", subtitle="am 31.12.2024",
                              value_format=",.1f", unit="je 1.000 Einwohner"),
        charts.line_over_time(series, title="Einwohner von Krefeld und den Vergleichsstädten",
                              subtitle="Bevölkerung am 31.12.", unit="Personen",
                              breaks={2011: "Basis: Zensus 2011", 2022: "Basis: Zensus 2022"}),
        charts.stacked_share(shares, part="group", title="Schutzsuchende nach Schutzstatus"),
        charts.population_pyramid(pyramid, title="Altersaufbau", sex="sex", value="value",
                                  value_format=",.1f", unit="Prozent"),
        charts.compare_cities(grouped, group="nationality", title="Anteil unter 18 Jahren",
                              value_format=",.1f", unit="Prozent"),
    ]
    charts.set_focus(None)
    return figures


def write_kit_page(reports: Path) -> Path:
    write_assets(reports)
    body = "\n".join(charts.figure_html(fig, chart_id=f"kd-test-{n}") for n, fig in enumerate(kit_charts()))
    page = reports / "kit.html"
    page.write_text(render_embed_page(title="Layout", body=body, chart="test/kit", assets="assets",
                                      sample=True), encoding="utf-8")
    return page


@pytest.mark.parametrize("width", WIDTHS)
def test_no_chart_text_is_cut_off_or_overlaps_at_phone_and_desktop_width(tmp_path: Path, width: int) -> None:
    page = write_kit_page(tmp_path / "reports")
    found = measure(page, width, tmp_path / "profile")
    assert len(found) == 5
    assert all(abs(chart["viewport"] - width) <= 1 for chart in found), "the page was not shown at that width"
    assert all(chart["w"] <= width for chart in found)
    texts = {t["text"] for chart in found for t in chart["texts"]}
    assert {"63,3", "Krefeld", "Freiburg im Breisgau", "Basis: Zensus 2011", "Basis: Zensus 2022"} <= texts
    assert problems(found, width) == []


def test_the_probe_finds_a_label_that_runs_out_of_the_chart(tmp_path: Path) -> None:
    """The oracle itself: a chart with the old long value labels and no headroom fails it."""
    reports = tmp_path / "reports"
    write_assets(reports)
    fig = charts.compare_cities(
        frame([{"region_code": k, "region_name": n, "value": 63.3} for k, n in CITIES.items()]),
        title="t", value_format=",.1f")
    fig.update_traces(texttemplate="%{x:,.1f} je 1.000 Einwohnerinnen und Einwohner", textposition="outside",
                      cliponaxis=False)
    fig.update_xaxes(range=[0, 64])
    page = reports / "bad.html"
    page.write_text(render_embed_page(title="t", body=charts.figure_html(fig), chart="t/t", assets="assets",
                                      sample=False), encoding="utf-8")
    found = problems(measure(page, 390, tmp_path / "profile"), 390)
    assert any("cut off" in line and "Einwohnerinnen" in line for line in found), found


@pytest.fixture(scope="module")
def demo_pages(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The story pages as `make demo` builds them from the package's sample data."""
    from krefeld_data import config
    from krefeld_data.catalog import STORIES
    from krefeld_data.publish.build import build_reports
    from krefeld_data.raw.store import RawStore
    from krefeld_data.samples import install_samples

    root = tmp_path_factory.mktemp("layout-demo")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(config.DATA_DIR_ENV, str(root / "data"))
        patch.setenv(config.REPORTS_DIR_ENV, str(root / "reports"))
        install_samples(RawStore())
        build_reports(progress=False)
    return [root / "reports" / f"{story.slug}.html" for story in STORIES]


@pytest.mark.parametrize("width", WIDTHS)
def test_the_demo_pages_hold_at_phone_and_desktop_width(demo_pages: list[Path], width: int,
                                                       tmp_path: Path) -> None:
    found_problems, drawn = [], 0
    for number, page in enumerate(demo_pages):
        found = measure(page, width, tmp_path / f"profile-{number}")
        assert found, f"{page.name}: no chart drawn"
        drawn += len(found)
        found_problems += [f"{page.name} at {width} px: {line}" for line in problems(found, width)]
    assert drawn >= 10
    assert found_problems == []


def test_the_embed_code_gives_the_iframe_the_height_of_its_chart(demo_pages: list[Path],
                                                                 tmp_path: Path) -> None:
    """Pasted into a page as a CMS would, the iframe grows from its first 520 px to the chart's height."""
    story = demo_pages[1]
    code = html.unescape(re.search(r'<textarea class="kd-embed-code"[^>]*>(.*?)</textarea>',
                                   story.read_text(encoding="utf-8"), re.S).group(1))
    assert "height:520px" in code
    host = story.with_name(".host-embed.html")
    host.write_text(f"<!DOCTYPE html><html><body><p>Artikel</p>{code}</body></html>", encoding="utf-8")
    command = [chromium(), "--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=600,2000",
               f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=15000", "--dump-dom",
               host.as_uri()]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    finally:
        host.unlink()
    frame = re.search(r"<iframe[^>]*>", done.stdout)
    assert frame, done.stderr[-1500:]
    height = re.search(r"height:\s*(\d+)px", frame.group(0))
    assert height and int(height.group(1)) != 520 and 300 < int(height.group(1)) < 2000, frame.group(0)
