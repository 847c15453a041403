"""The clean stage: which processed datasets exist, what makes each, and the checks at write.

Each dataset has a maker in ``datasets/<family>.py`` that reads the stored tables through
:mod:`krefeld_data.datasets.tables` (each raw file parsed once per build) and shapes them; the
notebooks read the result through :func:`krefeld_data.datasets.load`, so the figures a reader
downloads are the figures on the page and the clean stage never depends on the story layer.
Where a table is cheap to shape for every region it publishes, the dataset holds all of them
(the page shows a few cities; a reader may want their own).

**Checks run at write** (:func:`build_dataset`): every input table passed the structural checks
when it was parsed (schema, one row per cell); each dataset declares the columns that identify
one of its rows (:attr:`Dataset.keys`, checked unique) and the hierarchies of its input tables
whose published parts must add up to their published totals, allowing the offices' rounding
(:attr:`Dataset.totals`; labels are verified against the declared codes first). A failing
check stops that dataset with one line naming table, region, date and the difference; what was
stored before stays untouched (nothing is written until every check passed).

A dataset is written again only when a raw snapshot of one of its tables or the package changed
(:func:`input_hashes`, :func:`krefeld_data.datasets.io.dataset_is_fresh`). Nothing here imports
pandas until a dataset has to be written: a build with nothing to do stays fast.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from krefeld_data.datasets import io as processed
from krefeld_data.errors import KrefeldDataError
from krefeld_data.raw.store import RawStore
from krefeld_data.util.fingerprint import sha256_file

if TYPE_CHECKING:
    import pandas as pd

REGION_DOCS = {
    "region_key": processed.COLUMN_DOCS["region_key"],
    "region": processed.COLUMN_DOCS["region"],
}
CENSUS_BASIS_DOC = processed.COLUMN_DOCS["census_basis"]
VINTAGE_DOC = ("Stand der Veröffentlichung, aus der der Wert stammt (ISO-Datum), soweit bekannt; "
               "die Zensusgrundlage hängt davon ab")


@dataclass(frozen=True)
class TotalsCheck:
    """Published parts of ``variable`` in ``table`` add up to its published total.

    ``variable`` is the tidy column name (``ges``, ``schst2`` …); a variable with a declared
    tree (:data:`krefeld_data.clean.hierarchy.HIERARCHIES`) also has its labels verified and,
    with ``whole_tree``, every level checked. ``tolerance`` None: the table's rounding rule.
    """

    table: str
    variable: str
    tolerance: float | None = None
    whole_tree: bool = False


@dataclass(frozen=True)
class Dataset:
    """One processed dataset: what it holds, where it comes from, who uses it, what makes it."""

    name: str  # file name in data/processed and reports/data
    title: str  # short German title for the download link
    description: str  # one paragraph for the data dictionary (German: it is for the readers)
    tables: tuple[str, ...]  # codes from catalog.SOURCE_TABLES; all are needed
    stories: tuple[str, ...]  # slugs of the stories that show it
    make: Callable[[RawStore], pd.DataFrame]
    columns: Mapping[str, str]  # meaning of each column (German)
    keys: tuple[str, ...] = ()  # columns that identify one row; checked unique before writing
    totals: tuple[TotalsCheck, ...] = ()  # parts against totals in the input tables


def check_dataset(dataset: Dataset, frame: pd.DataFrame, store: RawStore) -> None:
    """Every check the dataset declares; raises :class:`~krefeld_data.errors.DataCheckError`."""
    from krefeld_data.clean.checks import check_unique
    from krefeld_data.clean.hierarchy import HIERARCHIES, check_parts_sum, verify_labels
    from krefeld_data.datasets import tables
    from krefeld_data.errors import DataCheckError

    if dataset.keys:
        check_unique(frame, dataset.keys)
    for check in dataset.totals:
        published = tables.publications(check.table, store)
        if not any(check.variable in table.columns for table in published):
            raise DataCheckError(
                f"table {check.table}: no variable {check.variable!r} to check the totals of; the "
                f"layout may have changed (columns: {', '.join(map(str, published[0].columns))})"
            )
        for table in published:
            if check.variable not in table.columns:
                continue  # an older layout without this breakdown: nothing to add up
            if check.variable in HIERARCHIES:
                verify_labels(table, check.variable)
            check_parts_sum(table, check.variable, check.tolerance, only_root=not check.whole_tree)


# ---------------------------------------------------------------- the makers

def _population(store: RawStore) -> pd.DataFrame:
    from krefeld_data.datasets import population

    return population.population(store)


def _foreign_share(store: RawStore) -> pd.DataFrame:
    from krefeld_data.datasets import population

    return population.foreign_share(store)


def _background_2011(store: RawStore) -> pd.DataFrame:
    from krefeld_data.datasets import population

    return population.migration_background(store)


def _history_2022(store: RawStore) -> pd.DataFrame:
    from krefeld_data.datasets import population

    return population.immigration_history(store)


def _foreigners_register(store: RawStore) -> pd.DataFrame:
    from krefeld_data.datasets import population

    return population.foreigners_register(store)


def _urban_audit(store: RawStore) -> pd.DataFrame:
    from krefeld_data.datasets import cities

    return cities.city_population_by_citizenship(store)


def _protection_status(store: RawStore) -> pd.DataFrame:
    from krefeld_data.datasets import protection

    return protection.protection_by_status(store)


TOP_CITIZENSHIPS = 10


def _protection_citizenships(store: RawStore) -> pd.DataFrame:
    from krefeld_data.datasets import protection

    return protection.top_citizenships(store, n=TOP_CITIZENSHIPS)


def _age_structure(store: RawStore) -> pd.DataFrame:
    from krefeld_data.datasets import age

    return age.age_structure(store)


def _naturalisations(store: RawStore) -> pd.DataFrame:
    from krefeld_data.datasets import naturalisation

    return naturalisation.naturalisations_per_year(store)


def _naturalisations_continent(store: RawStore) -> pd.DataFrame:
    from krefeld_data.datasets import naturalisation

    return naturalisation.naturalisations_by_continent(store)


def _naturalisations_citizenship(store: RawStore) -> pd.DataFrame:
    from krefeld_data.datasets import naturalisation

    return naturalisation.naturalisations_by_citizenship(store)


def _asylum(store: RawStore) -> pd.DataFrame:
    from krefeld_data.datasets import asylum

    return asylum.asylum_applications(store)


# ---------------------------------------------------------------- the registry

STORY1, STORY2, STORY3 = "01-wer-lebt-in-der-stadt", "02-schutzsuchende", "03-jung-und-hier"
STORY4, STORY5 = "04-einbuergerungen", "05-debatte-und-zahlen"

DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset(
            "bevoelkerung", "Bevölkerung am 31.12. jedes Jahres",
            "Einwohnerinnen und Einwohner am 31.12. jedes verfügbaren Jahres (Bevölkerungs"
            "fortschreibung), für alle Regionen der Tabelle 12411-01-01-4 (Deutschland, Länder, "
            "Kreise und kreisfreie Städte). Alle gespeicherten Veröffentlichungen der Tabelle sind "
            "zusammengeführt; wo sie sich überschneiden, gilt die neueste. Die Reihe springt an den "
            "Zensusbrüchen (Spalte census_basis).",
            ("12411-01-01-4",), (STORY1, STORY2), _population,
            {**REGION_DOCS, "population": "Einwohnerzahl am Stichtag; leer, wo keine Zahl veröffentlicht "
             "ist oder die Region nicht mehr besteht", "census_basis": CENSUS_BASIS_DOC,
             "vintage": VINTAGE_DOC, "source_snapshot": processed.COLUMN_DOCS["source_snapshot"]},
            keys=("region_key", "year"), totals=(TotalsCheck("12411-01-01-4", "ges"),),
        ),
        Dataset(
            "auslaenderanteil", "Ausländeranteil am 31.12. jedes Jahres",
            "Einwohner insgesamt und mit ausländischer Staatsangehörigkeit am 31.12. jedes Jahres "
            "ab 2011 (Bevölkerungsfortschreibung, Tabelle 12411-03-03-4), für alle Regionen der "
            "Tabelle. Das Ausländerzentralregister zählt andere (meist höhere) Zahlen; die beiden "
            "sind nicht austauschbar.",
            ("12411-03-03-4",), (STORY1, STORY4), _foreign_share,
            {**REGION_DOCS, "total": "Einwohner insgesamt", "foreign": "Einwohner mit ausländischer "
             "Staatsangehörigkeit", "foreign_share": "Anteil der Ausländerinnen und Ausländer an allen "
             "Einwohnern (0 bis 1)", "census_basis": CENSUS_BASIS_DOC},
            keys=("region_key", "year"),
            totals=(TotalsCheck("12411-03-03-4", "ges"), TotalsCheck("12411-03-03-4", "nat")),
        ),
        Dataset(
            "migrationshintergrund_2011", "Migrationshintergrund (Zensus 2011)",
            "Zensus 2011 (Stichtag 09.05.2011): Personen mit Migrationshintergrund nach Altersgruppen "
            "(Zeile Insgesamt: alle Altersgruppen), für alle Regionen der Tabelle 12111-07-01-4. Mit "
            "Migrationshintergrund zählen alle Ausländerinnen und Ausländer sowie Deutsche, die nach "
            "1955 in das heutige Gebiet Deutschlands zugewandert sind oder mindestens einen solchen "
            "Elternteil haben. Das Amt rundet jeden Wert auf ein Vielfaches von 10; Summen zweier "
            "Zellen sind daher ungefähre Zahlen. Nicht mit der Einwanderungsgeschichte des Zensus "
            "2022 vergleichbar (andere Definition).",
            ("12111-07-01-4",), (STORY1, STORY3), _background_2011,
            {**REGION_DOCS, "age_group": "Altersgruppe wie veröffentlicht (Insgesamt = alle Altersgruppen)",
             "age_from": "untere Altersgrenze (Jahre)",
             "age_to": "obere Altersgrenze (ausschließlich); leer = nach oben offen",
             "total": "Personen insgesamt", "foreign": "Ausländerinnen und Ausländer",
             "german_with_background": "Deutsche mit Migrationshintergrund",
             "with_background": "Personen mit Migrationshintergrund (Deutsche mit plus Ausländer)",
             "share": "Anteil der Personen mit Migrationshintergrund (0 bis 1)",
             "status": "unreliable, wo ein benötigter Wert als '/' (nicht sicher genug) veröffentlicht "
             "ist, sonst leer"},
            keys=("region_key", "age_group"),
        ),
        Dataset(
            "einwanderungsgeschichte_2022", "Einwanderungsgeschichte (Zensus 2022)",
            "Zensus 2022 (Stichtag 15.05.2022): Personen mit Einwanderungsgeschichte, alle "
            "Altersgruppen, für alle Regionen der Tabelle 1000A-2022 (die öffentliche Tabelle hat "
            "Deutschland und die Länder). Mit Einwanderungsgeschichte = selbst Eingewanderte plus "
            "Nachkommen zweier eingewanderter Elternteile; einseitige Einwanderungsgeschichte steht "
            "getrennt.",
            ("1000A-2022",), (STORY1,), _history_2022,
            {**REGION_DOCS, "total": "Personen insgesamt", "with_history": "Personen mit "
             "Einwanderungsgeschichte", "immigrants": "selbst Eingewanderte", "descendants":
             "Nachkommen zweier eingewanderter Elternteile", "one_sided": "Personen mit einseitiger "
             "Einwanderungsgeschichte (nicht in with_history enthalten)",
             "share": "Anteil mit Einwanderungsgeschichte (with_history / total, 0 bis 1)"},
            keys=("region_key",),
        ),
        Dataset(
            "auslaender_register_nrw", "Ausländerinnen und Ausländer im Register (NRW)",
            "Ausländische Bevölkerung laut Ausländerzentralregister am 31.12. nach Staatsangehörigkeit, "
            "kreisfreie Städte und Kreise in Nordrhein-Westfalen (Landesdatenbank NRW, Tabelle "
            "12521-03i, ohne Zugangsdaten abrufbar). IT.NRW rundet jeden Wert auf ein Vielfaches von 5 "
            "und veröffentlicht keine Gesamtzahl; die Zeile Summe ist die Summe der Kontinente und "
            "daher ungefähr. Das Register zählt andere (meist höhere) Zahlen als die "
            "Bevölkerungsfortschreibung.",
            ("12521-03i",), (STORY1,), _foreigners_register,
            {**REGION_DOCS, "level": "Summe (aller Kontinente, berechnet), Kontinent oder Staat",
             "citizenship_code": "Code der Staatsangehörigkeit in der Quelltabelle",
             "citizenship": "Staatsangehörigkeit oder Kontinent",
             "value": "Ausländerinnen und Ausländer (auf 5 gerundet; Summe: Summe gerundeter Werte)"},
            keys=("region_key", "date", "citizenship_code"),
        ),
        Dataset(
            "urban_audit_staatsangehoerigkeit", "Urban Audit: Einwohner nach Staatsangehörigkeit",
            "Eurostat Urban Audit (urb_cpop1, urb_cpopcb): Einwohner am 1. Januar insgesamt und nach "
            "Staatsangehörigkeit, jedes veröffentlichte Jahr, für jede Stadt der gespeicherten "
            "Antworten, die das Regionenverzeichnis kennt. Die Städte liefern die Zahlen selbst; nicht "
            "jede Stadt liefert jedes Jahr, und Eurostat markiert Brüche (b) und Schätzungen (e).",
            ("urb_cpop1", "urb_cpopcb"), (STORY1,), _urban_audit,
            {**REGION_DOCS, "city_code": "Urban-Audit-Code der Stadt bei Eurostat (z. B. DE087C)",
             "population": "Einwohner am 1. Januar", "nationals": "Einwohner mit der Staatsangehörigkeit "
             "des Landes", "foreigners_eu": "Einwohner mit der Staatsangehörigkeit eines anderen EU-Staats",
             "foreigners_non_eu": "Einwohner mit einer Staatsangehörigkeit außerhalb der EU",
             "foreigners": "Einwohner ohne deutsche Staatsangehörigkeit",
             "foreign_share": "berechnet: Anteil ohne deutsche Staatsangehörigkeit (foreigners / population, "
                              "0 bis 1)",
             "quality": "Kennzeichen von Eurostat der verwendeten Zellen (b = Bruch, e = geschätzt)"},
            keys=("region_key", "year"),
        ),
        Dataset(
            "schutzsuchende_status", "Schutzsuchende nach Schutzstatus",
            "Schutzsuchende an jedem Stichtag der Tabelle 12531-0043 nach Schutzstatus, in drei "
            "Gliederungstiefen (Spalte level: 1 = offen / anerkannt / abgelehnt; 2 = anerkannt "
            "befristet/unbefristet, abgelehnt nach Art der Ausreisepflicht; 3 = befristet aus dem "
            "Asylverfahren oder nicht), mit den Einwohnern am selben Stichtag (12411-01-01-4), für "
            "alle Regionen der Tabelle 12531-0043. Nur die Zeilen einer Ebene addieren sich zu allen "
            "Schutzsuchenden einer Region und eines Stichtags: nie über die Ebenen summieren. Das Amt "
            "rundet jeden Wert auf ein Vielfaches von 5; jede Zahl hier ist eine Summe solcher Werte. "
            "Die Tabelle kennt keinen vorübergehenden Schutz nach § 24 AufenthG (meist Menschen aus "
            "der Ukraine); die Spalten ukrainian und without_ukrainian trennen daher nach "
            "Staatsangehörigkeit, als nächstliegende Näherung.",
            ("12531-0043", "12411-01-01-4"), (STORY2,), _protection_status,
            {**REGION_DOCS, "level": "Gliederungstiefe des Schutzstatus (1, 2 oder 3); nur innerhalb "
             "einer Ebene summieren",
             "status_code": "Code des Schutzstatus in der Quelltabelle",
             "status": "Schutzstatus (Beschriftung)", "group": "Obergruppe: offen, anerkannt, abgelehnt",
             "value": "Zahl der Schutzsuchenden (Summe auf 5 gerundeter Werte)",
             "ukrainian": "davon mit ukrainischer Staatsangehörigkeit (Summe auf 5 gerundeter Werte)",
             "without_ukrainian": "value minus ukrainian: Schutzsuchende ohne ukrainische "
             "Staatsangehörigkeit",
             "population": "Einwohner am selben Stichtag (Bevölkerungsfortschreibung); leer, wo "
             "12411-01-01-4 für Region und Stichtag keine Zahl hat",
             "per_1000": "berechnet: value je 1.000 Einwohner (value / population × 1.000)"},
            keys=("region_key", "date", "level", "status_code"),
            totals=(TotalsCheck("12531-0043", "schst2", whole_tree=True),),
        ),
        Dataset(
            "schutzsuchende_staatsangehoerigkeit", "Schutzsuchende: häufigste Staatsangehörigkeiten",
            f"Die {TOP_CITIZENSHIPS} häufigsten Staatsangehörigkeiten der Schutzsuchenden je Region "
            "am neuesten Stichtag (Tabelle 12531-0043), für alle Regionen der Tabelle.",
            ("12531-0043",), (STORY2,), _protection_citizenships,
            {**REGION_DOCS, "rank": "Rang in der Region (1 = häufigste)",
             "citizenship_code": "Code der Staatsangehörigkeit", "citizenship": "Staatsangehörigkeit",
             "value": "Zahl der Schutzsuchenden (Summe auf 5 gerundeter Werte)",
             "share": "berechnet: Anteil an allen Schutzsuchenden der Region (0 bis 1)"},
            keys=("region_key", "rank"),
        ),
        Dataset(
            "altersstruktur", "Altersstruktur nach Staatsangehörigkeit",
            "Einwohner nach Staatsangehörigkeit (deutsch/ausländisch), Geschlecht und Altersgruppe am "
            "31.12. des neuesten Jahres der Tabelle 12411-03-03-4, für alle Regionen der Tabelle. "
            "share ist der Anteil an allen Einwohnern derselben Staatsangehörigkeit in der Region "
            "(beide Geschlechter), so dass sich die Formen der Alterspyramiden vergleichen lassen.",
            ("12411-03-03-4",), (STORY3,), _age_structure,
            {**REGION_DOCS, "nationality": "deutsch oder ausländisch", "sex": "männlich oder weiblich",
             "age_group": "Altersgruppe wie veröffentlicht", "age_from": "untere Altersgrenze (Jahre)",
             "age_to": "obere Altersgrenze (ausschließlich); leer = nach oben offen",
             "value": "Einwohner", "share": "Anteil an allen Einwohnern derselben Staatsangehörigkeit "
             "der Region (0 bis 1)", "census_basis": CENSUS_BASIS_DOC},
            keys=("region_key", "nationality", "sex", "age_group"),
        ),
        Dataset(
            "einbuergerungen", "Einbürgerungen je Jahr",
            "Einbürgerungen je Region und Jahr (Tabelle 12511-04-01-4, nur die Anzahl) und eine "
            "eigene Quote: je 1.000 ausländische Einwohner am 31.12. desselben Jahres "
            "(12411-03-03-4), für alle Regionen der Tabelle 12511-04-01-4. Die eigene Quote ist nicht "
            "die amtliche Einbürgerungsquote (die bezieht sich auf Ausländer mit mindestens zehn "
            "Jahren Aufenthalt; sie steht, wo die Tabelle sie veröffentlicht, in official_rate).",
            ("12511-04-01-4", "12411-03-03-4"), (STORY4,), _naturalisations,
            {**REGION_DOCS, "value": "Einbürgerungen im Jahr; leer, wo noch nicht veröffentlicht",
             "status": processed.COLUMN_DOCS["status"],
             "foreign_residents": "ausländische Einwohner am 31.12. desselben Jahres; leer, wo "
             "12411-03-03-4 das Jahr nicht hat",
             "census_basis": "Zensusgrundlage der Ausländerzahl (foreign_residents); "
             + CENSUS_BASIS_DOC,
             "per_1000_foreign": "eigene Quote, berechnet: value je 1.000 foreign_residents (keine "
             "amtliche Einbürgerungsquote)",
             "official_rate": "amtliche Einbürgerungsquote, wie Tabelle 12511-04-01-4 sie als eigenes "
             "Merkmal veröffentlicht (nicht berechnet); leer, wo nicht veröffentlicht",
             "official_rate_label": "Name dieses Merkmals in der Quelltabelle",
             "official_rate_unit": "Einheit dieses Merkmals (z. B. Prozent)"},
            keys=("region_key", "year"),
        ),
        Dataset(
            "einbuergerungen_kontinente", "Einbürgerungen nach Kontinent der früheren Staatsangehörigkeit",
            "Einbürgerungen nach Kontinent der früheren Staatsangehörigkeit, jedes Jahr der Tabelle "
            "12511-01-01-4 (das Amt führt sie nur für 2011 bis 2017), für alle Regionen der Tabelle.",
            ("12511-01-01-4",), (STORY4,), _naturalisations_continent,
            {**REGION_DOCS, "continent": "Kontinent der früheren Staatsangehörigkeit",
             "value": "Einbürgerungen", "status": processed.COLUMN_DOCS["status"],
             "total": "alle Einbürgerungen der Region im Jahr (veröffentlichte Summe)",
             "share": "berechnet: value / total (0 bis 1)"},
            keys=("region_key", "year", "continent"),
        ),
        Dataset(
            "einbuergerungen_staatsangehoerigkeit", "Einbürgerungen nach früherer Staatsangehörigkeit",
            "Einbürgerungen der in Tabelle 12511-04-01-4 ausgewiesenen früheren Staatsangehörigkeiten, "
            "jedes Jahr, für alle Regionen der Tabelle. Die Auswahl ergibt nicht die Summe aller "
            "Einbürgerungen (andere Staatsangehörigkeiten sind nicht einzeln ausgewiesen).",
            ("12511-04-01-4",), (STORY4,), _naturalisations_citizenship,
            {**REGION_DOCS, "citizenship": "frühere Staatsangehörigkeit", "value": "Einbürgerungen",
             "status": processed.COLUMN_DOCS["status"],
             "total": "alle Einbürgerungen der Region im Jahr (veröffentlichte Summe)",
             "share": "berechnet: value / total (0 bis 1)"},
            keys=("region_key", "year", "citizenship"),
        ),
        Dataset(
            "asylerstantraege", "Asylanträge je Jahr",
            "Asylanträge je Kalenderjahr (Eurostat migr_asyappctza), alle Staatsangehörigkeiten, "
            "Altersgruppen und Geschlechter: Erstanträge (NASY_APP) und alle Anträge (ASY_APP), für "
            "jedes Land der gespeicherten Abfrage (der Katalog ruft Deutschland ab). Eurostat zählt "
            "Anträge eines Jahres, nicht Menschen im Land; Erstanträge schließen Anträge für in "
            "Deutschland geborene Kinder ein.",
            ("migr_asyappctza",), (STORY5,), _asylum,
            {"region_code": "Eurostat-Ländercode (geo), z. B. DE",
             "region_name": "Name des Landes wie von Eurostat veröffentlicht",
             "applicant_type": "Art der Anträge: NASY_APP = Erstanträge, ASY_APP = alle Anträge",
             "applicants": "Art der Anträge (Beschriftung)",
             "value": "Zahl der Anträge; leer, wo Eurostat keine Zahl veröffentlicht",
             "status": processed.COLUMN_DOCS["status"],
             "quality": "Kennzeichen von Eurostat wie veröffentlicht (e, p …), sonst leer"},
            keys=("region_code", "year", "applicant_type"),
        ),
    )
}



def tidy_table_maker(code: str) -> Callable[[RawStore], pd.DataFrame]:
    """A maker for a new story's dataset: the latest publication of one table, tidy, with
    ``region_key`` and ``region`` where it has German regions (``krefeld-data new-story``)."""
    def make(store: RawStore) -> pd.DataFrame:
        from krefeld_data.catalog import SOURCE_TABLES
        from krefeld_data.datasets import tables

        eurostat = getattr(SOURCE_TABLES.get(code), "database", "") == "eurostat"
        return tables.latest(code, store, german_regions=not eurostat)

    return make


def _user_datasets() -> dict[str, Dataset]:
    """Datasets of the stories in the user catalogue (``stories.toml``, see :mod:`krefeld_data.catalog`)."""
    from krefeld_data.catalog import USER

    return {
        d.name: Dataset(d.name, d.title, d.description, (d.table,), (d.story,), tidy_table_maker(d.table),
                        dict(processed.COLUMN_DOCS))
        for d in USER.datasets if d.name not in DATASETS
    }


DATASETS.update(_user_datasets())


def datasets_for(stories: Iterable[str]) -> list[Dataset]:
    """The datasets the given stories (slugs) show, in registry order."""
    wanted = set(stories)
    return [d for d in DATASETS.values() if wanted & set(d.stories)]


def get(name: str) -> Dataset:
    try:
        return DATASETS[name]
    except KeyError:
        raise KrefeldDataError(
            f"unknown dataset {name!r}; datasets: {', '.join(DATASETS)}"
        ) from None


# ---------------------------------------------------------------- freshness



def missing_tables(dataset: Dataset, store: RawStore) -> list[str]:
    return [code for code in dataset.tables if store.latest(code) is None]


def input_hashes(dataset: Dataset, store: RawStore) -> dict[str, str]:
    """sha256 of every stored snapshot of the dataset's tables, plus the code that makes it.

    The snapshot hashes come from the provenance records (checked by ``krefeld-data verify``),
    so no raw file is read. ``processed.code_hash()`` (the cleaning layer) is added by
    :func:`processed.dataset_is_fresh` itself.
    """
    hashes = {
        f"{code}/{snapshot.path.name}": snapshot.provenance.sha256
        for code in dataset.tables
        for snapshot in store.snapshots(code)
    }
    return hashes


# ---------------------------------------------------------------- the build step

@dataclass(frozen=True)
class DatasetResult:
    name: str
    status: str  # written, unchanged, skipped (a table is missing), failed
    reason: str = ""
    rows: int | None = None
    seconds: float = 0.0
    missing: tuple[str, ...] = ()


@dataclass
class CleanSummary:
    results: list[DatasetResult] = field(default_factory=list)
    seconds: float = 0.0

    def names(self, status: str) -> list[str]:
        return [r.name for r in self.results if r.status == status]

    @property
    def written(self) -> list[str]:
        return self.names("written")

    @property
    def unchanged(self) -> list[str]:
        return self.names("unchanged")

    @property
    def skipped(self) -> list[str]:
        return self.names("skipped")

    @property
    def failed(self) -> list[str]:
        return self.names("failed")

    def __str__(self) -> str:
        counts = {s: len(self.names(s)) for s in ("written", "unchanged", "skipped", "failed")}
        text = f"datasets: {counts['written']} written, {counts['unchanged']} unchanged"
        if counts["skipped"]:
            text += f", {counts['skipped']} not written (missing data)"
        if counts["failed"]:
            text += f", {counts['failed']} failed"
        return text + f" in {self.seconds:.1f} s"


class DatasetFailed(KrefeldDataError):
    """A dataset could not be made from the stored tables; its old files, if any, are kept."""


def _progress(progress: bool, text: str) -> None:
    if progress and not os.environ.get("TQDM_DISABLE"):
        import sys

        print(text, file=sys.stderr, flush=True)


def _story_titles(dataset: Dataset) -> list[str]:
    from krefeld_data.catalog import STORIES

    titles = {s.slug: s.title for s in STORIES}
    return [f"„{titles[slug]}“" if slug in titles else slug for slug in dataset.stories]


def build_dataset(dataset: Dataset, store: RawStore, *, force: bool = False) -> DatasetResult:
    """Write one dataset unless it is fresh; a missing table or a failure is a result, not an error."""
    from krefeld_data.guidance import how_to_get

    missing = missing_tables(dataset, store)
    if missing:
        noun = "table" if len(missing) == 1 else "tables"
        return DatasetResult(dataset.name, "skipped",
                             f"{noun} {', '.join(missing)} not in the raw store; {how_to_get(missing)}",
                             missing=tuple(missing))
    hashes = input_hashes(dataset, store)
    if not force and processed.dataset_is_fresh(dataset.name, hashes):
        return DatasetResult(dataset.name, "unchanged")
    begun = time.perf_counter()
    try:
        frame = dataset.make(store)
        check_dataset(dataset, frame, store)
    except KrefeldDataError as exc:
        return DatasetResult(dataset.name, "failed", f"{dataset.name}: {exc}".splitlines()[0])
    description = f"{dataset.description}\n\nVerwendet in: {', '.join(_story_titles(dataset))}."
    processed.write_dataset(dataset.name, frame, description, dataset.columns, input_hashes=hashes)
    return DatasetResult(dataset.name, "written", rows=len(frame), seconds=time.perf_counter() - begun)


def build_datasets(
    names: Iterable[str] | None = None,
    *,
    force: bool = False,
    store: RawStore | None = None,
    progress: bool = False,
    on_result: Callable[[DatasetResult], None] | None = None,
) -> CleanSummary:
    """Write the named datasets (default: all) that are not fresh; returns what happened and why.

    ``on_result`` is called after each dataset (the build starts a story's notebook as soon as
    the story's datasets are written, while the next ones are made).

    A dataset whose table is missing is skipped with the command that gets it; one whose
    maker or checks fail is reported as failed (its old files stay). Neither stops the others.
    """
    begun = time.perf_counter()
    chosen = [get(n) for n in names] if names is not None else list(DATASETS.values())
    store = store or RawStore()
    summary = CleanSummary()
    from krefeld_data.datasets import tables

    tables.forget()  # each raw file parsed once per build: not before, not after
    try:
        for number, dataset in enumerate(chosen, start=1):
            result = build_dataset(dataset, store, force=force)
            summary.results.append(result)
            detail = {"written": f"written, {result.rows} rows in {result.seconds:.1f} s",
                      "unchanged": "unchanged",
                      "skipped": f"not written, missing {', '.join(result.missing)}",
                      "failed": f"failed: {result.reason}"}[result.status]
            _progress(progress, f"[data {number}/{len(chosen)}] {dataset.name}: {detail}")
            if on_result is not None:
                on_result(result)
    finally:
        tables.forget()
    summary.seconds = time.perf_counter() - begun
    if chosen:
        _progress(progress, str(summary))
    from krefeld_data.datasets.datapackage import write_datapackage  # issue 16: datapackage.json

    write_datapackage(DATASETS.values())
    return summary


def story_datasets_key(slug: str, file_cache: dict[str, list]) -> dict[str, str]:
    """Content hash of each dataset file a story shows (Parquet and CSV), for its build key.

    ``file_cache`` maps a file name to [size, mtime_ns, sha256], so unchanged files are not read.
    """
    result = {}
    for dataset in datasets_for([slug]):
        paths = processed.dataset_paths(dataset.name)
        for path in (paths.parquet, paths.csv):
            if not path.is_file():
                result[path.name] = ""
                continue
            stat = path.stat()
            cached = file_cache.get(path.name)
            if cached and cached[0] == stat.st_size and cached[1] == stat.st_mtime_ns:
                sha = cached[2]
            else:
                sha = sha256_file(path)[0]
                file_cache[path.name] = [stat.st_size, stat.st_mtime_ns, sha]
            result[path.name] = sha
    return result
