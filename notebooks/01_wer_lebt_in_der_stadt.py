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
# Stadt und Vergleichsregionen (Kreisschlüssel). Für eine andere Stadt nur diese Zeilen ändern.
CITY = "05114"  # Krefeld
COMPARE = ["05111", "05124", "08311"]  # Düsseldorf, Wuppertal, Freiburg im Breisgau
CONTEXT = ["05", "DG"]  # Nordrhein-Westfalen, Deutschland

# %% [markdown]
# # Wer lebt in der Stadt?
#
# **Die Behauptung.** Die Kolumne von 2018 beschreibt die Stadt als Ort, an dem Zuwanderung
# Alltag ist, und stellt sie neben Düsseldorf, Wuppertal und Freiburg, die Integration ebenso
# anpackten.
#
# **Die Frage.** Wie viele Menschen leben in der Stadt, wie groß ist der Anteil der
# Ausländerinnen und Ausländer, und wie viele Menschen haben eine Migrationsgeschichte – im
# Vergleich mit den anderen Städten, mit Nordrhein-Westfalen und mit Deutschland?
#
# **Die Daten.** Die Bevölkerungsfortschreibung der statistischen Ämter (Einwohner am 31.12.,
# Tabellen 12411-01-01-4 und 12411-03-03-4), der Zensus 2011 (Migrationshintergrund, Tabelle
# 12111-07-01-4) und der Zensus 2022 (Einwanderungsgeschichte, Tabelle 1000A-2022).

# %%
from IPython.display import Markdown, display

from krefeld_data import charts
from krefeld_data.clean.census import census_breaks
from krefeld_data.stories import chart_frame, number, percent
from krefeld_data.stories import population as story

CITIES = [CITY, *COMPARE]
people = story.population_series(CITIES, CONTEXT)
city = people[people["region_key"] == CITY].dropna(subset=["population"])
name = city["region"].iloc[0]
breaks = [b.first_new_year for b in census_breaks(people["year"])]

# %% [markdown]
# ## Einwohnerzahl
#
# Die Linie ist an jedem Zensus unterbrochen: Mit einer neuen Volkszählung beginnt die
# Fortschreibung auf einer neuen Grundlage, die Zahl springt, ohne dass jemand zu- oder
# fortgezogen ist. Nur Jahre auf derselben Grundlage sind direkt vergleichbar.

# %%
cities_only = people[people["region_key"].isin(CITIES)]
fig = charts.line_over_time(
    chart_frame(cities_only), y="population", title=f"Einwohner von {name} und den Vergleichsstädten",
    subtitle="Bevölkerung am 31.12., Brüche an den Volkszählungen", breaks=breaks, unit="Personen",
)
charts.show(fig)

# %%
latest = city.iloc[-1]
same_basis = city[city["census_basis"] == latest["census_basis"]]
first = same_basis.iloc[0]
change = latest["population"] / first["population"] - 1
display(Markdown(
    f"Am {charts.format_date(latest['date'])} lebten in {name} **{number(latest['population'])}** "
    f"Menschen. Seit {int(first['year'])}, dem ersten Jahr auf derselben Zensusgrundlage "
    f"({latest['census_basis']}), hat sich die Zahl um {percent(change)} verändert."
))

# %% [markdown]
# ## Anteil der Ausländerinnen und Ausländer
#
# Ausländerinnen und Ausländer sind Menschen ohne deutsche Staatsangehörigkeit. Wer eingebürgert
# ist, zählt als deutsch – der Anteil sagt also nichts darüber, wie viele Menschen zugewandert sind.

# %%
foreign = story.foreign_share_series(CITIES, CONTEXT)
shown = chart_frame(foreign.assign(share_percent=foreign["foreign_share"] * 100))
fig = charts.line_over_time(
    shown, y="share_percent", title="Anteil ohne deutsche Staatsangehörigkeit",
    subtitle="in Prozent der Einwohner am 31.12.",
    breaks=[b.first_new_year for b in census_breaks(foreign["year"])], value_format=",.1f", unit="Prozent",
)
charts.show(fig)

# %%
newest = foreign[foreign["year"] == foreign["year"].max()].set_index("region_key")
oldest = foreign[foreign["year"] == foreign["year"].min()].set_index("region_key")
ranking = newest.loc[CITIES].sort_values("foreign_share", ascending=False)
place = list(ranking.index).index(CITY) + 1
lines = [
    f"Ende {int(newest['year'].iloc[0])} hatten in {name} **{percent(newest.loc[CITY, 'foreign_share'])}** "
    f"der Einwohner keinen deutschen Pass (Ende {int(oldest['year'].iloc[0])}: "
    f"{percent(oldest.loc[CITY, 'foreign_share'])}). Unter den {len(CITIES)} Städten steht {name} damit auf "
    f"Platz {place} (Platz 1 = höchster Anteil)."
]
for key in CONTEXT:
    if key in newest.index:
        share = percent(newest.loc[key, "foreign_share"])
        lines.append(f"Zum Vergleich {newest.loc[key, 'region']}: {share}.")
display(Markdown(" ".join(lines)))

# %% [markdown]
# ## Migrationshintergrund (Zensus 2011) und Einwanderungsgeschichte (Zensus 2022)
#
# Die beiden Volkszählungen messen Verschiedenes. **Migrationshintergrund** (2011): selbst
# zugewandert oder mindestens ein Elternteil ohne deutsche Staatsangehörigkeit bei Geburt.
# **Einwanderungsgeschichte** (2022): selbst zugewandert oder beide Eltern zugewandert; wer nur
# einen zugewanderten Elternteil hat, zählt gesondert. Die Zahlen lassen sich daher nicht als
# Entwicklung lesen.

# %%
background = story.migration_background_2011(CITIES, CONTEXT)
fig = charts.compare_cities(
    chart_frame(background.assign(share_percent=background["share"] * 100)), value="share_percent",
    title="Menschen mit Migrationshintergrund, Zensus 2011",
    subtitle="in Prozent der Bevölkerung in privaten Haushalten am 09.05.2011",
    value_format=",.1f", unit="Prozent",
)
charts.show(fig)

# %%
history = story.immigration_history_2022(CITIES, CONTEXT)
fig = charts.compare_cities(
    chart_frame(history.assign(share_percent=history["share"] * 100)), value="share_percent",
    title="Menschen mit Einwanderungsgeschichte, Zensus 2022",
    subtitle="in Prozent der Bevölkerung am 15.05.2022", value_format=",.1f", unit="Prozent",
)
charts.show(fig)

# %%
text = []
row_2011 = background.set_index("region_key").loc[CITY]
text.append(f"2011 hatten in {name} {percent(row_2011['share'])} der Menschen einen Migrationshintergrund.")
if row_2011["status"] == "unreliable":
    text.append("Ein Teil der Zellen war zu unsicher, um veröffentlicht zu werden (`/`).")
by_region = history.set_index("region_key")
if CITY in by_region.index:
    text.append(f"2022 hatten {percent(by_region.loc[CITY, 'share'])} eine Einwanderungsgeschichte.")
missing = history.attrs.get("missing_regions", [])
if missing:
    text.append(
        f"Für {len(missing)} der gewünschten Regionen enthält die geladene Zensus-2022-Tabelle keine "
        f"Zahlen (sie reicht nur bis zu den Ländern); diese fehlen in der Grafik."
    )
display(Markdown(" ".join(text)))

# %% [markdown]
# ## Der europäische Vergleich: Urban Audit
#
# Eurostat sammelt im „Urban Audit“ Zahlen über Städte in ganz Europa, darunter die Einwohner
# nach Staatsangehörigkeit. Es ist eine eigene Zählung: Stichtag ist der 1. Januar, die Städte
# liefern die Zahlen selbst, und nicht jede Stadt liefert jedes Jahr. Die Anteile weichen daher
# von der Bevölkerungsfortschreibung oben ab. Die Eurostat-Codes der Städte (etwa `DE508C` für
# Krefeld) sind noch nicht an einer echten Antwort bestätigt; das Paket prüft bei jedem Lauf, ob
# jede Stadt in der gespeicherten Antwort vorkommt.

# %%
import pandas as pd

from krefeld_data.errors import MissingDataError
from krefeld_data.regions.registry import short_name
from krefeld_data.stories import cities as urban_audit

try:
    europe = urban_audit.city_population_by_citizenship(CITIES)
    europe_note = ""
except MissingDataError:
    europe = None
    europe_note = (
        "Die optionale Eurostat-Tabelle dazu (Urban Audit, `urb_cpop1` und `urb_cpopcb`) ist nicht "
        "gespeichert; mit `krefeld-data fetch urb_cpop1 urb_cpopcb --db eurostat` lässt sie sich holen."
    )
except urban_audit.CityCodeMismatch as problem:
    europe = None
    europe_note = f"Die gespeicherte Urban-Audit-Antwort passt nicht zu den Städten: {problem}"

if europe is None:
    display(Markdown(europe_note))
else:
    newest_europe = urban_audit.latest_shares(europe)
    shown = chart_frame(newest_europe.assign(share_percent=newest_europe["foreign_share"] * 100))
    shown["region_name"] = shown["region_name"] + " (" + shown["year"].astype(str) + ")"
    fig = charts.compare_cities(
        shown, value="share_percent",
        title="Anteil ohne deutsche Staatsangehörigkeit, Urban Audit (Eurostat)",
        subtitle="in Prozent der Einwohner am 1. Januar, neuestes Jahr je Stadt (in Klammern)",
        value_format=",.1f", unit="Prozent",
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
        if pd.notna(row["foreigners_eu"]):
            lines.append(
                f"{percent(row['foreigners_eu'] / row['foreigners'])} von ihnen waren Bürgerinnen und "
                f"Bürger eines anderen EU-Staats."
            )
        german = foreign[(foreign["region_key"] == CITY) & (foreign["year"] == year - 1)]
        if not german.empty:
            lines.append(
                f"Die Bevölkerungsfortschreibung kommt für den 31.12.{year - 1}, einen Tag früher, auf "
                f"{percent(german['foreign_share'].iloc[0])} – zwei Zählungen, zwei Zahlen."
            )
        flags = {"b": "einen Bruch in der Zeitreihe", "e": "eine Schätzung", "p": "einen vorläufigen Wert"}
        marked = [text for flag, text in flags.items() if flag in str(row["quality"]).split(",")]
        if marked:
            lines.append(f"Eurostat markiert die Zahlen als {' und '.join(marked)}.")
    gaps = europe.attrs.get("cities_without_data", [])
    if gaps:
        lines.append(f"Ohne Urban-Audit-Zahlen: {', '.join(short_name(key) for key in gaps)}.")
    display(Markdown(" ".join(lines)))

# %% [markdown]
# ## Was die Zahlen sagen – und was nicht
#
# - **Zensusbrüche:** 2011 und 2022 beginnt die Einwohnerzahl auf einer neuen Grundlage. Ein
#   Sprung an diesen Stellen ist kein Zu- oder Wegzug.
# - **Zwei Zählungen der Ausländer:** Die Bevölkerungsfortschreibung (hier verwendet) und das
#   Ausländerzentralregister kommen zu unterschiedlichen Zahlen; das Register meist zu höheren.
# - **Pass ist nicht Herkunft:** Der Ausländeranteil sinkt mit jeder Einbürgerung, auch wenn
#   niemand wegzieht. Für die Frage nach Zuwanderung sind Migrationshintergrund und
#   Einwanderungsgeschichte die besseren Maße – aber nur an den beiden Zensusstichtagen.
# - **Grenze der Daten:** Ob die Stadt Integration „ebenso anpackt“ wie die Vergleichsstädte,
#   lässt sich mit Bevölkerungszahlen nicht beantworten. Sie zeigen nur, wie ähnlich die
#   Ausgangslage ist.
