"""``ekslab ips`` against a live lab: moto's server for EC2/EKS, the loopback Kubernetes API server."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from tests.cli_run import run_cli
from tests.sources.fake_kube import serve
from tests.sources.moto_lab import REGION, kube_for, live_args, make_lab


def test_live_ledger_counts_nodes_pods_and_a_reservation_and_a_collected_bundle_agrees(
    moto_aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN two nodes (two ENIs each, 3 secondary IPs per ENI, every other one a pod's) and a prefix
    # reservation of 10.0.16.0/28 in us-west-2a's subnet
    lab = make_lab()
    boto3.client("ec2", region_name=REGION).create_subnet_cidr_reservation(
        SubnetId=lab.subnets["us-west-2a"], Cidr="10.0.16.0/28", ReservationType="prefix"
    )
    cluster = kube_for(lab)
    bundle = tmp_path / "bundle"
    with serve(cluster, tmp_path) as kubeconfig:
        # WHEN the ledger is read live, and a bundle is collected
        code, out, err = run_cli(["ips", *live_args(kubeconfig), "-o", "json"], capsys)
        collected, _, _ = run_cli(["collect", "--out", str(bundle), *live_args(kubeconfig)], capsys)
    live = json.loads(out)
    offline_code, offline_out, _ = run_cli(["ips", "--bundle", str(bundle), "-o", "json"], capsys)
    offline = json.loads(offline_out)
    # THEN each subnet holds its node's 2 ENI primaries, its 6 secondary IPs as pods or warm pool,
    # and us-west-2a the 16 reserved addresses, all counted the same offline
    owners = {
        subnet["availability_zone"]: {key: value for key, value in subnet["owners"].items() if value}
        for subnet in live["subnets"]
    }
    pods = sum(1 for item in cluster.objects["pods"] or [] if item["status"].get("podIP"))
    assert (code, err, collected, offline_code) == (0, "", 0, 0)
    assert sum(item.get("pod", 0) for item in owners.values()) == pods
    assert [subnet["mismatch"] for subnet in live["subnets"]] == [
        0,
        0,
    ]  # moto's AvailableIpAddressCount agrees
    assert {
        zone: (item["node_primary"], item["pod"] + item["warm_pool"]) for zone, item in owners.items()
    } == {
        "us-west-2a": (2, 6),
        "us-west-2b": (2, 6),
    }
    assert (owners["us-west-2a"]["cidr_reservation"], "cidr_reservation" in owners["us-west-2b"]) == (
        16,
        False,
    )
    assert [subnet["owners"] for subnet in offline["subnets"]] == [
        subnet["owners"] for subnet in live["subnets"]
    ]
    assert sorted(path.name for path in (bundle / "subnet-cidr-reservations").iterdir()) == sorted(
        f"{subnet}.json" for subnet in lab.subnets.values()
    )
