"""Story 3, "Jung und hier": the facts its sentences state, from loaded datasets.

The main measure is the census 2011 migration background by age
(``migrationshintergrund_2011``): it counts children born here to immigrant parents, who are
often German by birth. The passport view (``altersstruktur``, 12411-03-03-4: how many foreign
and how many German residents are young) is kept as a secondary view, because it is biased by
construction: children born here are often German, and naturalisation moves people out of the
foreign group, so foreigners look older than the people with a migration history are.

``under`` (the notebook's ``YOUNG``) must be a bound of the table's age groups; the census
groups are ten years wide, the population update's finer (3, 6, 10, 15, 18 …):
:func:`usable_bound` picks the nearest bound at or below the wish, and the text says which.
"""

from __future__ import annotations

import pandas as pd

from krefeld_data.datasets import document
from krefeld_data.errors import KrefeldDataError
from krefeld_data.stories.claims import Verdict


def bounds(frame: pd.DataFrame) -> list[int]:
    """The upper bounds of the first age groups, e.g. [3, 6, 10, …] (usable as ``under``)."""
    rows = frame[frame["age_to"].notna()] if "age_group" not in frame.columns else frame[
        (frame["age_group"].astype(str) != "Insgesamt") & frame["age_to"].notna()]
    return sorted({int(b) for b in rows["age_to"]})


def usable_bound(frame: pd.DataFrame, wanted: int) -> int:
    """The largest age bound of ``frame`` at or below ``wanted`` (the smallest where none is)."""
    available = bounds(frame)
    if not available:
        raise KrefeldDataError("the age dataset has no age groups")
    below = [b for b in available if b <= wanted]
    return max(below) if below else min(available)


def young_share(structure: pd.DataFrame, under: int) -> pd.DataFrame:
    """Passport view: share younger than ``under`` among foreign and among German residents.

    ``structure``: the ``altersstruktur`` dataset (any regions). Columns: region_key, region,
    year, nationality, young, total, share.
    """
    if under not in bounds(structure):
        raise KrefeldDataError(
            f"altersstruktur: {under} is not an age group bound; use one of {bounds(structure)}"
        )
    work = structure.assign(young=structure["value"].where(structure["age_to"].fillna(10**6) <= under, 0.0))
    keys = ["region_key", "region", "year", "nationality"]
    result = (
        work.groupby(keys, sort=False, observed=True)[["young", "value"]]
        .sum()
        .rename(columns={"value": "total"})
        .reset_index()
    )
    result["share"] = result["young"] / result["total"]
    result.attrs = dict(structure.attrs)
    return document(
        result, young=f"Einwohner unter {under} Jahren in der Gruppe (deutsch bzw. ausländisch)",
        total="alle Einwohner der Gruppe (deutsch bzw. ausländisch)",
        share=f"berechnet: Anteil der unter {under}-Jährigen an allen Einwohnern der Gruppe "
              "(young / total, 0 bis 1)",
    )


def background_by_age(background: pd.DataFrame, under: int) -> pd.DataFrame:
    """Census 2011: share with a migration background among residents younger than ``under``
    and among all residents, per region.

    ``background``: the ``migrationshintergrund_2011`` dataset. Columns: region_key, region,
    young_total, young_with, young_share, all_share, unreliable (a needed cell was ``/``).
    The counts are sums of cells the office rounded to multiples of 10: say "rund".
    """
    if under not in bounds(background):
        raise KrefeldDataError(
            f"migrationshintergrund_2011: {under} is not an age group bound; use one of {bounds(background)}"
        )
    groups = background[background["age_group"].astype(str) != "Insgesamt"]
    young = groups[groups["age_to"].notna() & (groups["age_to"] <= under)]
    totals = background[background["age_group"].astype(str) == "Insgesamt"].set_index("region_key")
    rows = []
    for key, part in young.groupby("region_key", sort=False):
        row = {"region_key": key, "region": part["region"].iloc[0],
               "young_total": part["total"].sum(min_count=1),
               "young_with": part["with_background"].sum(min_count=len(part)),
               "unreliable": bool((part["status"].astype(str) == "unreliable").any())}
        row["young_share"] = row["young_with"] / row["young_total"]
        row["all_share"] = totals.loc[key, "share"] if key in totals.index else float("nan")
        rows.append(row)
    result = pd.DataFrame(rows, columns=["region_key", "region", "young_total", "young_with",
                                         "young_share", "all_share", "unreliable"])
    result.attrs = dict(background.attrs)
    return document(
        result, young_total=f"Einwohner unter {under} Jahren (Zensus 2011, Summe auf 10 gerundeter Werte)",
        young_with="davon mit Migrationshintergrund (Summe auf 10 gerundeter Werte)",
        young_share=f"berechnet: Anteil mit Migrationshintergrund unter den unter {under}-Jährigen "
                    "(young_with / young_total, 0 bis 1)",
        all_share="Anteil mit Migrationshintergrund an allen Einwohnern (0 bis 1)",
        unreliable="wahr, wenn eine der summierten Zahlen als unsicher ('/') veröffentlicht ist",
    )


def comparison_word(young: float, everyone: float) -> str:
    """"höher" / "niedriger" / "gleich": the young's share against everyone's, to one decimal."""
    a, b = round(young * 1000), round(everyone * 1000)
    return "höher" if a > b else "niedriger" if a < b else "gleich"


def verdict_k5(city: str, under: int, row: pd.Series | None) -> Verdict:
    """K5 on story 3's page: the organisation is not in the statistics; the figures show how
    much of the task is with the young (census 2011, migration background by age)."""
    from krefeld_data.util.german import percent

    reason = ("Ob Integration Sozial- und nicht Ordnungspolitik ist und in ein Dezernat für Jugend, "
              "Bildung und Sport gehört, entscheidet keine Statistik")
    if row is None or pd.isna(row["young_share"]):
        return Verdict("K5", "mit amtlichen Daten nicht prüfbar", reason + ".")
    word = comparison_word(row["young_share"], row["all_share"])
    relation = {"höher": "ein größerer Teil", "niedriger": "ein kleinerer Teil",
                "gleich": "derselbe Teil"}[word]
    reason += (f"; sie zeigt aber, dass in {city} 2011 unter den Einwohnern unter {under} Jahren {relation} "
               "einen Migrationshintergrund hatte als unter allen Einwohnern.")
    numbers = (f"unter {under} Jahren: {percent(row['young_share'])}", f"alle: {percent(row['all_share'])}")
    return Verdict("K5", "mit amtlichen Daten nicht prüfbar", reason, numbers)
