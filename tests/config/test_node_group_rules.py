"""Node group rules that span fields: AMI architecture vs instance types, the AMI and instance types
that can take the max pods the lab passes to nodes, and the group's AZs."""

from __future__ import annotations

from typing import Any

import pytest

from ekslab.config.loader import parse_config
from ekslab.lab import check_lab

PREFIX_DELEGATION = {"cni": {"env": {"ENABLE_PREFIX_DELEGATION": True}}}
CUSTOM_NETWORKING = {"network": {"podSubnets": {"enabled": True}}}
MAX_ENI = {"cni": {"env": {"MAX_ENI": 2}}}


def _errors(document: dict[str, Any]) -> list[str]:
    return [error.message for error in check_lab(parse_config(document), capacity=False).errors]


def _group(**fields: Any) -> dict[str, Any]:
    return {"nodeGroups": [{"name": "ng", **fields}]}


# --- AMI architecture and instance types -----------------------------------------------------------


@pytest.mark.parametrize(
    ("ami_type", "instance_type", "message"),
    [
        (
            "AL2023_ARM_64_STANDARD",
            "m5.large",
            "nodeGroups[0].instanceTypes[0]: must be an arm64 instance type for nodeGroups[0].amiType "
            "AL2023_ARM_64_STANDARD, got 'm5.large' (m5.large is x86_64; choose an arm64 type or an x86_64 amiType)",
        ),
        (
            "AL2023_x86_64_STANDARD",
            "m6g.large",
            "nodeGroups[0].instanceTypes[0]: must be an x86_64 instance type for nodeGroups[0].amiType "
            "AL2023_x86_64_STANDARD, got 'm6g.large' (m6g.large is arm64; choose an x86_64 type or an arm64 amiType)",
        ),
        (
            "BOTTLEROCKET_x86_64",
            "a1.large",
            "nodeGroups[0].instanceTypes[0]: must be an x86_64 instance type for nodeGroups[0].amiType "
            "BOTTLEROCKET_x86_64, got 'a1.large' (a1.large is arm64; choose an x86_64 type or an arm64 amiType)",
        ),
        (
            "BOTTLEROCKET_ARM_64",
            "c7i-flex.large",
            "nodeGroups[0].instanceTypes[0]: must be an arm64 instance type for nodeGroups[0].amiType "
            "BOTTLEROCKET_ARM_64, got 'c7i-flex.large' (c7i-flex.large is x86_64; choose an arm64 type or an "
            "x86_64 amiType)",
        ),
    ],
    ids=["arm-ami-x86-type", "x86-ami-graviton-type", "x86-bottlerocket-a1", "arm-bottlerocket-flex-type"],
)
def test_ami_architecture_must_match_the_instance_type(
    ami_type: str, instance_type: str, message: str
) -> None:
    # GIVEN a group whose AMI is built for the other architecture  WHEN checked  THEN one line names the type
    assert _errors(_group(amiType=ami_type, instanceTypes=[instance_type])) == [message]


@pytest.mark.parametrize(
    ("ami_type", "instance_types"),
    [
        # EC2 naming: a 'g' right after the generation digit is AWS Graviton; a1 is the first Graviton
        # (https://docs.aws.amazon.com/ec2/latest/instancetypes/instance-type-names.html).
        (
            "AL2023_ARM_64_STANDARD",
            ["a1.large", "m6g.large", "c7gn.large", "r8g.large", "t4g.medium", "x2gd.large", "im4gn.large"],
        ),
        ("AL2023_ARM_64_STANDARD", ["is4gen.large", "g5g.xlarge", "hpc7g.4xlarge", "i4g.large"]),
        # 'g' as the series (GPU) is not a Graviton option: g4ad and gr6 run AMD/x86_64.
        (
            "AL2023_x86_64_STANDARD",
            ["m5.large", "c7i-flex.large", "g4ad.xlarge", "g4dn.xlarge", "inf2.xlarge"],
        ),
        ("AL2023_x86_64_STANDARD", ["gr6.4xlarge", "t3a.medium", "m8azn.large"]),
        # Names that do not say for certain are never refused (mac2 is Apple silicon, p6-b200 x86_64).
        ("AL2023_ARM_64_STANDARD", ["mac2.metal", "p6-b200.48xlarge", "u-6tb1.metal"]),
        ("AL2023_x86_64_STANDARD", ["mac2.metal", "p6-b200.48xlarge", "u-6tb1.metal"]),
    ],
    ids=["graviton-a", "graviton-b", "x86-a", "x86-b", "uncertain-on-arm", "uncertain-on-x86"],
)
def test_matching_or_uncertain_architectures_are_accepted(ami_type: str, instance_types: list[str]) -> None:
    assert _errors(_group(amiType=ami_type, instanceTypes=instance_types, minSize=1, desiredSize=1)) == []


# --- max pods passed to nodes (AL2023 nodeadm NodeConfig) ------------------------------------------


@pytest.mark.parametrize(
    ("mode", "because"),
    [
        (PREFIX_DELEGATION, "cni.env.ENABLE_PREFIX_DELEGATION"),
        (CUSTOM_NETWORKING, "network.podSubnets.enabled"),
        (MAX_ENI, "cni.env.MAX_ENI"),
    ],
    ids=["prefix-delegation", "custom-networking", "max-eni"],
)
def test_bottlerocket_is_refused_when_the_lab_sets_max_pods(mode: dict[str, Any], because: str) -> None:
    # GIVEN a Bottlerocket group and a CNI mode for which the lab passes max pods in a nodeadm NodeConfig
    errors = _errors({**mode, **_group(amiType="BOTTLEROCKET_x86_64")})
    # THEN the AMI type is refused: Bottlerocket does not read NodeConfig
    assert errors == [
        f"nodeGroups[0].amiType: must be AL2023_x86_64_STANDARD or AL2023_ARM_64_STANDARD when the lab sets max "
        f"pods (because of {because}): max pods goes to nodes in an AL2023 nodeadm NodeConfig, which "
        "Bottlerocket ignores, got 'BOTTLEROCKET_x86_64'"
    ]


@pytest.mark.parametrize("ami_type", ["BOTTLEROCKET_x86_64", "AL2023_x86_64_STANDARD"])
def test_any_offered_ami_type_is_fine_in_secondary_ip_mode(ami_type: str) -> None:
    assert _errors(_group(amiType=ami_type)) == []


@pytest.mark.parametrize(
    ("mode", "because", "pods"),
    [
        # c7i.32xlarge: 15 ENIs x 50 IPv4 (eni-limits.tsv), no vCPU count in vcpus.tsv (see its header).
        # Prefix delegation: 15 x (49 x 16) + 2 = 11762; custom networking: 14 x 49 + 2 = 688;
        # MAX_ENI 2: 2 x 49 + 2 = 100, under 110, so it is not refused (next test).
        (PREFIX_DELEGATION, "cni.env.ENABLE_PREFIX_DELEGATION", 11762),
        (CUSTOM_NETWORKING, "network.podSubnets.enabled", 688),
        (
            {**PREFIX_DELEGATION, **CUSTOM_NETWORKING},
            "cni.env.ENABLE_PREFIX_DELEGATION, network.podSubnets.enabled",
            14 * 49 * 16 + 2,
        ),
    ],
    ids=["prefix-delegation", "custom-networking", "both"],
)
def test_type_without_a_vcpu_count_is_refused_when_its_max_pods_would_go_uncapped(
    mode: dict[str, Any], because: str, pods: int
) -> None:
    # GIVEN a type whose vCPU count is unknown, in a mode where the lab passes max pods to kubelet
    errors = _errors({**mode, **_group(instanceTypes=["m5.large", "c7i.32xlarge"], minSize=1, desiredSize=1)})
    # THEN the type is refused: the 110/250 cap of the EKS max-pods calculator cannot be applied
    assert errors == [
        f"nodeGroups[0].instanceTypes[1]: must have a known vCPU count when the lab sets max pods (because of "
        f"{because}): the EKS cap on max pods (110 at 30 vCPUs or fewer, else 250) cannot be applied to the "
        f"{pods} pods its ENIs allow, got 'c7i.32xlarge' (choose another instance type)"
    ]


@pytest.mark.parametrize(
    ("mode", "instance_type"),
    [
        ({}, "c7i.32xlarge"),  # secondary IPs: the lab passes nothing; nodeadm keeps its own value
        (MAX_ENI, "c7i.32xlarge"),  # 100 pods: under 110, no cap could lower it
        # p3.2xlarge (4 ENIs x 15 IPv4; 8 vCPUs since vcpus.tsv took autoscaler's counts): capped at 110
        (CUSTOM_NETWORKING, "p3.2xlarge"),
        (PREFIX_DELEGATION, "m5.large"),  # vCPU count known: capped at 110
    ],
    ids=["secondary-ips", "max-eni-under-the-cap", "custom-networking-known-vcpus", "known-vcpus"],
)
def test_max_pods_that_no_cap_could_change_are_accepted(mode: dict[str, Any], instance_type: str) -> None:
    assert _errors({**mode, **_group(instanceTypes=[instance_type], minSize=1, desiredSize=1)}) == []


# --- availability zones ----------------------------------------------------------------------------


def test_empty_group_az_list_is_refused_not_read_as_all_azs() -> None:
    assert _errors(_group(availabilityZones=[])) == [
        "nodeGroups[0].availabilityZones: must name at least one of the lab's availability zones; leave it out "
        "for all of them, got []"
    ]


def test_group_without_azs_spans_every_lab_az() -> None:
    config = parse_config(_group())
    assert config.node_group_azs(config.node_groups[0]) == list(config.network.availability_zones)
