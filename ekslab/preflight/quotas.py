"""What N labs of one configuration take from an account's regional quotas (pure arithmetic).

Per lab (stacks/network_stack.py, ekslab_constructs/lab_vpc.py): one VPC; one internet gateway (the
public subnets always exist, for the ALB); NAT gateways as ``network.natGateways`` says (``single``: one,
in the first public subnet, i.e. the first AZ of ``network.availabilityZones``; ``perAz``: one per lab
AZ; ``none``: none), each with one Elastic IP; one EKS cluster; and, for on-demand node groups, the
vCPUs of every node at ``maxSize`` (a group with several instance types counts its largest).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Final

from ekslab.config.model import LabConfig, NatGateways

VPCS: Final = "vpcs"
INTERNET_GATEWAYS: Final = "internet-gateways"
NAT_GATEWAYS: Final = "nat-gateways"
ELASTIC_IPS: Final = "elastic-ips"
EKS_CLUSTERS: Final = "eks-clusters"
ON_DEMAND_VCPUS: Final = "on-demand-vcpus"
QUOTAS: Final = (VPCS, INTERNET_GATEWAYS, NAT_GATEWAYS, ELASTIC_IPS, EKS_CLUSTERS, ON_DEMAND_VCPUS)

# Service Quotas L-1216C47A is "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances", in
# vCPUs; DL, HPC, Inf, Mac and Trn types start with those letters but have quotas of their own.
_STANDARD_FIRST_LETTERS: Final = frozenset("acdhimrtz")
_OTHER_QUOTA_FAMILIES: Final = frozenset({"dl", "hpc", "inf", "mac", "trn"})
_FAMILY: Final = re.compile(r"^([a-z]+)")


@dataclass(frozen=True)
class QuotaFacts:
    """One quota: its Service Quotas code and the documented default used when the API is not allowed."""

    key: str
    service_code: str
    quota_code: str
    name: str
    per_az: bool
    default: int | None
    default_source: str | None


@cache
def quota_facts() -> dict[str, QuotaFacts]:
    text = (
        resources.files("ekslab.preflight").joinpath("data/quota-defaults.json").read_text(encoding="utf-8")
    )
    quotas = json.loads(text)["quotas"]
    return {
        key: QuotaFacts(
            key,
            entry["service_code"],
            entry["quota_code"],
            entry["name"],
            bool(entry.get("per_az")),
            entry.get("default"),
            entry.get("default_source"),
        )
        for key, entry in quotas.items()
    }


def is_standard_type(instance_type: str) -> bool:
    """Whether an instance type counts against the on-demand standard vCPU quota (L-1216C47A)."""
    match = _FAMILY.match(instance_type)
    if not match:
        return False
    family = match[1]
    return family[0] in _STANDARD_FIRST_LETTERS and family not in _OTHER_QUOTA_FAMILIES


@dataclass(frozen=True)
class LabNeeds:
    """What ``labs`` labs of the configuration take; per-AZ needs are keyed by AZ name."""

    labs: int
    vpcs: int
    internet_gateways: int
    nat_gateways_per_az: dict[str, int]
    elastic_ips: int
    eks_clusters: int
    on_demand_vcpus: int | None
    """None when an on-demand group's instance type has no known vCPU count."""
    unknown_vcpu_types: tuple[str, ...] = field(default=())
    other_quota_types: tuple[str, ...] = field(default=())
    """On-demand types outside the standard families: their vCPUs count against another quota."""

    def total(self, key: str) -> int | None:
        return {
            VPCS: self.vpcs,
            INTERNET_GATEWAYS: self.internet_gateways,
            NAT_GATEWAYS: max(self.nat_gateways_per_az.values(), default=0),
            ELASTIC_IPS: self.elastic_ips,
            EKS_CLUSTERS: self.eks_clusters,
            ON_DEMAND_VCPUS: self.on_demand_vcpus,
        }[key]


def lab_needs(config: LabConfig, labs: int, vcpus_of: Callable[[str], int | None]) -> LabNeeds:
    """The quota needs of ``labs`` labs of ``config``; ``vcpus_of`` gives an instance type's vCPUs."""
    zones = config.network.availability_zones
    nat_mode = config.network.nat_gateways
    if nat_mode is NatGateways.PER_AZ:
        per_lab = dict.fromkeys(zones, 1)
    elif nat_mode is NatGateways.SINGLE:
        per_lab = {zones[0]: 1}
    else:
        per_lab = {}
    nat_per_az = {zone: count * labs for zone, count in per_lab.items()}
    unknown: list[str] = []
    other: list[str] = []
    vcpus_per_lab = 0
    for group in config.node_groups:
        if group.capacity_type != "ON_DEMAND":
            continue  # spot capacity counts against the spot quota, not L-1216C47A
        counted = []
        for name in group.instance_types:
            if not is_standard_type(name):
                other.append(name)
                continue
            vcpus = vcpus_of(name)
            if vcpus is None:
                unknown.append(name)
            else:
                counted.append(vcpus)
        if counted:
            vcpus_per_lab += group.max_size * max(counted)
    return LabNeeds(
        labs=labs,
        vpcs=labs,
        internet_gateways=labs,
        nat_gateways_per_az=nat_per_az,
        elastic_ips=sum(nat_per_az.values()),
        eks_clusters=labs,
        on_demand_vcpus=None if unknown else vcpus_per_lab * labs,
        unknown_vcpu_types=tuple(dict.fromkeys(unknown)),
        other_quota_types=tuple(dict.fromkeys(other)),
    )


def labs_that_fit(limit: float, used: int, per_lab: int) -> int | None:
    """How many more labs fit under ``limit`` with ``used`` taken; None when a lab needs none."""
    if per_lab <= 0:
        return None
    return max(0, int((limit - used) // per_lab))


def usage_per_az(values: Mapping[str, Any]) -> dict[str, int]:
    return {str(zone): int(count) for zone, count in values.items()}
