"""Story 4, "Einbürgerungen": the facts the page states, from loaded datasets.

The column says nothing about naturalisation. The one claim this page can speak to is K6 (that
much integration succeeds where people sit at one table): no statistic measures that, so the
verdict is „mit amtlichen Daten nicht prüfbar“, and the page shows what official data do hold.
Naturalisations are exact counts (not rounded). The story needs only 12511-01-01-4 (by continent,
2011–2017); newer years, citizenships, the official rate and our own rate come from other tables,
and each section says what is missing when they are not stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from krefeld_data.stories.claims import Verdict
from krefeld_data.util import german

if TYPE_CHECKING:
    import pandas as pd

CONTINENTS = "einbuergerungen_kontinente"  # the one dataset the story requires
PER_YEAR = "einbuergerungen"
BY_CITIZENSHIP = "einbuergerungen_staatsangehoerigkeit"
OWN_RATE_DEFINITION = ("Einbürgerungen eines Jahres je 1.000 ausländische Einwohner am 31.12. desselben "
                       "Jahres, Bevölkerungsfortschreibung, Tabelle 12411-03-03-4; nicht die amtliche "
                       "Einbürgerungsquote")


def load_optional(name: str, regions: Iterable[str]) -> tuple[pd.DataFrame | None, str]:
    """A processed dataset, or ``None`` and one German sentence saying what is missing and how to get it."""
    from krefeld_data.datasets import load
    from krefeld_data.datasets.registry import DATASETS
    from krefeld_data.errors import MissingDataError
    from krefeld_data.guidance import fetch_command

    try:
        return load(name, regions=list(regions)), ""
    except MissingDataError:
        tables = DATASETS[name].tables if name in DATASETS else ()
        noun = "die Tabelle" if len(tables) == 1 else "die Tabellen"
        commands = ", ".join(fetch_command(t) for t in tables)
        return None, (f"Dieser Abschnitt braucht {noun} {' und '.join(tables)}; sie "
                      f"{'ist' if len(tables) == 1 else 'sind'} hier nicht (vollständig) gespeichert. "
                      f"Abrufen mit {commands} oder `krefeld-data import DATEI`, dann `krefeld-data build`.")


def missing_regions_text(frame: pd.DataFrame, what: str) -> str:
    """One sentence naming the requested regions a dataset does not hold, or ``""``."""
    from krefeld_data.regions.registry import short_name

    keys = frame.attrs.get("missing_regions") or []
    if not keys:
        return ""
    names = ", ".join(short_name(k) for k in keys)
    return f"{what} enthält keine Zahlen für {names}."


def latest_year(frame: pd.DataFrame, key: str | None = None) -> int | None:
    """The newest year with a number (for one region, or any)."""
    rows = frame if key is None else frame[frame["region_key"] == key]
    years = rows.loc[rows["value"].notna(), "year"].dropna()
    return None if years.empty else int(years.max())


def yearly_totals(continents: pd.DataFrame) -> pd.DataFrame:
    """All naturalisations per region and year (the published total in the continent table).

    Columns: region_key, region, year, value.
    """
    rows = continents.drop_duplicates(["region_key", "year"])
    result = rows[["region_key", "region", "year", "total"]].rename(columns={"total": "value"})
    result = result.sort_values(["region_key", "year"], kind="stable").reset_index(drop=True)
    result.attrs = dict(continents.attrs)
    return result


def continent_shares(continents: pd.DataFrame, key: str, year: int) -> pd.Series:
    """Share of each continent in one region's naturalisations of ``year``, largest first."""
    rows = continents[(continents["region_key"] == key) & (continents["year"] == year)]
    return rows.set_index("continent")["share"].dropna().sort_values(ascending=False)


def change_text(totals: pd.DataFrame, key: str, name: str) -> str:
    """First and latest year of one region, in one sentence with both counts."""
    rows = totals[(totals["region_key"] == key)].dropna(subset=["value"])
    if rows.empty:
        return f"Für {name} veröffentlicht die Tabelle keine Zahl."
    first, last = rows.iloc[0], rows.iloc[-1]
    if int(first["year"]) == int(last["year"]):
        return f"{int(last['year'])} wurden in {name} {german.number(last['value'])} Menschen eingebürgert."
    diff = last["value"] - first["value"]
    word = "mehr" if diff > 0 else "weniger" if diff < 0 else "genauso viele"
    return (f"{int(last['year'])} wurden in {name} {german.number(last['value'])} Menschen eingebürgert, "
            f"{german.number(abs(diff)) + ' ' if diff else ''}{word} als {int(first['year'])} "
            f"({german.number(first['value'])}).")


def basis_breaks(per_year: pd.DataFrame, keys: list[str]) -> dict[int, str]:
    """First year on a new census basis of the foreign residents -> label (for the chart kit)."""
    breaks: dict[int, str] = {}
    if "census_basis" not in per_year.columns:
        return breaks
    for key in keys:
        rows = per_year[(per_year["region_key"] == key)].dropna(subset=["foreign_residents"])
        rows = rows.sort_values("year")
        tags, years = rows["census_basis"].astype(str).tolist(), [int(y) for y in rows["year"]]
        for i in range(1, len(tags)):
            if tags[i] != tags[i - 1]:
                breaks.setdefault(years[i], f"Basis: {tags[i]}")
    return dict(sorted(breaks.items()))


def basis_text(per_year: pd.DataFrame, key: str, name: str) -> str:
    """Where the own rate of one region changes its census basis, in one sentence, or ``""``."""
    breaks = basis_breaks(per_year, [key])
    if not breaks:
        return ""
    years = " und ".join(str(y) for y in breaks)
    return (f"Die Ausländerzahl von {name} wechselt {years} die Zensusgrundlage; über diesen Bruch "
            "hinweg ist die eigene Quote nicht vergleichbar.")


def not_yet_published(per_year: pd.DataFrame) -> str:
    """Regions and years whose count is announced but not yet out (``...``), or ``""``."""
    later = per_year[per_year["status"] == "later"]
    if later.empty:
        return ""
    items = sorted({f"{r.region} ({r.year})" for r in later.itertuples()})
    return f"Noch nicht veröffentlicht: {', '.join(items)}."


def official_rate(per_year: pd.DataFrame | None, key: str) -> pd.Series | None:
    """The newest official rate of one region as 12511-04-01-4 publishes it, or ``None``.

    Read from ``official_rate`` of the ``einbuergerungen`` dataset (the table's own value
    variable, never computed); columns of the row: year, official_rate, official_rate_label,
    official_rate_unit.
    """
    if per_year is None or "official_rate" not in per_year.columns:
        return None
    rows = per_year[(per_year["region_key"] == key) & per_year["official_rate"].notna()]
    return None if rows.empty else rows.sort_values("year", kind="stable").iloc[-1]


def official_rate_text(row: pd.Series | None, name: str) -> str:
    """The official rate as published, or that the stored table has none."""
    if row is None:
        return ("Die gespeicherte Tabelle 12511-04-01-4 enthält keine amtliche Einbürgerungsquote für "
                f"{name}; sie steht dort nur, wenn die Tabelle mit diesem Merkmal abgerufen wurde.")
    return (f"Die amtliche Einbürgerungsquote ({row['official_rate_label']}) lag {int(row['year'])} in "
            f"{name} bei {german.number(row['official_rate'], 1)} {row['official_rate_unit']}.")


def newest_totals(continents: pd.DataFrame | None, per_year: pd.DataFrame | None,
                  by_citizenship: pd.DataFrame | None = None) -> pd.DataFrame:
    """The yearly totals that reach furthest, from whichever naturalisation dataset is there.

    12511-04-01-4 (``einbuergerungen``, else the published totals in
    ``einbuergerungen_staatsangehoerigkeit``) before the continent table (2011–2017). Columns:
    region_key, region, year, value; empty where no dataset is loaded.
    """
    import pandas as pd

    if per_year is not None and per_year["value"].notna().any():
        result = per_year[["region_key", "region", "year", "value"]].copy()
        result.attrs = dict(per_year.attrs)
        return result
    if by_citizenship is not None and by_citizenship["total"].notna().any():
        rows = by_citizenship.drop_duplicates(["region_key", "year"])
        result = rows[["region_key", "region", "year", "total"]].rename(columns={"total": "value"})
        result = result.sort_values(["region_key", "year"], kind="stable").reset_index(drop=True)
        result.attrs = dict(by_citizenship.attrs)
        return result
    if continents is not None:
        return yearly_totals(continents)
    return pd.DataFrame({"region_key": pd.Series(dtype=str), "region": pd.Series(dtype=str),
                         "year": pd.Series(dtype="Int64"), "value": pd.Series(dtype=float)})


def verdict(totals: pd.DataFrame, key: str, name: str, rate: pd.Series | None = None) -> Verdict:
    """K6: an anecdote about a shared meal; no statistic measures it. ``totals``: per region and year."""
    year = latest_year(totals.dropna(subset=["value"]), key)
    numbers: tuple[str, ...] = ()
    if year is None:
        reason = (f"Ob beim gemeinsamen Iftar-Essen Integration gelingt, erfasst keine Statistik; für {name} "
                  "hat die gespeicherte Tabelle nicht einmal Einbürgerungszahlen.")
    else:
        value = totals[(totals["region_key"] == key) & (totals["year"] == year)]["value"].iloc[0]
        reason = (f"Ob beim gemeinsamen Iftar-Essen Integration gelingt, erfasst keine Statistik; amtlich "
                  f"belegt ist nur, dass sich in {name} {year} {german.number(value)} Menschen einbürgern "
                  f"ließen.")
        numbers = (f"Einbürgerungen {name} {year}: {german.number(value)}",)
    if rate is not None:
        numbers = (*numbers, f"amtliche Einbürgerungsquote {int(rate['year'])}: "
                   f"{german.number(rate['official_rate'], 1)} {rate['official_rate_unit']}")
    return Verdict("K6", "mit amtlichen Daten nicht prüfbar", reason, numbers)
