"""The teardown check against moto running as a real server on loopback (never the network).

Marks the check relies on: the lab tag ``ekslab:lab`` (ekslab/config/defaults.py TAG_LAB), the AWS Load
Balancer Controller's ``elbv2.k8s.aws/cluster``, the VPC CNI's ``cluster.k8s.amazonaws.com/name``
(cni-facts.md, "ENI tags"), EKS's ``aws:eks:cluster-name`` and ``/aws/eks/<cluster>/cluster`` log group,
and the names CloudFormation derives from the lab's stack names ``<lab>-<part>`` (stacks/lab.py).
moto's Resource Groups Tagging API lists NAT gateways, S3 buckets, KMS keys, Lambda functions and SSM
parameters (not Elastic IPs, which the check reads from EC2 anyway).
"""

from __future__ import annotations

import http.server
import io
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_cdk import App

from ekslab.aws.clients import aws_session
from ekslab.config import defaults
from ekslab.config.loader import parse_config
from ekslab.errors import EXIT_FAILED, EXIT_OK, EXIT_UNVERIFIED, EXIT_USAGE
from ekslab.teardown import (
    Leftover,
    TeardownReport,
    Unchecked,
    find_leftovers,
    wait_until_clean,
)
from stacks.lab import build_lab
from tests.conftest import aws_environment
from tests.sources.loopback import serving
from tests.synth import ROOT, cdk_json_context
from tests.terminal import run_in_terminal

REGION = "ap-northeast-2"
LAB = "alice"


@pytest.fixture(scope="module")
def session() -> boto3.session.Session:
    """One boto3 session for the module: loading service models is the slow part of making clients."""
    return aws_session(region=REGION)


@pytest.fixture
def aws(moto_aws: str, session: boto3.session.Session) -> Callable[[str], Any]:
    """Clients of a fresh, empty moto account (tests/conftest.py moto_aws), the check's clients included."""
    clients: dict[str, Any] = {}
    return lambda service: clients.setdefault(service, session.client(service))


def _tags(resource_type: str, **tags: str) -> list[dict[str, Any]]:
    return [{"ResourceType": resource_type, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]


def _vpc(aws: Callable[[str], Any], **tags: str) -> tuple[str, list[str]]:
    ec2 = aws("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.11.0.0/16", TagSpecifications=_tags("vpc", **tags))["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.11.{n}.0/24", AvailabilityZone=zone)["Subnet"][
            "SubnetId"
        ]
        for n, zone in enumerate((f"{REGION}a", f"{REGION}b"))
    ]
    return vpc_id, subnets


def _eni(aws: Callable[[str], Any], subnet: str, description: str = "", **tags: str) -> str:
    return aws("ec2").create_network_interface(
        SubnetId=subnet,
        Description=description,
        TagSpecifications=_tags("network-interface", **tags),
    )["NetworkInterface"]["NetworkInterfaceId"]


def _security_group(aws: Callable[[str], Any], vpc: str, name: str, **tags: str) -> str:
    return aws("ec2").create_security_group(
        GroupName=name,
        Description=name,
        VpcId=vpc,
        TagSpecifications=_tags("security-group", **tags),
    )["GroupId"]


def _load_balancer(aws: Callable[[str], Any], subnets: list[str], name: str, **tags: str) -> str:
    return aws("elbv2").create_load_balancer(
        Name=name,
        Subnets=subnets,
        Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
    )["LoadBalancers"][0]["LoadBalancerArn"]


def _target_group(aws: Callable[[str], Any], vpc: str, name: str, **tags: str) -> str:
    return aws("elbv2").create_target_group(
        Name=name,
        Protocol="HTTP",
        Port=80,
        VpcId=vpc,
        TargetType="ip",
        Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
    )["TargetGroups"][0]["TargetGroupArn"]


def _log_group(aws: Callable[[str], Any], name: str, **tags: str) -> str:
    aws("logs").create_log_group(logGroupName=name, **({"tags": tags} if tags else {}))
    return name


def _cluster(aws: Callable[[str], Any], name: str, subnets: list[str]) -> str:
    aws("eks").create_cluster(
        name=name, roleArn="arn:aws:iam::123456789012:role/eks", resourcesVpcConfig={"subnetIds": subnets}
    )
    return name


def _elastic_ip(aws: Callable[[str], Any], **tags: str) -> str:
    spec = {"TagSpecifications": _tags("elastic-ip", **tags)} if tags else {}
    return aws("ec2").allocate_address(Domain="vpc", **spec)["AllocationId"]


def _nat_gateway(aws: Callable[[str], Any], subnet: str, **tags: str) -> str:
    return aws("ec2").create_nat_gateway(
        SubnetId=subnet, AllocationId=_elastic_ip(aws), TagSpecifications=_tags("natgateway", **tags)
    )["NatGateway"]["NatGatewayId"]


def _bucket(aws: Callable[[str], Any], name: str, **tags: str) -> str:
    aws("s3").create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    aws("s3").put_bucket_tagging(
        Bucket=name, Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]}
    )
    return f"arn:aws:s3:::{name}"


def _kms_key(aws: Callable[[str], Any], **tags: str) -> str:
    key_tags = [{"TagKey": k, "TagValue": v} for k, v in tags.items()]
    return aws("kms").create_key(Description="lab key", Tags=key_tags)["KeyMetadata"]["Arn"]


def _role(aws: Callable[[str], Any], name: str, **tags: str) -> str:
    trust = '{"Version": "2012-10-17", "Statement": []}'
    tag_list = [{"Key": k, "Value": v} for k, v in tags.items()]
    return aws("iam").create_role(RoleName=name, AssumeRolePolicyDocument=trust, Tags=tag_list)["Role"][
        "RoleName"
    ]


def _function(aws: Callable[[str], Any], name: str, **tags: str) -> str:
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return None\n")
    role = aws("iam").create_role(RoleName=f"exec-{name}", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    return aws("lambda").create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role,
        Handler="index.handler",
        Code={"ZipFile": code.getvalue()},
        Tags=tags,
    )["FunctionArn"]


def _parameter(aws: Callable[[str], Any], name: str, **tags: str) -> str:
    tag_list = [{"Key": k, "Value": v} for k, v in tags.items()]
    aws("ssm").put_parameter(Name=name, Value="x", Type="String", Tags=tag_list)
    return f"arn:aws:ssm:{REGION}:123456789012:parameter{name}"


def _stack(aws: Callable[[str], Any], name: str) -> str:
    template = '{"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}'
    aws("cloudformation").create_stack(StackName=name, TemplateBody=template)
    return name


LBC = "elbv2.k8s.aws/cluster"
LAB_TAG = {"ekslab:lab": LAB}
Aws = Callable[[str], Any]

# (what is left, how it is made in an otherwise untagged VPC, the kind and the reason the check gives)
LEFTOVERS: list[tuple[str, Callable[[Callable[[str], Any], str, list[str]], str], str, str]] = [
    (
        "CNI ENI",
        lambda aws, vpc, subnets: _eni(aws, subnets[0], **{"cluster.k8s.amazonaws.com/name": LAB}),
        "network interface",
        "tag cluster.k8s.amazonaws.com/name=alice",
    ),
    (
        "control-plane ENI",
        lambda aws, vpc, subnets: _eni(aws, subnets[0], description="Amazon EKS alice"),
        "network interface",
        "'Amazon EKS alice'",
    ),
    (
        "lab-tagged ENI",
        lambda aws, vpc, subnets: _eni(aws, subnets[0], **{"ekslab:lab": LAB}),
        "network interface",
        "tag ekslab:lab=alice",
    ),
    (
        "controller security group",
        lambda aws, vpc, subnets: _security_group(aws, vpc, "k8s-traffic", **{LBC: LAB}),
        "security group",
        "tag elbv2.k8s.aws/cluster=alice",
    ),
    (
        "EKS cluster security group",
        lambda aws, vpc, subnets: _security_group(
            aws, vpc, "eks-cluster-sg", **{"aws:eks:cluster-name": LAB}
        ),
        "security group",
        "tag aws:eks:cluster-name=alice",
    ),
    (
        "lab-tagged security group",
        lambda aws, vpc, subnets: _security_group(aws, vpc, "nodes", **LAB_TAG),
        "security group",
        "tag ekslab:lab=alice",
    ),
    (
        "controller ALB",
        lambda aws, vpc, subnets: _load_balancer(aws, subnets, "k8s-2048game-ingress2", **{LBC: LAB}),
        "load balancer",
        "tag elbv2.k8s.aws/cluster=alice",
    ),
    (
        "controller target group",
        lambda aws, vpc, subnets: _target_group(aws, vpc, "k8s-2048game-svc", **{LBC: LAB}),
        "target group",
        "tag elbv2.k8s.aws/cluster=alice",
    ),
    (
        "control-plane log group",
        lambda aws, vpc, subnets: _log_group(aws, "/aws/eks/alice/cluster"),
        "log group",
        "EKS control-plane logs",
    ),
    (
        "flow-log group",
        lambda aws, vpc, subnets: _log_group(
            aws, "alice-network-FlowLogsLogGroupA1B2-xyz", **{"ekslab:lab": LAB}
        ),
        "log group",
        "tag ekslab:lab=alice",
    ),
    (
        "retained Lambda log group",
        lambda aws, vpc, subnets: _log_group(aws, "/aws/lambda/alice-cluster-Handler-abc", **LAB_TAG),
        "log group",
        "the lab's stack alice-cluster",
    ),
    (
        "untagged Lambda log group (created by Lambda, not CloudFormation)",
        lambda aws, vpc, subnets: _log_group(aws, "/aws/lambda/alice-network-CustomVpcRestrictDefaultSG-Ab1"),
        "log group",
        "the lab's stack alice-network",
    ),
    (
        "lab-tagged Lambda log group of another name",
        lambda aws, vpc, subnets: _log_group(aws, "/aws/lambda/alice-by-hand", **LAB_TAG),
        "log group",
        "tag ekslab:lab=alice",
    ),
    (
        "EKS cluster",
        lambda aws, vpc, subnets: _cluster(aws, LAB, subnets),
        "EKS cluster",
        "the lab's cluster name",
    ),
    (
        "Elastic IP",
        lambda aws, vpc, subnets: _elastic_ip(aws, **LAB_TAG),
        "Elastic IP",
        "tag ekslab:lab=alice",
    ),
    (
        "NAT gateway",
        lambda aws, vpc, subnets: _nat_gateway(aws, subnets[0], **LAB_TAG),
        "NAT gateway",
        "tag ekslab:lab=alice; available",
    ),
    (
        "flow-log bucket",
        lambda aws, vpc, subnets: _bucket(aws, "alice-network-flowlogsbucket-1a2b", **LAB_TAG),
        "S3 bucket",
        "tag ekslab:lab=alice",
    ),
    (
        "KMS key",
        lambda aws, vpc, subnets: _kms_key(aws, **LAB_TAG),
        "KMS key",
        "tag ekslab:lab=alice; key state Enabled",
    ),
    (
        "Lambda function",
        lambda aws, vpc, subnets: _function(aws, "alice-cluster-Handler-1a2b", **LAB_TAG),
        "Lambda function",
        "tag ekslab:lab=alice",
    ),
    (
        "SSM parameter",
        lambda aws, vpc, subnets: _parameter(aws, "/alice/cluster/endpoint", **LAB_TAG),
        "SSM parameter",
        "tag ekslab:lab=alice",
    ),
    (
        "stack not deleted",
        lambda aws, vpc, subnets: _stack(aws, "alice-workload"),
        "CloudFormation stack",
        "the lab's stack name; CREATE_COMPLETE",
    ),
    (
        "IAM role",
        lambda aws, vpc, subnets: _role(aws, "alice-cluster-NodeGroupRole-1A2B", **LAB_TAG),
        "IAM role",
        "tag ekslab:lab=alice",
    ),
]


@pytest.mark.parametrize(
    ("make", "kind", "because"), [case[1:] for case in LEFTOVERS], ids=[case[0] for case in LEFTOVERS]
)
def test_each_kind_of_leftover_is_reported_with_the_mark_that_ties_it_to_the_lab(
    aws: Aws,
    session: boto3.session.Session,
    make: Callable[..., str],
    kind: str,
    because: str,
) -> None:
    # GIVEN an untagged VPC holding one resource of the lab
    vpc, subnets = _vpc(aws)
    resource = make(aws, vpc, subnets)
    # WHEN the account is checked for lab alice
    report = find_leftovers(LAB, region=REGION, session=session)
    # THEN exactly that resource is reported, as the right kind and for the right reason
    assert [(left.kind, left.resource_id) for left in report.leftovers] == [(kind, resource)]
    assert because in report.leftovers[0].because
    assert report.unchecked == []


def test_another_labs_resources_are_not_reported(aws: Aws, session: boto3.session.Session) -> None:
    # GIVEN resources of labs bob and alice-2 (whose names start like alice's stacks)
    vpc, subnets = _vpc(aws, **{"ekslab:lab": "bob"})
    _eni(aws, subnets[0], **{"cluster.k8s.amazonaws.com/name": "bob"})
    _security_group(aws, vpc, "k8s-traffic-bob", **{LBC: "bob"})
    _load_balancer(aws, subnets, "k8s-bob", **{LBC: "bob"})
    _log_group(aws, "/aws/eks/bob/cluster")
    _log_group(aws, "alice-2-network-FlowLogsLogGroup-xyz", **{"ekslab:lab": "alice-2"})
    _log_group(aws, "/aws/lambda/alice-2-network-CustomVpcRestrictDefaultSG-Ab1")
    _elastic_ip(aws, **{"ekslab:lab": "bob"})
    _bucket(aws, "alice-2-network-flowlogsbucket-1a2b", **{"ekslab:lab": "alice-2"})
    _kms_key(aws, **{"ekslab:lab": "bob"})
    _stack(aws, "alice-2-network")
    _role(aws, "alice-2-cluster-NodeGroupRole-1A2B", **{"ekslab:lab": "alice-2"})
    _role(aws, "alice-cluster-by-hand")  # named like the lab's, but not tagged with it
    # WHEN lab alice is checked  THEN nothing is found
    report = find_leftovers(LAB, region=REGION, session=session)
    assert (report.leftovers, report.clean) == ([], True)


def test_everything_in_a_leftover_lab_vpc_is_reported_once_except_its_default_security_group(
    aws: Callable[[str], Any],
    session: boto3.session.Session,
) -> None:
    # GIVEN the lab's VPC is still there, with an untagged ENI and a CNI ENI in it
    vpc, subnets = _vpc(aws, **{"ekslab:lab": LAB})
    untagged = _eni(aws, subnets[0], description="ELB app/k8s-2048game/abc")
    cni = _eni(aws, subnets[1], **{"cluster.k8s.amazonaws.com/name": LAB})
    # WHEN the lab is checked
    report = find_leftovers(LAB, region=REGION, session=session)
    # THEN the VPC and both ENIs are reported once each, the VPC's default security group not at all
    assert sorted((left.kind, left.resource_id) for left in report.leftovers) == sorted(
        [
            ("VPC", vpc),
            ("network interface", untagged),
            ("network interface", cni),
        ]
    )


def test_resources_on_their_way_out_are_not_reported(aws: Aws, session: boto3.session.Session) -> None:
    # GIVEN the lab's NAT gateway deleted, its key scheduled for deletion and its stack deleted, all
    # still listed by the tagging API or by EC2 (deleted NAT gateways stay visible for a while)
    _, subnets = _vpc(aws)
    aws("ec2").delete_nat_gateway(NatGatewayId=_nat_gateway(aws, subnets[0], **LAB_TAG))
    key_id = _kms_key(aws, **LAB_TAG).rsplit("/", 1)[-1]  # moto takes the key id here, not the ARN
    aws("kms").schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    aws("cloudformation").delete_stack(StackName=_stack(aws, "alice-network"))
    # WHEN the lab is checked  THEN nothing is left and everything was checked
    report = find_leftovers(LAB, region=REGION, session=session)
    assert (report.leftovers, report.unchecked) == ([], [])


def test_a_resource_that_two_checks_find_is_reported_once(aws: Aws, session: boto3.session.Session) -> None:
    # GIVEN a lab-tagged flow-log group and VPC, which both the tagging API and their own checks list
    vpc, _ = _vpc(aws, **LAB_TAG)
    group = _log_group(aws, "alice-network-FlowLogsLogGroup-xyz", **LAB_TAG)
    # WHEN the lab is checked  THEN each appears once, as its own check names it
    report = find_leftovers(LAB, region=REGION, session=session)
    assert [(left.kind, left.resource_id) for left in report.leftovers] == [
        ("VPC", vpc),
        ("log group", group),
    ]


def test_more_target_groups_than_one_describe_tags_call_takes_are_all_checked(
    aws: Aws, session: boto3.session.Session
) -> None:
    # GIVEN 21 controller target groups: DescribeTags takes at most 20 ARNs (ELB_TAGS_PER_CALL)
    vpc, _ = _vpc(aws)
    groups = {_target_group(aws, vpc, f"k8s-svc-{n:02d}", **{LBC: LAB}) for n in range(21)}
    # WHEN the lab is checked  THEN every one is reported, the 21st included
    report = find_leftovers(LAB, region=REGION, session=session)
    assert {left.resource_id for left in report.leftovers if left.kind == "target group"} == groups


def test_the_stack_parts_are_the_ones_build_lab_names() -> None:
    # GIVEN a lab with every optional stack  WHEN built  THEN its stacks are <lab>-<part> of defaults.STACK_PARTS
    config = parse_config(
        {"lab": {"name": LAB}, "ciAccess": {"enabled": True, "githubRepository": "octo-org/ekslab"}}
    )
    stacks = build_lab(App(context=cdk_json_context()), config)
    assert sorted(stack.stack_name for stack in stacks.all()) == sorted(
        f"{LAB}-{part}" for part in defaults.STACK_PARTS
    )


def test_a_cluster_name_other_than_the_lab_name_is_followed(aws: Aws, session: boto3.session.Session) -> None:
    # GIVEN lab alice whose configuration named its cluster "workshop"
    _log_group(aws, "/aws/eks/workshop/cluster")
    # WHEN checked with --cluster workshop  THEN the cluster's log group is found
    report = find_leftovers(LAB, region=REGION, cluster="workshop", session=session)
    assert [left.resource_id for left in report.leftovers] == ["/aws/eks/workshop/cluster"]


# --- waiting for deletions to settle (no clock: a fake one) -------------------------------------------------


def _report(*ids: str) -> TeardownReport:
    return TeardownReport(LAB, LAB, REGION, leftovers=[Leftover("network interface", i, "x") for i in ids])


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_waiting_stops_at_the_first_clean_scan() -> None:
    clock = FakeClock()
    scans = iter([_report("eni-1"), _report("eni-1"), _report(), _report("eni-9")])
    report = wait_until_clean(
        lambda: next(scans), timeout_seconds=300, poll_seconds=15, sleep=clock.sleep, clock=lambda: clock.now
    )
    assert (report.clean, clock.sleeps) == (True, [15, 15])


def test_a_scan_that_could_not_list_everything_is_not_clean_and_is_retried() -> None:
    # GIVEN a first scan with nothing left but one kind not listed (throttled), then a full scan
    clock = FakeClock()
    throttled = TeardownReport(LAB, LAB, REGION, unchecked=[Unchecked("VPC", "Throttling")])
    scans = iter([throttled, _report()])
    # WHEN waiting  THEN the unchecked scan is not taken for clean: the check scans again
    report = wait_until_clean(
        lambda: next(scans), timeout_seconds=300, poll_seconds=15, sleep=clock.sleep, clock=lambda: clock.now
    )
    assert (throttled.clean, report.clean, clock.sleeps) == (False, True, [15])


def test_waiting_gives_up_at_the_deadline_with_the_last_report() -> None:
    clock = FakeClock()
    report = wait_until_clean(
        lambda: _report(f"eni-{clock.now:.0f}"),
        timeout_seconds=40,
        poll_seconds=15,
        sleep=clock.sleep,
        clock=lambda: clock.now,
    )
    assert (clock.sleeps, [left.resource_id for left in report.leftovers]) == ([15, 15], ["eni-30"])


# --- the command --------------------------------------------------------------------------------------------


def _teardown_check(
    endpoint: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **aws_environment(endpoint), "COLUMNS": "200", **(env or {})}
    environment = {key: value for key, value in environment.items() if value != ""}
    return subprocess.run(
        [sys.executable, "-m", "ekslab", "teardown-check", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environment,
        check=False,
    )


def test_command_exits_0_when_nothing_is_left(moto_aws: str) -> None:
    result = _teardown_check(moto_aws, "--lab", LAB, "--region", REGION)
    assert (result.returncode, result.stdout.strip()) == (
        EXIT_OK,
        "OK nothing left by lab alice (cluster alice) in ap-northeast-2",
    )


def test_command_exits_1_and_lists_what_is_left(aws: Callable[[str], Any], moto_aws: str) -> None:
    _log_group(aws, "/aws/eks/alice/cluster")
    result = _teardown_check(moto_aws, "--lab", LAB, "--region", REGION)
    assert result.returncode == EXIT_FAILED
    assert "/aws/eks/alice/cluster" in result.stdout
    assert result.stdout.strip().endswith(
        "FAIL 1 resource left by lab alice (cluster alice) in ap-northeast-2"
    )


class _Forbidden(http.server.BaseHTTPRequestHandler):
    """Every AWS API call is denied, with the error body each protocol uses (EC2, query, JSON)."""

    def do_POST(self) -> None:
        request = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        if self.command == "GET" or "json" in self.headers.get("Content-Type", ""):  # EKS, CloudWatch Logs
            content_type = "application/json"
            body = '{"__type": "AccessDeniedException", "message": "denied"}'
        elif "Version=2016-11-15" in request:  # EC2
            content_type, body = (
                "text/xml",
                (
                    "<Response><Errors><Error><Code>UnauthorizedOperation</Code>"
                    "<Message>denied</Message></Error></Errors></Response>"
                ),
            )
        else:  # ELBv2 (query protocol)
            content_type, body = (
                "text/xml",
                (
                    "<ErrorResponse><Error><Code>AccessDenied</Code>"
                    "<Message>denied</Message></Error></ErrorResponse>"
                ),
            )
        self.send_response(403)
        self.send_header("Content-Type", content_type)
        self.send_header("x-amzn-ErrorType", "AccessDeniedException")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    do_GET = do_POST

    def log_message(self, *args: object) -> None:
        pass


def test_command_exits_3_when_nothing_could_be_listed() -> None:
    # GIVEN an endpoint that refuses every call  WHEN checked  THEN unverified, never "nothing left"
    with serving(_Forbidden) as url:
        result = _teardown_check(url, "--lab", LAB)
    assert result.returncode == EXIT_UNVERIFIED
    # EKS cluster, VPC, ENI, security group, Elastic IP, load balancer, target group, log group,
    # stack, IAM role and tagged resource (NAT gateways and KMS keys come from the last one).
    assert result.stdout.count("not checked") == 11 and "OK" not in result.stdout


def test_command_refuses_a_bad_lab_name_in_one_line() -> None:
    result = _teardown_check("http://127.0.0.1:9", "--lab", "Alice")
    assert (result.returncode, result.stderr) == (
        EXIT_USAGE,
        "ekslab: error: --lab: must match ^[a-z][a-z0-9-]{0,19}$ (a lab name), got 'Alice'\n",
    )


def test_config_gives_the_lab_region_and_cluster(moto_aws: str, tmp_path: Path) -> None:
    # GIVEN a lab configuration naming lab alice with cluster.name alice-eks
    lab = tmp_path / "alice.yaml"
    lab.write_text(f"lab: {{name: {LAB}}}\nregion: {REGION}\ncluster: {{name: alice-eks}}\n")
    # WHEN checked with --config only  THEN the lab, its region and its cluster come from the file
    result = _teardown_check(moto_aws, "--config", str(lab))
    assert (result.returncode, result.stdout.strip()) == (
        EXIT_OK,
        "OK nothing left by lab alice (cluster alice-eks) in ap-northeast-2",
    )


def test_profile_picks_the_credentials(moto_aws: str, tmp_path: Path) -> None:
    # GIVEN credentials only under the profile "lab" (none in the environment)
    credentials = tmp_path / "credentials"
    credentials.write_text("[lab]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
    environment = {
        "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
        "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
        "AWS_ACCESS_KEY_ID": "",
        "AWS_SECRET_ACCESS_KEY": "",
        "AWS_SESSION_TOKEN": "",
    }
    # WHEN checked with --profile lab  THEN it runs; a profile that does not exist is "could not check"
    found = _teardown_check(moto_aws, "--lab", LAB, "--region", REGION, "--profile", "lab", env=environment)
    missing = _teardown_check(
        moto_aws, "--lab", LAB, "--region", REGION, "--profile", "nope", env=environment
    )
    assert (found.returncode, missing.returncode, missing.stdout) == (EXIT_OK, EXIT_UNVERIFIED, "")
    assert missing.stderr == (
        "ekslab: error: AWS profile (--profile or AWS_PROFILE): names no profile of ~/.aws/config or "
        "~/.aws/credentials, got 'nope' (`aws configure list-profiles` lists them); nothing was checked\n"
    )


def test_teardown_check_needs_a_lab_or_a_config() -> None:
    result = _teardown_check("http://127.0.0.1:9")
    assert (result.returncode, result.stderr) == (
        EXIT_USAGE,
        "ekslab: error: ekslab teardown-check: give --lab LAB or --config FILE (see 'ekslab teardown-check --help')\n",
    )


@pytest.mark.parametrize("columns", [80, 120])
def test_leftovers_table_keeps_every_resource_whole_on_a_terminal(
    aws: Callable[[str], Any], moto_aws: str, columns: int
) -> None:
    # GIVEN two leftover log groups, one with a name longer than half the terminal
    names = [
        _log_group(aws, "/aws/eks/alice/cluster"),
        _log_group(aws, "/aws/lambda/alice-cluster-awscdkawseksClusterResourceProvi-0a1b2c3d4e5f"),
    ]
    # WHEN checked on a terminal of this width
    code, out = run_in_terminal(
        ["teardown-check", "--lab", LAB, "--region", REGION], columns=columns, env=aws_environment(moto_aws)
    )
    # THEN each name is whole on one line, and the verdict follows
    lines = out.splitlines()
    assert (code, [any(name in line for line in lines) for name in names]) == (EXIT_FAILED, [True, True])
    assert lines[-1] == "FAIL 2 resources left by lab alice (cluster alice) in ap-northeast-2"
