"""Story 1, European comparison: facts from the Urban Audit dataset (Eurostat city statistics).

The dataset (``urban_audit_staatsangehoerigkeit``, made in :mod:`krefeld_data.datasets.cities`)
holds every city of the stored responses; a city without an Urban Audit code
(:func:`krefeld_data.regions.urban_audit.city_code` is None) or one that delivered nothing is
not in it, and the page says so in one sentence.
"""

from __future__ import annotations

import pandas as pd

# Eurostat flag letters the page puts into words; others are shown as published.
FLAG_WORDS = {"b": "einen Bruch in der Zeitreihe", "e": "eine Schätzung", "p": "einen vorläufigen Wert"}


def latest_shares(frame: pd.DataFrame) -> pd.DataFrame:
    """Per city the newest year with a foreign share (cities report different latest years)."""
    known = frame.dropna(subset=["foreign_share"])
    latest = known.sort_values("year").groupby("region_key", sort=False).tail(1)
    order = {k: i for i, k in enumerate(dict.fromkeys(frame["region_key"]))}
    result = latest.sort_values("region_key", key=lambda k: k.map(order), kind="stable")
    result = result.reset_index(drop=True)
    result.attrs = dict(frame.attrs)
    return result


def flag_words(quality: str) -> tuple[list[str], list[str]]:
    """(words for the known flags, the other flags as published) of a ``quality`` cell."""
    flags = [f for f in str(quality).split(",") if f]
    return [FLAG_WORDS[f] for f in flags if f in FLAG_WORDS], [f for f in flags if f not in FLAG_WORDS]
