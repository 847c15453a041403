"""One place for paths and settings: environment first, then the user config file.

The user config file (``~/.config/krefeld-data/config.toml``, or the file named by
``KREFELD_DATA_CONFIG``) holds the same keys as the environment, e.g.::

    KREFELD_DATA_GENESIS_REGIO_TOKEN = "..."

Because it may hold credentials, we refuse to read it while others can read it.
Credentials are returned as :class:`Secret`, whose ``repr`` and ``str`` never show them.
"""

from __future__ import annotations

import os
import stat
import sys
import sysconfig
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from krefeld_data.errors import ConfigError, CredentialsMissing
from krefeld_data.raw.databases import EUROSTAT, GENESIS_DATABASES, get_database

CONFIG_ENV = "KREFELD_DATA_CONFIG"
DATA_DIR_ENV = "KREFELD_DATA_DIR"
PACKAGE_NAME = "krefeld-data"
# The story notebooks as a wheel installs them (pyproject's data-files):
# <prefix>/share/krefeld-data/notebooks
SHIPPED_NOTEBOOKS = Path("share") / PACKAGE_NAME / "notebooks"
STORY_NOTEBOOK_GLOB = "[0-9][0-9]_*.py"
REPORTS_DIR_ENV = "KREFELD_DATA_REPORTS_DIR"
POLL_ENV = "KREFELD_DATA_GENESIS_POLL_SECONDS"


class Secret(str):
    """A credential: usable as a string (it goes into request headers), hidden by ``repr``.

    Logs and error messages show objects and dicts through ``repr``, which prints ``***``;
    ``str()`` and f-strings give the value itself, so code never formats a Secret into a message.
    """

    def __repr__(self) -> str:
        return "Secret('***')"


def user_config_path() -> Path:
    explicit = os.environ.get(CONFIG_ENV)
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "krefeld-data" / "config.toml"


@lru_cache(maxsize=8)
def _read_user_config(path: Path, mtime_ns: int) -> dict[str, str]:
    del mtime_ns  # part of the cache key only: an edited file is read again
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(
            f"the config file {path} can be read by other users; it may hold credentials. "
            f"Run: chmod 600 {path}"
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        # The decoder's message can quote the offending line, which may hold a password.
        line = getattr(exc, "lineno", None)
        where = f" (line {line})" if line else ""
        raise ConfigError(f"the config file {path} is not valid TOML{where}") from None
    return {str(k): str(v) for k, v in data.items() if not isinstance(v, dict)}


def setting(name: str, default: str | None = None) -> str | None:
    """A setting from the environment, else the user config file, else ``default``."""
    value = os.environ.get(name)
    if value not in (None, ""):
        return value
    path = user_config_path()
    if path.is_file():
        value = _read_user_config(path, path.stat().st_mtime_ns).get(name)
        if value not in (None, ""):
            return value
    return default


def _names_this_project(pyproject: Path) -> bool:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    name = str(data.get("project", {}).get("name", ""))
    return name.lower().replace("_", "-") == PACKAGE_NAME


def has_story_notebooks(folder: Path) -> bool:
    """Whether ``folder`` holds story notebooks (``NN_name.py``, the jupytext twins)."""
    return folder.is_dir() and any(folder.glob(STORY_NOTEBOOK_GLOB))


def project_dir(start: Path | None = None) -> Path:
    """The project folder: where ``data/`` and ``reports/`` go unless the environment says otherwise.

    The nearest folder, from the current directory upwards, holding a ``pyproject.toml`` that
    names krefeld-data or a ``notebooks/`` folder with story notebooks; else the current
    directory. It never depends on where the package is installed, so a wheel in
    site-packages writes into the journalist's folder, not into site-packages.
    """
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if _names_this_project(folder / "pyproject.toml") or has_story_notebooks(folder / "notebooks"):
            return folder
    return here


def __getattr__(name: str) -> Path:
    # ``config.PROJECT_ROOT`` is kept for callers written before ``project_dir()``: it is
    # looked up on each use, so it follows the current directory as project_dir() does.
    if name == "PROJECT_ROOT":
        return project_dir()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def data_dir() -> Path:
    """Root holding ``raw/`` and ``processed/`` (``KREFELD_DATA_DIR``, default ``<project>/data``)."""
    return Path(setting(DATA_DIR_ENV) or project_dir() / "data").expanduser().resolve()


def raw_dir() -> Path:
    return data_dir() / "raw"


def processed_dir() -> Path:
    return data_dir() / "processed"


def reports_dir() -> Path:
    """Where reader pages go (``KREFELD_DATA_REPORTS_DIR``, default ``<project>/reports``)."""
    return Path(setting(REPORTS_DIR_ENV) or project_dir() / "reports").expanduser().resolve()


def shipped_notebooks_dirs() -> list[Path]:
    """Where an installed wheel put its copy of the story notebooks (environment, then user base)."""
    bases = [Path(sys.prefix), Path(sysconfig.get_config_var("userbase") or sys.prefix)]
    found = [base / SHIPPED_NOTEBOOKS for base in bases]
    # An editable install (``make install``) ships nothing: its notebooks are the checkout's own,
    # so `krefeld-data build` run from another folder still finds them.
    checkout = Path(__file__).resolve().parents[2]
    if _names_this_project(checkout / "pyproject.toml"):
        found.append(checkout / "notebooks")
    return list(dict.fromkeys(found))


def notebooks_dir() -> Path:
    """The story notebooks: the project's ``notebooks/`` when it has them, else the wheel's copy.

    In a checkout the journalist edits the project's notebooks; installed from a wheel in a
    fresh folder, ``krefeld-data demo`` and ``build`` run the copy the wheel shipped.
    """
    own = project_dir() / "notebooks"
    if has_story_notebooks(own):
        return own
    return next((d for d in shipped_notebooks_dirs() if has_story_notebooks(d)), own)


def poll_seconds() -> float:
    raw = setting(POLL_ENV, "5")
    try:
        value = float(raw)  # type: ignore[arg-type]
    except ValueError:
        raise ConfigError(f"{POLL_ENV} must be a number of seconds, got {raw!r}") from None
    if value < 0:
        raise ConfigError(f"{POLL_ENV} must not be negative, got {raw!r}")
    return value


def genesis_url(db_key: str) -> str:
    db = get_database(db_key)
    if db.key not in GENESIS_DATABASES:
        raise ConfigError(f"{db_key!r} is not a GENESIS database")
    url = setting(f"{db.env_prefix}_URL") or db.default_url
    return url if url.endswith("/") else url + "/"


def download_url(db_key: str) -> str | None:
    """Base URL of a database's keyless table download (``KREFELD_DATA_GENESIS_<DB>_DOWNLOAD_URL``).

    None where the database offers none (only the Landesdatenbank NRW does).
    """
    db = get_database(db_key)
    url = setting(f"{db.env_prefix}_DOWNLOAD_URL") or db.download_url
    if not url:
        return None
    return url if url.endswith("/") else url + "/"


def eurostat_url() -> str:
    url = setting("KREFELD_DATA_EUROSTAT_URL") or EUROSTAT.default_url
    return url if url.endswith("/") else url + "/"


@dataclass(frozen=True)
class Credentials:
    """What goes into the ``username``/``password`` headers of a GENESIS request."""

    username: Secret
    password: Secret
    is_token: bool

    def __repr__(self) -> str:
        return f"Credentials(is_token={self.is_token})"


def genesis_credentials(db_key: str, *, required: bool = True) -> Credentials | None:
    """Token, or user and password, for one GENESIS database.

    A token travels in ``username`` with an empty ``password`` (the 2020 API's rule).
    """
    db = get_database(db_key)
    prefix = db.env_prefix
    token = setting(f"{prefix}_TOKEN")
    user = setting(f"{prefix}_USER")
    password = setting(f"{prefix}_PASSWORD")
    if user and password:
        return Credentials(Secret(user), Secret(password), is_token=False)
    if token:
        return Credentials(Secret(token), Secret(""), is_token=True)
    if not required:
        return None
    if user and not password:
        raise CredentialsMissing(f"{prefix}_USER is set but {prefix}_PASSWORD is not", db_key)
    raise CredentialsMissing(missing_credentials_message(db_key), db_key)


# Large GENESIS-Online tables (12531-0043) are built as background jobs, which a token
# cannot start: there the user name and password are the one line that works.
JOB_DATABASES = frozenset({"destatis"})


_PLACEHOLDERS = {"USER": "<user name>", "PASSWORD": "<password>", "TOKEN": "<your token>"}


def credential_variables(db_key: str) -> tuple[str, ...]:
    """The variables that make one database usable (user and password where jobs are needed)."""
    prefix = get_database(db_key).env_prefix
    names = ("USER", "PASSWORD") if db_key in JOB_DATABASES else ("TOKEN",)
    return tuple(f"{prefix}_{name}" for name in names)


def credential_assignment(db_key: str) -> str:
    """The line to set for one database, e.g. ``KREFELD_DATA_GENESIS_REGIO_TOKEN=<your token>``."""
    return " and ".join(
        f"{var}={_PLACEHOLDERS[var.rsplit('_', 1)[1]]}" for var in credential_variables(db_key)
    )


def missing_credentials_message(db_key: str) -> str:
    """The one next step for a database without credentials."""
    db = get_database(db_key)
    return (
        f"{db.label} needs a free account: register at {db.registration_url}, then set "
        f"{credential_assignment(db_key)} in the environment or in {user_config_path()} "
        f"(chmod 600)"
    )
