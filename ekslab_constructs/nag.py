"""cdk-nag acknowledgements: one finding at a time, always with a specific reason.

cdk-nag 3 uses CDK's own ``Validations`` API (cdk-notes.md); an acknowledgement names the rule and,
for rules that report several findings per resource (IAM4, IAM5), the exact finding, so nothing
else on that resource is hidden by it.
"""

from __future__ import annotations

from typing import Final

from aws_cdk import Acknowledgment, Validations
from constructs import IConstruct

PACK: Final = "AwsSolutions"
MIN_REASON_LENGTH: Final = 40
"""A reason shorter than this cannot say why the finding does not apply here."""


def acknowledge(scope: IConstruct, finding: str, reason: str, *, pack: str = PACK) -> None:
    """Accept one finding of ``pack`` (e.g. ``AwsSolutions-L1``) on ``scope`` and its children.

    The lab runs the AwsSolutions pack; a finding of another pack (NIST 800-53 R5's ``LambdaDLQ``...)
    is acknowledged for whoever runs that pack on the templates, with the same kind of reason.
    """
    if len(reason) < MIN_REASON_LENGTH:
        raise ValueError(f"nag acknowledgement of {finding} needs a specific reason, got {reason!r}")
    Validations.of(scope).acknowledge(Acknowledgment(id=f"{pack}::{finding}", reason=reason))


def managed_policy(name: str) -> str:
    """The AwsSolutions-IAM4 finding for one AWS managed policy (``service-role/...`` included)."""
    return f"AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/{name}]"
