"""Showing a chart in a notebook so the reader page gets it right.

``show(fig)`` is what story notebooks call instead of ``fig.show()``. It displays a bundle
with two forms: JupyterLab draws the plotly JSON with its own renderer; the page export takes
the HTML, which references plotly.js instead of inlining 4 MB of it per chart (the page loads
one shared copy, see :mod:`krefeld_data.publish.pages`). The HTML puts title, subtitle and source line
in real text around the chart, where a phone can wrap them and a screen reader can read them.

During ``krefeld-data build`` it also writes what the chart was made from (provenance, the
columns used) to a record file, from which the page's methodology box is generated.
"""

from __future__ import annotations

import copy
import html
import json
import os
import sys
import uuid
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
from plotly.io._base_renderers import MimetypeRenderer

from krefeld_data.charts.source_line import collect_provenance, is_sample
from krefeld_data.charts.theme import PLOTLY_CONFIG
from krefeld_data.errors import KrefeldDataError
from krefeld_data.raw.provenance import SAMPLE_MARK

RECORD_ENV = "KREFELD_DATA_BUILD_RECORD"
RENDERER_NAME = "krefeld"


def _meta(fig: go.Figure) -> dict[str, Any]:
    meta = fig.layout.meta
    return dict(meta) if isinstance(meta, dict) else {}


def _for_the_web(fig: go.Figure) -> go.Figure:
    """The figure without what the HTML around it says in text."""
    web = go.Figure(fig)
    web.layout.annotations = [a for a in web.layout.annotations if a.name != "kd-source"]
    web.update_layout(title=None, meta=None, margin={"t": 36, "b": 8})
    return web


def figure_html(fig: go.Figure, *, alt: str | None = None) -> str:
    """HTML of one chart (needs plotly.js on the page): figure, title, alt text, source."""
    meta = _meta(fig)
    if not meta.get("source_line"):
        raise KrefeldDataError(
            "this figure has no source line: draw it with a krefeld_data.charts helper, or call "
            "krefeld_data.charts.finish(fig, ..., sources=df) with the frame it shows"
        )
    alt = alt or meta.get("alt") or ""
    chart_id = f"kd-{uuid.uuid4().hex[:12]}"
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
    parts.append("</figure>")
    return "\n".join(parts)


def _record(entry: dict[str, Any]) -> None:
    path = os.environ.get(RECORD_ENV)
    if not path:
        return
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")


def mimebundle(fig: go.Figure, *, alt: str | None = None) -> dict[str, Any]:
    """The display bundle of a chart, noting its sources for the page's methodology box."""
    meta = _meta(fig)
    markup = figure_html(fig, alt=alt)
    _record({
        "kind": "chart", "title": meta.get("title", ""), "alt": alt or meta.get("alt", ""),
        "source_line": meta["source_line"], "sources": meta.get("sources", []),
        "sample": bool(meta.get("sample")), "columns": meta.get("columns", []),
        "breaks": meta.get("breaks", []),
    })
    return {"text/html": markup, "application/vnd.plotly.v1+json": copy.deepcopy(fig.to_plotly_json())}


def show(fig: go.Figure, *, alt: str | None = None) -> None:
    """Display a chart in a notebook (what story notebooks call instead of ``fig.show()``)."""
    from IPython.display import display

    display(mimebundle(fig, alt=alt), raw=True)


class KrefeldRenderer(MimetypeRenderer):
    """plotly renderer behind ``fig.show()`` and a figure as a cell's last value in a kernel.

    Without it, plotly's notebook renderer would inline all of plotly.js (and expect
    require.js) in every output; with it, those calls take the same path as :func:`show`.
    """

    def to_mimebundle(self, fig_dict: dict[str, Any]) -> dict[str, Any]:
        return mimebundle(go.Figure(fig_dict))


def use_renderer_in_kernels() -> None:
    """Make ``krefeld`` plotly's renderer inside a Jupyter kernel (not in plain scripts)."""
    pio.renderers[RENDERER_NAME] = KrefeldRenderer()
    if "ipykernel" in sys.modules:
        pio.renderers.default = RENDERER_NAME


def cite(*frames: Any, columns: list[str] | None = None) -> list[dict[str, Any]]:
    """Name data a page uses without a chart (e.g. a number in the text) in its methodology."""
    records = collect_provenance(*frames)
    if not records:
        raise KrefeldDataError("cite() got no provenance; pass frames read with read_table")
    if columns is None:
        columns = [c for f in frames for c in getattr(f, "columns", [])]
    _record({"kind": "cite", "sources": records, "sample": is_sample(records),
             "columns": list(dict.fromkeys(str(c) for c in columns))})
    return records
