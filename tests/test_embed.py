"""Every chart as its own piece: embed page, CSV, PNG, SVG, Datawrapper file, embed code, front page.

Unit tests draw charts from frames typed here (test data) and compare the exported CSV with
those frames, read back with the ``csv`` module. The demo test builds the pages from the
package's sample data, as ``make demo`` does, and checks every chart's files and the pages.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from helpers import chromium

from krefeld_data import charts, config
from krefeld_data.charts.display import EMBED_MARK, RECORD_ENV, slugify
from krefeld_data.publish.embed import (
    ChartPiece,
    chart_csv,
    datawrapper_spec,
    export_charts,
    iframe_code,
    numeral_format,
)
from krefeld_data.raw.provenance import SAMPLE_MARK, Provenance


def provenance(origin: str = "test", table: str = "12411-01-01-4") -> dict:
    return Provenance(source="regio", table=table, origin=origin,
                      retrieved_at="2026-11-25T09:30:00+00:00").to_dict()


def population() -> pd.DataFrame:
    frame = pd.DataFrame({
        "region_code": ["05114"] * 4 + ["05111"] * 5,
        "region_name": ["Krefeld"] * 4 + ["Düsseldorf"] * 5,
        "year": [2019, 2020, 2022, 2023, 2019, 2020, 2021, 2022, 2023],  # Krefeld: no 2021
        "value": [227_417.0, 226_844, 228_100, 229_500, 619_000, 620_523, 621_877, 629_000, 631_000],
        "unit": "Anzahl",
    })
    frame.attrs["provenance"] = provenance()
    return frame


def recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *figures) -> list[dict]:
    """What the build's record file holds after a notebook showed ``figures``."""
    record = tmp_path / f"record-{len(list(tmp_path.glob('record-*')))}.jsonl"
    monkeypatch.setenv(RECORD_ENV, str(record))
    for fig in figures:
        charts.show(fig)
    monkeypatch.delenv(RECORD_ENV)
    return [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_the_csv_of_a_line_chart_has_one_column_per_series_and_the_typed_values(tmp_path,
                                                                              monkeypatch) -> None:
    fig = charts.line_over_time(population(), title="Einwohner", breaks=[2022])
    (entry,) = recorded(tmp_path, monkeypatch, fig)
    rows = read_csv(chart_csv(entry["figure"]))
    mark = f" ({SAMPLE_MARK})"  # test data is marked like sample data
    assert rows[0] == ["Jahr", f"Krefeld{mark}", f"Düsseldorf{mark}"]
    table = {row[0]: row[1:] for row in rows[1:]}
    assert list(table) == ["2019", "2020", "2021", "2022", "2023"]  # no 2021.5 helper point
    assert table["2021"] == ["", "621877"]  # Krefeld's gap stays empty, not 0
    assert table["2023"] == ["229500", "631000"]


def test_the_csv_of_a_pyramid_holds_absolute_values_and_shares_stay_per_cent(tmp_path, monkeypatch) -> None:
    frame = pd.DataFrame({"age": ["unter 18", "unter 18", "18 und mehr", "18 und mehr"],
                          "sex": ["männlich", "weiblich", "männlich", "weiblich"],
                          "value": [10.5, 11.0, 39.5, 39.0]})
    frame.attrs["provenance"] = provenance()
    pyramid = charts.population_pyramid(frame, title="Altersaufbau")
    shares = pd.DataFrame({"region_code": ["05114", "05114"], "region_name": ["Krefeld"] * 2,
                           "staag": ["deutsch", "ausländisch"], "value": [3.0, 1.0]})
    shares.attrs["provenance"] = provenance()
    stacked = charts.stacked_share(shares, title="Anteile")
    first, second = recorded(tmp_path, monkeypatch, pyramid, stacked)
    rows = read_csv(chart_csv(first["figure"]))
    mark = f" ({SAMPLE_MARK})"
    assert rows[0] == ["Altersgruppe", f"männlich{mark}", f"weiblich{mark}"]
    assert rows[1] == ["unter 18", "10.5", "11"]  # the left half is drawn negative, exported positive
    rows = read_csv(chart_csv(second["figure"]))
    assert rows == [["Region", f"deutsch{mark}", f"ausländisch{mark}"], ["Krefeld", "75", "25"]]


def test_datawrapper_gets_the_matching_type_language_notes_and_number_format(tmp_path, monkeypatch) -> None:
    line = charts.line_over_time(population(), title="Einwohner", breaks=[2022])
    sample = population()
    sample.attrs["provenance"] = provenance("sample")
    bars = charts.compare_cities(sample[sample["year"] == 2023], title="Vergleich", value_format=",.1f")
    first, second = recorded(tmp_path, monkeypatch, line, bars)
    spec = datawrapper_spec(first)
    assert spec["type"] == "d3-lines" and spec["language"] == "de-DE"
    describe = spec["metadata"]["describe"]
    assert describe["source-name"].startswith("Statistische Ämter des Bundes und der Länder")
    assert describe["source-url"] == "https://www.regionalstatistik.de/"
    assert "2022" in spec["metadata"]["annotate"]["notes"]
    spec = datawrapper_spec(second)
    assert spec["type"] == "d3-bars"
    assert spec["metadata"]["describe"]["number-format"] == "0,0.0"
    assert SAMPLE_MARK in spec["title"] and SAMPLE_MARK in spec["metadata"]["annotate"]["notes"]


@pytest.mark.parametrize(("d3", "numeral"),
                         [(",d", "0,0"), (",.1f", "0,0.0"), (".2f", "0.00"), (",.0f", "0,0")])
def test_number_formats_are_translated_for_datawrapper(d3: str, numeral: str) -> None:
    assert numeral_format(d3) == numeral


def test_slugs_come_from_titles_are_unique_in_a_story_and_the_same_next_time(tmp_path, monkeypatch) -> None:
    assert slugify("Schutzsuchende je 1.000 Einwohner") == "schutzsuchende-je-1000-einwohner"
    assert slugify("Einbürgerungen: Ärger über Straßen") == "einbuergerungen-aerger-ueber-strassen"
    figures = [charts.line_over_time(population(), title="Einwohner") for _ in range(2)]
    first = [e["slug"] for e in recorded(tmp_path, monkeypatch, *figures)]
    second = [e["slug"] for e in recorded(tmp_path, monkeypatch, *figures)]  # the next build
    assert first == second == ["einwohner", "einwohner-2"]


def test_export_writes_the_files_puts_the_embed_code_on_the_page_and_drops_stale_ones(tmp_path,
                                                                                     monkeypatch) -> None:
    entries = recorded(tmp_path, monkeypatch, charts.line_over_time(population(), title="Einwohner"),
                       charts.compare_cities(population()[lambda f: f["year"] == 2023], title="Vergleich"))
    reports = config.reports_dir()
    reports.mkdir(parents=True)
    page = reports / "01-test.html"
    page.write_text("<main>" + "".join(EMBED_MARK.format(slug=e["slug"]) for e in entries) + "</main>",
                    encoding="utf-8")
    pieces = export_charts("01-test", entries, reports, images=False)
    folder = reports / "embed" / "01-test"
    assert [p.slug for p in pieces] == ["einwohner", "vergleich"]
    for piece in pieces:
        for suffix in (".html", ".csv", ".datawrapper.json"):
            assert (reports / piece.file(suffix)).is_file(), piece.file(suffix)
    text = page.read_text(encoding="utf-8")
    assert text.count("Grafik einbinden") == 2 and "kd-embed:" not in text
    dom = BeautifulSoup(text, "html.parser")
    code = dom.select_one("textarea.kd-embed-code").get_text()
    assert 'src="embed/01-test/einwohner.html"' in code and "<iframe" in code and "postMessage" not in code
    links = {a["href"] for a in dom.select(".kd-embed a")}
    assert {"embed/01-test/einwohner.png", "embed/01-test/einwohner.svg", "embed/01-test/einwohner.csv",
            "embed/01-test/einwohner.datawrapper.json"} <= links
    export_charts("01-test", entries[:1], reports, images=False)  # the story dropped a chart
    assert not list(folder.glob("vergleich.*"))
    assert json.loads((folder / "charts.json").read_text(encoding="utf-8"))[0]["slug"] == "einwohner"


def test_the_iframe_code_uses_the_public_address_when_one_is_set(monkeypatch) -> None:
    piece = ChartPiece("02-schutzsuchende", "je-1000", "Je 1.000", False)
    monkeypatch.setenv("KREFELD_DATA_PUBLIC_URL", "https://daten.example.org/krefeld/")
    code = iframe_code(piece)
    assert 'src="https://daten.example.org/krefeld/embed/02-schutzsuchende/je-1000.html"' in code
    assert 'data-kd-chart="02-schutzsuchende/je-1000"' in code
    assert "kd-embed-height" in code  # the height follows the chart


# ---------------------------------------------------------------- the demo, as `make demo` builds it

@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from krefeld_data.publish.build import build_reports
    from krefeld_data.raw.store import RawStore
    from krefeld_data.samples import install_samples

    chromium()  # PNG and SVG need it
    root = tmp_path_factory.mktemp("embed-demo")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(config.DATA_DIR_ENV, str(root / "data"))
        patch.setenv(config.REPORTS_DIR_ENV, str(root / "reports"))
        install_samples(RawStore())
        build_reports(progress=False)
    return root / "reports"


@pytest.mark.browser
@pytest.mark.slow
def test_the_demo_has_every_charts_embed_page_csv_png_svg_and_datawrapper_file(demo: Path) -> None:
    from krefeld_data.catalog import STORIES

    total = 0
    for story in STORIES:
        manifest = json.loads((demo / "embed" / story.slug / "charts.json").read_text(encoding="utf-8"))
        page = BeautifulSoup((demo / f"{story.slug}.html").read_text(encoding="utf-8"), "html.parser")
        figures = page.select("figure.kd-chart")
        assert len(manifest) == len(figures) > 0, story.slug
        assert len(page.select("details.kd-embed")) == len(figures)
        for chart, figure in zip(manifest, figures, strict=True):
            base = demo / "embed" / story.slug / chart["slug"]
            png = base.with_suffix(".png").read_bytes()
            assert png[:8] == b"\x89PNG\r\n\x1a\n"
            svg = base.with_suffix(".svg").read_text(encoding="utf-8")
            assert "Quelle" in svg and "Beispieldaten" in svg  # the source line and the sample mark
            rows = list(csv.reader(base.with_suffix(".csv").open(encoding="utf-8", newline="")))
            assert len(rows) > 1 and all(len(r) == len(rows[0]) for r in rows)
            assert all(SAMPLE_MARK in name for name in rows[0][1:])  # the demo's data is made up
            spec = json.loads(Path(f"{base}.datawrapper.json").read_text(encoding="utf-8"))
            assert spec["language"] == "de-DE" and spec["type"]
            embed = BeautifulSoup(base.with_suffix(".html").read_text(encoding="utf-8"), "html.parser")
            title = figure.select_one(".kd-chart-title").get_text()
            assert embed.select_one(".kd-chart-title").get_text() == title
            assert embed.select_one(".kd-source").get_text() == figure.select_one(".kd-source").get_text()
            assert embed.select_one(".kd-sample-mark").get_text() == SAMPLE_MARK
            assert embed.select_one(".kd-alt").get_text()
            scripts = [s.get("src") for s in embed.select("script[src]")]
            assert "../../assets/plotly.min.js" in scripts
            assert (base.parent / "../../assets/plotly.min.js").resolve().is_file()
            total += 1
    assert total >= 10


@pytest.mark.browser
@pytest.mark.slow
def test_the_front_page_has_a_teaser_per_story_with_its_verdict_and_thumbnail(demo: Path) -> None:
    from krefeld_data.catalog import STORIES

    index = BeautifulSoup((demo / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert index.h1.get_text() == "Krefeld in Zahlen"
    assert index.select_one(".kd-intro").get_text(strip=True)
    teasers = index.select("li.kd-teaser")
    assert [t["data-slug"] for t in teasers] == [s.slug for s in STORIES]
    for teaser in teasers:
        text = (demo / f"{teaser['data-slug']}.html").read_text(encoding="utf-8")
        page = BeautifulSoup(text, "html.parser")
        on_page = list(dict.fromkeys(w["data-word"] for w in page.select(".kd-verdict .kd-verdict-word")))
        assert [w.get_text() for w in teaser.select(".kd-verdict-word")] == on_page
        image = teaser.select_one("img")
        assert image is not None and (demo / image["src"]).is_file()
        first = json.loads((demo / "embed" / teaser["data-slug"] / "charts.json").read_text("utf-8"))[0]
        assert image["src"].endswith(f"{first['slug']}.png")


def test_the_front_page_follows_the_city_and_lists_what_is_not_built(tmp_path) -> None:
    from krefeld_data.publish.pages import render_index

    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "01-a.html").write_text(
        '<section class="kd-verdict"><p><strong class="kd-verdict-word" data-word="teilweise belegt">'
        'teilweise belegt</strong></p></section>', encoding="utf-8")
    entries = [
        {"slug": "01-a", "title": "Erste", "status": "built", "page": "01-a.html", "built_at": "heute",
         "sample": False, "message": ""},
        {"slug": "02-b", "title": "Zweite", "status": "skipped", "page": None, "built_at": "",
         "sample": False, "message": "Tabelle 12531-0043 fehlt: krefeld-data fetch 12531-0043 --db destatis"},
    ]
    page = BeautifulSoup(render_index(entries, title="Duisburg in Zahlen", reports=reports), "html.parser")
    assert page.h1.get_text() == "Duisburg in Zahlen"
    intro = page.select_one(".kd-intro").get_text()
    assert "Duisburg" in intro and "Krefeld in Zahlen" not in intro
    assert [w.get_text() for w in page.select(".kd-teaser .kd-verdict-word")] == ["teilweise belegt"]
    missing = page.select(".kd-not-built li")
    assert [li["data-slug"] for li in missing] == ["02-b"]
    assert "krefeld-data fetch 12531-0043 --db destatis" in missing[0].get_text()


@pytest.mark.browser
@pytest.mark.slow
def test_every_column_a_demo_page_lists_is_described_as_its_dataset_says(demo: Path) -> None:
    """"Was die Spalten bedeuten" names what each chart shows, from the data dictionary of the
    dataset the chart was drawn from (it said "Einwohner" for naturalisations once, and
    "Merkmal aus der Quelltabelle" for rates the story computed)."""
    from krefeld_data.catalog import STORIES
    from krefeld_data.datasets.datapackage import UNDESCRIBED
    from krefeld_data.datasets.registry import DATASETS

    boxes = {}
    for story in STORIES:
        page = BeautifulSoup((demo / f"{story.slug}.html").read_text(encoding="utf-8"), "html.parser")
        heading = page.find("h3", string="Was die Spalten bedeuten")
        assert heading is not None, story.slug
        box = heading.find_next("dl")
        boxes[story.slug] = dict(zip([dt.get_text() for dt in box.find_all("dt")],
                                     [dd.get_text() for dd in box.find_all("dd")], strict=True))
        undescribed = [name for name, meaning in boxes[story.slug].items() if meaning == UNDESCRIBED]
        assert not undescribed, f"{story.slug}: {undescribed}"
    naturalised = {name: meaning for name, meaning in boxes["04-einbuergerungen"].items()
                   if name.startswith("value")}
    # one entry per chart where ``value`` means different things, each named after its chart
    assert naturalised["value (Eingebürgerte nach Kontinent der früheren Staatsangehörigkeit)"] == (
        DATASETS["einbuergerungen_kontinente"].columns["value"])
    assert boxes["02-schutzsuchende"]["rate"].startswith("berechnet:")
    assert boxes["02-schutzsuchende"]["ukrainian_share"].startswith("berechnet:")
    shares = boxes["01-wer-lebt-in-der-stadt"]
    share_rows = [meaning for name, meaning in shares.items() if name.startswith("share_percent")]
    assert len(share_rows) >= 2  # the foreigners' share and the migration background are not one column
    assert any("ausländ" in meaning.lower() or "Staatsangehörigkeit" in meaning for meaning in share_rows)
