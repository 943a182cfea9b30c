"""The workload stack: the load balancer controller (chart, role, identity), the 2048 manifests, their
order on deploy and on `cdk destroy`, the outputs, and the configuration variants."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ekslab.config import default_config
from ekslab.config.loader import parse_config
from ekslab.config.model import LabConfig
from ekslab_constructs.game_2048 import HOSTNAME_JSON_PATH
from ekslab_constructs.load_balancer_controller import (
    CHART_REPOSITORY,
    CHART_VERSION,
    NAMESPACE,
    SERVICE_ACCOUNT,
)
from tests.synth import SynthesizedLab, synth_lab
from tests.workload.cfn import cfn_text

HELM_CHART = "Custom::AWSCDK-EKS-HelmChart"
MANIFEST = "Custom::AWSCDK-EKS-KubernetesResource"
OBJECT_VALUE = "Custom::AWSCDK-EKS-KubernetesObjectValue"

Template = dict[str, Any]
"""A synthesized template as JSON."""


def _parse(raw: dict[str, Any]) -> LabConfig:
    return parse_config(raw)


VARIANTS: dict[str, LabConfig] = {
    "default": default_config(),
    "irsa-internal": _parse(
        {
            "lab": {"name": "irsa", "tags": {"owner": "alice"}},
            "cluster": {"workloadIdentity": "irsa"},
            "workload": {"game2048": {"replicas": 2, "scheme": "internal"}},
        }
    ),
    "ipv6": _parse(
        {
            "lab": {"name": "six"},
            "cluster": {"ipFamily": "ipv6"},
            "cni": {"env": {"ENABLE_PREFIX_DELEGATION": True}},
        }
    ),
}


@pytest.fixture(scope="module")
def labs() -> dict[str, SynthesizedLab]:
    return {name: synth_lab(config) for name, config in VARIANTS.items()}


@pytest.fixture(scope="module")
def templates(labs: dict[str, SynthesizedLab]) -> dict[str, dict[str, Any]]:
    return {name: lab.template("workload").to_json() for name, lab in labs.items()}


@pytest.fixture(scope="module")
def default(templates: dict[str, Template]) -> dict[str, Any]:
    return templates["default"]


def _of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {key: r for key, r in template["Resources"].items() if r["Type"] == kind}


def _one(template: dict[str, Any], kind: str) -> tuple[str, dict[str, Any]]:
    [(key, resource)] = _of_type(template, kind).items()
    return key, resource


def _manifests(template: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Kind -> (logical id, the Kubernetes object) for every KubernetesManifest of the template."""
    found = {}
    for key, resource in _of_type(template, MANIFEST).items():
        [obj] = json.loads(resource["Properties"]["Manifest"])
        found[obj["kind"]] = (key, obj)
    return found


def _chart_values(template: dict[str, Any]) -> dict[str, Any]:
    _, chart = _one(template, HELM_CHART)
    return json.loads(cfn_text(chart["Properties"]["Values"]))


def _depends_on(template: dict[str, Any], key: str) -> set[str]:
    return set(template["Resources"][key].get("DependsOn", []))


# --- the controller ------------------------------------------------------------------------------


def test_controller_chart_is_pinned_and_waits_for_its_pods(default: Template) -> None:
    _, chart = _one(default, HELM_CHART)
    properties = chart["Properties"]
    keys = ("Chart", "Repository", "Version", "Release", "Namespace", "Wait")
    assert {key: properties[key] for key in keys} == {
        "Chart": "aws-load-balancer-controller",
        "Repository": CHART_REPOSITORY,
        "Version": CHART_VERSION,
        "Release": "aws-load-balancer-controller",
        "Namespace": "kube-system",
        "Wait": True,
    }


def test_chart_version_is_the_one_the_sources_record() -> None:
    # ekslab_constructs/data/load-balancer-controller/SOURCES.md: chart 3.2.2 installs v3.2.2.
    assert (CHART_VERSION, CHART_REPOSITORY) == ("3.2.2", "https://aws.github.io/eks-charts")


@pytest.mark.parametrize(
    ("variant", "region"),
    [
        ("default", "ap-northeast-2"),
        ("irsa-internal", "ap-northeast-2"),
    ],
)
def test_controller_gets_cluster_region_and_vpc_so_it_never_asks_imds(
    templates: dict[str, Template],
    variant: str,
    region: str,
) -> None:
    values = _chart_values(templates[variant])
    assert values["region"] == region
    assert values["clusterName"].startswith("${ImportValue:") and "Cluster" in values["clusterName"]
    vpc = values["vpcId"]
    assert vpc.startswith("${ImportValue:") and "network" in vpc and "Vpc" in vpc


def test_controller_service_account_is_created_by_the_chart(default: Template) -> None:
    account = _chart_values(default)["serviceAccount"]
    assert (account["create"], account["name"]) == (True, SERVICE_ACCOUNT)


@pytest.mark.parametrize(
    ("variant", "tags"),
    [
        ("default", {"ekslab:lab": "ekslab"}),
        ("irsa-internal", {"ekslab:lab": "irsa", "owner": "alice"}),
    ],
)
def test_load_balancers_the_controller_creates_carry_the_lab_tags(
    templates: dict[str, Template],
    variant: str,
    tags: dict[str, str],
) -> None:
    assert _chart_values(templates[variant])["defaultTags"] == tags


def _role(template: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    [(key, role)] = [
        (k, r)
        for k, r in _of_type(template, "AWS::IAM::Role").items()
        if "Load Balancer Controller" in r["Properties"].get("Description", "")
    ]
    return key, role


def test_pod_identity_associates_the_controllers_service_account_with_its_role(default: Template) -> None:
    role_id, _ = _role(default)
    _, association = _one(default, "AWS::EKS::PodIdentityAssociation")
    properties = association["Properties"]
    assert (properties["Namespace"], properties["ServiceAccount"]) == (NAMESPACE, SERVICE_ACCOUNT)
    assert properties["RoleArn"] == {"Fn::GetAtt": [role_id, "Arn"]}
    assert _chart_values(default)["serviceAccount"]["annotations"] == {}


def test_pod_identity_role_trusts_only_the_pod_identity_service(default: Template) -> None:
    # https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html
    _, role = _role(default)
    [statement] = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    assert sorted(statement["Action"]) == ["sts:AssumeRole", "sts:TagSession"]


def test_irsa_annotates_the_service_account_and_makes_no_association(templates: dict[str, Template]) -> None:
    template = templates["irsa-internal"]
    role_id, _ = _role(template)
    annotations = _chart_values(template)["serviceAccount"]["annotations"]
    assert annotations == {"eks.amazonaws.com/role-arn": "${GetAtt:" + role_id + ".Arn}"}
    assert not _of_type(template, "AWS::EKS::PodIdentityAssociation")


def test_irsa_role_trusts_only_the_controllers_service_account(templates: dict[str, Template]) -> None:
    template = templates["irsa-internal"]
    _, role = _role(template)
    [statement] = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert "Federated" in statement["Principal"]
    # The sub/aud conditions go through CfnJson (the issuer is a token): find its value.
    [conditions] = [
        r["Properties"]["Value"]
        for r in template["Resources"].values()
        if r["Type"] == "Custom::AWSCDKCfnJson"
    ]
    text = cfn_text(conditions)
    assert f':sub":"system:serviceaccount:{NAMESPACE}:{SERVICE_ACCOUNT}"' in text
    assert ':aud":"sts.amazonaws.com"' in text


def test_no_second_pod_identity_agent_add_on(labs: dict[str, SynthesizedLab]) -> None:
    # The cluster stack's CoreAddons owns the one eks-pod-identity-agent.
    lab = labs["default"]
    assert not _of_type(lab.template("workload").to_json(), "AWS::EKS::Addon")
    agents = [
        r
        for r in _of_type(lab.template("cluster").to_json(), "AWS::EKS::Addon").values()
        if r["Properties"]["AddonName"] == "eks-pod-identity-agent"
    ]
    assert len(agents) == 1


# --- ordering on deploy and on cdk destroy -------------------------------------------------------


def test_chart_waits_for_the_role_its_policy_and_the_pod_identity_association(default: Template) -> None:
    chart_id, _ = _one(default, HELM_CHART)
    role_id, _ = _role(default)
    policy_id, _ = _one(default, "AWS::IAM::Policy")
    association_id, _ = _one(default, "AWS::EKS::PodIdentityAssociation")
    assert {role_id, policy_id, association_id} <= _depends_on(default, chart_id)


@pytest.mark.parametrize("kind", ["Namespace", "Deployment", "Service", "Ingress"])
def test_every_game_object_waits_for_the_controller(default: Template, kind: str) -> None:
    # The chart's webhooks refuse new Services and Ingresses while the controller is not ready
    # (mservice/vingress, failurePolicy Fail, in chart 3.2.2's webhook.yaml).
    chart_id, _ = _one(default, HELM_CHART)
    key, _ = _manifests(default)[kind]
    assert chart_id in _depends_on(default, key)


@pytest.mark.parametrize(
    ("kind", "waits_for"),
    [
        ("Deployment", {"Namespace"}),
        ("Service", {"Namespace"}),
        ("Ingress", {"Deployment", "Service"}),
    ],
)
def test_game_objects_wait_for_what_they_need(default: Template, kind: str, waits_for: set[str]) -> None:
    manifests = _manifests(default)
    key, _ = manifests[kind]
    assert {manifests[other][0] for other in waits_for} <= _depends_on(default, key)


def test_alb_hostname_is_read_after_the_ingress_exists(default: Template) -> None:
    value_id, _ = _one(default, OBJECT_VALUE)
    ingress_id, _ = _manifests(default)["Ingress"]
    assert ingress_id in _depends_on(default, value_id)


def _deletion_waves(template: dict[str, Any]) -> dict[str, int]:
    """When CloudFormation may delete each resource: only after everything that depends on it
    (DependsOn or Ref/GetAtt) is gone. Wave 0 goes first."""
    resources = template["Resources"]
    dependents: dict[str, set[str]] = {key: set() for key in resources}
    for key, resource in resources.items():
        text = json.dumps(resource.get("Properties", {}))
        needs = set(resource.get("DependsOn", []))
        needs |= {other for other in resources if f'"Ref": "{other}"' in text or f'["{other}", ' in text}
        for other in needs:
            dependents[other].add(key)
    waves: dict[str, int] = {}
    while len(waves) < len(resources):
        ready = [key for key in resources if key not in waves and dependents[key] <= set(waves)]
        assert ready, "dependency cycle"
        wave = max(waves.values(), default=-1) + 1
        waves.update({key: wave for key in ready})
    return waves


def test_cdk_destroy_deletes_the_ingress_before_the_controller_and_its_identity(default: Template) -> None:
    # GIVEN the workload template WHEN CloudFormation deletes it THEN the Ingress goes (and the running
    # controller deletes the ALB, its target group and its security groups) before the controller is
    # uninstalled and before the controller loses its role.
    waves = _deletion_waves(default)
    manifests = _manifests(default)
    ingress = waves[manifests["Ingress"][0]]
    assert ingress < waves[manifests["Service"][0]] < waves[manifests["Namespace"][0]]
    assert ingress < waves[manifests["Deployment"][0]]
    chart = waves[_one(default, HELM_CHART)[0]]
    assert waves[manifests["Namespace"][0]] < chart
    assert chart < waves[_one(default, "AWS::EKS::PodIdentityAssociation")[0]]
    assert chart < waves[_one(default, "AWS::IAM::Policy")[0]]


def test_workload_stack_is_deployed_after_and_destroyed_before_the_cluster_and_network(
    labs: dict[str, SynthesizedLab],
) -> None:
    # cdk destroy deletes stacks in reverse dependency order: the workload (Ingress, controller) goes
    # while the node groups, CoreDNS and the VPC still exist.
    stacks = labs["default"].stacks
    assert stacks.workload is not None

    def after(stack: Any) -> set[str]:
        direct = {d.stack_name for d in stack.dependencies}
        return direct.union(*(after(d) for d in stack.dependencies))

    assert stacks.cluster.stack_name in {d.stack_name for d in stacks.workload.dependencies}
    assert {stacks.cluster.stack_name, stacks.network.stack_name} <= after(stacks.workload)
    assert stacks.workload.stack_name not in after(stacks.cluster) | after(stacks.network)


def test_controller_depends_on_every_node_group(labs: dict[str, SynthesizedLab]) -> None:
    stacks = labs["default"].stacks
    controller = stacks.workload.controller
    dependencies = {d.node.path for d in controller.node.dependencies}
    assert {group.nodegroup.node.path for group in stacks.cluster.node_groups} <= dependencies


# --- the game's objects in the template ----------------------------------------------------------


def test_the_four_game_objects_are_applied(default: Template) -> None:
    names = {kind: obj["metadata"]["name"] for kind, (_, obj) in _manifests(default).items()}
    assert names == {
        "Namespace": "2048-game",
        "Deployment": "2048-deployment",
        "Service": "service-2048",
        "Ingress": "2048-ingress",
    }


@pytest.mark.parametrize(
    ("variant", "replicas", "scheme", "address_type"),
    [
        ("default", 5, "internet-facing", None),
        ("irsa-internal", 2, "internal", None),
        ("ipv6", 5, "internet-facing", "dualstack"),
    ],
)
def test_replicas_scheme_and_address_type_follow_the_configuration(
    templates: dict[str, Template],
    variant: str,
    replicas: int,
    scheme: str,
    address_type: str | None,
) -> None:
    manifests = _manifests(templates[variant])
    annotations = manifests["Ingress"][1]["metadata"]["annotations"]
    assert manifests["Deployment"][1]["spec"]["replicas"] == replicas
    assert annotations["alb.ingress.kubernetes.io/scheme"] == scheme
    assert annotations.get("alb.ingress.kubernetes.io/ip-address-type") == address_type
    assert annotations["alb.ingress.kubernetes.io/target-type"] == "ip"


# --- outputs -------------------------------------------------------------------------------------


def test_game_url_is_the_ingress_hostname_read_from_kubernetes(default: Template) -> None:
    value_id, value = _one(default, OBJECT_VALUE)
    properties = value["Properties"]
    assert (
        properties["ObjectType"],
        properties["ObjectName"],
        properties["ObjectNamespace"],
        properties["JsonPath"],
    ) == ("ingress", "2048-ingress", "2048-game", HOSTNAME_JSON_PATH)
    assert default["Outputs"]["GameUrl"]["Value"] == {
        "Fn::Join": ["", ["http://", {"Fn::GetAtt": [value_id, "Value"]}]]
    }


def test_game_namespace_is_an_output(default: Template) -> None:
    assert default["Outputs"]["GameNamespace"]["Value"] == "2048-game"


# --- the switch ----------------------------------------------------------------------------------


def test_disabled_game_leaves_out_the_workload_stack_and_the_controller() -> None:
    lab = synth_lab(parse_config({"workload": {"game2048": {"enabled": False}}}))
    assert lab.stacks.workload is None
    assert not [name for name in lab.templates if name.endswith("-workload")]
    assert not any(_of_type(t.to_json(), HELM_CHART) for t in lab.templates.values())
