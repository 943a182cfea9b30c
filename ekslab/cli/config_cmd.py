"""``ekslab config check|show``: validate lab configuration files and print the effective configuration."""

from __future__ import annotations

import json
import sys
from typing import Any

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
    from ekslab.config.validation import PolicyFinding, short_policy_line
    from ekslab.errors import InputError
    from ekslab.lab import check_lab

    failed = False
    # A policy warning (the default lab's open endpoint) is said once for every file that has it.
    policy: dict[str, tuple[PolicyFinding, list[str]]] = {}
    for file in files:
        try:
            lab = parse_config(read_config_document(file), source=file)
        except ConfigError as error:
            failed = True
            for problem in error.problems:
                click.echo(f"ekslab: error: {problem.message}", err=True)
            continue
        except InputError as error:
            failed = True
            click.echo(f"ekslab: error: {error.message}", err=True)
            continue
        findings = check_lab(lab)
        for problem in findings.errors:
            click.echo(f"ekslab: error: {problem.located(file).message}", err=True)
        for warning in findings.warnings:
            if isinstance(warning, PolicyFinding):
                policy.setdefault(warning.policy.id, (warning, []))[1].append(file)
            else:
                click.echo(f"ekslab: warning: {warning.located(file).message}", err=True)
        failed = failed or bool(findings.errors)
        if not findings.errors:
            groups = len(lab.node_groups)
            click.echo(
                f"{file}: ok (lab {lab.lab.name}, {lab.region}, {len(lab.network.availability_zones)} AZs, "
                f"{groups} node group{'s' if groups != 1 else ''}, {len(findings.warnings)} warning"
                f"{'s' if len(findings.warnings) != 1 else ''})"
            )
    for warning, where in policy.values():
        place = (
            f"{where[0]}: {warning.where}" if len(where) == 1 else f"{warning.where} of {', '.join(where)}"
        )
        click.echo(f"ekslab: warning: {short_policy_line(warning, place)}", err=True)
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
@click.option("--all", "show_all", is_flag=True, help="Also list the keys that are unset (null).")
def show(file: str | None, output: str, show_all: bool) -> None:
    """Print the effective configuration of FILE (default: the default lab) with every default filled in.

    Also shows what the toolkit derives from it: the cluster name, the pinned add-on versions, the
    subnet plan and the vpc-cni add-on's configurationValues. Keys without a value (unset options,
    such as CNI settings left to the add-on's default) are left out unless --all is given.
    """
    from ekslab.lab import load_config
    from ekslab.lab.effective import effective_document

    document = effective_document(load_config(file))
    hidden = 0
    if not show_all:
        document, hidden = _without_unset(document)
    if output == "json":
        click.echo(json.dumps(document, indent=2))
    else:
        import yaml

        click.echo(yaml.safe_dump(document, sort_keys=False, default_flow_style=False).rstrip())
        if hidden:
            click.echo(f"# {hidden} unset key{'s' if hidden != 1 else ''} not shown; --all lists them")


def _without_unset(value: Any) -> tuple[Any, int]:
    """``value`` without the mapping keys whose value is null, at any depth, and how many were left out."""
    if isinstance(value, dict):
        kept, hidden = {}, 0
        for key, item in value.items():
            if item is None:
                hidden += 1
                continue
            kept[key], inner = _without_unset(item)
            hidden += inner
        return kept, hidden
    if isinstance(value, list):
        items = [_without_unset(item) for item in value]
        return [item for item, _ in items], sum(inner for _, inner in items)
    return value, 0
