"""The pod-to-ENI view of ``ekslab pods``: ``kubectl get pods -A -o wide`` plus what the workshop digs for.

Per pod: its node and IP, the ENI that holds the IP, the ENI's device number and subnet, and where
the address comes from: a secondary IP of the ENI, a delegated prefix, a branch ENI (security groups
for pods), a Fargate pod's own ENI, or the node's own address (hostNetwork). The ENI of each pod and
where its address comes from are what ``ekslab verify`` found (``ekslab.verify.checks``: EC2's ENIs
of the pod's node, prefixes included, the pod-eni annotation for branch ENIs; ``PodResult.eni`` and
``PodResult.address_kind``); this module only reads the verdicts and the snapshot's records, so the
view and the verification never disagree.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Final

from ekslab.sources.records import PodRecord
from ekslab.verify.results import PREFIX, PodResult, Report
from ekslab.verify.snapshot import ClusterSnapshot

COLUMNS: Final = ("NAMESPACE", "NAME", "STATUS", "IP", "NODE", "ENI", "DEV", "SUBNET", "FROM", "CHECK")


@dataclass(frozen=True)
class PodEniRow:
    namespace: str
    name: str
    status: str | None
    ip: str | None
    node: str | None
    eni: str | None
    device: int | None
    network_card: int | None
    subnet: str | None
    subnet_cidrs: tuple[str, ...]
    kind: str | None
    """``PodResult.address_kind``: ``SECONDARY_IP``, ``PREFIX``, ``BRANCH_ENI``, ``OWN_ENI`` or
    ``HOST_NETWORK_IP`` of ``ekslab.verify.results``; ``None``: no ENI found."""
    prefix: str | None
    """The delegated prefix the IP comes from (``kind == PREFIX``)."""
    result: str
    """``ekslab verify``'s verdict on the pod: pass, fail or skip."""
    reasons: tuple[str, ...]
    details: tuple[str, ...]

    def row(self) -> tuple[Any, ...]:
        source = f"{self.kind} {self.prefix}" if self.kind == PREFIX and self.prefix else self.kind
        check = self.result + (": " + ",".join(self.reasons) if self.reasons else "")
        return (
            self.namespace,
            self.name,
            self.status,
            self.ip,
            self.node,
            self.eni,
            self.device,
            self.subnet,
            source,
            check,
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "namespace": self.namespace,
            "name": self.name,
            "status": self.status,
            "ip": self.ip,
            "node": self.node,
            "eni": self.eni,
            "device": self.device,
            "network_card": self.network_card,
            "subnet": self.subnet,
            "subnet_cidrs": list(self.subnet_cidrs),
            "kind": self.kind,
            "prefix": self.prefix,
            "check": {"result": self.result, "reasons": list(self.reasons), "details": list(self.details)},
        }


def pod_eni_rows(
    snapshot: ClusterSnapshot,
    report: Report,
    *,
    namespaces: Collection[str] = (),
    nodes: Collection[str] = (),
) -> list[PodEniRow]:
    """One row per pod of the snapshot (filtered by namespace and node when given), sorted like kubectl."""
    verdicts = {(result.namespace, result.name): result for result in report.pods}
    rows = []
    for pod in snapshot.pods:
        if namespaces and pod.namespace not in namespaces:
            continue
        if nodes and pod.node not in nodes:
            continue
        verdict = verdicts.get((pod.namespace, pod.name))
        rows.append(_row(pod, verdict, snapshot))
    rows.sort(key=lambda row: (row.namespace, row.name))
    return rows


def _row(pod: PodRecord, verdict: PodResult | None, snapshot: ClusterSnapshot) -> PodEniRow:
    eni = snapshot.enis.get(verdict.eni) if verdict is not None and verdict.eni else None
    subnet = eni.subnet_id if eni is not None else None
    cidrs = snapshot.subnets[subnet].cidrs if subnet in snapshot.subnets else ()
    return PodEniRow(
        namespace=pod.namespace,
        name=pod.name,
        status=pod.phase,
        ip=pod.ip,
        node=pod.node,
        eni=eni.eni_id if eni is not None else None,
        device=verdict.device if verdict is not None else None,
        network_card=verdict.network_card if verdict is not None else None,
        subnet=subnet,
        subnet_cidrs=tuple(cidrs),
        kind=verdict.address_kind if verdict is not None else None,
        prefix=verdict.prefix if verdict is not None else None,
        result=verdict.result if verdict is not None else "skip",
        reasons=verdict.reasons if verdict is not None else (),
        details=verdict.details if verdict is not None else (),
    )
