"""Rules that span several fields of the lab configuration and need nothing but the configuration.

Network layout, node-group sizes and zones, and the toolkit's EKS policy rules live here, beside the
model. Rule families that need facts from elsewhere (the ENI limits table, the add-on schemas, the
capacity model) live with those facts; ``ekslab.lab.check_lab`` runs every family.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from ekslab.config import defaults
from ekslab.config.findings import Findings, Rule, acknowledge_hint
from ekslab.config.model import EndpointAccess, LabConfig, NatGateways
from ekslab.errors import InputError, Verbatim

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


NODE_GROUP_RULES: tuple[Rule, ...] = (
    _unique_group_names,
    _sizes_ordered,
    _group_azs_in_lab,
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
    summary: str = ""
    """A short phrase for a run that meets the finding often (every synth, every example file)."""


class PolicyFinding(InputError):
    """The finding of a ``PolicyRule``: its one-line message, and the rule (``policy``) it came from."""

    def __init__(self, rule: PolicyRule, given: object, *, where: str | None = None) -> None:
        super().__init__(where or rule.where, rule.rule, given, hint=acknowledge_hint(rule.id))
        self.policy = rule

    @property
    def summary(self) -> str:
        """The rule's short phrase (its full rule when it has none)."""
        return self.policy.summary or self.policy.rule

    def located(self, prefix: str) -> PolicyFinding:
        return PolicyFinding(self.policy, self.given, where=f"{prefix}: {self.where}")


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
        summary="the cluster's public API endpoint is open to the internet (0.0.0.0/0)",
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
        found = findings.errors if rule.severity == "error" else findings.warnings
        found.append(PolicyFinding(rule, rule.given(config)))


def short_policy_line(finding: PolicyFinding, where: str) -> str:
    """A policy finding in one short line: the rule's summary, where to narrow it, how to accept it
    (README.md "Set up" explains both)."""
    return f"{finding.summary}: {where} (rule {finding.policy.id}; see README.md, Set up)"


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
