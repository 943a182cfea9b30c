"""`ekslab plan capacity`: the per-AZ plan as a table or JSON, exit 1 when warm pools do not fit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from ekslab.errors import EXIT_FAILED, EXIT_OK
from tests.cli_run import run_cli

SMALL = {
    "network": {"subnets": {"privatePrefixLength": 27}},
    "nodeGroups": [
        {
            "name": "ng-small",
            "minSize": 1,
            "desiredSize": 1,
            "maxSize": 3,
            "availabilityZones": ["ap-northeast-2a"],
        }
    ],
}


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return run_cli(["plan", "capacity", *args], capsys)


def test_default_lab_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--output", "json")
    document = json.loads(out)
    # THEN the stable keys are there and each AZ's row holds the default lab's numbers
    assert (code, sorted(document)) == (
        EXIT_OK,
        ["config", "errors", "lab", "node_groups", "settings", "subnets", "warnings"],
    )
    assert document["subnets"][0] == {
        "availability_zone": "ap-northeast-2a",
        "tier": "private",
        "cidr": "10.11.16.0/20",
        "free_addresses": 4091,
        "nodes_at_max": 2,
        "warm_pool_addresses": 20,
        "full_density_addresses": 60,
        "headroom": 4031,
        "headroom_percent": 98.5,
        "prefixes_at_full_density": None,
        "prefix_blocks_free_worst_case": None,
        "contiguous_prefixes_ok": None,
    }


def test_node_group_details_in_json(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _run(capsys, "-o", "json")
    group = json.loads(out)["node_groups"][0]
    assert (
        group["kubelet_max_pods"],
        group["idle"]["eni_slots"],
        group["full_density"]["eni_slots"],
        group["full_density"]["pods_placed"],
    ) == (29, [9], [9, 9, 9], 27)


def test_failing_lab_exits_1_and_says_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # GIVEN three m5.large nodes in one AZ with a /27 private subnet (30 addresses idle, 27 free)
    lab = tmp_path / "lab.yaml"
    lab.write_text(yaml.safe_dump(SMALL))
    code, out, err = _run(capsys, "--config", str(lab))
    # THEN the table is still printed, the error is one line on stderr, and the exit code is 1
    assert code == EXIT_FAILED
    assert "ap-northeast-2a  private 10.11.3.0/27" in out
    assert err == (
        f"ekslab: error: {lab}: ap-northeast-2a private subnet 10.11.3.0/27: cannot hold the warm pools of 3 "
        "nodes at max size: 30 addresses needed, 27 free, 3 short (change cni.env.WARM_ENI_TARGET / "
        "WARM_IP_TARGET + MINIMUM_IP_TARGET, nodeGroups[0].maxSize or "
        "network.subnets.privatePrefixLength)\n"
    )


def test_failing_lab_json_lists_the_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lab = tmp_path / "lab.yaml"
    lab.write_text(yaml.safe_dump(SMALL))
    code, out, _ = _run(capsys, "-c", str(lab), "-o", "json")
    document = json.loads(out)
    assert (code, len(document["errors"]), document["subnets"][0]["headroom"]) == (EXIT_FAILED, 1, -63)


def test_plain_table_right_aligns_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _run(capsys)
    lines = out.splitlines()
    header = lines.index("Subnets per AZ (node groups at max size)") + 1
    rows = lines[header : header + 4]  # header and three AZ rows
    # THEN the last column (headroom %) ends in the same place on every line
    assert len({len(row.rstrip()) for row in rows}) == 1 and rows[1].endswith("98.5")


def test_prefix_delegation_adds_the_28_table(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _run(capsys, "-c", "examples/prefix-delegation.yaml")
    assert "Prefix delegation: whole /28 blocks per subnet" in out.splitlines()


def test_config_error_other_than_capacity_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lab = tmp_path / "lab.yaml"
    lab.write_text("nodeGroups: [{name: ng, instanceTypes: [m5.larg]}]\n")
    code, _, err = _run(capsys, "-c", str(lab))
    assert (code, err) == (
        2,
        (
            f"ekslab: error: {lab}: nodeGroups[0].instanceTypes[0]: must be an EC2 instance type in the ENI "
            "limits table (1391 types), got 'm5.larg' (did you mean 'm5.large', 'm5n.large', 'm5d.large'?)\n"
        ),
    )
