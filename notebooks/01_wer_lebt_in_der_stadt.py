# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% tags=["parameters"]
# ruff: noqa: E402  (the imports follow this parameters cell on purpose)
# Stadt und Vergleichsregionen (Kreisschlüssel). Die Seite für eine andere Stadt baut
# `krefeld-data build --city … --compare …`; diese Zeilen sind nur die Voreinstellung.
CITY = "05114"  # Krefeld
COMPARE = ["05111", "05124", "08311"]  # Düsseldorf, Wuppertal, Freiburg im Breisgau
CONTEXT = ["05", "DG"]  # Nordrhein-Westfalen, Deutschland

# %%
from IPython.display import Markdown, display

from krefeld_data import charts, datasets
from krefeld_data.regions.registry import short_name
from krefeld_data.stories import chart_frame, in_percent, number, percent, rounded
from krefeld_data.stories import population as facts
from krefeld_data.stories.claims import show_claim, show_verdict

CITIES = [CITY, *COMPARE]
REGIONS = [*CITIES, *CONTEXT]
name = short_name(CITY)
others = [short_name(key) for key in COMPARE]
charts.set_focus(CITY)
display(Markdown(
    f"# Wer lebt in {name}?\n\n**Die Frage.** Wie viele Menschen leben in {name}, wie groß ist der "
    "Anteil der Ausländerinnen und Ausländer, und wie viele Menschen haben eine Migrations"
    "geschichte – im Vergleich mit " + (", ".join(others) + " und " if others else "")
    + " und ".join(short_name(key) for key in CONTEXT) + "?"
))

# %% [markdown]
# **Die Behauptung.** Die Kolumne von 2018 stellt Krefeld neben andere Städte, die denselben Weg
# gehen:

# %%
show_claim("K5")

# %% [markdown]
# Wie eine Stadt ihre Ämter ordnet, steht in keiner Statistik. Die amtlichen Zahlen zeigen aber,
# wer in den Städten lebt – und damit, ob sie vor vergleichbaren Aufgaben stehen.
#
# **Die Daten.** Die Bevölkerungsfortschreibung der statistischen Ämter (Einwohner am 31.12.,
# Tabellen 12411-01-01-4 und 12411-03-03-4), der Zensus 2011 (Migrationshintergrund, Tabelle
# 12111-07-01-4), der Zensus 2022 (Einwanderungsgeschichte, Tabelle 1000A-2022) und Eurostats
# Städtestatistik (Urban Audit).
#
# ## Einwohnerzahl
#
# Die Linie ist dort unterbrochen, wo die Zahlen auf einer anderen Volkszählung beruhen. Mit einem
# neuen Zensus beginnt die Fortschreibung auf neuer Grundlage; die Ämter haben ihre Zahlen aber
# erst nach und nach umgestellt. Welche Grundlage eine Zahl hat, hängt daher auch davon ab, wann
# sie veröffentlicht wurde. Nur Jahre auf derselben Grundlage sind direkt vergleichbar.

# %%
people, missing_people = datasets.load_or_note("bevoelkerung", REGIONS)
if people is None:
    display(Markdown(f"Für die Einwohnerzahl fehlen die Daten. {missing_people}"))
else:
    shown = people[people["region_key"].isin(CITIES)]
    unsure = any(facts.uncertain_years(shown, key) for key in CITIES)
    fig = charts.line_over_time(
        chart_frame(shown), y="population", title=f"Einwohner von {name} und den Vergleichsstädten",
        subtitle="Bevölkerung am 31.12.; unterbrochen, wo die Zensusgrundlage wechselt"
        + ("; einzeln stehende Punkte: Grundlage unsicher (Zensus 2011 oder 2022)" if unsure else ""),
        breaks=facts.chart_breaks(shown), unit="Personen", focus=CITY,
    )
    charts.show(fig)

# %%
if people is not None:
    latest = facts.latest_value(people, CITY, "population")
    if latest is None:
        display(Markdown(
            f"Die Tabelle 12411-01-01-4 enthält für {name} keine Einwohnerzahl; die gespeicherte "
            "Fassung ist womöglich auf andere Regionen beschränkt (`krefeld-data fetch 12411-01-01-4 "
            "--db regio` holt die ganze Tabelle)."
        ))
    else:
        when = charts.format_date(latest["date"])
        text = [f"Am {when} lebten in {name} **{number(latest['population'])}** Menschen"]
        change = facts.change_on_same_basis(people, CITY)
        if facts.is_uncertain(latest["census_basis"]):
            text.append(
                ". Ob diese Zahl schon auf dem Zensus 2022 beruht oder noch auf dem Zensus 2011, geht aus "
                "der gespeicherten Veröffentlichung nicht hervor; eine Veränderung wird deshalb nicht "
                "berechnet."
            )
        elif change is None:
            text.append(
                f" ({latest['census_basis']}). Es ist die erste Zahl auf dieser Grundlage in der Reihe; "
                "ein Vergleich mit früheren Jahren zeigte vor allem die Umstellung, nicht Zu- oder Wegzüge."
            )
        else:
            text.append(
                f". Seit {change.first_year}, dem ersten Jahr der Reihe auf derselben Grundlage "
                f"({change.basis}), hat sich die Zahl um {percent(change.relative)} verändert."
            )
        unsure_years = facts.uncertain_years(people, CITY)
        if unsure_years and not facts.is_uncertain(latest["census_basis"]):
            text.append(f" Für {', '.join(map(str, unsure_years))} lässt sich nicht erkennen, ob die "
                        "Zahlen auf dem Zensus 2011 oder 2022 beruhen; mit ihnen wird nichts verglichen.")
        for year, old, new in facts.basis_changes(people, CITY):
            if not facts.is_uncertain(old) and not facts.is_uncertain(new):
                text.append(f" Zwischen {year - 1} und {year} wechselt die Grundlage ({old} → {new}); "
                            "der Sprung dort ist keine Veränderung.")
        display(Markdown("".join(text)))

# %% [markdown]
# ## Anteil der Ausländerinnen und Ausländer
#
# Ausländerinnen und Ausländer sind Menschen ohne deutsche Staatsangehörigkeit. Wer eingebürgert
# ist, zählt als deutsch – der Anteil sagt also nichts darüber, wie viele Menschen zugewandert sind.

# %%
foreign, missing_foreign = datasets.load_or_note("auslaenderanteil", REGIONS)
if foreign is None:
    display(Markdown(f"Für den Ausländeranteil fehlen die Daten. {missing_foreign}"))
else:
    shown = chart_frame(in_percent(foreign, "foreign_share"))
    years = sorted(foreign["year"].dropna().unique())
    if len(years) > 1:
        fig = charts.line_over_time(
            shown, y="share_percent", title="Anteil ohne deutsche Staatsangehörigkeit",
            subtitle="in Prozent der Einwohner am 31.12.",
            breaks=facts.chart_breaks(foreign, "foreign_share"), value_format=",.1f", unit="Prozent",
            focus=CITY,
        )
    else:  # a single year: bars, not a line of single dots
        fig = charts.compare_cities(
            shown, value="share_percent", title="Anteil ohne deutsche Staatsangehörigkeit",
            subtitle=f"in Prozent der Einwohner am 31.12.{int(years[0])}", value_format=",.1f",
            unit="Prozent", focus=CITY,
        )
    charts.show(fig)

# %%
shares_by_city: dict[str, float] = {}
if foreign is not None:
    newest = facts.on_date(foreign, "foreign_share")
    by_key = newest.set_index("region_key")
    shares_by_city = {short_name(k): by_key.loc[k, "foreign_share"] for k in CITIES if k in by_key.index}
    if CITY not in by_key.index:
        display(Markdown(
            f"Die Tabelle 12411-03-03-4 enthält für {name} keinen Ausländeranteil "
            "(`krefeld-data fetch 12411-03-03-4 --db regio` holt die ganze Tabelle)."
        ))
    else:
        year = int(by_key.loc[CITY, "year"])
        lines = [f"Ende {year} hatten in {name} **{percent(by_key.loc[CITY, 'foreign_share'])}** der "
                 "Einwohner keinen deutschen Pass"]
        first = facts.region_series(foreign, CITY, "foreign_share").iloc[0]
        same_basis = str(first["census_basis"]) == str(by_key.loc[CITY, "census_basis"])
        if int(first["year"]) != year and same_basis and not facts.is_uncertain(first["census_basis"]):
            lines.append(f" (Ende {int(first['year'])}: {percent(first['foreign_share'])})")
        lines.append(".")
        place = facts.rank_of(newest, CITY, "foreign_share", CITIES)
        if place and place[1] > 1:
            lines.append(f" Unter den {place[1]} Städten steht {name} damit auf Platz {place[0]} "
                         "(Platz 1 = höchster Anteil).")
        for key in CONTEXT:
            if key in by_key.index:
                share = percent(by_key.loc[key, "foreign_share"])
                lines.append(f" Zum Vergleich {short_name(key)}: {share}.")
        display(Markdown("".join(lines)))

# %%
register, missing_register = datasets.load_or_note("auslaender_register_nrw", [CITY])
counted = facts.register_count(register, CITY) if register is not None else None
if counted is not None:
    groups = ", ".join(f"{citizenship} ({rounded(value, 5)})" for citizenship, value in counted.largest)
    display(Markdown(
        f"Das Ausländerzentralregister, eine zweite Zählung, führte am {charts.format_date(counted.date)} "
        f"in {name} {rounded(counted.total)} Ausländerinnen und Ausländer (IT.NRW, Tabelle 12521-03i; "
        f"jeder Wert auf 5 gerundet). Die größten Gruppen: {groups}."
    ))
elif foreign is None and register is None and CITY.startswith("05"):
    display(Markdown("Ohne Zugangsdaten hilft für Nordrhein-Westfalen das Ausländerzentralregister der "
                     f"Landesdatenbank NRW. {missing_register}"))

# %% [markdown]
# ## Migrationshintergrund (Zensus 2011) und Einwanderungsgeschichte (Zensus 2022)
#
# Die beiden Volkszählungen messen Verschiedenes. **Mit Migrationshintergrund** zählte der
# Zensus 2011 alle Ausländerinnen und Ausländer sowie die Deutschen, die nach 1955 in das heutige
# Gebiet Deutschlands zugewandert sind oder mindestens einen Elternteil haben, der zugewandert
# ist. **Mit Einwanderungsgeschichte** zählt der Zensus 2022 Menschen, die selbst zugewandert
# sind oder deren beide Eltern zugewandert sind; wer nur einen zugewanderten Elternteil hat,
# zählt gesondert. Die Zahlen lassen sich daher nicht als Entwicklung lesen. Das Amt hat die
# Zensus-2011-Werte auf Vielfache von 10 gerundet; Summen daraus sind ungefähre Zahlen.

# %%
background, missing_background = datasets.load_or_note("migrationshintergrund_2011", REGIONS)
background_by_city: dict[str, float] = {}
if background is None:
    display(Markdown(f"Für den Migrationshintergrund fehlen die Daten. {missing_background}"))
else:
    everyone = background[background["age_group"] == "Insgesamt"]
    background_by_city = {short_name(k): v for k, v in zip(everyone["region_key"], everyone["share"],
                                                           strict=True) if k in CITIES}
    fig = charts.compare_cities(
        chart_frame(in_percent(everyone, "share")), value="share_percent",
        title="Menschen mit Migrationshintergrund, Zensus 2011",
        subtitle="in Prozent der Bevölkerung in privaten Haushalten am 09.05.2011",
        value_format=",.1f", unit="Prozent", focus=CITY,
    )
    charts.show(fig)
    row = facts.background_share(background, CITY)
    if row is None:
        display(Markdown(f"Die Tabelle 12111-07-01-4 enthält für {name} keine Zahlen."))
    else:
        text = (f"Am 9. Mai 2011 hatten in {name} {percent(row['share'])} der Menschen in privaten "
                f"Haushalten einen Migrationshintergrund, {rounded(row['with_background'])} Personen.")
        if row["status"] == "unreliable":
            text += " Ein Teil der Zellen war zu unsicher, um veröffentlicht zu werden (`/`)."
        display(Markdown(text))

# %%
history, missing_history = datasets.load_or_note("einwanderungsgeschichte_2022", REGIONS)
if history is None:
    display(Markdown(f"Für die Einwanderungsgeschichte fehlen die Daten. {missing_history}"))
elif history.empty:
    display(Markdown("Die gespeicherte Zensus-2022-Tabelle 1000A-2022 enthält keine Region dieser Seite."))
else:
    fig = charts.compare_cities(
        chart_frame(in_percent(history, "share")), value="share_percent",
        title="Menschen mit Einwanderungsgeschichte, Zensus 2022",
        subtitle="in Prozent der Bevölkerung am 15.05.2022", value_format=",.1f", unit="Prozent",
        focus=CITY,
    )
    charts.show(fig)
    by_region = history.set_index("region_key")
    lines = []
    if CITY in by_region.index:
        lines.append(f"Am 15. Mai 2022 hatten in {name} {percent(by_region.loc[CITY, 'share'])} der Menschen "
                     "eine Einwanderungsgeschichte.")
    else:
        lines.append(
            f"Die öffentliche Tabelle 1000A-2022 reicht nur bis zu den Ländern; für {name} zeigt sie keine "
            "Zahl (Kreisergebnisse hat die Zensusdatenbank in eigenen Tabellen)."
        )
    for key in CONTEXT:
        if key in by_region.index:
            lines.append(f"{short_name(key)}: {percent(by_region.loc[key, 'share'])}.")
    display(Markdown(" ".join(lines)))

# %% [markdown]
# ## Der europäische Vergleich: Urban Audit
#
# Eurostat sammelt im „Urban Audit“ Zahlen über Städte in ganz Europa, darunter die Einwohner
# nach Staatsangehörigkeit. Es ist eine eigene Zählung: Stichtag ist der 1. Januar, die Städte
# liefern die Zahlen selbst, und nicht jede Stadt liefert jedes Jahr. Die Anteile weichen daher
# von der Bevölkerungsfortschreibung oben ab.

# %%
from krefeld_data.regions.urban_audit import city_code
from krefeld_data.stories import cities as urban_audit

europe, missing_europe = datasets.load_or_note("urban_audit_staatsangehoerigkeit", CITIES)
if city_code(CITY) is None:
    display(Markdown(f"{name} gehört nicht zu den Städten des Urban Audit; Eurostat hat dafür keine Zahlen."))
elif europe is None:
    display(Markdown(f"Die optionale Eurostat-Städtestatistik fehlt. {missing_europe}"))
elif europe.empty:
    display(Markdown("Die gespeicherte Urban-Audit-Antwort enthält keine der Städte dieser Seite."))
else:
    newest_europe = urban_audit.latest_shares(europe)
    shown = chart_frame(in_percent(newest_europe, "foreign_share"))
    shown["region_name"] = shown["region_name"] + " (" + shown["year"].astype(str) + ")"
    fig = charts.compare_cities(
        shown, value="share_percent",
        title="Anteil ohne deutsche Staatsangehörigkeit, Urban Audit (Eurostat)",
        subtitle="in Prozent der Einwohner am 1. Januar, neuestes Jahr je Stadt (in Klammern)",
        value_format=",.1f", unit="Prozent", focus=CITY,
    )
    charts.show(fig)
    by_city = newest_europe.set_index("region_key")
    lines = []
    if CITY not in by_city.index:
        lines.append(f"Für {name} enthält die Urban-Audit-Tabelle keinen Ausländeranteil.")
    else:
        row = by_city.loc[CITY]
        year = int(row["year"])
        lines.append(
            f"Nach Eurostat hatten am 1. Januar {year} in {name} **{percent(row['foreign_share'])}** der "
            f"Einwohner keinen deutschen Pass ({number(row['foreigners'])} von {number(row['population'])})."
        )
        words, other_flags = urban_audit.flag_words(row["quality"])
        if words:
            lines.append(f"Eurostat markiert die Zahlen als {' und '.join(words)}.")
        if other_flags:
            lines.append(f"Weitere Kennzeichen von Eurostat, wie veröffentlicht: {', '.join(other_flags)}.")
    gaps = [short_name(key) for key in COMPARE if key not in set(by_city.index)]
    if gaps:
        lines.append(f"Ohne Urban-Audit-Zahlen: {', '.join(gaps)}.")
    display(Markdown(" ".join(lines)))

# %% [markdown]
# ## Was die Zahlen sagen – und was nicht
#
# - **Zensusgrundlage:** Die Einwohnerzahlen beruhen je nach Stichtag und Veröffentlichungsstand
#   auf älteren Zählungen, dem Zensus 2011 oder dem Zensus 2022. Ein Sprung beim Wechsel ist kein
#   Zu- oder Wegzug; wo die Grundlage nicht zu erkennen ist, steht *Zensus 2011 oder 2022*.
# - **Zwei Zählungen der Ausländer:** Die Bevölkerungsfortschreibung (hier verwendet) und das
#   Ausländerzentralregister kommen zu unterschiedlichen Zahlen; das Register meist zu höheren.
# - **Pass ist nicht Herkunft:** Der Ausländeranteil sinkt mit jeder Einbürgerung, auch wenn
#   niemand wegzieht. Für die Frage nach Zuwanderung sind Migrationshintergrund und
#   Einwanderungsgeschichte die besseren Maße – aber nur an den beiden Zensusstichtagen.

# %%
show_verdict([facts.verdict_k5(name, [short_name(k) for k in CITIES], shares_by_city, background_by_city)])
