"""Rules that span several fields of the lab configuration.

``check_lab`` runs every rule family (network and node groups here, the VPC CNI in
``ekslab.cni.rules``, the toolkit's EKS policy rules, IP capacity in ``ekslab.capacity``) and
returns errors and warnings as one-line ``InputError`` values. Synth, ``ekslab config check`` and
the planner all call it, so a lab is judged the same way everywhere.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ekslab.config import defaults
from ekslab.config.model import (
    AMI_ARCHITECTURES,
    NODEADM_AMI_TYPES,
    EndpointAccess,
    LabConfig,
    NatGateways,
)
from ekslab.errors import InputError, Verbatim


@dataclass
class Findings:
    """What the rules found: errors stop synth; warnings are printed and synth goes on."""

    errors: list[InputError] = field(default_factory=list)
    warnings: list[InputError] = field(default_factory=list)

    def error(self, where: str, rule: str, *given: object, hint: str = "") -> None:
        self.errors.append(InputError(where, rule, *given, hint=hint))

    def warning(self, where: str, rule: str, *given: object, hint: str = "") -> None:
        self.warnings.append(InputError(where, rule, *given, hint=hint))

    def extend(self, other: Findings) -> None:
        self.errors.extend(other.errors)
        self.warnings.extend(other.warnings)


Rule = Callable[[LabConfig, Findings], None]


def check_lab(config: LabConfig, *, capacity: bool = True) -> Findings:
    """Run every cross-field rule on a parsed configuration."""
    from ekslab.cni.rules import CNI_RULES  # local: the CNI rules import this module's Findings

    findings = Findings()
    for rule in (*NETWORK_RULES, *NODE_GROUP_RULES, *POLICY_RULES, *CNI_RULES):
        rule(config, findings)
    if capacity and not findings.errors:
        _check_capacity(config, findings)
    return findings


def _check_capacity(config: LabConfig, findings: Findings) -> None:
    from ekslab.capacity.guard import check_capacity

    check_capacity(config, findings)


# --- network -------------------------------------------------------------------------------------


def _three_distinct_azs(config: LabConfig, findings: Findings) -> None:
    zones = config.network.availability_zones
    distinct = sorted(set(zones))
    if len(zones) != defaults.REQUIRED_AVAILABILITY_ZONES or len(distinct) != len(zones):
        findings.error(
            "network.availabilityZones",
            f"must list exactly {defaults.REQUIRED_AVAILABILITY_ZONES} distinct availability zones",
            zones,
        )


def _azs_in_region(config: LabConfig, findings: Findings) -> None:
    for index, zone in enumerate(config.network.availability_zones):
        if zone[:-1] != config.region:
            findings.error(
                f"network.availabilityZones[{index}]",
                f"must be an availability zone of region {config.region} ({config.region}a, {config.region}b, ...)",
                zone,
            )


def _subnets_fit(config: LabConfig, findings: Findings) -> None:
    try:
        config.network.subnet_plan  # noqa: B018 - computing the plan is the check
    except InputError as error:
        findings.errors.append(error)


def _pod_cidr_apart_from_vpc(config: LabConfig, findings: Findings) -> None:
    pods = config.network.pod_subnets
    if pods.enabled and pods.cidr.overlaps(config.network.vpc_cidr):
        findings.error(
            "network.podSubnets.cidr",
            f"must not overlap network.vpcCidr ({config.network.vpc_cidr})",
            str(pods.cidr),
        )


def _nodes_need_nat(config: LabConfig, findings: Findings) -> None:
    if config.network.nat_gateways is NatGateways.NONE and config.node_groups:
        findings.error(
            "network.natGateways",
            "must be single or perAz when there are node groups: nodes in private subnets need a NAT "
            "gateway to pull images and reach AWS APIs",
            config.network.nat_gateways.value,
        )


NETWORK_RULES: tuple[Rule, ...] = (
    _three_distinct_azs,
    _azs_in_region,
    _subnets_fit,
    _pod_cidr_apart_from_vpc,
    _nodes_need_nat,
)


# --- node groups ---------------------------------------------------------------------------------


def _unique_group_names(config: LabConfig, findings: Findings) -> None:
    for name, count in Counter(group.name for group in config.node_groups).items():
        if count > 1:
            findings.error("nodeGroups", f"names must be unique; {count} groups are named {name!r}")


def _sizes_ordered(config: LabConfig, findings: Findings) -> None:
    for index, group in enumerate(config.node_groups):
        if not group.min_size <= group.desired_size <= group.max_size:
            findings.error(
                f"nodeGroups[{index}]",
                "must satisfy minSize <= desiredSize <= maxSize",
                Verbatim(
                    f"minSize {group.min_size}, desiredSize {group.desired_size}, maxSize {group.max_size}"
                ),
            )


def _group_azs_in_lab(config: LabConfig, findings: Findings) -> None:
    lab_zones = set(config.network.availability_zones)
    for index, group in enumerate(config.node_groups):
        if group.availability_zones == []:
            findings.error(
                f"nodeGroups[{index}].availabilityZones",
                "must name at least one of the lab's availability zones; leave it out for all of them",
                [],
            )
        for zone_index, zone in enumerate(group.availability_zones or ()):
            if zone not in lab_zones:
                findings.error(
                    f"nodeGroups[{index}].availabilityZones[{zone_index}]",
                    f"must be one of the lab's availability zones ({', '.join(config.network.availability_zones)})",
                    zone,
                )


def _known_instance_types(config: LabConfig, findings: Findings) -> None:
    from ekslab.limits import instance_types, unknown_instance_type

    known = instance_types()
    for index, group in enumerate(config.node_groups):
        for type_index, name in enumerate(group.instance_types):
            if name not in known:
                findings.errors.append(
                    unknown_instance_type(f"nodeGroups[{index}].instanceTypes[{type_index}]", name)
                )


def _somewhere_for_system_pods(config: LabConfig, findings: Findings) -> None:
    # CoreDNS, the load balancer controller and the game tolerate no custom taints.
    untainted = [
        group
        for group in config.node_groups
        if not any(taint.effect in ("NO_SCHEDULE", "NO_EXECUTE") for taint in group.taints)
    ]
    if not untainted:
        findings.error(
            "nodeGroups",
            "must include at least one group without NO_SCHEDULE or NO_EXECUTE taints: "
            "CoreDNS, the load balancer controller and the 2048 game run there",
            Verbatim(f"all {len(config.node_groups)} tainted" if config.node_groups else "none"),
        )


def _architectures_match(config: LabConfig, findings: Findings) -> None:
    from ekslab.limits import instance_architecture

    for index, group in enumerate(config.node_groups):
        wanted = AMI_ARCHITECTURES[group.ami_type]
        for type_index, name in enumerate(group.instance_types):
            # None: the name does not say for certain (ekslab.limits.architecture), so nothing is refused.
            actual = instance_architecture(name)
            if actual is not None and actual != wanted:
                findings.error(
                    f"nodeGroups[{index}].instanceTypes[{type_index}]",
                    f"must be an {wanted} instance type for nodeGroups[{index}].amiType {group.ami_type}",
                    name,
                    hint=f"{name} is {actual}; choose an {wanted} type or an {actual} amiType",
                )


def _max_pods_settings(config: LabConfig) -> list[str]:
    """The settings that make the lab pass max pods to nodes (``ekslab.limits.lab_passes_max_pods``)."""
    env = config.cni.env
    return [
        key
        for key, on in (
            ("cni.env.ENABLE_PREFIX_DELEGATION", bool(env.ENABLE_PREFIX_DELEGATION)),
            ("network.podSubnets.enabled", config.network.pod_subnets.enabled),
            ("cni.env.MAX_ENI", env.MAX_ENI is not None),
        )
        if on
    ]


def _max_pods_reach_nodes(config: LabConfig, findings: Findings) -> None:
    """The lab sets max pods in an AL2023 NodeConfig: only nodeadm reads it, and only a capped value is safe."""
    from ekslab.limits import instance_types, kubelet_max_pods
    from ekslab.limits.pod_density import (
        LOW_CPU_MAX_VCPUS,
        MAX_PODS_CEILING_HIGH_CPU,
        MAX_PODS_CEILING_LOW_CPU,
    )

    settings = _max_pods_settings(config)
    if not settings:
        return
    because = f"when the lab sets max pods (because of {', '.join(settings)})"
    mode = {
        "prefix_delegation": bool(config.cni.env.ENABLE_PREFIX_DELEGATION),
        "custom_networking": config.network.pod_subnets.enabled,
        "max_eni": config.cni.env.MAX_ENI,
    }
    known = instance_types()
    for index, group in enumerate(config.node_groups):
        if group.ami_type not in NODEADM_AMI_TYPES:
            findings.error(
                f"nodeGroups[{index}].amiType",
                f"must be {' or '.join(NODEADM_AMI_TYPES)} {because}: max pods goes to nodes in an AL2023 "
                "nodeadm NodeConfig, which Bottlerocket ignores",
                group.ami_type,
            )
        for type_index, name in enumerate(group.instance_types):
            limits = known.get(name)
            if limits is None or limits.vcpus is not None:
                continue  # unknown names are _known_instance_types' finding
            pods = kubelet_max_pods(limits, **mode)
            # Below the lower cap the vCPU count cannot change the value, so it is safe to pass.
            if pods > MAX_PODS_CEILING_LOW_CPU:
                findings.error(
                    f"nodeGroups[{index}].instanceTypes[{type_index}]",
                    f"must have a known vCPU count {because}: the EKS cap on max pods "
                    f"({MAX_PODS_CEILING_LOW_CPU} at {LOW_CPU_MAX_VCPUS} vCPUs or fewer, else "
                    f"{MAX_PODS_CEILING_HIGH_CPU}) cannot be applied to the {pods} pods its ENIs allow",
                    name,
                    hint="choose another instance type",
                )


NODE_GROUP_RULES: tuple[Rule, ...] = (
    _unique_group_names,
    _sizes_ordered,
    _group_azs_in_lab,
    _known_instance_types,
    _architectures_match,
    _max_pods_reach_nodes,
    _somewhere_for_system_pods,
)


# --- toolkit policy rules (cdk-nag's EKS rules do not see aws_eks_v2 clusters) --------------------


@dataclass(frozen=True)
class PolicyRule:
    """A security finding the toolkit reports; ``acknowledge`` in the config accepts it with a reason."""

    id: str
    severity: str  # "error" or "warning"
    where: str
    rule: str
    applies: Callable[[LabConfig], object]
    given: Callable[[LabConfig], object]


POLICY_RULE_SET: tuple[PolicyRule, ...] = (
    PolicyRule(
        id="public-endpoint-open",
        severity="warning",
        where="cluster.publicAccessCidrs",
        rule="lets the whole internet reach the public API endpoint; narrow it to your addresses "
        "(e.g. 203.0.113.10/32) or set cluster.endpointAccess to private",
        applies=lambda c: (
            c.cluster.endpoint_access is not EndpointAccess.PRIVATE
            and any(str(cidr) == defaults.OPEN_CIDR for cidr in c.cluster.public_access_cidrs)
        ),
        given=lambda c: [str(cidr) for cidr in c.cluster.public_access_cidrs],
    ),
    PolicyRule(
        id="control-plane-logging-off",
        severity="error",
        where="cluster.logging",
        rule="must include api, audit and authenticator (control-plane logs are the audit trail)",
        applies=lambda c: not set(defaults.CLUSTER_LOGGING) <= set(c.cluster.logging),
        given=lambda c: list(c.cluster.logging),
    ),
    PolicyRule(
        id="secrets-encryption-off",
        severity="error",
        where="cluster.secretsEncryption",
        rule="must be true: Kubernetes secrets are envelope-encrypted with a customer-managed KMS key",
        applies=lambda c: not c.cluster.secrets_encryption,
        given=lambda c: c.cluster.secrets_encryption,
    ),
)


def _public_endpoint_has_cidrs(config: LabConfig, findings: Findings) -> None:
    cluster = config.cluster
    if cluster.endpoint_access is not EndpointAccess.PRIVATE and not cluster.public_access_cidrs:
        findings.error(
            "cluster.publicAccessCidrs",
            f"must list at least one CIDR when cluster.endpointAccess is {cluster.endpoint_access.value}; "
            f"for no public endpoint set cluster.endpointAccess to {EndpointAccess.PRIVATE.value}",
            [],
        )


def _policy_rules(config: LabConfig, findings: Findings) -> None:
    for rule in POLICY_RULE_SET:
        if not rule.applies(config) or config.acknowledged(rule.id):
            continue
        report = findings.error if rule.severity == "error" else findings.warning
        report(rule.where, rule.rule, rule.given(config), hint=acknowledge_hint(rule.id))


def acknowledge_hint(rule_id: str) -> str:
    return f"rule {rule_id}; to accept it add {{rule: {rule_id}, reason: ...}} to acknowledge"


def _acknowledged_rules_exist(config: LabConfig, findings: Findings) -> None:
    counts = Counter(item.rule for item in config.acknowledge)
    for rule_id, count in counts.items():
        if count > 1:
            findings.error("acknowledge", f"must name each rule once; {rule_id} is named {count} times")


def _ci_access_names_repository(config: LabConfig, findings: Findings) -> None:
    if config.ci_access.enabled and not config.ci_access.github_repository:
        findings.error("ciAccess.githubRepository", "is required when ciAccess.enabled is true")


POLICY_RULES: tuple[Rule, ...] = (
    _public_endpoint_has_cidrs,
    _policy_rules,
    _acknowledged_rules_exist,
    _ci_access_names_repository,
)


def iter_policy_rule_ids() -> Iterator[str]:
    yield from (rule.id for rule in POLICY_RULE_SET)
