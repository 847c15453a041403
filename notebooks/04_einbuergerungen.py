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

# %% [markdown]
# # Einbürgerungen
#
# **Die Behauptung.** Wer dauerhaft hier lebt, soll dazugehören – auch mit einem deutschen Pass.
# Die Kolumne sieht die Stadt dabei auf einem Weg mit Düsseldorf, Wuppertal und Freiburg.
#
# **Die Frage.** Wie viele Menschen lassen sich jedes Jahr einbürgern, gemessen an der Zahl der
# ausländischen Einwohner? Aus welchen Weltregionen kommen sie?
#
# **Die Daten.** Die Einbürgerungsstatistik (Tabellen 12511-04-01-4 und 12511-01-01-4) und die
# Zahl der ausländischen Einwohner am 31.12. desselben Jahres (Tabelle 12411-03-03-4).

# %%
from IPython.display import Markdown, display

from krefeld_data import charts
from krefeld_data.stories import chart_frame, number, percent
from krefeld_data.stories import naturalisation as story

CITIES = [CITY, *COMPARE]
per_year = story.naturalisations_per_year(CITIES, CONTEXT)
name = per_year.set_index("region_key").loc[CITY, "region"].iloc[0]

# %% [markdown]
# ## Einbürgerungen je 1.000 ausländische Einwohner

# %%
fig = charts.line_over_time(
    chart_frame(per_year), y="per_1000_foreign", title="Einbürgerungen je 1.000 ausländische Einwohner",
    subtitle="Einbürgerungen im Jahr, bezogen auf die Ausländer am 31.12. desselben Jahres",
    value_format=",.1f", unit="je 1.000",
)
charts.show(fig)

# %%
mine = per_year[per_year["region_key"] == CITY].dropna(subset=["value"])
latest = mine.iloc[-1]
first = mine.iloc[0]
peers = per_year[(per_year["year"] == latest["year"]) & per_year["region_key"].isin(CITIES)]
rate_text = (f"{number(latest['per_1000_foreign'], 1)} je 1.000 ausländische Einwohner"
             if latest["per_1000_foreign"] == latest["per_1000_foreign"] else
             "eine Quote ist mangels Ausländerzahl für dieses Jahr nicht berechenbar")
lines = [
    f"{int(latest['year'])} wurden in {name} **{number(latest['value'])}** Menschen eingebürgert, "
    f"{rate_text}. {int(first['year'])} waren es {number(first['value'])}."
]
later = per_year[(per_year["status"] == "later") & per_year["region_key"].isin(CITIES)]
if len(later):
    missing = ", ".join(sorted({f"{r.region} ({r.year})" for r in later.itertuples()}))
    lines.append(f"Noch nicht veröffentlicht: {missing}.")
if peers["per_1000_foreign"].notna().sum() > 1:
    best = peers.sort_values("per_1000_foreign", ascending=False).iloc[0]
    lines.append(f"Die höchste Quote unter den Städten hatte {int(latest['year'])} {best['region']} "
                 f"({number(best['per_1000_foreign'], 1)}).")
display(Markdown(" ".join(lines)))

# %% [markdown]
# ## Woher kommen die Eingebürgerten?
#
# Nach Kontinenten veröffentlichen die Ämter die Zahlen nur für die Jahre, die die Tabelle
# 12511-01-01-4 enthält; danach nur für ausgewählte Staatsangehörigkeiten.

# %%
continents = story.naturalisations_by_continent(CITIES, CONTEXT)
newest = continents[continents["year"] == continents["year"].max()]
fig = charts.stacked_share(
    chart_frame(newest), part="continent",
    title="Eingebürgerte nach Kontinent der früheren Staatsangehörigkeit",
    subtitle=f"Anteile in Prozent, {int(newest['year'].max())}",
)
charts.show(fig)

# %%
by_citizenship = story.naturalisations_by_citizenship(CITIES, CONTEXT)
mine_c = by_citizenship[(by_citizenship["region_key"] == CITY)].dropna(subset=["value"])
last = mine_c[mine_c["year"] == mine_c["year"].max()].sort_values("value", ascending=False)
share_city = newest[newest["region_key"] == CITY].set_index("continent")["share"]
top_continent = share_city.idxmax()
display(Markdown(
    f"{int(newest['year'].max())} kamen in {name} {percent(share_city.max())} der Eingebürgerten aus "
    f"{top_continent}. Unter den einzeln ausgewiesenen Staatsangehörigkeiten lag {int(last['year'].max())} "
    f"{last.iloc[0]['citizenship']} vorn ({number(last.iloc[0]['value'])} Einbürgerungen)."
))

# %% [markdown]
# ## Was die Zahlen sagen – und was nicht
#
# - **Eigene Quote:** Die Quote hier bezieht die Einbürgerungen auf alle ausländischen Einwohner.
#   Die amtliche „Einbürgerungsquote“ nutzt eine andere Basis (Ausländer mit mindestens zehn
#   Jahren Aufenthalt) und ist damit nicht vergleichbar.
# - **Zensusbruch:** Die Ausländerzahl beruht bis 2021 auf dem Zensus 2011, ab 2022 auf dem
#   Zensus 2022. Ein Sprung der Quote an dieser Stelle kann aus der neuen Grundlage kommen.
# - **Rechtslage:** Einbürgerungen hängen an Wartefristen und Gesetzesänderungen; ein Anstieg
#   folgt oft Jahre nach der Zuwanderung.
