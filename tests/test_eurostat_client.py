"""Eurostat client against a local server serving the real JSON samples 12–22 and our own recordings."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import real_sample
from replay_server import EUROSTAT_PATH, ReplayServer, Reply, point_env_at, recording

from krefeld_data.errors import KrefeldDataError
from krefeld_data.fetch.eurostat import EurostatError, fetch_dataset, fetch_eurostat
from krefeld_data.fetch.http import ServiceUnavailable

DATA = EUROSTAT_PATH + "statistics/1.0/data/"
JSON = "application/json"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch):
    with ReplayServer() as srv:
        point_env_at(srv, monkeypatch)
        yield srv
        assert srv.violations == []


def _serve(server: ReplayServer, dataset: str, sample: str, status: int = 200) -> bytes:
    body = real_sample(sample).read_bytes()
    server.add(DATA + dataset, Reply(status, body, JSON), method="GET")
    return body


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.name != ".lock")


def test_real_dataset_is_stored_with_provenance(server: ReplayServer, isolated_env: Path) -> None:
    body = _serve(server, "une_rt_m", "12_")
    snapshot = fetch_dataset("une_rt_m", geo="DE", s_adj="SA", unit="PC_ACT", sinceTimePeriod="2024-01")
    sent = server.requests_to("une_rt_m")[0]
    assert sent.method == "GET"
    assert sent.query["format"] == ["JSON"] and sent.query["lang"] == ["DE"]
    assert sent.query["geo"] == ["DE"] and sent.query["sinceTimePeriod"] == ["2024-01"]
    assert "username" not in sent.headers and "password" not in sent.headers
    assert snapshot.read_bytes() == body
    assert snapshot.path.suffix == ".json"
    assert snapshot.path.is_relative_to(isolated_env / "raw" / "eurostat" / "une_rt_m")
    prov = snapshot.provenance
    assert prov.source == "eurostat" and prov.origin == "api" and prov.table == "une_rt_m"
    assert prov.url == server.url(DATA + "une_rt_m")
    assert prov.query["geo"] == "DE" and prov.query["format"] == "JSON"
    assert prov.stand == "22.09.2026"
    assert prov.metadata["title"] == "Unemployment by sex and age - monthly data"
    assert prov.licence == "CC BY 4.0"


def test_list_filters_become_repeated_parameters(server: ReplayServer) -> None:
    _serve(server, "une_rt_m", "12_")
    outcome = fetch_eurostat("une_rt_m", geo=["DE", "FR"], unit="PC_ACT")
    assert server.requests_to("une_rt_m")[0].query["geo"] == ["DE", "FR"]
    assert outcome.snapshot.provenance.query["geo"] == ["DE", "FR"]


def test_same_query_is_served_from_the_store_other_query_is_fetched(server: ReplayServer) -> None:
    de, other = real_sample("12_").read_bytes(), real_sample("34_").read_bytes()
    server.add(DATA + "une_rt_m", Reply(200, de, JSON), method="GET", match={"geo": "DE"}, repeat=True)
    server.add(DATA + "une_rt_m", Reply(200, other, JSON), method="GET", match={"geo": "FR"})
    assert fetch_eurostat("une_rt_m", geo="DE").state == "stored"
    assert fetch_eurostat("une_rt_m", geo="DE").state == "cached"
    assert len(server.seen) == 1
    assert fetch_eurostat("une_rt_m", geo="DE", refresh=True).state == "unchanged"
    assert fetch_eurostat("une_rt_m", geo="FR").state == "stored"  # a different question: asked, stored
    assert len(server.seen) == 3


def test_no_value_yet_is_stored_with_a_warning(server: ReplayServer, caplog) -> None:
    _serve(server, "une_rt_m", "13_")
    outcome = fetch_eurostat("une_rt_m", geo="DE", lastTimePeriod=1)
    assert outcome.state == "stored"
    assert "holds no values" in caplog.text


@pytest.mark.parametrize(
    ("sample", "dataset", "filters", "expected"),
    [
        ("14_", "une_rt_m", {"geo": "XX"}, "the filter geo=XX matched nothing (dimension 'geo' is empty)"),
        ("15_", "une_rt_m", {"unit": "FAKE"},
         "the filter unit=FAKE matched nothing (dimension 'unit' is empty)"),
        ("16_", "nama_10_gdp", {"geo": "DE", "sinceTimePeriod": "2030"},
         "the time filter sinceTimePeriod=2030 matched no period"),
    ],
)
def test_empty_dimension_names_the_filter(server: ReplayServer, isolated_env: Path, sample, dataset,
                                          filters, expected) -> None:
    _serve(server, dataset, sample)
    with pytest.raises(EurostatError) as info:
        fetch_dataset(dataset, **filters)
    assert expected in str(info.value)
    assert f"dataset {dataset}" in str(info.value)
    assert _files(isolated_env) == []


@pytest.mark.parametrize(
    ("sample", "status", "expected"),
    [
        ("20_", 404, "ERR_NOT_FOUND_4: DS-999999 (DATA_FLOW:ALL,1.0) is not available for dissemination."),
        ("21_", 413, "EXTRACTION_TOO_BIG"),
        ("22_", 400, "INVALID_QUERY_DIMENSION"),
    ],
)
def test_error_objects_give_the_label(
    server: ReplayServer, isolated_env: Path, sample, status, expected
) -> None:
    _serve(server, "ds-999999", sample, status)
    with pytest.raises(EurostatError) as info:
        fetch_dataset("ds-999999")
    message = str(info.value)
    assert f"Eurostat, dataset ds-999999: HTTP {status}: " in message and expected in message
    assert "\n" not in message
    assert len(server.seen) == 1  # a 4xx answer is not retried
    assert _files(isolated_env) == []


def test_html_page_is_a_clear_error(server: ReplayServer) -> None:
    server.add(DATA + "migr_asyappctza", Reply(200, recording("maintenance.html"), "text/html"), method="GET")
    with pytest.raises(EurostatError, match=r"HTML page titled 'Wartungsarbeiten'"):
        fetch_dataset("migr_asyappctza", geo="DE")


def test_503_then_success(server: ReplayServer) -> None:
    server.add(DATA + "une_rt_m", Reply(503, recording("eurostat_error_503.json"), JSON),
               Reply(200, real_sample("12_").read_bytes(), JSON), method="GET")
    assert fetch_eurostat("une_rt_m", geo="DE").state == "stored"
    assert len(server.seen) == 2


def test_cut_off_body_every_time_is_a_clear_error(server: ReplayServer, isolated_env: Path) -> None:
    body = real_sample("12_").read_bytes()
    server.add(DATA + "une_rt_m", Reply(200, body, JSON, fault="close_mid_body"), method="GET", repeat=True)
    with pytest.raises(ServiceUnavailable, match=r"Eurostat, dataset une_rt_m: .* failed 3 times"):
        fetch_dataset("une_rt_m", geo="DE")
    assert _files(isolated_env) == []


def test_a_bad_dataset_code_is_refused_before_any_request(server: ReplayServer) -> None:
    with pytest.raises(KrefeldDataError, match="not a dataset code"):
        fetch_dataset("../etc/passwd")
    assert server.seen == []
