"""Per-pod checks: one change to a passing cluster, one reason code (docs/verification.md lists them)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.verify.cluster_docs import (
    FARGATE_NODE,
    INSTANCE_A,
    NODE_A,
    NODE_B,
    ClusterDocs,
    add_fargate_pod,
    add_ipv6_prefix,
    baseline,
    eni,
    enis_body,
    pod,
    result,
    run,
    verdict,
)


def test_baseline_passes_with_exit_0(tmp_path: Path) -> None:
    report = run(baseline(), tmp_path)
    assert (report.exit_code(), report.summary()["passed"], report.summary()["failed"]) == (0, 4, 0)


def test_secondary_ip_pod_reports_its_eni_and_device(tmp_path: Path) -> None:
    found = result(run(baseline(), tmp_path), "web-2")
    assert (found.result, found.eni, found.device) == ("pass", "eni-0a00000000000001a", 1)


@pytest.mark.parametrize("name", ["api-1", "api-2"])
def test_first_and_last_ip_of_a_delegated_prefix_pass(tmp_path: Path, name: str) -> None:
    # cni-facts.md §1.3: prefixes are walked from the network address, so x.x.x.16 and x.x.x.31 are valid.
    assert verdict(run(baseline(), tmp_path), name) == ("pass", ())


@pytest.mark.parametrize(
    ("name", "reason"),
    [("aws-node-4x7kq", "host_network"), ("report-28490125-abcde", "not_running"), ("queued-7f9c", "no_ip")],
)
def test_pods_with_nothing_to_verify_are_skipped(tmp_path: Path, name: str, reason: str) -> None:
    assert verdict(run(baseline(), tmp_path), name) == ("skip", (reason,))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("web-1", ("secondary IP", None)),
        ("api-1", ("prefix", "10.0.40.16/28")),
        ("aws-node-4x7kq", ("host network", None)),
        ("queued-7f9c", (None, None)),
    ],
)
def test_each_pod_says_where_its_ip_comes_from(
    tmp_path: Path, name: str, expected: tuple[str | None, str | None]
) -> None:
    found = result(run(baseline(), tmp_path), name)
    assert (found.address_kind, found.prefix) == expected


def test_failed_pod_is_skipped_as_not_running(tmp_path: Path) -> None:
    docs = baseline()
    docs.find_pod("web-1")["status"]["phase"] = "Failed"
    assert verdict(run(docs, tmp_path), "web-1") == ("skip", ("not_running",))


def test_pending_pod_with_an_ip_is_checked(tmp_path: Path) -> None:
    docs = baseline()
    docs.find_pod("web-1")["status"].update(phase="Pending", podIP="172.31.9.9")
    assert verdict(run(docs, tmp_path), "web-1") == ("fail", ("not_in_vpc",))


# --- one change, one failure -----------------------------------------------------------------------


def set_ip(name: str, ip: str) -> Callable[[ClusterDocs], None]:
    def change(docs: ClusterDocs) -> None:
        docs.find_pod(name)["status"]["podIP"] = ip

    return change


def move(name: str, node_name: str) -> Callable[[ClusterDocs], None]:
    def change(docs: ClusterDocs) -> None:
        docs.find_pod(name)["spec"]["nodeName"] = node_name

    return change


def drop_ipamd_ip(node_name: str, eni_id: str, cidr: str, ip: str) -> Callable[[ClusterDocs], None]:
    def change(docs: ClusterDocs) -> None:
        assert docs.ipamd is not None
        body = json.loads(docs.ipamd[node_name]["enis"])
        del body["0"]["ENIs"][eni_id]["AvailableIPv4Cidrs"][cidr]["IPAddresses"][ip]
        docs.ipamd[node_name]["enis"] = json.dumps(body)

    return change


def ipamd_owner(
    node_name: str, eni_id: str, cidr: str, ip: str, owner: tuple[str, str] | None
) -> Callable[[ClusterDocs], None]:
    def change(docs: ClusterDocs) -> None:
        assert docs.ipamd is not None
        body = json.loads(docs.ipamd[node_name]["enis"])
        entry = body["0"]["ENIs"][eni_id]["AvailableIPv4Cidrs"][cidr]["IPAddresses"][ip]
        if owner is None:
            entry["IPAMKey"]["networkName"] = ""
            entry["IPAMMetadata"] = {}
        else:
            entry["IPAMMetadata"] = {"k8sPodNamespace": owner[0], "k8sPodName": owner[1]}
        docs.ipamd[node_name]["enis"] = json.dumps(body)

    return change


@pytest.mark.parametrize(
    ("change", "name", "reasons"),
    [
        # not_in_vpc: outside every associated CIDR block, primary or secondary
        (set_ip("web-1", "172.31.4.4"), "web-1", ("not_in_vpc",)),
        # a block in state "disassociated" does not count
        (set_ip("web-1", "10.99.0.5"), "web-1", ("not_in_vpc",)),
        (set_ip("web-1", "10.0.1"), "web-1", ("not_in_vpc",)),
        # not_on_node_eni: a secondary IP of the other node's ENI
        (move("web-1", NODE_B), "web-1", ("not_on_node_eni", "ipamd_mismatch")),
        # ... a VPC IP on no ENI at all (ipamd does not have it either)
        (set_ip("web-1", "10.0.1.99"), "web-1", ("not_on_node_eni", "ipamd_mismatch")),
        # ... the ENI's primary IP, never a pod IP
        (set_ip("web-1", "10.0.1.20"), "web-1", ("not_on_node_eni", "ipamd_mismatch")),
        # ... an IP of another node's prefix
        (set_ip("web-1", "10.0.40.20"), "web-1", ("not_on_node_eni", "ipamd_mismatch")),
        # ... in the VPC's secondary CIDR block but on no ENI
        (set_ip("web-1", "100.64.0.9"), "web-1", ("not_on_node_eni", "ipamd_mismatch")),
        # ipamd_mismatch: EC2 has it, ipamd holds its /32 but never handed it out
        (
            drop_ipamd_ip(NODE_A, "eni-0a00000000000000a", "10.0.1.11/32", "10.0.1.11"),
            "web-1",
            ("ipamd_mismatch",),
        ),
        # ... ipamd has it but released
        (
            ipamd_owner(NODE_A, "eni-0a00000000000000a", "10.0.1.11/32", "10.0.1.11", None),
            "web-1",
            ("ipamd_mismatch",),
        ),
        # ... ipamd assigns it to another pod (v1.11+ records pod names)
        (
            ipamd_owner(NODE_B, "eni-0b00000000000000b", "10.0.40.16/28", "10.0.40.16", ("default", "api-9")),
            "api-1",
            ("ipamd_mismatch",),
        ),
    ],
)
def test_one_change_one_reason(
    tmp_path: Path, change: Callable[[ClusterDocs], None], name: str, reasons: tuple[str, ...]
) -> None:
    docs = baseline()
    change(docs)
    report = run(docs, tmp_path)
    assert (verdict(report, name), report.exit_code()) == (("fail", reasons), 1)


def test_not_on_node_eni_names_where_the_ip_lives(tmp_path: Path) -> None:
    docs = baseline()
    move("web-1", NODE_B)(docs)
    assert result(run(docs, tmp_path), "web-1").details[0] == (
        f"10.0.1.11 is a secondary IP of eni-0a00000000000000a, attached to {INSTANCE_A} (node {NODE_A}), "
        f"not of node {NODE_B}"
    )


def test_ipamd_holding_the_ip_on_another_eni_than_ec2_is_a_mismatch(tmp_path: Path) -> None:
    # cni-facts.md §5 implication 6: the ENI id in /v1/enis equals the EC2 NetworkInterfaceId.
    docs = baseline()
    assert docs.ipamd is not None
    docs.ipamd[NODE_A]["enis"] = json.dumps(
        enis_body(
            {
                "eni-0a00000000000001a": {
                    "device": 1,
                    "cidrs": {
                        "10.0.1.11/32": {"10.0.1.11": ("default", "web-1")},
                        "10.0.1.21/32": {"10.0.1.21": ("default", "web-2")},
                    },
                }
            }
        )
    )
    found = result(run(docs, tmp_path), "web-1")
    assert (found.reasons, found.details) == (
        ("ipamd_mismatch",),
        ("ipamd holds 10.0.1.11 on eni-0a00000000000001a, EC2 on eni-0a00000000000000a",),
    )


def test_legacy_pods_endpoint_assigning_the_ip_elsewhere_is_a_mismatch(tmp_path: Path) -> None:
    # cni-facts.md §1.4: CNI v1.0-v1.6 name the pod of each IP only in /v1/pods.
    docs = baseline()
    assert docs.ipamd is not None
    docs.ipamd[NODE_A]["enis"] = json.dumps(
        {
            "TotalIPs": 2,
            "AssignedIPs": 2,
            "ENIIPPools": {
                "eni-0a00000000000000a": {
                    "IsPrimary": True,
                    "ID": "eni-0a00000000000000a",
                    "DeviceNumber": 0,
                    "IPv4Addresses": {"10.0.1.11": {"Assigned": True}},
                },
                "eni-0a00000000000001a": {
                    "IsPrimary": False,
                    "ID": "eni-0a00000000000001a",
                    "DeviceNumber": 1,
                    "IPv4Addresses": {"10.0.1.21": {"Assigned": True}},
                },
            },
        }
    )
    docs.ipamd[NODE_A]["pods"] = json.dumps(
        {
            "other-0_default_abc": {"IP": "10.0.1.11", "DeviceNumber": 0},
            "web-2_default_def": {"IP": "10.0.1.21", "DeviceNumber": 1},
        }
    )
    report = run(docs, tmp_path)
    assert (verdict(report, "web-1"), verdict(report, "web-2")) == (
        ("fail", ("ipamd_mismatch",)),
        ("pass", ()),
    )


def test_duplicate_ip_fails_both_pods(tmp_path: Path) -> None:
    docs = baseline()
    docs.pods.append(pod("web-1-copy", node=NODE_A, ip="10.0.1.11"))
    report = run(docs, tmp_path)
    assert (
        "duplicate_ip" in verdict(report, "web-1")[1],
        "duplicate_ip" in verdict(report, "web-1-copy")[1],
    ) == (True, True)


def test_duplicate_names_the_other_pod(tmp_path: Path) -> None:
    docs = baseline()
    docs.pods.append(pod("web-1-copy", node=NODE_A, ip="10.0.1.11"))
    assert "10.0.1.11 is also the IP of default/web-1-copy" in result(run(docs, tmp_path), "web-1").details


def test_finished_pod_keeping_an_old_ip_is_no_duplicate(tmp_path: Path) -> None:
    docs = baseline()
    docs.pods.append(pod("old-run", node=NODE_A, ip="10.0.1.11", phase="Succeeded"))
    assert verdict(run(docs, tmp_path), "web-1") == ("pass", ())


def test_host_network_pods_sharing_the_node_ip_are_no_duplicates(tmp_path: Path) -> None:
    docs = baseline()
    docs.pods.append(
        pod("kube-proxy-x2", node=NODE_A, ip="10.0.1.10", namespace="kube-system", host_network=True)
    )
    assert run(docs, tmp_path).exit_code() == 0


def test_pod_sharing_its_ip_with_a_host_network_pod_is_no_duplicate(tmp_path: Path) -> None:
    # GIVEN a hostNetwork pod that reports web-1's address
    docs = baseline()
    docs.pods.append(
        pod("node-exporter-x1", node=NODE_A, ip="10.0.1.11", namespace="monitoring", host_network=True)
    )
    # WHEN verified  THEN web-1 passes: a hostNetwork pod holds no pod IP of its own, so it duplicates none
    assert verdict(run(docs, tmp_path), "web-1") == ("pass", ())


def test_without_ipamd_data_the_pod_passes_from_ec2_alone(tmp_path: Path) -> None:
    docs = baseline()
    docs.ipamd = None
    found = result(run(docs, tmp_path), "web-1")
    assert (found.result, found.not_checked) == ("pass", ("ipamd_mismatch",))


# --- security groups for pods, Fargate, IPv6 -------------------------------------------------------

BRANCH = "eni-0d00000000000branch"


def with_branch_pod(annotation: str, *, branch_ip: str = "10.0.1.77", in_data: bool = True) -> ClusterDocs:
    docs = baseline()
    docs.pods.append(
        pod("secure-1", node=NODE_A, ip="10.0.1.77", annotations={"vpc.amazonaws.com/pod-eni": annotation})
    )
    if in_data:
        # cni-facts.md §5 implication 3: branch ENIs are created unattached, InterfaceType "branch".
        docs.enis.append(
            eni(BRANCH, instance_id=None, device=0, primary_ip=branch_ip, interface_type="branch")
        )
    return docs


def annotation(ip: str = "10.0.1.77", eni_id: str = BRANCH) -> str:
    return json.dumps(
        [
            {
                "eniId": eni_id,
                "ifAddress": "0a:1b:2c:3d:4e:5f",
                "privateIp": ip,
                "vlanId": 1,
                "subnetCidr": "10.0.0.0/19",
            }
        ]
    )


def test_branch_eni_pod_passes_on_its_branch_eni(tmp_path: Path) -> None:
    found = result(run(with_branch_pod(annotation()), tmp_path), "secure-1")
    assert (found.result, found.eni, found.address_kind) == ("pass", BRANCH, "branch ENI")


@pytest.mark.parametrize(
    ("docs", "detail"),
    [
        (
            with_branch_pod(annotation(), in_data=False),
            f"branch ENI {BRANCH} named by the pod-eni annotation is not in the ENI data",
        ),
        (
            with_branch_pod(annotation(), branch_ip="10.0.1.78"),
            f"branch ENI {BRANCH} does not hold 10.0.1.77",
        ),
        (
            with_branch_pod(annotation(ip="10.0.1.78")),
            "the pod-eni annotation names no branch ENI with 10.0.1.77",
        ),
        (
            with_branch_pod("[{not json"),
            "annotation vpc.amazonaws.com/pod-eni is not valid JSON "
            "(Expecting property name enclosed in double quotes)",
        ),
    ],
)
def test_branch_eni_problems_fail_not_on_node_eni(tmp_path: Path, docs: ClusterDocs, detail: str) -> None:
    found = result(run(docs, tmp_path), "secure-1")
    assert (found.result, found.reasons, found.details) == ("fail", ("not_on_node_eni",), (detail,))


def test_fargate_pod_passes_on_its_own_eni(tmp_path: Path) -> None:
    docs = baseline()
    add_fargate_pod(docs, provider_id="aws:///us-west-2a/fa1e/" + FARGATE_NODE)
    report = run(docs, tmp_path)
    assert (verdict(report, "coredns-fargate"), report.exit_code()) == (("pass", ()), 0)
    assert result(report, "coredns-fargate").address_kind == "own ENI"


def test_fargate_pod_without_its_eni_fails(tmp_path: Path) -> None:
    docs = baseline()
    add_fargate_pod(docs, own_eni=False)
    assert verdict(run(docs, tmp_path), "coredns-fargate") == ("fail", ("not_on_node_eni",))


FARGATE_ENI = "eni-0f00000000000fa1e"


def with_fargate_pod(*, eni_type: str = "interface", attached_to: str | None = None) -> ClusterDocs:
    """A Fargate pod on 10.0.5.5 whose ENI with that primary IP has this type and attachment."""
    docs = baseline()
    add_fargate_pod(docs, own_eni=False)
    docs.enis.append(
        eni(FARGATE_ENI, instance_id=attached_to, device=2, primary_ip="10.0.5.5", interface_type=eni_type)
    )
    return docs


# GIVEN a Fargate pod whose IP is the primary IP of an ENI that is no Fargate ENI (attached to an EC2
# instance, or a branch/load balancer ENI), or whose node carries another IP WHEN verified THEN the pod
# fails not_on_node_eni: any ENI's primary IP is not enough.
@pytest.mark.parametrize(
    ("docs", "detail"),
    [
        (
            with_fargate_pod(attached_to=INSTANCE_A),
            f"10.0.5.5 is the primary IP of {FARGATE_ENI}, attached to {INSTANCE_A} (node {NODE_A}), "
            "not a Fargate pod's own ENI",
        ),
        (
            with_fargate_pod(eni_type="network_load_balancer"),
            f"10.0.5.5 is the primary IP of {FARGATE_ENI}, an ENI of type 'network_load_balancer', "
            "not a Fargate pod's own ENI",
        ),
        (
            with_fargate_pod(eni_type="branch"),
            f"10.0.5.5 is the primary IP of {FARGATE_ENI}, an ENI of type 'branch', not a Fargate pod's own ENI",
        ),
    ],
)
def test_fargate_pod_on_an_eni_that_is_no_fargate_eni_fails(
    tmp_path: Path, docs: ClusterDocs, detail: str
) -> None:
    found = result(run(docs, tmp_path), "coredns-fargate")
    assert (found.result, found.reasons, found.details, found.eni) == (
        "fail",
        ("not_on_node_eni",),
        (detail,),
        None,
    )


def test_fargate_pod_whose_node_carries_another_ip_fails(tmp_path: Path) -> None:
    # A Fargate node runs one pod, and its InternalIP is that pod's IP (its ENI's primary IP).
    docs = baseline()
    add_fargate_pod(docs)
    docs.find_pod("coredns-fargate")["status"]["podIP"] = "10.0.5.6"
    docs.enis.append(eni("eni-0f00000000000fa1f", instance_id=None, device=0, primary_ip="10.0.5.6"))
    found = result(run(docs, tmp_path), "coredns-fargate")
    assert (found.result, found.details) == (
        "fail",
        (
            f"10.0.5.6 is not the IP of its Fargate node {FARGATE_NODE} (10.0.5.5); "
            "a Fargate node carries its one pod's IP",
        ),
    )


def test_fargate_node_whose_ip_is_on_an_instance_eni_is_unverified(tmp_path: Path) -> None:
    report = run(with_fargate_pod(attached_to=INSTANCE_A), tmp_path)
    node = next(item for item in report.nodes if item.name == FARGATE_NODE)
    enis = next(item for item in node.checks if item.check == "enis")
    assert (enis.result, enis.detail) == (
        "unverified",
        f"the ENI with the Fargate node's IP 10.0.5.5, {FARGATE_ENI}, is attached to {INSTANCE_A} (node {NODE_A})",
    )


def ipv6_cluster() -> ClusterDocs:
    docs = baseline()
    add_ipv6_prefix(docs)
    docs.ipamd = None
    return docs


def test_ipv6_pod_inside_an_80_prefix_passes(tmp_path: Path) -> None:
    # cni-facts.md §1.3: IPv6 prefixes are /80 delegated to the ENI; pod IPs are inside them.
    docs = ipv6_cluster()
    docs.pods.append(pod("v6-1", node=NODE_B, ip="2600:1f14:abc:de01:8f00:0:0:1"))
    found = result(run(docs, tmp_path), "v6-1")
    assert (found.result, found.ip, found.eni, found.prefix) == (
        "pass",
        "2600:1f14:abc:de01:8f00::1",
        "eni-0b00000000000000b",
        "2600:1f14:abc:de01:8f00::/80",
    )


def test_ipv6_pod_outside_the_node_prefix_fails(tmp_path: Path) -> None:
    docs = ipv6_cluster()
    docs.pods.append(pod("v6-2", node=NODE_B, ip="2600:1f14:abc:de01:9f00::1"))
    assert verdict(run(docs, tmp_path), "v6-2") == ("fail", ("not_on_node_eni",))


# --- what cannot be verified -----------------------------------------------------------------------


def test_pod_on_a_node_missing_from_the_node_list_is_unverified(tmp_path: Path) -> None:
    docs = baseline()
    docs.pods.append(pod("ghost-1", node="ip-10-0-9-9.us-west-2.compute.internal", ip="10.0.1.99"))
    report = run(docs, tmp_path)
    assert (verdict(report, "ghost-1"), report.exit_code()) == (("skip", ("unknown_node",)), 3)


def test_pod_on_a_node_whose_enis_are_missing_is_unverified(tmp_path: Path) -> None:
    docs = baseline()
    docs.enis = [
        item for item in docs.enis if item.get("Attachment", {}).get("InstanceId") != "i-0bbbbbbbbbbbbbbb2"
    ]
    docs.ipamd = None
    report = run(docs, tmp_path)
    assert (verdict(report, "api-1"), report.exit_code()) == (("skip", ("no_eni_data",)), 3)


def test_ip_held_by_another_node_still_fails_when_the_own_node_is_unknown(tmp_path: Path) -> None:
    docs = baseline()
    docs.pods.append(pod("ghost-2", node="ip-10-0-9-9.us-west-2.compute.internal", ip="10.0.40.20"))
    assert verdict(run(docs, tmp_path), "ghost-2") == ("fail", ("not_on_node_eni",))


@pytest.mark.parametrize(
    ("change", "name", "detail"),
    [
        # a secondary IP whose /32 ipamd holds, never handed out (no address entry under it)
        (
            drop_ipamd_ip(NODE_A, "eni-0a00000000000000a", "10.0.1.11/32", "10.0.1.11"),
            "web-1",
            f"ipamd on {NODE_A} has 10.0.1.11 but not assigned (in 10.0.1.11/32 on eni-0a00000000000000a)",
        ),
        # a free address of a delegated prefix: ipamd lists prefix addresses only once handed out
        (
            drop_ipamd_ip(NODE_B, "eni-0b00000000000000b", "10.0.40.16/28", "10.0.40.16"),
            "api-1",
            f"ipamd on {NODE_B} has 10.0.40.16 but not assigned (in 10.0.40.16/28 on eni-0b00000000000000b)",
        ),
    ],
    ids=["secondary-ip", "prefix"],
)
def test_ip_in_a_cidr_ipamd_holds_but_never_assigned_says_so(
    tmp_path: Path, change: Callable[[ClusterDocs], None], name: str, detail: str
) -> None:
    # GIVEN an IP that EC2 has on the node's ENI and ipamd holds in a CIDR, without an address entry
    docs = baseline()
    change(docs)
    # THEN the detail is "has it but not assigned", as docs/verification.md says, not "not in its datastore"
    found = result(run(docs, tmp_path), name)
    assert (found.reasons, found.details) == (("ipamd_mismatch",), (detail,))


def test_ip_in_no_cidr_ipamd_holds_is_not_in_its_datastore(tmp_path: Path) -> None:
    docs = baseline()
    assert docs.ipamd is not None
    body = json.loads(docs.ipamd[NODE_A]["enis"])
    del body["0"]["ENIs"]["eni-0a00000000000000a"]["AvailableIPv4Cidrs"]["10.0.1.11/32"]
    docs.ipamd[NODE_A]["enis"] = json.dumps(body)
    found = result(run(docs, tmp_path), "web-1")
    assert (found.reasons, found.details) == (
        ("ipamd_mismatch",),
        (f"ipamd on {NODE_A} does not have 10.0.1.11 in its datastore",),
    )
