"""The region registry: every Kreis, Land and Regierungsbezirk with its keys and names.

Databases label the same Kreis differently (``Freiburg im Breisgau, Stadtkreis`` in the
Regionaldatenbank, ``…, kreisfreie Stadt`` in GENESIS-Online, ``Kreisfreie Stadt`` with a capital
K in older files) and write its key in several lengths (``05114``, ``05114000``,
``051140000000``). Joins therefore go on keys; this module turns any of those forms into the one
key a region has in ``reference/regions.csv`` and gives it a short name for charts.

The list comes from the Regionaldatenbank (territorial status 31.12.2024, see the CSV header).
Kreise that no longer exist are kept, marked ``dissolved``, so old tables still resolve.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from krefeld_data.errors import KrefeldDataError

REGISTRY_FILE = "regions.csv"

CITY_TYPES = frozenset({"kreisfreie Stadt", "Stadtkreis", "Stadt"})
KEY_LENGTHS = {2: "Land", 3: "Regierungsbezirk", 5: "Kreis", 8: "Gemeinde (AGS)", 12: "ARS"}

# Designations the offices append to a name: "…, kreisfreie Stadt", "…, Stadtkreis",
# "…, Landkreis", "…, Kreis", "…, Landeshauptstadt", "…, Hanse- und Universitätsstadt", …
_DESIGNATION = re.compile(
    r"^(?:[\w.\- ]*stadt(?: \(alt\))?|stadtkreis|landkreis|kreis|regionalverband|regierungsbezirk"
    r"|statistische region)$",
    re.IGNORECASE,
)
_PREFIX = re.compile(r"^(?:Landkreis|Kreis)\s+(?=\S)")
_NOTE = re.compile(r"\s*\((?:einschl|ohne|inkl)\.?[^()]*\)$", re.IGNORECASE)


class UnknownRegion(KrefeldDataError):
    """A region key or name that the registry does not know, or a name that fits several."""


@dataclass(frozen=True)
class Region:
    """One region of the registry. ``code`` is the key as the Regionaldatenbank publishes it."""

    code: str  # DG, 05, 051, 05114, 03241001
    short_name: str  # for charts and text: "Krefeld", "Landkreis Kassel"
    official_name: str  # label as published: "Krefeld, kreisfreie Stadt"
    type: str  # kreisfreie Stadt, Stadtkreis, Landkreis, Kreis, Regionalverband, Land, Staat, …
    land_code: str  # "05"; "" for Germany
    land_name: str  # "Nordrhein-Westfalen"
    dissolved: bool = False

    @property
    def level(self) -> str:
        """Staat, Land, Regierungsbezirk (3 digits, incl. statistische Regionen), Kreis, Gemeinde."""
        if self.code == "DG":
            return "Staat"
        return {2: "Land", 3: "Regierungsbezirk", 5: "Kreis"}.get(len(self.code), "Gemeinde")

    @property
    def is_city(self) -> bool:
        """A kreisfreie Stadt / Stadtkreis (or a city published beside its Kreis, like Aachen)."""
        return self.type in CITY_TYPES

    @property
    def kreis(self) -> str | None:
        """5-digit Kreis key (``05114``); None above Kreis level and for Gemeinden."""
        return self.code if len(self.code) == 5 else None

    @property
    def ags(self) -> str | None:
        """8-digit Gemeinde key of the same territory: a kreisfreie Stadt is one Gemeinde (…000)."""
        if len(self.code) == 8:
            return self.code
        if len(self.code) == 5 and self.type in ("kreisfreie Stadt", "Stadtkreis"):
            return self.code + "000"
        return None

    @property
    def ars(self) -> str | None:
        """12-digit regional key (ARS) as Zensus 2022 writes it: the key padded with zeros.

        None for Germany and for the 8-digit units, whose Verband digits are not in the registry.
        """
        if self.code == "DG" or len(self.code) == 8:
            return None
        return self.code.ljust(12, "0")


def strip_region_suffix(label: str) -> str:
    """The name without the designation the database added: for display, never for joins.

    ``Freiburg im Breisgau, Stadtkreis`` and ``Freiburg im Breisgau, Kreisfreie Stadt`` both
    give ``Freiburg im Breisgau``; ``Landkreis Rostock`` and ``Rostock, Landkreis`` give
    ``Rostock``. Indentation and doubled spaces go too. A comma part that is not a designation
    (a name that itself holds a comma) is kept.
    """
    text = re.sub(r"\s+", " ", str(label)).strip()
    head, *rest = [part.strip() for part in text.split(",")]
    if rest and all(_DESIGNATION.match(part) for part in rest):
        text = head
    return _PREFIX.sub("", text)


def normalise_code(code: str) -> str:
    """The registry key of a published region code, checked for form (not for existence).

    - ``DG`` and 2-, 3- and 5-digit keys stay as they are.
    - An 8-digit AGS ending in ``000`` whose first five digits are a kreisfreie Stadt is that
      Kreis (``05114000`` → ``05114``); any other 8-digit AGS stays (``05334002`` Aachen).
    - A 12-digit ARS ``LL R KK VVVV GGG`` padded with zeros is the Kreis, Regierungsbezirk or Land
      (``051140000000`` → ``05114``, ``050000000000`` → ``05``); otherwise it is the Gemeinde
      ``LLRKK`` + ``GGG`` (``032410001001`` → ``03241001``), then as for 8 digits.
    """
    text = str(code).strip()
    if text.upper() == "DG":
        return "DG"
    if not text.isascii() or not text.isdigit():
        raise UnknownRegion(
            f"region code {code!r} is not a German region key: expected DG or 2, 3, 5, 8 or 12 digits"
        )
    if len(text) not in KEY_LENGTHS:
        raise UnknownRegion(
            f"region code {code!r} has {len(text)} digits; expected 2 (Land), 3 (Regierungsbezirk), "
            f"5 (Kreis), 8 (Gemeinde, AGS) or 12 (ARS)"
        )
    if len(text) == 12:
        if text[5:] == "0000000":
            if text[3:5] != "00":
                return text[:5]
            return text[:2] if text[2] == "0" else text[:3]
        text = text[:5] + text[9:]
    if len(text) == 8 and text.endswith("000"):
        kreis = _registry().get(text[:5])
        if kreis is not None and kreis.ags == text:
            return text[:5]
    return text


def region(code_or_name: str) -> Region:
    """The region for a key (any length, ``DG``) or a name (Urban Audit codes: ``urban_audit``).

    Names resolve in this order, active regions before dissolved ones: exact short or official
    name; the same ignoring case; the name without its designation (``Freiburg im Breisgau,
    kreisfreie Stadt`` finds the Stadtkreis). An unknown or ambiguous name raises
    :class:`UnknownRegion` listing close matches: nothing is guessed silently.
    """
    text = re.sub(r"\s+", " ", str(code_or_name)).strip()
    if not text:
        raise UnknownRegion("empty region code or name")
    if text.upper() == "DG" or text.isdigit():
        return _by_code(text)
    return _by_name(text)


def short_name(code: str) -> str:
    """Short name for charts (``Krefeld``, ``Landkreis Kassel``) of a key or name."""
    return region(code).short_name


def land_of(code: str) -> Region:
    """The Land a region belongs to (the Land itself for a Land)."""
    found = region(code)
    if not found.land_code:
        raise UnknownRegion(f"{found.code} ({found.short_name}) is Germany as a whole, not part of a Land")
    return _by_code(found.land_code)


def all_regions(*, include_dissolved: bool = False) -> list[Region]:
    """Every region of the registry, in key order (Germany, Land, its Bezirke, its Kreise, …)."""
    return [r for r in _registry().values() if include_dissolved or not r.dissolved]


def kreise(*, include_dissolved: bool = False) -> list[Region]:
    """The Kreise and kreisfreie Städte (5-digit keys): 400 at the current territorial status."""
    return [r for r in all_regions(include_dissolved=include_dissolved) if r.level == "Kreis"]


# --- loading -----------------------------------------------------------------------------------


def _read_reference(name: str) -> list[dict[str, str]]:
    """Rows of a CSV in ``reference/``; lines starting with ``#`` are its source note."""
    text = resources.files("krefeld_data.regions").joinpath("reference", name).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(lines))))


@cache
def _registry() -> dict[str, Region]:
    rows = _read_reference(REGISTRY_FILE)
    names = _short_names(rows)
    return {
        row["code"]: Region(
            code=row["code"],
            short_name=names[row["code"]],
            official_name=row["official_name"],
            type=row["type"],
            land_code=row["land_code"],
            land_name=row["land_name"],
            dissolved=row["dissolved"] == "1",
        )
        for row in rows
    }


def _short_names(rows: list[dict[str, str]]) -> dict[str, str]:
    """Bare names where unambiguous; where several regions share one, the Land or the city keeps
    it and the others get their type in front ("Landkreis Kassel", "Regierungsbezirk Köln").

    Dissolved regions are named among themselves and marked "(aufgelöst)".
    """
    names: dict[str, str] = {}
    for dissolved in ("0", "1"):
        group = [r for r in rows if r["dissolved"] == dissolved]
        by_base: dict[str, list[dict[str, str]]] = {}
        for row in group:
            by_base.setdefault(strip_region_suffix(row["official_name"]), []).append(row)
        for base, members in by_base.items():
            ranked = sorted(members, key=_naming_rank)
            keeps_bare = len(ranked) == 1 or _naming_rank(ranked[0]) < _naming_rank(ranked[1])
            for i, row in enumerate(ranked):
                bare = i == 0 and keeps_bare and len(row["code"]) != 3
                name = base if bare else f"{_type_word(row['type'])} {base}"
                names[row["code"]] = f"{name} (aufgelöst)" if dissolved == "1" else name
    return names


def _naming_rank(row: dict[str, str]) -> int:
    if row["type"] in ("Land", "Staat"):
        return 0
    return 1 if row["type"] in CITY_TYPES else 2


def _type_word(region_type: str) -> str:
    return "Stadt" if region_type in CITY_TYPES else region_type


def _by_code(code: str) -> Region:
    key = normalise_code(code)
    found = _registry().get(key)
    if found is not None:
        return found
    hint = ""
    if len(key) == 8 and key[:5] in _registry():
        parent = _registry()[key[:5]]
        hint = f": a Gemeinde in {parent.short_name} ({parent.code}); the registry lists Kreise and above"
    raise UnknownRegion(f"region key {code!r} is not in the region registry (status 31.12.2024){hint}")


def _by_name(text: str) -> Region:
    regions = list(_registry().values())
    wanted = text.casefold()
    base = strip_region_suffix(text).casefold()
    kind = _designation_kind(text)
    # Landesdatenbank NRW adds what a Kreis includes: "Städteregion Aachen (einschl. Stadt Aachen)".
    bare = _NOTE.sub("", text).casefold()
    steps = (
        lambda r: text in (r.short_name, r.official_name),
        lambda r: wanted in (r.short_name.casefold(), r.official_name.casefold()),
        # Kreise only: a bare "Freiburg" must not quietly find the Regierungsbezirk Freiburg.
        lambda r: len(r.code) in (5, 8)
        and strip_region_suffix(r.official_name).casefold() == base
        and kind in (None, _kind_of_type(r.type)),
        # "Regierungsbezirk Düsseldorf", "Reg.-Bez. Köln": only with the word, only 3-digit keys.
        lambda r: kind == "bezirk" and len(r.code) == 3 and r.type == "Regierungsbezirk"
        and strip_region_suffix(r.official_name).casefold() == _bezirk_base(text).casefold(),
        lambda r: bare != wanted and bare in (r.short_name.casefold(), r.official_name.casefold(),
                                              strip_region_suffix(r.official_name).casefold()),
    )
    for matches in steps:
        found = [r for r in regions if matches(r)]
        active = [r for r in found if not r.dissolved]
        chosen = active or found
        if len(chosen) == 1:
            return chosen[0]
        if chosen:
            listed = "; ".join(f"{r.official_name} ({r.code})" for r in chosen[:8])
            raise UnknownRegion(f"region name {text!r} fits several regions: {listed}; give the key instead")
    candidates = {r.short_name: r for r in regions if not r.dissolved}
    candidates.update({r.official_name: r for r in regions if not r.dissolved})
    close = [name for name in candidates if name.casefold().startswith(base or wanted)][:3]
    close += [c for c in difflib.get_close_matches(text, list(candidates), n=5, cutoff=0.6) if c not in close]
    seen: set[str] = set()
    close = [c for c in close if not (candidates[c].code in seen or seen.add(candidates[c].code))][:5]
    suggestion = "; did you mean " + ", ".join(f"{c!r} ({candidates[c].code})" for c in close) + "?"
    raise UnknownRegion(
        f"unknown region name {text!r}{suggestion if close else ''} "
        f"(names as in the Regionaldatenbank, or give the key)"
    )


def _designation_kind(label: str) -> str | None:
    """'city' or 'district' from the designation in a label, None without one."""
    lowered = label.casefold()
    # "krfr. Stadt" is how the Landesdatenbank NRW writes "kreisfreie Stadt".
    if re.search(r"kreisfreie stadt|krfr\.\s*stadt|stadtkreis|,\s*stadt\b", lowered):
        return "city"
    if re.search(r"landkreis|,\s*kreis\b|^kreis\s", lowered):
        return "district"
    if re.search(r"regierungsbezirk|reg\.-bez\.", lowered):
        return "bezirk"
    return None


def _bezirk_base(label: str) -> str:
    """``Regierungsbezirk Köln`` / ``Reg.-Bez. Köln`` / ``Köln, Regierungsbezirk`` → ``Köln``."""
    text = re.sub(r"\s+", " ", label).strip()
    text = re.sub(r"^(?:Regierungsbezirk|Reg\.-Bez\.)\s+", "", text, flags=re.IGNORECASE)
    return strip_region_suffix(text)


def _kind_of_type(region_type: str) -> str | None:
    if region_type in CITY_TYPES:
        return "city"
    if region_type in ("Landkreis", "Kreis"):
        return "district"
    return None
