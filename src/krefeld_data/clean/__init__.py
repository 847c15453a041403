"""The cleaning layer: tidy frames from different tables, years and databases made comparable.

Each module does one job: :mod:`.regions_clean` (one key and name per region),
:mod:`.census` (the census basis of population figures), :mod:`.hierarchy` (totals and parts,
sum checks), :mod:`.splice` (one series from several publications), :mod:`.checks`
(structural checks). Nothing here changes a published number.
"""

from __future__ import annotations

from krefeld_data.clean.census import CENSUS_BREAKS, CensusBreak, add_census_basis, census_breaks
from krefeld_data.clean.checks import check_schema, check_unique
from krefeld_data.clean.hierarchy import (
    HIERARCHIES,
    check_parts_sum,
    check_totals,
    leaves,
    level,
    verify_labels,
)
from krefeld_data.clean.regions import normalise_regions, region_key
from krefeld_data.clean.splice import splice

__all__ = [
    "CENSUS_BREAKS",
    "HIERARCHIES",
    "CensusBreak",
    "add_census_basis",
    "census_breaks",
    "check_parts_sum",
    "check_schema",
    "check_totals",
    "check_unique",
    "leaves",
    "level",
    "normalise_regions",
    "region_key",
    "splice",
    "verify_labels",
]
