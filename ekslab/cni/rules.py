"""Cross-setting rules of the VPC CNI, checked before anything is synthesized.

Each rule cites where the behaviour is documented; the facts are collected in
docs/reference/cni-facts.md §2.1 (aws-node variables) and §2.3 (add-on schema).
"""

from __future__ import annotations

import datetime as dt

from ekslab.cni.render import ZONE_LABEL, EniConfigSubnet, configuration_values
from ekslab.cni.schema import (
    ENV_SINCE,
    key_verdict,
    schema_for,
    top_level_verdict,
    validate_against_schema,
)
from ekslab.cni.versions import (
    ADDON_FIELDS,
    VPC_CNI,
    addon_versions,
    cni_release,
    missing_versions,
    support_window,
)
from ekslab.config.cni import MTU_RANGE_IPV6, is_loopback_bind_address
from ekslab.config.findings import Findings, Rule, acknowledge_hint
from ekslab.config.model import IpFamily, LabConfig
from ekslab.network.subnets import Tier

ENV = "cni.env"


def _mtu_fits_ip_family(config: LabConfig, findings: Findings) -> None:
    # README "AWS_VPC_ENI_MTU": 576-9001 for IPv4, 1280-9001 for IPv6 (the field itself checks IPv4).
    if config.cluster.ip_family is not IpFamily.IPV6:
        return
    low, high = MTU_RANGE_IPV6
    for key in ("AWS_VPC_ENI_MTU", "POD_MTU"):
        value = getattr(config.cni.env, key)
        if value is not None and not low <= value <= high:
            findings.error(
                f"{ENV}.{key}", f"must be an integer between {low} and {high} in an IPv6 cluster", value
            )


def _warm_prefix_needs_prefix_delegation(config: LabConfig, findings: Findings) -> None:
    env = config.cni.env
    if env.WARM_PREFIX_TARGET is not None and not env.ENABLE_PREFIX_DELEGATION:
        findings.warning(
            f"{ENV}.WARM_PREFIX_TARGET",
            "only takes effect with cni.env.ENABLE_PREFIX_DELEGATION: true",
            env.WARM_PREFIX_TARGET,
        )


def _prefix_delegation_needs_a_warm_target(config: LabConfig, findings: Findings) -> None:
    # docs/prefix-and-ip-target.md: WARM_PREFIX_TARGET 0 with WARM_IP_TARGET and MINIMUM_IP_TARGET
    # unset (or 0) is "not supported" in prefix mode.
    env = config.cni.env
    if (
        env.ENABLE_PREFIX_DELEGATION
        and env.WARM_PREFIX_TARGET == 0
        and not (env.WARM_IP_TARGET or env.MINIMUM_IP_TARGET)
    ):
        findings.error(
            f"{ENV}.WARM_PREFIX_TARGET",
            "must be >= 1 with prefix delegation unless WARM_IP_TARGET or MINIMUM_IP_TARGET is set",
            0,
        )


def _ipv6_needs_prefix_delegation(config: LabConfig, findings: Findings) -> None:
    if config.cluster.ip_family is IpFamily.IPV6 and not config.cni.env.ENABLE_PREFIX_DELEGATION:
        findings.error(
            f"{ENV}.ENABLE_PREFIX_DELEGATION",
            "must be true when cluster.ipFamily is ipv6 (IPv6 pods get /80 prefixes)",
            config.cni.env.ENABLE_PREFIX_DELEGATION,
        )


def _minimum_ip_needs_warm_ip(config: LabConfig, findings: Findings) -> None:
    # README "MINIMUM_IP_TARGET": set WARM_IP_TARGET > 0 together with it.
    env = config.cni.env
    if env.MINIMUM_IP_TARGET and not env.WARM_IP_TARGET:
        findings.error(
            f"{ENV}.WARM_IP_TARGET",
            "must be set (> 0) together with cni.env.MINIMUM_IP_TARGET",
            env.WARM_IP_TARGET,
        )


def _warm_eni_overridden(config: LabConfig, findings: Findings) -> None:
    env = config.cni.env
    if env.WARM_ENI_TARGET is not None and (env.WARM_IP_TARGET or env.MINIMUM_IP_TARGET):
        findings.warning(
            f"{ENV}.WARM_ENI_TARGET",
            "is ignored by ipamd when WARM_IP_TARGET or MINIMUM_IP_TARGET is set",
            env.WARM_ENI_TARGET,
        )


def _null_reads_as_unset(config: LabConfig, findings: Findings) -> None:
    # ``WARM_ENI_TARGET:`` with nothing after it is YAML null, which the model takes as "not set": say
    # so, rather than let a pasted or half-edited value vanish without a word.
    for section, env in ((ENV, config.cni.env), ("cni.init.env", config.cni.init.env)):
        for name in sorted(env.model_fields_set):
            if getattr(env, name) is None:
                findings.warning(
                    f"{section}.{name}",
                    "is null (nothing after the colon, or null/~), which reads as not set: the CNI "
                    "default applies; give a value or remove the line",
                )


def _custom_networking_owned_by_toolkit(config: LabConfig, findings: Findings) -> None:
    env = config.cni.env
    pods_on = config.network.pod_subnets.enabled
    if (
        env.AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG is not None
        and pods_on != env.AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG
    ):
        findings.error(
            f"{ENV}.AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG",
            "is set by the toolkit from network.podSubnets.enabled (a pod subnet and ENIConfig in every AZ); "
            "remove it and set network.podSubnets.enabled instead",
            env.AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG,
        )
    if pods_on and env.ENI_CONFIG_LABEL_DEF not in (None, ZONE_LABEL):
        findings.error(
            f"{ENV}.ENI_CONFIG_LABEL_DEF",
            f"must be {ZONE_LABEL} (or unset) with custom networking: the lab's ENIConfigs are named after AZs",
            env.ENI_CONFIG_LABEL_DEF,
        )


def _pod_subnet_in_every_node_az(config: LabConfig, findings: Findings) -> None:
    # plan_subnets lays a pod subnet in every lab AZ and node groups may only name lab AZs, so today
    # this guards the planner rather than user input (tests/cni/test_rules.py builds a short plan).
    if not config.network.pod_subnets.enabled:
        return
    plan = config.network.subnet_plan
    for index, group in enumerate(config.node_groups):
        for zone in config.node_group_azs(group):
            if plan.get(zone, Tier.POD) is None:
                findings.error(
                    f"nodeGroups[{index}].availabilityZones",
                    "must only name AZs with a pod subnet: custom networking takes pod IPs from the "
                    "ENIConfig subnet of the node's AZ",
                    zone,
                )


def _introspection_on_loopback(config: LabConfig, findings: Findings) -> None:
    # ipamd serves unauthenticated node state; it binds 127.0.0.1:61679 by default (introspect.go).
    address = config.cni.env.INTROSPECTION_BIND_ADDRESS
    rule_id = "introspection-off-loopback"
    if address is not None and not is_loopback_bind_address(address) and not config.acknowledged(rule_id):
        findings.error(
            f"{ENV}.INTROSPECTION_BIND_ADDRESS",
            "must listen on loopback (127.0.0.1, ::1, localhost or a unix: socket): the introspection API "
            "is unauthenticated",
            address,
            hint=acknowledge_hint(rule_id),
        )


def _introspection_disabled(config: LabConfig, findings: Findings) -> None:
    if config.cni.env.DISABLE_INTROSPECTION:
        findings.warning(
            f"{ENV}.DISABLE_INTROSPECTION",
            "turns off the ipamd API, so `ekslab verify` checks pods against EC2 only (no ipamd cross-check)",
            True,
        )


def _bandwidth_plugin_excludes_network_policy(config: LabConfig, findings: Findings) -> None:
    # README "ENABLE_BANDWIDTH_PLUGIN": not compatible with the network policy agent.
    if config.cni.env.ENABLE_BANDWIDTH_PLUGIN and config.cni.enable_network_policy:
        findings.error(
            f"{ENV}.ENABLE_BANDWIDTH_PLUGIN",
            "cannot be true together with cni.enableNetworkPolicy: true",
            True,
        )


def _v6_egress_matches_init(config: LabConfig, findings: Findings) -> None:
    # README "ENABLE_V6_EGRESS": set on the init and the main container alike.
    main = config.cni.env.ENABLE_V6_EGRESS
    init = config.cni.init.env.ENABLE_V6_EGRESS
    if bool(main) != bool(init):
        findings.error(
            "cni.init.env.ENABLE_V6_EGRESS",
            "must equal cni.env.ENABLE_V6_EGRESS (the init container sets up the egress interface)",
            init,
        )


def _egress_matches_ip_family(config: LabConfig, findings: Findings) -> None:
    env = config.cni.env
    if config.cluster.ip_family is IpFamily.IPV6 and env.ENABLE_V6_EGRESS:
        findings.warning(f"{ENV}.ENABLE_V6_EGRESS", "only applies to IPv4 clusters", True)
    if config.cluster.ip_family is IpFamily.IPV4 and env.ENABLE_V4_EGRESS is not None:
        findings.warning(f"{ENV}.ENABLE_V4_EGRESS", "only applies to IPv6 clusters", env.ENABLE_V4_EGRESS)


def _cri_has_no_effect(config: LabConfig, findings: Findings) -> None:
    # README @ v1.21.1: "For VPC CNI >=v1.12.0, IPAMD have switched to use an on-disk file
    # /var/run/aws-node/ipam.json ... no longer requires access to Container Runtime Interface(CRI) socket".
    if config.cni.cri is not None:
        findings.warning(
            "cni.cri",
            "has no effect: VPC CNI v1.12.0 and later keep IP allocations in /var/run/aws-node/ipam.json "
            "and do not read the container runtime socket",
        )


def _instance_types(config: LabConfig):
    from ekslab.limits import instance_types

    known = instance_types()
    for index, group in enumerate(config.node_groups):
        for type_index, name in enumerate(group.instance_types):
            if name in known:
                yield f"nodeGroups[{index}].instanceTypes[{type_index}]", known[name]


def _prefix_delegation_needs_nitro(config: LabConfig, findings: Findings) -> None:
    # README ENABLE_PREFIX_DELEGATION: "Nitro instances only"; max-pods-calculator.sh applies PD only
    # when the hypervisor is nitro (cni-facts.md §4).
    from ekslab.limits import is_nitro

    if not config.cni.env.ENABLE_PREFIX_DELEGATION:
        return
    for where, limits in _instance_types(config):
        if not is_nitro(limits):
            findings.error(
                where,
                "must be a Nitro instance type with cni.env.ENABLE_PREFIX_DELEGATION: true "
                f"(hypervisor is {limits.hypervisor})",
                limits.name,
            )


def _pod_eni_needs_trunking(config: LabConfig, findings: Findings) -> None:
    # Security groups for pods hang branch ENIs off a trunk ENI; the VPC resource controller's limits
    # table says which types can have one (cni-facts.md §4, eni-limits.tsv is_trunking_compatible).
    if not config.cni.env.ENABLE_POD_ENI:
        return
    for where, limits in _instance_types(config):
        if limits.is_trunking_compatible is not True:
            state = "is not" if limits.is_trunking_compatible is False else "is not known to be"
            findings.error(
                where,
                f"must support a trunk ENI with cni.env.ENABLE_POD_ENI: true ({limits.name} "
                f"{state} trunking-compatible in the VPC resource controller's limits)",
                limits.name,
            )


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _kubernetes_version_has_pins(config: LabConfig, findings: Findings) -> None:
    # data/addon-versions.json holds null where no source gave a version: refuse rather than guess.
    missing = missing_versions(config)
    if missing:
        version = config.cluster.kubernetes_version
        findings.error(
            "cluster.kubernetesVersion",
            f"cannot be deployed yet: no source was found for the {', '.join(missing)} add-on version of "
            f"Kubernetes {version} (ekslab/cni/data/addon-versions.json); run `ekslab addons refresh --region "
            f"R --kubernetes-version {version}` or set {', '.join(ADDON_FIELDS[name] for name in missing)}",
            version,
        )


def _kubernetes_version_in_standard_support(config: LabConfig, findings: Findings) -> None:
    # EKS bills clusters past the end of standard support at the extended-support rate from that day
    # (UTC); see https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html
    window = support_window(config.cluster.kubernetes_version)
    end = window.end_of_standard_support
    if end is not None and _today() >= end:
        extended = window.end_of_extended_support
        until = f" until {extended.isoformat()}" if extended else ""
        findings.warning(
            "cluster.kubernetesVersion",
            f"is in EKS extended support since {end.isoformat()} (end of standard support){until}: the "
            "cluster is billed at the extended-support rate; choose a newer version",
            config.cluster.kubernetes_version,
        )


def _vpc_cni_release_facts(config: LabConfig, findings: Findings) -> None:
    # aws/amazon-vpc-cni-k8s CHANGELOG: v1.21.1 "Bug fix for Network Policy Agent" after v1.21.0 blocked
    # allowed traffic (issue #3553); v1.23.0 "must be run with Network Policy Agent v1.4.1" because ipamd's
    # gRPC server moved from a TCP port to a unix socket (#3739).
    if missing_versions(config):
        return
    version = addon_versions(config)[VPC_CNI]
    release = cni_release(version)
    if release[:2] == (1, 21) and release[2] == 0 and config.cni.enable_network_policy:
        findings.error(
            "addons.vpcCni.version",
            "must not be a v1.21.0 build with cni.enableNetworkPolicy: true: its network policy agent "
            "blocked traffic that policies allowed (aws/amazon-vpc-cni-k8s#3553, fixed in v1.21.1)",
            version,
        )
    if release[:2] >= (1, 23):
        findings.warning(
            "addons.vpcCni.version",
            "is a VPC CNI v1.23 build: ipamd serves the network policy agent on a unix socket, so the agent "
            "must be v1.4.1 (the add-on ships the pair); do not mix it with a self-managed older agent, and "
            "check the agent version before rolling the add-on back below v1.23",
            version,
        )


def _keys_supported_by_addon_version(config: LabConfig, findings: Findings) -> None:
    # EKS refuses configurationValues keys the add-on version's schema lacks (cni-facts.md §2.3).
    if missing_versions(config):
        return  # _kubernetes_version_has_pins refused the lab already
    version = addon_versions(config)[VPC_CNI]
    try:
        schema = schema_for(version)
    except LookupError:
        findings.error(
            "addons.vpcCni.version",
            "must be v1.12.0-eksbuild.1 or newer (the oldest add-on schema the toolkit knows)",
            version,
        )
        return
    document = configuration_values(config, eni_configs=_placeholder_eni_configs(config))
    refused_before = len(findings.errors)
    for section, keys, allowed in (
        ("env", document.get("env", {}), schema.env_keys),
        ("init.env", document.get("init", {}).get("env", {}), schema.init_env_keys),
        ("", {k: v for k, v in document.items() if k not in ("env", "init")}, schema.top_level_keys),
    ):
        for key in keys:
            if key in allowed:
                verdict = "ok"
            elif section == "env":
                verdict = key_verdict(schema, key)
            elif section == "":
                verdict = top_level_verdict(schema, key)
            else:
                verdict = "refused" if schema.exact else "unconfirmed"
            where = f"cni.{section}.{key}" if section else f"cni.{key}"
            if key == "eniConfig":
                where = "network.podSubnets.enabled"
            if verdict == "refused":
                findings.error(
                    where,
                    f"is not accepted by the vpc-cni add-on {version}: its configuration schema "
                    "has no such key; remove it or set addons.vpcCni.version to a version that has it",
                )
            elif verdict == "unconfirmed":
                since = ENV_SINCE.get(key)
                origin = f" (the variable appeared in CNI v{'.'.join(map(str, since))})" if since else ""
                findings.warning(
                    where,
                    f"cannot be confirmed for the vpc-cni add-on {version}: the newest add-on schema "
                    f"the toolkit has is {schema.based_on}{origin}; EKS rejects the add-on at deploy if "
                    "the real schema lacks it",
                )
    if len(findings.errors) > refused_before:
        return  # the schema would only repeat the refused keys
    for problem in validate_against_schema(document, schema):
        findings.error("cni", f"does not match the vpc-cni add-on {version} schema at {problem}")


def _placeholder_eni_configs(config: LabConfig) -> dict[str, EniConfigSubnet] | None:
    if not config.network.pod_subnets.enabled:
        return None
    return {
        zone: EniConfigSubnet("subnet-00000000", ["sg-00000000"])
        for zone in config.network.availability_zones
    }


CNI_RULES: tuple[Rule, ...] = (
    _kubernetes_version_has_pins,
    _kubernetes_version_in_standard_support,
    _vpc_cni_release_facts,
    _mtu_fits_ip_family,
    _warm_prefix_needs_prefix_delegation,
    _prefix_delegation_needs_a_warm_target,
    _ipv6_needs_prefix_delegation,
    _minimum_ip_needs_warm_ip,
    _warm_eni_overridden,
    _null_reads_as_unset,
    _custom_networking_owned_by_toolkit,
    _pod_subnet_in_every_node_az,
    _introspection_on_loopback,
    _introspection_disabled,
    _bandwidth_plugin_excludes_network_policy,
    _v6_egress_matches_init,
    _egress_matches_ip_family,
    _cri_has_no_effect,
    _keys_supported_by_addon_version,
    _prefix_delegation_needs_nitro,
    _pod_eni_needs_trunking,
)
