"""What the stories need: every source table, where it comes from, and which story uses it.

``krefeld-data sources`` prints this; ``krefeld-data fetch`` fetches it; the build checks it
before running a story. A new story adds its tables here and a :class:`Story` entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from krefeld_data.raw.databases import get_database
from krefeld_data.regions.registry import eurostat_city_code


@dataclass(frozen=True)
class SourceTable:
    """One table (GENESIS) or dataset query (Eurostat) the stories rely on."""

    code: str
    database: str  # destatis, regio, nrw, zensus, eurostat
    description: str
    params: dict[str, Any] = field(default_factory=dict)  # extra query parameters
    unconfirmed: bool = False  # [U] in SOURCES.md: check with `krefeld-data search` first

    @property
    def needs_account(self) -> bool:
        return get_database(self.database).kind == "genesis"


@dataclass(frozen=True)
class Story:
    """One reader page: a notebook and the tables it needs."""

    slug: str  # file name of the page: reports/<slug>.html
    title: str
    notebook: str  # file in notebooks/ (jupytext percent .py twin of the .ipynb)
    tables: tuple[str, ...]  # codes from SOURCE_TABLES; the story is not built without them
    optional_tables: tuple[str, ...] = ()  # used when stored (a section shows or says why not)


# Cities the column names as doing the same (AGS Kreis keys); NRW and Germany as context.
DEFAULT_CITIES = ("05114", "05111", "05124", "08311")
DEFAULT_CONTEXT = ("05", "DG")
# Eurostat Urban Audit codes of the same cities (DE508C, …), from reference/eurostat_cities.csv:
# unconfirmed against a live response.
URBAN_AUDIT_CITIES = tuple(eurostat_city_code(key) for key in DEFAULT_CITIES)

SOURCE_TABLES: dict[str, SourceTable] = {
    t.code: t
    for t in (
        SourceTable("12411-01-01-4", "regio", "Bevölkerung nach Geschlecht, Kreise, 31.12."),
        SourceTable(
            "12411-03-03-4", "regio",
            "Bevölkerung nach Geschlecht, Nationalität (deutsch/ausländisch) und Altersgruppen, "
            "Kreise, 31.12. (ab 2011)",
        ),
        SourceTable(
            "12111-07-01-4", "regio",
            "Zensus 2011: Bevölkerung nach Staatsangehörigkeit und Migrationshintergrund, Kreise",
        ),
        SourceTable(
            "1000A-2022", "zensus",
            "Zensus 2022: Personen nach Alter und Einwanderungsgeschichte, Deutschland und Länder",
        ),
        SourceTable(
            "12531-0043", "destatis",
            "Schutzsuchende nach Kreisen, Schutzstatus, Geschlecht und Staatsangehörigkeit, 31.12.",
        ),
        SourceTable(
            "12511-04-01-4", "regio",
            "Einbürgerungen nach Staatsangehörigkeit, Kreise, Jahr (ab 2011)",
        ),
        SourceTable(
            "12511-01-01-4", "regio", "Einbürgerungen nach Kontinenten, Kreise, Jahr (2011–2017)"
        ),
        SourceTable(
            "migr_asyappctza", "eurostat",
            "Asylbewerber und Erstantragsteller nach Staatsangehörigkeit, Alter, Geschlecht; jährlich",
            params={"geo": "DE", "citizen": "TOTAL", "sex": "T", "age": "TOTAL", "unit": "PER"},
        ),
        # Urban Audit: the total population is in urb_cpop1 (age and sex), the split by
        # citizenship in urb_cpopcb. City codes from reference/eurostat_cities.csv, unconfirmed;
        # the story checks each against the response's `cities` dimension.
        SourceTable(
            "urb_cpop1", "eurostat",
            "Urban Audit: Bevölkerung am 1. Januar nach Altersgruppen und Geschlecht, Städte",
            params={"cities": list(URBAN_AUDIT_CITIES)}, unconfirmed=True,
        ),
        SourceTable(
            "urb_cpopcb", "eurostat",
            "Urban Audit: Bevölkerung nach Staatsangehörigkeit und Geburtsland, Städte",
            params={"cities": list(URBAN_AUDIT_CITIES)}, unconfirmed=True,
        ),
    )
}

STORIES: tuple[Story, ...] = (
    Story("01-wer-lebt-in-der-stadt", "Wer lebt in der Stadt?", "01_wer_lebt_in_der_stadt.py",
          ("12411-01-01-4", "12411-03-03-4", "12111-07-01-4", "1000A-2022"),
          optional_tables=("urb_cpop1", "urb_cpopcb")),
    Story("02-schutzsuchende", "Schutzsuchende: vom ersten Tag an", "02_schutzsuchende.py",
          ("12531-0043", "12411-01-01-4")),
    Story("03-jung-und-hier", "Jung und hier", "03_jung_und_hier.py", ("12411-03-03-4",)),
    Story("04-einbuergerungen", "Einbürgerungen", "04_einbuergerungen.py",
          ("12511-04-01-4", "12511-01-01-4", "12411-03-03-4")),
    Story("05-debatte-und-zahlen", "Die Debatte und die Zahlen", "05_debatte_und_zahlen.py",
          ("migr_asyappctza",)),
)


def story(slug: str) -> Story:
    from krefeld_data.errors import KrefeldDataError

    for item in STORIES:
        if item.slug == slug or item.slug.split("-", 1)[-1] == slug:
            return item
    known = ", ".join(s.slug for s in STORIES)
    raise KrefeldDataError(f"unknown story {slug!r}; stories: {known}")


def describe_sources() -> str:
    """The table behind ``krefeld-data sources``: what each story needs and what is stored."""
    from krefeld_data.raw.store import RawStore

    store = RawStore()
    lines = [f"Raw store: {store.root}", ""]
    for table in SOURCE_TABLES.values():
        db = get_database(table.database)
        snap = store.latest(table.code)
        stored = (
            f"stored {snap.provenance.accessed_date} ({snap.provenance.origin})" if snap else "missing"
        )
        users = [s.slug for s in STORIES if table.code in s.tables]
        users += [f"{s.slug} (optional)" for s in STORIES if table.code in s.optional_tables]
        account = "account needed" if table.needs_account else "no account"
        flag = " [unconfirmed]" if table.unconfirmed else ""
        lines.append(f"{table.code:<16} {db.label} ({account}){flag}: {stored}")
        lines.append(f"{'':<16} {table.description}")
        lines.append(f"{'':<16} used by: {', '.join(users) or '-'}")
    return "\n".join(lines)
