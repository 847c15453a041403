"""The chart kit: house look, census breaks and gaps, generated source lines, alt text, export."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys

import pandas as pd
import plotly.io as pio
import pytest
from helpers import chromium

from krefeld_data import charts
from krefeld_data.charts.display import RECORD_ENV
from krefeld_data.charts.export import ExportError
from krefeld_data.errors import KrefeldDataError
from krefeld_data.raw.provenance import SAMPLE_MARK, Provenance


def provenance(origin: str = "api", table: str = "12411-01-01-4", source: str = "regio", **extra) -> dict:
    return Provenance(
        source=source, table=table, origin=origin, retrieved_at="2026-11-25T09:30:00+00:00", **extra
    ).to_dict()


def population(origin: str = "api") -> pd.DataFrame:
    years = [2019, 2020, 2021, 2022, 2023]
    frame = pd.DataFrame({
        "region_code": ["05114"] * 4 + ["05111"] * 5,
        "region_name": ["Krefeld, kreisfreie Stadt"] * 4 + ["Düsseldorf, kreisfreie Stadt"] * 5,
        # Krefeld has no value for 2021: the line must show a gap there.
        "year": [2019, 2020, 2022, 2023, *years],
        "value": [227_417.0, 226_844, 228_100, 229_500, 619_000, 620_523, 621_877, 629_000, 631_000],
        "unit": "Anzahl",
    })
    frame.attrs["provenance"] = provenance(origin, stand="2024-12-31")
    return frame


def trace_named(fig, name: str):
    return next(t for t in fig.data if t.name == name)


def test_the_template_is_registered_as_default_with_german_separators() -> None:
    fig = charts.line_over_time(population(), title="Krefeld wächst wieder")
    assert charts.TEMPLATE_NAME in pio.templates  # registered by the first chart drawn
    assert pio.templates.default == charts.TEMPLATE_NAME
    assert fig.layout.separators == ",."
    assert pio.templates[charts.TEMPLATE_NAME].layout.separators == ",."
    assert fig.layout.yaxis.tickformat == ",d"
    assert fig.layout.xaxis.tickformat == "d"  # years without a thousands dot: 2024, not 2.024
    assert ":,d}" in fig.data[0].hovertemplate


@pytest.fixture
def focus():
    """Set a focus for one test and restore the one before."""
    previous = charts.set_focus(None)
    yield charts.set_focus
    charts.set_focus(previous.city, previous.compare)


def three_cities() -> pd.DataFrame:
    frame = pd.DataFrame({
        "region_code": ["05114", "05111", "05112", "05"],
        "region_name": ["Krefeld", "Düsseldorf", "Duisburg", "Nordrhein-Westfalen"],
        "year": 2023, "value": [1.0, 2.0, 3.0, 4.0], "unit": "Anzahl",
    })
    frame.attrs["provenance"] = provenance()
    return frame


def test_the_focus_city_gets_the_emphasis_whatever_city_it_is(focus) -> None:
    for city, other in (("05114", "05112"), ("05112", "05114")):
        focus(city, [other, "05111"])
        frame = population()
        frame["region_code"] = frame["region_code"].map({"05114": city, "05111": other})
        line = charts.line_over_time(frame, title="t")
        heavy = [t for t in line.data if t.line.width == max(u.line.width for u in line.data)]
        assert [t.line.color for t in heavy] == [charts.FOCUS_COLOUR]
        assert line.data[0].line.color == charts.FOCUS_COLOUR  # drawn first, first in the legend
        bars = charts.compare_cities(three_cities(), title="t")
        colours = dict(zip(bars.data[0].y, bars.data[0].marker.color, strict=True))
        names = {"05114": "Krefeld", "05112": "Duisburg"}
        assert colours[names[city]] == charts.FOCUS_COLOUR
        assert colours[names[other]] != charts.FOCUS_COLOUR


def test_the_palette_follows_the_order_of_the_comparison_cities(focus) -> None:
    focus("05112", ["05111", "05114"])
    first = charts.colour_for("05111")
    focus("05112", ["05114", "05111"])
    assert charts.colour_for("05114") == first  # the first comparison city gets the first colour
    assert charts.colour_for("05111") != first


def test_an_explicit_focus_beats_the_setting(focus) -> None:
    focus("05114")
    bars = charts.compare_cities(three_cities(), title="t", focus="05112")
    colours = dict(zip(bars.data[0].y, bars.data[0].marker.color, strict=True))
    assert colours["Duisburg"] == charts.FOCUS_COLOUR
    assert colours["Krefeld"] != charts.FOCUS_COLOUR


def test_without_a_focus_no_city_is_emphasised(focus) -> None:
    line = charts.line_over_time(population(), title="t")
    assert len({t.line.width for t in line.data}) == 1
    assert charts.FOCUS_COLOUR not in {t.line.color for t in line.data}


def test_the_chart_kit_names_no_city() -> None:
    """Issue 15: no region key typed into the kit's code (the parameters decide)."""
    from pathlib import Path

    folder = Path(charts.__file__).parent
    for path in folder.glob("*.py"):
        assert "05114" not in path.read_text(encoding="utf-8"), path.name


def test_nrw_and_germany_are_grey() -> None:
    for key in ("05", "DG"):
        colour = charts.colour_for(key).lstrip("#")
        assert colour[0:2] == colour[2:4] == colour[4:6]


def test_importing_the_chart_kit_loads_nothing_heavy() -> None:
    """Issue 12: nbformat (jsonschema, rfc3987 grammar), IPython, kaleido, jinja2 load on use only."""
    code = ("import sys, krefeld_data.charts; "
            "print(','.join(m for m in ('nbformat', 'jsonschema', 'IPython', 'kaleido', 'jinja2') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_an_unknown_city_gets_the_same_colour_in_every_process() -> None:
    here = charts.colour_for("05315")
    code = "from krefeld_data.charts import colour_for; print(colour_for('05315'))"
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        assert out.stdout.strip() == here


def test_a_missing_year_is_a_gap_and_a_census_break_splits_the_line() -> None:
    fig = charts.line_over_time(population(), title="t", breaks=[2022])
    krefeld = trace_named(fig, "Krefeld")
    points = dict(zip(krefeld.x, krefeld.y, strict=True))
    assert points[2021] is None  # not interpolated
    assert points[2021.5] is None  # no line drawn across the census break
    assert krefeld.connectgaps is False
    assert [s.x0 for s in fig.layout.shapes] == [2021.5]
    assert any(a.text == "Zensus 2022" for a in fig.layout.annotations)


def test_monthly_dates_get_german_month_names_on_ticks_and_in_hover_text() -> None:
    frame = pd.DataFrame({
        "region_code": "DG", "region_name": "Deutschland",
        "date": pd.date_range("2023-01-01", periods=14, freq="MS"), "value": range(14),
    })
    frame.attrs["provenance"] = provenance(table="migr_asyappctza", source="eurostat")
    fig = charts.line_over_time(frame, x="date", title="t")
    assert "März 2023" in fig.layout.xaxis.ticktext or "Mai 2023" in fig.layout.xaxis.ticktext
    assert all(label.endswith(("2023", "2024")) for label in fig.layout.xaxis.ticktext)
    assert fig.data[0].customdata[2] == "März 2023"
    assert "%{customdata}" in fig.data[0].hovertemplate


def test_the_source_line_is_generated_from_the_provenance() -> None:
    fig = charts.line_over_time(population(), title="t")
    assert fig.layout.meta["source_line"] == (
        "Quelle: Statistische Ämter des Bundes und der Länder, Regionaldatenbank Deutschland, "
        "Tabelle 12411-01-01-4 (Stand 31.12.2024, abgerufen am 25.11.2026), Lizenz dl-de/by-2-0; "
        "eigene Berechnung"
    )
    source = [a for a in fig.layout.annotations if a.name == "kd-source"]
    assert len(source) == 1 and "12411-01-01-4" in source[0].text


def test_several_sources_are_grouped_by_database_and_licence() -> None:
    frame = population()
    frame.attrs = {"sources": [
        provenance(table="12411-01-01-4"), provenance(table="12411-03-03-4"),
        provenance(table="migr_asyappctza", source="eurostat"),
    ]}
    line = charts.source_line(frame)
    assert line.startswith("Quellen: Statistische Ämter des Bundes und der Länder, Regionaldatenbank "
                           "Deutschland, Tabellen 12411-01-01-4 (")
    assert " und 12411-03-03-4 (" in line
    assert "; Eurostat, Tabelle migr_asyappctza" in line
    # different licences: each group names its own
    assert "Lizenz dl-de/by-2-0" in line and "Lizenz CC BY 4.0" in line


def test_the_same_record_twice_is_cited_once() -> None:
    record = provenance()
    assert charts.source_line(record, [record]).count("12411-01-01-4") == 1


@pytest.mark.parametrize("sources", [None, [], {}])
def test_a_chart_without_provenance_is_refused(sources) -> None:
    frame = population()
    frame.attrs = {}
    with pytest.raises(KrefeldDataError, match="provenance"):
        charts.line_over_time(frame, title="t", sources=sources)


@pytest.mark.parametrize("origin", ["sample", "test"])
def test_sample_data_is_marked_on_the_chart_itself(origin: str) -> None:
    fig = charts.line_over_time(population(origin), title="t")
    assert [a.text for a in fig.layout.annotations if a.name == "kd-sample"] == [SAMPLE_MARK]
    assert fig.layout.meta["sample"] is True


def test_real_data_carries_no_sample_mark() -> None:
    fig = charts.line_over_time(population("api"), title="t")
    assert not [a for a in fig.layout.annotations if a.name == "kd-sample"]


def test_alt_text_names_range_extremes_and_the_highlight() -> None:
    fig = charts.line_over_time(population(), title="Krefeld wächst wieder")
    charts.highlight_value(fig, x=2023, y=229_500)
    alt = fig.layout.meta["alt"]
    assert "Krefeld wächst wieder" in alt
    assert "2019 bis 2023" in alt
    assert "631.000 (Düsseldorf, 2023)" in alt
    assert "226.844 (Krefeld, 2020)" in alt
    assert "Hervorgehoben: 229.500 (2023)" in alt
    assert any(a.name == "kd-highlight" and "229.500" in a.text for a in fig.layout.annotations)


def test_the_author_can_override_the_alt_text() -> None:
    fig = charts.line_over_time(population(), title="t", alt="Krefeld wächst seit 2020.")
    charts.highlight_value(fig, x=2023, y=229_500)
    assert fig.layout.meta["alt"] == "Krefeld wächst seit 2020."


def pyramid_frame() -> pd.DataFrame:
    frame = pd.DataFrame({
        "age": ["unter 18", "18 bis 64", "65 und älter"] * 2,
        "sex": ["männlich"] * 3 + ["weiblich"] * 3,
        "value": [20_000.0, 70_000, 21_000, 19_000, 69_000, 28_000],
    })
    frame.attrs["provenance"] = provenance()
    return frame


def test_population_pyramid_puts_one_sex_to_each_side_with_absolute_labels() -> None:
    fig = charts.population_pyramid(pyramid_frame(), title="t")
    left, right = fig.data
    assert left.name == "männlich" and all(v < 0 for v in left.x)
    assert right.name == "weiblich" and all(v > 0 for v in right.x)
    assert fig.layout.barmode == "relative"
    assert not any(text.startswith("-") for text in fig.layout.xaxis.ticktext)
    assert "70.000" in fig.layout.meta["alt"]  # extremes as absolute numbers


def test_stacked_share_adds_up_to_100_percent_per_city() -> None:
    frame = pd.DataFrame({
        "region_code": ["05114", "05114", "05111", "05111"],
        "region_name": ["Krefeld", "Krefeld", "Düsseldorf", "Düsseldorf"],
        "staag": ["deutsch", "ausländisch"] * 2,
        "value": [180_000.0, 47_000, 480_000, 140_000],
    })
    frame.attrs["provenance"] = provenance()
    fig = charts.stacked_share(frame, title="t")
    assert fig.layout.barmode == "stack"
    totals = [sum(t.x[i] for t in fig.data) for i in range(2)]
    assert totals == pytest.approx([100.0, 100.0])
    assert trace_named(fig, "ausländisch").x[0] == pytest.approx(47_000 / 227_000 * 100)


def test_compare_cities_as_small_multiples_draws_one_panel_per_city() -> None:
    frame = pyramid_frame().rename(columns={"sex": "region_code"})
    frame["region_code"] = frame["region_code"].map({"männlich": "05114", "weiblich": "05111"})
    fig = charts.compare_cities(frame, title="t", group="age", label=None, small_multiples=True)
    assert {t.xaxis for t in fig.data} == {"x", "x2"}
    grouped = charts.compare_cities(frame, title="t", group="age", label=None)
    assert grouped.layout.barmode == "group" and len(grouped.data) == 2


def test_a_total_and_its_parts_in_one_frame_are_refused_not_added_up() -> None:
    frame = pd.concat([population().assign(ges="Insgesamt"), population().assign(ges="weiblich")])
    frame.attrs["provenance"] = provenance()
    with pytest.raises(KrefeldDataError, match="filter on ges"):
        charts.line_over_time(frame, title="t")


def test_a_helper_names_the_column_it_misses() -> None:
    with pytest.raises(KrefeldDataError, match="'age'"):
        charts.population_pyramid(population(), title="t")


def test_figure_html_puts_title_alt_and_source_around_the_chart() -> None:
    fig = charts.line_over_time(population("sample"), title="Krefeld wächst <wieder>")
    markup = charts.figure_html(fig)
    assert "Krefeld wächst &lt;wieder&gt;" in markup
    assert '<figcaption class="kd-source">Quelle: Statistische Ämter' in markup
    assert f'aria-label="{html.escape(fig.layout.meta["alt"])}"' in markup
    assert SAMPLE_MARK in markup
    assert "plotly.min.js" not in markup and "<script src" not in markup  # no inlined library
    assert '"separators":",."' in markup


def test_show_records_the_sources_for_the_methodology_box(tmp_path, monkeypatch) -> None:
    record = tmp_path / "record.jsonl"
    monkeypatch.setenv(RECORD_ENV, str(record))
    charts.show(charts.line_over_time(population(), title="t", breaks=[2022]))
    entry = json.loads(record.read_text(encoding="utf-8"))
    assert entry["sources"][0]["table"] == "12411-01-01-4"
    assert entry["breaks"] == [2022]
    assert "region_code" in entry["columns"]


def test_export_without_a_browser_says_how_to_get_one(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-browser"))
    with pytest.raises(ExportError, match="chromium"):
        charts.export_static(charts.line_over_time(population(), title="t"), tmp_path / "chart.png")


@pytest.mark.browser
def test_static_export_writes_png_and_svg_with_the_source_line(tmp_path, monkeypatch) -> None:
    chromium()
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    fig = charts.line_over_time(population("sample"), title="Krefeld wächst wieder", breaks=[2022])
    png = charts.export_static(fig, tmp_path / "chart.png")
    svg = charts.export_static(fig, tmp_path / "chart.svg")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = svg.read_text(encoding="utf-8")
    assert "Quelle: Statistische" in text and "Beispieldaten" in text
    assert "600.000" in text  # German thousands separator on the axis
    assert os.environ["BROWSER_PATH"] == shutil.which("chromium")


def test_bars_of_categories_that_are_not_regions_share_one_colour() -> None:
    frame = pd.DataFrame({"region_code": ["Offener Schutzstatus", "Geduldet", "Befristet anerkannt"],
                          "region_name": ["Offener Schutzstatus", "Geduldet", "Befristet anerkannt"],
                          "value": [595.0, 740.0, 6950.0]})
    frame.attrs["provenance"] = provenance()
    bars = charts.compare_cities(frame, title="t")
    assert len(set(bars.data[0].marker.color)) == 1


def test_several_snapshots_of_one_table_are_one_source_with_every_vintage() -> None:
    """Issue 14 §3.9: a spliced series cites its table once, with each Stand, not once per download."""
    from krefeld_data.charts.source_line import source_line

    def record(sha: str, stand: str | None, retrieved: str, table: str = "12411-01-01-4") -> dict:
        return {"source": "regio", "table": table, "producer": "Statistische Ämter des Bundes und der Länder",
                "database": "Regionaldatenbank Deutschland", "stand": stand, "retrieved_at": retrieved,
                "licence": "dl-de/by-2-0", "origin": "test", "sha256": sha}

    line = source_line([record("a", "10.10.2017 / 11:57:53", "2026-12-01T10:00:00+00:00"),
                        record("b", "2025-03-31", "2026-03-10T08:00:00+00:00"),
                        record("c", "04.04.2022 07:50:07h", "2024-12-03T08:00:00+00:00"),
                        record("d", None, "2026-12-01T10:00:00+00:00", table="12411-03-03-4")])
    assert line.count("12411-01-01-4") == 1
    assert "Stände 10.10.2017, 04.04.2022 und 31.03.2025" in line
    assert "abgerufen 03.12.2024 bis 01.12.2026" in line
    assert "12411-03-03-4 (abgerufen am 01.12.2026)" in line


def test_long_legend_entries_wrap_on_the_page_but_not_in_the_data() -> None:
    """plotly.js does not wrap legend text; on a phone a long entry ran off the screen."""
    long_name = "Staatenlos, unbekannt, ungeklärt, ohne Angabe"
    frame = pd.DataFrame({"region_code": ["05114", "05114", "05111", "05111"],
                          "region_name": ["Krefeld", "Krefeld", "Düsseldorf", "Düsseldorf"],
                          "staag": [long_name, "Europa"] * 2, "value": [30.0, 70.0, 40.0, 60.0]})
    frame.attrs["provenance"] = provenance()
    fig = charts.stacked_share(frame, title="t")
    html_text = charts.figure_html(fig)
    names = [json.loads(f'"{raw}"') for raw in re.findall(r'"name":"((?:[^"\\]|\\.)*)"', html_text)]
    assert "Staatenlos, unbekannt,<br>ungeklärt, ohne Angabe" in names  # the page's figure JSON
    assert "Europa" in names
    assert [t.name for t in fig.data] == [long_name, "Europa"]  # the figure itself keeps its names
