"""Two labs in one account and region: nothing they name may collide.

The default lab (named ``ekslab``, with the CI access stack) and lab ``alice`` are built into one CDK
app, as an instructor's account would hold them. Every stack ``build_lab`` returns is examined, so a
stack added later is covered without touching this file. CloudFormation requires unique stack names
and export names per account and region; IAM, EKS and CloudWatch Logs require unique names for roles,
clusters and log groups. See
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-exports.html
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import pytest
from aws_cdk import App, Stack
from aws_cdk.assertions import Template

from ekslab.config import defaults
from ekslab.config.loader import parse_config
from stacks.lab import LabStacks, build_lab
from tests.synth import cdk_json_context

LABS = {
    defaults.LAB_NAME: {"ciAccess": {"enabled": True, "githubRepository": "octo-org/ekslab"}},
    "alice": {"lab": {"name": "alice"}},
}
SCOPED_NAMES = {
    ("AWS::IAM::Policy", "PolicyName"): "an inline policy's name is unique only within its role",
    ("AWS::EKS::Addon", "AddonName"): "one add-on of each name per cluster",
    ("AWS::EKS::Nodegroup", "NodegroupName"): "node group names are unique within their cluster",
    ("Custom::AWSCDK-EKS-KubernetesObjectValue", "ObjectName"): "a Kubernetes object, named in its cluster",
}
"""Name properties whose value may repeat across labs because the name lives inside a parent resource.
A new name property that repeats across labs fails the test until it is made lab-specific or listed
here with the reason it is scoped."""


class _Labs:
    def __init__(self) -> None:
        self.app = App(context=cdk_json_context())
        self.stacks: dict[str, LabStacks] = {
            lab: build_lab(self.app, parse_config(doc)) for lab, doc in LABS.items()
        }
        self.templates = {
            lab: {s.stack_name: Template.from_stack(s).to_json() for s in stacks.all()}
            for lab, stacks in self.stacks.items()
        }


@pytest.fixture(scope="module")
def labs() -> _Labs:
    return _Labs()


def _exports(templates: dict[str, dict[str, Any]]) -> set[str]:
    return {
        json.dumps(output["Export"]["Name"])
        for template in templates.values()
        for output in template.get("Outputs", {}).values()
        if "Export" in output
    }


def _is_reference(value: Any, resources: dict[str, Any]) -> bool:
    """Does the value contain a Ref/GetAtt to a resource (whose physical name CloudFormation generates
    from the stack name, so it is unique per lab by construction)?"""
    if isinstance(value, dict):
        if "Ref" in value:
            return value["Ref"] in resources
        if "Fn::GetAtt" in value:
            return True
        return any(_is_reference(item, resources) for item in value.values())
    if isinstance(value, list):
        return any(_is_reference(item, resources) for item in value)
    return False


def _explicit_names(templates: dict[str, dict[str, Any]]) -> dict[tuple[str, str], set[str]]:
    """Every literal value (or join of literals and pseudo parameters) of a property named ``*Name``
    or ``Url``, by (resource type, property)."""
    names: dict[tuple[str, str], set[str]] = defaultdict(set)
    for template in templates.values():
        resources = template.get("Resources", {})
        for resource in resources.values():
            for key, value in (resource.get("Properties") or {}).items():
                if (key.endswith("Name") or key == "Url") and not _is_reference(value, resources):
                    names[(resource["Type"], key)].add(json.dumps(value, sort_keys=True))
    return names


def test_build_lab_returns_every_stack_it_adds(labs: _Labs) -> None:
    in_app = {child.node.id for child in labs.app.node.children if isinstance(child, Stack)}
    returned = {stack.node.id for stacks in labs.stacks.values() for stack in stacks.all()}
    assert returned == in_app


@pytest.mark.parametrize("lab", list(LABS))
def test_every_stack_name_is_the_lab_name_and_a_part(labs: _Labs, lab: str) -> None:
    assert all(name.startswith(f"{lab}-") and len(name) > len(lab) + 1 for name in labs.templates[lab])


def test_no_two_labs_share_a_stack_name(labs: _Labs) -> None:
    default, alice = (set(labs.templates[lab]) for lab in LABS)
    assert default and alice and not default & alice


def test_no_two_labs_share_an_export_name(labs: _Labs) -> None:
    default, alice = (_exports(labs.templates[lab]) for lab in LABS)
    assert default and alice and not default & alice


def test_only_the_default_lab_exports_the_workshops_plain_az_names(labs: _Labs) -> None:
    plain = {json.dumps(f"AZ{n}") for n in (1, 2, 3)}
    assert plain <= _exports(labs.templates[defaults.LAB_NAME])
    assert not plain & _exports(labs.templates["alice"])


def test_no_two_labs_share_an_explicit_resource_name(labs: _Labs) -> None:
    default, alice = (_explicit_names(labs.templates[lab]) for lab in LABS)
    shared = {
        key: sorted(default[key] & alice[key])
        for key in default.keys() & alice.keys()
        if default[key] & alice[key] and key not in SCOPED_NAMES
    }
    assert shared == {}


@pytest.mark.parametrize("lab", list(LABS))
def test_the_cluster_is_named_after_the_lab(labs: _Labs, lab: str) -> None:
    clusters = [
        r["Properties"]["Name"]
        for t in labs.templates[lab].values()
        for r in t["Resources"].values()
        if r["Type"] == "AWS::EKS::Cluster"
    ]
    assert clusters == [lab]


@pytest.mark.parametrize("lab", list(LABS))
def test_every_tagged_resource_carries_the_lab_tag(labs: _Labs, lab: str) -> None:
    # The teardown check (ekslab/teardown.py) finds a lab's leftovers by this tag.
    untagged = []
    for stack_name, template in labs.templates[lab].items():
        for logical_id, resource in template["Resources"].items():
            tags = (resource.get("Properties") or {}).get("Tags")
            if isinstance(tags, list) and tags and isinstance(tags[0], dict) and "Key" in tags[0]:
                tags = {tag["Key"]: tag["Value"] for tag in tags}
            if isinstance(tags, dict) and tags.get(defaults.TAG_LAB) != lab:
                untagged.append(f"{stack_name}/{logical_id}")
    assert untagged == []
