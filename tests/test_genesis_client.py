"""GenesisClient against a local server replaying real cassettes and our own error recordings."""

from __future__ import annotations

import io
import logging
import time
import zipfile

import pytest
from helpers import real_sample
from replay_server import (
    GENESIS_PATHS,
    ReplayServer,
    Reply,
    genesis_replay,
    genesis_status,
    recording,
)

from krefeld_data.errors import CredentialsMissing, KrefeldDataError
from krefeld_data.fetch.genesis import (
    GenesisAuthError,
    GenesisClient,
    GenesisError,
    JobTimeout,
    TableNotFound,
    TokenCannotStartJob,
)
from krefeld_data.fetch.http import ServiceUnavailable

USER, PASSWORD = "test-user-1", "test-pw-2"
REGIO = GENESIS_PATHS["regio"]
DESTATIS = GENESIS_PATHS["destatis"]


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch):
    with genesis_replay(monkeypatch, USER, PASSWORD) as srv:
        yield srv


def _zip(member: str, content: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, content)
    return buffer.getvalue()


TINY = recording("genesis_tiny_ffcsv.csv")
TINY_ZIP = _zip("12411-01-01-4_1_de_flat.csv", TINY)


def _tablefile(server: ReplayServer, *replies: Reply, db_path: str = REGIO, **kw) -> None:
    server.add(db_path + "data/tablefile", *replies, **kw)


# ---------------------------------------------------------------- real cassettes


def test_real_cassette_01_zipped_tablefile_and_metadata(server: ReplayServer) -> None:
    server.add_cassette(real_sample("01_"), "/regio")
    client = GenesisClient("regio")
    table = client.tablefile("12411-01-01-4")
    assert table.kind == "zip"
    with zipfile.ZipFile(io.BytesIO(table.body)) as archive:
        assert archive.namelist() == ["12411-01-01-4_1773175772751_de_flat.csv"]
    meta = client.metadata_table("12411-01-01-4")
    assert meta["Content"].startswith("Bevölkerung nach Geschlecht")
    sent = server.requests_to("data/tablefile")[0]
    # What the service requires: POST, a form body, credentials only in the headers.
    assert sent.method == "POST"
    assert sent.headers["content-type"] == "application/x-www-form-urlencoded"
    assert (sent.headers["username"], sent.headers["password"]) == (USER, PASSWORD)
    assert USER.encode() not in sent.raw_body and PASSWORD.encode() not in sent.raw_body
    assert sent.form["format"] == "ffcsv" and sent.form["name"] == "12411-01-01-4"
    assert table.query == {**sent.form}
    assert "username" not in table.query


def test_plain_csv_body_from_real_payload(server: ReplayServer) -> None:
    body = real_sample("04_").read_bytes()  # the plain (not zipped) body of real cassette 03
    _tablefile(server, Reply(200, body, "text/csv;charset=UTF-8"))
    table = GenesisClient("regio").tablefile("12411-01-01-4")
    assert table.kind == "csv" and table.body == body


def test_real_job_flow_05_replays_fast(server: ReplayServer) -> None:
    server.add_cassette(real_sample("05_"), "/destatis", max_polls=12)
    started = time.monotonic()
    notes: list[str] = []
    table = GenesisClient("destatis", progress=notes.append).tablefile("12531-0043", compress=True)
    elapsed = time.monotonic() - started
    print(f"job flow replayed in {elapsed:.2f} s")
    assert elapsed < 2.0
    assert table.kind == "zip" and table.job_result == "12531-0043_175879554"
    sent = [s.path.rsplit("/", 2)[-2:] for s in server.seen]
    assert sent[0] == ["data", "tablefile"] and server.seen[0].form["job"] == "false"
    assert server.seen[1].form["job"] == "true"
    polls = server.requests_to("catalogue/results")
    assert len(polls) == 13  # 12 "not ready" answers, then the one listing the result
    assert polls[0].form == {"selection": "12531-0043_175879554", "area": "user", "pagelength": "1"}
    assert server.seen[-1].path.endswith("data/resultfile")
    assert server.seen[-1].form["name"] == "12531-0043_175879554"
    assert any("background job 12531-0043_175879554" in n for n in notes)


def test_real_status_minus_1_is_a_clear_error(server: ReplayServer) -> None:
    server.add_cassette(real_sample("27_"), "/destatis")
    with pytest.raises(GenesisError) as info:
        GenesisClient("destatis").tablefile("61111-0021")
    message = str(info.value)
    assert "GENESIS-Online (destatis), table 61111-0021: status code -1 (Fehler)" in message
    assert "wurde kein Datenquader gefunden!" in message
    assert "\n" not in message


def test_real_status_104_for_a_tablefile_is_table_not_found(server: ReplayServer) -> None:
    server.add_cassette(real_sample("28_"), "/destatis")
    with pytest.raises(TableNotFound, match=r"status code 104 .*Es gibt keine Objekte"):
        GenesisClient("destatis").tablefile("63121-0001")


# ---------------------------------------------------------------- our own recordings


def test_code_90_names_database_table_and_next_step(server: ReplayServer) -> None:
    _tablefile(server, Reply(body=recording("genesis_code90_table_not_found.json")))
    with pytest.raises(TableNotFound) as info:
        GenesisClient("regio").tablefile("99999-99-99-9")
    message = str(info.value)
    assert "Regionaldatenbank Deutschland (regio), table 99999-99-99-9: status code 90" in message
    assert "Die angeforderte Tabelle ist nicht vorhanden." in message
    assert "krefeld-data search '99999*' --db regio" in message


def test_code_6_is_retried_until_success(server: ReplayServer) -> None:
    busy = Reply(body=recording("genesis_code6_too_many_requests.json"))
    _tablefile(server, busy, busy, Reply(200, TINY_ZIP, "application/zip"))
    assert GenesisClient("regio").tablefile("12411-01-01-4").body == TINY_ZIP
    assert len(server.requests_to("data/tablefile")) == 3


def test_code_6_every_time_gives_up_clearly(server: ReplayServer) -> None:
    _tablefile(server, Reply(body=recording("genesis_code6_too_many_requests.json")), repeat=True)
    with pytest.raises(ServiceUnavailable, match=r"status code 6: Zu viele parallele Anfragen. Bitte"):
        GenesisClient("regio").tablefile("12411-01-01-4")


def test_code_22_warns_and_continues(server: ReplayServer, caplog) -> None:
    server.add(REGIO + "catalogue/tables", Reply(body=recording("genesis_code22_catalogue_tables.json")))
    with caplog.at_level(logging.WARNING):
        found = GenesisClient("regio").catalogue_tables("12411*")
    assert [t["Code"] for t in found] == ["12411-01-01-4", "12411-03-03-4"]
    assert "status code 22" in caplog.text and "sortcriterion" in caplog.text


def test_unknown_status_code_is_an_error(server: ReplayServer) -> None:
    _tablefile(server, Reply(body=recording("genesis_code4711_unknown.json")))
    expected = r"status code 4711 \(Information\): Unbekannter Zustand\. .*unknown"
    with pytest.raises(GenesisError, match=expected):
        GenesisClient("regio").tablefile("12411-01-01-4")


def test_html_page_instead_of_data(server: ReplayServer) -> None:
    _tablefile(server, Reply(200, recording("maintenance.html"), "text/html"))
    expected = r"HTML page titled 'Wartungsarbeiten'.*KREFELD_DATA_GENESIS_REGIO_URL"
    with pytest.raises(GenesisError, match=expected):
        GenesisClient("regio").tablefile("12411-01-01-4")


def test_truncated_zip_is_retried(server: ReplayServer) -> None:
    _tablefile(server, Reply(200, TINY_ZIP[:-40], "application/zip"), Reply(200, TINY_ZIP, "application/zip"))
    assert GenesisClient("regio").tablefile("12411-01-01-4").body == TINY_ZIP


def test_truncated_zip_every_time_fails_clearly(server: ReplayServer) -> None:
    _tablefile(server, Reply(200, TINY_ZIP[:-40], "application/zip"), repeat=True)
    with pytest.raises(ServiceUnavailable, match=r"truncated zip"):
        GenesisClient("regio").tablefile("12411-01-01-4")


def test_wrong_credentials_name_the_variables_not_the_values(server: ReplayServer, monkeypatch) -> None:
    monkeypatch.setenv("KREFELD_DATA_GENESIS_REGIO_PASSWORD", "WRONG-pw-3")
    _tablefile(server, Reply(200, TINY_ZIP, "application/zip"))
    with pytest.raises(GenesisAuthError) as info:
        GenesisClient("regio").tablefile("12411-01-01-4")
    message = str(info.value)
    assert "rejected the user name and password" in message
    assert "Nutzernamen bzw. das Passwort" in message and "KREFELD_DATA_GENESIS_REGIO_TOKEN" in message
    assert "WRONG-pw-3" not in message and USER not in message


def test_token_goes_in_username_with_empty_password(server: ReplayServer, monkeypatch) -> None:
    server.credentials = ("tok-123", "")
    for name in ("USER", "PASSWORD"):
        monkeypatch.delenv(f"KREFELD_DATA_GENESIS_REGIO_{name}")
    monkeypatch.setenv("KREFELD_DATA_GENESIS_REGIO_TOKEN", "tok-123")
    _tablefile(server, Reply(200, TINY_ZIP, "application/zip"))
    GenesisClient("regio").tablefile("12411-01-01-4")
    sent = server.requests_to("data/tablefile")[0]
    assert sent.headers["username"] == "tok-123" and sent.headers["password"] == ""


def test_a_token_cannot_start_a_job(server: ReplayServer, monkeypatch) -> None:
    server.credentials = None
    for name in ("USER", "PASSWORD"):
        monkeypatch.delenv(f"KREFELD_DATA_GENESIS_DESTATIS_{name}")
    monkeypatch.setenv("KREFELD_DATA_GENESIS_DESTATIS_TOKEN", "tok-123")
    server.add_cassette(real_sample("05_"), "/destatis", max_polls=1)
    with pytest.raises(TokenCannotStartJob) as info:
        GenesisClient("destatis").tablefile("12531-0043", compress=True)
    message = str(info.value)
    assert "status code 98" in message and "zu gross" in message
    assert "KREFELD_DATA_GENESIS_DESTATIS_USER and KREFELD_DATA_GENESIS_DESTATIS_PASSWORD" in message
    assert len(server.requests_to("data/tablefile")) == 1  # no job was attempted


def test_job_that_never_finishes_times_out(server: ReplayServer) -> None:
    _tablefile(server, genesis_status(98, "Die Tabelle ist zu gross.", "Fehler"), match={"job": "false"},
               db_path=DESTATIS)
    _tablefile(server, genesis_status(99, "Der Bearbeitungsauftrag wurde erstellt. Die Tabelle kann in Kürze "
                                          "als Ergebnis mit folgendem Namen abgerufen werden: 12531-0043_1"),
               match={"job": "true"}, db_path=DESTATIS)
    server.add(DESTATIS + "catalogue/results", genesis_status(104, "Es gibt keine Objekte"), repeat=True)
    with pytest.raises(JobTimeout, match=r"background job 12531-0043_1 not ready"):
        GenesisClient("destatis", job_timeout=0.2).tablefile("12531-0043")


def test_missing_credentials_name_the_variable(monkeypatch) -> None:
    with pytest.raises(CredentialsMissing) as info:
        GenesisClient("nrw")
    assert "KREFELD_DATA_GENESIS_NRW_TOKEN" in str(info.value)
    assert "https://www.landesdatenbank.nrw.de/" in str(info.value)
    assert isinstance(info.value, KrefeldDataError)


def test_each_database_uses_its_own_base_url(server: ReplayServer) -> None:
    ok = Reply(body=recording("genesis_logincheck_ok.json"))
    server.add(GENESIS_PATHS["nrw"] + "helloworld/logincheck", ok)
    text = GenesisClient("nrw").logincheck()
    assert text.startswith("Sie wurden erfolgreich an- und abgemeldet!")
    assert "DUMMY-USER" not in text
