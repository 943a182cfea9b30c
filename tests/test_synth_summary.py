"""`make synth` ends with scripts/synth_summary.py: what a newcomer reads to see what was synthesized."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from aws_cdk import App

from ekslab.config.loader import parse_config
from stacks.lab import build_lab
from tests.synth import ROOT, cdk_json_context
from tests.terminal import run_in_terminal

LABS = {
    "default": {},
    "prefix-delegation": {"cni": {"env": {"ENABLE_PREFIX_DELEGATION": True, "WARM_PREFIX_TARGET": 1}}},
}


@pytest.fixture(scope="module", params=sorted(LABS))
def summary(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    out = tmp_path_factory.mktemp(request.param)
    app = App(context=cdk_json_context(), outdir=str(out))
    build_lab(app, parse_config(LABS[request.param]))
    app.synth()
    printed = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "synth_summary.py"), str(out)],
        capture_output=True,
        text=True,
        check=True,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    ).stdout
    return request.param, printed


def _lines(printed: str, needle: str) -> list[str]:
    return [" ".join(line.split()) for line in printed.splitlines() if needle in line]


def test_node_group_line_shows_size_and_max_pods(summary: tuple[str, str]) -> None:
    # GIVEN the default lab (AMI default max pods) and a prefix-delegation lab (NodeConfig maxPods,
    # 3 ENIs x ((10 - 1) x 16) + 2 = 434 for m5.large, capped at 110 below 30 vCPUs: cni-facts.md §4)
    lab, printed = summary
    expected = "max pods AMI default" if lab == "default" else "max pods 110 (NodeConfig)"
    # THEN the one node group line says so
    assert _lines(printed, "node group") == [
        f"ekslab-cluster: node group ng-default m5.large min 3 desired 3 max 6, {expected}"
    ]


def test_network_line_names_three_azs_and_the_vpc(summary: tuple[str, str]) -> None:
    _, printed = summary
    assert _lines(printed, "subnets in") == [
        "ekslab-network: VPC 10.11.0.0/16; 6 subnets in 3 AZs (ap-northeast-2a, ap-northeast-2b, ap-northeast-2c)"
    ]


def test_summary_of_a_folder_without_templates_is_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "synth_summary.py"), str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert (result.returncode, len(result.stderr.splitlines()), "Traceback" in result.stderr) == (2, 1, False)


def test_stacks_table_keeps_every_path_whole_at_80_columns(tmp_path_factory: pytest.TempPathFactory) -> None:
    # GIVEN the default lab synthesized  WHEN summarized on a terminal 80 columns wide
    out = tmp_path_factory.mktemp("summary80")
    app = App(context=cdk_json_context(), outdir=str(out))
    build_lab(app, parse_config({}))
    app.synth()
    code, printed = run_in_terminal(
        [str(out)], columns=80, program=[sys.executable, str(ROOT / "scripts" / "synth_summary.py")]
    )
    # THEN every stack's template path and environment are whole, and the table lines fit
    table = printed.split("ekslab-cluster: exports")[0].splitlines()
    paths = [f"{out}/ekslab-{part}.template.json" for part in ("cluster", "network", "workload")]
    assert (code, [any(path in line for line in table) for path in paths]) == (0, [True, True, True])
    assert "ENVIRONMENT aws://unknown-account/ap-northeast-2" in printed
    assert "…" not in printed
