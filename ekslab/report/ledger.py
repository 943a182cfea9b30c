"""What the HTML report's IP-ledger section draws: per subnet, its /28 blocks coloured by owner.

The report does not compute the ledger; ``ekslab ips`` (issue 14) does. Whatever builds the ledger
hands the report a list of ``LedgerSubnet`` rows and the template
(``templates/_ledger.html.j2``) draws each subnet as a grid of its blocks, the owner of each written
beside its colour, then the free blocks and the forecast. ``None`` instead of a list means no ledger
was computed for this report, and the section says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

OWNER_KINDS: Final = ("free", "prefix", "secondary", "eni", "reserved", "other")
"""Block owner kinds the template styles: ``free``; a delegated ``prefix``; ``secondary`` IPs of
ENIs; ``eni`` primary addresses; AWS's ``reserved`` addresses; ``other`` for anything else."""


@dataclass(frozen=True)
class LedgerBlock:
    """One /28 block of a subnet: ``owner`` in words (an ENI, a node, "free"), ``kind`` one of ``OWNER_KINDS``."""

    cidr: str
    kind: str
    owner: str = ""


@dataclass(frozen=True)
class LedgerSubnet:
    """One subnet of the ledger. ``forecast`` is a sentence (e.g. when free blocks run out), or ``None``."""

    subnet_id: str
    zone: str | None
    cidr: str
    blocks: tuple[LedgerBlock, ...] = field(default_factory=tuple)
    forecast: str | None = None

    @property
    def free_blocks(self) -> int:
        return sum(1 for block in self.blocks if block.kind == "free")
