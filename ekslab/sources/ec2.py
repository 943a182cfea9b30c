"""EC2, EKS, ELBv2 and SSM through boto3: the cluster's VPC, its subnets and ENIs, target groups.

* One client per service from one session, built with the toolkit's shared settings
  (``ekslab.aws.clients``: ``Config(retries={"mode": "adaptive"})``, bounded timeouts): botocore
  retries throttling (``RequestLimitExceeded``, ``Throttling``), 5xx answers and connection or read
  timeouts with backoff, and adaptive mode also rate-limits the client after throttling. What still
  fails becomes one ``InputError`` line naming the operation.
* Lists go through paginators at the largest page size each API allows, filtered by the cluster's
  VPC, so the number of calls is the minimum: ceil(ENIs / 1000) for DescribeNetworkInterfaces.
* Items are yielded as the API's dicts: the same shape as ``aws ... --output json`` writes, so a
  bundle and a live read go through the same record functions.
* Paging is bounded: botocore stops a token it saw before, not a server that sends a new one on
  every page, so a list stops with one line after ``MAX_PAGES`` pages (a VPC's ENIs at 1,000 a page:
  200,000, far above the regional ENI quota) or after the pages its call can justify (DescribeVpcs
  of one VPC id: one page, plus ``PAGE_SLACK``).
* The next page is fetched while the caller uses this one (``ekslab.sources.pages.read_ahead``), only
  when page-by-page reading would have asked for it: the same calls.
* ``AWS_ENDPOINT_URL`` (botocore's own setting) points every client at another endpoint, e.g. moto.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final

from ekslab.aws.problems import checked_session, setup_problem
from ekslab.errors import InputError, UnverifiedError
from ekslab.sources.pages import read_ahead

ENI_PAGE_SIZE: Final = 1000
"""DescribeNetworkInterfaces MaxResults upper bound."""
SUBNET_PAGE_SIZE: Final = 1000
AUTOSCALING_INSTANCE_IDS_PER_CALL: Final = 50
"""DescribeAutoScalingInstances takes at most 50 instance ids (and returns at most 50 records) per call."""
TARGET_GROUP_ARNS_PER_CALL: Final = 20
MAX_PAGES: Final = 200
PAGE_SLACK: Final = 2
CIDR_RESERVATION_PAGE_SIZE: Final = 1000
"""GetSubnetCidrReservations MaxResults upper bound (botocore has no paginator for it)."""


@dataclass(frozen=True)
class AwsSettings:
    """Region and profile, plus overrides of the toolkit's shared client settings (``ekslab.aws.clients``)."""

    region: str
    profile: str | None = None
    max_attempts: int | None = None
    connect_timeout: float | None = None
    read_timeout: float | None = None
    pool_size: int = 16
    prefetch: bool = True
    """Fetch a list's next page while the caller uses this one (``ekslab.sources.pages``); False reads
    page by page (the benchmark's baseline)."""


class AwsSource:
    """Read-only AWS calls for verification; ``calls`` counts API operations made (pages included)."""

    def __init__(self, settings: AwsSettings) -> None:
        from botocore.config import Config
        from botocore.exceptions import BotoCoreError

        from ekslab.aws import clients

        self.settings = settings
        self.calls = 0
        overrides: dict[str, Any] = {"max_pool_connections": settings.pool_size}
        if settings.max_attempts is not None:
            overrides["retries"] = {"mode": "adaptive", "total_max_attempts": settings.max_attempts}
        if settings.connect_timeout is not None:
            overrides["connect_timeout"] = settings.connect_timeout
        if settings.read_timeout is not None:
            overrides["read_timeout"] = settings.read_timeout
        self._config = clients.retry_config().merge(Config(**overrides))
        self.attempts = settings.max_attempts or clients.MAX_ATTEMPTS
        try:
            # A wrong profile or missing credentials is one line now, before the Kubernetes reads.
            self._session = checked_session(region=settings.region, profile=settings.profile)
        except BotoCoreError as error:
            raise InputError("AWS", f"cannot be used ({' '.join(str(error).split())})") from None

    # Clients are made on first use: each one loads its service model (tenths of a second).
    @functools.cached_property
    def ec2(self) -> Any:
        return self._client("ec2")

    @functools.cached_property
    def eks(self) -> Any:
        return self._client("eks")

    @functools.cached_property
    def elbv2(self) -> Any:
        return self._client("elbv2")

    @functools.cached_property
    def autoscaling(self) -> Any:
        return self._client("autoscaling")

    @functools.cached_property
    def ssm(self) -> Any:
        return self._client("ssm")

    def _client(self, service: str) -> Any:
        client = self._session.client(service, config=self._config)
        client.meta.events.register("before-call", self._count)
        return client

    def _count(self, **_: Any) -> None:
        self.calls += 1

    def cluster_vpc(self, cluster: str) -> str:
        """The VPC id of an EKS cluster."""
        document = self.call(self.eks, "describe_cluster", name=cluster)
        config = (document.get("cluster") or {}).get("resourcesVpcConfig") or {}
        vpc_id = config.get("vpcId")
        if not vpc_id and config.get("subnetIds"):
            # Without vpcId in the answer, the VPC of the cluster's first subnet is the cluster's VPC.
            subnets = (
                self.call(self.ec2, "describe_subnets", SubnetIds=config["subnetIds"][:1]).get("Subnets")
                or []
            )
            vpc_id = subnets[0].get("VpcId") if subnets else None
        if not vpc_id:
            raise InputError(f"EKS cluster {cluster}", "has no VPC in its description")
        return vpc_id

    def vpcs(self, vpc_id: str) -> Iterator[dict[str, Any]]:
        yield from self._paginate(
            self.ec2, "describe_vpcs", "Vpcs", max_pages=1 + PAGE_SLACK, VpcIds=[vpc_id]
        )

    def subnets(self, vpc_id: str) -> Iterator[dict[str, Any]]:
        yield from self._paginate(
            self.ec2,
            "describe_subnets",
            "Subnets",
            page_size=SUBNET_PAGE_SIZE,
            Filters=[{"Name": "vpc-id", "Values": [vpc_id]}],
        )

    def network_interfaces(self, vpc_id: str) -> Iterator[dict[str, Any]]:
        yield from self._paginate(
            self.ec2,
            "describe_network_interfaces",
            "NetworkInterfaces",
            page_size=ENI_PAGE_SIZE,
            Filters=[{"Name": "vpc-id", "Values": [vpc_id]}],
        )

    def auto_scaling_instances(self, instance_ids: Sequence[str]) -> list[dict[str, Any]]:
        """The Auto Scaling group of each of these instances (those in none are left out)."""
        found: list[dict[str, Any]] = []
        unique = sorted(set(instance_ids))
        for start in range(0, len(unique), AUTOSCALING_INSTANCE_IDS_PER_CALL):
            found.extend(
                self._paginate(
                    self.autoscaling,
                    "describe_auto_scaling_instances",
                    "AutoScalingInstances",
                    InstanceIds=unique[start : start + AUTOSCALING_INSTANCE_IDS_PER_CALL],
                )
            )
        return found

    def subnet_cidr_reservations(self, subnet_id: str) -> Iterator[dict[str, Any]]:
        """The subnet's IPv4 CIDR reservations (GetSubnetCidrReservations, every page)."""
        request: dict[str, Any] = {"SubnetId": subnet_id, "MaxResults": CIDR_RESERVATION_PAGE_SIZE}
        for _ in range(MAX_PAGES):
            page = self.call(self.ec2, "get_subnet_cidr_reservations", **request)
            yield from page.get("SubnetIpv4CidrReservations") or []
            token = page.get("NextToken")
            if not token or token == request.get("NextToken"):
                return
            request["NextToken"] = token
        raise InputError(
            f"AWS ec2 GetSubnetCidrReservations ({self.settings.region})",
            f"answered more than {MAX_PAGES} pages for {subnet_id}; stopped",
        )

    def target_groups(self, arns: Sequence[str]) -> list[dict[str, Any]]:
        groups: list[dict[str, Any]] = []
        unique = sorted(set(arns))
        for start in range(0, len(unique), TARGET_GROUP_ARNS_PER_CALL):
            groups.extend(
                self._paginate(
                    self.elbv2,
                    "describe_target_groups",
                    "TargetGroups",
                    max_pages=1 + PAGE_SLACK,
                    TargetGroupArns=unique[start : start + TARGET_GROUP_ARNS_PER_CALL],
                )
            )
        return groups

    def target_health(self, arn: str) -> list[dict[str, Any]]:
        document = self.call(self.elbv2, "describe_target_health", TargetGroupArn=arn)
        return list(document.get("TargetHealthDescriptions") or [])

    # --- plumbing ----------------------------------------------------------------------------------

    def call(self, client: Any, operation: str, **kwargs: Any) -> dict[str, Any]:
        """One API call; every failure left after botocore's retries is one InputError line."""
        try:
            return getattr(client, operation)(**kwargs)
        except Exception as error:
            raise _translate(error, client, operation, self.settings.region, self.attempts) from None

    def _paginate(
        self,
        client: Any,
        operation: str,
        key: str,
        *,
        page_size: int | None = None,
        max_pages: int | None = None,
        **kwargs: Any,
    ) -> Iterator[dict[str, Any]]:
        max_pages = max_pages or MAX_PAGES
        paginator = client.get_paginator(operation)
        config = {"PageSize": page_size} if page_size else {}
        where = f"AWS {client.meta.service_model.service_name} {_camel(operation)} ({self.settings.region})"

        def ending(number: int, page: dict[str, Any]) -> Exception | None:
            """The error that ends the list at this page: before its items (not an AWS answer) or after."""
            if not isinstance(page.get(key), list):
                # botocore fills a missing list with nothing: an HTML page or an empty body
                # would read as "no items" and every check would then fail.
                return UnverifiedError(
                    where, f"answered without a {key} list (not an AWS answer?); could not verify"
                )
            if number >= max_pages and page.get("NextToken"):
                return InputError(
                    where,
                    f"kept sending a NextToken: stopped after {max_pages:,} pages, more than this list can have",
                )
            return None

        try:
            pages = iter(paginator.paginate(PaginationConfig=config, **kwargs))
            if self.settings.prefetch:
                pages = read_ahead(pages, goes_on=lambda number, page: ending(number, page) is None)
            for number, page in enumerate(pages, start=1):
                error = ending(number, page)
                if isinstance(error, UnverifiedError):
                    raise error
                yield from page[key]
                if error is not None:
                    raise error
        except InputError:
            raise
        except Exception as error:
            raise _translate(error, client, operation, self.settings.region, self.attempts) from None


def _translate(error: Exception, client: Any, operation: str, region: str, attempts: int) -> Exception:
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        ConnectTimeoutError,
        EndpointConnectionError,
        ReadTimeoutError,
    )
    from botocore.parsers import ResponseParserError

    service = client.meta.service_model.service_name
    where = f"AWS {service} {_camel(operation)} ({region})"
    problem = setup_problem(error)
    if problem is not None:
        return problem
    if isinstance(error, ClientError):
        details = error.response.get("Error") or {}
        attempts = (error.response.get("ResponseMetadata") or {}).get("RetryAttempts")
        retried = f" after {attempts + 1} attempts" if attempts else ""
        return InputError(
            where,
            f"failed{retried}: {details.get('Code', 'error')}: "
            f"{' '.join(str(details.get('Message', '')).split())}",
        )
    if isinstance(error, ResponseParserError):
        return UnverifiedError(
            where,
            f"answered with something that is not an AWS answer; could not verify ({_first_line(error)})",
        )
    if isinstance(error, ReadTimeoutError | ConnectTimeoutError | EndpointConnectionError):
        return InputError(where, f"did not answer after {attempts} attempts ({type(error).__name__})")
    if isinstance(error, BotoCoreError):
        return InputError(where, f"failed: {' '.join(str(error).split())}")
    return error


def _first_line(error: Exception) -> str:
    text = " ".join(str(error).split())
    return text[:120] + ("..." if len(text) > 120 else "")


def _camel(operation: str) -> str:
    return "".join(part.capitalize() for part in operation.split("_"))
