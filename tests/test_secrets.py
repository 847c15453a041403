"""A canary credential through fetch, build and export: it must appear nowhere.

The canaries are set as user and password (regio), as a token (destatis) and in the user
config file (nrw). After each run, these are searched for every canary (and for the
``user:password`` pair in Base64, as HTTP basic auth would send it):
every file under the data and reports folders, every log record at DEBUG level (message,
arguments, exception text), captured stdout and stderr, and the text, repr and traceback of
every exception. The user config file must be refused while others can read it, and a TOML
syntax error on the line holding a secret must not echo it.
"""

from __future__ import annotations

import base64
import logging
import os
import shutil
import stat
import subprocess
import sys
import traceback
from pathlib import Path

import pytest
from helpers import chromium
from replay_server import (
    GENESIS_PATHS,
    ReplayServer,
    Reply,
    genesis_status,
    metadata_answer,
    point_env_at,
    recording,
    zipped_flat_file,
)

from krefeld_data import cli, config, read_table
from krefeld_data.errors import ConfigError, KrefeldDataError
from krefeld_data.raw.provenance import Provenance
from krefeld_data.raw.store import RawStore

USER, PASSWORD, TOKEN = "CANARY-user-7f3a", "CANARY-pw-91bd", "CANARY-token-55c2"
FILE_TOKEN = "CANARY-file-3c8e"
CANARIES = [USER, PASSWORD, TOKEN, FILE_TOKEN]
NEEDLES = [c.encode() for c in CANARIES] + [base64.b64encode(f"{USER}:{PASSWORD}".encode())]
CODE = "12411-01-01-4"
REGIO, DESTATIS = GENESIS_PATHS["regio"], GENESIS_PATHS["destatis"]
FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
METADATA = metadata_answer(CODE)

TINY_ZIP = zipped_flat_file(recording("genesis_tiny_ffcsv.csv"), CODE)


def leaks_in(data: bytes | str) -> list[str]:
    raw = data.encode("utf-8", "replace") if isinstance(data, str) else data
    return [needle.decode() for needle in NEEDLES if needle in raw]


def files_leaking(*roots: Path) -> dict[str, list[str]]:
    found = {}
    for root in roots:
        for path in root.rglob("*") if root.is_dir() else []:
            if path.is_file() and (hits := leaks_in(path.read_bytes())):
                found[str(path)] = hits
    return found


def records_leaking(records: list[logging.LogRecord]) -> list[str]:
    leaks = []
    for record in records:
        text = [record.getMessage(), repr(record.args), record.exc_text or ""]
        if record.exc_info and record.exc_info[1] is not None:
            text.append("".join(traceback.format_exception(record.exc_info[1])))
        if leaks_in("\n".join(text)):
            leaks.append(f"{record.name}: {record.getMessage()[:200]}")
    return leaks


def exception_text(exc: BaseException) -> str:
    return "\n".join([str(exc), repr(exc), "".join(traceback.format_exception(exc))])


@pytest.fixture
def canaries(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Canaries in the environment and in a (private) user config file."""
    config_file = tmp_path / "config.toml"
    config_file.write_text(f'KREFELD_DATA_GENESIS_NRW_TOKEN = "{FILE_TOKEN}"\n', encoding="utf-8")
    config_file.chmod(0o600)
    monkeypatch.setenv("KREFELD_DATA_CONFIG", str(config_file))
    return config_file


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch, canaries: Path):
    credentials = {"/regio": (USER, PASSWORD), "/destatis": (TOKEN, ""), "/nrw": (FILE_TOKEN, "")}
    with ReplayServer(credentials=credentials) as srv:
        point_env_at(srv, monkeypatch, credentials={"regio": (USER, PASSWORD), "destatis": (TOKEN, "")})
        monkeypatch.setenv("TQDM_DISABLE", "1")
        yield srv
        assert srv.violations == []


def everything_clean(capsys, caplog, *roots: Path, exceptions: list[BaseException] = ()) -> None:
    out, err = capsys.readouterr()
    assert leaks_in(out) == [] and leaks_in(err) == [], (out, err)
    assert records_leaking(caplog.records) == []
    for exc in exceptions:
        assert leaks_in(exception_text(exc)) == [], exception_text(exc)
    assert files_leaking(*roots) == {}


# ------------------------------------------------------------------------------- fetch


def test_the_canaries_reach_the_services_and_nothing_else(server: ReplayServer, capsys, caplog,
                                                          isolated_env: Path) -> None:
    caplog.set_level(logging.DEBUG)
    for prefix in (REGIO, DESTATIS, GENESIS_PATHS["nrw"]):
        server.add(prefix + "data/tablefile", Reply(200, TINY_ZIP, "application/zip"))
        server.add(prefix + "metadata/table", Reply.json(METADATA))
    for database in ("regio", "destatis", "nrw"):
        assert cli.main(["--debug", "fetch", CODE, "--db", database]) == 0
    # the credentials did travel, in the headers, to the right service
    sent = {(s.path.split("/")[1], s.headers["username"], s.headers["password"])
            for s in server.requests_to("data/tablefile")}
    assert sent == {("regio", USER, PASSWORD), ("destatis", TOKEN, ""), ("nrw", FILE_TOKEN, "")}
    stored = RawStore().snapshots(CODE)
    assert len(stored) == 3 and all(s.provenance.url.startswith("http://127.0.0.1") for s in stored)
    everything_clean(capsys, caplog, isolated_env, config.reports_dir())


@pytest.mark.parametrize(
    "reply",
    [
        Reply(body=recording("genesis_wrong_credentials.json")),
        genesis_status(-1, f"Benutzer {USER} mit Passwort {PASSWORD} unbekannt", "Fehler"),  # an echo
        Reply(500, f'{{"error": "bad login for {USER}:{PASSWORD}"}}'.encode(), "application/json"),
        Reply(401, f"<html><title>Login {USER} failed</title></html>".encode(), "text/html"),
        Reply(200, TINY_ZIP, "application/zip", fault="reset_mid_body"),
    ],
    ids=["wrong-credentials", "status-echoes-them", "http-500-echoes-them", "http-401-html", "reset"],
)
def test_failed_fetches_never_show_the_canaries(server: ReplayServer, reply: Reply, capsys, caplog,
                                                isolated_env: Path) -> None:
    caplog.set_level(logging.DEBUG)
    server.add(REGIO + "data/tablefile", reply, repeat=True)
    server.add(REGIO + "metadata/table", Reply.json(METADATA), repeat=True)
    assert cli.main(["fetch", CODE, "--db", "regio"]) == 1
    from krefeld_data.fetch.dispatch import fetch_genesis

    with pytest.raises(KrefeldDataError) as info:
        fetch_genesis(CODE, "regio")
    assert cli.main(["--debug", "fetch", CODE, "--db", "regio"]) == 1  # fetch reports, never raises
    everything_clean(capsys, caplog, isolated_env, config.reports_dir(), exceptions=[info.value])


def test_a_debug_fetch_process_prints_no_canary(server: ReplayServer, isolated_env: Path) -> None:
    """The real command line with --debug: DEBUG logs of requests and urllib3 go to stderr."""
    server.add(REGIO + "data/tablefile", Reply(500, b"", "text/plain"),
               Reply(200, TINY_ZIP, "application/zip"))
    server.add(REGIO + "metadata/table", Reply.json(METADATA))
    result = subprocess.run([sys.executable, "-m", "krefeld_data.cli", "--debug", "fetch", CODE, "--db",
                             "regio"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "DEBUG" in result.stderr  # the debug log was on
    assert leaks_in(result.stdout + result.stderr) == []
    assert files_leaking(isolated_env) == {}


# ------------------------------------------------------------------------------- build and export


@pytest.mark.slow
def test_build_and_export_write_no_canary(server: ReplayServer, tmp_path: Path, capsys, caplog,
                                          isolated_env: Path) -> None:
    from krefeld_data.catalog import Story
    from krefeld_data.charts import export
    from krefeld_data.datasets.io import write_dataset
    from krefeld_data.publish.build import build_reports

    caplog.set_level(logging.DEBUG)
    server.add(REGIO + "data/tablefile", Reply(200, TINY_ZIP, "application/zip"))
    server.add(REGIO + "metadata/table", Reply.json(METADATA))
    assert cli.main(["fetch", CODE, "--db", "regio"]) == 0
    # the fixture notebook reads the table TEST-0001 and prints the token it sees
    RawStore().save(b"year;value\n2023;229500\n", Provenance(
        source="regio", table="TEST-0001", origin="test", retrieved_at="2026-11-25T09:30:00+00:00"), "csv")
    notebooks = tmp_path / "notebooks"
    shutil.copytree(FIXTURES, notebooks)
    stories = [Story("01-test", "Testgeschichte", "fixture_chart.py", ("TEST-0001",))]
    summary = build_reports(stories, notebooks_dir=notebooks, progress=False)
    assert summary.slugs("built") == ["01-test"]
    page = (config.reports_dir() / "01-test.html").read_text(encoding="utf-8")
    assert "token: None" in page  # the kernel never saw a credential

    failing = [Story("02-fails", "Fehler", "fixture_fails.py", ("TEST-0001",))]
    with pytest.raises(KrefeldDataError) as failed:
        build_reports(failing, notebooks_dir=notebooks, progress=False)

    # export: a processed dataset from the fetched table, and a chart as SVG
    frame = read_table(RawStore().latest(CODE))
    write_dataset("bevoelkerung_test", frame, "Testdaten")
    exceptions = [failed.value]
    browser = shutil.which("chromium") or os.environ.get("BROWSER_PATH")
    if not browser and os.environ.get("CI", "").lower() == "true":
        chromium()  # under CI the export part must run: a missing browser fails, naming it
    if shutil.which("chromium") or os.environ.get("BROWSER_PATH"):
        from krefeld_data import charts

        chart_frame = frame.assign(year=frame["year"].astype(int))
        fig = charts.compare_cities(chart_frame[chart_frame["ges_code"] == ""], title="Test")
        svg = config.reports_dir() / "export" / "test.svg"
        try:
            export.export_static(fig, svg)
        except KrefeldDataError as exc:  # no usable browser here: its message is searched instead
            exceptions.append(exc)
        else:
            assert svg.stat().st_size > 1000
    everything_clean(capsys, caplog, isolated_env, config.reports_dir(), tmp_path / "notebooks",
                     exceptions=exceptions)


# ------------------------------------------------------------------------------- the config file


def _write_config(path: Path, text: str, mode: int) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_a_config_file_others_can_read_is_refused(tmp_path: Path, monkeypatch, mode: int) -> None:
    path = _write_config(tmp_path / "config.toml", f'KREFELD_DATA_GENESIS_REGIO_TOKEN = "{TOKEN}"\n', mode)
    monkeypatch.setenv("KREFELD_DATA_CONFIG", str(path))
    with pytest.raises(ConfigError) as info:
        config.genesis_credentials("regio")
    assert "chmod 600" in str(info.value) and str(path) in str(info.value)
    assert leaks_in(exception_text(info.value)) == []


def test_a_private_config_file_gives_a_secret_that_does_not_print(tmp_path: Path, monkeypatch) -> None:
    path = _write_config(tmp_path / "config.toml",
                         f'KREFELD_DATA_GENESIS_REGIO_USER = "{USER}"\n'
                         f'KREFELD_DATA_GENESIS_REGIO_PASSWORD = "{PASSWORD}"\n', 0o600)
    monkeypatch.setenv("KREFELD_DATA_CONFIG", str(path))
    credentials = config.genesis_credentials("regio")
    assert (credentials.username, credentials.password) == (USER, PASSWORD)  # usable as strings
    shown = [repr(credentials), str(credentials), f"{credentials!r}", repr(credentials.password),
             repr({"password": credentials.password})]
    assert leaks_in("\n".join(shown)) == []
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # reading it did not change it


@pytest.mark.parametrize(
    "text",
    [
        f'KREFELD_DATA_GENESIS_REGIO_PASSWORD = "{PASSWORD}\n',  # unterminated string
        f'KREFELD_DATA_GENESIS_REGIO_TOKEN = {TOKEN}\n',  # bare word
        f'KREFELD_DATA_GENESIS_REGIO_USER = "{USER}" "{PASSWORD}"\n',  # two values
        f'[KREFELD_DATA_GENESIS_REGIO_TOKEN = "{TOKEN}"\n',  # broken table header
        f'KREFELD_DATA_GENESIS_REGIO_TOKEN = "{TOKEN}"\nKREFELD_DATA_GENESIS_REGIO_TOKEN = "{TOKEN}"\n',
    ],
    ids=["unterminated", "bare-word", "two-values", "broken-table", "duplicate-key"],
)
def test_a_toml_syntax_error_does_not_echo_the_secret(tmp_path: Path, monkeypatch, text: str) -> None:
    path = _write_config(tmp_path / "config.toml", text, 0o600)
    monkeypatch.setenv("KREFELD_DATA_CONFIG", str(path))
    with pytest.raises(ConfigError) as info:
        config.genesis_credentials("regio")
    assert "not valid TOML" in str(info.value) and str(path) in str(info.value)
    assert leaks_in(exception_text(info.value)) == []
    # and the command line, even with --debug (a traceback), shows the file but not the secret
    for debug in ([], ["--debug"]):
        result = subprocess.run([sys.executable, "-m", "krefeld_data.cli", *debug, "fetch", CODE, "--db",
                                 "regio"], capture_output=True, text=True, timeout=120,
                                env={**os.environ, "TQDM_DISABLE": "1"})
        assert result.returncode != 0
        assert "not valid TOML" in result.stdout + result.stderr  # fetch reports it per table
        assert leaks_in(result.stdout + result.stderr) == [], result.stderr
