"""krefeld-data: official German statistics for data journalism.

Public API (design contract): :func:`read_table`, :func:`fetch_table`,
:class:`KrefeldDataError`. Heavy modules load on first use, so the command line
starts fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from krefeld_data.errors import KrefeldDataError

__version__ = "0.1.0"
__all__ = ["KrefeldDataError", "__version__", "fetch_table", "read_table"]

if TYPE_CHECKING:
    import pandas as pd


def read_table(source: Any, **kwargs: Any) -> pd.DataFrame:
    """Parse a GENESIS or Eurostat file (path, bytes or snapshot) into the tidy schema."""
    from krefeld_data.parse import read_table as _read_table

    return _read_table(source, **kwargs)


def fetch_table(code: str, database: str = "regio", **params: Any):
    """Fetch one table into the raw store, or return the stored snapshot."""
    from krefeld_data.fetch.dispatch import fetch_table as _fetch_table

    return _fetch_table(code, database=database, **params)
