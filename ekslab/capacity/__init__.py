"""IPv4 capacity planning for the VPC CNI: warm pools per node, and per-AZ subnet demand.

    from ekslab.capacity import PoolSettings, node_pool, plan_capacity
    node_pool(instance_type("m5.large"), PoolSettings(), 0).subnet_addresses    # 10
    plan_capacity(config).subnets                                                 # one row per AZ and subnet

``ekslab.capacity.guard.check_capacity`` turns the plan into synth-time errors and warnings; see
docs/capacity.md for the rules and their sources.
"""

from __future__ import annotations

from ekslab.capacity.planner import (
    MIN_HEADROOM,
    CapacityPlan,
    GroupDemand,
    SubnetCapacity,
    group_demand,
    plan_capacity,
    pool_settings,
)
from ekslab.capacity.warm_pool import NodePool, PoolSettings, full_density_pods, node_max_pods, node_pool

__all__ = [
    "MIN_HEADROOM",
    "CapacityPlan",
    "GroupDemand",
    "NodePool",
    "PoolSettings",
    "SubnetCapacity",
    "full_density_pods",
    "group_demand",
    "node_max_pods",
    "node_pool",
    "plan_capacity",
    "pool_settings",
]
