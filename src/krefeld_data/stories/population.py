"""Story 1, "Wer lebt in der Stadt?": population, foreign share, migration background.

Three different counts answer "who lives here", and they must not be mixed silently:
the population update (12411-*, 31.12. of each year, census breaks in 2011 and 2022),
the 2011 census (migration background, 09.05.2011) and the 2022 census (immigration history,
15.05.2022). Each function returns one of them, with its reference date.
"""

from __future__ import annotations

import pandas as pd

from krefeld_data.clean.census import add_census_basis
from krefeld_data.raw.store import RawStore
from krefeld_data.stories import _data
from krefeld_data.stories._data import Cities

POPULATION = "12411-01-01-4"
NATIONALITY_AGE = "12411-03-03-4"
CENSUS_2011 = "12111-07-01-4"
CENSUS_2022 = "1000A-2022"


def population_series(
    cities: Cities | None = None, context: Cities | None = None, store: RawStore | None = None
) -> pd.DataFrame:
    """Population on 31.12. of every available year, with the census basis of each figure.

    Every stored publication of the table is used (spliced; the newest wins where they overlap).

    Columns: region_key, region, year, date, population (NaN where no number is published),
    status, census_basis.
    """
    keys = _data.wanted_keys(cities, context)
    raw = _data.load_series(POPULATION, store)
    frame = _data.for_regions(raw, keys, POPULATION)
    sex = _data.find_variable(frame, "GESM", "männlich")
    frame = _data.only_totals(frame, [sex])
    frame = add_census_basis(frame, population_update=True)
    result = pd.DataFrame({
        "region_key": frame["region_key"].astype(str),
        "region": frame["region"].astype(str),
        "year": frame["year"].astype("Int64"),
        "date": frame["date"],
        "population": _data.numeric_value(frame),
        "status": frame["status"].astype(str),
        "census_basis": frame["census_basis"].astype(str),
    })
    # A region that no longer exists is published as `-` (a true zero of the table, but no
    # population): shown as a gap, not as a fall to zero.
    result.loc[result["status"] == "zero", "population"] = float("nan")
    return _data.finish(_data.order_regions(result, keys), raw)


def _population_by_nationality(frame: pd.DataFrame) -> pd.DataFrame:
    """Total and foreign population per region and date (all ages, both sexes)."""
    nat = _data.find_variable(frame, "NATA", "Ausländer(innen)", "Ausländer")
    sex = _data.find_variable(frame, "GESM", "männlich")
    age = _data.find_variable(frame, "unter 3 Jahre", "ALT000B03")
    frame = _data.only_totals(frame, [sex, age])
    kind = _data.nationality(frame, nat)
    foreign_mask = kind == "ausländisch"
    value = _data.numeric_value(frame)
    keys = ["region_key", "region", "year", "date"]
    total = frame[kind == ""].assign(total=value)[[*keys, "total"]]
    foreign = frame[foreign_mask].assign(foreign=value)[[*keys, "foreign"]]
    return total.merge(foreign, on=keys, how="outer", validate="one_to_one")


def foreign_share_series(
    cities: Cities | None = None, context: Cities | None = None, store: RawStore | None = None
) -> pd.DataFrame:
    """Foreign residents (Ausländer) as a share of all residents, 31.12. of each year (12411-03-03-4).

    Columns: region_key, region, year, date, total, foreign, foreign_share (0–1), census_basis.
    """
    keys = _data.wanted_keys(cities, context)
    raw = _data.load(NATIONALITY_AGE, store)
    frame = _data.for_regions(raw, keys, NATIONALITY_AGE)
    result = _population_by_nationality(frame)
    result["foreign_share"] = result["foreign"] / result["total"]
    result["region_key"] = result["region_key"].astype(str)
    result["region"] = result["region"].astype(str)
    result["year"] = result["year"].astype("Int64")
    result = add_census_basis(result.assign(table=NATIONALITY_AGE), population_update=True)
    result["census_basis"] = result["census_basis"].astype(str)
    result = result.drop(columns="table")
    return _data.finish(_data.order_regions(result, keys), raw)


def migration_background_2011(
    cities: Cities | None = None, context: Cities | None = None, store: RawStore | None = None
) -> pd.DataFrame:
    """Census 2011 (09.05.2011): people with a migration background, all ages (12111-07-01-4).

    People with a migration background = Germans with one + foreigners (every foreigner has
    one by definition). Columns: region_key, region, date, total, foreign,
    german_with_background, with_background, share (0–1), status (``unreliable`` where a
    needed cell is ``/``).
    """
    keys = _data.wanted_keys(cities, context)
    raw = _data.load(CENSUS_2011, store)
    frame = _data.for_regions(raw, keys, CENSUS_2011)
    age = _data.find_variable(frame, "unter 10 Jahre")
    frame = _data.only_totals(frame, [age])
    value = _data.numeric_value(frame)
    label = _cell_labels(frame, age)
    parts = {
        "total": label.str.fullmatch(r"(insgesamt\|?)*"),
        "foreign": label.str.contains("ausländer", regex=False),
        "german_with_background": label.str.contains("mit migrationshintergrund", regex=False)
        & ~label.str.contains("ausländer", regex=False),
    }
    rows = []
    for key, group in frame.groupby("region_key", sort=False, observed=True):
        row = {"region_key": str(key), "region": str(group["region"].iloc[0]),
               "date": group["date"].dropna().max() if "date" in group else pd.NaT}
        unreliable = False
        for name, mask in parts.items():
            cells = group[mask.loc[group.index]]
            if len(cells) != 1:
                raise _data.KrefeldDataError(
                    f"table {CENSUS_2011}: expected one '{name}' cell for region {key}, found "
                    f"{len(cells)}; the table layout may have changed"
                )
            row[name] = value.loc[cells.index[0]]
            unreliable |= str(cells["status"].iloc[0]) not in _data.NUMERIC
        row["status"] = "unreliable" if unreliable else ""
        rows.append(row)
    result = pd.DataFrame(rows)
    result["with_background"] = result["german_with_background"] + result["foreign"]
    result["share"] = result["with_background"] / result["total"]
    return _data.finish(_data.order_regions(result, keys), raw)


def _cell_labels(frame: pd.DataFrame, age: str) -> pd.Series:
    """All classifying labels of a row but the age, joined with ``|`` (lower case).

    The census table stacks nationality and migration background in one header, so a cell is
    known by its labels together (e.g. ``deutsche|personen mit migrationshintergrund``).
    """
    variables = [v for v in _data.classifying(frame) if v != age]
    if not variables:
        return frame["measure_label"].astype(str).str.lower()
    parts = frame[variables].astype(str).apply(lambda col: col.str.strip().str.lower())
    parts = parts.replace({"nan": "", "<na>": "", "none": ""})
    joined = parts.apply(lambda row: "|".join(p for p in row if p), axis=1)
    return joined.where(joined != "", "insgesamt")


def immigration_history_2022(
    cities: Cities | None = None, context: Cities | None = None, store: RawStore | None = None
) -> pd.DataFrame:
    """Census 2022 (15.05.2022): people with an immigration history, all ages (1000A-2022).

    "Mit Einwanderungsgeschichte" = immigrants themselves plus descendants of two immigrant
    parents; a one-sided history is counted apart. Columns: region_key, region, date, total,
    with_history, immigrants, descendants, one_sided, share (with_history / total).
    Regions the table does not cover (the public table has Germany and the Länder only) are
    left out; ``attrs["missing_regions"]`` names them.
    """
    keys = _data.wanted_keys(cities, context)
    raw = _data.load(CENSUS_2022, store)
    frame = raw[raw["region_key"].isin(keys)]
    age = _data.find_variable(frame if len(frame) else raw, "ALT000B009", "Unter 10 Jahre")
    frame = _data.only_totals(frame, [age])
    history = _data.find_variable(raw, "WANDERUNG-BEID")
    code = _data.codes(frame, history)
    variable_of = frame[f"{history}_variable"].astype(str) if f"{history}_variable" in frame else None
    value = _data.numeric_value(frame)
    pick = {
        "total": (code == "") & (variable_of.isin(["WDGAT2", "nan"]) if variable_of is not None else True),
        "with_history": code == "WANDERUNG-BEID",
        "immigrants": code == "EINGEWANDERTE",
        "descendants": code == "NACHKOMMEN",
        "one_sided": code == "WANDERUNG-EINS",
    }
    index = ["region_key", "region", "date"]
    result = None
    for name, mask in pick.items():
        part = frame[mask].assign(**{name: value[mask]})[[*index, name]]
        part = part.drop_duplicates(index)  # WANDERUNG-EINS is published under both variables
        result = part if result is None else result.merge(part, on=index, how="outer")
    result["region_key"] = result["region_key"].astype(str)
    result["region"] = result["region"].astype(str)
    result["share"] = result["with_history"] / result["total"]
    result = _data.finish(_data.order_regions(result, keys), raw)
    result.attrs["missing_regions"] = [k for k in keys if k not in set(result["region_key"])]
    return result
