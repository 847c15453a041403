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
YOUNG = 10  # "jung" heißt: jünger als so viele Jahre (die nächste Altersgrenze der Tabelle darunter gilt)

# %%
from IPython.display import Markdown, display

from krefeld_data import charts, datasets
from krefeld_data.regions.registry import short_name
from krefeld_data.stories import age as facts
from krefeld_data.stories import chart_frame, in_percent, percent, rounded
from krefeld_data.stories.claims import show_claim, show_verdict

CITIES = [CITY, *COMPARE]
REGIONS = [*CITIES, *CONTEXT]
name = short_name(CITY)
charts.set_focus(CITY)
display(Markdown(
    f"# Jung und hier\n\n**Die Frage.** Wie viele der jungen Menschen in {name} haben eine "
    "Migrationsgeschichte – mehr oder weniger als unter allen Einwohnern?"
))

# %% [markdown]
# **Die Behauptung.** Die Kolumne begründet, warum Krefeld Ausländerbehörde, Kommunales
# Integrationszentrum und Migrationssozialdienst in einem Fachbereich des Dezernats für Jugend,
# Bildung und Sport zusammengefasst hat:

# %%
show_claim("K5")

# %% [markdown]
# Ob das die richtige Zuordnung ist, entscheidet keine Statistik. Die Daten zeigen aber, wie viele
# der Kinder und Jugendlichen, mit denen ein solches Dezernat zu tun hat, eine
# Migrationsgeschichte haben.
#
# **Die Daten.** Der Zensus 2011 (Stichtag 09.05.2011) hat die Bevölkerung nach
# Migrationshintergrund und Alter gezählt (Tabelle 12111-07-01-4). Mit Migrationshintergrund
# zählen alle Ausländerinnen und Ausländer sowie die Deutschen, die nach 1955 zugewandert sind
# oder mindestens einen zugewanderten Elternteil haben – also auch Kinder, die hier als Deutsche
# geboren wurden. Als zweite Sicht dient die Bevölkerungsfortschreibung nach Staatsangehörigkeit
# und Alter (Tabelle 12411-03-03-4).
#
# ## Junge Menschen mit Migrationshintergrund (Zensus 2011)

# %%
background, missing_background = datasets.load_or_note("migrationshintergrund_2011", REGIONS)
row = None
if background is None:
    display(Markdown(f"Für den Migrationshintergrund nach Alter fehlen die Daten. {missing_background}"))
else:
    under = facts.usable_bound(background, YOUNG)
    young = facts.background_by_age(background, under)
    long = young.melt(id_vars=["region_key", "region"], value_vars=["young_share", "all_share"],
                      var_name="group", value_name="share")
    long["group"] = long["group"].map({"young_share": f"unter {under} Jahren", "all_share": "alle"})
    datasets.document(long, group=f"Altersgruppe: unter {under} Jahren oder alle Einwohner",
                      share="Anteil mit Migrationshintergrund in der Altersgruppe (0 bis 1)")
    fig = charts.compare_cities(
        chart_frame(in_percent(long, "share")), value="share_percent", group="group",
        title=f"Migrationshintergrund: unter {under}-Jährige und alle Einwohner",
        subtitle="in Prozent der Bevölkerung in privaten Haushalten, Zensus 2011 (09.05.2011)",
        value_format=",.1f", unit="Prozent", focus=CITY, sources=background,
    )
    charts.show(fig)
    by_key = young.set_index("region_key")
    if CITY not in by_key.index:
        display(Markdown(f"Die Tabelle 12111-07-01-4 enthält für {name} keine Zahlen."))
    else:
        row = by_key.loc[CITY]
        word = facts.comparison_word(row["young_share"], row["all_share"])
        text = [
            f"Am 9. Mai 2011 hatten in {name} **{percent(row['young_share'])}** der Einwohner "
            f"unter {under} Jahren einen Migrationshintergrund ({rounded(row['young_with'])} von "
            f"{rounded(row['young_total'])}), unter allen Einwohnern {percent(row['all_share'])}. "
            f"Der Anteil der Jungen war damit {word}" + (" als bei allen." if word != "gleich" else "."),
        ]
        if under != YOUNG:
            text.append(f"(Die Tabelle hat Altersgruppen zu zehn Jahren; statt unter {YOUNG} gilt hier "
                        f"unter {under} Jahren.)")
        if row["unreliable"]:
            text.append("Ein Teil der Zellen war zu unsicher, um veröffentlicht zu werden (`/`).")
        display(Markdown(" ".join(text)))

# %% [markdown]
# ## Zweite Sicht: der Pass (Bevölkerungsfortschreibung)
#
# Diese Sicht ist verzerrt, und zwar in eine bekannte Richtung: Wer hier als Kind ausländischer
# Eltern geboren wird, ist oft von Geburt an deutsch, und jede Einbürgerung nimmt einen Menschen
# aus der Gruppe der Ausländer heraus. Der Anteil der Jungen unter den Ausländern ist daher
# kleiner als unter den Menschen mit Migrationsgeschichte – er sagt wenig darüber, wie viele
# Kinder eine Einwanderungsgeschichte haben.

# %%
structure, missing_structure = datasets.load_or_note("altersstruktur", REGIONS)
if structure is None:
    display(Markdown(f"Für die Altersstruktur nach Pass fehlen die Daten. {missing_structure}"))
else:
    mine = structure[structure["region_key"] == CITY]
    if mine.empty:
        display(Markdown(f"Die Tabelle 12411-03-03-4 enthält für {name} keine Zahlen."))
    else:
        year = int(mine["year"].max())
        pyramid = mine.groupby(["age_from", "age_group", "nationality"], as_index=False, sort=True)
        pyramid = pyramid["share"].sum()
        pyramid = in_percent(pyramid, "share")
        fig = charts.population_pyramid(
            pyramid, age="age_group", sex="nationality", value="share_percent", left="deutsch",
            right="ausländisch", title=f"{name}: Altersaufbau nach Staatsangehörigkeit",
            subtitle=f"Anteil jeder Altersgruppe in Prozent der jeweiligen Gruppe, 31.12.{year}",
            value_format=",.1f", unit="Prozent", sources=structure,
        )
        charts.show(fig)
        passport_under = facts.usable_bound(structure, YOUNG)
        passport = facts.young_share(structure, passport_under)
        fig = charts.compare_cities(
            chart_frame(in_percent(passport, "share")), value="share_percent",
            group="nationality", title=f"Anteil unter {passport_under} Jahren nach Staatsangehörigkeit",
            subtitle=f"in Prozent der deutschen bzw. ausländischen Einwohner, 31.12.{year}",
            value_format=",.1f", unit="Prozent", focus=CITY,
        )
        charts.show(fig)
        by = passport.set_index(["region_key", "nationality"])["share"]
        foreign_young, german_young = by.loc[(CITY, "ausländisch")], by.loc[(CITY, "deutsch")]
        word = facts.comparison_word(foreign_young, german_young)
        display(Markdown(
            f"Ende {year} waren in {name} {percent(foreign_young)} der ausländischen und "
            f"{percent(german_young)} der deutschen Einwohner jünger als {passport_under} Jahre; der Anteil "
            f"unter den Ausländern war damit {word}"
            + (" als unter den Deutschen." if word != "gleich" else ".")
            + " Wegen der Verzerrung oben ist das kein Maß dafür, wie viele junge Menschen eine "
            "Migrationsgeschichte haben."
        ))

# %% [markdown]
# ## Was die Zahlen sagen – und was nicht
#
# - **Zwei Maße:** Der Migrationshintergrund (Zensus 2011) zählt Herkunft, der Pass
#   (Fortschreibung) nur die Staatsangehörigkeit. Für die Frage nach jungen Menschen mit
#   Migrationsgeschichte ist der Zensus das passende Maß, aber er ist von 2011.
# - **Rundung:** Der Zensus 2011 veröffentlicht Werte auf Vielfache von 10 gerundet; die Anzahlen
#   oben sind deshalb ungefähr („rund“).
# - **Zensusgrundlage:** Die Fortschreibung beruht je nach Stichtag und Stand auf dem Zensus 2011
#   oder 2022; Vergleiche über diesen Wechsel hinweg sind nur eingeschränkt möglich.

# %%
verdict_under = facts.usable_bound(background, YOUNG) if background is not None else YOUNG
show_verdict([facts.verdict_k5(name, verdict_under, row)])
