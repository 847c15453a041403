"""Eurostat SDMX-TSV bulk files: same tidy rows as the JSON-stat answer to the same query."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import real_sample

from krefeld_data import read_table
from krefeld_data.errors import ParseError
from krefeld_data.parse import eurostat_tsv
from krefeld_data.parse import sniff as formats

KEY = ["product_code", "indicators_code"]


def _tsv(text: str, member: str | None = None) -> pd.DataFrame:
    data = text.replace("\n", "\r\n").encode("utf-8")
    payload = formats.sniff(data, "test.tsv")
    assert payload.kind == formats.EUROSTAT_TSV
    if member:
        payload = formats.Payload(payload.kind, payload.data, payload.text, payload.encoding, member, member)
    return eurostat_tsv.parse(payload, "test.tsv")


def test_19_is_read_with_crlf_and_the_trailing_space_in_the_period():
    path = real_sample("19_")
    assert b"\r\n" in path.read_bytes() and b"2022 \r\n" in path.read_bytes()
    frame = read_table(path)
    assert frame.attrs["format"] == "eurostat-tsv"
    assert len(frame) == 58
    assert frame["year"].unique().tolist() == [2022]
    assert set(frame["region_code"]) == {"DE"}
    row = frame[(frame["product_code"] == "20143430") & (frame["indicators_code"] == "EXPQNT")].iloc[0]
    assert row["value"] == 23097098.0 and row["status"] == ""
    assert frame.attrs["text_values"] == {"KG": 6}


def test_18_and_19_agree_on_all_58_cells():
    from_json = read_table(real_sample("18_"))
    from_tsv = read_table(real_sample("19_"))
    assert len(from_json) == len(from_tsv) == 58
    as_text = {k: str for k in KEY}
    both = from_json.astype(as_text).merge(
        from_tsv.astype(as_text), on=KEY, how="outer", suffixes=("_json", "_tsv"), indicator=True
    )
    assert (both["_merge"] == "both").all()
    assert np.array_equal(both["value_json"].to_numpy(), both["value_tsv"].to_numpy(), equal_nan=True)
    assert (both["status_json"].astype(str) == both["status_tsv"].astype(str)).all()
    assert (both["quality_json"].astype(str) == both["quality_tsv"].astype(str)).all()
    assert both["status_json"].value_counts()["confidential"] == 27


def test_numbers_with_flags_missing_cells_and_flagged_missing_cells():
    frame = _tsv(
        "freq,unit,geo\\TIME_PERIOD\t2021 \t2022 \t2023 \n"
        "A,NR,DE\t12345 e\t:\t: c\n"
        "A,NR,AT\t1.5\t2 bp\t: z\n"
    )
    assert len(frame) == 5  # the plain ':' gives no row
    values = frame.set_index(["region_code", "year"])
    assert values.loc[("DE", 2021), ["value", "quality", "status"]].tolist() == [12345.0, "e", ""]
    assert values.loc[("DE", 2023), "status"] == "confidential"
    assert np.isnan(values.loc[("DE", 2023), "value"])
    assert values.loc[("AT", 2022), ["value", "quality"]].tolist() == [2.0, "bp"]
    assert values.loc[("AT", 2023), "status"] == "not_meaningful"
    assert set(frame["unit_code"]) == {"NR"}
    assert set(frame["region_name"]) == {"DE", "AT"}  # no labels in TSV: the code stands in


def test_the_dataset_id_comes_from_the_member_name():
    frame = _tsv("freq,geo\\TIME_PERIOD\t2024\nA,DE\t1\n", member="migr_asyappctza")
    assert frame["table"].tolist() == ["migr_asyappctza"]
    assert frame["measure"].tolist() == ["MIGR_ASYAPPCTZA"]


def test_a_line_with_too_few_cells_is_a_parse_error_naming_the_line():
    with pytest.raises(ParseError, match="line 3 has 2 codes and 1 cells"):
        _tsv("freq,geo\\TIME_PERIOD\t2023\t2024\nA,DE\t1\t2\nA,AT\t1\n")


def test_a_text_that_is_no_number_with_flags_is_kept_as_text_not_guessed():
    frame = _tsv("freq,geo\\TIME_PERIOD\t2024\nA,DE\t12 abc xyz\n")
    assert frame["status"].tolist() == ["not_meaningful"]
    assert frame.attrs["text_values"] == {"12 abc xyz": 1}
