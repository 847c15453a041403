"""Urban Audit dataset (story 1, European comparison): Eurostat's city statistics by citizenship.

Urban Audit is a third count of "who lives here", beside the German population update and the
censuses: the population on 1 January as the cities deliver it to Eurostat, total in
``urb_cpop1``, by citizenship in ``urb_cpopcb``, with gaps where a city delivered nothing. The
dataset holds every city of the stored responses that the region registry knows
(:func:`krefeld_data.regions.urban_audit.region_code`); a city without an Urban Audit code, or
one the response leaves out, is simply not in it, and the story says so.

Which indicator code means what is read from the indicator labels (English or German,
depending on the language asked for), not from a list of numbers typed here.
"""

from __future__ import annotations

import re

import pandas as pd

from krefeld_data.datasets import tables
from krefeld_data.errors import KrefeldDataError
from krefeld_data.raw.store import RawStore

POPULATION = "urb_cpop1"
CITIZENSHIP = "urb_cpopcb"
CITY_DIMENSIONS = ("cities", "geo")
COUNTS = ("population", "nationals", "foreigners_eu", "foreigners_non_eu", "foreigners")


class CityCodeMismatch(KrefeldDataError):
    """A city code the fetch asked for is not in the stored Eurostat response."""


class IndicatorNotFound(KrefeldDataError):
    """The labels of an Urban Audit dataset name none (or more than one) of the indicators needed."""


_SHARE = re.compile(r"proportion|anteil|share|%|\brate\b|ratio|\bper\b|je \d")
_BIRTH = re.compile(r"born|birth|geboren|geburt")
_CITIZENSHIP_WORD = re.compile(r"foreign|ausländ|national|staatsang|citizen")
_NON_EU = re.compile(r"non[- ]?eu\b|nicht[- ]?eu\b|außerhalb der eu|outside the eu")
_EU = re.compile(r"\beu\b|other member state|anderer mitgliedstaat")
_FOREIGNERS = re.compile(r"foreigners|ausländer")
_NATIONALS = re.compile(r"^nationals\b|staatsangehörige|inländer")
_POPULATION = re.compile(r"population|bevölkerung")
_TOTAL = re.compile(r"total|insgesamt")
_BY_SEX_OR_AGE = re.compile(r"\bmale|female|männ|weib|year|jahr")


def indicator_role(label: str) -> str | None:
    """What an Urban Audit indicator counts, from its label: one of :data:`COUNTS` or None.

    Shares ("Proportion of …", "Anteil …") and country-of-birth counts ("Foreign-born") are not
    counts of citizenship and get None.
    """
    text = " ".join(str(label).casefold().split())
    if _SHARE.search(text) or _BIRTH.search(text):
        return None
    if _CITIZENSHIP_WORD.search(text):
        if _NON_EU.search(text):
            return "foreigners_non_eu"
        if _EU.search(text):
            return "foreigners_eu"
        if _FOREIGNERS.search(text):
            return "foreigners"
        if _NATIONALS.search(text):
            return "nationals"
        return None
    if _POPULATION.search(text) and _TOTAL.search(text) and not _BY_SEX_OR_AGE.search(text):
        return "population"
    return None


def indicator_codes(frame: pd.DataFrame, table: str) -> dict[str, str]:
    """Role -> indicator code (``{"population": "DE1001V", …}``) of one parsed dataset."""
    pairs = frame[["indic_ur_code", "indic_ur"]].astype(str).drop_duplicates()
    found: dict[str, list[str]] = {}
    for code, label in zip(pairs["indic_ur_code"], pairs["indic_ur"], strict=True):
        role = indicator_role(label)
        if role:
            found.setdefault(role, []).append(f"{code}")
    ambiguous = {role: codes for role, codes in found.items() if len(codes) > 1}
    if ambiguous:
        listed = "; ".join(f"{role}: {', '.join(codes)}" for role, codes in ambiguous.items())
        raise IndicatorNotFound(
            f"Eurostat dataset {table}: several indicators fit one count ({listed}); the labels "
            f"changed: adjust krefeld_data.datasets.cities.indicator_role"
        )
    return {role: codes[0] for role, codes in found.items()}


def _labels_seen(frame: pd.DataFrame) -> str:
    pairs = frame[["indic_ur_code", "indic_ur"]].astype(str).drop_duplicates()
    pairs = zip(pairs["indic_ur_code"], pairs["indic_ur"], strict=True)
    return ", ".join(f"{code} {label!r}" for code, label in pairs)


def _counts(frame: pd.DataFrame, roles: dict[str, str]) -> pd.DataFrame:
    """One row per city and year, one column per role; flags of the cells used in ``quality``."""
    by_code = {code: role for role, code in roles.items()}
    rows = frame[frame["indic_ur_code"].astype(str).isin(by_code)].copy()
    rows["role"] = rows["indic_ur_code"].astype(str).map(by_code)
    rows["number"] = tables.numeric_value(rows)
    rows["city_code"] = rows["region_code"].astype(str).map(canonical_code)
    wide = rows.pivot_table(index=["city_code", "year"], columns="role", values="number", aggfunc="first",
                            dropna=False)
    flags = rows[rows["quality"].astype(str) != ""].groupby(["city_code", "year"])["quality"].agg(
        lambda q: ",".join(sorted(set(q.astype(str))))
    )
    wide = wide.reindex(columns=list(roles))
    wide["quality"] = flags.reindex(wide.index).fillna("")
    return wide


def _joined_flags(left: pd.Series, right: pd.Series) -> pd.Series:
    pairs = zip(left.fillna(""), right.fillna(""), strict=True)
    return pd.Series([",".join(sorted({f for f in (a + "," + b).split(",") if f})) for a, b in pairs],
                     index=left.index)


def city_population_by_citizenship(store: RawStore) -> pd.DataFrame:
    """Urban Audit population on 1 January by citizenship, per city and year (all published).

    Columns: region_key, region, city_code, year, population (``urb_cpop1``), nationals,
    foreigners_eu, foreigners_non_eu, foreigners (the dataset's own total of foreigners, or EU +
    non-EU where it has none), foreign_share (foreigners / population, 0–1), quality (Eurostat
    flags of the cells used: ``b`` break in series, ``e`` estimated, …). Years in which a city
    has neither a total nor a count of foreigners are left out; so are codes the region
    registry does not know (``attrs["cities_without_region"]``).
    """
    from krefeld_data.regions import urban_audit
    from krefeld_data.regions.registry import short_name

    frames = {table: tables.latest(table, store, german_regions=False) for table in (POPULATION, CITIZENSHIP)}
    for table, frame in frames.items():
        check_requested_cities(table, frame)
    roles = {}
    for table, needed in ((POPULATION, ("population",)), (CITIZENSHIP, COUNTS[1:])):
        found = indicator_codes(frames[table], table)
        roles[table] = {role: code for role, code in found.items() if role in needed}
    _require(roles[POPULATION], frames[POPULATION], POPULATION, ["population"])
    citizenship = roles[CITIZENSHIP]
    if "foreigners" not in citizenship:
        _require(citizenship, frames[CITIZENSHIP], CITIZENSHIP, ["foreigners_eu", "foreigners_non_eu"],
                 alternative="a total of foreigners, or as ")
    total = _counts(frames[POPULATION], roles[POPULATION])
    parts = _counts(frames[CITIZENSHIP], citizenship)
    merged = total.rename(columns={"quality": "quality_total"}).join(parts, how="outer")
    merged["quality"] = _joined_flags(merged["quality_total"], merged["quality"])
    merged = merged.drop(columns="quality_total").reset_index()
    for column in COUNTS:
        if column not in merged.columns:
            merged[column] = float("nan")
    if "foreigners" not in citizenship:
        merged["foreigners"] = merged["foreigners_eu"] + merged["foreigners_non_eu"]
    merged["foreign_share"] = merged["foreigners"] / merged["population"]
    merged = merged.dropna(subset=["population", "foreigners"], how="all")
    merged["region_key"] = merged["city_code"].map(urban_audit.region_code)
    unknown = sorted(set(merged.loc[merged["region_key"].isna(), "city_code"]))
    merged = merged.dropna(subset=["region_key"])
    merged["region"] = merged["region_key"].map(short_name)
    result = merged[["region_key", "region", "city_code", "year", *COUNTS, "foreign_share", "quality"]].copy()
    result["year"] = result["year"].astype("Int64")
    result.columns.name = None
    result = tables.finish(result.sort_values(["region_key", "year"], kind="stable"),
                           frames[POPULATION], frames[CITIZENSHIP])
    result.attrs["cities_without_region"] = unknown
    return result


def canonical_code(code: str) -> str:
    """``DE087C`` for ``DE087C``, ``de087c`` or the 2019 form ``DE087C1``; unknown codes as given."""
    from krefeld_data.regions import urban_audit

    entry = urban_audit.city(code)
    return entry.code if entry else code


def check_requested_cities(table: str, frame: pd.DataFrame) -> None:
    """Every city code the stored query asked for is in the response, else :class:`CityCodeMismatch`.

    Eurostat answers an unknown code with HTTP 200 and leaves the city out, so a fetch that asked
    for four cities and got three must not pass as if the fourth had no figures. An imported
    file has no query: whatever cities it holds are the dataset.
    """
    from krefeld_data.regions import urban_audit

    provenance = (frame.attrs.get("sources") or [{}])[0]
    asked = (provenance.get("query") or {}).get("cities") or []
    asked = [asked] if isinstance(asked, str) else list(asked)
    present = set(frame["region_code"].astype(str))
    problems = []
    for code in asked:
        if code in present:
            continue
        key = urban_audit.region_code(code)
        who = f" ({urban_audit.city(code).name}, Kreis {key})" if key else ""
        close = sorted(p for p in present if p[:5].upper() == code[:5].upper())
        hint = f" but {', '.join(close)}: probably the same city in another form" if close else ""
        problems.append(f"{code}{who}{hint}")
    if problems:
        raise CityCodeMismatch(
            f"Eurostat dataset {table} ({provenance.get('file', 'stored response')}): the response has no "
            f"{'; no '.join(problems)} although the fetch asked for it; Eurostat leaves unknown codes out. "
            f"Check reference/eurostat_cities.csv, then `krefeld-data fetch {table} --db eurostat --refresh`"
        )


def _require(roles: dict[str, str], frame: pd.DataFrame, table: str, needed: list[str],
             alternative: str = "") -> None:
    missing = [role for role in needed if role not in roles]
    if missing:
        raise IndicatorNotFound(
            f"Eurostat dataset {table}: no indicator label reads as {alternative}{' and '.join(missing)} "
            f"(indicators: {_labels_seen(frame)}); adjust krefeld_data.datasets.cities.indicator_role"
        )
