"""Per-AZ IPv4 capacity of a lab: node groups at max size against the subnets they draw from.

For every AZ and every subnet that nodes or pods draw from (the private subnet; with custom
networking also the pod subnet), the plan adds up, over the node groups in that AZ at max size:

* the addresses their warm pools hold at 0 pods (``warm_pool_addresses``: the pool plus each ENI's
  primary address, the node IP included), and
* the addresses they hold at full pod density (``full_density_addresses``: kubelet's max pods minus
  the two host-network pods, each pod with an address, plus whatever warm pool ipamd still keeps),

and compares them with the subnet's free addresses (its size minus the five AWS reserves). A managed
node group spreads its nodes evenly over its AZs, so one AZ holds at most ``ceil(maxSize / AZs)``
of them. Nodes get the max pods the cluster construct passes (``ekslab.cni.node_config.node_max_pods``:
with prefix delegation, custom networking or MAX_ENI, the smallest value over the group's types),
else the AMI's default. A group with several instance types is counted with the type that needs the
most addresses.
With prefix delegation the plan also asks whether the subnet still has enough whole, aligned /28
blocks: in the worst case every single address (node IPs, ENI primary addresses) sits in a
different /28 block and spoils it for prefixes.

Other users of the subnets (load balancers, VPC endpoints) are not known at synth and not counted.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Final

from ekslab.capacity.warm_pool import NodePool, PoolSettings, node_max_pods, node_pool
from ekslab.cni.node_config import node_max_pods as lab_node_max_pods
from ekslab.config.model import IpFamily, LabConfig, NodeGroup
from ekslab.errors import InputError
from ekslab.limits import HOST_NETWORK_PODS, IPS_PER_PREFIX, InstanceTypeLimits, instance_type
from ekslab.network.addresses import usable_addresses
from ekslab.network.subnets import PlannedSubnet, Tier

MIN_HEADROOM: Final = 0.20
"""Below 20% of a subnet's free addresses left at full pod density, the guard warns."""


@dataclass(frozen=True)
class GroupDemand:
    """What one node's ENIs take, for a node group: idle (0 pods) and at full pod density."""

    index: int
    name: str
    availability_zones: tuple[str, ...]
    max_size: int
    nodes_per_az: int
    idle: NodePool
    full: NodePool
    kubelet_max_pods: int


@dataclass(frozen=True)
class SubnetCapacity:
    """One subnet of one AZ: how many addresses the node groups at max size take from it."""

    availability_zone: str
    tier: Tier
    cidr: ipaddress.IPv4Network
    nodes_at_max: int
    groups: tuple[int, ...]
    """Indexes (in ``nodeGroups``) of the groups with nodes in this AZ."""
    warm_pool_addresses: int
    full_density_addresses: int
    prefixes_at_full: int | None
    """/28 prefixes in this subnet at full density; None without prefix delegation."""

    @property
    def free_addresses(self) -> int:
        return usable_addresses(self.cidr)

    @property
    def warm_pool_shortfall(self) -> int:
        return max(self.warm_pool_addresses - self.free_addresses, 0)

    @property
    def headroom(self) -> int:
        """Free addresses left with every node at max size and full pod density (negative = short)."""
        return self.free_addresses - self.full_density_addresses

    @property
    def headroom_ratio(self) -> float:
        return self.headroom / self.free_addresses

    @property
    def prefix_blocks(self) -> int:
        """Aligned /28 blocks of the subnet that hold no AWS-reserved address."""
        blocks = self.cidr.num_addresses // IPS_PER_PREFIX
        reserved = min(blocks, 2)  # the first four addresses and the last one
        return blocks - reserved

    @property
    def prefix_blocks_free_worst_case(self) -> int | None:
        """/28 blocks left for prefixes if every single address spoils its own block."""
        if self.prefixes_at_full is None:
            return None
        singles = self.full_density_addresses - self.prefixes_at_full * IPS_PER_PREFIX
        return max(self.prefix_blocks - singles, 0)

    @property
    def contiguous_prefixes_ok(self) -> bool | None:
        worst = self.prefix_blocks_free_worst_case
        return None if worst is None or self.prefixes_at_full is None else self.prefixes_at_full <= worst


@dataclass(frozen=True)
class CapacityPlan:
    settings: PoolSettings
    groups: tuple[GroupDemand, ...]
    subnets: tuple[SubnetCapacity, ...]


def pool_settings(config: LabConfig) -> PoolSettings:
    """The lab's ipamd settings (``cni.env`` plus custom networking from ``network.podSubnets``)."""
    return PoolSettings.from_env(
        config.cni.env,
        custom_networking=config.network.pod_subnets.enabled,
        ipv6=config.cluster.ip_family is IpFamily.IPV6,
    )


def group_demand(config: LabConfig, index: int, group: NodeGroup, settings: PoolSettings) -> GroupDemand:
    """Per-node demand of a node group, with its most demanding instance type.

    Raises InputError for an instance type missing from the limits table.
    """
    types = [_limits(index, position, name) for position, name in enumerate(group.instance_types)]
    # What the cluster construct passes to the group's nodes (None: the AMI's default per type).
    passed = lab_node_max_pods(config, group)
    pools = [(limits, node_max_pods(limits, settings) if passed is None else passed) for limits in types]
    idle = max((node_pool(limits, settings, 0, max_pods=kubelet) for limits, kubelet in pools), key=_demand)
    full, kubelet_max_pods = max(
        (
            (node_pool(limits, settings, max(kubelet - HOST_NETWORK_PODS, 0), max_pods=kubelet), kubelet)
            for limits, kubelet in pools
        ),
        key=lambda item: _demand(item[0]),
    )
    zones = tuple(config.node_group_azs(group))
    return GroupDemand(
        index=index,
        name=group.name,
        availability_zones=zones,
        max_size=group.max_size,
        nodes_per_az=-(-group.max_size // len(zones)),
        idle=idle,
        full=full,
        kubelet_max_pods=kubelet_max_pods,
    )


def plan_capacity(config: LabConfig) -> CapacityPlan:
    """The capacity of every subnet nodes and pods draw from, per AZ, with node groups at max size."""
    settings = pool_settings(config)
    groups = tuple(
        group_demand(config, index, group, settings) for index, group in enumerate(config.node_groups)
    )
    plan = config.network.subnet_plan
    subnets: list[SubnetCapacity] = []
    for zone in config.network.availability_zones:
        in_zone = [group for group in groups if zone in group.availability_zones]
        private = plan.get(zone, Tier.PRIVATE)
        pod = plan.get(zone, Tier.POD) if settings.custom_networking else None
        if private is not None:
            subnets.append(_subnet(private, in_zone, pods_here=pod is None))
        if pod is not None:
            subnets.append(_subnet(pod, in_zone, pods_here=True, node_addresses=False))
    return CapacityPlan(settings=settings, groups=groups, subnets=tuple(subnets))


def _subnet(
    subnet: PlannedSubnet, groups: list[GroupDemand], *, pods_here: bool, node_addresses: bool = True
) -> SubnetCapacity:
    def taken(pool: NodePool) -> int:
        node = pool.node_subnet_addresses if node_addresses else 0
        return node + (pool.pod_subnet_addresses if pods_here else 0)

    def prefixes(pool: NodePool) -> int:
        return pool.prefixes or 0

    prefix_delegation = any(group.full.prefix_delegation for group in groups) and pods_here
    return SubnetCapacity(
        availability_zone=subnet.availability_zone,
        tier=subnet.tier,
        cidr=subnet.cidr,
        nodes_at_max=sum(group.nodes_per_az for group in groups),
        groups=tuple(group.index for group in groups),
        warm_pool_addresses=sum(group.nodes_per_az * taken(group.idle) for group in groups),
        full_density_addresses=sum(group.nodes_per_az * taken(group.full) for group in groups),
        prefixes_at_full=(
            sum(group.nodes_per_az * prefixes(group.full) for group in groups) if prefix_delegation else None
        ),
    )


def _demand(pool: NodePool) -> tuple[int, int]:
    return (pool.subnet_addresses, pool.pod_subnet_addresses)


def _limits(group_index: int, position: int, name: str) -> InstanceTypeLimits:
    try:
        return instance_type(name)
    except InputError as error:
        raise InputError(
            f"nodeGroups[{group_index}].instanceTypes[{position}]", error.rule, name, hint=error.hint
        ) from None
