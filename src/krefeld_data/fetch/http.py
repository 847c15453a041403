"""HTTP for the statistics services: timeouts, retries with backoff, whole bodies, no secrets.

The services are slow and flaky in known ways (HTTP 500, dropped connections, GENESIS
code 6 "too many parallel requests", bodies cut off mid-transfer), so every request goes
through :func:`request_with_retries`, whose retry loop is tenacity's. It reads the whole
body before returning, so a truncated download is retried here and never reaches the raw
store.

Credentials travel only in request headers; this module never logs headers or form
bodies, and its error messages name the URL without its query string.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt
from tenacity.stop import stop_base

from krefeld_data import __version__, config
from krefeld_data.errors import ConfigError, ServiceError

log = logging.getLogger(__name__)

# (connect, read) seconds. Large GENESIS tables can take minutes before the first byte.
DEFAULT_TIMEOUT: tuple[float, float] = (15.0, 300.0)
# The offices ask for at most three parallel requests per user; we hold to it per host.
MAX_PARALLEL_PER_HOST = 3
USER_AGENT = f"krefeld-data/{__version__} (+https://github.com/; data journalism)"


class ServiceUnavailable(ServiceError):
    """The service did not answer usably, even after retrying."""


class ServiceHTTPError(ServiceError):
    """The service answered with an HTTP error status that retrying will not fix."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class _Retry(Exception):
    """Internal: this attempt failed in a way worth another try (``offline``: no name resolution)."""

    def __init__(self, reason: str, *, offline: bool = False) -> None:
        super().__init__(reason)
        self.offline = offline


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry. Tests use tiny delays."""

    attempts: int = 5
    base_delay: float = 2.0
    max_delay: float = 60.0
    jitter: float = 0.5  # up to this fraction of the delay is added at random

    def delay(self, attempt: int) -> float:
        """Pause before attempt ``attempt + 1`` (attempts count from 1): exponential plus jitter."""
        base = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return base + random.uniform(0, base * self.jitter)


DEFAULT_POLICY = RetryPolicy()
ATTEMPTS_ENV = "KREFELD_DATA_HTTP_ATTEMPTS"
BASE_DELAY_ENV = "KREFELD_DATA_HTTP_BASE_DELAY"
CONNECT_TIMEOUT_ENV = "KREFELD_DATA_HTTP_CONNECT_TIMEOUT"
READ_TIMEOUT_ENV = "KREFELD_DATA_HTTP_READ_TIMEOUT"


def _number(name: str, default: float) -> float:
    raw = config.setting(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if value < 0:
        raise ConfigError(f"{name} must not be negative, got {raw!r}")
    return value


def default_policy() -> RetryPolicy:
    """The retry policy, adjustable with ``KREFELD_DATA_HTTP_ATTEMPTS`` / ``_BASE_DELAY``."""
    return RetryPolicy(
        attempts=max(1, int(_number(ATTEMPTS_ENV, DEFAULT_POLICY.attempts))),
        base_delay=_number(BASE_DELAY_ENV, DEFAULT_POLICY.base_delay),
    )


def default_timeout() -> tuple[float, float]:
    """(connect, read) seconds, adjustable with ``KREFELD_DATA_HTTP_CONNECT_TIMEOUT`` / ``_READ_TIMEOUT``."""
    return (_number(CONNECT_TIMEOUT_ENV, DEFAULT_TIMEOUT[0]), _number(READ_TIMEOUT_ENV, DEFAULT_TIMEOUT[1]))

_host_slots: dict[str, threading.BoundedSemaphore] = {}
_host_slots_lock = threading.Lock()


def _slot(url: str) -> threading.BoundedSemaphore:
    host = urlsplit(url).netloc
    with _host_slots_lock:
        if host not in _host_slots:
            _host_slots[host] = threading.BoundedSemaphore(MAX_PARALLEL_PER_HOST)
        return _host_slots[host]


def public_url(url: str) -> str:
    """The URL as it may be shown: no user info, no query, no fragment."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def make_session() -> requests.Session:
    """A session for one thread of work (``requests.Session`` is not thread-safe)."""
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    # No automatic retries inside urllib3: we retry ourselves, with backoff and logging.
    adapter = requests.adapters.HTTPAdapter(max_retries=0, pool_maxsize=MAX_PARALLEL_PER_HOST)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _read_whole_body(response: requests.Response) -> bytes:
    """Read the body completely; a short body is a retryable failure, not data."""
    content = response.content  # raises ChunkedEncodingError / ConnectionError when cut off
    declared = response.headers.get("Content-Length")
    encoded = response.headers.get("Content-Encoding", "identity").lower() not in ("", "identity")
    if declared and declared.isdigit() and not encoded and len(content) != int(declared):
        raise _Retry(f"body cut off ({len(content)} of {declared} bytes)")
    return content


def request_with_retries(
    session: requests.Session,
    method: str,
    url: str,
    *,
    what: str,
    params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
    data: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: tuple[float, float] | None = None,
    policy: RetryPolicy | None = None,
    retry_if: Callable[[requests.Response], str | None] | None = None,
    on_retry: Callable[[int, str], None] | None = None,
) -> requests.Response:
    """Send one request, retrying what is worth retrying; the body is read in full.

    ``what`` names the request for messages (e.g. "Regionaldatenbank Deutschland, table
    12411-01-01-4"). ``retry_if`` sees each complete response and returns a reason to
    retry it (e.g. GENESIS code 6, a damaged zip) or ``None``. Responses with an HTTP
    status below 500 are returned for the caller to judge; 5xx and 429 are retried.
    The retry loop is tenacity's: at most ``policy.attempts`` tries, ``policy.delay`` between
    them, and an early stop when the host name does not resolve (almost always "offline").
    """
    shown = public_url(url)
    policy = policy or default_policy()
    timeout = timeout or default_timeout()

    def before_sleep(state: RetryCallState) -> None:
        reason = str(state.outcome.exception()) if state.outcome else ""
        log.warning("%s: %s; retrying in %.1f s (attempt %d of %d)",
                    what, reason, state.upcoming_sleep, state.attempt_number + 1, policy.attempts)
        if on_retry:
            on_retry(state.attempt_number, reason)

    retrying = Retrying(
        stop=stop_after_attempt(policy.attempts) | _StopWhenOffline(),
        wait=lambda state: policy.delay(state.attempt_number),
        retry=retry_if_exception_type(_Retry),
        before_sleep=before_sleep,
        reraise=True,
    )
    try:
        for attempt in retrying:
            with attempt:
                number = attempt.retry_state.attempt_number
                log.debug("%s %s (attempt %d of %d)", method, shown, number, policy.attempts)
                return _one_attempt(session, method, url, what=what, params=params, data=data,
                                    headers=headers, timeout=timeout, retry_if=retry_if)
    except _Retry as exc:
        if exc.offline:
            # No name resolution is almost always "no network": say so quickly instead
            # of backing off for a minute; a flaky network gets one more try.
            raise ServiceUnavailable(
                f"{what}: {shown} could not be reached: {exc}. Check the internet connection and try again"
            ) from None
        raise ServiceUnavailable(
            f"{what}: {shown} failed {policy.attempts} times, last: {exc}. "
            f"The service may be busy or down; try again later"
        ) from None
    raise AssertionError("unreachable: tenacity either returns or raises")  # pragma: no cover


def _one_attempt(
    session: requests.Session,
    method: str,
    url: str,
    *,
    what: str,
    params: Mapping[str, Any] | list[tuple[str, Any]] | None,
    data: Mapping[str, Any] | None,
    headers: Mapping[str, str] | None,
    timeout: tuple[float, float],
    retry_if: Callable[[requests.Response], str | None] | None,
) -> requests.Response:
    """One try: a usable response, :class:`_Retry` for a failure worth another try, or
    :class:`ServiceUnavailable` for one that retrying will not fix."""
    try:
        with _slot(url):
            response = session.request(
                method, url, params=params, data=data, headers=headers, timeout=timeout, stream=True
            )
            try:
                response._content = _read_whole_body(response)
            finally:
                response.close()
    except requests.exceptions.Timeout:
        raise _Retry(f"no answer within {timeout[0]:g} s (connect) / {timeout[1]:g} s (read)") from None
    except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError):
        raise _Retry("connection broken while reading the body") from None
    except requests.exceptions.ConnectionError as exc:
        reason = _connection_reason(exc)
        raise _Retry(reason, offline=reason == OFFLINE_REASON) from None
    except requests.exceptions.RequestException as exc:
        # Invalid URL and the like: retrying will not help.
        raise ServiceUnavailable(
            f"{what}: request to {public_url(url)} failed: {type(exc).__name__}"
        ) from None
    if response.status_code >= 500 or response.status_code == 429:
        raise _Retry(f"HTTP {response.status_code} {response.reason or ''}".strip())
    reason = retry_if(response) if retry_if else None
    if reason:
        raise _Retry(reason)
    return response


class _StopWhenOffline(stop_base):
    """Stop early when the host name did not resolve ``OFFLINE_ATTEMPTS`` times in a row."""

    def __call__(self, retry_state: RetryCallState) -> bool:
        outcome = retry_state.outcome
        error = outcome.exception() if outcome is not None and outcome.failed else None
        return isinstance(error, _Retry) and error.offline and retry_state.attempt_number >= OFFLINE_ATTEMPTS


OFFLINE_REASON = "the host name could not be resolved (offline?)"
OFFLINE_ATTEMPTS = 2


def _connection_reason(exc: requests.exceptions.ConnectionError) -> str:
    """A short reason without the exception's repr (which can be long, but holds no secrets)."""
    text = str(exc)
    if "timed out" in text.lower():
        return "the connection timed out"
    if "reset" in text.lower() or "aborted" in text.lower():
        return "the connection was reset"
    if "refused" in text.lower():
        return "the connection was refused"
    if "Name or service not known" in text or "getaddrinfo" in text or "resolve" in text.lower():
        return OFFLINE_REASON
    return "the connection failed"
