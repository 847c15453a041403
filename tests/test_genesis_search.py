"""``krefeld-data search``: catalogue/tables by code or by title words."""

from __future__ import annotations

import pytest
from replay_server import GENESIS_PATHS, ReplayServer, Reply, genesis_status, point_env_at, recording

from krefeld_data.cli import main

TABLES = GENESIS_PATHS["regio"] + "catalogue/tables"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch):
    with ReplayServer(credentials=("u", "p")) as srv:
        point_env_at(srv, monkeypatch, credentials={"regio": ("u", "p")})
        yield srv
        assert srv.violations == []


def test_search_prints_code_and_one_line_title(server: ReplayServer, capsys) -> None:
    server.add(TABLES, Reply(body=recording("genesis_code22_catalogue_tables.json")))
    assert main(["search", "12411*"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "12411-01-01-4  Bevölkerung nach Geschlecht - Stichtag 31.12. - regionale Tiefe: Kreise und "
        "krfr. Städte",
        "12411-03-03-4  Bevölkerung nach Geschlecht, Nationalität und Altersgruppen - Stichtag 31.12. - "
        "regionale Tiefe: Kreise",
    ]
    sent = server.requests_to("catalogue/tables")[0]
    assert sent.form["selection"] == "12411*" and sent.form["searchcriterion"] == "Code"


def test_search_by_words_uses_the_titles(server: ReplayServer, capsys) -> None:
    server.add(TABLES, genesis_status(104, "Es gibt keine Objekte zum angegebenen Selektionskriterium"))
    assert main(["search", "Einbürgerung*"]) == 1
    assert server.requests_to("catalogue/tables")[0].form["searchcriterion"] == "Content"
    assert "no table in regio matches 'Einbürgerung*'" in capsys.readouterr().err


def test_search_without_credentials_is_one_clear_line(monkeypatch, capsys) -> None:
    assert main(["search", "12411*", "--db", "nrw"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "KREFELD_DATA_GENESIS_NRW_TOKEN" in err and "Traceback" not in err
