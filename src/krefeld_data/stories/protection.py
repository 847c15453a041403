"""Story 2, "Schutzsuchende: vom ersten Tag an": protection seekers by status and citizenship.

Table 12531-0043 lists protection status categories that contain each other (recognised =
temporary + permanent; temporary = from the asylum procedure + outside it; rejected = three
kinds of obligation to leave). Summing the column counts people twice, so every function
picks one cut of the declared tree (:mod:`krefeld_data.clean.hierarchy`). Values are rounded
to multiples of 5 by the office, each cell on its own: published totals and sums of parts
may differ by a few persons.
"""

from __future__ import annotations

import pandas as pd

from krefeld_data.clean import hierarchy
from krefeld_data.raw.store import RawStore
from krefeld_data.stories import _data
from krefeld_data.stories._data import Cities

PROTECTION = "12531-0043"
STATUS_VARIABLE = "schst2"
STATUS_GROUPS = {  # level-1 codes of the status tree -> plain words for readers
    "SCHUTZST-OF": "offen",
    "SCHUTZST-AK-1": "anerkannt",
    "SCHUTZST-X": "abgelehnt",
}


def _protection_frame(keys: list[str], store: RawStore | None) -> pd.DataFrame:
    raw = _data.load(PROTECTION, store)
    frame = _data.for_regions(raw, keys, PROTECTION)
    # Sum over every other classification only across its finest attributes (no totals).
    for var in _data.classifying(frame):
        if var != STATUS_VARIABLE:
            frame = hierarchy.leaves(frame, var)
    frame = frame.assign(status_code=_data.codes(frame, STATUS_VARIABLE), number=_data.numeric_value(frame))
    frame.attrs = raw.attrs
    return frame


def _latest(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of the newest reference date of each region."""
    dated = frame[frame["number"].notna()]
    newest = dated.groupby("region_key", observed=True)["date"].transform("max")
    return dated[dated["date"] == newest]


def _population(keys: list[str], store: RawStore | None) -> pd.DataFrame:
    from krefeld_data.stories.population import population_series

    series = population_series(keys, context=[], store=store)
    return series


def _with_population(result: pd.DataFrame, keys: list[str], store: RawStore | None) -> pd.DataFrame:
    """Add inhabitants on the same reference date and the rate per 1,000 inhabitants."""
    population = _population(keys, store)
    joined = result.merge(
        population[["region_key", "date", "population"]], on=["region_key", "date"], how="left"
    )
    joined["per_1000"] = joined["value"] / joined["population"] * 1000
    joined.attrs = {"sources": _data.merge_sources(result, population)}
    return joined


def protection_by_status(
    cities: Cities | None = None,
    store: RawStore | None = None,
    *,
    level: int = 1,
    all_dates: bool = False,
) -> pd.DataFrame:
    """Protection seekers per region by status: level 1 = offen / anerkannt / abgelehnt.

    ``level=2`` splits recognised into temporary / permanent and rejected into the kinds of
    obligation to leave. Latest reference date per region unless ``all_dates``. Columns:
    region_key, region, year, date, status_code, status, group (offen/anerkannt/abgelehnt),
    value, population, per_1000 (per 1,000 inhabitants on the same date).
    """
    keys = _data.wanted_keys(cities, [])
    frame = _protection_frame(keys, store)
    tree = hierarchy.HIERARCHIES[STATUS_VARIABLE]
    wanted = tree.level_codes(level)
    frame = frame[frame["status_code"].isin(wanted)]
    if not all_dates:
        frame = _latest(frame)
    grouped = (
        frame.groupby(["region_key", "region", "year", "date", "status_code"], observed=True)["number"]
        .sum(min_count=1)
        .rename("value")
        .reset_index()
    )
    labels = tree.labels()
    grouped["status"] = grouped["status_code"].map(labels)
    grouped["group"] = grouped["status_code"].map(lambda c: STATUS_GROUPS[_group_of(tree, c)])
    grouped["region_key"] = grouped["region_key"].astype(str)
    grouped["region"] = grouped["region"].astype(str)
    order = {c: i for i, c in enumerate(wanted)}
    grouped = grouped.sort_values(["date", "status_code"], key=lambda s: s.map(order) if
                                  s.name == "status_code" else s)
    result = _with_population(_data.finish(grouped, frame), keys, store)
    return _data.finish(_data.order_regions(result, keys), result)


def _group_of(tree: hierarchy.Hierarchy, code: str) -> str:
    """The level-1 ancestor of a status code."""
    while code not in STATUS_GROUPS:
        parent = tree.parent(code)
        if parent is None:
            raise _data.KrefeldDataError(f"status code {code!r} is outside the declared status tree")
        code = parent
    return code


def protection_totals(cities: Cities | None = None, store: RawStore | None = None) -> pd.DataFrame:
    """All protection seekers per region on the latest date, per 1,000 inhabitants.

    Total = offen + anerkannt + abgelehnt (the level-1 cut). Columns: region_key, region, year,
    date, value, population, per_1000.
    """
    by_status = protection_by_status(cities, store, level=1)
    totals = (
        by_status.groupby(["region_key", "region", "year", "date", "population"], sort=False)["value"]
        .sum()
        .reset_index()
    )
    totals["per_1000"] = totals["value"] / totals["population"] * 1000
    return _data.finish(totals[["region_key", "region", "year", "date", "value", "population", "per_1000"]],
                        by_status)


def top_citizenships(
    cities: Cities | None = None, store: RawStore | None = None, *, n: int = 5
) -> pd.DataFrame:
    """The ``n`` most frequent citizenships of protection seekers per region (latest date).

    Columns: region_key, region, date, rank, citizenship_code, citizenship, value, share (of all
    protection seekers of the region).
    """
    keys = _data.wanted_keys(cities, [])
    frame = _protection_frame(keys, store)
    tree = hierarchy.HIERARCHIES[STATUS_VARIABLE]
    frame = _latest(frame[frame["status_code"].isin(tree.level_codes(1))])
    citizenship = _data.find_variable(frame, "ST475", "Syrien", "ST423", "Afghanistan")
    frame = frame.assign(citizenship_code=_data.codes(frame, citizenship),
                         citizenship=frame[citizenship].astype(str))
    per = (
        frame.groupby(["region_key", "region", "date", "citizenship_code", "citizenship"], observed=True)[
            "number"]
        .sum()
        .rename("value")
        .reset_index()
    )
    per["share"] = per["value"] / per.groupby("region_key", observed=True)["value"].transform("sum")
    per = per.sort_values(["region_key", "value", "citizenship"], ascending=[True, False, True])
    per["rank"] = per.groupby("region_key", observed=True).cumcount() + 1
    per = per[per["rank"] <= n]
    per["region_key"] = per["region_key"].astype(str)
    per["region"] = per["region"].astype(str)
    columns = ["region_key", "region", "date", "rank", "citizenship_code", "citizenship", "value", "share"]
    return _data.finish(_data.order_regions(per[columns], keys).sort_values(
        ["region_key", "rank"], key=lambda s: s.map({k: i for i, k in enumerate(keys)})
        if s.name == "region_key" else s), frame)
