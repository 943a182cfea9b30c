"""``ipv4_network`` and ``ipv4_text`` read and write what ``ipaddress`` does, for every spelling."""

from __future__ import annotations

import ipaddress

import pytest

from ekslab.network.addresses import ipv4_network, ipv4_text, ipv4_texts

CIDRS = [
    "10.0.0.0/28",
    "10.0.0.16/28",
    "10.0.0.1/28",  # host bits set: refused when strict, masked otherwise
    "10.0.0.0/028",
    "0.0.0.0/0",
    "255.255.255.255/32",
    "10.0.0.0/33",
    "10.0.0.0/",
    "10.0.0.0/ 28",
    "10.0.0.0/-1",
    "010.0.0.0/28",  # a leading zero: not an address for ipaddress nor inet_pton
    "10.0.0/24",
    "10.0.0.0",  # no length: a /32
    "10.0.0.0/255.255.255.240",  # a netmask
    "10.0.0.0/0.0.0.15",  # a host mask
    "2600:1f14::/80",
    "not a cidr",
    "",
]


def _ipaddress(text: str, strict: bool) -> tuple[int, int] | None:
    try:
        network = ipaddress.IPv4Network(text, strict=strict)
    except ValueError:
        return None
    return int(network.network_address), network.num_addresses


@pytest.mark.parametrize("strict", [True, False])
@pytest.mark.parametrize("text", CIDRS)
def test_ipv4_network_reads_what_ipaddress_reads(text: str, strict: bool) -> None:
    # GIVEN a CIDR text WHEN it is read THEN (first address, size) is ipaddress's, None where it raises
    assert ipv4_network(text, strict=strict) == _ipaddress(text, strict)


def test_ipv4_network_of_a_prefix() -> None:
    # GIVEN a delegated /28 WHEN read THEN its first address and its 16 addresses
    assert ipv4_network("10.1.2.32/28") == (int(ipaddress.IPv4Address("10.1.2.32")), 16)


@pytest.mark.parametrize("number", [0, 1, 0x0A000010, 0xC0A80101, 0xFFFFFFFF])
def test_ipv4_text_is_ipaddress_text(number: int) -> None:
    # GIVEN an address number WHEN written THEN the text str(IPv4Address) gives
    assert ipv4_text(number) == str(ipaddress.IPv4Address(number))


@pytest.mark.parametrize(
    ("first", "size"),
    [
        ("10.0.0.32", 16),
        ("10.0.0.240", 16),
        ("10.0.0.248", 16),
        ("10.0.255.250", 12),
        ("0.0.0.0", 1),
        ("1.2.3.0", 256),
    ],
)
def test_ipv4_texts_are_the_addresses_of_a_range(first: str, size: int) -> None:
    # GIVEN a first address and a count (within one /24 or across its end)
    # WHEN written THEN each address as ipaddress writes it, in order
    start = int(ipaddress.IPv4Address(first))
    assert ipv4_texts(start, size) == [str(ipaddress.IPv4Address(start + index)) for index in range(size)]
