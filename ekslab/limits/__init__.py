"""ENI limits per EC2 instance type, and the max-pods math built on them.

    from ekslab.limits import instance_type, max_pods
    limits = instance_type("m5.large")                 # InputError with close names when unknown
    max_pods(limits, prefix_delegation=True, custom_networking=False, max_eni=None).max_pods   # 110

The table ships in ``ekslab/limits/data/eni-limits.tsv``: extracted from
github.com/aws/amazon-vpc-cni-k8s ``pkg/vpc/vpc_ip_resource_limit.go`` (the VPC CNI's generated
limits, from EC2 DescribeInstanceTypes) at v1.23.1, joined with trunking and branch-interface counts
from github.com/aws/amazon-vpc-resource-controller-k8s ``pkg/aws/vpc/limits.go``; ``SOURCE`` holds
the file's own header. vCPU counts come from ``data/vcpus.tsv`` (see its header).
``ekslab plan refresh-limits`` regenerates the table from DescribeInstanceTypes. Neither file records
the CPU architecture: ``instance_architecture`` reads it from the type's name where that is certain.
"""

from __future__ import annotations

import difflib
from typing import Final

from ekslab.errors import InputError
from ekslab.limits.architecture import ARM64, X86_64, Architecture, instance_architecture
from ekslab.limits.pod_density import (
    HOST_NETWORK_PODS,
    IPS_PER_PREFIX,
    MaxPods,
    is_nitro,
    kubelet_max_pods,
    lab_passes_max_pods,
    max_pods,
    parse_cni_version,
)
from ekslab.limits.table import InstanceTypeLimits, LimitsTable, NetworkCard, default_table

__all__ = [
    "ARM64",
    "HOST_NETWORK_PODS",
    "IPS_PER_PREFIX",
    "X86_64",
    "Architecture",
    "InstanceTypeLimits",
    "LimitsTable",
    "MaxPods",
    "NetworkCard",
    "close_instance_types",
    "instance_architecture",
    "instance_type",
    "instance_types",
    "is_nitro",
    "kubelet_max_pods",
    "lab_passes_max_pods",
    "max_pods",
    "parse_cni_version",
    "source",
    "unknown_instance_type",
]

_CLOSE_MATCHES: Final = 3


def instance_types() -> dict[str, InstanceTypeLimits]:
    """Every instance type of the shipped table, by name."""
    return dict(default_table().types)


def instance_type(name: str) -> InstanceTypeLimits:
    """Limits of one instance type; InputError naming the closest known types when it is unknown."""
    limits = default_table().types.get(name)
    if limits is None:
        raise unknown_instance_type("instance type", name)
    return limits


def unknown_instance_type(where: str, name: str) -> InputError:
    """The error for a name missing from the table, with the closest known names as a hint."""
    close = close_instance_types(name)
    hint = "did you mean " + ", ".join(repr(item) for item in close) + "?" if close else ""
    count = len(default_table().types)
    return InputError(
        where, f"must be an EC2 instance type in the ENI limits table ({count} types)", name, hint=hint
    )


def close_instance_types(name: str) -> list[str]:
    """Up to three known instance type names closest to ``name``."""
    known = default_table().names
    return difflib.get_close_matches(name.strip().lower(), known, n=_CLOSE_MATCHES, cutoff=0.6)


def source() -> tuple[str, ...]:
    """The ``#`` header of the shipped limits file: where its numbers come from."""
    return default_table().source
