"""The processed datasets (the "garden" stage): what the notebooks read, and what readers download.

:func:`load` is the one door for notebooks: ``datasets.load("schutzsuchende_status",
regions=[CITY, *COMPARE])``. It reads ``data/processed/<name>.parquet`` that the build's clean
stage wrote, never the raw store, so each raw file is parsed once per build. Where a requested
region is not in the dataset, the frame says so in ``attrs["missing_regions"]`` instead of
dropping it silently; a dataset that was never built is a :class:`MissingDataError` that says how
to get its tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from krefeld_data.errors import MissingDataError

if TYPE_CHECKING:
    import pandas as pd

REGION_COLUMNS = ("region_key", "region_code")


def load(name: str, regions: Iterable[str] | None = None) -> pd.DataFrame:
    """A processed dataset, optionally only the rows of ``regions`` (Kreis/Land keys, ``DG``).

    ``attrs["sources"]`` keeps the provenance records (for the source line under each chart),
    ``attrs["missing_regions"]`` the requested keys the dataset does not hold.
    """
    from krefeld_data.datasets import io
    from krefeld_data.datasets.registry import DATASETS

    try:
        frame = io.read_dataset(name)
    except MissingDataError:
        from krefeld_data.guidance import how_to_get

        known = DATASETS.get(name)
        if known is None:
            raise MissingDataError(
                f"there is no processed dataset {name!r}; known: {', '.join(sorted(DATASETS))}"
            ) from None
        raise MissingDataError(
            f"processed dataset {name!r} is not built yet; {how_to_get(list(known.tables))}, "
            "then run: krefeld-data build"
        ) from None
    if name in DATASETS:  # what each column means travels with the frame, to the page's box
        document(frame, **DATASETS[name].columns)
    if regions is None:
        return frame
    wanted = list(dict.fromkeys(str(r) for r in regions))
    column = next((c for c in REGION_COLUMNS if c in frame.columns), None)
    if column is None:
        return frame  # a dataset without regions (e.g. one country's series)
    attrs = dict(frame.attrs)
    present = set(frame[column].astype(str))
    subset = frame[frame[column].astype(str).isin(wanted)].reset_index(drop=True)
    subset.attrs = attrs
    subset.attrs["missing_regions"] = [r for r in wanted if r not in present]
    return subset


def load_or_note(name: str, regions: Iterable[str] | None = None) -> tuple[pd.DataFrame | None, str]:
    """:func:`load`, or (None, one German sentence for the page saying what is missing and how to
    get it): a story section whose table is not stored says so and the page still builds."""
    try:
        return load(name, regions), ""
    except MissingDataError:
        from krefeld_data import catalog
        from krefeld_data.datasets.registry import DATASETS
        from krefeld_data.raw.store import RawStore

        known = DATASETS.get(name)
        codes = list(known.tables) if known else [name]
        store = RawStore()
        missing = [code for code in codes if store.latest(code) is None]
        if known and not missing:
            return None, (f"Der Datensatz „{known.title}“ konnte aus den gespeicherten Tabellen "
                          f"{', '.join(codes)} nicht gebaut werden; `krefeld-data build` nennt den Grund.")
        codes = missing or codes
        commands = " und ".join(
            f"`krefeld-data fetch {code} --db {catalog.SOURCE_TABLES[code].database}`"
            if code in catalog.SOURCE_TABLES else f"`krefeld-data fetch {code}`"
            for code in codes
        )
        used = {code for dataset in DATASETS.values() for code in dataset.tables}
        stand_ins = [t for code in codes for t in catalog.alternatives(code) if t.code in used]
        if stand_ins:
            commands += " (für Nordrhein-Westfalen ohne Zugangsdaten: " + ", ".join(
                f"`krefeld-data fetch {t.code} --db {t.database}`" for t in stand_ins) + ")"
        noun = "Die Tabelle" if len(codes) == 1 else "Die Tabellen"
        verb = "ist" if len(codes) == 1 else "sind"
        return None, (f"{noun} {', '.join(codes)} {verb} nicht gespeichert; mit {commands} (oder "
                      f"`krefeld-data import DATEI` für eine heruntergeladene Datei) und danach "
                      f"`krefeld-data build` erscheint dieser Abschnitt.")


__all__ = ["column_docs", "document", "load", "load_or_note"]


def document(frame: pd.DataFrame, **meanings: str) -> pd.DataFrame:
    """Say what columns of ``frame`` mean (``attrs["column_docs"]``); returns the frame.

    Datasets arrive documented (:func:`load`); a story function that computes a column adds its
    meaning here, and the chart that shows the column carries it to the page's "Was die Spalten
    bedeuten", so a reader never sees a computed number called a column of the source table.
    """
    frame.attrs["column_docs"] = {**column_docs(frame), **meanings}
    return frame


def column_docs(*frames: object) -> dict[str, str]:
    """What the columns of ``frames`` mean, as :func:`document` noted it (later frames win)."""
    docs: dict[str, str] = {}
    for frame in frames:
        attrs = getattr(frame, "attrs", None)
        docs.update({str(k): str(v) for k, v in ((attrs or {}).get("column_docs") or {}).items()})
    return docs
