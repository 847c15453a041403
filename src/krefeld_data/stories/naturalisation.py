"""Story 4, "Einbürgerungen": naturalisations per year, per 1,000 foreign residents, by origin.

Two tables: 12511-04-01-4 (selected citizenships, 2011 to the latest year) and 12511-01-01-4
(continents, 2011–2017 only: the office stopped it). The rate relates the naturalisations of
a year to the foreign residents on 31.12. of the same year (12411-03-03-4, population
update); the office's own "Einbürgerungsquote" uses another base (foreigners with at least
ten years of residence), so the two rates must not be compared.
"""

from __future__ import annotations

import pandas as pd

from krefeld_data.raw.store import RawStore
from krefeld_data.stories import _data
from krefeld_data.stories._data import Cities
from krefeld_data.stories.population import NATIONALITY_AGE, foreign_share_series

BY_CITIZENSHIP = "12511-04-01-4"
BY_CONTINENT = "12511-01-01-4"


def _by_origin(table: str, markers: tuple[str, ...], keys: list[str], store: RawStore | None):
    raw = _data.load(table, store)
    frame = _data.for_regions(raw, keys, table)
    origin = _data.find_variable(frame, *markers)
    frame = frame.assign(origin_code=_data.codes(frame, origin), origin=frame[origin].astype(str),
                         number=_data.numeric_value(frame))
    return raw, frame


def naturalisations_per_year(
    cities: Cities | None = None, context: Cities | None = None, store: RawStore | None = None
) -> pd.DataFrame:
    """All naturalisations per region and year, and per 1,000 foreign residents.

    Columns: region_key, region, year, value (NaN where not yet published), status,
    foreign_residents (31.12. of the same year; NaN where the population table lacks the year),
    per_1000_foreign.
    """
    keys = _data.wanted_keys(cities, context)
    raw, frame = _by_origin(BY_CITIZENSHIP, ("Türkei", "Insgesamt"), keys, store)
    totals = frame[frame["origin_code"] == ""]
    result = pd.DataFrame({
        "region_key": totals["region_key"].astype(str),
        "region": totals["region"].astype(str),
        "year": totals["year"].astype("Int64"),
        "value": totals["number"],
        "status": totals["status"].astype(str),
    })
    foreign = foreign_share_series(keys, context=[], store=store)
    result = result.merge(
        foreign[["region_key", "year", "foreign"]].rename(columns={"foreign": "foreign_residents"}),
        on=["region_key", "year"], how="left",
    )
    result["per_1000_foreign"] = result["value"] / result["foreign_residents"] * 1000
    result = result.sort_values("year")
    return _data.finish(_data.order_regions(result, keys), raw, foreign)


def _parts_with_share(
    frame: pd.DataFrame, name: str, *, with_status: bool = False
) -> pd.DataFrame:
    """The parts (rows with an attribute code) with their share of the region's yearly total."""
    index = ["region_key", "year"]
    total = frame[frame["origin_code"] == ""][[*index, "number"]].rename(columns={"number": "total"})
    parts = frame[frame["origin_code"] != ""]
    result = pd.DataFrame({
        "region_key": parts["region_key"].astype(str),
        "region": parts["region"].astype(str),
        "year": parts["year"].astype("Int64"),
        name: parts["origin"],
        "value": parts["number"],
    })
    if with_status:
        result["status"] = parts["status"].astype(str)
    total = total.assign(region_key=total["region_key"].astype(str), year=total["year"].astype("Int64"))
    result = result.merge(total, on=index, how="left", validate="many_to_one")
    result["share"] = result["value"] / result["total"]
    return result.drop(columns="total").sort_values(["year", name])


def naturalisations_by_continent(
    cities: Cities | None = None, context: Cities | None = None, store: RawStore | None = None
) -> pd.DataFrame:
    """Naturalisations by continent of the former citizenship, every year the table has.

    Columns: region_key, region, year, continent, value, share (of the published total of the
    region and year). Continents add up to the total (stateless etc. included).
    """
    keys = _data.wanted_keys(cities, context)
    raw, frame = _by_origin(BY_CONTINENT, ("Afrika", "Europa"), keys, store)
    return _data.finish(_data.order_regions(_parts_with_share(frame, "continent"), keys), raw)


def naturalisations_by_citizenship(
    cities: Cities | None = None, context: Cities | None = None, store: RawStore | None = None
) -> pd.DataFrame:
    """Naturalisations of the selected citizenships the table lists, each year.

    The selection does not add up to the total (other citizenships are not listed).
    Columns: region_key, region, year, citizenship, value, status, share (of all naturalisations).
    """
    keys = _data.wanted_keys(cities, context)
    raw, frame = _by_origin(BY_CITIZENSHIP, ("Türkei", "Insgesamt"), keys, store)
    result = _parts_with_share(frame, "citizenship", with_status=True)
    return _data.finish(_data.order_regions(result, keys), raw)


__all__ = [
    "BY_CITIZENSHIP",
    "BY_CONTINENT",
    "NATIONALITY_AGE",
    "naturalisations_by_citizenship",
    "naturalisations_by_continent",
    "naturalisations_per_year",
]
