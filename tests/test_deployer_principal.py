"""scripts/deployer_principal.py: who `make deploy` grants cluster admin, and a plain stop without credentials."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT

SCRIPT = str(ROOT / "scripts" / "deployer_principal.py")
NO_CREDENTIALS = {
    "PATH": os.environ["PATH"],
    "AWS_EC2_METADATA_DISABLED": "true",  # no instance-metadata credentials either
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_CONFIG_FILE": os.devnull,
}


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, SCRIPT, *args], capture_output=True, text=True, env=env)


def test_require_without_credentials_is_one_line_and_exit_2() -> None:
    # GIVEN no credentials anywhere  WHEN a deploying target asks  THEN one line says what to do
    result = _run("--require", env=NO_CREDENTIALS)
    assert (result.returncode, result.stdout, result.stderr) == (
        2,
        "",
        "ekslab: error: AWS credentials: none found (set AWS_PROFILE or --profile, run `aws sso login` or "
        "`aws configure`, then try again); make deploy, diff, destroy and bootstrap work on a real account\n",
    )


def test_require_with_a_profile_that_does_not_exist_is_one_line_and_exit_2() -> None:
    # GIVEN AWS_PROFILE naming no profile (botocore raises ProfileNotFound)  WHEN a deploying target asks
    result = _run("--require", env={**NO_CREDENTIALS, "AWS_PROFILE": "nope"})
    # THEN one line names the profile and where profiles are listed, exit 2, no traceback
    assert (result.returncode, result.stdout, result.stderr) == (
        2,
        "",
        "ekslab: error: AWS profile (--profile or AWS_PROFILE): names no profile of ~/.aws/config or "
        "~/.aws/credentials, got 'nope' (`aws configure list-profiles` lists them); make deploy, diff, destroy "
        "and bootstrap work on a real account\n",
    )


def test_require_with_half_a_key_pair_is_one_line_and_exit_2() -> None:
    result = _run("--require", env={**NO_CREDENTIALS, "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE"})
    assert (result.returncode, result.stderr) == (
        2,
        "ekslab: error: AWS credentials: incomplete: the env credentials have no AWS_SECRET_ACCESS_KEY (set "
        "AWS_PROFILE or --profile, run `aws sso login` or `aws configure`, then try again); make deploy, diff, "
        "destroy and bootstrap work on a real account\n",
    )


def test_without_require_no_credentials_prints_nothing_and_succeeds() -> None:
    result = _run(env=NO_CREDENTIALS)
    assert (result.returncode, result.stdout) == (0, "")


def test_with_credentials_prints_the_caller_principal(moto_aws: str) -> None:
    # GIVEN credentials and an STS endpoint (moto)  THEN the caller's ARN, as an access entry takes it
    result = _run("--require", env={**os.environ, "AWS_DEFAULT_REGION": "us-east-1"})
    # moto answers GetCallerIdentity for its default IAM user (moto.sts.responses)
    assert (result.returncode, result.stdout) == (0, "arn:aws:sts::123456789012:user/moto\n")
