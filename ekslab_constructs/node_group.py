"""Managed node groups: the shared node role, and one hardened launch template plus node group per config entry."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from constructs import Construct

from ekslab.cni.node_config import node_config_document
from ekslab.config.model import NODEADM_AMI_TYPES, NodeGroup
from ekslab_constructs.nag import acknowledge, managed_policy

ROOT_DEVICE: Final = "/dev/xvda"
"""Root device of the EKS-optimized AL2023 AMIs: the OS, images and pods share it."""
BOTTLEROCKET_DATA_DEVICE: Final = "/dev/xvdb"
"""Bottlerocket's data device (images, pods, host containers). Its /dev/xvda is the small OS volume with
the A/B partition sets and a dm-verity root, so the lab's sized, encrypted volume goes on /dev/xvdb.
See https://github.com/bottlerocket-os/bottlerocket#default-volumes"""
NODE_CONFIG_CONTENT_TYPE: Final = "application/node.eks.aws"
"""MIME type of an AL2023 nodeadm NodeConfig part in launch template user data.
See https://docs.aws.amazon.com/eks/latest/userguide/launch-templates.html"""

_TAINT_EFFECTS: Final = {
    "NO_SCHEDULE": eks.TaintEffect.NO_SCHEDULE,
    "NO_EXECUTE": eks.TaintEffect.NO_EXECUTE,
    "PREFER_NO_SCHEDULE": eks.TaintEffect.PREFER_NO_SCHEDULE,
}


class NodeRole(Construct):
    """The EC2 role of the lab's nodes: join the cluster, pull images, Session Manager. No CNI policy:
    aws-node has its own role (``VpcCniAddon``)."""

    def __init__(self, scope: Construct, id_: str) -> None:
        super().__init__(scope, id_)
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"),
            description="Nodes of the lab's managed node groups",
            managed_policies=[
                iam.ManagedPolicy.from_aws_managed_policy_name("AmazonEKSWorkerNodePolicy"),
                iam.ManagedPolicy.from_aws_managed_policy_name("AmazonEC2ContainerRegistryPullOnly"),
                # The workshop logs into nodes to curl the ipamd introspection endpoint.
                iam.ManagedPolicy.from_aws_managed_policy_name("AmazonSSMManagedInstanceCore"),
            ],
        )
        for policy, why in (
            (
                "AmazonEKSWorkerNodePolicy",
                "lets the kubelet join the cluster and describe its instance, as EKS requires",
            ),
            (
                "AmazonEC2ContainerRegistryPullOnly",
                "lets the kubelet pull images from ECR, read-only and pull-only",
            ),
            (
                "AmazonSSMManagedInstanceCore",
                "lets Session Manager reach nodes for the workshop's ipamd "
                "introspection step, instead of SSH keys and open ports",
            ),
        ):
            acknowledge(self.role, managed_policy(policy), f"AWS-maintained node policy that {why}")


def data_device(ami_type: str) -> str:
    """Device name of the volume that holds images and pods for an AMI type (``NodeGroup.disk_size``)."""
    return ROOT_DEVICE if ami_type in NODEADM_AMI_TYPES else BOTTLEROCKET_DATA_DEVICE


class LabNodeGroup(Construct):
    """One managed node group: IMDSv2 only, encrypted gp3 volume for images and pods (the root volume
    on AL2023, the data volume on Bottlerocket), and (when the CNI mode changes the pod density) the
    node's max pods in an AL2023 NodeConfig.

    ``max_pods`` None keeps the AMI's default (nodeadm computes it from the instance type); a value
    needs an AL2023 AMI type (the configuration check refuses Bottlerocket then).
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        cluster: eks.ICluster,
        group: NodeGroup,
        subnets: Sequence[ec2.ISubnet],
        role: iam.IRole,
        max_pods: int | None,
    ) -> None:
        if max_pods is not None and group.ami_type not in NODEADM_AMI_TYPES:
            raise ValueError(
                f"node group {group.name}: max pods {max_pods} needs an AL2023 AMI type, not {group.ami_type}"
            )
        super().__init__(scope, id_)
        self.max_pods = max_pods
        user_data = None
        if max_pods is not None:
            user_data = ec2.MultipartUserData()
            user_data.add_part(
                ec2.MultipartBody.from_raw_body(
                    content_type=NODE_CONFIG_CONTENT_TYPE,
                    body=node_config_document(max_pods=max_pods),
                )
            )
        self.launch_template = ec2.LaunchTemplate(
            self,
            "LaunchTemplate",
            require_imdsv2=True,
            http_put_response_hop_limit=group.imds_hop_limit,
            block_devices=[
                ec2.BlockDevice(
                    device_name=data_device(group.ami_type),
                    volume=ec2.BlockDeviceVolume.ebs(
                        group.disk_size, encrypted=True, volume_type=ec2.EbsDeviceVolumeType.GP3
                    ),
                )
            ],
            user_data=user_data,
        )
        self.nodegroup = eks.Nodegroup(
            self,
            "NodeGroup",
            cluster=cluster,
            nodegroup_name=group.name,
            instance_types=[ec2.InstanceType(name) for name in group.instance_types],
            capacity_type=eks.CapacityType.SPOT
            if group.capacity_type == "SPOT"
            else eks.CapacityType.ON_DEMAND,
            ami_type=getattr(eks.NodegroupAmiType, group.ami_type.upper()),
            min_size=group.min_size,
            desired_size=group.desired_size,
            max_size=group.max_size,
            labels=dict(group.labels),
            taints=[
                eks.TaintSpec(key=t.key, value=t.value, effect=_TAINT_EFFECTS[t.effect]) for t in group.taints
            ],
            subnets=ec2.SubnetSelection(subnets=list(subnets)),
            node_role=role,
            launch_template_spec=eks.LaunchTemplateSpec(
                id=self.launch_template.launch_template_id,
                version=self.launch_template.latest_version_number,
            ),
        )
