"""Local stand-ins for the platforms' APIs, shared by the connector tests.

Each channel's fake (``tests/fakes/<channel>.py``) subclasses ``FakeServer`` and implements
``handle(request) -> FakeResponse`` the way the platform behaves (paging, signing, rate limits).
The base starts a ``ThreadingHTTPServer`` on 127.0.0.1 and a free port, logs every request, and
applies injected faults before the handler sees the request:

    with FakeShopify() as shop:                      # start() / stop()
        shop.inject(429, times=1, headers={"Retry-After": "1"})
        shop.inject(500, times=2, path="/admin")     # only requests whose path starts so
        shop.inject_delay(2.0)                       # the next request answers after 2 s
        ...  shop.url, shop.requests, shop.requests_to("/orders")

Tests import it as ``from fakes import FakeServer, FakeRequest, FakeResponse`` (pytest puts
``tests/`` on ``sys.path``).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class FakeRequest:
    method: str
    path: str  # without the query string
    query: dict[str, list[str]]  # parse_qs of the query string (keep_blank_values)
    raw_query: str
    headers: dict[str, str]  # header names lower-cased
    body: bytes
    at: float = field(default_factory=time.time)

    def param(self, name: str, default: str | None = None) -> str | None:
        """The first value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else default

    def form(self) -> dict[str, str]:
        """An application/x-www-form-urlencoded body as a dict (first values)."""
        return {k: v[0] for k, v in parse_qs(self.body.decode(), keep_blank_values=True).items()}

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass
class FakeResponse:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # wait before answering (timeouts, slow pages)


def json_response(status: int, obj: Any, headers: dict[str, str] | None = None) -> FakeResponse:
    """A JSON response (Content-Type application/json)."""
    return FakeResponse(
        status, json.dumps(obj).encode(), {"Content-Type": "application/json", **(headers or {})}
    )


@dataclass
class Fault:
    status: int | None  # None: no substitute response, only a delay
    times: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    path: str | None = None  # only requests whose path starts with this
    delay_s: float = 0.0


class FakeServer:
    """Base of a fake platform API: a threaded HTTP server with a request log and fault injection.

    Subclasses implement ``handle``. ``page_delay_s`` delays every answer (slow pages, for the
    kill-and-resume tests).
    """

    def __init__(self) -> None:
        self.requests: list[FakeRequest] = []
        self.faults: list[Fault] = []
        self.page_delay_s = 0.0
        self.lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> FakeServer:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                request = FakeRequest(
                    self.command,
                    parts.path,
                    parse_qs(parts.query, keep_blank_values=True),
                    parts.query,
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                )
                response = fake._dispatch(request)
                if response.delay_s:
                    time.sleep(response.delay_s)
                try:
                    self.send_response(response.status)
                    headers = {"Content-Length": str(len(response.body)), **response.headers}
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(response.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, daemon=True, name=type(self).__name__
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # -- faults -----------------------------------------------------------------------------

    def inject(
        self,
        status: int,
        times: int = 1,
        *,
        body: Any = None,
        headers: dict[str, str] | None = None,
        path: str | None = None,
        delay_s: float = 0.0,
    ) -> None:
        """Answer the next ``times`` requests (optionally: whose path starts with ``path``) with
        ``status`` and ``body`` (a dict/list is sent as JSON; default: a generic error object)."""
        with self.lock:
            self.faults.append(Fault(status, times, body, dict(headers or {}), path, delay_s))

    def inject_delay(self, seconds: float, times: int = 1, *, path: str | None = None) -> None:
        """Delay the next ``times`` answers (then answer normally): client timeouts."""
        with self.lock:
            self.faults.append(Fault(None, times, None, {}, path, seconds))

    def _take_fault(self, request: FakeRequest) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.times > 0 and (fault.path is None or request.path.startswith(fault.path)):
                    fault.times -= 1
                    if fault.times == 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def _dispatch(self, request: FakeRequest) -> FakeResponse:
        with self.lock:
            self.requests.append(request)
        fault = self._take_fault(request)
        if fault is not None and fault.status is not None:
            body = fault.body if fault.body is not None else {"errors": f"injected {fault.status}"}
            if isinstance(body, (dict, list)):
                response = json_response(fault.status, body, fault.headers)
            else:
                response = FakeResponse(
                    fault.status, body if isinstance(body, bytes) else str(body).encode(), dict(fault.headers)
                )
            response.delay_s = fault.delay_s
            return response
        try:
            response = self.handle(request)
        except Exception as exc:  # noqa: BLE001 - a bug in a fake must show as a 500, not a hang
            response = json_response(500, {"errors": f"fake server error: {type(exc).__name__}: {exc}"})
        delay = (fault.delay_s if fault is not None else 0.0) + self.page_delay_s
        response.delay_s = max(response.delay_s, delay)
        return response

    # -- for subclasses and tests -------------------------------------------------------------

    def handle(self, request: FakeRequest) -> FakeResponse:
        raise NotImplementedError

    def requests_to(self, path_prefix: str, method: str | None = None) -> list[FakeRequest]:
        with self.lock:
            return [
                r
                for r in self.requests
                if r.path.startswith(path_prefix) and (method is None or r.method == method)
            ]

    def clear_log(self) -> None:
        with self.lock:
            self.requests.clear()


def no_sleep() -> tuple[list[float], Callable[[float], None]]:
    """A ``sleep`` that records the waits instead of waiting (for HttpClient in unit tests)."""
    waits: list[float] = []
    return waits, waits.append


__all__ = ["FakeRequest", "FakeResponse", "FakeServer", "Fault", "json_response", "no_sleep"]
