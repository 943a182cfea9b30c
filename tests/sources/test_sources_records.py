"""Records from Kubernetes and EC2 items: the fields the checks need, odd data tolerated, bad data named."""

from __future__ import annotations

import json

import pytest

from ekslab.errors import InputError
from ekslab.sources.records import (
    BranchEni,
    daemonset_env,
    eni_record,
    instance_id_of,
    node_record,
    pod_record,
    vpc_record,
)
from tests.verify.cluster_docs import daemonset, eni, node, pod, vpc


@pytest.mark.parametrize(
    ("provider_id", "instance"),
    [
        ("aws:///us-west-2a/i-0123456789abcdef0", "i-0123456789abcdef0"),
        ("aws:///us-west-2a/fargate-ip-10-0-5-5.us-west-2.compute.internal", None),
        ("kind://docker/kind/kind-control-plane", None),
        (None, None),
        ("", None),
    ],
)
def test_instance_id_comes_from_the_provider_id(provider_id: str | None, instance: str | None) -> None:
    assert instance_id_of(provider_id) == instance


def test_pod_record_keeps_what_the_checks_need() -> None:
    record = pod_record(
        pod("web-1", node="n1", ip="10.0.0.5", namespace="shop"), position=0, source="pods.json: items"
    )
    assert (record.key, record.node, record.ip, record.phase, record.host_network, record.labels) == (
        "shop/web-1",
        "n1",
        "10.0.0.5",
        "Running",
        False,
        None,
    )


def test_labels_and_readiness_are_kept_only_where_needed() -> None:
    item = pod("web-1", node="n1", ip="10.0.0.5", namespace="shop", labels={"app": "web"})
    record = pod_record(item, position=0, source="s", label_namespaces=frozenset({"shop"}))
    assert (record.labels, record.ready) == ({"app": "web"}, True)


def with_status(**status: object) -> dict[str, object]:
    """web-1 with two app containers (main, log) and these status members."""
    item = pod("web-1", node="n1", ip="10.0.0.5")
    item["spec"]["containers"].append({"name": "log", "image": "busybox"})  # type: ignore[index]
    item["status"].update(status)  # type: ignore[attr-defined]
    return item


RUNNING = {"running": {"startedAt": "2026-09-01T06:00:05Z"}}
WAITING = {"waiting": {"reason": "CrashLoopBackOff"}}


# GIVEN a pod's container statuses WHEN recorded THEN (ready, containers, restarts) are what
# `kubectl get pods` shows as READY and RESTARTS: ready means ready while running, sidecars
# (restartable init containers) count as containers, every restart counts.
@pytest.mark.parametrize(
    ("item", "counts"),
    [
        (with_status(), (0, 2, 0)),  # no status yet (Pending): 0/2
        (
            with_status(
                containerStatuses=[
                    {"name": "main", "ready": True, "restartCount": 0, "state": RUNNING},
                    {"name": "log", "ready": True, "restartCount": 2, "state": RUNNING},
                ]
            ),
            (2, 2, 2),
        ),
        (
            with_status(
                containerStatuses=[
                    {"name": "main", "ready": True, "restartCount": 1, "state": RUNNING},
                    {"name": "log", "ready": True, "restartCount": 5, "state": WAITING},
                ]
            ),
            (1, 2, 6),
        ),
        (
            {
                **with_status(
                    containerStatuses=[{"name": "main", "ready": True, "restartCount": 0, "state": RUNNING}],
                    initContainerStatuses=[
                        {"name": "proxy", "ready": True, "started": True, "restartCount": 1},
                        {"name": "setup", "ready": False, "restartCount": 3},
                    ],
                ),
                "spec": {
                    "containers": [{"name": "main"}],
                    "initContainers": [{"name": "proxy", "restartPolicy": "Always"}, {"name": "setup"}],
                },
            },
            (2, 2, 4),
        ),
        # Odd types are shown as nothing, never an error: these columns are displayed, not checked.
        (
            with_status(
                containerStatuses=[
                    {"name": "main", "ready": "yes", "restartCount": "7", "state": RUNNING},
                    {"name": ["log"], "ready": True, "restartCount": True, "state": "running"},
                    "not a status",
                ]
            ),
            (0, 2, 0),
        ),
        (with_status(containerStatuses={"main": {}}), (0, 2, 0)),
        ({"metadata": {"name": "bare"}}, (None, None, None)),
    ],
)
def test_pod_record_counts_containers_like_kubectl(item: object, counts: tuple[object, ...]) -> None:
    record = pod_record(item, position=0, source="s")
    assert (record.ready_containers, record.containers, record.restarts) == counts


@pytest.mark.parametrize(
    ("timestamp", "created"),
    [
        ("2026-09-01T06:00:00Z", 1788242400),
        ("2026-09-01T15:00:00+09:00", 1788242400),
        ("2026-09-01T06:00:00", 1788242400),  # no zone: UTC, as the API server writes
        ("yesterday", None),
        (1788242400, None),
        (None, None),
    ],
)
def test_pod_record_keeps_the_creation_time_in_unix_seconds(timestamp: object, created: int | None) -> None:
    item = pod("web-1", node="n1", ip="10.0.0.5")
    item["metadata"]["creationTimestamp"] = timestamp
    assert pod_record(item, position=0, source="s").created == created


def test_ipv6_pod_ip_is_canonical() -> None:
    record = pod_record(pod("v6", node="n1", ip="2600:1F14:0ABC:DE01:8F00:0:0:1"), position=0, source="s")
    assert record.ip == "2600:1f14:abc:de01:8f00::1"


def test_branch_eni_annotation_is_read() -> None:
    # cni-facts.md §5: [{eniId, ifAddress, privateIp, ipv6Addr, vlanID, subnetCidr}].
    item = pod(
        "secure",
        node="n1",
        ip="10.0.0.9",
        annotations={
            "vpc.amazonaws.com/pod-eni": json.dumps(
                [
                    {
                        "eniId": "eni-0b1",
                        "ifAddress": "02:11:22:33:44:55",
                        "privateIp": "10.0.0.9",
                        "vlanId": 3,
                        "subnetCidr": "10.0.0.0/19",
                    }
                ]
            )
        },
    )
    assert pod_record(item, position=0, source="s").branch_enis == (BranchEni("eni-0b1", "10.0.0.9", None),)


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"kind": "Node", "metadata": {"name": "n"}}, "pods.json: items[3].kind: must be a Pod, got 'Node'"),
        (
            {"spec": {}},
            "pods.json: items[3]: must be a Pod object with metadata.name, found an object with keys "
            "['spec']",
        ),
        (
            {"metadata": {"name": "p"}, "status": {"podIP": 10}},
            "pods.json: items[3].status.podIP: must be a string, got 10",
        ),
        ("just text", "pods.json: items[3]: must be a Pod object with metadata.name, got 'just text'"),
    ],
)
def test_bad_pod_items_name_the_file_position_and_field(item: object, message: str) -> None:
    with pytest.raises(InputError) as raised:
        pod_record(item, position=3, source="pods.json: items")
    assert raised.value.message == message


def test_node_record_reads_internal_ip_labels_and_instance() -> None:
    record = node_record(node("n1", instance_id="i-0abc", internal_ip="10.0.1.10"), position=0, source="s")
    assert (record.instance_id, record.internal_ip, record.labels["topology.kubernetes.io/zone"]) == (
        "i-0abc",
        "10.0.1.10",
        "us-west-2a",
    )


def test_eni_record_separates_primary_secondary_and_prefixes() -> None:
    item = eni(
        "eni-1",
        instance_id="i-1",
        device=1,
        primary_ip="10.0.0.10",
        secondary=("10.0.0.11",),
        prefixes=("10.0.0.32/28",),
        ipv6_prefixes=("2600:1F14:abc:de01:8f00::/80",),
    )
    record = eni_record(item, position=0, source="s")
    assert (
        record.primary_ip,
        record.secondary_ips,
        record.ipv4_prefixes,
        record.ipv6_prefixes,
        record.device_index,
        record.instance_id,
    ) == ("10.0.0.10", ("10.0.0.11",), ("10.0.0.32/28",), ("2600:1f14:abc:de01:8f00::/80",), 1, "i-1")


def test_unattached_eni_has_no_instance() -> None:
    record = eni_record(
        eni("eni-2", instance_id=None, device=0, primary_ip="10.0.0.7", interface_type="branch"),
        position=0,
        source="s",
    )
    assert (record.instance_id, record.interface_type) == (None, "branch")


def test_vpc_keeps_only_associated_blocks() -> None:
    record = vpc_record(
        vpc(
            [
                ("10.0.0.0/16", "associated"),
                ("10.1.0.0/16", "disassociating"),
                ("100.64.0.0/16", "associated"),
            ],
            ipv6=[("2600:1f14:abc:de00::/56", "associated")],
        ),
        position=0,
        source="s",
    )
    assert record.cidrs == ("10.0.0.0/16", "100.64.0.0/16", "2600:1f14:abc:de00::/56")


def test_daemonset_env_by_container_with_value_from_as_none() -> None:
    env = daemonset_env(
        daemonset({"WARM_IP_TARGET": "5"}, {"DISABLE_TCP_EARLY_DEMUX": "true"}), source="ds.json"
    )
    assert (env["aws-node"], env["aws-vpc-cni-init"], env["aws-eks-nodeagent"]) == (
        {"WARM_IP_TARGET": "5", "MY_NODE_NAME": None},
        {"DISABLE_TCP_EARLY_DEMUX": "true"},
        {},
    )
