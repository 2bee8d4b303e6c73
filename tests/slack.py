"""A real HTTP server on loopback standing in for Slack's incoming webhooks, for the tests that post to Slack: the
`slack` fixture gives its URL and what it received, and answers each POST with the next of `answers` (then 200
"ok"). A pytest plugin of the whole suite (tests/conftest.py)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class SlackServer:
    """`posts` holds every body received (parsed JSON), `accepted` those answered 200. `answers` are the
    (status, body) of the next requests, in order; `delay` seconds are waited before each answer."""

    url: str = ""
    posts: list[dict[str, Any]] = field(default_factory=list)
    accepted: list[dict[str, Any]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    answers: list[tuple[int, str]] = field(default_factory=list)
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, path: str, body: bytes) -> tuple[int, str]:
        with self.lock:
            post = json.loads(body)
            self.posts.append(post)
            self.paths.append(path)
            status, text = self.answers.pop(0) if self.answers else (200, "ok")
            if status == 200:
                self.accepted.append(post)
            return status, text


def _handler(server: SlackServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if server.delay:
                threading.Event().wait(server.delay)
            status, text = server.answer(self.path, body)
            payload = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

    return Handler


@pytest.fixture
def slack() -> Iterator[SlackServer]:
    """An HTTP server on 127.0.0.1 taking webhook posts at any path; `slack.url` is one such webhook."""
    server = SlackServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(server))
    server.url = f"http://127.0.0.1:{httpd.server_address[1]}/services/T000/B000/test"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
