"""``krefeld-data fetch``: three at a time, one line per table, the next step, and no leaked secret."""

from __future__ import annotations

import io
import logging
import time
import zipfile
from pathlib import Path

import pytest
from helpers import real_sample
from replay_server import (
    EUROSTAT_PATH,
    GENESIS_PATHS,
    NRW_DOWNLOAD_PATH,
    ReplayServer,
    Reply,
    point_env_at,
    recording,
)

from krefeld_data.catalog import SOURCE_TABLES
from krefeld_data.cli import main
from krefeld_data.fetch.runner import FetchJob, fetch_all, plan
from krefeld_data.raw.databases import get_database

REGIO = GENESIS_PATHS["regio"]
EUROSTAT_DATA = EUROSTAT_PATH + "statistics/1.0/data/"


def _zip(name: str, content: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{name}_1_de_flat.csv", content)
    return buffer.getvalue()


def _metadata(code: str) -> Reply:
    return Reply.json({"Status": {"Code": 0, "Content": "erfolgreich", "Type": "Information"},
                       "Object": {"Code": code, "Content": f"Testtabelle {code}"}})


def _serve_tables(server: ReplayServer, codes: list[str], delay: float = 0.0) -> None:
    tiny = recording("genesis_tiny_ffcsv.csv")
    for code in codes:
        body = _zip(code, tiny.replace(b"Beispielstadt", code.encode()))
        server.add(REGIO + "data/tablefile", Reply(200, body, "application/zip", delay=delay),
                   match={"name": code}, repeat=True)
        server.add(REGIO + "metadata/table", _metadata(code), match={"name": code}, repeat=True)


def test_nine_tables_three_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    codes = [f"99999-0{i}" for i in range(1, 10)]
    with ReplayServer() as server:
        point_env_at(server, monkeypatch, credentials={"regio": ("u", "p")})
        _serve_tables(server, codes, delay=1.0)
        started = time.monotonic()
        reports = fetch_all([FetchJob(c, "regio") for c in codes], show_progress=False)
        elapsed = time.monotonic() - started
    print(f"9 tables, 1 s server delay each: {elapsed:.2f} s; max concurrent requests {server.max_active}")
    assert [r.outcome.state for r in reports if r.outcome] == ["stored"] * 9
    assert server.max_active <= 3  # the services' limit
    assert server.max_active == 3  # and we do use it
    assert elapsed < 6.0  # sequential would take 9 s
    assert server.violations == []


def test_cli_prints_one_line_per_table_and_caches(monkeypatch, capsys) -> None:
    codes = ["99999-01", "99999-02"]
    with ReplayServer() as server:
        point_env_at(server, monkeypatch, credentials={"regio": ("u", "p")})
        _serve_tables(server, codes)
        assert main(["fetch", *codes, "--db", "regio"]) == 0
        first = capsys.readouterr()
        assert main(["fetch", *codes, "--db", "regio"]) == 0
        second = capsys.readouterr()
    assert first.out.splitlines() == ["99999-01 (regio): stored", "99999-02 (regio): stored"]
    assert second.out.splitlines() == ["99999-01 (regio): cached", "99999-02 (regio): cached"]
    assert "Traceback" not in first.err + second.err


def test_missing_credentials_fail_per_table_with_one_next_step(monkeypatch, capsys) -> None:
    with ReplayServer() as server:
        point_env_at(server, monkeypatch)  # no GENESIS credentials at all
        for table in SOURCE_TABLES.values():
            if table.database == "eurostat":
                server.add(EUROSTAT_DATA + table.code, Reply(200, real_sample("12_").read_bytes(),
                                                             "application/json"), method="GET")
        # The keyless NRW download: the real file 37 for its table, 404 for the others.
        server.add(NRW_DOWNLOAD_PATH + "12521-03i_00.csv",
                   Reply(200, real_sample("37_").read_bytes(), "text/csv"), method="GET", repeat=True)
        status = main(["fetch"])
        out, err = capsys.readouterr()
        assert main(["fetch", "--keep-going"]) == 0
        capsys.readouterr()
    genesis = [t for t in SOURCE_TABLES.values() if t.needs_account and not t.may_fail]
    assert status == (1 if genesis else 0)
    lines = out.splitlines()
    assert len(lines) == len(SOURCE_TABLES)
    for table in SOURCE_TABLES.values():
        line = next(x for x in lines if x.startswith(f"{table.code} ({table.database}): "))
        if table.needs_account:
            db = get_database(table.database)
            assert "failed (needs an account: " in line
            assert f"{db.env_prefix}_" in line and "not set" in line
            assert line.endswith("[optional]") == table.may_fail
        elif table.code == "12521-03i" or table.database == "eurostat":
            assert line.endswith(": stored")  # no account needed: keyless NRW, Eurostat
        else:
            assert "HTTP 404" in line and line.endswith("[optional]")  # a stand-in the server lacks
    assert "optional table(s) not fetched; the stories run without them" in err
    counts: dict[str, int] = {}
    for table in genesis:
        counts[table.database] = counts.get(table.database, 0) + 1
    best = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[0][0]
    next_steps = [x for x in err.splitlines() if x.startswith("Next step:")]
    assert len(next_steps) == 1
    assert f"KREFELD_DATA_GENESIS_{best.upper()}_TOKEN=" in next_steps[0]
    assert f"That unlocks {counts[best]} of the {len(genesis)} missing table(s)" in next_steps[0]
    assert get_database(best).registration_url in next_steps[0]
    assert "Traceback" not in err


def test_a_failed_optional_table_alone_does_not_fail_the_fetch(monkeypatch, capsys) -> None:
    with ReplayServer() as server:
        point_env_at(server, monkeypatch)
        assert main(["fetch", "--db", "nrw"]) == 0  # every NRW table is a stand-in; all 404 here
        out, err = capsys.readouterr()
    nrw = [t for t in SOURCE_TABLES.values() if t.database == "nrw"]
    assert nrw and all(t.may_fail for t in nrw)
    assert len([line for line in out.splitlines() if line.endswith("[optional]")]) == len(nrw)
    assert "Next step:" not in err
    # Named on the command line, a table is asked for and its failure counts.
    with ReplayServer() as server:
        point_env_at(server, monkeypatch)
        assert main(["fetch", "12411-15i"]) == 1
    out, err = capsys.readouterr()
    assert "12411-15i (nrw): failed (" in out and "[optional]" not in out


def test_plan_routes_codes_to_their_databases() -> None:
    jobs = {j.code: j for j in plan(["migr_asyappctza", "12531-0043", "12345-0001"], None)}
    assert jobs["migr_asyappctza"].database == "eurostat"
    assert jobs["migr_asyappctza"].params == SOURCE_TABLES["migr_asyappctza"].params
    assert jobs["12531-0043"].database == SOURCE_TABLES["12531-0043"].database
    assert jobs["12345-0001"].database == "regio"  # the design contract's default
    assert plan(["12531-0043"], "zensus")[0].database == "zensus"


# ---------------------------------------------------------------- canary

CANARY_USER = "CANARY-user-7f3a"
CANARY_PASSWORD = "CANARY-pw-91bd"
CANARY_TOKEN = "CANARY-token-55c2"
CANARIES = (CANARY_USER, CANARY_PASSWORD, CANARY_TOKEN, "CANARY")


def test_canary_credentials_appear_nowhere(monkeypatch, capsys, caplog, tmp_path: Path) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("TQDM_DISABLE", "0")
    job_flow = "/zensus-job/genesisWS/rest/2020/"
    with ReplayServer(credentials={"/regio": (CANARY_USER, CANARY_PASSWORD),
                                   "/nrw": (CANARY_USER, CANARY_PASSWORD),
                                   "/zensus-job": (CANARY_USER, CANARY_PASSWORD)}) as server:
        point_env_at(server, monkeypatch, credentials={
            "regio": (CANARY_USER, CANARY_PASSWORD),
            "zensus": (CANARY_USER, CANARY_PASSWORD),
            "destatis": (CANARY_TOKEN, ""),
            "nrw": (CANARY_USER, CANARY_PASSWORD + "-wrong"),
        })
        monkeypatch.setenv("KREFELD_DATA_GENESIS_ZENSUS_URL", server.url(job_flow))
        server.add_cassette(real_sample("01_"), "/regio")
        server.add_cassette(real_sample("05_"), "/zensus-job", max_polls=3)  # user + password: job runs
        for _ in range(2):  # token: cannot start the job (asked twice below)
            server.add_cassette(real_sample("05_"), "/destatis", max_polls=3)
        server.add(GENESIS_PATHS["nrw"] + "data/tablefile", Reply(200, b"", "application/zip"))
        server.add(EUROSTAT_DATA + "migr_asyappctza",
                   Reply(200, real_sample("12_").read_bytes(), "application/json"), method="GET")
        codes = {
            "regio": ["12411-01-01-4"], "zensus": ["12531-0043"], "destatis": ["12531-0043"],
            "nrw": ["12411-01-01-4"], "eurostat": ["migr_asyappctza"],
        }
        statuses = {db: main(["fetch", *c, "--db", db]) for db, c in codes.items()}
        errors: list[str] = []
        from krefeld_data.fetch.genesis import GenesisClient

        for db in ("nrw", "destatis"):
            try:
                GenesisClient(db).tablefile("12531-0043" if db == "destatis" else "12411-01-01-4")
            except Exception as exc:
                errors.extend([str(exc), repr(exc), repr(GenesisClient(db))])
        sent_headers = [s.headers.get("username", "") + s.headers.get("password", "") for s in server.seen]
    out, err = capsys.readouterr()

    # The canaries really were used, and the runs did what we expect...
    assert any(CANARY_PASSWORD in h for h in sent_headers) and any(CANARY_TOKEN in h for h in sent_headers)
    assert statuses == {"regio": 0, "zensus": 0, "destatis": 1, "nrw": 1, "eurostat": 0}
    assert "12531-0043 (zensus): stored" in out and "12411-01-01-4 (nrw): failed (" in out
    assert server.violations == []
    # ...and no canary reached a file, a log record, the output or an exception text.
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.suffix == ".zip" for p in files)
    for path in files:
        content = path.read_bytes()
        for canary in CANARIES:
            assert canary.encode() not in content, f"{canary} found in {path}"
    records = "\n".join(f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records)
    assert records  # something was logged at DEBUG
    for text in (records, out, err, *errors):
        for canary in CANARIES:
            assert canary not in text
