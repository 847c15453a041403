"""Story 1, "Wer lebt in der Stadt?": the facts its sentences state, from loaded datasets.

Every function takes frames read with :func:`krefeld_data.datasets.load` (``bevoelkerung``,
``auslaenderanteil``, ``migrationshintergrund_2011``, ``einwanderungsgeschichte_2022``) and
returns the numbers a sentence needs; the notebook only formats them. Changes are computed only
between values on one and the same, known census basis: a change across a break, or involving a
value whose basis is uncertain ("Zensus 2011 oder 2022"), is a rebasing artefact, not a change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from krefeld_data.clean.census import is_uncertain
from krefeld_data.stories.claims import Verdict


@dataclass(frozen=True)
class Change:
    """A change between two values on the same census basis."""

    first_year: int
    last_year: int
    first: float
    last: float
    basis: str

    @property
    def relative(self) -> float:
        return self.last / self.first - 1


def region_series(frame: pd.DataFrame, key: str, value: str) -> pd.DataFrame:
    """One region's rows with a number in ``value``, oldest first."""
    rows = frame[frame["region_key"].astype(str) == str(key)].dropna(subset=[value])
    return rows.sort_values("year" if "year" in rows.columns else "date", kind="stable")


def latest_value(frame: pd.DataFrame, key: str, value: str) -> pd.Series | None:
    """The newest row of region ``key`` with a number in ``value``; None where there is none."""
    rows = region_series(frame, key, value)
    return None if rows.empty else rows.iloc[-1]


def change_on_same_basis(frame: pd.DataFrame, key: str, value: str = "population") -> Change | None:
    """From the first to the last year of the newest unbroken run of one known census basis.

    None where the newest value's basis is uncertain or the run has a single year: then there
    is no change the text may state.
    """
    rows = region_series(frame, key, value)
    if rows.empty or "census_basis" not in rows.columns:
        return None
    tags = rows["census_basis"].astype(str).tolist()
    newest = tags[-1]
    if is_uncertain(newest) or newest == "":
        return None
    start = len(tags) - 1
    while start > 0 and tags[start - 1] == newest:
        start -= 1
    if start == len(tags) - 1:
        return None
    first, last = rows.iloc[start], rows.iloc[-1]
    return Change(int(first["year"]), int(last["year"]), float(first[value]), float(last[value]), newest)


def basis_changes(frame: pd.DataFrame, key: str, value: str = "population") -> list[tuple[int, str, str]]:
    """(first year, old basis, new basis) wherever region ``key``'s series changes its basis."""
    rows = region_series(frame, key, value)
    tags = rows["census_basis"].astype(str).tolist()
    years = [int(y) for y in rows["year"]]
    return [(years[i], tags[i - 1], tags[i]) for i in range(1, len(tags)) if tags[i] != tags[i - 1]]


def chart_breaks(frame: pd.DataFrame, value: str = "population") -> dict[int, str]:
    """First year on a new basis -> label, over every region of ``frame`` (for the chart kit)."""
    breaks: dict[int, str] = {}
    for key in frame["region_key"].astype(str).unique():
        for year, _, new in basis_changes(frame, key, value):
            breaks.setdefault(year, f"Basis: {new}")
    return dict(sorted(breaks.items()))


def uncertain_years(frame: pd.DataFrame, key: str, value: str = "population") -> list[int]:
    """Years of region ``key`` whose census basis could not be known."""
    rows = region_series(frame, key, value)
    return [int(y) for y, b in zip(rows["year"], rows["census_basis"], strict=True) if is_uncertain(b)]


def on_date(frame: pd.DataFrame, value: str, *, year: int | None = None) -> pd.DataFrame:
    """One row per region for ``year`` (default: the newest year any region has)."""
    known = frame.dropna(subset=[value])
    if known.empty:
        return known
    year = int(known["year"].max()) if year is None else year
    return known[known["year"] == year]


def rank_of(frame: pd.DataFrame, key: str, value: str, among: list[str]) -> tuple[int, int] | None:
    """Place of ``key`` among the regions ``among`` by ``value`` (1 = highest) and how many were
    ranked; None where ``key`` has no value. Regions without a value are not ranked."""
    rows = frame[frame["region_key"].astype(str).isin(among)].dropna(subset=[value])
    rows = rows.drop_duplicates("region_key").set_index("region_key")[value].sort_values(ascending=False)
    if key not in rows.index:
        return None
    return list(rows.index).index(key) + 1, len(rows)


def background_share(background: pd.DataFrame, key: str) -> pd.Series | None:
    """Census 2011, all ages: the row of region ``key`` (share, with_background, status)."""
    rows = background[(background["region_key"].astype(str) == key)
                      & (background["age_group"].astype(str) == "Insgesamt")]
    return None if rows.empty else rows.iloc[0]


def verdict_k5(city: str, cities: list[str], shares: dict[str, float],
               background: dict[str, float]) -> Verdict:
    """K5: the organisation of city departments is in no official statistic; the figures show
    how similar the tasks of the cities are. ``shares`` (foreign share, newest year) and
    ``background`` (migration background 2011) map city names to shares."""
    from krefeld_data.util.german import percent

    def span(values: dict[str, float]) -> str:
        known = {k: v for k, v in values.items() if pd.notna(v)}
        if not known:
            return ""
        low, high = min(known, key=known.get), max(known, key=known.get)
        return f"{percent(known[low])} ({low}) bis {percent(known[high])} ({high})"

    numbers: list[str] = []
    if span(shares):
        numbers.append(f"Ausländeranteil {span(shares)}")
    if span(background):
        numbers.append(f"Migrationshintergrund 2011 {span(background)}")
    others = [c for c in cities if c != city]
    reason = (
        "Ob Integration Sozial- oder Ordnungspolitik ist und wie die Städte ihre Ämter ordnen, "
        "steht in keiner amtlichen Statistik; die Zahlen zeigen nur, wie ähnlich die Aufgabe in "
        f"{city} und {_join(others)} ist." if others else
        "Ob Integration Sozial- oder Ordnungspolitik ist und wie eine Stadt ihre Ämter ordnet, "
        f"steht in keiner amtlichen Statistik; die Zahlen zeigen nur, wer in {city} lebt."
    )
    return Verdict("K5", "mit amtlichen Daten nicht prüfbar", reason, tuple(numbers))


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} und {names[-1]}"


def names(frame: pd.DataFrame) -> dict[str, str]:
    """region_key -> short name, from a loaded dataset."""
    pairs = frame[["region_key", "region"]].drop_duplicates("region_key")
    return dict(zip(pairs["region_key"].astype(str), pairs["region"].astype(str), strict=True))


def first_present(frames: list[Any], key: str) -> str | None:
    """The region's short name from the first frame that has it."""
    for frame in frames:
        if frame is not None and "region_key" in frame.columns:
            found = names(frame).get(key)
            if found:
                return found
    return None


@dataclass(frozen=True)
class RegisterCount:
    """Foreigners in the central register (AZR) for one region and date, with the largest groups."""

    date: pd.Timestamp
    total: float  # sum of cells rounded to 5: say "rund"
    largest: tuple[tuple[str, float], ...]  # (citizenship, count), largest first


def register_count(register: pd.DataFrame, key: str, n: int = 3) -> RegisterCount | None:
    """From the ``auslaender_register_nrw`` dataset: the newest total and the ``n`` largest
    citizenships (states, not continents) of region ``key``; None where the table lacks it."""
    rows = register[register["region_key"].astype(str) == key]
    if rows.empty:
        return None
    newest = rows[rows["date"] == rows["date"].max()]
    total = newest.loc[newest["level"] == "Summe", "value"]
    states = newest[newest["level"] == "Staat"].dropna(subset=["value"]).nlargest(n, "value")
    return RegisterCount(pd.Timestamp(newest["date"].iloc[0]), float(total.iloc[0]),
                         tuple(zip(states["citizenship"], states["value"].astype(float), strict=True)))
