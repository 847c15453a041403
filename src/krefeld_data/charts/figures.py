"""The charts the stories need, each a ``plotly.graph_objects.Figure`` in the house look.

Every helper takes the frame it draws, a title that states the finding, and optionally a
subtitle; the source line, the sample mark and the alt text are generated, never typed.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from krefeld_data.charts.alt_text import describe_figure
from krefeld_data.charts.source_line import collect_provenance, is_sample, source_line
from krefeld_data.charts.theme import (
    DEFAULT_HEIGHT,
    FOCUS_LINE_WIDTH,
    LINE_WIDTH,
    MUTED_COLOUR,
    OKABE_ITO,
    SEPARATORS,
    STATIC_WIDTH,
    TEMPLATE_NAME,
    colour_for,
    ensure_registered,
    format_date,
    format_number,
    is_focus,
    order_keys,
)
from krefeld_data.datasets import column_docs
from krefeld_data.errors import KrefeldDataError
from krefeld_data.raw.provenance import SAMPLE_MARK
from krefeld_data.util.text import html_lines

CENSUS_YEARS = (1987, 2011, 2022)
SEX_COLOURS = ("#0072B2", "#E69F00")  # left and right half of a pyramid
TITLE_WIDTH = 60
TITLE_LINE_SHIFT = 12  # px: how far plotly.js lifts a title for each line beyond the first
LEGEND_ROW = 21  # px per row of the legend (13 px font)
SOURCE_WIDTH = 110
GROUP_LABEL_WIDTH = 16  # characters per line of a column group's label


class ChartDataError(KrefeldDataError):
    """A chart was asked to draw columns its frame does not have."""


def short_region_name(name: str) -> str:
    """``Krefeld, kreisfreie Stadt`` -> ``Krefeld``: the legend has no room for the type."""
    return str(name).split(",")[0].strip()


def _require_columns(df: pd.DataFrame, columns: Iterable[str | None], chart: str) -> None:
    missing = [c for c in columns if c and c not in df.columns]
    if missing:
        raise ChartDataError(
            f"{chart}: the frame has no column(s) {missing}; it has {list(df.columns)}"
        )


def _require_unique(df: pd.DataFrame, keys: Iterable[str | None], chart: str) -> None:
    """One row per point: a chart must not silently add a total to its own parts."""
    keys = [k for k in keys if k]
    repeated = df.duplicated(subset=keys, keep=False)
    if repeated.any():
        rows = df.loc[repeated].astype(str)
        groups = rows.groupby(keys)
        varying = [
            c for c in df.columns
            if c not in keys and c not in ("value", "status", "quality") and groups[c].nunique().max() > 1
        ]
        hint = f"; filter on {', '.join(varying[:4])}" if varying else ""
        raise ChartDataError(
            f"{chart}: {int(repeated.sum())} rows share the same {', '.join(keys)}; one row per point "
            f"is needed{hint}"
        )


def legend_rows(fig: go.Figure, width: int = STATIC_WIDTH) -> int:
    """About how many rows plotly's horizontal legend takes at ``width`` px (at least one).

    plotly.js puts the entries in one row if they fit the plot's width, else in columns as wide
    as the widest entry. Estimated from the characters (13 px legend font, 14 px axis labels),
    erring towards more rows: it only decides how tall a short chart must grow.
    """
    names = [str(t.name) for t in fig.data if t.showlegend is not False and t.name]
    if len(names) < 2:
        return 1
    labels = [str(y) for t in fig.data if getattr(t, "orientation", None) == "h" for y in (t.y or ())]
    left = 12 + 7.0 * max((len(label) for label in labels), default=7)  # the y axis' labels
    room = max(120.0, width - left - 16)
    entries = [50 + 6.6 * len(name) for name in names]
    if sum(entries) <= room:
        return 1
    return -(-len(names) // max(1, int(room // max(entries))))


def _category_lines(fig: go.Figure) -> int:
    """Lines of the tallest category label under the x axis (wrapped group names), at least 1."""
    return max((x.count("<br>") + 1 for t in fig.data for x in (getattr(t, "x", None) or ())
                if isinstance(x, str)), default=1)


def _series_names(df: pd.DataFrame, key: str, label: str | None) -> dict[Any, str]:
    if label and label in df.columns:
        pairs = df[[key, label]].drop_duplicates(subset=key)
        return {k: short_region_name(v) for k, v in zip(pairs[key], pairs[label], strict=True)}
    return {k: str(k) for k in df[key].drop_duplicates()}


def _unit_of(df: pd.DataFrame, unit: str | None) -> str:
    if unit is not None:
        return unit
    if "unit" in df.columns and df["unit"].nunique() == 1:
        return str(df["unit"].iloc[0])
    return ""


def _unit_suffix(unit: str) -> str:
    if unit in ("", "Anzahl"):
        return ""
    return " %" if unit in ("Prozent", "%") else f" {unit}"


def _label_suffix(unit: str) -> str:
    """What a value label on a bar may add: only " %". Longer units ("je 1.000 Einwohner")
    go to the axis title, or the label runs out of a phone-wide chart."""
    return " %" if unit in ("Prozent", "%") else ""


def _axis_unit(unit: str, given: str | None) -> str:
    if given is not None:
        return given
    return "" if unit in ("", "Anzahl", "Prozent", "%") else unit


def _columns_note(df: pd.DataFrame, used: Iterable[str | None]) -> list[str]:
    return [c for c in dict.fromkeys(used) if c and c in df.columns]


def finish(
    fig: go.Figure,
    *,
    kind: str,
    title: str,
    subtitle: str | None,
    sources: Any,
    alt: str | None,
    data: pd.DataFrame | None = None,
    unit: str = "",
    derived: bool = True,
    columns: Sequence[str] = (),
    extra_meta: Mapping[str, Any] | None = None,
) -> go.Figure:
    """Title, source line, sample mark and alt text: what every chart of ours carries."""
    ensure_registered()
    # Without explicit sources, the frame the chart was drawn from names them.
    records = collect_provenance(sources if sources is not None else data)
    line = source_line(records, derived=derived)
    sample = is_sample(records)
    title_text, subtitle_text = html_lines(title, TITLE_WIDTH), html_lines(subtitle or "", 80)
    title_lines = title_text.count("<br>") + 1
    subtitle_lines = subtitle_text.count("<br>") + 1 if subtitle_text else 0
    # plotly.js centres a title of several lines on its anchor, so lines beyond the first
    # climb above it: the pad moves them down again, and everything under the title with them.
    shift = TITLE_LINE_SHIFT * (title_lines - 1)
    fig.update_layout(
        template=TEMPLATE_NAME,
        separators=SEPARATORS,  # set on the figure too, not only in the template
        title={"text": title_text, "subtitle": {"text": subtitle_text}, "automargin": False,
               "yref": "container", "y": 1, "yanchor": "top", "pad": {"t": 14 + shift}},
    )
    # Title and subtitle take the top of the static image (the web page shows them as text).
    top = 30 + 24 * title_lines + 20 * subtitle_lines
    source_text = html_lines(line, SOURCE_WIDTH)
    bottom = 52 + 14 * (source_text.count("<br>") + 1)
    if fig.layout.showlegend is not False:
        # The legend hangs from the subtitle, in the figure's own coordinates: plotly.js then
        # moves the plot down by as many legend rows as the entries need at the image's width
        # (its margin grows to fit), instead of the legend growing up into the subtitle.
        # A short chart with a tall legend grows, so that the plot keeps some height.
        rows = legend_rows(fig)
        height = max(fig.layout.height or DEFAULT_HEIGHT, top + 13 + LEGEND_ROW * rows + bottom + 160)
        fig.update_layout(height=height, legend={"yref": "container", "y": 1 - (top + 6) / height,
                                                 "yanchor": "top"})
    below = 16 * (_category_lines(fig) - 1)  # the source line goes under wrapped axis labels
    fig.add_annotation(
        name="kd-source", text=source_text, showarrow=False, align="left",
        xref="paper", yref="paper", x=0, y=0, xanchor="left", yanchor="top", yshift=-44 - below,
        font={"size": 11, "color": MUTED_COLOUR},
    )
    fig.update_layout(margin={"b": bottom + below, "t": top})
    if sample:
        # On the chart itself: a screenshot of a sample chart must not pass for real numbers.
        fig.add_annotation(
            name="kd-sample", text=SAMPLE_MARK, showarrow=False, xref="paper", yref="paper",
            x=0.5, y=0.5, textangle=-18, opacity=0.35,
            font={"size": 26, "color": "#B00020"},
        )
    known = column_docs(data) if data is not None else {}
    meta = {
        "kind": kind, "title": title, "subtitle": subtitle or "", "source_line": line,
        "sources": records, "sample": sample, "unit": unit, "columns": list(columns),
        # what the shown columns mean, from the dataset and the story function that made them
        "column_docs": {c: known[c] for c in columns if c in known},
        **(extra_meta or {}),
    }
    fig.update_layout(meta=meta)
    set_alt(fig, alt)
    return fig


def set_alt(fig: go.Figure, alt: str | None = None) -> go.Figure:
    """Set the alt text: the author's words if given, else a description of the data."""
    meta = dict(fig.layout.meta or {})
    if alt:
        meta.update(alt=alt, alt_override=True)
    elif not meta.get("alt_override"):
        meta["alt"] = describe_figure(fig)  # reads the notes already in fig.layout.meta
    fig.update_layout(meta=meta)
    return fig


def _break_labels(breaks: Iterable[int] | Mapping[int, str]) -> dict[int, str]:
    if isinstance(breaks, Mapping):
        return {int(k): str(v) for k, v in breaks.items()}
    return {int(y): (f"Zensus {y}" if y in CENSUS_YEARS else f"Bruch {y}") for y in breaks}


def line_over_time(
    df: pd.DataFrame,
    *,
    title: str,
    subtitle: str | None = None,
    x: str = "year",
    y: str = "value",
    series: str = "region_code",
    label: str | None = "region_name",
    breaks: Iterable[int] | Mapping[int, str] = (),
    split_at_breaks: bool = True,
    y_title: str | None = None,
    value_format: str = ",d",
    unit: str | None = None,
    sources: Any = None,
    alt: str | None = None,
    derived: bool = True,
    focus: str | None = None,
) -> go.Figure:
    """One line per series over years; gaps stay gaps and census breaks are marked.

    A census break (the first year on a new census basis) gets a dashed line between that
    year and the one before, and by default the line is not drawn across it: the values on
    either side rest on different counts. The focus city (``focus``, else the notebook's
    ``CITY``, see :func:`krefeld_data.charts.theme.set_focus`) is drawn first and heavier.
    """
    _require_columns(df, [x, y, series, label], "line_over_time")
    _require_unique(df, [series, x], "line_over_time")
    unit = _unit_of(df, unit)
    break_labels = _break_labels(breaks)
    yearly = pd.api.types.is_integer_dtype(df[x]) or pd.api.types.is_float_dtype(df[x])
    fig = go.Figure()
    names = _series_names(df, series, label)
    all_years = sorted(int(v) for v in df[x].dropna().unique()) if yearly else []
    date_style = "day" if yearly or not _is_monthly(pd.to_datetime(df[x]).dropna()) else "month"
    groups = dict(list(df.groupby(series, sort=False, observed=True)))
    for key in order_keys(groups, focus) if series == "region_code" else list(groups):
        part = groups[key].dropna(subset=[x]).sort_values(x)
        if yearly:
            # Reindex on every year so a missing year shows as a gap, not a straight line.
            values = part.groupby(part[x].astype(int))[y].sum(min_count=1)
            full = range(all_years[0], all_years[-1] + 1)
            values = values.reindex(full)
            xs: list[Any] = list(full)
            ys: list[Any] = [None if pd.isna(v) else float(v) for v in values]
            if split_at_breaks:
                for year in sorted(break_labels, reverse=True):
                    if year in xs and xs.index(year) > 0:
                        position = xs.index(year)
                        xs.insert(position, year - 0.5)
                        ys.insert(position, None)
        else:
            xs = list(pd.to_datetime(part[x]))
            ys = [None if pd.isna(v) else float(v) for v in part[y]]
            if split_at_breaks:
                for year in sorted(break_labels, reverse=True):
                    position = next((i for i, d in enumerate(xs) if d.year >= year), None)
                    if position:
                        xs.insert(position, pd.Timestamp(year=year, month=1, day=1))
                        ys.insert(position, None)
        colour = colour_for(key, focus=focus) if series == "region_code" else None
        heavy = series == "region_code" and is_focus(key, focus)
        # Dates are written out in German here: plotly's own date format is English
        # unless the page loads a German locale, and hover text should not depend on that.
        hover_x = "%{x:d}" if yearly else "%{customdata}"
        fig.add_trace(go.Scatter(
            x=xs, y=ys, name=names.get(key, str(key)), mode="lines+markers", connectgaps=False,
            line={"width": FOCUS_LINE_WIDTH if heavy else LINE_WIDTH, "color": colour},
            marker={"size": 5, "color": colour},
            customdata=None if yearly else [format_date(d, date_style) for d in xs],
            hovertemplate=(
                f"<b>%{{fullData.name}}</b><br>{hover_x}: "
                f"%{{y:{value_format}}}{_unit_suffix(unit)}<extra></extra>"
            ),
        ))
    first, last = (all_years[0], all_years[-1]) if yearly and all_years else (None, None)
    for number, (year, text) in enumerate(sorted(break_labels.items())):
        position = year - 0.5 if yearly else f"{year}-01-01"
        fig.add_vline(x=position, line={"dash": "dash", "width": 1, "color": MUTED_COLOUR})
        # Inside the plot, under its top edge (above it, the label met the legend), on the side
        # of the line with more room, and one line lower than the break before it, so two
        # breaks close together on a phone do not print one label over the other (issue 16).
        right_half = first is not None and last is not None and year - 0.5 > (first + last) / 2
        fig.add_annotation(
            x=position, y=1, yref="paper", yanchor="top", text=text, showarrow=False,
            font={"size": 11, "color": MUTED_COLOUR}, xanchor="right" if right_half else "left",
            xshift=-2 if right_half else 2, yshift=-16 * number,
            bgcolor="rgba(255,255,255,0.8)", name="kd-break",
        )
    if yearly:
        # A fixed step only for short spans (else plotly would tick half years); longer spans
        # get plotly's own step, which thins the ticks to what a phone-wide axis can hold.
        step = {"dtick": 1} if _year_step(all_years) == 1 else {}
        # A fixed range: plotly would widen it to make room for the break labels' text.
        span = [all_years[0] - 0.6, all_years[-1] + 0.6] if all_years else None
        fig.update_xaxes(tickformat="d", hoverformat="d", range=span, **step)
    else:
        tickvals, ticktext = german_date_ticks(pd.to_datetime(df[x]).dropna())
        fig.update_xaxes(tickvals=tickvals, ticktext=ticktext, hoverformat="%d.%m.%Y")
    fig.update_yaxes(tickformat=value_format, title={"text": y_title or ""})
    return finish(
        fig, kind="line", title=title, subtitle=subtitle, sources=sources, data=df,
        alt=alt, unit=unit, derived=derived, columns=_columns_note(df, [x, series, label, y]),
        extra_meta={"breaks": sorted(break_labels), "value_format": value_format,
                    "x_title": "Jahr" if yearly else "Datum"},
    )


def _is_monthly(dates: Iterable[Any]) -> bool:
    """Month starts or month ends, at least four weeks apart, in more than one month."""
    unique = sorted(set(dates))
    if len(unique) < 2 or len({d.month for d in unique}) == 1:
        return False  # one Stichtag per year (e.g. 31.12.): the full date says which
    regular = all(d.day == 1 or d.is_month_end for d in unique)
    return regular and min(b - a for a, b in itertools.pairwise(unique)).days >= 28


def german_date_ticks(dates: pd.Series, most: int = 7) -> tuple[list[Any], list[str]]:
    """Tick positions and German labels: "Dez. 2024" for monthly data, else "31.12.2024"."""
    unique = sorted(set(dates))
    if not unique:
        return [], []
    chosen = unique[:: max(1, -(-len(unique) // most))]
    style = "short" if _is_monthly(unique) else "day"
    return list(chosen), [format_date(d, style) for d in chosen]


def _year_step(years: list[int]) -> int:
    span = (years[-1] - years[0]) if years else 0
    return 1 if span <= 8 else 2 if span <= 16 else 5


def compare_cities(
    df: pd.DataFrame,
    *,
    title: str,
    subtitle: str | None = None,
    value: str = "value",
    city: str = "region_code",
    label: str | None = "region_name",
    group: str | None = None,
    small_multiples: bool = False,
    value_title: str | None = None,
    value_format: str = ",d",
    unit: str | None = None,
    sources: Any = None,
    alt: str | None = None,
    derived: bool = True,
    focus: str | None = None,
) -> go.Figure:
    """Cities side by side: one bar each, bars grouped by ``group``, or one panel per city.

    Value labels carry the number (and " %"), nothing longer: plotly puts them inside a bar
    that has room and beside one that has not, and the axis leaves room for them on a phone.
    """
    _require_columns(df, [value, city, label, group], "compare_cities")
    _require_unique(df, [city, group], "compare_cities")
    unit = _unit_of(df, unit)
    names = _series_names(df, city, label)
    suffix = _unit_suffix(unit)
    if group is None:
        ordered = df.sort_values(value, ascending=True)
        keys = list(ordered[city])
        numbers = [float(v) for v in ordered[value]]
        fig = go.Figure(go.Bar(
            x=numbers, y=[names[k] for k in keys], orientation="h",
            marker={"color": [_bar_colour(k, focus) for k in keys]}, name="",
            texttemplate=f"%{{x:{value_format}}}{_label_suffix(unit)}", textposition="auto",
            cliponaxis=False, insidetextanchor="end", textfont={"size": 13},
            hovertemplate=f"<b>%{{y}}</b>: %{{x:{value_format}}}{suffix}<extra></extra>",
        ))
        fig.update_layout(showlegend=False, height=max(260, 90 + 48 * len(keys)))
        largest = max([0.0, *(v for v in numbers if not math.isnan(v))])
        smallest = min([0.0, *(v for v in numbers if not math.isnan(v))])
        # Headroom beside the longest bar for a label that does not fit inside a short one.
        fig.update_xaxes(tickformat=value_format, title={"text": _axis_unit(unit, value_title)},
                         showgrid=True, range=[smallest * 1.25, (largest or 1) * 1.25])
        fig.update_yaxes(showgrid=False, tickformat="")
        kind = "bars"
    else:
        groups = list(dict.fromkeys(df[group]))
        cities = list(dict.fromkeys(df[city]))
        if city == "region_code":
            cities = order_keys(cities, focus)
        if small_multiples:
            from plotly.subplots import make_subplots

            fig = make_subplots(
                rows=len(cities), cols=1, shared_xaxes=True, vertical_spacing=0.08,
                subplot_titles=[names[c] for c in cities],
            )
        else:
            fig = go.Figure()
        # Long group names wrap instead of turning 45°: a turned label takes the plot's height.
        labels = [html_lines(str(g), GROUP_LABEL_WIDTH) for g in groups]
        for row, key in enumerate(cities, start=1):
            part = df[df[city] == key].set_index(group)[value].reindex(groups)
            trace = go.Bar(
                x=labels, y=[None if pd.isna(v) else float(v) for v in part], name=names[key],
                marker={"color": colour_for(key, focus=focus)},
                hovertemplate=f"<b>{names[key]}</b><br>%{{x}}: %{{y:{value_format}}}{suffix}<extra></extra>",
            )
            if small_multiples:
                fig.add_trace(trace, row=row, col=1)
            else:
                fig.add_trace(trace)
        if small_multiples:
            fig.update_layout(showlegend=False, height=max(320, 60 + 170 * len(cities)))
            fig.update_annotations(font={"size": 13}, xanchor="left", x=0)
        else:
            fig.update_layout(barmode="group")
        fig.update_yaxes(tickformat=value_format, rangemode="tozero")
        fig.update_xaxes(tickangle=0)
        if small_multiples:
            fig.update_yaxes(title={"text": value_title or ""}, row=1, col=1)
        else:
            fig.update_yaxes(title={"text": value_title or ""})
        kind = "small_multiples" if small_multiples else "columns"
    return finish(
        fig, kind=kind, title=title, subtitle=subtitle, sources=sources, data=df,
        alt=alt, unit=unit, derived=derived, columns=_columns_note(df, [city, label, group, value]),
        extra_meta={"value_format": value_format, "orientation": "h" if group is None else "v",
                    "category_title": "Region" if group is None and city == "region_code" else ""},
    )


CATEGORY_COLOUR = "#0072B2"  # bars of one series that are not regions (e.g. kinds of status)
_REGION_KEY = re.compile(r"DG|\d{2,12}")


def _bar_colour(key: Any, focus: str | None) -> str:
    """A region's own colour; one colour for bars that are categories, not regions (a hash
    colour each would give two categories the same colour by chance and suggest a link)."""
    text = str(key).strip()
    return colour_for(text, focus=focus) if _REGION_KEY.fullmatch(text) else CATEGORY_COLOUR


def _nice_step(limit: float) -> float:
    if limit <= 0:
        return 1.0
    raw = limit / 3
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)


def population_pyramid(
    df: pd.DataFrame,
    *,
    title: str,
    subtitle: str | None = None,
    age: str = "age",
    sex: str = "sex",
    value: str = "value",
    left: str | None = None,
    right: str | None = None,
    value_format: str = ",d",
    unit: str | None = None,
    sources: Any = None,
    alt: str | None = None,
    derived: bool = True,
) -> go.Figure:
    """Age groups bottom to top, one sex to each side; axis labels show absolute values."""
    _require_columns(df, [age, sex, value], "population_pyramid")
    _require_unique(df, [age, sex], "population_pyramid")
    unit = _unit_of(df, unit)
    sexes = list(dict.fromkeys(df[sex]))
    left = left or (sexes[0] if sexes else "")
    right = right or next((s for s in sexes if s != left), "")
    if left not in sexes or right not in sexes:
        raise ChartDataError(f"population_pyramid: column {sex!r} has {sexes}, not {left!r} and {right!r}")
    ages = list(dict.fromkeys(df[age]))
    if isinstance(df[age].dtype, pd.CategoricalDtype):
        ages = [a for a in df[age].cat.categories if a in set(ages)]
    suffix = _unit_suffix(unit)
    fig = go.Figure()
    largest = 0.0
    for side, colour, sign in ((left, SEX_COLOURS[0], -1), (right, SEX_COLOURS[1], 1)):
        values = df[df[sex] == side].groupby(age, observed=True, sort=False)[value].sum().reindex(ages)
        numbers = [None if pd.isna(v) else float(v) for v in values]
        largest = max([largest, *(abs(v) for v in numbers if v is not None)])
        fig.add_trace(go.Bar(
            y=[str(a) for a in ages], x=[None if v is None else sign * v for v in numbers],
            customdata=numbers, name=str(side), orientation="h", marker={"color": colour},
            hovertemplate=f"<b>{side}</b>, %{{y}}: %{{customdata:{value_format}}}{suffix}<extra></extra>",
        ))
    step = _nice_step(largest)
    ticks = [step * i for i in range(-int(largest // step) - 1, int(largest // step) + 2)]
    decimals = 0 if float(step).is_integer() else 1
    fig.update_layout(barmode="relative", bargap=0.08)
    fig.update_xaxes(
        tickvals=ticks, ticktext=[format_number(abs(t), decimals) for t in ticks],
        range=[-largest * 1.08, largest * 1.08], showgrid=True,
    )
    fig.update_yaxes(showgrid=False, tickformat="", rangemode="normal", type="category")
    return finish(
        fig, kind="pyramid", title=title, subtitle=subtitle, sources=sources, data=df,
        alt=alt, unit=unit, derived=derived, columns=_columns_note(df, [age, sex, value]),
        extra_meta={"value_format": value_format},
    )


def stacked_share(
    df: pd.DataFrame,
    *,
    title: str,
    subtitle: str | None = None,
    category: str = "region_code",
    part: str = "staag",
    value: str = "value",
    label: str | None = "region_name",
    colours: Mapping[str, str] | None = None,
    sources: Any = None,
    alt: str | None = None,
    derived: bool = True,
    focus: str | None = None,
) -> go.Figure:
    """One 100 % bar per category, split into the shares of its parts."""
    _require_columns(df, [category, part, value], "stacked_share")
    _require_unique(df, [category, part], "stacked_share")
    names = (_series_names(df, category, label) if label and label in df.columns
             else {k: str(k) for k in df[category].drop_duplicates()})
    totals = df.groupby(category, observed=True, sort=False)[value].transform("sum")
    shares = df.assign(_share=(df[value] / totals * 100).where(totals > 0))
    parts = list(dict.fromkeys(df[part]))
    categories = list(dict.fromkeys(df[category]))
    if category == "region_code":
        categories = order_keys(categories, focus)  # the focus city on top
    fig = go.Figure()
    for index, piece in enumerate(parts):
        rows = shares[shares[part] == piece].set_index(category).reindex(categories)
        colour = (colours or {}).get(str(piece), OKABE_ITO[(index + 4) % len(OKABE_ITO)])
        fig.add_trace(go.Bar(
            y=[names[c] for c in categories], x=[None if pd.isna(v) else float(v) for v in rows["_share"]],
            customdata=[None if pd.isna(v) else float(v) for v in rows[value]],
            name=str(piece), orientation="h", marker={"color": colour},
            texttemplate="%{x:,.0f} %", textposition="inside", insidetextanchor="middle",
            textfont={"size": 12},
            hovertemplate=f"<b>%{{y}}</b><br>{piece}: %{{x:,.1f}} % (%{{customdata:,d}})<extra></extra>",
        ))
    # A share too narrow for its label shows none (the hover and the CSV have it) rather
    # than a label spilling over its neighbour on a phone.
    fig.update_layout(barmode="stack", height=max(260, 120 + 52 * len(categories)),
                      uniformtext={"minsize": 10, "mode": "hide"})
    fig.update_xaxes(range=[0, 100], ticksuffix=" %", tickformat=",d", showgrid=True)
    fig.update_yaxes(showgrid=False, tickformat="", autorange="reversed", rangemode="normal")
    return finish(
        fig, kind="stacked_share", title=title, subtitle=subtitle,
        sources=sources, data=df, alt=alt, unit="Prozent", derived=derived,
        columns=_columns_note(df, [category, label, part, value]),
        extra_meta={"value_format": ",.1f", "category_title": "Region" if category == "region_code" else ""},
    )


def highlight_value(
    fig: go.Figure,
    *,
    x: Any,
    y: float,
    text: str | None = None,
    value_format_decimals: int = 0,
    ax: int = -40,
    ay: int = -40,
) -> go.Figure:
    """Point at one value with an annotation; the alt text names it too."""
    meta = dict(fig.layout.meta or {})
    suffix = _unit_suffix(meta.get("unit", ""))
    label = text or f"{format_number(float(y), value_format_decimals)}{suffix}"
    horizontal = bool(fig.data) and getattr(fig.data[0], "orientation", None) == "h"
    point = {"x": y, "y": x} if horizontal else {"x": x, "y": y}
    fig.add_annotation(
        **point, text=f"<b>{label}</b>", showarrow=True, arrowhead=0, arrowwidth=1.5,
        arrowcolor="#222222", ax=ax, ay=ay, font={"size": 14}, bgcolor="rgba(255,255,255,0.85)",
        name="kd-highlight",
    )
    x_text = str(int(x)) if isinstance(x, float) and x.is_integer() else str(x)
    meta["highlight"] = f"{label} ({x_text})" if text is None else f"{label}"
    fig.update_layout(meta=meta)
    return set_alt(fig)
