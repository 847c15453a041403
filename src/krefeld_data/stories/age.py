"""Story 3, "Jung und hier": age structure of foreign and German residents (12411-03-03-4).

A population pyramid compares shapes, so each bar is a share of its own group (all foreign
or all German residents of the region), not a count: a city with few foreigners would
otherwise show a flat foreign side whatever their ages.
"""

from __future__ import annotations

import re

import pandas as pd

from krefeld_data.raw.store import RawStore
from krefeld_data.stories import _data
from krefeld_data.stories._data import Cities
from krefeld_data.stories.population import NATIONALITY_AGE

SEXES = {"GESM": "männlich", "GESW": "weiblich", "männlich": "männlich", "weiblich": "weiblich"}


def age_bounds(label: str) -> tuple[int, int | None]:
    """Lower and upper age (exclusive; None = open) of a label like ``15 bis unter 18 Jahre``."""
    text = label.strip().lower()
    if match := re.fullmatch(r"unter (\d+) jahre?n?", text):
        return 0, int(match.group(1))
    if match := re.fullmatch(r"(\d+) bis unter (\d+) jahre?n?", text):
        return int(match.group(1)), int(match.group(2))
    if match := re.fullmatch(r"(\d+) jahre? und (?:mehr|älter)", text):
        return int(match.group(1)), None
    raise _data.KrefeldDataError(f"table {NATIONALITY_AGE}: cannot read the age group {label!r}")


def age_structure(
    cities: Cities | None = None,
    context: Cities | None = None,
    store: RawStore | None = None,
    *,
    year: int | None = None,
) -> pd.DataFrame:
    """Residents by nationality, sex and age group on 31.12. of ``year`` (default: latest).

    Columns: region_key, region, year, date, nationality (deutsch/ausländisch), sex
    (männlich/weiblich), age_group, age_from, age_to, value, share (of the region's residents
    of that nationality, both sexes: the shares of one pyramid side pair add up to 1).
    """
    keys = _data.wanted_keys(cities, context)
    raw = _data.load(NATIONALITY_AGE, store)
    frame = _data.for_regions(raw, keys, NATIONALITY_AGE)
    nat = _data.find_variable(frame, "NATA", "Ausländer(innen)")
    sex = _data.find_variable(frame, "GESM", "männlich")
    age = _data.find_variable(frame, "unter 3 Jahre", "ALT000B03")
    frame = frame.assign(number=_data.numeric_value(frame))
    if year is None:
        year = int(frame.loc[frame["number"].notna(), "year"].max())
    frame = frame[frame["year"] == year]
    if frame.empty:
        raise _data.MissingDataError(
            f"table {NATIONALITY_AGE} has no figures for 31.12.{year}; get a newer table with "
            f"{_data.fetch_hint(NATIONALITY_AGE)}"
        )
    nat_code, sex_code, age_code = (_data.codes(frame, v) for v in (nat, sex, age))
    frame = frame[(nat_code != "") & (sex_code != "") & (age_code != "")]
    result = pd.DataFrame({
        "region_key": frame["region_key"].astype(str),
        "region": frame["region"].astype(str),
        "year": frame["year"].astype("Int64"),
        "date": frame["date"],
        "nationality": _data.nationality(frame, nat),
        "sex": _data.codes(frame, sex).map(SEXES),
        "age_group": frame[age].astype(str),
        "value": frame["number"],
    })
    bounds = result["age_group"].map(age_bounds)
    result["age_from"] = bounds.map(lambda b: b[0]).astype("Int64")
    result["age_to"] = bounds.map(lambda b: b[1]).astype("Int64")
    group_total = result.groupby(["region_key", "nationality"])["value"].transform("sum")
    result["share"] = result["value"] / group_total
    result = result.sort_values(["age_from", "nationality", "sex"], kind="stable")
    return _data.finish(_data.order_regions(result, keys), raw)


def young_share(
    cities: Cities | None = None,
    context: Cities | None = None,
    store: RawStore | None = None,
    *,
    under: int = 18,
    year: int | None = None,
) -> pd.DataFrame:
    """Share of residents younger than ``under`` years, foreign vs German (latest year).

    ``under`` must be a bound of the published age groups (3, 6, 10, 15, 18, 20, 25, …).
    Columns: region_key, region, year, nationality, young, total, share.
    """
    structure = age_structure(cities, context, store, year=year)
    bounds = set(structure["age_from"].dropna().astype(int))
    if under not in bounds:
        raise _data.KrefeldDataError(
            f"table {NATIONALITY_AGE}: {under} is not an age group bound; use one of {sorted(bounds)}"
        )
    structure = structure.assign(young=structure["value"].where(structure["age_from"] < under, 0.0))
    result = (
        structure.groupby(["region_key", "region", "year", "nationality"], sort=False)[["young", "value"]]
        .sum()
        .rename(columns={"value": "total"})
        .reset_index()
    )
    result["share"] = result["young"] / result["total"]
    return _data.finish(result, structure)
