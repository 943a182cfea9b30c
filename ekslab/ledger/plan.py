"""Plan vs reality: ``ekslab plan capacity``'s per-AZ demand beside what the ledger observes.

The plan (``ekslab.capacity.plan_capacity``) counts every node group at max size; the ledger counts
what holds addresses now. A planned subnet is matched to an observed one by its CIDR, which the lab
computes before synth (``ekslab.network.subnets.plan_subnets``), so a renamed or re-created subnet
still matches while a lab deployed with other settings shows as "not found".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ekslab.capacity import plan_capacity
from ekslab.config.model import LabConfig
from ekslab.ledger.subnets import SubnetLedger


@dataclass(frozen=True)
class PlanRow:
    availability_zone: str
    tier: str
    cidr: str
    subnet_id: str | None
    """The observed subnet with the planned CIDR; ``None`` when the VPC has none."""
    planned_nodes_at_max: int
    planned_warm_pool_addresses: int
    planned_full_density_addresses: int
    observed_nodes: int | None
    observed_cni_addresses: int | None
    """node_primary + pod + warm_pool addresses the ledger sees in the subnet."""
    observed_free: int | None


def plan_vs_reality(
    config: LabConfig, subnets: Mapping[str, SubnetLedger], nodes_by_subnet: Mapping[str, int]
) -> list[PlanRow]:
    """One row per planned subnet that nodes or pods draw from (the rows of ``plan capacity``)."""
    by_cidr = {str(ledger.network): ledger for ledger in subnets.values()}
    rows = []
    for planned in plan_capacity(config).subnets:
        observed = by_cidr.get(str(planned.cidr))
        rows.append(
            PlanRow(
                availability_zone=planned.availability_zone,
                tier=planned.tier.value,
                cidr=str(planned.cidr),
                subnet_id=observed.subnet_id if observed else None,
                planned_nodes_at_max=planned.nodes_at_max,
                planned_warm_pool_addresses=planned.warm_pool_addresses,
                planned_full_density_addresses=planned.full_density_addresses,
                observed_nodes=nodes_by_subnet.get(observed.subnet_id, 0) if observed else None,
                observed_cni_addresses=observed.cni_addresses if observed else None,
                observed_free=observed.free_now if observed else None,
            )
        )
    return rows
