"""What N labs of a configuration need from the regional quotas (natGateways single and perAz)."""

from __future__ import annotations

import pytest

from ekslab.config.loader import parse_config
from ekslab.preflight.quotas import is_standard_type, lab_needs, labs_that_fit

VCPUS = {"m5.large": 2, "m5.xlarge": 4, "c6g.medium": 1}
ZONES = ["ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c"]


def _needs(document: dict, labs: int):
    return lab_needs(parse_config(document, source="lab.yaml"), labs, VCPUS.get)


def test_single_nat_gateway_puts_one_per_lab_in_the_first_az() -> None:
    # GIVEN natGateways single, 4 labs
    needs = _needs({"network": {"natGateways": "single", "availabilityZones": ZONES}}, 4)
    # THEN four NAT gateways (and four EIPs) land in the first AZ, one VPC, IGW and cluster per lab
    assert needs.nat_gateways_per_az == {"ap-northeast-2a": 4}
    assert (needs.elastic_ips, needs.vpcs, needs.internet_gateways, needs.eks_clusters) == (4, 4, 4, 4)


def test_per_az_nat_gateways_put_one_per_lab_in_every_az() -> None:
    needs = _needs({"network": {"natGateways": "perAz", "availabilityZones": ZONES}}, 4)
    assert needs.nat_gateways_per_az == dict.fromkeys(ZONES, 4)
    assert needs.elastic_ips == 12


def test_no_nat_gateways_need_no_elastic_ips() -> None:
    needs = _needs({"network": {"natGateways": "none"}}, 3)
    assert (needs.nat_gateways_per_az, needs.elastic_ips) == ({}, 0)


def test_vcpus_count_on_demand_groups_at_max_size_with_their_largest_type() -> None:
    # GIVEN an on-demand group of m5.large/m5.xlarge at max 3, and a spot group (another quota)
    document = {
        "nodeGroups": [
            {
                "name": "od",
                "instanceTypes": ["m5.large", "m5.xlarge"],
                "minSize": 1,
                "desiredSize": 1,
                "maxSize": 3,
            },
            {"name": "spot", "instanceTypes": ["m5.xlarge"], "capacityType": "SPOT", "maxSize": 5},
        ]
    }
    # WHEN 2 labs are sized
    needs = _needs(document, 2)
    # THEN 2 x 3 nodes x 4 vCPUs
    assert needs.on_demand_vcpus == 24


def test_an_instance_type_without_a_vcpu_count_leaves_the_vcpu_need_unknown() -> None:
    needs = _needs({"nodeGroups": [{"name": "x", "instanceTypes": ["m5.24xlarge"]}]}, 1)
    assert (needs.on_demand_vcpus, needs.unknown_vcpu_types) == (None, ("m5.24xlarge",))


@pytest.mark.parametrize(
    ("name", "standard"),
    [
        ("m5.large", True),
        ("t3.medium", True),
        ("c7gn.large", True),
        ("r6i.large", True),
        ("z1d.large", True),
        ("trn1.2xlarge", False),
        ("inf2.xlarge", False),
        ("mac2.metal", False),
        ("dl1.24xlarge", False),
        ("hpc6a.48xlarge", False),
        ("g5.xlarge", False),
        ("p4d.24xlarge", False),
        ("x2idn.16xlarge", False),
    ],
)
def test_standard_families_are_those_of_quota_l_1216c47a(name: str, standard: bool) -> None:
    assert is_standard_type(name) is standard


@pytest.mark.parametrize(
    ("limit", "used", "per_lab", "fit"),
    [(5, 1, 1, 4), (5, 5, 1, 0), (5, 7, 1, 0), (64, 10, 12, 4), (5, 0, 0, None)],
)
def test_labs_that_fit(limit: float, used: int, per_lab: int, fit: int | None) -> None:
    assert labs_that_fit(limit, used, per_lab) == fit
