"""What a node must be told about the CNI mode: its max pods, as an AL2023 nodeadm NodeConfig.

nodeadm computes max pods from the instance type's ENI limits for secondary-IP mode; with prefix
delegation or custom networking the density differs, so the lab passes the value computed by
``ekslab.limits.max_pods`` (the EKS AMI's formula) in the launch template's user data.
See https://awslabs.github.io/amazon-eks-ami/nodeadm/doc/api/#nodeconfig
"""

from __future__ import annotations

from typing import Final

import yaml

from ekslab.config.model import LabConfig, NodeGroup

NODE_CONFIG_API_VERSION: Final = "node.eks.aws/v1alpha1"


def node_config_document(*, max_pods: int) -> str:
    """A NodeConfig that sets kubelet's maxPods (merged by nodeadm with the one EKS adds)."""
    document = {
        "apiVersion": NODE_CONFIG_API_VERSION,
        "kind": "NodeConfig",
        "spec": {"kubelet": {"config": {"maxPods": max_pods}}},
    }
    return yaml.safe_dump(document, sort_keys=False)


def node_max_pods(config: LabConfig, group: NodeGroup) -> int | None:
    """Max pods to pass to a node group's nodes, or None when the AMI's own value is right.

    nodeadm's default assumes secondary-IP mode on every ENI; prefix delegation, custom networking
    (the primary ENI carries no pods) and MAX_ENI change the density, so the lab computes it with the
    EKS AMI's formula (``ekslab.limits.max_pods``). With several instance types the smallest wins,
    so no node is promised more pods than it can address.
    """
    env = config.cni.env
    prefix_delegation = bool(env.ENABLE_PREFIX_DELEGATION)
    custom_networking = config.network.pod_subnets.enabled
    if not (prefix_delegation or custom_networking or env.MAX_ENI):
        return None
    from ekslab.limits import instance_type, max_pods

    return min(
        max_pods(instance_type(name), prefix_delegation=prefix_delegation, custom_networking=custom_networking,
                 max_eni=env.MAX_ENI).max_pods
        for name in group.instance_types
    )
