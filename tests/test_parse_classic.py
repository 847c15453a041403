"""The classic GENESIS table CSV: title block, header rows, long or wide data, footnotes."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import real_sample

from krefeld_data import read_table
from krefeld_data.errors import ParseError
from krefeld_data.parse import classic
from krefeld_data.parse import sniff as formats
from krefeld_data.schema import LEADING, TRAILING

LONG = """GENESIS-Tabelle: 12511-01-01-4
Einbürgerungen von Ausländern nach Kontinenten;;;;
- Jahr - regionale Tiefe: Kreise und krfr. Städte;;;;
Einbürgerungsstatistik;;;;
;;;Einbürgerungen von Ausländern;Einbürgerungen von Ausländern
;;;Kontinente (einschl. staatenlos etc.);Kontinente (einschl. staatenlos etc.)
;;;Insgesamt;Afrika
;;;Anzahl;Anzahl
2016;DG;Deutschland;110383;11416
2016;05114;      Krefeld, Kreisfreie Stadt;326;-
2015;05114;      Krefeld, Kreisfreie Stadt;388;.
__________
"zu ""gesamte Tabelle"":
Differenzen sind auf Korrekturen
zurückzuführen."
"© Statistische Ämter des Bundes und der Länder, Deutschland, 2018.
Dieses Werk ist lizenziert unter der Datenlizenz Deutschland
- Namensnennung - Version 2.0."
Stand: 27.02.2018 / 13:00:56
"""

WIDE = """GENESIS-Tabelle: 12411-01-01-4
Bevölkerungsstand: Bevölkerung nach Geschlecht;;;;;;;
- Stichtag 31.12. -;;;;;;;
Fortschreibung des Bevölkerungsstandes;;;;;;;
Bevölkerungsstand (Anzahl);;;;;;;
;;31.12.2015;31.12.2015;31.12.2015;31.12.2010;31.12.2010;31.12.2010
;;Insgesamt;männlich;weiblich;Insgesamt;männlich;weiblich
DG;Deutschland;82175684;40514123;41661561;81751602;40112425;41639177
05114;      Krefeld, Kreisfreie Stadt;225144;109487;115657;235076;114304;120772
__________
Stand: 10.10.2017 / 11:57:53
"""

NESTED = """GENESIS-Tabelle: 12111-07-01-4
Zensus 2011, Bevölkerung nach Nationalität,;;;;;;;
- 09.05.2011 - regionale Tiefe: Kreise und krfr. Städte;;;;;;;
Zensus 2011;;;;;;;
09.05.2011;;;;;;;
;;;Bevölkerung;Bevölkerung;Bevölkerung;Bevölkerung;Bevölkerung
;;;;Nationalität;Deutsche;Deutsche;Ausländer(innen)
;;;;Deutsche;Migrationshintergrund;Migrationshintergrund;
;;;;;Personen ohne Migrationshintergrund;Personen mit Migrationshintergrund;
;;;Anzahl;Anzahl;Anzahl;Anzahl;Anzahl
05114;      Krefeld, Kreisfreie Stadt;unter 10 Jahre;17800;16860;11020;5840;930
05114;      Krefeld, Kreisfreie Stadt;Insgesamt;221130;196850;158730;38130;/
__________
Stand: 10.10.2017 / 12:02:36
"""


def read(text: str, encoding: str = "utf-8") -> pd.DataFrame:
    return read_table(text.encode(encoding))


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1", "utf-8", "utf-8-sig"])
def test_long_table_in_every_encoding(encoding: str) -> None:
    frame = read(LONG, encoding)
    assert frame.attrs["format"] == formats.CLASSIC
    assert list(frame.columns) == [
        "table", "region_code", "region_name", "year", "date", "kontinente", "kontinente_code",
        "measure", "measure_label", "unit", "value", "status", "quality",
    ]
    assert list(frame["table"].unique()) == ["12511-01-01-4"]
    assert list(frame["region_code"]) == ["DG", "DG", "05114", "05114", "05114", "05114"]
    assert frame["region_name"].iloc[2] == "Krefeld, Kreisfreie Stadt"
    assert list(frame["year"]) == [2016, 2016, 2016, 2016, 2015, 2015]
    assert frame["date"].isna().all()
    assert list(frame["kontinente"]) == ["Insgesamt", "Afrika"] * 3
    assert list(frame["kontinente_code"]) == [""] * 6  # the classic table gives no codes
    assert list(frame["status"]) == ["", "", "", "zero", "", "unknown"]
    assert frame["measure_label"].iloc[0] == "Einbürgerungen von Ausländern"
    assert frame["unit"].iloc[0] == "Anzahl"
    assert frame.attrs["variables"]["kontinente"]["label"] == "Kontinente (einschl. staatenlos etc.)"


def test_footnotes_copyright_and_stand_go_to_attrs() -> None:
    frame = read(LONG, "cp1252")
    assert frame.attrs["footnotes"] == [
        'zu "gesamte Tabelle":\nDifferenzen sind auf Korrekturen\nzurückzuführen.'
    ]
    assert frame.attrs["stand"] == "27.02.2018 / 13:00:56"
    assert frame.attrs["copyright"].startswith("© Statistische Ämter des Bundes und der Länder")
    assert "Einbürgerungsstatistik" in frame.attrs["title"]


def test_wide_table_turns_dates_across_the_columns_into_rows() -> None:
    frame = read(WIDE)
    assert len(frame) == 12
    krefeld = frame[frame["region_code"] == "05114"]
    assert list(krefeld["date"].dt.year) == [2015] * 3 + [2010] * 3
    assert list(krefeld["year"]) == [2015] * 3 + [2010] * 3
    assert list(krefeld["ges_code"]) == ["", "GESM", "GESW"] * 2  # codes known for Geschlecht
    assert list(krefeld["value"]) == [225144, 109487, 115657, 235076, 114304, 120772]
    # the measure and unit come from the title block
    assert krefeld["measure"].iloc[0] == "BEVSTD"
    assert krefeld["measure_label"].iloc[0] == "Bevölkerungsstand"
    assert krefeld["unit"].iloc[0] == "Anzahl"
    assert frame.attrs["footnotes"] == [] and frame.attrs["stand"] == "10.10.2017 / 11:57:53"


def test_nested_header_with_partial_variable_labels() -> None:
    frame = read(NESTED)
    totals = frame[frame["alter"] == "Insgesamt"]
    assert list(totals["nat"]) == ["Insgesamt", "Deutsche", "Deutsche", "Deutsche", "Ausländer(innen)"]
    assert list(totals["migrationshintergrund"]) == [
        "Insgesamt", "Insgesamt", "Personen ohne Migrationshintergrund",
        "Personen mit Migrationshintergrund", "Insgesamt",
    ]
    assert list(totals["status"]) == ["", "", "", "", "unreliable"]
    # the reference date is only in the title block
    assert (frame["date"] == pd.Timestamp("2011-05-09")).all()
    assert frame["measure_label"].iloc[0] == "Bevölkerung"
    assert set(frame["alter"]) == {"unter 10 Jahre", "Insgesamt"}


def test_unknown_header_variables_get_a_numbered_name() -> None:
    label_row = ";;;Kontinente (einschl. staatenlos etc.);Kontinente (einschl. staatenlos etc.)\n"
    text = LONG.replace(label_row, "")
    text = text.replace(";;;Insgesamt;Afrika", ";;;Gesamt;Afrika")
    frame = read(text)
    assert "merkmal_1" in frame.columns
    assert list(frame["merkmal_1"].iloc[:2]) == ["Gesamt", "Afrika"]


def test_slug_spells_out_umlauts_and_drops_parentheses() -> None:
    assert classic.slug("Staatsangehörigkeit (Gruppen)") == "staatsangehoerigkeit"
    assert classic.slug("Größe der Betriebe") == "groesse_der_betriebe"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace("2016;05114;      Krefeld, Kreisfreie Stadt;326;-",
                             "2016;05114;      Krefeld, Kreisfreie Stadt;326;-;7"),
         r"line 10 has 6 fields where the header has 5"),
        (lambda t: t.replace("__________", "GENESIS-Tabelle: 12511-01-01-4"),
         "a second table starts here"),
        (lambda t: t.replace("2015;05114;", ";;;Insgesamt;Afrika\n2015;05114;"),
         "line 11 repeats a header row"),
        (lambda t: t.replace(";", ","), "separated by commas"),
        (lambda t: t.split("2016;DG")[0], "no data rows"),
        (lambda t: t.split("2015;05114")[0], r"ends at line 10 without its footer"),
    ],
    ids=["shifted", "two tables", "repeated header", "commas", "no data", "cut off"],
)
def test_damaged_classic_tables_name_the_problem(change, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        read(change(LONG))


# --- real files ---------------------------------------------------------------------------

def test_real_08_latin1_naturalisations() -> None:
    frame = read_table(real_sample("08_"))
    assert frame.attrs["format"] == formats.CLASSIC
    krefeld = frame[(frame["region_code"] == "05114") & (frame["year"] == 2016)]
    values = dict(zip(krefeld["kontinente"].astype(str), krefeld["value"], strict=True))
    assert values["Insgesamt"] == 326 and values["Afrika"] == 38 and values["Europa"] == 213
    assert krefeld.loc[krefeld["kontinente"] == "Australien und Ozeanien", "status"].tolist() == ["zero"]
    parts = sum(v for k, v in values.items() if k != "Insgesamt")
    assert parts == values["Insgesamt"]
    assert set(frame["year"]) == set(range(2011, 2017))
    assert frame.attrs["stand"] == "27.02.2018 / 13:00:56"
    assert "Korrekturen" in frame.attrs["footnotes"][0]
    assert "unknown" in frame.attrs["special_values"]


def test_real_09_sex_nationality_age() -> None:
    frame = read_table(real_sample("09_"))
    krefeld = frame[(frame["region_code"] == "05114") & (frame["alter"] == "Insgesamt")]
    by = {(n, g): v for n, g, v in zip(krefeld["nat"], krefeld["ges"], krefeld["value"], strict=True)}
    assert by[("Insgesamt", "Insgesamt")] == 225144
    assert by[("Ausländer(innen)", "Insgesamt")] == 30722
    assert by[("Deutsche", "Insgesamt")] + by[("Ausländer(innen)", "Insgesamt")] == 225144
    assert (frame["date"] == pd.Timestamp("2015-12-31")).all()
    assert frame["alter"].nunique() == 22  # 21 age groups and the total


def test_real_10_census_2011_unreliable_cells() -> None:
    frame = read_table(real_sample("10_"))
    assert frame.attrs["special_values"]["unreliable"] == 1960
    assert frame.loc[frame["status"] == "unreliable", "value"].isna().all()
    krefeld = frame[(frame["region_code"] == "05114") & (frame["alter"] == "Insgesamt")]
    assert krefeld["value"].tolist() == [221130, 196850, 158730, 38130, 24280]
    assert (frame["date"] == pd.Timestamp("2011-05-09")).all()


def test_real_11_wide_table_shows_the_census_break() -> None:
    frame = read_table(real_sample("11_"))
    krefeld = frame[(frame["region_code"] == "05114") & (frame["ges_code"] == "")]
    by_year = dict(zip(krefeld["year"], krefeld["value"], strict=True))
    assert by_year[2015] == 225144 and by_year[2011] == 221864 and by_year[2010] == 235076
    assert set(by_year) == set(range(1995, 2016))
    # DG, Länder, Regierungsbezirke, Kreise and the 8-digit Städteregion Aachen/Hannover keys
    assert set(frame["region_code"].str.len()) == {2, 3, 5, 8}
    men = frame[(frame["region_code"] == "05114") & (frame["ges_code"] == "GESM")]
    women = frame[(frame["region_code"] == "05114") & (frame["ges_code"] == "GESW")]
    assert (men["value"].to_numpy() + women["value"].to_numpy() == krefeld["value"].to_numpy()).all()


def test_a_measure_per_column_above_a_unit_row() -> None:
    text = """GENESIS-Tabelle: 12612-01-01-4
Geburten und Sterbefälle;;;;
- Jahr - regionale Tiefe: Kreise und krfr. Städte;;;;
;;;Lebendgeborene;Gestorbene;Saldo
;;;Anzahl;Anzahl;je 1000 EW
2016;05114;      Krefeld, Kreisfreie Stadt;2112;2693;-2,6
__________
Stand: 01.01.2018 / 10:00:00
"""
    frame = read(text)
    assert list(frame["measure_label"]) == ["Lebendgeborene", "Gestorbene", "Saldo"]
    assert list(frame["unit"]) == ["Anzahl", "Anzahl", "je 1000 EW"]
    assert list(frame["value"]) == [2112, 2693, -2.6]
    assert list(frame["measure"]) == ["", "", ""]  # no codes in a classic table
    assert [c for c in frame.columns if c not in {*LEADING, *TRAILING}] == []
