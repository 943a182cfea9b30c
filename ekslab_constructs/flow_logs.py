"""VPC flow logs to a KMS-encrypted CloudWatch Logs group or an encrypted S3 bucket."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_s3 as s3
from constructs import Construct

from ekslab.config.model import FlowLogs
from ekslab_constructs.encrypted_log_group import EncryptedLogGroup, own_provider_logs
from ekslab_constructs.nag import acknowledge


class VpcFlowLogs(Construct):
    """Flow logs of the whole VPC, encrypted at rest, with the configured traffic type and retention."""

    def __init__(self, scope: Construct, id_: str, *, vpc: ec2.IVpc, settings: FlowLogs) -> None:
        super().__init__(scope, id_)
        traffic = getattr(ec2.FlowLogTrafficType, settings.traffic_type)
        if settings.destination == "s3":
            self.bucket = s3.Bucket(
                self,
                "Bucket",
                encryption=s3.BucketEncryption.S3_MANAGED,
                block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
                enforce_ssl=True,
                removal_policy=RemovalPolicy.DESTROY,
                # Empty the bucket on destroy, so tearing the lab down leaves nothing behind.
                auto_delete_objects=True,
                lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(settings.retention_days))],
            )
            acknowledge(
                self.bucket,
                "AwsSolutions-S1",
                "The bucket only receives VPC flow logs from the log delivery "
                "service; logging access to it would log that delivery and nothing else",
            )
            own_provider_logs(
                self,
                "AutoDeleteObjectsLogs",
                provider_id="Custom::S3AutoDeleteObjectsCustomResourceProvider",
                custom_resource=self.bucket.node.find_child("AutoDeleteObjectsCustomResource"),
                retention_days=settings.retention_days,
            )
            destination = ec2.FlowLogDestination.to_s3(self.bucket)
        else:
            self.logs = EncryptedLogGroup(
                self, "Logs", purpose="the lab's VPC flow logs", retention_days=settings.retention_days
            )
            self.log_group = self.logs.log_group
            destination = ec2.FlowLogDestination.to_cloud_watch_logs(self.log_group)
        self.flow_log = ec2.FlowLog(
            self,
            "FlowLog",
            resource_type=ec2.FlowLogResourceType.from_vpc(vpc),
            destination=destination,
            traffic_type=traffic,
        )
