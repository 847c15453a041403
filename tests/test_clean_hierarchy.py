"""Declared hierarchies, non-double-counting selections and sum checks (clean/hierarchy.py)."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import real_sample

from krefeld_data.clean.hierarchy import (
    SCHUTZSTATUS,
    check_parts_sum,
    check_totals,
    leaves,
    level,
    verify_labels,
)
from krefeld_data.errors import DataCheckError

LABELS = SCHUTZSTATUS.labels()


def status_frame(values: dict[str, float], table: str = "12531-0043", region: str = "05114",
                 statuses: dict[str, str] | None = None) -> pd.DataFrame:
    """One cell per protection-status code (women, Syria) in a tidy frame."""
    statuses = statuses or {}
    codes = list(values)
    return pd.DataFrame({
        "table": table,
        "region_code": region,
        "region_name": "Krefeld, kreisfreie Stadt",
        "year": pd.array([2024] * len(codes), dtype="Int64"),
        "date": pd.Timestamp("2024-12-31"),
        "schst2": pd.Categorical([LABELS.get(c, c) for c in codes]),
        "schst2_code": codes,
        "ges": "weiblich",
        "ges_code": "GESW",
        "measure": "BEV030",
        "measure_label": "Schutzsuchende",
        "unit": "Anzahl",
        "value": [float(v) for v in values.values()],
        "status": [statuses.get(c, "") for c in codes],
        "quality": "",
    })


CONSISTENT = {
    "": 100, "SCHUTZST-AK-1": 70, "SCHUTZST-AK-2": 50, "SCHUTZST-AK-3": 30, "SCHUTZST-AK-4": 20,
    "SCHUTZST-AK-5": 20, "SCHUTZST-OF": 10, "SCHUTZST-X": 20, "AUSRPFL-G": 10, "AUSRPFL-L": 5,
    "AUSRPFL-V": 5,
}


def test_declared_tree_shape():
    assert set(SCHUTZSTATUS.leaf_codes()) == {
        "SCHUTZST-AK-3", "SCHUTZST-AK-4", "SCHUTZST-AK-5", "SCHUTZST-OF",
        "AUSRPFL-G", "AUSRPFL-L", "AUSRPFL-V",
    }
    assert SCHUTZSTATUS.level_codes(1) == ["SCHUTZST-AK-1", "SCHUTZST-OF", "SCHUTZST-X"]
    assert set(SCHUTZSTATUS.level_codes(2)) == {
        "SCHUTZST-AK-2", "SCHUTZST-AK-5", "SCHUTZST-OF", "AUSRPFL-G", "AUSRPFL-L", "AUSRPFL-V",
    }
    assert SCHUTZSTATUS.parent("SCHUTZST-AK-3") == "SCHUTZST-AK-2"
    assert SCHUTZSTATUS.parent("AUSRPFL-L") == "SCHUTZST-X"


def test_leaves_and_levels_sum_to_the_total_where_the_whole_column_double_counts():
    df = status_frame(CONSISTENT)
    assert df["value"].sum() > 2 * CONSISTENT[""]
    assert leaves(df, "schst2")["value"].sum() == 100
    for depth in (0, 1, 2, 3):
        assert level(df, "schst2", depth)["value"].sum() == 100


def test_unknown_code_fails_instead_of_vanishing():
    df = status_frame({"SCHUTZST-NEU": 5})
    df["schst2"] = "Neu"
    with pytest.raises(DataCheckError, match="SCHUTZST-NEU"):
        leaves(df, "schst2")


def test_consistent_parts_pass_exactly():
    result = check_parts_sum(status_frame(CONSISTENT), "schst2", tolerance=0)
    assert result.checked == 4 and result.exact == 4 and result.max_abs_diff == 0


def test_parts_that_do_not_add_up_raise_with_table_region_total_and_sum():
    values = dict(CONSISTENT, **{"SCHUTZST-AK-5": 40})  # anerkannt 70 but parts 50 + 40
    with pytest.raises(DataCheckError) as err:
        check_parts_sum(status_frame(values), "schst2")
    message = str(err.value)
    for fact in ("12531-0043", "05114", "schst2", "SCHUTZST-AK-1", "is 70", "sum to 90"):
        assert fact in message


def test_rounding_to_five_is_tolerated_and_grows_with_the_number_of_parts():
    # Two parts: tolerance 2.5 x 3 = 7.5, so a difference of 5 passes and 10 fails.
    two = {"SCHUTZST-AK-1": 10, "SCHUTZST-AK-2": 5, "SCHUTZST-AK-5": 0}
    assert check_parts_sum(status_frame(two), "schst2").tolerance["SCHUTZST-AK-1"] == 7.5
    with pytest.raises(DataCheckError):
        check_parts_sum(status_frame({"SCHUTZST-AK-1": 20, "SCHUTZST-AK-2": 5, "SCHUTZST-AK-5": 5}),
                        "schst2")
    # Three parts: tolerance 10, so 10 passes and 15 fails.
    three = {"SCHUTZST-X": 25, "AUSRPFL-G": 5, "AUSRPFL-L": 5, "AUSRPFL-V": 5}
    assert check_parts_sum(status_frame(three), "schst2").max_abs_diff == 10
    with pytest.raises(DataCheckError):
        check_parts_sum(status_frame(dict(three, **{"SCHUTZST-X": 30})), "schst2")


def test_unrounded_table_is_checked_exactly():
    df = status_frame({"SCHUTZST-AK-1": 11, "SCHUTZST-AK-5": 10}, table="99999-0001")
    with pytest.raises(DataCheckError):
        check_parts_sum(df, "schst2")
    assert check_parts_sum(df, "schst2", rounding=5).checked == 1


def test_absent_parts_count_as_zero_beside_published_parts_unless_told_otherwise():
    df = status_frame({"SCHUTZST-AK-1": 10, "SCHUTZST-AK-5": 10})  # compress=true dropped AK-2
    assert check_parts_sum(df, "schst2", tolerance=0).checked == 1
    strict = check_parts_sum(df, "schst2", tolerance=0, absent_parts_are_zero=False)
    assert strict.checked == 0 and strict.skipped == 1


def test_a_total_without_any_published_part_is_skipped_not_failed():
    # A nested layout: the total is never broken down in this cell.
    df = status_frame({"SCHUTZST-AK-1": 100})
    result = check_parts_sum(df, "schst2", tolerance=0)
    assert result.checked == 0 and result.skipped == 1
    with pytest.raises(DataCheckError, match="sum to 0"):
        check_parts_sum(df, "schst2", tolerance=0, absent_parts_are_zero=True)


def test_a_part_without_a_number_skips_the_group():
    df = status_frame({"SCHUTZST-AK-1": 10, "SCHUTZST-AK-2": float("nan"), "SCHUTZST-AK-5": 5},
                      statuses={"SCHUTZST-AK-2": "unknown"})
    result = check_parts_sum(df, "schst2", tolerance=0)
    # Skipped twice: as a part of "anerkannt", and as the total of its own parts.
    assert result.checked == 0 and result.skipped == 2


def test_groups_are_separate_cells():
    a = status_frame({"SCHUTZST-AK-1": 10, "SCHUTZST-AK-2": 5, "SCHUTZST-AK-5": 5}, region="05114")
    b = status_frame({"SCHUTZST-AK-1": 30, "SCHUTZST-AK-2": 5, "SCHUTZST-AK-5": 5}, region="05111")
    with pytest.raises(DataCheckError, match="region 05111"):
        check_parts_sum(pd.concat([a, b], ignore_index=True), "schst2", tolerance=0)


def sex_frame(total: float, male: float, female: float, *, codes: bool = True) -> pd.DataFrame:
    df = pd.DataFrame({
        "table": "12411-01-01-4",
        "region_code": "05114",
        "region_name": "Krefeld",
        "year": pd.array([2024] * 3, dtype="Int64"),
        "date": pd.Timestamp("2024-12-31"),
        "ges": pd.Categorical(["Insgesamt", "männlich", "weiblich"]),
        "ges_code": ["", "GESM", "GESW"],
        "measure": "BEVSTD",
        "measure_label": "Bevölkerungsstand",
        "unit": "Anzahl",
        "value": [total, male, female],
        "status": "",
        "quality": "",
    })
    return df if codes else df.drop(columns="ges_code")


def test_sex_totals_exact():
    assert check_totals(sex_frame(231406, 113754, 117652), "ges").checked == 1
    with pytest.raises(DataCheckError, match="sum to 231405"):
        check_totals(sex_frame(231406, 113754, 117651), "ges")


def test_totals_found_by_label_when_the_format_has_no_codes():
    assert check_totals(sex_frame(30, 10, 20, codes=False), "ges").exact == 1
    with pytest.raises(DataCheckError):
        check_totals(sex_frame(31, 10, 20, codes=False), "ges")


def test_generic_variable_without_declared_tree():
    df = sex_frame(30, 10, 20).rename(columns={"ges": "nat", "ges_code": "nat_code"})
    df["nat_code"] = ["", "NATD", "NATA"]
    assert check_totals(df, "nat").checked == 1
    assert leaves(df, "nat")["value"].sum() == 30


def test_verify_labels_notices_a_changed_classification():
    df = status_frame({"SCHUTZST-OF": 5})
    verify_labels(df, "schst2")
    df["schst2"] = "Offen, neu definiert"
    with pytest.raises(DataCheckError, match="SCHUTZST-OF"):
        verify_labels(df, "schst2")


def real_12531() -> pd.DataFrame:
    from krefeld_data import read_table

    return read_table(real_sample("06_"))


def test_real_census_2011_adds_up_within_its_rounding_to_tens():
    from krefeld_data import read_table

    df = read_table(real_sample("10_"))
    assert (df["value"].dropna() % 10 == 0).all()
    for var in ("alter", "nat", "migrationshintergrund"):
        result = check_totals(df, var)
        assert result.checked > 1000 and result.max_abs_diff <= 30


def test_real_population_totals_equal_male_plus_female_exactly():
    from krefeld_data import read_table

    for prefix in ("02_", "04_", "11_"):
        result = check_totals(read_table(real_sample(prefix)), "ges")
        assert result.checked > 400 and result.exact == result.checked


def test_real_12531_labels_match_the_declared_tree():
    df = real_12531()
    verify_labels(df, "schst2")
    assert set(df["schst2_code"].astype(str)) == set(LABELS) - {""}


def test_real_12531_status_parts_add_up_within_rounding():
    df = real_12531()
    result = check_parts_sum(df, "schst2")
    # 937 published totals in the 4 Kreise; 56 of them have no published part at all (each
    # part rounded to 0 and dropped by compress=true) and are skipped, the rest add up.
    assert result.checked + result.skipped == 937
    assert result.checked >= 850
    assert result.max_abs_diff == 5  # the rounding to multiples of 5 shows, but never beyond it
    assert set(df["region_code"].astype(str)) == {"05111", "05114", "05124", "08311"}
