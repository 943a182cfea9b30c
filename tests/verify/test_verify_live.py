"""Live mode end to end: moto for EC2/EKS/ELBv2, a loopback Kubernetes API, ipamd through the node proxy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from ekslab.cli.main import main
from tests.sources.fake_kube import FakeCluster, serve
from tests.sources.moto_lab import CLUSTER, REGION, MotoLab, make_lab
from tests.verify.cluster_docs import daemonset, enis_body, node, pod


def kube_for(lab: MotoLab) -> FakeCluster:
    """Nodes for the lab's instances, two pods per node on secondary IPs, ipamd agreeing with EC2."""
    ec2 = boto3.client("ec2", region_name=REGION)
    cluster = FakeCluster()
    cluster.objects["nodes"] = [
        node(name, instance_id=instance, internal_ip=lab.primary_ips[instance])
        for name, instance in zip(lab.node_names, lab.instances, strict=True)
    ]
    pods: list[dict[str, Any]] = []
    for name, instance in zip(lab.node_names, lab.instances, strict=True):
        enis: dict[str, Any] = {}
        described = ec2.describe_network_interfaces(
            Filters=[{"Name": "attachment.instance-id", "Values": [instance]}]
        )
        for eni in described["NetworkInterfaces"]:
            cidrs: dict[str, Any] = {}
            for entry in eni["PrivateIpAddresses"]:
                if entry["Primary"]:
                    continue
                ip = entry["PrivateIpAddress"]
                pod_name = f"web-{ip.replace('.', '-')}"
                if len(pods) % 2 == 0:  # every other secondary IP holds a pod
                    pods.append(pod(pod_name, node=name, ip=ip))
                    cidrs[f"{ip}/32"] = {ip: ("default", pod_name)}
                else:
                    pods.append(pod(f"idle-{ip.replace('.', '-')}", node=name, ip=None, phase="Pending"))
                    cidrs[f"{ip}/32"] = {}
            enis[eni["NetworkInterfaceId"]] = {"device": eni["Attachment"]["DeviceIndex"], "cidrs": cidrs}
        cluster.proxy_bodies[(name, "v1/enis")] = (200, json.dumps(enis_body(enis)).encode())
    cluster.objects["pods"] = pods
    cluster.daemonset = daemonset({"INTROSPECTION_BIND_ADDRESS": "0.0.0.0:61679", "WARM_ENI_TARGET": "1"})
    return cluster


def verify(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any], str]:
    with pytest.raises(SystemExit) as exited:
        main(["verify", *args, "-o", "json"])
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), json.loads(out) if out else {}, err


def test_live_cluster_passes_through_the_node_proxy(
    moto_ec2: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lab = make_lab()
    cluster = kube_for(lab)
    with serve(cluster, tmp_path) as kubeconfig:
        code, report, err = verify(
            [
                "--cluster",
                CLUSTER,
                "--region",
                REGION,
                "--kubeconfig",
                str(kubeconfig),
                "--ipamd-transport",
                "proxy",
                "--page-size",
                "2",
            ],
            capsys,
        )
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
    moto_ec2: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lab = make_lab()
    cluster = kube_for(lab)
    moved = next(item for item in cluster.objects["pods"] or [] if item["status"].get("podIP"))
    moved["spec"]["nodeName"] = (
        lab.node_names[1] if moved["spec"]["nodeName"] == lab.node_names[0] else lab.node_names[0]
    )
    with serve(cluster, tmp_path) as kubeconfig:
        code, report, _ = verify(
            [
                "--cluster",
                CLUSTER,
                "--region",
                REGION,
                "--kubeconfig",
                str(kubeconfig),
                "--ipamd-transport",
                "proxy",
            ],
            capsys,
        )
    failed = [(item["name"], item["reasons"]) for item in report["pods"] if item["result"] == "fail"]
    assert (code, failed) == (1, [(moved["metadata"]["name"], ["not_on_node_eni", "ipamd_mismatch"])])


def test_collected_bundle_verifies_like_the_live_cluster(
    moto_ec2: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lab = make_lab()
    cluster = kube_for(lab)
    out = tmp_path / "bundle"
    with serve(cluster, tmp_path) as kubeconfig:
        common = [
            "--cluster",
            CLUSTER,
            "--region",
            REGION,
            "--kubeconfig",
            str(kubeconfig),
            "--ipamd-transport",
            "proxy",
        ]
        with pytest.raises(SystemExit) as exited:
            main(["collect", "--out", str(out), *common])
        collected = capsys.readouterr().out
        _, live, _ = verify(common, capsys)
    code, offline, _ = verify(["--bundle", str(out)], capsys)
    assert (exited.value.code or 0, collected.strip(), code) == (0, f"bundle written to {out}", 0)
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
    moto_ec2: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN an API server that refuses the credentials after the first documents were written
    lab = make_lab()
    cluster = kube_for(lab)
    out = tmp_path / "bundle"
    with serve(cluster, tmp_path) as kubeconfig:
        kubeconfig.write_text(kubeconfig.read_text().replace("test-token-7f3a", "expired"))
        # WHEN collecting THEN one error line, and neither the bundle nor a partial folder exists
        with pytest.raises(SystemExit) as exited:
            main(
                [
                    "collect",
                    "--out",
                    str(out),
                    "--cluster",
                    CLUSTER,
                    "--region",
                    REGION,
                    "--kubeconfig",
                    str(kubeconfig),
                    "--ipamd-transport",
                    "none",
                ]
            )
    err = capsys.readouterr().err
    assert (
        exited.value.code,
        err.splitlines()[0].endswith("failed: HTTP 401 Unauthorized"),
        len(err.splitlines()),
        sorted(path.name for path in tmp_path.iterdir()),
    ) == (2, True, 1, ["kubeconfig"])
