"""The classic table CSV of 2025–26 (``Tabelle: <code>``) from GENESIS-Online, Regionaldatenbank
and Landesdatenbank NRW: value/flag pairs, blank repeated keys, several measures, wide tables,
name-only regions, footers with the publication date.

Tables written here are test data (their title says ``Testdaten``); the real files 37, 38 and 40
are checked against figures typed from the files and against the ``csv`` module.
"""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from helpers import real_sample

from krefeld_data import read_table
from krefeld_data.errors import KrefeldDataError, ParseError
from krefeld_data.parse import sniff as formats

NRW_NAMES = """Tabelle: 99999-01i
Testdaten: Bevölkerung nach Geschlecht;;;;
- kreisfreie Städte und Kreise - Stichtag;;;;
;;Bevölkerung;Bevölkerung;Bevölkerung
;;Insgesamt;männlich;weiblich
;;Anzahl;Anzahl;Anzahl
31.12.2024;Nordrhein-Westfalen;100;60;40
31.12.2024;  Düsseldorf, Regierungsbezirk;50;30;20
31.12.2024;    Krefeld, krfr. Stadt;10;6;4
31.12.2024;    Kleve, Kreis;5;-;.
__________
© IT.NRW, Düsseldorf, 2026. Dieses Werk ist lizenziert unter der Datenlizenz Deutschland - Version 2.0.
Stand: 09.02.2026 / 16:09:36
"""

FLAGS_EN = """Tabelle: 99999-9008
Testdaten: Persons in employment: Germany, years, sections, sex;;;;;;
Microcensus;;;;;;;;;
Germany;;;;;;;;;
Persons in employment (1000);;;;;;;;;
;;;2009;;2010;;2011;
WZ08-A;Agriculture, forestry and fishing;Male;428;e;423;;426;p
;;Female;220;e;214;e;213;e
;;Total;648;e;637;e;639;e
WZ08-B;Mining and quarrying;Male;91;e;85;e;86;e
;;Female;13;e;11;e;11;e
;;Total;104;e;96;e;97;e
__________
"From 2011:
Extrapolation based on the 2011 Census."
© Statistisches Bundesamt (Destatis), 2025
created: 2025-09-12 / 19:55:56
"""

MEASURES = """Tabelle: 99999-02i
Testdaten: Fläche und Bevölkerung;;;
;;;Bevölkerung;Fläche;Bevölkerungsdichte
;;;Anzahl;qkm;EW pro qkm
2024;05114;      Krefeld, kreisfreie Stadt;230000;137,78;1669,3
2024;05111;      Düsseldorf, kreisfreie Stadt;630000;217,41;2897,8
__________
Stand: 18.12.2025 / 12:13:08
"""


def read(text: str, encoding: str = "utf-8") -> pd.DataFrame:
    return read_table(text.encode(encoding))


@pytest.mark.parametrize("encoding", ["latin-1", "utf-8", "utf-8-sig"])
def test_current_generation_starts_with_tabelle_and_is_a_classic_table(encoding: str) -> None:
    frame = read(NRW_NAMES, encoding)
    assert frame.attrs["format"] == formats.CLASSIC
    assert set(frame["table"]) == {"99999-01i"}
    assert frame.attrs["stand"] == "09.02.2026 / 16:09:36"
    assert frame.attrs["vintage"] == "2026-02-09"
    assert frame.attrs["vintage_source"] == "Stand line of the file"
    assert frame.attrs["copyright"].startswith("© IT.NRW, Düsseldorf, 2026.")


def test_regions_given_by_name_only_get_their_key_from_the_registry() -> None:
    frame = read(NRW_NAMES)
    codes = dict(zip(frame["region_name"], frame["region_code"], strict=False))
    assert codes == {"Nordrhein-Westfalen": "05", "Düsseldorf, Regierungsbezirk": "051",
                     "Krefeld, krfr. Stadt": "05114", "Kleve, Kreis": "05154"}
    kleve = frame[frame["region_code"] == "05154"].set_index("ges")
    assert kleve.loc["männlich", "status"] == "zero" and kleve.loc["männlich", "value"] == 0.0
    assert kleve.loc["weiblich", "status"] == "unknown" and pd.isna(kleve.loc["weiblich", "value"])
    assert kleve.loc["Insgesamt", "value"] == 5


def test_an_unknown_region_name_is_an_error_naming_the_line_and_the_candidates() -> None:
    text = NRW_NAMES.replace("    Kleve, Kreis;", "    Krefelt, krfr. Stadt;")
    with pytest.raises(ParseError, match=r"line 10: .*'Krefelt, krfr\. Stadt'.*Krefeld"):
        read(text)


def test_a_name_that_fits_no_region_exactly_is_an_error_naming_the_candidates() -> None:
    # "Freiburg" alone could be the Stadtkreis or the Regierungsbezirk: nothing is guessed.
    text = NRW_NAMES.replace("    Kleve, Kreis;", "    Freiburg;")
    with pytest.raises(KrefeldDataError, match=r"line 10: .*'Freiburg'.*Freiburg im Breisgau.*08311"):
        read(text)


def test_value_and_flag_columns_give_one_value_with_its_quality() -> None:
    frame = read(FLAGS_EN)
    assert len(frame) == 2 * 3 * 3  # sections × sexes × years: flag columns are no values
    assert set(frame["unit"]) == {"in 1000"}  # "(1000)" says thousands, visibly
    assert set(frame["measure_label"]) == {"Persons in employment"}
    male_a = frame[(frame["wz08_code"] == "WZ08-A") & (frame["ges"] == "Male")].set_index("year")
    assert male_a["value"].to_dict() == {2009: 428.0, 2010: 423.0, 2011: 426.0}
    assert male_a["quality"].astype(str).to_dict() == {2009: "e", 2010: "", 2011: "p"}
    assert set(frame["region_code"]) == {"DG"}  # the title line "Germany"
    assert frame.attrs["vintage"] == "2025-09-12"
    assert frame.attrs["vintage_source"] == "created line of the file"


def test_flag_columns_whose_header_repeats_the_year_are_flags_too() -> None:
    text = FLAGS_EN.replace(";;;2009;;2010;;2011;", ";;;2009;2009;2010;2010;2011;2011")
    frame = read(text)
    assert len(frame) == 18
    assert frame[(frame["wz08_code"] == "WZ08-A") & (frame["ges"] == "Male")].set_index("year")[
        "quality"].astype(str).to_dict() == {2009: "e", 2010: "", 2011: "p"}


def test_row_keys_left_blank_are_filled_down_from_the_row_above() -> None:
    frame = read(FLAGS_EN)
    female = frame[(frame["ges"] == "Female") & (frame["year"] == 2009)]
    assert female.set_index("wz08_code")["wz08"].to_dict() == {
        "WZ08-A": "Agriculture, forestry and fishing", "WZ08-B": "Mining and quarrying"}
    assert female.set_index("wz08_code")["value"].to_dict() == {"WZ08-A": 220.0, "WZ08-B": 13.0}
    assert set(frame["ges_code"]) == {"GESM", "GESW", ""}


def test_several_measures_keep_their_own_unit_and_decimal_comma() -> None:
    frame = read(MEASURES)
    krefeld = frame[frame["region_code"] == "05114"].set_index("measure_label")
    assert krefeld["unit"].to_dict() == {"Bevölkerung": "Anzahl", "Fläche": "qkm",
                                         "Bevölkerungsdichte": "EW pro qkm"}
    assert krefeld.loc["Fläche", "value"] == pytest.approx(137.78)
    assert krefeld.loc["Bevölkerungsdichte", "value"] == pytest.approx(1669.3)


def test_a_wide_table_of_single_years_of_age() -> None:
    header = ";;" + ";".join(f"{a} Jahre" for a in range(95))
    lines = ["Tabelle: 99999-09i", "Testdaten: Bevölkerung nach Altersjahren;;", "Stichtag 31.12.2024;;",
             header,
             "05114;Krefeld, kreisfreie Stadt;" + ";".join(str(a) for a in range(95)),
             "05111;Düsseldorf, kreisfreie Stadt;" + ";".join(str(2 * a) for a in range(95)),
             "__________", "Stand: 01.02.2026 / 10:00:00", ""]
    frame = read("\n".join(lines))
    assert len(frame) == 2 * 95
    assert frame[frame["region_code"] == "05111"]["value"].sum() == 2 * sum(range(95))
    assert frame.attrs["vintage"] == "2026-02-01"


def test_single_years_of_age_with_codes_and_a_measure_only_in_the_title() -> None:
    text = """Tabelle: 99999-09i
Bevölkerung nach Altersjahren (95) und Geschlecht;;;;;;
- Gemeinden - Stichtag;;;;;;
;;;;;Insgesamt;männlich;weiblich
;;;;;Anzahl;Anzahl;Anzahl
31.12.2024;05114;Krefeld, krfr. Stadt;ALT000;unter 1 Jahr;2000;1000;1000
31.12.2024;05114;Krefeld, krfr. Stadt;ALT001;1 Jahr;2100;1000;1100
31.12.2024;05114;Krefeld, krfr. Stadt;ALT095UM;95 Jahre und mehr;300;100;200
__________
Testdaten: die Zahlen sind erfunden.
Stand: 01.02.2026 / 10:00:00
"""
    frame = read(text, "latin-1")
    total = frame[frame["ges"] == "Insgesamt"].set_index("alter_code")
    assert total["value"].to_dict() == {"ALT000": 2000, "ALT001": 2100, "ALT095UM": 300}
    assert total.loc["ALT095UM", "alter"] == "95 Jahre und mehr"
    assert set(frame["measure_label"]) == {"Bevölkerung"}  # the title's word before "nach"
    assert set(frame["unit"]) == {"Anzahl"}


def test_a_semicolon_at_the_end_of_every_line_is_no_column() -> None:
    text = """Tabelle: 99999-0001
Bevölkerung: Deutschland, Stichtag;;;
Deutschland;;;
;Bevölkerungsstand;Bevölkerungsstand;
;männlich;weiblich;
;Anzahl;Anzahl;
31.12.2023;40;44;
31.12.2024;41;45;
__________
Testdaten: erfundene Zahlen
Stand: 20.06.2025 / 08:00:00
"""
    frame = read(text)
    assert len(frame) == 4
    assert frame.set_index(["year", "ges"])["value"].to_dict() == {
        (2023, "männlich"): 40, (2023, "weiblich"): 44, (2024, "männlich"): 41, (2024, "weiblich"): 45}
    assert set(frame["measure_label"]) == {"Bevölkerungsstand"} and set(frame["region_code"]) == {"DG"}


def test_english_names_of_germany_and_the_laender_get_their_keys() -> None:
    text = """Tabelle: 99999-0010
Population: Länder, reference date;;
;Population;Population
;Male;Female
Germany;40;44
North Rhine-Westphalia;9;10
Bavaria;6;7
Berlin;2;2
__________
Test data: invented numbers
created: 2025-06-20 / 08:00:00
"""
    frame = read(text)
    keys = dict(zip(frame["region_name"], frame["region_code"], strict=False))
    assert keys == {"Germany": "DG", "North Rhine-Westphalia": "05", "Bavaria": "09", "Berlin": "11"}
    assert set(frame["ges_code"]) == {"GESM", "GESW"}


def test_iso_reference_dates_in_a_leading_column() -> None:
    text = """Tabelle: 99999-0001
Population: Germany, reference date;;
;Population;Population
;Male;Female
2023-12-31;40;44
2024-12-31;41;45
__________
Test data: invented numbers
created: 2025-06-20 / 08:00:00
"""
    frame = read(text)
    assert frame.set_index(["date", "ges"])["value"].to_dict() == {
        (pd.Timestamp("2023-12-31"), "Male"): 40, (pd.Timestamp("2023-12-31"), "Female"): 44,
        (pd.Timestamp("2024-12-31"), "Male"): 41, (pd.Timestamp("2024-12-31"), "Female"): 45}


def test_genesis_online_names_its_leading_column_in_a_header_row_of_its_own() -> None:
    text = """Tabelle: 99999-0005
Bevölkerung: Deutschland, Stichtag, Altersjahre;;;
Fortschreibung des Bevölkerungsstandes;;;
Deutschland;;;
;Stichtag;Stichtag;Stichtag
;31.12.2021;31.12.2022;31.12.2023
Altersjahre;Anzahl;Anzahl;Anzahl
unter 1 Jahr;795;738;692
1-Jährige;800;790;740
Insgesamt;83237;84358;84669
__________
Testdaten: erfundene Zahlen
Stand: 20.06.2025 / 08:00:00
"""
    frame = read(text)
    assert len(frame) == 9  # the "Altersjahre;Anzahl;…" row is header, not data
    total = frame[frame["alter"] == "Insgesamt"].set_index("date")["value"]
    assert total.to_dict() == {pd.Timestamp("2021-12-31"): 83237, pd.Timestamp("2022-12-31"): 84358,
                               pd.Timestamp("2023-12-31"): 84669}
    assert set(frame["unit"]) == {"Anzahl"} and set(frame["measure_label"]) == {"Bevölkerung"}
    assert set(frame["region_code"]) == {"DG"}


def test_the_old_generation_still_reads() -> None:
    frame = read(MEASURES.replace("Tabelle:", "GENESIS-Tabelle:", 1))
    assert set(frame["table"]) == {"99999-02i"}


def _csv_rows(path, encoding: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode(encoding)), delimiter=";"))


def _numbers(rows: list[list[str]], lead: int, width: int, step: int = 1, keep=None) -> float:
    """The sum of every number in the data rows, read with the csv module (the oracle)."""
    keep = keep or (lambda row: row[0] and not row[0].startswith(("Tabelle", "_")))
    total = 0.0
    for row in rows:
        if len(row) == width and keep(row):
            for cell in row[lead::step]:
                if cell not in ("-", ".", "...", "x", "/", ""):
                    total += float(cell.replace(",", "."))
    return total


def test_real_37_nrw_foreigners_by_citizenship() -> None:
    path = real_sample("37_")
    frame = read_table(path)
    assert set(frame["table"]) == {"12521-03i"}
    assert frame.attrs["vintage"] == "2026-02-09"
    krefeld = frame[(frame["region_code"] == "05114") & (frame["ges"] == "Insgesamt")]
    by_label = krefeld.set_index("staatsangehoerigkeiten")["value"]
    assert by_label["Türkei"] == 7620  # typed from the file: 31.12.2024;05114;…;163;  Türkei;7620
    assert by_label["Europa"] == 37805
    assert set(krefeld["date"]) == {pd.Timestamp("2024-12-31")}
    assert krefeld.set_index("staatsangehoerigkeiten")["staatsangehoerigkeiten_code"]["Türkei"] == "163"
    assert frame["region_name"].str.contains("Krefeld, krfr. Stadt").any()
    rows = _csv_rows(path, "latin-1")
    assert frame["value"].sum() == _numbers(rows, 5, 8)
    assert (frame["status"] == "zero").sum() == sum(c == "-" for r in rows if len(r) == 8 for c in r[5:])


def test_real_38_regio_population_by_age_group() -> None:
    path = real_sample("38_")
    frame = read_table(path)
    assert set(frame["table"]) == {"12411-02-03-4"}
    assert frame.attrs["vintage"] == "2025-12-18"
    total = frame[(frame["region_code"] == "05114") & (frame["alter"] == "Insgesamt")]
    assert total.set_index("ges")["value"].to_dict() == {"Insgesamt": 230393, "männlich": 112915,
                                                          "weiblich": 117478}
    assert set(total["year"]) == {2023}
    assert frame["value"].sum() == _numbers(_csv_rows(path, "latin-1"), 4, 7)


def test_real_40_destatis_english_value_and_flag_columns() -> None:
    path = real_sample("40_")
    frame = read_table(path)
    assert set(frame["table"]) == {"12211-9008"}
    assert frame.attrs["vintage"] == "2025-09-12"
    total_a = frame[(frame["wz08_code"] == "WZ08-A") & (frame["ges"] == "Total")].set_index("year")
    assert total_a.loc[2009, "value"] == 648 and total_a.loc[2009, "quality"] == "e"
    assert total_a.loc[2019, "value"] == 510 and total_a.loc[2019, "quality"] == "e"
    rows = _csv_rows(path, "utf-8-sig")
    assert frame["value"].sum() == _numbers(rows, 3, 25, 2, lambda r: r[2] in ("Male", "Female", "Total"))
    flags = [c for r in rows if len(r) == 25 and r[2] in ("Male", "Female", "Total") for c in r[4::2]]
    assert len(flags) == len(frame)
    assert (frame["quality"] == "e").sum() == flags.count("e")
    assert len(frame) == 21 * 3 * 11
