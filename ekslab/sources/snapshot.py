"""Everything verification reads about a cluster, from a bundle or from the live APIs.

``ClusterSnapshot`` holds records (``ekslab.sources.records``) and parsed ipamd data
(``ekslab.ipamd``), never raw documents; the checks in ``ekslab.verify.checks`` read nothing else,
so a bundle and a live cluster are verified by the same code. Optional inputs are ``None`` when
absent, which the checks report as "not checked" rather than as a failure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ekslab.ipamd.models import NodeIpamd
from ekslab.sources.records import (
    CidrReservationRecord,
    EniConfigRecord,
    EniRecord,
    IngressRecord,
    NodeRecord,
    PodRecord,
    ServiceRecord,
    SubnetRecord,
    TargetGroupBindingRecord,
    TargetGroupRecord,
    TargetHealthRecord,
    VpcRecord,
    pod_record,
)


@dataclass
class TargetInputs:
    """What the end-to-end check needs: Ingresses, the Services behind them, and their target groups.

    ``target_health`` maps a target group ARN to its registered targets, ``None`` when the health
    document of that group is missing.
    """

    ingresses: list[IngressRecord]
    services: list[ServiceRecord]
    bindings: list[TargetGroupBindingRecord] | None
    target_groups: dict[str, TargetGroupRecord] | None = None
    target_health: dict[str, list[TargetHealthRecord] | None] = field(default_factory=dict)

    def label_namespaces(self) -> frozenset[str]:
        """Namespaces whose pods' labels and readiness the end-to-end check needs."""
        return frozenset(ingress.namespace for ingress in self.ingresses if ingress.target_type == "ip")


@dataclass
class ClusterSnapshot:
    """One cluster's pods, nodes, VPC, subnets, ENIs, and the optional inputs of each check."""

    source: str
    pods: list[PodRecord] = field(default_factory=list)
    nodes: dict[str, NodeRecord] = field(default_factory=dict)
    vpcs: list[VpcRecord] = field(default_factory=list)
    subnets: dict[str, SubnetRecord] = field(default_factory=dict)
    enis: dict[str, EniRecord] = field(default_factory=dict)
    eniconfigs: dict[str, EniConfigRecord] | None = None
    """ENIConfig custom resources; ``None`` when not in the input (custom networking not checked)."""
    ipamd_collected: bool = False
    """Whether ipamd data was part of the input at all (bundle: an ``ipamd/`` folder; live: a transport)."""
    ipamd: dict[str, NodeIpamd] = field(default_factory=dict)
    """Per node name; a node missing here has no ipamd data and is checked from EC2 alone."""
    daemonset_env: dict[str, dict[str, str | None]] | None = None
    """Env by container name of the aws-node DaemonSet; ``None`` when not in the input."""
    targets: TargetInputs | None = None
    auto_scaling_groups: dict[str, str] = field(default_factory=dict)
    """Auto Scaling group name by instance id (``autoscaling-instances.json``), for the replacement plan."""
    cidr_reservations: dict[str, list[CidrReservationRecord]] | None = None
    """IPv4 CIDR reservations by subnet id; ``None`` when not in the input (a subnet missing: its file is)."""
    notes: list[str] = field(default_factory=list)
    pod_columns: bool = True
    """Whether pod records carry the container counts and creation time (``ekslab pods`` shows them;
    the checks, the ledger and the report do not read them, and skip their cost when this is off)."""

    def add_pods(self, items: Iterable[Any], *, source: str, start: int = 0) -> int:
        """Turn pod list items into records (keeping labels where the end-to-end check needs them).

        ``start`` is the position of the first item (pages of a live list); returns the next position.
        """
        namespaces = self.targets.label_namespaces() if self.targets else frozenset()
        append = self.pods.append
        position = start
        for item in items:
            append(
                pod_record(
                    item,
                    position=position,
                    source=source,
                    label_namespaces=namespaces,
                    columns=self.pod_columns,
                )
            )
            position += 1
        return position
