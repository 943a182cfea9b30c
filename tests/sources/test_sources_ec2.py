"""The AWS source through unchanged boto3 against moto on loopback, and its fault handling."""

from __future__ import annotations

import pytest

from ekslab.errors import InputError
from ekslab.sources.ec2 import AwsSettings, AwsSource
from ekslab.sources.records import eni_record, vpc_record
from tests.sources.fake_aws import ProxyState, proxy
from tests.sources.moto_lab import CLUSTER, REGION, make_lab, make_target_group


def test_cluster_vpc_comes_from_eks(moto_aws: str) -> None:
    lab = make_lab()
    assert AwsSource(AwsSettings(region=REGION)).cluster_vpc(CLUSTER) == lab.vpc_id


def test_vpc_lists_both_associated_cidr_blocks(moto_aws: str) -> None:
    lab = make_lab()
    vpcs = [
        vpc_record(item, position=0, source="x")
        for item in AwsSource(AwsSettings(region=REGION)).vpcs(lab.vpc_id)
    ]
    assert [(vpc.vpc_id, set(vpc.cidrs)) for vpc in vpcs] == [(lab.vpc_id, {"10.0.0.0/16", "100.64.0.0/16"})]


def test_network_interfaces_are_those_of_the_vpc_with_their_secondary_ips(moto_aws: str) -> None:
    lab = make_lab()
    other = make_lab(cluster="other")  # a second VPC whose ENIs must not be listed
    aws = AwsSource(AwsSettings(region=REGION))
    records = [eni_record(item, position=0, source="x") for item in aws.network_interfaces(lab.vpc_id)]
    attached = {record.eni_id: record for record in records if record.instance_id == lab.instances[0]}
    secondary = sorted(ip for record in attached.values() for ip in record.secondary_ips)
    assert ({record.vpc_id for record in records}, secondary, other.vpc_id != lab.vpc_id) == (
        {lab.vpc_id},
        sorted(lab.pod_ips[lab.instances[0]]),
        True,
    )


def test_extra_eni_keeps_its_device_index(moto_aws: str) -> None:
    lab = make_lab()
    aws = AwsSource(AwsSettings(region=REGION))
    records = {
        record.eni_id: record
        for record in (
            eni_record(item, position=0, source="x") for item in aws.network_interfaces(lab.vpc_id)
        )
    }
    extra = records[lab.extra_eni[lab.instances[1]]]
    assert (extra.instance_id, extra.device_index) == (lab.instances[1], 1)


def test_subnets_are_filtered_by_vpc(moto_aws: str) -> None:
    lab = make_lab()
    make_lab(cluster="other")
    subnets = list(AwsSource(AwsSettings(region=REGION)).subnets(lab.vpc_id))
    assert sorted(item["SubnetId"] for item in subnets) == sorted(lab.subnets.values())


def test_each_list_is_one_call_per_page(moto_aws: str) -> None:
    # moto answers a describe in one page; the source must not add calls of its own.
    lab = make_lab()
    aws = AwsSource(AwsSettings(region=REGION))
    list(aws.vpcs(lab.vpc_id))
    list(aws.subnets(lab.vpc_id))
    list(aws.network_interfaces(lab.vpc_id))
    assert aws.calls == 3


def test_target_health_of_an_ip_target_group(moto_aws: str) -> None:
    lab = make_lab()
    ips = lab.pod_ips[lab.instances[0]][:2]
    group = make_target_group(lab, ips)
    aws = AwsSource(AwsSettings(region=REGION))
    described = aws.target_groups([group["TargetGroupArn"]])
    health = aws.target_health(group["TargetGroupArn"])
    assert ([item["TargetType"] for item in described], sorted(item["Target"]["Id"] for item in health)) == (
        ["ip"],
        sorted(ips),
    )


def test_unknown_cluster_is_one_line(moto_aws: str) -> None:
    with pytest.raises(InputError) as raised:
        AwsSource(AwsSettings(region=REGION)).cluster_vpc("no-such-cluster")
    assert raised.value.message.startswith(
        "AWS eks DescribeCluster (us-west-2): failed: ResourceNotFoundException:"
    )


def test_throttling_is_retried_then_answered(moto_aws: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN EC2 answering RequestLimitExceeded to the first request
    lab = make_lab()
    state = ProxyState(upstream=moto_aws, throttle_first=1)
    with proxy(state) as url:
        monkeypatch.setenv("AWS_ENDPOINT_URL", url)
        # WHEN the VPC is read with adaptive retries THEN it is read, on the second request
        vpcs = list(AwsSource(AwsSettings(region=REGION, max_attempts=4)).vpcs(lab.vpc_id))
    assert (len(vpcs), state.requests) == (1, 2)


def test_throttling_past_the_attempts_is_reported(moto_aws: str, monkeypatch: pytest.MonkeyPatch) -> None:
    state = ProxyState(upstream=moto_aws, throttle_first=100)
    with proxy(state) as url:
        monkeypatch.setenv("AWS_ENDPOINT_URL", url)
        with pytest.raises(InputError) as raised:
            list(AwsSource(AwsSettings(region=REGION, max_attempts=2)).vpcs("vpc-1"))
    assert (raised.value.message, state.requests) == (
        "AWS ec2 DescribeVpcs (us-west-2): failed after 2 attempts: "
        "RequestLimitExceeded: Request limit exceeded.",
        2,
    )


def test_endpoint_that_never_answers_times_out_and_is_reported(
    moto_aws: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = ProxyState(upstream=moto_aws, hang=True)
    with proxy(state) as url:
        monkeypatch.setenv("AWS_ENDPOINT_URL", url)
        aws = AwsSource(AwsSettings(region=REGION, max_attempts=2, read_timeout=0.3, connect_timeout=0.3))
        with pytest.raises(InputError) as raised:
            list(aws.subnets("vpc-1"))
    assert (raised.value.message, state.requests) == (
        "AWS ec2 DescribeSubnets (us-west-2): did not answer after 2 attempts (ReadTimeoutError)",
        2,
    )


def test_missing_credentials_is_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", f"{tmp_path}/none")
    monkeypatch.setenv("AWS_CONFIG_FILE", f"{tmp_path}/none")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    with pytest.raises(InputError) as raised:
        list(AwsSource(AwsSettings(region=REGION, max_attempts=1)).vpcs("vpc-1"))
    assert raised.value.message == (
        "AWS credentials: none found (set AWS_PROFILE or --profile, run `aws sso login` or `aws configure`, "
        "then try again)"
    )
