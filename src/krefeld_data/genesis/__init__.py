"""GENESIS web service (REST "2020" API): Destatis, Regionaldatenbank, Landesdatenbank NRW, Zensus 2022."""

from krefeld_data.genesis.client import GenesisClient, GenesisError

__all__ = ["GenesisClient", "GenesisError"]
