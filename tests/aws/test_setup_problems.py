"""A wrong AWS_PROFILE, no credentials or half a key pair: one line and exit 2 from every command that
talks to AWS (3 from teardown-check, whose 3 means "could not check"), run as a user runs them."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

EKSLAB = ROOT / ".venv" / "bin" / "ekslab"
LOGIN = "(set AWS_PROFILE or --profile, run `aws sso login` or `aws configure`, then try again"
PROBLEMS = {
    "wrong profile": (
        {"AWS_PROFILE": "nope"},
        "AWS profile (--profile or AWS_PROFILE): names no profile of ~/.aws/config or ~/.aws/credentials, "
        "got 'nope' (`aws configure list-profiles` lists them",
    ),
    "no credentials": ({}, f"AWS credentials: none found {LOGIN}"),
    "half a key pair": (
        {"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE"},
        f"AWS credentials: incomplete: the env credentials have no AWS_SECRET_ACCESS_KEY {LOGIN}",
    ),
}
COMMANDS = {
    "verify": (["verify", "--cluster", "ekslab", "--region", "ap-northeast-2"], 2, ")"),
    "collect": (["collect", "--cluster", "ekslab", "--region", "ap-northeast-2", "--out", "{tmp}/b"], 2, ")"),
    "pods": (["pods", "--cluster", "ekslab", "--region", "ap-northeast-2"], 2, ")"),
    "azs": (["azs", "--lab", "ekslab"], 2, "; `ekslab azs --offline` needs none)"),
    "plan refresh-limits": (
        ["plan", "refresh-limits", "--region", "us-east-1", "--output-file", "{tmp}/limits.json"],
        2,
        ")",
    ),
    "teardown-check": (["teardown-check", "--lab", "alice"], 3, "); nothing was checked"),
}


@pytest.mark.parametrize("problem", PROBLEMS)
@pytest.mark.parametrize("command", COMMANDS)
def test_an_aws_set_up_problem_is_one_line(command: str, problem: str, tmp_path: Path) -> None:
    # GIVEN no AWS config files, no instance metadata, endpoints on a closed loopback port, and the problem
    variables, message = PROBLEMS[problem]
    args, code, tail = COMMANDS[command]
    environment = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        "KUBECONFIG": str(tmp_path / "no-kubeconfig"),
        **variables,
    }
    # WHEN the command runs
    result = subprocess.run(
        [str(EKSLAB), *(arg.format(tmp=tmp_path) for arg in args)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )
    # THEN it says so in one line, with its exit code, and nothing on stdout
    assert (result.returncode, result.stdout, result.stderr) == (
        code,
        "",
        f"ekslab: error: {message}{tail}\n",
    )
