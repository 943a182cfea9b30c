"""Node-group rules that need the ENI limits table: known instance types, matching architectures, and
max pods that can reach the nodes (``ekslab.limits``, docs/reference/cni-facts.md §4)."""

from __future__ import annotations

from ekslab.cni.node_config import max_pods_mode
from ekslab.config.findings import Findings, Rule
from ekslab.config.model import AMI_ARCHITECTURES, NODEADM_AMI_TYPES, LabConfig
from ekslab.limits import instance_architecture, instance_types, max_pods, unknown_instance_type
from ekslab.limits.pod_density import LOW_CPU_MAX_VCPUS, MAX_PODS_CEILING_HIGH_CPU, MAX_PODS_CEILING_LOW_CPU


def _known_instance_types(config: LabConfig, findings: Findings) -> None:
    known = instance_types()
    for index, group in enumerate(config.node_groups):
        for type_index, name in enumerate(group.instance_types):
            if name not in known:
                findings.errors.append(
                    unknown_instance_type(f"nodeGroups[{index}].instanceTypes[{type_index}]", name)
                )


def _architectures_match(config: LabConfig, findings: Findings) -> None:
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
    settings = _max_pods_settings(config)
    if not settings:
        return
    because = f"when the lab sets max pods (because of {', '.join(settings)})"
    mode = max_pods_mode(config)
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
            # max_pods would cap an unknown count at the lower ceiling (110), which may be below what
            # EKS gives the type (250 above 30 vCPUs): the lab refuses to guess which.
            pods = max_pods(limits, **mode).max_pods_uncapped
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


INSTANCE_TYPE_RULES: tuple[Rule, ...] = (_known_instance_types, _architectures_match, _max_pods_reach_nodes)
