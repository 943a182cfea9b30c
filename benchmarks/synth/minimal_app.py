#!/usr/bin/env python3
"""Baseline for the synth benchmark: the default lab's resources, hand-written against aws_eks_v2.

No configuration model, no validation, no capacity planning, no cdk-nag: what someone would write by
hand for the same lab (3-AZ VPC with flow logs, EKS 1.36 cluster with logging, encrypted secrets and
a kubectl provider, the four managed add-ons, one m5.large node group with a launch template, the AWS
Load Balancer Controller chart with its role, the 2048 manifests and the Ingress hostname).
Run by benchmarks/synth/run.py through the same CDK CLI as `make synth`.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from aws_cdk import App, CfnOutput, Environment, Fn, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk.lambda_layer_kubectl_v36 import KubectlV36Layer

ROOT = Path(__file__).resolve().parents[2]
AZS = ["ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c"]


def network(app: App, env: Environment) -> tuple[Stack, ec2.Vpc]:
    stack = Stack(app, "minimal-network", env=env)
    vpc = ec2.Vpc(
        stack,
        "Vpc",
        ip_addresses=ec2.IpAddresses.cidr("10.11.0.0/16"),
        availability_zones=AZS,
        nat_gateways=1,
        subnet_configuration=[
            ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24),
            ec2.SubnetConfiguration(
                name="Private", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=20
            ),
        ],
    )
    key = kms.Key(stack, "FlowLogKey", enable_key_rotation=True)
    group = logs.LogGroup(stack, "FlowLogs", encryption_key=key, retention=logs.RetentionDays.ONE_MONTH)
    ec2.FlowLog(
        stack,
        "FlowLog",
        resource_type=ec2.FlowLogResourceType.from_vpc(vpc),
        destination=ec2.FlowLogDestination.to_cloud_watch_logs(group),
    )
    # The lab owns the log group of the Lambda that empties the default security group; so does this app.
    handler = stack.node.find_child("Custom::VpcRestrictDefaultSGCustomResourceProvider").node.find_child(
        "Handler"
    )
    restrict_logs = logs.LogGroup(
        stack,
        "RestrictSgLogs",
        log_group_name=Fn.join("", ["/aws/lambda/", handler.ref]),
        encryption_key=kms.Key(stack, "RestrictSgLogKey", enable_key_rotation=True),
    )
    vpc.node.find_child("RestrictDefaultSecurityGroupCustomResource").node.add_dependency(restrict_logs)
    for index, zone in enumerate(AZS, start=1):
        CfnOutput(stack, f"AZ{index}", value=zone, export_name=f"AZ{index}")
    return stack, vpc


def cluster(app: App, env: Environment, vpc: ec2.Vpc) -> tuple[Stack, eks.Cluster, eks.Nodegroup]:
    stack = Stack(app, "minimal-cluster", env=env)
    private = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)
    logs.LogGroup(
        stack,
        "ControlPlaneLogs",
        log_group_name="/aws/eks/minimal/cluster",
        encryption_key=kms.Key(stack, "LogKey", enable_key_rotation=True),
    )
    lab = eks.Cluster(
        stack,
        "Cluster",
        cluster_name="minimal",
        version=eks.KubernetesVersion.V1_36,
        vpc=vpc,
        vpc_subnets=[private],
        default_capacity_type=eks.DefaultCapacityType.NODEGROUP,
        default_capacity=0,
        bootstrap_self_managed_addons=False,
        cluster_logging=[
            eks.ClusterLoggingTypes.API,
            eks.ClusterLoggingTypes.AUDIT,
            eks.ClusterLoggingTypes.AUTHENTICATOR,
        ],
        secrets_encryption_key=kms.Key(stack, "SecretsKey", enable_key_rotation=True),
        kubectl_provider_options=eks.KubectlProviderOptions(kubectl_layer=KubectlV36Layer(stack, "Kubectl")),
    )
    cni_role = iam.Role(
        stack,
        "AwsNodeRole",
        assumed_by=iam.ServicePrincipal("pods.eks.amazonaws.com").with_session_tags(),
        managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name("AmazonEKS_CNI_Policy")],
    )
    cni = eks.CfnAddon(
        stack,
        "VpcCni",
        addon_name="vpc-cni",
        cluster_name=lab.cluster_name,
        addon_version="v1.22.4-eksbuild.3",
        resolve_conflicts="OVERWRITE",
        pod_identity_associations=[
            eks.CfnAddon.PodIdentityAssociationProperty(
                role_arn=cni_role.role_arn, service_account="aws-node"
            )
        ],
    )
    proxy = eks.CfnAddon(
        stack,
        "KubeProxy",
        addon_name="kube-proxy",
        cluster_name=lab.cluster_name,
        addon_version="v1.36.0-eksbuild.14",
    )
    lab.eks_pod_identity_agent.node.default_child.add_property_override("AddonVersion", "v1.3.9-eksbuild.1")
    template = ec2.LaunchTemplate(
        stack,
        "Nodes",
        require_imdsv2=True,
        http_put_response_hop_limit=2,
        block_devices=[
            ec2.BlockDevice(
                device_name="/dev/xvda",
                volume=ec2.BlockDeviceVolume.ebs(20, encrypted=True, volume_type=ec2.EbsDeviceVolumeType.GP3),
            )
        ],
    )
    role = iam.Role(
        stack,
        "NodeRole",
        assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"),
        managed_policies=[
            iam.ManagedPolicy.from_aws_managed_policy_name(name)
            for name in (
                "AmazonEKSWorkerNodePolicy",
                "AmazonEC2ContainerRegistryPullOnly",
                "AmazonSSMManagedInstanceCore",
            )
        ],
    )
    nodes = eks.Nodegroup(
        stack,
        "NodeGroup",
        cluster=lab,
        nodegroup_name="ng-default",
        instance_types=[ec2.InstanceType("m5.large")],
        min_size=3,
        desired_size=3,
        max_size=6,
        subnets=private,
        node_role=role,
        launch_template_spec=eks.LaunchTemplateSpec(
            id=template.launch_template_id, version=template.latest_version_number
        ),
    )
    nodes.node.add_dependency(cni, proxy)
    coredns = eks.CfnAddon(
        stack,
        "CoreDns",
        addon_name="coredns",
        cluster_name=lab.cluster_name,
        addon_version="v1.14.3-eksbuild.3",
    )
    coredns.node.add_dependency(nodes)
    return stack, lab, nodes


def workload(app: App, env: Environment, lab: eks.Cluster, nodes: eks.Nodegroup) -> Stack:
    stack = Stack(app, "minimal-workload", env=env)
    policy = json.loads(
        (ROOT / "ekslab_constructs/data/load-balancer-controller/iam-policy-v3.2.2.json").read_text()
    )
    role = iam.Role(
        stack,
        "ControllerRole",
        assumed_by=iam.ServicePrincipal("pods.eks.amazonaws.com").with_session_tags(),
        inline_policies={"Controller": iam.PolicyDocument.from_json(policy)},
    )
    eks.CfnPodIdentityAssociation(
        stack,
        "Association",
        cluster_name=lab.cluster_name,
        namespace="kube-system",
        service_account="aws-load-balancer-controller",
        role_arn=role.role_arn,
    )
    chart = eks.HelmChart(
        stack,
        "Controller",
        cluster=lab,
        chart="aws-load-balancer-controller",
        repository="https://aws.github.io/eks-charts",
        version="3.2.2",
        namespace="kube-system",
        release="aws-load-balancer-controller",
        wait=True,
        values={
            "clusterName": lab.cluster_name,
            "region": stack.region,
            "vpcId": lab.vpc.vpc_id,
            "serviceAccount": {"name": "aws-load-balancer-controller"},
        },
    )
    chart.node.add_dependency(nodes)
    previous = chart
    for path in sorted((ROOT / "manifests/2048").glob("*.yaml")):
        manifest = eks.KubernetesManifest(
            stack, path.stem, cluster=lab, manifest=[yaml.safe_load(path.read_text())]
        )
        manifest.node.add_dependency(previous)
        previous = manifest
    hostname = eks.KubernetesObjectValue(
        stack,
        "Hostname",
        cluster=lab,
        object_type="ingress",
        object_name="2048-ingress",
        object_namespace="2048-game",
        json_path=".status.loadBalancer.ingress[0].hostname",
    )
    hostname.node.add_dependency(previous)
    CfnOutput(stack, "GameUrl", value=f"http://{hostname.value}")
    return stack


def main() -> None:
    app = App()
    env = Environment(region="ap-northeast-2")
    _, vpc = network(app, env)
    _, lab, nodes = cluster(app, env, vpc)
    workload(app, env, lab, nodes)
    app.synth()


if __name__ == "__main__":
    main()
