"""The deployer's principal, as `make deploy` grants it cluster admin."""

from __future__ import annotations

import json
import subprocess
import sys

import boto3
import pytest

from ekslab.aws.clients import MAX_ATTEMPTS, aws_client
from ekslab.aws.identity import deployer_principal_arn, principal_arn_from_caller
from tests.synth import ROOT


@pytest.mark.parametrize(
    ("caller", "roles", "expected"),
    [
        ("arn:aws:sts::123456789012:assumed-role/Admin/alice", None, "arn:aws:iam::123456789012:role/Admin"),
        (
            "arn:aws:sts::123456789012:assumed-role/Admin/alice",
            {"Admin": "arn:aws:iam::123456789012:role/ops/Admin"},
            "arn:aws:iam::123456789012:role/ops/Admin",
        ),
        ("arn:aws-cn:sts::123456789012:assumed-role/Ci/run-7", None, "arn:aws-cn:iam::123456789012:role/Ci"),
        ("arn:aws:iam::123456789012:user/bob", None, "arn:aws:iam::123456789012:user/bob"),
    ],
    ids=["assumed-role", "role-with-path", "china-partition", "iam-user"],
)
def test_caller_arn_becomes_the_access_entry_principal(
    caller: str, roles: dict | None, expected: str
) -> None:
    assert principal_arn_from_caller(caller, role_arn_by_name=roles) == expected


def test_clients_retry_adaptively() -> None:
    client = aws_client("ec2", region="ap-northeast-2")
    assert (client.meta.config.retries["mode"], client.meta.config.retries["total_max_attempts"]) == (
        "adaptive",
        MAX_ATTEMPTS,
    )


def test_deployer_principal_of_an_assumed_role_with_a_path(moto_aws: str) -> None:
    iam = boto3.client("iam", region_name="us-east-1")
    role = iam.create_role(
        RoleName="LabAdmin",
        Path="/ops/",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
            }
        ),
    )
    credentials = boto3.client("sts", region_name="us-east-1").assume_role(
        RoleArn=role["Role"]["Arn"], RoleSessionName="alice"
    )["Credentials"]
    session = boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name="ap-northeast-2",
    )
    assert deployer_principal_arn(session) == "arn:aws:iam::123456789012:role/ops/LabAdmin"


def test_script_prints_nothing_without_credentials(tmp_path) -> None:
    environment = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "PYTHONPATH": str(ROOT),
    }
    result = subprocess.run(
        [sys.executable, "scripts/deployer_principal.py"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stdout) == (0, "")
    assert "no AWS identity" in result.stderr
