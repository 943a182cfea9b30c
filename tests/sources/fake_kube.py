"""A loopback HTTP server speaking the parts of the Kubernetes API that verification reads.

Real pagination (``limit``/``continue``, an opaque token, ``metadata.continue`` empty on the last
page), bearer-token authentication, 404 for APIs that are not installed, a GET of one node
(``/api/v1/nodes/<node>``), the node proxy (``/api/v1/nodes/<node>:<port>/proxy/<path>``), and fault
injection: throttling (HTTP 429 with
``Retry-After``) for the first N requests, and nodes whose proxy hangs. It is used through the
official ``kubernetes`` client and a kubeconfig file, exactly like a real API server.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from tests.sources.loopback import serving

TOKEN = "test-token-7f3a"

LISTS = {
    "/api/v1/pods": "pods",
    "/api/v1/nodes": "nodes",
    "/api/v1/services": "services",
    "/apis/networking.k8s.io/v1/ingresses": "ingresses",
    "/apis/crd.k8s.amazonaws.com/v1alpha1/eniconfigs": "eniconfigs",
    "/apis/elbv2.k8s.aws/v1beta1/targetgroupbindings": "targetgroupbindings",
}
_PROXY = re.compile(r"^/api/v1/nodes/(?P<node>[^/:]+):(?P<port>\d+)/proxy/(?P<path>.+)$")
_NODE = re.compile(r"^/api/v1/nodes/(?P<node>[^/:]+)$")


@dataclass
class FakeCluster:
    """What the fake API server serves; tests change it between requests as they like."""

    objects: dict[str, list[dict[str, Any]] | None] = field(
        default_factory=lambda: {
            "pods": [],
            "nodes": [],
            "services": [],
            "ingresses": [],
            "eniconfigs": None,
            "targetgroupbindings": None,
        }
    )
    daemonset: dict[str, Any] | None = None
    proxy_bodies: dict[tuple[str, str], tuple[int, bytes]] = field(default_factory=dict)
    """(node, "v1/enis") -> (status, body); a node:path not listed answers 503 like an unreachable port."""
    proxy_seconds: float = 0.0
    """How long each node proxy answer takes (a node's round trip), as the benchmark's latency."""
    proxy_redirects: dict[tuple[str, str], str] = field(default_factory=dict)
    """(node, "v1/enis") -> a Location the proxied answer redirects to (HTTP 302)."""
    proxy_seen: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)
    """Every node proxy request as received: (the request line, its headers but Host, in order)."""
    proxy_in_flight: int = 0
    proxy_most_in_flight: int = 0
    """The most node proxy requests the server was answering at once."""
    hanging_nodes: set[str] = field(default_factory=set)
    slow_header_nodes: set[str] = field(default_factory=set)
    """Nodes whose proxy answer's headers never end (one byte every 0.1 s)."""
    throttle_first: int = 0
    """Answer this many requests with 429 Too Many Requests before serving."""
    expire_continue: bool = False
    """Answer every request that carries a continue token with 410 Gone (reason Expired), as the API
    server does once the token's resource version has been compacted away (etcd compaction, ~5 min)."""
    endless_continue: bool = False
    """Answer every list page with a continue token never sent before, as a broken server might."""
    same_continue: bool = False
    """Answer every list page with the same continue token."""
    endless_remaining: int | None = None
    """The remainingItemCount sent with those endless pages (None: none sent)."""
    drip_seconds: float = 0.0
    """Send each answer's body one byte at a time, this many seconds apart (headers at once)."""
    drip_after: int = 0
    """Drip only the answers to the requests after this many (the first pages come at once)."""
    bad_page: tuple[int, bytes] | None = None
    """(n, body): answer the n-th request with HTTP 200 and this body instead of the list page."""
    requests: Counter[str] = field(default_factory=Counter)
    limits: list[int] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    cluster: FakeCluster

    def log_message(self, *_: Any) -> None:  # keep test output clean
        return

    def do_GET(self) -> None:
        cluster = self.cluster
        url = urlparse(self.path)
        cluster.requests[url.path] += 1
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._json(
                401, {"kind": "Status", "status": "Failure", "reason": "Unauthorized", "code": 401}
            )
        if cluster.throttle_first > 0:
            cluster.throttle_first -= 1
            return self._json(
                429,
                {"kind": "Status", "status": "Failure", "reason": "TooManyRequests", "code": 429},
                headers={"Retry-After": "0"},
            )
        proxy = _PROXY.match(unquote(url.path))  # like Go's net/http, route on the decoded path
        if proxy:
            with cluster.lock:
                cluster.proxy_seen.append(
                    (self.requestline, [(k, v) for k, v in self.headers.items() if k.lower() != "host"])
                )
                cluster.proxy_in_flight += 1
                cluster.proxy_most_in_flight = max(cluster.proxy_most_in_flight, cluster.proxy_in_flight)
            self._in_flight = True
            try:
                return self._proxy(proxy["node"], proxy["path"])
            finally:
                self._answering()
        one = _NODE.match(unquote(url.path))
        if one:
            found = [
                item for item in cluster.objects["nodes"] or [] if item["metadata"]["name"] == one["node"]
            ]
            if not found:
                return self._json(404, {"kind": "Status", "reason": "NotFound", "code": 404})
            return self._json(200, found[0])
        if url.path == "/apis/apps/v1/namespaces/kube-system/daemonsets/aws-node":
            if cluster.daemonset is None:
                return self._json(404, {"kind": "Status", "reason": "NotFound", "code": 404})
            return self._json(200, cluster.daemonset)
        if cluster.bad_page is not None and sum(cluster.requests.values()) == cluster.bad_page[0]:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(cluster.bad_page[1])))
            self.end_headers()
            return self._body(cluster.bad_page[1])
        name = LISTS.get(url.path)
        if name is None or cluster.objects.get(name) is None:
            return self._json(404, {"kind": "Status", "reason": "NotFound", "code": 404})
        self._list(cluster.objects[name] or [], parse_qs(url.query))

    def _list(self, items: list[dict[str, Any]], query: dict[str, list[str]]) -> None:
        limit = int(query.get("limit", ["0"])[0]) or len(items) or 1
        self.cluster.limits.append(limit)
        token = query.get("continue", [""])[0]
        if token and self.cluster.expire_continue:
            return self._json(
                410,
                {
                    "kind": "Status",
                    "status": "Failure",
                    "message": "The provided continue parameter is too old to display a consistent list result.",
                    "reason": "Expired",
                    "code": 410,
                },
            )
        if self.cluster.endless_continue or self.cluster.same_continue:
            number = sum(self.cluster.requests.values())
            metadata: dict[str, Any] = {
                "continue": "same" if self.cluster.same_continue else f"page-{number}"
            }
            if self.cluster.endless_remaining is not None:
                metadata["remainingItemCount"] = self.cluster.endless_remaining
            return self._json(
                200, {"kind": "List", "apiVersion": "v1", "metadata": metadata, "items": items[:1]}
            )
        start = int(json.loads(base64.b64decode(token))["offset"]) if token else 0
        page = items[start : start + limit]
        end = start + len(page)
        following = (
            base64.b64encode(json.dumps({"offset": end}).encode()).decode() if end < len(items) else ""
        )
        metadata = {"resourceVersion": "4242"}
        if following:
            metadata["continue"] = following
            metadata["remainingItemCount"] = len(items) - end
        self._json(200, {"kind": "List", "apiVersion": "v1", "metadata": metadata, "items": page})

    _in_flight = False

    def _answering(self) -> None:
        """This node-proxy request is no longer counted in flight (once, whichever way it ends)."""
        if self._in_flight:
            self._in_flight = False
            with self.cluster.lock:
                self.cluster.proxy_in_flight -= 1

    def _proxy(self, node: str, path: str) -> None:
        if node in self.cluster.slow_header_nodes:
            # Headers that never end, one byte at a time: no single read ever times out.
            self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            while not self.cluster.release.wait(0.1):
                try:
                    self.wfile.write(b"a")
                    self.wfile.flush()
                except OSError:
                    return
            return
        if node in self.cluster.hanging_nodes:
            self.cluster.release.wait(60)  # a node that never answers, until the test ends
            return
        if self.cluster.proxy_seconds:
            self.cluster.release.wait(self.cluster.proxy_seconds)
        # In flight until the answer starts: once the client has it whole it may send its next
        # request before this thread would get back to the count.
        self._answering()
        location = self.cluster.proxy_redirects.get((node, path))
        if location is not None:
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status, body = self.cluster.proxy_bodies.get(
            (node, path),
            (503, b"error trying to reach service: dial tcp 10.0.1.10:61679: connect: connection refused"),
        )
        self.send_response(status)
        self.send_header("Content-Type", "application/json" if status == 200 else "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self._body(body)

    def _body(self, body: bytes) -> None:
        if not self.cluster.drip_seconds or sum(self.cluster.requests.values()) <= self.cluster.drip_after:
            self.wfile.write(body)
            return
        for index in range(len(body)):
            if self.cluster.release.wait(self.cluster.drip_seconds):
                return  # the test is over
            try:
                self.wfile.write(body[index : index + 1])
                self.wfile.flush()
            except OSError:
                return  # the client gave up, as it should

    def _json(self, status: int, document: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self._body(body)


@contextmanager
def serve(cluster: FakeCluster, tmp_path: Path) -> Iterator[Path]:
    """Serve ``cluster`` on 127.0.0.1 and yield a kubeconfig file pointing at it."""
    with serving(type("Handler", (_Handler,), {"cluster": cluster})) as url:
        kubeconfig = tmp_path / "kubeconfig"
        kubeconfig.write_text(
            json.dumps(
                {
                    "apiVersion": "v1",
                    "kind": "Config",
                    "current-context": "lab",
                    "clusters": [{"name": "lab", "cluster": {"server": url}}],
                    "users": [{"name": "tester", "user": {"token": TOKEN}}],
                    "contexts": [{"name": "lab", "context": {"cluster": "lab", "user": "tester"}}],
                }
            )
        )
        try:
            yield kubeconfig
        finally:
            cluster.release.set()
