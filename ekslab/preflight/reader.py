"""The read-only AWS calls of ``ekslab preflight``, folded into ``answers.Answers``.

Every call is a Describe/List/Get (STS, EC2, EKS, Service Quotas, CloudFormation) through
``ekslab.aws.clients.aws_client`` (adaptive retries, bounded timeouts; endpoints follow boto3's own
``AWS_ENDPOINT_URL_<SERVICE>`` settings, which the tests point at loopback servers). Paging is bounded
(``MAX_ITEMS``). A call that fails is recorded in ``Answers.problems`` and the checks that need it
report ``not-checked``; only missing credentials stop the run (``NoCredentials``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Final

from ekslab.config.model import LabConfig
from ekslab.preflight.answers import Answers, BootstrapStack, ClusterVersion, QuotaValue, Zone
from ekslab.preflight.checks import BOOTSTRAP_STACK, lab_stack_names
from ekslab.preflight.quotas import (
    EKS_CLUSTERS,
    ELASTIC_IPS,
    INTERNET_GATEWAYS,
    NAT_GATEWAYS,
    ON_DEMAND_VCPUS,
    VPCS,
    is_standard_type,
    quota_facts,
)

MAX_ITEMS: Final = 10_000
"""Items read per paginated call: far above what one account and region holds for a lab."""
_LIVE_NAT_STATES: Final = ["pending", "available"]
_LIVE_INSTANCE_STATES: Final = ["pending", "running"]


class NoCredentials(Exception):
    """No AWS credentials were found: nothing can be checked."""


def _problem(error: Exception) -> str:
    from botocore.exceptions import ClientError

    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        operation = getattr(error, "operation_name", "call")
        return (
            f"{operation} failed with {details.get('Code', 'an error')}: {details.get('Message', '')}".rstrip(
                ": "
            )
        )
    return f"{type(error).__name__}: {error}"


def _pages(client: Any, operation: str, key: str, **request: Any) -> list[Any]:
    paginator = client.get_paginator(operation)
    items: list[Any] = []
    for page in paginator.paginate(**request, PaginationConfig={"MaxItems": MAX_ITEMS}):
        items.extend(page.get(key) or [])
    return items


def read_answers(
    config: LabConfig,
    *,
    addon_versions: dict[str, str] | None,
    session: Any = None,
    progress: Callable[[str], None] | None = None,
) -> Answers:
    """Make every read-only call preflight needs for ``config`` and return what they answered."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, PartialCredentialsError

    from ekslab.aws.clients import aws_client

    region = config.region
    session = session or boto3.Session(region_name=region)
    known = region in session.get_available_regions("ec2") or region in session.get_available_regions(
        "ec2", partition_name="aws-cn"
    )
    answers = Answers(region=region, region_known=known)
    client_of: dict[str, Any] = {}

    def client(service: str) -> Any:
        if service not in client_of:
            client_of[service] = aws_client(service, region=region, session=session)
        return client_of[service]

    def attempt(key: str, step: str, call: Callable[[], None]) -> None:
        if progress is not None:
            progress(step)
        try:
            call()
        except (NoCredentialsError, PartialCredentialsError):
            raise NoCredentials() from None
        except (ClientError, BotoCoreError) as error:
            answers.problems[key] = _problem(error)

    def caller() -> None:
        identity = client("sts").get_caller_identity()
        answers.account = identity["Account"]
        answers.caller_arn = identity["Arn"]

    attempt("caller", "sts:GetCallerIdentity", caller)
    if not known:
        return answers  # an unknown region has no endpoints to call

    def zones() -> None:
        described = client("ec2").describe_availability_zones()["AvailabilityZones"]
        answers.zones = [
            Zone(
                z["ZoneName"], z.get("ZoneId", ""), z.get("State", ""), z.get("ZoneType", "availability-zone")
            )
            for z in described
        ]

    attempt("zones", "ec2:DescribeAvailabilityZones", zones)

    def offerings() -> None:
        types = sorted({name for group in config.node_groups for name in group.instance_types})
        offered: dict[str, set[str]] = {name: set() for name in types}
        for item in _pages(
            client("ec2"),
            "describe_instance_type_offerings",
            "InstanceTypeOfferings",
            LocationType="availability-zone",
            Filters=[{"Name": "instance-type", "Values": types}],
        ):
            offered.setdefault(item["InstanceType"], set()).add(item["Location"])
        answers.offerings = offered

    attempt("offerings", "ec2:DescribeInstanceTypeOfferings", offerings)

    def addons() -> None:
        from ekslab.sources.eks_addons import describe_addon_offer

        kubernetes = config.cluster.kubernetes_version
        found = {}
        for addon in addon_versions or {}:
            offer = describe_addon_offer(client("eks"), addon, kubernetes)
            found[(addon, kubernetes)] = offer.versions
        answers.addon_versions = found

    if addon_versions is not None:
        attempt("addon_versions", "eks:DescribeAddonVersions", addons)

    def cluster_versions() -> None:
        versions = {}
        token = None
        for _ in range(20):
            request: dict[str, Any] = {"nextToken": token} if token else {}
            page = client("eks").describe_cluster_versions(**request)
            for entry in page.get("clusterVersions") or []:
                version = str(entry.get("clusterVersion"))
                end = entry.get("endOfStandardSupportDate")
                versions[version] = ClusterVersion(
                    version,
                    str(entry.get("versionStatus") or entry.get("status") or ""),
                    end.date().isoformat() if hasattr(end, "date") else (str(end) if end else None),
                )
            token = page.get("nextToken")
            if not token:
                break
        answers.cluster_versions = versions

    attempt("cluster_versions", "eks:DescribeClusterVersions", cluster_versions)
    for key in quota_facts():
        _read_quota(answers, client, key, attempt)
    _read_usage(answers, client, config, attempt)

    def bootstrap() -> None:
        answers.bootstrap = _stack(client("cloudformation"), BOOTSTRAP_STACK, with_version=True)
        answers.bootstrap_read = True

    attempt("bootstrap", "cloudformation:DescribeStacks CDKToolkit", bootstrap)

    def lab_stacks() -> None:
        found = {}
        for name in lab_stack_names(config):
            stack = _stack(client("cloudformation"), name, with_version=False)
            if stack is not None:
                found[name] = stack.status
        answers.lab_stacks = found

    attempt("lab_stacks", "cloudformation:DescribeStacks (lab stacks)", lab_stacks)
    return answers


def _stack(cloudformation: Any, name: str, *, with_version: bool) -> BootstrapStack | None:
    from botocore.exceptions import ClientError

    try:
        stacks = cloudformation.describe_stacks(StackName=name)["Stacks"]
    except ClientError as error:
        # CloudFormation answers a missing stack with ValidationError "Stack with id X does not exist".
        if error.response.get("Error", {}).get("Code") == "ValidationError" and "does not exist" in str(
            error
        ):
            return None
        raise
    if not stacks:
        return None
    stack = stacks[0]
    version = None
    if with_version:
        for output in stack.get("Outputs") or []:
            if output.get("OutputKey") == "BootstrapVersion":
                try:
                    version = int(str(output.get("OutputValue")))
                except ValueError:
                    version = None
    return BootstrapStack(name, str(stack.get("StackStatus", "")), version)


def _read_quota(answers: Answers, client: Callable[[str], Any], key: str, attempt: Any) -> None:
    from botocore.exceptions import ClientError

    facts = quota_facts()[key]

    def read() -> None:
        quotas = client("service-quotas")
        request = {"ServiceCode": facts.service_code, "QuotaCode": facts.quota_code}
        try:
            value = quotas.get_service_quota(**request)["Quota"]["Value"]
            answers.quotas[key] = QuotaValue(float(value), "applied")
            return
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code != "NoSuchResourceException":
                if code in ("AccessDeniedException", "AccessDenied") and facts.default is not None:
                    answers.quotas[key] = QuotaValue(
                        float(facts.default),
                        "documented-default",
                        f"Service Quotas not allowed ({code}); documented default",
                    )
                    return
                raise
        value = quotas.get_aws_default_service_quota(**request)["Quota"]["Value"]
        answers.quotas[key] = QuotaValue(float(value), "aws-default")

    attempt(f"quota:{key}", f"servicequotas:GetServiceQuota {facts.quota_code}", read)


def _read_usage(answers: Answers, client: Callable[[str], Any], config: LabConfig, attempt: Any) -> None:
    def count(key: str, service: str, operation: str, item_key: str, **request: Any) -> None:
        def read() -> None:
            answers.usage[key] = len(_pages(client(service), operation, item_key, **request))

        attempt(f"usage:{key}", f"{service}:{operation}", read)

    count(VPCS, "ec2", "describe_vpcs", "Vpcs")
    count(INTERNET_GATEWAYS, "ec2", "describe_internet_gateways", "InternetGateways")
    count(EKS_CLUSTERS, "eks", "list_clusters", "clusters")

    def addresses() -> None:
        described = client("ec2").describe_addresses()["Addresses"]
        answers.usage[ELASTIC_IPS] = sum(1 for address in described if address.get("Domain", "vpc") == "vpc")

    attempt(f"usage:{ELASTIC_IPS}", "ec2:DescribeAddresses", addresses)

    def nat_gateways() -> None:
        gateways = _pages(
            client("ec2"),
            "describe_nat_gateways",
            "NatGateways",
            Filters=[{"Name": "state", "Values": _LIVE_NAT_STATES}],
        )
        subnets = sorted({gateway["SubnetId"] for gateway in gateways if gateway.get("SubnetId")})
        zone_of = {}
        if subnets:
            for subnet in _pages(client("ec2"), "describe_subnets", "Subnets", SubnetIds=subnets):
                zone_of[subnet["SubnetId"]] = subnet["AvailabilityZone"]
        per_az: dict[str, int] = {}
        for gateway in gateways:
            zone = zone_of.get(gateway.get("SubnetId", ""), "unknown")
            per_az[zone] = per_az.get(zone, 0) + 1
        answers.usage[NAT_GATEWAYS] = per_az

    attempt(f"usage:{NAT_GATEWAYS}", "ec2:DescribeNatGateways", nat_gateways)

    def vcpus() -> None:
        reservations = _pages(
            client("ec2"),
            "describe_instances",
            "Reservations",
            Filters=[{"Name": "instance-state-name", "Values": _LIVE_INSTANCE_STATES}],
        )
        answers.usage[ON_DEMAND_VCPUS] = on_demand_standard_vcpus(
            instance for reservation in reservations for instance in reservation.get("Instances") or []
        )

    attempt(f"usage:{ON_DEMAND_VCPUS}", "ec2:DescribeInstances", vcpus)


def on_demand_standard_vcpus(instances: Iterable[Any]) -> int:
    """vCPUs of running on-demand instances of the standard families (what L-1216C47A counts)."""
    total = 0
    for instance in instances:
        if instance.get("InstanceLifecycle") in ("spot", "scheduled", "capacity-block"):
            continue
        if not is_standard_type(str(instance.get("InstanceType", ""))):
            continue
        cpu = instance.get("CpuOptions") or {}
        total += int(cpu.get("CoreCount", 1)) * int(cpu.get("ThreadsPerCore", 1))
    return total
