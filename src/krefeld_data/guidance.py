"""The one next step when tables are missing: which free account, and the one line to set.

``fetch``, ``build`` and ``report`` all end with it, so a newcomer without an account
is told exactly one thing to do, chosen to unlock the most missing tables. Where a keyless
table stands in for a missing one (the Landesdatenbank NRW's downloads), the step also says
plainly for which cities that helps and for which it does not (Freiburg lies in
Baden-Württemberg, outside the Landesdatenbank NRW).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from krefeld_data import config
from krefeld_data.catalog import DEFAULT_CITIES, SOURCE_TABLES, STORIES, alternatives
from krefeld_data.errors import KrefeldDataError
from krefeld_data.raw.databases import get_database
from krefeld_data.regions.registry import region


def database_of(code: str, default: str = "regio") -> str:
    table = SOURCE_TABLES.get(code)
    return table.database if table else default


def lacks_credentials(database: str) -> bool:
    """A database that needs an account and has none configured."""
    if get_database(database).kind != "genesis":
        return False
    try:
        return config.genesis_credentials(database, required=False) is None
    except KrefeldDataError:  # e.g. a user without a password: still not usable
        return True


def stories_unlocked(database: str, missing: Iterable[str]) -> list[str]:
    """Stories whose only missing tables come from ``database``."""
    missing = set(missing)
    return [
        s.slug for s in STORIES
        if (need := missing & set(s.tables)) and all(database_of(c) == database for c in need)
    ]


def keyless_coverage(missing_codes: Iterable[str], cities: Sequence[str] | None = None) -> str | None:
    """For missing account-only tables with a keyless stand-in: the cities it covers and those it
    does not, in one sentence; ``None`` where no missing table has a stand-in.

    ``cities``: keys or names (default: the story cities). A stand-in from a Land database
    (Landesdatenbank NRW) holds that Land's regions only.
    """
    missing = list(dict.fromkeys(missing_codes))
    stand_ins = {code: [t for t in alternatives(code) if get_database(t.database).has_keyless_download]
                 for code in missing}
    stand_ins = {code: tables for code, tables in stand_ins.items() if tables}
    if not stand_ins:
        return None
    places = [region(c) for c in (DEFAULT_CITIES if cities is None else cities)]
    sentences = []
    for database in dict.fromkeys(t.database for tables in stand_ins.values() for t in tables):
        db = get_database(database)
        ours = {code: [t.code for t in tables if t.database == database]
                for code, tables in stand_ins.items()}
        replaced = [code for code, codes in ours.items() if codes]
        used = list(dict.fromkeys(c for code in replaced for c in ours[code]))
        inside = [p for p in places if not db.land_code or p.land_code == db.land_code]
        outside = [p for p in places if p not in inside]
        text = (f"Without an account, {', '.join(used)} of the {db.label} (no account needed) "
                f"stand in for part of {', '.join(replaced)}")
        if inside:
            text += f" for {_names(inside)}"
        if outside:
            lands = {p.land_name for p in outside if p.land_name}
            where = f" ({', '.join(sorted(lands))})" if lands else ""
            text += (f"; they hold nothing for {_names(outside)}{where}, outside the {db.label}: "
                     f"{'its' if len(outside) == 1 else 'their'} figures need the account")
        sentences.append(text + ".")
    return " ".join(sentences)


def _names(places: Sequence) -> str:
    names = [p.short_name for p in places]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def next_step(missing_codes: Iterable[str], databases: dict[str, str] | None = None,
              cities: Sequence[str] | None = None) -> str | None:
    """One precise next step for the missing tables, or ``None`` when nothing is missing.

    ``databases`` names the database of codes that are not in the catalogue; ``cities`` the
    cities the pages are for (default: the story cities), for what a keyless stand-in covers.
    """
    missing = list(dict.fromkeys(missing_codes))
    if not missing:
        return None
    databases = databases or {}

    def source(code: str) -> str:
        return databases.get(code) or database_of(code)

    locked = Counter(source(c) for c in missing if lacks_credentials(source(c)))
    if locked:
        # The account that unlocks the most tables; ties go to the one finishing more stories.
        database = max(
            locked, key=lambda db: (locked[db], len(stories_unlocked(db, missing)), db == "regio")
        )
        db = get_database(database)
        count = locked[database]
        step = (
            f"Next step: register for a free account of {db.label} at {db.registration_url}, "
            f"then set {config.credential_assignment(database)} in the environment or in "
            f"{config.user_config_path()} (chmod 600), and run `make report` again. "
            f"That unlocks {count} of the {len(missing)} missing table(s)."
        )
        coverage = keyless_coverage([c for c in missing if source(c) == database], cities)
        return f"{step} {coverage}" if coverage else step
    codes = ", ".join(missing)
    return (
        f"Next step: {codes} could not be fetched although no account is missing; check the "
        f"internet connection and run `make report` again (or download the table from the "
        f"office's website and run `krefeld-data import FILE`)."
    )


# ---------------------------------------------------------------- how to get a table

def fetch_command(code: str) -> str:
    table = SOURCE_TABLES.get(code)
    return f"`krefeld-data fetch {code} --db {table.database if table else 'DB'}`"


def account_hints(codes: Iterable[str]) -> list[str]:
    """For each database among ``codes`` that needs an account and has no credentials: how."""
    databases = dict.fromkeys(t.database for c in codes if (t := SOURCE_TABLES.get(c)))
    return [config.missing_credentials_message(db) for db in databases if lacks_credentials(db)]


def how_to_get(codes: Sequence[str]) -> str:
    """How to get missing tables: the commands, plus the account hint where one is needed."""
    step = f"get {'it' if len(codes) == 1 else 'them'} with " + ", ".join(fetch_command(c) for c in codes)
    step += " or `krefeld-data import FILE`"
    hints = account_hints(codes)
    return step + (f" ({'; '.join(hints)})" if hints else "")


def index_message(missing: list[str]) -> str:
    """What the index page says about a story without its data (readers' language: German)."""
    tables = ", ".join(missing)
    noun = "die Tabelle" if len(missing) == 1 else "die Tabellen"
    commands = ", ".join(fetch_command(c).strip("`") for c in missing)
    return f"es fehlt {noun} {tables}; abrufen mit {commands} oder krefeld-data import DATEI"
