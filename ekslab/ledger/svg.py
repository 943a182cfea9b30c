"""``ekslab ips --output svg``: each subnet as a grid of its aligned /28 blocks, coloured by owner.

One square per /28 (what one delegated prefix takes), 64 to a row, so a /16 pod subnet is a 64 x 64
square; a block is coloured by the owner holding most of its addresses, outlined in black when
several share it (so a fragmented subnet looks speckled), and white only when it is wholly free.
Hovering a block shows its CIDR and who holds what.

The picture is built with ``xml.etree.ElementTree``, which escapes every text and attribute value,
so names from a bundle (subnet ids, descriptions) cannot inject markup. Colours are the Okabe-Ito
palette, told apart with the common forms of colour blindness.
"""

from __future__ import annotations

import ipaddress
import xml.etree.ElementTree as ET
from collections import Counter
from typing import Final

from ekslab.ledger.blocks import AWS_RESERVED, CODES, FREE, OWNER_OF_CODE, PREFIX_RESERVED
from ekslab.ledger.build import Ledger
from ekslab.ledger.owners import OWNERS
from ekslab.ledger.subnets import SubnetLedger
from ekslab.limits import IPS_PER_PREFIX

COLUMNS: Final = 64
CELL: Final = 7
MARGIN: Final = 16
LINE: Final = 16
WIDTH: Final = 900
"""Wide enough for the legend's three columns and a subnet's line of figures."""
COLOURS: Final = {
    FREE: "#ffffff",
    AWS_RESERVED: "#555555",
    CODES["node_primary"]: "#0072b2",
    CODES["pod"]: "#009e73",
    CODES["warm_pool"]: "#f0e442",
    CODES["load_balancer"]: "#e69f00",
    CODES["nat_gateway"]: "#cc79a7",
    CODES["eks_control_plane"]: "#56b4e9",
    CODES["vpc_endpoint"]: "#d55e00",
    CODES["cidr_reservation"]: "#999999",
    PREFIX_RESERVED: "#dddddd",
    CODES["other"]: "#882255",
}
LEGEND: Final = (
    (FREE, "free"),
    (AWS_RESERVED, "AWS reserved"),
    *((CODES[owner], owner) for owner in OWNERS),
    (PREFIX_RESERVED, "cidr_reservation (prefix, not yet assigned: free for prefixes)"),
)
_NAMES: Final = {
    FREE: "free",
    AWS_RESERVED: "aws_reserved",
    **OWNER_OF_CODE,
    PREFIX_RESERVED: "prefix reservation",
}


def render_svg(ledger: Ledger) -> str:
    """The whole picture as SVG text."""
    root = ET.Element("svg", xmlns="http://www.w3.org/2000/svg", version="1.1")
    ET.SubElement(root, "style").text = "text{font-family:sans-serif;font-size:12px}.h{font-weight:bold}"
    y = MARGIN + LINE
    _text(root, MARGIN, y, f"IP ledger of {ledger.vpc_id or 'the VPC'} ({ledger.source})", css="h")
    y += LINE // 2
    y = _legend(root, y)
    for subnet in ledger.subnets:
        y += LINE
        y = _subnet(root, subnet, y)
    root.set("width", str(WIDTH))
    root.set("height", str(y + MARGIN))
    ET.indent(root, space="")
    return ET.tostring(root, encoding="unicode", xml_declaration=False) + "\n"


def _legend(root: ET.Element, y: int) -> int:
    for index, (code, label) in enumerate(LEGEND):
        column, row = index % 3, index // 3
        x = MARGIN + column * 250
        top = y + row * LINE
        ET.SubElement(
            root,
            "rect",
            x=str(x),
            y=str(top + 3),
            width="10",
            height="10",
            fill=COLOURS[code],
            stroke="#999999",
        )
        _text(root, x + 14, top + 12, label)
    rows = -(-len(LEGEND) // 3)
    y += rows * LINE
    ET.SubElement(
        root, "rect", x=str(MARGIN), y=str(y + 3), width="10", height="10", fill="#ffffff", stroke="#000000"
    )
    _text(root, MARGIN + 14, y + 12, "black outline: a block several owners share (fragmented)")
    return y + LINE


def _subnet(root: ET.Element, subnet: SubnetLedger, y: int) -> int:
    prefix = "none" if subnet.largest_free_prefix is None else f"/{subnet.largest_free_prefix}"
    ec2 = "?" if subnet.free is None else str(subnet.free)
    y += LINE
    _text(
        root,
        MARGIN,
        y,
        f"{subnet.subnet_id}  {subnet.network}  {subnet.availability_zone or '?'}  {subnet.role}",
        css="h",
    )
    y += LINE
    _text(
        root,
        MARGIN,
        y,
        f"size {subnet.size}, used {subnet.used}, free {ec2} (EC2) / {subnet.free_in_ledger} (ledger), "
        f"free /28 blocks {subnet.free_28_blocks}, largest free block {prefix}, "
        f"free in no free /28 {subnet.fragmented_free}",
    )
    y += LINE // 2
    group = ET.SubElement(root, "g", transform=f"translate({MARGIN},{y})")
    blocks = subnet.addresses.block_codes()
    codes = subnet.addresses.codes
    base = int(subnet.network.network_address)
    for index, (code, mixed) in enumerate(blocks):
        column, row = index % COLUMNS, index // COLUMNS
        cell = ET.SubElement(
            group,
            "rect",
            x=str(column * CELL),
            y=str(row * CELL),
            width=str(CELL - 1),
            height=str(CELL - 1),
            fill=COLOURS.get(code, "#000000"),
        )
        if mixed:
            cell.set("stroke", "#000000")
            cell.set("stroke-width", "0.8")
        elif code == FREE:
            cell.set("stroke", "#cccccc")
            cell.set("stroke-width", "0.5")
        if code != FREE or mixed:
            start = index * IPS_PER_PREFIX
            counts = Counter(codes[start : start + IPS_PER_PREFIX])
            block = ipaddress.IPv4Network((base + start, 28))
            held = ", ".join(f"{_NAMES[item]} {count}" for item, count in sorted(counts.items()))
            ET.SubElement(cell, "title").text = f"{block}: {held}"
    rows = -(-len(blocks) // COLUMNS)
    return y + rows * CELL


def _text(root: ET.Element, x: int, y: int, content: str, *, css: str | None = None) -> None:
    element = ET.SubElement(root, "text", x=str(x), y=str(y))
    if css:
        element.set("class", css)
    element.text = content
