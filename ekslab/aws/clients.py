"""boto3 clients, built one way for the whole toolkit: adaptive retries, bounded timeouts.

Adaptive mode retries throttling with backoff and also rate-limits the client itself, which matters
for describe calls that page through thousands of ENIs. Endpoints follow boto3's own settings, so
``AWS_ENDPOINT_URL`` (or ``AWS_ENDPOINT_URL_EC2``...) points every client at a local moto server
in tests. See https://boto3.amazonaws.com/v1/documentation/api/latest/guide/retries.html
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    import boto3

MAX_ATTEMPTS: Final = 10
CONNECT_TIMEOUT_SECONDS: Final = 5
READ_TIMEOUT_SECONDS: Final = 30


def retry_config() -> Any:
    """The botocore Config every ekslab client uses."""
    from botocore.config import Config

    return Config(
        retries={"mode": "adaptive", "total_max_attempts": MAX_ATTEMPTS},
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
        user_agent_appid="ekslab",
    )


def aws_session(*, region: str | None = None, profile: str | None = None) -> boto3.Session:
    import boto3

    return boto3.Session(region_name=region, profile_name=profile)


def aws_client(service: str, *, region: str | None = None, session: boto3.Session | None = None) -> Any:
    """A boto3 client for ``service`` with the toolkit's retry and timeout settings."""
    session = session or aws_session(region=region)
    return session.client(service, region_name=region or session.region_name, config=retry_config())
