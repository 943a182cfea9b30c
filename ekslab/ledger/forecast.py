"""What the subnets can still take, per AZ and node group, with the warm-pool model of ``plan capacity``.

A new node takes what ``ekslab.capacity.warm_pool.node_pool`` says it holds at 0 pods (its ENIs'
primary addresses, the node IP among them, and its warm pool), from the node subnet and, with custom
networking, from the pod subnet. With prefix delegation the pool comes in aligned /28 blocks, so a
new node needs whole free /28 blocks (``free_28_blocks``) and single addresses for its ENIs'
primary addresses (taken first from the free addresses in no free /28, then from free blocks).

Per row (one node group in one AZ):

* ``more_nodes``: how many more nodes of the group can start at the running settings, each subnet
  it draws from counted alone (as if no other group grew at the same time);
* ``more_pods``: how many more pods fit on the group's running nodes in the AZ: their kubelet room
  (max pods minus the two host-network pods, minus the pods there now), capped by the addresses they
  can still get (their warm pools plus what the pod subnet can give);
* ``runs_out_first``: the subnet that limits ``more_nodes``;
* ``headroom``: the free share of that subnet's usable addresses; under 20% (the guard's
  ``MIN_HEADROOM``) is a warning;
* ``scale_up_ok`` (with ``--config``, which knows the groups' max sizes): whether the group can grow
  to its max size in this AZ (``ceil(maxSize / AZs)`` nodes, as the planner counts) and still get
  every new node's warm pool. ``False`` makes ``ekslab ips`` exit 1, like the synth-time guard's error.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final

from ekslab.capacity import MIN_HEADROOM, NodePool, PoolSettings, full_density_pods, group_demand, node_pool
from ekslab.config.model import LabConfig
from ekslab.errors import InputError
from ekslab.ledger.subnets import SubnetLedger
from ekslab.limits import HOST_NETWORK_PODS, IPS_PER_PREFIX, instance_type

NODE_GROUP_LABEL: Final = "eks.amazonaws.com/nodegroup"
"""Label EKS managed node groups put on their nodes."""
ZONE_LABEL: Final = "topology.kubernetes.io/zone"
INSTANCE_TYPE_LABEL: Final = "node.kubernetes.io/instance-type"
UNGROUPED: Final = "(no node group)"


@dataclass
class GroupNodes:
    """What the ledger saw of one node group's running nodes in one AZ."""

    availability_zone: str
    node_group: str
    instance_types: Counter[str] = field(default_factory=Counter)
    nodes: int = 0
    pods: dict[str, int] = field(default_factory=dict)
    """Pods with a VPC address per node name."""
    warm_addresses: int = 0
    node_subnets: Counter[str] = field(default_factory=Counter)
    pod_subnets: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class ForecastRow:
    availability_zone: str
    node_group: str
    instance_type: str | None
    nodes: int
    pods: int
    node_subnet: str | None
    pod_subnet: str | None
    per_node: NodePool | None
    more_nodes: int | None
    more_pods: int | None
    runs_out_first: str | None
    headroom: float | None
    max_size: int | None
    nodes_at_max: int | None
    scale_up_ok: bool | None
    warnings: tuple[str, ...] = ()
    problem: str | None = None


def forecast(
    groups: list[GroupNodes],
    subnets: Mapping[str, SubnetLedger],
    settings: PoolSettings,
    *,
    config: LabConfig | None,
    planned_subnet: Callable[[str, str], str | None],
) -> list[ForecastRow]:
    """One row per node group and AZ: the observed groups, and with ``config`` every planned one.

    ``planned_subnet(zone, tier)`` finds the ledger's subnet id of the lab's planned subnet.
    """
    by_key = {(group.node_group, group.availability_zone): group for group in groups}
    configured = {}
    if config is not None:
        for index, group in enumerate(config.node_groups):
            for zone in config.node_group_azs(group):
                configured[(group.name, zone)] = (index, group)
                by_key.setdefault((group.name, zone), GroupNodes(zone, group.name))
    rows = []
    for key in sorted(by_key, key=lambda item: (item[1], item[0])):
        observed = by_key[key]
        rows.append(_row(observed, subnets, settings, config, configured.get(key), planned_subnet))
    return rows


def _row(
    observed: GroupNodes,
    subnets: Mapping[str, SubnetLedger],
    settings: PoolSettings,
    config: LabConfig | None,
    configured: tuple[int, object] | None,
    planned_subnet: Callable[[str, str], str | None],
) -> ForecastRow:
    zone, name = observed.availability_zone, observed.node_group
    pods = sum(observed.pods.values())
    base = {"availability_zone": zone, "node_group": name, "nodes": observed.nodes, "pods": pods}
    max_size = nodes_at_max = None
    try:
        if configured is not None and config is not None:
            index, group = configured
            demand = group_demand(config, index, group, settings)  # type: ignore[arg-type]
            idle, full_pods = demand.idle, max(demand.kubelet_max_pods - HOST_NETWORK_PODS, 0)
            max_size, nodes_at_max = demand.max_size, demand.nodes_per_az
            type_name = (
                observed.instance_types.most_common(1)[0][0]
                if observed.instance_types
                else idle.instance_type
            )
        else:
            if not observed.instance_types:
                raise InputError(f"node group {name} in {zone}", "its nodes have no instance-type label")
            type_name = observed.instance_types.most_common(1)[0][0]
            limits = instance_type(type_name)
            idle = node_pool(limits, settings, 0)
            full_pods = full_density_pods(limits, settings)
    except InputError as error:
        return ForecastRow(
            **base,
            instance_type=None,
            node_subnet=None,
            pod_subnet=None,
            per_node=None,
            more_nodes=None,
            more_pods=None,
            runs_out_first=None,
            headroom=None,
            max_size=max_size,
            nodes_at_max=nodes_at_max,
            scale_up_ok=None,
            problem=error.message,
        )
    node_subnet = _most_common(observed.node_subnets) or planned_subnet(zone, "private")
    pod_subnet = node_subnet
    if settings.custom_networking:
        pod_subnet = _most_common(observed.pod_subnets) or planned_subnet(zone, "pod")
    problem = None
    limits_found: list[tuple[int, str]] = []
    if node_subnet is None or node_subnet not in subnets:
        problem = (
            "no node subnet known in this AZ (no running node, no --config)"
            if config is None
            else "no node subnet known in this AZ (no running node there, and no subnet of the input "
            "has the lab's planned CIDR)"
        )
    elif pod_subnet is None or pod_subnet not in subnets:
        problem = "no pod subnet known in this AZ (custom networking without an ENIConfig or pod ENI)"
    else:
        if settings.custom_networking and pod_subnet != node_subnet:
            limits_found.append((_fits(subnets[node_subnet], idle.node_subnet_addresses, 0), node_subnet))
            limits_found.append(
                (_fits_pool(subnets[pod_subnet], idle, idle.pod_subnet_addresses), pod_subnet)
            )
        else:
            limits_found.append((_fits_pool(subnets[node_subnet], idle, idle.subnet_addresses), node_subnet))
    more_nodes = runs_out = headroom = more_pods = None
    warnings: list[str] = []
    scale_up_ok = None
    if limits_found:
        more_nodes, runs_out = min(limits_found, key=lambda item: (item[0], subnets[item[1]].headroom))
        headroom = min(subnets[subnet].headroom for _, subnet in limits_found)
        give = _addresses_to_give(subnets[pod_subnet], idle.prefix_delegation)  # type: ignore[index]
        room = sum(max(full_pods - count, 0) for count in observed.pods.values())
        room += max(observed.nodes - len(observed.pods), 0) * full_pods
        more_pods = min(room, observed.warm_addresses + give)
        for _, subnet in limits_found:
            share = subnets[subnet].headroom
            if share < MIN_HEADROOM:
                warnings.append(
                    f"subnet {subnet} keeps {share:.0%} of its usable addresses free, under {MIN_HEADROOM:.0%}"
                )
        if nodes_at_max is not None:
            to_add = max(nodes_at_max - observed.nodes, 0)
            scale_up_ok = to_add <= more_nodes
            if not scale_up_ok:
                warnings.append(
                    f"scaling {name} to its max size adds {to_add} node(s) in {zone}, but subnet {runs_out} "
                    f"has room for the warm pools of {more_nodes}"
                )
    return ForecastRow(
        **base,
        instance_type=type_name,
        node_subnet=node_subnet,
        pod_subnet=pod_subnet,
        per_node=idle,
        more_nodes=more_nodes,
        more_pods=more_pods,
        runs_out_first=runs_out,
        headroom=headroom,
        max_size=max_size,
        nodes_at_max=nodes_at_max,
        scale_up_ok=scale_up_ok,
        warnings=tuple(warnings),
        problem=problem,
    )


def _fits_pool(subnet: SubnetLedger, pool: NodePool, addresses: int) -> int:
    """New nodes whose ``addresses`` (pool plus ENI primaries) this subnet can still give."""
    prefixes = (pool.prefixes or 0) if pool.prefix_delegation else 0
    singles = addresses - prefixes * IPS_PER_PREFIX
    return _fits(subnet, singles, prefixes)


def _fits(subnet: SubnetLedger, singles: int, prefixes: int) -> int:
    """The largest n such that n nodes' single addresses and /28 prefixes fit in the subnet."""
    free = subnet.free_now
    if singles <= 0 and prefixes <= 0:
        return free  # nothing to take: bounded by the addresses anyway

    def fits(count: int) -> bool:
        if count * (singles + prefixes * IPS_PER_PREFIX) > free:
            return False
        if not prefixes:
            return True
        spill = max(count * singles - subnet.fragmented_free, 0)
        return count * prefixes + -(-spill // IPS_PER_PREFIX) <= subnet.free_28_blocks

    low, high = 0, free // max(singles + prefixes * IPS_PER_PREFIX, 1)
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return low


def _addresses_to_give(subnet: SubnetLedger, prefix_delegation: bool) -> int:
    if prefix_delegation:
        return subnet.free_28_blocks * IPS_PER_PREFIX
    return subnet.free_now


def _most_common(counter: Counter[str]) -> str | None:
    return counter.most_common(1)[0][0] if counter else None
