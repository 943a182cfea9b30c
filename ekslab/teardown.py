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
- log groups named like the lab's stacks (``<lab>-...``, ``/aws/lambda/<lab>-...``, CloudFormation's
  generated names) whose ``ekslab:lab`` tag is the lab's: the flow-log group, retained Lambda logs.

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
from ekslab.config.model import LAB_NAME_PATTERN, REGION_PATTERN
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
CLUSTER_NAME_PATTERN: Final = re.compile(r"^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$")
"""EKS cluster names: 1-100 characters, a letter or digit first."""


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
        self._collect("load balancer", lambda: self._elb_resources("load balancer"))
        self._collect("target group", lambda: self._elb_resources("target group"))
        self._collect("log group", self._log_groups)
        report.leftovers.sort()
        return report

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
        # CloudFormation names what it creates <stack>-<logical id>-<suffix>, and a lab's stacks are
        # <lab>-<part>; another lab's name can start with this one's (alice, alice-2), hence the tag.
        for prefix in (f"{lab}-", f"/aws/lambda/{lab}-"):
            for group in self._log_groups_named(logs, prefix):
                arn = group.get("logGroupArn") or group["arn"].removesuffix(":*")
                tags = logs.list_tags_for_resource(resourceArn=arn).get("tags", {})
                if tags.get(defaults.TAG_LAB) == lab:
                    yield Leftover("log group", group["logGroupName"], _tag_text(*self._lab_tag))

    @staticmethod
    def _log_groups_named(logs: Any, prefix: str) -> Iterator[dict[str, Any]]:
        for page in logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=prefix):
            yield from page["logGroups"]

    def _ec2_items(self, operation: str, key: str, filters: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for page in self._client("ec2").get_paginator(operation).paginate(Filters=filters):
            yield from page[key]


def _tag_filter(key: str, value: str) -> dict[str, Any]:
    return {"Name": f"tag:{key}", "Values": [value]}


def _tag_text(key: str, value: str) -> str:
    return f"tag {key}={value}"
