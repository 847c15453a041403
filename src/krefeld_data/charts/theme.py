"""The house look: one plotly template, colours that follow the parameters, German numbers.

Registered as ``krefeld`` and made the default when the chart kit is imported, so a notebook
that draws with plain plotly still looks like the rest of the paper.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import plotly.graph_objects as go
import plotly.io as pio

from krefeld_data.util import german

TEMPLATE_NAME = "krefeld"
FONT_STACK = (
    '"Source Sans 3", "Source Sans Pro", -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, '
    '"Helvetica Neue", Arial, sans-serif'
)
TEXT_COLOUR = "#222222"
MUTED_COLOUR = "#666666"
GRID_COLOUR = "#e3e3e3"

# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7")
# The story's focus city (the build's ``CITY`` parameter) gets the strongest colour and the
# heavy line; the comparison cities take the palette in the order the parameters name them,
# so a reader who learnt "blue is the first comparison city" on one chart is not misled on
# the next. Nothing here names a city: the parameters decide (issue 15).
FOCUS_COLOUR = "#D55E00"
COMPARE_PALETTE = ("#0072B2", "#009E73", "#CC79A7", "#56B4E9", "#882255", "#117733", "#332288",
                   "#AA4499", "#44AA99", "#E69F00")
# Context regions are grey: Germany dark, any Land lighter.
CONTEXT_COLOURS: dict[str, str] = {"DG": "#4D4D4D"}
LAND_COLOUR = "#8C8C8C"
CITY_COLOURS = CONTEXT_COLOURS  # the fixed colours (kept under the old name for callers)
# Colours left for regions nobody named; yellow is dropped because it vanishes on white.
# Orange is left out as well: beside the focus colour it would read as the focus city.
_SPARE_COLOURS = ("#56B4E9", "#882255", "#117733", "#332288", "#AA4499", "#44AA99", "#999933")
FOCUS_LINE_WIDTH, LINE_WIDTH = 3.5, 2


@dataclass(frozen=True)
class Focus:
    """Which region a chart emphasises and the order of the others (the build's parameters)."""

    city: str | None = None
    compare: tuple[str, ...] = ()
    run: str = ""  # the notebook run it was set in (see _run_token)


_focus = Focus()


def _run_token() -> str:
    """One value per notebook run: the build gives each notebook its own chart record file,
    also when it runs several notebooks in one kernel. A focus set by one notebook must not
    leak into the next."""
    return os.environ.get("KREFELD_DATA_BUILD_RECORD", "")


def set_focus(city: str | None, compare: Iterable[str] = ()) -> Focus:
    """Make ``city`` the emphasised region of every chart drawn from now on in this process.

    Notebooks call it with their parameters: ``charts.set_focus(CITY, COMPARE)``. Returns
    the previous setting, so a caller can restore it.
    """
    global _focus
    previous = _focus
    _focus = Focus(str(city).strip() if city else None, tuple(str(c).strip() for c in compare),
                   _run_token())
    return previous


def _kernel_parameters() -> Focus:
    """``CITY`` and ``COMPARE`` of the running notebook (its tagged parameters cell), if any.

    A notebook that never called :func:`set_focus` still gets its own city emphasised: the
    build injects the parameters into that cell, so they are in the kernel's namespace.
    IPython is only asked when it is already loaded (it is heavy to import).
    """
    if "IPython" not in sys.modules:
        return Focus()
    shell = sys.modules["IPython"].get_ipython()
    names = getattr(shell, "user_ns", None) or {}
    city = names.get("CITY")
    compare = names.get("COMPARE") or ()
    if not isinstance(city, str):
        return Focus()
    if isinstance(compare, str):
        compare = [c for c in compare.split(",") if c.strip()]
    return Focus(city.strip(), tuple(str(c).strip() for c in compare))


def current_focus(focus: str | None = None) -> Focus:
    """The focus in force: an explicit ``focus=``, else :func:`set_focus`, else the kernel's ``CITY``."""
    chosen = _focus if _focus.city and _focus.run == _run_token() else Focus()
    kernel = _kernel_parameters()
    if not chosen.city:
        chosen = kernel
    elif not chosen.compare and kernel.city == chosen.city:
        # set_focus(CITY) alone: the comparison cities still come from the parameters cell.
        chosen = Focus(chosen.city, kernel.compare, chosen.run)
    if focus:
        return Focus(str(focus).strip(), tuple(c for c in chosen.compare if c != str(focus).strip()))
    return chosen


def is_focus(region_code: object, focus: str | None = None) -> bool:
    city = current_focus(focus).city
    return city is not None and str(region_code).strip() == city


def colour_for(region_code: str, *, focus: str | None = None) -> str:
    """The colour of a region: focus, comparison cities in parameter order, grey context.

    A region nobody named gets a stable colour from its hash (never the focus colour).
    """
    key = str(region_code).strip()
    chosen = current_focus(focus)
    if chosen.city and key == chosen.city:
        return FOCUS_COLOUR
    if key in chosen.compare:
        return COMPARE_PALETTE[chosen.compare.index(key) % len(COMPARE_PALETTE)]
    if key in CONTEXT_COLOURS:
        return CONTEXT_COLOURS[key]
    if len(key) == 2 and key.isdigit():
        return LAND_COLOUR
    # sha256, not hash(): Python salts str hashes per process, colours must not change.
    digest = int(hashlib.sha256(key.encode("utf-8")).hexdigest(), 16)
    return _SPARE_COLOURS[digest % len(_SPARE_COLOURS)]


def order_keys(keys: Iterable[object], focus: str | None = None) -> list[object]:
    """Focus first, then the comparison cities in parameter order, then the rest as given."""
    chosen = current_focus(focus)
    ranked = [chosen.city, *chosen.compare] if chosen.city else list(chosen.compare)
    unique = list(dict.fromkeys(keys))

    def rank(item: tuple[int, object]) -> tuple[int, int]:
        position, key = item
        text = str(key).strip()
        return (ranked.index(text), 0) if text in ranked else (len(ranked), position)

    return [key for _, key in sorted(enumerate(unique), key=rank)]


# Separators for plotly: decimal comma, thousands dot (plotly's locale does not set these).
SEPARATORS = ",."
GERMAN_MONTHS, GERMAN_MONTHS_SHORT = german.MONTHS, german.MONTHS_SHORT
GERMAN_DAYS = ("Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag")

# Config for every displayed figure. "de" needs the locale registered (pages ship it in
# assets/plotly-locale-de.js); ticks we format ourselves do not depend on it.
PLOTLY_CONFIG: dict = {
    "locale": "de",
    "responsive": True,
    "displaylogo": False,
    "displayModeBar": False,
    "scrollZoom": False,
}


def format_number(value: float, decimals: int = 0) -> str:
    """German number: 1.234.567,8 (for text that plotly does not format)."""
    return german.number(value, decimals)


def format_date(value: date | datetime, style: str = "day") -> str:
    """German date: ``31.12.2024`` (day), ``Dezember 2024`` (month), ``Dez. 2024`` (short)."""
    if style in ("month", "short"):
        return german.month(value, short=style == "short")
    return german.day(value)


def _axis(**extra) -> dict:
    base = {
        "showgrid": True,
        "gridcolor": GRID_COLOUR,
        "zeroline": False,
        "linecolor": "#999999",
        "ticks": "",
        "automargin": True,
        "title": {"font": {"size": 13, "color": MUTED_COLOUR}, "standoff": 8},
        "tickfont": {"size": 13, "color": MUTED_COLOUR},
    }
    base.update(extra)
    return base


DEFAULT_HEIGHT = 440  # px, a chart's height unless its helper sets one
STATIC_WIDTH = 800  # px: the width every chart's PNG and SVG is exported at


def build_template() -> go.layout.Template:
    """The ``krefeld`` template; kept free of plotly's default so each page stays light."""
    palette = [FOCUS_COLOUR, *COMPARE_PALETTE]
    layout = go.Layout(
        font={"family": FONT_STACK, "size": 14, "color": TEXT_COLOUR},
        title={"font": {"size": 18}, "x": 0, "xanchor": "left", "xref": "paper", "automargin": True},
        separators=SEPARATORS,
        colorway=palette,
        paper_bgcolor="white",
        plot_bgcolor="white",
        autosize=True,
        height=DEFAULT_HEIGHT,
        margin={"l": 8, "r": 16, "t": 72, "b": 8, "autoexpand": True},
        # A legend above the plot takes no width, which a phone does not have.
        legend={
            "orientation": "h", "x": 0, "xanchor": "left", "y": 1.0, "yanchor": "bottom",
            "font": {"size": 13}, "title": {"text": ""}, "bgcolor": "rgba(0,0,0,0)",
        },
        hoverlabel={"font": {"family": FONT_STACK, "size": 14}, "namelength": -1},
        hovermode="closest",
        # A little gap under the axis: the first year must not touch the "0" of the y axis.
        xaxis=_axis(showgrid=False, showline=True, ticklabelstandoff=4),
        yaxis=_axis(tickformat=",d", rangemode="tozero"),
        bargap=0.2,
    )
    return go.layout.Template(layout=layout)


_registered = False


def register() -> None:
    """Register the template and make it plotly's default for this process."""
    global _registered
    pio.templates[TEMPLATE_NAME] = build_template()
    pio.templates.default = TEMPLATE_NAME
    _registered = True


def ensure_registered() -> None:
    """Register the template once, when the first chart needs it.

    Building a template loads plotly's validators (a tenth of a second); a script that
    imports the chart kit and draws nothing should not pay for it (issue 12). Inside a
    kernel the kit registers at import, so plain-plotly figures get the house look too.
    """
    if not _registered:
        register()
