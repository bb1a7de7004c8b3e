"""A real HTTP receiver on 127.0.0.1 (http.server in a thread) that records every request and
answers as told: the statuses queued in `answers` (200 when none is left), a slow answer, a big
one, a redirect to another host. The tests allow private addresses (TOWER_WEBHOOK_ALLOW_PRIVATE)
for it, as a CMO would for a receiver inside its network."""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    port: int = 0
    requests: list[Received] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):  # noqa: N802 (http.server's name)
        receiver: Receiver = self.server.receiver
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        receiver.requests.append(Received(self.path, dict(self.headers.items()), body))
        if self.path == "/slow":
            time.sleep(2)
            return self._answer(200, b"late")
        if self.path == "/big":
            return self._answer(200, b"x" * 1_000_000)
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "http://other.example/steal")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        status = receiver.answers.pop(0) if receiver.answers else 200
        return self._answer(status, b'{"received": true, "note": "<b>from the receiver</b>"}')

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        # The tower may stop reading (a capped or timed-out answer): as intended.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """Quiet about a connection the tower closed (a timed-out or capped answer)."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture
def receiver(settings):
    settings.TOWER_WEBHOOK_ALLOW_PRIVATE = True
    server = Server(("127.0.0.1", 0), Handler)
    server.receiver = Receiver(port=server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.receiver
    server.shutdown()
    server.server_close()
