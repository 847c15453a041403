"""GENESIS flat files (ffcsv), current and old layout, in every shape the services send."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml
from helpers import real_sample

from krefeld_data import read_table
from krefeld_data.errors import ParseError
from krefeld_data.fetch.importer import import_file
from krefeld_data.parse import ffcsv, ffcsv_old
from krefeld_data.parse import sniff as formats
from krefeld_data.raw.store import RawStore

HEADER = (
    "statistics_code;statistics_label;time_code;time_label;time;"
    "1_variable_code;1_variable_label;1_variable_attribute_code;1_variable_attribute_label;"
    "2_variable_code;2_variable_label;2_variable_attribute_code;2_variable_attribute_label;"
    "value;value_unit;value_variable_code;value_variable_label"
)
ROWS = [
    "12411;Fortschreibung;STAG;Stichtag;2024-12-31;KREISE;Kreise;05114;Krefeld, kreisfreie Stadt;"
    "GES;Geschlecht;;Insgesamt;231406;Anzahl;BEVSTD;Bevölkerungsstand",
    "12411;Fortschreibung;STAG;Stichtag;2024-12-31;KREISE;Kreise;05114;Krefeld, kreisfreie Stadt;"
    "GES;Geschlecht;GESM;männlich;113754;Anzahl;BEVSTD;Bevölkerungsstand",
    "12411;Fortschreibung;STAG;Stichtag;2024-12-31;KREISE;Kreise;05334002;Aachen, Stadt;"
    "GES;Geschlecht;GESW;weiblich;-;Anzahl;BEVSTD;Bevölkerungsstand",
]
OLD_HEADER = (
    "Statistik_Code;Statistik_Label;Zeit_Code;Zeit_Label;Zeit;1_Merkmal_Code;1_Merkmal_Label;"
    "1_Auspraegung_Code;1_Auspraegung_Label;2_Merkmal_Code;2_Merkmal_Label;2_Auspraegung_Code;"
    "2_Auspraegung_Label;BEVSTD__Bevoelkerungsstand__Anzahl;FLC001__Flaeche__qkm;FLC001__Flaeche__qkm__q"
)
OLD_ROWS = [
    "12411;Bevölkerung;STAG;Stichtag;31.12.2023;KREISE;Kreise;DG;Deutschland;GES;Geschlecht;;Insgesamt;"
    "84669326;357588,5;e",
    "12411;Bevölkerung;STAG;Stichtag;31.12.2023;KREISE;Kreise;05;  Nordrhein-Westfalen;GES;Geschlecht;"
    "GESM;männlich;.;34112,7;p",
]


def current(rows=ROWS, header=HEADER, encoding="utf-8", bom=True) -> bytes:
    data = ("\n".join([header, *rows]) + "\n").encode(encoding)
    return (formats.UTF8_BOM if bom else b"") + data


def zipped(data: bytes, name="12411-01-01-4_1773175772751_de_flat.csv") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


# --- current layout, small files ---------------------------------------------------------

def test_current_layout_gives_the_tidy_schema() -> None:
    frame = read_table(current())
    assert list(frame.columns) == [
        "table", "region_code", "region_name", "year", "date", "ges", "ges_code",
        "measure", "measure_label", "unit", "value", "status", "quality",
    ]
    assert list(frame["region_code"]) == ["05114", "05114", "05334002"]
    assert list(frame["ges_code"]) == ["", "GESM", "GESW"]
    assert list(frame["ges"]) == ["Insgesamt", "männlich", "weiblich"]
    assert frame["year"].dtype == "Int64" and list(frame["year"]) == [2024] * 3
    assert frame["date"].iloc[0] == pd.Timestamp("2024-12-31")
    assert frame["table"].iloc[0] == "12411"  # no zip member name: the statistics code
    assert frame.attrs["region_variable"] == "KREISE"
    assert frame.attrs["format"] == formats.FFCSV


@pytest.mark.parametrize(
    ("encoding", "bom"), [("utf-8", True), ("utf-8", False), ("cp1252", False), ("latin-1", False)]
)
def test_every_encoding_gives_the_same_labels(encoding: str, bom: bool) -> None:
    frame = read_table(current(encoding=encoding, bom=bom))
    assert frame["ges"].iloc[1] == "männlich"
    assert frame["measure_label"].iloc[0] == "Bevölkerungsstand"


def test_zipped_and_plain_give_the_same_frame_and_the_zip_names_the_table() -> None:
    plain = read_table(current())
    packed = read_table(zipped(current()))
    assert packed["table"].iloc[0] == "12411-01-01-4"
    pd.testing.assert_frame_equal(plain.drop(columns="table"), packed.drop(columns="table"))


def test_cp1252_after_the_first_lines_is_still_read() -> None:
    # Sniffing decodes only the head of a big flat file; a Windows-1252 byte comes later.
    ascii_row = ROWS[1].replace("männlich", "maennlich").replace("Bevölkerungsstand", "BEVSTD")
    late = ROWS[0].replace("Krefeld", "Mönchengladbach").replace("Bevölkerungsstand", "BEVSTD")
    data = current(rows=[*[ascii_row] * 2000, late], bom=False).replace(
        "Mönchengladbach".encode(), "Mönchengladbach".encode("cp1252"))
    assert len(data) > formats.FLAT_FILE_HEAD
    frame = read_table(data)
    assert frame["region_name"].iloc[-1] == "Mönchengladbach, kreisfreie Stadt"
    assert len(frame) == 2001


def test_utf8_head_with_cp1252_further_down_is_mixed_encoding() -> None:
    late = ROWS[0].replace("Krefeld", "Mönchengladbach")
    data = current(rows=[*[ROWS[1]] * 2000, late], bom=False).replace(
        "Mönchengladbach".encode(), "Mönchengladbach".encode("cp1252"))
    with pytest.raises(ParseError, match="mixed encodings"):
        read_table(data)


def test_a_position_mixing_two_variables_keeps_which_is_which() -> None:
    rows = [
        "1000A;Z;STAG;Stichtag;2022-05-15;GEODL1;Deutschland;DG;Deutschland;WDGAT2;E;;Insgesamt;10;"
        "Anzahl;PRS001;Personen",
        "1000A;Z;STAG;Stichtag;2022-05-15;GEOBL1;Länder;05;NRW;WDGAT1;E;WANDERUNG-X;Ohne;4;"
        "Anzahl;PRS001;Personen",
        "1000A;Z;STAG;Stichtag;2022-05-15;GEOBL1;Länder;05;NRW;WDGAT2;E;WANDERUNG-X;Ohne;4;"
        "Anzahl;PRS001;Personen",
    ]
    frame = read_table(current(rows=rows))
    assert list(frame["region_code"]) == ["DG", "05", "05"]
    assert list(frame["wdgat1_wdgat2_variable"]) == ["WDGAT2", "WDGAT1", "WDGAT2"]
    assert list(frame["wdgat1_wdgat2_code"]) == ["", "WANDERUNG-X", "WANDERUNG-X"]


def test_a_table_without_region_variable_has_empty_region_columns() -> None:
    rows = [r.replace("KREISE;Kreise;05114;Krefeld, kreisfreie Stadt", "NAT;Nationalität;NATA;Ausländer")
            for r in ROWS[:2]]
    frame = read_table(current(rows=rows))
    assert list(frame["region_code"]) == ["", ""]
    assert list(frame["nat_code"]) == ["NATA", "NATA"]


@pytest.mark.parametrize(("header", "bom"), [(HEADER, True), (OLD_HEADER, False)], ids=["current", "old"])
def test_header_without_data_rows_is_refused(header: str, bom: bool) -> None:
    with pytest.raises(ParseError, match="header but no data rows"):
        read_table(current(rows=[], header=header, bom=bom))


# --- damaged flat files -------------------------------------------------------------------

def test_shifted_columns_name_the_line() -> None:
    rows = [ROWS[0], ROWS[1].replace(";GESM;", ";GESM;extra;"), ROWS[2]]
    with pytest.raises(ParseError, match=r"line 3 has 18 fields where the header has 17"):
        read_table(current(rows=rows))


def test_repeated_header_row_is_named() -> None:
    with pytest.raises(ParseError, match=r"line 3 repeats the header row"):
        read_table(current(rows=[ROWS[0], HEADER, ROWS[1]]))


def test_comma_separated_flat_file_is_refused() -> None:
    data = current(rows=[r.replace(";", ",") for r in ROWS], header=HEADER.replace(";", ","))
    with pytest.raises(ParseError, match="commas"):
        read_table(data)


def test_comma_separated_rows_under_a_semicolon_header_are_refused() -> None:
    with pytest.raises(ParseError, match=r"line 2 has 1 fields.*comma-separated"):
        read_table(current(rows=[ROWS[0].replace(";", ",")]))


def test_header_with_a_missing_column_is_refused() -> None:
    with pytest.raises(ParseError, match="lacks 2_variable_attribute_label"):
        read_table(current(rows=[], header=HEADER.replace(";2_variable_attribute_label", "")))


def test_header_with_an_unknown_column_is_refused() -> None:
    rows = [r + ";1" for r in ROWS]
    with pytest.raises(ParseError, match="unknown columns extra"):
        read_table(current(rows=rows, header=HEADER + ";extra"))


# --- old layout ----------------------------------------------------------------------------

def test_old_layout_stacks_measures_and_keeps_their_quality_flags() -> None:
    frame = read_table(current(rows=OLD_ROWS, header=OLD_HEADER, bom=False))
    assert frame.attrs["format"] == formats.FFCSV_OLD
    assert list(frame["measure"]) == ["BEVSTD", "BEVSTD", "FLC001", "FLC001"]
    assert list(frame["unit"]) == ["Anzahl", "Anzahl", "qkm", "qkm"]
    assert list(frame["measure_label"]) == ["Bevoelkerungsstand"] * 2 + ["Flaeche"] * 2
    assert list(frame["region_code"]) == ["DG", "05", "DG", "05"]
    assert list(frame["region_name"]) == ["Deutschland", "Nordrhein-Westfalen"] * 2  # no indentation
    assert list(frame["status"]) == ["", "unknown", "", ""]
    assert frame["value"].iloc[2] == pytest.approx(357588.5)
    assert list(frame["quality"]) == ["", "", "e", "p"]
    assert frame["date"].iloc[0] == pd.Timestamp("2023-12-31")


def test_old_english_variant_with_duplicated_column_names() -> None:
    header = (
        "statistics_code;statistics_label;time_code;time_label;time;1_variable_code;1_variable_label;"
        "1_variable_code;1_variable_code;2_variable_code;2_variable_label;2_variable_code;2_variable_code;"
        "BEVSTD__Bevoelkerungsstand__Anzahl"
    )
    rows = ["12411;Pop;STAG;Stichtag;2023-12-31;KREISE;Kreise;05114;Krefeld;GES;Sex;;Total;228550"]
    frame = read_table(current(rows=rows, header=header, bom=False))
    assert frame["region_code"].iloc[0] == "05114"
    assert frame["ges"].iloc[0] == "Total" and frame["value"].iloc[0] == 228550.0


def test_old_layout_shifted_value_names_line_and_measure() -> None:
    rows = [OLD_ROWS[0], OLD_ROWS[1].replace(";34112,7;", ";34x12;")]
    with pytest.raises(ParseError, match=r"line 3, column FLC001: the value '34x12'"):
        read_table(current(rows=rows, header=OLD_HEADER, bom=False))


def test_old_layout_quality_column_must_follow_its_measure() -> None:
    header = OLD_HEADER.replace("FLC001__Flaeche__qkm__q", "BEVSTD__Bevoelkerungsstand__Anzahl__q")
    with pytest.raises(ParseError, match="does not follow its value column"):
        read_table(current(rows=OLD_ROWS, header=header, bom=False))


def test_parsers_called_directly_take_a_payload() -> None:
    payload = formats.sniff(current(), "x.csv")
    assert len(ffcsv.parse(payload, "x.csv")) == 3
    old = formats.sniff(current(rows=OLD_ROWS, header=OLD_HEADER), "y.csv")
    assert len(ffcsv_old.parse(old, "y.csv")) == 4


# --- real files ---------------------------------------------------------------------------

def _krefeld_by_sex(frame: pd.DataFrame) -> dict[str, float]:
    rows = frame[frame["region_code"] == "05114"]
    return dict(zip(rows["ges_code"].astype(str), rows["value"], strict=True))


def test_real_02_krefeld_population_2024() -> None:
    frame = read_table(real_sample("02_"))
    assert len(frame) == 1467
    krefeld = _krefeld_by_sex(frame)
    assert krefeld == {"": 231406.0, "GESM": 113754.0, "GESW": 117652.0}
    assert krefeld["GESM"] + krefeld["GESW"] == krefeld[""]
    assert (frame["date"] == pd.Timestamp("2024-12-31")).all()
    assert frame.attrs["special_values"] == {"zero": 222}
    zero = frame[frame["status"] == "zero"]
    assert (zero["value"] == 0.0).all() and len(zero) == 222
    assert set(frame["region_code"].str.len()) == {5, 8}
    assert "03241001" in set(frame["region_code"])


def test_real_04_old_layout_2023_germany_and_krefeld() -> None:
    frame = read_table(real_sample("04_"))
    assert len(frame) == 1614
    assert _krefeld_by_sex(frame) == {"": 228550.0, "GESM": 111419.0, "GESW": 117131.0}
    germany = frame[(frame["region_code"] == "DG") & (frame["ges_code"] == "")]
    assert germany["value"].tolist() == [84669326.0]
    assert frame.attrs["special_values"] == {"zero": 237, "unknown": 36}
    assert frame[frame["status"] == "unknown"]["value"].isna().all()
    assert {"DG", "05", "051", "05114", "05334002"} <= set(frame["region_code"])
    assert not frame["region_name"].str.startswith(" ").any()


def test_real_06_protection_seekers_keep_official_labels() -> None:
    frame = read_table(real_sample("06_"))
    assert len(frame) == 2110
    assert set(frame["region_code"]) == {"05111", "05114", "05124", "08311"}
    kosovo = frame[(frame["region_code"] == "05114") & (frame["schst2_code"] == "SCHUTZST-AK-5")
                   & (frame["ges_code"] == "GESM") & (frame["staag5_code"] == "ST150")]
    assert kosovo["value"].tolist() == [35.0]
    assert "Ohne Schutzsstatus" in set(frame["schst2"])  # the official typo stays


def test_real_07_census_quality_flags() -> None:
    frame = read_table(real_sample("07_"))
    assert len(frame) == 1360
    assert frame["quality"].value_counts().to_dict() == {"e": 1003, "": 357}
    assert frame.attrs["special_values"] == {"zero": 357}
    assert (frame.loc[frame["status"] == "zero", "quality"] == "").all()
    nrw = frame[(frame["region_code"] == "05") & (frame["altgr2_code"] == "ALT020B029")
                & (frame["wdgat1_wdgat2_code"] == "") & (frame["measure"] == "PRS018")]
    assert nrw["value"].tolist() == [2083706.0] and nrw["quality"].tolist() == ["e"]
    assert frame["date"].iloc[0] == pd.Timestamp("2022-05-15")


def _imported(prefix: str, tmp_path: Path) -> list[pd.DataFrame]:
    store = RawStore(tmp_path / "raw")
    return [read_table(r.result.snapshot) for r in import_file(real_sample(prefix), store=store)]


def test_real_01_cassette_zip_via_import(tmp_path: Path) -> None:
    (frame,) = _imported("01_", tmp_path)
    assert frame["table"].iloc[0] == "12411-01-01-4"
    assert _krefeld_by_sex(frame) == {"": 231406.0, "GESM": 113754.0, "GESW": 117652.0}
    assert frame.attrs["provenance"]["table"] == "12411-01-01-4"


def test_real_03_cassette_old_layout_via_import(tmp_path: Path) -> None:
    (frame,) = _imported("03_", tmp_path)
    assert frame.attrs["format"] == formats.FFCSV_OLD
    assert _krefeld_by_sex(frame) == {"": 228550.0, "GESM": 111419.0, "GESW": 117131.0}


def test_real_03_english_old_variant_from_the_cassette() -> None:
    doc = yaml.safe_load(real_sample("03_").read_text(encoding="utf-8"))
    bodies = [i["response"]["body"]["string"] for i in doc["interactions"]
              if "tablefile" in i["request"]["uri"] and "language=en" in i["request"]["uri"]]
    frame = read_table(bodies[0].encode("utf-8"))
    assert _krefeld_by_sex(frame) == {"": 228550.0, "GESM": 111419.0, "GESW": 117131.0}
    assert "Total" in set(frame["ges"])


def test_real_05_big_job_result_via_import(tmp_path: Path) -> None:
    (frame,) = _imported("05_", tmp_path)
    assert len(frame) == 116738
    assert frame["table"].iloc[0] == "12531-0043"
    assert frame["region_code"].str.fullmatch(r"\d{5}|\d{8}|DG|\d{2,3}").all()
    # The rows extracted into 06 are the same values.
    extract = read_table(real_sample("06_"))
    keys = ["region_code", "schst2_code", "ges_code", "staag5_code"]
    big = frame[frame["region_code"].isin(set(extract["region_code"]))]
    merged = big.astype({k: str for k in keys}).merge(
        extract.astype({k: str for k in keys}), on=keys, suffixes=("", "_x"))
    assert len(merged) == len(extract) == len(big)
    assert (merged["value"] == merged["value_x"]).all()


def test_yearly_tables_have_a_year_and_no_date() -> None:
    rows = [r.replace("STAG;Stichtag;2024-12-31", "JAHR;Jahr;2023") for r in ROWS]
    frame = read_table(current(rows=rows))
    assert list(frame["year"]) == [2023] * 3
    assert frame["date"].isna().all()
    assert frame.attrs["time_code"] == "JAHR"


def test_special_symbols_are_counted_in_the_log(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("INFO", logger="krefeld_data.parse.common"):
        read_table(current())
    assert "3 values, special symbols coerced: zero 1" in caplog.text
