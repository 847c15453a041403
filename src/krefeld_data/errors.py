"""Every error the package raises on purpose: one base class, so callers catch one thing.

The message is for a journalist on deadline: it names what was wrong and where
(file, table, database, status code) and, where there is one, the next step.
"""

from __future__ import annotations


class KrefeldDataError(Exception):
    """Bad input, a bad response or bad configuration: never a bug in this package."""


class ConfigError(KrefeldDataError):
    """The configuration (environment or user config file) is missing or unusable."""


class CredentialsMissing(ConfigError):
    """A database needs an account and no credentials are configured for it."""

    def __init__(self, message: str, database: str = "") -> None:
        super().__init__(message)
        self.database = database


class StoreError(KrefeldDataError):
    """The raw snapshot store is inconsistent or a request for it cannot be met."""


class ChecksumMismatch(StoreError):
    """A stored file no longer has the sha256 recorded when it was stored."""


class SnapshotNotFound(StoreError):
    """No snapshot of the requested table is in the store."""


class ParseError(KrefeldDataError):
    """A file is not in a format we read, or it is damaged."""


class ServiceError(KrefeldDataError):
    """A statistics service answered with an error or not at all."""


class MissingDataError(KrefeldDataError):
    """A story or dataset needs a table that is not in the store."""


class DataCheckError(KrefeldDataError):
    """Published parts do not add up to published totals, or another check failed."""
