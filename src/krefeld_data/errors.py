"""Every error the package raises on purpose: one base class, so callers catch one thing.

The message is for a journalist on deadline: it names what was wrong and where
(file, table, database, status code) and, where there is one, the next step.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib.util import find_spec


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


class ParseError(KrefeldDataError):
    """A file is not in a format we read, or it is damaged."""


class ServiceError(KrefeldDataError):
    """A statistics service answered with an error or not at all."""


class MissingDataError(KrefeldDataError):
    """A story or dataset needs a table that is not in the store."""


class DataCheckError(KrefeldDataError):
    """Published parts do not add up to published totals, or another check failed."""


class MissingExtra(KrefeldDataError):
    """A verb needs an optional part of the package (an extra) that is not installed."""


# What the ``publish`` extra brings that running notebooks and writing pages import
# (import names; pyproject.toml lists the distributions).
PUBLISH_MODULES = (
    "nbclient", "nbconvert", "nbformat", "jupytext", "jupyter_client", "ipykernel", "IPython",
    "papermill", "jinja2", "markupsafe", "mistune", "kaleido",
)


def require_extra(extra: str, modules: Iterable[str]) -> None:
    """Raise :class:`MissingExtra` with the one install line when any of ``modules`` is missing.

    Checked before the first heavy import, so the journalist reads
    ``pip install "krefeld-data[publish]"`` instead of a ``ModuleNotFoundError`` traceback.
    """
    missing = [name for name in modules if find_spec(name) is None]
    if missing:
        raise MissingExtra(extra_message(extra, missing))


def extra_message(extra: str, missing: Iterable[str]) -> str:
    """The one line a journalist needs when an extra is missing: what, and the install command."""
    return (f"this needs the optional {extra!r} part ({', '.join(missing)} not installed): "
            f'pip install "krefeld-data[{extra}]"')
