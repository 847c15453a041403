"""`krefeld-data datawrapper STORY`: against a stand-in for Datawrapper's API v3 on 127.0.0.1.

The stand-in checks what the real API needs (the Bearer token on every call, JSON bodies for
charts, the CSV for data), answers like it (201 with an id, 204 for data, 404 for an unknown
chart) and can be told to answer 401, 429 or to cut the connection mid-answer.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest

from krefeld_data import charts, cli, config
from krefeld_data.charts.display import RECORD_ENV
from krefeld_data.errors import ConfigError
from krefeld_data.publish.datawrapper import STATE_FILE, DatawrapperError, sync_story
from krefeld_data.publish.embed import export_charts
from krefeld_data.raw.provenance import Provenance

TOKEN = "canary-dw-token-7f3a9c"  # test credential: must never reach a file, a log or a message
STORY = "02-schutzsuchende"


class StandIn:
    """State of the stand-in: charts, calls received, and faults to play."""

    def __init__(self) -> None:
        self.charts: dict[str, dict] = {}
        self.data: dict[str, str] = {}
        self.calls: list[dict] = []
        self.faults: list[tuple[str, str, str]] = []  # (method, path regex, "401" | "429" | "cut")
        self.next_id = 0


def make_handler(state: StandIn):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet
            pass

        def answer(self, status: int, body: dict | None = None) -> None:
            payload = json.dumps(body).encode() if body is not None else b""
            self.send_response(status)
            if payload:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def handle_any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            call = {"method": self.command, "path": self.path, "auth": self.headers.get("Authorization"),
                    "type": self.headers.get("Content-Type", ""), "body": raw.decode("utf-8")}
            state.calls.append(call)
            for fault in list(state.faults):
                method, pattern, kind = fault
                if method == self.command and re.fullmatch(pattern, self.path):
                    state.faults.remove(fault)
                    if kind == "cut":  # promise a body, send a piece, hang up
                        self.send_response(200)
                        self.send_header("Content-Type", "application/json")
                        self.send_header("Content-Length", "400")
                        self.end_headers()
                        self.wfile.write(b'{"id": "')
                        self.wfile.flush()
                        self.connection.close()
                        return
                    self.answer(int(kind), {"message": "fault"})
                    return
            if call["auth"] != f"Bearer {TOKEN}":
                self.answer(401, {"message": "Unauthorized"})
                return
            match = re.fullmatch(r"/v3/charts(?:/(\w+))?(/data|/publish)?", self.path)
            if not match:
                self.answer(404, {"message": "no route"})
                return
            chart_id, tail = match.groups()
            if self.command == "POST" and chart_id is None:
                body = json.loads(raw)
                assert call["type"] == "application/json"
                state.next_id += 1
                new_id = f"dw{state.next_id:03d}"
                state.charts[new_id] = body
                self.answer(201, {"id": new_id, **body})
                return
            if chart_id not in state.charts:
                self.answer(404, {"message": "Chart not found"})
                return
            if self.command == "PATCH" and tail is None:
                state.charts[chart_id] = {**state.charts[chart_id], **json.loads(raw)}
                self.answer(200, {"id": chart_id})
            elif self.command == "PUT" and tail == "/data":
                assert call["type"].startswith("text/csv")
                state.data[chart_id] = call["body"]
                self.answer(204)
            elif self.command == "POST" and tail == "/publish":
                self.answer(200, {"data": {"id": chart_id,
                                           "publicUrl": f"https://datawrapper.dwcdn.net/{chart_id}/1/"}})
            else:
                self.answer(405, {"message": "method not allowed"})

        do_GET = do_POST = do_PUT = do_PATCH = handle_any

    return Handler


@pytest.fixture
def standin(monkeypatch: pytest.MonkeyPatch) -> Iterator[StandIn]:
    state = StandIn()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("KREFELD_DATA_DATAWRAPPER_URL", f"http://127.0.0.1:{server.server_port}/v3")
    monkeypatch.setenv("DATAWRAPPER_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("KREFELD_DATA_HTTP_BASE_DELAY", "0")
    monkeypatch.setenv("KREFELD_DATA_HTTP_ATTEMPTS", "3")
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def built_story(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two charts of a story as the build exports them (test data, no images)."""
    record = tmp_path / "charts.jsonl"
    monkeypatch.setenv(RECORD_ENV, str(record))
    frame = pd.DataFrame({"region_code": ["05114", "05111", "05124"],
                          "region_name": ["Krefeld", "Düsseldorf", "Wuppertal"],
                          "value": [63.3, 41.2, 55.0], "unit": "je 1.000 Einwohner"})
    frame.attrs["provenance"] = Provenance(source="destatis", table="12531-0043", origin="test",
                                           retrieved_at="2026-11-25T09:30:00+00:00").to_dict()
    charts.show(charts.compare_cities(frame, title="Schutzsuchende je 1.000 Einwohner", value_format=",.1f"))
    charts.show(charts.compare_cities(frame.assign(value=[5.0, 7.5, 6.0]), title="Anteil in Prozent",
                                      unit="Prozent", value_format=",.1f"))
    monkeypatch.delenv(RECORD_ENV)
    records = [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]
    reports = config.reports_dir()
    export_charts(STORY, records, reports, images=False)
    return reports


def files_text(folder: Path) -> str:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in files)


def test_a_first_run_creates_each_chart_uploads_its_data_and_keeps_the_ids(standin, built_story) -> None:
    results = sync_story(STORY, built_story)
    assert [r.action for r in results] == ["created", "created"]
    assert [(c["method"], c["path"]) for c in standin.calls] == [
        ("POST", "/v3/charts"), ("PUT", "/v3/charts/dw001/data"),
        ("POST", "/v3/charts"), ("PUT", "/v3/charts/dw002/data"),
    ]
    assert all(c["auth"] == f"Bearer {TOKEN}" for c in standin.calls)
    body = standin.charts["dw001"]
    assert body["type"] == "d3-bars" and body["language"] == "de-DE"
    assert body["title"].startswith("Schutzsuchende je 1.000 Einwohner")
    describe = body["metadata"]["describe"]
    assert describe["source-name"].startswith("Statistisches Bundesamt")
    assert describe["number-format"] == "0,0.0"
    assert "Vielfaches von 5" in body["metadata"]["annotate"]["notes"]  # 12531: rounded to 5
    folder = built_story / "embed" / STORY
    csv_file = folder / f"{results[0].slug}.csv"
    assert standin.data["dw001"] == csv_file.read_text(encoding="utf-8")
    state = json.loads((built_story / STATE_FILE).read_text(encoding="utf-8"))
    assert {v["id"] for v in state["charts"].values()} == {"dw001", "dw002"}


def test_a_second_run_updates_the_same_charts_and_creates_none(standin, built_story) -> None:
    sync_story(STORY, built_story)
    standin.calls.clear()
    results = sync_story(STORY, built_story, publish=True)
    assert [r.action for r in results] == ["updated", "updated"]
    assert [c["method"] for c in standin.calls if c["path"] == "/v3/charts"] == []
    assert [(c["method"], c["path"]) for c in standin.calls][:3] == [
        ("PATCH", "/v3/charts/dw001"), ("PUT", "/v3/charts/dw001/data"), ("POST", "/v3/charts/dw001/publish")]
    assert len(standin.charts) == 2
    assert results[0].public_url == "https://datawrapper.dwcdn.net/dw001/1/"


def test_a_chart_deleted_in_datawrapper_is_made_again(standin, built_story) -> None:
    sync_story(STORY, built_story)
    del standin.charts["dw001"]
    results = sync_story(STORY, built_story)
    assert [r.action for r in results] == ["created", "updated"]
    assert results[0].chart_id == "dw003"


def test_a_429_is_retried_and_a_cut_connection_too(standin, built_story) -> None:
    standin.faults = [("POST", "/v3/charts", "429"), ("PUT", r"/v3/charts/dw001/data", "cut")]
    results = sync_story(STORY, built_story)
    assert [r.action for r in results] == ["created", "created"]
    posts = [c for c in standin.calls if (c["method"], c["path"]) == ("POST", "/v3/charts")]
    assert len(posts) == 3  # one 429, then the two charts
    puts = [c for c in standin.calls if c["path"] == "/v3/charts/dw001/data"]
    assert len(puts) == 2  # cut off once, then whole
    assert len(standin.charts) == 2  # no duplicate from the retry


def test_a_refused_token_ends_in_one_line_without_the_token(standin, built_story, capsys) -> None:
    standin.faults = [("POST", "/v3/charts", "401")]
    status = cli.main(["datawrapper", STORY])
    err = capsys.readouterr().err
    assert status == 1
    assert "HTTP 401" in err and "DATAWRAPPER_ACCESS_TOKEN" in err
    assert len(err.strip().splitlines()) == 1
    assert TOKEN not in err
    assert not (built_story / STATE_FILE).exists()  # nothing was created


def test_the_token_reaches_no_file_and_no_output(standin, built_story, capsys) -> None:
    assert cli.main(["datawrapper", STORY, "--publish"]) == 0
    out = capsys.readouterr()
    assert "created as Datawrapper chart dw001" in out.out
    assert TOKEN not in out.out + out.err
    assert TOKEN not in files_text(built_story)


def test_without_a_token_it_says_where_to_get_one(built_story, monkeypatch) -> None:
    monkeypatch.delenv("DATAWRAPPER_ACCESS_TOKEN", raising=False)
    with pytest.raises(ConfigError, match="DATAWRAPPER_ACCESS_TOKEN"):
        sync_story(STORY, built_story)


def test_a_story_not_built_yet_names_the_build_step(standin, tmp_path) -> None:
    with pytest.raises(DatawrapperError, match="krefeld-data build 02-schutzsuchende"):
        sync_story(STORY, tmp_path)


def test_the_charts_of_another_citys_pages_are_found_in_their_folder() -> None:
    from krefeld_data.publish.datawrapper import reports_for

    assert reports_for(None) == config.reports_dir()
    assert reports_for("Duisburg") == config.reports_dir() / "duisburg"
    assert reports_for("05114") == config.reports_dir()  # the default city keeps reports/
