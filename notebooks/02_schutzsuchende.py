# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% tags=["parameters"]
# ruff: noqa: E402  (the imports follow this parameters cell on purpose)
# Stadt und Vergleichsstädte (Kreisschlüssel). Für eine andere Stadt nur diese Zeilen ändern.
CITY = "05114"  # Krefeld
COMPARE = ["05111", "05124", "08311"]  # Düsseldorf, Wuppertal, Freiburg im Breisgau
TOP = 5  # wie viele Staatsangehörigkeiten zeigen

# %% [markdown]
# # Schutzsuchende: vom ersten Tag an
#
# **Die Behauptung.** Integration müsse am ersten Tag beginnen. Wer 18 Monate und länger in
# einer abgelegenen Landesunterkunft warte, verliere Zeit, die für Sprache, Schule und Arbeit
# fehle.
#
# **Die Frage.** Wie viele Schutzsuchende leben in der Stadt, bezogen auf die Einwohnerzahl?
# Wie viele haben einen anerkannten Schutzstatus, wie viele warten noch auf eine Entscheidung,
# wie viele sind abgelehnt? Woher kommen sie?
#
# **Die Daten.** Die Statistik über Schutzsuchende (Destatis, Tabelle 12531-0043), Stichtag
# 31.12., dazu die Einwohnerzahl am selben Tag (Tabelle 12411-01-01-4).

# %%
from IPython.display import Markdown, display

from krefeld_data import charts
from krefeld_data.stories import chart_frame, number, percent
from krefeld_data.stories import protection as story

CITIES = [CITY, *COMPARE]
by_status = story.protection_by_status(CITIES)
totals = story.protection_totals(CITIES)
name = totals.set_index("region_key").loc[CITY, "region"]
date = charts.format_date(totals["date"].max())

# %% [markdown]
# ## Wie viele, bezogen auf die Einwohner?

# %%
fig = charts.compare_cities(
    chart_frame(totals), value="per_1000", title="Schutzsuchende je 1.000 Einwohner",
    subtitle=f"am {date}", value_format=",.1f", unit="je 1.000 Einwohner",
)
charts.show(fig)

# %%
row = totals.set_index("region_key").loc[CITY]
ranked = totals.sort_values("per_1000", ascending=False)["region_key"].tolist()
display(Markdown(
    f"Am {date} lebten in {name} **{number(row['value'])}** Schutzsuchende, "
    f"**{number(row['per_1000'], 1)} je 1.000 Einwohner**. Unter den {len(CITIES)} Städten ist das "
    f"Platz {ranked.index(CITY) + 1} (Platz 1 = die meisten je Einwohner)."
))

# %% [markdown]
# ## Anerkannt, offen, abgelehnt
#
# Die Statistik führt Kategorien, die einander enthalten („anerkannt“ umfasst „befristet“ und
# „unbefristet“). Hier wird jede Person genau einmal gezählt: offen, anerkannt oder abgelehnt.

# %%
fig = charts.stacked_share(
    chart_frame(by_status), part="group", title="Schutzsuchende nach Schutzstatus",
    subtitle=f"Anteile in Prozent, am {date}",
)
charts.show(fig)

# %%
mine = by_status[by_status["region_key"] == CITY].set_index("group")["value"]
all_people = mine.sum()
display(Markdown(
    f"In {name} hatten {percent(mine.get('anerkannt', 0) / all_people)} einen anerkannten Schutzstatus, "
    f"bei {percent(mine.get('offen', 0) / all_people)} war das Verfahren noch offen, "
    f"{percent(mine.get('abgelehnt', 0) / all_people)} waren abgelehnt. Mehr als die Hälfte hat also "
    f"einen anerkannten Schutzstatus und darf bleiben – jedenfalls vorerst."
    if mine.get("anerkannt", 0) > all_people / 2 else
    f"In {name} hatten nur {percent(mine.get('anerkannt', 0) / all_people)} einen anerkannten Schutzstatus."
))

# %%
detail = story.protection_by_status(CITIES, level=2)
fig = charts.compare_cities(
    chart_frame(detail[detail["region_key"] == CITY]).assign(region_code=detail["status"]),
    value="value", city="region_code", label="status", title=f"{name}: Schutzstatus im Einzelnen",
    subtitle=f"Personen am {date}", unit="Personen", sources=detail,
)
charts.show(fig)

# %% [markdown]
# ## Woher kommen die Schutzsuchenden?

# %%
top = story.top_citizenships(CITIES, n=TOP)
mine = top[top["region_key"] == CITY]
fig = charts.compare_cities(
    mine.assign(region_code=mine["citizenship_code"]), value="value", city="region_code",
    label="citizenship", title=f"{name}: die {TOP} häufigsten Staatsangehörigkeiten",
    subtitle=f"Schutzsuchende am {date}", unit="Personen", sources=top,
)
charts.show(fig)

# %%
first = mine.iloc[0]
display(Markdown(
    f"Die größte Gruppe in {name} kam aus **{first['citizenship']}** ({number(first['value'])} Personen, "
    f"{percent(first['share'])} aller Schutzsuchenden). Die {TOP} häufigsten Staatsangehörigkeiten "
    f"machen zusammen {percent(mine['share'].sum())} aus."
))

# %% [markdown]
# ## Wie lange warten Menschen?
#
# Die hier verwendete Tabelle nennt keine Aufenthaltsdauer und keine Wartezeit in
# Landesunterkünften. Zur Behauptung, 18 Monate und mehr in abgelegenen Unterkünften gingen für
# die Integration verloren, sagt sie daher nichts. Sie zeigt nur, wie groß der Anteil ist, dessen
# Verfahren am Stichtag noch offen war. Die Statistik über Schutzsuchende hat weitere Tabellen
# mit der Aufenthaltsdauer; sie sind (noch) nicht Teil dieser Auswertung.
#
# ## Was die Zahlen sagen – und was nicht
#
# - **Gerundet:** Das Statistische Bundesamt rundet jede Zahl auf ein Vielfaches von 5. Summen
#   können deshalb um einige Personen von veröffentlichten Gesamtzahlen abweichen.
# - **Schutzsuchende sind nicht Asylbewerber:** Gezählt werden alle Menschen, die sich auf
#   humanitäre Gründe berufen, auch Geflüchtete aus der Ukraine mit vorübergehendem Schutz, die
#   nie einen Asylantrag gestellt haben.
# - **Quelle ist das Ausländerzentralregister:** Die Einwohnerzahl stammt aus der
#   Bevölkerungsfortschreibung, einer anderen Zählung. Die Quote je 1.000 Einwohner verbindet
#   beide und ist eine Näherung.
