"""Who publishes what: the databases we fetch from, with their citation and licence.

The source line under every chart and the provenance record of every raw file are
generated from these entries, so nobody types a citation by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

DL_DE_BY_2_0 = "dl-de/by-2-0"
DL_DE_BY_2_0_URL = "https://www.govdata.de/dl-de/by-2-0"
CC_BY_4_0 = "CC BY 4.0"
CC_BY_4_0_URL = "https://creativecommons.org/licenses/by/4.0/"


@dataclass(frozen=True)
class Database:
    key: str
    label: str
    producer: str
    default_url: str
    licence: str
    licence_url: str
    registration_url: str | None
    kind: str  # "genesis" or "eurostat"
    # Base URL of a keyless download of whole classic tables (``<base><code>_00.csv``), where the
    # database offers one: a newcomer without an account still gets its tables. "" where not.
    download_url: str = ""
    # The Land whose regions the database covers ("05" for NRW); "" for all of Germany.
    land_code: str = ""

    @property
    def env_prefix(self) -> str:
        """Prefix of this database's configuration variables (design contract)."""
        if self.kind == "genesis":
            return f"KREFELD_DATA_GENESIS_{self.key.upper()}"
        return f"KREFELD_DATA_{self.key.upper()}"

    @property
    def has_keyless_download(self) -> bool:
        """Whether whole tables can be fetched here without an account (Landesdatenbank NRW)."""
        return bool(self.download_url)


GENESIS_DATABASES: dict[str, Database] = {
    "destatis": Database(
        key="destatis",
        label="GENESIS-Online",
        producer="Statistisches Bundesamt (Destatis)",
        default_url="https://www-genesis.destatis.de/genesisWS/rest/2020/",
        licence=DL_DE_BY_2_0,
        licence_url=DL_DE_BY_2_0_URL,
        registration_url="https://www-genesis.destatis.de/",
        kind="genesis",
    ),
    "regio": Database(
        key="regio",
        label="Regionaldatenbank Deutschland",
        producer="Statistische Ämter des Bundes und der Länder",
        default_url="https://www.regionalstatistik.de/genesisws/rest/2020/",
        licence=DL_DE_BY_2_0,
        licence_url=DL_DE_BY_2_0_URL,
        registration_url="https://www.regionalstatistik.de/",
        kind="genesis",
    ),
    "nrw": Database(
        key="nrw",
        label="Landesdatenbank NRW",
        producer="IT.NRW",
        default_url="https://www.landesdatenbank.nrw.de/ldbnrwws/rest/2020/",
        licence=DL_DE_BY_2_0,
        licence_url=DL_DE_BY_2_0_URL,
        registration_url="https://www.landesdatenbank.nrw.de/",
        kind="genesis",
        # Served without registration; the address many public scripts use (issue 13).
        download_url="https://www.landesdatenbank.nrw.de/ldbnrwws/downloader/00/tables/",
        land_code="05",
    ),
    "zensus": Database(
        key="zensus",
        label="Zensusdatenbank Zensus 2022",
        producer="Statistische Ämter des Bundes und der Länder",
        default_url="https://ergebnisse.zensus2022.de/api/rest/2020/",
        licence=DL_DE_BY_2_0,
        licence_url=DL_DE_BY_2_0_URL,
        registration_url="https://ergebnisse.zensus2022.de/",
        kind="genesis",
    ),
}

EUROSTAT = Database(
    key="eurostat",
    label="Eurostat",
    producer="Eurostat",
    default_url="https://ec.europa.eu/eurostat/api/dissemination/",
    licence=CC_BY_4_0,
    licence_url=CC_BY_4_0_URL,
    registration_url=None,
    kind="eurostat",
)

# A file a journalist imported whose database we could not tell from its content.
MANUAL = Database(
    key="manual",
    label="manuell importierte Datei",
    producer="Statistische Ämter des Bundes und der Länder",
    default_url="",
    licence=DL_DE_BY_2_0,
    licence_url=DL_DE_BY_2_0_URL,
    registration_url=None,
    kind="file",
)

DATABASES: dict[str, Database] = {**GENESIS_DATABASES, "eurostat": EUROSTAT, "manual": MANUAL}


def get_database(key: str) -> Database:
    """Look a database up by key; an unknown key is a configuration error."""
    from krefeld_data.errors import ConfigError

    try:
        return DATABASES[key]
    except KeyError:
        known = ", ".join(DATABASES)
        raise ConfigError(f"unknown database {key!r}; known databases: {known}") from None


def citation(db: Database, table: str, accessed: str, stand: str | None = None) -> str:
    """The citation the licence asks for: producer, database, table, access date."""
    parts = [f"{db.producer}, {db.label}" if db.kind != "file" else db.producer]
    parts.append(f"Tabelle {table}")
    if stand:
        parts.append(f"Stand {stand}")
    parts.append(f"abgerufen am {accessed}")
    parts.append(f"Lizenz {db.licence}")
    return "; ".join(parts)
