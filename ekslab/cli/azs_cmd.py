"""``ekslab azs``: the workshop's ``export AZ1=...`` lines; ``--append`` keeps them in one profile block."""

from __future__ import annotations

import click

from ekslab.cli.options import PROFILE


@click.command()
@click.option(
    "--config",
    type=click.Path(dir_okay=False),
    help="Lab configuration (default: the default lab): its lab name, region and, with --offline, zones.",
)
@click.option(
    "--lab", help="Lab name; its network stack is <lab>-network. Default: the configuration's lab name."
)
@click.option("--region", help="AWS region of the lab. Default: the configuration's region.")
@PROFILE
@click.option(
    "--offline",
    is_flag=True,
    help="Read the zones from the lab configuration instead of the deployed stack (no AWS call).",
)
@click.option(
    "--append",
    "profile_file",
    type=click.Path(dir_okay=False),
    help="Also write the lines into this shell profile (e.g. ~/.bash_profile) as one marked block; "
    "running again replaces that block instead of adding duplicates.",
)
def azs(
    config: str | None,
    lab: str | None,
    region: str | None,
    profile: str | None,
    offline: bool,
    profile_file: str | None,
) -> None:
    """Print `export AZ1=<zone>` ... for the lab's availability zones.

    The zones are the outputs AZ1, AZ2... of the deployed CloudFormation stack <lab>-network, or with
    --offline the lab configuration's network.availabilityZones. Load them into the current shell with
    `eval "$(ekslab azs)"`.
    """
    from ekslab.lab import load_config
    from ekslab.sources.cloudformation import read_stack_outputs
    from ekslab.views.azs import (
        AzExports,
        check_lab_name,
        check_region,
        check_zone,
        network_stack_name,
        write_profile,
        zones_from_outputs,
    )

    lab_config = load_config(config)
    # Both end up in a file a shell sources at login: checked before any AWS call or write.
    lab_name = check_lab_name(lab or lab_config.lab.name, where="--lab")
    region = check_region(region or lab_config.region, where="--region")
    if offline:
        source = f"lab configuration {config or '(default lab)'}"
        zones = tuple(
            check_zone(zone, where=f"{source}: network.availabilityZones")
            for zone in lab_config.network.availability_zones
        )
    else:
        stack = network_stack_name(lab_name)
        zones = zones_from_outputs(read_stack_outputs(stack, region=region, profile=profile), stack=stack)
        source = f"CloudFormation stack {stack}"
    exports = AzExports(lab=lab_name, region=region, zones=zones, source=source)
    if profile_file is not None:
        update = write_profile(profile_file, exports)
        action = "created with" if update.created else "replaced" if update.replaced else "appended"
        click.echo(f"{update.path}: {action} the ekslab azs block ({len(zones)} zones)", err=True)
        for line, name in update.stray:
            click.echo(
                f"ekslab: warning: {update.path}: line {line} also sets {name} outside the block (left by "
                "`tee -a`?); whichever comes later wins, delete it to keep one",
                err=True,
            )
    for line in exports.lines():
        click.echo(line)
