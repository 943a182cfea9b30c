"""Fetching each node's ipamd introspection bodies, concurrently with a bound and a per-node deadline.

ipamd serves ``/v1/<endpoint>`` on ``127.0.0.1:61679`` by default (cni-facts.md §1.1), i.e. only on
the node itself, and the lab keeps it there (the API is unauthenticated). Two transports:

* ``SsmTransport`` (default): SSM Run Command (``AWS-RunShellScript``) runs ``curl`` on the node
  against the bind address in force, gzips and base64-encodes each body, and the output is read
  back with GetCommandInvocation. Works with the default loopback bind. Needs the SSM agent on the
  nodes (EKS-optimized AL2/AL2023 AMIs have it) with ``AmazonSSMManagedInstanceCore`` on the node role,
  ``ssm:SendCommand``/``ssm:GetCommandInvocation`` for the caller, and curl, gzip, base64 on the node
  (not Bottlerocket's host). One SendCommand per 50 nodes; output is capped at 24,000 characters
  by GetCommandInvocation, which the compression keeps well above a node's usual bodies; a
  truncated output is reported, never parsed half.
* ``ProxyTransport``: the API server's node proxy, ``GET /api/v1/nodes/<node>:<port>/proxy/v1/...``.
  No AWS permission and no agent, only RBAC ``nodes/proxy``, and it is fast; but the API server can
  reach the port only when ipamd listens off loopback (``INTROSPECTION_BIND_ADDRESS=0.0.0.0:61679``)
  and the node security group admits the control plane on that port, which exposes the
  unauthenticated API to the VPC (the lab refuses it unless acknowledged). Each GET is the request
  ``CoreV1Api.connect_get_node_proxy_with_path`` sends (``KubeSource.node_proxy_getter``), on the kube client's own
  urllib3 pool, TLS and credentials, without the generated client's per-call work.

``introspection_transport`` picks one by name and aims it at the bind address in force (the aws-node
DaemonSet's ``INTROSPECTION_BIND_ADDRESS``). Either way a node that does not answer in ``timeout``
seconds is reported (its ``NodeFetch.error``), never waited on forever, and at most ``concurrency``
nodes are fetched at once.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import time
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

from ekslab.errors import InputError
from ekslab.ipamd.models import ENDPOINTS
from ekslab.sources.deadline import late_answer, run_each_within
from ekslab.sources.records import AWS_NODE_CONTAINER, NodeRecord, daemonset_env

DEFAULT_BIND_ADDRESS: Final = "127.0.0.1:61679"
SSM_OUTPUT_LIMIT: Final = 24_000
"""GetCommandInvocation returns the first 24,000 characters of stdout (SSM API reference)."""
SSM_INSTANCES_PER_COMMAND: Final = 50
SSM_DOCUMENT: Final = "AWS-RunShellScript"
SSM_RUNNING: Final = frozenset({"Pending", "InProgress", "Delayed"})
CURL_MAX_TIME: Final = 3
DEADLINE_GRACE_SECONDS: Final = 1.0
"""Beyond a node's timeout, how long its fetch may take to notice the deadline before it is abandoned."""
"""Seconds per body, as eks-log-collector uses (cni-facts.md §3)."""


@dataclass
class NodeFetch:
    """The raw bodies fetched from one node (``None`` per endpoint that gave none) or why none came."""

    bodies: dict[str, bytes | None] = field(default_factory=dict)
    error: str | None = None


class Transport(Protocol):
    name: str

    def prepare(self, nodes: Sequence[NodeRecord], timeout: float) -> None:
        """Start work for all nodes at once where the transport batches (SSM); may do nothing."""

    def fetch(self, node: NodeRecord, deadline: float) -> NodeFetch:
        """The bodies of one node, giving up at ``deadline`` (``time.monotonic()`` seconds)."""


def introspection_transport(
    kind: str, daemonset: Mapping[str, Any] | None, *, kube: Any, aws: Callable[[], Any]
) -> Transport:
    """The transport named ``kind`` (``ssm`` or ``proxy``), aimed at the bind address in force.

    The address is the ``INTROSPECTION_BIND_ADDRESS`` of the aws-node container of ``daemonset``
    (``kubectl get ds aws-node -n kube-system -o json``), ipamd's default when the DaemonSet or the
    variable is absent. ``kube`` is the ``KubeSource`` the proxy goes through; ``aws`` makes the
    ``AwsSource`` SSM is called with, and is called only for ``ssm``. A unix-socket bind cannot be
    reached through the proxy: ``InputError``.
    """
    env = (
        daemonset_env(daemonset, source="aws-node DaemonSet").get(AWS_NODE_CONTAINER, {}) if daemonset else {}
    )
    bind_address = env.get("INTROSPECTION_BIND_ADDRESS")
    if kind == "proxy":
        return ProxyTransport(kube, bind_address=bind_address)
    if kind == "ssm":
        return SsmTransport(aws(), bind_address=bind_address)
    raise ValueError(f"unknown introspection transport {kind!r}")


def fetch_introspection(
    transport: Transport,
    nodes: Sequence[NodeRecord],
    *,
    concurrency: int,
    timeout: float,
    on_done: Callable[[str, NodeFetch], None] | None = None,
) -> dict[str, NodeFetch]:
    """Fetch every node's bodies, at most ``concurrency`` at a time, each within ``timeout`` seconds.

    ``concurrency`` worker threads take the nodes one after the other and the caller's thread is the
    watchdog of them all (``run_each_within``): the transports check the deadline between reads, and
    a read that never returns (response headers dripped one byte at a time) is abandoned
    ``DEADLINE_GRACE_SECONDS`` after it. ``on_done`` is called in the caller's thread.
    """
    results: dict[str, NodeFetch] = {}
    if not nodes:
        return results
    transport.prepare(nodes, timeout)
    late = late_answer(f"--node-timeout {timeout:g} s")

    def one(node: NodeRecord, deadline: float) -> NodeFetch:
        try:
            return transport.fetch(node, deadline)
        except (InputError, ConnectionError) as error:
            return NodeFetch(error=str(error))

    for node, result in run_each_within(
        nodes,
        one,
        workers=concurrency,
        seconds=timeout,
        grace=DEADLINE_GRACE_SECONDS,
        timed_out=lambda _: NodeFetch(error=late),
    ):
        results[node.name] = result
        if on_done is not None:
            on_done(node.name, result)
    return results


def bind_port(bind_address: str | None) -> int | None:
    """The TCP port of an INTROSPECTION_BIND_ADDRESS value (None for a unix socket)."""
    address = bind_address or DEFAULT_BIND_ADDRESS
    if address.startswith("unix:"):
        return None
    try:
        return int(address.rsplit(":", 1)[1])
    except (IndexError, ValueError):
        return None


# --- API server node proxy -------------------------------------------------------------------------


class ProxyTransport:
    """GET each endpoint through ``/api/v1/nodes/<node>:<port>/proxy`` (see the module docstring)."""

    name = "proxy"

    def __init__(self, kube: Any, *, bind_address: str | None = None) -> None:
        port = bind_port(bind_address)
        if port is None:
            raise InputError(
                "--ipamd-transport proxy",
                "cannot reach ipamd on a unix socket",
                bind_address,
                hint="use --ipamd-transport ssm",
            )
        self.kube = kube
        self.port = port
        self.loopback_only = (bind_address or DEFAULT_BIND_ADDRESS).split(":")[0] in (
            "127.0.0.1",
            "localhost",
            "[::1]",
        )
        self._get: Callable[..., tuple[int, bytes]] | None = None

    def prepare(self, nodes: Sequence[NodeRecord], timeout: float) -> None:
        self._get = self.kube.node_proxy_getter()

    def fetch(self, node: NodeRecord, deadline: float) -> NodeFetch:
        get = self._get if self._get is not None else self.kube.node_proxy_getter()
        result = NodeFetch()
        for endpoint in ENDPOINTS:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                result.error = "timed out"
                return result
            try:
                status, body = get(node.name, self.port, f"v1/{endpoint}", timeout=remaining)
            except ConnectionError as error:
                result.error = f"/v1/{endpoint} through the API server's node proxy: {error}"
                return result
            if status == 200:
                result.bodies[endpoint] = body
            elif endpoint == "enis":
                text = " ".join(body[:160].decode("utf-8", "replace").split())
                hint = (
                    " (ipamd listens on loopback only: use --ipamd-transport ssm)"
                    if self.loopback_only
                    else ""
                )
                result.error = f"/v1/enis through the node proxy answered HTTP {status}: {text}{hint}"
                return result
            else:
                result.bodies[endpoint] = None
        return result


# --- SSM Run Command -------------------------------------------------------------------------------


def ssm_script(bind_address: str | None = None) -> list[str]:
    """Shell lines printing ``<endpoint> <base64 of gzip of the body>`` per endpoint."""
    address = bind_address or DEFAULT_BIND_ADDRESS
    if address.startswith("unix:"):
        target = f"--unix-socket {address[len('unix:') :]} http://localhost"
    else:
        host, _, port = address.rpartition(":")
        host = host.strip("[]")
        if host in ("", "0.0.0.0", "::"):
            host = "127.0.0.1"
        target = f"http://{'[' + host + ']' if ':' in host else host}:{port}"
    return [
        f"for e in {' '.join(ENDPOINTS)}; do",
        '  printf "%s " "$e"',
        f'  curl --silent --max-time {CURL_MAX_TIME} {target}/v1/"$e" | gzip -c | base64 -w0',
        "  echo",
        "done",
    ]


def decode_ssm_output(text: str) -> dict[str, bytes]:
    """The bodies in the output of ``ssm_script``; raises ValueError for a truncated or garbled output."""
    if len(text) >= SSM_OUTPUT_LIMIT:
        raise ValueError(f"the output reached SSM's {SSM_OUTPUT_LIMIT:,}-character inline limit and is cut")
    bodies: dict[str, bytes] = {}
    for line in text.splitlines():
        name, _, payload = line.strip().partition(" ")
        if name not in ENDPOINTS:
            continue
        try:
            compressed = base64.b64decode(payload, validate=True)
            bodies[name] = gzip.decompress(compressed) if compressed else b""
        except (binascii.Error, OSError, EOFError, zlib.error) as error:
            raise ValueError(f"the output for /v1/{name} is not base64 of gzip ({error})") from None
    if not bodies:
        raise ValueError("the command printed no introspection output")
    return bodies


class SsmTransport:
    """Run ``ssm_script`` on the nodes with SSM Run Command (see the module docstring)."""

    name = "ssm"

    def __init__(self, aws: Any, *, bind_address: str | None = None, poll_interval: float = 1.0) -> None:
        self.aws = aws
        self.lines = ssm_script(bind_address)
        self.poll_interval = poll_interval
        self.commands: dict[str, str] = {}
        self.errors: dict[str, str] = {}

    def prepare(self, nodes: Sequence[NodeRecord], timeout: float) -> None:
        instances = sorted({node.instance_id for node in nodes if node.instance_id})
        for start in range(0, len(instances), SSM_INSTANCES_PER_COMMAND):
            batch = instances[start : start + SSM_INSTANCES_PER_COMMAND]
            try:
                answer = self.aws.call(
                    self.aws.ssm,
                    "send_command",
                    InstanceIds=batch,
                    DocumentName=SSM_DOCUMENT,
                    Comment="ekslab verify: ipamd introspection (read-only)",
                    TimeoutSeconds=max(30, int(timeout)),
                    Parameters={"commands": self.lines, "executionTimeout": [str(max(1, int(timeout)))]},
                )
            except InputError as error:
                for instance in batch:
                    self.errors[instance] = error.message
                continue
            for instance in batch:
                self.commands[instance] = answer["Command"]["CommandId"]

    def fetch(self, node: NodeRecord, deadline: float) -> NodeFetch:
        from botocore.exceptions import ClientError

        if not node.instance_id:
            return NodeFetch(error="the node has no EC2 instance id for SSM")
        if node.instance_id not in self.commands:
            return NodeFetch(error=self.errors.get(node.instance_id, "no SSM command was sent"))
        command = self.commands[node.instance_id]
        while True:
            try:
                answer = self.aws.ssm.get_command_invocation(CommandId=command, InstanceId=node.instance_id)
            except ClientError as error:
                code = (error.response.get("Error") or {}).get("Code")
                if code != "InvocationDoesNotExist":  # right after SendCommand, until SSM registers it
                    return NodeFetch(error=f"SSM GetCommandInvocation failed: {code}")
                answer = {"Status": "Pending"}
            status = answer.get("Status")
            if status not in SSM_RUNNING:
                break
            if time.monotonic() + self.poll_interval > deadline:
                return NodeFetch(error=f"SSM command {command} still {status} at the deadline")
            time.sleep(self.poll_interval)
        if status != "Success":
            detail = " ".join(
                str(answer.get("StandardErrorContent") or answer.get("StatusDetails") or "").split()
            )
            return NodeFetch(error=f"SSM command {command} ended {status}: {detail[:200]}")
        try:
            bodies = decode_ssm_output(answer.get("StandardOutputContent") or "")
        except ValueError as error:
            return NodeFetch(error=f"SSM command {command}: {error}")
        return NodeFetch(bodies=dict(bodies))
