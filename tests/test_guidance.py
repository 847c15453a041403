"""The newcomer's path: `krefeld-data report` without an account ends in one precise next step."""

from __future__ import annotations

import socket

import pytest

from krefeld_data.catalog import SOURCE_TABLES, STORIES
from krefeld_data.cli import main
from krefeld_data.guidance import next_step


def test_without_accounts_the_step_names_the_account_that_unlocks_most() -> None:
    step = next_step(SOURCE_TABLES)
    regio = [c for c, t in SOURCE_TABLES.items() if t.database == "regio"]
    assert step.startswith("Next step: register for a free account of Regionaldatenbank Deutschland")
    assert "https://www.regionalstatistik.de/" in step
    assert "KREFELD_DATA_GENESIS_REGIO_TOKEN=<your token>" in step
    assert f"That unlocks {len(regio)} of the {len(SOURCE_TABLES)} missing table(s)" in step


def test_destatis_step_asks_for_user_and_password(monkeypatch: pytest.MonkeyPatch) -> None:
    # The large protection-seeker table runs as a background job, which a token cannot start.
    monkeypatch.setenv("KREFELD_DATA_GENESIS_DESTATIS_TOKEN", "some-token")
    assert "check the internet connection" in next_step(["12531-0043"])  # a token counts
    monkeypatch.delenv("KREFELD_DATA_GENESIS_DESTATIS_TOKEN")
    step = next_step(["12531-0043"])
    assert "KREFELD_DATA_GENESIS_DESTATIS_USER=<user name>" in step
    assert "KREFELD_DATA_GENESIS_DESTATIS_PASSWORD=<password>" in step


def test_configured_accounts_leave_the_network_as_the_step(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KREFELD_DATA_GENESIS_REGIO_TOKEN", "CANARY-token-55c2")
    step = next_step(["12411-01-01-4", "migr_asyappctza"])
    assert "check the internet connection" in step
    assert "CANARY" not in step
    assert next_step([]) is None


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_report_without_account_or_network_builds_index_and_says_next_step(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], isolated_env
) -> None:
    monkeypatch.setenv("KREFELD_DATA_EUROSTAT_URL", f"http://127.0.0.1:{_closed_port()}/")
    monkeypatch.setenv("KREFELD_DATA_HTTP_ATTEMPTS", "1")
    monkeypatch.setenv("TQDM_DISABLE", "1")
    assert main(["report"]) == 0
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert len([line for line in out.splitlines() if ": failed (" in line]) == len(SOURCE_TABLES)
    assert f"0 of {len(STORIES)} stories built." in err
    assert "make demo" in err
    assert err.strip().splitlines()[-1].startswith("Next step: register for a free account")
    reports = isolated_env.parent / "reports"
    index = (reports / "index.html").read_text(encoding="utf-8")
    for story in STORIES:
        assert story.title in index
    assert "es fehlt" in index and "krefeld-data fetch 12411-01-01-4 --db regio" in index
