"""The data behind each story: functions the notebooks call to load and shape what they show.

One module per story in :data:`krefeld_data.catalog.STORIES`. Every function takes the cities
(Kreis keys, default :data:`~krefeld_data.catalog.DEFAULT_CITIES`) and, where it makes sense,
the context regions (``"05"`` NRW, ``"DG"`` Germany), reads the latest snapshot of each table
from the raw store, and returns a frame whose ``attrs["sources"]`` lists the provenance of
every snapshot used. A missing table raises :class:`~krefeld_data.errors.MissingDataError`
naming the command that gets it. No year is hard-wired: "latest" means latest available.
"""

from __future__ import annotations

from krefeld_data.util import german

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


number, percent, rounded = german.number, german.percent, german.rounded  # for the notebooks
