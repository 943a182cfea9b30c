"""``ekslab preflight``: read-only checks of an account and region before ``make deploy``.

Exit 0 when every check passes (warnings allowed), 1 when a check fails, 3 when a check could not
be made (a call failed or was not allowed), 2 on bad input (including missing credentials).
"""

from __future__ import annotations

import sys
from typing import Any

import click

from ekslab.cli.output import echo_json, print_table

OUTPUTS = ("table", "json", "junit")
MAX_LABS = 1000


@click.command()
@click.option(
    "--config",
    "-c",
    "config_file",
    type=click.Path(dir_okay=False),
    help="Lab configuration file. Default: the default lab.",
)
@click.option(
    "--lab", "lab_name", help="Lab name, as `make deploy LAB=name` sets it. Default: the config's lab.name."
)
@click.option(
    "--labs",
    type=click.IntRange(1, MAX_LABS),
    default=1,
    show_default=True,
    help="How many labs of this configuration the account and region must hold (one per attendee).",
)
@click.option(
    "--output",
    "-o",
    type=click.Choice(OUTPUTS),
    help="table (default on a terminal), json (default otherwise) or junit (needs --junit-file).",
)
@click.option(
    "--junit-file", type=click.Path(dir_okay=False), help="Write a JUnit XML report here (with any --output)."
)
def preflight(
    config_file: str | None, lab_name: str | None, labs: int, output: str | None, junit_file: str | None
) -> None:
    """Check, read-only, that the lab can be deployed: credentials and account, the region's AZs (and
    zone ids), instance types offered in each node group AZ, pinned add-on versions offered for the
    Kubernetes version, standard support, quotas for --labs labs (VPCs, Elastic IPs, NAT gateways per
    AZ, internet gateways, EKS clusters, on-demand standard vCPUs), the CDK bootstrap stack, and no lab
    stack in a failed state. Each check is pass, warn, fail or not-checked, with the fix.
    """
    import datetime as dt

    from ekslab.cni.versions import addon_versions, missing_versions
    from ekslab.errors import InputError
    from ekslab.files import output_folder
    from ekslab.lab import load_config
    from ekslab.limits import instance_types
    from ekslab.preflight.checks import Context, exit_code, run_checks
    from ekslab.preflight.quotas import lab_needs
    from ekslab.preflight.reader import NoCredentials, read_answers
    from ekslab.preflight.report import document, write_junit

    output = output or ("table" if sys.stdout.isatty() else "json")
    if output == "junit" and not junit_file:
        raise click.UsageError("--output junit needs --junit-file FILE")
    if junit_file:
        output_folder(junit_file, source=f"--junit-file {junit_file}")
    source = config_file or "default lab"
    # The configuration rules refuse a lab whose add-on versions have no source (one line, exit 2).
    config = _named(load_config(config_file, capacity=False), lab_name)
    versions = None if missing_versions(config) else addon_versions(config)
    known = instance_types()

    def vcpus_of(name: str) -> int | None:
        limits = known.get(name)
        return limits.vcpus if limits else None

    context = Context(
        config=config,
        source=source,
        labs=labs,
        needs=lab_needs(config, labs, vcpus_of),
        addon_versions=versions,
        today=dt.datetime.now(dt.UTC).date(),
    )
    try:
        answers = read_answers(config, addon_versions=versions, progress=_progress())
    except NoCredentials:
        raise InputError(
            "preflight",
            f"needs AWS credentials for account checks in {config.region}; none were found",
            hint="set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
        ) from None
    checks = run_checks(context, answers)
    if junit_file:
        write_junit(checks, junit_file, source=f"--junit-file {junit_file}")
    if output == "json":
        echo_json(
            document(
                checks,
                lab=config.lab.name,
                region=config.region,
                account=answers.account,
                labs=labs,
                config=source,
            )
        )
    elif output == "table":
        _print(checks, config.lab.name, config.region, labs)
    sys.exit(exit_code(checks))


def _named(config: Any, lab_name: str | None) -> Any:
    """The configuration under ``lab_name`` (what ``-c lab=`` does to the CDK app), re-checked."""
    from ekslab.config.loader import parse_config
    from ekslab.lab import require_valid

    if not lab_name or lab_name == config.lab.name:
        return config
    document = config.model_dump(mode="json", by_alias=True, exclude_unset=True)
    document.setdefault("lab", {})["name"] = lab_name
    return require_valid(parse_config(document, source="--lab"), source="--lab", capacity=False)


def _progress() -> Any:
    if not sys.stderr.isatty():
        return None

    def show(step: str) -> None:
        click.echo(f"preflight: {step}", err=True)

    return show


def _print(checks: Any, lab: str, region: str, labs: int) -> None:
    from ekslab.preflight.checks import exit_code
    from ekslab.preflight.report import summary

    rows = [(check.name, check.result, check.detail, check.fix) for check in checks]
    title = f"Preflight of lab {lab} in {region} for {labs} lab(s)"
    print_table(("check", "result", "detail", "fix"), rows, title=title)
    counts = summary(checks)
    click.echo(
        ", ".join(f"{count} {result}" for result, count in counts.items()) + f" (exit {exit_code(checks)})"
    )
