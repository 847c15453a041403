"""The cities a build is about: ``--city``, ``--compare`` and ``--context`` turned into keys.

A newsroom in Duisburg types ``--city Duisburg`` or ``--city 05112``; the notebooks get Kreis
keys. Everything is checked before anything is built, so a typo never leaves half a set of
pages behind: an unknown or ambiguous name, a key of the wrong level (a Land, a
Regierungsbezirk or a Gemeinde where a Kreis is meant) or a comparison list that holds the city
itself each end in one line that names the problem and the closest matches.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from krefeld_data.catalog import DEFAULT_CITIES, DEFAULT_CONTEXT
from krefeld_data.errors import KrefeldDataError
from krefeld_data.regions import registry
from krefeld_data.regions.registry import Region, UnknownRegion

MAX_SUGGESTIONS = 5
_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


class ParameterError(KrefeldDataError):
    """A city, comparison or context region the build cannot be about."""


@dataclass(frozen=True)
class CityParameters:
    """Kreis keys of the focus city and its comparison cities, and the context regions."""

    city: str
    compare: tuple[str, ...]
    context: tuple[str, ...]

    @property
    def is_default(self) -> bool:
        """The column's own cities: pages go to ``reports/`` itself, as before."""
        return (self.city, self.compare, self.context) == (
            DEFAULT_CITIES[0], tuple(DEFAULT_CITIES[1:]), tuple(DEFAULT_CONTEXT),
        )

    @property
    def city_name(self) -> str:
        return registry.short_name(self.city)

    @property
    def slug(self) -> str:
        """Folder name of the pages for this city: ``duisburg``, ``landkreis-muenchen``."""
        return slugify(self.city_name)

    def notebook_values(self) -> dict[str, Any]:
        """The values for the notebooks' parameters cells (papermill's names: CITY, COMPARE, CONTEXT)."""
        return {"CITY": self.city, "COMPARE": list(self.compare), "CONTEXT": list(self.context)}

    def describe(self) -> str:
        names = ", ".join(registry.short_name(k) for k in self.compare)
        context = ", ".join(registry.short_name(k) for k in self.context)
        return f"{self.city_name} ({self.city}), compared with {names}; context {context}"


def slugify(name: str) -> str:
    text = name.casefold().translate(_TRANSLITERATION)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "stadt"


def split_list(value: str | Iterable[str] | None) -> list[str]:
    """``"05113,05119"`` or ``["05113", "Bochum"]`` as a list of entries (blanks dropped)."""
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else [p for v in value for p in str(v).split(",")]
    return [item.strip() for item in items if item.strip()]


def _kreis_examples(land_code: str) -> list[Region]:
    """Kreise of a Land to suggest, kreisfreie Städte first."""
    found = [r for r in registry.kreise() if r.land_code == land_code or r.code.startswith(land_code)]
    return sorted(found, key=lambda r: (not r.is_city, r.code))[:MAX_SUGGESTIONS]


def _listed(regions: Sequence[Region]) -> str:
    return ", ".join(f"{r.short_name} ({r.code})" for r in regions)


def _prefix_matches(text: str) -> list[Region]:
    """Kreise whose name begins with ``text`` as a whole word (``Frankfurt`` → two cities)."""
    wanted = text.casefold()
    found = []
    for r in registry.kreise():
        name = r.short_name.casefold()
        if name.startswith(wanted) and (len(name) == len(wanted) or not name[len(wanted)].isalnum()):
            found.append(r)
    return found


def find_region(text: str, what: str) -> Region:
    """The region of a key or name; an ambiguous or unknown one is a :class:`ParameterError`."""
    try:
        return registry.region(text)
    except UnknownRegion as exc:
        if not text.strip().isdigit():
            several = _prefix_matches(text.strip())
            if len(several) > 1:
                raise ParameterError(
                    f"{what} {text!r} is ambiguous: it fits {_listed(several[:MAX_SUGGESTIONS])}; "
                    f"give the full name or the key"
                ) from None
        raise ParameterError(f"{what} {text!r}: {exc}") from None


def resolve_kreis(text: str, what: str = "--city") -> str:
    """The 5-digit key of a Kreis or kreisfreie Stadt given by key or name."""
    found = find_region(str(text), what)
    if found.level == "Kreis":
        if found.dissolved:
            raise ParameterError(
                f"{what} {text!r} is {found.short_name} ({found.code}), a Kreis that no longer exists; "
                f"the tables hold today's Kreise"
            )
        return found.code
    if found.level == "Gemeinde":
        parent = registry.region(found.code[:5])
        raise ParameterError(
            f"{what} {text!r} is {found.short_name} ({found.code}), a Gemeinde; the stories compare "
            f"Kreise and kreisfreie Städte: did you mean {parent.short_name} ({parent.code})?"
        )
    if found.level == "Staat":
        examples = sorted((r for r in registry.kreise() if r.is_city), key=lambda r: r.code)
        raise ParameterError(
            f"{what} {text!r} is Germany as a whole, not a Kreis; for example "
            f"{_listed(examples[:MAX_SUGGESTIONS])}"
        )
    raise ParameterError(
        f"{what} {text!r} is {found.short_name} ({found.code}), a {found.level}, not a Kreis; "
        f"Kreise in it: {_listed(_kreis_examples(found.code))}"
    )


def resolve_city(text: str) -> Region:
    """The registry's region for ``--city`` (a Kreis or kreisfreie Stadt), checked."""
    return registry.region(resolve_kreis(text, "--city"))


def resolve_parameters(
    city: str | None = None,
    compare: str | Iterable[str] | None = None,
    context: str | Iterable[str] | None = None,
) -> CityParameters:
    """All three options checked together; defaults are the column's cities.

    Without ``--compare`` the city is compared with the column's cities (Krefeld, Düsseldorf,
    Wuppertal, Freiburg) other than itself; without ``--context`` the context is the city's
    own Land and Germany.
    """
    key = resolve_kreis(city, "--city") if city else DEFAULT_CITIES[0]
    compare_items = split_list(compare)
    if compare_items:
        keys = [resolve_kreis(item, "--compare") for item in compare_items]
    else:
        keys = [k for k in DEFAULT_CITIES if k != key]
    if key in keys:
        position = keys.index(key)
        listed = compare_items[position] if compare_items else key
        others = [k for k in keys if k != key]
        hint = f"; compare with {', '.join(others)}" if others else ""
        raise ParameterError(
            f"--compare includes the city itself ({listed!r} is {registry.short_name(key)}, {key}){hint}"
        )
    keys = list(dict.fromkeys(keys))
    context_items = split_list(context)
    if context_items:
        context_keys = []
        for item in context_items:
            found = find_region(item, "--context")
            if found.level == "Gemeinde":
                raise ParameterError(
                    f"--context {item!r} is {found.short_name} ({found.code}), a Gemeinde; context "
                    f"regions are Germany (DG), Länder, Regierungsbezirke or Kreise"
                )
            if found.code == key or found.code in keys:
                raise ParameterError(
                    f"--context {item!r} ({found.short_name}, {found.code}) is already the city or a "
                    f"comparison city; context regions are e.g. its Land and DG"
                )
            context_keys.append(found.code)
        context_keys = list(dict.fromkeys(context_keys))
    elif city or compare_items:
        context_keys = [registry.region(key).land_code, "DG"]
    else:
        context_keys = list(DEFAULT_CONTEXT)
    return CityParameters(key, tuple(keys), tuple(context_keys))
