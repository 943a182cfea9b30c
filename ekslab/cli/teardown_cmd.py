"""``ekslab teardown-check``: after ``make destroy``, list what the lab left behind and fail if anything."""

from __future__ import annotations

import sys
from typing import Final

import click

from ekslab.cli.options import PROFILE
from ekslab.cli.output import print_table, terminal_console, terminal_safe
from ekslab.config import defaults
from ekslab.errors import EXIT_FAILED, EXIT_OK, EXIT_UNVERIFIED, InputError

MAX_WAIT_SECONDS: Final = 86_400
"""--wait's ceiling: a day. Leftover ENIs go within the hour; a larger value is a typo that would keep
the command polling for ever."""


@click.command("teardown-check")
@click.option(
    "--lab", help="Lab name (the ekslab:lab tag, the stack-name prefix). Default with --config: its lab.name."
)
@click.option(
    "--region",
    help=f"AWS region of the lab. Default: the --config lab's region, else {defaults.REGION}.",
)
@click.option(
    "--cluster",
    default=None,
    help="EKS cluster name. Default: the --config lab's cluster name, else the lab name.",
)
@click.option(
    "--config",
    type=click.Path(dir_okay=False),
    help="Lab configuration: default --lab, --region and --cluster.",
)
@PROFILE
@click.option(
    "--wait",
    "wait_seconds",
    type=click.IntRange(min=0, max=MAX_WAIT_SECONDS),
    default=0,
    show_default=True,
    help="Keep checking for up to this many seconds (at most a day) until nothing is left (ENIs of "
    "deleted load balancers and nodes go away a little after the stacks do).",
)
def teardown_check(
    lab: str | None,
    region: str | None,
    cluster: str | None,
    config: str | None,
    profile: str | None,
    wait_seconds: int,
) -> None:
    """List every resource still tagged with, or named after, lab LAB: the EKS cluster, VPCs, ENIs,
    security groups (including the load balancer controller's), Elastic IPs, load balancers, target
    groups, log groups (including Lambda's untagged ones), the lab's CloudFormation stacks in any state
    but DELETE_COMPLETE, its IAM roles, and anything else in the region tagged ekslab:lab=LAB (NAT
    gateways, S3 buckets, KMS keys not pending deletion, Lambda functions, SSM parameters...).
    Read-only; uses the AWS credentials of the environment (or --profile). docs/ci.md lists what is
    not covered.

    Exit codes: 0 nothing left, 1 something left (listed), 2 bad usage, 3 something could not be
    checked: a kind could not be listed, or the AWS profile or credentials are missing or unusable.
    """
    from ekslab.aws.problems import checked_session
    from ekslab.teardown import check_names, find_leftovers, wait_until_clean

    if config is not None:
        from ekslab.lab import load_config

        lab_config = load_config(config)
        lab = lab or lab_config.lab.name
        region = region or lab_config.region
        cluster = cluster or lab_config.cluster_name
    if lab is None:
        raise click.UsageError("give --lab LAB or --config FILE")
    region = region or defaults.REGION
    check_names(lab, cluster or lab, region)  # bad names are exit 2 before any AWS call
    try:
        session = checked_session(region=region, profile=profile)
    except InputError as error:
        # Not bad input to this command's verdict: nothing could be checked, which CI must not read
        # as "nothing left" (0) or "something left" (1).
        click.echo(f"ekslab: error: {error.message}; nothing was checked", err=True)
        sys.exit(EXIT_UNVERIFIED)
    report = wait_until_clean(
        lambda: find_leftovers(lab, region=region, cluster=cluster, session=session),
        timeout_seconds=wait_seconds,
    )
    from rich.text import Text

    console = terminal_console()
    where = f"lab {report.lab} (cluster {report.cluster}) in {report.region}"
    if report.leftovers:
        print_table(
            ("KIND", "RESOURCE", "WHY IT IS THE LAB'S"),
            [(left.kind, left.resource_id, left.because) for left in report.leftovers],
            title=f"Left behind by {where}",
            fold=("WHY IT IS THE LAB'S",),
        )
    for unchecked in report.unchecked:
        line = Text("not checked", style="yellow")
        line.append(terminal_safe(f": {unchecked.kind}s: {unchecked.error}"))
        console.print(line, soft_wrap=True)
    if report.leftovers:
        count = len(report.leftovers)
        plural = "s" if count != 1 else ""
        console.print(Text.assemble(("FAIL", "red"), f" {count} resource{plural} left by {where}"))
        sys.exit(EXIT_FAILED)
    if report.unchecked:
        console.print(
            Text.assemble(
                ("UNVERIFIED", "yellow"), f" nothing found, but not every kind could be listed for {where}"
            ),
            soft_wrap=True,
        )
        sys.exit(EXIT_UNVERIFIED)
    console.print(Text.assemble(("OK", "green"), f" nothing left by {where}"), soft_wrap=True)
    sys.exit(EXIT_OK)
