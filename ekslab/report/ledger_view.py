"""From the ledger of ``ekslab ips`` (``ekslab.ledger.Ledger``) to the report's ledger section rows.

The report builds the ledger from the snapshot it already read (``build_ledger(snapshot)``), so the
page and ``ekslab ips --output json`` of the same input agree block for block: a block is ``free``
exactly when the ledger counts it in ``free_28_blocks`` (a prefix could take it whole), and every
other block is drawn as the owner of most of its held addresses, beside the counts of each owner in
it and the ENIs (or CIDR reservations) that hold them. The forecast of each node group that draws
from a subnet (``more_nodes``, ``runs_out_first``, ``scale_up_ok``) is written under that subnet.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Final

from ekslab.ledger import OWNERS, Ledger
from ekslab.ledger.blocks import (
    AWS_RESERVED,
    FREE,
    OWNER_OF_CODE,
    PREFIX_LENGTH,
    PREFIX_RESERVED,
)
from ekslab.ledger.forecast import ForecastRow
from ekslab.ledger.subnets import SubnetLedger
from ekslab.network.addresses import ipv4_network, ipv4_text
from ekslab.report.ledger import LedgerBlock, LedgerSubnet
from ekslab.sources.snapshot import ClusterSnapshot

BLOCK: Final = 2 ** (32 - PREFIX_LENGTH)
"""Addresses of a /28 block."""
MIXED: Final = "mixed"
HOLDERS_NAMED: Final = 2
"""ENIs named in a block's owner text; the rest are counted (a /28 of single IPs may hold 16)."""
_CODE_NAMES: Final = {AWS_RESERVED: "aws_reserved", **OWNER_OF_CODE}
_NAME_ORDER: Final = ("aws_reserved", *OWNERS)
"""Owners with as many addresses in a block are listed in this order (the ledger's)."""


def ledger_subnets(ledger: Ledger, snapshot: ClusterSnapshot) -> list[LedgerSubnet]:
    """One ``LedgerSubnet`` per subnet of ``ledger`` (built from ``snapshot``), in the ledger's order."""
    holders = _block_holders(ledger, snapshot)
    forecasts: dict[str, list[str]] = defaultdict(list)
    for row in ledger.forecast:
        for subnet_id in dict.fromkeys(item for item in (row.node_subnet, row.pod_subnet) if item):
            forecasts[subnet_id].append(_forecast_sentence(row, subnet_id))
    return [
        LedgerSubnet(
            subnet_id=subnet.subnet_id,
            zone=subnet.availability_zone,
            cidr=str(subnet.network),
            blocks=tuple(_blocks(subnet, holders.get(subnet.subnet_id, {}))),
            forecast="; ".join(forecasts[subnet.subnet_id]) or None,
            role=subnet.role,
            used=subnet.used,
            free_addresses=subnet.free_now,
            fragmented_free=subnet.fragmented_free,
            largest_free_prefix=subnet.largest_free_prefix,
            mismatch=subnet.mismatch,
        )
        for subnet in ledger.subnets
    ]


def ledger_notes(ledger: Ledger, snapshot: ClusterSnapshot) -> list[str]:
    """What the ledger lacked (``missing``), its warnings and its own notes (the snapshot's are the
    report's already), as ``ekslab ips`` prints them; then the forecast of groups under no subnet."""
    read = set(snapshot.notes)
    drawn = {subnet.subnet_id for subnet in ledger.subnets}
    return [
        *(f"missing: {text}" for text in ledger.missing),
        *(f"warning: {text}" for text in ledger.warnings),
        *(f"note: {text}" for text in ledger.notes if text not in read),
        # Rows under no drawn subnet (a planned AZ without its subnets in the input) are listed here.
        *(
            f"forecast: {_forecast_sentence(row, '')}"
            for row in ledger.forecast
            if not drawn & {row.node_subnet, row.pod_subnet}
        ),
    ]


def _blocks(subnet: SubnetLedger, holders: dict[int, list[str]]) -> Iterable[LedgerBlock]:
    network = subnet.network
    base = int(network.network_address)
    codes = subnet.addresses.codes
    free = subnet.addresses.free_blocks()
    for index, whole in enumerate(free):
        start = index * BLOCK
        cidr = f"{ipv4_text(base + start)}/{PREFIX_LENGTH}"
        block = codes[start : start + BLOCK]
        if whole:
            # Free for a prefix; its addresses may still be held for prefixes by a prefix reservation.
            reserved = block.count(PREFIX_RESERVED)
            text = f"free, {reserved} of {BLOCK} in a prefix reservation" if reserved else ""
            yield LedgerBlock(cidr, "free", text + _named(holders.get(index, ())) if reserved else "")
            continue
        counts = Counter(block)
        yield LedgerBlock(cidr, _kind(counts), _owner_text(counts) + _named(holders.get(index, ())))


def _kind(counts: Counter[int]) -> str:
    """The owner of at least half the block's held addresses (AWS's five count only when alone); else mixed."""
    held = {code: number for code, number in counts.items() if code not in (FREE, AWS_RESERVED)}
    if not held:
        return _CODE_NAMES[AWS_RESERVED]
    names: Counter[str] = Counter()
    for code, number in held.items():
        names[_CODE_NAMES[code]] += number
    top = max(names, key=lambda name: (names[name], -OWNERS.index(name)))
    return top if names[top] * 2 >= sum(names.values()) else MIXED


def _owner_text(counts: Counter[int]) -> str:
    """Held addresses per owner, most first, then the free ones."""
    names: Counter[str] = Counter()
    for code, number in counts.items():
        if code != FREE:
            names[_CODE_NAMES[code]] += number
    order = sorted(names, key=lambda name: (-names[name], _NAME_ORDER.index(name)))
    text = ", ".join(f"{name} {names[name]}" for name in order)
    if counts[FREE]:
        text += f", free {counts[FREE]}"
    return text


def _named(holders: Iterable[str]) -> str:
    """``; <the first holders>[ and N more]``, or nothing when no ENI or reservation holds the block."""
    holders = list(holders)
    if not holders:
        return ""
    rest = len(holders) - HOLDERS_NAMED
    return "; " + ", ".join(holders[:HOLDERS_NAMED]) + (f" and {rest} more" if rest > 0 else "")


def _block_holders(ledger: Ledger, snapshot: ClusterSnapshot) -> dict[str, dict[int, list[str]]]:
    """subnet id -> /28 block index -> who holds addresses there, in words (ENI ids with their node or
    label, CIDR reservations)."""
    by_id = {subnet.subnet_id: subnet for subnet in ledger.subnets}
    labels = {holder.holder_id: holder.label for subnet in ledger.subnets for holder in subnet.holders}
    node_names = {node.instance_id: node.name for node in snapshot.nodes.values() if node.instance_id}
    found: dict[str, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for eni in snapshot.enis.values():
        subnet = by_id.get(eni.subnet_id or "")
        if subnet is None:
            continue
        if eni.eni_id in labels:
            label = labels[eni.eni_id]
            if eni.eni_id not in label:
                label = f"{eni.eni_id} ({label})"
        elif eni.instance_id:
            label = f"{eni.eni_id} of {node_names.get(eni.instance_id, eni.instance_id)}"
        else:
            label = eni.eni_id
        indexes = {offset // BLOCK for offset in subnet.eni_addresses.get(eni.eni_id, ())}
        for prefix in eni.ipv4_prefixes:
            indexes.update(_block_indexes(subnet, prefix))
        for index in sorted(indexes):
            found[subnet.subnet_id][index].append(label)
    for subnet_id, reservations in (snapshot.cidr_reservations or {}).items():
        subnet = by_id.get(subnet_id)
        for reservation in reservations if subnet is not None else ():
            for index in _block_indexes(subnet, reservation.cidr):
                found[subnet_id][index].append(
                    labels.get(reservation.reservation_id, reservation.reservation_id)
                )
    return found


def _block_indexes(subnet: SubnetLedger, cidr: str) -> range:
    """The /28 blocks of ``subnet`` that ``cidr`` (a prefix or a reservation) covers; none if outside."""
    network = ipv4_network(cidr, strict=False)
    if network is None:
        return range(0)
    first, size = network
    start = max(first, subnet.addresses.base) - subnet.addresses.base
    end = min(first + size - 1 - subnet.addresses.base, subnet.size - 1)
    if end < start:
        return range(0)
    return range(start // BLOCK, end // BLOCK + 1)


def _forecast_sentence(row: ForecastRow, subnet_id: str) -> str:
    """One node group in one AZ, seen from ``subnet_id``: how many more nodes fit, what each takes here."""
    head = f"{row.node_group} in {row.availability_zone}"
    if row.instance_type:
        head += f" ({row.instance_type})"
    if row.more_nodes is None:
        return f"{head}: {row.problem or 'no forecast'}"
    nodes = _more(row.more_nodes, "node")
    parts = [nodes + (" (this subnet runs out first)" if row.runs_out_first == subnet_id else "")]
    pool = row.per_node
    if pool is not None:
        here = 0
        if subnet_id == row.node_subnet:
            here += pool.node_subnet_addresses
        if subnet_id == row.pod_subnet:
            here += pool.pod_subnet_addresses
        parts.append(f"each takes {here:,} address{'' if here == 1 else 'es'} here")
    if row.more_pods is not None:
        parts.append(_more(row.more_pods, "pod") + " on its running nodes")
    if row.scale_up_ok is False:
        parts.append(f"it cannot grow to its max size {row.max_size} ({row.nodes_at_max} nodes in this AZ)")
    elif row.scale_up_ok:
        parts.append(f"it can grow to its max size {row.max_size}")
    return f"{head}: " + ", ".join(parts)


def _more(number: int, thing: str) -> str:
    return f"1 more {thing} fits" if number == 1 else f"{number:,} more {thing}s fit"
