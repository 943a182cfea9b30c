"""A recorded lab (a bundle) made live again: its AWS side in moto through the AWS APIs, its
Kubernetes side for the loopback API server.

The bundle's EC2 documents are not pasted into moto: the VPC, its CIDRs, the subnets, the security
groups, the nodes' instances, their ENIs with their secondary IPs, the EKS cluster, the ALB's target
groups and the network stack's outputs are *created* through the EC2, EKS, ELBv2 and CloudFormation
APIs (boto3 against moto's endpoint), as the lab's CDK stacks and the VPC CNI would. moto picks its
own ids (``vpc-…``, ``subnet-…``, ``i-…``, ``eni-…``); the Kubernetes documents and the ipamd bodies
of the bundle are then rewritten with the same mapping, so that everything agrees the way a live lab
does. The addresses are the recorded ones.

moto has no ENI prefixes (cdk-notes.md): an ENI's recorded /28 prefixes cannot be delegated, so the
addresses that pods use from a prefix are assigned to the ENI as secondary IPs instead, and the
sandbox reports them as what they are there. What else moto cannot do is listed in
``ekslab.sandbox.LIMITS``.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from ekslab.errors import InputError
from ekslab.files import read_text
from ekslab.sandbox.kube_api import ClusterDocuments

ACCOUNT: Final = "123456789012"
"""moto's default account."""
IMAGE: Final = "ami-760aaa0f"
"""An Amazon Linux image id of moto's built-in list; moto does not need the list loaded to use it."""
IPAMD_ENDPOINTS: Final = ("enis", "pods", "networkutils-env-settings", "ipamd-env-settings", "eni-configs")
_ID: Final = re.compile(r"\b(?:vpc|subnet|sg|eni|i)-[0-9A-Za-z]+\b")


@dataclass
class RecordedLab:
    """What ``load`` made of a bundle."""

    cluster: str
    region: str
    documents: ClusterDocuments
    ids: dict[str, str] = field(default_factory=dict)
    """Recorded id -> the id moto gave the same resource."""


def read_json(bundle: Path, name: str, *, optional: bool = False) -> Any:
    path = bundle / name
    if optional and not path.exists():
        return None
    text = read_text(path, source=str(path), kind="bundle file", expected="a JSON document")
    try:
        return json.loads(text)
    except ValueError as error:
        raise InputError(str(path), f"is not valid JSON ({error})") from None


def region_of(bundle: Path) -> str:
    """The lab's region, from its nodes' ``topology.kubernetes.io/region`` or zone labels."""
    for item in read_json(bundle, "nodes.json")["items"]:
        labels = item["metadata"].get("labels") or {}
        if labels.get("topology.kubernetes.io/region"):
            return str(labels["topology.kubernetes.io/region"])
        zone = labels.get("topology.kubernetes.io/zone")
        if zone:
            return str(zone)[:-1]
    raise InputError(str(bundle / "nodes.json"), "has no node with a topology.kubernetes.io/zone label")


def load(
    bundle: Path,
    *,
    cluster: str,
    clients: Callable[[str], Any],
    endpoint: Callable[[str, dict[str, str]], None],
) -> RecordedLab:
    """Create the bundle's AWS resources through ``clients(service)`` (boto3 clients for moto) and
    return its Kubernetes documents with moto's ids. ``endpoint(cluster, vpc_config)`` is called once
    the EKS cluster exists, to point it at the sandbox's API server and complete its VPC config."""
    region = region_of(bundle)
    ec2, ids = clients("ec2"), {}
    vpcs = read_json(bundle, "vpcs.json")["Vpcs"]
    for vpc in vpcs:
        cidrs = [entry["CidrBlock"] for entry in vpc.get("CidrBlockAssociationSet") or []] or [
            vpc["CidrBlock"]
        ]
        made = ec2.create_vpc(CidrBlock=vpc["CidrBlock"])["Vpc"]["VpcId"]
        for cidr in cidrs:
            if cidr != vpc["CidrBlock"]:
                ec2.associate_vpc_cidr_block(VpcId=made, CidrBlock=cidr)
        ids[vpc["VpcId"]] = made
    subnets = read_json(bundle, "subnets.json")["Subnets"]
    for subnet in subnets:
        ids[subnet["SubnetId"]] = ec2.create_subnet(
            VpcId=ids[subnet["VpcId"]],
            CidrBlock=subnet["CidrBlock"],
            AvailabilityZone=subnet["AvailabilityZone"],
        )["Subnet"]["SubnetId"]
    enis = read_json(bundle, "network-interfaces.json")["NetworkInterfaces"]
    for group in {entry["GroupId"]: entry for eni in enis for entry in eni.get("Groups") or []}.values():
        vpc = next(eni["VpcId"] for eni in enis if group in (eni.get("Groups") or []))
        ids[group["GroupId"]] = ec2.create_security_group(
            GroupName=group.get("GroupName") or group["GroupId"], Description="ekslab sandbox", VpcId=ids[vpc]
        )["GroupId"]
    nodes = read_json(bundle, "nodes.json")["items"]
    zones = {subnet["SubnetId"]: subnet["AvailabilityZone"] for subnet in subnets}
    _instances(ec2, nodes, enis, ids, zones)
    _extra_enis(ec2, enis, ids)
    vpc_id = ids[vpcs[0]["VpcId"]]
    eks = clients("eks")
    eks.create_cluster(
        name=cluster,
        roleArn=f"arn:aws:iam::{ACCOUNT}:role/{cluster}-cluster",
        resourcesVpcConfig={"subnetIds": [ids[s["SubnetId"]] for s in subnets]},
    )
    groups = [ids[group] for group in _cluster_groups(enis)]
    endpoint(cluster, {"vpcId": vpc_id, **({"clusterSecurityGroupId": groups[0]} if groups else {})})
    _network_stack(clients("cloudformation"), cluster, sorted(set(zones.values())), vpc_id)
    arns = _target_groups(clients("elbv2"), bundle, vpc_id, ids)
    rewrite = _rewriter(ids, arns)
    documents = ClusterDocuments()
    for plural, name in (
        ("pods", "pods.json"),
        ("nodes", "nodes.json"),
        ("services", "services.json"),
        ("ingresses", "ingresses.json"),
        ("eniconfigs", "eniconfigs.json"),
        ("targetgroupbindings", "targetgroupbindings.json"),
        ("configmaps", "configmaps.json"),
        ("deployments", "deployments.json"),
    ):
        found = read_json(bundle, name, optional=True)
        if found is not None:
            documents.objects[plural] = json.loads(rewrite(json.dumps(found["items"])))
    daemonset = read_json(bundle, "aws-node-daemonset.json", optional=True)
    if daemonset is not None:
        documents.objects["daemonsets"] = [json.loads(rewrite(json.dumps(daemonset)))]
    namespaces = sorted({item["metadata"].get("namespace", "default") for item in documents.objects["pods"]})
    documents.objects.setdefault(
        "namespaces",
        [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}} for name in namespaces],
    )
    ipamd = bundle / "ipamd"
    if ipamd.is_dir():
        for folder in sorted(ipamd.iterdir()):
            for endpoint_name in IPAMD_ENDPOINTS:
                body = folder / f"{endpoint_name}.json"
                if body.is_file():
                    text = read_text(body, source=str(body), kind="ipamd body", expected="JSON")
                    documents.ipamd[(folder.name, endpoint_name)] = rewrite(text).encode()
    return RecordedLab(cluster=cluster, region=region, documents=documents, ids=ids)


def _instances(
    ec2: Any,
    nodes: list[dict[str, Any]],
    enis: list[dict[str, Any]],
    ids: dict[str, str],
    zones: dict[str, str],
) -> None:
    """One instance per node, at the node's recorded primary address, with its attached ENIs."""
    for node in nodes:
        instance = node["spec"]["providerID"].rsplit("/", 1)[-1]
        attached = sorted(
            (eni for eni in enis if (eni.get("Attachment") or {}).get("InstanceId") == instance),
            key=lambda eni: eni["Attachment"]["DeviceIndex"],
        )
        if not attached or attached[0]["Attachment"]["DeviceIndex"] != 0:
            raise InputError(f"network-interfaces.json: instance {instance}", "has no ENI at device index 0")
        primary = attached[0]
        labels = node["metadata"].get("labels") or {}
        made = ec2.run_instances(
            ImageId=IMAGE,
            InstanceType=labels.get("node.kubernetes.io/instance-type", "m5.large"),
            MinCount=1,
            MaxCount=1,
            SubnetId=ids[primary["SubnetId"]],
            PrivateIpAddress=primary["PrivateIpAddress"],
            SecurityGroupIds=[ids[g["GroupId"]] for g in primary.get("Groups") or []],
            Placement={"AvailabilityZone": zones[primary["SubnetId"]]},
        )["Instances"][0]
        ids[instance] = made["InstanceId"]
        ids[primary["NetworkInterfaceId"]] = made["NetworkInterfaces"][0]["NetworkInterfaceId"]
        _secondary(ec2, primary, ids)
        for eni in attached[1:]:
            _create_eni(ec2, eni, ids)
            ec2.attach_network_interface(
                NetworkInterfaceId=ids[eni["NetworkInterfaceId"]],
                InstanceId=made["InstanceId"],
                DeviceIndex=eni["Attachment"]["DeviceIndex"],
            )


def _extra_enis(ec2: Any, enis: list[dict[str, Any]], ids: dict[str, str]) -> None:
    """ENIs attached to no node (a load balancer's, a branch ENI): created, left unattached."""
    for eni in enis:
        if eni["NetworkInterfaceId"] not in ids:
            _create_eni(ec2, eni, ids)


def _create_eni(ec2: Any, eni: dict[str, Any], ids: dict[str, str]) -> None:
    made = ec2.create_network_interface(
        SubnetId=ids[eni["SubnetId"]],
        PrivateIpAddress=eni["PrivateIpAddress"],
        Groups=[ids[g["GroupId"]] for g in eni.get("Groups") or []],
        Description=eni.get("Description") or "",
    )["NetworkInterface"]
    ids[eni["NetworkInterfaceId"]] = made["NetworkInterfaceId"]
    _secondary(ec2, eni, ids)


def _secondary(ec2: Any, eni: dict[str, Any], ids: dict[str, str]) -> None:
    """The ENI's recorded secondary IPs; a prefix's addresses where moto cannot delegate prefixes."""
    addresses = [
        entry["PrivateIpAddress"] for entry in eni.get("PrivateIpAddresses") or [] if not entry.get("Primary")
    ]
    for prefix in eni.get("Ipv4Prefixes") or []:
        addresses += [str(ip) for ip in ipaddress.ip_network(prefix["Ipv4Prefix"])]
    if addresses:
        ec2.assign_private_ip_addresses(
            NetworkInterfaceId=ids[eni["NetworkInterfaceId"]], PrivateIpAddresses=addresses
        )


def _cluster_groups(enis: list[dict[str, Any]]) -> list[str]:
    """The security groups of the nodes' primary ENIs (EKS puts the cluster security group there)."""
    found: list[str] = []
    for eni in enis:
        if (eni.get("Attachment") or {}).get("DeviceIndex") == 0:
            found += [g["GroupId"] for g in eni.get("Groups") or [] if g["GroupId"] not in found]
    return found


def _network_stack(cloudformation: Any, lab: str, zones: list[str], vpc_id: str) -> None:
    """The network stack's outputs that ``ekslab azs`` and the workshop read (AZ1..AZ3, VpcId)."""
    outputs: dict[str, Any] = {f"AZ{index}": {"Value": zone} for index, zone in enumerate(zones, start=1)}
    outputs["VpcId"] = {"Value": vpc_id}
    template = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}, "Outputs": outputs}
    cloudformation.create_stack(StackName=f"{lab}-network", TemplateBody=json.dumps(template))


def _target_groups(elbv2: Any, bundle: Path, vpc_id: str, ids: dict[str, str]) -> dict[str, str]:
    """The ALB's target groups with their registered targets; recorded ARN -> moto's ARN."""
    arns: dict[str, str] = {}
    groups = read_json(bundle, "elbv2/target-groups.json", optional=True)
    for group in (groups or {}).get("TargetGroups", []):
        made = elbv2.create_target_group(
            Name=group["TargetGroupName"],
            Protocol=group.get("Protocol", "HTTP"),
            Port=group.get("Port", 80),
            VpcId=vpc_id,
            TargetType=group.get("TargetType", "ip"),
        )["TargetGroups"][0]
        arns[group["TargetGroupArn"]] = made["TargetGroupArn"]
        health = read_json(bundle, f"elbv2/target-health/{group['TargetGroupName']}.json", optional=True)
        targets = [
            {"Id": entry["Target"]["Id"], "Port": entry["Target"].get("Port", 80)}
            for entry in (health or {}).get("TargetHealthDescriptions", [])
        ]
        if targets:
            elbv2.register_targets(TargetGroupArn=made["TargetGroupArn"], Targets=targets)
    return arns


def _rewriter(ids: dict[str, str], arns: dict[str, str]) -> Callable[[str], str]:
    def rewrite(text: str) -> str:
        for old, new in arns.items():
            text = text.replace(old, new)
        return _ID.sub(lambda match: ids.get(match.group(0), match.group(0)), text)

    return rewrite
