"""IP addresses and CIDRs as every reader and check compares them.

* ``canonical_ip`` / ``canonical_cidr``: IPv6 text in its compressed lower-case form, so that EC2,
  Kubernetes and ipamd spellings of the same address compare equal; IPv4 text as given.
* ``parse_ip`` / ``parse_network`` / ``contains``: integer forms for containment tests that stay
  fast over 150,000 pods (one shift and compare per network, no ``ipaddress`` objects per pod).
* ``ipv4_network`` / ``ipv4_text`` / ``ipv4_texts``: an IPv4 CIDR as (first address, size) and an address number as
  dotted text, as ``ipaddress`` reads and writes them, without an ``ipaddress`` object per prefix or
  per address (the report and the ledger walk every address of 8,000 delegated prefixes).
* ``usable_addresses``: what a subnet leaves for ENIs after AWS's reserved addresses.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from typing import Final

AWS_RESERVED_ADDRESSES_PER_SUBNET: Final = 5
"""AWS reserves the first four and the last address of every subnet.
See https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html"""

Network = tuple[int, int, int]
"""(IP version, host bits, network address >> host bits) of a CIDR (``parse_network``)."""


def canonical_ip(text: str) -> str:
    """IPv6 addresses in their compressed lower-case form, so that every source compares equal.

    IPv4 text is returned as given (every source writes dotted decimal); unparsable text too, so that
    the caller's own check reports it.
    """
    if ":" not in text:
        return text
    try:
        return str(ipaddress.IPv6Address(text))
    except ValueError:
        return text


def canonical_cidr(text: str) -> str:
    """IPv6 CIDRs in compressed form (see ``canonical_ip``); IPv4 CIDRs as given."""
    if ":" not in text:
        return text
    try:
        return str(ipaddress.IPv6Network(text, strict=False))
    except ValueError:
        return text


def parse_ip(text: str) -> tuple[int, int] | None:
    """(version, integer) of an IP address, or None when the text is not one (strict dotted quad)."""
    try:
        if ":" in text:
            return 6, int.from_bytes(socket.inet_pton(socket.AF_INET6, text), "big")
        return 4, int.from_bytes(socket.inet_pton(socket.AF_INET, text), "big")
    except (OSError, TypeError, ValueError):
        return None


def parse_network(text: str) -> Network | None:
    """The ``Network`` of a CIDR text, or None when it is not one."""
    if isinstance(text, str):
        address, slash, length = text.partition("/")
        if slash and length.isascii() and length.isdigit() and len(length) <= 2 and int(length) <= 32:
            parsed = parse_ip(address)
            if parsed is not None and parsed[0] == 4:  # "10.0.0.32/28", without an ipaddress object
                shift = 32 - int(length)
                return 4, shift, parsed[1] >> shift
    try:
        network = ipaddress.ip_network(text, strict=False)
    except (ValueError, TypeError):
        return None
    shift = network.max_prefixlen - network.prefixlen
    return network.version, shift, int(network.network_address) >> shift


def contains(networks: Iterable[Network], version: int, value: int) -> bool:
    """Whether the address (``parse_ip``'s version and integer) is in any of ``networks``."""
    return any(net_version == version and value >> shift == prefix for net_version, shift, prefix in networks)


class NetworkSet:
    """``contains`` for a fixed set of networks, with one set lookup per prefix length present
    (a VPC's few CIDR blocks are asked about 150,000 times)."""

    def __init__(self, networks: Iterable[Network]) -> None:
        tables: dict[tuple[int, int], set[int]] = {}
        for version, shift, prefix in networks:
            tables.setdefault((version, shift), set()).add(prefix)
        self._tables = tuple(
            (version, shift, frozenset(prefixes)) for (version, shift), prefixes in tables.items()
        )

    def contains(self, version: int, value: int) -> bool:
        """Whether the address (``parse_ip``'s version and integer) is in any of the networks."""
        for net_version, shift, prefixes in self._tables:  # a loop: cheaper than any() for one or two
            if net_version == version and value >> shift in prefixes:
                return True
        return False


def ipv4_network(text: str, *, strict: bool = True) -> tuple[int, int] | None:
    """(first address as an integer, number of addresses) of an IPv4 CIDR, as
    ``ipaddress.IPv4Network(text, strict=strict)`` reads it; None where that raises (not IPv4, bad
    text, host bits set when ``strict``). Read by ``parse_network``: no ``ipaddress`` object for
    the usual ``a.b.c.d/n``."""
    parsed = parse_network(text)
    if parsed is None or parsed[0] != 4:
        return None
    _, shift, prefix = parsed
    first = prefix << shift
    if strict:
        address = parse_ip(text.partition("/")[0])
        if address is None:  # a spelling only ipaddress reads
            try:
                ipaddress.IPv4Network(text)
            except ValueError:
                return None
        elif address[1] != first:  # host bits set
            return None
    return first, 1 << shift


def ipv4_text(number: int) -> str:
    """The dotted-quad text of a 32-bit address number (what ``str(ipaddress.IPv4Address(number))`` gives)."""
    return socket.inet_ntoa(number.to_bytes(4, "big"))


def ipv4_texts(first: int, size: int) -> list[str]:
    """The texts of ``size`` consecutive addresses from the number ``first`` (a prefix's addresses)."""
    if (first & 0xFF) + size <= 0x100:
        # Within one /24, as every delegated /28 is: the first three numbers are written once.
        head = ipv4_text(first).rpartition(".")[0] + "."
        return [head + str(last) for last in range(first & 0xFF, (first & 0xFF) + size)]
    return [ipv4_text(number) for number in range(first, first + size)]


def usable_addresses(cidr: ipaddress.IPv4Network) -> int:
    """Addresses of a subnet left for ENIs after AWS's reserved ones."""
    return cidr.num_addresses - AWS_RESERVED_ADDRESSES_PER_SUBNET
