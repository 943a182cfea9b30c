"""A recorded lab with every follow-on feature on, for running docs/workshop.md offline.

The lab is one bundle (the documents ``ekslab collect`` writes, built with the verification tests'
``cluster_docs`` helpers) of a lab deployed with every follow-on feature on: custom networking with
pods in the 100.64.0.0/16 pod subnets, prefix delegation, security groups for pods (one pod on a
branch ENI) and network policy; CNI v1.23 ipamd bodies per node. The sandbox serves it
(``ekslab sandbox up --bundle``) to the real kubectl, aws and ekslab; ``stand_ins.py`` lists the few
commands answered from the same documents instead (applied NetworkPolicies are remembered, so
``kubectl exec ... wget`` is blocked after the deny policy and allowed again after the allow policy).

``lab_docs()`` is the lab once every node started with its settings (the convergence checks pass);
``old_node_docs()`` the same lab while node A still runs as it started before prefix delegation and
custom networking (max pods 29, secondary IPs on an ENI in the node subnet).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.verify.cluster_docs import (
    INSTANCE_A,
    INSTANCE_B,
    NODE_A,
    NODE_B,
    ClusterDocs,
    daemonset,
    eni,
    enis_body,
    node,
    pod,
    subnet,
    vpc,
)

HERE = Path(__file__).resolve().parent
IPAMD_FIXTURES = HERE.parent / "fixtures" / "ipamd"
LAB = "ws-lab"
REGION = "us-west-2"
ZONES = ("us-west-2a", "us-west-2b", "us-west-2c")
CLUSTER_SG = "sg-0aa11bb22cc33dd44"
BRANCH = "eni-0d00000000000b4a2"
POD_ENI_ANNOTATION = json.dumps(
    [
        {
            "eniId": BRANCH,
            "ifAddress": "0a:1b:2c:3d:4e:5f",
            "privateIp": "100.64.0.77",
            "vlanId": 1,
            "subnetCidr": "100.64.0.0/19",
        }
    ],
    separators=(",", ":"),
)
# Real-looking ids: the guide's shapes match {subnet} as subnet-<hex>.
SUBNETS = {
    "nodes-a": "subnet-0a1b2c3d4e5f6a701",
    "nodes-b": "subnet-0a1b2c3d4e5f6b702",
    "nodes-c": "subnet-0a1b2c3d4e5f6c705",
    "pods-a": "subnet-0a1b2c3d4e5f6a703",
    "pods-b": "subnet-0a1b2c3d4e5f6b704",
}
NODE_GROUP = "ws-lab-ng"
FEATURE_NODE_LABELS = {
    "eks.amazonaws.com/nodegroup": NODE_GROUP,
    "vpc.amazonaws.com/has-trunk-attached": "true",
}
FEATURE_ENV = {
    "ENABLE_PREFIX_DELEGATION": "true",
    "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": "true",
    "ENI_CONFIG_LABEL_DEF": "topology.kubernetes.io/zone",
    "ENABLE_POD_ENI": "true",
}


def lab_docs() -> ClusterDocs:
    """Two m5.large nodes with prefix delegation on ENIs in the pod subnets (custom networking)."""
    pods = [
        pod("deployment-2048-7df5f9886b-4kq9z", node=NODE_A, ip="100.64.0.16", namespace="2048-game"),
        pod("deployment-2048-7df5f9886b-p2wq8", node=NODE_B, ip="100.64.32.21", namespace="2048-game"),
        pod("coredns-7bb8c8b5f9-mz4lt", node=NODE_B, ip="100.64.32.20", namespace="kube-system"),
        pod("aws-node-4x7kq", node=NODE_A, ip="10.0.1.10", namespace="kube-system", host_network=True),
        pod("aws-node-9vb2m", node=NODE_B, ip="10.0.40.10", namespace="kube-system", host_network=True),
        pod(
            "sgp-demo-6d4f8b7c9d-x2k7q",
            node=NODE_A,
            ip="100.64.0.77",
            namespace="sgp-demo",
            annotations={"vpc.amazonaws.com/pod-eni": POD_ENI_ANNOTATION},
        ),
    ]
    enis = [
        # Custom networking: the primary ENIs carry no pods; pods sit on device 1 in the pod subnets.
        eni(
            "eni-0a00000000000000a",
            instance_id=INSTANCE_A,
            device=0,
            primary_ip="10.0.1.10",
            subnet=SUBNETS["nodes-a"],
        ),
        eni(
            "eni-0a00000000000001a",
            instance_id=INSTANCE_A,
            device=1,
            primary_ip="100.64.0.10",
            prefixes=("100.64.0.16/28",),
            subnet=SUBNETS["pods-a"],
        ),
        eni(
            "eni-0b00000000000000b",
            instance_id=INSTANCE_B,
            device=0,
            primary_ip="10.0.40.10",
            subnet=SUBNETS["nodes-b"],
        ),
        eni(
            "eni-0b00000000000001b",
            instance_id=INSTANCE_B,
            device=1,
            primary_ip="100.64.32.10",
            prefixes=("100.64.32.16/28",),
            subnet=SUBNETS["pods-b"],
        ),
        # Security groups for pods: each node's trunk ENI (the VPC resource controller's), and the branch
        # ENI, which is not attached (cni-facts.md §5, implication 3).
        *(
            eni(
                f"eni-0{letter}000000000000tk",
                instance_id=instance,
                device=2,
                primary_ip=ip,
                subnet=SUBNETS[f"nodes-{letter}"],
                interface_type="trunk",
            )
            for letter, instance, ip in (("a", INSTANCE_A, "10.0.1.30"), ("b", INSTANCE_B, "10.0.40.30"))
        ),
        eni(
            BRANCH,
            instance_id=None,
            device=0,
            primary_ip="100.64.0.77",
            subnet=SUBNETS["pods-a"],
            interface_type="branch",
        ),
    ]
    networkutils = (IPAMD_FIXTURES / "networkutils-env-settings-v1.23.json").read_text()
    root = (IPAMD_FIXTURES / "pods-v1.7-root.json").read_text()
    ipamd = {
        NODE_A: {
            "enis": json.dumps(
                enis_body(
                    {
                        "eni-0a00000000000000a": {"device": 0, "primary": True, "cidrs": {}},
                        "eni-0a00000000000001a": {
                            "device": 1,
                            "cidrs": {
                                "100.64.0.16/28": {
                                    "100.64.0.16": ("2048-game", "deployment-2048-7df5f9886b-4kq9z")
                                }
                            },
                        },
                    }
                )
            ),
            "eni-configs": '"us-west-2a"',
        },
        NODE_B: {
            "enis": json.dumps(
                enis_body(
                    {
                        "eni-0b00000000000000b": {"device": 0, "primary": True, "cidrs": {}},
                        "eni-0b00000000000001b": {
                            "device": 1,
                            "cidrs": {
                                "100.64.32.16/28": {
                                    "100.64.32.20": ("kube-system", "coredns-7bb8c8b5f9-mz4lt"),
                                    "100.64.32.21": ("2048-game", "deployment-2048-7df5f9886b-p2wq8"),
                                }
                            },
                        },
                    }
                )
            ),
            "eni-configs": '"us-west-2b"',
        },
    }
    for bodies in ipamd.values():
        bodies.update(
            {
                "networkutils-env-settings": networkutils,
                "pods": root,
                "ipamd-env-settings": json.dumps(
                    {"AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": True, "WARM_ENI_TARGET": 1, "WARM_IP_TARGET": 0}
                ),
            }
        )
    return ClusterDocs(
        pods=pods,
        nodes=[
            _with_capacity(
                node(NODE_A, instance_id=INSTANCE_A, internal_ip="10.0.1.10", labels=FEATURE_NODE_LABELS)
            ),
            _with_capacity(
                node(
                    NODE_B,
                    instance_id=INSTANCE_B,
                    internal_ip="10.0.40.10",
                    zone="us-west-2b",
                    labels=FEATURE_NODE_LABELS,
                )
            ),
        ],
        vpcs=[vpc([("10.0.0.0/16", "associated"), ("100.64.0.0/16", "associated")])],
        subnets=[
            {**subnet(SUBNETS[name], cidr), "AvailabilityZone": zone}
            for name, cidr, zone in (
                ("nodes-a", "10.0.0.0/19", ZONES[0]),
                ("nodes-b", "10.0.32.0/19", ZONES[1]),
                ("nodes-c", "10.0.64.0/19", ZONES[2]),
                ("pods-a", "100.64.0.0/19", ZONES[0]),
                ("pods-b", "100.64.32.0/19", ZONES[1]),
            )
        ],
        enis=enis,
        eniconfigs=[
            {
                "apiVersion": "crd.k8s.amazonaws.com/v1alpha1",
                "kind": "ENIConfig",
                "metadata": {"name": zone, "creationTimestamp": "2026-09-01T05:40:00Z"},
                "spec": {"subnet": subnet_id, "securityGroups": [CLUSTER_SG]},
            }
            for zone, subnet_id in (("us-west-2a", SUBNETS["pods-a"]), ("us-west-2b", SUBNETS["pods-b"]))
        ],
        daemonset=daemonset(FEATURE_ENV),
        ipamd=ipamd,
    )


def _with_capacity(document: dict[str, Any], pods: int = 110) -> dict[str, Any]:
    """kubelet's max pods and the resource controller's branch ENI capacity (m5.large: 9)."""
    document["status"]["capacity"] = {"cpu": "2", "pods": str(pods), "vpc.amazonaws.com/pod-eni": "9"}
    document["status"]["allocatable"] = {"cpu": "1930m", "pods": str(pods), "vpc.amazonaws.com/pod-eni": "9"}
    return document


def old_node_docs() -> ClusterDocs:
    """The lab while node A runs as it started, before prefix delegation and custom networking: kubelet
    max pods 29, and its ENI device 1 in the node subnet holding secondary IPs (its game pod on one)."""
    docs = lab_docs()
    _with_capacity(docs.nodes[0], pods=29)
    old = docs.find_eni("eni-0a00000000000001a")
    old.clear()
    old.update(
        eni(
            "eni-0a00000000000001a",
            instance_id=INSTANCE_A,
            device=1,
            primary_ip="10.0.1.20",
            secondary=("10.0.1.21", "10.0.1.22"),
            subnet=SUBNETS["nodes-a"],
        )
    )
    docs.find_pod("deployment-2048-7df5f9886b-4kq9z")["status"]["podIP"] = "10.0.1.21"
    assert docs.ipamd is not None
    docs.ipamd[NODE_A]["enis"] = json.dumps(
        enis_body(
            {
                "eni-0a00000000000000a": {"device": 0, "primary": True, "cidrs": {}},
                "eni-0a00000000000001a": {
                    "device": 1,
                    "cidrs": {
                        "10.0.1.21/32": {"10.0.1.21": ("2048-game", "deployment-2048-7df5f9886b-4kq9z")},
                        "10.0.1.22/32": {},
                    },
                },
            }
        )
    )
    return docs


def write_lab(directory: Path, docs: ClusterDocs, *, network_policy: bool = True) -> Path:
    """The bundle plus what kubectl reads beyond it: the amazon-vpc-cni ConfigMap (network policy on),
    ready nodes and containers."""
    for item in docs.nodes:
        item["status"]["conditions"] = [{"type": "Ready", "status": "True"}]
    for item in docs.pods:
        if item["status"].get("phase") == "Running":
            item["status"]["containerStatuses"] = [
                {"name": container["name"], "ready": True, "restartCount": 0}
                for container in item["spec"].get("containers", [])
            ]
    bundle = docs.write(directory / "bundle")
    configmaps: list[dict[str, Any]] = []
    if network_policy:
        configmaps.append(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "amazon-vpc-cni", "namespace": "kube-system"},
                "data": {"enable-network-policy-controller": "true"},
            }
        )
    (bundle / "configmaps.json").write_text(
        json.dumps({"apiVersion": "v1", "kind": "List", "items": configmaps})
    )
    return directory
