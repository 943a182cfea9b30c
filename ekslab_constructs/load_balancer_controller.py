"""The AWS Load Balancer Controller: its pinned Helm chart, with its own IAM role (Pod Identity or IRSA).

aws_eks_v2's ``AlbController`` (aws-cdk-lib 2.275.0) always gives the controller an IRSA role, so the
lab installs the same chart itself and gets the role from ``ServiceAccountRole``, the construct aws-node
uses: ``cluster.workloadIdentity`` then means the same thing for both.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from aws_cdk import Aws, Duration, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from constructs import Construct

from ekslab.config.model import WorkloadIdentity
from ekslab_constructs.nag import acknowledge
from ekslab_constructs.scanner_findings import WRITE_WITHOUT_CONSTRAINTS, skip_findings
from ekslab_constructs.workload_identity import ServiceAccountRole

CHART: Final = "aws-load-balancer-controller"
CHART_REPOSITORY: Final = "https://aws.github.io/eks-charts"
CHART_VERSION: Final = "3.2.2"
APP_VERSION: Final = "v3.2.2"
"""Chart 3.2.2 installs controller v3.2.2 (its default image tag). Sources and the reasons for this
version: ``ekslab_constructs/data/load-balancer-controller/SOURCES.md``."""
RELEASE: Final = "aws-load-balancer-controller"
NAMESPACE: Final = "kube-system"
SERVICE_ACCOUNT: Final = "aws-load-balancer-controller"
INSTALL_TIMEOUT: Final = Duration.minutes(10)
"""How long helm waits for the controller's pods to be ready; below the kubectl provider's 15-minute
Lambda limit, so a failed install reports helm's error rather than a Lambda timeout."""
IRSA_ROLE_ANNOTATION: Final = "eks.amazonaws.com/role-arn"
"""See https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html"""

DATA_DIR: Final = Path(__file__).parent / "data" / "load-balancer-controller"
POLICY_FILE: Final = DATA_DIR / f"iam-policy-{APP_VERSION}.json"
_AWS_PARTITION_ARN: Final = "arn:aws:"


def published_policy() -> dict[str, Any]:
    """The controller's IAM policy exactly as its project publishes it for ``APP_VERSION``."""
    return json.loads(POLICY_FILE.read_text())


def _in_any_partition(resource: str | list[str]) -> str | list[str]:
    # The published policy names the aws partition; the lab's partition comes from the deployment.
    if isinstance(resource, list):
        return [r.replace(_AWS_PARTITION_ARN, f"arn:{Aws.PARTITION}:", 1) for r in resource]
    return resource.replace(_AWS_PARTITION_ARN, f"arn:{Aws.PARTITION}:", 1)


def _resources(statement: Mapping[str, Any]) -> list[str]:
    resource = statement["Resource"]
    return resource if isinstance(resource, list) else [resource]


class LoadBalancerController(Construct):
    """The AWS Load Balancer Controller (Helm chart ``CHART_VERSION``) in ``kube-system``.

    Its service account ``aws-load-balancer-controller`` gets a dedicated role holding the project's
    published IAM policy, through an EKS Pod Identity association (``mode`` POD_IDENTITY, the lab's
    default) or the IRSA annotation. The chart gets the cluster name, region and VPC id, so the
    controller never needs the instance metadata service. ``chart`` waits until the controller's pods
    are ready: make anything that needs the controller (an Ingress) depend on it.

    ``default_tags`` go on every load balancer, target group and security group the controller
    creates (the chart's ``defaultTags``), as the lab's tags go on every CloudFormation resource.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        cluster: eks.Cluster,
        vpc: ec2.IVpc,
        mode: WorkloadIdentity,
        default_tags: Mapping[str, str],
    ) -> None:
        super().__init__(scope, id_)
        self.identity = ServiceAccountRole(
            self,
            "Identity",
            cluster=cluster,
            namespace=NAMESPACE,
            service_account=SERVICE_ACCOUNT,
            mode=mode,
            description=f"AWS Load Balancer Controller {APP_VERSION}: manages the lab's ALBs, target groups "
            "and their security groups",
        )
        document = published_policy()
        statements = [{**s, "Resource": _in_any_partition(s["Resource"])} for s in document["Statement"]]
        self.policy = iam.Policy(
            self,
            "Policy",
            document=iam.PolicyDocument.from_json({**document, "Statement": statements}),
        )
        self.identity.role.attach_inline_policy(self.policy)
        self._acknowledge(document)

        annotations: dict[str, str] = {}
        self.pod_identity_association: eks.CfnPodIdentityAssociation | None = None
        if mode is WorkloadIdentity.POD_IDENTITY:
            # The association must exist before the controller's pods start: EKS injects Pod Identity
            # credentials when a pod is created. The agent add-on is the cluster stack's (CoreAddons).
            # See https://docs.aws.amazon.com/eks/latest/userguide/pod-id-association.html
            self.pod_identity_association = eks.CfnPodIdentityAssociation(
                self,
                "PodIdentityAssociation",
                cluster_name=cluster.cluster_name,
                namespace=NAMESPACE,
                service_account=SERVICE_ACCOUNT,
                role_arn=self.identity.role.role_arn,
            )
        else:
            annotations[IRSA_ROLE_ANNOTATION] = self.identity.role.role_arn

        self.values: dict[str, Any] = {
            "clusterName": cluster.cluster_name,
            # --aws-region and --aws-vpc-id: no IMDS lookups (cdk-notes.md, "What the anchors do").
            "region": Stack.of(self).region,
            "vpcId": vpc.vpc_id,
            "serviceAccount": {"create": True, "name": SERVICE_ACCOUNT, "annotations": annotations},
            "defaultTags": dict(sorted(default_tags.items())),
        }
        self.chart = eks.HelmChart(
            self,
            "Chart",
            cluster=cluster,
            chart=CHART,
            repository=CHART_REPOSITORY,
            version=CHART_VERSION,
            release=RELEASE,
            namespace=NAMESPACE,
            values=self.values,
            wait=True,
            timeout=INSTALL_TIMEOUT,
        )
        # The controller's first AWS calls need the role and its permissions in place.
        self.chart.node.add_dependency(self.identity, self.policy)
        if self.pod_identity_association is not None:
            self.chart.node.add_dependency(self.pod_identity_association)

    def _acknowledge(self, document: Mapping[str, Any]) -> None:
        # One acknowledgement per wildcard resource of the published policy, computed from the file
        # itself so a version bump cannot silently widen what is accepted.
        published = f"The AWS Load Balancer Controller's published {APP_VERSION} policy, unchanged"
        wildcards = sorted({r for s in document["Statement"] for r in _resources(s) if "*" in r})
        for resource in wildcards:
            shown = resource.replace(_AWS_PARTITION_ARN, "arn:<AWS::Partition>:", 1)
            why = (
                "Describe/Get/List calls have no resource-level permissions, and the controller must open "
                "the node and pod security groups it does not own to its load balancers; only its own "
                "service account can assume this role"
                if resource == "*"
                else "the controller creates these load balancers, listeners, target groups and security groups, "
                "so their ids are unknown in advance; the pattern limits the actions to that resource type"
            )
            acknowledge(self.policy, f"AwsSolutions-IAM5[Resource::{shown}]", f"{published}: {why}")
        # checkov's view of the same wildcards: writes (CreateSecurityGroup, CreateTargetGroup...) on "*".
        skip_findings(
            self.policy.node.default_child,
            {
                WRITE_WITHOUT_CONSTRAINTS: f"{published}: create actions name resources that do not exist "
                "yet and so cannot be scoped by ARN (most are held to the elbv2.k8s.aws/cluster request or "
                "resource tag instead), and the controller edits listeners, rules and security-group "
                "ingress of load balancers it creates for any Ingress; only its service account can "
                "assume the role"
            },
        )
