"""The newcomer's path: `krefeld-data report` without an account ends in one precise next step."""

from __future__ import annotations

import socket

import pytest
from helpers import real_sample
from replay_server import NRW_DOWNLOAD_PATH, ReplayServer, Reply, point_env_at

from krefeld_data.catalog import DEFAULT_CITIES, SOURCE_TABLES, STORIES, alternatives
from krefeld_data.cli import main
from krefeld_data.guidance import keyless_coverage, next_step
from krefeld_data.raw.store import RawStore
from krefeld_data.regions.registry import region


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
    monkeypatch.setenv("KREFELD_DATA_GENESIS_NRW_DOWNLOAD_URL", f"http://127.0.0.1:{_closed_port()}/")
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


# ---------------------------------------------------------------- keyless stand-ins (NRW)


def test_the_catalogue_knows_keyless_nrw_stand_ins_for_account_only_tables() -> None:
    for code in ("12411-15i", "12411-09i", "12521-03i"):
        table = SOURCE_TABLES[code]
        assert table.database == "nrw" and not table.needs_account and table.may_fail
        assert all(SOURCE_TABLES[c].needs_account for c in table.alternative_for)
    assert [t.code for t in alternatives("12411-01-01-4")] == ["12411-15i"]
    assert {t.code for t in alternatives("12411-03-03-4")} == {"12411-09i", "12521-03i"}
    for code in ("12531-0006", "12531-0025", "12521-0006"):
        assert SOURCE_TABLES[code].optional and SOURCE_TABLES[code].unconfirmed


def test_the_step_says_plainly_which_cities_the_nrw_stand_ins_cover() -> None:
    step = next_step(["12411-01-01-4", "12411-03-03-4"])
    outside = [region(c) for c in DEFAULT_CITIES if region(c).land_code != "05"]
    assert [r.short_name for r in outside] == ["Freiburg im Breisgau"]  # the registry: Land 08
    assert step.startswith("Next step: register for a free account of Regionaldatenbank Deutschland")
    assert "12411-15i" in step and "12521-03i" in step and "Landesdatenbank NRW (no account needed)" in step
    assert "for Krefeld, Düsseldorf and Wuppertal" in step
    assert "they hold nothing for Freiburg im Breisgau (Baden-Württemberg)" in step


def test_coverage_follows_the_cities_asked_for() -> None:
    assert "hold nothing" not in keyless_coverage(["12411-01-01-4"], ["05114"])
    only_freiburg = keyless_coverage(["12411-01-01-4"], ["Freiburg im Breisgau"])
    assert "they hold nothing for Freiburg im Breisgau (Baden-Württemberg)" in only_freiburg
    assert keyless_coverage(["12531-0043"]) is None  # no stand-in for protection seekers


def test_report_without_account_fetches_the_nrw_tables_through_the_keyless_download(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TQDM_DISABLE", "1")
    with ReplayServer() as server:
        point_env_at(server, monkeypatch)  # no account for any database
        server.add(NRW_DOWNLOAD_PATH + "12521-03i_00.csv",
                   Reply(200, real_sample("37_").read_bytes(), "text/csv"), method="GET")
        assert main(["report"]) == 0
        out, err = capsys.readouterr()
    assert "12521-03i (nrw): stored" in out.splitlines()
    (snapshot,) = RawStore().snapshots("12521-03i", "nrw")
    assert snapshot.provenance.origin == "api" and snapshot.provenance.stand == "09.02.2026"
    assert "Traceback" not in out + err


@pytest.mark.slow
def test_a_newcomer_without_an_account_gets_a_real_nrw_page_through_the_keyless_download(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 13, done when: `report` with no account fetches 12521-03i from the (replayed) NRW
    download and builds story 1 from it: a real page, no sample mark, Krefeld's register figure."""
    import csv
    import html

    from krefeld_data import config
    from krefeld_data.util.german import rounded

    monkeypatch.setenv("TQDM_DISABLE", "1")
    with ReplayServer() as server:
        point_env_at(server, monkeypatch)
        server.add(NRW_DOWNLOAD_PATH + "12521-03i_00.csv",
                   Reply(200, real_sample("37_").read_bytes(), "text/csv"), method="GET")
        assert main(["report"]) == 0
        capsys.readouterr()
    page = config.reports_dir() / "01-wer-lebt-in-der-stadt.html"
    assert page.is_file()
    text = html.unescape(page.read_text(encoding="utf-8"))
    # Oracle: the file read with csv; continents carry one-digit codes, their sum is the total.
    with real_sample("37_").open(encoding="latin-1", newline="") as handle:
        rows = [r for r in csv.reader(handle, delimiter=";") if len(r) > 5 and r[1] == "05114"]
    total = sum(int(r[5]) for r in rows if r[3].isdigit() and len(r[3]) == 1)
    assert f"in Krefeld {rounded(total)} Ausländerinnen und Ausländer" in text
    assert "12521-03i" in text and "IT.NRW" in text
    assert "Beispieldaten" not in text
    assert 'class="kd-verdict"' in text
