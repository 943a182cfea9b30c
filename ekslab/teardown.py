"""After ``make destroy``: what is still there that belongs to the lab?

CloudFormation deletes what it created, but an EKS lab also owns things nobody declared in a
template, and a failed deletion leaves declared things behind. This module finds both, by the marks
AWS and the lab put on them:

- ``ekslab:lab=<lab>``: every taggable resource of the lab's stacks (``build_lab`` tags each stack);
- ``elbv2.k8s.aws/cluster=<cluster>``: load balancers, target groups and security groups that the
  AWS Load Balancer Controller created for the 2048 Ingress (not CloudFormation);
- ``cluster.k8s.amazonaws.com/name=<cluster>``: ENIs the VPC CNI created (cni-facts.md, "ENI tags");
- ``aws:eks:cluster-name=<cluster>``: the cluster security group EKS created;
- the description ``Amazon EKS <cluster>``: the control plane's ENIs in the lab's subnets;
- any ENI or security group still in a leftover lab VPC (they are what keeps the VPC from being deleted);
- ``/aws/eks/<cluster>/cluster``: the control-plane log group, which EKS creates and never deletes.
  See https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html
- ``/aws/lambda/<lab>-<part>-...``: log groups Lambda created, untagged, for the functions of the
  lab's stacks (custom-resource providers); CloudFormation deletes the function, never its log group;
- log groups named like the lab's stacks (``<lab>-...``, ``/aws/lambda/<lab>-...``, CloudFormation's
  generated names) whose ``ekslab:lab`` tag is the lab's: the flow-log group, retained Lambda logs;
- the lab's stacks ``<lab>-<part>`` in any state but ``DELETE_COMPLETE`` (``DELETE_FAILED`` above all);
- IAM roles (global, so no regional listing has them) named ``<lab>-<part>-...`` and tagged with the lab;
- everything else in the region tagged ``ekslab:lab=<lab>``, whatever its type (Resource Groups
  Tagging API ``GetResources``: NAT gateways, S3 buckets, KMS keys, Lambda functions, SSM
  parameters...). That index can still list a resource for a while after its deletion, so types
  with a live check above come from that check only, and NAT gateways and KMS keys are confirmed
  with EC2 and KMS: a NAT gateway ``deleted`` or ``failed``, or a key ``PendingDeletion`` (a key
  cannot be deleted at once; CloudFormation schedules it), is gone.
  See https://docs.aws.amazon.com/resourcegroupstagging/latest/APIReference/API_GetResources.html

Every call is a read, made through the toolkit's clients (``ekslab.aws.clients``: adaptive retries)
and paged with paginators.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from ekslab.aws.clients import aws_client, aws_session
from ekslab.config import defaults
from ekslab.config.model import CLUSTER_NAME_PATTERN, LAB_NAME_PATTERN, REGION_PATTERN
from ekslab.errors import InputError

TAG_LBC_CLUSTER: Final = "elbv2.k8s.aws/cluster"
"""AWS Load Balancer Controller: the cluster that owns a load balancer, target group or security group."""
TAG_CNI_CLUSTER: Final = "cluster.k8s.amazonaws.com/name"
"""VPC CNI: the cluster of an ENI it created (set when CLUSTER_NAME is; cni-facts.md, "ENI tags")."""
TAG_EKS_CLUSTER: Final = "aws:eks:cluster-name"
"""EKS: the cluster of the cluster security group it created."""
EKS_ENI_DESCRIPTION: Final = "Amazon EKS {cluster}"
"""Description of the control plane's cross-account ENIs in the cluster's subnets."""
EKS_LOG_GROUP_PREFIX: Final = "/aws/eks/{cluster}/"
ELB_TAGS_PER_CALL: Final = 20
"""DescribeTags takes at most 20 resource ARNs.
See https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeTags.html"""
DEFAULT_POLL_SECONDS: Final = 15
GONE_NAT_GATEWAY_STATES: Final = frozenset({"deleted", "failed"})
"""EC2 keeps listing a deleted NAT gateway, and a failed one, for a while; neither runs nor is billed.
See https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_NatGateway.html (State)"""
GONE_KEY_STATES: Final = frozenset({"PendingDeletion", "PendingReplicaDeletion"})
"""A KMS key waits 7-30 days before deletion; it is not billed meanwhile and needs nothing from the lab.
See https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html"""
LIVE_CHECKED_TYPES: Final = frozenset(
    {
        "ec2:elastic-ip",
        "ec2:network-interface",
        "ec2:security-group",
        "ec2:vpc",
        "elasticloadbalancing:loadbalancer",
        "elasticloadbalancing:targetgroup",
        "cloudformation:stack",
    }
)
"""Tagging API resource types that a check of its own lists by the lab tag from the service itself."""
TAGGED_KINDS: Final = {
    "s3:": "S3 bucket",
    "lambda:function": "Lambda function",
    "ssm:parameter": "SSM parameter",
    "logs:log-group": "log group",
    "eks:cluster": "EKS cluster",
    "eks:nodegroup": "EKS node group",
    "ec2:natgateway": "NAT gateway",
    "ec2:launch-template": "launch template",
    "kms:key": "KMS key",
}
"""Readable kinds of the types a lab creates; any other type is named ``<service> <type>``."""
TAGGING_PAGE_SIZE: Final = 100
"""GetResources ResourcesPerPage upper bound."""
IAM_PAGE_SIZE: Final = 1000
"""ListRoles MaxItems upper bound."""


@dataclass(frozen=True, order=True)
class Leftover:
    """One resource the lab left behind, and the mark that ties it to the lab."""

    kind: str
    resource_id: str
    because: str


@dataclass(frozen=True)
class Unchecked:
    """A kind of resource that could not be listed (no permission, throttled out, no credentials)."""

    kind: str
    error: str


@dataclass
class TeardownReport:
    lab: str
    cluster: str
    region: str
    leftovers: list[Leftover] = field(default_factory=list)
    unchecked: list[Unchecked] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """Nothing left and everything checked."""
        return not self.leftovers and not self.unchecked


def check_names(lab: str, cluster: str, region: str) -> None:
    """Refuse names that cannot be a lab's, before any AWS call (one-line InputError)."""
    if not LAB_NAME_PATTERN.match(lab):
        raise InputError("--lab", f"must match {LAB_NAME_PATTERN.pattern} (a lab name)", lab)
    if not REGION_PATTERN.match(region):
        raise InputError("--region", "must be an AWS region such as ap-northeast-2", region)
    if not CLUSTER_NAME_PATTERN.match(cluster):
        rule = f"must match {CLUSTER_NAME_PATTERN.pattern} (an EKS cluster name)"
        raise InputError("--cluster", rule, cluster)


def find_leftovers(
    lab: str,
    *,
    region: str,
    cluster: str | None = None,
    session: boto3.session.Session | None = None,
) -> TeardownReport:
    """Everything in ``region`` that still belongs to ``lab`` (whose EKS cluster is ``cluster``, by
    default the lab name). Kinds that cannot be listed are reported as unchecked, not as clean."""
    cluster = cluster or lab
    check_names(lab, cluster, region)
    scan = _Scan(session or aws_session(region=region), lab=lab, cluster=cluster, region=region)
    return scan.run()


def wait_until_clean(
    scan: Callable[[], TeardownReport],
    *,
    timeout_seconds: float,
    poll_seconds: float = DEFAULT_POLL_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> TeardownReport:
    """Scan until nothing is left or ``timeout_seconds`` have passed; the last report either way.

    Deleting a load balancer or a node releases its ENIs a little later, so a scan right after
    ``cdk destroy`` can see resources that are already on their way out.
    """
    deadline = clock() + timeout_seconds
    report = scan()
    while not report.clean and clock() + poll_seconds <= deadline:
        sleep(poll_seconds)
        report = scan()
    return report


class _Scan:
    def __init__(self, session: boto3.session.Session, *, lab: str, cluster: str, region: str) -> None:
        self._session = session
        self._region = region
        self._report = TeardownReport(lab=lab, cluster=cluster, region=region)
        self._lab_tag = (defaults.TAG_LAB, lab)
        self._clients: dict[str, Any] = {}

    def _client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = aws_client(service, region=self._region, session=self._session)
        return self._clients[service]

    def run(self) -> TeardownReport:
        report = self._report
        self._collect("EKS cluster", self._clusters)
        vpc_ids = self._collect("VPC", self._vpcs)
        self._collect("network interface", lambda: self._network_interfaces(vpc_ids))
        self._collect("security group", lambda: self._security_groups(vpc_ids))
        self._collect("Elastic IP", self._elastic_ips)
        self._collect("load balancer", lambda: self._elb_resources("load balancer"))
        self._collect("target group", lambda: self._elb_resources("target group"))
        self._collect("log group", self._log_groups)
        self._collect("CloudFormation stack", self._stacks)
        self._collect("IAM role", self._roles)
        # Last: the tagging API's finds are dropped when a check above already reported them.
        to_confirm: dict[str, list[str]] = {"NAT gateway": [], "KMS key": []}
        self._collect("tagged resource", lambda: self._tagged_resources(to_confirm))
        if to_confirm["NAT gateway"]:
            self._collect("NAT gateway", lambda: self._nat_gateways(to_confirm["NAT gateway"]))
        if to_confirm["KMS key"]:
            self._collect("KMS key", lambda: self._kms_keys(to_confirm["KMS key"]))
        report.leftovers.sort()
        return report

    @property
    def _stack_names(self) -> list[str]:
        return [defaults.stack_name(self._report.lab, part) for part in defaults.STACK_PARTS]

    def _collect(self, kind: str, finder: Callable[[], Iterable[Leftover]]) -> list[str]:
        """Add the leftovers ``finder`` yields (each resource once); their ids."""
        seen: dict[str, Leftover] = {}
        try:
            for leftover in finder():
                seen.setdefault(leftover.resource_id, leftover)
        except (ClientError, BotoCoreError, ResponseParserError) as error:
            self._report.unchecked.append(Unchecked(kind, " ".join(str(error).split())))
        self._report.leftovers.extend(seen.values())
        return list(seen)

    def _clusters(self) -> Iterator[Leftover]:
        cluster = self._report.cluster
        try:
            status = self._client("eks").describe_cluster(name=cluster)["cluster"].get("status", "?")
        except ClientError as error:
            if error.response["Error"]["Code"] == "ResourceNotFoundException":
                return
            raise
        yield Leftover("EKS cluster", cluster, f"the lab's cluster name (status {status})")

    def _vpcs(self) -> Iterator[Leftover]:
        for vpc in self._ec2_items("describe_vpcs", "Vpcs", [_tag_filter(*self._lab_tag)]):
            yield Leftover("VPC", vpc["VpcId"], _tag_text(*self._lab_tag))

    def _network_interfaces(self, vpc_ids: list[str]) -> Iterator[Leftover]:
        cluster = self._report.cluster
        description = EKS_ENI_DESCRIPTION.format(cluster=cluster)
        queries = [
            ([_tag_filter(*self._lab_tag)], _tag_text(*self._lab_tag)),
            ([_tag_filter(TAG_CNI_CLUSTER, cluster)], _tag_text(TAG_CNI_CLUSTER, cluster) + " (VPC CNI)"),
            (
                [{"Name": "description", "Values": [description]}],
                f"description {description!r} (EKS control plane)",
            ),
        ]
        if vpc_ids:
            queries.append(([{"Name": "vpc-id", "Values": vpc_ids}], "in a leftover lab VPC"))
        for filters, because in queries:
            for eni in self._ec2_items("describe_network_interfaces", "NetworkInterfaces", filters):
                state = f"{eni.get('Status', '?')}, {eni.get('Description') or 'no description'}"
                yield Leftover("network interface", eni["NetworkInterfaceId"], f"{because}; {state}")

    def _security_groups(self, vpc_ids: list[str]) -> Iterator[Leftover]:
        cluster = self._report.cluster
        queries = [
            ([_tag_filter(*self._lab_tag)], _tag_text(*self._lab_tag)),
            (
                [_tag_filter(TAG_LBC_CLUSTER, cluster)],
                _tag_text(TAG_LBC_CLUSTER, cluster) + " (load balancer controller)",
            ),
            ([_tag_filter(TAG_EKS_CLUSTER, cluster)], _tag_text(TAG_EKS_CLUSTER, cluster) + " (EKS)"),
        ]
        if vpc_ids:
            queries.append(([{"Name": "vpc-id", "Values": vpc_ids}], "in a leftover lab VPC"))
        for filters, because in queries:
            for group in self._ec2_items("describe_security_groups", "SecurityGroups", filters):
                if group.get("GroupName") == "default":  # every VPC has one; it goes with the VPC
                    continue
                yield Leftover("security group", group["GroupId"], f"{because}; {group.get('GroupName', '')}")

    def _elastic_ips(self) -> Iterator[Leftover]:
        # DescribeAddresses returns every address at once (no pagination).
        answer = self._client("ec2").describe_addresses(Filters=[_tag_filter(*self._lab_tag)])
        for address in answer.get("Addresses", []):
            attached = address.get("NetworkInterfaceId") or address.get("InstanceId") or "not associated"
            because = f"{_tag_text(*self._lab_tag)}; {address.get('PublicIp', '?')}, {attached}"
            yield Leftover("Elastic IP", address.get("AllocationId") or address["PublicIp"], because)

    def _elb_resources(self, kind: str) -> Iterator[Leftover]:
        elbv2 = self._client("elbv2")
        operation, key, arn_key = {
            "load balancer": ("describe_load_balancers", "LoadBalancers", "LoadBalancerArn"),
            "target group": ("describe_target_groups", "TargetGroups", "TargetGroupArn"),
        }[kind]
        arns = [item[arn_key] for page in elbv2.get_paginator(operation).paginate() for item in page[key]]
        wanted = {self._lab_tag, (TAG_LBC_CLUSTER, self._report.cluster)}
        for start in range(0, len(arns), ELB_TAGS_PER_CALL):
            described = elbv2.describe_tags(ResourceArns=arns[start : start + ELB_TAGS_PER_CALL])
            for description in described["TagDescriptions"]:
                tags = {(tag["Key"], tag.get("Value", "")) for tag in description.get("Tags", [])}
                for key_value in sorted(tags & wanted):
                    yield Leftover(kind, description["ResourceArn"], _tag_text(*key_value))

    def _log_groups(self) -> Iterator[Leftover]:
        logs = self._client("logs")
        lab, cluster = self._report.lab, self._report.cluster
        for group in self._log_groups_named(logs, EKS_LOG_GROUP_PREFIX.format(cluster=cluster)):
            yield Leftover("log group", group["logGroupName"], "EKS control-plane logs of the lab's cluster")
        # Lambda creates /aws/lambda/<function> on the first invocation, without tags, and CloudFormation
        # names a function <stack>-<logical id>-<suffix>: the stack's name is the mark. (A lab named
        # <lab>-<part>, say alice-network beside alice, would share it; lab names are chosen, not random.)
        for group in self._log_groups_named(logs, f"/aws/lambda/{lab}-"):
            name = group["logGroupName"]
            stack = next((s for s in self._stack_names if name.startswith(f"/aws/lambda/{s}-")), None)
            if stack:
                yield Leftover("log group", name, f"Lambda logs of a function of the lab's stack {stack}")
            elif self._log_group_is_the_labs(logs, group):
                yield Leftover("log group", name, _tag_text(*self._lab_tag))
        # CloudFormation names what it creates <stack>-<logical id>-<suffix>, and a lab's stacks are
        # <lab>-<part>; another lab's name can start with this one's (alice, alice-2), hence the tag.
        for group in self._log_groups_named(logs, f"{lab}-"):
            if self._log_group_is_the_labs(logs, group):
                yield Leftover("log group", group["logGroupName"], _tag_text(*self._lab_tag))

    def _log_group_is_the_labs(self, logs: Any, group: dict[str, Any]) -> bool:
        arn = group.get("logGroupArn") or group["arn"].removesuffix(":*")
        tags = logs.list_tags_for_resource(resourceArn=arn).get("tags", {})
        return tags.get(defaults.TAG_LAB) == self._report.lab

    @staticmethod
    def _log_groups_named(logs: Any, prefix: str) -> Iterator[dict[str, Any]]:
        for page in logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=prefix):
            yield from page["logGroups"]

    def _stacks(self) -> Iterator[Leftover]:
        # ListStacks also lists deleted stacks (for 90 days): ask for every other status. The lab's
        # stacks have fixed names, so another lab whose name starts like this one's is never matched.
        cloudformation = self._client("cloudformation")
        statuses = cloudformation.meta.service_model.shape_for("StackStatus").enum
        live = [status for status in statuses if status != "DELETE_COMPLETE"]
        names = set(self._stack_names)
        for page in cloudformation.get_paginator("list_stacks").paginate(StackStatusFilter=live):
            for stack in page["StackSummaries"]:
                if stack["StackName"] in names:
                    reason = " ".join(str(stack.get("StackStatusReason") or "").split())
                    status = f"{stack['StackStatus']}: {reason}" if reason else stack["StackStatus"]
                    yield Leftover(
                        "CloudFormation stack", stack["StackName"], f"the lab's stack name; {status}"
                    )

    def _roles(self) -> Iterator[Leftover]:
        # IAM is global: GetResources in a region never lists roles, and ListRoles returns no tags.
        # So: list the names (one call per 1000 roles), keep those CloudFormation gave to a role of
        # one of the lab's stacks (<stack>-<logical id>-<suffix>), and read the tags of those only.
        iam = self._client("iam")
        prefixes = tuple(f"{stack}-" for stack in self._stack_names)
        for page in iam.get_paginator("list_roles").paginate(PaginationConfig={"PageSize": IAM_PAGE_SIZE}):
            for role in page["Roles"]:
                if not role["RoleName"].startswith(prefixes):
                    continue
                try:
                    tags = iam.get_role(RoleName=role["RoleName"])["Role"].get("Tags", [])
                except ClientError as error:
                    if error.response["Error"]["Code"] == "NoSuchEntity":  # deleted since the listing
                        continue
                    raise
                if (defaults.TAG_LAB, self._report.lab) in {(t["Key"], t.get("Value", "")) for t in tags}:
                    yield Leftover("IAM role", role["RoleName"], _tag_text(*self._lab_tag))

    def _tagged_resources(self, to_confirm: dict[str, list[str]]) -> Iterator[Leftover]:
        """Everything else tagged with the lab; NAT gateway and KMS key ARNs go to ``to_confirm``."""
        reported = {(left.kind, left.resource_id) for left in self._report.leftovers}
        because = f"{_tag_text(*self._lab_tag)} (tagging API)"
        paginator = self._client("resourcegroupstaggingapi").get_paginator("get_resources")
        pages = paginator.paginate(
            TagFilters=[{"Key": defaults.TAG_LAB, "Values": [self._report.lab]}],
            ResourcesPerPage=TAGGING_PAGE_SIZE,
        )
        for page in pages:
            for mapping in page["ResourceTagMappingList"]:
                arn = mapping["ResourceARN"]
                resource_type, name = _arn_type_and_name(arn)
                if resource_type in LIVE_CHECKED_TYPES:
                    continue
                kind = TAGGED_KINDS.get(resource_type) or resource_type.replace(":", " ")
                if kind in to_confirm:
                    to_confirm[kind].append(arn)
                    continue
                # A checker above names log groups and the cluster by name, not ARN.
                resource_id = name if resource_type in ("logs:log-group", "eks:cluster") else arn
                if (kind, resource_id) not in reported:
                    yield Leftover(kind, resource_id, because)

    def _nat_gateways(self, arns: list[str]) -> Iterator[Leftover]:
        ids = [arn.rsplit("/", 1)[-1] for arn in arns]
        # A filter, not NatGatewayIds: a gateway gone from EC2 altogether is then no error.
        filters = [{"Name": "nat-gateway-id", "Values": ids}]
        for page in self._client("ec2").get_paginator("describe_nat_gateways").paginate(Filter=filters):
            for gateway in page["NatGateways"]:
                if gateway.get("State") not in GONE_NAT_GATEWAY_STATES:
                    because = f"{_tag_text(*self._lab_tag)}; {gateway.get('State', '?')}"
                    yield Leftover("NAT gateway", gateway["NatGatewayId"], because)

    def _kms_keys(self, arns: list[str]) -> Iterator[Leftover]:
        kms = self._client("kms")
        for arn in arns:
            try:
                state = kms.describe_key(KeyId=arn)["KeyMetadata"].get("KeyState", "?")
            except ClientError as error:
                if error.response["Error"]["Code"] == "NotFoundException":
                    continue
                raise
            if state not in GONE_KEY_STATES:
                yield Leftover("KMS key", arn, f"{_tag_text(*self._lab_tag)}; key state {state}")

    def _ec2_items(self, operation: str, key: str, filters: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for page in self._client("ec2").get_paginator(operation).paginate(Filters=filters):
            yield from page[key]


def _tag_filter(key: str, value: str) -> dict[str, Any]:
    return {"Name": f"tag:{key}", "Values": [value]}


def _tag_text(key: str, value: str) -> str:
    return f"tag {key}={value}"


def _arn_type_and_name(arn: str) -> tuple[str, str]:
    """``service:type`` and the rest of an ARN's resource part: ``("ec2:natgateway", "nat-0a1b")``,
    ``("logs:log-group", "/aws/eks/alice/cluster")``; an S3 bucket's type is ``s3:``.
    See https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html"""
    _, _, service, _, _, resource = arn.split(":", 5)
    match = re.match(r"([^/:]*)[/:](.*)$", resource)
    resource_type, name = (match[1], match[2]) if match else ("", resource)
    return f"{service}:{resource_type}", name.removesuffix(":*")
