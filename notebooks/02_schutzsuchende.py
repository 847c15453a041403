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
# Stadt, Vergleichsstädte und Kontext (Kreisschlüssel oder Namen). Der Build setzt sie mit
# `krefeld-data build --city … --compare … --context …`; hier stehen die Vorgaben.
CITY = "05114"  # Krefeld
COMPARE = ["05111", "05124", "08311"]  # Düsseldorf, Wuppertal, Freiburg im Breisgau
CONTEXT = ["05", "DG"]  # Nordrhein-Westfalen, Deutschland
TOP = 5  # wie viele Staatsangehörigkeiten zeigen

# %%
from IPython.display import Markdown, display

from krefeld_data import charts, datasets
from krefeld_data.regions.registry import land_of
from krefeld_data.stories import chart_frame, number, percent
from krefeld_data.stories import protection as story
from krefeld_data.stories.claims import show_claim, show_verdict
from krefeld_data.util.german import day

CITY, *COMPARE = story.region_keys([CITY, *COMPARE])
CONTEXT = story.region_keys(CONTEXT)
CITIES = [CITY, *COMPARE]
charts.set_focus(CITY, COMPARE)  # the focus city gets the emphasis in every chart
status = datasets.load(story.STATUS_DATASET, regions=CITIES)
name = story.region_name(CITY, status)
HAS_CITY = CITY in set(status["region_key"])
date = story.latest_date(status)
show_claim("K1", "K2")

# %%
display(Markdown(
    f"# Schutzsuchende in {name}: vom ersten Tag an?\n\n"
    "**Was die Kolumne sagt.** Die Sätze oben stehen so in der Kolumne. Sie verbinden eine Wertung "
    "(Integration solle vom ersten Tag an einsetzen) mit einer Annahme über Aufnahmeeinrichtungen.\n\n"
    f"**Die Frage.** Wie viele Schutzsuchende leben in {name}, bezogen auf die Einwohnerzahl? Wie viele "
    "warten noch auf eine Entscheidung, wie viele sind anerkannt oder abgelehnt, und wie viele kamen "
    "nicht über das Asylverfahren, sondern mit vorübergehendem Schutz?\n\n"
    f"**Die Daten.** Die Statistik über Schutzsuchende (Destatis, Tabelle {story.PROTECTION}), Stichtag "
    f"31.12., dazu die Einwohnerzahl am selben Tag (Tabelle {story.POPULATION})."
))
missing = [story.region_name(k) for k in status.attrs.get("missing_regions", [])]
if missing:
    display(Markdown(f"Die Tabelle {story.PROTECTION} hat keine Zeilen für {', '.join(missing)}; diese "
                     "Regionen fehlen in den Abschnitten unten."))
if set(CONTEXT) - set(status["region_key"]):
    display(Markdown(f"Die Tabelle {story.PROTECTION} gliedert nur nach Kreisen; Land und Bund "
                     "stehen hier deshalb nicht zum Vergleich."))

# %% [markdown]
# ## Wie viele, bezogen auf die Einwohner?

# %%
if HAS_CITY:
    totals = story.totals(status, date)
    fig = charts.compare_cities(
        chart_frame(story.rate_variants(totals)), value="rate", group="variant",
        title="Schutzsuchende je 1.000 Einwohner",
        subtitle=f"am {day(date)}, mit und ohne Menschen mit ukrainischer Staatsangehörigkeit",
        value_format=",.1f", unit="je 1.000 Einwohner", sources=status,
    )
    charts.show(fig)
else:
    display(Markdown(f"Die Tabelle {story.PROTECTION} hat keine Zahlen für {name}; die Abschnitte dieser "
                     "Seite bleiben deshalb leer."))

# %%
if HAS_CITY:
    row = totals.set_index("region_key").loc[CITY]
    lines = [f"Am {day(date)} lebten in {name} **{story.people(row['value'])}** Schutzsuchende"]
    place = story.rank_of(totals, CITY)
    if place:
        lines[0] += (f", {number(row['per_1000'], 1)} je 1.000 Einwohner. Unter den {place[1]} Städten mit "
                     f"Einwohnerzahl ist das Platz {place[0]} (Platz 1 = die meisten je Einwohner).")
    else:
        lines[0] += "."
    lines.append(
        f"Darunter hatten {story.people(row['ukrainian'])} ({percent(row['ukrainian_share'])}) die "
        f"ukrainische Staatsangehörigkeit. Ohne sie waren es {story.people(row['without_ukrainian'])}"
        + (f", {number(row['per_1000_without_ukrainian'], 1)} je 1.000 Einwohner." if place else ".")
    )
    text = story.missing_population_text(totals)
    if text:
        lines.append(text)
    display(Markdown(" ".join(lines)))

# %% [markdown]
# ## Vorübergehender Schutz und Asylweg
#
# Geflüchtete aus der Ukraine erhalten vorübergehenden Schutz nach § 24
# Aufenthaltsgesetz. Sie stellen keinen Asylantrag und kommen nicht über die
# Aufnahmeeinrichtungen des Asylverfahrens, um die es in der Kolumne geht. Die Statistik führt sie
# trotzdem unter den Schutzsuchenden. Eine eigene Kategorie für § 24 hat die Tabelle nicht; am
# nächsten kommt die Staatsangehörigkeit. Deshalb stehen die Zahlen hier mit und ohne Menschen mit
# ukrainischer Staatsangehörigkeit.

# %%
if HAS_CITY:
    low, high = story.share_range(totals)
    with_share = totals.dropna(subset=["ukrainian_share"])
    fig = charts.compare_cities(
        chart_frame(with_share), value="ukrainian_share", title="Anteil mit ukrainischer Staatsangehörigkeit",
        subtitle=f"an allen Schutzsuchenden, am {day(date)}", value_format=".0%", unit="Anteil",
        sources=status,
    )
    charts.show(fig)
    display(Markdown(
        f"In den {len(with_share)} Städten hatten am {day(date)} zwischen {percent(low, 0)} und "
        f"{percent(high, 0)} der Schutzsuchenden die ukrainische Staatsangehörigkeit, in {name} "
        f"{percent(row['ukrainian_share'])}. Wer die Zahlen mit dem Asylweg von 2018 vergleicht, muss "
        "diese Gruppe herausrechnen."
    ))

# %% [markdown]
# ## Anerkannt, offen, abgelehnt
#
# Die Statistik führt Kategorien, die einander enthalten („anerkannt“ umfasst „befristet“ und
# „unbefristet“). Hier wird jede Person genau einmal gezählt: offen, anerkannt oder abgelehnt.

# %%
if HAS_CITY:
    fig = charts.stacked_share(
        chart_frame(story.group_table(status, date)), part="group", title="Schutzsuchende nach Schutzstatus",
        subtitle=f"Anteile in Prozent, am {day(date)}", sources=status,
    )
    charts.show(fig)
    shares = story.group_shares(status, CITY, date)
    display(Markdown(
        f"In {name} hatten am {day(date)} {percent(shares['share'].get('anerkannt'))} einen anerkannten "
        f"Schutzstatus, bei {percent(shares['share'].get('offen'))} war das Verfahren noch offen, "
        f"{percent(shares['share'].get('abgelehnt'))} waren abgelehnt. Ohne die Menschen mit ukrainischer "
        f"Staatsangehörigkeit: {percent(shares['share_without_ukrainian'].get('anerkannt'))} anerkannt, "
        f"{percent(shares['share_without_ukrainian'].get('offen'))} offen, "
        f"{percent(shares['share_without_ukrainian'].get('abgelehnt'))} abgelehnt."
    ))

# %%
if HAS_CITY:
    detail = story.status_detail(status, CITY, level=2, date=date)
    fig = charts.compare_cities(
        chart_frame(detail).assign(region_code=detail["status_code"]), value="value", city="region_code",
        label="status", title=f"{name}: Schutzstatus im Einzelnen", subtitle=f"Personen am {day(date)}",
        unit="Personen", sources=status,
    )
    charts.show(story.rounded_labels(fig))

# %% [markdown]
# ## Woher kommen die Schutzsuchenden?

# %%
top = datasets.load(story.CITIZENSHIP_DATASET, regions=[CITY])
if len(top):
    mine = top[top["rank"] <= TOP]
    fig = charts.compare_cities(
        mine.assign(region_code=mine["citizenship_code"]), value="value", city="region_code",
        label="citizenship", title=f"{name}: die {len(mine)} häufigsten Staatsangehörigkeiten",
        subtitle=f"Schutzsuchende am {day(mine['date'].iloc[0])}", unit="Personen", sources=top,
    )
    charts.show(story.rounded_labels(fig))
    first = mine.iloc[0]
    display(Markdown(
        f"Die größte Gruppe in {name} hatte die Staatsangehörigkeit **{first['citizenship']}** "
        f"({story.people(first['value'])} Personen, {percent(first['share'])} aller Schutzsuchenden). Die "
        f"{len(mine)} häufigsten Staatsangehörigkeiten machen zusammen {percent(mine['share'].sum())} aus."
    ))
else:
    display(Markdown(f"Für {name} hat die Tabelle {story.PROTECTION} keine Staatsangehörigkeiten."))

# %% [markdown]
# ## Und im Jahr der Kolumne?

# %%
display(Markdown(story.year_text(status, CITY, story.COLUMN_YEAR)))

# %% [markdown]
# ## AnkER-Zentren und die „18 Monate“

# %%
display(Markdown(
    story.anker_context(land_of(CITY).code) + " Städte mit einer Landeserstaufnahmeeinrichtung "
    "(Freiburg etwa) zählen deren Bewohnerinnen und Bewohner mit, soweit das Ausländerzentralregister sie "
    "dem Kreis zuordnet; ob das in diesen Zahlen so ist, ist hier nicht bestätigt."
))

# %% [markdown]
# ## Wie lange sind die Menschen schon hier?

# %%
display(Markdown(story.duration_text()))

# %% [markdown]
# ## Was die Zahlen sagen – und was nicht
#
# - **Gerundet:** Das Statistische Bundesamt rundet jede Zahl auf ein Vielfaches von 5. Jede Zahl
#   hier ist eine Summe solcher Werte, daher „rund“; Gruppen unter 50 Personen stehen nicht als
#   genaue Zahl da.
# - **Schutzsuchende sind nicht Asylbewerber:** Gezählt werden alle Menschen, die sich auf
#   humanitäre Gründe berufen, auch Geflüchtete aus der Ukraine mit vorübergehendem Schutz, die
#   nie einen Asylantrag gestellt haben.
# - **Zwei Zählungen:** Die Schutzsuchenden stammen aus dem Ausländerzentralregister, die
#   Einwohnerzahl aus der Bevölkerungsfortschreibung. Die Zahl je 1.000 Einwohner verbindet beide
#   und ist eine Näherung.

# %%
show_verdict(story.verdicts(status, CITY))
