"""Asylum applications per year (Eurostat ``migr_asyappctza``) for story 5.

Eurostat counts applications lodged in a calendar year, not people living in a country:
first-time applications (``NASY_APP``) and all applications (``ASY_APP``), all citizenships,
sexes and ages. Every geo the stored response holds is kept (the catalogue fetches DE; a
response with EU27_2020 as well lets the story give Germany's share), so the story's ``GEO``
parameter picks its rows through :func:`krefeld_data.datasets.load`. Flags stay as published
in ``quality``; what they mean is :func:`krefeld_data.parse.flags.flag_words`' business.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from krefeld_data.datasets import tables
from krefeld_data.errors import KrefeldDataError
from krefeld_data.raw.store import RawStore

if TYPE_CHECKING:
    import pandas as pd

ASYLUM = "migr_asyappctza"
APPLICANT_TYPES = {"NASY_APP": "Erstanträge", "ASY_APP": "alle Anträge"}
TOTALS = (("citizen", "TOTAL"), ("sex", "T"), ("age", "TOTAL"))


def asylum_applications(store: RawStore | None = None) -> pd.DataFrame:
    """Maker of ``asylerstantraege``: applications per geo, year and applicant type.

    Columns: region_code (Eurostat geo, e.g. DE), region_name, year, applicant_type (NASY_APP /
    ASY_APP), applicants (German label), value (NaN where Eurostat announces no figure), status,
    quality (the flag as published, e.g. ``p``; empty for none).
    """
    import pandas as pd

    raw = tables.latest(ASYLUM, store, german_regions=False)
    if "asyl_app_code" not in raw.columns:
        raise KrefeldDataError(f"dataset {ASYLUM}: no applicant type (asyl_app); the response layout may "
                               "have changed")
    frame = raw
    for var, total in TOTALS:
        code_col = f"{var}_code"
        if code_col in frame.columns:
            frame = frame[frame[code_col].astype(str) == total]
    if "unit_code" in frame.columns:
        frame = frame[frame["unit_code"].astype(str) == "PER"]
    frame = frame[frame["asyl_app_code"].astype(str).isin(APPLICANT_TYPES)]
    result = pd.DataFrame({
        "region_code": frame["region_code"].astype(str),
        "region_name": frame["region_name"].astype(str),
        "year": frame["year"].astype("Int64"),
        "applicant_type": frame["asyl_app_code"].astype(str),
        "applicants": frame["asyl_app_code"].astype(str).map(APPLICANT_TYPES),
        "value": tables.numeric_value(frame),
        "status": frame["status"].astype(str),
        "quality": frame["quality"].astype(str),
    }).sort_values(["region_code", "applicant_type", "year"], kind="stable").reset_index(drop=True)
    result.attrs = {"sources": list(raw.attrs.get("sources", []))}
    return result
