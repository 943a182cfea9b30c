"""What a user reads: help that explains exit codes and columns, one error prefix, the hint for a
missing kubeconfig, `config show` without unset keys, progress of a long `verify --bundle`."""

from __future__ import annotations

import copy
import json
import os
import subprocess
from pathlib import Path

import yaml

from tests.conftest import FAKE_CREDENTIALS
from tests.terminal import EKSLAB, ROOT, run_in_terminal
from tests.verify.cluster_docs import baseline


def _ekslab(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(EKSLAB), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "100", **(env or {})},
        timeout=120,
    )


def test_verify_help_lists_its_exit_codes() -> None:
    result = _ekslab("verify", "--help")
    assert result.returncode == 0
    assert [
        line.strip() for line in result.stdout.splitlines() if line.strip()[:2] in ("0 ", "1 ", "2 ", "3 ")
    ] == [
        "0  every check passed",
        "1  at least one check failed",
        "2  bad usage or unreadable input (one line, never a traceback)",
        "3  nothing failed, but something could not be verified",
    ]


def test_plan_capacity_help_explains_each_column() -> None:
    # GIVEN the columns plan capacity prints (headers joined as on one line)
    columns = ["max pods", "pods at full", "addresses idle", "addresses full", "free", "nodes", "warm pools"]
    columns += ["full density", "headroom, %"]
    # WHEN its help is read  THEN each column starts a line of the legend, and the help fits 80 columns
    lines = _ekslab("plan", "capacity", "--help", env={"COLUMNS": "80"}).stdout.splitlines()
    legend = [line.strip() for line in lines if line.startswith("    ") and not line.startswith("      ")]
    assert [column for column in columns if not any(line.startswith(column + "  ") for line in legend)] == []
    assert [line for line in lines if len(line) > 80] == []


def test_plan_capacity_says_why_pods_at_full_is_below_max_pods_with_security_groups_for_pods() -> None:
    # GIVEN security groups for pods on m5.large (max pods 29; the trunk ENI takes one of 3 ENIs)
    result = _ekslab("plan", "capacity", "--config", "examples/security-groups-for-pods.yaml")
    # THEN a note under the table says why only 18 pods get an address from the node's ENIs
    assert result.returncode == 0
    assert (
        "note: ng-sgp: pods at full (18) is below max pods (29): the trunk ENI of security groups for pods "
        "takes one of its ENIs from ipamd; pods with a branch ENI are not counted "
        "(see ekslab plan capacity --help)"
    ) in result.stdout.splitlines()


def test_a_missing_kubeconfig_names_the_command_that_writes_it(tmp_path: Path) -> None:
    # GIVEN credentials but no kubeconfig  WHEN a live cluster is verified
    missing = tmp_path / "kubeconfig"
    environment = {**FAKE_CREDENTIALS, "KUBECONFIG": str(missing), "AWS_ENDPOINT_URL": "http://127.0.0.1:9"}
    result = _ekslab("verify", "--cluster", "alice", "--region", "ap-northeast-2", env=environment)
    # THEN one line says how to get one, for this cluster and region
    assert (result.returncode, result.stderr) == (
        2,
        f"ekslab: error: kubeconfig {missing}: has no cluster to talk to "
        "(run `aws eks update-kubeconfig --name alice --region ap-northeast-2`)\n",
    )


def test_config_show_prints_only_keys_with_a_value() -> None:
    result = _ekslab("config", "show")
    document = yaml.safe_load(result.stdout)
    nulls = []

    def walk(value: object, path: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if item is None:
                    nulls.append(f"{path}.{key}")
                walk(item, f"{path}.{key}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, f"{path}[{index}]")

    walk(document, "")
    hidden = result.stdout.splitlines()[-1]
    assert (result.returncode, nulls, document["network"]["vpcCidr"]) == (0, [], "10.11.0.0/16")
    assert hidden.startswith("# ") and hidden.endswith(" unset keys not shown; --all lists them")


def test_config_show_all_prints_the_unset_keys_too() -> None:
    shown = yaml.safe_load(_ekslab("config", "show").stdout)
    everything = yaml.safe_load(_ekslab("config", "show", "--all").stdout)
    hidden = int(_ekslab("config", "show").stdout.splitlines()[-1].split()[1])
    assert (
        shown["derived"] == everything["derived"],
        json.dumps(everything).count("null") >= hidden > 0,
    ) == (
        True,
        True,
    )


def test_a_long_verify_bundle_shows_progress_on_a_terminal_only(tmp_path: Path) -> None:
    # GIVEN a bundle with 5,000 more pods
    docs = baseline()
    template = docs.find_pod("web-1")
    for number in range(5000):
        extra = copy.deepcopy(template)
        extra["metadata"]["name"] = f"batch-{number}"
        extra["status"]["phase"] = "Succeeded"
        docs.pods.append(extra)
    bundle = docs.write(tmp_path / "b")
    # WHEN verified on a terminal  THEN the status line says what is read, and how far
    _, seen = run_in_terminal(["verify", "--bundle", str(bundle), "-o", "json"], columns=120)
    assert f"reading {bundle}: pods.json: 5,000" in seen and "checking 5,007 pods on 2 nodes" in seen
    # and so does ekslab pods
    _, listed = run_in_terminal(["pods", "--bundle", str(bundle), "-o", "json"], columns=120)
    assert f"reading {bundle}: pods.json: 5,000" in listed and "matching 5,007 pods to their ENIs" in listed
    # and off a terminal (CI logs) nothing but the report
    assert _ekslab("verify", "--bundle", str(bundle), "-o", "json").stderr == ""
