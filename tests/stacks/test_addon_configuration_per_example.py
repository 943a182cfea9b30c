"""The vpc-cni add-on's ConfigurationValues in the synthesized cluster stack, for every example lab.

Each example is synthesized once (module fixture, cdk-nag off as in tests/synth.py). The expected
documents are written out here, so any change to how settings render (string encoding, key
placement, the toolkit's own eniConfig) shows up as a failing case. Env values are strings because
the add-on schema types them ``"type": "string"`` with a ``format`` (cni-facts.md §2.3).
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from ekslab.lab import load_config
from tests.synth import ROOT, synth_lab

EXAMPLES = ROOT / "examples"
_HASH_SUFFIX = re.compile(r"([0-9A-F]{8})+$")


def _placeholder(token: dict[str, Any]) -> str:
    """A CloudFormation token as readable text, without the logical-id hashes that change with construct paths."""
    if set(token) == {"Fn::ImportValue"}:
        return "${" + _HASH_SUFFIX.sub("", token["Fn::ImportValue"]) + "}"
    if set(token) == {"Fn::GetAtt"}:
        resource, attribute = token["Fn::GetAtt"]
        return "${" + _HASH_SUFFIX.sub("", resource) + "." + attribute + "}"
    raise AssertionError(f"unexpected token in ConfigurationValues: {token}")


def _configuration_values(value: str | dict[str, Any] | None) -> dict[str, Any] | None:
    """ConfigurationValues parsed; an Fn::Join (CDK tokens inside the JSON) is joined with placeholders first."""
    if value is None:
        return None
    if isinstance(value, dict):
        [(function, (separator, parts))] = value.items()
        assert function == "Fn::Join", value
        value = separator.join(part if isinstance(part, str) else _placeholder(part) for part in parts)
    return json.loads(value)


@pytest.fixture(scope="module")
def rendered() -> dict[str, dict[str, Any] | None]:
    """Example file name -> the vpc-cni add-on's ConfigurationValues (None when the property is absent)."""
    result = {}
    for path in sorted(EXAMPLES.glob("*.yaml")):
        template = synth_lab(load_config(path)).template("cluster")
        [addon] = [
            resource
            for resource in template.find_resources("AWS::EKS::Addon").values()
            if resource["Properties"]["AddonName"] == "vpc-cni"
        ]
        result[path.name] = _configuration_values(addon["Properties"].get("ConfigurationValues"))
    return result


POD_SUBNET = {
    zone: {
        "id": f"${{ekslab-cn-network:ExportsOutputRefNetworkPodSubnet{index}Subnet}}",
        "securityGroups": ["${EksCluster.ClusterSecurityGroupId}"],
    }
    for index, zone in enumerate(("ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c"), start=1)
}

EXPECTED: dict[str, dict[str, Any] | None] = {
    # Every key is also the add-on's default: no ConfigurationValues at all.
    "default.yaml": None,
    "prefix-delegation.yaml": {"env": {"ENABLE_PREFIX_DELEGATION": "true", "WARM_PREFIX_TARGET": "1"}},
    "ipv6.yaml": {"env": {"ENABLE_PREFIX_DELEGATION": "true"}},
    "network-policy.yaml": {
        "env": {"NETWORK_POLICY_ENFORCING_MODE": "standard"},
        "enableNetworkPolicy": "true",
        "nodeAgent": {"enablePolicyEventLogs": "true"},
    },
    # DISABLE_TCP_EARLY_DEMUX belongs to the init container (add-on init.env; cni-facts.md §2.3).
    "security-groups-for-pods.yaml": {
        "env": {"ENABLE_POD_ENI": "true", "POD_SECURITY_GROUP_ENFORCING_MODE": "standard"},
        "init": {"env": {"DISABLE_TCP_EARLY_DEMUX": "true"}},
    },
    # The toolkit owns custom networking: the two env keys and one ENIConfig per AZ naming that AZ's
    # pod subnet (exported by the network stack) and the cluster security group.
    "custom-networking.yaml": {
        "env": {
            "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": "true",
            "ENI_CONFIG_LABEL_DEF": "topology.kubernetes.io/zone",
        },
        "eniConfig": {"create": True, "region": "ap-northeast-2", "subnets": POD_SUBNET},
    },
}


def test_every_example_has_an_expected_document() -> None:
    # A new example without a row here would otherwise go unchecked.
    assert sorted(path.name for path in EXAMPLES.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize(("example", "expected"), sorted(EXPECTED.items()), ids=sorted(EXPECTED))
def test_vpc_cni_configuration_values_of_each_example(
    rendered: dict[str, dict[str, Any] | None], example: str, expected: dict[str, Any] | None
) -> None:
    # GIVEN an example lab  WHEN its cluster stack is synthesized
    # THEN the vpc-cni add-on carries exactly the expected configurationValues document
    assert rendered[example] == expected
