"""A lab before and after its nodes are replaced: convergence checks and the replacement plan end to end.

``old_nodes()`` is a managed node group ``ng-1`` of two m5.large nodes after ENABLE_PREFIX_DELEGATION
was turned on: node A started before (kubelet max pods 29, pods on secondary IPs), node B after (110,
pods in a /28 prefix). ``replaced_nodes()`` is the same lab once node A was replaced by node C.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ekslab.cli.main import main
from tests.verify.cluster_docs import (
    ClusterDocs,
    daemonset,
    eni,
    node,
    pod,
    subnet,
    vpc,
)

GROUP = {"eks.amazonaws.com/nodegroup": "ng-1"}
NODE_A, NODE_B, NODE_C = (
    "ip-10-0-1-10.us-west-2.compute.internal",
    "ip-10-0-40-10.us-west-2.compute.internal",
    "ip-10-0-1-50.us-west-2.compute.internal",
)


def lab_node(name: str, instance: str, ip: str, zone: str, capacity: int, created: str) -> dict[str, Any]:
    document = node(name, instance_id=instance, internal_ip=ip, zone=zone, labels=GROUP)
    document["metadata"]["creationTimestamp"] = created
    document["status"]["capacity"] = {"cpu": "2", "pods": str(capacity)}
    document["status"]["allocatable"] = {"cpu": "1930m", "pods": str(capacity)}
    return document


def node_b(docs: ClusterDocs) -> None:
    docs.nodes.append(
        lab_node(NODE_B, "i-0bbbbbbbbbbbbbbb2", "10.0.40.10", "us-west-2b", 110, "2026-09-02T08:00:00Z")
    )
    docs.enis.append(
        eni(
            "eni-0b00000000000000b",
            instance_id="i-0bbbbbbbbbbbbbbb2",
            device=0,
            primary_ip="10.0.40.10",
            prefixes=("10.0.40.16/28",),
            subnet="subnet-b",
        )
    )
    docs.pods += [pod("api-1", node=NODE_B, ip="10.0.40.16"), pod("api-2", node=NODE_B, ip="10.0.40.17")]


def lab(nodes: list[dict[str, Any]]) -> ClusterDocs:
    return ClusterDocs(
        pods=[],
        nodes=nodes,
        vpcs=[vpc([("10.0.0.0/16", "associated")])],
        subnets=[subnet("subnet-a", "10.0.0.0/19"), subnet("subnet-b", "10.0.32.0/19")],
        enis=[],
        daemonset=daemonset({"ENABLE_PREFIX_DELEGATION": "true", "WARM_PREFIX_TARGET": "1"}),
        ipamd=None,
    )


def old_nodes() -> ClusterDocs:
    docs = lab(
        [lab_node(NODE_A, "i-0aaaaaaaaaaaaaaa1", "10.0.1.10", "us-west-2a", 29, "2026-09-01T06:00:00Z")]
    )
    docs.enis.append(
        eni(
            "eni-0a00000000000000a",
            instance_id="i-0aaaaaaaaaaaaaaa1",
            device=0,
            primary_ip="10.0.1.10",
            secondary=("10.0.1.11", "10.0.1.12"),
        )
    )
    docs.pods += [pod("web-1", node=NODE_A, ip="10.0.1.11"), pod("web-2", node=NODE_A, ip="10.0.1.12")]
    node_b(docs)
    return docs


def replaced_nodes() -> ClusterDocs:
    docs = lab(
        [lab_node(NODE_C, "i-0ccccccccccccccc3", "10.0.1.50", "us-west-2a", 110, "2026-09-03T09:00:00Z")]
    )
    docs.enis.append(
        eni(
            "eni-0c00000000000000c",
            instance_id="i-0ccccccccccccccc3",
            device=0,
            primary_ip="10.0.1.50",
            prefixes=("10.0.1.64/28",),
        )
    )
    docs.pods += [pod("web-1", node=NODE_C, ip="10.0.1.64"), pod("web-2", node=NODE_C, ip="10.0.1.65")]
    node_b(docs)
    return docs


def lab_config(tmp_path: Path, *, minimum: int) -> Path:
    """The lab configuration of this lab: prefix delegation, node group ng-1 of ``minimum``..3 nodes."""
    path = tmp_path / "lab.yaml"
    path.write_text(
        "lab:\n  name: conv\ncni:\n  env:\n    ENABLE_PREFIX_DELEGATION: true\n"
        "    WARM_PREFIX_TARGET: 1\n"
        f"nodeGroups:\n  - name: ng-1\n    minSize: {minimum}\n    desiredSize: 2\n    maxSize: 2\n"
    )
    return path


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(args)
    captured = capsys.readouterr()
    return exited.value.code or 0, captured.out, captured.err


def failures(document: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (item["name"], check["check"])
        for item in document["nodes"]
        for check in item["checks"]
        if check["result"] == "fail"
    ]


def test_old_node_fails_max_pods_and_prefix_mode_with_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN the lab with node A started before prefix delegation
    bundle = old_nodes().write(tmp_path / "old")
    # WHEN it is verified
    code, out, _ = run(["verify", "--bundle", str(bundle), "-o", "json"], capsys)
    document = json.loads(out)
    # THEN node A fails max_pods and prefix_delegation, every pod passes, and the plan replaces node A
    assert (code, document["summary"]["failed"], failures(document)) == (
        1,
        0,
        [(NODE_A, "max_pods"), (NODE_A, "prefix_delegation")],
    )
    group = document["recycle"]["groups"][0]
    assert (group["group"], group["kind"], [item["node"] for item in group["nodes"]]) == (
        "ng-1",
        "managed node group",
        [NODE_A],
    )


def test_replaced_node_passes_with_exit_0_and_an_empty_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = replaced_nodes().write(tmp_path / "new")
    config = lab_config(tmp_path, minimum=1)
    code, out, _ = run(
        ["verify", "--bundle", str(bundle), "--expect-config", str(config), "-o", "json"], capsys
    )
    document = json.loads(out)
    assert (code, failures(document), document["recycle"]["groups"]) == (0, [], [])


def test_recycle_plan_prints_the_exact_commands_for_the_old_node(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN the old lab WHEN only the plan is asked for, with the cluster and region named
    bundle = old_nodes().write(tmp_path / "old")
    code, out, _ = run(["verify", "--bundle", str(bundle), "--recycle-plan"], capsys)
    # THEN it prints the plan only, one node at a time, with verify's exit code
    assert code == 1
    assert out.splitlines() == [
        "Replacement plan (ekslab runs none of this; run it group by group, one node at a time):",
        "managed node group ng-1 (2 nodes, minimum unknown):",
        "  # minimum unknown (not a node group of the lab configuration): check `aws eks describe-nodegroup "
        '--cluster-name "$CLUSTER" --nodegroup-name ng-1 --region "$AWS_REGION" --query nodegroup.scalingConfig` '
        "and raise desiredSize by one first if 1 nodes would be below minSize",
        "  # or replace the whole group with its rolling update, when a newer AMI or launch template version "
        'exists: aws eks update-nodegroup-version --cluster-name "$CLUSTER" --nodegroup-name ng-1 --region '
        '"$AWS_REGION"',
        f"  # 1. {NODE_A} (i-0aaaaaaaaaaaaaaa1): max_pods, prefix_delegation",
        f"  kubectl cordon {NODE_A}",
        f"  kubectl drain {NODE_A} --ignore-daemonsets --delete-emptydir-data",
        "  aws autoscaling terminate-instance-in-auto-scaling-group --instance-id i-0aaaaaaaaaaaaaaa1 "
        '--no-should-decrement-desired-capacity --region "$AWS_REGION"',
        "  kubectl get nodes -l eks.amazonaws.com/nodegroup=ng-1   # wait until 2 nodes are Ready again before "
        "the next node",
        "Then:",
        '  ekslab verify --cluster "$CLUSTER" --region "$AWS_REGION"',
    ]


def test_recycle_plan_at_the_groups_minimum_surges_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a lab configuration whose node group ng-1 has minimum 2 (the group has 2 nodes)
    config = lab_config(tmp_path, minimum=2)
    bundle = old_nodes().write(tmp_path / "old")
    # WHEN the plan is asked for as JSON
    code, out, err = run(
        ["verify", "--bundle", str(bundle), "--expect-config", str(config), "--recycle-plan", "-o", "json"],
        capsys,
    )
    group = json.loads(out)["groups"][0]
    # THEN desiredSize goes to 3 (and maxSize with it) before node A, and back to 2 after, for the
    # configuration's cluster (conv) and region
    assert (code, err, group["minimum"], group["before"], group["after"]) == (
        1,
        "",
        2,
        [
            "aws eks update-nodegroup-config --cluster-name conv --nodegroup-name ng-1 "
            "--scaling-config minSize=2,maxSize=3,desiredSize=3 --region ap-northeast-2"
        ],
        [
            "aws eks update-nodegroup-config --cluster-name conv --nodegroup-name ng-1 "
            "--scaling-config minSize=2,maxSize=2,desiredSize=2 --region ap-northeast-2"
        ],
    )


def test_the_table_ends_with_the_plan_and_the_idle_addresses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = old_nodes().write(tmp_path / "old")
    code, out, _ = run(["verify", "--bundle", str(bundle), "-o", "table"], capsys)
    lines = out.splitlines()
    start = lines.index(
        "Replacement plan (ekslab runs none of this; run it group by group, one node at a time):"
    )
    assert (code, f"  kubectl cordon {NODE_A}" in lines[start:]) == (1, True)


# --- bad input: one line, exit 2 -------------------------------------------------------------------


def test_a_node_with_a_malformed_pod_capacity_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = old_nodes()
    docs.nodes[0]["status"]["capacity"]["pods"] = "lots"
    bundle = docs.write(tmp_path / "old")
    code, out, err = run(["verify", "--bundle", str(bundle)], capsys)
    assert (code, out, err) == (
        2,
        "",
        f"ekslab: error: {bundle}/nodes.json: items[0].status.capacity.pods: must be a whole number such as "
        "\"110\", got 'lots'\n",
    )


def test_a_subnet_with_a_malformed_free_count_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = old_nodes()
    docs.subnets[1]["AvailableIpAddressCount"] = "many"
    bundle = docs.write(tmp_path / "old")
    code, out, err = run(["verify", "--bundle", str(bundle)], capsys)
    assert (code, out, err) == (
        2,
        "",
        f"ekslab: error: {bundle}/subnets.json: Subnets[1].AvailableIpAddressCount: must be a whole number, "
        "got 'many'\n",
    )
