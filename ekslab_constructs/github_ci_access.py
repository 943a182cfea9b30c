"""GitHub Actions OIDC identity provider and the role the live-lab workflow assumes.

The role may do what the commands of ``.github/workflows/lab-e2e.yml`` call, and nothing else:

- assume the CDK bootstrap roles of this account and region (``cdk deploy`` / ``cdk destroy`` run
  through them, so the role itself needs no CloudFormation or resource-creating permissions);
- read what ``ekslab verify`` and the workshop's commands read (EC2, EKS, ELB target health, the
  network stack's outputs for ``ekslab azs``) and run ipamd introspection through SSM Run Command
  (``AWS-RunShellScript``), only on CI labs' nodes;
- read what ``ekslab teardown-check`` reads to find a lab's leftovers (ekslab/teardown.py).

Each action below names the command that calls it; docs/ci.md has the same list as a table.
Only workflows of one repository running in one GitHub environment can assume it.
See https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services
"""

from __future__ import annotations

from typing import Final

from aws_cdk import Acknowledgment, Aws, Duration, Validations
from aws_cdk import aws_iam as iam
from constructs import Construct

from ekslab.config import defaults
from ekslab.sources.introspection import SSM_DOCUMENT as INTROSPECTION_DOCUMENT

GITHUB_OIDC_HOST: Final = "token.actions.githubusercontent.com"
GITHUB_OIDC_URL: Final = f"https://{GITHUB_OIDC_HOST}"
STS_AUDIENCE: Final = "sts.amazonaws.com"
"""The audience aws-actions/configure-aws-credentials requests by default."""
MAX_SESSION: Final = Duration.hours(2)
"""Deploying a lab (EKS control plane, nodes, add-ons, load balancer) can take most of an hour; the
workflow re-assumes the role before teardown, so two hours is margin, not the teardown's budget."""

# Actions that have no resource-level permissions: IAM accepts them only with Resource "*".
# See https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html,
# https://docs.aws.amazon.com/service-authorization/latest/reference/list_elasticloadbalancingv2.html,
# https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssystemsmanager.html,
# https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudformation.html,
# https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html,
# https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonresourcegrouptaggingapi.html,
# https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelastickubernetesservice.html and
# https://docs.aws.amazon.com/service-authorization/latest/reference/list_servicequotas.html
UNSCOPED_READ_ACTIONS: Final = (
    "cloudformation:ListStacks",  # teardown-check: the lab's stacks in any state (DELETE_FAILED)
    "ec2:DescribeAddresses",  # teardown-check: Elastic IPs
    "ec2:DescribeAvailabilityZones",  # preflight: the lab's AZs and zone ids
    "ec2:DescribeInstanceTypeOfferings",  # preflight: instance types offered per AZ
    "ec2:DescribeInstances",  # preflight: on-demand vCPUs in use
    "ec2:DescribeInternetGateways",  # preflight: internet gateways in use
    "ec2:DescribeNatGateways",  # teardown-check: state of the NAT gateways the tagging API lists
    "ec2:DescribeNetworkInterfaces",  # verify, pods; the workshop's aws ec2 ...; teardown-check
    "ec2:DescribeSecurityGroups",  # teardown-check
    "ec2:DescribeSubnets",  # verify, pods
    "ec2:DescribeVpcs",  # verify, pods; teardown-check
    "eks:DescribeAddonVersions",  # preflight: the pinned add-on versions exist
    "eks:DescribeClusterVersions",  # preflight: standard or extended support
    "eks:ListClusters",  # preflight: EKS clusters in use
    "elasticloadbalancing:DescribeLoadBalancers",  # teardown-check
    "elasticloadbalancing:DescribeTags",  # teardown-check (the lab's and the controller's tags)
    "elasticloadbalancing:DescribeTargetGroups",  # verify (the Ingress's target groups)
    "elasticloadbalancing:DescribeTargetHealth",  # the workflow's aws elbv2 wait/describe; verify
    "iam:ListRoles",  # teardown-check: IAM roles are global, the tagging API does not list them
    "servicequotas:GetAWSDefaultServiceQuota",  # preflight: quotas
    "servicequotas:GetServiceQuota",  # preflight: quotas
    "ssm:GetCommandInvocation",  # verify, ipamd (introspection over SSM); the workshop's aws ssm ...
    "tag:GetResources",  # teardown-check: everything else tagged with the lab
)
EKS_CLUSTER_READ_ACTIONS: Final = ("eks:DescribeCluster",)
"""aws eks update-kubeconfig (workflow and workshop), verify and pods (the cluster's VPC), the
workshop's aws eks describe-cluster, teardown-check."""
STACK_READ_ACTIONS: Final = ("cloudformation:DescribeStacks",)
"""ekslab azs (the workshop): the network stack's outputs; preflight: the CDKToolkit and lab stacks' states."""
LOG_GROUP_READ_ACTIONS: Final = ("logs:DescribeLogGroups", "logs:ListTagsForResource")
"""teardown-check: log groups by name prefix, then their lab tag."""
ROLE_READ_ACTIONS: Final = ("iam:GetRole",)
"""teardown-check: the tags of roles named after the lab's stacks (ListRoles returns no tags)."""
KEY_READ_ACTIONS: Final = ("kms:DescribeKey",)
"""teardown-check: a key the tagging API lists is gone if its state is PendingDeletion."""


def subject_patterns(repository: str, environment: str) -> list[str]:
    """The ``sub`` claims of ``repository``'s jobs that run in GitHub environment ``environment``.

    Both spellings GitHub emits: the legacy ``repo:owner/name:...`` and, for repositories created on or
    after 15 July 2026 (or opted in), ``repo:owner@<org id>/name@<repo id>:...``. The ids are matched
    with ``*`` because the configuration names the repository, not its numeric ids.
    See https://github.blog/changelog/2026-04-23-immutable-subject-claims-for-github-actions-oidc-tokens/
    """
    owner, name = repository.split("/")
    return [
        f"repo:{owner}/{name}:environment:{environment}",
        f"repo:{owner}@*/{name}@*:environment:{environment}",
    ]


class GitHubCiAccess(Construct):
    """The account's GitHub OIDC provider and a role for one repository's workflows in one environment.

    The provider is one per account (IAM keys it by URL): deploy this construct once per account.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        repository: str,
        environment: str,
        region: str,
        bootstrap_qualifier: str,
        lab_names: str,
        existing_provider_arn: str | None = None,
    ) -> None:
        """``repository`` is ``owner/name``; ``environment`` the GitHub environment the workflow job names;
        ``region`` the lab's region (the bootstrap roles are per region); ``bootstrap_qualifier`` the
        ``cdk bootstrap --qualifier`` (CDK's default is ``hnb659fds``); ``lab_names`` an IAM
        StringLike pattern of the labs whose nodes the role may run introspection on and whose roles
        and KMS keys the teardown check may read (``ci-*``);
        ``existing_provider_arn`` reuses the account's GitHub provider instead of creating one."""
        super().__init__(scope, id_)
        if existing_provider_arn:
            self.provider = iam.OidcProviderNative.from_oidc_provider_arn(
                self, "Provider", existing_provider_arn
            )
        else:
            self.provider = iam.OidcProviderNative(
                self, "Provider", url=GITHUB_OIDC_URL, client_ids=[STS_AUDIENCE]
            )
        self.role = iam.Role(
            self,
            "Role",
            description=f"GitHub Actions of {repository} (environment {environment}): deploy, verify and "
            "tear down ekslab labs",
            max_session_duration=MAX_SESSION,
            assumed_by=iam.WebIdentityPrincipal(
                self.provider.oidc_provider_arn,
                conditions={
                    "StringEquals": {f"{GITHUB_OIDC_HOST}:aud": STS_AUDIENCE},
                    "StringLike": {f"{GITHUB_OIDC_HOST}:sub": subject_patterns(repository, environment)},
                },
            ),
        )
        self._allow_cdk_bootstrap_roles(region, bootstrap_qualifier)
        self._allow_reads(region)
        self._allow_teardown_check_reads(region, lab_names)
        self._allow_introspection(region, lab_names)

    def _allow_cdk_bootstrap_roles(self, region: str, qualifier: str) -> None:
        # cdk deploy/destroy assume the deploy, file-publishing, image-publishing and lookup roles that
        # `cdk bootstrap` created: cdk-<qualifier>-<purpose>-role-<account>-<region>.
        # See https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-env.html
        account = Aws.ACCOUNT_ID
        bootstrap_roles = f"arn:{Aws.PARTITION}:iam::{account}:role/cdk-{qualifier}-*-{account}-{region}"
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="AssumeCdkBootstrapRoles",
                actions=["sts:AssumeRole"],
                resources=[bootstrap_roles],
            )
        )
        self._acknowledge_wildcard(
            f"Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/cdk-{qualifier}-*-<AWS::AccountId>-{region}",
            "Matches only the CDK bootstrap roles of this account and region (deploy, file and image "
            "publishing, lookup); the wildcard is the role purpose, which cdk chooses per command.",
        )

    def _allow_reads(self, region: str) -> None:
        arn = f"arn:{Aws.PARTITION}:%s:{region}:{Aws.ACCOUNT_ID}:%s"
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="ReadWithoutResourceLevelPermissions",
                actions=list(UNSCOPED_READ_ACTIONS),
                resources=["*"],
            )
        )
        self._acknowledge_wildcard(
            "Resource::*",
            "Only List and Describe calls of EC2, ELB, CloudFormation and IAM, tag:GetResources and "
            "ssm:GetCommandInvocation, which have no resource-level permissions, so IAM accepts them with "
            "Resource * alone; ekslab verify and the teardown check read the lab with them.",
        )
        scoped = {
            # aws eks update-kubeconfig, ekslab verify and pods, teardown-check.
            "ReadEksClusters": (EKS_CLUSTER_READ_ACTIONS, arn % ("eks", "cluster/*")),
            # ekslab azs (the workshop's first exercise) reads the network stack's outputs.
            "ReadStackOutputs": (STACK_READ_ACTIONS, arn % ("cloudformation", "stack/*/*")),
            # teardown-check: the control-plane, flow-log and Lambda log groups.
            "ReadLogGroups": (LOG_GROUP_READ_ACTIONS, arn % ("logs", "log-group:*")),
        }
        for sid, (actions, resource) in scoped.items():
            self.role.add_to_policy(iam.PolicyStatement(sid=sid, actions=list(actions), resources=[resource]))
        for service, pattern in (
            ("eks", "cluster/*"),
            ("cloudformation", "stack/*/*"),
            ("logs", "log-group:*"),
        ):
            self._acknowledge_wildcard(
                f"Resource::arn:<AWS::Partition>:{service}:{region}:<AWS::AccountId>:{pattern}",
                f"Read-only {service} calls in this account and region; the wildcard is the lab name, "
                "which differs per CI run and per attendee, so it cannot be fixed at deploy time.",
            )

    def _allow_teardown_check_reads(self, region: str, lab_names: str) -> None:
        # teardown-check reads the tags of the IAM roles CloudFormation named after a CI lab's stacks
        # (<lab>-<part>-<logical id>-<suffix>, path /) and the state of the lab's KMS keys.
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="ReadCiLabRoles",
                actions=list(ROLE_READ_ACTIONS),
                resources=[f"arn:{Aws.PARTITION}:iam::{Aws.ACCOUNT_ID}:role/{lab_names}"],
            )
        )
        self._acknowledge_wildcard(
            f"Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/{lab_names}",
            f"iam:GetRole only, on roles whose names start like a CI lab's stacks ({lab_names}); the "
            "teardown check reads their tags to tell the lab's roles from others.",
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="ReadCiLabKeys",
                actions=list(KEY_READ_ACTIONS),
                resources=[f"arn:{Aws.PARTITION}:kms:{region}:{Aws.ACCOUNT_ID}:key/*"],
                conditions={"StringLike": {f"aws:ResourceTag/{defaults.TAG_LAB}": lab_names}},
            )
        )
        self._acknowledge_wildcard(
            f"Resource::arn:<AWS::Partition>:kms:{region}:<AWS::AccountId>:key/*",
            f"kms:DescribeKey only, on keys whose {defaults.TAG_LAB} tag matches {lab_names} (the "
            "condition); key ids are random per deploy, so the ARN cannot name them.",
        )

    def _allow_introspection(self, region: str, lab_names: str) -> None:
        # SendCommand is authorized on the document and on every target instance. AWS-owned documents
        # have no account in their ARN; instances are limited by their lab tag (build_lab tags the
        # node groups' launch templates, which tag the instances).
        # See https://docs.aws.amazon.com/systems-manager/latest/userguide/run-command-setting-up.html
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="RunIntrospectionDocument",
                actions=["ssm:SendCommand"],
                resources=[f"arn:{Aws.PARTITION}:ssm:{region}::document/{INTROSPECTION_DOCUMENT}"],
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="RunIntrospectionOnLabNodes",
                actions=["ssm:SendCommand"],
                resources=[f"arn:{Aws.PARTITION}:ec2:{region}:{Aws.ACCOUNT_ID}:instance/*"],
                conditions={"StringLike": {f"ssm:resourceTag/{defaults.TAG_LAB}": lab_names}},
            )
        )
        self._acknowledge_wildcard(
            f"Resource::arn:<AWS::Partition>:ec2:{region}:<AWS::AccountId>:instance/*",
            f"SendCommand reaches only instances whose {defaults.TAG_LAB} tag matches {lab_names} (the "
            "condition); node instance ids change with every deploy, so the ARN cannot name them.",
        )

    def _acknowledge_wildcard(self, finding: str, reason: str) -> None:
        # cdk-nag 3.0.2 reports each IAM5 wildcard as its own finding and names the acknowledgement id
        # "AwsSolutions::AwsSolutions-IAM5[<finding>]". That spelling lands in validation-report.json with
        # its reason; the shorter "AwsSolutions-IAM5[...]" also silences the finding but leaves no trace.
        Validations.of(self.role).acknowledge(
            Acknowledgment(id=f"AwsSolutions::AwsSolutions-IAM5[{finding}]", reason=reason)
        )
