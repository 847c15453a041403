"""Static images from the build's one browser: the same pixels as kaleido's own way, faster.

kaleido reloads its page after every image; our tabs reload only every RELOAD_EVERY images
(charts/export.py). The oracle is kaleido's unmodified class drawing the same figures, each
on a freshly loaded page: the PNG bytes must be identical, including for charts drawn on a
tab that has drawn others before.
"""

from __future__ import annotations

import asyncio
import importlib.machinery
import subprocess
import sys
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
from helpers import chromium

from krefeld_data import charts
from krefeld_data.charts import export
from krefeld_data.raw.provenance import Provenance

pytestmark = pytest.mark.browser


def _figures() -> list[go.Figure]:
    """Three different charts from frames typed here (test data, marked as such)."""
    record = Provenance(source="regio", table="12411-01-01-4", origin="test",
                        retrieved_at="2026-12-01T09:00:00+00:00").to_dict()
    over_time = pd.DataFrame({"region_code": ["05114"] * 3 + ["05111"] * 3,
                              "region_name": ["Krefeld"] * 3 + ["Düsseldorf"] * 3,
                              "year": [2020, 2021, 2022] * 2,
                              "value": [227_000.0, 226_500.0, 228_000.0, 620_000.0, 619_000.0, 629_000.0]})
    over_time.attrs["provenance"] = [record]
    bars = over_time[over_time["year"] == 2022].copy()
    bars.attrs["provenance"] = [record]
    return [
        charts.line_over_time(over_time, title="Einwohner", breaks=[2022]),
        charts.compare_cities(bars, title="Einwohner 2022"),
        go.Figure(go.Scatter(x=[1, 2, 3], y=[3, 1, 2], mode="markers"), layout={"title": "Punkte"}),
    ]


def _kaleido_reference(figures: list[go.Figure], folder: Path, *, width: int, height: int,
                       scale: float) -> list[bytes]:
    """Each figure drawn by kaleido's own class, which reloads its page before every image."""
    import kaleido

    async def draw() -> None:
        async with kaleido.Kaleido(n=1, mathjax=False) as k:
            await k.write_fig_from_object([
                {"fig": fig, "path": folder / f"{i}.png",
                 "opts": {"format": "png", "width": width, "height": height, "scale": scale}}
                for i, fig in enumerate(figures)
            ], cancel_on_error=True)

    asyncio.run(draw())
    return [(folder / f"{i}.png").read_bytes() for i in range(len(figures))]


@pytest.mark.parametrize("reload_every", [25, 2])
def test_a_reused_tab_draws_the_same_png_as_a_fresh_page(tmp_path, monkeypatch, reload_every) -> None:
    chromium()
    monkeypatch.setattr(export, "RELOAD_EVERY", reload_every)  # 2: the reload path runs as well
    figures = _figures() * 2  # the second round is drawn on tabs that drew all three before
    reference_dir = tmp_path / "reference"
    reference_dir.mkdir()
    expected = _kaleido_reference(figures, reference_dir, width=640, height=400, scale=1)
    targets = [tmp_path / "ours" / f"{i}.png" for i in range(len(figures))]
    export.export_many(figures, targets, width=640, heights=[400] * len(figures), scale=1)
    for number, (target, reference) in enumerate(zip(targets, expected, strict=True)):
        assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert target.read_bytes() == reference, f"image {number} differs from kaleido's own"
    assert len({t.read_bytes() for t in targets}) == 3  # three different charts, not one thrice


def test_the_build_browser_serves_every_batch_and_ends_with_the_wait(tmp_path) -> None:
    chromium()
    export.warm_up()
    first = export._browser
    assert first is not None
    figures = _figures()
    export.export_later(figures[:1], [tmp_path / "a.svg"], label="story a")
    export.export_later(figures[1:], [tmp_path / "b.png", tmp_path / "c.svg"], label="story b")
    assert export.wait_for_exports() == []
    assert export._browser is None  # the wait ends the browser
    assert "<svg" in (tmp_path / "a.svg").read_text(encoding="utf-8")
    assert "Einwohner" in (tmp_path / "a.svg").read_text(encoding="utf-8")
    assert (tmp_path / "b.png").read_bytes()[:4] == b"\x89PNG"
    assert not list(tmp_path.glob(".kd-images-*"))  # the staging folder is gone


def test_a_batch_that_fails_is_named_and_leaves_no_half_file(tmp_path, monkeypatch) -> None:
    chromium()
    figures = _figures()
    good = tmp_path / "good.png"
    good.write_bytes(b"kept")  # an image from an earlier build
    with pytest.raises(export.ExportError, match=r"other\.png, good\.png"):
        broken = go.Figure(figures[0])
        broken.layout.meta = {"not json": object()}  # cannot be sent to the browser
        export.export_many([figures[1], broken], [tmp_path / "other.png", good])
    assert good.read_bytes() == b"kept"
    assert not (tmp_path / "other.png").exists()  # a batch lands whole or not at all
    assert not list(tmp_path.glob(".kd-images-*"))


def test_importing_the_chart_kit_in_a_kernel_builds_no_iri_grammar() -> None:
    """In a kernel the kit installs its renderer (plotly loads nbformat → jsonschema); the grammar
    jsonschema would build (1–2 s) is skipped, and the renderer is ours."""
    # PathFinder, not sys.modules: a build test in this process may have blocked the module
    if importlib.machinery.PathFinder.find_spec("rfc3987_syntax") is None:
        pytest.skip("rfc3987_syntax is not installed: there is no grammar to skip")
    code = ("import ipykernel, sys, krefeld_data.charts, plotly.io as pio; "
            "print(repr(sys.modules.get('rfc3987_syntax', 'absent')), 'jsonschema' in sys.modules, "
            "pio.renderers.default)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["None", "True", "krefeld"]


def test_a_build_starts_the_browser_only_when_images_are_missing(tmp_path) -> None:
    """The browser costs seconds to open: a build warms it up only for a story whose PNG or SVG is
    not on disk (an edited chart starts it later, when its images are queued)."""
    import json

    from krefeld_data.publish.embed import EMBED_FOLDER, MANIFEST, images_missing

    folder = tmp_path / EMBED_FOLDER / "01-story"
    assert images_missing(tmp_path, "01-story")  # never exported
    folder.mkdir(parents=True)
    (folder / MANIFEST).write_text(json.dumps([{"slug": "a"}, {"slug": "b"}]), encoding="utf-8")
    for name in ("a.png", "a.svg", "b.png", "b.svg"):
        (folder / name).write_bytes(b"image")
    assert not images_missing(tmp_path, "01-story")
    (folder / "b.svg").unlink()
    assert images_missing(tmp_path, "01-story")


def _svg_geometry(svg: str) -> dict[str, float]:
    """Where plotly.js put the subtitle, the legend and the plot in an exported SVG (px from the top)."""
    import re

    subtitle = re.search(r'<text class="gtitle-subtitle"[^>]*\by="([\d.]+)"[^>]*font-size: ([\d.]+)px', svg)
    legend = re.search(r'<g class="legend"[^>]*transform="translate\([\d.]+,([\d.]+)\)">'
                       r'<rect class="bg"[^>]*height="([\d.]+)"', svg)
    plot = re.search(r'<g class="xy" transform="translate\([\d.]+,\s*([\d.]+)\)"', svg)
    # The source line is the annotation whose text starts with "Quelle"; its box's top edge.
    source = re.search(r'<g class="cursor-pointer" transform="translate\([\d.]+,([\d.]+)\)">'
                       r'<rect class="bg"[^>]*/><text class="annotation-text"[^>]*>'
                       r'(?:<tspan[^>]*>)?Quelle', svg)
    assert subtitle and legend and plot and source, "the SVG lacks a subtitle, legend, plot or source"
    # Category labels under the x axis: the first line's y, and 1.3 em (13 px) per further line.
    ticks = [float(y) + 1.3 * 13 * text.count('class="line"')
             for y, text in re.findall(r'<g class="xtick"><text[^>]*\by="([\d.]+)"[^>]*>(.*?)</text>', svg)]
    return {"subtitle_bottom": float(subtitle.group(1)) + float(subtitle.group(2)),
            "legend_top": float(legend.group(1)),
            "legend_bottom": float(legend.group(1)) + float(legend.group(2)),
            "plot_top": float(plot.group(1)), "source_top": float(source.group(1)),
            "ticks_bottom": max(ticks, default=0.0)}


def test_a_legend_of_many_long_entries_stays_under_a_two_line_title(tmp_path) -> None:
    """The static image carries title and subtitle inside the figure: a legend of three rows
    must push the plot down, not climb into the subtitle (it did, with a fixed top margin).
    The oracle is plotly.js itself: the positions it wrote into the SVG."""
    chromium()
    record = Provenance(source="regio", table="12511-01-01-4", origin="test",
                        retrieved_at="2026-12-01T09:00:00+00:00").to_dict()
    parts = ["Staatenlos, unbekannt, ungeklärt, ohne Angabe", "Australien und Ozeanien", "Amerika",
             "Afrika", "Asien", "Europa"]
    frame = pd.DataFrame([
        {"region_code": code, "region_name": name, "kontinent": part, "value": float(10 + 7 * i + j)}
        for i, (code, name) in enumerate([("05114", "Krefeld"), ("05111", "Düsseldorf")])
        for j, part in enumerate(parts)
    ])
    frame.attrs["provenance"] = [record]
    fig = charts.stacked_share(frame, part="kontinent", subtitle="Anteile in Prozent, 2017",
                               title="Eingebürgerte nach Kontinent der früheren Staatsangehörigkeit")
    svg = export.export_static(fig, tmp_path / "chart.svg").read_text(encoding="utf-8")
    where = _svg_geometry(svg)
    assert where["legend_bottom"] - where["legend_top"] > 50  # the entries did need several rows
    assert where["legend_top"] >= where["subtitle_bottom"]
    assert where["plot_top"] >= where["legend_bottom"]


def test_the_source_line_stays_under_category_labels_of_three_lines(tmp_path) -> None:
    """Long group names wrap under the x axis; the source line moves down with them."""
    chromium()
    record = Provenance(source="destatis", table="12531-0043", origin="test",
                        retrieved_at="2026-12-01T09:00:00+00:00").to_dict()
    groups = ["alle Schutzsuchenden", "ohne ukrainische Staatsangehörigkeit und ohne Geduldete"]
    frame = pd.DataFrame([
        {"region_code": code, "region_name": name, "gruppe": group, "value": 30.0 + 3 * i + j}
        for i, (code, name) in enumerate([("05114", "Krefeld"), ("05111", "Düsseldorf")])
        for j, group in enumerate(groups)
    ])
    frame.attrs["provenance"] = [record]
    fig = charts.compare_cities(frame, group="gruppe", title="Schutzsuchende je 1.000 Einwohner",
                                subtitle="am 31.12.2024", value_format=",.1f")
    assert max(str(x).count("<br>") for t in fig.data for x in t.x) >= 2  # three lines or more
    where = _svg_geometry(export.export_static(fig, tmp_path / "chart.svg").read_text(encoding="utf-8"))
    assert where["source_top"] >= where["ticks_bottom"]


def test_after_a_failed_batch_the_next_one_gets_a_fresh_browser(tmp_path) -> None:
    """A batch that fails is named in one line and its browser is ended; the next batch is
    drawn in a new one."""
    chromium()
    figures = _figures()
    broken = go.Figure(figures[0])
    broken.layout.meta = {"not json": object()}  # cannot be sent to the browser
    export.warm_up()
    export.export_later([broken], [tmp_path / "broken.png"], label="story b")
    worker = export._worker
    if worker is not None:
        worker.join()  # the batch is done, the build has not waited yet
    assert export._browser is None  # the failed batch ended its browser
    export.export_later(figures[1:2], [tmp_path / "good.png"], label="story c")
    problems = export.wait_for_exports()
    assert len(problems) == 1 and "story b" in problems[0]
    assert (tmp_path / "good.png").read_bytes()[:4] == b"\x89PNG"
    assert not (tmp_path / "broken.png").exists()
