"""``ekslab pods``: each pod's ENI, device, subnet and IP source, from a bundle (the verification tests'
documents) and from a live cluster (moto on loopback for EC2/EKS, the loopback Kubernetes API)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from ekslab.views.pod_view import kube_age
from tests.cli_run import run_cli
from tests.sources.fake_kube import serve
from tests.sources.moto_lab import REGION, kube_for, live_args, make_lab
from tests.verify.cluster_docs import NODE_A, NODE_B, add_fargate_pod, add_ipv6_prefix, baseline, eni, pod

BUNDLE = Path(__file__).resolve().parent.parent / "fixtures" / "bundles" / "workshop-2048"
BUNDLE_NODE_A = "ip-10-11-17-10.ap-northeast-2.compute.internal"
BUNDLE_NODE_B = "ip-10-11-40-10.ap-northeast-2.compute.internal"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    return run_cli(["pods", *args], capsys)


def rows(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, dict[str, Any]]:
    code, out, err = run([*args, "-o", "json"], capsys)
    assert (code, err) == (0, "")
    return {item["name"]: item for item in json.loads(out)["pods"]}


def view(item: dict[str, Any]) -> tuple[Any, ...]:
    return (
        item["eni"],
        item["device"],
        item["subnet"],
        item["kind"],
        item["prefix"],
        item["check"]["result"],
    )


# The hand-written workshop bundle: node A in secondary-IP mode with two ENIs, node B with a /28 prefix.
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("web-1", ("eni-0a00000000000000a", 0, "subnet-a", "secondary IP", None, "pass")),
        ("web-2", ("eni-0a00000000000001a", 1, "subnet-a", "secondary IP", None, "pass")),
        # cni-facts.md §1.3: in PD mode the prefix's network address is a valid pod IP
        ("api-1", ("eni-0b00000000000000b", 0, "subnet-b", "prefix", "10.11.40.16/28", "pass")),
        (
            "2048-deployment-7df5f9886b-p2wq8",
            ("eni-0b00000000000000b", 0, "subnet-b", "prefix", "10.11.40.16/28", "pass"),
        ),
        ("aws-node-4x7kq", (None, None, None, "host network", None, "skip")),
        ("queued-7f9c", (None, None, None, None, None, "skip")),
    ],
)
def test_each_pod_shows_its_eni_device_subnet_and_ip_source(
    capsys: pytest.CaptureFixture[str], name: str, expected: tuple[Any, ...]
) -> None:
    assert view(rows(["--bundle", str(BUNDLE)], capsys)[name]) == expected


def test_subnet_cidr_is_given_with_the_subnet(capsys: pytest.CaptureFixture[str]) -> None:
    assert rows(["--bundle", str(BUNDLE)], capsys)["api-2"]["subnet_cidrs"] == ["10.11.32.0/20"]


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["-n", "2048-game"], ["2048-deployment-7df5f9886b-4kq9z", "2048-deployment-7df5f9886b-p2wq8"]),
        (["--node", BUNDLE_NODE_B], ["2048-deployment-7df5f9886b-p2wq8", "api-1", "api-2"]),
        (["-n", "2048-game", "--node", BUNDLE_NODE_A], ["2048-deployment-7df5f9886b-4kq9z"]),
        (
            ["-n", "kube-system", "-n", "2048-game", "--node", BUNDLE_NODE_A],
            ["2048-deployment-7df5f9886b-4kq9z", "aws-node-4x7kq"],
        ),
    ],
)
def test_filters_by_namespace_and_node(
    capsys: pytest.CaptureFixture[str], args: list[str], names: list[str]
) -> None:
    assert list(rows(["--bundle", str(BUNDLE), *args], capsys)) == names


def test_plain_table_reads_like_kubectl_wide_with_the_eni_columns(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--bundle", str(BUNDLE), "--node", BUNDLE_NODE_B], capsys)
    lines = out.splitlines()
    row = re.split(r"\s{3,}", lines[2])
    assert (code, lines[0], re.split(r"\s{3,}", lines[1]), row[:5], row[6:]) == (
        0,
        f"bundle {BUNDLE}: pods and their ENIs",
        [
            "NAMESPACE",
            "NAME",
            "READY",
            "STATUS",
            "RESTARTS",
            "AGE",
            "IP",
            "NODE",
            "ENI",
            "DEV",
            "SUBNET",
            "FROM",
            "CHECK",
        ],
        ["2048-game", "2048-deployment-7df5f9886b-p2wq8", "1/1", "Running", "0"],
        [
            "10.11.40.20",
            BUNDLE_NODE_B,
            "eni-0b00000000000000b",
            "0",
            "subnet-b",
            "prefix 10.11.40.16/28",
            "pass",
        ],
    )


def test_branch_eni_fargate_and_ipv6_pods(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docs = baseline()
    # Security groups for pods: the branch ENI is unattached, InterfaceType "branch" (cni-facts.md §5, 3).
    docs.pods.append(
        pod(
            "secure-1",
            node=NODE_A,
            ip="10.0.1.77",
            annotations={
                "vpc.amazonaws.com/pod-eni": json.dumps(
                    [{"eniId": "eni-0d00000000000branch", "privateIp": "10.0.1.77", "vlanId": 1}]
                )
            },
        )
    )
    docs.enis.append(
        eni(
            "eni-0d00000000000branch",
            instance_id=None,
            device=0,
            primary_ip="10.0.1.77",
            interface_type="branch",
        )
    )
    # Fargate: the pod's IP is the primary IP of its own ENI.
    add_fargate_pod(docs)
    # IPv6: a /80 prefix delegated to node B's ENI.
    add_ipv6_prefix(docs)
    docs.pods.append(pod("v6-1", node=NODE_B, ip="2600:1f14:abc:de01:8f00::1"))
    docs.ipamd = None
    found = rows(["--bundle", str(docs.write(tmp_path / "bundle"))], capsys)
    assert [view(found[name]) for name in ("secure-1", "coredns-fargate", "v6-1")] == [
        # Neither ENI is attached to an instance, so neither has a device index.
        ("eni-0d00000000000branch", None, "subnet-a", "branch ENI", None, "pass"),
        ("eni-0f00000000000fa1e", None, "subnet-a", "own ENI", None, "pass"),
        ("eni-0b00000000000000b", 0, "subnet-b", "prefix", "2600:1f14:abc:de01:8f00::/80", "pass"),
    ]


def test_a_pod_whose_ip_is_on_no_eni_of_its_node_shows_the_verdict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = baseline()
    docs.find_pod("web-1")["spec"]["nodeName"] = NODE_B  # node B holds no such IP
    found = rows(["--bundle", str(docs.write(tmp_path / "bundle"))], capsys)["web-1"]
    assert (found["eni"], found["kind"], found["check"]["result"], found["check"]["reasons"]) == (
        None,
        None,
        "fail",
        ["not_on_node_eni", "ipamd_mismatch"],
    )


def test_bundle_and_cluster_together_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--bundle", str(BUNDLE), "--cluster", "c"], capsys) == (
        2,
        "",
        "ekslab: error: ekslab pods: give either --bundle or --cluster/--region, not both "
        "(see 'ekslab pods --help')\n",
    )


def test_live_cluster_pods_sit_on_the_enis_ec2_reports(
    moto_aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lab = make_lab()
    cluster = kube_for(lab)
    with serve(cluster, tmp_path) as kubeconfig:
        found = rows([*live_args(kubeconfig), "--page-size", "2"], capsys)
    # What EC2 itself says, read independently of ekslab: the ENI, device and subnet of each secondary IP.
    truth = {}
    for item in boto3.client("ec2", region_name=REGION).describe_network_interfaces()["NetworkInterfaces"]:
        for address in item["PrivateIpAddresses"]:
            if not address["Primary"]:
                truth[address["PrivateIpAddress"]] = (
                    item["NetworkInterfaceId"],
                    item["Attachment"]["DeviceIndex"],
                    item["SubnetId"],
                    "secondary IP",
                    None,
                    "pass",
                )
    with_ip = {name: item for name, item in found.items() if item["ip"]}
    assert len(with_ip) >= 4
    assert {name: view(item) for name, item in with_ip.items()} == {
        name: truth[item["ip"]] for name, item in with_ip.items()
    }


# --- kubectl's READY, RESTARTS and AGE ------------------------------------------------------------


# GIVEN a duration WHEN shown as AGE THEN kubectl's compact form: two units at most, coarser as it grows.
@pytest.mark.parametrize(
    ("seconds", "age"),
    [
        (-30, "0s"),
        (0, "0s"),
        (119, "119s"),
        (120, "2m"),
        (250, "4m10s"),
        (599, "9m59s"),
        (600, "10m"),
        (12 * 60 + 59, "12m"),
        (3 * 3600 - 1, "179m"),
        (3 * 3600, "3h"),
        (5 * 3600 + 3 * 60, "5h3m"),
        (8 * 3600 + 59 * 60, "8h"),
        (47 * 3600, "47h"),
        (48 * 3600, "2d"),
        (5 * 86400 + 3 * 3600 + 59, "5d3h"),
        (8 * 86400, "8d"),
        (400 * 86400, "400d"),
        (2 * 365 * 86400 + 12 * 86400, "2y12d"),
        (9 * 365 * 86400 + 12 * 86400, "9y"),
    ],
)
def test_age_is_kubectls_compact_duration(seconds: int, age: str) -> None:
    assert kube_age(seconds) == age


def test_ready_restarts_and_age_come_from_the_pods_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN web-1 with two containers, one ready and running, restarted 1 + 2 times, created 5d3h ago
    docs = baseline()
    web = docs.find_pod("web-1")
    web["spec"]["containers"].append({"name": "log", "image": "busybox"})
    web["status"]["containerStatuses"] = [
        {"name": "main", "ready": True, "restartCount": 1, "state": {"running": {}}},
        {
            "name": "log",
            "ready": False,
            "restartCount": 2,
            "state": {"waiting": {"reason": "CrashLoopBackOff"}},
        },
    ]
    created = datetime.now(UTC).replace(microsecond=0) - timedelta(days=5, hours=3, minutes=1)
    web["metadata"]["creationTimestamp"] = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    # WHEN listed THEN JSON and table carry kubectl's READY, RESTARTS and AGE
    bundle = str(docs.write(tmp_path / "bundle"))
    found = rows(["--bundle", bundle], capsys)["web-1"]
    _, out, _ = run(["--bundle", bundle, "-n", "default"], capsys)
    line = next(line for line in out.splitlines() if line.startswith("default ") and " web-1 " in line)
    assert (found["ready"], found["restarts"], found["age"], found["created"], line.split()[2:6]) == (
        "1/2",
        3,
        "5d3h",
        created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        ["1/2", "Running", "3", "5d3h"],
    )


def test_a_pod_without_container_data_shows_dashes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = baseline()
    web = docs.find_pod("web-1")
    del web["spec"]["containers"]
    del web["metadata"]["creationTimestamp"]
    found = rows(["--bundle", str(docs.write(tmp_path / "bundle"))], capsys)["web-1"]
    assert (found["ready"], found["restarts"], found["age"], found["created"]) == (None, None, None, None)
