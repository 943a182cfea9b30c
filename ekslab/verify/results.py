"""Results of verification: per pod, per node, per cluster-wide check and per load-balanced Ingress.

Reason codes (docs/verification.md explains each):

* pod skips: ``host_network``, ``not_running``, ``no_ip`` (nothing to verify), and ``unknown_node``,
  ``no_eni_data`` (could not be verified: these make the exit code 3 when nothing failed);
* pod failures: ``not_in_vpc``, ``not_on_node_eni``, ``duplicate_ip``, ``ipamd_mismatch``,
  ``wrong_subnet``;
* target failures: ``target_missing``, ``target_unexpected``, ``target_unhealthy``, ``no_target_group``.

Exit codes: 0 every check passed; 1 at least one failure; 3 nothing failed but something could not
be verified (``EXIT_UNVERIFIED``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple

from ekslab.errors import EXIT_FAILED, EXIT_OK, EXIT_UNVERIFIED

PASS: Final = "pass"
FAIL: Final = "fail"
SKIP: Final = "skip"
NOT_CHECKED: Final = "not_checked"
"""A check whose input is absent; does not change the exit code."""
UNVERIFIED: Final = "unverified"
"""A check whose input is present but unusable or incomplete; exit code 3 when nothing failed."""

# Pod reason codes.
HOST_NETWORK: Final = "host_network"
NOT_RUNNING: Final = "not_running"
NO_IP: Final = "no_ip"
UNKNOWN_NODE: Final = "unknown_node"
NO_ENI_DATA: Final = "no_eni_data"
NOT_IN_VPC: Final = "not_in_vpc"
NOT_ON_NODE_ENI: Final = "not_on_node_eni"
DUPLICATE_IP: Final = "duplicate_ip"
IPAMD_MISMATCH: Final = "ipamd_mismatch"
WRONG_SUBNET: Final = "wrong_subnet"
UNVERIFIED_SKIPS: Final = frozenset({UNKNOWN_NODE, NO_ENI_DATA})
"""Skip reasons that mean "could not be verified" rather than "nothing to verify"."""

# Target reason codes.
TARGET_MISSING: Final = "target_missing"
TARGET_UNEXPECTED: Final = "target_unexpected"
TARGET_UNHEALTHY: Final = "target_unhealthy"
NO_TARGET_GROUP: Final = "no_target_group"

# Where a pod's IP comes from (``PodResult.address_kind``), as the checks matched it.
SECONDARY_IP: Final = "secondary IP"
"""A secondary private IP (IPv4) or an IPv6 address of an ENI attached to the pod's node."""
PREFIX: Final = "prefix"
"""Inside a prefix delegated to an ENI of the pod's node (``PodResult.prefix`` names it)."""
BRANCH_ENI: Final = "branch ENI"
"""The branch ENI named by the pod's ``vpc.amazonaws.com/pod-eni`` annotation (security groups for pods)."""
OWN_ENI: Final = "own ENI"
"""A Fargate pod: its IP is the primary IP of an ENI of its own."""
HOST_NETWORK_IP: Final = "host network"
"""A hostNetwork pod: it carries its node's IP."""


class PodResult(NamedTuple):
    """The verdict on one pod. ``details`` explain each reason in words; ``not_checked`` lists checks
    that could not run for this pod (e.g. ``ipamd_mismatch`` without ipamd data for its node).

    ``address_kind`` says where the IP comes from (``SECONDARY_IP``, ``PREFIX``, ``BRANCH_ENI``,
    ``OWN_ENI``, ``HOST_NETWORK_IP``), ``None`` when no ENI holding it was found; ``prefix`` is the
    delegated prefix for ``PREFIX``."""

    namespace: str
    name: str
    node: str | None
    ip: str | None
    result: str
    reasons: tuple[str, ...] = ()
    eni: str | None = None
    device: int | None = None
    network_card: int | None = None
    details: tuple[str, ...] = ()
    not_checked: tuple[str, ...] = ()
    address_kind: str | None = None
    prefix: str | None = None
    phase: str | None = None
    """The pod's phase as read (``Running``, ``Pending``, ``Succeeded``...), which the report shows."""

    @property
    def unverified(self) -> bool:
        return self.result == SKIP and bool(UNVERIFIED_SKIPS.intersection(self.reasons))

    def as_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "namespace": self.namespace,
            "name": self.name,
            "node": self.node,
            "ip": self.ip,
            "result": self.result,
            "reasons": list(self.reasons),
            "eni": self.eni,
        }
        if self.device is not None:
            document["device"] = self.device
        if self.network_card:
            document["network_card"] = self.network_card
        if self.details:
            document["details"] = list(self.details)
        if self.not_checked:
            document["not_checked"] = list(self.not_checked)
        if self.address_kind is not None:
            document["address_kind"] = self.address_kind
        if self.prefix is not None:
            document["prefix"] = self.prefix
        return document


@dataclass
class CheckResult:
    """One node or cluster check: ``pass``, ``fail``, ``not_checked`` or ``unverified``, with a reason.

    ``differences`` lists drifted settings as ``{"key", "wanted", "actual", "source", "basis"}``
    (``basis``: "configuration", or "add-on default" for a key the lab leaves unset).
    """

    check: str
    result: str
    detail: str = ""
    differences: list[dict[str, str]] = field(default_factory=list)
    replacing_fixes: bool | None = None
    """For a failed convergence check: whether replacing the node fixes it (``ekslab.verify.recycle``)."""

    def as_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {"check": self.check, "result": self.result, "detail": self.detail}
        if self.differences:
            document["differences"] = self.differences
        if self.replacing_fixes is not None:
            document["replacing_node_fixes"] = self.replacing_fixes
        return document


@dataclass
class NodeEni:
    eni_id: str
    device: int | None
    network_card: int | None
    kind: str  # "primary", "secondary", "trunk", "efa", "fargate"...


@dataclass
class NodeResult:
    name: str
    instance_id: str | None
    compute: str  # "ec2", "fargate" or "unknown"
    enis: list[NodeEni] = field(default_factory=list)
    checks: list[CheckResult] = field(default_factory=list)
    ipamd_format: str | None = None

    @property
    def result(self) -> str:
        results = {check.result for check in self.checks}
        for verdict in (FAIL, UNVERIFIED, PASS):
            if verdict in results:
                return verdict
        return NOT_CHECKED

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "instance_id": self.instance_id,
            "compute": self.compute,
            "result": self.result,
            "ipamd_format": self.ipamd_format,
            "enis": [
                {"eni": eni.eni_id, "device": eni.device, "network_card": eni.network_card, "kind": eni.kind}
                for eni in self.enis
            ],
            "checks": [check.as_json() for check in self.checks],
        }


@dataclass
class TargetResult:
    """One Ingress backend served by an ip-type target group."""

    namespace: str
    ingress: str
    service: str
    port: str | None
    target_group: str | None
    result: str
    reasons: list[str] = field(default_factory=list)
    detail: str = ""
    ready_pod_ips: list[str] = field(default_factory=list)
    registered: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "namespace": self.namespace,
            "ingress": self.ingress,
            "service": self.service,
            "port": self.port,
            "target_group": self.target_group,
            "result": self.result,
            "reasons": self.reasons,
            "detail": self.detail,
            "ready_pod_ips": self.ready_pod_ips,
            "registered": self.registered,
        }


@dataclass
class Report:
    source: str
    pods: list[PodResult]
    nodes: list[NodeResult]
    cluster: list[CheckResult] = field(default_factory=list)
    targets: list[TargetResult] = field(default_factory=list)
    targets_checked: CheckResult | None = None
    notes: list[str] = field(default_factory=list)
    idle_addresses: dict[str, int] = field(default_factory=dict)
    """IPv4 addresses ipamd holds idle, summed per availability zone (the ``warm_pool`` check)."""
    recycle: Any = None
    """The replacement plan (``ekslab.verify.recycle.RecyclePlan``) for nodes whose settings lag."""
    _tally: tuple[int, Counter[str], int] | None = field(default=None, init=False, repr=False, compare=False)

    def summary(self) -> dict[str, Any]:
        counts, unverified = self._pod_tally()
        node_counts = Counter(node.result for node in self.nodes)
        return {
            "pods": len(self.pods),
            "passed": counts[PASS],
            "failed": counts[FAIL],
            "skipped": counts[SKIP],
            "unverified": unverified,
            "nodes": len(self.nodes),
            "nodes_failed": node_counts[FAIL],
            "nodes_unverified": node_counts[UNVERIFIED],
            "targets": len(self.targets),
            "targets_failed": sum(1 for target in self.targets if target.result == FAIL),
            "idle_addresses_by_az": dict(sorted(self.idle_addresses.items())),
        }

    def exit_code(self) -> int:
        """0 all checks pass, 1 at least one failure, 3 nothing failed but something is unverified."""
        checks = [check for node in self.nodes for check in node.checks] + self.cluster
        if self.targets_checked:
            checks.append(self.targets_checked)
        counts, unverified = self._pod_tally()
        results = {check.result for check in checks} | counts.keys()
        results |= {target.result for target in self.targets}
        if FAIL in results:
            return EXIT_FAILED
        if UNVERIFIED in results or unverified:
            return EXIT_UNVERIFIED
        return EXIT_OK

    def _pod_tally(self) -> tuple[Counter[str], int]:
        """Pods by result, and how many of the skipped are unverified: one pass over 150,000 pods, made
        once (a report's pods are not changed after the checks; a list of another length is counted
        again), though the summary and the exit code are each asked for more than once."""
        tally = self._tally
        if tally is None or tally[0] != len(self.pods):
            counts = Counter(pod.result for pod in self.pods)
            unverified = (
                sum(1 for pod in self.pods if pod.result == SKIP and pod.unverified) if counts[SKIP] else 0
            )
            tally = self._tally = (len(self.pods), counts, unverified)
        return tally[1], tally[2]
