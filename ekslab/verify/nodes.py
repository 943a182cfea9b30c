"""Per-node checks: ``enis`` (EC2 has the node's ENIs), ``ipamd`` (introspection present and
parsable), ``eniconfig`` (with custom networking: the node's ENIConfig and its pod subnet) and
``drift`` (the settings ipamd runs with against the lab configuration).

The ENIConfig is resolved as the CNI does (pkg/eniconfig/eniconfig.go, cni-facts.md §1.7): label
``vpc.amazonaws.com/externalEniConfig``, then the annotation named by ENI_CONFIG_ANNOTATION_DEF,
then the label named by ENI_CONFIG_LABEL_DEF, then ``default``. The pod checks read the subnet it
names (``NodeChecks.pod_subnets``).
"""

from __future__ import annotations

from typing import Final

from ekslab.ipamd.env import canonical_setting
from ekslab.ipamd.models import NodeIpamd
from ekslab.network.addresses import Network
from ekslab.sources.records import EniConfigRecord, NodeRecord
from ekslab.verify.context import VerifyContext
from ekslab.verify.drift import node_drift
from ekslab.verify.results import NOT_CHECKED, PASS, UNVERIFIED, CheckResult, NodeEni, NodeResult

DEFAULT_ENI_CONFIG_KEY: Final = "k8s.amazonaws.com/eniConfig"
"""Default of both ENI_CONFIG_ANNOTATION_DEF and ENI_CONFIG_LABEL_DEF (cni-facts.md §2.1)."""
EXTERNAL_ENI_CONFIG_LABEL: Final = "vpc.amazonaws.com/externalEniConfig"
DEFAULT_ENI_CONFIG_NAME: Final = "default"

PodSubnet = list[Network] | str | None
"""A node's ENIConfig subnet networks; None when custom networking is off for the node, or a string
saying why the subnet is unknown."""


class NodeChecks:
    """The checks of every node; ``pod_subnets`` is filled as nodes are checked."""

    def __init__(self, context: VerifyContext) -> None:
        self.context = context
        self.pod_subnets: dict[str, PodSubnet] = {}

    def check_all(self) -> list[NodeResult]:
        nodes = sorted(self.context.snapshot.nodes.values(), key=lambda node: node.name)
        return [self.check(node) for node in nodes]

    def check(self, node: NodeRecord) -> NodeResult:
        ipamd = self.context.snapshot.ipamd.get(node.name)
        compute = "fargate" if node.is_fargate else "ec2" if node.instance_id else "unknown"
        result = NodeResult(name=node.name, instance_id=node.instance_id, compute=compute)
        result.checks.append(self._node_enis(node, result))
        result.checks.append(self._node_ipamd(node, ipamd, result))
        if not node.is_fargate:
            eniconfig = self._node_eniconfig(node, ipamd)
            if eniconfig is not None:
                result.checks.append(eniconfig)
            result.checks.append(node_drift(ipamd, self.context.expectations.aws_node_env))
        return result

    def _node_enis(self, node: NodeRecord, result: NodeResult) -> CheckResult:
        if node.is_fargate:
            eni = self.context.index.primary.get(node.internal_ip or "")
            if eni is None:
                return CheckResult("enis", UNVERIFIED, f"no ENI has the Fargate node's IP {node.internal_ip}")
            problem = self.context.not_fargate(eni)
            if problem:
                return CheckResult(
                    "enis",
                    UNVERIFIED,
                    f"the ENI with the Fargate node's IP {node.internal_ip}, {eni.eni_id}, is {problem}",
                )
            result.enis.append(NodeEni(eni.eni_id, eni.device_index, eni.network_card, "fargate"))
            return CheckResult("enis", PASS, f"Fargate ENI {eni.eni_id}")
        if not node.instance_id:
            return CheckResult("enis", UNVERIFIED, f"providerID {node.provider_id!r} names no EC2 instance")
        attached = self.context.index.by_instance.get(node.instance_id, [])
        if not attached:
            return CheckResult("enis", UNVERIFIED, f"no ENI attached to {node.instance_id} in the ENI data")
        for eni in attached:
            kind = (
                eni.interface_type
                if eni.interface_type not in (None, "interface")
                else "primary"
                if (eni.device_index or 0) == 0 and not eni.network_card
                else "secondary"
            )
            result.enis.append(NodeEni(eni.eni_id, eni.device_index, eni.network_card, kind))
        return CheckResult("enis", PASS, f"{len(attached)} ENI(s) attached to {node.instance_id}")

    def _node_ipamd(self, node: NodeRecord, ipamd: NodeIpamd | None, result: NodeResult) -> CheckResult:
        if node.is_fargate:
            return CheckResult("ipamd", NOT_CHECKED, "Fargate nodes run no ipamd")
        if not self.context.snapshot.ipamd_collected:
            return CheckResult("ipamd", NOT_CHECKED, "ipamd data not collected; checked from EC2 alone")
        if ipamd is None:
            return CheckResult("ipamd", NOT_CHECKED, "no ipamd data for this node; checked from EC2 alone")
        if ipamd.enis is None:
            problem = ipamd.problems.get("enis", "no /v1/enis data")
            return CheckResult("ipamd", UNVERIFIED, f"not verifiable: {problem}")
        result.ipamd_format = ipamd.enis.format
        assigned = sum(1 for _ in ipamd.enis.assigned())
        return CheckResult(
            "ipamd",
            PASS,
            f"/v1/enis format {ipamd.enis.format}, {len(ipamd.enis.enis)} ENI(s), {assigned} assigned IP(s)",
        )

    def _node_eniconfig(self, node: NodeRecord, ipamd: NodeIpamd | None) -> CheckResult | None:
        """Resolve the node's ENIConfig subnet when custom networking is on; None when it is off."""
        if not self._custom_networking(ipamd):
            self.pod_subnets[node.name] = None
            return None
        eniconfigs = self.context.snapshot.eniconfigs
        if not eniconfigs:
            self.pod_subnets[node.name] = "no ENIConfigs in the input"
            return CheckResult(
                "eniconfig", NOT_CHECKED, "custom networking is on but ENIConfigs are not in the input"
            )
        name = self._eniconfig_name(node, ipamd)
        config = eniconfigs.get(name)
        if config is None:
            why = f"ENIConfig {name!r} selected by the node does not exist"
            self.pod_subnets[node.name] = why
            return CheckResult("eniconfig", UNVERIFIED, why)
        networks = self.context.subnet_networks.get(config.subnet_id or "")
        if not networks:
            why = f"subnet {config.subnet_id} of ENIConfig {name!r} is not in the subnet data"
            self.pod_subnets[node.name] = why
            return CheckResult("eniconfig", UNVERIFIED, why)
        self.pod_subnets[node.name] = networks
        cidrs = ", ".join(self.context.snapshot.subnets[config.subnet_id].cidrs)  # type: ignore[index]
        return CheckResult("eniconfig", PASS, f"ENIConfig {name!r}: pod subnet {config.subnet_id} ({cidrs})")

    def eniconfig_record(self, node: NodeRecord) -> EniConfigRecord | str:
        """The node's ENIConfig (selected as the CNI does), or why it is not known."""
        eniconfigs = self.context.snapshot.eniconfigs
        if not eniconfigs:
            return "no ENIConfigs in the input"
        name = self._eniconfig_name(node, self.context.snapshot.ipamd.get(node.name))
        return eniconfigs.get(name) or f"ENIConfig {name!r} selected by the node does not exist"

    def _custom_networking(self, ipamd: NodeIpamd | None) -> bool:
        key = "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG"
        # What ipamd on the node runs with beats the DaemonSet spec, which beats "ENIConfigs exist".
        if ipamd is not None and ipamd.ipamd_env is not None and key in ipamd.ipamd_env:
            return canonical_setting(key, ipamd.ipamd_env[key]) == "true"
        if self.context.ds_aws_node_env is not None and self.context.ds_aws_node_env.get(key) is not None:
            return canonical_setting(key, self.context.ds_aws_node_env[key]) == "true"
        return bool(self.context.snapshot.eniconfigs)

    def _eniconfig_name(self, node: NodeRecord, ipamd: NodeIpamd | None) -> str:
        eni_config = ipamd.eni_config if ipamd is not None else None
        env = self.context.ds_aws_node_env or {}
        annotation_key = (
            env.get("ENI_CONFIG_ANNOTATION_DEF")
            or (eni_config.annotation_def if eni_config else None)
            or DEFAULT_ENI_CONFIG_KEY
        )
        label_key = (
            env.get("ENI_CONFIG_LABEL_DEF")
            or (eni_config.label_def if eni_config else None)
            or DEFAULT_ENI_CONFIG_KEY
        )
        for value in (
            node.labels.get(EXTERNAL_ENI_CONFIG_LABEL),
            node.annotations.get(annotation_key),
            node.labels.get(label_key),
        ):
            if value:
                return value
        return DEFAULT_ENI_CONFIG_NAME
