"""A loopback proxy in front of the moto server that throttles or hangs, for AWS fault tests.

boto3 talks to it through ``AWS_ENDPOINT_URL`` like to any endpoint. The first ``throttle_first``
requests get EC2's own throttling answer (HTTP 503, ``RequestLimitExceeded``, the query-protocol
error document); with ``hang`` every request is held without an answer until the test ends. Anything
else is forwarded to moto unchanged.
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import urlparse

from tests.sources.loopback import serving

THROTTLED = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>RequestLimitExceeded</Code>'
    b"<Message>Request limit exceeded.</Message></Error></Errors>"
    b"<RequestID>5f1c7a2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b</RequestID></Response>"
)


@dataclass
class ProxyState:
    upstream: str
    throttle_first: int = 0
    hang: bool = False
    requests: int = 0
    release: threading.Event = field(default_factory=threading.Event)


class _Handler(BaseHTTPRequestHandler):
    state: ProxyState

    def log_message(self, *_: Any) -> None:
        return

    def do_POST(self) -> None:
        self._handle()

    def do_GET(self) -> None:
        self._handle()

    def _handle(self) -> None:
        state = self.state
        state.requests += 1
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if state.hang:
            state.release.wait(60)
            return
        if state.throttle_first > 0:
            state.throttle_first -= 1
            self.send_response(503)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(THROTTLED)))
            self.end_headers()
            self.wfile.write(THROTTLED)
            return
        upstream = urlparse(state.upstream)
        connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=30)
        headers = {key: value for key, value in self.headers.items() if key.lower() != "host"}
        connection.request(self.command, self.path, body=body, headers=headers)
        answer = connection.getresponse()
        payload = answer.read()
        self.send_response(answer.status)
        for key, value in answer.getheaders():
            if key.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
        connection.close()


@contextmanager
def proxy(state: ProxyState) -> Iterator[str]:
    """Run the proxy on 127.0.0.1 and yield its URL."""
    with serving(type("Handler", (_Handler,), {"state": state})) as url:
        try:
            yield url
        finally:
            state.release.set()
