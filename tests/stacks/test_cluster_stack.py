"""The cluster stack: aws_eks_v2 cluster, the VPC CNI add-on before every node group, identity, node groups."""

from __future__ import annotations

import email
import json

import pytest
import yaml
from aws_cdk import App
from aws_cdk.assertions import Match, Template

from ekslab.config import default_config
from ekslab.config.loader import parse_config
from ekslab.errors import InputError
from stacks.app_config import config_from_context
from stacks.cluster_stack import DEPLOYER_CONTEXT_KEY
from stacks.lab import build_lab
from tests.synth import ROOT, cdk_json_context, synth_lab


@pytest.fixture(scope="module")
def cluster() -> Template:
    return synth_lab(default_config()).template("cluster")


@pytest.fixture(scope="module")
def two_groups() -> Template:
    """A lab with an on-demand group and a tainted spot group (the lab refuses all groups tainted) whose
    nodes keep IMDS from pods (hop limit 1)."""
    config = parse_config(
        {
            "nodeGroups": [
                {"name": "ng-default"},
                {
                    "name": "spot",
                    "capacityType": "SPOT",
                    "taints": [{"key": "batch", "value": "true", "effect": "NO_SCHEDULE"}],
                    "imdsHopLimit": 1,
                },
            ]
        }
    )
    return synth_lab(config).template("cluster")


def _by_type(template: Template, kind: str) -> dict[str, dict]:
    return template.find_resources(kind)


def _addon(template: Template, name: str) -> tuple[str, dict]:
    matches = [
        (k, r)
        for k, r in _by_type(template, "AWS::EKS::Addon").items()
        if r["Properties"]["AddonName"] == name
    ]
    assert len(matches) == 1
    return matches[0]


def _managed_policies(role: dict) -> list[str]:
    return [json.dumps(arn) for arn in role["Properties"].get("ManagedPolicyArns", [])]


# --- the cluster ---------------------------------------------------------------------------------


def test_cluster_uses_managed_node_groups_not_auto_mode(cluster: Template) -> None:
    # Auto Mode replaces the VPC CNI and ignores its settings (cdk-notes.md).
    cluster.has_resource_properties(
        "AWS::EKS::Cluster",
        {
            "ComputeConfig": {"Enabled": False},
            "KubernetesNetworkConfig": {"ElasticLoadBalancing": {"Enabled": False}, "IpFamily": "ipv4"},
            "BootstrapSelfManagedAddons": False,
        },
    )


def test_cluster_authenticates_with_access_entries(cluster: Template) -> None:
    cluster.has_resource_properties(
        "AWS::EKS::Cluster",
        {
            "AccessConfig": {"AuthenticationMode": "API", "BootstrapClusterCreatorAdminPermissions": False},
        },
    )


def test_cluster_is_named_after_the_lab_and_runs_the_default_version(cluster: Template) -> None:
    cluster.has_resource_properties("AWS::EKS::Cluster", {"Name": "ekslab", "Version": "1.36"})


def test_control_plane_logs_api_audit_authenticator(cluster: Template) -> None:
    cluster.has_resource_properties(
        "AWS::EKS::Cluster",
        {
            "Logging": {
                "ClusterLogging": {
                    "EnabledTypes": [{"Type": "api"}, {"Type": "audit"}, {"Type": "authenticator"}]
                }
            }
        },
    )


def test_secrets_are_encrypted_with_a_rotating_key(cluster: Template) -> None:
    cluster.has_resource_properties(
        "AWS::EKS::Cluster",
        {"EncryptionConfig": [{"Provider": {"KeyArn": Match.any_value()}, "Resources": ["secrets"]}]},
    )
    cluster.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})


def test_cluster_sits_in_the_private_subnets_only(cluster: Template) -> None:
    [resource] = _by_type(cluster, "AWS::EKS::Cluster").values()
    subnets = [item["Fn::ImportValue"] for item in resource["Properties"]["ResourcesVpcConfig"]["SubnetIds"]]
    assert len(subnets) == 3 and all("PrivateSubnet" in name for name in subnets)


def test_endpoint_is_public_and_private_with_the_configured_cidrs() -> None:
    config = parse_config({"cluster": {"publicAccessCidrs": ["203.0.113.10/32"]}})
    synth_lab(config).template("cluster").has_resource_properties(
        "AWS::EKS::Cluster",
        {
            "ResourcesVpcConfig": {
                "EndpointPrivateAccess": True,
                "EndpointPublicAccess": True,
                "PublicAccessCidrs": ["203.0.113.10/32"],
            }
        },
    )


def test_private_endpoint_only() -> None:
    config = parse_config({"cluster": {"endpointAccess": "private"}})
    synth_lab(config).template("cluster").has_resource_properties(
        "AWS::EKS::Cluster",
        {"ResourcesVpcConfig": {"EndpointPrivateAccess": True, "EndpointPublicAccess": False}},
    )


def test_admin_principal_gets_a_cluster_admin_access_entry() -> None:
    config = parse_config({"cluster": {"adminPrincipalArn": "arn:aws:iam::123456789012:role/LabAdmin"}})
    entries = (
        synth_lab(config)
        .template("cluster")
        .find_resources(
            "AWS::EKS::AccessEntry",
            {"Properties": {"PrincipalArn": "arn:aws:iam::123456789012:role/LabAdmin"}},
        )
    )
    [entry] = entries.values()
    [policy] = entry["Properties"]["AccessPolicies"]
    assert policy["AccessScope"] == {"Type": "cluster"}
    assert "cluster-access-policy/AmazonEKSClusterAdminPolicy" in json.dumps(policy["PolicyArn"])


DEPLOYER = "arn:aws:iam::123456789012:role/Deployer"
ADMIN = "arn:aws:iam::123456789012:role/LabAdmin"


def _access_entry_principals(document: dict, context: dict) -> list[object]:
    stacks = build_lab(App(context={**cdk_json_context(), **context}), parse_config(document))
    entries = Template.from_stack(stacks.cluster).find_resources("AWS::EKS::AccessEntry")
    # The kubectl provider's own role has an entry too (a Fn::GetAtt); only literal ARNs come from the lab.
    return [arn for entry in entries.values() if isinstance(arn := entry["Properties"]["PrincipalArn"], str)]


@pytest.mark.parametrize(
    ("document", "context", "principals"),
    [
        ({}, {DEPLOYER_CONTEXT_KEY: DEPLOYER}, [DEPLOYER]),
        ({"cluster": {"adminPrincipalArn": ADMIN}}, {DEPLOYER_CONTEXT_KEY: DEPLOYER}, [ADMIN]),
        ({}, {}, []),
    ],
    ids=["deploying-role-by-default", "admin-principal-instead", "neither"],
)
def test_cluster_admin_entry_goes_to_the_admin_principal_else_the_deploying_one(
    document: dict, context: dict, principals: list[str]
) -> None:
    # docs/configuration.md cluster.adminPrincipalArn: "Default: the deploying role"; when set, it replaces it
    assert _access_entry_principals(document, context) == principals


@pytest.mark.parametrize(
    "value",
    [
        "arn:aws:iam::123456789012:group/Admins",
        "arn:aws:sts::123456789012:assumed-role/Deployer/ci",
        "nobody",
    ],
    ids=["group", "sts-session", "garbage"],
)
def test_deploying_principal_that_is_not_a_role_or_user_is_refused(value: str) -> None:
    # GIVEN a deployerPrincipalArn context that an access entry cannot take
    app = App(context={**cdk_json_context(), DEPLOYER_CONTEXT_KEY: value})
    # WHEN the lab is built (synth) or read from context (app.py)  THEN one line names the context key
    expected = (
        f"-c deployerPrincipalArn: must be an IAM role or user ARN such as arn:aws:iam::123456789012:role/Admin, "
        f"got {value!r}"
    )
    with pytest.raises(InputError) as from_context:
        config_from_context(app)
    with pytest.raises(InputError) as from_stack:
        build_lab(app, default_config())
    assert (from_context.value.message, from_stack.value.message) == (expected, expected)


# --- the VPC CNI add-on and its ordering ---------------------------------------------------------


def test_vpc_cni_add_on_is_pinned_and_overwrites_conflicts(cluster: Template) -> None:
    cluster.has_resource_properties(
        "AWS::EKS::Addon",
        {
            "AddonName": "vpc-cni",
            "AddonVersion": "v1.22.4-eksbuild.3",
            "ResolveConflicts": "OVERWRITE",
        },
    )


@pytest.mark.parametrize(
    ("addon", "version"),
    [
        ("kube-proxy", "v1.36.0-eksbuild.14"),
        ("coredns", "v1.14.3-eksbuild.3"),
        ("eks-pod-identity-agent", "v1.3.9-eksbuild.1"),
    ],
)
def test_core_add_ons_are_pinned(cluster: Template, addon: str, version: str) -> None:
    cluster.has_resource_properties("AWS::EKS::Addon", {"AddonName": addon, "AddonVersion": version})


def test_every_node_group_depends_on_the_vpc_cni_add_on(cluster: Template) -> None:
    # A node that boots before the CNI is configured keeps the wrong max pods (cdk-notes.md).
    cni_id, _ = _addon(cluster, "vpc-cni")
    groups = _by_type(cluster, "AWS::EKS::Nodegroup")
    assert groups and all(cni_id in group.get("DependsOn", []) for group in groups.values())


@pytest.mark.parametrize("addon", ["kube-proxy", "eks-pod-identity-agent"])
def test_node_groups_wait_for_the_daemonset_add_ons(cluster: Template, addon: str) -> None:
    addon_id, _ = _addon(cluster, addon)
    groups = _by_type(cluster, "AWS::EKS::Nodegroup")
    assert groups and all(addon_id in group.get("DependsOn", []) for group in groups.values())


def test_coredns_waits_for_the_node_groups(cluster: Template) -> None:
    _, coredns = _addon(cluster, "coredns")
    groups = set(_by_type(cluster, "AWS::EKS::Nodegroup"))
    assert groups and groups <= set(coredns.get("DependsOn", []))


def test_each_of_two_node_groups_waits_for_the_node_add_ons(two_groups: Template) -> None:
    # GIVEN a lab with two node groups
    groups = _by_type(two_groups, "AWS::EKS::Nodegroup")
    wanted = {_addon(two_groups, name)[0] for name in ("vpc-cni", "kube-proxy", "eks-pod-identity-agent")}
    # THEN every group depends on exactly the CNI and the add-ons aws-node needs, so no node boots first
    assert (len(groups), {key: set(group.get("DependsOn", [])) for key, group in groups.items()}) == (
        2,
        dict.fromkeys(groups, wanted),
    )


def test_coredns_waits_for_every_one_of_two_node_groups(two_groups: Template) -> None:
    # GIVEN a lab with two node groups (each a launch template and a node group resource)
    _, coredns = _addon(two_groups, "coredns")
    groups = set(_by_type(two_groups, "AWS::EKS::Nodegroup"))
    launch_templates = set(_by_type(two_groups, "AWS::EC2::LaunchTemplate"))
    # THEN coredns depends on exactly both groups' resources: its pods need nodes to run on
    assert (len(groups), set(coredns.get("DependsOn", []))) == (2, groups | launch_templates)


def test_default_lab_sends_no_configuration_values(cluster: Template) -> None:
    _, cni = _addon(cluster, "vpc-cni")
    assert "ConfigurationValues" not in cni["Properties"]


def test_configuration_values_are_the_rendered_settings() -> None:
    config = parse_config({"cni": {"env": {"WARM_IP_TARGET": 5, "MINIMUM_IP_TARGET": 10}}})
    _, cni = _addon(synth_lab(config).template("cluster"), "vpc-cni")
    assert json.loads(cni["Properties"]["ConfigurationValues"]) == {
        "env": {"MINIMUM_IP_TARGET": "10", "WARM_IP_TARGET": "5"}
    }


# --- identity ------------------------------------------------------------------------------------


def test_aws_node_gets_its_own_role_through_pod_identity(cluster: Template) -> None:
    _, cni = _addon(cluster, "vpc-cni")
    [association] = cni["Properties"]["PodIdentityAssociations"]
    assert association["ServiceAccount"] == "aws-node"
    role = _by_type(cluster, "AWS::IAM::Role")[association["RoleArn"]["Fn::GetAtt"][0]]
    assert any("AmazonEKS_CNI_Policy" in arn for arn in _managed_policies(role))
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"] == [
        {
            "Action": ["sts:AssumeRole", "sts:TagSession"],
            "Effect": "Allow",
            "Principal": {"Service": "pods.eks.amazonaws.com"},
        }
    ]


def test_node_role_does_not_carry_the_cni_policy(cluster: Template) -> None:
    [group] = _by_type(cluster, "AWS::EKS::Nodegroup").values()
    node_role = _by_type(cluster, "AWS::IAM::Role")[group["Properties"]["NodeRole"]["Fn::GetAtt"][0]]
    policies = _managed_policies(node_role)
    assert not any("AmazonEKS_CNI_Policy" in arn for arn in policies)
    assert all(
        any(name in arn for arn in policies)
        for name in (
            "AmazonEKSWorkerNodePolicy",
            "AmazonEC2ContainerRegistryPullOnly",
            "AmazonSSMManagedInstanceCore",
        )
    )


class TestIrsa:
    @pytest.fixture(scope="class")
    def template(self) -> Template:
        return synth_lab(parse_config({"cluster": {"workloadIdentity": "irsa"}})).template("cluster")

    def test_add_on_names_the_service_account_role(self, template: Template) -> None:
        _, cni = _addon(template, "vpc-cni")
        assert (
            "ServiceAccountRoleArn" in cni["Properties"]
            and "PodIdentityAssociations" not in cni["Properties"]
        )

    def test_role_trusts_only_the_aws_node_service_account(self, template: Template) -> None:
        _, cni = _addon(template, "vpc-cni")
        role = _by_type(template, "AWS::IAM::Role")[
            cni["Properties"]["ServiceAccountRoleArn"]["Fn::GetAtt"][0]
        ]
        [statement] = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
        conditions = template.find_resources("AWS::CloudFormation::CustomResource")
        rendered = json.dumps(conditions) + json.dumps(_by_type(template, "Custom::AWSCDKCfnJson"))
        assert "system:serviceaccount:kube-system:aws-node" in rendered and "sts.amazonaws.com" in rendered


# --- node groups ---------------------------------------------------------------------------------


def test_nodes_require_imdsv2_with_hop_limit_two(cluster: Template) -> None:
    cluster.has_resource_properties(
        "AWS::EC2::LaunchTemplate",
        {
            "LaunchTemplateData": Match.object_like(
                {"MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 2}}
            )
        },
    )


def test_each_group_gets_its_own_imds_hop_limit(two_groups: Template) -> None:
    limits = sorted(
        template["Properties"]["LaunchTemplateData"]["MetadataOptions"]["HttpPutResponseHopLimit"]
        for template in _by_type(two_groups, "AWS::EC2::LaunchTemplate").values()
    )
    assert limits == [1, 2]


def test_root_volume_is_encrypted_gp3(cluster: Template) -> None:
    cluster.has_resource_properties(
        "AWS::EC2::LaunchTemplate",
        {
            "LaunchTemplateData": Match.object_like(
                {
                    "BlockDeviceMappings": [
                        {
                            "DeviceName": "/dev/xvda",
                            "Ebs": {"Encrypted": True, "VolumeSize": 20, "VolumeType": "gp3"},
                        }
                    ]
                }
            )
        },
    )


def test_bottlerocket_gets_the_encrypted_volume_as_its_data_device() -> None:
    # Bottlerocket's /dev/xvda is its small OS volume; images and pods live on /dev/xvdb
    # (https://github.com/bottlerocket-os/bottlerocket#default-volumes).
    config = parse_config({"nodeGroups": [{"name": "br", "amiType": "BOTTLEROCKET_x86_64", "diskSize": 40}]})
    [launch_template] = _by_type(synth_lab(config).template("cluster"), "AWS::EC2::LaunchTemplate").values()
    assert launch_template["Properties"]["LaunchTemplateData"]["BlockDeviceMappings"] == [
        {"DeviceName": "/dev/xvdb", "Ebs": {"Encrypted": True, "VolumeSize": 40, "VolumeType": "gp3"}}
    ]


def test_node_group_takes_the_configured_shape(cluster: Template) -> None:
    cluster.has_resource_properties(
        "AWS::EKS::Nodegroup",
        {
            "NodegroupName": "ng-default",
            "InstanceTypes": ["m5.large"],
            "AmiType": "AL2023_x86_64_STANDARD",
            "CapacityType": "ON_DEMAND",
            "ScalingConfig": {"MinSize": 3, "DesiredSize": 3, "MaxSize": 6},
        },
    )


def test_secondary_ip_mode_keeps_the_ami_default_max_pods(cluster: Template) -> None:
    [template] = _by_type(cluster, "AWS::EC2::LaunchTemplate").values()
    assert "UserData" not in template["Properties"]["LaunchTemplateData"]


def test_node_group_in_chosen_azs_only() -> None:
    config = parse_config({"nodeGroups": [{"name": "ng-a", "availabilityZones": ["ap-northeast-2a"]}]})
    [group] = _by_type(synth_lab(config).template("cluster"), "AWS::EKS::Nodegroup").values()
    [subnet] = group["Properties"]["Subnets"]
    assert "PrivateSubnet1" in subnet["Fn::ImportValue"]


def test_spot_node_group_with_labels_and_taints() -> None:
    config = parse_config(
        {
            "nodeGroups": [
                {"name": "ng-default"},  # the lab refuses a lab whose every group is tainted
                {
                    "name": "spot",
                    "capacityType": "SPOT",
                    "labels": {"tier": "batch"},
                    "taints": [{"key": "batch", "value": "true", "effect": "NO_SCHEDULE"}],
                },
            ]
        }
    )
    synth_lab(config).template("cluster").has_resource_properties(
        "AWS::EKS::Nodegroup",
        {
            "CapacityType": "SPOT",
            "Labels": {"tier": "batch"},
            "Taints": [{"Key": "batch", "Value": "true", "Effect": "NO_SCHEDULE"}],
        },
    )


# --- variants ------------------------------------------------------------------------------------


def test_security_groups_for_pods_adds_the_vpc_resource_controller_policy() -> None:
    template = synth_lab(parse_config({"cni": {"env": {"ENABLE_POD_ENI": True}}})).template("cluster")
    [resource] = _by_type(template, "AWS::EKS::Cluster").values()
    cluster_role = _by_type(template, "AWS::IAM::Role")[resource["Properties"]["RoleArn"]["Fn::GetAtt"][0]]
    assert any("AmazonEKSVPCResourceController" in arn for arn in _managed_policies(cluster_role))


def test_custom_networking_creates_an_eniconfig_per_az_with_the_pod_subnets() -> None:
    from ekslab.lab import load_config

    template = synth_lab(load_config(ROOT / "examples" / "custom-networking.yaml")).template("cluster")
    _, cni = _addon(template, "vpc-cni")
    rendered = json.dumps(template.to_json()["Resources"][_addon(template, "vpc-cni")[0]])
    assert "PodSubnet1" in rendered and "PodSubnet2" in rendered and "PodSubnet3" in rendered
    assert '\\"ENI_CONFIG_LABEL_DEF\\":\\"topology.kubernetes.io/zone\\"' in rendered
    assert "ClusterSecurityGroupId" in rendered  # pods use the cluster security group
    assert cni["Properties"]["AddonName"] == "vpc-cni"


# --- max pods passed to the node (AL2023 NodeConfig) ------------------------------------------------


def _node_configs(template: Template) -> list[dict]:
    """The NodeConfig documents in the launch template's MIME multipart user data."""
    [launch_template] = _by_type(template, "AWS::EC2::LaunchTemplate").values()
    message = email.message_from_string(
        launch_template["Properties"]["LaunchTemplateData"]["UserData"]["Fn::Base64"]
    )
    return [
        yaml.safe_load(part.get_payload())
        for part in message.walk()
        if part.get_content_type() == "application/node.eks.aws"
    ]


@pytest.mark.parametrize(
    ("document", "max_pods"),
    [
        # m5.large: 3 ENIs x 10 IPv4 (eni-limits.tsv). Prefix delegation: 3 x (9 x 16) + 2 = 434, capped at 110
        # below 30 vCPUs (max-pods-calculator.sh, cni-facts.md §4).
        ({"cni": {"env": {"ENABLE_PREFIX_DELEGATION": True}}}, 110),
        # Custom networking: one ENI fewer for pods: 2 x 9 + 2 = 20.
        ({"network": {"podSubnets": {"enabled": True}}}, 20),
        # MAX_ENI caps ENIs: 2 x 9 + 2 = 20.
        ({"cni": {"env": {"MAX_ENI": 2}}}, 20),
        # The smallest across the group's types: t3.medium 3 x 6 -> 3 x 5 + 2 = 17 with MAX_ENI 3.
        ({"cni": {"env": {"MAX_ENI": 3}}, "nodeGroups": [{"instanceTypes": ["m5.large", "t3.medium"]}]}, 17),
    ],
    ids=["prefix-delegation", "custom-networking", "max-eni", "smallest-type-wins"],
)
def test_node_config_passes_the_cni_mode_max_pods(document: dict, max_pods: int) -> None:
    assert _node_configs(synth_lab(parse_config(document)).template("cluster")) == [
        {
            "apiVersion": "node.eks.aws/v1alpha1",
            "kind": "NodeConfig",
            "spec": {"kubelet": {"config": {"maxPods": max_pods}}},
        }
    ]


class TestIpv6:
    @pytest.fixture(scope="class")
    def lab(self):
        from ekslab.lab import load_config

        return synth_lab(load_config(ROOT / "examples" / "ipv6.yaml"))

    def test_cluster_is_ipv6(self, lab) -> None:
        lab.template("cluster").has_resource_properties(
            "AWS::EKS::Cluster", {"KubernetesNetworkConfig": Match.object_like({"IpFamily": "ipv6"})}
        )

    def test_vpc_is_dual_stack(self, lab) -> None:
        lab.template("network").has_resource_properties(
            "AWS::EC2::VPCCidrBlock", {"AmazonProvidedIpv6CidrBlock": True}
        )

    def test_aws_node_gets_the_ipv6_policy_not_the_ipv4_managed_one(self, lab) -> None:
        template = lab.template("cluster")
        _, cni = _addon(template, "vpc-cni")
        role_id = cni["Properties"]["PodIdentityAssociations"][0]["RoleArn"]["Fn::GetAtt"][0]
        assert not _managed_policies(_by_type(template, "AWS::IAM::Role")[role_id])
        policies = [
            p
            for p in _by_type(template, "AWS::IAM::Policy").values()
            if {"Ref": role_id} in p["Properties"]["Roles"]
        ]
        actions = {
            a
            for p in policies
            for s in p["Properties"]["PolicyDocument"]["Statement"]
            for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
        }
        assert "ec2:AssignIpv6Addresses" in actions and "ec2:AssignPrivateIpAddresses" not in actions


def test_lab_owns_the_encrypted_control_plane_log_group(cluster: Template) -> None:
    # EKS would otherwise create /aws/eks/<cluster>/cluster itself, unencrypted, kept forever, and
    # left behind by cdk destroy.
    groups = cluster.find_resources(
        "AWS::Logs::LogGroup", {"Properties": {"LogGroupName": "/aws/eks/ekslab/cluster"}}
    )
    [(group_id, group)] = groups.items()
    assert group["Properties"]["RetentionInDays"] == 30 and "KmsKeyId" in group["Properties"]
    assert group["DeletionPolicy"] == "Delete"
    [eks_cluster] = _by_type(cluster, "AWS::EKS::Cluster").values()
    assert group_id in eks_cluster["DependsOn"]


def test_default_kubernetes_version_is_the_newest_cdk_and_a_kubectl_layer_support() -> None:
    import importlib
    from typing import get_args

    from aws_cdk import aws_eks_v2 as eks

    from ekslab.config import defaults
    from ekslab.config.model import Cluster
    from ekslab_constructs.eks_cluster import KUBECTL_LAYERS

    cdk_versions = sorted(
        tuple(map(int, name[1:].split("_"))) for name in dir(eks.KubernetesVersion) if name.startswith("V1_")
    )
    newest = ".".join(map(str, cdk_versions[-1]))
    assert newest == defaults.KUBERNETES_VERSION
    # every version the config accepts has a pinned kubectl layer that is installed
    accepted = get_args(Cluster.model_fields["kubernetes_version"].annotation)
    assert set(accepted) == set(KUBECTL_LAYERS)
    assert all(hasattr(importlib.import_module(module), name) for module, name in KUBECTL_LAYERS.values())


def test_kubernetes_1_37_with_every_add_on_version_set_gets_the_v37_kubectl_layer() -> None:
    # GIVEN 1.37 (aws-cdk-lib 2.275.0 has no V1_37) with every add-on version given
    addons = {
        "vpcCni": {"version": "v1.23.1-eksbuild.1"},
        "kubeProxy": {"version": "v1.37.0-eksbuild.1"},
        "coreDns": {"version": "v1.14.7-eksbuild.1"},
        "podIdentityAgent": {"version": "v1.4.0-eksbuild.2"},
    }
    config = parse_config({"cluster": {"kubernetesVersion": "1.37"}, "addons": addons}, source="lab.yaml")
    # WHEN the lab is synthesized
    template = synth_lab(config).template("cluster")
    # THEN the cluster runs 1.37 and its kubectl provider carries the kubectl 1.37 layer
    template.has_resource_properties("AWS::EKS::Cluster", {"Version": "1.37"})
    template.has_resource_properties(
        "AWS::Lambda::LayerVersion", {"Description": Match.string_like_regexp(r"kubectl 1\.37")}
    )
