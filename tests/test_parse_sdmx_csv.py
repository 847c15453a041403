"""Eurostat SDMX-CSV 2.0 and 1.0 (Data Browser download), with and without labels; the retired
Data Explorer CSV is refused with what to download instead.

Files written here are test data (dataset ``TEST_DS``, made-up numbers); the real file 39 is
checked against figures typed from it and against the ``csv`` module.
"""

from __future__ import annotations

import csv
import json

import pandas as pd
import pytest
from helpers import real_sample

from krefeld_data import read_table
from krefeld_data.errors import KrefeldDataError, ParseError
from krefeld_data.parse import sniff as formats

V2_LABELS = (
    "STRUCTURE,STRUCTURE_ID,STRUCTURE_NAME,freq,Time frequency,indic_ur,Urban audit indicator,cities,"
    "Geopolitical entity (declaring),TIME_PERIOD,Time,OBS_VALUE,Observation value,OBS_FLAG,"
    "Observation status (Flag) V2 structure,CONF_STATUS,Confidentiality status (flag)\r\n"
    'dataflow,ESTAT:TEST_DS(1.0),Testdaten,A,Annual,DE1001V,"Population, total",DE087C,Krefeld,2020,,'
    "1000,,,,,\r\n"
    'dataflow,ESTAT:TEST_DS(1.0),Testdaten,A,Annual,DE1001V,"Population, total",DE087C,Krefeld,2021,,'
    "1010.5,,e,estimated,,\r\n"
    'dataflow,ESTAT:TEST_DS(1.0),Testdaten,A,Annual,DE1001V,"Population, total",DE011C,Düsseldorf,2021,,'
    "2000,,b,break in time series,,\r\n"
    'dataflow,ESTAT:TEST_DS(1.0),Testdaten,A,Annual,DE1001V,"Population, total",DE011C,Düsseldorf,2020,,'
    ",,,,C,Confidential statistical information\r\n"
    'dataflow,ESTAT:TEST_DS(1.0),Testdaten,A,Annual,DE1001V,"Population, total",DE124C,Wuppertal,2020,,'
    ",,,,,\r\n"
)
V2_CODES = (
    "STRUCTURE,STRUCTURE_ID,ACTION,freq,indic_ur,cities,TIME_PERIOD,OBS_VALUE,OBS_FLAG,CONF_STATUS\n"
    "dataflow,ESTAT:TEST_DS(1.0),I,A,DE1001V,DE087C,2020,1000,,\n"
    "dataflow,ESTAT:TEST_DS(1.0),I,A,DE1001V,DE087C,2021,1010.5,e,\n"
    "dataflow,ESTAT:TEST_DS(1.0),I,A,DE1001V,DE011C,2021,2000,b,\n"
    "dataflow,ESTAT:TEST_DS(1.0),I,A,DE1001V,DE011C,2020,,,C\n"
)
V1 = (
    "DATAFLOW,LAST UPDATE,freq,unit,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG,CONF_STATUS\n"
    "ESTAT:TEST_DS(1.0),22/05/26 11:00:00,M,PC_ACT,DE,2024-01,3.1,p,\n"
    "ESTAT:TEST_DS(1.0),22/05/26 11:00:00,M,PC_ACT,DE,2024-02,3.2,,\n"
    "ESTAT:TEST_DS(1.0),22/05/26 11:00:00,M,PC_ACT,DE,2024-03,:,,\n"
)
V1_LABELS = (
    "DATAFLOW,LAST UPDATE,freq,unit,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG\n"
    "ESTAT:TEST_DS(1.0),22/05/26 11:00:00,A:Annual,PC_ACT:Percentage of population in the labour force,"
    "DE:Germany,2024,3.4,\n"
)


def read(text: str) -> pd.DataFrame:
    return read_table(text.encode("utf-8"))


def test_sdmx_csv_2_with_labels() -> None:
    frame = read(V2_LABELS)
    assert frame.attrs["format"] == formats.SDMX_CSV
    assert set(frame["table"]) == {"test_ds"}
    assert len(frame) == 4  # the Wuppertal row has neither value nor flag: no cell, as in JSON-stat
    krefeld = frame[frame["region_code"] == "DE087C"].set_index("year")
    assert set(krefeld["region_name"]) == {"Krefeld"}
    assert krefeld["value"].to_dict() == {2020: 1000.0, 2021: 1010.5}
    assert krefeld["quality"].astype(str).to_dict() == {2020: "", 2021: "e"}
    assert set(frame["indic_ur"]) == {"Population, total"}
    assert set(frame["measure_label"]) == {"Testdaten"}
    confidential = frame[(frame["region_code"] == "DE011C") & (frame["year"] == 2020)]
    assert confidential["status"].tolist() == ["confidential"] and confidential["value"].isna().all()


def test_sdmx_csv_2_without_labels_gives_the_same_numbers_and_flags() -> None:
    labelled, coded = read(V2_LABELS), read(V2_CODES)
    keys = ["region_code", "year"]
    left = labelled.set_index(keys)[["value", "status", "quality"]].astype(str).sort_index()
    right = coded.set_index(keys)[["value", "status", "quality"]].astype(str).sort_index()
    pd.testing.assert_frame_equal(left, right)
    assert set(coded["region_name"]) == {"DE087C", "DE011C"}  # no labels: the code stands in


def test_flags_map_exactly_as_in_json_stat() -> None:
    """The same cells as a JSON-stat document: ``quality`` and ``status`` must agree."""
    doc = {
        "version": "2.0", "class": "dataset", "label": "Testdaten",
        "id": ["freq", "indic_ur", "cities", "time"], "size": [1, 1, 2, 2], "extension": {"id": "TEST_DS"},
        "dimension": {
            "freq": {"label": "Time frequency", "category": {"index": {"A": 0}, "label": {"A": "Annual"}}},
            "indic_ur": {"label": "Urban audit indicator",
                         "category": {"index": {"DE1001V": 0}, "label": {"DE1001V": "Population, total"}}},
            "cities": {"label": "Geopolitical entity (declaring)",
                       "category": {"index": {"DE087C": 0, "DE011C": 1},
                                    "label": {"DE087C": "Krefeld", "DE011C": "Düsseldorf"}}},
            "time": {"label": "Time", "category": {"index": {"2020": 0, "2021": 1}}},
        },
        "value": {"0": 1000, "1": 1010.5, "3": 2000},
        "status": {"1": "e", "2": "|C", "3": "b"},
    }
    from_json = read_table(json.dumps(doc).encode())
    from_csv = read(V2_LABELS)
    keys = ["region_code", "year"]
    cols = ["region_name", "value", "status", "quality"]
    pd.testing.assert_frame_equal(
        from_json.set_index(keys)[cols].astype(str).sort_index(),
        from_csv.set_index(keys)[cols].astype(str).sort_index(),
    )


def test_sdmx_csv_1_with_last_update_gives_the_vintage() -> None:
    frame = read(V1)
    assert frame.attrs["vintage"] == "2026-05-22"
    assert frame.attrs["vintage_source"] == "LAST UPDATE column of the file"
    assert frame.set_index("date")["value"].to_dict() == {pd.Timestamp("2024-01-01"): 3.1,
                                                           pd.Timestamp("2024-02-01"): 3.2}
    assert frame["quality"].astype(str).tolist() == ["p", ""]
    assert frame.attrs["cells_without_content"] == 1  # ':' without a flag: no row


def test_sdmx_csv_1_with_code_and_label_in_one_cell() -> None:
    frame = read(V1_LABELS)
    assert frame["region_code"].tolist() == ["DE"]
    assert frame["region_name"].tolist() == ["Germany"]
    assert frame["unit"].tolist() == ["Percentage of population in the labour force"]
    assert frame["unit_code"].tolist() == ["PC_ACT"]


def test_attribute_columns_after_the_value_are_no_dimensions() -> None:
    text = (
        "STRUCTURE,STRUCTURE_ID,STRUCTURE_NAME,ACTION,freq,Time frequency,geo,Geopolitical entity,"
        "TIME_PERIOD,Time,OBS_VALUE,Observation value,OBS_FLAG,Flag,UNIT_MULT,Unit multiplier\n"
        "dataflow,ESTAT:TEST_DS(1.0),Testdaten,I,A,Annual,DE,Germany,2024,,3.4,,p,provisional,0,Units\n"
    )
    frame = read(text)
    assert frame["region_code"].tolist() == ["DE"] and frame["quality"].tolist() == ["p"]
    assert "unit_mult" not in frame.columns


def test_a_semicolon_separated_download_reads_too() -> None:
    frame = read(V2_CODES.replace(",", ";"))
    assert len(frame) == 4


@pytest.mark.parametrize("change, message", [
    (lambda t: t.replace(",1010.5,", ",1.010,5,"), r"line 3 has 11 fields"),
    (lambda t: t.replace(",1010.5,", ",eins,"), r"line 3: OBS_VALUE 'eins' is not a number"),
    (lambda t: t.split("\n")[0] + "\n", r"header but no data rows"),
    (lambda t: t + "dataflow,ESTAT:TEST_DS(1.0),I,A,DE1001V,DE087C,2020,5,,\n",
     r"line 6 repeats an observation"),
    (lambda t: t.replace("TEST_DS(1.0),I,A,DE1001V,DE087C,2020", "OTHER(1.0),I,A,DE1001V,DE087C,2020"),
     r"mixes datasets"),
])
def test_damaged_sdmx_csv_names_the_problem(change, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        read(change(V2_CODES))


DATA_EXPLORER_FLAT = (
    '"TIME","CITIES","INDIC_UR","Value","Flag and Footnotes"\n'
    '"2015","Krefeld","Population on the 1st of January, total","222,500",""\n'
    '"2016","Krefeld","Population on the 1st of January, total",":",""\n'
)
DATA_EXPLORER_TABLE = (
    '"Population on 1 January by age groups and sex - cities and greater cities [urb_cpop1]"\n'
    '"Last update","26.04.21"\n"Extracted on","01.05.21"\n"Source of data","Eurostat"\n\n'
    '"CITIES/TIME","2015","2016"\n"Krefeld","222,500",":"\n'
)


@pytest.mark.parametrize("text", [DATA_EXPLORER_FLAT, DATA_EXPLORER_TABLE])
def test_the_retired_data_explorer_csv_is_refused_with_what_to_download(text: str) -> None:
    with pytest.raises(KrefeldDataError, match=r"retired Data Explorer.*Data Browser as 'SDMX-CSV'"):
        read(text)


def test_real_39_urban_audit_population_sdmx_csv_2_with_labels() -> None:
    path = real_sample("39_")
    frame = read_table(path)
    assert set(frame["table"]) == {"urb_cpop1"}
    krefeld = frame[frame["region_code"] == "DE087C"].set_index("year")
    assert set(krefeld["region_name"]) == {"Krefeld"}
    assert krefeld.loc[2020, "value"] == 227417  # typed from the file: …,DE087C,Krefeld,2020,,227417,…
    duesseldorf = frame[(frame["region_code"] == "DE011C") & (frame["year"] == 2024)]
    assert duesseldorf["value"].tolist() == [68058] and duesseldorf["quality"].tolist() == ["b"]
    german = {c for c in frame["region_code"] if c.startswith("DE")}
    assert len(german) == 152
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(frame) == sum(1 for r in rows if r["OBS_VALUE"] or r["OBS_FLAG"] or r["CONF_STATUS"])
    assert frame["value"].sum() == sum(float(r["OBS_VALUE"]) for r in rows if r["OBS_VALUE"])
    flags = [r["OBS_FLAG"] for r in rows if r["OBS_FLAG"]]
    assert (frame["quality"] != "").sum() == len(flags)
    assert (frame["quality"] == "b").sum() == flags.count("b")
