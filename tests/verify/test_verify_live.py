"""Live mode end to end: moto for EC2/EKS/ELBv2, a loopback Kubernetes API, ipamd through the node proxy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ekslab.cli.main import main
from tests.cli_run import run_cli
from tests.sources.fake_kube import serve
from tests.sources.moto_lab import REGION, kube_for, live_args, make_lab


def verify(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any], str]:
    code, out, err = run_cli(["verify", *args, "-o", "json"], capsys)
    return code, json.loads(out) if out else {}, err


def test_live_cluster_passes_through_the_node_proxy(
    moto_aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lab = make_lab()
    cluster = kube_for(lab)
    with serve(cluster, tmp_path) as kubeconfig:
        code, report, err = verify([*live_args(kubeconfig), "--page-size", "2"], capsys)
    ipamd = [
        check["result"] for item in report["nodes"] for check in item["checks"] if check["check"] == "ipamd"
    ]
    assert (code, err, report["summary"]["failed"], report["summary"]["passed"] > 0, ipamd) == (
        0,
        "",
        0,
        True,
        ["pass", "pass"],
    )


def test_live_cluster_detects_a_pod_ip_on_the_wrong_node(
    moto_aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lab = make_lab()
    cluster = kube_for(lab)
    moved = next(item for item in cluster.objects["pods"] or [] if item["status"].get("podIP"))
    moved["spec"]["nodeName"] = (
        lab.node_names[1] if moved["spec"]["nodeName"] == lab.node_names[0] else lab.node_names[0]
    )
    with serve(cluster, tmp_path) as kubeconfig:
        code, report, _ = verify(live_args(kubeconfig), capsys)
    failed = [(item["name"], item["reasons"]) for item in report["pods"] if item["result"] == "fail"]
    assert (code, failed) == (1, [(moved["metadata"]["name"], ["not_on_node_eni", "ipamd_mismatch"])])


def test_collected_bundle_verifies_like_the_live_cluster(
    moto_aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lab = make_lab()
    cluster = kube_for(lab)
    out = tmp_path / "bundle"
    with serve(cluster, tmp_path) as kubeconfig:
        common = live_args(kubeconfig)
        with pytest.raises(SystemExit) as exited:
            main(["collect", "--out", str(out), *common])
        collected = capsys.readouterr().out
        _, live, _ = verify(common, capsys)
    code, offline, err = verify(["--bundle", str(out)], capsys)
    problems = [(item["name"], item["reasons"]) for item in offline["pods"] if item["result"] == "fail"] + [
        (item["name"], check)
        for item in offline["nodes"]
        for check in item["checks"]
        if check["result"] not in ("pass", "not_checked", "skip")
    ]
    assert (exited.value.code or 0, collected.strip(), code, err, problems) == (
        0,
        f"bundle written to {out}",
        0,
        "",
        [],
    )
    assert [(item["name"], item["result"], item["eni"]) for item in offline["pods"]] == [
        (item["name"], item["result"], item["eni"]) for item in live["pods"]
    ]
    assert sorted(path.name for path in (out / "ipamd" / lab.node_names[0]).iterdir()) == ["enis.json"]


def test_collect_refuses_a_folder_that_is_not_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bundle"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(SystemExit) as exited:
        main(["collect", "--out", str(out), "--cluster", "c", "--region", REGION])
    assert (exited.value.code, capsys.readouterr().err) == (
        2,
        f"ekslab: error: {out}: already exists; collect into a new or empty folder\n",
    )


def test_failed_collection_leaves_nothing_behind(
    moto_aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN an API server that refuses the credentials after the first documents were written
    lab = make_lab()
    cluster = kube_for(lab)
    out = tmp_path / "bundle"
    with serve(cluster, tmp_path) as kubeconfig:
        kubeconfig.write_text(kubeconfig.read_text().replace("test-token-7f3a", "expired"))
        # WHEN collecting THEN one error line, and neither the bundle nor a partial folder exists
        with pytest.raises(SystemExit) as exited:
            main(["collect", "--out", str(out), *live_args(kubeconfig, transport="none")])
    err = capsys.readouterr().err
    assert (
        exited.value.code,
        err.splitlines()[0].endswith("failed: HTTP 401 Unauthorized"),
        len(err.splitlines()),
        sorted(path.name for path in tmp_path.iterdir()),
    ) == (2, True, 1, ["kubeconfig"])


def test_live_plan_groups_a_node_without_the_nodegroup_label_by_its_auto_scaling_group(
    moto_aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN the lab's first instance in Auto Scaling group ng-self, and its node reporting 110 pods
    # (the prefix formula) while the DaemonSet leaves ENABLE_PREFIX_DELEGATION off
    import boto3

    lab = make_lab()
    autoscaling = boto3.client("autoscaling", region_name=REGION)
    autoscaling.create_launch_configuration(
        LaunchConfigurationName="ng-self", ImageId="ami-760aaa0f", InstanceType="m5.large"
    )
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName="ng-self",
        LaunchConfigurationName="ng-self",
        MinSize=0,
        MaxSize=3,
        VPCZoneIdentifier=lab.subnets["us-west-2a"],
    )
    autoscaling.attach_instances(InstanceIds=[lab.instances[0]], AutoScalingGroupName="ng-self")
    cluster = kube_for(lab)
    cluster.objects["nodes"][0]["status"]["capacity"] = {"pods": "110"}
    out = tmp_path / "bundle"
    with serve(cluster, tmp_path) as kubeconfig:
        code, report, err = verify(live_args(kubeconfig), capsys)
        with pytest.raises(SystemExit):
            main(["collect", "--out", str(out), *live_args(kubeconfig)])
    capsys.readouterr()
    # WHEN it is verified live, and from the collected bundle
    offline_code, offline, _ = verify(["--bundle", str(out)], capsys)

    # THEN both plan to replace that node through its Auto Scaling group (live with the cluster's name)
    def groups(document: dict[str, Any]) -> list[tuple[str, str, list[str]]]:
        return [
            (group["group"], group["kind"], [item["node"] for item in group["nodes"]])
            for group in document["recycle"]["groups"]
        ]

    assert (code, err, groups(report), offline_code, groups(offline), report["recycle"]["then"]) == (
        1,
        "",
        [("ng-self", "auto scaling group", [lab.node_names[0]])],
        1,
        [("ng-self", "auto scaling group", [lab.node_names[0]])],
        ["ekslab verify --cluster ekslab --region us-west-2"],
    )
