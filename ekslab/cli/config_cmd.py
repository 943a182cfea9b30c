"""``ekslab config check|show``: validate lab configuration files and print the effective configuration."""

from __future__ import annotations

import json
import sys

import click

from ekslab.errors import EXIT_USAGE


@click.group()
def config() -> None:
    """Check and show lab configuration files (YAML; see examples/ and docs/configuration.md)."""


@config.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def check(files: tuple[str, ...]) -> None:
    """Validate FILES without CDK: types, ranges, cross-setting rules and IP capacity.

    Prints one line per problem (file, key path, rule, value given) and exits 2 if any file has an
    error; warnings are printed and do not change the exit code.
    """
    from ekslab.config.loader import ConfigError, parse_config, read_config_document
    from ekslab.errors import InputError
    from ekslab.lab import check_lab

    failed = False
    for file in files:
        try:
            lab = parse_config(read_config_document(file), source=file)
        except ConfigError as error:
            failed = True
            for problem in error.problems:
                click.echo(f"error: {problem.message}", err=True)
            continue
        except InputError as error:
            failed = True
            click.echo(f"error: {error.message}", err=True)
            continue
        findings = check_lab(lab)
        for problem in findings.errors:
            click.echo(f"error: {problem.located(file).message}", err=True)
        for warning in findings.warnings:
            click.echo(f"warning: {warning.located(file).message}", err=True)
        failed = failed or bool(findings.errors)
        if not findings.errors:
            groups = len(lab.node_groups)
            click.echo(
                f"{file}: ok (lab {lab.lab.name}, {lab.region}, {len(lab.network.availability_zones)} AZs, "
                f"{groups} node group{'s' if groups != 1 else ''}, {len(findings.warnings)} warning"
                f"{'s' if len(findings.warnings) != 1 else ''})"
            )
    if failed:
        sys.exit(EXIT_USAGE)


@config.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option(
    "--output",
    "-o",
    type=click.Choice(["yaml", "json"]),
    default="yaml",
    show_default=True,
    help="Output format.",
)
def show(file: str | None, output: str) -> None:
    """Print the effective configuration of FILE (default: the default lab) with every default filled in.

    Also shows what the toolkit derives from it: the cluster name, the pinned add-on versions, the
    subnet plan and the vpc-cni add-on's configurationValues.
    """
    from ekslab.lab import load_config
    from ekslab.lab.effective import effective_document

    document = effective_document(load_config(file))
    if output == "json":
        click.echo(json.dumps(document, indent=2))
    else:
        import yaml

        click.echo(yaml.safe_dump(document, sort_keys=False, default_flow_style=False).rstrip())
