"""``ekslab pods``: ``kubectl get pods -A -o wide`` (READY, STATUS, RESTARTS, AGE) plus each pod's
ENI, device number, subnet, and whether its IP is a secondary IP or comes from a prefix
(``ekslab.views.pod_view``)."""

from __future__ import annotations

import sys
from typing import Any

import click

from ekslab.cli.inputs import read_snapshot
from ekslab.cli.options import live_options
from ekslab.cli.output import echo_json, print_table, short_node_name
from ekslab.cli.progress import BundleProgress


@click.command()
@click.option(
    "--bundle", type=click.Path(file_okay=False), help="Read a saved bundle folder (ekslab collect) offline."
)
@live_options
@click.option(
    "--namespace", "-n", "namespaces", multiple=True, help="Only pods of this namespace (repeatable)."
)
@click.option("--node", "nodes", multiple=True, help="Only pods on this node (repeatable).")
@click.option(
    "--output",
    "-o",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="table (rich on a terminal, aligned text otherwise) or json.",
)
def pods(
    bundle: str | None, namespaces: tuple[str, ...], nodes: tuple[str, ...], output: str, **live: Any
) -> None:
    """List pods like `kubectl get pods -A -o wide` (READY, STATUS, RESTARTS, AGE, IP, NODE) with
    their ENI, device number, subnet and IP source.

    FROM says where the pod IP comes from: a secondary IP of the ENI, a delegated prefix (shown), a
    branch ENI (security groups for pods), a Fargate pod's own ENI, or the node itself (host network).
    The ENIs are EC2's (DescribeNetworkInterfaces), matched exactly as `ekslab verify` does, whose
    verdict is in CHECK. Give --cluster and --region (or --config) for a live cluster, or --bundle DIR.
    With --ipamd-transport none, ipamd is not asked and CHECK does not cross-check it.
    """
    from ekslab.verify.checks import Expectations, verify
    from ekslab.views.pod_view import COLUMNS, FOLD_ORDER, RIGHT_ALIGNED, pod_eni_rows

    with BundleProgress(bundle or "", enabled=bundle is not None and sys.stderr.isatty()) as progress:
        snapshot = read_snapshot(
            bundle, live, bundle_progress=progress.update if progress.enabled else None, pod_columns=True
        )
        progress.say(f"matching {len(snapshot.pods):,} pods to their ENIs")
        # The view needs the pods' ENIs, not the configuration drift: no expectations.
        report = verify(snapshot, Expectations(aws_node_env={}, init_env={}))
    rows = pod_eni_rows(snapshot, report, namespaces=namespaces, nodes=nodes)
    if output == "json":
        echo_json({"source": snapshot.source, "pods": [row.as_json() for row in rows]})
        return
    print_table(
        COLUMNS,
        [row.row() for row in rows],
        title=f"{snapshot.source}: pods and their ENIs",
        right=RIGHT_ALIGNED,
        fold=FOLD_ORDER,
        shorten={"NODE": short_node_name},
    )
