"""Every address of every IPv4 subnet of the VPC, attributed to one owner (``ekslab.ledger.owners``).

For each subnet: its size, the five AWS-reserved addresses, the addresses each owner holds, the
free ones, and EC2's own ``AvailableIpAddressCount`` beside them. ``used + free + reserved = size``
holds by construction (every address has exactly one code in the subnet's ``AddressMap``). EC2's
count is the truth at the moment of its call; when the ledger's free count differs, the difference
is reported (``mismatch``), never smoothed over: an ENI created between two reads, an address EC2
holds for a service the ENI list does not show, or a CIDR reservation counted differently.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from ekslab.ledger.blocks import AWS_RESERVED, CODES, FREE, AddressMap, address_number
from ekslab.ledger.owners import CIDR_RESERVATION, NODE_PRIMARY, POD, WARM_POOL, EniOwner
from ekslab.network.addresses import AWS_RESERVED_ADDRESSES_PER_SUBNET, ipv4_network, ipv4_texts
from ekslab.sources.records import CidrReservationRecord, EniRecord, SubnetRecord

UNKNOWN_ROLE: Final = "unknown"


@dataclass
class Holder:
    """One ENI (or CIDR reservation) that is not a node's, and the addresses it holds in a subnet."""

    owner: str
    holder_id: str
    label: str
    addresses: int


@dataclass
class SubnetLedger:
    subnet: SubnetRecord
    network: ipaddress.IPv4Network
    role: str
    addresses: AddressMap
    holders: list[Holder] = field(default_factory=list)
    reservations: list[CidrReservationRecord] | None = None
    """``None``: the subnet's CIDR reservations were not in the input."""
    node_enis: int = 0
    eni_addresses: dict[str, list[int]] = field(default_factory=dict)
    """ENI id -> the offsets in this subnet of its primary and secondary IPs (who holds which block)."""

    # Figures are computed once, when the ledger is complete (``finish``).
    owners: dict[str, int] = field(default_factory=dict)
    free_in_ledger: int = 0
    free_28_blocks: int = 0
    largest_free_prefix: int | None = None
    fragmented_free: int = 0

    def finish(self) -> None:
        self.owners = self.addresses.owner_counts()
        self.free_in_ledger = self.addresses.count(FREE)
        blocks = self.addresses.free_blocks()
        self.free_28_blocks = sum(blocks)
        self.largest_free_prefix = self.addresses.largest_free_prefix(blocks)
        self.fragmented_free = self.addresses.free_outside_blocks(blocks)

    @property
    def subnet_id(self) -> str:
        return self.subnet.subnet_id

    @property
    def availability_zone(self) -> str | None:
        return self.subnet.availability_zone

    @property
    def size(self) -> int:
        return self.addresses.size

    @property
    def reserved(self) -> int:
        return self.addresses.count(AWS_RESERVED)

    @property
    def used(self) -> int:
        return sum(self.owners.values())

    @property
    def free(self) -> int | None:
        """Free addresses as EC2 counts them (``AvailableIpAddressCount``); ``None`` if not given."""
        return self.subnet.available_ips

    @property
    def mismatch(self) -> int | None:
        """EC2's free count minus the ledger's (negative: EC2 sees addresses held that the ledger does not)."""
        return None if self.free is None else self.free - self.free_in_ledger

    @property
    def usable(self) -> int:
        return max(self.size - AWS_RESERVED_ADDRESSES_PER_SUBNET, 0)

    @property
    def free_now(self) -> int:
        """Free addresses for planning: EC2's count when known (the truth), else the ledger's."""
        return self.free_in_ledger if self.free is None else min(self.free, self.free_in_ledger)

    @property
    def headroom(self) -> float:
        return self.free_now / self.usable if self.usable else 0.0

    @property
    def cni_addresses(self) -> int:
        """Addresses the VPC CNI's nodes hold here (node primaries, pods, warm pools)."""
        return sum(self.owners.get(owner, 0) for owner in (NODE_PRIMARY, POD, WARM_POOL))


class LedgerBuilder:
    """Fills the subnets' address maps ENI by ENI; ``notes`` collects what did not fit anywhere."""

    def __init__(self, subnets: Iterable[SubnetRecord], roles: Mapping[str, str]) -> None:
        self.subnets: dict[str, SubnetLedger] = {}
        self.notes: list[str] = []
        self._outside: dict[str, list[Any]] = {}
        """subnet id -> [addresses, ENIs, first example] of ENI addresses outside the ENI's subnet."""
        for record in subnets:
            network = _ipv4_network(record)
            if network is None:
                self.notes.append(f"subnet {record.subnet_id} has no IPv4 CIDR; not in the ledger")
                continue
            self.subnets[record.subnet_id] = SubnetLedger(
                record, network, roles.get(record.subnet_id, UNKNOWN_ROLE), AddressMap(network)
            )

    def add_eni(self, eni: EniRecord, owner: EniOwner, held_by_pod: Collection[str] | None = None) -> None:
        """Claim every IPv4 address and prefix of ``eni`` for ``owner``.

        A node ENI's primary address is ``node_primary``; its other addresses are ``pod`` when in
        ``held_by_pod`` (a set of IPs), else ``warm_pool``.
        """
        ledger = self.subnets.get(eni.subnet_id or "")
        if ledger is None:
            self.notes.append(f"{eni.eni_id}: subnet {eni.subnet_id} is not in the subnet list; not counted")
            return
        addresses = ledger.addresses
        pods = held_by_pod if held_by_pod is not None else ()
        primary_code = CODES[owner.owner]
        rest_code = primary_code
        if owner.node:
            ledger.node_enis += 1
            primary_code = CODES[NODE_PRIMARY]
        pod_code, warm_code = CODES[POD], CODES[WARM_POOL]
        texts = [eni.primary_ip] if eni.primary_ip else []
        codes = [primary_code] if eni.primary_ip else []
        texts += eni.secondary_ips
        if owner.node:
            codes += [pod_code if ip in pods else warm_code for ip in eni.secondary_ips]
        else:
            codes += [rest_code] * len(eni.secondary_ips)
        outside: list[str] = []
        held = ledger.eni_addresses[eni.eni_id] = []
        held_codes: list[int] = []
        for text, code in zip(texts, codes, strict=True):
            number = address_number(text)
            offset = None if number is None else addresses.offset(number)
            if offset is not None:
                held.append(offset)
                held_codes.append(code)
            else:
                outside.append(text)
        claimed = addresses.claim(held, held_codes)
        for prefix in eni.ipv4_prefixes:
            self._claim_prefix(ledger, eni, prefix, owner, pods, rest_code, outside)
        if outside:
            found = self._outside.setdefault(ledger.subnet_id, [0, 0, f"{eni.eni_id}: {outside[0]}"])
            found[0] += len(outside)
            found[1] += 1
        if not owner.node:
            ledger.holders.append(Holder(owner.owner, eni.eni_id, owner.label, claimed))

    def _claim_prefix(
        self,
        ledger: SubnetLedger,
        eni: EniRecord,
        prefix: str,
        owner: EniOwner,
        pods: Collection[str],
        rest_code: int,
        outside: list[str],
    ) -> None:
        network = ipv4_network(prefix)
        start = None if network is None else ledger.addresses.offset(network[0])
        if network is None or start is None or start + network[1] > ledger.size:
            outside.append(prefix)
            return
        pod_code, warm_code = CODES[POD], CODES[WARM_POOL]
        base, size = network
        if owner.node:
            codes = [pod_code if ip in pods else warm_code for ip in ipv4_texts(base, size)]
        else:
            codes = [rest_code] * size
        ledger.addresses.claim(range(start, start + size), codes)

    def add_reservations(self, subnet_id: str, reservations: list[CidrReservationRecord]) -> None:
        ledger = self.subnets.get(subnet_id)
        if ledger is None:
            return
        ledger.reservations = reservations
        for reservation in reservations:
            try:
                network = ipaddress.IPv4Network(reservation.cidr)
            except ValueError:
                continue  # an IPv6 reservation: the ledger is IPv4
            if not network.overlaps(ledger.network):
                self.notes.append(
                    f"{reservation.reservation_id}: {reservation.cidr} is outside subnet {subnet_id}; not counted"
                )
                continue
            marked = ledger.addresses.reserve(network, prefix=reservation.reservation_type == "prefix")
            label = f"{reservation.reservation_type} reservation {reservation.cidr}"
            if reservation.description:
                label += f" ({reservation.description})"
            ledger.holders.append(Holder(CIDR_RESERVATION, reservation.reservation_id, label, marked))

    def finish(self) -> list[SubnetLedger]:
        for subnet_id, (addresses, enis, example) in self._outside.items():
            self.notes.append(
                f"subnet {subnet_id}: {addresses} address(es) of {enis} ENI(s) in it lie outside its CIDR "
                f"{self.subnets[subnet_id].network} (first {example}); not counted"
            )
        for ledger in self.subnets.values():
            ledger.finish()
            if ledger.addresses.conflicts:
                self.notes.append(
                    f"subnet {ledger.subnet_id}: {ledger.addresses.conflicts} address(es) listed by two ENIs; "
                    "counted once"
                )
        return sorted(
            self.subnets.values(), key=lambda item: (item.availability_zone or "", item.addresses.base)
        )


def _ipv4_network(record: SubnetRecord) -> ipaddress.IPv4Network | None:
    for cidr in record.cidrs:
        try:
            return ipaddress.IPv4Network(cidr, strict=False)
        except ValueError:
            continue
    return None
