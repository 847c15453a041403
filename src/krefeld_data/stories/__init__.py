"""Thin per-story "facts" functions: rankings, changes, shares and verdict inputs.

The notebooks read processed datasets with :func:`krefeld_data.datasets.load` and pass the
frames to these functions; every number a sentence states comes from one of them (tested
against figures read independently from the real files). Nothing here reads the raw store.
"""

from __future__ import annotations

from krefeld_data.util import german


def chart_frame(frame):
    """A dataset frame with the column names the chart kit expects (``region_code``,
    ``region_name``); the region key is the code, so colours stay fixed per city."""
    out = frame.rename(columns={"region_key": "region_code", "region": "region_name"})
    out.attrs = dict(frame.attrs)
    return out


def in_percent(frame, column: str, name: str = "share_percent"):
    """``frame`` with the share ``column`` (0 to 1) as per cent in ``name``, for a chart.

    The new column is documented from the share's own meaning ("…, in Prozent"), so the page's
    "Was die Spalten bedeuten" says which share a chart shows, not the first one it finds.
    """
    from krefeld_data.datasets import column_docs, document
    from krefeld_data.datasets.datapackage import UNDESCRIBED, describe_column

    out = frame.assign(**{name: frame[column] * 100})
    out.attrs = dict(frame.attrs)
    meaning = describe_column(f"{column}_percent", column_docs(out))
    return out if meaning == UNDESCRIBED else document(out, **{name: meaning})


number, percent, rounded = german.number, german.percent, german.rounded  # for the notebooks
