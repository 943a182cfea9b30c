"""The findings an IaC scanner (checkov) reports on the Lambdas aws-cdk-lib creates are fixed or skipped
with a reason in the form scanners read (ekslab_constructs/scanner_findings.py)."""

from __future__ import annotations

from typing import Any

import pytest

from ekslab_constructs.scanner_findings import (
    DEAD_LETTER_QUEUE,
    INSIDE_VPC,
    NO_DLQ_CUSTOM_RESOURCE,
    NO_RESERVED_CONCURRENCY,
    NO_VPC_RESTRICT_DEFAULT_SG,
    RESERVED_CONCURRENCY,
    WRITE_WITHOUT_CONSTRAINTS,
)
from tests.stacks.test_quality_gates import LABS, _config
from tests.synth import SynthesizedLab, synth_lab


@pytest.fixture(scope="module")
def lab() -> SynthesizedLab:
    return synth_lab(_config(LABS["default"]))


def _functions(lab: SynthesizedLab) -> dict[str, dict[str, Any]]:
    found = {}
    for template in lab.templates.values():
        for logical_id, resource in template.to_json()["Resources"].items():
            if resource["Type"] == "AWS::Lambda::Function":
                found[logical_id] = resource
    return found


def _skips(resource: dict[str, Any]) -> dict[str, str]:
    return {
        entry["id"]: entry["comment"]
        for entry in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    }


def test_the_lab_has_exactly_the_three_lambdas_aws_cdk_lib_creates(lab: SynthesizedLab) -> None:
    # A new function would need its own decision on each finding below.
    names = sorted(_functions(lab))
    assert [name.rstrip("0123456789ABCDEF") for name in names] == [
        "CustomVpcRestrictDefaultSGCustomResourceProviderHandler",
        "EksClusterKubectlProviderHandler",
        "EksClusterKubectlProviderframeworkonEvent",
    ]


def test_every_lambda_has_each_finding_fixed_or_skipped_with_a_reason(lab: SynthesizedLab) -> None:
    # GIVEN every Lambda function of the lab's templates
    for logical_id, resource in _functions(lab).items():
        properties, skips = resource["Properties"], _skips(resource)
        # THEN reserved concurrency and a DLQ are skipped with their reasons...
        assert (skips.get(RESERVED_CONCURRENCY), skips.get(DEAD_LETTER_QUEUE)) == (
            NO_RESERVED_CONCURRENCY,
            NO_DLQ_CUSTOM_RESOURCE,
        ), logical_id
        # ...the function is in the VPC or says why not...
        assert "VpcConfig" in properties or skips.get(INSIDE_VPC) == NO_VPC_RESTRICT_DEFAULT_SG, logical_id
        # ...and environment variables, where there are any, are encrypted with a customer key
        if "Environment" in properties:
            assert properties["KmsKeyArn"] == {"Fn::GetAtt": ["EksControlPlaneLogsKeyD609226F", "Arn"]}, (
                logical_id
            )


def test_kubectl_provider_roles_may_decrypt_their_environment(lab: SynthesizedLab) -> None:
    # GIVEN the cluster stack  THEN some policy of the provider lets its roles use the key to decrypt
    policies = lab.template("cluster").find_resources("AWS::IAM::Policy")
    decrypting = [
        logical_id
        for logical_id, policy in policies.items()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Action"] == "kms:Decrypt"
        and statement["Resource"] == {"Fn::GetAtt": ["EksControlPlaneLogsKeyD609226F", "Arn"]}
    ]
    assert sorted(name.rstrip("0123456789ABCDEF") for name in decrypting) == [
        "EksClusterKubectlProviderHandlerServiceRoleDefaultPolicy",
        "EksClusterKubectlProviderframeworkonEventServiceRoleDefaultPolicy",
    ]


def test_load_balancer_controller_policy_skips_write_without_constraints_with_its_reason(
    lab: SynthesizedLab,
) -> None:
    policies = lab.template("workload").find_resources("AWS::IAM::Policy")
    (policy,) = [p for name, p in policies.items() if name.startswith("LoadBalancerControllerPolicy")]
    reason = _skips(policy)[WRITE_WITHOUT_CONSTRAINTS]
    assert (
        reason.startswith("The AWS Load Balancer Controller's published")
        and "cannot be scoped by ARN" in reason
    )
