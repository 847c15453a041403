"""Census basis: which census a population figure rests on, so charts can mark the breaks.

The population update (Fortschreibung des Bevölkerungsstandes, tables ``124…``) counts forward
from the latest census. Each new census resets the level, so a series jumps at the census
although nobody moved: Krefeld "lost" about 13,000 inhabitants between 31.12.2010 and
31.12.2011 on paper (see SOURCES.md, "Census breaks in population series").

The rule, by reference date of the value (by year where a table has no date; for the usual
reference date 31.12. both give the same):

- before 2011: ``vor Zensus 2011`` (updates of the 1987 census in the West and of the
  1990 population register in the East);
- 2011 to 2021: ``Zensus 2011`` (census day 09.05.2011; the first year-end figure on the new
  basis is 31.12.2011, so the break lies between 2010 and 2011);
- from 2022: ``Zensus 2022`` (census day 15.05.2022; first year-end figure 31.12.2022, break
  between 2021 and 2022).

Census tables carry their own census whatever the year: ``12111-*`` (Zensus 2011) and
``1000A-*`` or any table whose provenance names the ``zensus`` database (Zensus 2022).
Tables that are not population counts (protection seekers from the central register,
naturalisations, moves) rest on no census; they get an empty basis.

Caveat: the offices published the new basis some time after each census day (2011 census
results from 31.05.2013, the 2022 census results from 25.06.2024). A figure for, say,
31.12.2022 fetched before mid-2024 still rested on the 2011 census. The rule goes by year;
where the provenance says the file was retrieved before the new basis was published, we log
a warning instead of guessing. Back-calculations for 2012–2021 on the 2022 basis exist at
Kreis level but are not a revision of the official figures, so they are not used here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

log = logging.getLogger(__name__)

BEFORE_2011 = "vor Zensus 2011"
ZENSUS_2011 = "Zensus 2011"
ZENSUS_2022 = "Zensus 2022"
NO_BASIS = ""
BASES = [BEFORE_2011, ZENSUS_2011, ZENSUS_2022, NO_BASIS]

# Table code prefixes of population counts that are updated from a census.
POPULATION_UPDATE_PREFIXES = ("124",)
CENSUS_TABLE_PREFIXES = {"12111": ZENSUS_2011, "1000A": ZENSUS_2022}


@dataclass(frozen=True)
class CensusBreak:
    """A break in a population series: the last year on the old basis and the first on the new."""

    census: str
    census_day: date
    last_old_year: int
    first_new_year: int
    published: date  # when the offices first published year-end figures on the new basis

    @property
    def position(self) -> float:
        """Where a chart draws the break line on a yearly axis (between the two years)."""
        return self.first_new_year - 0.5

    @property
    def label(self) -> str:
        return f"{self.census} ({self.census_day:%d.%m.%Y})"


CENSUS_BREAKS = (
    CensusBreak(ZENSUS_2011, date(2011, 5, 9), 2010, 2011, date(2013, 5, 31)),
    CensusBreak(ZENSUS_2022, date(2022, 5, 15), 2021, 2022, date(2024, 6, 25)),
)


def basis_for_year(year: int) -> str:
    """The census basis of a population-update figure for 31.12. of ``year``."""
    if year >= CENSUS_BREAKS[1].first_new_year:
        return ZENSUS_2022
    if year >= CENSUS_BREAKS[0].first_new_year:
        return ZENSUS_2011
    return BEFORE_2011


def basis_for_date(day: date) -> str:
    """The census basis of a population-update figure for a reference date (Stichtag).

    Monthly and quarterly figures switch on the census day itself; for 31.12. the result is
    the same as :func:`basis_for_year`.
    """
    basis = BEFORE_2011
    for brk in CENSUS_BREAKS:
        if day >= brk.census_day:
            basis = brk.census
    return basis


def _vectorised_basis(df: pd.DataFrame) -> pd.Series:
    """:func:`basis_for_date` where a row has a date, else :func:`basis_for_year` (fast)."""
    years = df["year"].astype("Int64")
    basis = pd.Series(NO_BASIS, index=df.index, dtype=object)
    basis[years.notna()] = BEFORE_2011
    for brk in CENSUS_BREAKS:
        basis[(years >= brk.first_new_year).fillna(False)] = brk.census
    if "date" in df.columns:
        dates = pd.to_datetime(df["date"], errors="coerce")
        dated = dates.notna()
        basis[dated] = BEFORE_2011
        for brk in CENSUS_BREAKS:
            basis[dated & (dates >= pd.Timestamp(brk.census_day))] = brk.census
    return basis


def _table_kind(table: str) -> str | None:
    """``census:<basis>``, ``update`` or None (not a census-based count)."""
    for prefix, basis in CENSUS_TABLE_PREFIXES.items():
        if table.startswith(prefix):
            return f"census:{basis}"
    if table.startswith(POPULATION_UPDATE_PREFIXES):
        return "update"
    return None


def add_census_basis(df: pd.DataFrame, *, population_update: bool | None = None) -> pd.DataFrame:
    """A copy of ``df`` with a ``census_basis`` column (category), by the rule of this module.

    ``population_update=True`` forces the year rule for every row (for a table the prefix list
    does not know); ``False`` forces an empty basis. By default the table code decides.
    """
    out = df.copy()
    by_year = _vectorised_basis(out)
    provenance = df.attrs.get("provenance")
    from_census_db = isinstance(provenance, dict) and provenance.get("source") == "zensus"
    if from_census_db and population_update is None:
        # Every table of the Zensus 2022 database is a census result, whatever its code.
        out["census_basis"] = pd.Categorical([ZENSUS_2022] * len(out), categories=BASES)
        return out
    if population_update is not None:
        basis = by_year if population_update else pd.Series(NO_BASIS, index=out.index)
    else:
        kinds = out["table"].astype(str).map(_table_kind)
        basis = pd.Series(NO_BASIS, index=out.index, dtype=object)
        update = kinds == "update"
        basis[update] = by_year[update]
        census = kinds.fillna("").str.startswith("census:")
        basis[census] = kinds[census].str.removeprefix("census:")
    out["census_basis"] = pd.Categorical(basis.astype(str), categories=BASES)
    _warn_if_published_before_basis(out)
    return out


def _warn_if_published_before_basis(df: pd.DataFrame) -> None:
    """Log where a file was retrieved before the offices switched to the census the rule says."""
    provenance = df.attrs.get("provenance") or {}
    retrieved = provenance.get("retrieved_at") if isinstance(provenance, dict) else None
    if not retrieved:
        return
    try:
        when = datetime.fromisoformat(retrieved).date()
    except ValueError:
        return
    for brk in CENSUS_BREAKS:
        affected = (df["census_basis"] == brk.census) & (df["year"] >= brk.first_new_year)
        if when < brk.published and affected.any():
            log.warning(
                "%s: retrieved %s, before the offices published figures on the %s basis (%s); "
                "%d values tagged %r may still rest on the older census",
                provenance.get("table", "?"), when, brk.census, brk.published, int(affected.sum()),
                brk.census,
            )


def census_breaks(years) -> list[CensusBreak]:
    """The census breaks that fall inside a series covering ``years`` (chart markers).

    A break is inside when the series has a year on each side of it (at or before
    ``last_old_year`` and at or after ``first_new_year``); missing years in between do not
    matter, the basis changes anyway.
    """
    values = [int(y) for y in pd.Series(list(years)).dropna()]
    if not values:
        return []
    low, high = min(values), max(values)
    return [b for b in CENSUS_BREAKS if low <= b.last_old_year and high >= b.first_new_year]
