"""``ekslab ips``: the IP ledger of the lab's VPC, from a live cluster or a bundle (docs/ips.md).

Exit codes: 0 the ledger was made, 1 a node group cannot scale to its max size and still get its
warm pools (needs --config, which knows max sizes), 2 bad usage or unreadable input.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from ekslab.cli.inputs import ExitKeepingHeap, long_lived, read_snapshot
from ekslab.cli.options import live_options
from ekslab.cli.output import echo_json, print_table
from ekslab.files import output_folder

if TYPE_CHECKING:
    from ekslab.ledger import Ledger

OUTPUTS = ("table", "json", "svg")
_OWNER_HEADERS = {
    "node_primary": "NODE",
    "pod": "POD",
    "warm_pool": "WARM",
    "load_balancer": "LB",
    "nat_gateway": "NAT",
    "eks_control_plane": "EKS",
    "vpc_endpoint": "VPCE",
    "cidr_reservation": "RESV",
    "other": "OTHER",
}


@click.command()
@click.option("--bundle", type=click.Path(file_okay=False), help="Read a saved bundle folder offline.")
@live_options
@click.option(
    "--output",
    "-o",
    type=click.Choice(OUTPUTS),
    help="table (default on a terminal), json (default otherwise), or svg (needs --out).",
)
@click.option("--out", type=click.Path(dir_okay=False), help="File to write the --output svg picture to.")
def ips(bundle: str | None, output: str | None, out: str | None, **live: Any) -> None:
    """Show who holds every address of every subnet of the lab's VPC, the free /28 blocks prefix
    delegation needs, and how many more nodes and pods each node group can still get.

    Give --bundle DIR for a saved snapshot (see `ekslab collect`), or --cluster and --region (or
    --config) for a live cluster. With --config, the lab's plan is shown beside what is observed and
    each group's scale-up to its max size is checked.
    """
    from ekslab.ledger import build_ledger

    output = output or ("table" if sys.stdout.isatty() else "json")
    if output == "svg" and not out:
        raise click.UsageError("--output svg needs --out FILE")
    if out and output != "svg":
        raise click.UsageError("--out is for --output svg; json and table go to stdout")
    if out:
        # Refuse a picture path whose folder is missing before a live read that may take minutes.
        output_folder(out, source=f"--out {out}")
    config = _config(live.get("config"))
    snapshot = read_snapshot(bundle, live, cidr_reservations=True)
    with long_lived():
        ledger = build_ledger(snapshot, config=config)
    if output == "json":
        from ekslab.ledger import ledger_document

        echo_json(ledger_document(ledger))
    elif output == "svg":
        assert out is not None
        _write_svg(ledger, out)
        count = len(ledger.subnets)
        click.echo(f"picture of {count} subnet{'' if count == 1 else 's'} written to {out}")
        _print_messages(ledger)
    else:
        _print_tables(ledger)
    raise ExitKeepingHeap(ledger.exit_code())


def _config(path: str | None) -> Any:
    if path is None:
        return None
    from ekslab.lab import load_config

    return load_config(path)


def _write_svg(ledger: Ledger, out: str) -> None:
    from ekslab.files import atomic_output
    from ekslab.ledger import render_svg

    text = render_svg(ledger)
    with atomic_output(out, source=f"--out {out}") as temporary:
        temporary.write_text(text, encoding="utf-8")


def _print_tables(ledger: Ledger) -> None:
    from ekslab.ledger import OWNERS

    print_table(
        [
            "SUBNET",
            "AZ",
            "CIDR",
            "ROLE",
            "SIZE",
            "RESERVED",
            "USED",
            "FREE (EC2)",
            "FREE (LEDGER)",
            "FREE /28",
            "LARGEST FREE",
            "FRAGMENTED",
        ],
        [
            [
                subnet.subnet_id,
                subnet.availability_zone,
                str(subnet.network),
                subnet.role,
                subnet.size,
                subnet.reserved,
                subnet.used,
                subnet.free,
                subnet.free_in_ledger,
                subnet.free_28_blocks,
                None if subnet.largest_free_prefix is None else f"/{subnet.largest_free_prefix}",
                subnet.fragmented_free,
            ]
            for subnet in ledger.subnets
        ],
        title=f"IP ledger of {ledger.vpc_id or 'the VPC'} ({ledger.source})",
        right=["SIZE", "RESERVED", "USED", "FREE (EC2)", "FREE (LEDGER)", "FREE /28", "FRAGMENTED"],
    )
    click.echo()
    owner_headers = [_OWNER_HEADERS[owner] for owner in OWNERS]
    print_table(
        ["SUBNET", *owner_headers],
        [[subnet.subnet_id, *(subnet.owners.get(owner, 0) for owner in OWNERS)] for subnet in ledger.subnets],
        title="Addresses by owner",
        right=owner_headers,
    )
    holders = [
        [subnet.subnet_id, holder.owner, holder.holder_id, holder.addresses, holder.label]
        for subnet in ledger.subnets
        for holder in subnet.holders
    ]
    if holders:
        click.echo()
        print_table(
            ["SUBNET", "OWNER", "ID", "ADDRESSES", "WHAT"],
            holders,
            title="Holders other than nodes",
            right=["ADDRESSES"],
        )
    click.echo()
    print_table(
        [
            "AZ",
            "NODE GROUP",
            "TYPE",
            "NODES",
            "PODS",
            "+NODES",
            "+PODS",
            "RUNS OUT FIRST",
            "HEADROOM",
            "AT MAX",
            "SCALE-UP",
        ],
        [
            [
                row.availability_zone,
                row.node_group,
                row.instance_type,
                row.nodes,
                row.pods,
                row.more_nodes,
                row.more_pods,
                row.runs_out_first or row.problem,
                None if row.headroom is None else f"{row.headroom:.0%}",
                row.nodes_at_max,
                None if row.scale_up_ok is None else ("ok" if row.scale_up_ok else "FAILS"),
            ]
            for row in ledger.forecast
        ],
        title=f"Forecast (settings from {ledger.settings_source})",
        right=["NODES", "PODS", "+NODES", "+PODS", "HEADROOM", "AT MAX"],
    )
    if ledger.plan is not None:
        click.echo()
        columns = [
            "AZ",
            "TIER",
            "CIDR",
            "SUBNET",
            "PLANNED NODES",
            "PLANNED WARM",
            "PLANNED FULL",
            "NODES NOW",
            "CNI ADDRESSES NOW",
            "FREE NOW",
        ]
        print_table(
            columns,
            [
                [
                    row.availability_zone,
                    row.tier,
                    row.cidr,
                    row.subnet_id or "not found",
                    row.planned_nodes_at_max,
                    row.planned_warm_pool_addresses,
                    row.planned_full_density_addresses,
                    row.observed_nodes,
                    row.observed_cni_addresses,
                    row.observed_free,
                ]
                for row in ledger.plan
            ],
            title="Plan (every group at max size) vs reality",
            right=columns[4:],
        )
    _print_messages(ledger)


def _print_messages(ledger: Ledger) -> None:
    lines = [
        *(f"missing: {text}" for text in ledger.missing),
        *(f"warning: {text}" for text in ledger.warnings),
        *(f"note: {text}" for text in ledger.notes),
    ]
    if lines:
        click.echo()
    for line in lines:
        click.echo(line)
