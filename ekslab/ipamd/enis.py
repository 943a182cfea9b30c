"""Parser of ipamd's ``/v1/enis`` body, every CNI version (cni-facts.md §1.3, eras A to G).

The body is Go's ``encoding/json`` of ipamd's datastore, whose shape changed six times:

* A, v1.0-v1.6: ``{TotalIPs, AssignedIPs, ENIIPPools: {eni: {ID, IsPrimary, DeviceNumber,
  IPv4Addresses: {ip: {Assigned[, Address, UnassignedTime]}}}}}``
* B, v1.7-v1.8: ``ENIIPPools`` renamed ``ENIs``; an address is ``{IPAMKey, Address, UnassignedTime}``
  and counts as assigned iff its ``IPAMKey`` is non-zero (the ``Assigned`` flag is gone).
* C, v1.9: ``ENI.AvailableIPv4Cidrs: {cidr: {Cidr, IPv4Addresses, IsPrefix}}`` (prefix delegation).
* D, v1.10: ``IPv4Addresses`` inside a CIDR renamed ``IPAddresses``; ``ENI.IPv6Cidrs`` added.
* E, v1.11: addresses gain ``IPAMMetadata{k8sPodNamespace, k8sPodName}`` and ``AssignedTime``.
* F, v1.20: the whole body is wrapped by network card: ``{"0": ENIInfos, "1": ...}``.
* G, v1.23: ``IPAMKey.containerID``/``ifName`` scrubbed to ``""``; ``networkName`` is kept.

Unknown fields are ignored and optional ones may be missing; a body of the wrong shape raises
``IpamdFormatError`` naming the key path.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

from ekslab.errors import InputError
from ekslab.ipamd.models import IpamdAddress, IpamdCidr, IpamdEni, IpamdEnis
from ekslab.network.addresses import canonical_cidr, canonical_ip

FORMAT_VERSIONS: Final = {
    "A": "CNI v1.0-v1.6",
    "B": "CNI v1.7-v1.8",
    "C": "CNI v1.9",
    "D": "CNI v1.10",
    "E": "CNI v1.11-v1.19",
    "F": "CNI v1.20-v1.22",
    "G": "CNI v1.23+",
}
"""The CNI versions whose ``/v1/enis`` has each format (``IpamdEnis.format``; cni-facts.md §1.3)."""
GO_ZERO_TIME: Final = "0001-01-01T00:00:00Z"
"""Go's zero ``time.Time`` marshalled: "never"."""


class IpamdFormatError(InputError):
    """An introspection body that is not the shape its endpoint serves in any CNI version."""


def parse_enis(document: Any) -> IpamdEnis:
    """Normalise one decoded ``/v1/enis`` body of any CNI version.

    Raises IpamdFormatError when the body is not ENI data (e.g. ipamd's ``AvailableCommands`` answer
    to an unknown path, or an unrelated document).
    """
    if not isinstance(document, dict):
        raise _wrong("", "a JSON object (ipamd's ENI datastore)", document)
    if set(document) == {"AvailableCommands"}:
        raise IpamdFormatError(
            "", "is ipamd's list of commands, not ENI data (the request went to an unknown path)"
        )
    if not document:
        # Every version serves its counters and ENI map (v1.20+: inside card "0"), never nothing.
        raise IpamdFormatError("", "is an empty JSON object, not ipamd's ENI datastore")
    if _is_card_wrapper(document):
        return _parse_cards(document)
    features: set[str] = set()
    enis = _parse_infos(document, network_card=0, path="", features=features)
    return IpamdEnis(
        format=_era(features, wrapped=False),
        enis=enis,
        total_ips=_optional_int(document.get("TotalIPs")),
        assigned_ips=_optional_int(document.get("AssignedIPs")),
    )


def _is_card_wrapper(document: dict[str, Any]) -> bool:
    # v1.20+ marshals map[int]*ENIInfos: every key is a network card index, in ASCII digits as Go
    # writes them ("²" or "٣" pass str.isdigit() but are no card index Go would write).
    return all(_is_card_index(key) for key in document) and not (
        "ENIs" in document or "ENIIPPools" in document
    )


def _is_card_index(key: str) -> bool:
    return key.isascii() and key.isdigit()


def _parse_cards(document: dict[str, Any]) -> IpamdEnis:
    features: set[str] = set()
    enis: list[IpamdEni] = []
    total = assigned = 0
    counted = False
    for card in sorted(document, key=int):
        infos = document[card]
        if not isinstance(infos, dict):
            raise _wrong(card, f"a JSON object (the ENIs of network card {card})", infos)
        enis.extend(_parse_infos(infos, network_card=int(card), path=f"{card}.", features=features))
        for key in ("TotalIPs", "AssignedIPs"):
            if _optional_int(infos.get(key)) is not None:
                counted = True
        total += _optional_int(infos.get("TotalIPs")) or 0
        assigned += _optional_int(infos.get("AssignedIPs")) or 0
    return IpamdEnis(
        format=_era(features, wrapped=True),
        enis=tuple(enis),
        total_ips=total if counted else None,
        assigned_ips=assigned if counted else None,
    )


def _parse_infos(
    infos: dict[str, Any], *, network_card: int, path: str, features: set[str]
) -> tuple[IpamdEni, ...]:
    if "ENIs" in infos:
        pools, key = infos["ENIs"], "ENIs"
        features.add("ENIs")
    elif "ENIIPPools" in infos:
        pools, key = infos["ENIIPPools"], "ENIIPPools"
        features.add("ENIIPPools")
    else:
        raise IpamdFormatError(
            path.rstrip(".") or "",
            "has neither ENIs (CNI v1.7+) nor ENIIPPools (CNI v1.0-v1.6)",
            sorted(infos)[:6],
        )
    if pools is None:  # a Go nil map marshals as null
        return ()
    if not isinstance(pools, dict):
        raise _wrong(f"{path}{key}", "an object of ENIs by id", pools)
    return tuple(
        _parse_eni(eni_id, eni, network_card=network_card, path=f"{path}{key}.{eni_id}", features=features)
        for eni_id, eni in sorted(pools.items())
    )


def _parse_eni(eni_id: str, eni: Any, *, network_card: int, path: str, features: set[str]) -> IpamdEni:
    if not isinstance(eni, dict):
        raise _wrong(path, "a JSON object (one ENI)", eni)
    # docs/troubleshooting.md spells the field "Id"; the code's field is "ID" in every tag.
    declared = eni.get("ID", eni.get("Id"))
    cidrs: list[IpamdCidr] = []
    if "AvailableIPv4Cidrs" in eni or "IPv6Cidrs" in eni:
        features.add("cidrs")
        for member in ("AvailableIPv4Cidrs", "IPv6Cidrs"):
            if member == "IPv6Cidrs" and member in eni:
                features.add("IPv6Cidrs")
            table = eni.get(member) or {}
            if not isinstance(table, dict):
                raise _wrong(f"{path}.{member}", "an object of CIDRs", table)
            for cidr, info in table.items():  # Go marshals map keys sorted; keep that order
                cidrs.append(_parse_cidr(cidr, info, path=f"{path}.{member}[{cidr}]", features=features))
    elif "IPv4Addresses" in eni:
        table = eni.get("IPv4Addresses") or {}
        if not isinstance(table, dict):
            raise _wrong(f"{path}.IPv4Addresses", "an object of addresses", table)
        for ip, info in table.items():
            address = _parse_address(ip, info, path=f"{path}.IPv4Addresses[{ip}]", features=features)
            cidrs.append(IpamdCidr(cidr=f"{address.ip}/32", is_prefix=False, addresses=(address,)))
    return IpamdEni(
        eni_id=declared if isinstance(declared, str) and declared else eni_id,
        device_number=_int(eni.get("DeviceNumber", 0), f"{path}.DeviceNumber"),
        network_card=network_card,
        is_primary=eni.get("IsPrimary") is True,
        is_trunk=eni.get("IsTrunk") is True,
        is_efa=eni.get("IsEFA") is True,
        is_excluded_for_pod_ips=eni.get("IsExcludedForPodIPs") is True,
        subnet_id=eni.get("SubnetID") or None,
        route_table_id=_optional_int(eni.get("RouteTableID")),
        cidrs=tuple(cidrs),
    )


def _parse_cidr(cidr: str, info: Any, *, path: str, features: set[str]) -> IpamdCidr:
    if not isinstance(info, dict):
        raise _wrong(path, "a JSON object (one CIDR)", info)
    if "IPAddresses" in info:
        features.add("IPAddresses")
        table, member = info.get("IPAddresses"), "IPAddresses"
    else:
        table, member = info.get("IPv4Addresses"), "IPv4Addresses"
    table = table or {}
    if not isinstance(table, dict):
        raise _wrong(f"{path}.{member}", "an object of addresses", table)
    addresses = tuple(
        _parse_address(ip, address, path=f"{path}.{member}[{ip}]", features=features)
        for ip, address in table.items()
    )
    return IpamdCidr(cidr=canonical_cidr(cidr), is_prefix=info.get("IsPrefix") is True, addresses=addresses)


def _parse_address(ip: str, info: Any, *, path: str, features: set[str]) -> IpamdAddress:
    if not isinstance(info, dict):
        raise _wrong(path, "a JSON object (one address)", info)
    address = info.get("Address")
    if not isinstance(address, str) or not address:
        address = ip
    if ":" in address:
        address = canonical_ip(address)
    if "Assigned" in info:  # v1.0-v1.6: an explicit flag
        return IpamdAddress(
            ip=address, assigned=info["Assigned"] is True, unassigned_time=_time(info.get("UnassignedTime"))
        )
    key = info.get("IPAMKey") or {}
    metadata = info.get("IPAMMetadata") or {}
    if not isinstance(key, dict) or not isinstance(metadata, dict):
        raise _wrong(path, "an address whose IPAMKey and IPAMMetadata are JSON objects", info)
    network_name = key.get("networkName") or None
    container_id = key.get("containerID") or None
    if_name = key.get("ifName") or None
    pod_name = metadata.get("k8sPodName") or None
    if "IPAMMetadata" in info or "AssignedTime" in info:
        features.add("metadata")
    if network_name and not container_id and not if_name:
        features.add("scrubbed")
    assigned_time = _time(info.get("AssignedTime"))
    unassigned_time = _time(info.get("UnassignedTime"))
    assigned = bool(network_name or container_id or if_name or pod_name)
    if assigned and assigned_time and unassigned_time and _later(unassigned_time, assigned_time):
        assigned = False  # released after its last assignment (cni-facts.md §1.3 G)
    return IpamdAddress(
        ip=address,
        assigned=assigned,
        pod_namespace=metadata.get("k8sPodNamespace") or None,
        pod_name=pod_name,
        network_name=network_name,
        container_id=container_id,
        if_name=if_name,
        assigned_time=assigned_time,
        unassigned_time=unassigned_time,
    )


def _era(features: set[str], *, wrapped: bool) -> str:
    if wrapped:
        return "G" if "scrubbed" in features else "F"
    if "ENIIPPools" in features:
        return "A"
    if "metadata" in features:
        return "E"
    if "IPAddresses" in features or "IPv6Cidrs" in features:
        return "D"
    if "cidrs" in features:
        return "C"
    return "B"


def _time(value: Any) -> str | None:
    if not isinstance(value, str) or not value or value == GO_ZERO_TIME:
        return None
    return value


def _later(first: str, second: str) -> bool:
    try:
        return _parse_time(first) > _parse_time(second)
    except ValueError:
        return False  # an unreadable time never turns an assigned address into a released one


def _parse_time(value: str) -> datetime:
    # RFC 3339 with up to nanoseconds (Go's RFC3339Nano); Python keeps microseconds. Go always writes
    # a zone; a hand-edited time without one is read as UTC, so that any two times compare.
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _int(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise IpamdFormatError(path, "must be an integer", value)
    return value


def _optional_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _wrong(path: str, what: str, value: Any) -> IpamdFormatError:
    return IpamdFormatError(path, f"must be {what}, found {_kind(value)}")


def _kind(value: Any) -> str:
    names: Mapping[type, str] = {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        type(None): "null",
    }
    return names.get(type(value), type(value).__name__)
