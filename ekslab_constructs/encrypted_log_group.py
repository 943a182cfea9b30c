"""A CloudWatch Logs group encrypted with its own rotating KMS key, deleted with the lab."""

from __future__ import annotations

from typing import Final

from aws_cdk import Aws, CfnResource, Fn, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

RETENTION: Final = {
    # jsii enum members carry names, not day counts.
    1: logs.RetentionDays.ONE_DAY,
    3: logs.RetentionDays.THREE_DAYS,
    5: logs.RetentionDays.FIVE_DAYS,
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    60: logs.RetentionDays.TWO_MONTHS,
    90: logs.RetentionDays.THREE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
}


class EncryptedLogGroup(Construct):
    """Log group with a customer-managed key that CloudWatch Logs may use for this account's groups.

    ``log_group_name`` None lets CloudFormation name it. The group and key are destroyed with the
    stack, so a lab leaves no logs behind. See
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        purpose: str,
        retention_days: int,
        log_group_name: str | None = None,
    ) -> None:
        super().__init__(scope, id_)
        region = Stack.of(self).region
        self.key = kms.Key(
            self,
            "Key",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.DESTROY,
            description=f"Encrypts {purpose}",
        )
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal(f"logs.{region}.amazonaws.com")],
                actions=[
                    "kms:Encrypt*",
                    "kms:Decrypt*",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:Describe*",
                ],
                resources=["*"],
                conditions={
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": f"arn:{Aws.PARTITION}:logs:{region}:{Aws.ACCOUNT_ID}:*"
                    }
                },
            )
        )
        self.log_group = logs.LogGroup(
            self,
            "LogGroup",
            log_group_name=log_group_name,
            encryption_key=self.key,
            retention=RETENTION[retention_days],
            removal_policy=RemovalPolicy.DESTROY,
        )


def own_provider_logs(
    scope: Construct, id_: str, *, provider_id: str, custom_resource: Construct, retention_days: int
) -> EncryptedLogGroup:
    """A lab-owned log group for the Lambda of an aws-cdk-lib custom resource provider.

    Left alone, Lambda creates ``/aws/lambda/<function>`` itself on the first run, untagged and never
    expiring, and CloudFormation never deletes it, so every destroyed lab would leave it behind.
    ``custom_resource`` depends on the group: it is created before the Lambda first runs and deleted
    only after its last (delete) run. ``provider_id`` is the provider's construct id in the stack.
    """
    provider = Stack.of(scope).node.try_find_child(provider_id)
    handler = provider.node.try_find_child("Handler") if provider is not None else None
    if not isinstance(handler, CfnResource):
        raise RuntimeError(f"aws-cdk-lib no longer creates {provider_id}/Handler; revisit own_provider_logs")
    group = EncryptedLogGroup(
        scope,
        id_,
        purpose=f"the logs of the {provider_id} Lambda",
        retention_days=retention_days,
        log_group_name=Fn.join("", ["/aws/lambda/", handler.ref]),
    )
    custom_resource.node.add_dependency(group)
    return group
