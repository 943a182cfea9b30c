"""From a cluster snapshot (bundle or live) to the ledger: subnets, forecast, plan vs reality.

Reads only records (``ekslab.sources.records``) through the snapshot verify reads, so a bundle and a
live VPC give the same ledger. Optional inputs that are missing are named in ``missing`` with the
command that makes them, and what the ledger did without them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from ekslab.capacity import PoolSettings, pool_settings
from ekslab.capacity.warm_pool import DEFAULT_WARM_ENI_TARGET, DEFAULT_WARM_PREFIX_TARGET
from ekslab.config.model import LabConfig
from ekslab.ipamd.env import canonical_setting
from ekslab.ledger.forecast import (
    INSTANCE_TYPE_LABEL,
    NODE_GROUP_LABEL,
    UNGROUPED,
    ZONE_LABEL,
    ForecastRow,
    GroupNodes,
    forecast,
)
from ekslab.ledger.owners import eni_owner
from ekslab.ledger.plan import PlanRow, plan_vs_reality
from ekslab.ledger.subnets import LedgerBuilder, SubnetLedger
from ekslab.network.addresses import ipv4_network, ipv4_texts
from ekslab.network.subnets import Tier
from ekslab.sources import bundle as layout
from ekslab.sources.records import AWS_NODE_CONTAINER, CNI_ROLE_TAG, EniRecord, NodeRecord
from ekslab.sources.snapshot import ClusterSnapshot

UNKNOWN_ZONE: Final = "(unknown AZ)"
FINISHED_PHASES: Final = frozenset({"Succeeded", "Failed"})
"""Pods in these phases no longer hold their address (the CNI released it)."""
ELB_ROLE_TAG: Final = "kubernetes.io/role/elb"
INTERNAL_ELB_ROLE_TAG: Final = "kubernetes.io/role/internal-elb"


@dataclass
class Ledger:
    source: str
    vpc_id: str | None
    subnets: list[SubnetLedger]
    forecast: list[ForecastRow]
    plan: list[PlanRow] | None
    settings: PoolSettings
    settings_source: str
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        found = []
        for subnet in self.subnets:
            if subnet.mismatch:
                found.append(
                    f"subnet {subnet.subnet_id}: EC2 counts {subnet.free} free addresses, the ledger "
                    f"{subnet.free_in_ledger} ({subnet.mismatch:+d}); EC2's count is the truth at the moment "
                    "of its call"
                )
        for row in self.forecast:
            found.extend(f"{row.node_group} in {row.availability_zone}: {text}" for text in row.warnings)
        return found

    @property
    def failures(self) -> list[ForecastRow]:
        return [row for row in self.forecast if row.scale_up_ok is False]

    def exit_code(self) -> int:
        return 1 if self.failures else 0


def build_ledger(snapshot: ClusterSnapshot, *, config: LabConfig | None = None) -> Ledger:
    """The ledger of ``snapshot``'s VPC; ``config`` adds roles, max sizes and plan vs reality."""
    missing: list[str] = []
    settings, settings_source = _settings(snapshot, config, missing)
    pod_ips = _pod_ips(snapshot, missing)
    nodes_by_instance = {
        node.instance_id: node for node in snapshot.nodes.values() if node.instance_id and not node.is_fargate
    }
    builder = LedgerBuilder(snapshot.subnets.values(), _roles(snapshot, config))
    groups = _NodeGroups(snapshot, nodes_by_instance)
    for eni in snapshot.enis.values():
        owner = eni_owner(eni, node_instances=nodes_by_instance, pod_ips=pod_ips)
        builder.add_eni(eni, owner, pod_ips)
        node = nodes_by_instance.get(eni.instance_id or "")
        if owner.node and node is not None:
            groups.add_eni(node, eni, pod_ips, settings)
    held = Counter(
        pod.node for pod in snapshot.pods if pod.node and pod.ip in pod_ips and not pod.host_network
    )
    for node_name, pods in held.items():
        groups.add_pods(node_name, pods)
    if snapshot.cidr_reservations is None:
        missing.append(
            f"{layout.CIDR_RESERVATIONS_DIR}/<subnet id>.json (`{layout.CIDR_RESERVATIONS_COMMAND}`): "
            "not in the input; CIDR reservations are not counted"
        )
    else:
        for subnet_id in builder.subnets:
            reservations = snapshot.cidr_reservations.get(subnet_id)
            if reservations is None:
                missing.append(
                    f"{layout.CIDR_RESERVATIONS_DIR}/{subnet_id}.json: not in the input; "
                    f"CIDR reservations of {subnet_id} are not counted"
                )
            else:
                builder.add_reservations(subnet_id, reservations)
    subnets = builder.finish()
    for subnet in subnets:
        if subnet.free is None:
            missing.append(
                f"{layout.SUBNETS.path}: subnet {subnet.subnet_id} has no AvailableIpAddressCount; "
                "the ledger's own free count is used"
            )
    by_id = {subnet.subnet_id: subnet for subnet in subnets}
    rows = forecast(
        groups.finish(),
        by_id,
        settings,
        config=config,
        planned_subnet=_planned_subnet_finder(config, by_id),
    )
    plan = plan_vs_reality(config, by_id, groups.nodes_by_subnet) if config is not None else None
    return Ledger(
        source=snapshot.source,
        vpc_id=snapshot.vpcs[0].vpc_id if snapshot.vpcs else None,
        subnets=subnets,
        forecast=rows,
        plan=plan,
        settings=settings,
        settings_source=settings_source,
        missing=missing,
        notes=[*snapshot.notes, *builder.notes],
    )


# --- inputs --------------------------------------------------------------------------------------


def _settings(
    snapshot: ClusterSnapshot, config: LabConfig | None, missing: list[str]
) -> tuple[PoolSettings, str]:
    """The running ipamd settings (the aws-node DaemonSet's env), else the lab's, else the CNI's defaults."""
    env = (snapshot.daemonset_env or {}).get(AWS_NODE_CONTAINER)
    if env is not None:
        return running_settings(env), "the aws-node DaemonSet"
    fallback = "the lab configuration's" if config is not None else "the CNI's default"
    missing.append(
        f"{layout.DAEMONSET.path} ({layout.DAEMONSET.expected}): not in the input; the forecast uses "
        f"{fallback} settings"
    )
    if config is not None:
        return pool_settings(config), "the lab configuration"
    return PoolSettings(), "the CNI defaults"


def running_settings(env: dict[str, str | None]) -> PoolSettings:
    """``PoolSettings`` from the aws-node container's env (unset or unreadable values: CNI defaults)."""

    def flag(key: str) -> bool:
        return canonical_setting(key, env.get(key)) == "true"

    def number(key: str) -> int | None:
        text = canonical_setting(key, env.get(key))
        return int(text) if text.lstrip("-").isdigit() else None

    def target(key: str, default: int) -> int:
        value = number(key)
        return default if value is None else value

    return PoolSettings(
        prefix_delegation=flag("ENABLE_PREFIX_DELEGATION"),
        warm_eni_target=target("WARM_ENI_TARGET", DEFAULT_WARM_ENI_TARGET),
        warm_ip_target=target("WARM_IP_TARGET", 0),
        minimum_ip_target=target("MINIMUM_IP_TARGET", 0),
        warm_prefix_target=target("WARM_PREFIX_TARGET", DEFAULT_WARM_PREFIX_TARGET),
        max_eni=number("MAX_ENI"),
        custom_networking=flag("AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG"),
        pod_eni=flag("ENABLE_POD_ENI"),
        ipv6=flag("ENABLE_IPv6"),
    )


def _pod_ips(snapshot: ClusterSnapshot, missing: list[str]) -> frozenset[str]:
    """Addresses pods hold: running pods' IPs and branch ENIs, plus what ipamd lists as assigned."""
    ips: set[str] = set()
    for pod in snapshot.pods:
        if pod.host_network or pod.phase in FINISHED_PHASES:
            continue
        if pod.ip:
            ips.add(pod.ip)
        for branch in pod.branch_enis or ():
            if branch.private_ip:
                ips.add(branch.private_ip)
    if not snapshot.ipamd_collected:
        missing.append(
            f"{layout.IPAMD_DIR}/<node>/enis.json (ipamd introspection): not in the input; pod vs warm pool "
            "comes from the pod list alone"
        )
    for node in snapshot.ipamd.values():
        if node.enis is not None:
            ips.update(address.ip for _, address in node.enis.assigned())
    return frozenset(ips)


def _roles(snapshot: ClusterSnapshot, config: LabConfig | None) -> dict[str, str]:
    """public / private / pod per subnet: the lab's plan (by CIDR), ENIConfigs, then the role tags."""
    roles: dict[str, str] = {}
    planned = {}
    if config is not None:
        planned = {str(subnet.cidr): subnet.tier.value for subnet in config.network.subnet_plan.subnets}
    pod_subnets = {record.subnet_id for record in (snapshot.eniconfigs or {}).values() if record.subnet_id}
    for subnet in snapshot.subnets.values():
        tags = subnet.tags
        cidr = next(iter(subnet.cidrs), "")
        if cidr in planned:
            roles[subnet.subnet_id] = planned[cidr]
        elif subnet.subnet_id in pod_subnets:
            roles[subnet.subnet_id] = Tier.POD.value
        elif tags.get(ELB_ROLE_TAG) == "1":
            roles[subnet.subnet_id] = Tier.PUBLIC.value
        elif tags.get(INTERNAL_ELB_ROLE_TAG) == "1":
            roles[subnet.subnet_id] = Tier.PRIVATE.value
        elif tags.get(CNI_ROLE_TAG) == "1":
            roles[subnet.subnet_id] = Tier.POD.value
    return roles


def _planned_subnet_finder(
    config: LabConfig | None, subnets: dict[str, SubnetLedger]
) -> Callable[[str, str], str | None]:
    """``find(zone, tier)``: the id of the observed subnet with the lab's planned CIDR there."""
    by_cidr = {str(ledger.network): ledger.subnet_id for ledger in subnets.values()}

    def find(zone: str, tier: str) -> str | None:
        if config is None:
            return None
        planned = config.network.subnet_plan.get(zone, Tier(tier))
        return by_cidr.get(str(planned.cidr)) if planned is not None else None

    return find


# --- node groups ---------------------------------------------------------------------------------


class _NodeGroups:
    """The cluster's nodes (not Fargate's) by node group and AZ, with their ENIs' subnets and pods.

    A node's AZ is its ``topology.kubernetes.io/zone`` label, else the AZ of its primary ENI's subnet.
    """

    def __init__(self, snapshot: ClusterSnapshot, nodes_by_instance: dict[str, NodeRecord]) -> None:
        primary_subnet = {
            eni.instance_id: eni.subnet_id
            for eni in snapshot.enis.values()
            if eni.instance_id in nodes_by_instance and eni.device_index == 0
        }
        self.groups: dict[tuple[str, str], GroupNodes] = {}
        self.of_node: dict[str, GroupNodes] = {}
        self.nodes_by_subnet: Counter[str] = Counter()
        for instance, node in nodes_by_instance.items():
            zone = node.labels.get(ZONE_LABEL)
            if not zone:
                subnet = snapshot.subnets.get(primary_subnet.get(instance) or "")
                zone = subnet.availability_zone if subnet else None
            key = (node.labels.get(NODE_GROUP_LABEL) or UNGROUPED, zone or UNKNOWN_ZONE)
            group = self.groups.get(key)
            if group is None:
                group = self.groups[key] = GroupNodes(key[1], key[0])
            group.pods[node.name] = 0
            type_name = node.labels.get(INSTANCE_TYPE_LABEL)
            if type_name:
                group.instance_types[type_name] += 1
            self.of_node[node.name] = group

    def add_eni(
        self, node: NodeRecord, eni: EniRecord, pod_ips: frozenset[str], settings: PoolSettings
    ) -> None:
        group = self.of_node[node.name]
        subnet = eni.subnet_id or ""
        if eni.device_index == 0:
            group.node_subnets[subnet] += 1
            self.nodes_by_subnet[subnet] += 1
        elif eni.interface_type != "trunk" and settings.custom_networking:
            group.pod_subnets[subnet] += 1
        held = pod_ips.__contains__
        group.warm_addresses += len(eni.secondary_ips) - sum(map(held, eni.secondary_ips))
        for prefix in eni.ipv4_prefixes:
            network = ipv4_network(prefix)
            if network is not None:
                first, size = network
                group.warm_addresses += size - sum(map(held, ipv4_texts(first, size)))

    def add_pods(self, node_name: str, pods: int) -> None:
        group = self.of_node.get(node_name)
        if group is not None:
            group.pods[node_name] += pods

    def finish(self) -> list[GroupNodes]:
        for group in self.groups.values():
            group.nodes = len(group.pods)
        return list(self.groups.values())
