"""Population datasets (story 1, and the base of every rate): who lives in a region.

Three different counts answer "who lives here", and they must not be mixed silently: the
population update (12411-*, 31.12. of each year, on the basis of the census its vintage rests
on, :mod:`krefeld_data.clean.census`), the 2011 census (migration background, 09.05.2011) and
the 2022 census (immigration history, 15.05.2022). Each maker returns one of them for every
region its table publishes, with its reference date; the notebooks pick their cities with
:func:`krefeld_data.datasets.load`.
"""

from __future__ import annotations

import pandas as pd

from krefeld_data.clean.census import add_census_basis
from krefeld_data.datasets import tables
from krefeld_data.errors import KrefeldDataError
from krefeld_data.raw.store import RawStore

POPULATION = "12411-01-01-4"
NATIONALITY_AGE = "12411-03-03-4"
CENSUS_2011 = "12111-07-01-4"
CENSUS_2022 = "1000A-2022"


def _vintage_by_snapshot(frame: pd.DataFrame) -> dict[str, str]:
    """Raw file name -> vintage (ISO date) of the publication, from the provenance records."""
    from krefeld_data.clean.census import vintage_of

    return {str(p.get("file", "")): vintage_of(p).iso for p in frame.attrs.get("sources", [])}


def population(store: RawStore) -> pd.DataFrame:
    """Population on 31.12. of every available year, every region, with basis and vintage.

    Every stored publication of 12411-01-01-4 is used (spliced: a later vintage of the same
    reference date replaces an earlier one). Columns: region_key, region, year, date, population
    (NaN where no number is published or the region no longer exists), status, census_basis,
    vintage (as of when the value was published, where known), source_snapshot.
    """
    raw = tables.series(POPULATION, store)
    sex = tables.find_variable(raw, "GESM", "männlich")
    frame = tables.only_totals(raw, [sex])
    if "census_basis" not in frame.columns:
        frame = add_census_basis(frame, population_update=True)
    snapshot = (frame["source_snapshot"].astype(str) if "source_snapshot" in frame.columns
                else pd.Series(str((raw.attrs.get("sources") or [{}])[0].get("file", "")), index=frame.index))
    vintages = _vintage_by_snapshot(raw)
    result = pd.DataFrame({
        "region_key": frame["region_key"].astype(str),
        "region": frame["region"].astype(str),
        "year": frame["year"].astype("Int64"),
        "date": frame["date"],
        "population": tables.numeric_value(frame),
        "status": frame["status"].astype(str),
        "census_basis": frame["census_basis"].astype(str),
        "vintage": snapshot.map(vintages).fillna(""),
        "source_snapshot": snapshot,
    })
    # A region that no longer exists is published as `-` (a true zero of the table, but no
    # population): shown as a gap, not as a fall to zero.
    result.loc[result["status"] == "zero", "population"] = float("nan")
    result = result.sort_values(["region_key", "year"], kind="stable")
    return tables.finish(result, raw)


def by_nationality(frame: pd.DataFrame) -> pd.DataFrame:
    """Total and foreign population per region and date (all ages, both sexes) of a tidy frame
    of 12411-03-03-4 (or any table with nationality, sex and age)."""
    nat = tables.find_variable(frame, "NATA", "Ausländer(innen)", "Ausländer")
    others = [v for v in tables.classifying(frame) if v != nat]
    frame = tables.only_totals(frame, others)
    kind = tables.nationality(frame, nat)
    value = tables.numeric_value(frame)
    keys = ["region_key", "region", "year", "date", "census_basis"]
    keys = [k for k in keys if k in frame.columns]
    total = frame[kind == ""].assign(total=value)[[*keys, "total"]]
    foreign = frame[kind == "ausländisch"].assign(foreign=value)[[*keys, "foreign"]]
    return total.merge(foreign, on=keys, how="outer", validate="one_to_one")


def foreign_share(store: RawStore) -> pd.DataFrame:
    """Foreign residents (Ausländer) as a share of all residents, 31.12. of each year.

    Columns: region_key, region, year, date, total, foreign, foreign_share (0–1), census_basis.
    """
    raw = tables.latest(NATIONALITY_AGE, store)
    if "census_basis" not in raw.columns:
        raw = add_census_basis(raw, population_update=True)
    result = by_nationality(raw)
    result["foreign_share"] = result["foreign"] / result["total"]
    result["region_key"] = result["region_key"].astype(str)
    result["region"] = result["region"].astype(str)
    result["year"] = result["year"].astype("Int64")
    result["census_basis"] = result["census_basis"].astype(str)
    result = result.sort_values(["region_key", "year"], kind="stable")
    return tables.finish(result, raw)


def _cell_labels(frame: pd.DataFrame, age: str) -> pd.Series:
    """All classifying labels of a row but the age, joined with ``|`` (lower case).

    The census table stacks nationality and migration background in one header, so a cell is
    known by its labels together (e.g. ``deutsche|personen mit migrationshintergrund``).
    """
    variables = [v for v in tables.classifying(frame) if v != age]
    if not variables:
        return frame["measure_label"].astype(str).str.lower()
    joined = pd.Series("", index=frame.index, dtype=object)
    for var in variables:
        part = frame[var].astype(str).str.strip().str.lower().replace({"nan": "", "<na>": "", "none": ""})
        joined = joined.where(part == "", joined.where(joined == "", joined + "|") + part)
    return joined.where(joined != "", "insgesamt")


def migration_background(store: RawStore) -> pd.DataFrame:
    """Census 2011 (09.05.2011): people with a migration background by age group (12111-07-01-4).

    "Mit Migrationshintergrund" in the 2011 census: foreigners, and Germans who immigrated to
    today's Germany after 1955 or have at least one parent who did; every foreigner counts.
    One row per region and age group (``Insgesamt`` for all ages). Columns: region_key, region,
    date, age_group, age_from, age_to, total, foreign, german_with_background, with_background
    (sum of two cells rounded by the office), share (0–1), status (``unreliable`` where a
    needed cell is ``/``).
    """
    from krefeld_data.datasets.age import age_bounds

    raw = tables.latest(CENSUS_2011, store)
    age = tables.find_variable(raw, "unter 10 Jahre")
    value = tables.numeric_value(raw)
    label = _cell_labels(raw, age)
    parts = {
        "total": label.str.fullmatch(r"(insgesamt\|?)*"),
        "foreign": label.str.contains("ausländer", regex=False),
        "german_with_background": label.str.contains("mit migrationshintergrund", regex=False)
        & ~label.str.contains("ausländer", regex=False),
    }
    age_code = tables.codes(raw, age)
    part = pd.Series(None, index=raw.index, dtype=object)
    for name, mask in parts.items():
        part[mask & part.isna()] = name
    work = pd.DataFrame({
        "region_key": raw["region_key"].astype(str), "region": raw["region"].astype(str),
        "date": raw["date"], "age_group": raw[age].astype(str).str.strip().where(age_code != "", "Insgesamt"),
        "part": part, "value": value, "unreliable": ~raw["status"].astype(str).isin(tables.NUMERIC),
    })
    work = work.dropna(subset=["part"])
    keys = ["region_key", "age_group"]
    counts = work.groupby([*keys, "part"], sort=False).size().unstack("part").reindex(columns=list(parts))
    wrong = counts[(counts != 1).any(axis=1)]
    if len(wrong):
        (key, age_label), row = wrong.index[0], wrong.iloc[0]
        found = ", ".join(f"{name}: {0 if pd.isna(n) else int(n)}" for name, n in row.items())
        raise KrefeldDataError(
            f"table {CENSUS_2011}: expected one cell each of {', '.join(parts)} for region {key}, age "
            f"{age_label!r}, found {found}; the table layout may have changed"
        )
    wide = work.pivot_table(index=keys, columns="part", values="value", aggfunc="first", dropna=False,
                            sort=False)
    flags = work.groupby(keys, sort=False)["unreliable"].any()
    first = work.drop_duplicates(keys).set_index(keys)[["region", "date"]]
    result = first.join(wide.reindex(columns=list(parts))).join(flags).reset_index()
    result["status"] = result.pop("unreliable").map({True: "unreliable", False: ""})
    result.columns.name = None
    bounds = result["age_group"].map(lambda g: (0, None) if g == "Insgesamt" else age_bounds(g, CENSUS_2011))
    result["age_from"] = bounds.map(lambda b: b[0]).astype("Int64")
    result["age_to"] = bounds.map(lambda b: b[1]).astype("Int64")
    result["with_background"] = result["german_with_background"] + result["foreign"]
    result["share"] = result["with_background"] / result["total"]
    columns = ["region_key", "region", "date", "age_group", "age_from", "age_to", "total", "foreign",
               "german_with_background", "with_background", "share", "status"]
    return tables.finish(result[columns], raw)


def immigration_history(store: RawStore) -> pd.DataFrame:
    """Census 2022 (15.05.2022): people with an immigration history, all ages (1000A-2022).

    "Mit Einwanderungsgeschichte" = immigrants themselves plus descendants of two immigrant
    parents; a one-sided history is counted apart. Columns: region_key, region, date, total,
    with_history, immigrants, descendants, one_sided, share (with_history / total). The public
    table holds Germany and the Länder only.
    """
    raw = tables.latest(CENSUS_2022, store)
    age = tables.find_variable(raw, "ALT000B009", "Unter 10 Jahre")
    frame = tables.only_totals(raw, [age])
    history = tables.find_variable(raw, "WANDERUNG-BEID")
    code = tables.codes(frame, history)
    variable_of = frame[f"{history}_variable"].astype(str) if f"{history}_variable" in frame else None
    value = tables.numeric_value(frame)
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
    return tables.finish(result.sort_values("region_key", key=lambda k: k != "DG", kind="stable"), raw)


FOREIGNERS_AZR_NRW = "12521-03i"


def foreigners_register(store: RawStore) -> pd.DataFrame:
    """Foreigners in the central register (AZR) by citizenship, Kreise of NRW (12521-03i).

    The Landesdatenbank NRW serves this table without an account, so it stands in where the
    population update by nationality (12411-03-03-4) is missing. It is another count than the
    population update (the register counts more), and IT.NRW rounds every cell to a multiple of 5
    and publishes no total: the ``Summe`` row is the sum of the continent rows, an approximate
    number ("rund"). Columns: region_key, region, date, level (Summe / Kontinent / Staat),
    citizenship_code, citizenship, value (both sexes).
    """
    raw = tables.latest(FOREIGNERS_AZR_NRW, store)
    citizenship = tables.find_variable(raw, "Europa", "Afrika")
    others = [v for v in tables.classifying(raw) if v != citizenship]
    frame = tables.only_totals(raw, others)
    code = frame[f"{citizenship}_code"].astype(str) if f"{citizenship}_code" in frame else tables.codes(
        frame, citizenship)
    result = pd.DataFrame({
        "region_key": frame["region_key"].astype(str), "region": frame["region"].astype(str),
        "date": frame["date"], "level": code.map(lambda c: "Kontinent" if len(c) == 1 else "Staat"),
        "citizenship_code": code, "citizenship": frame[citizenship].astype(str).str.strip(),
        "value": tables.numeric_value(frame),
    })
    continents = result[result["level"] == "Kontinent"]
    if continents.empty:
        raise KrefeldDataError(f"table {FOREIGNERS_AZR_NRW}: no continent rows (one-digit codes) to add up; "
                               "the layout may have changed")
    sums = continents.groupby(["region_key", "region", "date"], sort=False, as_index=False)["value"].sum()
    sums = sums.assign(level="Summe", citizenship_code="", citizenship="alle Staatsangehörigkeiten")
    result = pd.concat([sums[result.columns], result], ignore_index=True)
    return tables.finish(result.sort_values(["region_key", "date"], kind="stable"), raw)
