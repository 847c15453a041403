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


number, percent, rounded = german.number, german.percent, german.rounded  # for the notebooks
