"""Processed datasets: what the stories read, and what a reader can download.

``data/processed/<name>`` comes as four files plus a freshness record:

- ``<name>.parquet``: the frame itself, types and categories kept (for the notebooks);
- ``<name>.csv``: for spreadsheets, written so German Excel opens it by double click:
  semicolon separator, decimal comma, UTF-8 with BOM. Dates are ISO ``yyyy-mm-dd``: Excel
  reads them as dates in every locale, and nobody can mistake the day for the month;
- ``<name>.dictionary.md``: every column with its type and meaning, the sources with access
  date and licence, the row count, and the census-break caveat where it applies;
- ``<name>.meta.json``: ``df.attrs`` (sources, splice report), restored by :func:`read_dataset`;
- ``<name>.inputs.json``: sha256 of the raw snapshots and of the cleaning code, so the build
  skips a dataset whose inputs have not changed (:func:`dataset_is_fresh`).

Every file is written to a temporary name and moved into place with ``os.replace``, so a
reader never sees half a file. The freshness record is written last.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from krefeld_data import config
from krefeld_data.errors import KrefeldDataError, MissingDataError
from krefeld_data.raw.provenance import SAMPLE_MARK
from krefeld_data.util import german
from krefeld_data.util.atomic import write_atomically
from krefeld_data.util.fingerprint import package_fingerprint

if TYPE_CHECKING:  # pandas loads only when a frame is written or read: a fresh build never needs it
    import pandas as pd

log = logging.getLogger(__name__)

CSV_OPTIONS = {"sep": ";", "decimal": ",", "encoding": "utf-8-sig", "date_format": "%Y-%m-%d"}
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")

COLUMN_DOCS = {
    "table": "Code der Quelltabelle (GENESIS/Eurostat), z. B. 12411-01-01-4",
    "region_code": "Regionalschlüssel wie veröffentlicht (DG, Land, Kreis 5-stellig, Gemeinde 8-, "
    "ARS 12-stellig)",
    "region_name": "Name der Region wie veröffentlicht (neueste Veröffentlichung)",
    "region_key": "einheitlicher Schlüssel der Region (Kreis 5-stellig; 8-/12-stellige Schlüssel "
    "kreisfreier Städte darauf zurückgeführt); für Verknüpfungen verwenden",
    "region": "kurzer Name der Region aus dem Regionenverzeichnis (z. B. Krefeld)",
    "year": "Berichtsjahr",
    "date": "Stichtag (wo die Tabelle einen hat), sonst leer",
    "measure": "Code des Merkmals (Wertvariable), z. B. BEVSTD",
    "measure_label": "Name des Merkmals, z. B. Bevölkerungsstand",
    "unit": "Einheit, z. B. Anzahl",
    "value": "der veröffentlichte Wert; 0 bei '-' (genau null); leer, wo keine Zahl veröffentlicht ist",
    "status": "Bedeutung eines fehlenden Wertes: leer = Zahl, zero = '-', unknown = '.', "
    "later = '...', not_meaningful = 'x', unreliable = '/'",
    "quality": "Qualitätskennzeichen der Quelle (e, p, r, s …), sonst leer",
    "census_basis": "Zensusgrundlage des Wertes nach Stichtag und Stand der Veröffentlichung: 'vor "
    "Zensus 2011', 'Zensus 2011', 'Zensus 2022'; 'Zensus 2011 oder 2022' (bzw. 'vor Zensus 2011 oder "
    "Zensus 2011'), wo sich die Grundlage aus der Veröffentlichung nicht erkennen lässt; leer, wenn "
    "der Wert keine Bevölkerungszahl ist",
    "vintage": "Stand der Veröffentlichung, aus der der Wert stammt (ISO-Datum), soweit bekannt",
    "source_table": "Tabelle, aus der dieser Wert stammt (nach dem Zusammenfügen mehrerer Tabellen)",
    "source_snapshot": "Rohdatei im Datenarchiv (data/raw), aus der dieser Wert stammt",
}

CENSUS_CAVEAT = (
    "Die Bevölkerungszahlen beruhen je nach Stichtag und Stand der Veröffentlichung auf älteren "
    "Zählungen, dem Zensus 2011 oder dem Zensus 2022 (Spalte census_basis): Die Ämter haben erst "
    "nach und nach umgestellt, so dass etwa der 31.12.2023 in einer Veröffentlichung von 2024 noch "
    "auf dem Zensus 2011 beruht. Wo die Grundlage wechselt, springt die Reihe, ohne dass Menschen "
    "zu- oder fortgezogen sind: Brüche markieren, nicht über sie hinweg vergleichen."
)


@dataclass(frozen=True)
class DatasetPaths:
    parquet: Path
    csv: Path
    dictionary: Path
    meta: Path
    inputs: Path

    def outputs(self) -> list[Path]:
        return [self.parquet, self.csv, self.dictionary, self.meta]


def dataset_paths(name: str) -> DatasetPaths:
    if not _NAME.match(name):
        raise KrefeldDataError(
            f"dataset name {name!r} must be lower-case letters, digits, '-' or '_' (it becomes a file name)"
        )
    folder = config.processed_dir()
    return DatasetPaths(
        parquet=folder / f"{name}.parquet",
        csv=folder / f"{name}.csv",
        dictionary=folder / f"{name}.dictionary.md",
        meta=folder / f"{name}.meta.json",
        inputs=folder / f"{name}.inputs.json",
    )


def _write_text(path: Path, text: str) -> None:
    write_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def sources_of(df: pd.DataFrame) -> list[dict[str, Any]]:
    """The provenance records behind a frame: ``attrs["sources"]`` or ``attrs["provenance"]``."""
    sources = df.attrs.get("sources")
    if sources:
        return [dict(s) for s in sources]
    provenance = df.attrs.get("provenance")
    return [dict(provenance)] if provenance else []


def input_hashes_of(df: pd.DataFrame) -> list[str]:
    """sha256 of every raw snapshot behind ``df`` (from its provenance records)."""
    return sorted({s["sha256"] for s in sources_of(df) if s.get("sha256")})


def code_hash() -> str:
    """The package fingerprint: any change of code, reference data or templates rebuilds all."""
    return package_fingerprint()


def _normalise_hashes(input_hashes: Iterable[str] | Mapping[str, str]) -> list[str]:
    values = input_hashes.values() if isinstance(input_hashes, Mapping) else input_hashes
    return sorted(str(v) for v in values)


def _inputs_record(input_hashes: Iterable[str] | Mapping[str, str]) -> dict[str, Any]:
    return {"inputs": _normalise_hashes(input_hashes), "code": code_hash()}


def dataset_is_fresh(name: str, input_hashes: Iterable[str] | Mapping[str, str]) -> bool:
    """True when every output exists and was built from these raw snapshots with this code."""
    paths = dataset_paths(name)
    if not paths.inputs.is_file() or not all(p.is_file() for p in paths.outputs()):
        return False
    try:
        recorded = json.loads(paths.inputs.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return False
    current = _inputs_record(input_hashes)
    return recorded.get("inputs") == current["inputs"] and recorded.get("code") == current["code"]


def _json_default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def _column_type(series: pd.Series) -> str:
    import pandas as pd

    if isinstance(series.dtype, pd.CategoricalDtype):
        return "Kategorie (Text)"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "Datum"
    if pd.api.types.is_integer_dtype(series):
        return "ganze Zahl"
    if pd.api.types.is_float_dtype(series):
        return "Zahl"
    return "Text"


def _column_meaning(column: str, df: pd.DataFrame, column_docs: Mapping[str, str]) -> str:
    from krefeld_data.schema import variable_columns

    if column in column_docs:
        return column_docs[column]
    if column == "unit" and len(df):
        # The units present, so that "in 1000" (thousands, not persons) is said where it is read.
        units = sorted({str(u) for u in df["unit"].dropna().unique() if str(u)})
        notes = [n for u, n in (("in 1000", "„in 1000“: Werte in Tausend"),
                                ("in Millionen", "„in Millionen“: Werte in Millionen")) if u in units]
        said = f" ({'; '.join(notes)})" if notes else ""
        return f"Einheit: {', '.join(units)}{said}" if units else COLUMN_DOCS["unit"]
    if column in COLUMN_DOCS:
        return COLUMN_DOCS[column]
    labels = df.attrs.get("variables") or {}
    if column.endswith("_code") and column.removesuffix("_code") in df.columns:
        var = column.removesuffix("_code")
        return f"Ausprägungscode von {var} (leer = Insgesamt)"
    if column in variable_columns(df):
        entry = labels.get(column) if isinstance(labels, dict) else None
        name = entry.get("label") if isinstance(entry, dict) else entry
        what = f" ({name})" if name else ""
        return f"Ausprägung des Merkmals {column.upper()}{what}, wie veröffentlicht"
    return "(ohne Beschreibung)"


def _md_cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def data_dictionary(name: str, df: pd.DataFrame, description: str,
                    column_docs: Mapping[str, str] | None = None) -> str:
    """The data dictionary of a dataset as Markdown (German: it is for the readers)."""
    from krefeld_data.clean.census import BASES

    column_docs = column_docs or {}
    keys = [c for c in ("region_code", "region_key") if c in df.columns]
    lines = [f"# Datensatz `{name}`", "", description.strip(), ""]
    lines += [
        f"- Zeilen: {len(df)}; Spalten: {len(df.columns)}",
        f"- Dateien: `{name}.parquet`, `{name}.csv` (Semikolon, Dezimalkomma, UTF-8 mit BOM, "
        f"Datum als JJJJ-MM-TT)",
        *([f"- Excel: die Spalte{'n' if len(keys) > 1 else ''} {', '.join(f'`{k}`' for k in keys)} "
           "beim Import als Text einlesen, sonst gehen führende Nullen verloren (05114 wird 5114)"]
          if keys else []),
        f"- Erstellt: {datetime.now(UTC):%d.%m.%Y %H:%M} UTC",
        "",
        "## Spalten",
        "",
        "| Spalte | Typ | Bedeutung |",
        "|---|---|---|",
    ]
    for column in df.columns:
        meaning = _column_meaning(column, df, column_docs)
        lines.append(f"| `{column}` | {_column_type(df[column])} | {_md_cell(meaning)} |")
    lines += ["", "## Quellen", ""]
    sources = sources_of(df)
    if not sources:
        lines.append("Keine Herkunftsangaben vorhanden.")
    for source in sources:
        accessed = _accessed(source.get("retrieved_at"))
        parts = [source.get("citation") or f"{source.get('producer', '')}, {source.get('database', '')}"]
        parts.append(f"Tabelle {source.get('table', '?')}")
        if source.get("stand"):
            parts.append(f"Stand {source['stand']}")
        parts.append(f"abgerufen am {accessed}")
        licence = source.get("licence", "")
        if licence:
            url = source.get("licence_url", "")
            parts.append(f"Lizenz: {licence}" + (f" ({url})" if url else ""))
        if source.get("origin") in ("sample", "test"):
            parts.append(f"**{SAMPLE_MARK}**")
        lines.append("- " + "; ".join(_md_cell(p) for p in parts if p))
    splice_report = df.attrs.get("splice")
    if isinstance(splice_report, dict) and splice_report.get("overlapping_values"):
        lines += ["", "## Zusammengeführte Veröffentlichungen", "",
                  f"{splice_report['overlapping_values']} Werte wurden mehrfach veröffentlicht; "
                  f"es gilt jeweils die neueste Veröffentlichung (Spalten source_table, "
                  f"source_snapshot). Davon wurden {splice_report.get('revisions', 0)} revidiert."]
    if "census_basis" in df.columns:
        present = {str(b) for b in df["census_basis"].dropna().unique()}
        bases = [b for b in BASES if b and b in present]
        if bases:
            lines += ["", "## Hinweis: Zensusbrüche", "", CENSUS_CAVEAT,
                      f"Enthaltene Grundlagen: {', '.join(bases)}."]
    return "\n".join(lines) + "\n"


def _accessed(retrieved_at: Any) -> str:
    return german.iso_day(retrieved_at, default="unbekannt")


def _to_csv(df: pd.DataFrame, path: Path) -> None:
    # "%.15g": whole numbers without a trailing ",0", and no float noise such as 0,30000000000000004.
    df.to_csv(path, index=False, float_format="%.15g", **CSV_OPTIONS)


def write_dataset(
    name: str,
    df: pd.DataFrame,
    description: str,
    column_docs: Mapping[str, str] | None = None,
    *,
    input_hashes: Iterable[str] | Mapping[str, str] | None = None,
) -> DatasetPaths:
    """Write ``df`` as Parquet, CSV, data dictionary and attrs sidecar; returns the paths.

    ``input_hashes`` (sha256 of the raw snapshots used) default to those in the frame's
    provenance records; they and the code hash go to ``<name>.inputs.json``, written last.
    """
    paths = dataset_paths(name)
    frame = df.reset_index(drop=True).copy()
    attrs = dict(df.attrs)
    frame.attrs = {}  # pandas would embed attrs in the Parquet file; they go to the sidecar
    write_atomically(paths.parquet, lambda tmp: frame.to_parquet(tmp, engine="pyarrow", index=False))
    write_atomically(paths.csv, lambda tmp: _to_csv(frame, tmp))
    frame.attrs = attrs
    _write_text(paths.dictionary, data_dictionary(name, frame, description, column_docs))
    meta = {"name": name, "description": description, "rows": len(frame), "attrs": attrs}
    _write_text(paths.meta, json.dumps(meta, ensure_ascii=False, indent=2, default=_json_default) + "\n")
    hashes = input_hashes if input_hashes is not None else input_hashes_of(df)
    _write_text(paths.inputs, json.dumps(_inputs_record(hashes), indent=2) + "\n")
    log.info("wrote dataset %s: %d rows to %s", name, len(frame), paths.parquet.parent)
    return paths


def read_dataset(name: str) -> pd.DataFrame:
    """A processed dataset with its attrs (sources, splice report) restored."""
    import pandas as pd

    paths = dataset_paths(name)
    if not paths.parquet.is_file():
        raise MissingDataError(
            f"processed dataset {name!r} is not in {paths.parquet.parent}; run: krefeld-data build"
        )
    frame = pd.read_parquet(paths.parquet, engine="pyarrow")
    if paths.meta.is_file():
        try:
            meta = json.loads(paths.meta.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise KrefeldDataError(f"{paths.meta} is not valid JSON ({exc}); rebuild the dataset") from None
        frame.attrs = meta.get("attrs", {})
    return frame
