"""Build API-shaped documents of a small cluster and write them as a bundle, for table-driven tests.

The shapes follow what ``kubectl get ... -o json`` and ``aws ec2 describe-* --output json`` print
(fields not read by verification are kept where they make the documents realistic), and ipamd
bodies follow cni-facts.md §1.3 era G (v1.23). ``baseline()`` is a cluster where every check passes;
a test changes one thing and asserts the one reason code that change must produce.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ekslab.sources.bundle import read_bundle
from ekslab.verify.checks import Expectations, verify
from ekslab.verify.results import PodResult, Report

VPC_ID = "vpc-0123456789abcdef0"
REGION_AZ = {
    "subnet-a": "us-west-2a",
    "subnet-b": "us-west-2b",
    "subnet-pods-a": "us-west-2a",
    "subnet-pods-b": "us-west-2b",
}
ZERO_TIME = "0001-01-01T00:00:00Z"


def pod(
    name: str,
    *,
    node: str | None,
    ip: str | None,
    namespace: str = "default",
    phase: str = "Running",
    host_network: bool = False,
    annotations: dict[str, str] | None = None,
    labels: dict[str, str] | None = None,
    ready: bool = True,
) -> dict[str, Any]:
    """A pod as kubectl prints it (trimmed to realistic essentials)."""
    document: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "uid": f"uid-{namespace}-{name}",
            "labels": labels or {"app": name.rsplit("-", 1)[0]},
            "creationTimestamp": "2026-09-01T06:00:00Z",
        },
        "spec": {
            "containers": [
                {
                    "name": "main",
                    "image": "public.ecr.aws/docker/library/nginx:1.27",
                    "ports": [{"containerPort": 80, "protocol": "TCP"}],
                }
            ],
            "dnsPolicy": "ClusterFirst",
            "restartPolicy": "Always",
            "schedulerName": "default-scheduler",
            "tolerations": [
                {
                    "effect": "NoExecute",
                    "key": "node.kubernetes.io/not-ready",
                    "operator": "Exists",
                    "tolerationSeconds": 300,
                }
            ],
        },
        "status": {
            "phase": phase,
            "conditions": [
                {"type": "Ready", "status": "True" if ready else "False"},
                {"type": "PodScheduled", "status": "True"},
            ],
        },
    }
    if annotations:
        document["metadata"]["annotations"] = annotations
    if node:
        document["spec"]["nodeName"] = node
    if host_network:
        document["spec"]["hostNetwork"] = True
    if ip:
        document["status"]["podIP"] = ip
        document["status"]["podIPs"] = [{"ip": ip}]
    return document


def node(
    name: str,
    *,
    instance_id: str | None,
    internal_ip: str,
    zone: str = "us-west-2a",
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
    provider_id: str | None = None,
) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "labels": {
                "kubernetes.io/hostname": name,
                "topology.kubernetes.io/zone": zone,
                "node.kubernetes.io/instance-type": "m5.large",
                **(labels or {}),
            },
            "annotations": {"node.alpha.kubernetes.io/ttl": "0", **(annotations or {})},
        },
        "spec": {"providerID": provider_id or (f"aws:///{zone}/{instance_id}" if instance_id else "")},
        "status": {
            "addresses": [
                {"type": "InternalIP", "address": internal_ip},
                {"type": "Hostname", "address": name},
            ]
        },
    }


def eni(
    eni_id: str,
    *,
    instance_id: str | None,
    device: int,
    primary_ip: str,
    secondary: tuple[str, ...] = (),
    prefixes: tuple[str, ...] = (),
    subnet: str = "subnet-a",
    interface_type: str = "interface",
    card: int = 0,
    ipv6: tuple[str, ...] = (),
    ipv6_prefixes: tuple[str, ...] = (),
) -> dict[str, Any]:
    """A network interface as ``aws ec2 describe-network-interfaces`` prints it."""
    document: dict[str, Any] = {
        "AvailabilityZone": REGION_AZ.get(subnet, "us-west-2a"),
        "Description": f"aws-K8S-{instance_id}" if device else "",
        "Groups": [{"GroupName": "eks-cluster-sg", "GroupId": "sg-0aa11bb22cc33dd44"}],
        "InterfaceType": interface_type,
        "Ipv6Addresses": [{"Ipv6Address": address, "IsPrimaryIpv6": False} for address in ipv6],
        "MacAddress": "02:4f:1a:2b:3c:4d",
        "NetworkInterfaceId": eni_id,
        "OwnerId": "123456789012",
        "PrivateDnsName": f"ip-{primary_ip.replace('.', '-')}.us-west-2.compute.internal",
        "PrivateIpAddress": primary_ip,
        "PrivateIpAddresses": [{"Primary": True, "PrivateIpAddress": primary_ip}]
        + [{"Primary": False, "PrivateIpAddress": address} for address in secondary],
        "RequesterManaged": False,
        "SourceDestCheck": True,
        "Status": "in-use" if instance_id else "available",
        "SubnetId": subnet,
        "TagSet": [],
        "VpcId": VPC_ID,
    }
    if prefixes:
        document["Ipv4Prefixes"] = [{"Ipv4Prefix": prefix} for prefix in prefixes]
    if ipv6_prefixes:
        document["Ipv6Prefixes"] = [{"Ipv6Prefix": prefix} for prefix in ipv6_prefixes]
    if instance_id:
        document["Attachment"] = {
            "AttachTime": "2026-09-01T05:58:00+00:00",
            "AttachmentId": f"eni-attach-{eni_id[4:]}",
            "DeleteOnTermination": True,
            "DeviceIndex": device,
            "NetworkCardIndex": card,
            "InstanceId": instance_id,
            "InstanceOwnerId": "123456789012",
            "Status": "attached",
        }
    return document


def vpc(cidrs: list[tuple[str, str]], ipv6: list[tuple[str, str]] | None = None) -> dict[str, Any]:
    return {
        "CidrBlock": cidrs[0][0],
        "State": "available",
        "VpcId": VPC_ID,
        "OwnerId": "123456789012",
        "IsDefault": False,
        "CidrBlockAssociationSet": [
            {
                "AssociationId": f"vpc-cidr-assoc-{index}",
                "CidrBlock": cidr,
                "CidrBlockState": {"State": state},
            }
            for index, (cidr, state) in enumerate(cidrs)
        ],
        "Ipv6CidrBlockAssociationSet": [
            {
                "AssociationId": f"vpc-cidr-assoc-6-{index}",
                "Ipv6CidrBlock": cidr,
                "Ipv6CidrBlockState": {"State": state},
                "NetworkBorderGroup": "us-west-2",
            }
            for index, (cidr, state) in enumerate(ipv6 or [])
        ],
    }


def subnet(subnet_id: str, cidr: str) -> dict[str, Any]:
    return {
        "AvailabilityZone": REGION_AZ.get(subnet_id, "us-west-2a"),
        "AvailableIpAddressCount": 8000,
        "CidrBlock": cidr,
        "State": "available",
        "SubnetId": subnet_id,
        "VpcId": VPC_ID,
        "Ipv6CidrBlockAssociationSet": [],
    }


def enis_body(enis: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """An era G (v1.23) /v1/enis body. ``enis``: {eni_id: {"device": n, "primary": bool,
    "cidrs": {cidr: {ip: (namespace, name) | None}}}}; a /28 CIDR is a prefix."""
    body: dict[str, Any] = {}
    total = assigned = 0
    for eni_id, info in enis.items():
        cidrs = {}
        for cidr, addresses in info["cidrs"].items():
            ip, length = cidr.split("/")
            total += 2 ** (32 - int(length))
            entries = {}
            for address, owner in addresses.items():
                if owner:
                    assigned += 1
                entries[address] = {
                    "Address": address,
                    "IPAMKey": {"networkName": "aws-cni" if owner else "", "containerID": "", "ifName": ""},
                    "IPAMMetadata": {"k8sPodNamespace": owner[0], "k8sPodName": owner[1]} if owner else {},
                    "AssignedTime": "2026-09-01T06:02:11.482019377Z",
                    "UnassignedTime": ZERO_TIME if owner else "2026-09-01T07:00:00.000000001Z",
                }
            cidrs[cidr] = {
                "Cidr": {"IP": ip, "Mask": "////8A==" if length == "28" else "/////w=="},
                "IPAddresses": entries,
                "IsPrefix": length == "28",
                "AddressFamily": "",
            }
        body[eni_id] = {
            "ID": eni_id,
            "IsPrimary": info.get("primary", False),
            "IsTrunk": False,
            "IsEFA": False,
            "DeviceNumber": info["device"],
            "AvailableIPv4Cidrs": cidrs,
            "IPv6Cidrs": {},
            "IsExcludedForPodIPs": False,
            "RouteTableID": 254 if info["device"] == 0 else info["device"] + 1,
            "SubnetID": "subnet-a",
        }
    return {"0": {"TotalIPs": total, "AssignedIPs": assigned, "ENIs": body}}


def daemonset(env: dict[str, str], init_env: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": "aws-node", "namespace": "kube-system"},
        "spec": {
            "template": {
                "spec": {
                    "hostNetwork": True,
                    "initContainers": [
                        {
                            "name": "aws-vpc-cni-init",
                            "image": "amazon-k8s-cni-init:v1.23.1",
                            "env": [{"name": key, "value": value} for key, value in (init_env or {}).items()],
                        }
                    ],
                    "containers": [
                        {
                            "name": "aws-node",
                            "image": "amazon-k8s-cni:v1.23.1",
                            "env": [{"name": key, "value": value} for key, value in env.items()]
                            + [
                                {
                                    "name": "MY_NODE_NAME",
                                    "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}},
                                }
                            ],
                        },
                        {"name": "aws-eks-nodeagent", "image": "aws-network-policy-agent:v1.4.2", "env": []},
                    ],
                }
            }
        },
    }


@dataclass
class ClusterDocs:
    """Every document of a bundle; ``None`` for an optional document left out."""

    pods: list[dict[str, Any]]
    nodes: list[dict[str, Any]]
    vpcs: list[dict[str, Any]]
    subnets: list[dict[str, Any]]
    enis: list[dict[str, Any]]
    eniconfigs: list[dict[str, Any]] | None = None
    daemonset: dict[str, Any] | None = None
    ingresses: list[dict[str, Any]] | None = None
    services: list[dict[str, Any]] | None = None
    bindings: list[dict[str, Any]] | None = None
    target_groups: list[dict[str, Any]] | None = None
    target_health: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    ipamd: dict[str, dict[str, str]] | None = None
    """{node: {endpoint: raw body text}}; None for no ipamd folder at all."""

    def copy(self) -> ClusterDocs:
        return copy.deepcopy(self)

    def find_pod(self, name: str) -> dict[str, Any]:
        return next(item for item in self.pods if item["metadata"]["name"] == name)

    def find_eni(self, eni_id: str) -> dict[str, Any]:
        return next(item for item in self.enis if item["NetworkInterfaceId"] == eni_id)

    def write(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)

        def kube(name: str, items: list[dict[str, Any]]) -> None:
            (directory / name).write_text(
                json.dumps(
                    {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}},
                    indent=4,
                )
            )

        kube("pods.json", self.pods)
        kube("nodes.json", self.nodes)
        (directory / "vpcs.json").write_text(json.dumps({"Vpcs": self.vpcs}, indent=4))
        (directory / "subnets.json").write_text(json.dumps({"Subnets": self.subnets}, indent=4))
        (directory / "network-interfaces.json").write_text(
            json.dumps({"NetworkInterfaces": self.enis}, indent=4)
        )
        if self.eniconfigs is not None:
            kube("eniconfigs.json", self.eniconfigs)
        if self.daemonset is not None:
            (directory / "aws-node-daemonset.json").write_text(json.dumps(self.daemonset, indent=4))
        for name, items in (
            ("ingresses.json", self.ingresses),
            ("services.json", self.services),
            ("targetgroupbindings.json", self.bindings),
        ):
            if items is not None:
                kube(name, items)
        if self.target_groups is not None:
            (directory / "elbv2").mkdir(exist_ok=True)
            (directory / "elbv2/target-groups.json").write_text(
                json.dumps({"TargetGroups": self.target_groups})
            )
            (directory / "elbv2/target-health").mkdir(exist_ok=True)
            for name, items in self.target_health.items():
                (directory / f"elbv2/target-health/{name}.json").write_text(
                    json.dumps({"TargetHealthDescriptions": items})
                )
        if self.ipamd is not None:
            for node_name, bodies in self.ipamd.items():
                folder = directory / "ipamd" / node_name
                folder.mkdir(parents=True, exist_ok=True)
                for endpoint, body in bodies.items():
                    (folder / f"{endpoint}.json").write_text(body)
        return directory


NODE_A, NODE_B = "ip-10-0-1-10.us-west-2.compute.internal", "ip-10-0-40-10.us-west-2.compute.internal"
INSTANCE_A, INSTANCE_B = "i-0aaaaaaaaaaaaaaa1", "i-0bbbbbbbbbbbbbbb2"


def baseline() -> ClusterDocs:
    """Two nodes, one in secondary-IP mode (node A, two ENIs) and one with prefix delegation (node B).

    Every check passes: pods hold secondary IPs or IPs of a /28 prefix (including the prefix's network
    address, valid in PD mode: cni-facts.md §1.3), ipamd agrees, hostNetwork, finished and IP-less
    pods are skipped.
    """
    pods = [
        pod("web-1", node=NODE_A, ip="10.0.1.11"),
        pod("web-2", node=NODE_A, ip="10.0.1.21"),
        pod("api-1", node=NODE_B, ip="10.0.40.16"),
        pod("api-2", node=NODE_B, ip="10.0.40.31"),
        pod("aws-node-4x7kq", node=NODE_A, ip="10.0.1.10", namespace="kube-system", host_network=True),
        pod("report-28490125-abcde", node=NODE_A, ip="10.0.1.12", phase="Succeeded"),
        pod("queued-7f9c", node=None, ip=None, phase="Pending"),
    ]
    nodes = [
        node(NODE_A, instance_id=INSTANCE_A, internal_ip="10.0.1.10"),
        node(NODE_B, instance_id=INSTANCE_B, internal_ip="10.0.40.10", zone="us-west-2b"),
    ]
    enis = [
        eni(
            "eni-0a00000000000000a",
            instance_id=INSTANCE_A,
            device=0,
            primary_ip="10.0.1.10",
            secondary=("10.0.1.11", "10.0.1.12", "10.0.1.13"),
        ),
        eni(
            "eni-0a00000000000001a",
            instance_id=INSTANCE_A,
            device=1,
            primary_ip="10.0.1.20",
            secondary=("10.0.1.21", "10.0.1.22"),
        ),
        eni(
            "eni-0b00000000000000b",
            instance_id=INSTANCE_B,
            device=0,
            primary_ip="10.0.40.10",
            prefixes=("10.0.40.16/28",),
            subnet="subnet-b",
        ),
        eni(
            "eni-0c0000000000000lb",
            instance_id=None,
            device=0,
            primary_ip="10.0.0.200",
            interface_type="network_load_balancer",
        ),
    ]
    ipamd = {
        NODE_A: {
            "enis": json.dumps(
                enis_body(
                    {
                        "eni-0a00000000000000a": {
                            "device": 0,
                            "primary": True,
                            "cidrs": {
                                "10.0.1.11/32": {"10.0.1.11": ("default", "web-1")},
                                "10.0.1.12/32": {"10.0.1.12": None},
                                "10.0.1.13/32": {},
                            },
                        },
                        "eni-0a00000000000001a": {
                            "device": 1,
                            "cidrs": {
                                "10.0.1.21/32": {"10.0.1.21": ("default", "web-2")},
                                "10.0.1.22/32": {},
                            },
                        },
                    }
                )
            )
        },
        NODE_B: {
            "enis": json.dumps(
                enis_body(
                    {
                        "eni-0b00000000000000b": {
                            "device": 0,
                            "primary": True,
                            "cidrs": {
                                "10.0.40.16/28": {
                                    "10.0.40.16": ("default", "api-1"),
                                    "10.0.40.31": ("default", "api-2"),
                                }
                            },
                        },
                    }
                )
            )
        },
    }
    return ClusterDocs(
        pods=pods,
        nodes=nodes,
        vpcs=[
            vpc(
                [
                    ("10.0.0.0/16", "associated"),
                    ("100.64.0.0/16", "associated"),
                    ("10.99.0.0/16", "disassociated"),
                ]
            )
        ],
        subnets=[
            subnet("subnet-a", "10.0.0.0/19"),
            subnet("subnet-b", "10.0.32.0/19"),
            subnet("subnet-pods-a", "100.64.0.0/19"),
            subnet("subnet-pods-b", "100.64.32.0/19"),
        ],
        enis=enis,
        ipamd=ipamd,
    )


FARGATE_NODE = "fargate-ip-10-0-5-5.us-west-2.compute.internal"


def add_fargate_pod(docs: ClusterDocs, *, own_eni: bool = True, provider_id: str | None = None) -> None:
    """A Fargate node running kube-system/coredns-fargate on 10.0.5.5, the primary IP of the pod's own
    ENI eni-0f00000000000fa1e (left out with ``own_eni=False``)."""
    docs.nodes.append(
        node(
            FARGATE_NODE,
            instance_id=None,
            internal_ip="10.0.5.5",
            provider_id=provider_id,
            labels={"eks.amazonaws.com/compute-type": "fargate"},
        )
    )
    docs.pods.append(pod("coredns-fargate", node=FARGATE_NODE, ip="10.0.5.5", namespace="kube-system"))
    if own_eni:
        docs.enis.append(eni("eni-0f00000000000fa1e", instance_id=None, device=0, primary_ip="10.0.5.5"))


def add_ipv6_prefix(docs: ClusterDocs) -> None:
    """An IPv6 block on the VPC and a /80 prefix delegated to node B's ENI (cni-facts.md §1.3 D)."""
    docs.vpcs[0]["Ipv6CidrBlockAssociationSet"] = [
        {"Ipv6CidrBlock": "2600:1f14:abc:de00::/56", "Ipv6CidrBlockState": {"State": "associated"}}
    ]
    docs.find_eni("eni-0b00000000000000b")["Ipv6Prefixes"] = [{"Ipv6Prefix": "2600:1f14:abc:de01:8f00::/80"}]


NO_EXPECTATIONS = Expectations(aws_node_env={}, init_env={})


def run(docs: ClusterDocs, tmp_path: Path, expectations: Expectations = NO_EXPECTATIONS) -> Report:
    return verify(read_bundle(docs.write(tmp_path / "bundle")), expectations)


def result(report: Report, name: str) -> PodResult:
    return next(item for item in report.pods if item.name == name)


def verdict(report: Report, name: str) -> tuple[str, tuple[str, ...]]:
    found = result(report, name)
    return found.result, found.reasons


def exit_code_without_convergence(report: Report) -> int:
    """The exit code the report would have without the convergence checks.

    ``baseline()`` mixes a secondary-IP node and a prefix node, which no one setting converges; tests of
    the pod, ENIConfig and drift checks that add a DaemonSet judge those checks' exit code with this
    (the convergence checks have their own tests, test_verify_convergence.py).
    """
    from ekslab.verify.convergence import CHECKS

    trimmed = copy.deepcopy(report)
    for node_result in trimmed.nodes:
        node_result.checks = [item for item in node_result.checks if item.check not in CHECKS]
    return trimmed.exit_code()
