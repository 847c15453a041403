"""Every chart as its own piece, for newsrooms that embed, rebuild or re-use single charts.

A newsroom rarely publishes a whole page: it embeds one chart in its CMS, rebuilds it in
Datawrapper, or hands its data to readers. For each chart a story notebook showed
(:func:`krefeld_data.charts.show` records it during the build) this writes, beside the pages::

    reports/embed/<story>/<chart>.html               standalone responsive chart page
    reports/embed/<story>/<chart>.csv                the chart's data, one column per series
    reports/embed/<story>/<chart>.png / .svg         static images (kaleido + Debian's chromium)
    reports/embed/<story>/<chart>.datawrapper.json   what Datawrapper's API takes for the chart
    reports/embed/<story>/charts.json                the story's charts in page order

and puts "Grafik einbinden" (iframe code and downloads) under each chart of the story page.
Chart slugs come from the chart titles, so the files keep their names from build to build.
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from krefeld_data.charts.display import EMBED_MARK, figure_html
from krefeld_data.charts.theme import STATIC_WIDTH
from krefeld_data.errors import KrefeldDataError
from krefeld_data.publish.pages import ASSETS, EMBED_FOLDER, MANIFEST, scrub, story_charts, write_if_changed
from krefeld_data.raw.provenance import SAMPLE_MARK
from krefeld_data.util.atomic import write_text_atomically

PUBLIC_URL_ENV = "KREFELD_DATA_PUBLIC_URL"  # where reports/ is served, for absolute iframe code
BYLINE = "krefeld-data"
IMAGE_WIDTH = STATIC_WIDTH  # the chart kit sizes short charts for their legend at this width
# Datawrapper's ids for our chart kinds (https://developer.datawrapper.de/docs/chart-types).
DATAWRAPPER_TYPES = {
    "line": "d3-lines",
    "bars": "d3-bars",
    "columns": "grouped-column-chart",
    "small_multiples": "grouped-column-chart",
    "pyramid": "d3-bars-split",
    "stacked_share": "d3-bars-stacked",
}
_SAFE_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class EmbedError(KrefeldDataError):
    """A chart record cannot be turned into its own files."""


@dataclass(frozen=True)
class ChartPiece:
    """One exported chart: its slug, title and the files beside the pages (relative to reports/)."""

    story: str
    slug: str
    title: str
    sample: bool

    @property
    def folder(self) -> str:
        return f"{EMBED_FOLDER}/{self.story}"

    def file(self, suffix: str) -> str:
        return f"{self.folder}/{self.slug}{suffix}"


# ---------------------------------------------------------------- the chart's data as a table

def _number(value: Any) -> float | None:
    if value is None or isinstance(value, str):
        try:
            return float(value) if value not in (None, "") else None
        except ValueError:
            return None
    number = float(value)
    return None if math.isnan(number) else number


def _category(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).replace("<br>", " ")  # labels the chart wraps are one cell
    return text[:10] if re.match(r"^\d{4}-\d{2}-\d{2}T00:00:00", text) else text


def _is_helper_point(kind: str, x: Any) -> bool:
    """The line kit inserts a blank point at a census break (year - 0.5) to cut the line."""
    return kind == "line" and isinstance(x, float) and not x.is_integer()


def chart_table(figure: Mapping[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """The chart's numbers as a header and rows: one row per category, one column per series.

    Read from the figure's traces, so the table holds exactly what the chart shows (a pyramid
    its absolute values, a 100 % bar its shares in per cent).
    """
    layout = figure.get("layout", {})
    meta = layout.get("meta") or {}
    kind = meta.get("kind", "")
    traces = [t for t in figure.get("data", []) if t.get("meta") != "kd-helper"]
    columns: dict[str, dict[str, float | None]] = {}
    categories: list[str] = []
    for number, trace in enumerate(traces, start=1):
        horizontal = trace.get("orientation") == "h"
        cats = trace.get("y") if horizontal else trace.get("x")
        values = trace.get("x") if horizontal else trace.get("y")
        if kind == "pyramid" and trace.get("customdata") is not None:
            values = trace["customdata"]
        if cats is None or values is None:
            continue
        name = str(trace.get("name") or "") or _value_header(meta) or f"Reihe {number}"
        column = columns.setdefault(name, {})
        for cat, value in zip(cats, values, strict=False):
            if _is_helper_point(kind, cat):
                continue
            key = _category(cat)
            if key not in column and key not in categories:
                categories.append(key)
            column[key] = _number(value)
    if not columns:
        raise EmbedError(f"chart {meta.get('title', '')!r} has no values to export")
    if kind == "bars" and len(columns) == 1:
        categories.reverse()  # plotly draws the first row at the bottom; the table starts on top
    # Sample data carries its mark in every column name: a downloaded table must not pass for
    # real numbers, and a header is the one place Datawrapper and spreadsheets keep it.
    mark = f" ({SAMPLE_MARK})" if meta.get("sample") else ""
    header = [_category_header(meta), *(f"{name}{mark}" for name in columns)]
    rows = [[cat, *(columns[name].get(cat) for name in columns)] for cat in categories]
    return header, rows


def _category_header(meta: Mapping[str, Any]) -> str:
    if meta.get("category_title"):
        return str(meta["category_title"])
    if meta.get("kind") == "line":
        return str(meta.get("x_title") or "Jahr")
    if meta.get("kind") == "pyramid":
        return "Altersgruppe"
    return "Kategorie"


def _value_header(meta: Mapping[str, Any]) -> str:
    unit = str(meta.get("unit") or "")
    return unit if unit and unit != "Anzahl" else "Wert"


def _csv_number(value: float | None) -> str:
    if value is None:
        return ""
    # Four decimals are more than any chart shows; no float noise such as 27.7074629926578.
    return str(int(value)) if float(value).is_integer() else format(round(value, 4), ".15g")


def chart_csv(figure: Mapping[str, Any]) -> str:
    """The table as CSV the way Datawrapper and spreadsheets read it: UTF-8, commas, a dot
    for decimals, empty where the chart shows no value."""
    header, rows = chart_table(figure)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row[0], *(_csv_number(v) for v in row[1:])])
    return out.getvalue()


# ---------------------------------------------------------------- Datawrapper

def numeral_format(value_format: str) -> str:
    """plotly's d3 format (``,d``, ``,.1f``) as Datawrapper's numeral format (``0,0``, ``0,0.0``)."""
    match = re.match(r"^(,?)\.?(\d*)([df%]?)$", value_format or ",d")
    if not match:
        return "0,0.[00]"
    grouping, decimals, _ = match.groups()
    base = "0,0" if grouping else "0"
    places = int(decimals) if decimals else 0
    return base + ("." + "0" * places if places else "")


def _source_url(sources: Sequence[Mapping[str, Any]]) -> str:
    from krefeld_data.raw.databases import DATABASES

    for record in sources:
        if record.get("source") == "eurostat" and record.get("table"):
            return f"https://ec.europa.eu/eurostat/databrowser/view/{record['table']}/default/table"
        database = DATABASES.get(str(record.get("source", "")))
        if database is not None and database.registration_url:
            return database.registration_url
    return ""


def _notes(record: Mapping[str, Any]) -> str:
    """Census breaks, rounding and the sample mark, as one line under the chart."""
    notes = []
    breaks = record.get("breaks") or []
    if breaks:
        years = ", ".join(str(b) for b in breaks)
        notes.append(f"Die gestrichelten Linien markieren Brüche in der Reihe ({years}): davor und "
                     "danach beruhen die Werte auf verschiedenen Zählungen.")
    tables = {str(s.get("table", "")) for s in record.get("sources", [])}
    if any(t.startswith("12531-") for t in tables):
        notes.append("Die Statistik der Schutzsuchenden rundet jeden Wert auf ein Vielfaches von 5.")
    if (record.get("figure", {}).get("layout", {}).get("meta") or {}).get("kind") == "stacked_share":
        notes.append("Anteile gerundet; sie addieren sich nicht immer genau zu 100 %.")
    if record.get("sample"):
        notes.append(f"{SAMPLE_MARK}.")
    return " ".join(notes)


def datawrapper_spec(record: Mapping[str, Any]) -> dict[str, Any]:
    """The body for Datawrapper's ``POST /charts`` / ``PATCH /charts/{id}`` for one chart."""
    meta = record.get("figure", {}).get("layout", {}).get("meta") or {}
    kind = str(meta.get("kind", ""))
    source_line = str(record.get("source_line", ""))
    source_name = re.sub(r"^Quellen?: ", "", source_line)
    number_format = numeral_format(str(meta.get("value_format") or ",d"))
    unit = str(meta.get("unit") or "")
    append = " %" if unit in ("Prozent", "%") else ""
    title = str(record.get("title", ""))
    if record.get("sample"):
        title = f"{title} ({SAMPLE_MARK})"
    visualize: dict[str, Any] = {"value-label-format": number_format}
    if kind == "line":
        visualize = {"y-grid-format": number_format}
    return {
        "title": title,
        "type": DATAWRAPPER_TYPES.get(kind, "d3-bars"),
        "language": "de-DE",
        "metadata": {
            "describe": {
                "intro": str(record.get("subtitle", "")),
                "source-name": source_name,
                "source-url": _source_url(record.get("sources", [])),
                "byline": BYLINE,
                "aria-description": str(record.get("alt", "")),
                "number-format": number_format,
                "number-append": append,
                "number-divisor": 0,
            },
            "annotate": {"notes": _notes(record)},
            "visualize": visualize,
        },
    }


# ---------------------------------------------------------------- pages and embed code

EMBED_HEIGHT_SCRIPT = (
    '<script>!function(){window.addEventListener("message",function(e){'
    'var d=e.data&&e.data["kd-embed-height"];if(!d)return;'
    'document.querySelectorAll(\'iframe[data-kd-chart="\'+d.chart+\'"]\').forEach('
    'function(f){f.style.height=d.height+"px"})})}();</script>'
)


def public_url() -> str:
    base = os.environ.get(PUBLIC_URL_ENV, "").strip()
    return base.rstrip("/") + "/" if base else ""


def iframe_code(piece: ChartPiece, *, base_url: str | None = None, height: int = 520) -> str:
    """The code a newsroom pastes into its CMS: an iframe whose height follows the chart.

    The chart page tells its parent its height (``postMessage``); the small script beside
    the iframe sets it, so the chart never gets a scroll bar on a phone.
    """
    base = public_url() if base_url is None else base_url
    src = f"{base}{piece.file('.html')}"
    ident = f"{piece.story}/{piece.slug}"
    frame = (
        f'<iframe title="{html.escape(piece.title)}" src="{html.escape(src)}" '
        f'data-kd-chart="{html.escape(ident)}" scrolling="no" frameborder="0" loading="lazy" '
        f'style="width:100%;min-width:100%;border:none;height:{height}px"></iframe>'
    )
    return frame + EMBED_HEIGHT_SCRIPT


def embed_block(piece: ChartPiece) -> str:
    """"Grafik einbinden" under a chart on the story page: iframe code and the downloads."""
    code = html.escape(iframe_code(piece))
    links = [
        (piece.file(".png"), "PNG"), (piece.file(".svg"), "SVG"), (piece.file(".csv"), "Daten (CSV)"),
        (piece.file(".datawrapper.json"), "Datawrapper (JSON)"),
    ]
    downloads = " · ".join(f'<a href="{href}" download>{label}</a>' for href, label in links)
    note = "" if public_url() else (
        f" Die Adresse ist relativ zu dieser Seite; mit {PUBLIC_URL_ENV} gebaut, steht hier die "
        "vollständige."
    )
    return (
        f'<details class="kd-embed" data-chart="{piece.slug}">'
        f"<summary>Grafik einbinden</summary>"
        f'<p>Code für die eigene Seite (die Höhe passt sich an).{note}</p>'
        f'<textarea class="kd-embed-code" readonly rows="4" aria-label="Einbettungscode">{code}</textarea>'
        f'<p class="kd-embed-downloads">Herunterladen: {downloads} · '
        f'<a href="{piece.file(".html")}">Grafik als eigene Seite</a></p>'
        f"</details>"
    )


def embed_page(record: Mapping[str, Any], piece: ChartPiece) -> str:
    """The standalone chart page: title, subtitle, sample mark, chart, alt text, source."""
    import plotly.graph_objects as go

    from krefeld_data.publish.pages import render_embed_page

    fig = go.Figure(record["figure"])
    body = figure_html(fig, alt=record.get("alt") or None, chart_id=f"kd-{piece.slug}")
    return render_embed_page(title=piece.title, body=body, chart=f"{piece.story}/{piece.slug}",
                             assets=f"../../{ASSETS}", sample=piece.sample)


# ---------------------------------------------------------------- the export step

def _pieces(story: str, records: Iterable[Mapping[str, Any]]) -> list[tuple[ChartPiece, Mapping[str, Any]]]:
    pieces = []
    for record in records:
        if record.get("kind") != "chart" or not record.get("figure"):
            continue
        slug = str(record.get("slug") or "")
        if not _SAFE_SLUG.match(slug):
            title = record.get("title", "")
            raise EmbedError(f"story {story}: chart {title!r} has no usable slug ({slug!r})")
        piece = ChartPiece(story, slug, str(record.get("title", "")), bool(record.get("sample")))
        pieces.append((piece, record))
    return pieces


def _figure_hash(record: Mapping[str, Any]) -> str:
    from krefeld_data.util.fingerprint import sha256_bytes

    return sha256_bytes(json.dumps(record.get("figure"), sort_keys=True, default=str).encode("utf-8"))


def _image_jobs(
    items: Sequence[tuple[ChartPiece, Mapping[str, Any]]], reports: Path
) -> tuple[list, list[Path]]:
    """The figures and target files of the PNG and SVG of every chart in ``items``."""
    import plotly.graph_objects as go

    figures, paths = [], []
    for piece, record in items:
        fig = go.Figure(record["figure"])
        for suffix in (".png", ".svg"):
            figures.append(fig)
            paths.append(reports / piece.file(suffix))
    return figures, paths


def write_images(items: Sequence[tuple[ChartPiece, Mapping[str, Any]]], reports: Path) -> None:
    """PNG and SVG of every chart in one browser (a browser start per image is slow)."""
    from krefeld_data.charts.export import export_many

    figures, paths = _image_jobs(items, reports)
    export_many(figures, paths, width=IMAGE_WIDTH)


def _submit_images(story: str, items: Sequence[tuple[ChartPiece, Mapping[str, Any]]], reports: Path) -> None:
    """Queue the PNG and SVG of ``items``: the build's notebooks keep running meanwhile."""
    from krefeld_data.charts.export import export_later

    figures, paths = _image_jobs(items, reports)
    export_later(figures, paths, label=f"story {story}")


def wait_for_images() -> list[str]:
    """Wait for the static images still being written; one line per batch that failed."""
    from krefeld_data.charts.export import wait_for_exports

    return wait_for_exports()


def images_missing(reports: Path, story: str) -> bool:
    """Whether a build of ``story`` will surely draw images: no charts exported yet, or a PNG or
    SVG of one is gone. (An edited chart needs them too; that shows only once its notebook ran.)"""
    charts = story_charts(reports, story)
    folder = reports / EMBED_FOLDER / story
    return not charts or not all(
        (folder / f"{chart.get('slug')}{suffix}").is_file() for chart in charts for suffix in (".png", ".svg")
    )


def insert_embed_blocks(page: str, pieces: Iterable[ChartPiece]) -> str:
    """Replace each chart's mark on the story page with its "Grafik einbinden" block."""
    for piece in pieces:
        page = page.replace(EMBED_MARK.format(slug=piece.slug), embed_block(piece))
    return page


def export_charts(story: str, records: Sequence[Mapping[str, Any]], reports: Path, *,
                  images: bool = True, wait: bool = False) -> list[ChartPiece]:
    """Write every chart of ``story`` as its own files and add the embed code to its page.

    Called by the build once the story page is written. Files of charts the story no longer
    shows are removed, so a reader never downloads a stale chart. PNG and SVG are written in
    the background (``wait`` to wait for them; :func:`wait_for_images` waits for all), and
    only for charts whose figure changed since the last build.
    """
    items = _pieces(story, records)
    folder = reports / EMBED_FOLDER / story
    folder.mkdir(parents=True, exist_ok=True)
    before = {c.get("slug"): c.get("figure") for c in story_charts(reports, story)}
    for piece, record in items:
        page = scrub(embed_page(record, piece))
        write_if_changed(reports / piece.file(".html"), page.encode("utf-8"))
        write_if_changed(reports / piece.file(".csv"), chart_csv(record["figure"]).encode("utf-8"))
        spec = json.dumps(datawrapper_spec(record), ensure_ascii=False, indent=2) + "\n"
        write_if_changed(reports / piece.file(".datawrapper.json"), scrub(spec).encode("utf-8"))
    hashes = {p.slug: _figure_hash(r) for p, r in items}
    stale = [
        (p, r) for p, r in items
        if before.get(p.slug) != hashes[p.slug]
        or not all((reports / p.file(suffix)).is_file() for suffix in (".png", ".svg"))
    ]
    if images and stale:
        if wait:
            write_images(stale, reports)
        else:
            _submit_images(story, stale, reports)
    manifest = [{"slug": p.slug, "title": p.title, "sample": p.sample, "figure": hashes[p.slug]}
                for p, _ in items]
    write_if_changed(folder / MANIFEST,
                     (json.dumps(manifest, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    keep = {p.slug for p, _ in items}
    for path in folder.iterdir():
        slug = path.name.split(".", 1)[0]
        if path.name != MANIFEST and slug not in keep and path.is_file():
            path.unlink()
    story_page = reports / f"{story}.html"
    if story_page.is_file():
        text = story_page.read_text(encoding="utf-8")
        updated = insert_embed_blocks(text, [p for p, _ in items])
        if updated != text:
            write_text_atomically(story_page, updated)
    return [p for p, _ in items]


__all__ = ["EMBED_FOLDER", "MANIFEST", "ChartPiece", "export_charts", "story_charts"]
