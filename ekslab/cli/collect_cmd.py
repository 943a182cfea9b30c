"""``ekslab collect``: save a live cluster's verification inputs as a bundle (see docs/verification.md)."""

from __future__ import annotations

import sys
from typing import Any

import click

from ekslab.cli.verify_cmd import live_options


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
    from ekslab.verify.live import LiveOptions, collect_bundle

    options = LiveOptions.from_click(live)
    options.require_cluster()
    path = collect_bundle(options, out, progress=sys.stderr.isatty())
    click.echo(f"bundle written to {path}")
