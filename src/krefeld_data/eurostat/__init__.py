"""Eurostat dissemination API: no registration needed, JSON-stat 2.0 into the raw store."""

from krefeld_data.eurostat.client import EurostatClient, EurostatError, fetch_dataset

__all__ = ["EurostatClient", "EurostatError", "fetch_dataset"]
