"""A read-only Kubernetes API server on loopback that serves a recorded lab's documents.

It answers what ``kubectl get``, ``kubectl get -o json|jsonpath|wide``, the official ``kubernetes``
client and ``ekslab`` ask a real API server, from the documents of a bundle:

* discovery: ``/version``, ``/api``, ``/api/v1``, ``/apis`` and ``/apis/<group>/<version>`` (the
  legacy documents; kubectl falls back to them when the answer is not an aggregated discovery
  document);
* lists, cluster-wide and per namespace, with real paging (``limit``/``continue``, an opaque token),
  and GETs of one object by name (404 ``NotFound`` otherwise, as the API server says it);
* server-side printing: when the ``Accept`` header asks for ``as=Table;g=meta.k8s.io;v=v1`` (what
  ``kubectl get`` sends for its table output) the answer is a ``meta.k8s.io/v1`` Table with the
  columns the API server prints for pods, nodes and the rest (``-o wide`` columns at priority 1);
* the node proxy, ``/api/v1/nodes/<node>:<port>/proxy/v1/<endpoint>``, answered with the node's
  saved ipamd bodies (``ipamd/<node>/<endpoint>.json``), 503 where the bundle has none;
* bearer-token authentication: the sandbox's own token, or an EKS token (``k8s-aws-v1.``, what
  ``aws eks get-token`` makes; it is not checked against STS, which the sandbox does not have).

Anything that changes objects (POST, PUT, PATCH, DELETE) is refused with 405 MethodNotAllowed: the
sandbox has no controllers, so a created object would never become what a real cluster makes of it.
"""

from __future__ import annotations

import base64
import json
import re
import ssl
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final
from urllib.parse import parse_qs, unquote, urlparse

KUBERNETES_VERSION: Final = {"major": "1", "minor": "36", "gitVersion": "v1.36.0-eks-sandbox"}
"""The lab's default cluster version (config defaults); the sandbox reports it as EKS would."""
EKS_TOKEN_PREFIX: Final = "k8s-aws-v1."
MAX_PAGE: Final = 500


@dataclass(frozen=True)
class Resource:
    """One kind of object the server lists, in the words of API discovery."""

    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    short_names: tuple[str, ...] = ()

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version


RESOURCES: Final = (
    Resource("", "v1", "pods", "Pod", True, ("po",)),
    Resource("", "v1", "nodes", "Node", False, ("no",)),
    Resource("", "v1", "services", "Service", True, ("svc",)),
    Resource("", "v1", "namespaces", "Namespace", False, ("ns",)),
    Resource("", "v1", "configmaps", "ConfigMap", True, ("cm",)),
    Resource("apps", "v1", "daemonsets", "DaemonSet", True, ("ds",)),
    Resource("apps", "v1", "deployments", "Deployment", True, ("deploy",)),
    Resource("networking.k8s.io", "v1", "ingresses", "Ingress", True, ("ing",)),
    Resource("crd.k8s.amazonaws.com", "v1alpha1", "eniconfigs", "ENIConfig", False),
    Resource("elbv2.k8s.aws", "v1beta1", "targetgroupbindings", "TargetGroupBinding", True),
)
_BY_PATH: Final = {(resource.group_version, resource.plural): resource for resource in RESOURCES}

_PATH: Final = re.compile(
    r"^/(?:api/(?P<core>v1)|apis/(?P<group>[^/]+)/(?P<version>[^/]+))"
    r"(?:/namespaces/(?P<namespace>[^/]+))?/(?P<plural>[^/]+)(?:/(?P<name>[^/]+))?$"
)
_PROXY: Final = re.compile(r"^/api/v1/nodes/(?P<node>[^/:]+):(?P<port>\d+)/proxy/(?P<path>v1/[A-Za-z-]+)$")
_TABLE: Final = re.compile(r"as=Table", re.IGNORECASE)


@dataclass
class ClusterDocuments:
    """What the server serves: objects by plural resource name, ipamd bodies by (node, endpoint)."""

    objects: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    ipamd: dict[tuple[str, str], bytes] = field(default_factory=dict)
    """(node name, ``enis``) -> the body ipamd serves at ``/v1/enis``."""
    tokens: frozenset[str] = frozenset()
    """Bearer tokens accepted besides EKS tokens."""
    now: datetime | None = None
    """The time ages are printed from (default: the wall clock at each request)."""

    def items(self, plural: str, namespace: str | None) -> list[dict[str, Any]]:
        found = sorted(self.objects.get(plural, []), key=_key)  # the API server lists in key order
        if namespace is None:
            return found
        return [item for item in found if (item.get("metadata") or {}).get("namespace") == namespace]


def _key(item: dict[str, Any]) -> tuple[str, str]:
    metadata = item.get("metadata") or {}
    return (str(metadata.get("namespace") or ""), str(metadata.get("name") or ""))


class _Handler(BaseHTTPRequestHandler):
    documents: ClusterDocuments
    server_version = "ekslab-sandbox"

    def log_message(self, *_: Any) -> None:  # a sandbox is quiet
        return

    def do_GET(self) -> None:
        url = urlparse(self.path)
        path = unquote(url.path).rstrip("/") or "/"
        if not self._authorized():
            return self._status(401, "Unauthorized", "Unauthorized")
        if path == "/version":
            return self._json(200, {**KUBERNETES_VERSION, "platform": "linux/amd64"})
        if path == "/api":
            return self._json(
                200, {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []}
            )
        if path == "/apis":
            return self._json(200, _group_list())
        if path == "/api/v1" or (path.startswith("/apis/") and path.count("/") == 3):
            listing = _resource_list(path.removeprefix("/apis/").removeprefix("/api/"))
            if listing is None:
                return self._status(404, "NotFound", "the server could not find the requested resource")
            return self._json(200, listing)
        proxy = _PROXY.match(path)
        if proxy:
            return self._proxy(proxy["node"], proxy["path"].removeprefix("v1/"))
        match = _PATH.match(path)
        resource = None
        if match:
            group_version = match["core"] or f"{match['group']}/{match['version']}"
            resource = _BY_PATH.get((group_version, match["plural"]))
        if match is None or resource is None or (match["namespace"] and not resource.namespaced):
            return self._status(404, "NotFound", "the server could not find the requested resource")
        namespace, name = match["namespace"], match["name"]
        if name is not None:
            return self._one(resource, namespace, name)
        self._list(resource, namespace, parse_qs(url.query))

    def do_POST(self) -> None:
        self._refuse_write()

    do_PUT = do_PATCH = do_DELETE = do_POST

    def _refuse_write(self) -> None:
        self._status(405, "MethodNotAllowed", "the ekslab sandbox serves a recorded lab read-only")

    def _authorized(self) -> bool:
        header = self.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
        return token in self.documents.tokens or token.startswith(EKS_TOKEN_PREFIX)

    def _one(self, resource: Resource, namespace: str | None, name: str) -> None:
        for item in self.documents.items(resource.plural, namespace if resource.namespaced else None):
            if item["metadata"].get("name") == name:
                return self._answer(resource, [item], single=True)
        group = f".{resource.group}" if resource.group else ""
        self._status(404, "NotFound", f'{resource.plural}{group} "{name}" not found', name, resource)

    def _list(self, resource: Resource, namespace: str | None, query: dict[str, list[str]]) -> None:
        items = self.documents.items(resource.plural, namespace)
        try:
            limit = min(int(query.get("limit", ["0"])[0]) or MAX_PAGE, MAX_PAGE)
            token = query.get("continue", [""])[0]
            start = int(json.loads(base64.b64decode(token))["offset"]) if token else 0
        except (ValueError, KeyError, TypeError):
            return self._status(400, "BadRequest", "invalid limit or continue parameter")
        page = items[start : start + limit]
        end = start + len(page)
        metadata: dict[str, Any] = {"resourceVersion": "4242"}
        if end < len(items):
            metadata["continue"] = base64.b64encode(json.dumps({"offset": end}).encode()).decode()
            metadata["remainingItemCount"] = len(items) - end
        self._answer(resource, page, metadata=metadata)

    def _answer(
        self,
        resource: Resource,
        items: list[dict[str, Any]],
        *,
        single: bool = False,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        if _TABLE.search(self.headers.get("Accept", "")):
            table = to_table(resource, items, now=self.documents.now or datetime.now(UTC))
            table["metadata"] = metadata or {"resourceVersion": "4242"}
            return self._json(200, table)
        if single:
            return self._json(200, items[0])
        kind = f"{resource.kind}List"
        self._json(
            200,
            {"kind": kind, "apiVersion": resource.group_version, "metadata": metadata or {}, "items": items},
        )

    def _proxy(self, node: str, endpoint: str) -> None:
        body = self.documents.ipamd.get((node, endpoint))
        if body is None:
            body = b"error trying to reach service: dial tcp: connect: connection refused"
            return self._bytes(503, body, "text/plain")
        self._bytes(200, body, "application/json")

    def _status(
        self, code: int, reason: str, message: str, name: str = "", resource: Resource | None = None
    ) -> None:
        document: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": message,
            "reason": reason,
            "code": code,
        }
        if resource is not None:
            document["details"] = {"name": name, "group": resource.group, "kind": resource.plural}
        self._json(code, document)

    def _json(self, code: int, document: Mapping[str, Any]) -> None:
        self._bytes(code, json.dumps(document).encode(), "application/json")

    def _bytes(self, code: int, body: bytes, content_type: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _group_list() -> dict[str, Any]:
    groups: dict[str, list[str]] = {}
    for resource in RESOURCES:
        if resource.group and resource.version not in groups.setdefault(resource.group, []):
            groups[resource.group].append(resource.version)
    return {
        "kind": "APIGroupList",
        "apiVersion": "v1",
        "groups": [
            {
                "name": name,
                "versions": [{"groupVersion": f"{name}/{v}", "version": v} for v in versions],
                "preferredVersion": {"groupVersion": f"{name}/{versions[0]}", "version": versions[0]},
            }
            for name, versions in groups.items()
        ],
    }


def _resource_list(group_version: str) -> dict[str, Any] | None:
    found = [resource for resource in RESOURCES if resource.group_version == group_version]
    if not found:
        return None
    resources = [
        {
            "name": resource.plural,
            "singularName": resource.kind.lower(),
            "namespaced": resource.namespaced,
            "kind": resource.kind,
            "verbs": ["get", "list"],
            **({"shortNames": list(resource.short_names)} if resource.short_names else {}),
        }
        for resource in found
    ]
    if group_version == "v1":
        resources.append(
            {"name": "nodes/proxy", "namespaced": False, "kind": "NodeProxyOptions", "verbs": ["get"]}
        )
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version,
        "resources": resources,
    }


# --- server-side printing (meta.k8s.io/v1 Table) ---------------------------------------------------------


def to_table(resource: Resource, items: list[dict[str, Any]], *, now: datetime) -> dict[str, Any]:
    """The Table the API server prints ``items`` as (columns of priority 1 are ``-o wide`` only)."""
    columns, cells = _PRINTERS.get(resource.plural, _default_columns)(now)
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "columnDefinitions": [
            {
                "name": name,
                "type": kind,
                "format": "name" if name == "Name" else "",
                "description": "",
                "priority": p,
            }
            for name, kind, p in columns
        ],
        "rows": [
            {
                "cells": cells(item),
                "object": {
                    "kind": "PartialObjectMetadata",
                    "apiVersion": "meta.k8s.io/v1",
                    "metadata": item.get("metadata") or {},
                },
            }
            for item in items
        ],
    }


Columns = list[tuple[str, str, int]]


def _default_columns(now: datetime) -> tuple[Columns, Any]:
    return [("Name", "string", 0), ("Age", "string", 0)], lambda item: [_name(item), _age(item, now)]


def _pod_columns(now: datetime) -> tuple[Columns, Any]:
    columns = [
        ("Name", "string", 0),
        ("Ready", "string", 0),
        ("Status", "string", 0),
        ("Restarts", "string", 0),
        ("Age", "string", 0),
        ("IP", "string", 1),
        ("Node", "string", 1),
        ("Nominated Node", "string", 1),
        ("Readiness Gates", "string", 1),
    ]

    def cells(item: dict[str, Any]) -> list[Any]:
        spec, status = item.get("spec") or {}, item.get("status") or {}
        containers = spec.get("containers") or []
        statuses = status.get("containerStatuses") or []
        ready = sum(1 for entry in statuses if entry.get("ready"))
        restarts = sum(int(entry.get("restartCount") or 0) for entry in statuses)
        gates = spec.get("readinessGates") or []
        return [
            _name(item),
            f"{ready}/{len(containers)}",
            status.get("reason") or status.get("phase") or "Unknown",
            str(restarts),
            _age(item, now),
            status.get("podIP") or "<none>",
            spec.get("nodeName") or "<none>",
            status.get("nominatedNodeName") or "<none>",
            f"{len(gates)}/{len(gates)}" if gates else "<none>",
        ]

    return columns, cells


def _node_columns(now: datetime) -> tuple[Columns, Any]:
    columns = [
        ("Name", "string", 0),
        ("Status", "string", 0),
        ("Roles", "string", 0),
        ("Age", "string", 0),
        ("Version", "string", 0),
        ("Internal-IP", "string", 1),
        ("External-IP", "string", 1),
        ("OS-Image", "string", 1),
        ("Kernel-Version", "string", 1),
        ("Container-Runtime", "string", 1),
    ]

    def cells(item: dict[str, Any]) -> list[Any]:
        status = item.get("status") or {}
        info = status.get("nodeInfo") or {}
        ready = any(
            condition.get("type") == "Ready" and condition.get("status") == "True"
            for condition in status.get("conditions") or []
        )
        addresses = {entry.get("type"): entry.get("address") for entry in status.get("addresses") or []}
        labels = (item.get("metadata") or {}).get("labels") or {}
        roles = sorted(key.split("/", 1)[1] for key in labels if key.startswith("node-role.kubernetes.io/"))
        return [
            _name(item),
            "Ready" if ready else "NotReady",
            ",".join(roles) or "<none>",
            _age(item, now),
            info.get("kubeletVersion") or "",
            addresses.get("InternalIP") or "<none>",
            addresses.get("ExternalIP") or "<none>",
            info.get("osImage") or "<unknown>",
            info.get("kernelVersion") or "<unknown>",
            info.get("containerRuntimeVersion") or "<unknown>",
        ]

    return columns, cells


_PRINTERS: Final = {"pods": _pod_columns, "nodes": _node_columns}


def _name(item: dict[str, Any]) -> str:
    return str((item.get("metadata") or {}).get("name") or "")


def _age(item: dict[str, Any], now: datetime) -> str:
    """kubectl's short duration (``3d19h``, ``45m``) since the object's creationTimestamp."""
    stamp = (item.get("metadata") or {}).get("creationTimestamp")
    try:
        created = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    except ValueError:
        return "<unknown>"
    seconds = max(0, int((now - created).total_seconds()))
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if seconds < 120:
        return f"{seconds}s"
    if minutes < 10:
        return f"{minutes}m{seconds % 60}s" if seconds % 60 else f"{minutes}m"
    if hours < 3:
        return f"{minutes}m"
    if hours < 8:
        return f"{hours}h{minutes % 60}m" if minutes % 60 else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if days < 8:
        return f"{days}d{hours % 24}h" if hours % 24 else f"{days}d"
    if days < 365 * 2:
        return f"{days}d"
    return f"{days // 365}y{days % 365}d" if days % 365 else f"{days // 365}y"


# --- serving -------------------------------------------------------------------------------------------


class KubeApiServer:
    """The server on ``127.0.0.1`` (a free port unless one is given), served from a thread."""

    def __init__(
        self, documents: ClusterDocuments, port: int = 0, *, tls: ssl.SSLContext | None = None
    ) -> None:
        handler = type("SandboxHandler", (_Handler,), {"documents": documents})
        self.documents = documents
        self._server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._server.daemon_threads = True
        self.scheme = "http"
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
            self.scheme = "https"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{self.scheme}://{host}:{port}"

    def start(self) -> KubeApiServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def serving(documents: ClusterDocuments) -> Iterator[KubeApiServer]:
    """Serve ``documents`` for the length of a ``with`` block."""
    server = KubeApiServer(documents).start()
    try:
        yield server
    finally:
        server.stop()


def kubeconfig(
    server_url: str, token: str, *, authority_data: str = "", context: str = "ekslab-sandbox"
) -> dict[str, Any]:
    """A kubeconfig document whose current context is the sandbox's server with ``token``."""
    cluster: dict[str, Any] = {"server": server_url}
    if authority_data:
        cluster["certificate-authority-data"] = authority_data
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": context,
        "clusters": [{"name": context, "cluster": cluster}],
        "users": [{"name": context, "user": {"token": token}}],
        "contexts": [{"name": context, "context": {"cluster": context, "user": context}}],
        "preferences": {},
    }
