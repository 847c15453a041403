"""Protection seekers (12531-0043) shaped for story 2: by status at three depths, by citizenship.

Table 12531-0043 lists protection-status categories that contain each other (recognised =
temporary + permanent; temporary = from the asylum procedure + outside it; rejected = three
kinds of obligation to leave). Summing the column counts people twice, so every row here
belongs to one cut of the declared tree (:mod:`krefeld_data.clean.hierarchy`) and says which
(``level``). The office rounds every cell to a multiple of 5, and a ``compress=true`` download
has no total rows, so every figure here is a sum of rounded cells: readers get „rund …“.

The 33.5 MB national file is parsed once per build (:mod:`krefeld_data.datasets.tables`), and
:func:`protection_cube` keeps its shaped cube (by checksum) for the other makers.

People under temporary protection (§ 24 AufenthG, since 2022, nearly all from Ukraine) never
passed through asylum reception. The table has no § 24 category, so the datasets carry the
Ukrainian citizens of each cell (``ukrainian``) as the closest measure the table offers; the
status "befristet anerkannt, nicht aus Asylverfahren" (level 3) holds § 24 and other titles.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from krefeld_data.clean import hierarchy
from krefeld_data.datasets import tables
from krefeld_data.errors import KrefeldDataError, MissingDataError
from krefeld_data.raw.store import RawStore

if TYPE_CHECKING:
    import pandas as pd

PROTECTION = "12531-0043"
POPULATION = "12411-01-01-4"
STATUS_VARIABLE = "schst2"
STATUS_GROUPS = {  # level-1 codes of the status tree -> plain words for readers
    "SCHUTZST-OF": "offen",
    "SCHUTZST-AK-1": "anerkannt",
    "SCHUTZST-X": "abgelehnt",
}
LEVELS = (1, 2, 3)
UKRAINE_CODE, UKRAINE_LABEL = "ST166", "Ukraine"  # STAAG5 attribute (real sample 06)
TOP_CITIZENSHIPS = 10

_cubes: dict[str, pd.DataFrame] = {}  # sha256 of the 12531-0043 snapshot -> protection cube


def snapshot_key(table: str, store: RawStore | None = None) -> str:
    """The sha256 of the latest snapshot of ``table`` (what a cached cube is valid for)."""
    store = store or RawStore()
    snapshot = store.latest(table)
    if snapshot is None:
        raise MissingDataError(f"table {table} is not in the raw store {store.root}; "
                               f"get it with {tables.fetch_hint(table)}")
    return snapshot.provenance.sha256 or str(snapshot.path)


def own_variables(frame: pd.DataFrame) -> list[str]:
    """The table's classifying variables (not the columns cleaning added)."""
    return tables.classifying(frame)


def citizenship_variable(frame: pd.DataFrame) -> str:
    """The citizenship variable of 12531 (``staag5`` in flat files; found by its codes or labels)."""
    for var in own_variables(frame):
        if var == STATUS_VARIABLE:
            continue
        values = set(frame[var].astype(str))
        if f"{var}_code" in frame.columns:
            values |= set(frame[f"{var}_code"].astype(str))
        if values & {UKRAINE_CODE, UKRAINE_LABEL, "ST475", "Syrien", "ST423", "Afghanistan"}:
            return var
    raise KrefeldDataError(
        f"table {PROTECTION}: no citizenship variable (none has Syrien, Afghanistan or Ukraine); "
        f"variables: {', '.join(own_variables(frame))}"
    )


def protection_cube(store: RawStore | None = None) -> pd.DataFrame:
    """Protection seekers per region, date, status code and citizenship, summed over sex.

    Other classifications are summed over their finest attributes only (never a total with
    its parts). Columns: region_key, region, year, date, status_code, citizenship_code,
    citizenship, value (NaN where no cell has a number). Cached with the parsed snapshot.
    """
    import pandas as pd

    key = snapshot_key(PROTECTION, store)
    if key in _cubes:
        return _cubes[key]
    raw = tables.latest(PROTECTION, store)
    if STATUS_VARIABLE not in raw.columns:
        raise KrefeldDataError(f"table {PROTECTION}: no protection status variable ({STATUS_VARIABLE}); "
                               f"variables: {', '.join(own_variables(raw))}")
    citizenship = citizenship_variable(raw)
    frame = raw
    for var in own_variables(raw):
        if var not in (STATUS_VARIABLE, citizenship):
            frame = hierarchy.leaves(frame, var)
    frame = hierarchy.leaves(frame, citizenship)
    codes = hierarchy.attribute_codes(frame, STATUS_VARIABLE)
    for code in codes.unique():
        hierarchy.SCHUTZSTATUS.node(code)  # an unknown status fails loudly instead of vanishing
    cube = (
        pd.DataFrame({
            "region_key": frame["region_key"].astype(str),
            "region": frame["region"].astype(str),
            "year": frame["year"].astype("Int64"),
            "date": frame["date"],
            "status_code": codes,
            "citizenship_code": hierarchy.attribute_codes(frame, citizenship),
            "citizenship": frame[citizenship].astype(str),
            "value": tables.numeric_value(frame),
        })
        .groupby(["region_key", "region", "year", "date", "status_code", "citizenship_code", "citizenship"],
                 observed=True, dropna=False, sort=False)["value"]
        .sum(min_count=1)
        .reset_index()
    )
    cube.attrs = {"sources": list(raw.attrs.get("sources", []))}
    _cubes.clear()  # one national file at a time: a new snapshot replaces the old cube
    _cubes[key] = cube
    return cube


def is_ukrainian(cube: pd.DataFrame) -> pd.Series:
    return (cube["citizenship_code"] == UKRAINE_CODE) | (cube["citizenship"] == UKRAINE_LABEL)


def group_of(code: str) -> str:
    """The level-1 group (offen / anerkannt / abgelehnt) of a status code."""
    tree = hierarchy.SCHUTZSTATUS
    while code not in STATUS_GROUPS:
        parent = tree.parent(code)
        if parent is None:
            raise KrefeldDataError(f"status code {code!r} is outside the declared status tree")
        code = parent
    return STATUS_GROUPS[code]


def population_on_dates(store: RawStore | None = None) -> pd.DataFrame:
    """Inhabitants (all sexes) per region key and reference date, every stored publication spliced.

    Columns: region_key, date, population. The newest publication wins where they overlap.
    """
    import pandas as pd

    frame = tables.series(POPULATION, store)
    frame = tables.only_totals(frame, own_variables(frame))  # both sexes
    result = pd.DataFrame({
        "region_key": frame["region_key"].astype(str),
        "date": frame["date"],
        "population": tables.numeric_value(frame),
    }).dropna(subset=["date"]).drop_duplicates(["region_key", "date"], keep="last")
    result.attrs = {"sources": list(frame.attrs.get("sources", []))}
    return result


def protection_by_status(store: RawStore | None = None) -> pd.DataFrame:
    """Maker of ``schutzsuchende_status``: every region and date, status at depths 1, 2 and 3.

    Each (region, date, level) partitions all protection seekers. Columns: region_key, region,
    year, date, level, status_code, status, group, value, ukrainian, without_ukrainian,
    population, per_1000. ``population`` is left empty (never dropped) where 12411-01-01-4
    has no figure for that region and date.
    """
    import pandas as pd

    cube = protection_cube(store)
    tree = hierarchy.SCHUTZSTATUS
    labels = tree.labels()
    keys = ["region_key", "region", "year", "date", "status_code"]
    cube = cube.assign(ukrainian=cube["value"].where(is_ukrainian(cube), 0.0))
    parts = []
    for level in LEVELS:
        cut = cube[cube["status_code"].isin(tree.level_codes(level))]
        summed = (cut.groupby(keys, observed=True, dropna=False, sort=False)[["value", "ukrainian"]]
                  .sum(min_count=1).reset_index())
        parts.append(summed.assign(level=level))
    result = pd.concat(parts, ignore_index=True)
    result["ukrainian"] = result["ukrainian"].fillna(0.0).where(result["value"].notna())
    result["without_ukrainian"] = result["value"] - result["ukrainian"]
    result["status"] = result["status_code"].map(labels)
    result["group"] = result["status_code"].map(group_of)
    population = population_on_dates(store)
    result = result.merge(population, on=["region_key", "date"], how="left", validate="many_to_one")
    result["per_1000"] = result["value"] / result["population"] * 1000
    order = {code: i for i, (node, _) in enumerate(tree.nodes()) for code in [node.code]}
    result = result.assign(_order=result["status_code"].map(order)).sort_values(
        ["region_key", "date", "level", "_order"], kind="stable").drop(columns="_order")
    columns = ["region_key", "region", "year", "date", "level", "status_code", "status", "group", "value",
               "ukrainian", "without_ukrainian", "population", "per_1000"]
    result = result[columns].reset_index(drop=True)
    result.attrs = {"sources": [*cube.attrs["sources"], *population.attrs["sources"]]}
    return result


def top_citizenships(store: RawStore | None = None, *, n: int = TOP_CITIZENSHIPS) -> pd.DataFrame:
    """Maker of ``schutzsuchende_staatsangehoerigkeit``: the ``n`` largest citizenships per region.

    Newest reference date of each region; counts over the level-1 cut (each person once).
    Columns: region_key, region, date, rank, citizenship_code, citizenship, value, share (of all
    protection seekers of the region on that date).
    """
    cube = protection_cube(store)
    cut = cube[cube["status_code"].isin(hierarchy.SCHUTZSTATUS.level_codes(1)) & cube["value"].notna()]
    newest = cut.groupby("region_key", observed=True)["date"].transform("max")
    cut = cut[cut["date"] == newest]
    per = (cut.groupby(["region_key", "region", "date", "citizenship_code", "citizenship"], observed=True,
                       dropna=False, sort=False)["value"].sum().reset_index())
    per["share"] = per["value"] / per.groupby("region_key")["value"].transform("sum")
    per = per.sort_values(["region_key", "value", "citizenship_code"], ascending=[True, False, True],
                          kind="stable")
    per["rank"] = per.groupby("region_key").cumcount() + 1
    per = per[per["rank"] <= n]
    columns = ["region_key", "region", "date", "rank", "citizenship_code", "citizenship", "value", "share"]
    result = per[columns].reset_index(drop=True)
    result.attrs = {"sources": list(cube.attrs["sources"])}
    return result
