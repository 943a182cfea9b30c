"""Regenerate the ENI limits table from EC2 DescribeInstanceTypes (``ekslab plan refresh-limits``).

Each described type becomes a row the way the VPC CNI's own generator builds its table
(aws/amazon-vpc-cni-k8s ``scripts/gen_vpc_ip_limits.go``): ENIs are the ``MaximumNetworkInterfaces``
of the default network card when there are several cards, else ``NetworkInfo.MaximumNetworkInterfaces``;
IPv4 per ENI is ``Ipv4AddressesPerInterface``; an empty hypervisor is written ``unknown``; types with
no ENIs or no IPv4 addresses are skipped. The vCPU count (``VCpuInfo.DefaultVCpus``) is kept too,
for the max-pods cap.

EC2 does not report trunking compatibility or branch interfaces (they come from the VPC resource
controller's table), so those cells are carried over from the previous table by instance type, and
left empty for types it did not have. Types the queried regions do not offer keep their previous row,
so refreshing from one region never shrinks the table.

EC2 is called through ``ekslab.aws.clients.aws_client`` (adaptive retries, the toolkit's timeouts;
endpoints follow boto3's own settings such as ``AWS_ENDPOINT_URL_EC2``), which imports boto3 only
when called: ``ekslab --help`` must not import it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from ekslab.limits.table import UNKNOWN_HYPERVISOR, InstanceTypeLimits, LimitsTable, NetworkCard

GENERATOR_NOTE: Final = "# carried over:"
_TRUNKING_SOURCE_PREFIX: Final = "# branch_interfaces"


@dataclass(frozen=True)
class RefreshResult:
    table: LimitsTable
    regions: tuple[str, ...]
    described: int
    """Distinct instance types EC2 described (skipped ones included)."""
    added: tuple[str, ...]
    changed: tuple[str, ...]
    kept: tuple[str, ...]
    """Types of the previous table that the queried regions did not describe: kept as they were."""


PageCallback = Callable[[str, int], None]
"""Called with (region, number of types on the page) after each page, for progress display."""


def describe_instance_types(
    region: str, *, on_page: PageCallback | None = None
) -> Iterator[Mapping[str, Any]]:
    """Every instance type EC2 describes in ``region``, page by page, with adaptive retries."""
    from ekslab.aws.clients import aws_client

    client = aws_client("ec2", region=region)
    for page in client.get_paginator("describe_instance_types").paginate():
        types = page.get("InstanceTypes", [])
        if on_page is not None:
            on_page(region, len(types))
        yield from types


def limits_from_description(
    info: Mapping[str, Any], previous: InstanceTypeLimits | None = None
) -> InstanceTypeLimits | None:
    """One DescribeInstanceTypes entry as table limits; None when it has no ENIs or IPv4 addresses."""
    name = str(info.get("InstanceType", ""))
    network = info.get("NetworkInfo") or {}
    described_cards = network.get("NetworkCards") or []
    default_index = int(network.get("DefaultNetworkCardIndex", 0))
    cards = tuple(
        sorted(
            (
                NetworkCard(
                    int(card.get("NetworkCardIndex", position)), int(card.get("MaximumNetworkInterfaces", 0))
                )
                for position, card in enumerate(described_cards)
            ),
            key=lambda card: card.index,
        )
    )
    if len(cards) > 1:
        enis = next((card.maximum_network_interfaces for card in cards if card.index == default_index), 0)
    else:
        enis = int(network.get("MaximumNetworkInterfaces", 0))
    ipv4_per_eni = int(network.get("Ipv4AddressesPerInterface", 0))
    if not name or enis <= 0 or ipv4_per_eni <= 0:
        return None
    vcpus = (info.get("VCpuInfo") or {}).get("DefaultVCpus")
    return InstanceTypeLimits(
        name=name,
        enis=enis,
        ipv4_per_eni=ipv4_per_eni,
        hypervisor=str(info.get("Hypervisor") or UNKNOWN_HYPERVISOR),
        is_bare_metal=bool(info.get("BareMetal", False)),
        is_trunking_compatible=previous.is_trunking_compatible if previous else None,
        branch_interfaces=previous.branch_interfaces if previous else None,
        default_network_card_index=default_index,
        network_cards=cards or (NetworkCard(0, enis),),
        vcpus=int(vcpus) if vcpus else None,
    )


def refresh_table(
    previous: LimitsTable,
    regions: Sequence[str],
    *,
    on_page: PageCallback | None = None,
    now: dt.datetime | None = None,
) -> RefreshResult:
    """A new table from DescribeInstanceTypes in ``regions``, merged over ``previous``."""
    described: dict[str, InstanceTypeLimits] = {}
    seen: set[str] = set()
    for region in regions:
        for info in describe_instance_types(region, on_page=on_page):
            name = str(info.get("InstanceType", ""))
            seen.add(name)
            if name in described:
                continue  # regions agree on a type's limits (the CNI's generator checks it)
            limits = limits_from_description(info, previous.types.get(name))
            if limits is not None:
                described[name] = limits
    kept = {name: limits for name, limits in previous.types.items() if name not in described}
    added = tuple(sorted(name for name in described if name not in previous.types))
    changed = tuple(
        sorted(
            name
            for name, limits in described.items()
            if name in previous.types and _comparable(previous.types[name]) != _comparable(limits)
        )
    )
    table = LimitsTable(
        source=_source_header(previous, regions, len(kept), now or dt.datetime.now(dt.UTC)),
        types={**kept, **described},
    )
    return RefreshResult(
        table=table,
        regions=tuple(regions),
        described=len(seen),
        added=added,
        changed=changed,
        kept=tuple(sorted(kept)),
    )


def _comparable(limits: InstanceTypeLimits) -> InstanceTypeLimits:
    # A table without vCPUs gains them on refresh; that alone is not a change of limits.
    return replace(limits, vcpus=None)


def _source_header(
    previous: LimitsTable, regions: Sequence[str], kept: int, now: dt.datetime
) -> tuple[str, ...]:
    stamp = now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    trunking_sources = [line for line in previous.source if line.startswith(_TRUNKING_SOURCE_PREFIX)]
    return (
        f"# source: EC2 DescribeInstanceTypes in {', '.join(regions)} by `ekslab plan refresh-limits` "
        f"at {stamp}; rows built as github.com/aws/amazon-vpc-cni-k8s scripts/gen_vpc_ip_limits.go "
        "builds them",
        "# enis = MaximumNetworkInterfaces of the default network card; "
        "ipv4_per_eni = Ipv4AddressesPerInterface (incl. the ENI primary IP); vcpus = VCpuInfo.DefaultVCpus",
        "# network_cards = cardIndex:MaximumNetworkInterfaces;... ",
        *trunking_sources,
        f"{GENERATOR_NOTE} is_trunking_compatible and branch_interfaces by instance type from the "
        "previous table (EC2 does not report them); empty for types new to it",
        f"{GENERATOR_NOTE} {kept} types of the previous table that the queried regions did not describe, "
        "unchanged",
    )
