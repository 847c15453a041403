"""Write the package's sample files: made-up numbers in the exact formats the services send.

The numbers are INVENTED (fixed seed, plausible magnitudes), never real statistics. They let
the tests and ``make demo`` run offline. Every file name starts with ``SAMPLE_`` and
``install_samples`` records them with ``origin: sample``.

Layouts follow real responses (see ../shared/real-samples/README.md):
- GENESIS flat file CSV, current layout (UTF-8 with BOM, English header, `value` column);
  the services send it zipped, so the two big tables are stored as the zip they would send;
- GENESIS classic table CSV (title block, stacked header rows, indented region labels,
  footnotes after a ``__________`` line, ``Stand:`` line), Latin-1 or UTF-8;
- Eurostat JSON-stat 2.0 (sparse ``value`` and ``status`` objects keyed by flat index).

Run from the project root: ``.venv/bin/python tools/make_samples.py``. Running it twice
gives the same bytes.
"""

from __future__ import annotations

import io
import json
import random
import zipfile
from dataclasses import dataclass
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "krefeld_data" / "samples" / "files"
SEED = 2018
FIRST_YEAR = 1995
LATEST_YEAR = 2024  # the newest 31.12. in the sample population tables
CENSUS_2011_FIRST = 2011  # first 31.12. on the 2011 census basis
CENSUS_2022_FIRST = 2022  # first 31.12. on the 2022 census basis
BOM = "\ufeff"


@dataclass(frozen=True)
class Region:
    code: str  # AGS as GENESIS publishes it
    name: str  # label in the flat files (no indentation)
    classic_name: str  # label in the classic tables (indentation added there)
    level: int  # 0 Germany, 1 Land, 3 Kreis
    size: int  # rough population 1995 (made up)
    foreign: float  # rough foreign share 2011 (made up)
    ars: str  # 12-digit ARS (Zensus 2022)
    zensus_name: str


GERMANY = Region("DG", "Deutschland", "Deutschland", 0, 81_000_000, 0.085, "DG", "Deutschland")
NRW = Region("05", "Nordrhein-Westfalen", "Nordrhein-Westfalen", 1, 17_800_000, 0.095, "05",
             "Nordrhein-Westfalen")
BW = Region("08", "Baden-Württemberg", "Baden-Württemberg, Land", 1, 10_300_000, 0.10, "08",
            "Baden-Württemberg")
KREFELD = Region("05114", "Krefeld, kreisfreie Stadt", "Krefeld, Kreisfreie Stadt", 3, 246_000,
                 0.12, "051140000000", "Krefeld, Stadt")
DUESSELDORF = Region("05111", "Düsseldorf, kreisfreie Stadt", "Düsseldorf, Kreisfreie Stadt", 3,
                     571_000, 0.16, "051110000000", "Düsseldorf, Stadt")
WUPPERTAL = Region("05124", "Wuppertal, kreisfreie Stadt", "Wuppertal, Kreisfreie Stadt", 3,
                   383_000, 0.14, "051240000000", "Wuppertal, Stadt")
FREIBURG = Region("08311", "Freiburg im Breisgau, Stadtkreis", "Freiburg im Breisgau, Stadtkreis", 3,
                  199_000, 0.13, "083110000000", "Freiburg im Breisgau, Stadt")
DUISBURG = Region("05112", "Duisburg, kreisfreie Stadt", "Duisburg, Kreisfreie Stadt", 3, 536_000,
                  0.15, "051120000000", "Duisburg, Stadt")
VIERSEN = Region("05166", "Viersen, Kreis", "Viersen, Kreis", 3, 296_000, 0.07, "051660000000",
                 "Viersen, Kreis")
# Dissolved in 2009 (merged into the Städteregion Aachen): published as `-` from then on.
AACHEN_KREIS = Region("05354", "Aachen, Kreis", "Aachen, Kreis", 3, 308_000, 0.08, "", "")
AACHEN_DISSOLVED_FROM = 2009

CITIES = [DUESSELDORF, DUISBURG, KREFELD, WUPPERTAL, FREIBURG]
POPULATION_REGIONS = [GERMANY, NRW, DUESSELDORF, DUISBURG, KREFELD, WUPPERTAL, VIERSEN, AACHEN_KREIS,
                      BW, FREIBURG]
DETAIL_REGIONS = [GERMANY, NRW, DUESSELDORF, KREFELD, WUPPERTAL, FREIBURG]

AGE_GROUPS_21 = [  # (code, label, lower bound, upper bound exclusive)
    ("ALT000B03", "unter 3 Jahre", 0, 3), ("ALT003B06", "3 bis unter 6 Jahre", 3, 6),
    ("ALT006B10", "6 bis unter 10 Jahre", 6, 10), ("ALT010B15", "10 bis unter 15 Jahre", 10, 15),
    ("ALT015B18", "15 bis unter 18 Jahre", 15, 18), ("ALT018B20", "18 bis unter 20 Jahre", 18, 20),
    ("ALT020B25", "20 bis unter 25 Jahre", 20, 25), ("ALT025B30", "25 bis unter 30 Jahre", 25, 30),
    ("ALT030B35", "30 bis unter 35 Jahre", 30, 35), ("ALT035B40", "35 bis unter 40 Jahre", 35, 40),
    ("ALT040B45", "40 bis unter 45 Jahre", 40, 45), ("ALT045B50", "45 bis unter 50 Jahre", 45, 50),
    ("ALT050B55", "50 bis unter 55 Jahre", 50, 55), ("ALT055B60", "55 bis unter 60 Jahre", 55, 60),
    ("ALT060B65", "60 bis unter 65 Jahre", 60, 65), ("ALT065B70", "65 bis unter 70 Jahre", 65, 70),
    ("ALT070B75", "70 bis unter 75 Jahre", 70, 75), ("ALT075B80", "75 bis unter 80 Jahre", 75, 80),
    ("ALT080B85", "80 bis unter 85 Jahre", 80, 85), ("ALT085B90", "85 bis unter 90 Jahre", 85, 90),
    ("ALT090UM", "90 Jahre und mehr", 90, 100),
]


def age_weights(rng: random.Random, young: bool) -> list[float]:
    """A made-up age distribution: foreign residents younger, Germans older."""
    weights = []
    for _code, _label, low, high in AGE_GROUPS_21:
        mid = (low + high) / 2
        if young:
            shape = 1.6 if 18 <= mid < 45 else (1.0 if mid < 18 else max(0.05, 1.2 - mid / 70))
        else:
            shape = 0.8 if mid < 20 else (1.1 if mid < 65 else max(0.1, 1.5 - mid / 60))
        weights.append(shape * (high - low) * rng.uniform(0.9, 1.1))
    total = sum(weights)
    return [w / total for w in weights]


def split(rng: random.Random, total: int, weights: list[float]) -> list[int]:
    """Integers that add up to ``total``, roughly proportional to ``weights``."""
    weight_sum = sum(weights)
    raw = [total * w / weight_sum for w in weights]
    parts = [int(x) for x in raw]
    rest = total - sum(parts)
    order = sorted(range(len(raw)), key=lambda i: (raw[i] - parts[i], rng.random()), reverse=True)
    for i in order[:rest]:
        parts[i] += 1
    return parts


# --------------------------------------------------------------------------- population model
class PopulationModel:
    """Invented populations by region, year, nationality, sex and age (31.12. of each year)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.total: dict[tuple[str, int], int] = {}
        self.female_share: dict[tuple[str, int], float] = {}
        # detail[(region, year)][(nat, sex, age_index)] for years >= 2011
        self.detail: dict[tuple[str, int], dict[tuple[str, str, int], int]] = {}
        self.foreign_share: dict[tuple[str, int], float] = {}
        for region in POPULATION_REGIONS:
            self._series(region)

    def _series(self, region: Region) -> None:
        rng = self.rng
        level = region.size * rng.uniform(0.97, 1.03)
        foreign = region.foreign * rng.uniform(0.9, 1.05)
        german_ages = age_weights(rng, young=False)
        foreign_ages = age_weights(rng, young=True)
        for year in range(FIRST_YEAR, LATEST_YEAR + 1):
            drift = rng.uniform(-0.004, 0.004)
            if year == CENSUS_2011_FIRST:
                drift -= rng.uniform(0.01, 0.03)  # the 2011 census counted fewer people
            if year in (2015, 2016):
                drift += rng.uniform(0.005, 0.012)
            if year == CENSUS_2022_FIRST:
                drift -= rng.uniform(0.005, 0.02)  # and so did the 2022 census
            level *= 1 + drift
            key = (region.code, year)
            self.female_share[key] = rng.uniform(0.503, 0.517)
            if year < CENSUS_2011_FIRST:
                self.total[key] = round(level)
                continue
            foreign *= 1 + rng.uniform(0.01, 0.05) + (0.08 if year in (2015, 2016, 2022) else 0.0)
            foreign = min(foreign, 0.35)
            self.foreign_share[key] = foreign
            cells: dict[tuple[str, str, int], int] = {}
            for nat, share, ages, male in (
                ("NATD", 1 - foreign, german_ages, 0.49),
                ("NATA", foreign, foreign_ages, 0.535),
            ):
                count = round(level * share)
                by_age = split(rng, count, ages)
                for i, n in enumerate(by_age):
                    m = round(n * rng.uniform(male - 0.02, male + 0.02))
                    cells[(nat, "GESM", i)] = m
                    cells[(nat, "GESW", i)] = n - m
            self.detail[key] = cells
            self.total[key] = sum(cells.values())

    def published(self, region: Region, year: int) -> bool:
        return not (region is AACHEN_KREIS and year >= AACHEN_DISSOLVED_FROM)

    def by_sex(self, region: Region, year: int) -> dict[str, int]:
        key = (region.code, year)
        if key in self.detail:
            cells = self.detail[key]
            male = sum(v for (_n, s, _a), v in cells.items() if s == "GESM")
            female = sum(v for (_n, s, _a), v in cells.items() if s == "GESW")
        else:
            female = round(self.total[key] * self.female_share[key])
            male = self.total[key] - female
        return {"": male + female, "GESM": male, "GESW": female}

    def foreign_total(self, region: Region, year: int) -> int:
        cells = self.detail[(region.code, year)]
        return sum(v for (n, _s, _a), v in cells.items() if n == "NATA")


# --------------------------------------------------------------------------- writers
FFCSV_HEAD = ["statistics_code", "statistics_label", "time_code", "time_label", "time"]
FFCSV_TAIL = ["value", "value_unit", "value_variable_code", "value_variable_label"]


def ffcsv_header(n_variables: int, quality: bool = False) -> str:
    columns = list(FFCSV_HEAD)
    for i in range(1, n_variables + 1):
        columns += [f"{i}_variable_code", f"{i}_variable_label", f"{i}_variable_attribute_code",
                    f"{i}_variable_attribute_label"]
    columns += FFCSV_TAIL + (["value_q"] if quality else [])
    return ";".join(columns)


def ffcsv_text(lines: list[str]) -> bytes:
    return (BOM + "\n".join(lines) + "\n").encode("utf-8")


def zipped(member: str, content: bytes) -> bytes:
    """A zip as the GENESIS services send it; fixed timestamp so the bytes are reproducible."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        info = zipfile.ZipInfo(member, date_time=(2026, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        archive.writestr(info, content, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return buffer.getvalue()


def classic_label(region: Region) -> str:
    indent = {0: "", 1: "  ", 3: "      "}[region.level]
    return indent + region.classic_name


def classic_footer(year_written: int, stand: str, notes: list[str]) -> list[str]:
    lines = ["__________"]
    if notes:
        lines.append('"zu ""gesamte Tabelle"":')
        lines += [*notes[:-1], notes[-1] + '"']
    lines += [
        f'"© Statistische Ämter des Bundes und der Länder, Deutschland, {year_written}.',
        "Dieses Werk ist lizenziert unter der Datenlizenz Deutschland",
        '- Namensnennung - Version 2.0."',
        f"Stand: {stand}",
    ]
    return lines


def fmt(value: int | str) -> str:
    return value if isinstance(value, str) else str(value)


# --------------------------------------------------------------------------- the tables
def population_by_sex(model: PopulationModel, rng: random.Random) -> bytes:
    """12411-01-01-4, flat file, current layout, rows in the service's unsorted order."""
    rows = []
    for region in POPULATION_REGIONS:
        for year in range(FIRST_YEAR, LATEST_YEAR + 1):
            values = model.by_sex(region, year)
            for code, label in (("", "Insgesamt"), ("GESM", "männlich"), ("GESW", "weiblich")):
                value = values[code] if model.published(region, year) else "-"
                rows.append(
                    f"12411;Fortschreibung des Bevölkerungsstandes;STAG;Stichtag;{year}-12-31;"
                    f"KREISE;Kreise und kreisfreie Städte;{region.code};{region.name};"
                    f"GES;Geschlecht;{code};{label};{fmt(value)};Anzahl;BEVSTD;Bevölkerungsstand"
                )
    rng.shuffle(rows)
    return ffcsv_text([ffcsv_header(2), *rows])


def population_by_nationality_age(model: PopulationModel) -> bytes:
    """12411-03-03-4, flat file, current layout with totals (compress=false), zipped."""
    rows = []
    sexes = [("", "Insgesamt"), ("GESM", "männlich"), ("GESW", "weiblich")]
    nats = [("", "Insgesamt"), ("NATD", "Deutsche"), ("NATA", "Ausländer(innen)")]
    ages = [(c, lbl) for c, lbl, _lo, _hi in AGE_GROUPS_21] + [("", "Insgesamt")]
    for region in DETAIL_REGIONS:
        for year in range(CENSUS_2011_FIRST, LATEST_YEAR + 1):
            cells = model.detail[(region.code, year)]
            for nat_code, nat_label in nats:
                for sex_code, sex_label in sexes:
                    for age_index, (age_code, age_label) in enumerate(ages):
                        value = sum(
                            v for (n, s, a), v in cells.items()
                            if (not nat_code or n == nat_code) and (not sex_code or s == sex_code)
                            and (not age_code or a == age_index)
                        )
                        rows.append(
                            f"12411;Fortschreibung des Bevölkerungsstandes;STAG;Stichtag;{year}-12-31;"
                            f"KREISE;Kreise und kreisfreie Städte;{region.code};{region.name};"
                            f"GES;Geschlecht;{sex_code};{sex_label};"
                            f"NAT;Nationalität;{nat_code};{nat_label};"
                            f"ALTX20;Altersgruppen (unter 3 bis 90 u. m.);{age_code};{age_label};"
                            f"{value};Anzahl;BEVSTD;Bevölkerungsstand"
                        )
    return ffcsv_text([ffcsv_header(4), *rows])


STATUS_LABELS = {
    "SCHUTZST-OF": "Offener Schutzstatus",
    "SCHUTZST-AK-1": "Anerkannter Schutzstatus",
    "SCHUTZST-AK-2": "Befristet anerkannter Schutzstatus",
    "SCHUTZST-AK-3": "Befristet anerkannter Schutzstatus aus Asylverf.",
    "SCHUTZST-AK-4": "Befristet anerk. Schutzstatus nicht aus Asylverf.",
    "SCHUTZST-AK-5": "Unbefristet anerkannter Schutzstatus",
    "SCHUTZST-X": "Ohne Schutzsstatus",  # sic: the official label has the typo
    "AUSRPFL-G": "Geduldet ausreisepflichtig",
    "AUSRPFL-L": "Latent ausreispflichtig",  # sic
    "AUSRPFL-V": "Vollziehbar ausreisepflichtig",
}
CITIZENSHIPS = [
    ("ST475", "Syrien", 0.30), ("ST423", "Afghanistan", 0.14), ("ST438", "Irak", 0.12),
    ("ST166", "Ukraine", 0.16), ("ST163", "Türkei", 0.06), ("ST224", "Eritrea", 0.04),
    ("ST439", "Iran, Islamische Republik", 0.04), ("ST232", "Nigeria", 0.03),
    ("ST273", "Somalia", 0.02), ("ST160", "Russische Föderation", 0.03),
    ("ST430", "Georgien", 0.02), ("ST261", "Guinea", 0.02),
]


def round5(x: float) -> int:
    return int(5 * round(x / 5))


def protection_seekers(model: PopulationModel, rng: random.Random) -> bytes:
    """12531-0043, GENESIS-Online flat file (compress=true: no totals, no empty cells), zipped.

    Leaves are rounded to multiples of 5 like the published figures; the published parents
    (AK-1 = AK-2 + AK-5, AK-2 = AK-3 + AK-4) are sums of leaves here, so they add up exactly.
    ``Ohne Schutzstatus`` (rejected) = geduldet + latent + vollziehbar ausreisepflichtig.
    """
    rows = []
    for region in CITIES:
        for year in (LATEST_YEAR - 1, LATEST_YEAR):
            population = model.by_sex(region, year)[""]
            total = population * rng.uniform(0.02, 0.045)
            for st_code, st_label, weight in CITIZENSHIPS:
                people = total * weight * rng.uniform(0.7, 1.3)
                if st_code == "ST166":  # Ukrainians: temporary protection outside the asylum procedure
                    leaves = {"SCHUTZST-OF": 0.01, "SCHUTZST-AK-3": 0.01, "SCHUTZST-AK-4": 0.95,
                              "SCHUTZST-AK-5": 0.01, "AUSRPFL-G": 0.02, "AUSRPFL-L": 0.0,
                              "AUSRPFL-V": 0.0}
                else:
                    leaves = {"SCHUTZST-OF": rng.uniform(0.03, 0.15),
                              "SCHUTZST-AK-3": rng.uniform(0.3, 0.5),
                              "SCHUTZST-AK-4": rng.uniform(0.1, 0.25),
                              "SCHUTZST-AK-5": rng.uniform(0.05, 0.2),
                              "AUSRPFL-G": rng.uniform(0.02, 0.1), "AUSRPFL-L": rng.uniform(0.0, 0.01),
                              "AUSRPFL-V": rng.uniform(0.0, 0.01)}
                norm = sum(leaves.values())
                for sex_code, sex_label, sex_share in (("GESM", "männlich", 0.6), ("GESW", "weiblich", 0.4)):
                    cell = {k: round5(people * v / norm * sex_share * rng.uniform(0.9, 1.1))
                            for k, v in leaves.items()}
                    cell["SCHUTZST-AK-2"] = cell["SCHUTZST-AK-3"] + cell["SCHUTZST-AK-4"]
                    cell["SCHUTZST-AK-1"] = cell["SCHUTZST-AK-2"] + cell["SCHUTZST-AK-5"]
                    cell["SCHUTZST-X"] = cell["AUSRPFL-G"] + cell["AUSRPFL-L"] + cell["AUSRPFL-V"]
                    for status, status_label in STATUS_LABELS.items():
                        value = cell[status]
                        if value == 0:
                            continue  # compress=true leaves empty cells out
                        rows.append(
                            f"12531;Statistik über Schutzsuchende;STAG;Stichtag;{year}-12-31;"
                            f"KREISE;Kreise;{region.code};{region.name};"
                            f"SCHST2;Schutzstatuskategorie;{status};{status_label};"
                            f"GES;Geschlecht;{sex_code};{sex_label};"
                            f"STAAG5;Staatsangehörigkeit;{st_code};{st_label};"
                            f"{value};Anzahl;BEV030;Schutzsuchende"
                        )
    return ffcsv_text([ffcsv_header(4), *rows])


CONTINENTS = ["Afrika", "Amerika", "Asien", "Australien und Ozeanien", "Europa",
              "Staatenlos, unbekannt, ungeklärt, ohne Angabe"]
CONTINENT_WEIGHTS = [0.12, 0.05, 0.3, 0.002, 0.5, 0.03]
CLASSIC_REGIONS = [GERMANY, NRW, DUESSELDORF, DUISBURG, KREFELD, WUPPERTAL, BW, FREIBURG]


def naturalisations(model: PopulationModel, rng: random.Random) -> dict[tuple[str, int], int]:
    """Invented naturalisations per region and year: about 1–2.7 % of foreign residents."""
    result = {}
    for region in CLASSIC_REGIONS:
        for year in range(CENSUS_2011_FIRST, LATEST_YEAR + 1):
            rate = rng.uniform(0.008, 0.018) * (1.5 if year >= 2021 else 1.0)
            result[(region.code, year)] = round(model.foreign_total(region, year) * rate)
    return result


def naturalisations_by_continent(natural: dict[tuple[str, int], int], rng: random.Random) -> bytes:
    """12511-01-01-4, classic CSV (Latin-1), 2011–2017, newest year first as the office sends it."""
    width = 3 + len(CONTINENTS) + 1
    pad = ";" * (width - 1)
    lines = [
        "GENESIS-Tabelle: 12511-01-01-4",
        "Einbürgerungen von Ausländern nach Kontinenten" + pad,
        "- Jahr - regionale Tiefe: Kreise und krfr. Städte" + pad,
        "Einbürgerungsstatistik" + pad,
        ";;;" + ";".join(["Einbürgerungen von Ausländern"] * (len(CONTINENTS) + 1)),
        ";;;" + ";".join(["Kontinente (einschl. staatenlos etc.)"] * (len(CONTINENTS) + 1)),
        ";;;Insgesamt;" + ";".join(CONTINENTS),
        ";;;" + ";".join(["Anzahl"] * (len(CONTINENTS) + 1)),
    ]
    for year in range(2017, CENSUS_2011_FIRST - 1, -1):
        for region in CLASSIC_REGIONS:
            total = natural[(region.code, year)]
            parts = split(rng, total, [w * rng.uniform(0.7, 1.3) for w in CONTINENT_WEIGHTS])
            cells: list[int | str] = [total] + [p if p else "-" for p in parts]
            if region is WUPPERTAL and year == 2012:
                cells[6] = "."  # one cell kept secret
            lines.append(f"{year};{region.code};{classic_label(region)};" + ";".join(map(fmt, cells)))
    lines += classic_footer(2018, "27.02.2018 / 13:00:56", [
        "alle Länder (2011-2017): Beispieldaten, keine echten Zahlen; von",
        "tools/make_samples.py erzeugt.",
    ])
    return ("\n".join(lines) + "\n").encode("latin-1")


SELECTED_CITIZENSHIPS = [("Türkei", 0.16), ("Syrien", 0.12), ("Irak", 0.06), ("Polen", 0.05),
                         ("Ukraine", 0.04), ("Rumänien", 0.04)]


def naturalisations_by_citizenship(natural: dict[tuple[str, int], int], rng: random.Random) -> bytes:
    """12511-04-01-4, classic CSV (Latin-1), 2011–latest; the newest year is not in for every Land."""
    n = len(SELECTED_CITIZENSHIPS) + 1
    pad = ";" * (n + 2)
    lines = [
        "GENESIS-Tabelle: 12511-04-01-4",
        "Einbürgerungen von Ausländern nach ausgewählten" + pad,
        "Staatsangehörigkeiten - Jahr - regionale Tiefe: Kreise und krfr. Städte" + pad,
        "Einbürgerungsstatistik" + pad,
        ";;;" + ";".join(["Einbürgerungen von Ausländern"] * n),
        ";;;" + ";".join(["Staatsangehörigkeit (ausgewählte)"] * n),
        ";;;Insgesamt;" + ";".join(name for name, _w in SELECTED_CITIZENSHIPS),
        ";;;" + ";".join(["Anzahl"] * n),
    ]
    for year in range(LATEST_YEAR, CENSUS_2011_FIRST - 1, -1):
        for region in CLASSIC_REGIONS:
            total = natural[(region.code, year)]
            cells: list[int | str] = [total]
            for name, weight in SELECTED_CITIZENSHIPS:
                share = weight * rng.uniform(0.5, 1.5) * (3.0 if name == "Syrien" and year >= 2021 else 1.0)
                cells.append(round(total * min(share, 0.6)) or "-")
            if region is FREIBURG and year == 2013:
                cells[5] = "x"  # cell blocked: not meaningful
            if region in (BW, FREIBURG) and year == LATEST_YEAR:
                cells = ["..."] * n  # Baden-Württemberg has not delivered the newest year yet
            if region is GERMANY and year == LATEST_YEAR:
                cells = ["..."] * n  # no federal total until every Land is in
            lines.append(f"{year};{region.code};{classic_label(region)};" + ";".join(map(fmt, cells)))
    lines += classic_footer(LATEST_YEAR + 1, f"15.06.{LATEST_YEAR + 1} / 10:12:44", [
        f"Baden-Württemberg ({LATEST_YEAR}): Ergebnisse liegen noch nicht vor.",
        "Alle Werte: Beispieldaten, keine echten Zahlen (tools/make_samples.py).",
    ])
    return ("\n".join(lines) + "\n").encode("latin-1")


AGE_GROUPS_10 = ["unter 10 Jahre", "10 bis unter 20 Jahre", "20 bis unter 30 Jahre",
                 "30 bis unter 40 Jahre", "40 bis unter 50 Jahre", "50 bis unter 60 Jahre",
                 "60 bis unter 70 Jahre", "70 bis unter 80 Jahre", "80 Jahre und mehr"]


def census_2011_migration(model: PopulationModel, rng: random.Random) -> bytes:
    """12111-07-01-4, classic CSV (UTF-8), census day 09.05.2011, values rounded to tens, `/` for
    cells too uncertain to publish."""
    lines = [
        "GENESIS-Tabelle: 12111-07-01-4",
        "Zensus 2011, Bevölkerung nach Nationalität,;;;;;;;",
        "Migrationshintergrund und Altersjahren;;;;;;;",
        "- 09.05.2011 - regionale Tiefe: Kreise und krfr. Städte;;;;;;;",
        "Zensus 2011;;;;;;;",
        "09.05.2011;;;;;;;",
        ";;;" + ";".join(["Bevölkerung in privaten Haushalten"] * 5),
        ";;;;Nationalität;Deutsche;Deutsche;Ausländer(innen)",
        ";;;;Deutsche;Migrationshintergrund;Migrationshintergrund;",
        ";;;;;Personen ohne Migrationshintergrund;Personen mit Migrationshintergrund;",
        ";;;Anzahl;Anzahl;Anzahl;Anzahl;Anzahl",
    ]

    def tens(x: float) -> int:
        return int(10 * round(x / 10))

    for region in CLASSIC_REGIONS:
        population = model.total[(region.code, 2011)] * rng.uniform(0.97, 0.99)  # private households
        foreign = model.foreign_share[(region.code, 2011)] * rng.uniform(0.85, 0.95)
        background = rng.uniform(0.12, 0.2)  # Germans with a migration background
        weights = [0.09, 0.1, 0.12, 0.12, 0.16, 0.15, 0.11, 0.1, 0.05]
        foreign_weights = [0.1, 0.1, 0.18, 0.2, 0.17, 0.12, 0.08, 0.04, 0.01]
        totals = [0] * 5
        for i, label in enumerate(AGE_GROUPS_10):
            people = population * weights[i] * rng.uniform(0.92, 1.08)
            aliens = tens(population * foreign * foreign_weights[i])
            germans = tens(people - aliens)
            with_bg = tens(germans * background * (1.6 - i * 0.15))
            without = germans - with_bg
            values = [germans + aliens, germans, without, with_bg, aliens]
            totals = [a + b for a, b in zip(totals, values, strict=True)]
            shown = [("/" if 0 < v < 300 and region.level == 3 else ("-" if v == 0 else v)) for v in values]
            lines.append(f"{region.code};{classic_label(region)};{label};" + ";".join(map(fmt, shown)))
        lines.append(f"{region.code};{classic_label(region)};Insgesamt;" + ";".join(map(fmt, totals)))
    lines += classic_footer(2017, "10.10.2017 / 12:02:36", [])
    return ("\n".join(lines) + "\n").encode("utf-8")


AGE_GROUPS_ZENSUS = [("ALT000B009", "Unter 10 Jahre"), ("ALT010B019", "10 bis 19 Jahre"),
                     ("ALT020B029", "20 bis 29 Jahre"), ("ALT030B039", "30 bis 39 Jahre"),
                     ("ALT040B049", "40 bis 49 Jahre"), ("ALT050B059", "50 bis 59 Jahre"),
                     ("ALT060B069", "60 bis 69 Jahre"), ("ALT070B079", "70 bis 79 Jahre"),
                     ("ALT080BXXX", "80 Jahre und älter")]


def census_2022_immigration(model: PopulationModel, rng: random.Random) -> bytes:
    """1000A-2022, Zensus 2022 flat file with ``value_q`` (quality=on), 12-digit ARS for Kreise.

    Two variables share the third position as in the real file: WDGAT2 (with a total) and
    WDGAT1 (immigrants and their descendants). ``-`` carries an empty quality flag.
    """
    rows = []
    regions = [(GERMANY, "GEODL1", "Deutschland"), (NRW, "GEOBL1", "Bundesländer"),
               (BW, "GEOBL1", "Bundesländer")]
    regions += [(r, "GEOLK4", "Landkreise u. krsfr. Städte (Stand 15.05.22)")
                for r in (DUESSELDORF, DUISBURG, KREFELD, WUPPERTAL, FREIBURG)]
    prefix = ("1000A;Bevölkerung kompakt (Gebietsstand 15.05.2022);STAG;Stichtag;2022-05-15;")
    age_weights_10 = [0.09, 0.095, 0.115, 0.13, 0.12, 0.15, 0.13, 0.09, 0.08]
    for region, var, var_label in regions:
        population = model.total[(region.code, 2021)] * rng.uniform(0.985, 1.0)
        history = min(0.45, model.foreign_share[(region.code, 2021)] * rng.uniform(1.7, 2.2))
        ages = [("", "Insgesamt"), *AGE_GROUPS_ZENSUS]
        per_age = split(rng, round(population), [w * rng.uniform(0.9, 1.1) for w in age_weights_10])
        table: dict[str, list[int]] = {k: [] for k in ("BEID", "EINS", "X", "EIN", "NACH")}
        for i, people in enumerate(per_age):
            young_factor = 1.3 if i < 4 else 0.8
            with_history = round(people * min(0.7, history * young_factor))
            one_sided = round(people * rng.uniform(0.03, 0.06))
            # Nobody aged 80+ in the sample has a one-sided history: a `-` cell, as in the real file.
            if i == 8 and region is GERMANY:
                one_sided = 0
            immigrants = round(with_history * (0.35 if i == 0 else (0.6 if i == 1 else 0.85)))
            table["BEID"].append(with_history)
            table["EINS"].append(one_sided)
            table["X"].append(people - with_history - one_sided)
            table["EIN"].append(immigrants)
            table["NACH"].append(with_history - immigrants)
        for key in table:
            table[key] = [sum(table[key])] + table[key]
        all_ages = [sum(per_age), *per_age]
        for a, (age_code, age_label) in enumerate(ages):
            cells = [
                ("WDGAT2", "Einwanderungsgeschichte (ausführlich)", "", "Insgesamt", all_ages[a]),
                ("WDGAT2", "Einwanderungsgeschichte (ausführlich)", "WANDERUNG-BEID",
                 "Mit Einwanderungsgeschichte", table["BEID"][a]),
                ("WDGAT2", "Einwanderungsgeschichte (ausführlich)", "WANDERUNG-EINS",
                 "Mit einseitiger Einwanderungsgeschichte", table["EINS"][a]),
                ("WDGAT2", "Einwanderungsgeschichte (ausführlich)", "WANDERUNG-X",
                 "Ohne Einwanderungsgeschichte", table["X"][a]),
                ("WDGAT1", "Einwanderungsgeschichte", "EINGEWANDERTE", "Eingewanderte", table["EIN"][a]),
                ("WDGAT1", "Einwanderungsgeschichte", "NACHKOMMEN", "Nachkommen", table["NACH"][a]),
                ("WDGAT1", "Einwanderungsgeschichte", "WANDERUNG-EINS",
                 "Mit einseitiger Einwanderungsgeschichte", table["EINS"][a]),
                ("WDGAT1", "Einwanderungsgeschichte", "WANDERUNG-X", "Ohne Einwanderungsgeschichte",
                 table["X"][a]),
            ]
            for v_code, v_label, attr, attr_label, value in cells:
                shown, flag = (value, "e") if value else ("-", "")
                code = region.ars
                name = region.zensus_name
                rows.append(
                    f"{prefix}{var};{var_label};{code};{name};ALTGR2;Alter (10er-Jahresgruppen);"
                    f"{age_code};{age_label};{v_code};{v_label};{attr};{attr_label};"
                    f"{shown};Anzahl;PRS001;Personen;{flag}"
                )
    return ffcsv_text([ffcsv_header(3, quality=True), *rows])


def asylum_applicants_eurostat(rng: random.Random) -> bytes:
    """migr_asyappctza, Eurostat JSON-stat 2.0, Germany, all citizenships, both applicant types.

    Sparse ``value``: the newest year has no data yet (listed in positions-with-no-data);
    ``status`` flags one year provisional (``p``) and one estimated (``e``).
    """
    years = list(range(2008, LATEST_YEAR + 2))  # the last year is announced but empty
    # A made-up shape: a wave in the middle of the 2010s, a second smaller one later.
    shape = {2008: 0.05, 2009: 0.05, 2010: 0.08, 2011: 0.08, 2012: 0.1, 2013: 0.18, 2014: 0.28,
             2015: 0.6, 2016: 1.0, 2017: 0.3, 2018: 0.22, 2019: 0.2, 2020: 0.15, 2021: 0.2,
             2022: 0.3, 2023: 0.45, 2024: 0.32}
    peak = rng.uniform(650_000, 760_000)
    values: dict[str, int] = {}
    status: dict[str, str] = {}
    for a, _app in enumerate(("ASY_APP", "NASY_APP")):
        for t, year in enumerate(years):
            if year not in shape:
                continue
            first_time = shape[year] * peak * rng.uniform(0.93, 1.07)
            value = first_time if a == 1 else first_time * rng.uniform(1.05, 1.25)
            index = a * len(years) + t
            values[str(index)] = int(5 * round(value / 5))
            if year == LATEST_YEAR:
                status[str(index)] = "p"
            if year == 2008 and a == 0:
                status[str(index)] = "e"
    dims = {
        "freq": ("Time frequency", {"A": "Annual"}),
        "unit": ("Unit of measure", {"PER": "Person"}),
        "citizen": ("Country of citizenship", {"TOTAL": "Total"}),
        "sex": ("Sex", {"T": "Total"}),
        "age": ("Age class", {"TOTAL": "Total"}),
        "asyl_app": ("Applicant type", {"ASY_APP": "Asylum applicant",
                                         "NASY_APP": "First time asylum applicant"}),
        "geo": ("Geopolitical entity (reporting)", {"DE": "Germany"}),
        "time": ("Time", {str(y): str(y) for y in years}),
    }
    doc = {
        "version": "2.0",
        "class": "dataset",
        "label": "Asylum applicants by type of applicant, citizenship, age and sex - annual "
                 "aggregated data",
        "source": "ESTAT",
        "updated": f"{LATEST_YEAR + 1}-03-20T23:00:00+0100",
        "value": values,
        "status": status,
        "id": list(dims),
        "size": [len(labels) for _label, labels in dims.values()],
        "dimension": {
            key: {"label": label,
                  "category": {"index": {code: i for i, code in enumerate(labels)}, "label": labels}}
            for key, (label, labels) in dims.items()
        },
        "extension": {
            "lang": "EN",
            "id": "MIGR_ASYAPPCTZA",
            "agencyId": "ESTAT",
            "version": "1.0",
            "annotation": [
                {"type": "DISSEMINATION_OBJECT_TYPE", "title": "DATASET"},
                {"type": "OBS_PERIOD_OVERALL_LATEST", "title": str(LATEST_YEAR)},
                {"type": "OBS_PERIOD_OVERALL_OLDEST", "title": "2008"},
            ],
            "positions-with-no-data": {
                **{key: [] for key in dims if key != "time"},
                "time": [len(years) - 1],
            },
            "status": {"label": {"p": "provisional", "e": "estimated"}},
        },
    }
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


URBAN_AUDIT = [(KREFELD, "DE087C", "Krefeld"), (DUESSELDORF, "DE011C", "Düsseldorf"),
               (WUPPERTAL, "DE124C", "Wuppertal"), (FREIBURG, "DE025C", "Freiburg im Breisgau")]
URBAN_AUDIT_YEARS = list(range(2012, LATEST_YEAR + 1))  # population on 1 January of the year


def urban_audit_dataset(dataset: str, label: str, indicators: dict[str, str],
                        cells: dict[tuple[str, str, int], int], status: dict[tuple[str, str, int], str],
                        rng: random.Random) -> bytes:
    """One Urban Audit dataset as the Statistics API sends it: freq, indic_ur, cities, time.

    ``cells`` maps (indicator, city code, year) to a value; absent cells are left out of the
    sparse ``value`` object, and positions whose whole slice is empty are listed in
    ``positions-with-no-data`` as the API does.
    """
    cities = {code: name for _region, code, name in URBAN_AUDIT}
    # The API lists cities in its own order, not in the order they were asked for.
    city_order = sorted(cities, key=lambda c: (rng.random(), c))
    dims = {
        "freq": ("Time frequency", {"A": "Annual"}),
        "indic_ur": ("Urban audit indicator", indicators),
        "cities": ("Geopolitical entity (declaring)", {c: cities[c] for c in city_order}),
        "time": ("Time", {str(y): str(y) for y in URBAN_AUDIT_YEARS}),
    }
    sizes = [len(labels) for _label, labels in dims.values()]
    values: dict[str, int] = {}
    flags: dict[str, str] = {}
    filled: dict[str, set[int]] = {key: set() for key in dims}
    for i, indicator in enumerate(indicators):
        for c, city in enumerate(city_order):
            for t, year in enumerate(URBAN_AUDIT_YEARS):
                key = (indicator, city, year)
                if key not in cells:
                    continue
                index = (i * sizes[2] + c) * sizes[3] + t
                values[str(index)] = cells[key]
                if key in status:
                    flags[str(index)] = status[key]
                for dim, pos in (("freq", 0), ("indic_ur", i), ("cities", c), ("time", t)):
                    filled[dim].add(pos)
    doc = {
        "version": "2.0",
        "class": "dataset",
        "label": label,
        "source": "ESTAT",
        "updated": f"{LATEST_YEAR + 1}-05-14T11:00:00+0200",
        "value": values,
        "status": flags,
        "id": list(dims),
        "size": sizes,
        "dimension": {
            key: {"label": dim_label,
                  "category": {"index": {code: i for i, code in enumerate(labels)}, "label": labels}}
            for key, (dim_label, labels) in dims.items()
        },
        "extension": {
            "lang": "EN",
            "id": dataset.upper(),
            "agencyId": "ESTAT",
            "version": "1.0",
            "annotation": [
                {"type": "DISSEMINATION_OBJECT_TYPE", "title": "DATASET"},
                {"type": "OBS_PERIOD_OVERALL_LATEST", "title": str(LATEST_YEAR)},
                {"type": "OBS_PERIOD_OVERALL_OLDEST", "title": "1989"},
            ],
            "positions-with-no-data": {
                key: [pos for pos in range(size) if pos not in filled[key]]
                for key, size in zip(dims, sizes, strict=True)
            },
            "status": {"label": {"b": "break in time series", "e": "estimated"}},
        },
    }
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def urban_audit_samples(model: PopulationModel, rng: random.Random) -> tuple[bytes, bytes]:
    """urb_cpop1 (total, male, female) and urb_cpopcb (citizenship, country of birth).

    A different count from the population update: Urban Audit gives the population on
    1 January, here the 31.12. figure of the year before with a little noise. Gaps as in the
    real collection: no citizenship data for any city in 2013, none for Freiburg in the newest
    year, Wuppertal without the EU/non-EU split in 2015. Flag ``b`` (break) in 2023, the first
    1 January on the 2022 census basis; ``e`` for Krefeld's newest totals.
    """
    population: dict[tuple[str, str, int], int] = {}
    citizenship: dict[tuple[str, str, int], int] = {}
    pop_status: dict[tuple[str, str, int], str] = {}
    cb_status: dict[tuple[str, str, int], str] = {}
    for region, code, _name in URBAN_AUDIT:
        for year in URBAN_AUDIT_YEARS:
            total = round(model.total[(region.code, year - 1)] * rng.uniform(0.985, 1.015))
            male = round(total * rng.uniform(0.485, 0.497))
            population.update({("DE1001V", code, year): total, ("DE1002V", code, year): male,
                               ("DE1003V", code, year): total - male})
            if year == CENSUS_2022_FIRST + 1:
                for indicator in ("DE1001V", "DE1002V", "DE1003V"):
                    pop_status[(indicator, code, year)] = "b"
            if region is KREFELD and year == LATEST_YEAR:
                pop_status[("DE1001V", code, year)] = "e"
            if year == 2013 or (region is FREIBURG and year == LATEST_YEAR):
                continue
            foreign = round(total * model.foreign_share[(region.code, year - 1)] * rng.uniform(0.9, 1.1))
            stateless = round(total * rng.uniform(0.0005, 0.002))  # neither national nor foreigner here
            eu = round(foreign * rng.uniform(0.3, 0.45))
            foreign_born = round(total * rng.uniform(0.2, 0.3))
            citizenship.update({("DE2001V", code, year): total - foreign - stateless,
                                ("DE2008V", code, year): total - foreign_born,
                                ("DE2009V", code, year): foreign_born})
            if not (region is WUPPERTAL and year == 2015):
                citizenship.update({("DE2002V", code, year): eu, ("DE2003V", code, year): foreign - eu})
            if year == CENSUS_2022_FIRST + 1:
                for indicator in ("DE2001V", "DE2002V", "DE2003V"):
                    if (indicator, code, year) in citizenship:
                        cb_status[(indicator, code, year)] = "b"
    cpop1 = urban_audit_dataset(
        "urb_cpop1", "Population on 1 January by age groups and sex - cities and greater cities",
        {"DE1001V": "Population on the 1st of January, total",
         "DE1002V": "Population on the 1st of January, male",
         "DE1003V": "Population on the 1st of January, female"},
        population, pop_status, rng,
    )
    cpopcb = urban_audit_dataset(
        "urb_cpopcb", "Population by citizenship and country of birth - cities and greater cities",
        {"DE2001V": "Nationals", "DE2002V": "EU foreigners", "DE2003V": "Non-EU foreigners",
         "DE2008V": "Native-born", "DE2009V": "Foreign-born"},
        citizenship, cb_status, rng,
    )
    return cpop1, cpopcb


FILES = {
    # file name -> (table code, what it is)
    "SAMPLE_12411-01-01-4.csv": "12411-01-01-4",
    "SAMPLE_12411-03-03-4.zip": "12411-03-03-4",
    "SAMPLE_12531-0043.zip": "12531-0043",
    "SAMPLE_12511-04-01-4.csv": "12511-04-01-4",
    "SAMPLE_12511-01-01-4.csv": "12511-01-01-4",
    "SAMPLE_12111-07-01-4.csv": "12111-07-01-4",
    "SAMPLE_1000A-2022.csv": "1000A-2022",
    "SAMPLE_migr_asyappctza.json": "migr_asyappctza",
    "SAMPLE_urb_cpop1.json": "urb_cpop1",
    "SAMPLE_urb_cpopcb.json": "urb_cpopcb",
}


def build() -> dict[str, bytes]:
    """All sample files, from one seeded generator in a fixed order."""
    rng = random.Random(SEED)
    model = PopulationModel(rng)
    natural = naturalisations(model, rng)
    files = {
        "SAMPLE_12411-01-01-4.csv": population_by_sex(model, rng),
        "SAMPLE_12411-03-03-4.zip": zipped("SAMPLE_12411-03-03-4_de_flat.csv",
                                           population_by_nationality_age(model)),
        "SAMPLE_12531-0043.zip": zipped("SAMPLE_12531-0043_de_flat.csv", protection_seekers(model, rng)),
        "SAMPLE_12511-04-01-4.csv": naturalisations_by_citizenship(natural, rng),
        "SAMPLE_12511-01-01-4.csv": naturalisations_by_continent(natural, rng),
        "SAMPLE_12111-07-01-4.csv": census_2011_migration(model, rng),
        "SAMPLE_1000A-2022.csv": census_2022_immigration(model, rng),
        "SAMPLE_migr_asyappctza.json": asylum_applicants_eurostat(rng),
    }
    # Added last, so that the files above keep their bytes.
    files["SAMPLE_urb_cpop1.json"], files["SAMPLE_urb_cpopcb.json"] = urban_audit_samples(model, rng)
    return files


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, content in build().items():
        (OUT / name).write_bytes(content)
        print(f"{name}: {len(content):,} bytes")


if __name__ == "__main__":
    main()
