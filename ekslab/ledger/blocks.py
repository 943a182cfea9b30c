"""One subnet's addresses as a byte per address: who holds each, and the free aligned /28 blocks.

A /16 pod subnet is 65,536 bytes, so even the largest VPC's map is a few megabytes, and counting
(``bytearray.count``) and block tests (slice comparisons) run in C. Codes: ``FREE``, ``AWS_RESERVED``
(the first four addresses and the last, https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html),
one per owner of ``ekslab.ledger.owners.OWNERS``, and ``PREFIX_RESERVED``: an address of a
``prefix`` CIDR reservation that no ENI holds yet. It is owned by ``cidr_reservation`` in the
counts, but a /28 made of free and prefix-reserved addresses still counts as free for prefix
delegation (EC2 hands out prefixes from such a reservation; it hands out no single address from it).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from typing import Final

from ekslab.ledger.owners import CIDR_RESERVATION, OWNERS
from ekslab.limits import IPS_PER_PREFIX

FREE: Final = 0
AWS_RESERVED: Final = 1
_FIRST_OWNER: Final = 2
CODES: Final = {owner: _FIRST_OWNER + index for index, owner in enumerate(OWNERS)}
"""Owner name -> byte code."""
PREFIX_RESERVED: Final = _FIRST_OWNER + len(OWNERS)
OWNER_OF_CODE: Final = {code: owner for owner, code in CODES.items()} | {PREFIX_RESERVED: CIDR_RESERVATION}
PREFIX_LENGTH: Final = 28
_ZERO_BLOCK: Final = bytes(IPS_PER_PREFIX)
_FREE_FOR_PREFIXES: Final = bytes(1 if code not in (FREE, PREFIX_RESERVED) else 0 for code in range(256))
"""``bytes.translate`` table: 0 for an address a prefix may take, 1 for a taken one."""
_ONLY_FREE: Final = bytes(0 if code == FREE else 1 for code in range(256))


def address_number(text: str) -> int | None:
    """The 32-bit number of a dotted-quad IPv4 address; ``None`` for anything else (IPv6, bad text)."""
    try:
        return int.from_bytes(socket.inet_pton(socket.AF_INET, text), "big")
    except (OSError, TypeError):
        return None


class AddressMap:
    """The owner code of every address of one IPv4 subnet; ``claim`` records who holds an address."""

    def __init__(self, network: ipaddress.IPv4Network) -> None:
        self.network = network
        self.base = int(network.network_address)
        self.size = network.num_addresses
        self.codes = bytearray(self.size)
        for offset in (0, 1, 2, 3, self.size - 1):
            if 0 <= offset < self.size:
                self.codes[offset] = AWS_RESERVED
        self.conflicts = 0

    def offset(self, number: int) -> int | None:
        offset = number - self.base
        return offset if 0 <= offset < self.size else None

    def claim(self, offsets: Iterable[int], codes: Iterable[int]) -> int:
        """Give each free address of ``offsets`` to its code, in order; returns how many were free (the
        others, which something already holds, are counted in ``conflicts``)."""
        held = self.codes
        claimed = tried = 0
        for offset, code in zip(offsets, codes, strict=True):
            tried += 1
            if held[offset] in (FREE, PREFIX_RESERVED):
                held[offset] = code
                claimed += 1
        self.conflicts += tried - claimed
        return claimed

    def reserve(self, network: ipaddress.IPv4Network, *, prefix: bool) -> int:
        """Mark the free addresses of a CIDR reservation inside this subnet; returns how many."""
        start = max(int(network.network_address) - self.base, 0)
        end = min(start + network.num_addresses, self.size) if start < self.size else start
        code = PREFIX_RESERVED if prefix else CODES[CIDR_RESERVATION]
        marked = 0
        for offset in range(start, end):
            if self.codes[offset] == FREE:
                self.codes[offset] = code
                marked += 1
        return marked

    # --- counts ----------------------------------------------------------------------------------

    def count(self, code: int) -> int:
        return self.codes.count(code)

    def owner_counts(self) -> dict[str, int]:
        counts = {owner: self.codes.count(code) for owner, code in CODES.items()}
        counts[CIDR_RESERVATION] += self.codes.count(PREFIX_RESERVED)
        return counts

    # --- /28 blocks ------------------------------------------------------------------------------

    def free_blocks(self) -> list[bool]:
        """Per aligned /28 block of the subnet, whether a prefix could take it whole."""
        taken = self.codes.translate(_FREE_FOR_PREFIXES)
        step = IPS_PER_PREFIX
        return [taken[start : start + step] == _ZERO_BLOCK for start in range(0, self.size, step)]

    def free_outside_blocks(self, free_blocks: list[bool]) -> int:
        """Free addresses that sit in no free /28 (fragmentation: usable as single IPs only)."""
        free = self.codes.count(FREE)
        inside = 0
        for index, whole in enumerate(free_blocks):
            if whole:
                start = index * IPS_PER_PREFIX
                inside += self.codes[start : start + IPS_PER_PREFIX].count(FREE)
        return free - inside

    def largest_free_prefix(self, free_blocks: list[bool]) -> int | None:
        """The prefix length of the largest free aligned block (/28 and larger for prefixes; else
        the largest aligned block of free single addresses, /29 to /32); ``None`` if nothing is free."""
        if any(free_blocks):
            level, length = free_blocks, PREFIX_LENGTH
            while len(level) > 1:
                merged = [level[index] and level[index + 1] for index in range(0, len(level) - 1, 2)]
                if not any(merged):
                    break
                level, length = merged, length - 1
            return length
        flags = [code == 0 for code in self.codes.translate(_ONLY_FREE)]
        if not any(flags):
            return None
        length = 32
        while length > PREFIX_LENGTH + 1:
            merged = [flags[index] and flags[index + 1] for index in range(0, len(flags) - 1, 2)]
            if not any(merged):
                break
            flags, length = merged, length - 1
        return length

    def block_codes(self) -> list[tuple[int, bool]]:
        """Per /28 block: the code holding most of its taken addresses (``FREE`` only for a wholly
        free block), and whether several codes share the block."""
        result = []
        step = IPS_PER_PREFIX
        codes = self.codes
        for start in range(0, self.size, step):
            block = codes[start : start + step]
            first = block[0]
            if block.count(first) == step:
                result.append((first, False))
                continue
            taken = set(block) - {FREE}
            result.append((max(taken, key=block.count), True))
        return result
