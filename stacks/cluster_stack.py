"""Cluster stack: the EKS cluster, its managed add-ons (the VPC CNI first) and the node groups."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack
from constructs import Construct

from ekslab.cni.node_config import node_max_pods
from ekslab.cni.render import EniConfigSubnet
from ekslab.cni.versions import addon_versions
from ekslab.config.cni import CniEnv
from ekslab.config.model import PRINCIPAL_ARN_PATTERN, PRINCIPAL_ARN_RULE, LabConfig
from ekslab.errors import InputError
from ekslab.lab import require_valid
from ekslab_constructs.cluster_addons import CoreAddons, VpcCniAddon
from ekslab_constructs.eks_cluster import LabCluster
from ekslab_constructs.node_group import LabNodeGroup, NodeRole
from stacks.network_stack import NetworkStack

DEPLOYER_CONTEXT_KEY = "deployerPrincipalArn"
"""Context set by `make deploy` to the IAM principal running the deploy (scripts/deployer_principal.py)."""


def admin_principal(config: LabConfig, deployer: object) -> str | None:
    """Who gets the cluster-admin access entry: cluster.adminPrincipalArn if set, else the deploying
    principal from context ``deployerPrincipalArn`` (None when neither is given).

    The context value is checked only when it is used; InputError if it is not an IAM role or user ARN.
    """
    if config.cluster.admin_principal_arn:
        return config.cluster.admin_principal_arn
    if deployer is None or deployer == "":
        return None
    if not isinstance(deployer, str) or not PRINCIPAL_ARN_PATTERN.match(deployer):
        raise InputError(f"-c {DEPLOYER_CONTEXT_KEY}", PRINCIPAL_ARN_RULE, deployer)
    return deployer


class ClusterStack(Stack):
    """EKS cluster with the VPC CNI add-on configured before any node starts.

    Order enforced with real CloudFormation DependsOn: vpc-cni, kube-proxy and the Pod Identity
    agent before every node group; CoreDNS after the node groups (it needs nodes to schedule on).

    The lab is checked first (``ekslab.lab.require_valid``: node groups, max pods, IP capacity...), so a lab that
    ``ekslab config check`` refuses never becomes a template, whoever builds the stack.
    """

    def __init__(
        self, scope: Construct, id_: str, *, config: LabConfig, network: NetworkStack, **kwargs: Any
    ) -> None:
        require_valid(config)
        admin = admin_principal(config, scope.node.try_get_context(DEPLOYER_CONTEXT_KEY))
        super().__init__(scope, id_, **kwargs)
        lab_vpc = network.lab_vpc
        env: CniEnv = config.cni.env
        self.lab_cluster = LabCluster(
            self,
            "Eks",
            name=config.cluster_name,
            settings=config.cluster,
            vpc=lab_vpc.vpc,
            private_subnets=lab_vpc.private_subnets,
            vpc_resource_controller=bool(env.ENABLE_POD_ENI),
            admin_principal_arn=admin,
        )
        cluster = self.lab_cluster.cluster
        versions = addon_versions(config)
        eni_configs = None
        if lab_vpc.pod_subnets:
            # Pods on custom-networking ENIs use the cluster security group, as the nodes do.
            eni_configs = {
                zone: EniConfigSubnet(subnet.subnet_id, [cluster.cluster_security_group_id])
                for zone, subnet in lab_vpc.pod_subnets.items()
            }
        self.vpc_cni = VpcCniAddon(
            self,
            "VpcCni",
            cluster=cluster,
            config=config,
            version=versions["vpc-cni"],
            eni_configs=eni_configs,
        )
        self.core_addons = CoreAddons(self, "CoreAddons", cluster=cluster, config=config, versions=versions)
        self.node_role = NodeRole(self, "NodeRole")
        self.node_groups: list[LabNodeGroup] = []
        for group in config.node_groups:
            zones = set(config.node_group_azs(group))
            subnets = [s for s in lab_vpc.private_subnets if s.availability_zone in zones]
            node_group = LabNodeGroup(
                self,
                f"NodeGroup-{group.name}",
                cluster=cluster,
                group=group,
                subnets=subnets,
                role=self.node_role.role,
                max_pods=node_max_pods(config, group),
            )
            # The CNI (and what aws-node needs to get credentials) exists before any node boots.
            node_group.node.add_dependency(self.vpc_cni.addon)
            node_group.node.add_dependency(self.core_addons.kube_proxy)
            node_group.node.add_dependency(self.core_addons.pod_identity_agent)
            self.core_addons.coredns.node.add_dependency(node_group)
            self.node_groups.append(node_group)
        self._outputs(config)

    def _outputs(self, config: LabConfig) -> None:
        cluster = self.lab_cluster.cluster
        outputs = {
            "ClusterName": (cluster.cluster_name, "EKS cluster name"),
            "KubeconfigCommand": (
                f"aws eks update-kubeconfig --name {config.cluster_name} --region {config.region}",
                "Configure kubectl for the lab",
            ),
            "ClusterSecurityGroupId": (
                cluster.cluster_security_group_id,
                "Cluster security group (nodes, pods)",
            ),
            "AwsNodeRoleArn": (self.vpc_cni.identity.role.role_arn, "IAM role of the VPC CNI (aws-node)"),
            "NodeRoleArn": (self.node_role.role.role_arn, "IAM role of the nodes"),
        }
        for key, (value, description) in outputs.items():
            output = CfnOutput(
                self,
                key,
                value=value,
                description=description,
                export_name=f"{config.lab.name}-{key}" if key == "ClusterName" else None,
            )
            output.override_logical_id(key)
