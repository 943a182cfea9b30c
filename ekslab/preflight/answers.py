"""What the read-only preflight calls answered, as plain records the checks judge.

A field left ``None`` with a ``problems`` entry means the call failed or was not allowed; the check
that needs it reports ``not-checked`` with that reason (exit 3), never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Zone:
    name: str
    zone_id: str
    state: str
    zone_type: str


@dataclass(frozen=True)
class QuotaValue:
    value: float
    source: str
    """``applied`` (GetServiceQuota), ``aws-default`` (GetAWSDefaultServiceQuota) or ``documented-default``."""
    note: str = ""


@dataclass(frozen=True)
class BootstrapStack:
    name: str
    status: str
    version: int | None


@dataclass(frozen=True)
class ClusterVersion:
    kubernetes_version: str
    status: str
    end_of_standard_support: str | None


@dataclass
class Answers:
    region: str
    region_known: bool
    """Whether botocore's endpoint data knows the region name."""
    account: str | None = None
    caller_arn: str | None = None
    zones: list[Zone] | None = None
    offerings: dict[str, set[str]] | None = None
    """Instance type -> AZ names offering it (DescribeInstanceTypeOfferings by availability-zone)."""
    addon_versions: dict[tuple[str, str], tuple[str, ...]] | None = None
    """(add-on, Kubernetes version) -> versions EKS offers."""
    cluster_versions: dict[str, ClusterVersion] | None = None
    quotas: dict[str, QuotaValue | None] = field(default_factory=dict)
    usage: dict[str, int | dict[str, int] | None] = field(default_factory=dict)
    bootstrap: BootstrapStack | None = None
    bootstrap_read: bool = False
    """True once DescribeStacks answered for the bootstrap stack (found or not)."""
    lab_stacks: dict[str, str] | None = None
    """Stack name -> status, for the lab's stacks that exist."""
    problems: dict[str, str] = field(default_factory=dict)
    """What could not be read, by answer name (e.g. ``zones``, ``quota:vpcs``)."""
