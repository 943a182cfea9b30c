"""What a node must be told about the CNI mode: its max pods, as an AL2023 nodeadm NodeConfig.

nodeadm computes max pods from the instance type's ENI limits for secondary-IP mode; with prefix
delegation or custom networking the density differs, so the lab passes the value computed by
``ekslab.limits.max_pods`` (the EKS AMI's formula) in the launch template's user data.
See https://awslabs.github.io/amazon-eks-ami/nodeadm/doc/api/#nodeconfig
"""

from __future__ import annotations

from typing import Any, Final

import yaml

from ekslab.config.model import LabConfig, NodeGroup
from ekslab.limits import instance_type, kubelet_max_pods, lab_passes_max_pods

NODE_CONFIG_API_VERSION: Final = "node.eks.aws/v1alpha1"


def node_config_document(*, max_pods: int) -> str:
    """A NodeConfig that sets kubelet's maxPods (merged by nodeadm with the one EKS adds)."""
    document = {
        "apiVersion": NODE_CONFIG_API_VERSION,
        "kind": "NodeConfig",
        "spec": {"kubelet": {"config": {"maxPods": max_pods}}},
    }
    return yaml.safe_dump(document, sort_keys=False)


def max_pods_mode(config: LabConfig) -> dict[str, Any]:
    """The CNI mode that decides max pods, as keyword arguments of ``ekslab.limits.kubelet_max_pods``."""
    return {
        "prefix_delegation": bool(config.cni.env.ENABLE_PREFIX_DELEGATION),
        "custom_networking": config.network.pod_subnets.enabled,
        "max_eni": config.cni.env.MAX_ENI,
    }


def node_max_pods(config: LabConfig, group: NodeGroup) -> int | None:
    """Max pods to pass to a node group's nodes, or None when the AMI's own value is right.

    The rule for when the lab passes a value is ``ekslab.limits.lab_passes_max_pods``; the value is the
    EKS AMI's formula (``ekslab.limits.kubelet_max_pods``). With several instance types the smallest
    wins, so no node is promised more pods than it can address.
    """
    mode = max_pods_mode(config)
    if not lab_passes_max_pods(**mode):
        return None
    return min(kubelet_max_pods(instance_type(name), **mode) for name in group.instance_types)
