"""`ekslab plan max-pods`: JSON with stable keys, right-aligned numbers, one-line errors (exit 2)."""

from __future__ import annotations

import json

import pytest

from tests.cli_run import run_cli


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return run_cli(["plan", "max-pods", *args], capsys)


def test_json_output_has_stable_keys_and_values(capsys: pytest.CaptureFixture[str]) -> None:
    # GIVEN m5.large with prefix delegation (3 x ((10 - 1) x 16) + 2 = 434; 2 vCPUs -> capped at 110)
    code, out, _ = _run(capsys, "--instance-type", "m5.large", "--prefix-delegation", "--output", "json")
    assert (code, json.loads(out)) == (
        0,
        {
            "instance_type": "m5.large",
            "hypervisor": "nitro",
            "nitro": True,
            "vcpus": 2,
            "enis": 3,
            "ipv4_per_eni": 10,
            "max_eni": None,
            "cni_version": None,
            "custom_networking": False,
            "prefix_delegation_requested": True,
            "prefix_delegation": True,
            "enis_for_pods": 3,
            "formula": "3 x ((10 - 1) x 16) + 2 = 434",
            "max_pods_uncapped": 434,
            "cap": 110,
            "max_pods": 110,
            "notes": [],
        },
    )


@pytest.mark.parametrize(
    ("args", "max_pods"),
    [
        (("--custom-networking",), 20),
        (("--max-eni", "2"), 20),
        (("--prefix-delegation", "--cni-version", "1.8.4"), 29),
    ],
    ids=["custom networking", "MAX_ENI", "CNI before 1.9"],
)
def test_options_change_max_pods(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], max_pods: int
) -> None:
    code, out, _ = _run(capsys, "-t", "m5.large", *args, "-o", "json")
    assert (code, json.loads(out)["max_pods"]) == (0, max_pods)


def test_plain_table_right_aligns_the_values(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "-t", "c5.4xlarge")
    rows = out.splitlines()[2:]  # title, header
    # THEN every value ends in the same column, and the two max pods figures are there
    assert code == 0 and len({len(row.rstrip()) for row in rows}) == 1
    assert [row.split()[-1] for row in rows if row.startswith("max pods")] == ["234", "110"]


def test_unknown_instance_type_is_one_line_with_close_names(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(capsys, "--instance-type", "m5.larg") == (
        2,
        "",
        (
            "ekslab: error: --instance-type: must be an EC2 instance type in the ENI limits table (1391 "
            "types), got "
            "'m5.larg' (did you mean 'm5.large', 'm5n.large', 'm5d.large'?)\n"
        ),
    )


def test_bad_cni_version_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "-t", "m5.large", "--cni-version", "latest")
    assert (code, err) == (
        2,
        (
            "ekslab: error: ekslab plan max-pods: Invalid value for '--cni-version': must be a VPC CNI "
            "version such as "
            "1.20.1 or v1.20.1-eksbuild.3, got 'latest' (see 'ekslab plan max-pods --help')\n"
        ),
    )
