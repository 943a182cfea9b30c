"""``NetworkSet.contains`` answers as ``contains`` over the same networks (IPv4 and IPv6, several
prefix lengths, addresses at and around every edge)."""

from __future__ import annotations

import ipaddress
import random

from ekslab.network.addresses import NetworkSet, contains, parse_ip, parse_network

CIDRS = ["10.0.0.0/16", "100.64.0.0/19", "192.168.7.0/24", "172.16.5.9/32", "2600:1f14:abc::/56", "fd00::/8"]


def _probes(rng: random.Random) -> list[str]:
    probes = []
    for cidr in CIDRS:
        network = ipaddress.ip_network(cidr)
        first, last = int(network.network_address), int(network.broadcast_address)
        kind = ipaddress.IPv4Address if network.version == 4 else ipaddress.IPv6Address
        top = (1 << network.max_prefixlen) - 1
        for value in (first - 1, first, last, last + 1, rng.randint(first, last), rng.randint(0, top)):
            probes.append(str(kind(max(0, min(value, top)))))
    return probes


# GIVEN networks of both families and many prefix lengths WHEN addresses at, inside and around each
# edge are asked about THEN NetworkSet and contains agree on every one, and some are in, some out.
def test_network_set_agrees_with_contains() -> None:
    networks = [network for cidr in CIDRS if (network := parse_network(cidr)) is not None]
    fast = NetworkSet(networks)
    answers = []
    for probe in _probes(random.Random(20)):
        parsed = parse_ip(probe)
        assert parsed is not None
        answers.append(fast.contains(*parsed))
        assert answers[-1] == contains(networks, *parsed), probe
    assert True in answers and False in answers


# GIVEN no networks WHEN asked THEN nothing is in them.
def test_empty_network_set_holds_nothing() -> None:
    assert NetworkSet([]).contains(4, int(ipaddress.IPv4Address("10.0.0.1"))) is False


# GIVEN CIDR texts of every kind (IPv4 and IPv6, host bits set, odd prefix lengths, netmasks, junk)
# WHEN parsed THEN parse_network agrees with ipaddress.ip_network(strict=False), or refuses as it does.
def test_parse_network_agrees_with_ipaddress() -> None:
    texts = [
        "10.0.0.32/28",
        "10.0.0.37/28",
        "0.0.0.0/0",
        "255.255.255.255/32",
        "10.0.0.0/33",
        "10.0.0.0/032",
        "10.0.0.0/8/8",
        "10.0.0.0/",
        "010.0.0.0/8",
        "10.0.0/24",
        "10.0.0.0/255.255.255.0",
        "10.0.0.0",
        "10.0.0.0/ 8",
        "10.0.0.0/٨",
        "2600:1f14::/56",
        "2600:1f14::1/128",
        "::ffff:10.0.0.1/120",
        "",
        "nonsense/8",
    ]
    for text in texts:
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:
            expected = None
        else:
            shift = network.max_prefixlen - network.prefixlen
            expected = (network.version, shift, int(network.network_address) >> shift)
        assert parse_network(text) == expected, text
