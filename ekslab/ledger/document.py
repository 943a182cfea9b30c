"""The ``ekslab ips --output json`` document (keys documented in docs/ips.md, "JSON")."""

from __future__ import annotations

from typing import Any

from ekslab.ledger.build import Ledger
from ekslab.ledger.forecast import ForecastRow
from ekslab.ledger.owners import OWNERS
from ekslab.ledger.subnets import SubnetLedger


def ledger_document(ledger: Ledger) -> dict[str, Any]:
    settings = ledger.settings
    return {
        "source": ledger.source,
        "vpc_id": ledger.vpc_id,
        "settings": {
            "from": ledger.settings_source,
            "prefix_delegation": settings.prefix_delegation,
            "custom_networking": settings.custom_networking,
            "warm_eni_target": settings.warm_eni_target,
            "warm_ip_target": settings.warm_ip_target,
            "minimum_ip_target": settings.minimum_ip_target,
            "warm_prefix_target": settings.warm_prefix_target,
            "max_eni": settings.max_eni,
        },
        "subnets": [_subnet(subnet) for subnet in ledger.subnets],
        "forecast": [_forecast(row) for row in ledger.forecast],
        "plan": None if ledger.plan is None else [vars(row) for row in ledger.plan],
        "missing": ledger.missing,
        "warnings": ledger.warnings,
        "notes": ledger.notes,
        "exit_code": ledger.exit_code(),
    }


def _subnet(subnet: SubnetLedger) -> dict[str, Any]:
    return {
        "subnet_id": subnet.subnet_id,
        "cidr": str(subnet.network),
        "availability_zone": subnet.availability_zone,
        "role": subnet.role,
        "size": subnet.size,
        "reserved": subnet.reserved,
        "used": subnet.used,
        "free": subnet.free,
        "free_in_ledger": subnet.free_in_ledger,
        "mismatch": subnet.mismatch,
        "owners": {owner: subnet.owners.get(owner, 0) for owner in OWNERS},
        "free_28_blocks": subnet.free_28_blocks,
        "largest_free_prefix": subnet.largest_free_prefix,
        "fragmented_free": subnet.fragmented_free,
        "cidr_reservations": None
        if subnet.reservations is None
        else [
            {"id": item.reservation_id, "cidr": item.cidr, "type": item.reservation_type}
            for item in subnet.reservations
        ],
        "holders": [
            {"owner": item.owner, "id": item.holder_id, "label": item.label, "addresses": item.addresses}
            for item in sorted(subnet.holders, key=lambda item: (OWNERS.index(item.owner), item.holder_id))
        ],
    }


def _forecast(row: ForecastRow) -> dict[str, Any]:
    pool = row.per_node
    return {
        "availability_zone": row.availability_zone,
        "node_group": row.node_group,
        "instance_type": row.instance_type,
        "nodes": row.nodes,
        "pods": row.pods,
        "node_subnet": row.node_subnet,
        "pod_subnet": row.pod_subnet,
        "per_new_node": None
        if pool is None
        else {
            "node_subnet_addresses": pool.node_subnet_addresses,
            "pod_subnet_addresses": pool.pod_subnet_addresses,
            "prefixes": pool.prefixes,
            "enis": pool.enis,
        },
        "more_nodes": row.more_nodes,
        "more_pods": row.more_pods,
        "runs_out_first": row.runs_out_first,
        "headroom": None if row.headroom is None else round(row.headroom, 4),
        "max_size": row.max_size,
        "nodes_at_max": row.nodes_at_max,
        "scale_up_ok": row.scale_up_ok,
        "warnings": list(row.warnings),
        "problem": row.problem,
    }
