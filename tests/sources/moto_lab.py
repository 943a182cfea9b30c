"""A small lab in moto through plain boto3: VPC, subnets, EKS cluster, two instances with secondary IPs;
and its Kubernetes side on the loopback API server (``kube_for``).

moto implements VPCs, subnets, instances, ENIs and secondary private IPs, and EKS clusters; it lacks
ENI prefixes and trunk/branch ENIs (cdk-notes.md), which the bundle tests cover with recorded shapes.
"""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from tests.sources.fake_kube import FakeCluster
from tests.verify.cluster_docs import daemonset, enis_body, node, pod

REGION = "us-west-2"
CLUSTER = "ekslab"
IMAGE = "ami-760aaa0f"
"""An Amazon Linux AMI of moto's built-in list (listing all images first costs seconds per test)."""


@dataclass
class MotoLab:
    vpc_id: str
    subnets: dict[str, str]
    instances: list[str]
    node_names: list[str]
    primary_ips: dict[str, str]
    """instance -> primary private IP (the node's InternalIP)"""
    pod_ips: dict[str, list[str]] = field(default_factory=dict)
    """instance -> secondary IPs assigned to its ENIs (what pods may use)"""
    extra_eni: dict[str, str] = field(default_factory=dict)
    """instance -> id of the ENI attached at device index 1"""


def make_lab(*, secondary_ips: int = 3, cluster: str = CLUSTER) -> MotoLab:
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock="100.64.0.0/16")
    subnets = {
        zone: ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"]
        for zone, cidr in (("us-west-2a", "10.0.0.0/19"), ("us-west-2b", "10.0.32.0/19"))
    }
    eks = boto3.client("eks", region_name=REGION)
    eks.create_cluster(
        name=cluster,
        roleArn="arn:aws:iam::123456789012:role/ekslab-cluster",
        resourcesVpcConfig={"subnetIds": list(subnets.values())},
    )
    lab = MotoLab(vpc_id=vpc_id, subnets=subnets, instances=[], node_names=[], primary_ips={})
    for (zone, subnet), cidr in zip(subnets.items(), ("10.0.0.0/19", "10.0.32.0/19"), strict=True):
        # Fixed addresses: moto draws unrequested ones at random from the whole CIDR, AWS's five reserved
        # addresses and any CIDR reservation a test makes later included (a test that failed 1 run in 50).
        primary_ip, extra_ip, primary_pods, extra_pods = _addresses(cidr, secondary_ips)
        instance = ec2.run_instances(
            ImageId=IMAGE,
            InstanceType="m5.large",
            MinCount=1,
            MaxCount=1,
            SubnetId=subnet,
            Placement={"AvailabilityZone": zone},
            PrivateIpAddress=primary_ip,
        )["Instances"][0]
        instance_id, primary = instance["InstanceId"], instance["PrivateIpAddress"]
        lab.instances.append(instance_id)
        lab.primary_ips[instance_id] = primary
        lab.node_names.append(f"ip-{primary.replace('.', '-')}.{REGION}.compute.internal")
        primary_eni = instance["NetworkInterfaces"][0]["NetworkInterfaceId"]
        ec2.assign_private_ip_addresses(NetworkInterfaceId=primary_eni, PrivateIpAddresses=primary_pods)
        extra = ec2.create_network_interface(
            SubnetId=subnet, Description=f"aws-K8S-{instance_id}", PrivateIpAddress=extra_ip
        )["NetworkInterface"]
        ec2.assign_private_ip_addresses(
            NetworkInterfaceId=extra["NetworkInterfaceId"], PrivateIpAddresses=extra_pods
        )
        ec2.attach_network_interface(
            NetworkInterfaceId=extra["NetworkInterfaceId"], InstanceId=instance_id, DeviceIndex=1
        )
        lab.extra_eni[instance_id] = extra["NetworkInterfaceId"]
        ips = []
        for eni in ec2.describe_network_interfaces(
            NetworkInterfaceIds=[primary_eni, extra["NetworkInterfaceId"]]
        )["NetworkInterfaces"]:
            ips += [entry["PrivateIpAddress"] for entry in eni["PrivateIpAddresses"] if not entry["Primary"]]
        lab.pod_ips[instance_id] = ips
    return lab


def _addresses(cidr: str, secondary_ips: int) -> tuple[str, str, list[str], list[str]]:
    """An instance's primary IP (the subnet's 11th address), its extra ENI's (the 41st) and each ENI's
    secondary IPs right after them: clear of AWS's reserved addresses and of 10.0.16.0/20 and
    10.0.48.0/20, where tests put CIDR reservations."""
    if not 0 <= secondary_ips <= 29:
        raise ValueError(f"secondary_ips: 0..29 per ENI, got {secondary_ips}")
    base = int(ipaddress.IPv4Network(cidr).network_address)

    def text(offset: int) -> str:
        return str(ipaddress.IPv4Address(base + offset))

    return (
        text(10),
        text(40),
        [text(11 + index) for index in range(secondary_ips)],
        [text(41 + index) for index in range(secondary_ips)],
    )


def live_args(kubeconfig: Path, *, transport: str = "proxy") -> list[str]:
    """The options of a live ekslab command against the lab's cluster and the loopback API server."""
    return [
        "--cluster",
        CLUSTER,
        "--region",
        REGION,
        "--kubeconfig",
        str(kubeconfig),
        "--ipamd-transport",
        transport,
    ]


def make_target_group(
    lab: MotoLab, ips: list[str], name: str = "k8s-game2048-service2-0f1e2d3c4b"
) -> dict[str, Any]:
    elbv2 = boto3.client("elbv2", region_name=REGION)
    group = elbv2.create_target_group(Name=name, Protocol="HTTP", Port=80, VpcId=lab.vpc_id, TargetType="ip")[
        "TargetGroups"
    ][0]
    if ips:
        elbv2.register_targets(
            TargetGroupArn=group["TargetGroupArn"], Targets=[{"Id": ip, "Port": 80} for ip in ips]
        )
    return group


def kube_for(lab: MotoLab) -> FakeCluster:
    """Nodes for the lab's instances, two pods per node on secondary IPs, ipamd agreeing with EC2."""
    ec2 = boto3.client("ec2", region_name=REGION)
    cluster = FakeCluster()
    cluster.objects["nodes"] = [
        node(name, instance_id=instance, internal_ip=lab.primary_ips[instance])
        for name, instance in zip(lab.node_names, lab.instances, strict=True)
    ]
    pods: list[dict[str, Any]] = []
    for name, instance in zip(lab.node_names, lab.instances, strict=True):
        enis: dict[str, Any] = {}
        described = ec2.describe_network_interfaces(
            Filters=[{"Name": "attachment.instance-id", "Values": [instance]}]
        )
        for eni in described["NetworkInterfaces"]:
            cidrs: dict[str, Any] = {}
            for entry in eni["PrivateIpAddresses"]:
                if entry["Primary"]:
                    continue
                ip = entry["PrivateIpAddress"]
                pod_name = f"web-{ip.replace('.', '-')}"
                if len(pods) % 2 == 0:  # every other secondary IP holds a pod
                    pods.append(pod(pod_name, node=name, ip=ip))
                    cidrs[f"{ip}/32"] = {ip: ("default", pod_name)}
                else:
                    pods.append(pod(f"idle-{ip.replace('.', '-')}", node=name, ip=None, phase="Pending"))
                    cidrs[f"{ip}/32"] = {}
            enis[eni["NetworkInterfaceId"]] = {"device": eni["Attachment"]["DeviceIndex"], "cidrs": cidrs}
        cluster.proxy_bodies[(name, "v1/enis")] = (200, json.dumps(enis_body(enis)).encode())
    cluster.objects["pods"] = pods
    cluster.daemonset = daemonset({"INTROSPECTION_BIND_ADDRESS": "0.0.0.0:61679", "WARM_ENI_TARGET": "1"})
    return cluster
