"""A loopback stand-in for the Kubernetes API server, EKS and EC2, serving a benchmark bundle with a
per-request latency added server-side. Run by ``run_benchmark.py`` as a child process (its own
interpreter, so its work never shares the measured client's GIL).

    python benchmarks/live/standin.py --bundle /tmp/bundle-5k --port-file /tmp/standin.port

What it answers, from the bundle written by ``benchmarks/verify/generate_bundle.py``:

* Kubernetes: ``/api/v1/pods`` and ``/api/v1/nodes`` with real paging (``limit``/``continue``, an
  opaque token, ``remainingItemCount``; ``metadata`` before ``items``, as the API server writes it),
  the aws-node DaemonSet, 404 for Ingresses and ENIConfigs (not in the bundle), and the node proxy
  ``/api/v1/nodes/<node>:<port>/proxy/v1/<endpoint>`` with the node's saved ipamd bodies.
* EKS DescribeCluster (REST JSON) and EC2 DescribeVpcs, DescribeSubnets and DescribeNetworkInterfaces
  (query protocol: XML written from botocore's own service model, ``MaxResults``/``NextToken`` paging).
* ``/__control?latency=<seconds>`` sets the latency; ``/__stats`` answers and resets the request
  counts per path (``?keep=1`` keeps them).

Every answer is rendered once at start-up (compact JSON per item, XML per ENI page size on demand),
so the server's own cost per request is a join and a write.
"""

from __future__ import annotations

import argparse
import base64
import json
import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse
from xml.sax.saxutils import escape

from ekslab.jsondoc import JsonListReader

CLUSTER = "ekslab-bench"
"""The cluster name of generate_bundle.py's bundles."""
PROXY_PREFIX = "/api/v1/nodes/"


class State:
    def __init__(self, bundle: Path, ipamd_nodes: int) -> None:
        self.latency = 0.0
        self.lock = threading.Lock()
        self.requests: Counter[str] = Counter()
        self.lists = {
            "/api/v1/pods": _compact_items(bundle / "pods.json", "items"),
            "/api/v1/nodes": _compact_items(bundle / "nodes.json", "items"),
        }
        self.daemonset = (bundle / "aws-node-daemonset.json").read_bytes()
        self.ipamd: dict[str, bytes] = {}
        for folder in sorted((bundle / "ipamd").iterdir())[:ipamd_nodes]:
            for body in folder.glob("*.json"):
                self.ipamd[f"{folder.name}/{body.stem}"] = body.read_bytes()
        vpcs = json.loads((bundle / "vpcs.json").read_text())["Vpcs"]
        self.vpc_id = vpcs[0]["VpcId"]
        self.ec2_lists = {
            "DescribeVpcs": ("vpcSet", vpcs),
            "DescribeSubnets": ("subnetSet", json.loads((bundle / "subnets.json").read_text())["Subnets"]),
            "DescribeNetworkInterfaces": (
                "networkInterfaceSet",
                list(
                    JsonListReader(
                        bundle / "network-interfaces.json",
                        "NetworkInterfaces",
                        source="enis",
                        expected="ENIs",
                    )
                ),
            ),
        }
        self.ec2 = _Ec2Xml()

    def count(self, key: str) -> None:
        with self.lock:
            self.requests[key] += 1


def _compact_items(path: Path, key: str) -> list[bytes]:
    reader = JsonListReader(path, key, source=str(path), expected="a list")
    return [json.dumps(item, separators=(",", ":")).encode() for item in reader]


class _Ec2Xml:
    """EC2 query-protocol answers written from botocore's model (the names its parser reads)."""

    def __init__(self) -> None:
        import botocore.session

        self.model = botocore.session.get_session().get_service_model("ec2")

    def answer(self, action: str, set_name: str, items: list[dict[str, Any]], token: str | None) -> bytes:
        shape = self.model.operation_model(action).output_shape
        member = shape.members[
            next(name for name, m in shape.members.items() if m.serialization.get("name") == set_name)
        ]
        parts = [
            f'<?xml version="1.0" encoding="UTF-8"?>\n<{action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">'
        ]
        parts.append("<requestId>5f1c7a2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b</requestId>")
        parts.append(self._value(set_name, member, items))
        if token:
            parts.append(f"<nextToken>{escape(token)}</nextToken>")
        parts.append(f"</{action}Response>")
        return "".join(parts).encode()

    def _value(self, name: str, shape: Any, value: Any) -> str:
        if shape.type_name == "structure":
            inner = "".join(
                self._value(member.serialization.get("name", key), member, value[key])
                for key, member in shape.members.items()
                if key in value
            )
        elif shape.type_name == "list":
            item_name = shape.member.serialization.get("name", "item")
            inner = "".join(self._value(item_name, shape.member, item) for item in value)
        elif shape.type_name == "boolean":
            inner = "true" if value else "false"
        else:
            inner = escape(str(value))
        return f"<{name}>{inner}</{name}>"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the API server and AWS endpoints do
    state: State

    def setup(self) -> None:
        super().setup()
        # As Go's net/http (the API server) does: without it, the body written after the headers waits
        # for the client's delayed ACK, 40 ms per answer that no real server adds.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *_: Any) -> None:
        return

    def do_GET(self) -> None:
        url = urlparse(self.path)
        path, query = unquote(url.path), parse_qs(url.query)
        if path == "/__control":
            self.state.latency = float(query["latency"][0])
            return self._send(200, b"{}")
        if path == "/__stats":
            with self.state.lock:
                counts = dict(self.state.requests)
                if not query.get("keep"):
                    self.state.requests.clear()
            return self._send(200, json.dumps(counts).encode())
        time.sleep(self.state.latency)
        if path.startswith(PROXY_PREFIX) and "/proxy/v1/" in path:
            self.state.count("node proxy")
            node, _, endpoint = path[len(PROXY_PREFIX) :].partition("/proxy/v1/")
            body = self.state.ipamd.get(f"{node.split(':')[0]}/{endpoint}")
            return (
                self._send(200, body) if body is not None else self._send(503, b"no such node", "text/plain")
            )
        self.state.count(path)
        if path in self.state.lists:
            return self._list(self.state.lists[path], query)
        if path == "/apis/apps/v1/namespaces/kube-system/daemonsets/aws-node":
            return self._send(200, self.state.daemonset)
        if path == f"/clusters/{CLUSTER}":
            cluster = {"cluster": {"name": CLUSTER, "resourcesVpcConfig": {"vpcId": self.state.vpc_id}}}
            return self._send(200, json.dumps(cluster).encode())
        self._send(404, json.dumps({"kind": "Status", "reason": "NotFound", "code": 404}).encode())

    def do_POST(self) -> None:
        form = parse_qs(self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode())
        action = form.get("Action", [""])[0]
        time.sleep(self.state.latency)
        self.state.count(f"ec2 {action}")
        if action not in self.state.ec2_lists:
            return self._send(
                400,
                b"<Response><Errors><Error><Code>InvalidAction</Code></Error></Errors></Response>",
                "text/xml",
            )
        set_name, items = self.state.ec2_lists[action]
        start = int(form.get("NextToken", ["0"])[0])
        size = int(form.get("MaxResults", [str(len(items) or 1)])[0])
        end = min(len(items), start + size)
        body = self.state.ec2.answer(
            action, set_name, items[start:end], str(end) if end < len(items) else None
        )
        self._send(200, body, "text/xml")

    def _list(self, items: list[bytes], query: dict[str, list[str]]) -> None:
        limit = int(query.get("limit", ["0"])[0]) or len(items)
        token = query.get("continue", [""])[0]
        start = int(json.loads(base64.b64decode(token))["offset"]) if token else 0
        end = min(len(items), start + limit)
        metadata: dict[str, Any] = {"resourceVersion": "4242"}
        if end < len(items):
            metadata["continue"] = base64.b64encode(json.dumps({"offset": end}).encode()).decode()
            metadata["remainingItemCount"] = len(items) - end
        head = json.dumps({"kind": "List", "apiVersion": "v1", "metadata": metadata})[:-1].encode()
        self._send(200, head + b',"items":[' + b",".join(items[start:end]) + b"]}")

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # a thousand nodes' fetches may connect at once


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bundle", type=Path, required=True)
    parser.add_argument("--port-file", type=Path, required=True, help="written with the port once serving")
    parser.add_argument("--ipamd-nodes", type=int, default=1000, help="nodes whose ipamd bodies are served")
    arguments = parser.parse_args()
    state = State(arguments.bundle, arguments.ipamd_nodes)
    server = _Server(("127.0.0.1", 0), type("Bound", (Handler,), {"state": state}))
    arguments.port_file.write_text(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
