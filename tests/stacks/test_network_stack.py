"""The network stack: three AZs, planned CIDRs, ELB tags, NAT modes, pod subnets, flow logs, exports."""

from __future__ import annotations

import pytest
from aws_cdk.assertions import Match, Template

from ekslab.config import default_config
from ekslab.config.loader import parse_config
from tests.synth import synth_lab


@pytest.fixture(scope="module")
def network() -> Template:
    return synth_lab(default_config()).template("network")


def _subnets(template: Template) -> list[dict]:
    return [r["Properties"] for r in template.find_resources("AWS::EC2::Subnet").values()]


def test_subnets_span_exactly_three_distinct_azs(network: Template) -> None:
    assert sorted({s["AvailabilityZone"] for s in _subnets(network)}) == [
        "ap-northeast-2a",
        "ap-northeast-2b",
        "ap-northeast-2c",
    ]


def test_subnet_cidrs_are_the_planned_ones(network: Template) -> None:
    # The VPC construct takes its CIDRs from ekslab.network.subnets, the planner's view.
    planned = {(s.availability_zone, str(s.cidr)) for s in default_config().network.subnet_plan.subnets}
    assert {(s["AvailabilityZone"], s["CidrBlock"]) for s in _subnets(network)} == planned


def test_vpc_uses_the_configured_cidr(network: Template) -> None:
    network.has_resource_properties(
        "AWS::EC2::VPC", {"CidrBlock": "10.11.0.0/16", "EnableDnsHostnames": True}
    )


@pytest.mark.parametrize(
    ("public", "tag"), [(True, "kubernetes.io/role/elb"), (False, "kubernetes.io/role/internal-elb")]
)
def test_subnets_carry_the_load_balancer_role_tag(network: Template, public: bool, tag: str) -> None:
    # The AWS Load Balancer Controller picks subnets by these tags (cdk-notes.md, "What the anchors do").
    tier = [
        s
        for s in _subnets(network)
        if s["MapPublicIpOnLaunch"] is False
        and any(
            t["Key"] == "aws-cdk:subnet-type" and t["Value"] == ("Public" if public else "Private")
            for t in s["Tags"]
        )
    ]
    assert len(tier) == 3
    assert all({"Key": tag, "Value": "1"} in s["Tags"] for s in tier)


def test_az_names_are_exported_under_workshop_and_lab_names(network: Template) -> None:
    outputs = network.find_outputs("*")
    exported = {o["Export"]["Name"]: o["Value"] for o in outputs.values() if "Export" in o}
    assert {
        name: exported[name] for name in ("AZ1", "AZ2", "AZ3", "ekslab-AZ1", "ekslab-AZ2", "ekslab-AZ3")
    } == {
        "AZ1": "ap-northeast-2a",
        "AZ2": "ap-northeast-2b",
        "AZ3": "ap-northeast-2c",
        "ekslab-AZ1": "ap-northeast-2a",
        "ekslab-AZ2": "ap-northeast-2b",
        "ekslab-AZ3": "ap-northeast-2c",
    }


def test_vpc_and_subnet_ids_are_exported(network: Template) -> None:
    exported = {o["Export"]["Name"] for o in network.find_outputs("*").values() if "Export" in o}
    assert {"ekslab-VpcId", "ekslab-VpcCidr"} | {
        f"ekslab-{tier}SubnetAZ{n}" for tier in ("Public", "Private") for n in (1, 2, 3)
    } <= exported


def test_another_lab_does_not_export_the_plain_workshop_names() -> None:
    # Export names are unique per account and region: only the default lab may own AZ1..AZ3.
    template = synth_lab(parse_config({"lab": {"name": "alice"}})).template("network")
    exported = {o["Export"]["Name"] for o in template.find_outputs("*").values() if "Export" in o}
    assert {"alice-AZ1", "alice-AZ2", "alice-AZ3"} <= exported and not {"AZ1", "AZ2", "AZ3"} & exported


def test_flow_logs_go_to_an_encrypted_log_group(network: Template) -> None:
    network.has_resource_properties(
        "AWS::EC2::FlowLog",
        {"ResourceType": "VPC", "TrafficType": "ALL", "LogDestinationType": "cloud-watch-logs"},
    )
    network.has_resource_properties(
        "AWS::Logs::LogGroup", {"KmsKeyId": Match.any_value(), "RetentionInDays": 30}
    )
    network.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})


@pytest.mark.parametrize(("mode", "count"), [("single", 1), ("perAz", 3)])
def test_nat_gateway_mode(mode: str, count: int) -> None:
    template = synth_lab(parse_config({"network": {"natGateways": mode}})).template("network")
    template.resource_count_is("AWS::EC2::NatGateway", count)


class TestPodSubnets:
    @pytest.fixture(scope="class")
    def template(self) -> Template:
        return synth_lab(parse_config({"network": {"podSubnets": {"enabled": True}}})).template("network")

    def test_secondary_cidr_is_associated(self, template: Template) -> None:
        template.has_resource_properties("AWS::EC2::VPCCidrBlock", {"CidrBlock": "100.64.0.0/16"})

    def test_one_pod_subnet_per_az_in_the_secondary_cidr(self, template: Template) -> None:
        pods = {
            (s["AvailabilityZone"], s["CidrBlock"])
            for s in _subnets(template)
            if s["CidrBlock"].startswith("100.64.")
        }
        assert pods == {
            ("ap-northeast-2a", "100.64.0.0/18"),
            ("ap-northeast-2b", "100.64.64.0/18"),
            ("ap-northeast-2c", "100.64.128.0/18"),
        }

    def test_pod_subnets_wait_for_the_secondary_cidr(self, template: Template) -> None:
        cidr_id = next(iter(template.find_resources("AWS::EC2::VPCCidrBlock")))
        pod_subnets = [
            r
            for r in template.find_resources("AWS::EC2::Subnet").values()
            if r["Properties"]["CidrBlock"].startswith("100.64.")
        ]
        assert len(pod_subnets) == 3 and all(cidr_id in r.get("DependsOn", []) for r in pod_subnets)

    def test_pod_cidr_and_subnets_are_exported(self, template: Template) -> None:
        exported = {o["Export"]["Name"] for o in template.find_outputs("*").values() if "Export" in o}
        assert {
            "ekslab-PodCidr",
            "ekslab-PodSubnetAZ1",
            "ekslab-PodSubnetAZ2",
            "ekslab-PodSubnetAZ3",
        } <= exported


def test_s3_flow_logs_bucket_is_encrypted_and_emptied_on_destroy() -> None:
    template = synth_lab(
        parse_config({"network": {"flowLogs": {"destination": "s3", "retentionDays": 7}}})
    ).template("network")
    template.has_resource_properties("AWS::EC2::FlowLog", {"LogDestinationType": "s3"})
    template.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
                ]
            },
            "LifecycleConfiguration": {"Rules": [Match.object_like({"ExpirationInDays": 7})]},
        },
    )
    template.resource_count_is("Custom::S3AutoDeleteObjects", 1)
