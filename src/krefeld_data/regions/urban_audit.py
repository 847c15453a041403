"""Eurostat Urban Audit city codes (``DE087C``) of German cities, and the way back to the registry.

Eurostat's city statistics (``urb_cpop1``, ``urb_cpopcb``, …) key each city by its own code.
The table ``reference/eurostat_cities.csv`` holds every German code of a real Data Browser
export (real sample 39, 152 codes), matched to the region registry by name by
``tools/build_urban_audit_codes.py``. Not every region has a code (Kassel has, Kreis Kleve has
not), and not every code has a registry key (Moers is a kreisangehörige Stadt, which the
registry does not list): both answer ``None`` here, never an exception, so a story can say
plainly that a city has no Urban Audit figures.

API (for the stories)::

    city_code("05114")          -> "DE087C"   (any key form, or a name: "Krefeld")
    city_code("05154")          -> None       (Kreis Kleve: no Urban Audit city)
    require_city_code("05154")  -> NoUrbanAuditCode naming the region
    region_code("DE087C")       -> "05114"    (also "de087c")
    city("DE022C")              -> UrbanAuditCity(name="Moers", region_code=None, note=…)
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from krefeld_data.errors import KrefeldDataError
from krefeld_data.regions.registry import region

REFERENCE_FILE = "eurostat_cities.csv"
# DE087C; DE is Germany itself. The 2019 spatial-units list (real sample 33) numbers its "…C1"
# codes differently (DE025C1 is Darmstadt there, DE025C is Freiburg here): that form is refused.
_CODE = re.compile(r"^([A-Z]{2}(?:\d{3}C)?)$")


class NoUrbanAuditCode(KrefeldDataError):
    """A region without an Urban Audit city code, or a code without a registry region."""


@dataclass(frozen=True)
class UrbanAuditCity:
    """One German Urban Audit code as the reference file holds it."""

    code: str  # DE087C
    name: str  # Eurostat's label without "(greater city)": Krefeld
    greater_city: bool  # the unit is larger than the Gemeinde
    region_code: str | None  # key in the region registry (05114, 03241001, DG), None if it has none
    ags: str | None  # 8-digit Gemeinde key where the registry gives one
    match: str  # how the name was matched: name, manual: …, country, none
    note: str  # why a city has no key, or what is special about it


def _read() -> list[dict[str, str]]:
    text = resources.files("krefeld_data.regions").joinpath("reference", REFERENCE_FILE).read_text("utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(lines))))


@cache
def _cities() -> dict[str, UrbanAuditCity]:
    return {
        row["city_code"]: UrbanAuditCity(
            code=row["city_code"], name=row["name"], greater_city=row["greater_city"] == "1",
            region_code=row["region_code"] or None, ags=row["ags"] or None, match=row["match"],
            note=row["note"],
        )
        for row in _read()
    }


@cache
def _by_region() -> dict[str, str]:
    return {c.region_code: c.code for c in _cities().values() if c.region_code}


def cities() -> tuple[UrbanAuditCity, ...]:
    """Every German code of the reference file (``DE`` first), matched or not."""
    return tuple(_cities().values())


def city(code: str) -> UrbanAuditCity | None:
    """The entry of an Urban Audit code (``DE087C``, ``de087c``); None if unknown.

    The "…C1" codes of the 2019 spatial-units list are another numbering and are not accepted.
    """
    match = _CODE.match(str(code).strip().upper())
    return _cities().get(match.group(1)) if match else None


def city_code(code_or_name: str) -> str | None:
    """The Urban Audit code of a region given by key (any length) or name; None without one.

    A name the registry does not know is still an error (:class:`~krefeld_data.regions.registry.
    UnknownRegion`): a typo must not read as "this city has no figures".
    """
    return _by_region().get(region(code_or_name).code)


def require_city_code(code_or_name: str) -> str:
    """Like :func:`city_code`, but a region without a code raises :class:`NoUrbanAuditCode`."""
    found = region(code_or_name)
    code = _by_region().get(found.code)
    if code is None:
        raise NoUrbanAuditCode(
            f"{found.short_name} ({found.code}) has no Urban Audit code: Eurostat's city statistics "
            f"do not cover it (reference/{REFERENCE_FILE} lists every German city they cover)"
        )
    return code


def region_code(code: str) -> str | None:
    """The registry key of an Urban Audit code; None for an unknown code or a city the registry
    does not list (a kreisangehörige Stadt such as Moers)."""
    entry = city(code)
    return entry.region_code if entry else None


def require_region_code(code: str) -> str:
    """Like :func:`region_code`, but an unknown or unmatched code raises :class:`NoUrbanAuditCode`."""
    entry = city(code)
    if entry is None:
        raise NoUrbanAuditCode(f"{code!r} is not a German Urban Audit code in reference/{REFERENCE_FILE}")
    if entry.region_code is None:
        raise NoUrbanAuditCode(
            f"Urban Audit city {entry.code} ({entry.name}) has no region key: {entry.note}"
        )
    return entry.region_code
