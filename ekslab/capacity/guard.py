"""Synth-time IP capacity guard: refuse a lab whose subnets cannot feed its warm pools.

``ekslab.lab.check_lab`` calls ``check_capacity`` for every lab (synth, ``ekslab config
check``, ``ekslab plan capacity``), so the same model judges a lab everywhere:

* error: with every node group at max size and no pods, the warm pools ipamd keeps (plus each ENI's
  own address) need more addresses than an AZ's subnet has free;
* warning: at full pod density the subnet would run out, or keep under 20% of its free addresses;
* warning (prefix delegation): the subnet may not have enough whole /28 blocks left once single
  addresses fragment it.

Each finding is one line naming the AZ and subnet, the numbers, and the settings that would fix it.
"""

from __future__ import annotations

from ekslab.capacity.planner import MIN_HEADROOM, CapacityPlan, SubnetCapacity, plan_capacity
from ekslab.capacity.warm_pool import PoolSettings
from ekslab.config.findings import Findings
from ekslab.config.model import LabConfig
from ekslab.errors import InputError
from ekslab.network.subnets import Tier

_SUBNET_SETTING = {
    Tier.PRIVATE: "network.subnets.privatePrefixLength",
    Tier.POD: "network.podSubnets.prefixLength",
}


def check_capacity(config: LabConfig, findings: Findings) -> None:
    """Add an error per subnet that cannot hold its warm pools at max size, warnings for near misses."""
    try:
        plan = plan_capacity(config)
    except InputError as error:  # an instance type the limits table does not know
        findings.errors.append(error)
        return
    for subnet in plan.subnets:
        if subnet.nodes_at_max:
            _check_subnet(plan, subnet, findings)


def _check_subnet(plan: CapacityPlan, subnet: SubnetCapacity, findings: Findings) -> None:
    where = f"{subnet.availability_zone} {subnet.tier.value} subnet {subnet.cidr}"
    fix = _settings_to_change(plan, subnet)
    nodes = f"{subnet.nodes_at_max} node{'s' if subnet.nodes_at_max != 1 else ''} at max size"
    if subnet.warm_pool_shortfall:
        findings.error(
            where,
            f"cannot hold the warm pools of {nodes}: {subnet.warm_pool_addresses} addresses needed, "
            f"{subnet.free_addresses} free, {subnet.warm_pool_shortfall} short",
            hint=fix,
        )
        return
    if subnet.headroom < 0:
        findings.warning(
            where,
            f"runs out at full pod density: {nodes} need {subnet.full_density_addresses} addresses, "
            f"{subnet.free_addresses} free, {-subnet.headroom} short",
            hint=fix,
        )
    elif subnet.headroom_ratio < MIN_HEADROOM:
        findings.warning(
            where,
            f"keeps {subnet.headroom_ratio:.0%} of its addresses free at full pod density, under "
            f"{MIN_HEADROOM:.0%}: {nodes} need {subnet.full_density_addresses} of {subnet.free_addresses}",
            hint=fix,
        )
    if subnet.contiguous_prefixes_ok is False:
        findings.warning(
            where,
            f"may not have {subnet.prefixes_at_full} whole /28 blocks for prefixes at full pod density: "
            f"only {subnet.prefix_blocks_free_worst_case} are certain if single addresses fragment it",
            hint=f"reserve a prefix range (EC2 subnet CIDR reservation of type prefix) or change "
            f"{_SUBNET_SETTING[subnet.tier]}",
        )


def _settings_to_change(plan: CapacityPlan, subnet: SubnetCapacity) -> str:
    groups = [group for group in plan.groups if group.index in subnet.groups]
    prefix_delegation = any(group.full.prefix_delegation for group in groups)
    settings = []
    if _holds_pods(plan.settings, subnet.tier):
        settings.append(_pool_setting(plan.settings, prefix_delegation))
    settings += [f"nodeGroups[{index}].maxSize" for index in subnet.groups]
    settings.append(_SUBNET_SETTING[subnet.tier])
    return "change " + ", ".join(settings[:-1]) + " or " + settings[-1]


def _holds_pods(settings: PoolSettings, tier: Tier) -> bool:
    # IPv6 pods use /80 prefixes; with custom networking the private subnet holds node IPs only.
    return not settings.ipv6 and (tier is Tier.POD or not settings.custom_networking)


def _pool_setting(settings: PoolSettings, prefix_delegation: bool) -> str:
    if settings.warm_ip_targets_defined:
        return "cni.env.WARM_IP_TARGET / MINIMUM_IP_TARGET"
    if prefix_delegation:
        return "cni.env.WARM_PREFIX_TARGET / WARM_IP_TARGET + MINIMUM_IP_TARGET"
    return "cni.env.WARM_ENI_TARGET / WARM_IP_TARGET + MINIMUM_IP_TARGET"
