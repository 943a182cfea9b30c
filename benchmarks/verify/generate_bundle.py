"""Write a synthetic bundle of a large cluster for the verification benchmark.

Default size: 5,000 nodes, 150,000 pods, 20,000 ENIs (4 per node), 60 % of the nodes in secondary-IP
mode (12 secondary IPs per ENI) and 40 % with prefix delegation (one /28 per ENI). Per node: 2
hostNetwork pods (aws-node, kube-proxy) and 28 pods on VPC IPs, about 1 % of them finished jobs.
Every document has the shape and indentation of what ``kubectl ... -o json`` (4 spaces) and
``aws ... --output json`` print, with the fields a real EKS object carries (no managedFields, as
kubectl hides them), and ``ipamd/<node>/`` holds CNI v1.23 bodies as eks-log-collector saves them.
Everything is consistent, so ``ekslab verify`` passes every pod: the run does the full work. The
aws-node DaemonSet turns prefix delegation on; the secondary-IP nodes are m4.xlarge (Xen: ipamd keeps
secondary IPs, kubelet 58 pods) and the prefix nodes m5.xlarge (110 pods), so the convergence checks
pass on every node too (``--expect-config benchmarks/verify/lab.yaml`` for the drift check).

    python benchmarks/verify/generate_bundle.py --out /tmp/bundle-5k          # the full size
    python benchmarks/verify/generate_bundle.py --out /tmp/b --nodes 10 --pods-per-node 30

Documents are rendered from JSON templates (``json.dumps`` once, then ``str.format`` per object), so
the 1 GB bundle takes about a minute to write.
"""

from __future__ import annotations

import argparse
import hashlib
import ipaddress
import json
import os
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REGION = "us-west-2"
ZONES = ("us-west-2a", "us-west-2b", "us-west-2c")
VPC_ID = "vpc-0b1e2c3d4f5a6b7c8"
ACCOUNT = "123456789012"
CLUSTER = "ekslab-bench"
VPC_BLOCKS = [f"10.{index}.0.0/16" for index in range(8)]
"""Eight /16 blocks (a VPC's limit per block is /16): enough for 5,000 nodes with 64 IPs each."""
ENIS_PER_NODE = 4
SECONDARY_IPS_PER_ENI = 12
HOST_NETWORK_PODS = 2
FINISHED_EVERY = 97
"""About 1 % of the pods are finished jobs (skipped as not_running)."""
PREFIX_NODE_EVERY = 5
"""Nodes 0, 1 of every 5 (40 %) use prefix delegation."""
NODE_KINDS = {
    # Prefix delegation is on in the DaemonSet: Nitro m5.xlarge nodes hold /28 prefixes and run 110 pods
    # (4 x ((15 - 1) x 16) + 2, capped at 110 for 4 vCPUs); Xen m4.xlarge nodes cannot, so ipamd keeps
    # secondary IPs and kubelet 58 (4 x (15 - 1) + 2): every node has converged to the settings.
    True: {"instance_type": "m5.xlarge", "max_pods": "110", "node_group": "workers"},
    False: {"instance_type": "m4.xlarge", "max_pods": "58", "node_group": "workers-xen"},
}
AWS_NODE_ENV = {
    "ADDITIONAL_ENI_TAGS": "{}",
    "AWS_VPC_CNI_NODE_PORT_SUPPORT": "true",
    "AWS_VPC_ENI_MTU": "9001",
    "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": "false",
    "AWS_VPC_K8S_CNI_EXTERNALSNAT": "false",
    "AWS_VPC_K8S_CNI_RANDOMIZESNAT": "prng",
    "ENABLE_POD_ENI": "false",
    "ENABLE_PREFIX_DELEGATION": "true",
    "ENABLE_IPv4": "true",
    "ENABLE_IPv6": "false",
    "WARM_ENI_TARGET": "1",
    "WARM_PREFIX_TARGET": "1",
}
"""The aws-node container's env in the bundle's DaemonSet (benchmarks/verify/lab.yaml asks for it)."""


def _hex(seed: str, length: int) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:length]


RAW_FIELDS = ("DEVICE", "SECONDARY", "PREFIXES")
"""Placeholders standing for a whole JSON value (a number, a list) rather than text inside a string."""


COMPACT = False
"""True: write every document without whitespace (``--compact``), to measure that case too."""


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":")) if COMPACT else json.dumps(value, indent=4)


def _template(document: Any, indent_prefix: str) -> str:
    """``document`` as kubectl/aws print it, ``@@NAME@@`` placeholders made ``str.format`` fields."""
    text = _dumps(document)
    text = text.replace("{", "{{").replace("}", "}}")
    for field in RAW_FIELDS:
        text = text.replace(f'"@@{field}@@"', "{" + field.lower() + "}")
    text = re.sub(r"@@([A-Z_]+)@@", lambda match: "{" + match[1].lower() + "}", text)
    if COMPACT:
        return text
    return "\n".join(indent_prefix + line for line in text.splitlines())


POD_DOCUMENT: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {
        "annotations": {"kubectl.kubernetes.io/restartedAt": "2026-08-30T10:12:44Z"},
        "creationTimestamp": "2026-09-01T06:00:00Z",
        "generateName": "@@APP@@-7d9f8c6b5d-",
        "labels": {
            "app.kubernetes.io/name": "@@APP@@",
            "app.kubernetes.io/part-of": "shop",
            "pod-template-hash": "7d9f8c6b5d",
        },
        "name": "@@NAME@@",
        "namespace": "@@NAMESPACE@@",
        "ownerReferences": [
            {
                "apiVersion": "apps/v1",
                "blockOwnerDeletion": True,
                "controller": True,
                "kind": "ReplicaSet",
                "name": "@@APP@@-7d9f8c6b5d",
                "uid": "5c0ffee0-1234-4cde-8f00-0123456789ab",
            }
        ],
        "resourceVersion": "187263541",
        "uid": "@@UID@@",
    },
    "spec": {
        "containers": [
            {
                "env": [
                    {"name": "LOG_LEVEL", "value": "info"},
                    {
                        "name": "POD_NAME",
                        "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}},
                    },
                ],
                "image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/shop/@@APP@@:1.42.0",
                "imagePullPolicy": "IfNotPresent",
                "livenessProbe": {
                    "failureThreshold": 3,
                    "httpGet": {"path": "/healthz", "port": "http", "scheme": "HTTP"},
                    "periodSeconds": 10,
                    "successThreshold": 1,
                    "timeoutSeconds": 1,
                },
                "name": "@@APP@@",
                "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"}],
                "readinessProbe": {
                    "failureThreshold": 3,
                    "httpGet": {"path": "/ready", "port": "http", "scheme": "HTTP"},
                    "periodSeconds": 5,
                    "successThreshold": 1,
                    "timeoutSeconds": 1,
                },
                "resources": {"limits": {"memory": "512Mi"}, "requests": {"cpu": "250m", "memory": "256Mi"}},
                "securityContext": {
                    "allowPrivilegeEscalation": False,
                    "capabilities": {"drop": ["ALL"]},
                    "readOnlyRootFilesystem": True,
                    "runAsNonRoot": True,
                },
                "terminationMessagePath": "/dev/termination-log",
                "terminationMessagePolicy": "File",
                "volumeMounts": [
                    {
                        "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                        "name": "kube-api-access-x7k2p",
                        "readOnly": True,
                    }
                ],
            }
        ],
        "dnsPolicy": "ClusterFirst",
        "enableServiceLinks": True,
        "nodeName": "@@NODE@@",
        "preemptionPolicy": "PreemptLowerPriority",
        "priority": 0,
        "restartPolicy": "Always",
        "schedulerName": "default-scheduler",
        "securityContext": {"fsGroup": 1000},
        "serviceAccount": "default",
        "serviceAccountName": "default",
        "terminationGracePeriodSeconds": 30,
        "tolerations": [
            {
                "effect": "NoExecute",
                "key": "node.kubernetes.io/not-ready",
                "operator": "Exists",
                "tolerationSeconds": 300,
            },
            {
                "effect": "NoExecute",
                "key": "node.kubernetes.io/unreachable",
                "operator": "Exists",
                "tolerationSeconds": 300,
            },
        ],
        "volumes": [
            {
                "name": "kube-api-access-x7k2p",
                "projected": {
                    "defaultMode": 420,
                    "sources": [
                        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                        {
                            "configMap": {
                                "items": [{"key": "ca.crt", "path": "ca.crt"}],
                                "name": "kube-root-ca.crt",
                            }
                        },
                        {
                            "downwardAPI": {
                                "items": [
                                    {
                                        "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"},
                                        "path": "namespace",
                                    }
                                ]
                            }
                        },
                    ],
                },
            }
        ],
    },
    "status": {
        "conditions": [
            {
                "lastProbeTime": None,
                "lastTransitionTime": "2026-09-01T06:00:04Z",
                "status": "True",
                "type": condition,
            }
            for condition in (
                "PodReadyToStartContainers",
                "Initialized",
                "Ready",
                "ContainersReady",
                "PodScheduled",
            )
        ],
        "containerStatuses": [
            {
                "containerID": "containerd://@@CONTAINER@@",
                "image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/shop/@@APP@@:1.42.0",
                "imageID": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/shop/@@APP@@@sha256:@@HASH@@",
                "lastState": {},
                "name": "@@APP@@",
                "ready": True,
                "restartCount": 0,
                "started": True,
                "state": {"running": {"startedAt": "2026-09-01T06:00:03Z"}},
            }
        ],
        "hostIP": "@@HOST_IP@@",
        "hostIPs": [{"ip": "@@HOST_IP@@"}],
        "phase": "@@PHASE@@",
        "podIP": "@@IP@@",
        "podIPs": [{"ip": "@@IP@@"}],
        "qosClass": "Burstable",
        "startTime": "2026-09-01T06:00:01Z",
    },
}

NODE_DOCUMENT: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Node",
    "metadata": {
        "annotations": {
            "alpha.kubernetes.io/provided-node-ip": "@@HOST_IP@@",
            "node.alpha.kubernetes.io/ttl": "0",
            "volumes.kubernetes.io/controller-managed-attach-detach": "true",
        },
        "creationTimestamp": "2026-09-01T05:58:12Z",
        "labels": {
            "beta.kubernetes.io/arch": "amd64",
            "beta.kubernetes.io/instance-type": "@@INSTANCE_TYPE@@",
            "beta.kubernetes.io/os": "linux",
            "eks.amazonaws.com/capacityType": "ON_DEMAND",
            "eks.amazonaws.com/nodegroup": "@@NODE_GROUP@@",
            "eks.amazonaws.com/nodegroup-image": "ami-0a1b2c3d4e5f60718",
            "failure-domain.beta.kubernetes.io/region": REGION,
            "failure-domain.beta.kubernetes.io/zone": "@@ZONE@@",
            "k8s.io/cloud-provider-aws": "6e3b3f2a1c0d9e8f7a6b5c4d3e2f1a0b",
            "kubernetes.io/arch": "amd64",
            "kubernetes.io/hostname": "@@NODE@@",
            "kubernetes.io/os": "linux",
            "node.kubernetes.io/instance-type": "@@INSTANCE_TYPE@@",
            "topology.k8s.aws/zone-id": "usw2-az1",
            "topology.kubernetes.io/region": REGION,
            "topology.kubernetes.io/zone": "@@ZONE_LABEL@@",
        },
        "name": "@@NODE@@",
        "resourceVersion": "187263001",
        "uid": "@@UID@@",
    },
    "spec": {"providerID": "aws:///@@ZONE@@/@@INSTANCE@@"},
    "status": {
        "addresses": [
            {"address": "@@HOST_IP@@", "type": "InternalIP"},
            {"address": "@@NODE@@", "type": "InternalDNS"},
            {"address": "@@NODE@@", "type": "Hostname"},
        ],
        "allocatable": {
            "cpu": "3920m",
            "ephemeral-storage": "95491281146",
            "hugepages-1Gi": "0",
            "hugepages-2Mi": "0",
            "memory": "14903104Ki",
            "pods": "@@MAX_PODS@@",
        },
        "capacity": {
            "cpu": "4",
            "ephemeral-storage": "104845292Ki",
            "hugepages-1Gi": "0",
            "hugepages-2Mi": "0",
            "memory": "15919936Ki",
            "pods": "@@MAX_PODS@@",
        },
        "conditions": [
            {
                "lastHeartbeatTime": "2026-09-01T08:00:00Z",
                "lastTransitionTime": "2026-09-01T05:58:12Z",
                "message": message,
                "reason": reason,
                "status": status,
                "type": kind,
            }
            for kind, status, reason, message in (
                (
                    "MemoryPressure",
                    "False",
                    "KubeletHasSufficientMemory",
                    "kubelet has sufficient memory available",
                ),
                ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
            )
        ],
        "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
        "images": [
            {
                "names": [
                    f"602401143452.dkr.ecr.{REGION}.amazonaws.com/amazon-k8s-cni@sha256:{'ab' * 32}",
                    f"602401143452.dkr.ecr.{REGION}.amazonaws.com/amazon-k8s-cni:v1.23.1",
                ],
                "sizeBytes": 46352812 + index,
            }
            for index in range(8)
        ],
        "nodeInfo": {
            "architecture": "amd64",
            "bootID": "@@UID@@",
            "containerRuntimeVersion": "containerd://1.7.27",
            "kernelVersion": "6.1.141-155.222.amzn2023.x86_64",
            "kubeProxyVersion": "v1.36.0-eks-4096722",
            "kubeletVersion": "v1.36.0-eks-4096722",
            "machineID": "ec2f1e2d3c4b5a69788796a5b4c3d2e1",
            "operatingSystem": "linux",
            "osImage": "Amazon Linux 2023.8.20260815",
            "systemUUID": "ec2f1e2d-3c4b-5a69-7887-96a5b4c3d2e1",
        },
    },
}

ENI_DOCUMENT: dict[str, Any] = {
    "Attachment": {
        "AttachTime": "2026-09-01T05:58:30+00:00",
        "AttachmentId": "eni-attach-@@ATTACH@@",
        "DeleteOnTermination": True,
        "DeviceIndex": "@@DEVICE@@",
        "NetworkCardIndex": 0,
        "InstanceId": "@@INSTANCE@@",
        "InstanceOwnerId": ACCOUNT,
        "Status": "attached",
    },
    "AvailabilityZone": "@@ZONE@@",
    "Description": "aws-K8S-@@INSTANCE@@",
    "Groups": [{"GroupName": "eks-cluster-sg-ekslab-bench-1234567890", "GroupId": "sg-0c1d2e3f4a5b6c7d8"}],
    "InterfaceType": "interface",
    "Ipv6Addresses": [],
    "MacAddress": "@@MAC@@",
    "NetworkInterfaceId": "@@ENI@@",
    "OwnerId": ACCOUNT,
    "PrivateDnsName": "@@NODE@@",
    "PrivateIpAddress": "@@IP@@",
    "PrivateIpAddresses": "@@SECONDARY@@",
    "Ipv4Prefixes": "@@PREFIXES@@",
    "RequesterId": "AROAEXAMPLE0123456789:i-node-role",
    "RequesterManaged": False,
    "SourceDestCheck": True,
    "Status": "in-use",
    "SubnetId": "@@SUBNET@@",
    "TagSet": [
        {"Key": "cluster.k8s.amazonaws.com/name", "Value": CLUSTER},
        {"Key": "node.k8s.amazonaws.com/instance_id", "Value": "@@INSTANCE@@"},
        {"Key": "node.k8s.amazonaws.com/createdAt", "Value": "2026-09-01T05:58:29Z"},
    ],
    "VpcId": VPC_ID,
}


def _templates() -> tuple[str, str, str, str]:
    """(pod, hostNetwork pod, node, ENI) templates in the chosen style."""
    host = json.loads(json.dumps(POD_DOCUMENT))
    host["spec"]["hostNetwork"] = True
    return (
        _template(POD_DOCUMENT, " " * 8),
        _template(host, " " * 8),
        _template(NODE_DOCUMENT, " " * 8),
        _template(ENI_DOCUMENT, " " * 8),
    )


@dataclass
class NodePlan:
    name: str
    instance: str
    zone: str
    subnet: str
    host_ip: str
    prefix_mode: bool
    enis: list[tuple[str, str, list[str], list[str]]]
    """(eni id, primary IP, secondary IPs, prefixes)"""
    pod_ips: list[tuple[str, str]]
    """(IP, eni id) available to pods"""


class Addresses:
    """Hands out addresses in order from the VPC blocks, /28-aligned for prefixes."""

    def __init__(self) -> None:
        self.blocks = [ipaddress.ip_network(block) for block in VPC_BLOCKS]
        self.block = 0
        self.next = int(self.blocks[0].network_address) + 16

    def take(self, count: int, *, align: int = 1) -> int:
        start = -(-self.next // align) * align
        if start + count > int(self.blocks[self.block].broadcast_address) - 4:
            self.block += 1
            if self.block == len(self.blocks):
                raise SystemExit("the VPC blocks are full: fewer nodes or more blocks")
            start = int(self.blocks[self.block].network_address) + 16
        self.next = start + count
        return start


def plan_nodes(count: int, enis_per_node: int) -> Iterator[NodePlan]:
    addresses = Addresses()
    for index in range(count):
        zone = ZONES[index % len(ZONES)]
        host = addresses.take(1)
        host_ip = str(ipaddress.IPv4Address(host))
        name = f"ip-{host_ip.replace('.', '-')}.{REGION}.compute.internal"
        instance = f"i-0{index:016x}"
        prefix_mode = index % PREFIX_NODE_EVERY < 2
        enis, pod_ips = [], []
        for device in range(enis_per_node):
            eni_id = f"eni-0{index:010x}{device:06x}"
            primary = host_ip if device == 0 else str(ipaddress.IPv4Address(addresses.take(1)))
            if prefix_mode:
                start = addresses.take(16, align=16)
                prefixes = [f"{ipaddress.IPv4Address(start)}/28"]
                secondary: list[str] = []
                pod_ips += [(str(ipaddress.IPv4Address(start + offset)), eni_id) for offset in range(16)]
            else:
                start = addresses.take(SECONDARY_IPS_PER_ENI)
                secondary = [
                    str(ipaddress.IPv4Address(start + offset)) for offset in range(SECONDARY_IPS_PER_ENI)
                ]
                prefixes = []
                pod_ips += [(ip, eni_id) for ip in secondary]
            enis.append((eni_id, primary, secondary, prefixes))
        yield NodePlan(
            name,
            instance,
            zone,
            f"subnet-0{VPC_BLOCKS.index(_block_of(host_ip)):02d}{ZONES.index(zone)}",
            host_ip,
            prefix_mode,
            enis,
            pod_ips,
        )


def _block_of(ip: str) -> str:
    return next(block for block in VPC_BLOCKS if ipaddress.ip_address(ip) in ipaddress.ip_network(block))


def write_bundle(
    out: Path, *, nodes: int, pods_per_node: int, enis_per_node: int, seed: int
) -> dict[str, int]:
    random.seed(seed)
    out.mkdir(parents=True, exist_ok=False)
    plans = list(plan_nodes(nodes, enis_per_node))
    counts = {"nodes": len(plans), "pods": 0, "enis": 0}
    pod_template, host_template, node_template, eni_template = _templates()
    head, tail, separator = _list_frame("items")

    with open(out / "nodes.json", "w") as handle:
        handle.write(head)
        handle.write(
            separator.join(
                node_template.format(
                    node=plan.name,
                    host_ip=plan.host_ip,
                    zone=plan.zone,
                    zone_label=plan.zone,
                    instance=plan.instance,
                    **NODE_KINDS[plan.prefix_mode],
                    uid=f"{_hex(plan.name, 8)}-0000-4000-8000-{_hex(plan.name, 12)}",
                )
                for plan in plans
            )
        )
        handle.write(tail)

    with open(out / "pods.json", "w") as handle:
        handle.write(head)
        first = True
        ipamd_assignments: dict[str, dict[str, tuple[str, str]]] = {}
        for node_index, plan in enumerate(plans):
            assigned: dict[str, tuple[str, str]] = {}
            for slot in range(pods_per_node):
                host = slot < HOST_NETWORK_PODS
                namespace = "kube-system" if host else f"shop-{node_index % 40}"
                app = (
                    ("aws-node", "kube-proxy")[slot]
                    if host
                    else ("checkout", "cart", "catalog", "web")[slot % 4]
                )
                name = f"{app}-{_hex(f'{plan.name}/{slot}', 5)}"
                counts["pods"] += 1
                ip_slot = slot - HOST_NETWORK_PODS
                finished = not host and (node_index * pods_per_node + slot) % FINISHED_EVERY == 0
                ip, eni_id = (plan.host_ip, "") if host else plan.pod_ips[ip_slot]
                if not host and not finished:
                    assigned[ip] = (namespace, name)
                text = (host_template if host else pod_template).format(
                    name=name,
                    namespace=namespace,
                    node=plan.name,
                    ip=ip,
                    host_ip=plan.host_ip,
                    app=app,
                    uid=f"{_hex(name, 8)}-1111-4000-8000-{_hex(name + 'u', 12)}",
                    hash=_hex(app, 64),
                    container=_hex(name + "c", 64),
                    phase="Succeeded" if finished else "Running",
                )
                handle.write(text if first else separator + text)
                first = False
            ipamd_assignments[plan.name] = assigned
        handle.write(tail)

    eni_head, eni_tail, _ = _list_frame("NetworkInterfaces")
    with open(out / "network-interfaces.json", "w") as handle:
        handle.write(eni_head)
        entries = []
        for plan in plans:
            for device, (eni_id, primary, secondary, prefixes) in enumerate(plan.enis):
                counts["enis"] += 1
                dns = f"ip-{primary.replace('.', '-')}.{REGION}.compute.internal"
                addresses = [{"Primary": True, "PrivateDnsName": dns, "PrivateIpAddress": primary}] + [
                    {
                        "Primary": False,
                        "PrivateDnsName": f"ip-{ip.replace('.', '-')}.{REGION}.compute.internal",
                        "PrivateIpAddress": ip,
                    }
                    for ip in secondary
                ]
                entries.append(
                    eni_template.format(
                        attach=_hex(eni_id, 17),
                        device=device,
                        instance=plan.instance,
                        zone=plan.zone,
                        mac=":".join(_hex(eni_id, 12)[i : i + 2] for i in range(0, 12, 2)),
                        eni=eni_id,
                        node=dns,
                        ip=primary,
                        subnet=plan.subnet,
                        secondary=_indented(addresses, 12),
                        prefixes=_indented([{"Ipv4Prefix": p} for p in prefixes], 12),
                    )
                )
        handle.write(separator.join(entries))
        handle.write(eni_tail)

    vpc = {
        "Vpcs": [
            {
                "CidrBlock": VPC_BLOCKS[0],
                "DhcpOptionsId": "dopt-0a1b2c3d",
                "State": "available",
                "VpcId": VPC_ID,
                "OwnerId": ACCOUNT,
                "InstanceTenancy": "default",
                "IsDefault": False,
                "CidrBlockAssociationSet": [
                    {
                        "AssociationId": f"vpc-cidr-assoc-0{index:016x}",
                        "CidrBlock": block,
                        "CidrBlockState": {"State": "associated"},
                    }
                    for index, block in enumerate(VPC_BLOCKS)
                ],
                "Tags": [{"Key": "Name", "Value": CLUSTER}],
            }
        ]
    }
    (out / "vpcs.json").write_text(_dumps(vpc) + "\n")
    subnets = [
        {
            "AvailabilityZone": zone,
            "AvailableIpAddressCount": 8000,
            "CidrBlock": str(half),
            "DefaultForAz": False,
            "MapPublicIpOnLaunch": False,
            "State": "available",
            "SubnetId": f"subnet-0{block_index:02d}{ZONES.index(zone)}",
            "VpcId": VPC_ID,
            "OwnerId": ACCOUNT,
            "Ipv6CidrBlockAssociationSet": [],
        }
        for block_index, block in enumerate(VPC_BLOCKS)
        for zone, half in zip(ZONES, ipaddress.ip_network(block).subnets(prefixlen_diff=2), strict=False)
    ]
    (out / "subnets.json").write_text(_dumps({"Subnets": subnets}) + "\n")
    (out / "aws-node-daemonset.json").write_text(_dumps(_daemonset()) + "\n")

    _write_ipamd(out, plans, ipamd_assignments)
    return counts


def _daemonset() -> dict[str, Any]:
    """The aws-node DaemonSet as ``kubectl get ds aws-node -n kube-system -o json`` prints it (trimmed)."""
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": "aws-node", "namespace": "kube-system", "generation": 3},
        "spec": {
            "selector": {"matchLabels": {"k8s-app": "aws-node"}},
            "template": {
                "metadata": {"labels": {"k8s-app": "aws-node"}},
                "spec": {
                    "hostNetwork": True,
                    "initContainers": [
                        {
                            "name": "aws-vpc-cni-init",
                            "image": "602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni-init:v1.23.1",
                            "env": [{"name": "DISABLE_TCP_EARLY_DEMUX", "value": "false"}],
                        }
                    ],
                    "containers": [
                        {
                            "name": "aws-node",
                            "image": "602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.23.1",
                            "env": [{"name": key, "value": value} for key, value in AWS_NODE_ENV.items()]
                            + [
                                {
                                    "name": "MY_NODE_NAME",
                                    "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}},
                                }
                            ],
                        }
                    ],
                },
            },
        },
    }


def _list_frame(key: str) -> tuple[str, str, str]:
    """(head, tail, separator) around a list's items: kubectl's List or the AWS CLI's {key: [...]}."""
    if key == "items":
        if COMPACT:
            return '{"apiVersion":"v1","items":[', '],"kind":"List","metadata":{"resourceVersion":""}}', ","
        return (
            '{\n    "apiVersion": "v1",\n    "items": [\n',
            '\n    ],\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n',
            ",\n",
        )
    if COMPACT:
        return '{"' + key + '":[', "]}", ","
    return '{\n    "' + key + '": [\n', "\n    ]\n}\n", ",\n"


def _indented(value: Any, spaces: int) -> str:
    text = _dumps(value)
    if COMPACT:
        return text
    return "\n".join((" " * spaces + line) if index else line for index, line in enumerate(text.splitlines()))


IPAMD_ROOT = json.dumps(
    {
        "AvailableCommands": [
            "/v1/eni-configs",
            "/v1/enis",
            "/v1/ipamd-env-settings",
            "/v1/networkutils-env-settings",
        ]
    },
    separators=(",", ":"),
)
NETWORKUTILS = json.dumps(
    {
        "AWS_EXTERNAL_SERVICE_CIDRS": None,
        "AWS_VPC_CNI_NODE_PORT_SUPPORT": True,
        "AWS_VPC_ENI_MTU": 9001,
        "AWS_VPC_K8S_CNI_CONNMARK": 128,
        "AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS": None,
        "AWS_VPC_K8S_CNI_EXTERNALSNAT": False,
        "AWS_VPC_K8S_CNI_RANDOMIZESNAT": 2,
        "AWS_VPC_K8S_CNI_VETHPREFIX": "eni",
    },
    separators=(",", ":"),
)
IPAMD_ENV = json.dumps(
    {
        "AWS_MANAGE_ENIS_NON_SCHEDULABLE": False,
        "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": False,
        "ENABLE_SUBNET_DISCOVERY": True,
        "WARM_ENI_TARGET": 1,
        "WARM_IP_TARGET": 0,
    },
    separators=(",", ":"),
)
ZERO = "0001-01-01T00:00:00Z"


def _write_ipamd(
    out: Path, plans: list[NodePlan], assignments: dict[str, dict[str, tuple[str, str]]]
) -> None:
    """CNI v1.23 (era G) bodies: per-card wrapper, scrubbed container ids, pod names in IPAMMetadata."""
    for plan in plans:
        assigned = assignments[plan.name]
        enis: dict[str, Any] = {}
        total = 0
        for device, (eni_id, _, secondary, prefixes) in enumerate(plan.enis):
            cidrs: dict[str, Any] = {}
            for cidr in prefixes or [f"{ip}/32" for ip in secondary]:
                network = ipaddress.ip_network(cidr)
                total += network.num_addresses
                ips = [str(ip) for ip in (network if network.prefixlen < 32 else [network.network_address])]
                addresses = {ip: _address(ip, assigned.get(ip)) for ip in ips if ip in assigned}
                cidrs[cidr] = {
                    "Cidr": {
                        "IP": str(network.network_address),
                        "Mask": "////8A==" if network.prefixlen == 28 else "/////w==",
                    },
                    "IPAddresses": addresses,
                    "IsPrefix": network.prefixlen < 32,
                    "AddressFamily": "",
                }
            enis[eni_id] = {
                "ID": eni_id,
                "IsPrimary": device == 0,
                "IsTrunk": False,
                "IsEFA": False,
                "DeviceNumber": device,
                "AvailableIPv4Cidrs": cidrs,
                "IPv6Cidrs": {},
                "IsExcludedForPodIPs": False,
                "RouteTableID": 254 if device == 0 else device + 1,
                "SubnetID": plan.subnet,
            }
        body = {"0": {"TotalIPs": total, "AssignedIPs": len(assigned), "ENIs": dict(sorted(enis.items()))}}
        folder = out / "ipamd" / plan.name
        folder.mkdir(parents=True)
        (folder / "enis.json").write_text(json.dumps(body, separators=(",", ":")))
        (folder / "pods.json").write_text(IPAMD_ROOT)
        (folder / "networkutils-env-settings.json").write_text(NETWORKUTILS)
        (folder / "ipamd-env-settings.json").write_text(IPAMD_ENV)
        (folder / "eni-configs.json").write_text('"default"')


def _address(ip: str, owner: tuple[str, str] | None) -> dict[str, Any]:
    return {
        "Address": ip,
        "IPAMKey": {"networkName": "aws-cni", "containerID": "", "ifName": ""},
        "IPAMMetadata": {"k8sPodNamespace": owner[0], "k8sPodName": owner[1]} if owner else {},
        "AssignedTime": "2026-09-01T06:00:02.118463201Z",
        "UnassignedTime": ZERO,
    }


def bundle_size(path: Path) -> int:
    return sum(entry.stat().st_size for entry in path.rglob("*") if entry.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, required=True, help="new folder to write the bundle into")
    parser.add_argument("--nodes", type=int, default=5000)
    parser.add_argument("--pods-per-node", type=int, default=30, help="including 2 hostNetwork pods")
    parser.add_argument("--enis-per-node", type=int, default=ENIS_PER_NODE)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--compact",
        action="store_true",
        help="write JSON without whitespace instead of kubectl/aws CLI indentation",
    )
    args = parser.parse_args()
    global COMPACT
    COMPACT = args.compact
    capacity = args.enis_per_node * min(16, SECONDARY_IPS_PER_ENI)
    if args.pods_per_node - HOST_NETWORK_PODS > capacity:
        parser.error(
            f"--pods-per-node allows at most {capacity + HOST_NETWORK_PODS} with {args.enis_per_node} ENIs"
        )
    counts = write_bundle(
        args.out,
        nodes=args.nodes,
        pods_per_node=args.pods_per_node,
        enis_per_node=args.enis_per_node,
        seed=args.seed,
    )
    size = bundle_size(args.out)
    print(json.dumps({**counts, "bundle_bytes": size, "path": os.fspath(args.out)}))


if __name__ == "__main__":
    main()
