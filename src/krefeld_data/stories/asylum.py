"""Story 5, "Die Debatte und die Zahlen": the facts the page states about asylum applications.

The column criticises the tone of the 2018 debate (K3) and calls European regulation of
migration self-evident (K4). Neither is a count, so both verdicts are „mit amtlichen Daten
nicht prüfbar“; the page shows the numbers the debate was about: first-time asylum applications
per year (Eurostat ``migr_asyappctza``, dataset ``asylerstantraege``). Every sentence here
follows the direction of the change it reports, and a Eurostat flag gets words only where
:mod:`krefeld_data.parse.flags` knows its meaning; a value without a flag is not called final.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from krefeld_data.parse.flags import EUROSTAT_FLAGS, flag_words
from krefeld_data.stories.claims import Verdict
from krefeld_data.util import german

if TYPE_CHECKING:
    import pandas as pd

DATASET = "asylerstantraege"
FIRST_TIME = "NASY_APP"
EU = "EU27_2020"
GEO_NAMES = {"DE": "Deutschland", EU: "der EU"}  # German names of Eurostat geo codes on the page
# [V] CLAIMS.md (K3): about a fifth of the first-time applications in Germany in 2018 were for
# children born in Germany; a documented fact for that year and country only, not a data value.
CHILDREN_BORN_HERE = {("DE", 2018): "etwa ein Fünftel"}


def geo_name(geo: str, frame: pd.DataFrame | None = None) -> str:
    """German name of a Eurostat geo code, else the name as published, else the code."""
    if geo in GEO_NAMES:
        return GEO_NAMES[geo]
    if frame is not None and "region_name" in frame.columns:
        names = frame.loc[frame["region_code"] == geo, "region_name"]
        if len(names):
            return str(names.iloc[0])
    return geo


def first_time(frame: pd.DataFrame, geo: str) -> pd.DataFrame:
    """First-time applications of ``geo`` per year with a number, with the change on the year before.

    Columns: year, value, quality, change (NaN where the year before has no number).
    """
    rows = frame[(frame["region_code"] == geo) & (frame["applicant_type"] == FIRST_TIME)]
    rows = rows.dropna(subset=["value"]).sort_values("year")
    result = rows[["year", "value", "quality"]].reset_index(drop=True)
    previous = result.set_index("year")["value"]
    result["change"] = [
        value / previous[year - 1] - 1 if previous.get(year - 1) else float("nan")
        for year, value in zip(result["year"], result["value"], strict=True)
    ]
    result.attrs = dict(frame.attrs)
    return result


@dataclass(frozen=True)
class DebateYear:
    """The figures behind the sentences about one year."""

    year: int
    value: float
    change: float | None  # against the year before; None where it has no number
    peak_year: int
    peak_value: float
    quality: str

    @property
    def share_of_peak(self) -> float:
        return self.value / self.peak_value

    @property
    def direction(self) -> str:
        """``gesunken``, ``gestiegen``, ``unverändert`` or ``""`` (no year before)."""
        if self.change is None:
            return ""
        return "gesunken" if self.change < 0 else "gestiegen" if self.change > 0 else "unverändert"


def debate_year(series: pd.DataFrame, year: int) -> DebateYear | None:
    """The figures of ``year`` in a :func:`first_time` series (``None`` where it has no number)."""
    by_year = series.set_index("year")
    if year not in by_year.index:
        return None
    row = by_year.loc[year]
    peak_year = int(by_year["value"].idxmax())
    change = row["change"]
    return DebateYear(int(year), float(row["value"]), None if change != change else float(change),
                      peak_year, float(by_year.loc[peak_year, "value"]), str(row["quality"] or ""))


def debate_text(facts: DebateYear, place: str) -> str:
    """The sentences about the debate year; the trend words follow the change, never a threshold."""
    text = (f"{facts.year} stellten in {place} **{german.number(facts.value)}** Menschen erstmals einen "
            "Asylantrag")
    if facts.direction in ("gesunken", "gestiegen"):
        word = "weniger" if facts.direction == "gesunken" else "mehr"
        text += f", {german.percent(abs(facts.change))} {word} als im Jahr davor."
    elif facts.direction == "unverändert":
        text += ", so viele wie im Jahr davor."
    else:
        text += "; für das Jahr davor hat die Tabelle keine Zahl."
    if facts.peak_year == facts.year:
        text += " Das war der Höchststand der Reihe."
        return text
    text += (f" Der Höchststand der Reihe lag {facts.peak_year} bei {german.number(facts.peak_value)}; "
             f"{facts.year} waren es {german.percent(facts.share_of_peak)} davon.")
    if facts.direction == "gesunken":
        text += " Die Debatte fiel in ein Jahr sinkender Antragszahlen."
    elif facts.direction == "gestiegen":
        text += f" Die Zahl stieg {facts.year} wieder, blieb aber unter dem Höchststand."
    return text


def flag_text(year: int, value: float, quality: str) -> str:
    """What Eurostat's flag on a value says, in words it documents; no flag is not "final"."""
    head = f"Der neueste Wert ({year}: {german.number(value)})"
    if not quality:
        return f"{head} trägt kein Kennzeichen von Eurostat."
    if not any(letter in EUROSTAT_FLAGS for letter in quality):
        return (f"{head} trägt bei Eurostat das Kennzeichen „{quality}“, so wie veröffentlicht; seine "
                "Bedeutung ist hier nicht hinterlegt.")
    return f"{head} trägt bei Eurostat das Kennzeichen „{quality}“: {flag_words(quality)}."


def children_text(geo: str, year: int) -> str:
    """First-time applications include children born in the country: always said, quantified where known."""
    share = CHILDREN_BORN_HERE.get((geo, year))
    text = ("Erstanträge sind nicht gleich neu eingereiste Menschen: Auch für in Deutschland geborene "
            "Kinder von Asylsuchenden wird ein Erstantrag gestellt.")
    if share:
        text += f" {year} betraf das {share} der Erstanträge in Deutschland."
    return text


def eu_share(frame: pd.DataFrame, geo: str, year: int) -> float | None:
    """``geo``'s share of all first-time applications in the EU in ``year``, where both are stored."""
    rows = frame[(frame["applicant_type"] == FIRST_TIME) & (frame["year"] == year)].dropna(subset=["value"])
    values = rows.set_index("region_code")["value"]
    if geo not in values.index or EU not in values.index or not values[EU]:
        return None
    return float(values[geo] / values[EU])


def eu_text(frame: pd.DataFrame, geo: str, year: int, place: str) -> str:
    """K4's context: the share of the EU's first-time applications, or how to get it."""
    share = eu_share(frame, geo, year)
    if share is None:
        return (f"Welchen Anteil {place} an allen Erstanträgen in der EU hatte, zeigt dieselbe "
                f"Eurostat-Tabelle, wenn sie auch für die EU ({EU}) abgerufen ist; die gespeicherte Abfrage "
                f"hat dafür keine Zahl für {year}.")
    return f"{year} entfielen {german.percent(share)} aller Erstanträge in der EU auf {place}."


def verdicts(facts: DebateYear | None, place: str, eu: float | None) -> list[Verdict]:
    """K3 (the tone of a debate) and K4 (an opinion): neither is a count."""
    numbers: tuple[str, ...] = ()
    if facts is None:
        k3_reason = ("Wie eine Debatte geprägt ist, zählt keine Statistik; die gespeicherte Tabelle hat "
                     "für das Jahr der Debatte nicht einmal die Zahl der Erstanträge.")
    else:
        trend = {"gesunken": "weniger als im Jahr davor", "gestiegen": "mehr als im Jahr davor",
                 "unverändert": "so viele wie im Jahr davor"}.get(facts.direction, "")
        k3_reason = (f"Wie eine Debatte geprägt ist, zählt keine Statistik; die Zahlen, um die sie ging, "
                     f"zeigen für {place} {facts.year} {german.number(facts.value)} Erstanträge"
                     f"{', ' + trend if trend else ''}.")
        numbers = (f"Erstanträge {facts.year}: {german.number(facts.value)}",
                   f"Höchststand {facts.peak_year}: {german.number(facts.peak_value)}")
    k4_reason = "Ob Zuwanderung einer europäischen Regulierung bedarf, ist eine Meinung, keine Zahl"
    k4_numbers: tuple[str, ...] = ()
    if eu is not None and facts is not None:
        k4_reason += f"; {facts.year} entfielen {german.percent(eu)} aller Erstanträge in der EU auf {place}."
        k4_numbers = (f"Anteil an der EU {facts.year}: {german.percent(eu)}",)
    else:
        k4_reason += "."
    return [Verdict("K3", "mit amtlichen Daten nicht prüfbar", k3_reason, numbers),
            Verdict("K4", "mit amtlichen Daten nicht prüfbar", k4_reason, k4_numbers)]
