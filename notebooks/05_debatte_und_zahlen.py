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
GEO = "DE"  # Eurostat-Ländercode
DEBATE_YEAR = 2018  # das Jahr der Debatte, die die Kolumne kritisiert

# %% [markdown]
# # Die Debatte und die Zahlen
#
# **Die Behauptung.** Die Kolumne kritisiert die Debatte von 2018 („Masterplan Migration“,
# Zurückweisungen an der Grenze) als Politik, die an der Lage vorbeigehe.
#
# **Die Frage.** Wie viele Menschen haben in Deutschland zum ersten Mal Asyl beantragt – vor,
# während und nach dieser Debatte?
#
# **Die Daten.** Eurostat, Asylbewerber und erstmalige Asylbewerber (Datensatz
# `migr_asyappctza`), Jahreswerte, alle Staatsangehörigkeiten.

# %%
from IPython.display import Markdown, display

from krefeld_data import charts
from krefeld_data.stories import asylum as story
from krefeld_data.stories import number, percent

applicants = story.asylum_applicants(geo=GEO)
shown = applicants.assign(region_code=applicants["applicant_type"], region_name=applicants["applicants"])

# %%
fig = charts.line_over_time(
    shown, title="Erstanträge auf Asyl in Deutschland", subtitle="Personen je Kalenderjahr",
    unit="Personen", sources=applicants,
)
if DEBATE_YEAR in set(applicants["year"]):
    value = applicants.loc[applicants["year"] == DEBATE_YEAR, "value"].iloc[0]
    charts.highlight_value(fig, x=DEBATE_YEAR, y=value, text=f"{DEBATE_YEAR}: {number(value)}")
charts.show(fig)

# %%
by_year = applicants.set_index("year")
peak_year = int(by_year["value"].idxmax())
latest_year = int(by_year.index.max())
lines = []
if DEBATE_YEAR in by_year.index:
    debate = by_year.loc[DEBATE_YEAR]
    lines.append(
        f"{DEBATE_YEAR} stellten in Deutschland **{number(debate['value'])}** Menschen erstmals einen "
        f"Asylantrag, {percent(abs(debate['change']))} "
        f"{'weniger' if debate['change'] < 0 else 'mehr'} als im Jahr davor. Der Höchststand lag "
        f"{peak_year} bei {number(by_year.loc[peak_year, 'value'])}; {DEBATE_YEAR} waren es "
        f"{percent(debate['value'] / by_year.loc[peak_year, 'value'])} davon."
    )
    if debate["value"] < by_year.loc[peak_year, "value"] / 2:
        lines.append("Die Debatte fiel also in eine Zeit deutlich sinkender Antragszahlen.")
flag = by_year.loc[latest_year, "quality"]
lines.append(
    f"Der neueste Wert ({latest_year}: {number(by_year.loc[latest_year, 'value'])})"
    + (" ist vorläufig." if flag == "p" else " ist geschätzt." if flag == "e" else " ist endgültig.")
)
display(Markdown(" ".join(lines)))

# %% [markdown]
# ## Was die Zahlen sagen – und was nicht
#
# - **Erstanträge, nicht Menschen im Land:** Gezählt werden Anträge eines Jahres. Wie viele
#   Schutzsuchende in einer Stadt leben, zeigt die Geschichte „Schutzsuchende: vom ersten Tag an“.
# - **Schutzsuchende sind nicht nur Asylbewerber:** Geflüchtete aus der Ukraine etwa erhalten
#   vorübergehenden Schutz ohne Asylantrag und fehlen in dieser Zahl.
# - **Vorläufige Werte:** Eurostat kennzeichnet vorläufige (`p`) und geschätzte (`e`) Werte; sie
#   können sich noch ändern.
