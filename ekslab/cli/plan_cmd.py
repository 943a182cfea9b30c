"""``ekslab plan max-pods|capacity|refresh-limits``: IP capacity planning for the VPC CNI.

Tables on a terminal, plain aligned text otherwise, ``--output json`` for scripts (keys are stable).
See docs/capacity.md for how every number is computed.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from ekslab.cli.output import cell, echo_json, echo_prose, print_figures
from ekslab.errors import EXIT_FAILED

if TYPE_CHECKING:
    from ekslab.capacity import CapacityPlan, NodePool
    from ekslab.limits import InstanceTypeLimits, MaxPods

_OUTPUT = click.option(
    "--output",
    "-o",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)


@click.group()
def plan() -> None:
    """Plan IP capacity: max pods per instance type, warm pools and subnet headroom per AZ."""


# --- max-pods ------------------------------------------------------------------------------------


def _cni_version(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from ekslab.errors import InputError
    from ekslab.limits import parse_cni_version

    if value is not None:
        try:
            parse_cni_version(value)
        except InputError as error:
            raise click.BadParameter(f"{error.rule}, got {value!r}") from None
    return value


@plan.command("max-pods")
@click.option("--instance-type", "-t", "type_name", required=True, help="EC2 instance type, e.g. m5.large.")
@click.option("--prefix-delegation", is_flag=True, help="ENABLE_PREFIX_DELEGATION=true (Nitro types only).")
@click.option("--custom-networking", is_flag=True, help="Custom networking: the primary ENI carries no pods.")
@click.option("--max-eni", type=click.IntRange(min=1), help="The CNI's MAX_ENI.")
@click.option(
    "--cni-version",
    callback=_cni_version,
    help="VPC CNI version (prefix delegation needs 1.9+). Default: a current CNI.",
)
@_OUTPUT
def max_pods_command(
    type_name: str,
    prefix_delegation: bool,
    custom_networking: bool,
    max_eni: int | None,
    cni_version: str | None,
    output: str,
) -> None:
    """Max pods of an instance type, as the EKS AMI computes it.

    ENIs x (IPv4 per ENI - 1) + 2 with secondary IPs; ENIs x ((IPv4 per ENI - 1) x 16) + 2 with
    prefix delegation; one ENI fewer with custom networking; MAX_ENI caps the ENIs. The
    recommended value (max_pods) is capped at 110 for 30 vCPUs or fewer and 250 above, when the
    vCPU count is known; max_pods_uncapped is what the ENIs allow.
    """
    from ekslab.errors import InputError
    from ekslab.limits import instance_type, is_nitro, max_pods

    try:
        limits = instance_type(type_name)
    except InputError as error:
        raise InputError("--instance-type", error.rule, type_name, hint=error.hint) from None
    result = max_pods(
        limits,
        prefix_delegation=prefix_delegation,
        custom_networking=custom_networking,
        max_eni=max_eni,
        cni_version=cni_version,
    )
    document = _max_pods_document(limits, result, prefix_delegation, max_eni, cni_version, is_nitro(limits))
    if output == "json":
        echo_json(document)
        return
    rows = [(key.replace("_", " "), cell(value)) for key, value in document.items() if key != "notes"]
    print_figures(f"Max pods: {type_name}", ("", "value"), rows, right=("value",))
    for note in result.notes:
        click.echo(f"note: {note}")


def _max_pods_document(
    limits: InstanceTypeLimits,
    result: MaxPods,
    requested: bool,
    max_eni: int | None,
    cni_version: str | None,
    nitro: bool,
) -> dict[str, Any]:
    return {
        "instance_type": limits.name,
        "hypervisor": limits.hypervisor,
        "nitro": nitro,
        "vcpus": limits.vcpus,
        "enis": limits.enis,
        "ipv4_per_eni": limits.ipv4_per_eni,
        "max_eni": max_eni,
        "cni_version": cni_version,
        "custom_networking": result.custom_networking,
        "prefix_delegation_requested": requested,
        "prefix_delegation": result.prefix_delegation,
        "enis_for_pods": result.enis_for_pods,
        "formula": result.formula,
        "max_pods_uncapped": result.max_pods_uncapped,
        "cap": result.cap,
        "max_pods": result.max_pods,
        "notes": list(result.notes),
    }


# --- capacity ------------------------------------------------------------------------------------


@plan.command("capacity")
@click.option(
    "--config",
    "-c",
    "config_file",
    type=click.Path(dir_okay=False),
    help="Lab configuration file. Default: the default lab.",
)
@_OUTPUT
def capacity_command(config_file: str | None, output: str) -> None:
    """Per AZ: nodes at max size, addresses held by warm pools and at full pod density, free
    addresses (AWS reserves 5 per subnet) and headroom; with prefix delegation, whether the subnet
    can still supply whole /28 blocks.

    \b
    Node groups, per node:
      max pods        kubelet's max pods (the EKS formula, as `plan max-pods`)
      pods at full    pods that get an address from the ENIs ipamd manages, all
                      of them full; below max pods when the trunk ENI (security
                      groups for pods) or MAX_ENI keeps ENIs from ipamd, or the
                      addresses run out first (branch ENI pods are not counted)
      addresses idle  IPv4 addresses the node takes from subnets without pods
      addresses full  the same at full pod density
    Subnets, node groups at max size:
      free            usable addresses (the CIDR minus the 5 AWS reserves)
      nodes           nodes in the subnet
      warm pools      addresses the idle nodes hold (node IPs, warm pools)
      full density    addresses at full pod density
      headroom, %     free minus full density, and its share of free

    Exits 1 when a subnet cannot hold the warm pools of its nodes at max size (the same check that
    fails synth); warnings (under 20% headroom) are printed and do not change the exit code.
    """
    from ekslab.capacity import plan_capacity
    from ekslab.capacity.guard import check_capacity
    from ekslab.config.findings import Findings
    from ekslab.errors import InputError
    from ekslab.lab import load_config

    source = config_file or "default lab"
    config = load_config(config_file, capacity=False)
    try:
        capacity = plan_capacity(config)
    except InputError as error:
        raise error.located(source) from None
    findings = Findings()
    check_capacity(config, findings)
    errors = [problem.located(source).message for problem in findings.errors]
    warnings = [warning.located(source).message for warning in findings.warnings]
    if output == "json":
        document = _capacity_document(config.lab.name, source, capacity)
        echo_json({**document, "errors": errors, "warnings": warnings})
    else:
        _print_capacity(config.lab.name, capacity)
        for message in errors:
            click.echo(f"ekslab: error: {message}", err=True)
        for message in warnings:
            click.echo(f"ekslab: warning: {message}", err=True)
    if errors:
        sys.exit(EXIT_FAILED)


def _pool_document(pool: NodePool) -> dict[str, Any]:
    return {
        "instance_type": pool.instance_type,
        "pods": pool.pods,
        "pods_placed": pool.pods_placed,
        "prefix_delegation": pool.prefix_delegation,
        "enis": pool.enis,
        "eni_slots": list(pool.eni_slots),
        "trunk_eni": pool.trunk_eni,
        "secondary_ips": pool.secondary_ips,
        "prefixes": pool.prefixes,
        "pool_addresses": pool.pool_addresses,
        "available": pool.available,
        "node_subnet_addresses": pool.node_subnet_addresses,
        "pod_subnet_addresses": pool.pod_subnet_addresses,
    }


def _capacity_document(lab: str, source: str, capacity: CapacityPlan) -> dict[str, Any]:
    settings = capacity.settings
    return {
        "lab": lab,
        "config": source,
        "settings": {
            "ENABLE_PREFIX_DELEGATION": settings.prefix_delegation,
            "WARM_ENI_TARGET": settings.warm_eni_target,
            "WARM_IP_TARGET": settings.warm_ip_target,
            "MINIMUM_IP_TARGET": settings.minimum_ip_target,
            "WARM_PREFIX_TARGET": settings.warm_prefix_target,
            "MAX_ENI": settings.max_eni,
            "ENABLE_POD_ENI": settings.pod_eni,
            "custom_networking": settings.custom_networking,
            "ipv6": settings.ipv6,
        },
        "node_groups": [
            {
                "name": group.name,
                "availability_zones": list(group.availability_zones),
                "max_size": group.max_size,
                "nodes_per_az_at_max": group.nodes_per_az,
                "kubelet_max_pods": group.kubelet_max_pods,
                "idle": _pool_document(group.idle),
                "full_density": _pool_document(group.full),
            }
            for group in capacity.groups
        ],
        "subnets": [
            {
                "availability_zone": subnet.availability_zone,
                "tier": subnet.tier.value,
                "cidr": str(subnet.cidr),
                "free_addresses": subnet.free_addresses,
                "nodes_at_max": subnet.nodes_at_max,
                "warm_pool_addresses": subnet.warm_pool_addresses,
                "full_density_addresses": subnet.full_density_addresses,
                "headroom": subnet.headroom,
                "headroom_percent": round(100 * subnet.headroom_ratio, 1),
                "prefixes_at_full_density": subnet.prefixes_at_full,
                "prefix_blocks_free_worst_case": subnet.prefix_blocks_free_worst_case,
                "contiguous_prefixes_ok": subnet.contiguous_prefixes_ok,
            }
            for subnet in capacity.subnets
        ],
    }


def _fewer_pods_note(group: Any, settings: Any) -> str:
    """Why a node group's pods at full density are fewer than its max pods."""
    full = group.full
    if full.trunk_eni:
        because = "the trunk ENI of security groups for pods takes one of its ENIs from ipamd"
    elif settings.max_eni is not None:
        because = f"MAX_ENI {settings.max_eni} limits the ENIs ipamd attaches"
    else:
        because = "its ENIs run out of addresses first"
    return (
        f"{group.name}: pods at full ({full.pods_placed}) is below max pods ({group.kubelet_max_pods}): "
        f"{because}; pods with a branch ENI are not counted (see ekslab plan capacity --help)"
    )


def _print_capacity(lab: str, capacity: CapacityPlan) -> None:
    group_rows = [
        (
            group.name,
            group.full.instance_type,
            group.nodes_per_az,
            group.kubelet_max_pods,
            group.full.pods_placed,
            group.idle.subnet_addresses,
            group.full.subnet_addresses,
        )
        for group in capacity.groups
    ]
    group_columns = (
        "node group",
        "instance\ntype",
        "nodes/AZ\nat max",
        "max\npods",
        "pods at\nfull",
        "addresses\nidle",
        "addresses\nfull",
    )
    print_figures(f"Node groups of lab {lab} (per node)", group_columns, group_rows, right=group_columns[2:])
    for group in capacity.groups:
        if group.full.pods_placed < group.kubelet_max_pods:
            echo_prose(f"note: {_fewer_pods_note(group, capacity.settings)}")
    columns = ("AZ", "subnet", "free", "nodes", "warm\npools", "full\ndensity", "headroom", "%")
    rows = [
        (
            subnet.availability_zone,
            f"{subnet.tier.value}\n{subnet.cidr}",
            subnet.free_addresses,
            subnet.nodes_at_max,
            subnet.warm_pool_addresses,
            subnet.full_density_addresses,
            subnet.headroom,
            f"{100 * subnet.headroom_ratio:.1f}",
        )
        for subnet in capacity.subnets
    ]
    print_figures("Subnets per AZ (node groups at max size)", columns, rows, right=columns[2:])
    prefixed = [subnet for subnet in capacity.subnets if subnet.prefixes_at_full is not None]
    if prefixed:
        columns = ("AZ", "subnet", "/28 needed\nat full", "/28 free\n(worst case)", "contiguous\n/28 ok")
        rows = [
            (
                subnet.availability_zone,
                f"{subnet.tier.value}\n{subnet.cidr}",
                subnet.prefixes_at_full,
                subnet.prefix_blocks_free_worst_case,
                subnet.contiguous_prefixes_ok,
            )
            for subnet in prefixed
        ]
        print_figures("Prefix delegation: whole /28 blocks per subnet", columns, rows, right=columns[2:4])


# --- refresh-limits ------------------------------------------------------------------------------


@plan.command("refresh-limits")
@click.option(
    "--region",
    "regions",
    multiple=True,
    required=True,
    help="Region to describe instance types in (repeatable).",
)
@click.option(
    "--output-file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Where to write the table. Default: the table shipped in the ekslab package.",
)
def refresh_limits_command(regions: tuple[str, ...], output_file: str | None) -> None:
    """Regenerate the ENI limits table from EC2 DescribeInstanceTypes (needs AWS credentials).

    Rows are built as the VPC CNI's own generator builds them; trunking and branch-interface
    counts, which EC2 does not report, are carried over; types the regions do not offer are kept.
    The file is written atomically (temporary file, then rename).
    """
    from rich.console import Console

    from ekslab.files import check_output_file
    from ekslab.limits.table import LIMITS_FILE, data_path, default_table, write_table

    target = output_file or str(data_path(LIMITS_FILE))
    check_output_file(target, source=f"--output-file {target}")  # before the long EC2 run, not after it
    console = Console(stderr=True)
    counted: dict[str, int] = {}

    def progress(region: str, types: int) -> None:
        counted[region] = counted.get(region, 0) + types
        status.update(f"Describing instance types in {region}: {counted[region]} so far")

    status = console.status("Describing instance types")
    with status if console.is_terminal else contextlib.nullcontext():
        result = _refresh(regions, progress)
    write_table(target, result.table, source=f"--output-file {target}")
    default_table.cache_clear()
    click.echo(
        f"wrote {len(result.table.types)} instance types to {target}: {result.described} described in "
        f"{', '.join(result.regions)}, {len(result.added)} added, {len(result.changed)} changed, "
        f"{len(result.kept)} kept from the previous table"
    )


def _refresh(regions: Sequence[str], progress: Any) -> Any:
    from botocore.exceptions import BotoCoreError, ClientError

    from ekslab.aws.problems import setup_problem
    from ekslab.errors import InputError
    from ekslab.limits.refresh import refresh_table
    from ekslab.limits.table import default_table

    try:
        return refresh_table(default_table(), regions, on_page=progress)
    except ClientError as error:
        details = error.response.get("Error", {})
        raise InputError(
            "EC2 DescribeInstanceTypes",
            f"failed with {details.get('Code', 'an error')}",
            details.get("Message", str(error)),
        ) from None
    except BotoCoreError as error:
        raise setup_problem(error) or InputError("EC2 DescribeInstanceTypes", "failed", str(error)) from None
