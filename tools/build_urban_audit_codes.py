"""Rebuild ``regions/reference/eurostat_cities.csv`` from a real Eurostat city export.

Input: a Data Browser download of an Urban Audit city dataset (``urb_cpop1`` …) as SDMX-CSV
2.0 or 1.0 with labels, e.g. real sample 39: a ``cities`` column followed by its label column
(2.0), or ``DE087C: Krefeld`` in one column (1.0 with labels). Every German code (``DE`` and
``DE…C``) becomes one row, matched to the region registry **by name**: the label without
"(greater city)" must equal the official name of exactly one active kreisfreie Stadt or city of
the registry, without its designation. Spellings that differ between Eurostat and the
Regionaldatenbank are listed in :data:`ALIASES` (the manual matches); a city the registry does
not hold (a kreisangehörige Stadt: the registry lists Kreise and kreisfreie Städte) keeps an
empty key and a note saying why. Nothing is guessed.

Usage (from the project root)::

    .venv/bin/python tools/build_urban_audit_codes.py ../shared/real-samples/39_eurostat_urb_cpop1_….csv

``--check`` compares instead of writing (exit 1 if the file would change).
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from krefeld_data.regions.registry import Region, all_regions, strip_region_suffix

OUT = Path(__file__).resolve().parents[1] / "src" / "krefeld_data" / "regions" / "reference" / (
    "eurostat_cities.csv"
)
COUNTRY = "DE"
CITY_CODE = re.compile(r"^DE\d{3}C$")
GREATER = re.compile(r"\s*\(greater city\)\s*$", re.IGNORECASE)
CITY_COLUMNS = ("cities", "geo")
# Eurostat's spelling -> the registry's name (manual matches, each checked against both lists).
ALIASES = {
    "Halle an der Saale": "Halle (Saale)",  # the Regionaldatenbank writes the river in brackets
    "Mülheim a.d.Ruhr": "Mülheim an der Ruhr",  # Eurostat abbreviates "an der"
}
HEADER = "city_code,name,greater_city,region_code,ags,match,note"


@dataclass(frozen=True)
class Row:
    city_code: str
    name: str
    greater_city: bool
    region_code: str
    ags: str
    match: str
    note: str


def read_cities(path: Path) -> dict[str, str]:
    """German city codes and their labels from an SDMX-CSV export (2.0 or 1.0, with labels)."""
    text = path.read_bytes().decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    lowered = [h.strip().lower() for h in header]
    column = next((lowered.index(c) for c in CITY_COLUMNS if c in lowered), None)
    if column is None:
        raise SystemExit(f"{path}: no 'cities' or 'geo' column in the header {header[:8]}")
    cities: dict[str, str] = {}
    for row in reader:
        if len(row) <= column:
            continue
        code, label = row[column].strip(), ""
        if ":" in code:  # SDMX-CSV 1.0 with labels: "DE087C: Krefeld"
            code, label = (part.strip() for part in code.split(":", 1))
        elif column + 1 < len(row) and column + 1 < len(header) and header[column + 1] not in CITY_COLUMNS:
            label = row[column + 1].strip()  # SDMX-CSV 2.0: the label column follows the code
        if code == COUNTRY or CITY_CODE.match(code):
            cities.setdefault(code, label)
    if not cities:
        raise SystemExit(f"{path}: no German Urban Audit code (DE, DE001C …) in column {header[column]!r}")
    return cities


def _cities_by_name() -> dict[str, list[Region]]:
    by_name: dict[str, list[Region]] = {}
    for region in all_regions():
        if region.is_city:
            by_name.setdefault(strip_region_suffix(region.official_name).casefold(), []).append(region)
    return by_name


def match(code: str, label: str) -> Row:
    """One city matched to the registry by name, or left unmatched with the reason."""
    greater = bool(GREATER.search(label))
    name = GREATER.sub("", label).strip()
    if code == COUNTRY:
        return Row(code, name, False, "DG", "", "country", "Germany as a whole")
    wanted = ALIASES.get(name, name)
    how = f"manual: Eurostat writes {name!r}, the registry {wanted!r}" if wanted != name else "name"
    found = _cities_by_name().get(wanted.casefold(), [])
    note = "greater city: the Urban Audit unit is larger than the Gemeinde" if greater else ""
    if len(found) == 1:
        region = found[0]
        ags = region.ags or (region.code + "000" if len(region.code) == 5 else "")
        return Row(code, name, greater, region.code, ags, how, note)
    if len(found) > 1:
        listed = "; ".join(f"{r.official_name} ({r.code})" for r in found)
        return Row(code, name, greater, "", "", "none", f"several cities of this name: {listed}")
    same_name = sorted(
        (r for r in all_regions(include_dissolved=True)
         if strip_region_suffix(r.official_name).casefold() == wanted.casefold() and len(r.code) == 5),
        key=lambda r: r.dissolved,  # an active Kreis of the name before a dissolved one
    )
    if any(r.dissolved and r.is_city for r in same_name):
        former = next(r for r in same_name if r.dissolved and r.is_city)
        why = f"no longer a kreisfreie Stadt (the registry lists {former.code} as dissolved)"
    elif same_name:
        kreis = same_name[0]
        why = (f"kreisangehörige Stadt; the registry holds the {kreis.type} of the same name ({kreis.code}), "
               f"a larger area, and no Gemeinden")
    else:
        why = "kreisangehörige Stadt: the registry lists Kreise and kreisfreie Städte, no Gemeinden"
    return Row(code, name, greater, "", "", "none", "; ".join(p for p in (why, note) if p))


def render(rows: list[Row], source: Path) -> str:
    matched = sum(1 for r in rows if r.region_code)
    manual = [r for r in rows if r.match.startswith("manual")]
    lines = [
        "# Eurostat Urban Audit city codes of every German city, matched to the region registry by name.",
        "# Built by tools/build_urban_audit_codes.py from a Data Browser export of urb_cpop1:",
        f"# {source.name}.",
        "# The codes are confirmed by that real export. Do not edit by hand; rebuild instead.",
        f"# {len(rows)} codes, {matched} matched to a registry key ({len(manual)} by a manual alias);",
        "# the others have no registry key; their note says why (mostly kreisangehörige Städte).",
        "# region_code: key in regions.csv; ags: 8-digit Gemeinde key where the registry gives one.",
        HEADER,
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for r in sorted(rows, key=lambda r: (r.city_code != COUNTRY, r.city_code)):
        writer.writerow([r.city_code, r.name, int(r.greater_city), r.region_code, r.ags, r.match, r.note])
    return "\n".join(lines) + "\n" + buffer.getvalue()


def build(source: Path) -> str:
    return render([match(code, label) for code, label in read_cities(source).items()], source)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("export", type=Path, help="Eurostat SDMX-CSV export of an Urban Audit dataset")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 on a difference")
    args = parser.parse_args(argv)
    text = build(args.export)
    if args.check:
        same = args.out.is_file() and args.out.read_text(encoding="utf-8") == text
        print(f"{args.out}: {'up to date' if same else 'would change'}")
        return 0 if same else 1
    args.out.write_text(text, encoding="utf-8")
    rows = [line for line in text.splitlines() if line and not line.startswith("#")][1:]
    print(f"{args.out}: {len(rows)} codes written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
