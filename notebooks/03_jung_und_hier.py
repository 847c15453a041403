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
# Stadt und Vergleichsregionen (Kreisschlüssel). Für eine andere Stadt nur diese Zeilen ändern.
CITY = "05114"  # Krefeld
COMPARE = ["05111", "05124", "08311"]  # Düsseldorf, Wuppertal, Freiburg im Breisgau
CONTEXT = ["05", "DG"]  # Nordrhein-Westfalen, Deutschland
YOUNG = 18  # "jung" heißt: jünger als so viele Jahre (eine Grenze der Altersgruppen)

# %% [markdown]
# # Jung und hier
#
# **Die Behauptung.** Integration gehöre in das Dezernat für Jugend, Bildung und Sport, weil
# sie vor allem junge Menschen betreffe.
#
# **Die Frage.** Sind die ausländischen Einwohner der Stadt jünger als die deutschen? Wie groß
# ist der Anteil der Kinder und Jugendlichen auf beiden Seiten?
#
# **Die Daten.** Die Bevölkerungsfortschreibung nach Nationalität, Geschlecht und 21
# Altersgruppen (Tabelle 12411-03-03-4), Stichtag 31.12. des neuesten verfügbaren Jahres.

# %%
from IPython.display import Markdown, display

from krefeld_data import charts
from krefeld_data.stories import age as story
from krefeld_data.stories import chart_frame, percent

CITIES = [CITY, *COMPARE]
structure = story.age_structure(CITIES, CONTEXT)
year = int(structure["year"].max())
name = structure.set_index("region_key").loc[CITY, "region"].iloc[0]

# %% [markdown]
# ## Die Alterspyramide: deutsch und ausländisch nebeneinander
#
# Jede Seite zeigt, wie sich ihre Gruppe auf die Altersstufen verteilt (in Prozent der
# jeweiligen Gruppe). So lassen sich die Formen vergleichen, auch wenn eine Gruppe viel kleiner ist.

# %%
mine = structure[structure["region_key"] == CITY]
pyramid = mine.groupby(["age_from", "age_group", "nationality"], as_index=False, sort=True)["share"].sum()
pyramid = pyramid.assign(share_percent=pyramid["share"] * 100)
fig = charts.population_pyramid(
    pyramid, age="age_group", sex="nationality", value="share_percent", left="deutsch",
    right="ausländisch", title=f"{name}: Altersaufbau nach Nationalität",
    subtitle=f"Anteil jeder Altersgruppe in Prozent der jeweiligen Gruppe, 31.12.{year}",
    value_format=",.1f", unit="Prozent", sources=structure,
)
charts.show(fig)

# %%
young = story.young_share(CITIES, CONTEXT, under=YOUNG)
fig = charts.compare_cities(
    chart_frame(young.assign(share_percent=young["share"] * 100)), value="share_percent",
    group="nationality", title=f"Anteil unter {YOUNG} Jahren",
    subtitle=f"in Prozent der deutschen bzw. ausländischen Einwohner, 31.12.{year}",
    value_format=",.1f", unit="Prozent",
)
charts.show(fig)

# %%
by = young.set_index(["region_key", "nationality"])["share"]
foreign_young, german_young = by.loc[(CITY, "ausländisch")], by.loc[(CITY, "deutsch")]
working_age = mine[(mine["age_from"] >= 18) & (mine["age_from"] < 45)]
working = working_age.groupby("nationality")["share"].sum()
verdict = (
    "Ausländische Einwohner sind in der Stadt also häufiger minderjährig als deutsche."
    if foreign_young > german_young else
    "Ausländische Einwohner sind in der Stadt also nicht häufiger minderjährig als deutsche; "
    "das Argument „Integration ist vor allem Jugendarbeit“ findet in dieser Zahl keine Stütze."
)
display(Markdown(
    f"Ende {year} waren in {name} {percent(foreign_young)} der ausländischen und "
    f"{percent(german_young)} der deutschen Einwohner jünger als {YOUNG} Jahre. {verdict} "
    f"Zwischen 18 und 45 Jahre alt waren {percent(working.get('ausländisch', float('nan')))} der "
    f"ausländischen und {percent(working.get('deutsch', float('nan')))} der deutschen Einwohner – "
    f"die Altersgruppe von Ausbildung, Arbeit und Familiengründung."
))

# %% [markdown]
# ## Was die Zahlen sagen – und was nicht
#
# - **Pass, nicht Herkunft:** Kinder ausländischer Eltern, die in Deutschland geboren werden,
#   sind oft von Geburt an deutsch. Die Zahl der jungen Menschen mit Einwanderungsgeschichte ist
#   deshalb größer als die Zahl der jungen Ausländer.
# - **Zensusbruch:** Ab 2022 beruhen die Zahlen auf dem Zensus 2022; Vergleiche mit früheren
#   Jahren sind nur eingeschränkt möglich.
# - **Zwei Zählungen:** Die Bevölkerungsfortschreibung zählt Ausländer anders als das
#   Ausländerzentralregister; für Altersanteile ist sie die passende Quelle.
# - **Zuständigkeit ist keine Statistik:** Ob Integration im Jugenddezernat richtig aufgehoben
#   ist, entscheiden die Daten nicht. Sie zeigen, wie viele der Betroffenen Kinder und
#   Jugendliche sind – und wie viele Erwachsene im Erwerbsalter.
