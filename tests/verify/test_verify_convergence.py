"""Convergence checks, one table per check (pass / fail / skip), on records built from API-shaped documents.

Each case builds one m5.large node (3 ENIs, 10 IPv4 each, 2 vCPUs: 29 pods in secondary-IP mode, 110
with prefix delegation) with its ENIs and the settings in force, and asserts the result and the
detail's key words (the numbers and the cause).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from ekslab.ipamd import parse_enis
from ekslab.ipamd.models import NodeIpamd
from ekslab.limits import instance_types
from ekslab.sources.records import (
    EniConfigRecord,
    eni_record,
    node_record,
    subnet_record,
)
from ekslab.verify.convergence import (
    NodeFacts,
    NodeSettings,
    check_eni_subnet,
    check_max_pods,
    check_prefix_delegation,
    check_trunk_eni,
    check_warm_pool,
)
from ekslab.verify.results import PREFIX, SECONDARY_IP
from tests.verify.cluster_docs import eni, enis_body, node, subnet

INSTANCE = "i-0aaaaaaaaaaaaaaa1"
NODE = "ip-10-0-1-10.us-west-2.compute.internal"
PRIMARY = eni("eni-0a00000000000000a", instance_id=INSTANCE, device=0, primary_ip="10.0.1.10")
POD_SUBNET_A = EniConfigRecord("us-west-2a", "subnet-pods-a", ("sg-0aa11bb22cc33dd44",))


def node_doc(capacity: int | None = None, **labels: str) -> dict[str, Any]:
    document = node(NODE, instance_id=INSTANCE, internal_ip="10.0.1.10", labels=labels or None)
    if capacity is not None:
        document["status"]["capacity"] = {"pods": str(capacity), "cpu": "2"}
        document["status"]["allocatable"] = {"pods": str(capacity)}
    return document


def subnets(**roles: str | None) -> dict[str, Any]:
    """The cluster_docs subnets, with a ``kubernetes.io/role/cni`` tag where ``roles`` gives one."""
    found = {}
    for subnet_id, cidr in (
        ("subnet-a", "10.0.0.0/19"),
        ("subnet-b", "10.0.32.0/19"),
        ("subnet-pods-a", "100.64.0.0/19"),
        ("subnet-c", "10.0.64.0/19"),
    ):
        document = subnet(subnet_id, cidr)
        role = roles.get(subnet_id.replace("-", "_"))
        if role is not None:
            document["Tags"] = [{"Key": "kubernetes.io/role/cni", "Value": role}]
        found[subnet_id] = subnet_record(document, position=0, source="subnets.json")
    return found


def facts(
    *,
    env: dict[str, str] | None,
    enis: list[dict[str, Any]] = (),  # type: ignore[assignment]
    capacity: int | None = 29,
    labels: dict[str, str] | None = None,
    ipamd: NodeIpamd | None = None,
    eniconfig: EniConfigRecord | str | None = None,
    pods: dict[str, int] | None = None,
    lab_max_pods: tuple[int, str] | None = None,
    subnet_records: dict[str, Any] | None = None,
    instance_type: str = "m5.large",
) -> NodeFacts:
    record = node_record(
        node_doc(capacity, **{"node.kubernetes.io/instance-type": instance_type, **(labels or {})}),
        position=0,
        source="nodes.json",
    )
    return NodeFacts(
        node=record,
        enis=[eni_record(item, position=0, source="network-interfaces.json") for item in [PRIMARY, *enis]],
        limits=instance_types().get(instance_type),
        settings=NodeSettings(ipamd.ipamd_env if ipamd else None, env),
        ipamd=ipamd,
        subnets=subnet_records if subnet_records is not None else subnets(),
        eniconfig=eniconfig,
        pod_addresses=pods or {},
        lab_max_pods=lab_max_pods,
    )


PD_ON = {"ENABLE_PREFIX_DELEGATION": "true"}
CUSTOM = {"AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": "true"}


# --- max_pods ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "capacity", "kwargs", "result", "detail"),
    [
        (
            PD_ON,
            29,
            {},
            "fail",
            "29 = secondary-IP formula for m5.large; the settings in force give 110 (prefix-delegation "
            "formula, capped at 110 (2 vCPUs)): this node started before ENABLE_PREFIX_DELEGATION=true; "
            "replacing the node fixes it",
        ),
        (
            PD_ON,
            110,
            {},
            "pass",
            "110 = prefix-delegation formula, capped at 110 (2 vCPUs) for m5.large: "
            "min(3 x ((10 - 1) x 16) + 2 = 434, 110)",
        ),
        ({}, 29, {}, "pass", "29 = secondary-IP formula for m5.large: 3 x (10 - 1) + 2 = 29"),
        (
            CUSTOM,
            29,
            {},
            "fail",
            "29 = secondary-IP formula for m5.large; the settings in force give 20 (secondary-IP formula "
            "with custom networking): this node started before AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG=true; "
            "replacing the node fixes it",
        ),
        (
            {},
            57,
            {},
            "fail",
            "57 matches no max-pods formula for m5.large; the settings in force give 29 (secondary-IP "
            "formula): kubelet was given another value (a launch template or kubelet flag); replacing the "
            "node does not fix it",
        ),
        (
            PD_ON,
            110,
            {"lab_max_pods": (110, "ng-1")},
            "pass",
            "110 = prefix-delegation formula, capped at 110",
        ),
        (
            PD_ON,
            29,
            {"lab_max_pods": (110, "ng-1")},
            "fail",
            "29 = secondary-IP formula for m5.large; the settings in force give 110 (the lab's NodeConfig "
            "maxPods for node group ng-1)",
        ),
        (None, 29, {}, "skip", "needs aws-node-daemonset.json (ENABLE_PREFIX_DELEGATION is not in ipamd's"),
        ({}, None, {}, "skip", "the node reports no status.capacity.pods (nodes.json)"),
        (
            {},
            29,
            {"instance_type": "m9.huge"},
            "skip",
            "instance type m9.huge is not in the ENI limits table",
        ),
    ],
)
def test_max_pods(
    env: dict[str, str] | None, capacity: int | None, kwargs: dict[str, Any], result: str, detail: str
) -> None:
    # GIVEN a node whose kubelet reports ``capacity`` pods under the settings ``env``
    # WHEN max_pods judges it
    found = check_max_pods(facts(env=env, capacity=capacity, **kwargs))
    # THEN the result and the detail name the formula and the cause
    assert (found.result, found.detail.startswith(detail)) == (result, True), found.detail


def test_a_failed_max_pods_says_replacing_fixes_it_in_json() -> None:
    found = check_max_pods(facts(env=PD_ON, capacity=29))
    assert found.as_json()["replacing_node_fixes"] is True


# --- prefix_delegation ---------------------------------------------------------------------------

SECONDARY_ENI = eni(
    "eni-0a00000000000001a",
    instance_id=INSTANCE,
    device=1,
    primary_ip="10.0.1.20",
    secondary=("10.0.1.21", "10.0.1.22"),
)
PREFIX_ENI = eni(
    "eni-0a00000000000001a",
    instance_id=INSTANCE,
    device=1,
    primary_ip="10.0.1.20",
    prefixes=("10.0.1.32/28",),
)


@pytest.mark.parametrize(
    ("env", "enis", "pods", "result", "detail"),
    [
        (
            PD_ON,
            [PREFIX_ENI],
            {PREFIX: 3},
            "pass",
            "prefix delegation on: 1 /28 prefix(es) and 0 secondary IP(s) on 2 pod ENI(s) (3 pod(s) in prefixes",
        ),
        (
            PD_ON,
            [SECONDARY_ENI],
            {SECONDARY_IP: 2},
            "fail",
            "ENABLE_PREFIX_DELEGATION=true but the node holds 0 /28 prefix(es) and 2 secondary IP(s) on 2 pod "
            "ENI(s) (0 pod(s) in prefixes, 2 on secondary IPs): its ENIs were filled in secondary-IP mode, "
            "before the setting; replacing the node fixes it",
        ),
        (
            {},
            [PREFIX_ENI],
            {PREFIX: 1},
            "fail",
            "prefix delegation is off but the node holds 1 /28 prefix(es)",
        ),
        ({}, [SECONDARY_ENI], {SECONDARY_IP: 2}, "pass", "prefix delegation off: 0 /28 prefix(es) and 2"),
        (None, [SECONDARY_ENI], {}, "skip", "needs aws-node-daemonset.json"),
    ],
)
def test_prefix_delegation(
    env: dict[str, str] | None, enis: list[dict[str, Any]], pods: dict[str, int], result: str, detail: str
) -> None:
    found = check_prefix_delegation(facts(env=env, enis=enis, pods=pods))
    assert (found.result, found.detail.startswith(detail)) == (result, True), found.detail


def test_prefix_delegation_on_a_xen_type_expects_secondary_ips() -> None:
    # GIVEN an m4.large (Xen: ipamd falls back to secondary IPs) under ENABLE_PREFIX_DELEGATION=true
    found = check_prefix_delegation(facts(env=PD_ON, enis=[SECONDARY_ENI], instance_type="m4.large"))
    # THEN its secondary IPs are what the settings give
    assert (found.result, "falls back to secondary IPs on m4.large" in found.detail) == ("pass", True)


# --- eni_subnet ----------------------------------------------------------------------------------


def pod_eni(subnet_id: str, groups: tuple[str, ...] = ("sg-0aa11bb22cc33dd44",)) -> dict[str, Any]:
    document = eni(
        "eni-0a0000000000000pa", instance_id=INSTANCE, device=1, primary_ip="100.64.0.10", subnet=subnet_id
    )
    document["Groups"] = [{"GroupId": group, "GroupName": group} for group in groups]
    return document


@pytest.mark.parametrize(
    ("env", "enis", "eniconfig", "roles", "result", "detail"),
    [
        (
            CUSTOM,
            [pod_eni("subnet-pods-a")],
            POD_SUBNET_A,
            {},
            "pass",
            "custom networking: 1 pod ENI(s) in subnet-pods-a of ENIConfig 'us-west-2a'",
        ),
        (
            CUSTOM,
            [pod_eni("subnet-a")],
            POD_SUBNET_A,
            {},
            "fail",
            "custom networking: eni-0a0000000000000pa (device 1) is in subnet-a (the node's subnet), not in "
            "subnet-pods-a of ENIConfig 'us-west-2a': attached before the ENIConfig applied; replacing the "
            "node fixes it",
        ),
        (
            CUSTOM,
            [pod_eni("subnet-pods-a", ("sg-0123456789abcdef0",))],
            POD_SUBNET_A,
            {},
            "fail",
            "custom networking: eni-0a0000000000000pa has security groups sg-0123456789abcdef0, ENIConfig "
            "'us-west-2a' wants sg-0aa11bb22cc33dd44",
        ),
        (
            CUSTOM,
            [pod_eni("subnet-pods-a")],
            "no ENIConfigs in the input",
            {},
            "skip",
            "custom networking is on: ",
        ),
        ({}, [pod_eni("subnet-c")], None, {"subnet_c": "1"}, "pass", "subnet discovery: 1 secondary ENI(s)"),
        (
            {},
            [pod_eni("subnet-c")],
            None,
            {},
            "fail",
            "subnet discovery: eni-0a0000000000000pa is in subnet-c, which is neither the node's subnet "
            "subnet-a nor tagged kubernetes.io/role/cni",
        ),
        (
            {},
            [pod_eni("subnet-c")],
            None,
            {"subnet_c": "0"},
            "fail",
            "subnet discovery: eni-0a0000000000000pa is in subnet-c, tagged kubernetes.io/role/cni=0 (excluded)",
        ),
        (
            {},
            [pod_eni("subnet-a")],
            None,
            {"subnet_a": "0"},
            "fail",
            "subnet discovery: eni-0a0000000000000pa is in the node's subnet subnet-a, which is tagged "
            "kubernetes.io/role/cni=0",
        ),
        (
            {"ENABLE_SUBNET_DISCOVERY": "false"},
            [pod_eni("subnet-c")],
            None,
            {"subnet_c": "1"},
            "fail",
            "node subnet only: eni-0a0000000000000pa is in subnet-c, not in the node's subnet subnet-a",
        ),
        (None, [pod_eni("subnet-c")], None, {}, "skip", "needs aws-node-daemonset.json"),
    ],
)
def test_eni_subnet(
    env: dict[str, str] | None,
    enis: list[dict[str, Any]],
    eniconfig: Any,
    roles: dict[str, str],
    result: str,
    detail: str,
) -> None:
    found = check_eni_subnet(facts(env=env, enis=enis, eniconfig=eniconfig, subnet_records=subnets(**roles)))
    assert (found.result, found.detail.startswith(detail)) == (result, True), found.detail


# --- trunk_eni -----------------------------------------------------------------------------------

TRUNK = eni(
    "eni-0a000000000000trk", instance_id=INSTANCE, device=2, primary_ip="10.0.1.30", interface_type="trunk"
)
TRUNKED = {"vpc.amazonaws.com/has-trunk-attached": "true"}


def test_trunk_eni_passes_with_the_trunk_the_label_and_the_capacity() -> None:
    subject = facts(env={"ENABLE_POD_ENI": "true"}, enis=[TRUNK], labels=TRUNKED)
    document = node_doc(29, **TRUNKED, **{"node.kubernetes.io/instance-type": "m5.large"})
    document["status"]["capacity"]["vpc.amazonaws.com/pod-eni"] = "9"
    subject = NodeFacts(
        **{**subject.__dict__, "node": node_record(document, position=0, source="nodes.json")}
    )
    found = check_trunk_eni(subject)
    assert (found.result, found.detail) == (
        "pass",
        "trunk eni-0a000000000000trk attached, 9 pod-eni capacity",
    )


@pytest.mark.parametrize(
    ("env", "enis", "labels", "instance_type", "result", "detail"),
    [
        (
            {"ENABLE_POD_ENI": "true"},
            [],
            {},
            "m5.large",
            "fail",
            "ENABLE_POD_ENI=true but no trunk ENI attached, label vpc.amazonaws.com/has-trunk-attached=(absent), "
            "no vpc.amazonaws.com/pod-eni capacity (absent)",
        ),
        (
            {"ENABLE_POD_ENI": "true"},
            [],
            {},
            "t3.medium",
            "skip",
            "t3.medium cannot attach a trunk ENI",
        ),
        ({}, [], {}, "m5.large", "skip", "ENABLE_POD_ENI=false: no trunk ENI expected"),
        (None, [], {}, "m5.large", "skip", "needs aws-node-daemonset.json"),
    ],
)
def test_trunk_eni(
    env: dict[str, str] | None,
    enis: list[dict[str, Any]],
    labels: dict[str, str],
    instance_type: str,
    result: str,
    detail: str,
) -> None:
    found = check_trunk_eni(facts(env=env, enis=enis, labels=labels, instance_type=instance_type))
    assert (found.result, found.detail.startswith(detail)) == (result, True), found.detail


# --- warm_pool -----------------------------------------------------------------------------------


def ipamd_pool(secondary: int, assigned: int) -> NodeIpamd:
    """ipamd holding ``secondary`` secondary IPs on the primary ENI, ``assigned`` of them to pods."""
    addresses = {}
    for index in range(secondary):
        ip = f"10.0.1.{11 + index}"
        addresses[f"{ip}/32"] = {ip: ("default", f"web-{index}") if index < assigned else None}
    body = enis_body({"eni-0a00000000000000a": {"device": 0, "primary": True, "cidrs": addresses}})
    return NodeIpamd(enis=parse_enis(json.loads(json.dumps(body))))


def free_subnet(available: int) -> dict[str, Any]:
    records = subnets()
    records["subnet-a"] = records["subnet-a"]._replace(available_ips=available)
    return records


@pytest.mark.parametrize(
    ("held", "available", "result", "detail"),
    [
        # WARM_ENI_TARGET=1 on m5.large with 2 pods: two ENIs of 9 secondary IPs, 16 idle (capacity model).
        (
            18,
            8000,
            "pass",
            "18 address(es) held, 2 in use, 16 idle; the targets imply 16 idle (subnet-a: 98% free)",
        ),
        (
            27,
            8000,
            "pass",
            "27 address(es) held, 2 in use, 25 idle; the targets imply 16 idle; warning: 9 more than modelled "
            "(subnet-a: 98% free)",
        ),
        (
            27,
            800,
            "fail",
            "27 address(es) held, 2 in use, 25 idle; the targets imply 16 idle (9 more) while subnet-a: 10% "
            "free (under 20%): lower WARM_ENI_TARGET/WARM_PREFIX_TARGET or set WARM_IP_TARGET/MINIMUM_IP_TARGET; "
            "replacing the node does not fix it",
        ),
    ],
)
def test_warm_pool(held: int, available: int, result: str, detail: str) -> None:
    found = check_warm_pool(
        facts(env={}, ipamd=ipamd_pool(held, 2), subnet_records=free_subnet(available))
    ).check
    assert (found.result, found.detail) == (result, detail)


def test_warm_pool_without_ipamd_is_skipped_naming_the_file() -> None:
    found = check_warm_pool(facts(env={}))
    assert (found.check.result, found.check.detail, found.idle) == (
        "skip",
        "needs ipamd/<node>/enis.json (ipamd's pool)",
        None,
    )


def test_warm_pool_without_the_daemonset_is_skipped_but_counts_idle_addresses() -> None:
    found = check_warm_pool(facts(env=None, ipamd=ipamd_pool(18, 2)))
    assert (
        found.check.result,
        found.check.detail.startswith("needs aws-node-daemonset.json"),
        found.idle,
    ) == (
        "skip",
        True,
        16,
    )


def test_a_setting_that_is_no_boolean_skips_the_check_naming_it() -> None:
    found = check_prefix_delegation(facts(env={"ENABLE_PREFIX_DELEGATION": "maybe"}, enis=[SECONDARY_ENI]))
    assert (found.result, found.detail) == ("skip", "ENABLE_PREFIX_DELEGATION='maybe' is not a boolean")


def test_ipamd_reported_settings_beat_the_daemonset() -> None:
    # GIVEN a DaemonSet that says custom networking is off, and ipamd on the node running with it on
    ipamd = NodeIpamd(ipamd_env={"AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": True})
    subject = facts(env={}, enis=[pod_eni("subnet-a")], eniconfig=POD_SUBNET_A, ipamd=ipamd)
    # WHEN eni_subnet judges the node THEN ipamd's value is the one in force
    assert check_eni_subnet(subject).detail.startswith("custom networking: eni-0a0000000000000pa (device 1)")
