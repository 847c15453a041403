"""Story 5, "Die Debatte und die Zahlen": first-time asylum applicants in Germany (Eurostat).

The column criticises the 2018 debate ("Masterplan Migration", border police). Eurostat's
``migr_asyappctza`` counts first-time applicants per calendar year, so the chart can show
where 2018 stood against the years before and after. Protection seekers (story 2) are a
different count: people in Germany with a protection status, not applications in a year.
"""

from __future__ import annotations

import pandas as pd

from krefeld_data.raw.store import RawStore
from krefeld_data.stories import _data

ASYLUM = "migr_asyappctza"
DEBATE_YEAR = 2018  # the year of the debate the column criticises, not a data year
APPLICANT_TYPES = {"NASY_APP": "Erstanträge", "ASY_APP": "alle Anträge"}


def asylum_applicants(
    store: RawStore | None = None, *, geo: str = "DE", first_time_only: bool = True
) -> pd.DataFrame:
    """Asylum applicants per year, all citizenships, ages and sexes (all available years).

    Columns: year, applicant_type (NASY_APP / ASY_APP), applicants (label), value, quality
    (Eurostat flag: ``p`` provisional, ``e`` estimated), debate_year (True for 2018),
    change (relative to the previous year). Years announced without a figure are left out.
    """
    raw = _data.load(ASYLUM, store, german_regions=False)
    frame = raw[raw["region_code"].astype(str) == geo]
    if frame.empty:
        raise _data.MissingDataError(
            f"dataset {ASYLUM} has no rows for geo {geo}; get it with {_data.fetch_hint(ASYLUM)}"
        )
    for var, total in (("citizen", "TOTAL"), ("sex", "T"), ("age", "TOTAL")):
        code_col = f"{var}_code"
        if code_col in frame.columns:
            frame = frame[frame[code_col].astype(str) == total]
    if "unit_code" in frame.columns:
        frame = frame[frame["unit_code"].astype(str) == "PER"]
    wanted = ["NASY_APP"] if first_time_only else list(APPLICANT_TYPES)
    frame = frame[frame["asyl_app_code"].astype(str).isin(wanted)]
    frame = frame.assign(number=_data.numeric_value(frame)).dropna(subset=["number"])
    result = pd.DataFrame({
        "year": frame["year"].astype("Int64"),
        "applicant_type": frame["asyl_app_code"].astype(str),
        "applicants": frame["asyl_app_code"].astype(str).map(APPLICANT_TYPES),
        "value": frame["number"],
        "quality": frame["quality"].astype(str),
    }).sort_values(["applicant_type", "year"])
    result["debate_year"] = result["year"] == DEBATE_YEAR
    result["change"] = result.groupby("applicant_type")["value"].pct_change()
    return _data.finish(result, raw)
