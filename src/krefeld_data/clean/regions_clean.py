"""Region keys and names: one key per region, whatever form the database published.

The databases write the same city in several forms: ``05114`` (Kreis key, AGS 5 digits),
``05114000`` (Gemeinde key of a kreisfreie Stadt, 8 digits), ``051140000000`` (ARS, 12 digits,
Zensus 2022). Joins go on :func:`region_key`, never on labels: labels differ between databases
(``Freiburg im Breisgau, Stadtkreis`` vs ``…, kreisfreie Stadt``) and between years
(``Kreisfreie Stadt`` with a capital K in older files).

Rules of :func:`region_key` (the published ``region_code`` is kept beside it):

- ``DG`` and keys of 1–5 digits stay as they are (Germany, Land, Regierungsbezirk, Kreis);
- an 8-digit AGS ending in ``000`` is the single Gemeinde of a kreisfreie Stadt: its first 5
  digits (``05114000`` → ``05114``); other 8-digit keys are Gemeinden inside a Kreis and stay
  (``05334002`` Aachen is not the StädteRegion Aachen ``05334``);
- a 12-digit ARS (``LL R KK VVVV GGG``) whose last 7 digits are zero is a Kreis (first 5), or a
  Regierungsbezirk (first 3) or a Land (first 2) when the Kreis and Bezirk digits are zero too;
  one whose Verband digits are zero is the Gemeinde ``LLRKK`` + ``GGG``;
- anything else is not a region key: :class:`~krefeld_data.errors.KrefeldDataError`.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import pandas as pd

from krefeld_data.errors import KrefeldDataError

log = logging.getLogger(__name__)

_DIGITS = re.compile(r"^\d+$")


class UnknownRegionError(KrefeldDataError):
    """A region code that no rule and no registry entry explains."""


def region_key(code: str) -> str:
    """The canonical key of a published region code (rules in the module docstring)."""
    text = str(code).strip()
    if text == "DG":
        return text
    if not _DIGITS.match(text):
        raise UnknownRegionError(f"region code {code!r} is not a German region key (AGS/ARS)")
    if len(text) <= 5:
        return text
    if len(text) == 8:
        return text[:5] if text.endswith("000") else text
    if len(text) == 12:
        land, bezirk, kreis, verband, gemeinde = text[:2], text[2], text[3:5], text[5:9], text[9:]
        if verband == "0000" and gemeinde == "000":
            if kreis != "00":
                return text[:5]
            return land if bezirk == "0" else text[:3]
        if verband == "0000":
            return text[:5] + gemeinde
        raise UnknownRegionError(
            f"region code {code!r} is a Gemeindeverband ARS; we keep Kreise and Gemeinden only"
        )
    raise UnknownRegionError(f"region code {code!r} has {len(text)} digits; expected 1-5, 8 or 12")


def _default_registry() -> Any:
    try:
        from krefeld_data import regions
    except ImportError as exc:  # pragma: no cover - the registry ships with the package
        raise KrefeldDataError(f"the region registry krefeld_data.regions is missing: {exc}") from None
    return regions


def normalise_regions(df: pd.DataFrame, *, registry: Any = None) -> pd.DataFrame:
    """A copy of ``df`` with ``region_key`` (canonical key) and ``region`` (short name) columns.

    ``registry`` is anything with ``short_name(key) -> str`` (default :mod:`krefeld_data.regions`).
    Every code must be known to it: an unknown code raises, no row is dropped. Each coercion
    of a code to a different key is counted in ``attrs["region_coercions"]`` and logged.
    """
    registry = registry or _default_registry()
    out = df.copy()
    codes = out["region_code"].astype(str)
    unique = pd.unique(codes)
    keys: dict[str, str] = {}
    names: dict[str, str] = {}
    where = _where(df)
    for code in unique:
        try:
            key = region_key(code)
        except UnknownRegionError as exc:
            raise UnknownRegionError(f"{where}: {exc}") from None
        try:
            name = registry.short_name(key)
        except KrefeldDataError as exc:
            raise UnknownRegionError(
                f"{where}: region code {code!r} (key {key}) is not in the region registry: {exc}"
            ) from None
        if not name:
            raise UnknownRegionError(
                f"{where}: region code {code!r} (key {key}) is not in the region registry"
            )
        keys[code] = key
        names[code] = name
    out["region_key"] = codes.map(keys)
    out["region"] = codes.map(names).astype("category")
    coerced = codes != out["region_key"]
    counts = codes[coerced].map(lambda c: f"{c}->{keys[c]}").value_counts().to_dict()
    out.attrs["region_coercions"] = {str(k): int(v) for k, v in counts.items()}
    if counts:
        log.info("%s: %d region codes coerced to Kreis/Land keys: %s",
                 where, int(coerced.sum()), ", ".join(f"{k} ({v}×)" for k, v in counts.items()))
    return out


def _where(df: pd.DataFrame) -> str:
    provenance = df.attrs.get("provenance")
    if isinstance(provenance, dict) and provenance.get("file"):
        return f"{provenance.get('table', '?')} ({provenance['file']})"
    if "table" in df.columns and len(df):
        return ", ".join(sorted(str(t) for t in df["table"].dropna().unique()))
    return "frame"
