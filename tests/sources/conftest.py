"""Fixtures of the data-source tests: moto without its default AMIs (loading them costs seconds per reset)."""

from __future__ import annotations

import pytest


@pytest.fixture
def moto_ec2(moto_aws: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The shared ``moto_aws`` account, whose EC2 backend skips loading moto's default AMI list."""
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    return moto_aws
