"""ipamd's ``/v1/enis`` body of CNI v1.20+ (eras F and G, wrapped by network card) decoded by msgspec.

A large cluster's bundle holds one body per node (5,000 on the benchmark bundle), and each is mostly
fields ``parse_enis`` does not read (``Cidr: {IP, Mask}`` of every CIDR, times, counters). These
Structs describe only what it reads, with the types it accepts, so msgspec builds only that and skips
the rest in C. ``wrapped_enis`` reads a body that fits them into the same ``IpamdEnis`` that
``parse_enis`` gives; any other body (an older era, a field of another type, two concatenated
documents, bad JSON, an integer longer than Python converts, nesting too deep, NaN) returns ``None``
and goes the usual way (``ekslab.ipamd.node.parse_body``), which then words its errors and notes as always.
"""

from __future__ import annotations

from typing import Final

import msgspec

from ekslab.ipamd.enis import _era, _later, _time
from ekslab.ipamd.models import IpamdAddress, IpamdCidr, IpamdEni, IpamdEnis
from ekslab.jsondoc import may_hold_long_integer
from ekslab.network.addresses import canonical_cidr, canonical_ip

UNSET: Final = msgspec.UNSET


class _Key(msgspec.Struct, gc=False):
    networkName: str | None = None
    containerID: str | None = None
    ifName: str | None = None


class _Metadata(msgspec.Struct, gc=False):
    k8sPodNamespace: str | None = None
    k8sPodName: str | None = None


class _Address(msgspec.Struct, gc=False):
    Address: str | None = None
    IPAMKey: _Key | None = None
    IPAMMetadata: _Metadata | None = None
    AssignedTime: str | None = None
    UnassignedTime: str | None = None
    Assigned: msgspec.Raw | msgspec.UnsetType = UNSET
    """Only to see that it is absent: an address with it is read the v1.0-v1.6 way, by ``parse_enis``."""


class _Cidr(msgspec.Struct, gc=False):
    IPAddresses: dict[str, _Address] | msgspec.UnsetType | None = UNSET
    IPv4Addresses: dict[str, _Address] | None = None
    IsPrefix: bool = False


class _Eni(msgspec.Struct, gc=False):
    ID: str | msgspec.UnsetType | None = UNSET
    Id: str | None = None
    DeviceNumber: int = 0
    IsPrimary: bool = False
    IsTrunk: bool = False
    IsEFA: bool = False
    IsExcludedForPodIPs: bool = False
    SubnetID: str | None = None
    RouteTableID: int | None = None
    AvailableIPv4Cidrs: dict[str, _Cidr] | msgspec.UnsetType | None = UNSET
    IPv6Cidrs: dict[str, _Cidr] | msgspec.UnsetType | None = UNSET


class _Card(msgspec.Struct, gc=False):
    ENIs: dict[str, _Eni] | None
    TotalIPs: int | None = None
    AssignedIPs: int | None = None


_DECODER: Final = msgspec.json.Decoder(dict[str, _Card])
_FAILURES: Final = (msgspec.DecodeError, msgspec.ValidationError, RecursionError)


class _NotThisShape(Exception):
    """A part the Structs decoded but ``parse_enis`` reads another way (or refuses)."""


def wrapped_enis(text: str) -> IpamdEnis | None:
    """The ``IpamdEnis`` of a v1.20+ ``/v1/enis`` body (already decoded from UTF-8), exactly as
    ``parse_enis`` reads it; ``None`` for a body these Structs do not describe (module docstring)."""
    if may_hold_long_integer(text):
        return None  # msgspec would skip it where Python's reader refuses it
    try:
        cards = _DECODER.decode(text)
    except _FAILURES:
        return None
    if not cards or not all(key.isascii() and key.isdigit() for key in cards):
        return None
    try:
        return _read(cards)
    except _NotThisShape:
        return None


def _read(cards: dict[str, _Card]) -> IpamdEnis:
    scrubbed = False
    counted = False
    total = assigned = 0
    enis: list[IpamdEni] = []
    for card in sorted(cards, key=int):
        infos = cards[card]
        for eni_id, eni in sorted((infos.ENIs or {}).items()):
            parsed, eni_scrubbed = _eni(eni_id, eni, int(card))
            enis.append(parsed)
            scrubbed = scrubbed or eni_scrubbed
        if infos.TotalIPs is not None or infos.AssignedIPs is not None:
            counted = True
        total += infos.TotalIPs or 0
        assigned += infos.AssignedIPs or 0
    return IpamdEnis(
        format=_era({"scrubbed"} if scrubbed else set(), wrapped=True),
        enis=tuple(enis),
        total_ips=total if counted else None,
        assigned_ips=assigned if counted else None,
    )


def _eni(eni_id: str, eni: _Eni, network_card: int) -> tuple[IpamdEni, bool]:
    if eni.AvailableIPv4Cidrs is UNSET and eni.IPv6Cidrs is UNSET:
        raise _NotThisShape  # no CIDR tables: parse_enis reads IPv4Addresses, or nothing
    declared = eni.Id if eni.ID is UNSET else eni.ID
    cidrs: list[IpamdCidr] = []
    scrubbed = False
    for table in (eni.AvailableIPv4Cidrs, eni.IPv6Cidrs):
        for cidr, info in (table or {}).items():  # type: ignore[union-attr]
            addresses = []
            entries = info.IPv4Addresses if info.IPAddresses is UNSET else info.IPAddresses
            for ip, address in (entries or {}).items():  # type: ignore[union-attr]
                parsed, address_scrubbed = _address(ip, address)
                addresses.append(parsed)
                scrubbed = scrubbed or address_scrubbed
            cidrs.append(IpamdCidr(canonical_cidr(cidr), info.IsPrefix, tuple(addresses)))
    return (
        IpamdEni(
            declared if declared else eni_id,
            eni.DeviceNumber,
            network_card,
            eni.IsPrimary,
            eni.IsTrunk,
            eni.IsEFA,
            eni.IsExcludedForPodIPs,
            eni.SubnetID or None,
            eni.RouteTableID,
            tuple(cidrs),
        ),
        scrubbed,
    )


def _address(ip: str, info: _Address) -> tuple[IpamdAddress, bool]:
    if info.Assigned is not UNSET:
        raise _NotThisShape
    address = info.Address or ip
    if ":" in address:
        address = canonical_ip(address)
    key = info.IPAMKey
    metadata = info.IPAMMetadata
    network_name = (key.networkName or None) if key else None
    container_id = (key.containerID or None) if key else None
    if_name = (key.ifName or None) if key else None
    pod_name = (metadata.k8sPodName or None) if metadata else None
    assigned_time = _time(info.AssignedTime)
    unassigned_time = _time(info.UnassignedTime)
    assigned = bool(network_name or container_id or if_name or pod_name)
    if assigned and assigned_time and unassigned_time and _later(unassigned_time, assigned_time):
        assigned = False
    return (
        IpamdAddress(
            address,
            assigned,
            (metadata.k8sPodNamespace or None) if metadata else None,
            pod_name,
            network_name,
            container_id,
            if_name,
            assigned_time,
            unassigned_time,
        ),
        bool(network_name and not container_id and not if_name),
    )
