"""A local HTTP server in a thread, for tests of the SDKs that talk to gateways (SMS, WeChat): the
SDK is pointed at it, it checks each request as the real service would and answers what the test
queued. No network beyond the loopback interface."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Seen:
    """One request the fake service received."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")


#: Answers a request: (status, headers, body); a dict body is sent as JSON.
Responder = Callable[[Seen], tuple[int, dict[str, str], Any]]


@dataclass
class FakeService:
    """The running fake: its base URL, the requests it received, and what it answers."""

    url: str
    respond: Responder
    seen: list[Seen] = field(default_factory=list)

    @property
    def host(self) -> str:
        return self.url.removeprefix("http://")


@contextmanager
def fake_service(respond: Responder) -> Iterator[FakeService]:
    """Serve ``respond`` on 127.0.0.1 (a free port) for the duration of the block."""
    service = FakeService(url="", respond=respond)

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            seen = Seen(
                method=self.command,
                path=parts.path,
                query=dict(parse_qsl(parts.query, keep_blank_values=True)),
                headers={name.lower(): value for name, value in self.headers.items()},
                body=self.rfile.read(length) if length else b"",
            )
            service.seen.append(seen)
            status, headers, body = service.respond(seen)
            if isinstance(body, dict | list):
                body = json.dumps(body, ensure_ascii=False).encode()
                headers = {"Content-Type": "application/json;charset=utf-8", **headers}
            elif isinstance(body, str):
                body = body.encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _handle

        def log_message(self, format: str, *args: Any) -> None:
            return  # keep the test output clean

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    service.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="fake-service", daemon=True)
    thread.start()
    try:
        yield service
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
