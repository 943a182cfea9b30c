"""`ekslab preflight` end to end against real servers on loopback: moto (STS, EC2 zones and instance
type offerings, Service Quotas for VPC quotas, CloudFormation) and the botocore-model EKS endpoint
(tests/sources/fake_eks.py) for DescribeAddonVersions and DescribeClusterVersions, which moto lacks.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml

from ekslab.cli.main import main
from ekslab.cni.versions import ADDONS, pinned_version
from tests.sources.fake_eks import FakeEks, FakeQuotaDefaults, addon_entry, fake_eks, quota_endpoint

REGION = "us-west-2"
ZONES = ["us-west-2a", "us-west-2b", "us-west-2c"]
BOOTSTRAP_TEMPLATE = {
    # What `cdk bootstrap` records the version in (its real template has many more resources).
    "Resources": {
        "CdkBootstrapVersion": {
            "Type": "AWS::SSM::Parameter",
            "Properties": {"Type": "String", "Name": "/cdk-bootstrap/hnb659fds/version", "Value": "21"},
        }
    },
    "Outputs": {"BootstrapVersion": {"Value": "21"}},
}


def _offered_eks(kubernetes: str = "1.36") -> FakeEks:
    """EKS offering every pinned add-on version of ``kubernetes`` (plus a newer default)."""
    addons = {}
    for addon in ADDONS:
        pinned = pinned_version(addon, kubernetes).version
        addons[addon] = [
            addon_entry(f"{pinned}9", cluster_versions={kubernetes: True}),
            addon_entry(pinned, cluster_versions={kubernetes: False}),
        ]
    versions = [
        {"clusterVersion": "1.36", "versionStatus": "STANDARD_SUPPORT", "clusterType": "eks"},
        {
            "clusterVersion": "1.34",
            "versionStatus": "EXTENDED_SUPPORT",
            "clusterType": "eks",
            "endOfStandardSupportDate": dt.datetime(2026, 12, 2, tzinfo=dt.UTC),
        },
    ]
    return FakeEks(addons=addons, cluster_versions=versions)


AWS_DEFAULTS = {"L-0263D0A3": 5.0, "L-1194D53C": 100.0, "L-1216C47A": 32.0}
"""AWS defaults the quota endpoint answers for the EC2 and EKS codes moto's Service Quotas lacks."""


@pytest.fixture
def quotas(moto_aws: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeQuotaDefaults]:
    state = FakeQuotaDefaults(moto_aws, dict(AWS_DEFAULTS))
    with quota_endpoint(state) as url:
        monkeypatch.setenv("AWS_ENDPOINT_URL_SERVICE_QUOTAS", url)
        yield state


@pytest.fixture
def aws(quotas: FakeQuotaDefaults, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeEks]:
    state = _offered_eks()
    with fake_eks(state) as url:
        monkeypatch.setenv("AWS_ENDPOINT_URL_EKS", url)
        yield state


def _lab(tmp_path: Path, **overrides: Any) -> Path:
    document = {
        "lab": {"name": "alice"},
        "region": REGION,
        "network": {"availabilityZones": ZONES},
        **overrides,
    }
    path = tmp_path / "lab.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def _bootstrap(version: str = "21") -> None:
    template = {**BOOTSTRAP_TEMPLATE, "Outputs": {"BootstrapVersion": {"Value": version}}}
    boto3.client("cloudformation", region_name=REGION).create_stack(
        StackName="CDKToolkit", TemplateBody=json.dumps(template)
    )


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    with pytest.raises(SystemExit) as exit_info:
        main(["preflight", *args, "--output", "json"])
    out = capsys.readouterr().out
    return int(exit_info.value.code or 0), json.loads(out)


def _by_name(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {check["check"]: check for check in document["checks"]}


def test_a_bootstrapped_account_passes_what_moto_can_answer(
    aws: FakeEks, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a bootstrapped moto account and EKS offering the pinned add-ons
    _bootstrap()
    # WHEN preflight checks one lab
    code, document = _run(["--config", str(_lab(tmp_path))], capsys)
    checks = _by_name(document)
    # THEN every check passes, with zone ids shown, and exit 0
    assert {name: check["result"] for name, check in checks.items() if check["result"] != "pass"} == {}
    assert set(checks["availability-zones"]["zone_ids"]) == set(ZONES)
    assert (code, document["exit_code"], document["account"]) == (0, 0, "123456789012")
    # AND VPC quotas come from moto's applied values, the others from AWS's defaults
    assert checks["quota-vpcs"]["source"] == "applied"
    assert checks["quota-on-demand-vcpus"]["source"] == "aws-default"
    assert checks["quota-on-demand-vcpus"]["needed"] == 12  # m5.large (2 vCPUs) x maxSize 6


def test_without_service_quotas_access_documented_defaults_are_used_and_unknown_ones_not_checked(
    aws: FakeEks, quotas: FakeQuotaDefaults, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a role that may not call Service Quotas
    _bootstrap()
    quotas.denied = True
    # WHEN preflight runs
    code, document = _run(["--config", str(_lab(tmp_path))], capsys)
    checks = _by_name(document)
    # THEN documented defaults are used and said to be (a warning), and quotas with no documented
    # default cannot be checked: exit 3
    assert (checks["quota-vpcs"]["result"], checks["quota-vpcs"]["source"]) == ("warn", "documented-default")
    assert "Service Quotas not allowed (AccessDeniedException)" in checks["quota-vpcs"]["detail"]
    assert checks["quota-eks-clusters"]["result"] == "not-checked"
    assert code == 3


def test_too_many_labs_fail_the_vpc_quota_with_the_increase_to_request(
    aws: FakeEks, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN moto's default VPC and its VPC quota of 5
    _bootstrap()
    # WHEN preflight sizes 5 labs (each needs a VPC)
    code, document = _run(["--config", str(_lab(tmp_path)), "--labs", "5"], capsys)
    vpcs = _by_name(document)["quota-vpcs"]
    # THEN the VPC quota fails, says how many labs fit and what to request
    assert (code, vpcs["result"], vpcs["used"], vpcs["needed"], vpcs["labs_that_fit"]) == (1, "fail", 1, 5, 4)
    assert vpcs["fix"] == (
        "aws service-quotas request-service-quota-increase --region us-west-2 --service-code vpc "
        "--quota-code L-F678F1CE --desired-value 6"
    )


def test_an_instance_type_not_offered_in_a_lab_az_fails_with_the_azs_that_work(
    aws: FakeEks, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a node group of c5ad.large, which moto's us-west-2 offerings lack in us-west-2c
    _bootstrap()
    lab = _lab(tmp_path, nodeGroups=[{"name": "ng", "instanceTypes": ["c5ad.large"]}])
    # WHEN preflight runs
    code, document = _run(["--config", str(lab)], capsys)
    check = _by_name(document)["instance-types"]
    # THEN it fails naming the AZ, and lists the AZs that would work
    assert (code, check["result"]) == (1, "fail")
    assert check["detail"] == "nodeGroups[0] (ng): c5ad.large not offered in us-west-2c"
    assert check["fix"].startswith("nodeGroups[0]: AZs offering all of c5ad.large: us-west-2a, us-west-2b")


def test_a_missing_bootstrap_stack_and_a_failed_lab_stack_fail(
    aws: FakeEks, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN no CDKToolkit stack, and the lab's network stack left in ROLLBACK_COMPLETE
    from moto.cloudformation.models import cloudformation_backends

    boto3.client("cloudformation", region_name=REGION).create_stack(
        StackName="alice-network", TemplateBody=json.dumps(BOOTSTRAP_TEMPLATE)
    )
    for stack in cloudformation_backends["123456789012"][REGION].stacks.values():
        stack.status = "ROLLBACK_COMPLETE"  # moto cannot fail a stack; set the state CloudFormation reports
    # WHEN preflight runs
    code, document = _run(["--config", str(_lab(tmp_path))], capsys)
    checks = _by_name(document)
    # THEN both fail with their fixes
    assert code == 1
    assert checks["cdk-bootstrap"]["result"] == "fail"
    assert checks["cdk-bootstrap"]["detail"] == "no CDKToolkit stack in us-west-2"
    assert checks["lab-stacks"]["detail"] == "alice-network is ROLLBACK_COMPLETE"
    assert checks["lab-stacks"]["fix"] == (
        "aws cloudformation delete-stack --stack-name alice-network (or make destroy), then deploy again"
    )


def test_an_old_bootstrap_version_fails(
    aws: FakeEks, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _bootstrap("5")
    _, document = _run(["--config", str(_lab(tmp_path))], capsys)
    check = _by_name(document)["cdk-bootstrap"]
    assert (check["result"], check["detail"]) == (
        "fail",
        "CDKToolkit BootstrapVersion is 5, the lab needs 6 or later",
    )


def test_a_pinned_addon_version_eks_does_not_offer_fails(
    aws: FakeEks, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a config pinning a kube-proxy build EKS does not list
    _bootstrap()
    lab = _lab(tmp_path, addons={"kubeProxy": {"version": "v1.36.0-eksbuild.1"}})
    # WHEN preflight runs
    code, document = _run(["--config", str(lab)], capsys)
    check = _by_name(document)["addon-versions"]
    # THEN the version is named with what EKS offers instead
    assert code == 1
    assert check["detail"] == (
        "kube-proxy v1.36.0-eksbuild.1 is not offered for Kubernetes 1.36; "
        "EKS offers v1.36.0-eksbuild.149, v1.36.0-eksbuild.14"
    )


def test_an_extended_support_version_warns(
    aws: FakeEks, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN EKS reporting 1.34 in extended support, and EKS offering 1.34's pins
    _bootstrap()
    offered = _offered_eks("1.34")
    aws.addons = offered.addons
    # WHEN preflight checks a 1.34 lab
    _, document = _run(["--config", str(_lab(tmp_path, cluster={"kubernetesVersion": "1.34"}))], capsys)
    check = _by_name(document)["kubernetes-version"]
    # THEN it warns with the date, as EKS gave it
    assert (check["result"], check["detail"]) == (
        "warn",
        "1.34 is in extended support (standard support ended 2026-12-02): billed at the extended-support rate",
    )


def test_without_credentials_preflight_stops_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN no credentials anywhere
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # never reached
    # WHEN preflight runs
    with pytest.raises(SystemExit) as exit_info:
        main(["preflight", "--config", str(_lab(tmp_path)), "--output", "json"])
    # THEN one line, exit 2
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == (
        "ekslab: error: preflight: needs AWS credentials for account checks in us-west-2; none were found "
        "(set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)\n"
    )


def test_junit_report_has_one_case_per_check(
    aws: FakeEks, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from junitparser import JUnitXml

    _bootstrap()
    report = tmp_path / "preflight.xml"
    with pytest.raises(SystemExit):
        main(["preflight", "--config", str(_lab(tmp_path)), "--output", "junit", "--junit-file", str(report)])
    cases = {case.name: case for suite in JUnitXml.fromfile(str(report)) for case in suite}
    assert sorted(cases) == sorted(
        [
            "account",
            "availability-zones",
            "instance-types",
            "addon-versions",
            "kubernetes-version",
            "quota-vpcs",
            "quota-internet-gateways",
            "quota-nat-gateways",
            "quota-elastic-ips",
            "quota-eks-clusters",
            "quota-on-demand-vcpus",
            "cdk-bootstrap",
            "lab-stacks",
        ]
    )
    assert cases["account"].is_passed and cases["quota-vpcs"].is_passed
