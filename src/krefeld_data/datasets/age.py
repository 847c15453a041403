"""Age datasets (story 3): residents by nationality and age group (12411-03-03-4).

A population pyramid compares shapes, so each row also carries its share of its own group
(all foreign or all German residents of the region), not only a count: a city with few
foreigners would otherwise show a flat foreign side whatever their ages. The measure by
migration background and age (census 2011) is made in :mod:`krefeld_data.datasets.population`.
"""

from __future__ import annotations

import re

import pandas as pd

from krefeld_data.datasets import tables
from krefeld_data.errors import KrefeldDataError, MissingDataError
from krefeld_data.raw.store import RawStore

NATIONALITY_AGE = "12411-03-03-4"
SEXES = {"GESM": "männlich", "GESW": "weiblich", "männlich": "männlich", "weiblich": "weiblich"}


def age_bounds(label: str, table: str = NATIONALITY_AGE) -> tuple[int, int | None]:
    """Lower and upper age (exclusive; None = open) of a label like ``15 bis unter 18 Jahre``."""
    text = label.strip().lower()
    if match := re.fullmatch(r"unter (\d+) jahre?n?", text):
        return 0, int(match.group(1))
    if match := re.fullmatch(r"(\d+) bis unter (\d+) jahre?n?", text):
        return int(match.group(1)), int(match.group(2))
    if match := re.fullmatch(r"(\d+) jahre? und (?:mehr|älter)", text):
        return int(match.group(1)), None
    raise KrefeldDataError(f"table {table}: cannot read the age group {label!r}")


def age_structure(store: RawStore, *, year: int | None = None) -> pd.DataFrame:
    """Residents by nationality, sex and age group on 31.12. of ``year`` (default: latest),
    every region of the table.

    Columns: region_key, region, year, date, nationality (deutsch/ausländisch), sex
    (männlich/weiblich), age_group, age_from, age_to, value, share (of the region's residents
    of that nationality, both sexes: the shares of one pyramid side pair add up to 1),
    census_basis.
    """
    raw = tables.latest(NATIONALITY_AGE, store)
    nat = tables.find_variable(raw, "NATA", "Ausländer(innen)")
    sex = tables.find_variable(raw, "GESM", "männlich")
    age = tables.find_variable(raw, "unter 3 Jahre", "ALT000B03")
    frame = raw.assign(number=tables.numeric_value(raw))
    if year is None:
        year = int(frame.loc[frame["number"].notna(), "year"].max())
    frame = frame[frame["year"] == year]
    if frame.empty:
        raise MissingDataError(
            f"table {NATIONALITY_AGE} has no figures for 31.12.{year}; get a newer table with "
            f"{tables.fetch_hint(NATIONALITY_AGE)}"
        )
    nat_code, sex_code, age_code = (tables.codes(frame, v) for v in (nat, sex, age))
    frame = frame[(nat_code != "") & (sex_code != "") & (age_code != "")]
    result = pd.DataFrame({
        "region_key": frame["region_key"].astype(str),
        "region": frame["region"].astype(str),
        "year": frame["year"].astype("Int64"),
        "date": frame["date"],
        "nationality": tables.nationality(frame, nat),
        "sex": tables.codes(frame, sex).map(SEXES),
        "age_group": frame[age].astype(str),
        "value": frame["number"],
        "census_basis": frame["census_basis"].astype(str) if "census_basis" in frame else "",
    })
    bounds = result["age_group"].map(age_bounds)
    result["age_from"] = bounds.map(lambda b: b[0]).astype("Int64")
    result["age_to"] = bounds.map(lambda b: b[1]).astype("Int64")
    group_total = result.groupby(["region_key", "nationality"])["value"].transform("sum")
    result["share"] = result["value"] / group_total
    result = result.sort_values(["region_key", "age_from", "nationality", "sex"], kind="stable")
    columns = ["region_key", "region", "year", "date", "nationality", "sex", "age_group", "age_from",
               "age_to", "value", "share", "census_basis"]
    return tables.finish(result[columns], raw)
