"""The tidy schema in code is the one the design contract (../shared/DESIGN.md) fixes.

The oracle is the contract's own table, read from the file: column order, the status
words and which GENESIS sign means what.
"""

from __future__ import annotations

import re

import pandas as pd
from helpers import PROJECT_ROOT, missing

from krefeld_data import schema

DESIGN = PROJECT_ROOT.parent / "shared" / "DESIGN.md"


def contract_rows() -> list[tuple[str, str]]:
    """(column, meaning) of the contract's tidy-schema table, in its order."""
    if not DESIGN.is_file():
        missing(f"the design contract is not at {DESIGN}")
    text = DESIGN.read_text(encoding="utf-8")
    table = text.split("## Tidy schema", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`"):
            rows.append((cells[0].strip("`"), cells[2]))
        elif len(cells) == 3 and cells[0].startswith("one column per"):
            rows.append(("<variables>", cells[2]))
    return rows


def test_column_order_is_the_contracts() -> None:
    names = [name for name, _ in contract_rows()]
    split = names.index("<variables>")
    assert names[:split] == schema.LEADING
    assert names[split + 1:] == schema.TRAILING


def test_status_words_and_special_signs_are_the_contracts() -> None:
    meaning = dict(contract_rows())["status"]
    # e.g. "`zero` (`-`)": every status word with the sign that stands for it
    pairs = dict(re.findall(r"`(\w+)` \(`([^`]+)`\)", meaning))
    assert pairs, meaning
    assert {sign: word for word, sign in pairs.items()} == schema.SPECIAL_VALUES
    assert set(pairs) | {""} <= set(schema.STATUSES)
    assert '`""` (a number)' in meaning and schema.STATUSES[0] == ""


def test_ordered_puts_each_variable_label_before_its_code_between_the_fixed_columns() -> None:
    frame = pd.DataFrame({
        "value": [1.0], "ges_code": ["GESM"], "quality": [""], "table": ["T"], "unit": ["Anzahl"],
        "region_name": ["Krefeld"], "status": [""], "measure": ["BEVSTD"], "year": [2024],
        "nat": ["Deutsche"], "date": [pd.NaT], "region_code": ["05114"], "ges": ["männlich"],
        "measure_label": ["Bevölkerungsstand"], "nat_code": ["NATD"],
    })
    expected = ["table", "region_code", "region_name", "year", "date",
                "nat", "nat_code", "ges", "ges_code",  # variables in the frame's order of labels
                "measure", "measure_label", "unit", "value", "status", "quality"]
    assert list(schema.ordered(frame).columns) == expected
    assert schema.variable_columns(frame) == ["nat", "ges"]
