"""The Landesdatenbank NRW without an account: the keyless classic-table download.

The local replay server serves the real file 37 (as downloaded: ISO-8859-1 bytes) at the path
the real site uses, ``/ldbnrwws/downloader/00/tables/<code>_00.csv``. Figures are typed from
that file (README of the real samples: Krefeld, Türkei 7620; footer ``Stand: 09.02.2026``).
Damaged answers are written here from it, and are test data.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from helpers import real_sample
from replay_server import (
    GENESIS_PATHS,
    NRW_DOWNLOAD_PATH,
    ReplayServer,
    Reply,
    metadata_answer,
    point_env_at,
    recording,
    zipped_flat_file,
)

from krefeld_data import config
from krefeld_data.cli import main
from krefeld_data.errors import KrefeldDataError
from krefeld_data.fetch.dispatch import fetch
from krefeld_data.fetch.http import ServiceUnavailable
from krefeld_data.fetch.nrw_download import (
    DownloadError,
    DownloadNotFound,
    classic_table_problem,
    decode,
    footer_date,
    uses_keyless_download,
)
from krefeld_data.raw.store import RawStore

CODE = "12521-03i"
PATH = f"{NRW_DOWNLOAD_PATH}{CODE}_00.csv"
LATIN1 = "text/csv;charset=ISO-8859-1"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch):
    with ReplayServer() as srv:
        point_env_at(srv, monkeypatch)  # no credentials for any database
        monkeypatch.setenv("TQDM_DISABLE", "1")
        yield srv


@pytest.fixture
def table_37() -> bytes:
    return real_sample("37_").read_bytes()


def _rows(body: bytes) -> list[list[str]]:
    """The oracle: the file read with the csv module, as ISO-8859-1 (how the site sends it)."""
    return list(csv.reader(io.StringIO(body.decode("latin-1")), delimiter=";"))


def _stored(code: str = CODE) -> list:
    return RawStore().snapshots(code, "nrw")


def test_without_a_token_fetch_uses_the_download_and_stores_the_bytes_with_provenance(
    server: ReplayServer, table_37: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    server.add(PATH, Reply(200, table_37, LATIN1), method="GET")
    assert main(["fetch", CODE, "--db", "nrw"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [f"{CODE} (nrw): stored"]
    assert "Traceback" not in err
    assert server.violations == []
    (request,) = server.requests_to(f"{CODE}_00.csv")
    assert request.method == "GET" and "username" not in request.headers

    (snapshot,) = _stored()
    body = snapshot.read_bytes()
    assert body == table_37  # the bytes as sent: Latin-1, not re-encoded
    rows = _rows(body)
    krefeld_tuerkei = next(r for r in rows if len(r) > 5 and r[1] == "05114" and r[4].strip() == "Türkei")
    assert krefeld_tuerkei[5] == "7620"
    footer = next(r for r in reversed(rows) if r and r[0].strip())
    assert footer[0] == "Stand: 09.02.2026 / 16:09:36"

    prov = snapshot.provenance
    assert (prov.source, prov.table, prov.origin) == ("nrw", CODE, "api")
    assert prov.url == server.url(PATH)
    assert prov.licence == "dl-de/by-2-0" and prov.producer == "IT.NRW"
    assert prov.database == "Landesdatenbank NRW"
    assert prov.content_type == LATIN1
    assert prov.stand == "09.02.2026"
    assert prov.vintage == "2026-02-09" and prov.vintage_source.startswith("Stand line")
    assert "keyless" in prov.note
    assert prov.metadata["title"].startswith("Ausländische Bevölkerung nach Geschlecht und")
    assert "Tabelle 12521-03i" in prov.citation and "Stand 09.02.2026" in prov.citation
    assert "IT.NRW" in prov.citation and "dl-de/by-2-0" in prov.citation


def test_a_downloaded_table_is_served_from_the_store_and_refresh_keeps_identical_bytes(
    server: ReplayServer, table_37: bytes
) -> None:
    server.add(PATH, Reply(200, table_37, LATIN1), method="GET", repeat=True)
    assert fetch(CODE, "nrw").state == "stored"
    assert fetch(CODE, "nrw").state == "cached"
    assert len(server.requests_to(f"{CODE}_00.csv")) == 1
    assert fetch(CODE, "nrw", refresh=True).state == "unchanged"
    assert len(server.requests_to(f"{CODE}_00.csv")) == 2
    assert len(_stored()) == 1


def test_a_token_sends_nrw_fetches_to_the_rest_interface(
    monkeypatch: pytest.MonkeyPatch, table_37: bytes
) -> None:
    with ReplayServer(credentials={"/nrw": ("nrw-token-xy", "")}) as server:
        point_env_at(server, monkeypatch, credentials={"nrw": ("nrw-token-xy", "")})
        rest = GENESIS_PATHS["nrw"]
        flat = zipped_flat_file(recording("genesis_tiny_ffcsv.csv"), "12411-01-01-4")
        server.add(rest + "data/tablefile", Reply(200, flat, "application/zip"))
        server.add(rest + "metadata/table", Reply.json(metadata_answer("12411-01-01-4")))
        server.add(f"{NRW_DOWNLOAD_PATH}12411-01-01-4_00.csv", Reply(200, table_37, LATIN1), method="GET")
        assert not uses_keyless_download("nrw")
        outcome = fetch("12411-01-01-4", "nrw")
        assert server.violations == []
    assert outcome.state == "stored" and outcome.snapshot.path.suffix == ".zip"
    assert len(server.requests_to("data/tablefile")) == 1
    assert server.requests_to("_00.csv") == []


def test_only_nrw_has_a_keyless_download() -> None:
    assert uses_keyless_download("nrw")
    assert not any(uses_keyless_download(db) for db in ("regio", "destatis", "zensus", "eurostat"))
    assert config.download_url("regio") is None


def test_the_download_url_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert config.download_url("nrw") == "https://www.landesdatenbank.nrw.de/ldbnrwws/downloader/00/tables/"
    monkeypatch.setenv("KREFELD_DATA_GENESIS_NRW_DOWNLOAD_URL", "http://127.0.0.1:9/tables")
    assert config.download_url("nrw") == "http://127.0.0.1:9/tables/"


def test_404_is_an_error_naming_table_and_status_and_stores_nothing(server: ReplayServer) -> None:
    page = b"<html><head><title>404 Not Found</title></head><body>Not Found</body></html>"
    server.add(f"{NRW_DOWNLOAD_PATH}12521-99x_00.csv", Reply(404, page, "text/html"), method="GET")
    with pytest.raises(DownloadNotFound) as info:
        fetch("12521-99x", "nrw")
    message = str(info.value)
    assert isinstance(info.value, KrefeldDataError)
    assert "Landesdatenbank NRW" in message and "12521-99x" in message and "HTTP 404" in message
    assert len(server.requests_to("12521-99x_00.csv")) == 1  # a 404 is not retried
    assert _stored("12521-99x") == []


def test_an_html_page_with_status_200_is_not_stored(server: ReplayServer) -> None:
    page = "<!DOCTYPE html><html><head><title>Wartungsarbeiten</title></head><body>…</body></html>"
    server.add(PATH, Reply(200, page.encode("utf-8"), "text/html;charset=UTF-8"), method="GET")
    with pytest.raises(DownloadError, match=r"HTML page titled 'Wartungsarbeiten'.*nothing was stored"):
        fetch(CODE, "nrw")
    assert _stored() == []


@pytest.mark.parametrize(
    "body, reason",
    [
        (b'{"Status":{"Code":-1,"Content":"Fehler"}}', "does not start with 'Tabelle: 12521-03i'"),
        (b"statistics_code;statistics_label\n12521;Ausl\n", "does not start with"),
        (b"", "empty answer"),
    ],
)
def test_a_body_that_is_not_a_classic_table_is_not_stored(
    server: ReplayServer, body: bytes, reason: str
) -> None:
    server.add(PATH, Reply(200, body, "text/csv"), method="GET")
    with pytest.raises(DownloadError, match=reason):
        fetch(CODE, "nrw")
    assert _stored() == []


def test_another_table_under_the_code_is_not_stored(server: ReplayServer) -> None:
    other = real_sample("38_").read_bytes()  # Tabelle: 12411-02-03-4
    server.add(PATH, Reply(200, other, LATIN1), method="GET")
    with pytest.raises(DownloadError, match=r"it is table 12411-02-03-4, not 12521-03i"):
        fetch(CODE, "nrw")
    assert _stored() == []


def test_a_table_cut_off_at_a_line_end_is_not_stored(server: ReplayServer, table_37: bytes) -> None:
    lines = table_37.splitlines(keepends=True)
    cut = b"".join(lines[: len(lines) // 2])  # whole lines, a matching Content-Length: no footer
    server.add(PATH, Reply(200, cut, LATIN1), method="GET")
    with pytest.raises(DownloadError, match=r"without the footer .*cut off"):
        fetch(CODE, "nrw")
    assert _stored() == []


def test_a_header_only_table_is_not_stored(server: ReplayServer, table_37: bytes) -> None:
    lines = table_37.splitlines(keepends=True)
    header_and_footer = b"".join(lines[:8] + lines[-2:])
    server.add(PATH, Reply(200, header_and_footer, LATIN1), method="GET")
    with pytest.raises(DownloadError, match=r"no row of values"):
        fetch(CODE, "nrw")
    assert _stored() == []


def test_a_body_cut_mid_transfer_is_retried_and_the_whole_table_stored(
    server: ReplayServer, table_37: bytes
) -> None:
    server.add(PATH, Reply(200, table_37, LATIN1, fault="reset_mid_body"), Reply(200, table_37, LATIN1),
               method="GET")
    outcome = fetch(CODE, "nrw")
    assert outcome.state == "stored"
    assert outcome.snapshot.read_bytes() == table_37
    assert len(server.requests_to(f"{CODE}_00.csv")) == 2


def test_a_body_cut_every_time_fails_clearly_and_stores_nothing(
    server: ReplayServer, table_37: bytes
) -> None:
    server.add(PATH, Reply(200, table_37, LATIN1, fault="close_mid_body"), method="GET", repeat=True)
    with pytest.raises(ServiceUnavailable, match=r"keyless download, table 12521-03i: .* failed 3 times"):
        fetch(CODE, "nrw")
    assert _stored() == []
    assert len(server.requests_to(f"{CODE}_00.csv")) == 3


def test_server_errors_are_retried_as_for_the_other_clients(server: ReplayServer, table_37: bytes) -> None:
    server.add(PATH, Reply(503, b"busy", "text/plain"), Reply(200, table_37, LATIN1), method="GET")
    assert fetch(CODE, "nrw").state == "stored"
    assert len(server.requests_to(f"{CODE}_00.csv")) == 2


def test_parameters_need_the_rest_interface(server: ReplayServer) -> None:
    with pytest.raises(KrefeldDataError, match=r"whole tables only.*regionalschluessel.*_NRW_TOKEN"):
        fetch(CODE, "nrw", regionalschluessel="05114")
    assert server.seen == []


def test_a_code_that_is_no_table_code_is_refused_before_any_request(server: ReplayServer) -> None:
    with pytest.raises(KrefeldDataError, match="not a table code"):
        fetch("../../etc/passwd", "nrw")
    assert server.seen == []


# ---------------------------------------------------------------- footer and structure, unit level


def _last_text_cell(path: Path, encoding: str) -> str:
    with path.open(encoding=encoding, newline="") as fh:
        rows = [r for r in csv.reader(fh, delimiter=";") if r and r[0].strip()]
    return rows[-1][0]


@pytest.mark.parametrize(
    "prefix, encoding, expected",
    [
        ("37_", "latin-1", ("09.02.2026", "2026-02-09", "Stand line")),
        ("38_", "latin-1", ("18.12.2025", "2025-12-18", "Stand line")),
        ("40_", "utf-8-sig", ("12.09.2025", "2025-09-12", "created line")),
    ],
)
def test_the_footer_date_of_each_real_classic_file(prefix: str, encoding: str, expected: tuple) -> None:
    path = real_sample(prefix)
    last = _last_text_cell(path, encoding)  # oracle: the last line, read with the csv module
    assert last.startswith(("Stand:", "created:"))
    found = footer_date(decode(path.read_bytes()))
    assert (found.stand, found.vintage, found.source) == expected
    day, month, year = expected[0].split(".")
    assert f"{day}.{month}.{year}" in last or f"{year}-{month}-{day}" in last


def test_a_title_line_with_stand_is_not_taken_for_the_footer() -> None:
    text = "Tabelle: 99999-01i\nBevölkerung, Stand: 31.12.2020;;\n;;Anzahl\n31.12.2020;05;1;\n"
    assert footer_date(text) is None
    text_with_footer = text + "© test data\nStand: 01.03.2021 / 10:00:00\n"
    assert footer_date(text_with_footer).vintage == "2021-03-01"


def test_the_real_files_pass_the_structural_check_and_damaged_ones_do_not() -> None:
    text = decode(real_sample("37_").read_bytes())
    assert classic_table_problem(text, CODE) is None
    assert classic_table_problem(text, "12521-03I") is None  # codes compare without case
    assert classic_table_problem(decode(real_sample("40_").read_bytes()), "12211-9008") is None
    assert "cut off" in classic_table_problem(text[: len(text) // 3], CODE)
    genesis_2017 = "GENESIS-Tabelle: 12411-01-01-4\nTitel;\n;männlich\n31.12.2015;05114;Krefeld;100\n© x\n"
    assert classic_table_problem(genesis_2017, "12411-01-01-4") is None


def test_no_credential_of_another_database_travels_to_the_download_or_into_the_record(
    server: ReplayServer, table_37: bytes, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("KREFELD_DATA_GENESIS_REGIO_TOKEN", "CANARY-regio-4711")
    monkeypatch.setenv("KREFELD_DATA_GENESIS_DESTATIS_USER", "CANARY-user-4712")
    monkeypatch.setenv("KREFELD_DATA_GENESIS_DESTATIS_PASSWORD", "CANARY-pass-4713")
    caplog.set_level("DEBUG")
    server.add(PATH, Reply(200, table_37, LATIN1), method="GET")
    snapshot = fetch(CODE, "nrw").snapshot
    assert server.violations == []
    (request,) = server.requests_to(f"{CODE}_00.csv")
    sent = " ".join(f"{k}: {v}" for k, v in request.headers.items()) + request.path
    record = snapshot.sidecar.read_text(encoding="utf-8")
    for text in (sent, record, caplog.text):
        assert "CANARY" not in text
