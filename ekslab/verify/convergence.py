"""Convergence: did the CNI settings in force reach each node? Five per-node checks, pure functions.

A setting change on the aws-node DaemonSet reaches ipamd within a restart, but not what a node fixed
at boot: kubelet's max pods, the ENIs already attached (their subnet, their security groups, their
secondary IPs or prefixes) and the trunk ENI. Each check compares what the node has with what the
settings in force give, and each ``fail`` says whether replacing the node fixes it
(``CheckResult.replacing_fixes``); docs/verification.md §4a cites the source of every rule.

* ``max_pods``: ``status.capacity.pods`` against ``ekslab.limits`` (secondary IPs or prefixes,
  custom networking, MAX_ENI, the 110/250 cap) or the lab's NodeConfig value for the node's group.
* ``prefix_delegation``: prefixes (IPv4 /28, IPv6 /80) and no secondary IPs on the pod ENIs when
  ENABLE_PREFIX_DELEGATION is on, and the reverse when it is off; pods' IPs agree.
* ``eni_subnet``: with custom networking every pod ENI is in the subnet and security groups of the
  node's ENIConfig; with enhanced subnet discovery no pod ENI is in an excluded or untagged subnet;
  with neither, pod ENIs are in the node's subnet.
* ``trunk_eni``: with ENABLE_POD_ENI a trunk ENI, the ``has-trunk-attached`` label and the
  ``vpc.amazonaws.com/pod-eni`` capacity.
* ``warm_pool``: ipamd's idle addresses against what WARM_ENI_TARGET / WARM_IP_TARGET /
  MINIMUM_IP_TARGET / WARM_PREFIX_TARGET imply, by the model ``ekslab plan capacity`` uses
  (``ekslab.capacity.warm_pool.node_pool``).

Settings in force on a node (``NodeSettings``): the node's ``ipamd-env-settings`` for a key it
reports, else the aws-node DaemonSet's env, else the CNI default when the DaemonSet leaves the key
unset. A check whose input is missing is ``skip`` naming the file, never a pass.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from ekslab.capacity import PoolSettings, node_pool
from ekslab.ipamd.env import canonical_setting
from ekslab.ipamd.models import NodeIpamd
from ekslab.limits import IPS_PER_PREFIX, InstanceTypeLimits, is_nitro, max_pods
from ekslab.network.addresses import parse_network, usable_addresses
from ekslab.sources.records import (
    AWS_NODE_CONTAINER,
    NODEGROUP_LABEL,
    EniConfigRecord,
    EniRecord,
    NodeRecord,
    SubnetRecord,
)
from ekslab.verify.results import (
    FAIL,
    PASS,
    PREFIX,
    SECONDARY_IP,
    SKIP,
    CheckResult,
    NodeResult,
    PodResult,
)

if TYPE_CHECKING:
    from ekslab.config.model import LabConfig
    from ekslab.sources.snapshot import ClusterSnapshot
    from ekslab.verify.context import Expectations
    from ekslab.verify.recycle import RecyclePlan

MAX_PODS: Final = "max_pods"
PREFIX_DELEGATION: Final = "prefix_delegation"
ENI_SUBNET: Final = "eni_subnet"
TRUNK_ENI: Final = "trunk_eni"
WARM_POOL: Final = "warm_pool"
CHECKS: Final = (MAX_PODS, PREFIX_DELEGATION, ENI_SUBNET, TRUNK_ENI, WARM_POOL)

INSTANCE_TYPE_LABEL: Final = "node.kubernetes.io/instance-type"
ZONE_LABEL: Final = "topology.kubernetes.io/zone"
HAS_TRUNK_LABEL: Final = "vpc.amazonaws.com/has-trunk-attached"
"""Set by ipamd with ENABLE_POD_ENI, ``true`` once the resource controller attached the trunk (CNI README)."""
TRUNK: Final = "trunk"
EXCLUDED_ROLE: Final = "0"
"""``kubernetes.io/role/cni=0`` excludes a subnet, the node's own too (CNI v1.22.1, awsutils.go)."""
LOW_FREE_SHARE: Final = 0.20
"""warm_pool fails when idle addresses exceed the model while the subnet has less than this free."""

DAEMONSET_FILE: Final = "aws-node-daemonset.json"
IPAMD_SETTINGS_FILE: Final = "ipamd-env-settings.json"

# CNI defaults of the settings the checks read (cni-facts.md §2.1; WARM_PREFIX_TARGET: the add-on's 1,
# as ``ekslab plan capacity`` assumes, §2.2). MAX_ENI unset means "no cap".
DEFAULTS: Final[Mapping[str, str | None]] = {
    "ENABLE_PREFIX_DELEGATION": "false",
    "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": "false",
    "ENABLE_POD_ENI": "false",
    "ENABLE_SUBNET_DISCOVERY": "true",
    "ENABLE_IPv6": "false",
    "MAX_ENI": None,
    "WARM_ENI_TARGET": "1",
    "WARM_IP_TARGET": "0",
    "MINIMUM_IP_TARGET": "0",
    "WARM_PREFIX_TARGET": "1",
}
_POOL_KEYS: Final = (
    "ENABLE_PREFIX_DELEGATION",
    "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG",
    "ENABLE_POD_ENI",
    "ENABLE_IPv6",
    "MAX_ENI",
    "WARM_ENI_TARGET",
    "WARM_IP_TARGET",
    "MINIMUM_IP_TARGET",
    "WARM_PREFIX_TARGET",
)


class _Unknown(Exception):
    """A setting whose value is not in the input; ``str()`` names what is missing."""


class NodeSettings:
    """The settings in force on one node (module docstring), by canonical text."""

    def __init__(
        self, ipamd_env: Mapping[str, Any] | None, daemonset_env: Mapping[str, str | None] | None
    ) -> None:
        self.ipamd_env = ipamd_env
        self.daemonset_env = daemonset_env

    def text(self, key: str) -> str | None:
        """Canonical value, ``None`` for "unset" (MAX_ENI); raises ``_Unknown`` when not in the input."""
        if self.ipamd_env is not None and key in self.ipamd_env:
            return canonical_setting(key, self.ipamd_env[key])
        if self.daemonset_env is None:
            raise _Unknown(f"needs {DAEMONSET_FILE} ({key} is not in ipamd's {IPAMD_SETTINGS_FILE} either)")
        if key in self.daemonset_env:
            value = self.daemonset_env[key]
            if value is None:
                raise _Unknown(f"{key} is set by valueFrom in {DAEMONSET_FILE}; its value is not known")
            if value.strip():
                return canonical_setting(key, value)
        return DEFAULTS[key]

    def flag(self, key: str) -> bool:
        text = self.text(key)
        if text not in ("true", "false"):
            raise _Unknown(f"{key}={text!r} is not a boolean")
        return text == "true"

    def number(self, key: str) -> int | None:
        text = self.text(key)
        if text is None:
            return None
        try:
            return int(text)
        except ValueError:
            raise _Unknown(f"{key}={text!r} is not a whole number") from None

    def pool(self) -> PoolSettings:
        """The warm-pool settings of ``ekslab plan capacity``'s model, from the settings in force."""
        values = {key: self.number(key) if key not in _FLAGS else self.flag(key) for key in _POOL_KEYS}
        return PoolSettings(
            prefix_delegation=bool(values["ENABLE_PREFIX_DELEGATION"]),
            warm_eni_target=_int(values["WARM_ENI_TARGET"]),
            warm_ip_target=_int(values["WARM_IP_TARGET"]),
            minimum_ip_target=_int(values["MINIMUM_IP_TARGET"]),
            warm_prefix_target=_int(values["WARM_PREFIX_TARGET"]),
            max_eni=_positive(values["MAX_ENI"]),
            custom_networking=bool(values["AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG"]),
            pod_eni=bool(values["ENABLE_POD_ENI"]),
            ipv6=bool(values["ENABLE_IPv6"]),
        )


_FLAGS: Final = frozenset(
    {"ENABLE_PREFIX_DELEGATION", "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG", "ENABLE_POD_ENI", "ENABLE_IPv6"}
)


def _int(value: Any) -> int:
    return max(int(value or 0), 0)


def _positive(value: Any) -> int | None:
    # ipamd ignores a MAX_ENI below 1 (getMaxENI: "MAX_ENI must be >= 1", falls back to no cap).
    return value if isinstance(value, int) and value >= 1 else None


@dataclass(frozen=True)
class NodeFacts:
    """What the checks read about one EC2 node, gathered by the verifier from its records."""

    node: NodeRecord
    enis: Sequence[EniRecord]
    """ENIs attached to the node's instance (EC2), in device order."""
    limits: InstanceTypeLimits | None
    settings: NodeSettings
    ipamd: NodeIpamd | None
    subnets: Mapping[str, SubnetRecord]
    eniconfig: EniConfigRecord | str | None
    """The node's ENIConfig, or why it is unknown (read only when custom networking is on)."""
    pod_addresses: Mapping[str, int]
    """The node's checked pods by ``PodResult.address_kind`` (secondary IP, prefix...)."""
    lab_max_pods: tuple[int, str] | None = None
    """The lab's NodeConfig maxPods for the node's group, and that group's name."""

    @property
    def instance_type(self) -> str | None:
        return self.node.labels.get(INSTANCE_TYPE_LABEL)

    @property
    def zone(self) -> str | None:
        zone = self.node.labels.get(ZONE_LABEL)
        if zone:
            return zone
        primary = self.primary_eni
        subnet = self.subnets.get(primary.subnet_id or "") if primary else None
        return subnet.availability_zone if subnet else None

    @property
    def primary_eni(self) -> EniRecord | None:
        return next((eni for eni in self.enis if (eni.device_index or 0) == 0 and not eni.network_card), None)

    def pod_enis(self, *, custom_networking: bool) -> list[EniRecord]:
        """ENIs that hold pod addresses: plain interfaces, not the primary one with custom networking."""
        primary = self.primary_eni
        return [
            eni
            for eni in self.enis
            if eni.interface_type in (None, "interface") and not (custom_networking and eni is primary)
        ]


class WarmPool(NamedTuple):
    check: CheckResult
    idle: int | None
    """Idle addresses ipamd holds on the node (for the per-AZ sum), None when not known."""


def check_node(facts: NodeFacts) -> tuple[list[CheckResult], int | None]:
    """The five checks of one EC2 node, and its idle addresses (None when unknown)."""
    warm = check_warm_pool(facts)
    checks = [
        check_max_pods(facts),
        check_prefix_delegation(facts),
        check_eni_subnet(facts),
        check_trunk_eni(facts),
        warm.check,
    ]
    return checks, warm.idle


def _skip(check: str, why: str) -> CheckResult:
    return CheckResult(check, SKIP, why)


def _fail(check: str, detail: str, *, fixes: bool) -> CheckResult:
    tail = "replacing the node fixes it" if fixes else "replacing the node does not fix it"
    return CheckResult(check, FAIL, f"{detail}; {tail}", replacing_fixes=fixes)


def _unknown_type(facts: NodeFacts, check: str) -> CheckResult | None:
    if not facts.instance_type:
        return _skip(check, f"the node has no {INSTANCE_TYPE_LABEL} label")
    if facts.limits is None:
        return _skip(check, f"instance type {facts.instance_type} is not in the ENI limits table")
    return None


# --- max_pods ------------------------------------------------------------------------------------


class _Formula(NamedTuple):
    value: int
    name: str
    text: str
    settings: tuple[bool, bool, int | None]  # prefix delegation, custom networking, MAX_ENI


def _formulas(limits: InstanceTypeLimits, max_eni: int | None) -> list[_Formula]:
    """Every value kubelet's max pods could come from on this type, simplest explanation first."""
    found: list[_Formula] = []
    for prefix in (False, True):
        for custom in (False, True):
            for cap_eni in dict.fromkeys((None, max_eni)):
                result = max_pods(limits, prefix_delegation=prefix, custom_networking=custom, max_eni=cap_eni)
                if prefix and not result.prefix_delegation:
                    continue  # not a Nitro type: no prefix formula exists
                name = "prefix-delegation formula" if prefix else "secondary-IP formula"
                if custom:
                    name += " with custom networking"
                if cap_eni is not None:
                    name += f" with MAX_ENI={cap_eni}"
                found.append(
                    _Formula(result.max_pods_uncapped, name, result.formula, (prefix, custom, cap_eni))
                )
                if result.cap is not None and result.max_pods != result.max_pods_uncapped:
                    found.append(
                        _Formula(
                            result.max_pods,
                            f"{name}, capped at {result.cap} ({result.vcpus} vCPUs)",
                            f"min({result.formula}, {result.cap})",
                            (prefix, custom, cap_eni),
                        )
                    )
    return found


def check_max_pods(facts: NodeFacts) -> CheckResult:
    node = facts.node
    if node.capacity_pods is None:
        return _skip(MAX_PODS, "the node reports no status.capacity.pods (nodes.json)")
    unknown = _unknown_type(facts, MAX_PODS)
    if unknown is not None:
        return unknown
    limits = facts.limits
    assert limits is not None
    try:
        prefix = facts.settings.flag("ENABLE_PREFIX_DELEGATION")
        custom = facts.settings.flag("AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG")
        max_eni = _positive(facts.settings.number("MAX_ENI"))
    except _Unknown as missing:
        return _skip(MAX_PODS, str(missing))
    formulas = _formulas(limits, max_eni)
    in_force = (prefix and is_nitro(limits), custom, max_eni)
    if facts.lab_max_pods is not None:
        expected, group = facts.lab_max_pods
        expected_name = f"the lab's NodeConfig maxPods for node group {group}"
    else:
        expected = _kubelet_value(limits, *in_force)
        expected_name = next(
            (f.name for f in formulas if f.value == expected and f.settings == in_force),
            "the settings in force",
        )
    value = node.capacity_pods
    matched = next((f for f in formulas if f.value == value and f.settings == in_force), None) or next(
        (f for f in formulas if f.value == value), None
    )
    if value == expected:
        how = f"{matched.name} for {limits.name}: {matched.text}" if matched else expected_name
        return CheckResult(MAX_PODS, PASS, f"{value} = {how}")
    if matched is None:
        return _fail(
            MAX_PODS,
            f"{value} matches no max-pods formula for {limits.name}; the settings in force give {expected} "
            f"({expected_name}): kubelet was given another value (a launch template or kubelet flag)",
            fixes=False,
        )
    cause = _started_before(matched.settings, in_force)
    return _fail(
        MAX_PODS,
        f"{value} = {matched.name} for {limits.name}; the settings in force give {expected} "
        f"({expected_name}): {cause}",
        fixes=True,
    )


def _kubelet_value(limits: InstanceTypeLimits, prefix: bool, custom: bool, max_eni: int | None) -> int:
    from ekslab.limits import kubelet_max_pods

    return kubelet_max_pods(limits, prefix_delegation=prefix, custom_networking=custom, max_eni=max_eni)


def _started_before(node_mode: tuple[bool, bool, int | None], in_force: tuple[bool, bool, int | None]) -> str:
    changes = []
    for key, was, now in (
        ("ENABLE_PREFIX_DELEGATION", node_mode[0], in_force[0]),
        ("AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG", node_mode[1], in_force[1]),
    ):
        if was != now:
            changes.append(f"{key}={'true' if now else 'false'}")
    if node_mode[2] != in_force[2]:
        changes.append(f"MAX_ENI={in_force[2] if in_force[2] is not None else '(unset)'}")
    if not changes:
        return "kubelet was given the value without the cap that applies now"
    return "this node started before " + " and ".join(changes)


# --- prefix_delegation ---------------------------------------------------------------------------


def check_prefix_delegation(facts: NodeFacts) -> CheckResult:
    try:
        wanted = facts.settings.flag("ENABLE_PREFIX_DELEGATION")
        custom = facts.settings.flag("AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG")
        ipv6 = facts.settings.flag("ENABLE_IPv6")
    except _Unknown as missing:
        return _skip(PREFIX_DELEGATION, str(missing))
    if not facts.enis:
        return _skip(PREFIX_DELEGATION, "no ENI of the node in network-interfaces.json")
    if wanted and facts.limits is not None and not is_nitro(facts.limits):
        wanted = False  # ipamd falls back to secondary IPs (isConfigValid)
        fallback = f" (ipamd falls back to secondary IPs on {facts.limits.name}, not a Nitro type)"
    else:
        fallback = ""
    enis = facts.pod_enis(custom_networking=custom)
    size = "/80" if ipv6 else "/28"
    prefixes = sum(len(eni.ipv6_prefixes if ipv6 else eni.ipv4_prefixes) for eni in enis)
    secondary = sum(len(eni.ipv6_addresses if ipv6 else eni.secondary_ips) for eni in enis)
    in_prefixes = facts.pod_addresses.get(PREFIX, 0)
    on_secondary = facts.pod_addresses.get(SECONDARY_IP, 0)
    held = f"{prefixes} {size} prefix(es) and {secondary} secondary IP(s) on {len(enis)} pod ENI(s)"
    pods = f"{in_prefixes} pod(s) in prefixes, {on_secondary} on secondary IPs"
    if wanted:
        if secondary or on_secondary or not prefixes:
            return _fail(
                PREFIX_DELEGATION,
                f"ENABLE_PREFIX_DELEGATION=true but the node holds {held} ({pods}): its ENIs were "
                "filled in secondary-IP mode, before the setting",
                fixes=True,
            )
        return CheckResult(PREFIX_DELEGATION, PASS, f"prefix delegation on: {held} ({pods})")
    if prefixes or in_prefixes:
        return _fail(
            PREFIX_DELEGATION,
            f"prefix delegation is off{fallback} but the node holds {held} ({pods}): its ENIs were "
            "filled while ENABLE_PREFIX_DELEGATION was true",
            fixes=True,
        )
    return CheckResult(PREFIX_DELEGATION, PASS, f"prefix delegation off{fallback}: {held} ({pods})")


# --- eni_subnet ----------------------------------------------------------------------------------


def check_eni_subnet(facts: NodeFacts) -> CheckResult:
    try:
        custom = facts.settings.flag("AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG")
        discovery = None if custom else facts.settings.flag("ENABLE_SUBNET_DISCOVERY")
    except _Unknown as missing:
        return _skip(ENI_SUBNET, str(missing))
    primary = facts.primary_eni
    if primary is None or primary.subnet_id is None:
        return _skip(ENI_SUBNET, "the node's primary ENI (device 0) is not in network-interfaces.json")
    # The primary ENI is the node's own; the ENIs ipamd attached later are the ones the settings place.
    secondary = facts.pod_enis(custom_networking=True)
    if custom:
        return _custom_networking_subnets(facts, primary, secondary)
    node_subnet = primary.subnet_id
    problems = []
    for eni in secondary:
        subnet_id = eni.subnet_id or "(no subnet)"
        subnet = facts.subnets.get(subnet_id)
        role = subnet.cni_role if subnet else None
        if subnet_id == node_subnet:
            if discovery and role == EXCLUDED_ROLE:
                problems.append(
                    f"{eni.eni_id} is in the node's subnet {node_subnet}, which is tagged "
                    "kubernetes.io/role/cni=0 (excluded)"
                )
            continue
        if not discovery:
            problems.append(
                f"{eni.eni_id} is in {subnet_id}, not in the node's subnet {node_subnet} "
                "(ENABLE_SUBNET_DISCOVERY=false)"
            )
        elif subnet is None:
            problems.append(f"{eni.eni_id} is in {subnet_id}, which is not in subnets.json")
        elif role is None:
            problems.append(
                f"{eni.eni_id} is in {subnet_id}, which is neither the node's subnet {node_subnet} nor "
                "tagged kubernetes.io/role/cni"
            )
        elif role == EXCLUDED_ROLE:
            problems.append(f"{eni.eni_id} is in {subnet_id}, tagged kubernetes.io/role/cni=0 (excluded)")
    mode = "subnet discovery" if discovery else "node subnet only"
    if problems:
        return _fail(ENI_SUBNET, f"{mode}: " + "; ".join(problems), fixes=True)
    return CheckResult(
        ENI_SUBNET,
        PASS,
        f"{mode}: {len(secondary)} secondary ENI(s) in allowed subnets (node subnet {node_subnet})",
    )


def _custom_networking_subnets(
    facts: NodeFacts, primary: EniRecord, secondary: list[EniRecord]
) -> CheckResult:
    config = facts.eniconfig
    if config is None or isinstance(config, str):
        why = config or "no ENIConfig"
        if "not in the input" in why:
            return _skip(ENI_SUBNET, "custom networking is on: needs eniconfigs.json")
        return _skip(ENI_SUBNET, f"custom networking is on: {why}")
    wanted_groups = set(config.security_groups or primary.security_groups)
    problems = []
    for eni in secondary:
        if eni.subnet_id != config.subnet_id:
            where = " (the node's subnet)" if eni.subnet_id == primary.subnet_id else ""
            problems.append(
                f"{eni.eni_id} (device {eni.device_index}) is in {eni.subnet_id}{where}, not in "
                f"{config.subnet_id} of ENIConfig {config.name!r}"
            )
        elif set(eni.security_groups) != wanted_groups:
            problems.append(
                f"{eni.eni_id} has security groups {', '.join(sorted(eni.security_groups)) or '(none)'}, "
                f"ENIConfig {config.name!r} wants {', '.join(sorted(wanted_groups)) or '(none)'}"
            )
    if problems:
        return _fail(
            ENI_SUBNET,
            "custom networking: " + "; ".join(problems) + ": attached before the ENIConfig applied",
            fixes=True,
        )
    return CheckResult(
        ENI_SUBNET,
        PASS,
        f"custom networking: {len(secondary)} pod ENI(s) in {config.subnet_id} of ENIConfig {config.name!r}",
    )


# --- trunk_eni -----------------------------------------------------------------------------------


def check_trunk_eni(facts: NodeFacts) -> CheckResult:
    try:
        wanted = facts.settings.flag("ENABLE_POD_ENI")
    except _Unknown as missing:
        return _skip(TRUNK_ENI, str(missing))
    if not wanted:
        return _skip(TRUNK_ENI, "ENABLE_POD_ENI=false: no trunk ENI expected")
    unknown = _unknown_type(facts, TRUNK_ENI)
    if unknown is not None:
        return unknown
    assert facts.limits is not None
    if not facts.limits.is_trunking_compatible:
        return _skip(
            TRUNK_ENI, f"{facts.limits.name} cannot attach a trunk ENI (VPC resource controller limits)"
        )
    if not facts.enis:
        return _skip(TRUNK_ENI, "no ENI of the node in network-interfaces.json")
    trunk = next((eni for eni in facts.enis if eni.interface_type == TRUNK), None)
    label = facts.node.labels.get(HAS_TRUNK_LABEL)
    capacity = facts.node.pod_eni_capacity
    missing = []
    if trunk is None:
        missing.append("no trunk ENI attached")
    if label != "true":
        missing.append(f"label {HAS_TRUNK_LABEL}={label if label is not None else '(absent)'}")
    if not capacity:
        missing.append(
            f"no vpc.amazonaws.com/pod-eni capacity ({capacity if capacity is not None else 'absent'})"
        )
    if missing:
        return _fail(
            TRUNK_ENI,
            "ENABLE_POD_ENI=true but " + ", ".join(missing) + ": ipamd labels a node for a trunk only "
            "with a free ENI slot, which a node filled before the setting may lack",
            fixes=True,
        )
    assert trunk is not None
    return CheckResult(TRUNK_ENI, PASS, f"trunk {trunk.eni_id} attached, {capacity} pod-eni capacity")


# --- warm_pool -----------------------------------------------------------------------------------


def check_warm_pool(facts: NodeFacts) -> WarmPool:
    ipamd = facts.ipamd
    if ipamd is None or ipamd.enis is None:
        return WarmPool(_skip(WARM_POOL, "needs ipamd/<node>/enis.json (ipamd's pool)"), None)
    held, assigned = _ipamd_pool(ipamd)
    idle = held - assigned
    unknown = _unknown_type(facts, WARM_POOL)
    if unknown is not None:
        return WarmPool(unknown, idle)
    try:
        settings = facts.settings.pool()
    except _Unknown as missing:
        return WarmPool(_skip(WARM_POOL, str(missing)), idle)
    if settings.ipv6:
        return WarmPool(_skip(WARM_POOL, "IPv6: pods take addresses from a /80 prefix, no IPv4 pool"), idle)
    assert facts.limits is not None
    model = node_pool(facts.limits, settings, assigned, max_pods=facts.node.capacity_pods)
    modelled_idle = model.available
    free = _free_share(facts, settings.custom_networking)
    free_text = f"{free[0]}: {free[1]:.0%} free" if free else "subnet free share unknown"
    summary = (
        f"{held} address(es) held, {assigned} in use, {idle} idle; the targets imply {modelled_idle} idle"
    )
    if idle > modelled_idle:
        excess = idle - modelled_idle
        if free is not None and free[1] < LOW_FREE_SHARE:
            return WarmPool(
                _fail(
                    WARM_POOL,
                    f"{summary} ({excess} more) while {free_text} (under {LOW_FREE_SHARE:.0%}): lower "
                    "WARM_ENI_TARGET/WARM_PREFIX_TARGET or set WARM_IP_TARGET/MINIMUM_IP_TARGET",
                    fixes=False,
                ),
                idle,
            )
        return WarmPool(
            CheckResult(WARM_POOL, PASS, f"{summary}; warning: {excess} more than modelled ({free_text})"),
            idle,
        )
    if idle < modelled_idle:
        return WarmPool(
            CheckResult(
                WARM_POOL,
                PASS,
                f"{summary}; warning: {modelled_idle - idle} fewer than modelled ({free_text})",
            ),
            idle,
        )
    return WarmPool(CheckResult(WARM_POOL, PASS, f"{summary} ({free_text})"), idle)


def _ipamd_pool(ipamd: NodeIpamd) -> tuple[int, int]:
    """(addresses ipamd holds for pods, addresses assigned) over its non-trunk, non-EFA ENIs (IPv4)."""
    assert ipamd.enis is not None
    held = assigned = 0
    for eni in ipamd.enis.enis:
        if eni.is_trunk or eni.is_efa or eni.is_excluded_for_pod_ips:
            continue
        for cidr in eni.cidrs:
            if cidr.family != 4:
                continue
            held += _cidr_size(cidr.cidr) if cidr.is_prefix else 1
            assigned += sum(1 for address in cidr.addresses if address.assigned)
    return held, assigned


def _cidr_size(text: str) -> int:
    network = parse_network(text)
    return 1 << network[1] if network is not None else IPS_PER_PREFIX


def _free_share(facts: NodeFacts, custom_networking: bool) -> tuple[str, float] | None:
    """(subnet id, free share) of the subnet the node's pod addresses come from, None when unknown."""
    if custom_networking and isinstance(facts.eniconfig, EniConfigRecord):
        subnet_id = facts.eniconfig.subnet_id
    else:
        primary = facts.primary_eni
        subnet_id = primary.subnet_id if primary else None
    subnet = facts.subnets.get(subnet_id or "")
    if subnet is None or subnet.available_ips is None:
        return None
    usable = _usable(subnet.cidrs)
    if not usable:
        return None
    return subnet.subnet_id, min(subnet.available_ips / usable, 1.0)


@functools.lru_cache(maxsize=4096)  # a few subnets, parsed once rather than once per node
def _usable(cidrs: tuple[str, ...]) -> int:
    """Usable addresses of a subnet's IPv4 CIDR block (0 when it has none)."""
    for cidr in cidrs:
        if ":" not in cidr:
            try:
                return usable_addresses(ipaddress.IPv4Network(cidr, strict=False))
            except ValueError:
                return 0
    return 0
    return 0


# --- the verifier's hook -------------------------------------------------------------------------


def converge(
    snapshot: ClusterSnapshot,
    results: Sequence[NodeResult],
    pods: Iterable[PodResult],
    expectations: Expectations,
    enis_of: Mapping[str, Sequence[EniRecord]],
    eniconfig_of: Callable[[NodeRecord], EniConfigRecord | str],
) -> tuple[dict[str, int], RecyclePlan]:
    """Append the five checks to each EC2 node's result, then plan the replacements.

    ``enis_of`` gives the ENIs attached to each instance, ``eniconfig_of`` a node's ENIConfig or why it
    is unknown. Returns the idle addresses summed per AZ and the replacement plan.
    """
    from ekslab.limits import instance_types
    from ekslab.verify.recycle import plan_for_lab

    limits = instance_types()
    kinds: dict[str, dict[str, int]] = {}
    for pod in pods:
        if pod.node and pod.address_kind:
            counts = kinds.setdefault(pod.node, {})
            counts[pod.address_kind] = counts.get(pod.address_kind, 0) + 1
    lab_values = _lab_max_pods(expectations.lab)
    ds_env = snapshot.daemonset_env.get(AWS_NODE_CONTAINER) if snapshot.daemonset_env is not None else None
    idle_by_az: dict[str, int] = {}
    for result in results:
        node = snapshot.nodes.get(result.name)
        if node is None or node.is_fargate or not node.instance_id:
            continue
        ipamd = snapshot.ipamd.get(node.name)
        group = node.labels.get(NODEGROUP_LABEL)
        facts = NodeFacts(
            node=node,
            enis=enis_of.get(node.instance_id, ()),
            limits=limits.get(node.labels.get(INSTANCE_TYPE_LABEL) or ""),
            settings=NodeSettings(ipamd.ipamd_env if ipamd is not None else None, ds_env),
            ipamd=ipamd,
            subnets=snapshot.subnets,
            eniconfig=eniconfig_of(node),
            pod_addresses=kinds.get(node.name, {}),
            lab_max_pods=(lab_values[group], group) if group in lab_values else None,
        )
        checks, idle = check_node(facts)
        result.checks.extend(checks)
        if idle is not None:
            zone = facts.zone or "(unknown zone)"
            idle_by_az[zone] = idle_by_az.get(zone, 0) + idle
    plan = plan_for_lab(
        results,
        snapshot.nodes,
        check_names=CHECKS,
        asg_of_instance=snapshot.auto_scaling_groups,
        lab=expectations.lab,
        cluster=expectations.cluster,
        region=expectations.region,
    )
    return idle_by_az, plan


def _lab_max_pods(lab: LabConfig | None) -> dict[str, int]:
    """The NodeConfig maxPods the lab passes to each of its node groups (those it passes one to)."""
    if lab is None:
        return {}
    from ekslab.cni.node_config import node_max_pods

    values = {}
    for group in lab.node_groups:
        value = node_max_pods(lab, group)
        if value is not None:
            values[group.name] = value
    return values
