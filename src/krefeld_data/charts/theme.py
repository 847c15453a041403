"""The house look: one plotly template, fixed city colours, German numbers and dates.

Registered as ``krefeld`` and made the default when the chart kit is imported, so a notebook
that draws with plain plotly still looks like the rest of the paper.
"""

from __future__ import annotations

import hashlib
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
# Krefeld is the story: the strongest colour, on every chart. The others stay put too, so a
# reader who learnt "blue is Düsseldorf" on one chart is not misled on the next.
CITY_COLOURS: dict[str, str] = {
    "05114": "#D55E00",  # Krefeld
    "05111": "#0072B2",  # Düsseldorf
    "05124": "#009E73",  # Wuppertal
    "08311": "#CC79A7",  # Freiburg im Breisgau
    "05": "#8C8C8C",  # Nordrhein-Westfalen
    "DG": "#4D4D4D",  # Deutschland
}
# Colours left for other cities; yellow is dropped because it vanishes on white.
_SPARE_COLOURS = ("#E69F00", "#56B4E9", "#882255", "#117733", "#332288", "#AA4499", "#44AA99")

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


def colour_for(region_code: str) -> str:
    """The fixed colour of a region; an unknown key gets a stable colour from its hash."""
    key = str(region_code).strip()
    if key in CITY_COLOURS:
        return CITY_COLOURS[key]
    # sha256, not hash(): Python salts str hashes per process, colours must not change.
    digest = int(hashlib.sha256(key.encode("utf-8")).hexdigest(), 16)
    return _SPARE_COLOURS[digest % len(_SPARE_COLOURS)]


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


def build_template() -> go.layout.Template:
    """The ``krefeld`` template; kept free of plotly's default so each page stays light."""
    palette = [CITY_COLOURS["05114"], *(c for c in OKABE_ITO if c not in (CITY_COLOURS["05114"], "#F0E442"))]
    layout = go.Layout(
        font={"family": FONT_STACK, "size": 14, "color": TEXT_COLOUR},
        title={"font": {"size": 18}, "x": 0, "xanchor": "left", "xref": "paper", "automargin": True},
        separators=SEPARATORS,
        colorway=palette,
        paper_bgcolor="white",
        plot_bgcolor="white",
        autosize=True,
        height=440,
        margin={"l": 8, "r": 16, "t": 72, "b": 8, "autoexpand": True},
        # A legend above the plot takes no width, which a phone does not have.
        legend={
            "orientation": "h", "x": 0, "xanchor": "left", "y": 1.0, "yanchor": "bottom",
            "font": {"size": 13}, "title": {"text": ""}, "bgcolor": "rgba(0,0,0,0)",
        },
        hoverlabel={"font": {"family": FONT_STACK, "size": 14}, "namelength": -1},
        hovermode="closest",
        xaxis=_axis(showgrid=False, showline=True),
        yaxis=_axis(tickformat=",d", rangemode="tozero"),
        bargap=0.2,
    )
    return go.layout.Template(layout=layout)


def register() -> None:
    """Register the template and make it plotly's default for this process."""
    pio.templates[TEMPLATE_NAME] = build_template()
    pio.templates.default = TEMPLATE_NAME
