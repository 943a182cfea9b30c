"""docs/verification.md's bundle recipe, run verbatim with the real kubectl and AWS CLI against the
sandbox, gives the same verification report as `ekslab collect` of the same servers."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

from ekslab.sandbox.service import SandboxInfo

RECIPE_PAGE = Path(__file__).resolve().parent.parent.parent / "docs" / "verification.md"


def recipe() -> str:
    """The ```sh block of the page's "### Bundle" section, as printed."""
    section = RECIPE_PAGE.read_text().split("### Bundle", 1)[1]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)  # type: ignore[union-attr]


def ekslab(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ekslab", *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300)


def judged(report: dict[str, Any]) -> dict[str, Any]:
    """What the two reports must agree on: pods, their results and reasons, node checks, targets."""
    return {
        "pods": sorted(
            (p["namespace"], p["name"], p["ip"], p["result"], tuple(p["reasons"])) for p in report["pods"]
        ),
        "nodes": sorted(
            (n["name"], n["result"], tuple((c["check"], c["result"]) for c in n["checks"]))
            for n in report["nodes"]
        ),
        "cluster": report["cluster"],
        "targets": report["targets"],
    }


def test_the_recipe_runs_verbatim_and_gives_the_report_of_ekslab_collect(
    sandbox: SandboxInfo, terminal: dict[str, str], tmp_path: Path
) -> None:
    # GIVEN the sandbox's default lab and a shell on it with CLUSTER set
    env = {**terminal, "CLUSTER": sandbox.cluster}
    # WHEN the recipe runs as printed (bash -e: any failing command fails it)
    ran = subprocess.run(
        ["bash", "-e", "-c", recipe()], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert (ran.returncode, ran.stderr) == (0, "")
    # AND ekslab collect saves the same servers (without ipamd: the recipe has no node access)
    collected = ekslab(
        [
            "collect",
            "--cluster",
            sandbox.cluster,
            "--region",
            sandbox.region,
            "--ipamd-transport",
            "none",
            "--out",
            str(tmp_path / "collected"),
        ],
        env,
        tmp_path,
    )
    assert collected.returncode == 0, collected.stderr
    # THEN both bundles verify to the same report, and every pod of the lab is in it
    reports = [
        ekslab(["verify", "--bundle", str(tmp_path / folder), "-o", "json"], env, tmp_path)
        for folder in ("bundle", "collected")
    ]
    by_recipe, by_collect = (json.loads(report.stdout) for report in reports)
    assert [report.returncode for report in reports] == [0, 0]
    assert judged(by_recipe) == judged(by_collect)
    assert len(by_recipe["pods"]) == 9
    assert sorted(path.name for path in (tmp_path / "bundle" / "elbv2" / "target-health").iterdir()) == [
        "k8s-game2048-service2-0f1e2d3c4b.json"
    ]
