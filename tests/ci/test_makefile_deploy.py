"""`make deploy` runs `ekslab preflight` after the credential check and before `cdk deploy` (dry run)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.synth import ROOT

STAMPS = ("-o", "setup", "-o", ".venv/.ekslab-python.stamp", "-o", "node_modules/.ekslab-node.stamp")


def _dry_run(*variables: str) -> str:
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    result = subprocess.run(
        [make, "--no-print-directory", "-n", *STAMPS, "deploy", *variables],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout


def test_deploy_checks_credentials_then_runs_preflight_then_cdk_deploy() -> None:
    recipe = _dry_run("LAB=alice", "CONFIG=lab.yaml")
    credentials = recipe.index("scripts/deployer_principal.py --require")
    preflight = recipe.index(".venv/bin/ekslab preflight --config lab.yaml --lab alice --output table")
    assert credentials < preflight < recipe.index("cdk deploy")
    # exit 1 (a failed check) and 2 (bad input) stop the deploy; 3 (not checked) is reported
    assert "elif [ $status -ne 0 ]; then" in recipe and "exit $status" in recipe


def test_preflight_skip_bypasses_it() -> None:
    recipe = _dry_run("PREFLIGHT=skip")
    assert "ekslab preflight" not in recipe
    assert "preflight skipped (PREFLIGHT=skip)" in recipe
