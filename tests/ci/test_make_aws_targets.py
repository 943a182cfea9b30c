"""The make targets that talk to AWS (bootstrap, diff, deploy, destroy), offline.

Each target's cdk command line (recorded by a stand-in for the CLI) is run through the pinned CDK
CLI's own argument parsing: the CLI warns about any option its command does not take ("Unknown
option(s): --all") before it runs the app, and the app given here does not exist, so nothing is
synthesized and nothing reaches AWS (no credentials, endpoints on a closed loopback port). A wrong
AWS_PROFILE stops each target with one ekslab line and exit 2, before the CLI runs.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

CDK = ROOT / "node_modules" / ".bin" / "cdk"
TARGETS = ("bootstrap", "diff", "deploy", "destroy")
OFFLINE = {
    "PATH": f"{ROOT / '.venv' / 'bin'}:/usr/bin:/bin",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    "CDK_DISABLE_CLI_TELEMETRY": "true",
}


def _recording_cdk(tmp_path: Path) -> tuple[Path, Path]:
    record = tmp_path / "cdk-args"
    stub = tmp_path / "cdk"
    stub.write_text(f"#!/bin/sh\nprintf '%s\\0' \"$@\" > {record}\n")
    stub.chmod(0o755)
    return stub, record


def _make(target: str, *variables: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", "-s", target, *variables],
        cwd=ROOT,
        env={**OFFLINE, "HOME": env.get("HOME", "/nonexistent"), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _cdk_args(target: str, tmp_path: Path, *variables: str) -> list[str]:
    stub, record = _recording_cdk(tmp_path)
    # PY=true stands in for the credential check (scripts/deployer_principal.py) and PREFLIGHT=skip for
    # deploy's read-only preflight (tests/ci/test_makefile_deploy.py): no account here
    result = _make(
        target, f"CDK={stub}", "PY=true", "PREFLIGHT=skip", *variables, env={"HOME": str(tmp_path)}
    )
    assert result.returncode == 0, result.stderr
    return record.read_text().split("\0")[:-1]


@pytest.mark.parametrize("target", TARGETS)
def test_each_targets_cdk_command_line_is_one_the_pinned_cli_accepts(target: str, tmp_path: Path) -> None:
    # GIVEN the cdk arguments the target passes  WHEN the pinned CLI parses them (its app missing)
    args = _cdk_args(target, tmp_path)
    result = subprocess.run(
        [str(CDK), *args, "--app", str(tmp_path / "no-such-app")],
        cwd=ROOT,
        env={**OFFLINE, "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    # THEN it is the target's command and the CLI knows every option (it stops at the missing app)
    assert args[0] == target
    assert ("Unknown option" in result.stdout + result.stderr, "no-such-app" in result.stderr) == (
        False,
        True,
    )


@pytest.mark.parametrize(("target", "selects_all"), [("diff", False), ("deploy", True), ("destroy", True)])
def test_every_stack_is_selected_the_way_each_command_takes_it(
    target: str, selects_all: bool, tmp_path: Path
) -> None:
    # cdk diff compares every stack when given no stack name (and ignores --all); deploy and destroy
    # need --all for every stack
    args = _cdk_args(target, tmp_path)
    assert "--all" in args if selects_all else "--all" not in args


@pytest.mark.parametrize("target", ["diff", "deploy", "destroy"])
def test_stacks_names_the_stacks_instead(target: str, tmp_path: Path) -> None:
    args = _cdk_args(target, tmp_path, "STACKS=alice-workload")
    assert ("alice-workload" in args, "--all" in args) == (True, False)


@pytest.mark.parametrize("target", TARGETS)
def test_a_wrong_aws_profile_stops_the_target_in_one_line(target: str, tmp_path: Path) -> None:
    # GIVEN AWS_PROFILE naming no profile  WHEN the target runs
    stub, record = _recording_cdk(tmp_path)
    result = _make(target, f"CDK={stub}", env={"HOME": str(tmp_path), "AWS_PROFILE": "nope"})
    # THEN one ekslab line (besides make's own "Error 2"), exit 2, no traceback, and cdk never ran
    lines = [line for line in result.stderr.splitlines() if not line.startswith("make: ***")]
    assert (result.returncode, len(lines), record.exists()) == (2, 1, False)
    assert lines[0].startswith("ekslab: error: AWS profile (--profile or AWS_PROFILE): names no profile")
