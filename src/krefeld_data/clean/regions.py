"""Region keys and names: one key per region, whatever form the database published.

The databases write the same city in several forms: ``05114`` (Kreis key, AGS 5 digits),
``05114000`` (Gemeinde key of a kreisfreie Stadt, 8 digits), ``051140000000`` (ARS, 12 digits,
Zensus 2022). Joins go on ``region_key``, never on labels: labels differ between databases
(``Freiburg im Breisgau, Stadtkreis`` vs ``…, kreisfreie Stadt``) and between years
(``Kreisfreie Stadt`` with a capital K in older files).

The rules that turn a published code into a key are the registry's
(:func:`krefeld_data.regions.registry.normalise_code`): 8-digit keys of a kreisfreie Stadt and
zero-padded 12-digit ARS become the 5-digit Kreis key (or the Land / Regierungsbezirk key);
Gemeinden inside a Kreis keep their 8 digits (``05334002`` Aachen is not the StädteRegion
``05334``). Every key must be in the registry: an unknown code raises, no row is dropped.
"""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd

from krefeld_data.errors import KrefeldDataError

log = logging.getLogger(__name__)


def _default_registry() -> Any:
    from krefeld_data.regions import registry as regions

    return regions


def region_key(code: str, *, registry: Any = None) -> str:
    """The canonical key of a published region code (``051140000000`` → ``05114``)."""
    return (registry or _default_registry()).normalise_code(code)


def normalise_regions(df: pd.DataFrame, *, registry: Any = None) -> pd.DataFrame:
    """A copy of ``df`` with ``region_key`` (canonical key) and ``region`` (short name) columns.

    ``registry`` is anything with ``normalise_code(code) -> key`` and ``short_name(key) -> str``
    (default :mod:`krefeld_data.regions.registry`). The published ``region_code`` stays. Each coercion of
    a code to a different key is counted in ``attrs["region_coercions"]`` and logged.
    """
    registry = registry or _default_registry()
    out = df.copy()
    codes = out["region_code"].astype(str)
    keys: dict[str, str] = {}
    names: dict[str, str] = {}
    where = _where(df)
    for code in pd.unique(codes):
        try:
            key = registry.normalise_code(code)
            name = registry.short_name(key)
        except KrefeldDataError as exc:
            raise type(exc)(f"{where}: {exc}") from None
        if not name:
            raise KrefeldDataError(f"{where}: region code {code!r} (key {key}) has no name in the registry")
        keys[code] = key
        names[code] = name
    out["region_key"] = codes.map(keys)
    out["region"] = codes.map(names).astype("category")
    coerced = codes != out["region_key"]
    counts = codes[coerced].map(lambda c: f"{c}->{keys[c]}").value_counts().to_dict()
    out.attrs["region_coercions"] = {str(k): int(v) for k, v in counts.items()}
    if counts:
        log.info("%s: %d region codes coerced to registry keys: %s",
                 where, int(coerced.sum()), ", ".join(f"{k} ({v}×)" for k, v in counts.items()))
    return out


def _where(df: pd.DataFrame) -> str:
    provenance = df.attrs.get("provenance")
    if isinstance(provenance, dict) and provenance.get("file"):
        return f"table {provenance.get('table', '?')} ({provenance['file']})"
    if "table" in df.columns and len(df):
        return "table " + ", ".join(sorted(str(t) for t in df["table"].dropna().unique()))
    return "frame"
