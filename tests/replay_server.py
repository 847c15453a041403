"""A real HTTP server on 127.0.0.1 that replays recorded exchanges and judges what it is sent.

It checks each request the way the services do:
- GENESIS (paths containing ``/rest/2020/``): POST only, a form-encoded body, the
  ``username``/``password`` headers present (and equal to the expected credentials when
  given), and no credential in the body or the URL;
- Eurostat (paths containing ``/statistics/1.0/``): GET only, ``format=JSON``, and no
  credential headers at all (a GENESIS password must never travel to Eurostat);
- the Landesdatenbank NRW's keyless download (paths containing ``/downloader/``): GET only,
  no query, no body, no credential headers.
Anything else is recorded in :attr:`ReplayServer.violations` and answered with an error.

Replies can misbehave on purpose: a delay before the headers (timeouts, concurrency), a
body cut off with a connection reset or a plain close.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import socket
import struct
import threading
import time
import zipfile
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml

WRONG_CREDENTIALS_TEXT = (
    "Ein Fehler ist aufgetreten. (Bitte prüfen und korrigieren Sie Ihren Nutzernamen bzw. das Passwort.)"
)
# Fields that pick a recorded exchange; the rest of the form may differ between clients.
MATCH_FIELDS = ("name", "job", "language", "selection")


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json;charset=UTF-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the status line
    fault: str | None = None  # "reset_mid_body" | "close_mid_body"

    @classmethod
    def json(cls, obj: Any, **kwargs: Any) -> Reply:
        return cls(body=json.dumps(obj, ensure_ascii=False).encode("utf-8"), **kwargs)

    @classmethod
    def file(cls, path: Path, content_type: str, **kwargs: Any) -> Reply:
        return cls(body=path.read_bytes(), content_type=content_type, **kwargs)


def genesis_status(code: int, content: str, type_: str = "Information", **extra: Any) -> Reply:
    """A GENESIS status answer in the service's shape (credentials masked as it does)."""
    obj = {
        "Ident": {"Service": "data", "Method": "tablefile"},
        "Status": {"Code": code, "Content": content, "Type": type_},
        "Parameter": {"username": "*" * 20, "password": "*" * 20},
        "Object": None,
        "Copyright": "© Statistisches Bundesamt (Destatis), 2026",
        **extra,
    }
    return Reply.json(obj)


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    form: dict[str, str]
    raw_body: bytes


@dataclass
class Route:
    method: str
    path: str  # exact path, e.g. /regio/genesisws/rest/2020/data/tablefile
    match: dict[str, str]
    replies: list[Reply]
    repeat_last: bool = False
    served: int = 0

    def accepts(self, method: str, path: str, fields: dict[str, str]) -> bool:
        if method != self.method or path != self.path:
            return False
        if not self.repeat_last and self.served >= len(self.replies):
            return False
        return all(fields.get(k) == v for k, v in self.match.items())

    def next_reply(self) -> Reply:
        reply = self.replies[min(self.served, len(self.replies) - 1)]
        self.served += 1
        return reply


@functools.lru_cache(maxsize=8)
def _load_cassette(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


class ReplayServer:
    """Start with ``with ReplayServer() as server:``; ``server.url('/regio/...')`` gives a base URL."""

    def __init__(self, *, credentials: tuple[str, str] | dict[str, tuple[str, str]] | None = None) -> None:
        self.credentials = credentials
        self.routes: list[Route] = []
        self.seen: list[Seen] = []
        self.violations: list[str] = []
        self.active = 0
        self.max_active = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -------------------------------------------------------------- setup

    def add(self, path: str, *replies: Reply, method: str = "POST", match: dict[str, str] | None = None,
            repeat: bool = False) -> Route:
        route = Route(method, path, dict(match or {}), list(replies), repeat)
        self.routes.append(route)
        return route

    def add_cassette(self, cassette: Path, prefix: str, *, max_polls: int | None = None) -> int:
        """Replay a VCR cassette's GENESIS exchanges under ``prefix`` (e.g. ``/destatis``).

        Exchanges are served in recorded order per (path, matching fields). ``max_polls``
        keeps only that many of a run of identical "not ready yet" answers.
        """
        data = _load_cassette(cassette)
        grouped: dict[tuple[str, tuple[tuple[str, str], ...]], list[Reply]] = {}
        for item in data["interactions"]:
            request, response = item["request"], item["response"]
            uri = urlsplit(request["uri"])
            path = prefix + uri.path
            body = request.get("body") or ""
            form = {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
            form.update({k: v[0] for k, v in parse_qs(uri.query, keep_blank_values=True).items()})
            if not path.endswith("data/tablefile"):
                form.pop("job", None)  # other services ignore it; pystatis just sends it everywhere
            key = (path, tuple((k, form[k]) for k in MATCH_FIELDS if k in form))
            raw = response["body"].get("string", b"")
            payload = raw if isinstance(raw, bytes) else raw.encode("utf-8")
            ctype = (response["headers"].get("Content-Type") or ["application/octet-stream"])[0]
            grouped.setdefault(key, []).append(Reply(response["status"]["code"], payload, ctype))
        count = 0
        for (path, match), replies in grouped.items():
            if max_polls is not None and "catalogue/results" in path:
                not_ready = [r for r in replies if b'"Code":104' in r.body]
                ready = [r for r in replies if b'"Code":104' not in r.body]
                replies = not_ready[:max_polls] + ready
            count += len(replies)
            self.add(path, *replies, match=dict(match))
        return count

    # -------------------------------------------------------------- lifecycle

    def __enter__(self) -> ReplayServer:
        handler = _make_handler(self)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.server_address[1]

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def requests_to(self, suffix: str) -> list[Seen]:
        return [s for s in self.seen if s.path.endswith(suffix)]

    # -------------------------------------------------------------- judging a request

    def _judge(self, seen: Seen) -> Reply | None:
        """An error reply when the request breaks the service's rules, else None."""
        if "/rest/2020/" in seen.path:
            problems = []
            if seen.method != "POST":
                problems.append(f"GENESIS needs POST, got {seen.method}")
            if not seen.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
                problems.append("GENESIS needs a form-encoded body")
            if "username" not in seen.headers or "password" not in seen.headers:
                problems.append("credentials missing from the username/password headers")
            if {"username", "password"} & (set(seen.form) | set(seen.query)):
                problems.append("a credential in the body or URL")
            if seen.query:
                problems.append(f"GENESIS got a query string: {sorted(seen.query)}")
            if problems:
                self.violations.extend(f"{seen.path}: {p}" for p in problems)
                return genesis_status(-1, "; ".join(problems), "Fehler")
            expected = self.credentials
            if isinstance(expected, dict):  # per database prefix, e.g. {"/regio": (user, password)}
                expected = expected.get("/" + seen.path.split("/")[1])
            if expected and (seen.headers["username"], seen.headers["password"]) != tuple(expected):
                return genesis_status(-1, WRONG_CREDENTIALS_TEXT, "Fehler")
        elif "/downloader/" in seen.path:
            # The Landesdatenbank NRW's keyless download: a plain GET that carries no credential.
            problems = []
            if seen.method != "GET":
                problems.append(f"the keyless download needs GET, got {seen.method}")
            if {"username", "password", "authorization"} & set(seen.headers):
                problems.append("credential headers sent to the keyless download")
            if seen.query or seen.raw_body:
                problems.append("the keyless download got a query string or a body")
            if problems:
                self.violations.extend(f"{seen.path}: {p}" for p in problems)
                page = b"<html><head><title>400 Bad Request</title></head><body>bad request</body></html>"
                return Reply(400, page, "text/html")
        elif "/statistics/1.0/" in seen.path:
            problems = []
            if seen.method != "GET":
                problems.append(f"Eurostat needs GET, got {seen.method}")
            if {"username", "password"} & set(seen.headers):
                problems.append("GENESIS credential headers sent to Eurostat")
            if seen.query.get("format") != ["JSON"]:
                problems.append("format=JSON missing")
            if problems:
                self.violations.extend(f"{seen.path}: {p}" for p in problems)
                return Reply.json({"error": [{"status": 400, "id": 0, "label": "; ".join(problems)}]},
                                  status=400)
        return None

    def _route(self, seen: Seen) -> Reply:
        fields = {**{k: v[0] for k, v in seen.query.items()}, **seen.form}
        with self._lock:
            for route in self.routes:
                if route.accepts(seen.method, seen.path, fields):
                    return route.next_reply()
        self.violations.append(f"no recorded exchange for {seen.method} {seen.path} {sorted(fields.items())}")
        page = b"<html><head><title>404 Not Found</title></head><body>no such exchange</body></html>"
        return Reply(404, page, "text/html")


def _make_handler(server: ReplayServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

        def _handle(self) -> None:
            with server._lock:
                server.active += 1
                server.max_active = max(server.max_active, server.active)
            try:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                form = {}
                if self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
                    form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8"), keep_blank_values=True).items()}
                seen = Seen(self.command, parts.path, parse_qs(parts.query, keep_blank_values=True),
                            {k.lower(): v for k, v in self.headers.items()}, form, raw)
                with server._lock:
                    server.seen.append(seen)
                reply = server._judge(seen) or server._route(seen)
                if reply.delay:
                    time.sleep(reply.delay)
                self._send(reply)
            finally:
                with server._lock:
                    server.active -= 1

        def _send(self, reply: Reply) -> None:
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if reply.fault in ("reset_mid_body", "close_mid_body"):
                    self.wfile.write(reply.body[: len(reply.body) // 2])
                    self.wfile.flush()
                    if reply.fault == "reset_mid_body":
                        # SO_LINGER with timeout 0: close() sends RST, a "connection reset by peer".
                        linger = struct.pack("ii", 1, 0)
                        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
                    self.close_connection = True
                    return
                self.wfile.write(reply.body)
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up (e.g. its read timeout)

        do_GET = _handle
        do_POST = _handle

    return Handler


RECORDINGS = Path(__file__).resolve().parent / "recordings"
# Where each database lives on the replay server (the real services' paths under a prefix).
GENESIS_PATHS = {
    "destatis": "/destatis/genesisWS/rest/2020/",
    "regio": "/regio/genesisws/rest/2020/",
    "nrw": "/nrw/ldbnrwws/rest/2020/",
    "zensus": "/zensus/api/rest/2020/",
}
EUROSTAT_PATH = "/eurostat/api/dissemination/"
# The Landesdatenbank NRW's keyless download, as on the real site: <path><code>_00.csv
NRW_DOWNLOAD_PATH = "/nrw/ldbnrwws/downloader/00/tables/"


def recording(name: str) -> bytes:
    """One of our own recordings (tests/recordings, see its README)."""
    return (RECORDINGS / name).read_bytes()


def point_env_at(
    server: ReplayServer,
    monkeypatch: Any,
    *,
    credentials: dict[str, tuple[str, str]] | None = None,
    fast: bool = True,
) -> None:
    """Base URLs of all databases to ``server``; credentials per database (user, password or token, "")."""
    for db, path in GENESIS_PATHS.items():
        monkeypatch.setenv(f"KREFELD_DATA_GENESIS_{db.upper()}_URL", server.url(path))
    monkeypatch.setenv("KREFELD_DATA_EUROSTAT_URL", server.url(EUROSTAT_PATH))
    monkeypatch.setenv("KREFELD_DATA_GENESIS_NRW_DOWNLOAD_URL", server.url(NRW_DOWNLOAD_PATH))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    for db, (user, password) in (credentials or {}).items():
        prefix = f"KREFELD_DATA_GENESIS_{db.upper()}"
        if password:
            monkeypatch.setenv(f"{prefix}_USER", user)
            monkeypatch.setenv(f"{prefix}_PASSWORD", password)
        else:
            monkeypatch.setenv(f"{prefix}_TOKEN", user)
    if fast:
        monkeypatch.setenv("KREFELD_DATA_GENESIS_POLL_SECONDS", "0")
        monkeypatch.setenv("KREFELD_DATA_HTTP_BASE_DELAY", "0.01")
        monkeypatch.setenv("KREFELD_DATA_HTTP_ATTEMPTS", "3")
        monkeypatch.setenv("KREFELD_DATA_HTTP_READ_TIMEOUT", "5")
        monkeypatch.setenv("KREFELD_DATA_HTTP_CONNECT_TIMEOUT", "2")


def metadata_answer(code: str, title: str = "Bevölkerung nach Geschlecht") -> dict[str, Any]:
    """A `metadata/table` answer in the service's shape (values made up for tests)."""
    return {
        "Ident": {"Service": "metadata", "Method": "table"},
        "Status": {"Code": 0, "Content": "erfolgreich", "Type": "Information"},
        "Object": {"Code": code, "Content": title, "Updated": "31.03.2025 11:18:07h"},
    }


def zipped_flat_file(content: bytes, code: str) -> bytes:
    """A flat file zipped the way `data/tablefile` sends it (one member named after the table)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{code}_1_de_flat.csv", content)
    return buffer.getvalue()


@contextlib.contextmanager
def genesis_replay(monkeypatch: Any, user: str, password: str):
    """A replay server that expects these credentials for every GENESIS database.

    The client is pointed at it, and on leaving no request may have broken the service's rules.
    """
    with ReplayServer(credentials=(user, password)) as srv:
        point_env_at(srv, monkeypatch, credentials={db: (user, password) for db in GENESIS_PATHS})
        yield srv
        assert srv.violations == []
