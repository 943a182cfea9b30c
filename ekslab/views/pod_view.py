"""The pod-to-ENI view of ``ekslab pods``: ``kubectl get pods -A -o wide`` plus what the workshop digs for.

Per pod: kubectl's READY (ready containers of all, sidecars included), STATUS (the phase), RESTARTS
and AGE (``kube_age``: kubectl's compact form, 5d3h or 12m), its node and IP, the ENI that holds the
IP, the ENI's device number and subnet, and where the address comes from: a secondary IP of the ENI,
a delegated prefix, a branch ENI (security groups for pods), a Fargate pod's own ENI, or the node's
own address (hostNetwork). The ENI of each pod and
where its address comes from are what ``ekslab verify`` found (``ekslab.verify.checks``: EC2's ENIs
of the pod's node, prefixes included, the pod-eni annotation for branch ENIs; ``PodResult.eni`` and
``PodResult.address_kind``); this module only reads the verdicts and the snapshot's records, so the
view and the verification never disagree.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from ekslab.sources.records import PodRecord
from ekslab.sources.snapshot import ClusterSnapshot
from ekslab.verify.results import PREFIX, PodResult, Report

COLUMNS: Final = (
    "NAMESPACE",
    "NAME",
    "READY",
    "STATUS",
    "RESTARTS",
    "AGE",
    "IP",
    "NODE",
    "ENI",
    "DEV",
    "SUBNET",
    "FROM",
    "CHECK",
)
RIGHT_ALIGNED: Final = ("RESTARTS", "DEV")
FOLD_ORDER: Final = (
    "RESTARTS",
    "AGE",
    "SUBNET",
    "FROM",
    "DEV",
    "READY",
    "STATUS",
    "ENI",
    "NAMESPACE",
    "CHECK",
)
"""The columns that move to a pod's second line on a narrow terminal, first named first: NAME, IP
and NODE stay on the first line longest."""


def kube_age(seconds: float) -> str:
    """A duration the way kubectl prints AGE: two units at most, coarser as it grows.

    Seconds up to 2 minutes (``95s``), then minutes and seconds up to 10 minutes (``4m10s``), minutes
    up to 3 hours (``12m``), hours and minutes up to 8 hours (``5h3m``), hours up to 2 days (``36h``),
    days and hours up to 8 days (``5d3h``), days up to 2 years (``400d``), then years and days
    (``3y12d``) and, from 8 years, years. A time in the future (clock skew) reads ``0s``.
    """
    total = max(int(seconds), 0)
    minutes, hours, days = total // 60, total // 3600, total // 86400
    if total < 120:
        return f"{total}s"
    if minutes < 10:
        return _two(minutes, "m", total % 60, "s")
    if hours < 3:
        return f"{minutes}m"
    if hours < 8:
        return _two(hours, "h", minutes % 60, "m")
    if hours < 48:
        return f"{hours}h"
    if hours < 192:
        return _two(days, "d", hours % 24, "h")
    if days < 2 * 365:
        return f"{days}d"
    years = days // 365
    return _two(years, "y", days % 365, "d") if years < 8 else f"{years}y"


def _two(major: int, major_unit: str, minor: int, minor_unit: str) -> str:
    return f"{major}{major_unit}{minor}{minor_unit}" if minor else f"{major}{major_unit}"


@dataclass(frozen=True)
class PodEniRow:
    namespace: str
    name: str
    ready: str | None
    """kubectl's READY, ``ready/all`` containers."""
    status: str | None
    restarts: int | None
    age: str | None
    """kubectl's AGE at the time the view was made (``kube_age``)."""
    created: str | None
    """``metadata.creationTimestamp``, UTC."""
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
            self.ready,
            self.status,
            self.restarts,
            self.age,
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
            "ready": self.ready,
            "restarts": self.restarts,
            "age": self.age,
            "created": self.created,
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
    now: float | None = None,
) -> list[PodEniRow]:
    """One row per pod of the snapshot (filtered by namespace and node when given), sorted like kubectl.

    ``now`` (Unix seconds, default the current time) is what AGE is counted to.
    """
    verdicts = {(result.namespace, result.name): result for result in report.pods}
    now = time.time() if now is None else now
    rows = []
    for pod in snapshot.pods:
        if namespaces and pod.namespace not in namespaces:
            continue
        if nodes and pod.node not in nodes:
            continue
        verdict = verdicts.get((pod.namespace, pod.name))
        rows.append(_row(pod, verdict, snapshot, now))
    rows.sort(key=lambda row: (row.namespace, row.name))
    return rows


def _row(pod: PodRecord, verdict: PodResult | None, snapshot: ClusterSnapshot, now: float) -> PodEniRow:
    eni = snapshot.enis.get(verdict.eni) if verdict is not None and verdict.eni else None
    subnet = eni.subnet_id if eni is not None else None
    cidrs = snapshot.subnets[subnet].cidrs if subnet in snapshot.subnets else ()
    created = (
        datetime.fromtimestamp(pod.created, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if pod.created is not None
        else None
    )
    return PodEniRow(
        namespace=pod.namespace,
        name=pod.name,
        ready=f"{pod.ready_containers}/{pod.containers}" if pod.containers is not None else None,
        status=pod.phase,
        restarts=pod.restarts,
        age=kube_age(now - pod.created) if pod.created is not None else None,
        created=created,
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
