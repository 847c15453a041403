"""Showing a chart in a notebook so the reader page gets it right.

``show(fig)`` is what story notebooks call instead of ``fig.show()``. It displays a bundle
with two forms: JupyterLab draws the plotly JSON with its own renderer; the page export takes
the HTML, which references plotly.js instead of inlining 4 MB of it per chart (the page loads
one shared copy, see :mod:`krefeld_data.publish.pages`). The HTML puts title, subtitle and source line
in real text around the chart, where a phone can wrap them and a screen reader can read them.

During ``krefeld-data build`` it also writes what the chart was made from (provenance, the
columns used, the figure itself and the chart's slug) to a record file: the page's
methodology box is generated from it, and :mod:`krefeld_data.publish.embed` exports each chart
as its own piece (embed page, CSV, PNG, SVG, Datawrapper file).

Nothing heavy is imported here: IPython and plotly's renderer machinery (which pulls in
nbformat and jsonschema) load only inside a kernel or when a chart is shown.
"""

from __future__ import annotations

import copy
import html
import json
import os
import re
import sys
import unicodedata
import uuid
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

from krefeld_data.charts.source_line import collect_provenance, is_sample
from krefeld_data.charts.theme import PLOTLY_CONFIG
from krefeld_data.datasets import column_docs
from krefeld_data.errors import KrefeldDataError
from krefeld_data.raw.provenance import SAMPLE_MARK
from krefeld_data.util.text import html_lines

RECORD_ENV = "KREFELD_DATA_BUILD_RECORD"
RENDERER_NAME = "krefeld"
LEGEND_LINE = 28  # characters per line of a legend entry on the page
EMBED_MARK = "<!--kd-embed:{slug}-->"  # where the page gets the chart's "Grafik einbinden" block
# Slugs used so far, per record file: the build may run several notebooks in one kernel
# (namespace reset in between), and each notebook gets its own record file.
_used_slugs: dict[tuple[str, str], int] = {}


def slugify(text: str, *, most: int = 60) -> str:
    """``Schutzsuchende je 1.000 Einwohner`` -> ``schutzsuchende-je-1000-einwohner``."""
    text = text.replace("ß", "ss").replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    text = text.replace("Ä", "Ae").replace("Ö", "Oe").replace("Ü", "Ue")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    ascii_text = re.sub(r"(?<=\d)[.,](?=\d)", "", ascii_text.lower())
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if len(slug) > most:  # cut at a word boundary: "...-urban-audit", not "...-urban-audit-euros"
        slug = slug[: most + 1].rsplit("-", 1)[0]
    return slug or "grafik"


def chart_slug(fig: go.Figure, slug: str | None = None) -> str:
    """A file name for the chart, stable across builds: from its title (or the one given).

    A second chart with the same title in one notebook gets ``-2``.
    """
    base = slugify(slug or _meta(fig).get("slug") or _meta(fig).get("title") or "grafik")
    key = (os.environ.get(RECORD_ENV, ""), base)
    count = _used_slugs.get(key, 0) + 1
    _used_slugs[key] = count
    return base if count == 1 else f"{base}-{count}"


def _meta(fig: go.Figure) -> dict[str, Any]:
    meta = fig.layout.meta
    return dict(meta) if isinstance(meta, dict) else {}


def _for_the_web(fig: go.Figure) -> go.Figure:
    """The figure without what the HTML around it says in text."""
    web = go.Figure(fig)
    web.layout.annotations = [a for a in web.layout.annotations if a.name != "kd-source"]
    # The legend goes back above the plot: the static image hangs it under its own title.
    web.update_layout(title=None, meta=None, margin={"t": 36, "b": 8},
                      legend={"yref": "paper", "y": 1.0, "yanchor": "bottom"})
    # plotly.js does not wrap legend entries: on a phone a long one ran off the screen.
    for trace in web.data:
        if trace.name and len(trace.name) > LEGEND_LINE and "<br>" not in trace.name:
            trace.name = html_lines(trace.name, LEGEND_LINE)
    return web


def figure_html(fig: go.Figure, *, alt: str | None = None, chart_id: str | None = None,
                embed_slug: str | None = None) -> str:
    """HTML of one chart (needs plotly.js on the page): figure, title, alt text, source.

    ``chart_id`` makes the element id stable (embed pages); ``embed_slug`` leaves a mark where
    the story page gets the chart's embed code and downloads.
    """
    meta = _meta(fig)
    if not meta.get("source_line"):
        raise KrefeldDataError(
            "this figure has no source line: draw it with a krefeld_data.charts helper, or call "
            "krefeld_data.charts.finish(fig, ..., sources=df) with the frame it shows"
        )
    alt = alt or meta.get("alt") or ""
    chart_id = chart_id or f"kd-{uuid.uuid4().hex[:12]}"
    plot = pio.to_html(
        _for_the_web(fig), include_plotlyjs=False, full_html=False, div_id=chart_id,
        config=PLOTLY_CONFIG, default_height="440px", default_width="100%",
    )
    esc = html.escape
    parts = [f'<figure class="kd-chart" aria-labelledby="{chart_id}-title">']
    parts.append(f'<h3 class="kd-chart-title" id="{chart_id}-title">{esc(meta.get("title", ""))}</h3>')
    if meta.get("subtitle"):
        parts.append(f'<p class="kd-chart-subtitle">{esc(meta["subtitle"])}</p>')
    if meta.get("sample"):
        parts.append(f'<p class="kd-sample-mark">{esc(SAMPLE_MARK)}</p>')
    parts.append(f'<div class="kd-plot" role="img" aria-label="{esc(alt)}">{plot}</div>')
    parts.append(f'<p class="kd-alt">{esc(alt)}</p>')
    parts.append(f'<figcaption class="kd-source">{esc(meta["source_line"])}</figcaption>')
    if embed_slug:
        parts.append(EMBED_MARK.format(slug=embed_slug))
    parts.append("</figure>")
    return "\n".join(parts)


def _record(entry: dict[str, Any]) -> None:
    path = os.environ.get(RECORD_ENV)
    if not path:
        return
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")


def mimebundle(fig: go.Figure, *, alt: str | None = None, slug: str | None = None) -> dict[str, Any]:
    """The display bundle of a chart, noting its sources for the page's methodology box.

    During a build the record also holds the figure and its slug, for the chart's own files.
    """
    meta = _meta(fig)
    recording = bool(os.environ.get(RECORD_ENV))
    name = chart_slug(fig, slug) if recording else None
    markup = figure_html(fig, alt=alt, embed_slug=name)
    if recording:
        _record({
            "kind": "chart", "slug": name, "title": meta.get("title", ""),
            "subtitle": meta.get("subtitle", ""), "alt": alt or meta.get("alt", ""),
            "source_line": meta["source_line"], "sources": meta.get("sources", []),
            "sample": bool(meta.get("sample")), "columns": meta.get("columns", []),
            "column_docs": meta.get("column_docs", {}),
            "breaks": meta.get("breaks", []), "figure": json.loads(pio.to_json(fig, validate=False)),
        })
    return {"text/html": markup, "application/vnd.plotly.v1+json": copy.deepcopy(fig.to_plotly_json())}


def show(fig: go.Figure, *, alt: str | None = None, slug: str | None = None) -> None:
    """Display a chart in a notebook (what story notebooks call instead of ``fig.show()``).

    ``slug`` names the chart's files (``reports/embed/<story>/<slug>.*``); by default it
    comes from the title.
    """
    from IPython.display import display

    display(mimebundle(fig, alt=alt, slug=slug), raw=True)


def use_renderer_in_kernels() -> None:
    """Make ``krefeld`` plotly's renderer inside a Jupyter kernel (not in plain scripts).

    Without it, plotly's notebook renderer would inline all of plotly.js (and expect
    require.js) in every output; with it, ``fig.show()`` takes the same path as :func:`show`.
    Outside a kernel nothing is imported: plotly's renderers pull in nbformat and jsonschema,
    a second of start-up for every script that only draws (issue 12).
    """
    if "ipykernel" not in sys.modules:
        return
    from krefeld_data.util.imports import skip_iri_grammar

    skip_iri_grammar()  # plotly's renderers import nbformat → jsonschema: 1–2 s of grammar otherwise
    from plotly.io._base_renderers import MimetypeRenderer

    from krefeld_data.charts.theme import ensure_registered

    ensure_registered()  # plain-plotly figures in a notebook get the house look too

    class KrefeldRenderer(MimetypeRenderer):
        def to_mimebundle(self, fig_dict: dict[str, Any]) -> dict[str, Any]:
            return mimebundle(go.Figure(fig_dict))

    pio.renderers[RENDERER_NAME] = KrefeldRenderer()
    pio.renderers.default = RENDERER_NAME


def restore_defaults() -> None:
    """Undo what one notebook may have changed for the next one in the same kernel.

    The build reuses warm kernels (issue 12) and clears each notebook's names; this puts back
    the process-wide settings a story could have touched: pandas' display, Styler and mode
    options, plotly's default template and (in a kernel) renderer, and the focus city.
    """
    import warnings

    import pandas as pd

    from krefeld_data.charts.theme import TEMPLATE_NAME, ensure_registered, set_focus

    with warnings.catch_warnings():  # deprecated options say so when they are reset
        warnings.simplefilter("ignore")
        for group in ("display", "styler", "mode"):
            pd.reset_option(rf"^{group}\.")
    ensure_registered()
    pio.templates.default = TEMPLATE_NAME
    if "ipykernel" in sys.modules:
        use_renderer_in_kernels()
    set_focus(None)


def cite(*frames: Any, columns: list[str] | None = None) -> list[dict[str, Any]]:
    """Name data a page uses without a chart (e.g. a number in the text) in its methodology."""
    records = collect_provenance(*frames)
    if not records:
        raise KrefeldDataError("cite() got no provenance; pass frames read with read_table")
    if columns is None:
        columns = [c for f in frames for c in getattr(f, "columns", [])]
    columns = list(dict.fromkeys(str(c) for c in columns))
    known = column_docs(*frames)
    _record({"kind": "cite", "sources": records, "sample": is_sample(records), "columns": columns,
             "column_docs": {c: known[c] for c in columns if c in known}})
    return records
