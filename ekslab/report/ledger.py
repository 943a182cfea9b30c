"""What the HTML report's IP-ledger section draws: per subnet, its /28 blocks coloured by owner.

The report does not compute the ledger; ``ekslab ips`` (issue 14) does. Whatever builds the ledger
hands the report a list of ``LedgerSubnet`` rows and the template
(``templates/_ledger.html.j2``) draws each subnet as a grid of its blocks, the owner of each written
beside its colour, then the free blocks and the forecast. ``None`` instead of a list means no ledger
was computed for this report, and the section says so. ``ekslab.report.ledger_view`` makes the rows
from ``ekslab.ledger``'s ``Ledger``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

OWNER_KINDS: Final = {
    "free": "free",
    "aws_reserved": "AWS",
    "node_primary": "node",
    "pod": "pod",
    "warm_pool": "warm",
    "load_balancer": "LB",
    "nat_gateway": "NAT",
    "eks_control_plane": "EKS",
    "vpc_endpoint": "VPCE",
    "cidr_reservation": "RESV",
    "mixed": "mix",
    "other": "other",
}
"""Block owner kinds the template styles, each with the short word written inside its square (so the
grid reads without colour): the owners of ``ekslab ips`` (docs/ips.md, "Owners"), ``free``,
``aws_reserved`` (a block of AWS's reserved addresses only) and ``mixed`` for a block several owners
share with none holding half of its held addresses. Any other kind is drawn as ``other``."""


@dataclass(frozen=True)
class LedgerBlock:
    """One /28 block of a subnet: ``kind`` one of ``OWNER_KINDS``, ``owner`` who holds what, in words."""

    cidr: str
    kind: str
    owner: str = ""


@dataclass(frozen=True)
class LedgerSubnet:
    """One subnet of the ledger. ``forecast`` is a sentence (e.g. how many more nodes fit), or ``None``.

    The figures are ``ekslab ips``'s (docs/ips.md): ``role`` public / private / pod / unknown, ``used``
    addresses, ``free_addresses`` (EC2's count when given, else the ledger's), ``fragmented_free``
    (free addresses in no free /28), ``largest_free_prefix`` (a prefix length), and ``mismatch``
    (EC2's free count minus the ledger's); ``None`` where not known.
    """

    subnet_id: str
    zone: str | None
    cidr: str
    blocks: tuple[LedgerBlock, ...] = field(default_factory=tuple)
    forecast: str | None = None
    role: str | None = None
    used: int | None = None
    free_addresses: int | None = None
    fragmented_free: int | None = None
    largest_free_prefix: int | None = None
    mismatch: int | None = None

    @property
    def free_blocks(self) -> int:
        return sum(1 for block in self.blocks if block.kind == "free")
