"""Who is deploying: the IAM principal behind the current credentials, as an access entry wants it."""

from __future__ import annotations

import re
from typing import Any, Final

_ASSUMED_ROLE: Final = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):sts::(?P<account>\d{12}):assumed-role/(?P<role>[^/]+)/"
)


def principal_arn_from_caller(caller_arn: str, *, role_arn_by_name: dict[str, str] | None = None) -> str:
    """The IAM ARN to grant cluster access for an STS caller ARN.

    ``sts:GetCallerIdentity`` names an assumed role as ``arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION``;
    EKS access entries want the role itself, ``arn:aws:iam::ACCOUNT:role/PATH/NAME``. The STS form
    drops the role's path, so ``role_arn_by_name`` (from iam:GetRole) supplies it when known.
    """
    match = _ASSUMED_ROLE.match(caller_arn)
    if not match:
        return caller_arn  # an IAM user or root ARN is already what an access entry takes
    if role_arn_by_name and match["role"] in role_arn_by_name:
        return role_arn_by_name[match["role"]]
    return f"arn:{match['partition']}:iam::{match['account']}:role/{match['role']}"


def deployer_principal_arn(session: Any) -> str:
    """The current credentials' principal, with the role path looked up when IAM allows it."""
    from botocore.exceptions import ClientError

    from ekslab.aws.clients import aws_client

    caller = aws_client("sts", session=session).get_caller_identity()["Arn"]
    match = _ASSUMED_ROLE.match(caller)
    if not match:
        return caller
    try:
        role = aws_client("iam", session=session).get_role(RoleName=match["role"])["Role"]
    except ClientError:
        return principal_arn_from_caller(caller)
    return principal_arn_from_caller(caller, role_arn_by_name={match["role"]: role["Arn"]})
