"""What the stories need: every source table, where it comes from, and which story uses it.

``krefeld-data sources`` prints this; ``krefeld-data fetch`` fetches it; the build checks it
before running a story. A new story adds its tables here and a :class:`Story` entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from krefeld_data.raw.databases import get_database
from krefeld_data.regions.registry import region
from krefeld_data.regions.urban_audit import city_code


@dataclass(frozen=True)
class SourceTable:
    """One table (GENESIS) or dataset query (Eurostat) the stories rely on."""

    code: str
    database: str  # destatis, regio, nrw, zensus, eurostat
    description: str
    params: dict[str, Any] = field(default_factory=dict)  # extra query parameters
    unconfirmed: bool = False  # [U] in SOURCES.md: check with `krefeld-data search` first
    # Account-only tables this one can stand in for where they are missing (e.g. a keyless
    # Landesdatenbank NRW table for a Regionaldatenbank table; NRW regions only).
    alternative_for: tuple[str, ...] = ()
    # The stories run without it (better evidence where stored): a failed fetch is no failure.
    optional: bool = False

    @property
    def needs_account(self) -> bool:
        db = get_database(self.database)
        return db.kind == "genesis" and not db.has_keyless_download

    @property
    def is_core(self) -> bool:
        """A table the stories are built on: neither a stand-in nor optional."""
        return not self.optional and not self.alternative_for

    @property
    def may_fail(self) -> bool:
        """Whether a failed fetch of it leaves the stories as they were (optional or a stand-in)."""
        return self.optional or bool(self.alternative_for)


@dataclass(frozen=True)
class Story:
    """One reader page: a notebook and the tables it needs.

    ``tables`` are the tables the story reads; ``required`` says which of them it cannot do
    without (the claim cannot be tested): the build runs the story as soon as those are stored,
    and the notebook says per section what else is missing. An entry of ``required`` is a code,
    or a tuple of codes of which any one will do (story 4 tests naturalisations from either
    naturalisation table). ``required=None`` keeps the old meaning: every one of ``tables``.
    """

    slug: str  # file name of the page: reports/<slug>.html
    title: str
    notebook: str  # file in notebooks/ (jupytext percent .py twin of the .ipynb)
    tables: tuple[str, ...]  # codes from SOURCE_TABLES the story reads
    optional_tables: tuple[str, ...] = ()  # used when stored (a section shows or says why not)
    required: tuple[str | tuple[str, ...], ...] | None = None  # default: all of ``tables``
    facts: str = ""  # a facts module outside the package (scaffolded stories): part of the build key

    @property
    def required_tables(self) -> tuple[str | tuple[str, ...], ...]:
        return self.tables if self.required is None else self.required

    @property
    def all_tables(self) -> tuple[str, ...]:
        """Every table the story may read, required or not (for cache keys and provenance)."""
        return tuple(dict.fromkeys((*self.tables, *self.optional_tables)))

    def missing_required(self, is_stored) -> list[str]:
        """Codes the story cannot be built without that ``is_stored(code)`` says are missing.

        For an any-of entry where none is stored, every code of it is named (any one would do).
        """
        missing: list[str] = []
        for entry in self.required_tables:
            group = (entry,) if isinstance(entry, str) else tuple(entry)
            if not any(is_stored(code) for code in group):
                missing.extend(code for code in group if code not in missing)
        return missing


# Cities the column names as doing the same (AGS Kreis keys); NRW and Germany as context.
DEFAULT_CITIES = ("05114", "05111", "05124", "08311")
DEFAULT_CONTEXT = ("05", "DG")
# Eurostat Urban Audit codes of the same cities (DE087C, …), from reference/eurostat_cities.csv,
# built from a real Data Browser export of urb_cpop1 (real sample 39). A city without one is left out.
URBAN_AUDIT_CITIES = tuple(code for key in DEFAULT_CITIES if (code := city_code(key)))

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
        # citizenship in urb_cpopcb. The city codes (DE087C Krefeld, DE011C Düsseldorf, DE124C
        # Wuppertal, DE025C Freiburg) are confirmed by a real urb_cpop1 export (real sample 39),
        # and so is urb_cpop1 itself; urb_cpopcb's layout has not been seen in a real response.
        # The story still checks each code against the response's `cities` dimension.
        SourceTable(
            "urb_cpop1", "eurostat",
            "Urban Audit: Bevölkerung am 1. Januar nach Altersgruppen und Geschlecht, Städte",
            params={"cities": list(URBAN_AUDIT_CITIES)},
        ),
        SourceTable(
            "urb_cpopcb", "eurostat",
            "Urban Audit: Bevölkerung nach Staatsangehörigkeit und Geburtsland, Städte",
            params={"cities": list(URBAN_AUDIT_CITIES)}, unconfirmed=True,
        ),
        # Landesdatenbank NRW, fetched without an account (keyless download of the classic table):
        # stand-ins for account-only tables, for the regions of NRW only. 12521-03i is confirmed
        # by a real download (real sample 37); 12411-15i and 12411-09i are real codes of the
        # Landesdatenbank whose layout has not been seen here.
        SourceTable(
            "12411-15i", "nrw",
            "Landesdatenbank NRW: Fläche, Bevölkerung und Bevölkerungsdichte, Gemeinden, 31.12.",
            unconfirmed=True, alternative_for=("12411-01-01-4",),
        ),
        SourceTable(
            "12411-09i", "nrw",
            "Landesdatenbank NRW: Bevölkerung nach Einzelaltersjahren und Geschlecht, 31.12. "
            "(Alter, nicht Nationalität)",
            unconfirmed=True, alternative_for=("12411-03-03-4",),
        ),
        SourceTable(
            "12521-03i", "nrw",
            "Landesdatenbank NRW: Ausländische Bevölkerung nach Geschlecht und Staatsangehörigkeiten "
            "(AZR), kreisfreie Städte und Kreise, 31.12. (Ausländer, nicht Altersgruppen)",
            alternative_for=("12411-03-03-4",),
        ),
        # Better evidence on the "duration of stay" argument (issue 14, section 4): optional,
        # unconfirmed until a real response confirms code and layout.
        SourceTable(
            "12531-0006", "destatis",
            "Schutzsuchende nach Schutzstatus und Aufenthaltsdauer, Deutschland, 31.12.",
            unconfirmed=True, optional=True,
        ),
        SourceTable(
            "12531-0025", "destatis",
            "Schutzsuchende nach Schutzstatus und Aufenthaltsdauer, Bundesländer, 31.12.",
            unconfirmed=True, optional=True,
        ),
        SourceTable(
            "12521-0006", "destatis",
            "Ausländer nach Aufenthaltsdauer, Deutschland, 31.12.",
            unconfirmed=True, optional=True,
        ),
    )
}


def alternatives(code: str) -> list[SourceTable]:
    """The tables that can stand in for ``code`` where it is missing (keyless, NRW only)."""
    return [t for t in SOURCE_TABLES.values() if code in t.alternative_for]

STORIES: tuple[Story, ...] = (
    # Who lives in the city: any one of the population tables answers part of it.
    Story("01-wer-lebt-in-der-stadt", "Wer lebt in der Stadt?", "01_wer_lebt_in_der_stadt.py",
          ("12411-01-01-4", "12411-03-03-4", "12111-07-01-4", "1000A-2022"),
          optional_tables=("urb_cpop1", "urb_cpopcb", "12521-03i"),
          required=(("12411-03-03-4", "12111-07-01-4", "1000A-2022", "12411-01-01-4", "12521-03i"),)),
    # Both: the status dataset (open / recognised / rejected, per 1,000) is made from the two.
    Story("02-schutzsuchende", "Schutzsuchende: vom ersten Tag an", "02_schutzsuchende.py",
          ("12531-0043", "12411-01-01-4")),
    # Young people: the census 2011 migration background by age, the passport view beside it.
    Story("03-jung-und-hier", "Jung und hier", "03_jung_und_hier.py", ("12111-07-01-4", "12411-03-03-4"),
          required=(("12111-07-01-4", "12411-03-03-4"),)),
    # Naturalisations from either table (real sample 08 alone has 2011–2016 by continent).
    Story("04-einbuergerungen", "Einbürgerungen", "04_einbuergerungen.py",
          ("12511-04-01-4", "12511-01-01-4", "12411-03-03-4"),
          required=(("12511-04-01-4", "12511-01-01-4"),)),
    Story("05-debatte-und-zahlen", "Die Debatte und die Zahlen", "05_debatte_und_zahlen.py",
          ("migr_asyappctza",)),
)


# ---------------------------------------------------------------- the user catalogue

USER_CATALOGUE = "stories.toml"  # in the project folder; written by `krefeld-data new-story`


@dataclass(frozen=True)
class UserDataset:
    """A generic tidy dataset of one table, declared in the user catalogue for a new story."""

    name: str
    title: str
    table: str
    story: str
    description: str


@dataclass(frozen=True)
class UserCatalogue:
    tables: tuple[SourceTable, ...] = ()
    stories: tuple[Story, ...] = ()
    datasets: tuple[UserDataset, ...] = ()


def user_catalogue_path() -> Path:
    """``stories.toml`` in the project folder (beside ``notebooks/``)."""
    from krefeld_data import config

    return config.project_dir() / USER_CATALOGUE


def read_user_catalogue(path: Path | None = None) -> UserCatalogue:
    """Stories, tables and datasets added without editing this module (``krefeld-data new-story``).

    A story scaffolded in a project folder must reach ``sources``, ``fetch`` and ``build`` like
    the built-in ones; code that rewrites this file would be fragile, a TOML file is not.
    """
    import tomllib

    from krefeld_data.errors import ConfigError

    path = path or user_catalogue_path()
    if not path.is_file():
        return UserCatalogue()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        tables = tuple(
            SourceTable(str(t["code"]), str(t["database"]), str(t.get("description", t["code"])))
            for t in data.get("tables", [])
        )
        stories = tuple(
            Story(str(s["slug"]), str(s["title"]), str(s["notebook"]), tuple(s["tables"]),
                  optional_tables=tuple(s.get("optional_tables", ())), facts=str(s.get("facts", "")))
            for s in data.get("stories", [])
        )
        datasets = tuple(
            UserDataset(str(d["name"]), str(d["title"]), str(d["table"]), str(d["story"]),
                        str(d.get("description", "")))
            for d in data.get("datasets", [])
        )
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"user catalogue {path} cannot be read: {exc}") from None
    except (KeyError, TypeError) as exc:
        raise ConfigError(f"user catalogue {path}: an entry lacks the field {exc}") from None
    for table in tables:
        get_database(table.database)  # an unknown database key fails here, naming the key
    return UserCatalogue(tables, stories, datasets)


def _merge_user_catalogue() -> UserCatalogue:
    from krefeld_data.errors import ConfigError

    user = read_user_catalogue()
    taken = {s.slug for s in STORIES}
    for item in user.stories:
        if item.slug in taken:
            raise ConfigError(f"user catalogue {user_catalogue_path()}: story {item.slug} already exists")
        taken.add(item.slug)
    for table in user.tables:
        SOURCE_TABLES.setdefault(table.code, table)
    return user


BUILTIN_STORIES = STORIES
USER = _merge_user_catalogue()
STORIES = (*BUILTIN_STORIES, *USER.stories)


def story(slug: str) -> Story:
    from krefeld_data.errors import KrefeldDataError

    for item in STORIES:
        if item.slug == slug or item.slug.split("-", 1)[-1] == slug:
            return item
    known = ", ".join(s.slug for s in STORIES)
    raise KrefeldDataError(f"unknown story {slug!r}; stories: {known}")


def _need_word(story: Story, code: str) -> str:
    """How a story needs a table (``krefeld-data sources``): required, one of several, or optional."""
    for entry in story.required_tables:
        if entry == code:
            return ""
        if not isinstance(entry, str) and code in entry:
            others = [c for c in entry if c != code]
            return f" (or {' or '.join(others)})"
    return " (optional)"


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
        users = [f"{s.slug}{_need_word(s, table.code)}" for s in STORIES if table.code in s.all_tables]
        account = "account needed" if table.needs_account else "no account"
        flag = " [unconfirmed]" if table.unconfirmed else ""
        lines.append(f"{table.code:<16} {db.label} ({account}){flag}: {stored}")
        lines.append(f"{'':<16} {table.description}")
        lines.append(f"{'':<16} used by: {', '.join(users) or '-'}")
        if table.alternative_for:
            scope = f" (regions of {region(db.land_code).short_name} only)" if db.land_code else ""
            lines.append(f"{'':<16} stands in for: {', '.join(table.alternative_for)}{scope}")
        elif table.optional:
            lines.append(f"{'':<16} optional: the stories run without it")
    return "\n".join(lines)
