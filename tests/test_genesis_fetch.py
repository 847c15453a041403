"""fetch_table: store with provenance, serve from the store, refresh with ``stand``, never a partial file."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

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

import krefeld_data
from krefeld_data.errors import KrefeldDataError
from krefeld_data.fetch.dispatch import fetch_genesis, stand_of
from krefeld_data.raw.store import RawStore

USER, PASSWORD = "u-fetch", "p-fetch"
REGIO = GENESIS_PATHS["regio"]


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch):
    with genesis_replay(monkeypatch, USER, PASSWORD) as srv:
        yield srv


def _zip(content: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("12411-01-01-4_1_de_flat.csv", content)
    return buffer.getvalue()


TINY_ZIP = _zip(recording("genesis_tiny_ffcsv.csv"))
METADATA = {
    "Ident": {"Service": "metadata", "Method": "table"},
    "Status": {"Code": 0, "Content": "erfolgreich", "Type": "Information"},
    "Object": {"Code": "12411-01-01-4", "Content": "Bevölkerung nach Geschlecht -\nStichtag 31.12.",
               "Time": {"From": "31.12.1995", "To": "31.12.2024"}, "Updated": "31.03.2025 11:18:07h",
               "Structure": {"Head": {"Code": "12411", "Content": "Fortschreibung", "Type": "Statistik"}}},
}


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.name != ".lock")


def test_real_cassette_fetch_stores_bytes_and_provenance(server: ReplayServer, isolated_env: Path) -> None:
    server.add_cassette(real_sample("01_"), "/regio")
    snapshot = krefeld_data.fetch_table("12411-01-01-4")
    prov = snapshot.provenance
    assert snapshot.path.suffix == ".zip"
    assert snapshot.path.is_relative_to(isolated_env / "raw" / "regio" / "12411-01-01-4")
    assert prov.origin == "api" and prov.source == "regio" and prov.table == "12411-01-01-4"
    assert prov.url == server.url(REGIO + "data/tablefile")
    assert prov.query["format"] == "ffcsv" and "username" not in prov.query
    assert prov.content_type == "application/zip"
    title = prov.metadata["title"]
    assert title.startswith("Bevölkerung nach Geschlecht - Stichtag 31.12. - regionale Tiefe")
    assert prov.metadata["time_to"] == "31.12.2024"
    assert prov.stand == "31.03.2025"
    assert {"code": "BEVSTD", "label": "Bevölkerungsstand", "type": "Merkmal"} in prov.metadata["variables"]
    assert snapshot.read_bytes()[:4] == b"PK\x03\x04"


def test_a_stored_table_is_served_without_a_request(server: ReplayServer) -> None:
    server.add(REGIO + "data/tablefile", Reply(200, TINY_ZIP, "application/zip"))
    server.add(REGIO + "metadata/table", Reply.json(METADATA))
    first = fetch_genesis("12411-01-01-4", "regio")
    assert first.state == "stored"
    count = len(server.seen)
    second = fetch_genesis("12411-01-01-4", "regio")
    assert second.state == "cached" and second.snapshot.path == first.snapshot.path
    assert len(server.seen) == count


def test_cached_table_needs_no_credentials(server: ReplayServer, monkeypatch) -> None:
    server.add(REGIO + "data/tablefile", Reply(200, TINY_ZIP, "application/zip"))
    server.add(REGIO + "metadata/table", Reply.json(METADATA))
    fetch_genesis("12411-01-01-4", "regio")
    for name in ("USER", "PASSWORD"):
        monkeypatch.delenv(f"KREFELD_DATA_GENESIS_REGIO_{name}")
    assert fetch_genesis("12411-01-01-4", "regio").state == "cached"


def test_refresh_sends_stand_and_keeps_the_old_snapshot_on_code_50(server: ReplayServer) -> None:
    server.add(REGIO + "data/tablefile", Reply(200, TINY_ZIP, "application/zip"),
               Reply(body=recording("genesis_code50_no_newer_data.json")))
    server.add(REGIO + "metadata/table", Reply.json(METADATA))
    first = fetch_genesis("12411-01-01-4", "regio")
    again = fetch_genesis("12411-01-01-4", "regio", refresh=True)
    assert again.state == "unchanged" and again.snapshot.path == first.snapshot.path
    sent = server.requests_to("data/tablefile")[-1]
    assert sent.form["stand"] == stand_of(first.snapshot)
    assert len(RawStore().snapshots("12411-01-01-4")) == 1


def test_refresh_with_newer_data_adds_a_snapshot(server: ReplayServer) -> None:
    newer = _zip(recording("genesis_tiny_ffcsv.csv").replace(b";111;", b";112;"))
    server.add(REGIO + "data/tablefile", Reply(200, TINY_ZIP, "application/zip"),
               Reply(200, newer, "application/zip"), Reply(200, newer, "application/zip"))
    server.add(REGIO + "metadata/table", Reply.json(METADATA), repeat=True)
    first = fetch_genesis("12411-01-01-4", "regio")
    second = fetch_genesis("12411-01-01-4", "regio", refresh=True)
    third = fetch_genesis("12411-01-01-4", "regio", refresh=True)
    assert second.state == "stored" and second.snapshot.path != first.snapshot.path
    assert third.state == "unchanged"  # the service ignored stand, but the bytes are the same
    assert first.snapshot.path.exists()  # the old snapshot stays
    assert len(RawStore().snapshots("12411-01-01-4")) == 2


def test_stand_is_german_local_time() -> None:
    from krefeld_data.raw.provenance import Provenance
    from krefeld_data.raw.store import Snapshot

    prov = Provenance(source="regio", table="t", origin="api", retrieved_at="2026-07-01T10:20:30+00:00")
    assert stand_of(Snapshot(Path("x"), prov)) == "01.07.2026 12:20:30"


def test_metadata_failure_does_not_lose_the_table(server: ReplayServer) -> None:
    server.add(REGIO + "data/tablefile", Reply(200, TINY_ZIP, "application/zip"))
    server.add(REGIO + "metadata/table", genesis_status(104, "Es gibt keine Objekte"))
    outcome = fetch_genesis("12411-01-01-4", "regio")
    assert outcome.state == "stored" and outcome.snapshot.provenance.metadata == {}


@pytest.mark.parametrize(
    "replies",
    [
        [Reply(200, TINY_ZIP[:-30], "application/zip")],  # truncated zip, every time
        [Reply(200, TINY_ZIP, "application/zip", fault="reset_mid_body")],  # reset mid-body, every time
        [Reply(200, recording("maintenance.html"), "text/html")],
        [Reply(502, b"<html><title>Bad Gateway</title></html>", "text/html")],
        [Reply(200, b"this is neither csv nor zip", "text/plain")],
        [Reply(body=recording("genesis_code90_table_not_found.json"))],
    ],
    ids=["truncated-zip", "reset", "html", "http-502", "junk", "code-90"],
)
def test_failures_leave_no_file_in_the_store(server: ReplayServer, isolated_env: Path, replies) -> None:
    server.add(REGIO + "data/tablefile", *replies, repeat=True)
    server.add(REGIO + "metadata/table", Reply.json(METADATA), repeat=True)
    with pytest.raises(KrefeldDataError) as info:
        fetch_genesis("12411-01-01-4", "regio")
    assert "12411-01-01-4" in str(info.value) or "Regionaldatenbank" in str(info.value)
    assert _files(isolated_env) == []


def test_faults_then_success_store_exactly_the_good_bytes(server: ReplayServer, isolated_env: Path) -> None:
    server.add(REGIO + "data/tablefile",
               Reply(500, b"", "text/plain"),
               Reply(200, TINY_ZIP, "application/zip", fault="reset_mid_body"),
               Reply(200, TINY_ZIP, "application/zip"))
    server.add(REGIO + "metadata/table", Reply.json(METADATA))
    snapshot = fetch_genesis("12411-01-01-4", "regio").snapshot
    assert snapshot.read_bytes() == TINY_ZIP
    files = _files(isolated_env)
    assert [p.name for p in files] == [snapshot.path.name, snapshot.sidecar.name]
    assert json.loads(snapshot.sidecar.read_text())["sha256"] == snapshot.provenance.sha256


def test_read_timeout_then_success(server: ReplayServer, monkeypatch) -> None:
    monkeypatch.setenv("KREFELD_DATA_HTTP_READ_TIMEOUT", "0.2")
    server.add(REGIO + "data/tablefile", Reply(200, TINY_ZIP, "application/zip", delay=0.6),
               Reply(429, b"slow down", "text/plain"), Reply(200, TINY_ZIP, "application/zip"))
    server.add(REGIO + "metadata/table", Reply.json(METADATA))
    snapshot = fetch_genesis("12411-01-01-4", "regio").snapshot
    assert snapshot.read_bytes() == TINY_ZIP
    assert len(server.requests_to("data/tablefile")) == 3


def test_read_timeout_every_time_is_a_clear_error(server: ReplayServer, monkeypatch, isolated_env) -> None:
    monkeypatch.setenv("KREFELD_DATA_HTTP_READ_TIMEOUT", "0.1")
    server.add(REGIO + "data/tablefile", Reply(200, TINY_ZIP, "application/zip", delay=0.3), repeat=True)
    expected = r"Regionaldatenbank Deutschland \(regio\), table 12411-01-01-4: .*failed 3 times, last: no ans"
    with pytest.raises(KrefeldDataError, match=expected):
        fetch_genesis("12411-01-01-4", "regio")
    assert _files(isolated_env) == []


def test_a_whole_answer_that_does_not_read_is_not_stored(server) -> None:
    """The offices' export sometimes shifts columns: such a file is refused, not stored."""
    broken = recording("genesis_tiny_ffcsv.csv").replace(b"\n", b";extra\n", 2)
    server.add(REGIO + "data/tablefile", Reply(200, broken, "text/csv"))
    with pytest.raises(KrefeldDataError, match=r"does not read as a table.*nothing was stored"):
        fetch_genesis("12411-01-01-4", "regio")
    assert RawStore().snapshots() == []
