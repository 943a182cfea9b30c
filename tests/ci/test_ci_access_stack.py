"""The CI access stack: GitHub OIDC trust for one repository's environment, exactly the listed permissions.

Trust condition keys and the sub-claim spellings: aws-actions/configure-aws-credentials v6.2.3 README
("Claims and scoping permissions", "Immutable subject claims"). The CDK bootstrap role names:
https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-env.html
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Validations
from aws_cdk.assertions import Match, Template
from cdk_nag import AwsSolutionsChecks

from ekslab.aws.clients import aws_session
from ekslab.config.loader import parse_config
from ekslab.teardown import find_leftovers
from ekslab_constructs.github_ci_access import GITHUB_OIDC_HOST
from stacks.ci_access_stack import GITHUB_ENVIRONMENT, CiAccessStack
from stacks.lab import build_lab
from tests.synth import cdk_json_context, synth_lab

REPOSITORY = "octo-org/ekslab"
CI_CONFIG = {"ciAccess": {"enabled": True, "githubRepository": REPOSITORY}}
ACCOUNT, PARTITION = "${AWS::AccountId}", "${AWS::Partition}"


def _arn(service: str, resource: str, region: str = "ap-northeast-2") -> str:
    return f"arn:{PARTITION}:{service}:{region}:{ACCOUNT}:{resource}"


# Sid: (actions, resource, condition). The whole identity policy of the role, no more, no less: what the
# commands of lab-e2e.yml call (the workflow's aws CLI calls, ekslab verify, the workshop's commands,
# ekslab teardown-check), as ekslab_constructs/github_ci_access.py lists them per action.
EXPECTED_PERMISSIONS: dict[str, tuple[list[str], str, dict[str, Any] | None]] = {
    "AssumeCdkBootstrapRoles": (
        ["sts:AssumeRole"],
        f"arn:{PARTITION}:iam::{ACCOUNT}:role/cdk-hnb659fds-*-{ACCOUNT}-ap-northeast-2",
        None,
    ),
    "ReadWithoutResourceLevelPermissions": (
        [
            "cloudformation:ListStacks",
            "ec2:DescribeAddresses",
            "ec2:DescribeAvailabilityZones",
            "ec2:DescribeInstanceTypeOfferings",
            "ec2:DescribeInstances",
            "ec2:DescribeInternetGateways",
            "ec2:DescribeNatGateways",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeSecurityGroups",
            "ec2:DescribeSubnets",
            "ec2:DescribeVpcs",
            "eks:DescribeAddonVersions",
            "eks:DescribeClusterVersions",
            "eks:ListClusters",
            "elasticloadbalancing:DescribeLoadBalancers",
            "elasticloadbalancing:DescribeTags",
            "elasticloadbalancing:DescribeTargetGroups",
            "elasticloadbalancing:DescribeTargetHealth",
            "iam:ListRoles",
            "servicequotas:GetAWSDefaultServiceQuota",
            "servicequotas:GetServiceQuota",
            "ssm:GetCommandInvocation",
            "tag:GetResources",
        ],
        "*",
        None,
    ),
    "ReadEksClusters": (["eks:DescribeCluster"], _arn("eks", "cluster/*"), None),
    "ReadStackOutputs": (["cloudformation:DescribeStacks"], _arn("cloudformation", "stack/*/*"), None),
    "ReadLogGroups": (
        ["logs:DescribeLogGroups", "logs:ListTagsForResource"],
        _arn("logs", "log-group:*"),
        None,
    ),
    # teardown-check: tags of roles named after a CI lab's stacks; state of a CI lab's KMS keys.
    "ReadCiLabRoles": (["iam:GetRole"], f"arn:{PARTITION}:iam::{ACCOUNT}:role/ci-*", None),
    "ReadCiLabKeys": (
        ["kms:DescribeKey"],
        _arn("kms", "key/*"),
        {"StringLike": {"aws:ResourceTag/ekslab:lab": "ci-*"}},
    ),
    # ekslab verify's default ipamd transport is SSM Run Command (ekslab/sources/introspection.py).
    "RunIntrospectionDocument": (
        ["ssm:SendCommand"],
        f"arn:{PARTITION}:ssm:ap-northeast-2::document/AWS-RunShellScript",
        None,
    ),
    "RunIntrospectionOnLabNodes": (
        ["ssm:SendCommand"],
        _arn("ec2", "instance/*"),
        {"StringLike": {"ssm:resourceTag/ekslab:lab": "ci-*"}},
    ),
}


def _render(value: Any) -> str:
    """A policy value as one string, pseudo parameters as ${...} (Fn::Join of literals and Refs)."""
    if isinstance(value, str):
        return value
    if "Ref" in value:
        return "${" + value["Ref"] + "}"
    separator, parts = value["Fn::Join"]
    return separator.join(_render(part) for part in parts)


@pytest.fixture(scope="module")
def template() -> Template:
    return synth_lab(parse_config(CI_CONFIG)).template("ci-access")


def _role(template: Template) -> dict[str, Any]:
    [role] = template.find_resources("AWS::IAM::Role").values()
    return role["Properties"]


def _trust_statement(template: Template) -> dict[str, Any]:
    [statement] = _role(template)["AssumeRolePolicyDocument"]["Statement"]
    return statement


def _iam_string_like(pattern: str, value: str) -> bool:
    # IAM StringLike: * is any run of characters, ? one character, everything else literal.
    # See https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value) is not None


# --- permissions --------------------------------------------------------------------------------------------


def test_the_role_has_exactly_the_listed_permissions(template: Template) -> None:
    [policy] = template.find_resources("AWS::IAM::Policy").values()
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    granted = {
        s["Sid"]: (
            sorted([s["Action"]] if isinstance(s["Action"], str) else s["Action"]),
            _render(s["Resource"]),
            s.get("Condition"),
        )
        for s in statements
    }
    assert all(
        s["Effect"] == "Allow" and set(s) <= {"Sid", "Effect", "Action", "Resource", "Condition"}
        for s in statements
    )
    assert granted == {
        sid: (sorted(actions), resource, condition)
        for sid, (actions, resource, condition) in EXPECTED_PERMISSIONS.items()
    }


IAM_PREFIX_OF_SIGNING_NAME = {"tagging": "tag"}
"""The Resource Groups Tagging API signs its requests as ``tagging``; its IAM actions are ``tag:...``.
See https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonresourcegrouptaggingapi.html"""
TEARDOWN_CHECK_CALLS = {
    "cloudformation:ListStacks",
    "ec2:DescribeAddresses",
    "ec2:DescribeNatGateways",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeVpcs",
    "eks:DescribeCluster",
    "elasticloadbalancing:DescribeLoadBalancers",
    "elasticloadbalancing:DescribeTags",
    "elasticloadbalancing:DescribeTargetGroups",
    "iam:GetRole",
    "iam:ListRoles",
    "kms:DescribeKey",
    "logs:DescribeLogGroups",
    "logs:ListTagsForResource",
    "tag:GetResources",
}


def _granted_actions(template: Template) -> set[str]:
    [policy] = template.find_resources("AWS::IAM::Policy").values()
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    return {a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}


def test_every_call_the_teardown_check_makes_is_granted_to_the_role(
    template: Template, moto_aws: str
) -> None:
    # GIVEN a CI lab that left one thing of each kind the check confirms with a second call
    lab, region, tag = "ci-7-1", "ap-northeast-2", {"Key": "ekslab:lab", "Value": "ci-7-1"}
    session = aws_session(region=region)
    ec2, elbv2 = session.client("ec2"), session.client("elbv2")
    vpc = ec2.create_vpc(CidrBlock="10.12.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.12.{n}.0/24", AvailabilityZone=f"{region}{zone}")[
            "Subnet"
        ]["SubnetId"]
        for n, zone in enumerate("ab")
    ]
    elbv2.create_load_balancer(Name="k8s-game", Subnets=subnets, Tags=[tag])
    elbv2.create_target_group(
        Name="k8s-game", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip", Tags=[tag]
    )
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.create_nat_gateway(
        SubnetId=subnets[0],
        AllocationId=allocation,
        TagSpecifications=[{"ResourceType": "natgateway", "Tags": [tag]}],
    )
    session.client("kms").create_key(Tags=[{"TagKey": tag["Key"], "TagValue": tag["Value"]}])
    session.client("iam").create_role(
        RoleName=f"{lab}-cluster-NodeRole-1A2B", AssumeRolePolicyDocument="{}", Tags=[tag]
    )
    session.client("logs").create_log_group(
        logGroupName=f"{lab}-network-FlowLogs-1A2B", tags={tag["Key"]: lab}
    )
    # WHEN the check runs, recording each API call as the IAM action it needs
    calls: set[str] = set()

    def record(model: Any, **_: Any) -> None:
        prefix = model.service_model.signing_name
        calls.add(f"{IAM_PREFIX_OF_SIGNING_NAME.get(prefix, prefix)}:{model.name}")

    session.events.register("before-call", record)
    report = find_leftovers(lab, region=region, session=session)
    # THEN it made every call it can make, found the leftovers, and the role may make each call
    assert (calls, report.unchecked) == (TEARDOWN_CHECK_CALLS, [])
    assert len(report.leftovers) == 6
    assert calls - _granted_actions(template) == set()


def test_the_role_has_no_other_source_of_permissions(template: Template) -> None:
    # No managed policies, no inline Policies on the role, no permissions boundary to widen anything.
    assert set(_role(template)) == {"AssumeRolePolicyDocument", "Description", "MaxSessionDuration", "Tags"}
    assert template.find_resources("AWS::IAM::ManagedPolicy") == {}
    [policy] = template.find_resources("AWS::IAM::Policy").values()
    assert policy["Properties"]["Roles"] == [{"Ref": template.find_resources("AWS::IAM::Role").popitem()[0]}]


def test_a_custom_bootstrap_qualifier_narrows_the_assumable_roles_to_it() -> None:
    app = App(context={**cdk_json_context(), "@aws-cdk/core:bootstrapQualifier": "lab42"})
    stack = CiAccessStack(app, "ci", config=parse_config(CI_CONFIG))
    [policy] = Template.from_stack(stack).find_resources("AWS::IAM::Policy").values()
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    [assume] = [s for s in statements if s["Sid"] == "AssumeCdkBootstrapRoles"]
    assert _render(assume["Resource"]) == (
        f"arn:{PARTITION}:iam::{ACCOUNT}:role/cdk-lab42-*-{ACCOUNT}-ap-northeast-2"
    )


# --- trust --------------------------------------------------------------------------------------------------


def test_github_is_the_identity_provider_with_the_sts_audience(template: Template) -> None:
    template.resource_count_is("AWS::IAM::OIDCProvider", 1)
    template.has_resource_properties(
        "AWS::IAM::OIDCProvider",
        {
            "Url": "https://token.actions.githubusercontent.com",
            "ClientIdList": ["sts.amazonaws.com"],
        },
    )


def test_only_web_identities_of_the_provider_may_assume_the_role(template: Template) -> None:
    statement = _trust_statement(template)
    [provider_id] = template.find_resources("AWS::IAM::OIDCProvider")
    assert (statement["Action"], statement["Effect"], statement["Principal"]) == (
        "sts:AssumeRoleWithWebIdentity",
        "Allow",
        {"Federated": {"Ref": provider_id}},
    )


def test_the_token_audience_must_be_sts(template: Template) -> None:
    assert _trust_statement(template)["Condition"]["StringEquals"] == {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com"
    }


def test_the_subject_is_limited_to_the_repository_and_its_lab_e2e_environment(template: Template) -> None:
    condition = _trust_statement(template)["Condition"]
    assert set(condition) == {"StringEquals", "StringLike"}
    assert condition["StringLike"] == {
        "token.actions.githubusercontent.com:sub": [
            f"repo:octo-org/ekslab:environment:{GITHUB_ENVIRONMENT}",
            f"repo:octo-org@*/ekslab@*:environment:{GITHUB_ENVIRONMENT}",
        ]
    }


@pytest.mark.parametrize(
    ("subject", "allowed"),
    [
        ("repo:octo-org/ekslab:environment:lab-e2e", True),
        ("repo:octo-org@1234567/ekslab@89012345:environment:lab-e2e", True),  # immutable sub claim
        ("repo:octo-org/ekslab:ref:refs/heads/main", False),  # a job outside the environment
        ("repo:octo-org/ekslab:pull_request", False),
        ("repo:octo-org/ekslab:environment:lab-e2e-staging", False),
        ("repo:octo-org/ekslab-fork:environment:lab-e2e", False),
        ("repo:octo-org@1/ekslab-fork@2:environment:lab-e2e", False),
        ("repo:someone/ekslab:environment:lab-e2e", False),
        ("repo:octo-org-evil@1/ekslab@2:environment:lab-e2e", False),
    ],
)
def test_which_github_jobs_can_assume_the_role(template: Template, subject: str, allowed: bool) -> None:
    patterns = _trust_statement(template)["Condition"]["StringLike"][f"{GITHUB_OIDC_HOST}:sub"]
    assert any(_iam_string_like(pattern, subject) for pattern in patterns) is allowed


def test_sessions_last_at_most_two_hours(template: Template) -> None:
    assert _role(template)["MaxSessionDuration"] == 7200


def test_the_role_arn_is_an_output_for_the_repository_variable(template: Template) -> None:
    template.has_output("CiRoleArn", {"Value": {"Fn::GetAtt": [Match.any_value(), "Arn"]}})


@pytest.mark.parametrize(
    ("document", "has_stack"),
    [
        ({}, False),
        (CI_CONFIG, True),
    ],
    ids=["default", "ciAccess.enabled"],
)
def test_the_stack_exists_only_when_ci_access_is_enabled(document: dict[str, Any], has_stack: bool) -> None:
    stacks = build_lab(App(context=cdk_json_context()), parse_config(document))
    assert ("ekslab-ci-access" in {stack.stack_name for stack in stacks.all()}) is has_stack


# --- cdk-nag ------------------------------------------------------------------------------------------------


def _nag_report(tmp_path: Path) -> list[dict[str, Any]]:
    app = App(context=cdk_json_context(), outdir=str(tmp_path))
    CiAccessStack(app, "ekslab-ci-access", config=parse_config(CI_CONFIG))
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    return [r for r in report["pluginReports"] if r["pluginName"] == "AwsSolutions"]


def test_cdk_nag_finds_nothing_unacknowledged_and_acknowledges_only_iam5_wildcards(tmp_path: Path) -> None:
    # cdk-nag 3 raises on any unacknowledged finding; the report lists the acknowledged ones with reasons.
    [nag] = _nag_report(tmp_path)
    acknowledged = {v["acknowledgedId"]: v["reason"] for v in nag["suppressedViolations"]}
    assert nag["violations"] == []
    assert {re.sub(r"\[.*\]$", "", ident) for ident in acknowledged} == {"AwsSolutions::AwsSolutions-IAM5"}
    assert sorted(re.search(r"\[Resource::(.*)\]$", ident)[1] for ident in acknowledged) == sorted(
        [
            "*",
            "arn:<AWS::Partition>:iam::<AWS::AccountId>:role/cdk-hnb659fds-*-<AWS::AccountId>-ap-northeast-2",
            "arn:<AWS::Partition>:eks:ap-northeast-2:<AWS::AccountId>:cluster/*",
            "arn:<AWS::Partition>:cloudformation:ap-northeast-2:<AWS::AccountId>:stack/*/*",
            "arn:<AWS::Partition>:logs:ap-northeast-2:<AWS::AccountId>:log-group:*",
            "arn:<AWS::Partition>:iam::<AWS::AccountId>:role/ci-*",
            "arn:<AWS::Partition>:kms:ap-northeast-2:<AWS::AccountId>:key/*",
            "arn:<AWS::Partition>:ec2:ap-northeast-2:<AWS::AccountId>:instance/*",
        ]
    )
    assert all(len(reason) >= 40 for reason in acknowledged.values())
