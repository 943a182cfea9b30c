"""``ekslab collect``: save a live cluster's verification inputs as a bundle (see docs/verification.md)."""

from __future__ import annotations

from typing import Any

import click

from ekslab.cli.options import live_options, live_settings
from ekslab.cli.progress import ProgressBars


@click.command()
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False),
    help="New (or empty) folder to write the bundle into.",
)
@live_options
def collect(out: str, **live: Any) -> None:
    """Save pods, nodes, the VPC, subnets, ENIs, ENIConfigs, the aws-node DaemonSet, load balancer
    targets and each node's ipamd introspection as a bundle for `ekslab verify --bundle`.

    The files are the documents kubectl and the AWS CLI print, so a bundle can also be made by hand.
    Nothing is written unless the whole collection succeeds.
    """
    from ekslab.sources.live import collect_bundle

    options = live_settings(live)
    with ProgressBars() as bars:
        path = collect_bundle(options, out, progress=bars.update)
    click.echo(f"bundle written to {path}")
