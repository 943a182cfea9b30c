"""Normalised models of ipamd introspection data, the same whatever CNI version produced it.

Every format era of ``/v1/enis`` (cni-facts.md §1.3, eras A to G) becomes one ``IpamdEnis``: ENIs,
each with its CIDRs (a secondary IP is a /32 CIDR holding one address, a delegated prefix a /28 or
/80 CIDR holding the addresses handed out from it), each address with whether it is assigned and,
where the CNI version records it, to which pod. Views and checks read these models, never the raw
JSON, so a new CNI format only touches the parser.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple


class IpamdAddress(NamedTuple):
    """One IP address in ipamd's datastore.

    ``assigned`` follows the CNI version's own rule: the ``Assigned`` flag (v1.0-v1.6), a non-empty
    ``IPAMKey`` (v1.7+), and not released (``UnassignedTime`` after ``AssignedTime``, v1.11+).
    ``pod_namespace``/``pod_name`` are known from v1.11 (``IPAMMetadata``); ``container_id`` is
    ``None`` when the version does not record it or scrubs it (v1.23+). Times are ipamd's RFC 3339
    strings, ``None`` for Go's zero time or when absent.
    """

    ip: str
    assigned: bool
    pod_namespace: str | None = None
    pod_name: str | None = None
    network_name: str | None = None
    container_id: str | None = None
    if_name: str | None = None
    assigned_time: str | None = None
    unassigned_time: str | None = None


class IpamdCidr(NamedTuple):
    """A CIDR attached to an ENI: a secondary IP (/32, ``is_prefix`` false) or a delegated prefix.

    ``addresses`` lists the IPs ipamd has handed out at least once. In prefix mode the list is filled
    lazily, so a free IP of a prefix may be missing from it (cni-facts.md §1.3).
    """

    cidr: str
    is_prefix: bool
    addresses: tuple[IpamdAddress, ...]

    @property
    def family(self) -> int:
        """4 or 6. Derived from the CIDR: ipamd's own ``AddressFamily`` is always empty in /v1/enis."""
        return 6 if ":" in self.cidr else 4

    @property
    def network(self) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
        return ipaddress.ip_network(self.cidr, strict=False)


class IpamdEni(NamedTuple):
    """One ENI as ipamd sees it. The ENI's primary IP is never in ipamd's datastore."""

    eni_id: str
    device_number: int
    network_card: int = 0
    is_primary: bool = False
    is_trunk: bool = False
    is_efa: bool = False
    is_excluded_for_pod_ips: bool = False
    subnet_id: str | None = None
    route_table_id: int | None = None
    cidrs: tuple[IpamdCidr, ...] = ()

    def addresses(self) -> Iterator[IpamdAddress]:
        for cidr in self.cidrs:
            yield from cidr.addresses


@dataclass(frozen=True)
class IpamdEnis:
    """The body of ``/v1/enis`` from any CNI version, normalised.

    ``format`` is the era letter of cni-facts.md §1.3 that the fields present point to (A: v1.0-v1.6
    ``ENIIPPools``; B: v1.7-v1.8 ``ENIs``; C: v1.9 ``AvailableIPv4Cidrs``; D: v1.10 ``IPAddresses``;
    E: v1.11 ``IPAMMetadata``; F: v1.20 per-network-card wrapper; G: v1.23 scrubbed container ids).
    An era whose distinguishing fields are absent from a given body (e.g. no addresses) reads as the
    earlier one. ``total_ips``/``assigned_ips`` are ipamd's counters summed over network cards; they
    are hints only (issue #2041 shows AssignedIPs > TotalIPs).
    """

    format: str
    enis: tuple[IpamdEni, ...]
    total_ips: int | None = None
    assigned_ips: int | None = None
    _index: dict[str, tuple[IpamdEni, IpamdAddress]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _cidr_index: dict[tuple[int, int], dict[int, tuple[IpamdEni, IpamdCidr]]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def address_index(self) -> Mapping[str, tuple[IpamdEni, IpamdAddress]]:
        """Every address by IP, with its ENI. Built once. An IP listed twice keeps its assigned entry."""
        if not self._index and self.enis:
            index = self._index
            for eni in self.enis:
                for address in eni.addresses():
                    known = index.get(address.ip)
                    if known is None or (address.assigned and not known[1].assigned):
                        index[address.ip] = (eni, address)
        return self._index

    def cidr_holding(self, ip: str) -> tuple[IpamdEni, IpamdCidr] | None:
        """The ENI and CIDR (secondary /32 or delegated prefix) that hold ``ip`` in ipamd's
        datastore, whether or not the address was ever handed out; ``None`` when no CIDR holds it.

        ``address_index`` only knows addresses ipamd listed, and in prefix mode (and for a secondary IP
        never assigned, v1.10+) a free address is not listed: this tells "held but not assigned" from
        "not in the datastore".
        """
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            return None
        index = self._cidr_index
        if not index:
            for eni in self.enis:
                for cidr in eni.cidrs:
                    try:
                        network = cidr.network
                    except ValueError:  # an unparsable CIDR in the body holds nothing
                        continue
                    shift = network.max_prefixlen - network.prefixlen
                    bucket = index.setdefault((network.version, shift), {})
                    bucket.setdefault(int(network.network_address) >> shift, (eni, cidr))
        for (version, shift), bucket in index.items():
            if version == address.version and (found := bucket.get(int(address) >> shift)):
                return found
        return None

    def assigned(self) -> Iterator[tuple[IpamdEni, IpamdAddress]]:
        """Every assigned address with its ENI."""
        for eni in self.enis:
            for address in eni.addresses():
                if address.assigned:
                    yield eni, address


class IpamdPod(NamedTuple):
    """One entry of ``/v1/pods`` (CNI v1.0-v1.6 only): a pod's IP and the ENI device it lives on."""

    name: str
    namespace: str
    sandbox: str
    ip: str
    device_number: int | None


class EniConfigSpec(NamedTuple):
    """An ENIConfig as ipamd (v1.0-v1.7) lists it: pod subnet and security groups."""

    subnet: str | None
    security_groups: tuple[str, ...]


@dataclass(frozen=True)
class IpamdEniConfig:
    """The body of ``/v1/eni-configs``.

    ``name`` is the ENIConfig ipamd selected for the node (v1.8+: the whole body; v1.0-v1.7:
    ``MyENI``). ``"default"`` means no label or annotation named one. The older body also carries the
    annotation and label keys in force and the ENIConfigs it knew of.
    """

    name: str | None
    annotation_def: str | None = None
    label_def: str | None = None
    configs: Mapping[str, EniConfigSpec] = field(default_factory=dict)


ENDPOINTS: tuple[str, ...] = (
    "enis",
    "pods",
    "networkutils-env-settings",
    "ipamd-env-settings",
    "eni-configs",
)
"""Introspection paths under ``/v1/``, also the file names (``<endpoint>.json``) eks-log-collector writes."""
ENDPOINT_ATTRIBUTES: Mapping[str, str] = {
    "enis": "enis",
    "pods": "pods",
    "networkutils-env-settings": "networkutils_env",
    "ipamd-env-settings": "ipamd_env",
    "eni-configs": "eni_config",
}
"""The ``NodeIpamd`` attribute that holds each endpoint's data."""


@dataclass
class NodeIpamd:
    """Everything ipamd told about one node, each part ``None`` when it was not available.

    ``problems`` says, per endpoint, why its data is missing or unusable (empty body, bad JSON, an
    older CNI that does not serve it...), in words a person can act on. The node's pods can be
    cross-checked against ipamd only when ``enis`` is present.
    """

    enis: IpamdEnis | None = None
    pods: list[IpamdPod] | None = None
    networkutils_env: dict[str, Any] | None = None
    ipamd_env: dict[str, Any] | None = None
    eni_config: IpamdEniConfig | None = None
    problems: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def verifiable(self) -> bool:
        return self.enis is not None

    def part(self, endpoint: str) -> Any:
        """The data of one of ``ENDPOINTS`` (``ENDPOINT_ATTRIBUTES`` names where it is kept)."""
        return getattr(self, ENDPOINT_ATTRIBUTES[endpoint])
