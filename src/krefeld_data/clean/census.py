"""Census basis: which census a population figure rests on, by reference date *and vintage*.

The population update (Fortschreibung des Bevölkerungsstandes, tables ``124…``) counts forward
from the latest census; each new census resets the level, so a series jumps although nobody
moved (see SOURCES.md, "Census breaks in population series"). The offices did not switch on the
census day: they kept publishing on the old basis until the census results were out and then
revised successively. The same reference date therefore exists on two bases, depending on when
the figure was published. Real files show it: the 2024-12 download of 12411-01-01-4 (real
sample 04, cassette 03) gives 31.12.2023 on the **2011** basis (Germany 84,669,326, Krefeld
228,550), the Regionaldatenbank file of Stand 18.12.2025 (sample 38) gives the same date on the
**2022** basis (Krefeld 230,393), the 2026 download (sample 02) 31.12.2024 on the 2022 basis.

So the basis of a value is decided from what the data carry, in this order:

1. **Statements in the table** (footnotes, title, measure label): "ab dem Berichtsmonat Mai
   2022 auf den Ergebnissen des Zensus vom 15. Mai 2022", "Berichtsjahr ab 2011: Ergebnisse auf
   Grundlage des Zensus 2011", "Basis Zensus 2022". A statement covers reference dates from the
   start it names (or the census day).
2. **Published totals** (:data:`REFERENCE_TOTALS`): where the frame holds a total whose value
   is known on one basis only (the figures of samples 04 and 38 above), the basis of that
   publication is no longer a guess.
3. **The vintage** of the publication (:func:`vintage_of`): the provenance's ``vintage`` (the
   parser fills it from a ``Stand:``/``created:`` line or a cassette's response date), its
   ``stand`` (metadata or file), the frame's own ``Stand:`` line, else, for fetched files only,
   the fetch time (a service answers with what it publishes that day; an imported file's
   import time says nothing about when it was published). A vintage before the census results
   were published is on the old basis; from :attr:`CensusBreak.new_basis_from` on, the new one.
4. Otherwise, where the reference date lies where both bases were published (between the census
   day and :attr:`CensusBreak.last_old_reference`), the tag names both censuses,
   :data:`ZENSUS_2011_OR_2022` ("Zensus 2011 oder 2022"); charts show it as uncertain, and no
   sentence computes a change that involves it. Reference dates after that window exist on the
   new basis only.

Census tables carry their own census whatever the vintage: ``12111-*`` (Zensus 2011) and
``1000A-*`` or any table of the ``zensus`` database (Zensus 2022). Tables that are not
population counts (protection seekers, naturalisations) rest on no census: empty basis.
Back-calculations for 2012–2021 on the 2022 basis exist at Kreis level but are not a revision of
the official update, so they are not used here.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd

log = logging.getLogger(__name__)

BEFORE_2011 = "vor Zensus 2011"
ZENSUS_2011 = "Zensus 2011"
ZENSUS_2022 = "Zensus 2022"
BEFORE_OR_ZENSUS_2011 = "vor Zensus 2011 oder Zensus 2011"
ZENSUS_2011_OR_2022 = "Zensus 2011 oder 2022"
NO_BASIS = ""
BASES = [BEFORE_2011, BEFORE_OR_ZENSUS_2011, ZENSUS_2011, ZENSUS_2011_OR_2022, ZENSUS_2022, NO_BASIS]
UNCERTAIN_BASES = frozenset({BEFORE_OR_ZENSUS_2011, ZENSUS_2011_OR_2022})

# Table code prefixes of population counts that are updated from a census.
POPULATION_UPDATE_PREFIXES = ("124",)
CENSUS_TABLE_PREFIXES = {"12111": ZENSUS_2011, "1000A": ZENSUS_2022}
# Origins whose retrieval time is a vintage: a service answers with what it publishes that day.
FETCHED_ORIGINS = ("api", "sample", "test")


@dataclass(frozen=True)
class CensusBreak:
    """A census that reset the population update, and when the offices switched to it."""

    census: str
    census_day: date
    last_old_year: int
    first_new_year: int
    published: date  # census results published: before it, every figure is on the old basis
    new_basis_from: date  # from this vintage on, every figure after the census day is on the new basis
    last_old_reference: date  # the latest reference date published on the old basis
    old: str  # the basis before this census
    uncertain: str  # the tag where it cannot be known

    @property
    def position(self) -> float:
        """Where a chart draws the break line on a yearly axis (between the two years)."""
        return self.first_new_year - 0.5

    @property
    def label(self) -> str:
        return f"{self.census} ({self.census_day:%d.%m.%Y})"


CENSUS_BREAKS = (
    # 2011: results published 31.05.2013; the offices switched the update with them.
    # 31.12.2012 is the last year-end that may exist on the old basis (figures of 2012 were
    # published before the results).
    CensusBreak(ZENSUS_2011, date(2011, 5, 9), 2010, 2011, date(2013, 5, 31), date(2013, 5, 31),
                date(2012, 12, 31), BEFORE_2011, BEFORE_OR_ZENSUS_2011),
    # 2022: results published 25.06.2024, update revised successively from then. Evidence in
    # real files: the 2024-12-03 download (sample 04) still gives 31.12.2023 on the 2011 basis;
    # the file of Stand 18.12.2025 (sample 38) gives it on the 2022 basis and says the update
    # rests on the 2022 census from May 2022. No file shows a date after 31.12.2023 on the old
    # basis. Between 25.06.2024 and 18.12.2025 a vintage alone does not decide.
    CensusBreak(ZENSUS_2022, date(2022, 5, 15), 2021, 2022, date(2024, 6, 25), date(2025, 12, 18),
                date(2023, 12, 31), ZENSUS_2011, ZENSUS_2011_OR_2022),
)

# Published totals known on one basis, each read from a real file (named): where a frame holds
# one of them, the basis of that publication is known. (region key, reference date) -> basis -> value
REFERENCE_TOTALS: dict[tuple[str, date], dict[str, float]] = {
    ("DG", date(2023, 12, 31)): {ZENSUS_2011: 84_669_326},  # sample 04 (12411-01-01-4, 2024-12)
    ("05", date(2023, 12, 31)): {ZENSUS_2011: 18_190_422,  # sample 04
                                 ZENSUS_2022: 18_017_520},  # sample 38 (12411-02-03-4, Stand 18.12.2025)
    ("05111", date(2023, 12, 31)): {ZENSUS_2011: 631_217, ZENSUS_2022: 616_319},  # samples 04, 38
    ("05114", date(2023, 12, 31)): {ZENSUS_2011: 228_550, ZENSUS_2022: 230_393},  # samples 04, 38
}

_MONTHS = {m: i for i, m in enumerate(
    ["januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september",
     "oktober", "november", "dezember"], start=1)}
_FROM_PERIOD = re.compile(
    r"ab\s+(?:dem\s+)?berichts(?:monat|jahr)\w*\s+(?:(\w+)\s+)?(\d{4})\b[^.]*?zensus"
    r"(?:\s+vom\s+\d{1,2}\.\s*\w+)?\s+(2011|2022)", re.IGNORECASE)
_PERIOD_FROM = re.compile(r"berichtsjahre?\s+ab\s+(\d{4})\s*:[^.]*?zensus\s+(2011|2022)", re.IGNORECASE)
_NAMED_BASIS = re.compile(r"(?:basis|grundlage)\s+(?:des\s+)?zensus\s+(2011|2022)", re.IGNORECASE)


# ---------------------------------------------------------------- what the data carry

def parse_day(text: Any) -> date | None:
    """A date from ISO text (``2024-12-03``, ``2024-12-03T10:00:00+00:00``) or German
    (``18.12.2025 / 12:13:08``, ``18.12.2025``); None where there is none."""
    if text is None or text == "":
        return None
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    raw = str(text).strip()
    match = re.search(r"(\d{4})-(\d{2})-(\d{2})", raw)
    if match:
        return date(*map(int, match.groups()))
    match = re.search(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", raw)
    if match:
        day, month, year = map(int, match.groups())
        return date(year, month, day)
    return None


@dataclass(frozen=True)
class Vintage:
    """As of when a publication's figures were published, and where that was read."""

    day: date | None
    source: str  # "vintage (Stand line)", "Stand", "fetch time", "" (unknown)

    @property
    def iso(self) -> str:
        return self.day.isoformat() if self.day else ""


def vintage_of(provenance: Mapping[str, Any] | None, attrs: Mapping[str, Any] | None = None) -> Vintage:
    """The vintage of a publication from its provenance record and the frame's own attrs."""
    provenance = provenance or {}
    attrs = attrs or {}
    day = parse_day(provenance.get("vintage"))
    if day:
        return Vintage(day, str(provenance.get("vintage_source") or "vintage"))
    for where, value in (("Stand", provenance.get("stand")), ("Stand line", attrs.get("stand"))):
        day = parse_day(value)
        if day:
            return Vintage(day, where)
    if provenance.get("origin") in FETCHED_ORIGINS:
        day = parse_day(provenance.get("retrieved_at"))
        if day:
            return Vintage(day, "fetch time")
    return Vintage(None, "")


def basis_statements(texts: Iterable[str]) -> list[tuple[date, str]]:
    """(first reference date, basis) for every sentence of ``texts`` that names a census basis."""
    found: list[tuple[date, str]] = []
    for text in texts:
        text = " ".join(str(text).split())
        for month, year, census in _FROM_PERIOD.findall(text):
            found.append((date(int(year), _MONTHS.get(month.lower(), 1), 1), f"Zensus {census}"))
        for year, census in _PERIOD_FROM.findall(text):
            found.append((date(int(year), 1, 1), f"Zensus {census}"))
        named_with_start = {basis for _, basis in found}
        for census in _NAMED_BASIS.findall(text):
            brk = next(b for b in CENSUS_BREAKS if b.census == f"Zensus {census}")
            if brk.census not in named_with_start:  # the same sentence already gave its start
                found.append((brk.census_day, brk.census))
    return sorted(set(found))


def _texts(df: pd.DataFrame) -> list[str]:
    provenance = df.attrs.get("provenance") or {}
    metadata = provenance.get("metadata") or {} if isinstance(provenance, Mapping) else {}
    texts = [*(df.attrs.get("footnotes") or []), str(df.attrs.get("title") or "")]
    texts += [str(metadata.get("title") or ""), *(metadata.get("footnotes") or [])]
    if "measure_label" in df.columns:
        texts += [str(v) for v in pd.unique(df["measure_label"].astype(str))]
    return [t for t in texts if t]


# ---------------------------------------------------------------- the rule

def basis_for(reference: date, vintage: date | None = None) -> str:
    """The census basis of a population-update figure for ``reference``, published as of
    ``vintage`` (None: unknown). The single-value form of :func:`add_census_basis`."""
    basis = BEFORE_2011
    for brk in CENSUS_BREAKS:
        if reference < brk.census_day:
            continue
        if reference > brk.last_old_reference:
            basis = brk.census
        elif vintage is None:
            basis = brk.uncertain if basis == brk.old else basis
        elif vintage < brk.published:
            pass
        elif vintage >= brk.new_basis_from:
            basis = brk.census
        else:
            basis = brk.uncertain if basis == brk.old else basis
    return basis


def _reference_days(df: pd.DataFrame) -> pd.Series:
    """The reference date of each row; 31.12. of the year where a table has no date."""
    years = pd.to_numeric(df["year"], errors="coerce") if "year" in df.columns else None
    days = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    if "date" in df.columns:
        days = pd.to_datetime(df["date"], errors="coerce").astype("datetime64[ns]")
    if years is not None:
        by_year = pd.to_datetime(years.astype("Int64").astype(str) + "-12-31", errors="coerce")
        days = days.where(days.notna(), by_year)
    return days


def _vectorised_basis(days: pd.Series, vintage: date | None) -> pd.Series:
    basis = pd.Series(NO_BASIS, index=days.index, dtype=object)
    known = days.notna()
    basis[known] = BEFORE_2011
    for brk in CENSUS_BREAKS:
        after = known & (days >= pd.Timestamp(brk.census_day))
        beyond = after & (days > pd.Timestamp(brk.last_old_reference))
        window = after & ~beyond
        basis[beyond] = brk.census
        if vintage is not None and vintage < brk.published:
            continue
        if vintage is not None and vintage >= brk.new_basis_from:
            basis[window] = brk.census
        else:
            basis[window & (basis == brk.old)] = brk.uncertain
    return basis


def _apply_statements(basis: pd.Series, days: pd.Series, statements: list[tuple[date, str]]) -> pd.Series:
    for start, census in statements:  # sorted: a later start overrides an earlier one
        basis[days.notna() & (days >= pd.Timestamp(start))] = census
    return basis


def _total_rows(df: pd.DataFrame) -> pd.Series:
    """Rows that are the total of every classifying variable (label ``Insgesamt`` or no code)."""
    from krefeld_data.schema import variable_columns

    mask = pd.Series(True, index=df.index)
    for var in variable_columns(df):
        if var in ("census_basis", "region", "region_key", "source_table", "source_snapshot"):
            continue
        label = df[var].astype(str).str.strip().str.lower()
        code_col = f"{var}_code"
        code = df[code_col].astype(str) if code_col in df.columns else pd.Series("", index=df.index)
        mask &= label.isin(["insgesamt", "", "nan"]) & code.isin(["", "nan", "<NA>"])
    return mask


def _basis_from_totals(df: pd.DataFrame, days: pd.Series) -> dict[CensusBreak, str]:
    """The basis that published totals in ``df`` prove for each break's window."""
    if "value" not in df.columns:
        return {}
    region = df["region_key"] if "region_key" in df.columns else df.get("region_code")
    if region is None:
        return {}
    wanted = {k[0] for k in REFERENCE_TOTALS}
    rows = _total_rows(df) & region.astype(str).isin(wanted) & days.notna()
    proven: dict[CensusBreak, str] = {}
    for index in df.index[rows]:
        key = (str(region[index]), days[index].date())
        for basis, value in REFERENCE_TOTALS.get(key, {}).items():
            if df.at[index, "value"] == value:
                brk = next(b for b in CENSUS_BREAKS if b.census_day <= key[1] <= b.last_old_reference)
                if proven.get(brk, basis) != basis:
                    log.warning("%s: published totals match both bases; basis left open", _where(df))
                    proven[brk] = brk.uncertain
                else:
                    proven[brk] = basis
    return proven


def census_kind(table: str) -> str | None:
    """``census:<basis>``, ``update`` or None (not a census-based count)."""
    for prefix, basis in CENSUS_TABLE_PREFIXES.items():
        if table.startswith(prefix):
            return f"census:{basis}"
    if table.startswith(POPULATION_UPDATE_PREFIXES):
        return "update"
    return None


def add_census_basis(df: pd.DataFrame, *, population_update: bool | None = None) -> pd.DataFrame:
    """A copy of ``df`` with a ``census_basis`` column (category), by the rule of this module.

    ``population_update=True`` applies the update rule to every row (for a table the prefix
    list does not know); ``False`` gives an empty basis. By default the table code decides.
    ``attrs["vintage"]`` records the vintage used and where it was read.
    """
    out = df.copy()
    provenance = df.attrs.get("provenance") if isinstance(df.attrs.get("provenance"), Mapping) else {}
    vintage = vintage_of(provenance, df.attrs)
    out.attrs["vintage"] = {"date": vintage.iso, "source": vintage.source}
    if population_update is None and provenance.get("source") == "zensus":
        # Every table of the Zensus 2022 database is a census result, whatever its code.
        out["census_basis"] = pd.Categorical([ZENSUS_2022] * len(out), categories=BASES)
        return out
    if population_update is False or len(out) == 0:
        out["census_basis"] = pd.Categorical([NO_BASIS] * len(out), categories=BASES)
        return out
    days = _reference_days(out)
    update = _update_basis(out, days, vintage.day)
    if population_update:
        basis = update
    else:
        kinds = out["table"].astype(str).map(census_kind)
        basis = pd.Series(NO_BASIS, index=out.index, dtype=object)
        is_update = kinds == "update"
        basis[is_update] = update[is_update]
        census = kinds.fillna("").str.startswith("census:")
        basis[census] = kinds[census].str.removeprefix("census:")
    out["census_basis"] = pd.Categorical(basis.astype(str), categories=BASES)
    uncertain = out["census_basis"].isin(UNCERTAIN_BASES)
    if uncertain.any():
        log.info("%s: %d values on an uncertain census basis (vintage unknown or in the switch "
                 "period: %s)", _where(df), int(uncertain.sum()), vintage.iso or "unknown")
    return out


def _update_basis(df: pd.DataFrame, days: pd.Series, vintage: date | None) -> pd.Series:
    basis = _vectorised_basis(days, vintage)
    for brk, proven in _basis_from_totals(df, days).items():
        window = days.notna() & (days >= pd.Timestamp(brk.census_day)) & (
            days <= pd.Timestamp(brk.last_old_reference))
        if proven != brk.uncertain:
            log.info("%s: published totals show the %s basis for %s to %s", _where(df), proven,
                     f"{brk.census_day:%d.%m.%Y}", f"{brk.last_old_reference:%d.%m.%Y}")
        basis[window] = proven
    return _apply_statements(basis, days, basis_statements(_texts(df)))


def _where(df: pd.DataFrame) -> str:
    provenance = df.attrs.get("provenance") or {}
    if isinstance(provenance, Mapping) and provenance.get("table"):
        return f"table {provenance['table']} ({provenance.get('file') or 'frame'})"
    if "table" in df.columns and len(df):
        return "table " + ", ".join(sorted(str(t) for t in df["table"].dropna().unique()))
    return "frame"


# ---------------------------------------------------------------- breaks in a series

def is_uncertain(basis: Any) -> bool:
    """True for a tag that names two censuses (the basis could not be known)."""
    return str(basis) in UNCERTAIN_BASES


def series_breaks(frame: pd.DataFrame, *, by: str = "region_key", basis: str = "census_basis",
                  time: str = "year") -> list[float]:
    """Where a chart draws break lines: between two consecutive values of one region whose
    census basis differs (an uncertain basis counts as different from both it names)."""
    positions: set[float] = set()
    if basis not in frame.columns or time not in frame.columns:
        return []
    for _, group in frame.groupby(by, sort=False, observed=True):
        ordered = group.dropna(subset=[time]).sort_values(time)
        values, tags = ordered[time].tolist(), ordered[basis].astype(str).tolist()
        for (t0, b0), (t1, b1) in zip(zip(values, tags, strict=True), zip(values[1:], tags[1:], strict=True),
                                      strict=False):
            if b0 != b1 or is_uncertain(b1):
                positions.add((float(t0) + float(t1)) / 2)
    return sorted(positions)


def census_breaks(years) -> list[CensusBreak]:
    """The census days that fall inside a series covering ``years`` (chart markers).

    A break is inside when the series has a year on each side of the census day; where the
    switch lies in the data (a later vintage), use :func:`series_breaks` on the tagged frame.
    """
    values = [int(y) for y in pd.Series(list(years)).dropna()]
    if not values:
        return []
    low, high = min(values), max(values)
    return [b for b in CENSUS_BREAKS if low <= b.last_old_year and high >= b.first_new_year]
