"""request_with_retries against a real local server: retries, timeouts, cut-off bodies."""

from __future__ import annotations

import logging
import socket

import pytest
from replay_server import ReplayServer, Reply

from krefeld_data.errors import KrefeldDataError
from krefeld_data.fetch.http import (
    RetryPolicy,
    ServiceUnavailable,
    make_session,
    public_url,
    request_with_retries,
)

FAST = RetryPolicy(attempts=3, base_delay=0.01, jitter=0.5)
BODY = b"statistics_code;value\n" + b"12411;1\n" * 5000


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    with ReplayServer() as srv:
        yield srv


def _get(server: ReplayServer, path: str = "/x", **kwargs):
    kwargs.setdefault("policy", FAST)
    kwargs.setdefault("timeout", (2.0, 2.0))
    return request_with_retries(make_session(), "GET", server.url(path), what="test service", **kwargs)


def test_http_500_then_success_returns_the_good_body(server: ReplayServer) -> None:
    server.add("/x", Reply(500, b"oops", "text/plain"), Reply(200, BODY, "text/csv"), method="GET")
    response = _get(server)
    assert response.status_code == 200
    assert response.content == BODY
    assert len(server.requests_to("/x")) == 2


def test_persistent_500_becomes_a_clear_service_error(server: ReplayServer) -> None:
    server.add("/x", Reply(503, b"busy", "text/plain"), method="GET", repeat=True)
    with pytest.raises(ServiceUnavailable) as info:
        _get(server, "/x?secret=1")
    message = str(info.value)
    assert isinstance(info.value, KrefeldDataError)
    assert "test service" in message and "HTTP 503" in message and "3 times" in message
    assert "secret" not in message  # the query string is never shown
    assert len(server.requests_to("/x")) == 3


def test_read_timeout_is_retried(server: ReplayServer) -> None:
    server.add("/x", Reply(200, BODY, "text/csv", delay=0.6), Reply(200, BODY, "text/csv"), method="GET")
    response = _get(server, timeout=(1.0, 0.2))
    assert response.content == BODY
    assert len(server.requests_to("/x")) == 2


@pytest.mark.parametrize("fault", ["reset_mid_body", "close_mid_body"])
def test_body_cut_off_mid_transfer_is_retried(server: ReplayServer, fault: str) -> None:
    server.add("/x", Reply(200, BODY, "text/csv", fault=fault), Reply(200, BODY, "text/csv"), method="GET")
    response = _get(server)
    assert response.content == BODY  # the whole body, not the half of the first attempt
    assert len(server.requests_to("/x")) == 2


def test_body_cut_off_every_time_fails_clearly(server: ReplayServer) -> None:
    server.add("/x", Reply(200, BODY, "text/csv", fault="reset_mid_body"), method="GET", repeat=True)
    with pytest.raises(ServiceUnavailable, match=r"test service: .* failed 3 times"):
        _get(server)


def test_connection_refused_fails_after_the_attempts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again before the request: nobody listens
    with pytest.raises(ServiceUnavailable, match=r"refused|failed"):
        request_with_retries(make_session(), "GET", f"http://127.0.0.1:{port}/x", what="nobody",
                             policy=FAST, timeout=(1.0, 1.0))


def test_retry_hook_can_ask_for_another_try(server: ReplayServer) -> None:
    server.add("/x", Reply(200, b"busy"), Reply(200, b"fine"), method="GET")
    response = _get(server, retry_if=lambda r: "said busy" if r.content == b"busy" else None)
    assert response.content == b"fine"


def test_4xx_is_returned_for_the_caller_to_judge(server: ReplayServer) -> None:
    server.add("/x", Reply(404, b'{"error":[]}'), method="GET")
    assert _get(server).status_code == 404
    assert len(server.requests_to("/x")) == 1  # not retried


def test_backoff_grows_exponentially_with_bounded_jitter() -> None:
    policy = RetryPolicy(attempts=5, base_delay=1.0, max_delay=5.0, jitter=0.5)
    for attempt, base in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 5.0)]:
        delays = [policy.delay(attempt) for _ in range(50)]
        assert all(base <= d <= base * 1.5 for d in delays)
        assert len(set(delays)) > 1  # jitter: retries from several clients do not line up


def test_logs_name_neither_headers_nor_form_values(server: ReplayServer, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    server.add("/x", Reply(500, b""), Reply(200, b"ok"))
    request_with_retries(make_session(), "POST", server.url("/x"), what="svc", policy=FAST,
                         data={"name": "T", "field": "FORM-VALUE-7"}, headers={"password": "HEADER-VALUE-9"})
    text = caplog.text
    assert "retrying" in text
    assert "FORM-VALUE-7" not in text and "HEADER-VALUE-9" not in text


def test_public_url_drops_userinfo_and_query() -> None:
    assert public_url("https://u:p@example.org:8443/a/b?token=x#f") == "https://example.org:8443/a/b"


def test_each_retry_is_reported_with_its_attempt_and_reason(server: ReplayServer) -> None:
    server.add("/x", Reply(500, b"", "text/plain"), Reply(429, b"", "text/plain"),
               Reply(200, BODY, "text/csv"), method="GET")
    seen: list[tuple[int, str]] = []
    response = _get(server, on_retry=lambda attempt, reason: seen.append((attempt, reason)))
    assert response.content == BODY
    assert [attempt for attempt, _ in seen] == [1, 2]
    assert seen[0][1].startswith("HTTP 500") and seen[1][1].startswith("HTTP 429")


def test_a_host_name_that_does_not_resolve_fails_fast_as_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "*")
    seen: list[int] = []
    policy = RetryPolicy(attempts=5, base_delay=0.01)
    with pytest.raises(ServiceUnavailable, match=r"could not be reached: .*offline.*internet connection"):
        request_with_retries(make_session(), "GET", "http://no-such-host.invalid/x", what="nowhere",
                             policy=policy, timeout=(2.0, 2.0), on_retry=lambda a, r: seen.append(a))
    assert seen == [1]  # two attempts, not five: no name resolution means no network
