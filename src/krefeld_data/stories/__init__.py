"""The data behind each story: functions the notebooks call to load and shape what they show.

One module per story in :data:`krefeld_data.catalog.STORIES`. Every function takes the cities
(Kreis keys, default :data:`~krefeld_data.catalog.DEFAULT_CITIES`) and, where it makes sense,
the context regions (``"05"`` NRW, ``"DG"`` Germany), reads the latest snapshot of each table
from the raw store, and returns a frame whose ``attrs["sources"]`` lists the provenance of
every snapshot used. A missing table raises :class:`~krefeld_data.errors.MissingDataError`
naming the command that gets it. No year is hard-wired: "latest" means latest available.
"""

from __future__ import annotations

STORY_MODULES = {
    "01-wer-lebt-in-der-stadt": "krefeld_data.stories.population",
    "02-schutzsuchende": "krefeld_data.stories.protection",
    "03-jung-und-hier": "krefeld_data.stories.age",
    "04-einbuergerungen": "krefeld_data.stories.naturalisation",
    "05-debatte-und-zahlen": "krefeld_data.stories.asylum",
}


def chart_frame(frame):
    """A story frame with the column names the chart kit expects (``region_code``,
    ``region_name``); the region key is the code, so colours stay fixed per city."""
    out = frame.rename(columns={"region_key": "region_code", "region": "region_name"})
    out.attrs = dict(frame.attrs)
    return out


def number(value: float, decimals: int = 0) -> str:
    """A number for German text: 1.234.567 (``–`` where there is none)."""
    from krefeld_data.charts.theme import format_number

    return format_number(value, decimals)


def percent(share: float, decimals: int = 1) -> str:
    """A share (0–1) for German text: ``12,3 %``."""
    from krefeld_data.charts.theme import format_number

    text = format_number(share * 100 if share == share else share, decimals)
    return f"{text} %" if text != "–" else text
