"""Flat files with several value columns, a unit carried in a variable, or a multiplier as unit.

All files here are test data written by the tests (statistic ``99999``, made-up numbers).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from krefeld_data import read_table
from krefeld_data.errors import KrefeldDataError

OLD = ("Statistik_Code;Statistik_Label;Zeit_Code;Zeit_Label;Zeit;1_Merkmal_Code;1_Merkmal_Label;"
       "1_Auspraegung_Code;1_Auspraegung_Label")
KREFELD = "99999;Testdaten;JAHR;Jahr;2023;KREISE;Kreise;05114;Krefeld, kreisfreie Stadt"
CURRENT = ("statistics_code;statistics_label;time_code;time_label;time;1_variable_code;1_variable_label;"
           "1_variable_attribute_code;1_variable_attribute_label;value;value_unit;value_variable_code;"
           "value_variable_label")


def text(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_several_value_columns_with_the_same_unit_give_one_row_each() -> None:
    # Two measures share the unit "Anzahl": this raised "Categorical categories must be unique".
    frame = read_table(text(OLD + ";BEV001__Lebendgeborene__Anzahl;BEV002__Gestorbene__Anzahl;"
                                  "FLC001__Flaeche__qkm", KREFELD + ";2000;2500;137,78"))
    assert frame.set_index("measure")["value"].to_dict() == {"BEV001": 2000, "BEV002": 2500, "FLC001": 137.78}
    assert frame.set_index("measure")["unit"].to_dict() == {"BEV001": "Anzahl", "BEV002": "Anzahl",
                                                            "FLC001": "qkm"}


def test_two_measures_with_the_same_label_stay_apart() -> None:
    frame = read_table(text(OLD + ";A1__Wert__Anzahl;A2__Wert__Prozent", KREFELD + ";10;12,5"))
    assert frame["measure"].tolist() == ["A1", "A2"]
    assert frame["measure_label"].tolist() == ["Wert", "Wert"]


def test_a_unit_carried_in_a_variable_is_the_unit_of_each_row() -> None:
    header = OLD + ";2_Merkmal_Code;2_Merkmal_Label;2_Auspraegung_Code;2_Auspraegung_Label;WERT__Wert"
    frame = read_table(text(header, KREFELD + ";EINHEIT;Einheit;ANZ;Anzahl;2000",
                            KREFELD + ";EINHEIT;Einheit;PROZ;Prozent;12,5",
                            KREFELD + ";EINHEIT;Einheit;TSD;1000;2,1"))
    assert frame["unit"].tolist() == ["Anzahl", "Prozent", "in 1000"]
    assert frame["value"].tolist() == [2000, 12.5, 2.1]
    assert "einheit" not in frame.columns  # it is the unit, not a breakdown


def test_a_multiplier_as_value_unit_says_so_in_the_unit() -> None:
    row = "99999;Testdaten;JAHR;Jahr;2019;DINSG;Deutschland;DG;Deutschland;{v};{u};ERW;Erwerbstätige"
    frame = read_table(text(CURRENT, row.format(v="510", u="1000"), row.format(v="3", u="Prozent")))
    assert frame["unit"].tolist() == ["in 1000", "Prozent"]
    frame = read_table(text(OLD + ";ERW__Erwerbstaetige__1000", KREFELD + ";510"))
    assert frame["unit"].tolist() == ["in 1000"]


@pytest.mark.parametrize("header_tail, row_tail", [
    (";A__x__Anzahl;A__y__Anzahl", ";1;2"),  # one measure code twice
    (";A__x__Anzahl;A__x__Anzahl__q", ";1;2;3"),  # a row longer than the header
    (";__x__Anzahl", ";1"),  # no measure code
    (";A__x__Anzahl", ";1,2,3"),  # not a number
])
def test_damaged_old_flat_files_raise_only_krefeld_data_errors(header_tail: str, row_tail: str) -> None:
    with pytest.raises(KrefeldDataError):
        read_table(text(OLD + header_tail, KREFELD + row_tail))


def test_a_flat_file_read_from_a_path_gets_the_table_code_of_its_name(tmp_path: Path) -> None:
    path = tmp_path / "99999-01-01-4_flat.csv"
    path.write_bytes(text(OLD + ";A__x__Anzahl", KREFELD + ";1"))
    assert read_table(path)["table"].tolist() == ["99999-01-01-4"]
    assert read_table(path.read_bytes())["table"].tolist() == ["99999"]


def test_the_data_dictionary_says_a_multiplier_unit_in_words() -> None:
    from krefeld_data.datasets.io import data_dictionary

    row = "99999;Testdaten;JAHR;Jahr;2019;DINSG;Deutschland;DG;Deutschland;510;1000;ERW;Erwerbstätige"
    frame = read_table(text(CURRENT, row))
    unit_line = next(line for line in data_dictionary("test", frame, "Testdaten").splitlines()
                     if line.startswith("| `unit`"))
    assert "in 1000" in unit_line and "Werte in Tausend" in unit_line
