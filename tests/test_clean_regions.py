"""Region keys and short names on tidy frames (clean/regions_clean.py)."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import real_sample

from krefeld_data.clean.regions import normalise_regions
from krefeld_data.errors import KrefeldDataError


def frame(codes: list[str]) -> pd.DataFrame:
    return pd.DataFrame({
        "table": "12411-01-01-4",
        "region_code": codes,
        "region_name": [f"name {c}" for c in codes],
        "value": range(len(codes)),
    })


def test_every_published_form_of_krefeld_gets_one_key_and_the_short_name():
    out = normalise_regions(frame(["05114", "05114000", "051140000000", "05", "DG"]))
    assert list(out["region_key"]) == ["05114", "05114", "05114", "05", "DG"]
    assert list(out["region"])[:3] == ["Krefeld"] * 3
    assert list(out["region_code"]) == ["05114", "05114000", "051140000000", "05", "DG"]


def test_coercions_are_counted():
    out = normalise_regions(frame(["05114000", "05114000", "051110000000", "05111"]))
    assert out.attrs["region_coercions"] == {"05114000->05114": 2, "051110000000->05111": 1}


def test_a_city_inside_a_kreis_keeps_its_own_key():
    out = normalise_regions(frame(["05334002", "05334"]))
    assert list(out["region_key"]) == ["05334002", "05334"]
    assert out["region"].iloc[0] != out["region"].iloc[1]


@pytest.mark.parametrize("code", ["99999", "0511", "Krefeld", "05114X"])
def test_unknown_codes_raise_and_name_the_table(code):
    with pytest.raises(KrefeldDataError, match="12411-01-01-4"):
        normalise_regions(frame(["05114", code]))


def test_a_custom_registry_can_be_passed():
    class Registry:
        @staticmethod
        def normalise_code(code: str) -> str:
            return code[:2]

        @staticmethod
        def short_name(key: str) -> str:
            return {"05": "NRW"}.get(key, "")

    out = normalise_regions(frame(["05114"]), registry=Registry)
    assert out["region"].iloc[0] == "NRW"
    with pytest.raises(KrefeldDataError, match="no name"):
        normalise_regions(frame(["08311"]), registry=Registry)


def test_real_population_table_keeps_every_row():
    from krefeld_data import read_table

    df = read_table(real_sample("04_"))
    out = normalise_regions(df)
    assert len(out) == len(df)
    assert out["region_key"].notna().all() and out["region"].notna().all()
    assert set(out.loc[out["region_code"] == "08311", "region"]) == {"Freiburg im Breisgau"}
