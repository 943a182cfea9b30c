"""Defaults of the lab configuration, in one place.

They reproduce the seed workshop's lab: Seoul (ap-northeast-2), a 10.11.0.0/16 VPC over three AZs,
one managed node group across them, and the 2048 game. Policy numbers are named constants.
"""

from __future__ import annotations

from typing import Final

LAB_NAME: Final = "ekslab"
REGION: Final = "ap-northeast-2"
AVAILABILITY_ZONES: Final = ("ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c")
REQUIRED_AVAILABILITY_ZONES: Final = 3
"""The lab spreads every tier over exactly three AZs (the workshop exports AZ1..AZ3)."""

VPC_CIDR: Final = "10.11.0.0/16"
PUBLIC_SUBNET_PREFIX: Final = 24
"""Public subnets hold NAT gateways and load balancers only: /24 (251 usable addresses) is plenty."""
PRIVATE_SUBNET_PREFIX: Final = 20
"""Nodes and (without custom networking) pods live in the private subnets: /20 = 4,091 usable each."""
POD_CIDR: Final = "100.64.0.0/16"
"""Secondary VPC CIDR for custom networking (RFC 6598 shared address space, as in the AWS docs)."""
POD_SUBNET_PREFIX: Final = 18

LOG_RETENTION_DAYS: Final = 30
"""Flow logs and control-plane logs."""

KUBERNETES_VERSION: Final = "1.36"
"""Newest version that both aws-cdk-lib 2.275.0 (aws_eks_v2.KubernetesVersion.V1_36) and a kubectl
layer package (aws-cdk.lambda-layer-kubectl-v36) support."""
CLUSTER_LOGGING: Final = ("api", "audit", "authenticator")
OPEN_CIDR: Final = "0.0.0.0/0"

NODE_GROUP_NAME: Final = "ng-default"
INSTANCE_TYPE: Final = "m5.large"
NODE_MIN_SIZE: Final = 3
NODE_DESIRED_SIZE: Final = 3
NODE_MAX_SIZE: Final = 6
NODE_DISK_GIB: Final = 20
AMI_TYPE: Final = "AL2023_x86_64_STANDARD"
IMDS_HOP_LIMIT: Final = 2
"""2 lets pods on the node (the AWS Load Balancer Controller) reach IMDSv2 through the extra hop.
See https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html"""

GAME_REPLICAS: Final = 5
GAME_NAMESPACE: Final = "2048-game"

TAG_LAB: Final = "ekslab:lab"
"""Tag put on every taggable resource, holding the lab name (teardown checks use it)."""

STACK_PARTS: Final = ("network", "cluster", "workload", "ci-access")
"""The lab's stacks, each named ``<lab>-<part>`` (``stack_name``): stacks/lab.py builds them under
these names, ``ekslab azs`` reads the network stack's outputs, teardown-check looks for all four."""


def stack_name(lab: str, part: str) -> str:
    """``<lab>-<part>``: several labs can share one account and region without clashing."""
    if part not in STACK_PARTS:
        raise ValueError(f"unknown lab stack {part!r}; the parts are {', '.join(STACK_PARTS)}")
    return f"{lab}-{part}"
