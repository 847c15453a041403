"""Alt text for screen readers, generated from the numbers a chart shows.

A blind reader should get what a sighted one gets at a glance: what is shown, over which
range, the extremes, and the value the chart points at. Authors may override it.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import plotly.graph_objects as go

from krefeld_data.charts.theme import format_date, format_number

KIND_LABELS = {
    "line": "Liniendiagramm",
    "bars": "Balkendiagramm",
    "columns": "Säulendiagramm",
    "small_multiples": "Kleine Vielfache (mehrere Balkendiagramme)",
    "pyramid": "Bevölkerungspyramide",
    "stacked_share": "Gestapeltes Anteilsdiagramm",
}


def _label(value: Any) -> str:
    if isinstance(value, (datetime, date)):
        return format_date(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("<br>", " ")  # a label the chart wraps reads as one line


def _points(fig: go.Figure, absolute: bool) -> list[tuple[str, Any, float]]:
    points = []
    for trace in fig.data:
        if getattr(trace, "showlegend", None) is False and trace.meta == "kd-helper":
            continue
        horizontal = getattr(trace, "orientation", None) == "h"
        categories = trace.y if horizontal else trace.x
        values = trace.x if horizontal else trace.y
        if categories is None or values is None:
            continue
        for category, value in zip(categories, values, strict=False):
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            number = abs(float(value)) if absolute else float(value)
            points.append((str(trace.name or ""), category, number))
    return points


def _decimals(values: list[float]) -> int:
    return 0 if all(float(v).is_integer() for v in values) else 1


def describe_figure(fig: go.Figure, *, unit: str = "") -> str:
    """Alt text from the figure's traces and the chart kit's notes in ``layout.meta``."""
    meta = dict(fig.layout.meta or {}) if isinstance(fig.layout.meta, dict) else {}
    kind = meta.get("kind", "")
    title = meta.get("title") or ""
    absolute = kind == "pyramid"
    points = _points(fig, absolute)
    unit = unit or meta.get("unit", "")
    suffix = f" {unit}" if unit and unit != "Anzahl" else ""
    sentences = []
    head = KIND_LABELS.get(kind, "Diagramm")
    sentences.append(f"{head}: {title}" if title else head)
    series = [name for name in dict.fromkeys(p[0] for p in points) if name]
    if series:
        sentences.append("Gezeigt: " + ", ".join(series[:8]) + (" und weitere" if len(series) > 8 else ""))
    if not points:
        sentences.append("Keine Werte")
        return ". ".join(sentences) + "."
    categories = [p[1] for p in points]
    if kind == "line" and all(isinstance(c, (int, float, datetime, date)) for c in categories):
        sentences.append(f"Zeitraum {_label(min(categories))} bis {_label(max(categories))}")
    decimals = _decimals([p[2] for p in points])
    if kind == "stacked_share":
        decimals = 1
    low = min(points, key=lambda p: p[2])
    high = max(points, key=lambda p: p[2])

    def where(point: tuple[str, Any, float]) -> str:
        parts = [part for part in (point[0], _label(point[1])) if part]
        return f" ({', '.join(parts)})" if parts else ""

    sentences.append(f"Höchster Wert {format_number(high[2], decimals)}{suffix}{where(high)}")
    sentences.append(f"Niedrigster Wert {format_number(low[2], decimals)}{suffix}{where(low)}")
    highlight = meta.get("highlight")
    if highlight:
        sentences.append(f"Hervorgehoben: {highlight}")
    if meta.get("breaks"):
        years = ", ".join(str(b) for b in meta["breaks"])
        sentences.append(f"Markiert sind Brüche in der Zeitreihe ({years})")
    if meta.get("sample"):
        sentences.append("Beispieldaten, keine echten Zahlen")
    return ". ".join(sentences) + "."
