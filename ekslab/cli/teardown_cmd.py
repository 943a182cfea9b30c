"""``ekslab teardown-check``: after ``make destroy``, list what the lab left behind and fail if anything."""

from __future__ import annotations

import sys

import click

from ekslab.config import defaults
from ekslab.errors import EXIT_FAILED, EXIT_OK, EXIT_UNVERIFIED


@click.command("teardown-check")
@click.option("--lab", required=True, help="Lab name (the ekslab:lab tag, the stack-name prefix).")
@click.option("--region", default=defaults.REGION, show_default=True, help="AWS region of the lab.")
@click.option(
    "--cluster",
    default=None,
    help="EKS cluster name, if the lab's configuration set cluster.name [default: the lab name].",
)
@click.option(
    "--wait",
    "wait_seconds",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Keep checking for up to this many seconds until nothing is left (ENIs of deleted load "
    "balancers and nodes go away a little after the stacks do).",
)
def teardown_check(lab: str, region: str, cluster: str | None, wait_seconds: int) -> None:
    """List every resource still tagged with, or named after, lab LAB: the EKS cluster, VPCs, ENIs,
    security groups (including the load balancer controller's), Elastic IPs, load balancers, target
    groups, log groups (including Lambda's untagged ones), the lab's CloudFormation stacks in any state
    but DELETE_COMPLETE, its IAM roles, and anything else in the region tagged ekslab:lab=LAB (NAT
    gateways, S3 buckets, KMS keys not pending deletion, Lambda functions, SSM parameters...).
    Read-only; uses the AWS credentials of the environment. docs/ci.md lists what is not covered.

    Exit codes: 0 nothing left, 1 something left (listed), 3 some kind could not be listed.
    """
    from rich.console import Console
    from rich.table import Table

    from ekslab.aws.clients import aws_session
    from ekslab.teardown import check_names, find_leftovers, wait_until_clean

    check_names(lab, cluster or lab, region)  # bad names are exit 2 before any AWS call
    session = aws_session(region=region)
    report = wait_until_clean(
        lambda: find_leftovers(lab, region=region, cluster=cluster, session=session),
        timeout_seconds=wait_seconds,
    )
    console = Console(soft_wrap=True)
    where = f"lab {report.lab} (cluster {report.cluster}) in {report.region}"
    if report.leftovers:
        table = Table(title=f"Left behind by {where}", title_justify="left")
        for column in ("kind", "resource", "why it is the lab's"):
            table.add_column(column, overflow="fold")
        for leftover in report.leftovers:
            table.add_row(leftover.kind, leftover.resource_id, leftover.because)
        console.print(table)
    for unchecked in report.unchecked:
        console.print(
            f"[yellow]not checked[/yellow]: {unchecked.kind}s: {unchecked.error}",
            markup=True,
            highlight=False,
        )
    if report.leftovers:
        count = len(report.leftovers)
        plural = "s" if count != 1 else ""
        console.print(f"[red]FAIL[/red] {count} resource{plural} left by {where}", highlight=False)
        sys.exit(EXIT_FAILED)
    if report.unchecked:
        console.print(
            f"[yellow]UNVERIFIED[/yellow] nothing found, but not every kind could be listed for {where}",
            highlight=False,
        )
        sys.exit(EXIT_UNVERIFIED)
    console.print(f"[green]OK[/green] nothing left by {where}", highlight=False)
    sys.exit(EXIT_OK)
