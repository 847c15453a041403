"""Story 2, "Schutzsuchende: vom ersten Tag an": the facts the page states, from loaded datasets.

The notebook loads ``schutzsuchende_status`` and ``schutzsuchende_staatsangehoerigkeit``
(:func:`krefeld_data.datasets.load`); the functions here turn those frames into the figures a
sentence states, so each figure is tested once. Every count is a sum of cells the office rounded
to multiples of 5, so text uses :func:`people` („rund 10.700“, „weniger als 50“).

The 2024 snapshot mixes people under temporary protection (§ 24 AufenthG, since 2022, nearly all
from Ukraine, who never went through asylum reception) with the asylum route. The table has no
§ 24 category, so the figures "ohne ukrainische Staatsangehörigkeit" are the closest split it
offers; the page says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from krefeld_data.datasets import document
from krefeld_data.errors import KrefeldDataError
from krefeld_data.stories.claims import Verdict
from krefeld_data.util import german

if TYPE_CHECKING:
    import pandas as pd

PROTECTION, POPULATION = "12531-0043", "12411-01-01-4"
STATUS_DATASET = "schutzsuchende_status"
CITIZENSHIP_DATASET = "schutzsuchende_staatsangehoerigkeit"
GROUPS = ("offen", "anerkannt", "abgelehnt")
COLUMN_YEAR = 2018  # the column appeared in September 2018 (COLUMN.md)
SMALL = 50  # below this a sum of rounded cells is not stated as a count
# Tables with the duration of stay [U] (CLAIMS.md, issue 14 §4): what they would show.
DURATION_TABLES = {
    "12531-0006": "Deutschland",
    "12531-0025": "die Länder",
}
# [V] CLAIMS.md: AnkER centres opened on 1 August 2018 in these Länder only.
ANKER_OPENED = "1. August 2018"
ANKER_LAENDER = {"09": "Bayern", "14": "Sachsen", "10": "Saarland"}
ANKER_WHERE = "Bayern, Sachsen und im Saarland"


def people(value: float | None) -> str:
    """A sum of cells rounded to 5, for text: „rund 10.700“, „rund 380“, „weniger als 50“."""
    if value is None or value != value:
        return german.NONE
    if value < SMALL:
        return f"weniger als {SMALL}"
    return german.rounded(value, 100 if value >= 1000 else 10)


def region_name(key: str, frame: pd.DataFrame | None = None) -> str:
    """The short name of a region: from the data where it has the region, else the registry."""
    if frame is not None and "region_key" in frame.columns:
        names = frame.loc[frame["region_key"].astype(str) == key, "region"]
        if len(names):
            return str(names.iloc[0])
    from krefeld_data.regions.registry import short_name

    return short_name(key)


def region_keys(regions: Iterable[str]) -> list[str]:
    """Kreis/Land keys for keys or names the registry resolves (``"Duisburg"`` → ``05112``), in order."""
    from krefeld_data.regions.registry import normalise_code, region

    keys: list[str] = []
    for item in regions:
        text = str(item).strip()
        try:
            key = normalise_code(text)
        except KrefeldDataError:  # a name, not a code: the registry resolves it or says why
            key = normalise_code(region(text).code)
        if key not in keys:
            keys.append(key)
    return keys


def latest_date(status: pd.DataFrame) -> pd.Timestamp | None:
    """The newest reference date with a number (``None`` for an empty frame)."""
    dates = status.loc[status["value"].notna(), "date"].dropna()
    return None if dates.empty else dates.max()


def totals(status: pd.DataFrame, date: pd.Timestamp | None = None) -> pd.DataFrame:
    """All protection seekers per region on ``date`` (default: the newest), with and without Ukrainians.

    Total = offen + anerkannt + abgelehnt (the level-1 cut, the top of the status tree).
    Columns: region_key, region, date, value, ukrainian, without_ukrainian, ukrainian_share,
    population, per_1000, per_1000_without_ukrainian. A region whose population is missing keeps
    its row (rates NaN); ``attrs["missing_population"]`` names those regions.
    """
    date = latest_date(status) if date is None else date
    rows = status[(status["level"] == 1) & (status["date"] == date)]
    result = (rows.groupby(["region_key", "region", "date"], observed=True, sort=False, dropna=False)
              .agg(value=("value", "sum"), ukrainian=("ukrainian", "sum"),
                   without_ukrainian=("without_ukrainian", "sum"), population=("population", "first"))
              .reset_index())
    result["ukrainian_share"] = result["ukrainian"] / result["value"]
    result["per_1000"] = result["value"] / result["population"] * 1000
    result["per_1000_without_ukrainian"] = result["without_ukrainian"] / result["population"] * 1000
    result.attrs = dict(status.attrs)
    document(result,
             value="Schutzsuchende insgesamt (offen, anerkannt und abgelehnt; Summe auf 5 gerundeter Werte)",
             ukrainian_share="berechnet: Anteil mit ukrainischer Staatsangehörigkeit "
                             "(ukrainian / value, 0 bis 1)",
             per_1000_without_ukrainian="berechnet: Schutzsuchende ohne ukrainische Staatsangehörigkeit "
                                        "je 1.000 Einwohner (without_ukrainian / population × 1.000)")
    result.attrs["missing_population"] = result.loc[result["population"].isna(), "region_key"].tolist()
    return result


def missing_population_text(table: pd.DataFrame) -> str:
    """One sentence naming each region without a population figure on the date, or ``""``."""
    keys = table.attrs.get("missing_population") or []
    if not keys:
        return ""
    names = ", ".join(region_name(k, table) for k in keys)
    date = german.day(table["date"].iloc[0])
    verb = "fehlt" if len(keys) == 1 else "fehlen"
    return (f"Für {names} {verb} in Tabelle {POPULATION} die Einwohnerzahl am {date}; die Zahl je "
            f"1.000 Einwohner ist dort nicht berechenbar, die Zahl der Schutzsuchenden steht trotzdem hier.")


def rank_of(table: pd.DataFrame, key: str, column: str = "per_1000") -> tuple[int, int] | None:
    """(place, of how many) of ``key`` by ``column``, descending; ``None`` where its value is missing."""
    ranked = table.dropna(subset=[column]).sort_values(column, ascending=False, kind="stable")
    keys = ranked["region_key"].astype(str).tolist()
    return (keys.index(key) + 1, len(keys)) if key in keys else None


def share_range(table: pd.DataFrame, column: str = "ukrainian_share") -> tuple[float, float]:
    """Smallest and largest share among the regions of ``table``."""
    values = table[column].dropna()
    return float(values.min()), float(values.max())


def group_shares(status: pd.DataFrame, key: str, date: pd.Timestamp | None = None) -> pd.DataFrame:
    """Offen / anerkannt / abgelehnt of one region: counts and shares, with and without Ukrainians.

    Columns: group, value, share, without_ukrainian, share_without_ukrainian (index: group).
    """
    date = latest_date(status) if date is None else date
    rows = status[(status["level"] == 1) & (status["date"] == date) & (status["region_key"] == key)]
    result = rows.groupby("group", observed=True)[["value", "without_ukrainian"]].sum()
    result = result.reindex([g for g in GROUPS if g in result.index])
    result["share"] = result["value"] / result["value"].sum()
    result["share_without_ukrainian"] = result["without_ukrainian"] / result["without_ukrainian"].sum()
    return result


def status_detail(status: pd.DataFrame, key: str, level: int = 2,
                  date: pd.Timestamp | None = None) -> pd.DataFrame:
    """One region's rows of the status cut at ``level`` on ``date``."""
    date = latest_date(status) if date is None else date
    rows = status[(status["level"] == level) & (status["date"] == date) & (status["region_key"] == key)]
    return rows.reset_index(drop=True)


def dates_in_year(status: pd.DataFrame, year: int) -> list[pd.Timestamp]:
    """The reference dates of ``year`` that the stored table has."""
    dates = status.loc[status["value"].notna(), "date"].dropna()
    return sorted({d for d in dates if d.year == year})


def stored_dates(status: pd.DataFrame) -> str:
    """The reference dates of the table, for a sentence („31.12.2023 und 31.12.2024“)."""
    dates = sorted(set(status.loc[status["value"].notna(), "date"].dropna()))
    words = [german.day(d) for d in dates]
    return " und ".join([", ".join(words[:-1]), words[-1]]) if len(words) > 1 else "".join(words)


def year_text(status: pd.DataFrame, key: str, year: int) -> str:
    """What the table says about ``year`` (the year of the column), or which dates it has instead."""
    dates = dates_in_year(status, year)
    name = region_name(key, status)
    if not dates:
        return (f"Die gespeicherte Tabelle {PROTECTION} hat keinen Stichtag im Jahr {year} (sie hat: "
                f"{stored_dates(status)}). Wer {year} zeigen will, lädt die Tabelle mit diesem Stichtag bei "
                f"GENESIS-Online herunter und registriert sie mit `krefeld-data import DATEI`.")
    table = totals(status, dates[-1])
    row = table.set_index("region_key").loc[key] if key in set(table["region_key"]) else None
    if row is None:
        return f"Am {german.day(dates[-1])} hat die Tabelle {PROTECTION} keine Zeile für {name}."
    shares = group_shares(status, key, dates[-1])
    open_share = shares["share"].get("offen")
    return (f"Am {german.day(dates[-1])} lebten in {name} {people(row['value'])} Schutzsuchende; bei "
            f"{german.percent(open_share)} war das Verfahren noch offen.")


def anker_context(land_key: str) -> str:
    """The AnkER facts (CLAIMS.md [V]) for the city's Land, in one sentence."""
    from krefeld_data.regions.registry import short_name

    land = short_name(land_key)
    where = (f"{land} gehörte dazu" if land_key in ANKER_LAENDER
             else f"in {land} gab es 2018 also keines")
    return (f"AnkER-Zentren wurden am {ANKER_OPENED} nur in {ANKER_WHERE} eröffnet; {where}. Die „18 Monate“ "
            f"waren eine gesetzliche Höchstdauer für den Aufenthalt in einer Aufnahmeeinrichtung, keine "
            f"gemessene Aufenthaltszeit; keine amtliche Statistik zählt, wie lange Menschen dort tatsächlich "
            f"blieben.")


def duration_text(stored: Sequence[str] = ()) -> str:
    """What the tables with the duration of stay would show, and how to get them."""
    from krefeld_data.guidance import fetch_command

    parts = [f"{code} ({where})" for code, where in DURATION_TABLES.items()]
    missing = [c for c in DURATION_TABLES if c not in stored]
    text = (f"Wie lange Schutzsuchende schon in Deutschland sind, zeigt die Statistik nur für Deutschland "
            f"und die Länder, nicht für Kreise: Tabellen {' und '.join(parts)}, Schutzsuchende nach "
            f"Aufenthaltsdauer (Code und Aufbau sind noch nicht an einer echten Antwort bestätigt). Sie "
            f"würden zeigen, wie viele Menschen mit offenem Schutzstatus schon länger als 18 Monate im Land "
            f"sind.")
    if missing:
        commands = " und ".join(fetch_command(c) for c in missing)
        text += (f" Diese Seite nutzt sie noch nicht. Abrufen mit {commands} (GENESIS-Online, kostenloses "
                 "Konto nötig) oder nach dem Herunterladen mit `krefeld-data import DATEI`.")
    return text


def verdicts(status: pd.DataFrame, key: str) -> list[Verdict]:
    """K1 and K2: neither is a count, so both are „mit amtlichen Daten nicht prüfbar“, with the data."""
    date = latest_date(status)
    name = region_name(key, status)
    table = totals(status, date).set_index("region_key") if date is not None else None
    if table is None or key not in table.index:
        reason = (f"Die Tabelle {PROTECTION} hat keine Zahlen für {name}; ohnehin zählt keine amtliche "
                  "Statistik, wann Integration beginnt oder wie lange Menschen in Aufnahmeeinrichtungen "
                  "bleiben.")
        return [Verdict("K1", "mit amtlichen Daten nicht prüfbar", reason),
                Verdict("K2", "mit amtlichen Daten nicht prüfbar", reason)]
    shares = group_shares(status, key, date)
    day = german.day(date)
    total = table.loc[key, "value"]
    open_share = shares["share"].get("offen")
    k1 = Verdict(
        "K1", "mit amtlichen Daten nicht prüfbar",
        f"Ob Integration vom ersten Tag an einsetzen sollte, ist eine Wertung; die Statistik zeigt nur, "
        f"dass in {name} am {day} bei {german.percent(open_share)} der Schutzsuchenden das Verfahren "
        f"noch offen war.",
        (f"{name}, {day}: {people(total)} Schutzsuchende", f"offen: {people(shares['value'].get('offen'))}"),
    )
    ukrainian = table.loc[key, "ukrainian_share"]
    k2 = Verdict(
        "K2", "mit amtlichen Daten nicht prüfbar",
        "Keine amtliche Statistik zählt Monate in Aufnahmeeinrichtungen, die „18 Monate“ waren eine "
        f"gesetzliche Höchstdauer, und AnkER-Zentren gab es ab dem {ANKER_OPENED} nur in "
        f"{ANKER_WHERE}; in {name} hatten am {day} {german.percent(ukrainian)} der "
        "Schutzsuchenden die ukrainische Staatsangehörigkeit, meist mit vorübergehendem Schutz ohne "
        "Asylverfahren.",
        (f"ukrainische Staatsangehörigkeit: {people(table.loc[key, 'ukrainian'])}",
         f"ohne sie: {people(table.loc[key, 'without_ukrainian'])}"),
    )
    return [k1, k2]


VARIANTS = {"per_1000": "alle Schutzsuchenden",
            "per_1000_without_ukrainian": "ohne ukrainische Staatsangehörigkeit"}


def rate_variants(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`totals` as long rows for a grouped bar chart: one rate with, one without Ukrainians.

    Columns: region_key, region, variant, rate; regions without a rate are left out of the chart
    (the text names them, :func:`missing_population_text`).
    """
    long = table.melt(id_vars=["region_key", "region"], value_vars=list(VARIANTS), var_name="variant",
                      value_name="rate").dropna(subset=["rate"])
    long["variant"] = long["variant"].map(VARIANTS)
    long.attrs = dict(table.attrs)
    document(long, variant="welche Schutzsuchenden gezählt sind: " + " oder ".join(VARIANTS.values()),
             rate="berechnet: Schutzsuchende je 1.000 Einwohner (mit oder ohne ukrainische "
                  "Staatsangehörigkeit, je nach variant)")
    return long.reset_index(drop=True)


def group_table(status: pd.DataFrame, date: pd.Timestamp | None = None) -> pd.DataFrame:
    """Offen / anerkannt / abgelehnt per region on ``date``: columns region_key, region, group, value."""
    date = latest_date(status) if date is None else date
    rows = status[(status["level"] == 1) & (status["date"] == date)]
    result = rows.groupby(["region_key", "region", "group"], observed=True, as_index=False, sort=False)[
        "value"].sum()
    result.attrs = dict(status.attrs)
    return result


def rounded_labels(fig: object) -> object:
    """Bar labels as „rund …“ / „weniger als 50“: the bars are sums of cells rounded to 5.

    The chart kit prints each bar's exact value; for these counts that would present small
    groups as exact. Works on the horizontal and vertical bars of a plotly figure.
    """
    for trace in fig.data:
        if getattr(trace, "type", "") != "bar":
            continue
        values = trace.x if trace.orientation == "h" else trace.y
        trace.text = [people(float(v)) for v in values]
        trace.texttemplate = "%{text}"
    return fig
