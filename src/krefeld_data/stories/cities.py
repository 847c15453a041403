"""Story 1, European comparison: Eurostat's Urban Audit city statistics for the story cities.

Urban Audit is a third count of "who lives here", beside the German population update and the
censuses: the population on 1 January as the cities deliver it to Eurostat, total in
``urb_cpop1``, by citizenship in ``urb_cpopcb``, with gaps where a city delivered nothing.

Two things are not known for sure and are therefore checked on every call, not assumed:

- the city codes (``DE508C`` …) of ``reference/eurostat_cities.csv`` were never seen in a real
  response; Eurostat answers an unknown code with HTTP 200 and simply leaves the city out, so a
  requested code missing from the response's ``cities`` dimension is an error naming the code;
- which indicator code means what is read from the indicator labels (English or German,
  depending on the language asked for), not from a list of numbers typed here.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pandas as pd

from krefeld_data import catalog
from krefeld_data.errors import KrefeldDataError
from krefeld_data.raw.store import RawStore
from krefeld_data.regions.registry import short_name
from krefeld_data.regions.urban_audit import REFERENCE_FILE as EUROSTAT_CITIES_FILE
from krefeld_data.regions.urban_audit import require_city_code as eurostat_city_code
from krefeld_data.regions.urban_audit import require_region_code as kreis_from_eurostat_city
from krefeld_data.stories import _data
from krefeld_data.stories._data import Cities

POPULATION = "urb_cpop1"
CITIZENSHIP = "urb_cpopcb"
CITY_DIMENSIONS = ("cities", "geo")
COUNTS = ("population", "nationals", "foreigners_eu", "foreigners_non_eu", "foreigners")


class CityCodeMismatch(KrefeldDataError):
    """A requested Urban Audit city code is not in the stored Eurostat response."""


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
            f"changed: adjust krefeld_data.stories.cities.indicator_role"
        )
    return {role: codes[0] for role, codes in found.items()}


def _labels_seen(frame: pd.DataFrame) -> str:
    pairs = frame[["indic_ur_code", "indic_ur"]].astype(str).drop_duplicates()
    pairs = zip(pairs["indic_ur_code"], pairs["indic_ur"], strict=True)
    return ", ".join(f"{code} {label!r}" for code, label in pairs)


def _snapshot_json(table: str, store: RawStore) -> tuple[dict[str, Any], str]:
    snapshot = store.latest(table)
    if snapshot is None:
        raise _data.MissingDataError(
            f"dataset {table} is not in the raw store {store.root}; get it with {_data.fetch_hint(table)}"
        )
    where = f"{snapshot.path.name}, stored {snapshot.provenance.accessed_date}"
    try:
        return json.loads(snapshot.read_bytes().decode("utf-8")), where
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise KrefeldDataError(f"Eurostat dataset {table} ({where}) is not JSON-stat: {exc}") from None


def check_city_codes(table: str, wanted: dict[str, str], store: RawStore | None = None) -> list[str]:
    """The codes of the response's ``cities`` dimension; raises if a wanted code is not among them.

    ``wanted`` maps city code -> Kreis key. Eurostat leaves an unknown code out without an error,
    so a partial match (three of four cities) is the case to catch; codes of the same city in
    another form (``DE508C1`` for ``DE508C``) are named as the likely fix.
    """
    store = store or RawStore()
    obj, where = _snapshot_json(table, store)
    dimensions = obj.get("dimension") or {}
    dim = next((d for d in CITY_DIMENSIONS if d in dimensions), None)
    if dim is None:
        raise CityCodeMismatch(
            f"Eurostat dataset {table} ({where}) has no `cities` dimension "
            f"(dimensions: {', '.join(dimensions)}); it is not an Urban Audit city dataset"
        )
    present = list((dimensions[dim].get("category") or {}).get("index") or {})
    problems = []
    for code, key in wanted.items():
        if code in present:
            continue
        close = [p for p in present if p[:5].upper() == code[:5].upper()]
        hint = f" but {', '.join(close)}: probably the same city in another form" if close else ""
        problems.append(f"{code} ({short_name(key)}, Kreis {key}){hint}")
    if problems:
        listed = ", ".join(present[:10]) or "no city at all"
        raise CityCodeMismatch(
            f"Eurostat dataset {table} ({where}): the `cities` dimension has no {'; no '.join(problems)} "
            f"(it lists {listed}). The codes in reference/{EUROSTAT_CITIES_FILE} are unconfirmed: "
            f"correct them there, then `krefeld-data fetch {table} --db eurostat --refresh`"
        )
    return present


def _counts(frame: pd.DataFrame, roles: dict[str, str]) -> pd.DataFrame:
    """One row per city and year, one column per role; flags of the cells used in ``quality``."""
    by_code = {code: role for role, code in roles.items()}
    rows = frame[frame["indic_ur_code"].astype(str).isin(by_code)].copy()
    rows["role"] = rows["indic_ur_code"].astype(str).map(by_code)
    rows["number"] = _data.numeric_value(rows)
    rows["city_code"] = rows["region_code"].astype(str)
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


def city_population_by_citizenship(
    cities: Cities | None = None, store: RawStore | None = None
) -> pd.DataFrame:
    """Urban Audit population on 1 January by citizenship, per city and year (all years published).

    ``cities``: Kreis keys or names (default :data:`~krefeld_data.catalog.DEFAULT_CITIES`), each
    mapped to its Urban Audit code through the region registry.

    Columns: region_key, region, city_code, year, population (``urb_cpop1``), nationals,
    foreigners_eu, foreigners_non_eu, foreigners (the dataset's own total of foreigners, or EU +
    non-EU where it has none), foreign_share (foreigners / population, 0–1), quality (Eurostat
    flags of the cells used: ``b`` break in series, ``e`` estimated, …). Years in which a city
    has neither a total nor a count of foreigners are left out; ``attrs["cities_without_data"]``
    names requested cities with no row at all.
    """
    store = store or RawStore()
    keys = _data.keys_of(catalog.DEFAULT_CITIES if cities is None else cities)
    wanted = {eurostat_city_code(key): key for key in keys}
    frames = {}
    for table in (POPULATION, CITIZENSHIP):
        frames[table] = _data.load(table, store, german_regions=False)
        check_city_codes(table, wanted, store)
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
    merged = merged[merged["city_code"].isin(wanted)]
    for column in COUNTS:
        if column not in merged.columns:
            merged[column] = float("nan")
    if "foreigners" not in citizenship:
        merged["foreigners"] = merged["foreigners_eu"] + merged["foreigners_non_eu"]
    merged["foreign_share"] = merged["foreigners"] / merged["population"]
    merged = merged.dropna(subset=["population", "foreigners"], how="all")
    merged["region_key"] = merged["city_code"].map(kreis_from_eurostat_city)
    merged["region"] = merged["region_key"].map(short_name)
    result = merged[["region_key", "region", "city_code", "year", *COUNTS, "foreign_share", "quality"]].copy()
    result["year"] = result["year"].astype("Int64")
    result.columns.name = None
    result = _data.finish(_data.order_regions(result, keys), frames[POPULATION], frames[CITIZENSHIP])
    result.attrs["cities_without_data"] = [key for key in keys if key not in set(result["region_key"])]
    return result


def _require(roles: dict[str, str], frame: pd.DataFrame, table: str, needed: list[str],
             alternative: str = "") -> None:
    missing = [role for role in needed if role not in roles]
    if missing:
        raise IndicatorNotFound(
            f"Eurostat dataset {table}: no indicator label reads as {alternative}{' and '.join(missing)} "
            f"(indicators: {_labels_seen(frame)}); adjust krefeld_data.stories.cities.indicator_role"
        )


def latest_shares(frame: pd.DataFrame) -> pd.DataFrame:
    """Per city the newest year with a foreign share (cities report different latest years)."""
    known = frame.dropna(subset=["foreign_share"])
    latest = known.sort_values("year").groupby("region_key", sort=False).tail(1)
    result = _data.order_regions(latest, list(dict.fromkeys(frame["region_key"]))).reset_index(drop=True)
    result.attrs = dict(frame.attrs)
    return result
