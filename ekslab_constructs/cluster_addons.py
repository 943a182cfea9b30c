"""The cluster's EKS managed add-ons: the VPC CNI (configured from the typed settings) and the core trio.

The VPC CNI add-on must exist, with its configuration, before any node starts: a node that boots
before the CNI is configured keeps the wrong max pods (cdk-notes.md). Nothing in aws_eks_v2 orders
them, so ``LabNodeGroup`` adds a real CloudFormation DependsOn on ``VpcCniAddon.addon``.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Aws, Stack
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from constructs import Construct

from ekslab.cni.render import EniConfigSubnet, configuration_values
from ekslab.cni.versions import COREDNS, KUBE_PROXY, POD_IDENTITY_AGENT, VPC_CNI
from ekslab.config.model import IpFamily, LabConfig
from ekslab_constructs.nag import acknowledge, managed_policy
from ekslab_constructs.workload_identity import ServiceAccountRole


def ipv6_cni_policy() -> iam.PolicyDocument:
    """The customer-managed policy AWS documents for IPv6 clusters (there is no AWS managed one).
    See https://docs.aws.amazon.com/eks/latest/userguide/cni-iam-role.html#cni-iam-role-create-ipv6-policy"""
    return iam.PolicyDocument(
        statements=[
            iam.PolicyStatement(
                actions=[
                    "ec2:AssignIpv6Addresses",
                    "ec2:DescribeInstances",
                    "ec2:DescribeTags",
                    "ec2:DescribeNetworkInterfaces",
                    "ec2:DescribeInstanceTypes",
                ],
                resources=["*"],
            ),
            iam.PolicyStatement(
                actions=["ec2:CreateTags"], resources=[f"arn:{Aws.PARTITION}:ec2:*:*:network-interface/*"]
            ),
        ]
    )


class VpcCniAddon(Construct):
    """The ``vpc-cni`` managed add-on with the lab's configurationValues and its own IAM identity.

    aws-node gets a dedicated role (AmazonEKS_CNI_Policy, or the IPv6 policy) through EKS Pod
    Identity or IRSA; the node role does not carry CNI permissions.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        cluster: eks.Cluster,
        config: LabConfig,
        version: str,
        eni_configs: Mapping[str, EniConfigSubnet] | None,
    ) -> None:
        super().__init__(scope, id_)
        ipv6 = config.cluster.ip_family is IpFamily.IPV6
        self.identity = ServiceAccountRole(
            self,
            "AwsNodeIdentity",
            cluster=cluster,
            namespace="kube-system",
            service_account="aws-node",
            mode=config.cluster.workload_identity,
            managed_policies=[]
            if ipv6
            else [iam.ManagedPolicy.from_aws_managed_policy_name("AmazonEKS_CNI_Policy")],
            description="VPC CNI (aws-node): manages ENIs and IPs of the lab's nodes",
        )
        if not ipv6:
            acknowledge(
                self.identity.role,
                managed_policy("AmazonEKS_CNI_Policy"),
                "The AWS-maintained policy the VPC CNI documentation prescribes for aws-node; it is attached "
                "to aws-node's own role only, never to the nodes",
            )
        if ipv6:
            policy = iam.Policy(self, "Ipv6CniPolicy", document=ipv6_cni_policy())
            self.identity.role.attach_inline_policy(policy)
            acknowledge(
                policy,
                "AwsSolutions-IAM5[Resource::*]",
                "The IPv6 CNI policy AWS documents: these EC2 actions (AssignIpv6Addresses, Describe*) have no "
                "resource-level permissions, and aws-node works on any ENI of its node",
            )
            acknowledge(
                policy,
                "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:*:*:network-interface/*]",
                "The IPv6 CNI policy AWS documents: aws-node tags the ENIs it creates, whose ids it cannot know "
                "before it creates them",
            )
        self.configuration_values = configuration_values(config, eni_configs=eni_configs)
        self.addon = eks.CfnAddon(
            self,
            "Addon",
            addon_name=VPC_CNI,
            cluster_name=cluster.cluster_name,
            addon_version=version,
            # The lab's settings win over anything changed in the cluster (eksctl's resolveConflicts).
            resolve_conflicts=config.addons.vpc_cni.resolve_conflicts,
            preserve_on_delete=False,
            configuration_values=(
                Stack.of(self).to_json_string(self.configuration_values)
                if self.configuration_values
                else None
            ),
            **self.identity.addon_identity(),
        )


class CoreAddons(Construct):
    """kube-proxy, CoreDNS and the EKS Pod Identity agent, each pinned to a version."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        cluster: eks.Cluster,
        config: LabConfig,
        versions: Mapping[str, str],
    ) -> None:
        super().__init__(scope, id_)
        settings = config.addons
        self.kube_proxy = self._addon(
            cluster, KUBE_PROXY, versions[KUBE_PROXY], settings.kube_proxy.resolve_conflicts
        )
        self.coredns = self._addon(cluster, COREDNS, versions[COREDNS], settings.core_dns.resolve_conflicts)
        # aws_eks_v2 creates this add-on itself when a service account uses Pod Identity; take that
        # one (so there is only ever one) and pin it.
        agent = cluster.eks_pod_identity_agent
        agent_resource = agent.node.default_child
        agent_resource.add_property_override("AddonVersion", versions[POD_IDENTITY_AGENT])
        agent_resource.add_property_override(
            "ResolveConflicts", settings.pod_identity_agent.resolve_conflicts
        )
        self.pod_identity_agent = agent

    def _addon(self, cluster: eks.Cluster, name: str, version: str, resolve_conflicts: str) -> eks.CfnAddon:
        return eks.CfnAddon(
            self,
            name.title().replace("-", ""),
            addon_name=name,
            cluster_name=cluster.cluster_name,
            addon_version=version,
            resolve_conflicts=resolve_conflicts,
            preserve_on_delete=False,
        )
