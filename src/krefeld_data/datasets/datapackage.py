"""``data/processed/datapackage.json``: the processed datasets described for machines.

A Frictionless Data Package (https://specs.frictionlessdata.io/data-package/) lets a reader
open every dataset with the right types in one step (``frictionless validate``, pandas via
``frictionless``, R's ``frictionless``, Datasette …). One resource per processed dataset,
pointing at the German CSV (``;`` as delimiter, decimal comma, UTF-8 with BOM), with a Table
Schema whose fields carry their type and their German description, and the sources with
licence and vintage.

The descriptions come from the one column-doc lookup, :func:`describe_column`: the dataset's
own column docs (``Dataset.columns``: computed columns such as ``per_1000`` are described
there), then the shared :data:`krefeld_data.datasets.io.COLUMN_DOCS`, then the variable labels
the source table publishes. The reader page's "Was die Spalten bedeuten" reads the same lookup.

Written at the end of the clean stage. It takes the datasets as an argument and never
imports the registry, so the registry can call it without an import cycle.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol

from krefeld_data import __version__, config
from krefeld_data.datasets import io as processed
from krefeld_data.raw.provenance import SAMPLE_MARK
from krefeld_data.util.atomic import write_text_atomically

PACKAGE_FILE = "datapackage.json"
PROFILE = "tabular-data-package"
LICENCES = {
    "dl-de/by-2-0": ("Datenlizenz Deutschland – Namensnennung – Version 2.0",
                     "https://www.govdata.de/dl-de/by-2-0"),
    "CC BY 4.0": ("Creative Commons Namensnennung 4.0 International",
                  "https://creativecommons.org/licenses/by/4.0/"),
}
UNDESCRIBED = "(ohne Beschreibung)"


class DescribedDataset(Protocol):
    """What the package needs of a :class:`krefeld_data.datasets.registry.Dataset`."""

    name: str
    title: str
    description: str
    columns: Mapping[str, str]


def describe_column(column: str, dataset_columns: Mapping[str, str] | None = None,
                    variables: Mapping[str, Any] | None = None) -> str:
    """The German description of a column: the one lookup for dictionary, page and package."""
    docs = dataset_columns or {}
    if column in docs:
        return docs[column]
    if column in processed.COLUMN_DOCS:
        return processed.COLUMN_DOCS[column]
    if column.endswith("_percent"):  # charts show shares (0 to 1) as per cent
        base = describe_column(column.removesuffix("_percent"), docs, variables)
        if base != UNDESCRIBED:
            base = re.sub(r",\s*0 bis 1\)", ")", re.sub(r"\s*\(0 bis 1\)", "", base))  # "(a / b, 0 bis 1)"
            return base + ", in Prozent"
    if column.endswith("_code"):
        base = column.removesuffix("_code")
        if base in docs or base in processed.COLUMN_DOCS or (variables and base in variables):
            return f"Code zu {base}: {describe_column(base, docs, variables)}"
    entry = (variables or {}).get(column)
    label = entry.get("label") if isinstance(entry, dict) else entry
    if label:
        return f"Ausprägung des Merkmals {column.upper()} ({label}), wie veröffentlicht"
    return UNDESCRIBED


def field_of(name: str, arrow_type: Any, description: str) -> dict[str, Any]:
    """A Table Schema field for a column as :func:`krefeld_data.datasets.io.write_dataset` writes it."""
    import pyarrow as pa

    field: dict[str, Any] = {"name": name, "description": description}
    kind = arrow_type.value_type if pa.types.is_dictionary(arrow_type) else arrow_type
    if pa.types.is_boolean(kind):
        field.update(type="boolean", trueValues=["True"], falseValues=["False"])
    elif pa.types.is_integer(kind):
        field["type"] = "integer"
    elif pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        # German Excel reads the CSV: decimal comma, no thousands separator.
        field.update(type="number", decimalChar=",")
    elif pa.types.is_timestamp(kind) or pa.types.is_date(kind):
        field.update(type="date", format="%Y-%m-%d")  # io.CSV_OPTIONS writes dates this way
    else:
        field["type"] = "string"
    if name in ("region_code", "region_key") and field["type"] == "string":
        field["description"] += " (als Text lesen: führende Nullen gehören dazu)"
    return field


def _meta(paths: processed.DatasetPaths) -> dict[str, Any]:
    try:
        return json.loads(paths.meta.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}


def _source(record: Mapping[str, Any]) -> dict[str, Any]:
    table = record.get("table", "")
    head = ", ".join(p for p in (record.get("producer"), record.get("database")) if p)
    source = {
        "title": f"{head}, Tabelle {table}" if head else f"Tabelle {table}",
        "table": table,
        "licence": record.get("licence", ""),
        "retrieved": str(record.get("retrieved_at") or "")[:10],  # ISO date, for machines
        "vintage": record.get("vintage") or None,  # the publication's "as of" date, where known
        "vintage_source": record.get("vintage_source") or None,
    }
    if record.get("stand"):
        source["stand"] = record["stand"]
    if record.get("origin") in ("sample", "test"):
        source["note"] = SAMPLE_MARK
    return source


def _licences(records: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    found = []
    for record in records:
        name = str(record.get("licence") or "")
        if not name or any(item["name"] == name for item in found):
            continue
        title, path = LICENCES.get(name, (name, str(record.get("licence_url") or "")))
        found.append({"name": name, "title": title, "path": str(record.get("licence_url") or path)})
    return found


def resource_for(dataset: DescribedDataset) -> dict[str, Any] | None:
    """The resource of one written dataset (``None`` when its files are not there)."""
    import pyarrow.parquet as pq

    paths = processed.dataset_paths(dataset.name)
    if not (paths.csv.is_file() and paths.parquet.is_file()):
        return None
    schema = pq.read_schema(paths.parquet)
    meta = _meta(paths)
    attrs = meta.get("attrs") or {}
    variables = attrs.get("variables") if isinstance(attrs.get("variables"), dict) else None
    fields = [field_of(f.name, f.type, describe_column(f.name, dataset.columns, variables)) for f in schema]
    records = [r for r in attrs.get("sources") or [] if isinstance(r, dict)]
    sample = any(r.get("origin") in ("sample", "test") for r in records)
    resource: dict[str, Any] = {
        "name": dataset.name.replace("_", "-"),
        "path": paths.csv.name,
        "title": dataset.title + (f" ({SAMPLE_MARK})" if sample else ""),
        "description": dataset.description,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        # The files start with the BOM German Excel needs. "utf-8" is the name the spec allows
        # (IANA); frictionless, pandas and R's readers skip the BOM (a test reads the header).
        "encoding": "utf-8",
        "dialect": {"delimiter": ";", "header": True},
        "schema": {"fields": fields, "missingValues": [""]},
        "sources": [_source(r) for r in records],
        "licenses": _licences(records),
    }
    if meta.get("rows") is not None:
        resource["rows"] = meta["rows"]
    return resource


def datapackage(datasets: Iterable[DescribedDataset]) -> dict[str, Any]:
    """The package descriptor for every dataset whose files exist."""
    resources = [r for r in (resource_for(d) for d in datasets) if r is not None]
    licences = _licences(
        {"licence": lic["name"], "licence_url": lic["path"]} for r in resources for lic in r["licenses"]
    )
    return {
        "profile": PROFILE,
        "name": "krefeld-data-processed",
        "title": "krefeld-data: aufbereitete Datensätze",
        "description": "Die Datensätze, die die Geschichten zeigen, aus den Tabellen der "
        "Statistikämter und von Eurostat; jede Tabelle nennt ihre Quellen.",
        "version": __version__,
        "licenses": licences,
        "resources": resources,
    }


def write_datapackage(datasets: Iterable[DescribedDataset], folder: Path | None = None) -> Path | None:
    """Write ``datapackage.json`` beside the processed datasets (atomically); returns its path.

    With no dataset written yet there is nothing to describe (a package needs a resource),
    and nothing is written.
    """
    descriptor = datapackage(datasets)
    if not descriptor["resources"]:
        return None
    target = (folder or config.processed_dir()) / PACKAGE_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(descriptor, ensure_ascii=False, indent=1) + "\n"
    if not (target.is_file() and target.read_text(encoding="utf-8") == text):
        write_text_atomically(target, text)
    return target
