"""The preflight checks: pure judgements of what the read-only calls answered (``answers.Answers``).

Each check returns ``pass``, ``warn`` (deploy works, but read the detail), ``fail`` (the deploy would
fail or cost more than intended; the fix says what to do) or ``not-checked`` (a call failed or was
not allowed). Check names are stable; scripts and the JUnit report use them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from ekslab.config.defaults import STACK_PARTS, stack_name
from ekslab.config.model import LabConfig
from ekslab.preflight.answers import Answers
from ekslab.preflight.quotas import (
    ON_DEMAND_VCPUS,
    QUOTAS,
    LabNeeds,
    labs_that_fit,
    quota_facts,
)

PASS: Final = "pass"
WARN: Final = "warn"
FAIL: Final = "fail"
NOT_CHECKED: Final = "not-checked"

BOOTSTRAP_STACK: Final = "CDKToolkit"
MIN_BOOTSTRAP_VERSION: Final = 6
"""The bootstrap version the lab's synthesized stacks require (``requiresBootstrapStackVersion`` in
cdk.out/manifest.json from aws-cdk-lib 2.275.0's DefaultStackSynthesizer; a test keeps them equal)."""

FAILED_STACK_STATES: Final = frozenset(
    {
        "CREATE_FAILED",
        "ROLLBACK_COMPLETE",
        "ROLLBACK_FAILED",
        "DELETE_FAILED",
        "UPDATE_ROLLBACK_FAILED",
        "IMPORT_ROLLBACK_FAILED",
    }
)
"""CloudFormation states a deploy cannot update from (ROLLBACK_COMPLETE must be deleted first).
See https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/troubleshooting.html"""


@dataclass(frozen=True)
class PreflightCheck:
    name: str
    result: str
    detail: str
    fix: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "check": self.name,
            "result": self.result,
            "detail": self.detail,
            "fix": self.fix,
            **self.data,
        }


@dataclass(frozen=True)
class Context:
    """What the checks judge the answers against."""

    config: LabConfig
    source: str
    labs: int
    needs: LabNeeds
    addon_versions: dict[str, str] | None
    """The lab's add-on versions; None when a pin is missing (the config rules refuse the lab)."""
    today: dt.date


def _not_checked(name: str, answers: Answers, *keys: str) -> PreflightCheck:
    reasons = [answers.problems[key] for key in keys if key in answers.problems]
    return PreflightCheck(name, NOT_CHECKED, "; ".join(reasons) or "the answer was not read")


def check_account(context: Context, answers: Answers) -> PreflightCheck:
    wanted = context.config.account
    if answers.account is None:
        return _not_checked("account", answers, "caller")
    detail = f"credentials of {answers.caller_arn} in account {answers.account}"
    if wanted and wanted != answers.account:
        return PreflightCheck(
            "account",
            FAIL,
            f"{detail}, but {context.source} sets account: {wanted}",
            "use credentials of account " + wanted + " (AWS_PROFILE), or change account: in the config",
        )
    return PreflightCheck("account", PASS, detail + (" (matches account:)" if wanted else ""))


def check_availability_zones(context: Context, answers: Answers) -> PreflightCheck:
    region = context.config.region
    if not answers.region_known:
        return PreflightCheck(
            "availability-zones",
            FAIL,
            f"region {region} is not an AWS region botocore knows",
            "set region: to a region such as ap-northeast-2",
        )
    if answers.zones is None:
        return _not_checked("availability-zones", answers, "zones")
    available = {zone.name: zone for zone in answers.zones if zone.state == "available"}
    wanted = context.config.network.availability_zones
    missing = [name for name in wanted if name not in available]
    ids = ", ".join(f"{name}={available[name].zone_id}" for name in wanted if name in available)
    if missing:
        offered = sorted(name for name, zone in available.items() if zone.zone_type == "availability-zone")
        return PreflightCheck(
            "availability-zones",
            FAIL,
            f"{', '.join(missing)} not available in {region}" + (f" (found {ids})" if ids else ""),
            f"set network.availabilityZones to three of {', '.join(offered)}",
            {"zone_ids": {name: available[name].zone_id for name in wanted if name in available}},
        )
    return PreflightCheck(
        "availability-zones",
        PASS,
        f"{ids} in {region}",
        data={"zone_ids": {name: available[name].zone_id for name in wanted}},
    )


def check_instance_types(context: Context, answers: Answers) -> PreflightCheck:
    if answers.offerings is None:
        return _not_checked("instance-types", answers, "offerings")
    problems: list[str] = []
    fixes: list[str] = []
    for index, group in enumerate(context.config.node_groups):
        zones = context.config.node_group_azs(group)
        for name in group.instance_types:
            offered = answers.offerings.get(name, set())
            absent = [zone for zone in zones if zone not in offered]
            if absent:
                problems.append(
                    f"nodeGroups[{index}] ({group.name}): {name} not offered in {', '.join(absent)}"
                )
        working = sorted(
            set.intersection(*(answers.offerings.get(name, set()) for name in group.instance_types))
        )
        if any(zone not in working for zone in zones):
            fixes.append(
                f"nodeGroups[{index}]: AZs offering all of {', '.join(group.instance_types)}: "
                f"{', '.join(working) or 'none'}"
            )
    if problems:
        return PreflightCheck("instance-types", FAIL, "; ".join(problems), "; ".join(fixes))
    count = sum(len(group.instance_types) for group in context.config.node_groups)
    return PreflightCheck(
        "instance-types", PASS, f"{count} instance types offered in every AZ of their node group"
    )


def check_addon_versions(context: Context, answers: Answers) -> PreflightCheck:
    kubernetes = context.config.cluster.kubernetes_version
    if context.addon_versions is None:
        return PreflightCheck(
            "addon-versions",
            FAIL,
            f"no pinned add-on versions for Kubernetes {kubernetes}",
            f"ekslab addons refresh --region {context.config.region} --kubernetes-version {kubernetes}",
        )
    if answers.addon_versions is None:
        return _not_checked("addon-versions", answers, "addon_versions")
    problems = []
    for addon, version in context.addon_versions.items():
        offered = answers.addon_versions.get((addon, kubernetes), ())
        if version not in offered:
            newest = f"; EKS offers {', '.join(offered[:3])}" if offered else "; EKS offers none"
            problems.append(f"{addon} {version} is not offered for Kubernetes {kubernetes}{newest}")
    if problems:
        return PreflightCheck(
            "addon-versions",
            FAIL,
            "; ".join(problems),
            f"ekslab addons refresh --region {context.config.region} --kubernetes-version {kubernetes}, "
            "or set addons.<name>.version to an offered version",
        )
    return PreflightCheck(
        "addon-versions",
        PASS,
        ", ".join(f"{addon} {version}" for addon, version in context.addon_versions.items())
        + f" offered for Kubernetes {kubernetes}",
    )


def check_kubernetes_version(context: Context, answers: Answers) -> PreflightCheck:
    from ekslab.cni.versions import support_window

    version = context.config.cluster.kubernetes_version
    newer = "set cluster.kubernetesVersion to a version in standard support"
    if answers.cluster_versions is not None:
        offered = answers.cluster_versions.get(version)
        if offered is None:
            return PreflightCheck(
                "kubernetes-version",
                FAIL,
                f"EKS in {context.config.region} does not offer Kubernetes {version} "
                f"(offers {', '.join(sorted(answers.cluster_versions)) or 'none'})",
                newer,
            )
        if offered.status == "STANDARD_SUPPORT":
            return PreflightCheck("kubernetes-version", PASS, f"{version} is in standard support")
        end = (
            f" (standard support ended {offered.end_of_standard_support})"
            if offered.end_of_standard_support
            else ""
        )
        return PreflightCheck(
            "kubernetes-version",
            WARN,
            f"{version} is in {offered.status.lower().replace('_', ' ')}{end}: billed at the extended-support rate",
            newer,
        )
    window = support_window(version)
    reason = answers.problems.get("cluster_versions", "eks:DescribeClusterVersions was not read")
    if window.end_of_standard_support is None:
        return PreflightCheck(
            "kubernetes-version",
            NOT_CHECKED,
            f"{reason}; and no EKS support dates for {version} were found for the pin file",
        )
    if context.today >= window.end_of_standard_support:
        return PreflightCheck(
            "kubernetes-version",
            WARN,
            f"{version} is in extended support since {window.end_of_standard_support} (pin file; {reason})",
            newer,
        )
    return PreflightCheck(
        "kubernetes-version",
        PASS,
        f"{version} is in standard support until {window.end_of_standard_support} (pin file; {reason})",
    )


def _increase(region: str, key: str, value: int) -> str:
    facts = quota_facts()[key]
    return (
        f"aws service-quotas request-service-quota-increase --region {region} --service-code "
        f"{facts.service_code} --quota-code {facts.quota_code} --desired-value {value}"
    )


def check_quota(context: Context, answers: Answers, key: str) -> PreflightCheck:
    name = f"quota-{key}"
    facts = quota_facts()[key]
    quota = answers.quotas.get(key)
    used = answers.usage.get(key)
    needs = context.needs
    if quota is None or used is None:
        return _not_checked(name, answers, f"quota:{key}", f"usage:{key}")
    region = context.config.region
    note = f" ({quota.note})" if quota.note else ""
    if key == ON_DEMAND_VCPUS and needs.on_demand_vcpus is None:
        return PreflightCheck(
            name,
            NOT_CHECKED,
            f"vCPUs unknown for {', '.join(needs.unknown_vcpu_types)} (not in the ENI limits table)",
        )
    if facts.per_az:
        assert isinstance(used, dict)
        zones = sorted(set(used) | set(needs.nat_gateways_per_az))
        short = {
            zone: used.get(zone, 0) + needs.nat_gateways_per_az.get(zone, 0)
            for zone in zones
            if used.get(zone, 0) + needs.nat_gateways_per_az.get(zone, 0) > quota.value
        }
        detail = (
            f"limit {quota.value:g} per AZ ({quota.source}{note}); in use "
            + (", ".join(f"{zone} {used.get(zone, 0)}" for zone in zones) or "none")
            + f"; {needs.labs} lab(s) add "
            + (", ".join(f"{zone} {count}" for zone, count in needs.nat_gateways_per_az.items()) or "none")
        )
        if short:
            return PreflightCheck(
                name, FAIL, detail, _increase(region, key, max(short.values())), {"short_by_az": short}
            )
        return PreflightCheck(name, WARN if quota.source == "documented-default" else PASS, detail)
    assert isinstance(used, int)
    need = needs.total(key) or 0
    per_lab = need // needs.labs if needs.labs else 0
    fit = labs_that_fit(quota.value, used, per_lab)
    detail = (
        f"limit {quota.value:g} ({quota.source}{note}), in use {used}, {needs.labs} lab(s) need {need}"
        + (f"; {fit} lab(s) of this config fit" if fit is not None else "")
    )
    data = {"limit": quota.value, "used": used, "needed": need, "labs_that_fit": fit, "source": quota.source}
    if used + need > quota.value:
        return PreflightCheck(name, FAIL, detail, _increase(region, key, used + need), data)
    return PreflightCheck(name, WARN if quota.source == "documented-default" else PASS, detail, data=data)


def check_bootstrap(context: Context, answers: Answers) -> PreflightCheck:
    region = context.config.region
    fix = f"make bootstrap (cdk bootstrap aws://{answers.account or 'ACCOUNT'}/{region})"
    if not answers.bootstrap_read:
        return _not_checked("cdk-bootstrap", answers, "bootstrap")
    stack = answers.bootstrap
    if stack is None:
        return PreflightCheck("cdk-bootstrap", FAIL, f"no {BOOTSTRAP_STACK} stack in {region}", fix)
    if stack.status in FAILED_STACK_STATES or stack.status.endswith("_IN_PROGRESS"):
        return PreflightCheck("cdk-bootstrap", FAIL, f"{BOOTSTRAP_STACK} is {stack.status}", fix)
    if stack.version is None or stack.version < MIN_BOOTSTRAP_VERSION:
        return PreflightCheck(
            "cdk-bootstrap",
            FAIL,
            f"{BOOTSTRAP_STACK} BootstrapVersion is {stack.version if stack.version is not None else 'missing'}, "
            f"the lab needs {MIN_BOOTSTRAP_VERSION} or later",
            fix,
        )
    return PreflightCheck(
        "cdk-bootstrap", PASS, f"{BOOTSTRAP_STACK} BootstrapVersion {stack.version} ({stack.status})"
    )


def lab_stack_names(config: LabConfig) -> tuple[str, ...]:
    return tuple(stack_name(config.lab.name, part) for part in STACK_PARTS)


def check_lab_stacks(context: Context, answers: Answers) -> PreflightCheck:
    if answers.lab_stacks is None:
        return _not_checked("lab-stacks", answers, "lab_stacks")
    failed = {name: status for name, status in answers.lab_stacks.items() if status in FAILED_STACK_STATES}
    busy = {name: status for name, status in answers.lab_stacks.items() if status.endswith("_IN_PROGRESS")}
    if failed:
        return PreflightCheck(
            "lab-stacks",
            FAIL,
            ", ".join(f"{name} is {status}" for name, status in failed.items()),
            "; ".join(f"aws cloudformation delete-stack --stack-name {name}" for name in failed)
            + " (or make destroy), then deploy again",
        )
    if busy:
        return PreflightCheck(
            "lab-stacks",
            WARN,
            ", ".join(f"{name} is {status}" for name, status in busy.items()),
            "wait for the operation to finish",
        )
    existing = ", ".join(f"{name} ({status})" for name, status in answers.lab_stacks.items())
    return PreflightCheck(
        "lab-stacks",
        PASS,
        f"existing stacks will be updated: {existing}" if existing else "no lab stacks yet",
    )


CHECKS: Final[tuple[Callable[[Context, Answers], PreflightCheck], ...]] = (
    check_account,
    check_availability_zones,
    check_instance_types,
    check_addon_versions,
    check_kubernetes_version,
    *(lambda context, answers, key=key: check_quota(context, answers, key) for key in QUOTAS),
    check_bootstrap,
    check_lab_stacks,
)


def run_checks(context: Context, answers: Answers) -> list[PreflightCheck]:
    return [check(context, answers) for check in CHECKS]


def exit_code(checks: Iterable[PreflightCheck]) -> int:
    """0 every check passed (warnings allowed), 1 a check failed, 3 a check could not be made."""
    results = {check.result for check in checks}
    if FAIL in results:
        return 1
    if NOT_CHECKED in results:
        return 3
    return 0
