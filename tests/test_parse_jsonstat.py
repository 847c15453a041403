"""Eurostat JSON-stat (2.0 and the retired wdds v1.1) into the tidy schema."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest
from helpers import real_sample

from krefeld_data import read_table
from krefeld_data.errors import ParseError
from krefeld_data.parse.flags import split_status
from krefeld_data.schema import STATUSES


def _dataset(**overrides: Any) -> dict[str, Any]:
    """A small JSON-stat 2.0 dataset: 2 geo x 3 years, sparse values."""
    base: dict[str, Any] = {
        "version": "2.0",
        "class": "dataset",
        "label": "Test dataset",
        "source": "ESTAT",
        "updated": "2026-01-01T11:00:00+0100",
        "value": {"5": 6, "0": 1.5, "3": 4},
        "id": ["freq", "unit", "geo", "time"],
        "size": [1, 1, 2, 3],
        "dimension": {
            "freq": {"label": "Time frequency", "category": {"index": {"A": 0}, "label": {"A": "Annual"}}},
            "unit": {"label": "Unit", "category": {"index": {"NR": 0}, "label": {"NR": "Number"}}},
            "geo": {
                "label": "Geo",
                "category": {"index": {"DE": 0, "AT": 1}, "label": {"DE": "Germany", "AT": "Austria"}},
            },
            "time": {
                "label": "Time",
                "category": {"index": {"2021": 0, "2022": 1, "2023": 2}, "label": {}},
            },
        },
        "extension": {"id": "TEST_DS"},
    }
    base.update(overrides)
    return base


def _read(obj: Any) -> pd.DataFrame:
    return read_table(json.dumps(obj).encode("utf-8"))


def _cell(frame: pd.DataFrame, **where: str) -> pd.Series:
    mask = np.ones(len(frame), dtype=bool)
    for column, wanted in where.items():
        mask &= (frame[column].astype(str) == wanted).to_numpy()
    rows = frame[mask]
    assert len(rows) == 1, f"{where}: {len(rows)} rows"
    return rows.iloc[0]


# --- real responses ----------------------------------------------------------------------------


def test_12_monthly_unemployment_has_31_values_and_the_missing_month_is_absent():
    frame = read_table(real_sample("12_"))
    raw = json.loads(real_sample("12_").read_text(encoding="utf-8"))
    assert len(frame) == len(raw["value"]) == 31
    assert "2026-08" in raw["dimension"]["time"]["category"]["index"]  # index 31, no value
    assert frame["date"].max() == pd.Timestamp("2026-07-01")
    assert not (frame["date"] == pd.Timestamp("2026-08-01")).any()
    first = _cell(frame, date="2024-01-01")
    assert first["value"] == raw["value"]["0"]
    assert first["year"] == 2024
    assert (first["table"], first["measure"]) == ("une_rt_m", "UNE_RT_M")
    assert (first["region_code"], first["region_name"]) == ("DE", "Germany")
    assert first["unit"] == "Percentage of population in the labour force"
    assert first["unit_code"] == "PC_ACT"
    assert first["sex_code"] == "T" and first["s_adj_code"] == "SA" and first["age"] == "Total"
    assert "freq" not in frame.columns
    assert list(frame["year"].value_counts().sort_index()) == [12, 12, 7]
    assert frame["value"].tolist() == [raw["value"][str(i)] for i in range(31)]
    assert set(frame["status"]) == {""} and set(frame["quality"]) == {""}
    assert frame.attrs["updated"] == "2026-09-22T11:00:00+0200"
    assert frame.attrs["dataset_label"] == "Unemployment by sex and age - monthly data"
    assert frame.attrs["source"] == "ESTAT"
    assert frame.attrs["format"] == "jsonstat"


def test_12_has_the_tidy_schema_dtypes():
    frame = read_table(real_sample("12_"))
    assert str(frame["year"].dtype) == "Int64"
    assert frame["date"].dtype.kind == "M"
    assert frame["value"].dtype == np.float64
    assert isinstance(frame["status"].dtype, pd.CategoricalDtype)
    assert list(frame["status"].cat.categories) == STATUSES
    assert isinstance(frame["sex"].dtype, pd.CategoricalDtype)
    assert list(frame.columns[:5]) == ["table", "region_code", "region_name", "year", "date"]


def test_13_a_month_without_a_value_yet_gives_an_empty_frame_with_a_reason():
    frame = read_table(real_sample("13_"))
    assert frame.empty
    assert "no cell" in frame.attrs["empty_reason"]
    assert frame.attrs["positions_with_no_data"]["time"] == [0]
    assert "value" in frame.columns and "region_code" in frame.columns


@pytest.mark.parametrize("sample, dimension", [("14_", "geo"), ("15_", "unit"), ("16_", "time")])
def test_14_to_16_a_dimension_of_size_0_gives_an_empty_frame_naming_it(sample, dimension):
    frame = read_table(real_sample(sample))
    assert frame.empty
    assert frame.attrs["empty_reason"].startswith(f"dimension {dimension} has no categories (size 0)")
    assert frame.attrs["dataset"] in ("UNE_RT_M", "NAMA_10_GDP")


def test_17_confidential_cells_without_value_are_rows():
    frame = read_table(real_sample("17_"))
    assert len(frame) == 6
    assert frame["value"].isna().all()
    assert set(frame["status"]) == {"confidential"}
    assert set(frame["quality"]) == {""}  # '|C': no observation flag before the bar
    assert frame["date"].tolist() == list(pd.date_range("2023-01-01", periods=6, freq="MS"))
    assert set(frame["region_code"]) == {"IE"}
    assert frame.attrs["status_labels"] == {"|C": "|confidential"}


def test_18_comext_strings_and_unsorted_keys():
    path = real_sample("18_")
    raw = json.loads(path.read_text(encoding="utf-8"))
    frame = read_table(path)
    assert len(frame) == len(raw["value"]) == 58
    assert list(raw["value"])[:3] == ["15", "12", "7"]  # the keys really are unsorted
    products = list(raw["dimension"]["product"]["category"]["index"])
    indicators = list(raw["dimension"]["indicators"]["category"]["index"])
    for key, published in raw["value"].items():
        product, indicator = divmod(int(key), len(indicators))
        row = _cell(frame, product_code=products[product], indicators_code=indicators[indicator])
        if isinstance(published, int):
            assert row["value"] == published and row["status"] == ""
        elif published == ":C":
            assert np.isnan(row["value"]) and row["status"] == "confidential"
        else:
            assert published == "KG" and indicators[indicator] == "QNTUNIT"
            assert np.isnan(row["value"]) and row["status"] == "not_meaningful"
    assert frame["status"].value_counts().to_dict() == {
        "confidential": 27, "": 25, "not_meaningful": 6, "zero": 0, "unknown": 0, "later": 0, "unreliable": 0
    }
    assert frame.attrs["text_values"] == {"KG": 6}
    assert frame["table"].unique().tolist() == ["ds-059358"]
    assert frame["region_code"].unique().tolist() == ["DE"]
    assert frame["year"].unique().tolist() == [2022]
    assert frame["date"].isna().all()  # yearly data: no invented day


def test_31_legacy_wdds_array_form_with_flags():
    path = real_sample("31_")
    inner = json.loads(path.read_text(encoding="utf-8"))["nama_gdp_c"]
    frame = read_table(path)
    assert frame.attrs["format"] == "jsonstat-legacy"
    assert len(frame) == 3036  # every cell has a value or the ':' flag
    germany = _cell(frame, region_code="DE", year="1991")
    assert germany["value"] == 18300.0
    assert germany["region_name"] == "Germany (until 1990 former territory of the FRG)"
    assert germany["unit_code"] == "EUR_HAB" and germany["unit"] == "Euro per inhabitant"
    assert (germany["table"], germany["measure"]) == ("nama_gdp_c", "NAMA_GDP_C")
    assert _cell(frame, region_code="DE", year="2014")["status"] == "unknown"
    spain = _cell(frame, region_code="ES", year="1991")
    assert (spain["value"], spain["quality"], spain["status"]) == (11400.0, "e", "")
    assert _cell(frame, region_code="LV", year="1995")["quality"] == "b"
    assert frame["quality"].value_counts()[["e", "b"]].tolist() == [4, 20]
    assert int(frame["value"].notna().sum()) == sum(v is not None for v in inner["value"]) == 1134
    assert int((frame["status"] == "unknown").sum()) == 1902
    assert frame.attrs["updated"].startswith("2016-02-09T23:00:00")
    assert frame.attrs["status_labels"]["b"] == "break in time series"


def test_34_lowercase_geo_query_is_answered_with_key_de():
    frame = read_table(real_sample("34_"))
    assert frame["region_code"].tolist() == ["DE", "DE"]
    assert frame["date"].tolist() == [pd.Timestamp("2026-06-01"), pd.Timestamp("2026-07-01")]


# --- the format's corners ----------------------------------------------------------------------


def test_row_major_order_with_last_dimension_fastest():
    frame = _read(_dataset())
    assert len(frame) == 3
    assert _cell(frame, region_code="DE", year="2021")["value"] == 1.5
    assert _cell(frame, region_code="AT", year="2021")["value"] == 4.0
    assert _cell(frame, region_code="AT", year="2023")["value"] == 6.0
    assert frame["region_name"].tolist() == ["Germany", "Austria", "Austria"]


def test_values_as_array_and_category_index_as_list():
    obj = _dataset(value=[1, None, 3, None, None, 6])
    obj["dimension"]["geo"]["category"]["index"] = ["DE", "AT"]
    frame = _read(obj)
    assert frame["value"].tolist() == [1.0, 3.0, 6.0]
    assert frame["region_code"].tolist() == ["DE", "DE", "AT"]


def test_a_single_category_without_index_is_accepted():
    obj = _dataset()
    obj["dimension"]["unit"]["category"] = {"label": {"NR": "Number"}}
    assert set(_read(obj)["unit_code"]) == {"NR"}


def test_status_flags_go_to_quality_and_status():
    obj = _dataset(value={"0": 1.5, "1": 2.5}, status={"0": "p", "1": "e|C", "2": ":", "4": "|C"})
    frame = _read(obj)
    assert len(frame) == 4  # cell 3 and 5 have neither value nor status
    assert tuple(_cell(frame, region_code="DE", year="2021")[["quality", "status"]]) == ("p", "")
    assert tuple(_cell(frame, region_code="DE", year="2022")[["quality", "status"]]) == ("e", "")
    assert tuple(_cell(frame, region_code="DE", year="2023")[["quality", "status"]]) == ("", "unknown")
    assert tuple(_cell(frame, region_code="AT", year="2022")[["quality", "status"]]) == ("", "confidential")


def test_split_status():
    assert split_status("|C") == ("", "C")
    assert split_status("ep|C") == ("ep", "C")
    assert split_status(":") == ("", "")
    assert split_status(None) == ("", "")


@pytest.mark.parametrize(
    "code, year, day",
    [
        ("2024-03", 2024, "2024-03-01"),
        ("2024M03", 2024, "2024-03-01"),
        ("2024-Q3", 2024, "2024-07-01"),
        ("2024-S2", 2024, "2024-07-01"),
        ("2024-W01", 2024, "2024-01-01"),
        ("2024-02-29", 2024, "2024-02-29"),
        ("2024", 2024, None),
    ],
)
def test_periods_give_year_and_first_day(code, year, day):
    obj = _dataset(value={"0": 1})
    obj["dimension"]["time"]["category"] = {"index": {code: 0, "1999": 1, "2000": 2}}
    row = _read(obj).iloc[0]
    assert row["year"] == year
    assert (pd.isna(row["date"]) if day is None else row["date"] == pd.Timestamp(day))


def test_an_unknown_period_is_a_parse_error_naming_it():
    obj = _dataset()
    obj["dimension"]["time"]["category"] = {"index": {"2024-13": 0, "1999": 1, "2000": 2}}
    with pytest.raises(ParseError, match="'2024-13'"):
        _read(obj)
    obj["dimension"]["time"]["category"] = {"index": {"around 2024": 0, "1999": 1, "2000": 2}}
    with pytest.raises(ParseError, match="'around 2024'"):
        _read(obj)


def test_cities_is_the_geo_dimension_of_urban_audit_datasets():
    obj = _dataset(value={"0": 227000})
    obj["id"] = ["freq", "unit", "cities", "time"]
    obj["dimension"]["cities"] = {
        "label": "Geopolitical entity (declaring)",
        "category": {
            "index": {"DE508C": 0, "DE011C": 1},
            "label": {"DE508C": "Krefeld", "DE011C": "Düsseldorf"},
        },
    }
    del obj["dimension"]["geo"]
    row = _read(obj).iloc[0]
    assert (row["region_code"], row["region_name"]) == ("DE508C", "Krefeld")


def test_a_dimension_named_like_a_schema_column_is_prefixed():
    obj = _dataset()
    obj["id"] = ["freq", "unit", "geo", "status", "time"]
    obj["size"] = [1, 1, 2, 1, 3]
    obj["dimension"]["status"] = {
        "label": "Legal status",
        "category": {"index": {"X": 0}, "label": {"X": "Any"}},
    }
    frame = _read(obj)
    assert frame["dim_status_code"].astype(str).tolist() == ["X"] * 3
    assert set(frame["status"]) == {""}


@pytest.mark.parametrize(
    "change, message",
    [
        ({"size": [1, 1, 2]}, "'id' has 4 entries but 'size' 3"),
        ({"size": [1, 1, 3, 3]}, "dimension 'geo' has 2 categories but size 3"),
        ({"value": {"6": 1}}, "index 6 lies outside the 6 cells"),
        ({"value": {"x": 1}}, "key 'x'"),
        ({"value": [1, 2]}, "'value' has 2 entries for 6 cells"),
    ],
)
def test_inconsistent_datasets_are_parse_errors(change, message):
    with pytest.raises(ParseError, match=message.replace("(", r"\(").replace(")", r"\)")):
        _read(_dataset(**change))


def test_updated_gives_the_publication_vintage() -> None:
    frame = read_table(real_sample("12_"))
    assert frame.attrs["updated"] == "2026-09-22T11:00:00+0200"  # typed from the file
    assert frame.attrs["vintage"] == "2026-09-22"
    assert frame.attrs["vintage_source"] == "JSON-stat 'updated' of the file"
