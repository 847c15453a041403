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
GEO = "DE"  # Eurostat-Ländercode
DEBATE_YEAR = 2018  # das Jahr der Debatte, die die Kolumne kritisiert

# %%
from IPython.display import Markdown, display

from krefeld_data import charts, datasets
from krefeld_data.stories import asylum as story
from krefeld_data.stories import number
from krefeld_data.stories.claims import show_claim, show_verdict

applications = datasets.load(story.DATASET, regions=[GEO, story.EU])
place = story.geo_name(GEO, applications)
series = story.first_time(applications, GEO)
facts = story.debate_year(series, DEBATE_YEAR) if len(series) else None
show_claim("K3", "K4")

# %%
display(Markdown(
    "# Die Debatte und die Zahlen\n\n"
    "**Was die Kolumne sagt.** Sie beschreibt die Debatte als geprägt von Aus- und "
    "Abgrenzungsrhetorik und hält eine europäische Regulierung für selbstverständlich (oben im "
    "Wortlaut). Beides ist eine Einschätzung, keine Zahl.\n\n"
    f"**Die Frage.** Wie viele Menschen haben in {place} zum ersten Mal Asyl beantragt – vor, "
    f"während und nach {DEBATE_YEAR}?\n\n"
    "**Die Daten.** Eurostat, Asylbewerber und erstmalige Asylbewerber (Datensatz "
    "`migr_asyappctza`), Jahreswerte, alle Staatsangehörigkeiten."
))

# %%
if len(series):
    shown = series.assign(region_code=GEO, region_name=f"Erstanträge, {place}")
    fig = charts.line_over_time(
        shown, title=f"Erstanträge auf Asyl: {place}", subtitle="Anträge je Kalenderjahr",
        unit="Anträge", sources=applications,
    )
    if facts is not None:
        charts.highlight_value(fig, x=DEBATE_YEAR, y=facts.value,
                               text=f"{DEBATE_YEAR}: {number(facts.value)}")
    charts.show(fig)
else:
    display(Markdown(f"Der Datensatz {story.DATASET} hat keine Erstanträge für {GEO}; abrufen mit "
                     "`krefeld-data fetch migr_asyappctza --db eurostat`."))

# %%
lines = []
if facts is not None:
    lines.append(story.debate_text(facts, place))
elif len(series):
    lines.append(f"Für {DEBATE_YEAR} hat die gespeicherte Tabelle keine Zahl für {place}.")
if len(series):
    newest = series.iloc[-1]
    lines.append(story.flag_text(int(newest["year"]), newest["value"], newest["quality"]))
lines.append(story.children_text(GEO, DEBATE_YEAR))
display(Markdown(" ".join(lines)))

# %% [markdown]
# ## Und Europa?

# %%
display(Markdown(story.eu_text(applications, GEO, DEBATE_YEAR, place)))

# %% [markdown]
# ## Was die Zahlen sagen – und was nicht
#
# - **Anträge, nicht Menschen im Land:** Gezählt werden Anträge eines Jahres. Wie viele
#   Schutzsuchende in einer Stadt leben, zeigt die Geschichte *Schutzsuchende: vom ersten Tag an*.
# - **Schutzsuchende sind nicht nur Asylbewerber:** Geflüchtete aus der Ukraine etwa erhalten
#   vorübergehenden Schutz ohne Asylantrag und fehlen in dieser Zahl.
# - **Kennzeichen:** Eurostat markiert manche Werte, etwa als vorläufig (`p`) oder geschätzt
#   (`e`); solche Werte können sich noch ändern. Kennzeichen, deren Bedeutung hier nicht bekannt
#   ist, stehen so da, wie Eurostat sie veröffentlicht.

# %%
show_verdict(story.verdicts(facts, place, story.eu_share(applications, GEO, DEBATE_YEAR)))
