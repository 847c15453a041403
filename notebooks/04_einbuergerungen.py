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
# Stadt, Vergleichsregionen und Kontext (Kreisschlüssel oder Namen). Der Build setzt sie mit
# `krefeld-data build --city … --compare … --context …`; hier stehen die Vorgaben.
CITY = "05114"  # Krefeld
COMPARE = ["05111", "05124", "08311"]  # Düsseldorf, Wuppertal, Freiburg im Breisgau
CONTEXT = ["05", "DG"]  # Nordrhein-Westfalen, Deutschland

# %%
from IPython.display import Markdown, display

from krefeld_data import charts
from krefeld_data.stories import chart_frame, number, percent
from krefeld_data.stories import naturalisation as story
from krefeld_data.stories.claims import show_claim, show_verdict
from krefeld_data.stories.protection import region_keys, region_name

CITY, *COMPARE = region_keys([CITY, *COMPARE])
CONTEXT = region_keys(CONTEXT)
REGIONS = [CITY, *COMPARE, *CONTEXT]
charts.set_focus(CITY, COMPARE)  # the focus city gets the emphasis in every chart
continents, continents_note = story.load_optional(story.CONTINENTS, REGIONS)
per_year, per_year_note = story.load_optional(story.PER_YEAR, REGIONS)
by_citizenship, by_citizenship_note = story.load_optional(story.BY_CITIZENSHIP, REGIONS)
totals = story.newest_totals(continents, per_year, by_citizenship)
name = region_name(CITY, totals)
HAS_CITY = CITY in set(totals["region_key"])
show_claim("K6")

# %%
display(Markdown(
    f"# Einbürgerungen in {name}\n\n"
    "**Was die Kolumne sagt – und was nicht.** Über Einbürgerungen sagt die Kolumne nichts. Sie "
    "erzählt von einem gemeinsamen Iftar-Essen, bei dem „unheimlich viel an Integration gelingt“ "
    "(oben im Wortlaut). Das misst keine Statistik. Amtlich gezählt wird aber, wie viele Menschen "
    "sich einbürgern lassen – einer der wenigen Hinweise auf Integration, die es für jede Stadt gibt.\n\n"
    f"**Die Frage.** Wie viele Menschen lassen sich in {name} einbürgern, und aus welchen Weltregionen "
    "kommen sie?\n\n"
    "**Die Daten.** Die Einbürgerungsstatistik: Tabelle 12511-01-01-4 (nach Kontinenten) und, "
    "soweit gespeichert, 12511-04-01-4 (nach ausgewählten Staatsangehörigkeiten, neuere Jahre), "
    "dazu die Zahl der ausländischen Einwohner (12411-03-03-4)."
))
if not HAS_CITY:
    display(Markdown(f"Die gespeicherten Einbürgerungstabellen haben keine Zahlen für {name}."))

# %% [markdown]
# ## Woher kommen die Eingebürgerten?

# %%
if continents is None:
    display(Markdown(continents_note))
elif CITY in set(continents["region_key"]):
    year = story.latest_year(continents, CITY)
    newest = continents[continents["year"] == year]
    fig = charts.stacked_share(
        chart_frame(newest), part="continent",
        title="Eingebürgerte nach Kontinent der früheren Staatsangehörigkeit",
        subtitle=f"Anteile in Prozent, {year}", sources=continents,
    )
    charts.show(fig)
    shares = story.continent_shares(continents, CITY, year)
    display(Markdown(
        f"{year} kamen in {name} {percent(shares.iloc[0])} der Eingebürgerten aus {shares.index[0]}"
        + (f", {percent(shares.iloc[1])} aus {shares.index[1]}." if len(shares) > 1 else ".")
    ))
else:
    display(Markdown(f"Die Tabelle 12511-01-01-4 hat keine Zahlen für {name}."))

# %% [markdown]
# ## Wie viele jedes Jahr?

# %%
if HAS_CITY:
    fig = charts.line_over_time(
        chart_frame(totals[totals["region_key"].isin([CITY, *COMPARE])]), y="value",
        title="Einbürgerungen je Jahr", subtitle="Personen", unit="Personen", sources=totals,
    )
    charts.show(fig)
    lines = [story.change_text(totals, CITY, name)]
    if per_year is not None:
        later = story.not_yet_published(per_year[per_year["region_key"].isin([CITY, *COMPARE])])
        if later:
            lines.append(later)
    elif by_citizenship is None:
        lines.append("Die Zahlen reichen nur so weit wie die Tabelle 12511-01-01-4; neuere Jahre stehen in "
                     "12511-04-01-4. " + per_year_note)
    display(Markdown(" ".join(lines)))

# %% [markdown]
# ## Die amtliche Einbürgerungsquote

# %%
rate = story.official_rate(per_year, CITY)
display(Markdown(story.official_rate_text(rate, name) if per_year is not None else
                 "Die amtliche Einbürgerungsquote steht, wo veröffentlicht, in Tabelle 12511-04-01-4. "
                 + per_year_note))

# %% [markdown]
# ## Eine eigene Quote: je 1.000 ausländische Einwohner

# %%
if per_year is not None and per_year["per_1000_foreign"].notna().any():
    own = per_year[per_year["region_key"].isin([CITY, *COMPARE])].dropna(subset=["per_1000_foreign"])
    fig = charts.line_over_time(
        chart_frame(own), y="per_1000_foreign", title="Einbürgerungen je 1.000 ausländische Einwohner",
        subtitle="eigene Quote, keine amtliche Einbürgerungsquote", value_format=",.1f", unit="je 1.000",
        sources=per_year, breaks=story.basis_breaks(own, [CITY, *COMPARE]),
    )
    charts.show(fig)
    mine = own[own["region_key"] == CITY]
    if len(mine):
        row = mine.iloc[-1]
        display(Markdown(
            f"Die eigene Quote ({story.OWN_RATE_DEFINITION}) lag {int(row['year'])} in {name} bei "
            f"{number(row['per_1000_foreign'], 1)}. " + story.basis_text(own, CITY, name)
        ))
else:
    display(Markdown(
        f"Eine eigene Quote ({story.OWN_RATE_DEFINITION}) braucht die Tabellen 12511-04-01-4 und "
        "12411-03-03-4 für dieselben Jahre. " + (per_year_note or "Die gespeicherten Tabellen haben kein "
                                                  "gemeinsames Jahr.")
    ))

# %% [markdown]
# ## Nach früherer Staatsangehörigkeit

# %%
mine = (by_citizenship[by_citizenship["region_key"] == CITY].dropna(subset=["value"])
        if by_citizenship is not None else None)
if mine is not None and len(mine):
    last = mine[mine["year"] == mine["year"].max()].sort_values("value", ascending=False)
    display(Markdown(
        f"Unter den einzeln ausgewiesenen Staatsangehörigkeiten lag {int(last['year'].max())} in {name} "
        f"{last.iloc[0]['citizenship']} vorn ({number(last.iloc[0]['value'])} Einbürgerungen)."
    ))
else:
    display(Markdown(by_citizenship_note or f"Die Tabelle 12511-04-01-4 hat keine Zahlen für {name}."))

# %% [markdown]
# ## Was die Zahlen sagen – und was nicht
#
# - **Zwei Quoten:** Die amtliche Einbürgerungsquote bezieht die Einbürgerungen auf Ausländer mit
#   mindestens zehn Jahren Aufenthalt. Die eigene Quote oben bezieht sie auf alle ausländischen
#   Einwohner; die beiden sind nicht vergleichbar.
# - **Zensusbruch:** Die Ausländerzahl beruht je nach Stand der Veröffentlichung auf dem Zensus
#   2011 oder dem Zensus 2022. Wo die Grundlage wechselt (in der Grafik markiert), kann die eigene
#   Quote springen, ohne dass sich etwas geändert hat.
# - **Rechtslage:** Einbürgerungen hängen an Wartefristen und Gesetzesänderungen; ein Anstieg
#   folgt oft Jahre nach der Zuwanderung.

# %%
show_verdict([story.verdict(totals, CITY, name, rate)])
