"""The preflight checks as pure judgements of recorded answers (no AWS): results, fixes, exit codes."""

from __future__ import annotations

import datetime as dt

import pytest

from ekslab.config.loader import parse_config
from ekslab.preflight.answers import Answers, BootstrapStack, QuotaValue, Zone
from ekslab.preflight.checks import (
    FAIL,
    NOT_CHECKED,
    PASS,
    WARN,
    Context,
    PreflightCheck,
    check_account,
    check_availability_zones,
    check_kubernetes_version,
    check_quota,
    exit_code,
    run_checks,
)
from ekslab.preflight.quotas import lab_needs

ZONES = ["ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c"]


def _context(
    document: dict | None = None, *, labs: int = 1, today: dt.date = dt.date(2026, 12, 2)
) -> Context:
    config = parse_config(document or {}, source="lab.yaml")
    return Context(
        config=config,
        source="lab.yaml",
        labs=labs,
        needs=lab_needs(config, labs, {"m5.large": 2}.get),
        addon_versions={"vpc-cni": "v1.22.4-eksbuild.3"},
        today=today,
    )


def _answers(**fields) -> Answers:
    return Answers(**{"region": "ap-northeast-2", "region_known": True, **fields})


def _all_good() -> Answers:
    return _answers(
        account="111122223333",
        caller_arn="arn:aws:iam::111122223333:user/alice",
        zones=[
            Zone(name, f"apne2-az{i}", "available", "availability-zone") for i, name in enumerate(ZONES, 1)
        ],
        offerings={"m5.large": set(ZONES)},
        addon_versions={("vpc-cni", "1.36"): ("v1.22.4-eksbuild.3",)},
        cluster_versions=None,
        quotas={
            key: QuotaValue(100, "applied")
            for key in (
                "vpcs",
                "internet-gateways",
                "nat-gateways",
                "elastic-ips",
                "eks-clusters",
                "on-demand-vcpus",
            )
        },
        usage={
            "vpcs": 1,
            "internet-gateways": 1,
            "nat-gateways": {},
            "elastic-ips": 0,
            "eks-clusters": 0,
            "on-demand-vcpus": 0,
        },
        bootstrap=BootstrapStack("CDKToolkit", "UPDATE_COMPLETE", 30),
        bootstrap_read=True,
        lab_stacks={},
        problems={"cluster_versions": "DescribeClusterVersions failed with AccessDeniedException"},
    )


def test_every_check_passing_exits_0() -> None:
    checks = run_checks(_context(), _all_good())
    # 1.36 has no support dates in the pin file and DescribeClusterVersions was denied: not checked
    assert {check.name: check.result for check in checks if check.result != PASS} == {
        "kubernetes-version": NOT_CHECKED
    }
    passing = [check for check in checks if check.name != "kubernetes-version"]
    assert exit_code(passing) == 0


@pytest.mark.parametrize(
    ("results", "code"),
    [((PASS, WARN), 0), ((PASS, NOT_CHECKED), 3), ((NOT_CHECKED, FAIL), 1), ((FAIL, PASS), 1)],
)
def test_exit_codes(results: tuple[str, ...], code: int) -> None:
    assert exit_code([PreflightCheck(f"c{i}", result, "") for i, result in enumerate(results)]) == code


def test_a_different_account_than_the_config_fails() -> None:
    check = check_account(_context({"account": "444455556666"}), _all_good())
    assert (check.result, check.detail) == (
        FAIL,
        "credentials of arn:aws:iam::111122223333:user/alice in account 111122223333, but lab.yaml sets "
        "account: 444455556666",
    )


def test_a_missing_az_fails_listing_the_region_zones() -> None:
    answers = _all_good()
    answers.zones = [
        *answers.zones[:2],
        Zone("ap-northeast-2d", "apne2-az4", "available", "availability-zone"),
    ]
    check = check_availability_zones(_context(), answers)
    assert (check.result, check.fix) == (
        FAIL,
        "set network.availabilityZones to three of ap-northeast-2a, ap-northeast-2b, ap-northeast-2d",
    )
    assert check.detail.startswith("ap-northeast-2c not available in ap-northeast-2")


def test_an_unknown_region_fails() -> None:
    answers = _answers(region_known=False)
    check = check_availability_zones(_context(), answers)
    assert (check.result, check.detail) == (FAIL, "region ap-northeast-2 is not an AWS region botocore knows")


@pytest.mark.parametrize(
    ("nat", "used", "result"),
    [
        ("single", {"ap-northeast-2a": 4}, FAIL),  # 4 + 1 lab in the first AZ > 4
        ("single", {"ap-northeast-2b": 4}, PASS),  # the single NAT goes to the first AZ only
        ("perAz", {"ap-northeast-2c": 4}, FAIL),
        ("perAz", {"ap-northeast-2c": 3}, PASS),
    ],
)
def test_nat_gateways_per_az(nat: str, used: dict[str, int], result: str) -> None:
    answers = _all_good()
    answers.quotas["nat-gateways"] = QuotaValue(4, "applied")
    answers.usage["nat-gateways"] = used
    check = check_quota(
        _context({"network": {"natGateways": nat, "availabilityZones": ZONES}}), answers, "nat-gateways"
    )
    assert check.result == result


def test_elastic_ips_for_ten_per_az_labs_fail_with_the_value_to_request() -> None:
    # GIVEN 10 perAz labs (30 NAT gateways, 30 EIPs) and the documented default of 5 EIPs
    answers = _all_good()
    answers.quotas["elastic-ips"] = QuotaValue(5, "documented-default", "Service Quotas not allowed")
    check = check_quota(_context({"network": {"natGateways": "perAz"}}, labs=10), answers, "elastic-ips")
    assert check.result == FAIL
    assert check.data["needed"] == 30 and check.data["labs_that_fit"] == 1
    assert check.fix.endswith("--service-code ec2 --quota-code L-0263D0A3 --desired-value 30")


def test_a_documented_default_that_fits_is_a_warning_saying_so() -> None:
    answers = _all_good()
    answers.quotas["vpcs"] = QuotaValue(
        5, "documented-default", "Service Quotas not allowed (AccessDeniedException)"
    )
    check = check_quota(_context(), answers, "vpcs")
    assert check.result == WARN
    assert "documented-default" in check.detail and "not allowed" in check.detail


def test_vcpus_for_three_labs_at_max_size() -> None:
    # GIVEN the default group (m5.large, 2 vCPUs, max 6) and 30 vCPUs of quota with 4 in use
    answers = _all_good()
    answers.quotas["on-demand-vcpus"] = QuotaValue(30, "applied")
    answers.usage["on-demand-vcpus"] = 4
    check = check_quota(_context(labs=3), answers, "on-demand-vcpus")
    # THEN 3 x 6 x 2 = 36 > 26 free
    assert (check.result, check.data["needed"], check.data["labs_that_fit"]) == (FAIL, 36, 2)


def test_kubernetes_version_falls_back_to_the_pin_file_dates() -> None:
    context = _context({"cluster": {"kubernetesVersion": "1.34"}}, today=dt.date(2026, 12, 2))
    check = check_kubernetes_version(context, _all_good())
    assert check.result == WARN
    assert check.detail.startswith("1.34 is in extended support since 2026-12-02 (pin file;")
