"""VPC flow logs to a KMS-encrypted CloudWatch Logs group or an encrypted S3 bucket."""

from __future__ import annotations

from aws_cdk import Aws, Duration, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from ekslab.config.model import FlowLogs

# jsii enum members carry names, not day counts.
_RETENTION = {
    1: logs.RetentionDays.ONE_DAY, 3: logs.RetentionDays.THREE_DAYS, 5: logs.RetentionDays.FIVE_DAYS,
    7: logs.RetentionDays.ONE_WEEK, 14: logs.RetentionDays.TWO_WEEKS, 30: logs.RetentionDays.ONE_MONTH,
    60: logs.RetentionDays.TWO_MONTHS, 90: logs.RetentionDays.THREE_MONTHS, 180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
}


class VpcFlowLogs(Construct):
    """Flow logs of the whole VPC, encrypted at rest, with the configured traffic type and retention."""

    def __init__(self, scope: Construct, id_: str, *, vpc: ec2.IVpc, settings: FlowLogs) -> None:
        super().__init__(scope, id_)
        traffic = getattr(ec2.FlowLogTrafficType, settings.traffic_type)
        if settings.destination == "s3":
            self.bucket = s3.Bucket(
                self, "Bucket",
                encryption=s3.BucketEncryption.S3_MANAGED,
                block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
                enforce_ssl=True,
                removal_policy=RemovalPolicy.DESTROY,
                auto_delete_objects=False,
                lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(settings.retention_days))],
            )
            destination = ec2.FlowLogDestination.to_s3(self.bucket)
        else:
            self.key = kms.Key(
                self, "Key", enable_key_rotation=True, removal_policy=RemovalPolicy.DESTROY,
                description="Encrypts the lab's VPC flow log group",
            )
            # CloudWatch Logs must be allowed to use the key for this account's log groups.
            # See https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
            self.key.add_to_resource_policy(iam.PolicyStatement(
                principals=[iam.ServicePrincipal(f"logs.{Stack.of(self).region}.amazonaws.com")],
                actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                resources=["*"],
                conditions={"ArnLike": {"kms:EncryptionContext:aws:logs:arn":
                                        f"arn:{Aws.PARTITION}:logs:{Stack.of(self).region}:{Aws.ACCOUNT_ID}:*"}},
            ))
            self.log_group = logs.LogGroup(
                self, "LogGroup",
                encryption_key=self.key,
                retention=_RETENTION[settings.retention_days],
                removal_policy=RemovalPolicy.DESTROY,
            )
            destination = ec2.FlowLogDestination.to_cloud_watch_logs(self.log_group)
        self.flow_log = ec2.FlowLog(
            self, "FlowLog",
            resource_type=ec2.FlowLogResourceType.from_vpc(vpc),
            destination=destination,
            traffic_type=traffic,
        )
