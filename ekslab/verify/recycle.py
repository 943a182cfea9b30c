"""The replacement plan: which nodes to replace so the CNI settings in force reach them, in what order, how.

Nodes with a failed convergence check that replacing fixes (``CheckResult.replacing_fixes``) are
grouped by node group: the ``eks.amazonaws.com/nodegroup`` label (a managed node group), else the
Auto Scaling group of the instance (``aws:autoscaling:groupName``), else ``unmanaged``. Each group
is replaced one node at a time, oldest first, so it never loses more than one node of capacity; when
that would take it below its minimum (known from the lab configuration's node group), the plan first
raises the desired size by one and restores it at the end. Each node gets the exact commands:

1. ``kubectl cordon NODE``: no new pods land on it.
2. ``kubectl drain NODE --ignore-daemonsets --delete-emptydir-data``: evicts its pods, respecting
   PodDisruptionBudgets; DaemonSet pods (aws-node, kube-proxy) stay, and pods with emptyDir volumes
   are evicted (their emptyDir data is lost, as with any replacement).
3. ``aws autoscaling terminate-instance-in-auto-scaling-group --instance-id I
   --no-should-decrement-desired-capacity``: the group (a managed node group's too) launches a new
   instance from its current launch template, which starts with the settings in force.
4. Wait until the group lists as many Ready nodes as before, then the next node.

Afterwards ``ekslab verify`` again. A managed node group can instead be replaced whole with its
rolling update, ``aws eks update-nodegroup-version`` (new nodes first, then each old node drained:
https://docs.aws.amazon.com/eks/latest/userguide/managed-node-update-behavior.html), when a newer
AMI release or launch template version is there to roll to. The plan is text: ekslab never cordons,
drains or terminates anything itself.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from ekslab.sources.records import NODEGROUP_LABEL, NodeRecord
from ekslab.verify.results import FAIL, NodeResult

ASG_TAG: Final = "aws:autoscaling:groupName"
UNMANAGED: Final = "unmanaged"
MANAGED_NODE_GROUP: Final = "managed node group"
AUTO_SCALING_GROUP: Final = "auto scaling group"
CLUSTER_VARIABLE: Final = '"$CLUSTER"'
REGION_VARIABLE: Final = '"$AWS_REGION"'


@dataclass(frozen=True)
class GroupSize:
    """What the lab configuration says of a node group: its minimum and maximum size."""

    minimum: int
    maximum: int


@dataclass
class NodeStep:
    node: str
    instance_id: str | None
    checks: list[str]
    commands: list[str]

    def as_json(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "instance_id": self.instance_id,
            "checks": self.checks,
            "commands": self.commands,
        }


@dataclass
class GroupPlan:
    group: str
    kind: str
    nodes_in_group: int
    minimum: int | None
    before: list[str] = field(default_factory=list)
    steps: list[NodeStep] = field(default_factory=list)
    after: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "kind": self.kind,
            "nodes_in_group": self.nodes_in_group,
            "minimum": self.minimum,
            "before": self.before,
            "nodes": [step.as_json() for step in self.steps],
            "after": self.after,
            "notes": self.notes,
        }


@dataclass
class RecyclePlan:
    groups: list[GroupPlan]
    not_fixed: list[dict[str, Any]]
    """Nodes whose failed convergence checks replacing does not fix (e.g. ``warm_pool``)."""
    then: list[str]

    def as_json(self) -> dict[str, Any]:
        return {
            "groups": [group.as_json() for group in self.groups],
            "not_fixed_by_replacing": self.not_fixed,
            "then": self.then,
        }

    def lines(self) -> list[str]:
        """The plan as text, one command or remark per line."""
        if not self.groups and not self.not_fixed:
            return ["Replacement plan: no node needs replacing."]
        lines = ["Replacement plan (ekslab runs none of this; run it group by group, one node at a time):"]
        for group in self.groups:
            minimum = f", minimum {group.minimum}" if group.minimum is not None else ", minimum unknown"
            lines.append(f"{group.kind} {group.group} ({group.nodes_in_group} nodes{minimum}):")
            lines.extend(f"  # {note}" for note in group.notes)
            lines.extend(f"  {command}" for command in group.before)
            for number, step in enumerate(group.steps, start=1):
                lines.append(
                    f"  # {number}. {step.node} ({step.instance_id or 'no instance id'}): {', '.join(step.checks)}"
                )
                lines.extend(f"  {command}" for command in step.commands)
            lines.extend(f"  {command}" for command in group.after)
        for item in self.not_fixed:
            lines.append(f"not fixed by replacing: {item['node']}: {', '.join(item['checks'])}")
        lines.append("Then:")
        lines.extend(f"  {command}" for command in self.then)
        return lines


def group_of(node: NodeRecord, asg_of_instance: Mapping[str, str]) -> tuple[str, str]:
    """(group name, kind) of a node: its managed node group, its Auto Scaling group, or unmanaged."""
    name = node.labels.get(NODEGROUP_LABEL)
    if name:
        return name, MANAGED_NODE_GROUP
    asg = asg_of_instance.get(node.instance_id or "")
    if asg:
        return asg, AUTO_SCALING_GROUP
    return UNMANAGED, UNMANAGED


def recycle_plan(
    results: Iterable[NodeResult],
    nodes: Mapping[str, NodeRecord],
    *,
    check_names: Iterable[str],
    asg_of_instance: Mapping[str, str] | None = None,
    group_sizes: Mapping[str, GroupSize] | None = None,
    cluster: str | None = None,
    region: str | None = None,
) -> RecyclePlan:
    """The plan for every node whose failed convergence checks (``check_names``) replacing fixes."""
    names = frozenset(check_names)
    asgs = asg_of_instance or {}
    sizes = group_sizes or {}
    members: dict[tuple[str, str], int] = {}
    for record in nodes.values():
        if not record.is_fargate:
            key = group_of(record, asgs)
            members[key] = members.get(key, 0) + 1
    failing: dict[tuple[str, str], list[tuple[NodeRecord, list[str]]]] = {}
    not_fixed = []
    for result in results:
        failed = [check for check in result.checks if check.check in names and check.result == FAIL]
        fixable = [check.check for check in failed if check.replacing_fixes]
        record = nodes.get(result.name)
        if fixable and record is not None:
            failing.setdefault(group_of(record, asgs), []).append((record, fixable))
        elif failed:
            not_fixed.append({"node": result.name, "checks": [check.check for check in failed]})
    cluster_arg = shlex.quote(cluster) if cluster else CLUSTER_VARIABLE
    region_arg = shlex.quote(region) if region else REGION_VARIABLE
    groups = [
        _group_plan(name, kind, members.get((name, kind), 0), entries, sizes, cluster_arg, region_arg)
        for (name, kind), entries in sorted(failing.items())
    ]
    then = [f"ekslab verify --cluster {cluster_arg} --region {region_arg}"]
    return RecyclePlan(groups, not_fixed, then)


def _group_plan(
    name: str,
    kind: str,
    count: int,
    entries: list[tuple[NodeRecord, list[str]]],
    sizes: Mapping[str, GroupSize],
    cluster: str,
    region: str,
) -> GroupPlan:
    size = sizes.get(name) if kind == MANAGED_NODE_GROUP else None
    plan = GroupPlan(name, kind, count, size.minimum if size else None)
    entries.sort(key=lambda entry: (entry[0].created or 0, entry[0].name))
    group_arg = shlex.quote(name)
    if kind == MANAGED_NODE_GROUP:
        listing = f"kubectl get nodes -l {NODEGROUP_LABEL}={group_arg}"
        if size is not None and count - 1 < size.minimum:
            surge = count + 1
            plan.notes.append(
                f"replacing one of {count} nodes would leave {count - 1}, below the minimum {size.minimum}: "
                "raise the desired size by one first"
            )
            plan.before.append(
                _scaling(cluster, group_arg, region, size.minimum, max(size.maximum, surge), surge)
            )
            plan.after.append(_scaling(cluster, group_arg, region, size.minimum, size.maximum, count))
        elif size is None:
            plan.notes.append(
                "minimum unknown (not a node group of the lab configuration): check "
                f"`aws eks describe-nodegroup --cluster-name {cluster} --nodegroup-name {group_arg} "
                f"--region {region} --query nodegroup.scalingConfig` and raise desiredSize by one first "
                f"if {count - 1} nodes would be below minSize"
            )
        plan.notes.append(
            "or replace the whole group with its rolling update, when a newer AMI or launch template "
            f"version exists: aws eks update-nodegroup-version --cluster-name {cluster} "
            f"--nodegroup-name {group_arg} --region {region}"
        )
    elif kind == AUTO_SCALING_GROUP:
        listing = "kubectl get nodes"
        plan.notes.append(
            f"minimum unknown: check `aws autoscaling describe-auto-scaling-groups --auto-scaling-group-names "
            f"{group_arg} --region {region} --query 'AutoScalingGroups[0].[MinSize,DesiredCapacity]'` and "
            f"raise the desired capacity by one first if {count - 1} nodes would be below MinSize"
        )
    else:
        listing = "kubectl get nodes"
        plan.notes.append(
            "no node group or Auto Scaling group is known for these nodes: after the drain, replace each "
            "instance the way it was created"
        )
    for record, checks in entries:
        node_arg = shlex.quote(record.name)
        commands = [
            f"kubectl cordon {node_arg}",
            f"kubectl drain {node_arg} --ignore-daemonsets --delete-emptydir-data",
        ]
        if kind != UNMANAGED and record.instance_id:
            commands.append(
                "aws autoscaling terminate-instance-in-auto-scaling-group "
                f"--instance-id {shlex.quote(record.instance_id)} --no-should-decrement-desired-capacity "
                f"--region {region}"
            )
        commands.append(f"{listing}   # wait until {count} nodes are Ready again before the next node")
        plan.steps.append(NodeStep(record.name, record.instance_id, checks, commands))
    return plan


def _scaling(cluster: str, group: str, region: str, minimum: int, maximum: int, desired: int) -> str:
    return (
        f"aws eks update-nodegroup-config --cluster-name {cluster} --nodegroup-name {group} "
        f"--scaling-config minSize={minimum},maxSize={maximum},desiredSize={desired} --region {region}"
    )


def plan_for_lab(
    results: Iterable[NodeResult],
    nodes: Mapping[str, NodeRecord],
    *,
    check_names: Iterable[str],
    asg_of_instance: Mapping[str, str] | None,
    lab: Any,
    cluster: str | None,
    region: str | None,
) -> RecyclePlan:
    """``recycle_plan`` with the group sizes of the lab configuration ``lab`` (a ``LabConfig`` or None)."""
    sizes = (
        {group.name: GroupSize(group.min_size, group.max_size) for group in lab.node_groups}
        if lab is not None
        else {}
    )
    return recycle_plan(
        results,
        nodes,
        check_names=check_names,
        asg_of_instance=asg_of_instance,
        group_sizes=sizes,
        cluster=cluster,
        region=region,
    )
