"""Naturalisations (12511-01-01-4 by continent, 12511-04-01-4 by citizenship) for story 4.

Counts and rates never share a frame: a table may publish, beside the number of
naturalisations, the office's own rate (Einbürgerungsquote, "ausgeschöpftes
Einbürgerungspotenzial": naturalisations per 100 foreigners with at least ten years of
residence). Each value variable is sorted by what it measures (:func:`measure_kind`): counts are
summed and shared out, the official rate is carried as published in its own column
(``official_rate``), never in ``value`` and never computed.
The rate per 1,000 foreign residents in ``einbuergerungen`` is our own, named as such: it
relates a year's naturalisations to all foreign residents on 31.12. of that year
(12411-03-03-4), so it is not the official rate and must not be compared with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from krefeld_data.clean.hierarchy import attribute_codes
from krefeld_data.datasets import tables
from krefeld_data.datasets.protection import own_variables
from krefeld_data.errors import KrefeldDataError
from krefeld_data.raw.store import RawStore

if TYPE_CHECKING:
    import pandas as pd

BY_CONTINENT = "12511-01-01-4"
BY_CITIZENSHIP = "12511-04-01-4"
NATIONALITY_AGE = "12411-03-03-4"
RATE_WORDS = ("quote", "potenzial", "potential")
PERCENT_UNITS = ("prozent", "%")


def measure_kind(label: object, unit: object) -> str:
    """``rate`` for a published rate (Einbürgerungsquote, -potenzial, unit Prozent), else ``count``."""
    text, unit_text = str(label or "").lower(), str(unit or "").strip().lower()
    if unit_text in PERCENT_UNITS or any(word in text for word in RATE_WORDS):
        return "rate"
    return "count"


def kinds(frame: pd.DataFrame) -> pd.Series:
    """:func:`measure_kind` of every row."""
    pairs = frame[["measure_label", "unit"]].astype(str).drop_duplicates()
    lookup = {(label, unit): measure_kind(label, unit) for label, unit in pairs.itertuples(index=False)}
    return frame[["measure_label", "unit"]].astype(str).apply(tuple, axis=1).map(lookup)


def origin_variable(frame: pd.DataFrame, table: str, *markers: str) -> str:
    """The variable holding the former citizenship or continent (classic tables: by label)."""
    wanted = {m.lower() for m in markers}
    for var in own_variables(frame):
        values = set(frame[var].astype(str).str.strip().str.lower())
        if f"{var}_code" in frame.columns:
            values |= set(frame[f"{var}_code"].astype(str).str.strip().str.lower())
        if values & wanted:
            return var
    raise KrefeldDataError(
        f"table {table}: no variable with any of {', '.join(markers)}; the layout may have changed "
        f"(variables: {', '.join(own_variables(frame))})"
    )


def _origin_frame(table: str, markers: tuple[str, ...], store: RawStore | None, kind: str) -> pd.DataFrame:
    import pandas as pd

    raw = tables.latest(table, store)
    rows = raw[kinds(raw) == kind]
    origin = origin_variable(raw, table, *markers)
    frame = pd.DataFrame({
        "region_key": rows["region_key"].astype(str),
        "region": rows["region"].astype(str),
        "year": rows["year"].astype("Int64"),
        "origin_code": attribute_codes(rows, origin),
        "origin": rows[origin].astype(str).str.strip(),
        "measure_label": rows["measure_label"].astype(str),
        "unit": rows["unit"].astype(str),
        "value": tables.numeric_value(rows),
        "status": rows["status"].astype(str),
    })
    frame.attrs = {"sources": list(raw.attrs.get("sources", []))}
    return frame


def _parts_with_share(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """The parts (rows with an attribute code) with their share of the region's yearly total."""
    index = ["region_key", "year"]
    total = frame[frame["origin_code"] == ""][[*index, "value"]].rename(columns={"value": "total"})
    parts = frame[frame["origin_code"] != ""]
    result = parts[["region_key", "region", "year", "origin", "value", "status"]]
    result = result.rename(columns={"origin": name})
    result = result.merge(total.drop_duplicates(index), on=index, how="left", validate="many_to_one")
    result["share"] = result["value"] / result["total"]
    result = result.sort_values(["region_key", "year", name], kind="stable")
    return result.reset_index(drop=True)


def naturalisations_by_continent(store: RawStore | None = None) -> pd.DataFrame:
    """Maker of ``einbuergerungen_kontinente``: every region and year of 12511-01-01-4.

    Columns: region_key, region, year, continent, value, status, share (of the published total of
    the region and year). The continents add up to the total (stateless etc. included).
    """
    frame = _origin_frame(BY_CONTINENT, ("Afrika", "Europa"), store, "count")
    result = _parts_with_share(frame, "continent")
    result.attrs = frame.attrs
    return result


def naturalisation_totals(store: RawStore | None = None) -> pd.DataFrame:
    """All naturalisations per region and year from 12511-01-01-4 (the published total row).

    Columns: region_key, region, year, value (NaN where not published), status.
    """
    frame = _origin_frame(BY_CONTINENT, ("Afrika", "Europa"), store, "count")
    result = frame[frame["origin_code"] == ""][["region_key", "region", "year", "value", "status"]]
    result = result.sort_values(["region_key", "year"], kind="stable").reset_index(drop=True)
    result.attrs = frame.attrs
    return result


def foreign_residents(store: RawStore | None = None) -> pd.DataFrame:
    """Foreign residents (all sexes and ages) on 31.12. per region and year, from 12411-03-03-4,
    with the census basis of each figure (``census_basis``) where the table carries one."""
    import pandas as pd

    raw = tables.latest(NATIONALITY_AGE, store)
    nationality = origin_variable(raw, NATIONALITY_AGE, "NATA", "Ausländer(innen)", "Ausländer")
    frame = raw
    for var in own_variables(raw):
        if var != nationality:
            frame = frame[attribute_codes(frame, var) == ""]
    codes = attribute_codes(frame, nationality)
    labels = frame[nationality].astype(str).str.strip().str.lower()
    foreign = frame[(codes == "NATA") | labels.str.startswith("ausländ")]
    result = pd.DataFrame({
        "region_key": foreign["region_key"].astype(str),
        "year": foreign["year"].astype("Int64"),
        "foreign_residents": tables.numeric_value(foreign),
    })
    if "census_basis" in foreign.columns:  # the basis follows the publication's vintage (tables.latest)
        result["census_basis"] = foreign["census_basis"].astype(str)
    result = result.drop_duplicates(["region_key", "year"], keep="last")
    result.attrs = {"sources": list(raw.attrs.get("sources", []))}
    return result


def naturalisations_per_year(store: RawStore | None = None) -> pd.DataFrame:
    """Maker of ``einbuergerungen``: all naturalisations per region and year (12511-04-01-4),
    with our own rate per 1,000 foreign residents on 31.12. of the same year (12411-03-03-4).

    Columns: region_key, region, year, value (NaN where not yet published), status,
    foreign_residents (NaN where 12411-03-03-4 lacks the year), census_basis (of that figure),
    per_1000_foreign (own rate), and
    the official rate where the table publishes it as its own value variable: official_rate,
    official_rate_label, official_rate_unit (NaN / empty elsewhere; never computed here).
    """
    frame = _origin_frame(BY_CITIZENSHIP, ("Türkei", "Insgesamt"), store, "count")
    totals = frame[frame["origin_code"] == ""][["region_key", "region", "year", "value", "status"]]
    foreign = foreign_residents(store)
    result = totals.merge(foreign, on=["region_key", "year"], how="left", validate="many_to_one")
    result["per_1000_foreign"] = result["value"] / result["foreign_residents"] * 1000
    rates = official_rate(store)
    rates = rates[rates["citizenship"].str.lower() == "insgesamt"]
    rates = rates.drop_duplicates(["region_key", "year"])
    rates = rates[["region_key", "year", "measure_label", "unit", "value"]]
    rates = rates.rename(columns={"value": "official_rate", "measure_label": "official_rate_label",
                                  "unit": "official_rate_unit"})
    result = result.merge(rates, on=["region_key", "year"], how="left", validate="many_to_one")
    result = result.sort_values(["region_key", "year"], kind="stable").reset_index(drop=True)
    result.attrs = {"sources": [*frame.attrs["sources"], *foreign.attrs["sources"]]}
    return result


def naturalisations_by_citizenship(store: RawStore | None = None) -> pd.DataFrame:
    """Maker of ``einbuergerungen_staatsangehoerigkeit``: the citizenships 12511-04-01-4 lists.

    The selection does not add up to the total (other citizenships are not listed).
    Columns: region_key, region, year, citizenship, value, status, share (of all naturalisations).
    """
    frame = _origin_frame(BY_CITIZENSHIP, ("Türkei", "Insgesamt"), store, "count")
    result = _parts_with_share(frame, "citizenship")
    result.attrs = frame.attrs
    return result


def official_rate(store: RawStore | None = None) -> pd.DataFrame:
    """The rate values 12511-04-01-4 publishes, as published (its own rows, apart from the counts).

    Empty (with its columns) where the stored table has no rate variable. Columns: region_key,
    region, year, citizenship, measure_label, unit, value, status.
    """
    frame = _origin_frame(BY_CITIZENSHIP, ("Türkei", "Insgesamt"), store, "rate")
    result = frame.rename(columns={"origin": "citizenship"})[
        ["region_key", "region", "year", "citizenship", "measure_label", "unit", "value", "status"]]
    result = result.sort_values(["region_key", "year"], kind="stable").reset_index(drop=True)
    result.attrs = frame.attrs
    return result
