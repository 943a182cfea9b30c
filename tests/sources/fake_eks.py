"""A loopback EKS endpoint for the calls moto does not implement (DescribeAddonVersions,
DescribeClusterVersions), speaking botocore's own EKS model.

Routes come from the model's ``requestUri``; every answer is validated against the operation's
output shape with botocore's validator before it is sent, so a fake answer cannot drift from what
the real API returns. ``ListClusters`` is served too: one EKS endpoint override covers every call.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.sources.loopback import serving

ADDON_VERSIONS_PAGE = 1
"""Versions per DescribeAddonVersions page, small so that paging is exercised."""


def _model() -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model("eks")


def _route(operation: str) -> str:
    return _model().operation_model(operation).http["requestUri"].split("?")[0]


def _validate(operation: str, body: dict[str, Any]) -> None:
    from botocore.validate import ParamValidator

    shape = _model().operation_model(operation).output_shape
    report = ParamValidator().validate(body, shape)
    if report.has_errors():
        raise AssertionError(
            f"fake {operation} answer does not match botocore's model: {report.generate_report()}"
        )


def addon_entry(version: str, *, cluster_versions: dict[str, bool]) -> dict[str, Any]:
    """One ``addonVersions`` item: compatible with each cluster version, ``True`` where it is the default."""
    return {
        "addonVersion": version,
        "architecture": ["amd64", "arm64"],
        "computeTypes": ["ec2"],
        "compatibilities": [
            {"clusterVersion": cluster, "platformVersions": ["*"], "defaultVersion": default}
            for cluster, default in cluster_versions.items()
        ],
        "requiresConfiguration": False,
    }


def _epoch(value: Any) -> float:
    # rest-json timestamps travel as epoch seconds; botocore parses them back into datetimes.
    return value.timestamp()


@dataclass
class FakeEks:
    addons: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """add-on name -> ``addonVersions`` items (newest first, as EKS lists them)."""
    cluster_versions: list[dict[str, Any]] = field(default_factory=list)
    clusters: list[str] = field(default_factory=list)
    fail_with: tuple[int, str] | None = None
    """(HTTP status, error code) every DescribeAddonVersions call answers with."""
    requests: list[str] = field(default_factory=list)


@contextmanager
def fake_eks(state: FakeEks) -> Iterator[str]:
    """Serve ``state`` on 127.0.0.1 and yield the endpoint URL (for ``AWS_ENDPOINT_URL_EKS``)."""
    routes = {
        _route("DescribeAddonVersions"): "DescribeAddonVersions",
        _route("DescribeClusterVersions"): "DescribeClusterVersions",
        _route("ListClusters"): "ListClusters",
    }

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_: Any) -> None:
            pass

        def do_GET(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(url.query))
            operation = routes.get(url.path)
            state.requests.append(f"{operation} {url.query}")
            if operation is None:
                self._send(404, {"message": f"no route {url.path}"}, error="ResourceNotFoundException")
            elif operation == "DescribeAddonVersions" and state.fail_with:
                status, code = state.fail_with
                self._send(status, {"message": f"fake {code}"}, error=code)
            elif operation == "DescribeAddonVersions":
                self._addon_versions(query)
            elif operation == "DescribeClusterVersions":
                self._answer(operation, {"clusterVersions": state.cluster_versions})
            else:
                self._answer(operation, {"clusters": state.clusters})

        def _addon_versions(self, query: dict[str, str]) -> None:
            name = query.get("addonName", "")
            wanted = query.get("kubernetesVersion")
            items = [
                item
                for item in state.addons.get(name, [])
                if wanted is None or any(c["clusterVersion"] == wanted for c in item["compatibilities"])
            ]
            start = int(query.get("nextToken", "0"))
            page = items[start : start + ADDON_VERSIONS_PAGE]
            body: dict[str, Any] = {"addons": []}
            if page:
                body["addons"] = [
                    {"addonName": name, "type": "networking", "addonVersions": page, "owner": "aws"}
                ]
            if start + ADDON_VERSIONS_PAGE < len(items):
                body["nextToken"] = str(start + ADDON_VERSIONS_PAGE)
            self._answer("DescribeAddonVersions", body)

        def _answer(self, operation: str, body: dict[str, Any]) -> None:
            _validate(operation, body)
            self._send(200, body)

        def _send(self, status: int, body: dict[str, Any], *, error: str | None = None) -> None:
            data = json.dumps(body, default=_epoch).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            if error:
                self.send_header("x-amzn-ErrorType", error)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    with serving(Handler) as url:
        yield url


# --- Service Quotas: moto's GetServiceQuota, plus the GetAWSDefaultServiceQuota moto lacks -------------


@dataclass
class FakeQuotaDefaults:
    moto_url: str
    defaults: dict[str, float] = field(default_factory=dict)
    """quota code -> the AWS default to answer; other codes answer NoSuchResourceException."""
    denied: bool = False
    """Answer every call with AccessDeniedException (a role without servicequotas:* permissions)."""


@contextmanager
def quota_endpoint(state: FakeQuotaDefaults) -> Iterator[str]:
    """A Service Quotas endpoint: GetServiceQuota is relayed to moto unchanged; GetAWSDefaultServiceQuota,
    which moto does not implement, is answered from ``state.defaults`` in the model's output shape."""
    import urllib.error
    import urllib.request

    import botocore.session

    model = botocore.session.get_session().get_service_model("service-quotas")
    prefix = model.metadata["targetPrefix"]

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            target = self.headers.get("X-Amz-Target", "")
            if state.denied:
                self._send(400, {"__type": "AccessDeniedException", "message": "fake: not allowed"})
            elif target == f"{prefix}.GetAWSDefaultServiceQuota":
                request = json.loads(body)
                value = state.defaults.get(request["QuotaCode"])
                if value is None:
                    self._send(400, {"__type": "NoSuchResourceException", "message": "fake: no such quota"})
                    return
                answer = {
                    "Quota": {
                        "ServiceCode": request["ServiceCode"],
                        "QuotaCode": request["QuotaCode"],
                        "Value": value,
                        "Unit": "None",
                        "Adjustable": True,
                        "GlobalQuota": False,
                    }
                }
                from botocore.validate import ParamValidator

                output = model.operation_model("GetAWSDefaultServiceQuota").output_shape
                report = ParamValidator().validate(answer, output)
                assert not report.has_errors(), report.generate_report()
                self._send(200, answer)
            else:
                relay = urllib.request.Request(state.moto_url + self.path, data=body, method="POST")
                for name, value in self.headers.items():
                    if name.lower() not in ("host", "content-length"):
                        relay.add_header(name, value)
                try:
                    with urllib.request.urlopen(relay, timeout=10) as response:
                        self._raw(response.status, response.read())
                except urllib.error.HTTPError as error:
                    self._raw(error.code, error.read())

        def _send(self, status: int, body: dict[str, Any]) -> None:
            self._raw(status, json.dumps(body).encode())

        def _raw(self, status: int, data: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    with serving(Handler) as url:
        yield url
