"""The load balancer controller's IAM policy: the project's published file, checked against a second
source, and granted unchanged (only the partition made deploy-time) to the controller's role alone."""

from __future__ import annotations

import json
import tarfile
from importlib.metadata import version
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pytest

from ekslab.config import default_config
from ekslab_constructs.load_balancer_controller import APP_VERSION, POLICY_FILE, published_policy
from tests.synth import synth_lab
from tests.workload.cfn import cfn_text

PARTITION = "${Ref:AWS::Partition}"


@pytest.fixture(scope="module")
def workload() -> dict[str, Any]:
    return synth_lab(default_config()).template("workload").to_json()


def _grants(statements: list[dict[str, Any]], *, partition: str | None = None) -> set[tuple[str, ...]]:
    """Every (effect, action, resource, condition) a policy allows, whatever statement holds it."""

    def as_list(value: Any) -> list[Any]:
        return value if isinstance(value, list) else [value]

    grants = set()
    for statement in statements:
        for action in as_list(statement["Action"]):
            for resource in as_list(statement["Resource"]):
                text = cfn_text(resource)
                if partition is not None:
                    text = text.replace(PARTITION, partition)
                condition = json.dumps(statement.get("Condition"), sort_keys=True)
                grants.add((statement["Effect"], action, text, condition))
    return grants


def test_policy_file_is_the_one_aws_cdk_lib_bundles_for_the_same_version() -> None:
    # Two independent copies of the project's docs/install/iam_policy.json at tag v3.2.2 (SOURCES.md).
    spec = find_spec("aws_cdk._jsii")
    assert spec is not None and spec.origin is not None
    bundle = Path(spec.origin).parent / f"aws-cdk-lib@{version('aws-cdk-lib')}.jsii.tgz"
    with tarfile.open(bundle) as archive:
        member = archive.extractfile(f"package/aws-eks-v2/lib/addons/alb-iam_policy-{APP_VERSION}.json")
        assert member is not None
        bundled = json.load(member)
    assert published_policy() == bundled


def test_policy_file_is_named_for_the_pinned_controller_version() -> None:
    assert POLICY_FILE.name == f"iam-policy-{APP_VERSION}.json" and POLICY_FILE.is_file()


def test_role_is_granted_exactly_the_published_policy(workload: dict[str, Any]) -> None:
    [policy] = [r for r in workload["Resources"].values() if r["Type"] == "AWS::IAM::Policy"]
    granted = _grants(policy["Properties"]["PolicyDocument"]["Statement"], partition="aws")
    assert granted == _grants(published_policy()["Statement"])


def test_policy_arns_take_the_deployment_partition(workload: dict[str, Any]) -> None:
    [policy] = [r for r in workload["Resources"].values() if r["Type"] == "AWS::IAM::Policy"]
    resources = {g[2] for g in _grants(policy["Properties"]["PolicyDocument"]["Statement"])}
    assert all(r == "*" or r.startswith(f"arn:{PARTITION}:") for r in resources)
    assert any(r.startswith("arn:") for r in resources)


def test_policy_is_attached_to_the_controllers_role_only(workload: dict[str, Any]) -> None:
    [policy] = [r for r in workload["Resources"].values() if r["Type"] == "AWS::IAM::Policy"]
    [role_id] = [k for k, r in workload["Resources"].items() if r["Type"] == "AWS::IAM::Role"]
    assert policy["Properties"]["Roles"] == [{"Ref": role_id}]
    assert "Groups" not in policy["Properties"] and "Users" not in policy["Properties"]
