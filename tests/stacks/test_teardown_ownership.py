"""`make destroy` leaves nothing behind: no retained resource, and every Lambda's log group is the lab's.

A Lambda writes to ``/aws/lambda/<function name>`` and creates that group itself when it does not exist:
untagged, never expiring, and unknown to CloudFormation, so it outlives the stack. Every function of the
lab therefore needs a log group in its own stack with exactly that name.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.stacks.test_quality_gates import LABS, _config
from tests.synth import SynthesizedLab, synth_lab

SHAPES = ["default", "custom-networking", "s3-flow-logs", "ci-access"]


@pytest.fixture(scope="module", params=SHAPES)
def lab(request: pytest.FixtureRequest) -> SynthesizedLab:
    return synth_lab(_config(LABS[request.param]))


def _lambda_log_group_targets(resources: dict[str, Any]) -> set[str]:
    """Logical ids of the functions whose ``/aws/lambda/<name>`` group the template creates."""
    targets = set()
    for resource in resources.values():
        if resource["Type"] != "AWS::Logs::LogGroup":
            continue
        name = resource["Properties"].get("LogGroupName")
        if isinstance(name, dict) and "Fn::Join" in name:
            separator, parts = name["Fn::Join"]
            if separator == "" and parts[:1] == ["/aws/lambda/"] and isinstance(parts[1], dict):
                targets.add(parts[1].get("Ref"))
    return targets


def test_no_resource_is_retained_on_delete(lab: SynthesizedLab) -> None:
    # GIVEN every template of the lab  THEN no resource outlives its stack
    retained = [
        (stack, logical_id)
        for stack, template in lab.templates.items()
        for logical_id, resource in template.to_json()["Resources"].items()
        if "Retain" in (resource.get("DeletionPolicy"), resource.get("UpdateReplacePolicy"))
    ]
    assert retained == []


def test_every_lambda_writes_to_a_log_group_of_its_stack(lab: SynthesizedLab) -> None:
    # GIVEN every Lambda function of the lab  THEN its stack creates /aws/lambda/<that function>
    missing = []
    for stack, template in lab.templates.items():
        resources = template.to_json()["Resources"]
        functions = {k for k, r in resources.items() if r["Type"] == "AWS::Lambda::Function"}
        missing += [(stack, f) for f in sorted(functions - _lambda_log_group_targets(resources))]
    assert missing == []


def test_log_group_targets_are_read_from_the_group_name() -> None:
    # GIVEN a group named after function A and a group with a fixed name  THEN only A is a target
    resources = {
        "A": {"Type": "AWS::Lambda::Function", "Properties": {}},
        "GroupA": {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {"LogGroupName": {"Fn::Join": ["", ["/aws/lambda/", {"Ref": "A"}]]}},
        },
        "Other": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/aws/eks/lab/cluster"}},
    }
    assert _lambda_log_group_targets(resources) == {"A"}
