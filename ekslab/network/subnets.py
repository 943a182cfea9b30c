"""Where every subnet of the lab goes, decided before synth.

The plan is computed here, in plain Python, so that the VPC construct, the IP capacity planner and
the offline `ekslab azs` all agree on the same CIDRs. Tiers are laid out in order (public, private)
from the start of the VPC CIDR, each subnet aligned to its own size; pod subnets (custom
networking) fill the secondary CIDR the same way.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from ekslab.errors import InputError
from ekslab.network.addresses import usable_addresses


class Tier(StrEnum):
    PUBLIC = "public"
    PRIVATE = "private"
    POD = "pod"


@dataclass(frozen=True)
class PlannedSubnet:
    availability_zone: str
    tier: Tier
    cidr: ipaddress.IPv4Network

    @property
    def usable_addresses(self) -> int:
        """Addresses left for ENIs after AWS's five reserved ones."""
        return usable_addresses(self.cidr)


@dataclass(frozen=True)
class SubnetPlan:
    vpc_cidr: ipaddress.IPv4Network
    pod_cidr: ipaddress.IPv4Network | None
    subnets: tuple[PlannedSubnet, ...]

    def of_tier(self, tier: Tier) -> list[PlannedSubnet]:
        return [subnet for subnet in self.subnets if subnet.tier is tier]

    def get(self, availability_zone: str, tier: Tier) -> PlannedSubnet | None:
        for subnet in self.subnets:
            if subnet.availability_zone == availability_zone and subnet.tier is tier:
                return subnet
        return None


def plan_subnets(
    *,
    vpc_cidr: ipaddress.IPv4Network,
    availability_zones: Sequence[str],
    public_prefix_length: int,
    private_prefix_length: int,
    pod_cidr: ipaddress.IPv4Network | None = None,
    pod_prefix_length: int = 18,
) -> SubnetPlan:
    """Lay out one public and one private subnet per AZ in the VPC CIDR (and pod subnets in the pod CIDR).

    Raises InputError naming the setting when the subnets do not fit.
    """
    subnets: list[PlannedSubnet] = []
    cursor = int(vpc_cidr.network_address)
    for tier, prefix_length, setting in (
        (Tier.PUBLIC, public_prefix_length, "network.subnets.publicPrefixLength"),
        (Tier.PRIVATE, private_prefix_length, "network.subnets.privatePrefixLength"),
    ):
        cursor = _allocate(
            subnets, cursor, vpc_cidr, availability_zones, tier, prefix_length, setting, "vpcCidr"
        )
    if pod_cidr is not None:
        _allocate(
            subnets,
            int(pod_cidr.network_address),
            pod_cidr,
            availability_zones,
            Tier.POD,
            pod_prefix_length,
            "network.podSubnets.prefixLength",
            "podSubnets.cidr",
        )
    return SubnetPlan(vpc_cidr=vpc_cidr, pod_cidr=pod_cidr, subnets=tuple(subnets))


def _allocate(
    subnets: list[PlannedSubnet],
    cursor: int,
    within: ipaddress.IPv4Network,
    availability_zones: Sequence[str],
    tier: Tier,
    prefix_length: int,
    setting: str,
    container: str,
) -> int:
    if prefix_length < within.prefixlen:
        raise InputError(
            setting, f"must be at least the prefix length of network.{container} ({within})", prefix_length
        )
    size = 2 ** (32 - prefix_length)
    for availability_zone in availability_zones:
        start = -(-cursor // size) * size  # align up to the subnet's own size
        if start + size - 1 > int(within.broadcast_address):
            needed = len(availability_zones)
            raise InputError(
                setting,
                f"{needed} {tier.value} subnets of /{prefix_length} do not fit in network.{container} "
                f"{within} after the subnets before them; use a longer prefix or a larger CIDR",
                prefix_length,
            )
        subnets.append(PlannedSubnet(availability_zone, tier, ipaddress.IPv4Network((start, prefix_length))))
        cursor = start + size
    return cursor
