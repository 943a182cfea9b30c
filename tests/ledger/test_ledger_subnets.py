"""The ledger of purpose-built bundles: every address counted once, free /28 blocks, reservations, owners."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ekslab.capacity import PoolSettings, node_pool
from ekslab.ledger import build_ledger
from ekslab.ledger.subnets import SubnetLedger
from ekslab.limits import instance_type
from ekslab.sources.bundle import read_bundle
from tests.ledger.lab_docs import (
    INSTANCE,
    NODE,
    one_node_lab,
    service_eni,
    write_node_subnet_reservations,
    write_reservations,
)
from tests.ledger.lab_docs import subnet as subnet_record
from tests.verify.cluster_docs import ClusterDocs, eni, node


def ledger_of(docs: ClusterDocs, tmp_path: Path, **kwargs: object):  # type: ignore[no-untyped-def]
    return build_ledger(read_bundle(docs.write(tmp_path / "bundle")), **kwargs)  # type: ignore[arg-type]


def subnet_of(ledger: object, subnet_id: str) -> SubnetLedger:
    return next(item for item in ledger.subnets if item.subnet_id == subnet_id)  # type: ignore[attr-defined]


def test_every_address_has_one_owner_and_free_equals_ec2s_count(tmp_path: Path) -> None:
    # GIVEN one node: its primary IP, 3 running pods and 4 idle secondary IPs (one of a finished job)
    ledger = ledger_of(one_node_lab(), tmp_path)
    # WHEN the node subnet's ledger is read
    nodes = subnet_of(ledger, "subnet-nodes")
    # THEN the owners add up, used + free + reserved = size, and EC2 agrees with the free count
    assert (nodes.owners["node_primary"], nodes.owners["pod"], nodes.owners["warm_pool"]) == (1, 3, 4)
    assert (nodes.used, nodes.free, nodes.reserved, nodes.size) == (8, 499, 5, 512)
    assert nodes.used + nodes.free_in_ledger + nodes.reserved == nodes.size
    assert (nodes.mismatch, ledger.warnings) == (0, [])


def test_roles_come_from_the_elb_role_tags(tmp_path: Path) -> None:
    ledger = ledger_of(one_node_lab(), tmp_path)
    assert {item.subnet_id: item.role for item in ledger.subnets} == {
        "subnet-nodes": "private",
        "subnet-public": "public",
    }


def fragmented_lab() -> ClusterDocs:
    """The node subnet (512 addresses, 32 /28 blocks) with 300 free addresses and no free /28.

    30 nodes' primary ENIs hold offset 8 of blocks 1 to 30; 175 secondary IPs fill offsets 9-15 of
    blocks 1 to 25 and 2 more offsets 0-1 of block 26. Blocks 0 and 31 hold AWS-reserved addresses.
    So 207 addresses are used, 300 free, and the largest free aligned block is a /29 (offsets 0-7
    of blocks 27 to 30).
    """
    docs = one_node_lab(node_subnet_available=300)
    docs.pods, docs.nodes, docs.enis = [], [], []
    for block in range(1, 31):
        base = 4 * 256 + block * 16  # 10.0.4.0 + block * 16, as an offset from 10.0.0.0

        def ip(offset: int, base: int = base) -> str:
            number = base + offset
            return f"10.0.{number // 256}.{number % 256}"

        instance = f"i-{block:017x}"
        secondary = tuple(ip(offset) for offset in range(9, 16)) if block <= 25 else ()
        if block == 26:
            secondary = (ip(0), ip(1))
        name = f"node-{block}"
        docs.nodes.append(
            node(
                name,
                instance_id=instance,
                internal_ip=ip(8),
                labels={"eks.amazonaws.com/nodegroup": "ng-default"},
            )
        )
        docs.enis.append(
            eni(
                f"eni-{block:017x}",
                instance_id=instance,
                device=0,
                primary_ip=ip(8),
                secondary=secondary,
                subnet="subnet-nodes",
            )
        )
    return docs


def test_a_fragmented_subnet_has_300_free_addresses_and_no_free_28(tmp_path: Path) -> None:
    # GIVEN single addresses spread over every /28 block of the node subnet
    ledger = ledger_of(fragmented_lab(), tmp_path)
    # WHEN its ledger is read
    nodes = subnet_of(ledger, "subnet-nodes")
    # THEN 300 addresses are free, none of them in a free /28: prefix delegation has nowhere to go
    assert (nodes.free, nodes.free_in_ledger, nodes.free_28_blocks, nodes.fragmented_free) == (
        300,
        300,
        0,
        300,
    )
    assert nodes.largest_free_prefix == 29


def test_the_forecast_of_a_fragmented_subnet_starts_nodes_with_secondary_ips_but_none_with_prefixes(
    tmp_path: Path,
) -> None:
    # GIVEN the fragmented subnet, once in secondary-IP mode and once with prefix delegation
    secondary = fragmented_lab()
    prefixes = fragmented_lab()
    prefixes.daemonset = one_node_lab(env={"ENABLE_PREFIX_DELEGATION": "true"}).daemonset
    # WHEN the forecast is made
    rows = [
        ledger_of(docs, tmp_path / name).forecast[0] for name, docs in (("ips", secondary), ("pd", prefixes))
    ]
    # THEN 300 free addresses start 30 nodes of 10 addresses each, but not one node that needs a /28
    per_node = node_pool(instance_type("m5.large"), PoolSettings(), 0).subnet_addresses
    assert [(row.more_nodes, row.runs_out_first) for row in rows] == [
        (300 // per_node, "subnet-nodes"),
        (0, "subnet-nodes"),
    ]


def test_cidr_reservations_are_owned_and_a_prefix_reservation_stays_free_for_prefixes(tmp_path: Path) -> None:
    # GIVEN a prefix reservation of one /28 and an explicit one of a /29 in the node subnet
    docs = one_node_lab(node_subnet_available=499 - 16 - 8)
    bundle = docs.write(tmp_path / "bundle")
    write_node_subnet_reservations(bundle)
    # WHEN the ledger is made
    ledger = build_ledger(read_bundle(bundle))
    nodes = subnet_of(ledger, "subnet-nodes")
    # THEN both are cidr_reservation addresses, the prefix one's /28 still counts as a free block
    holders = [(item.owner, item.holder_id, item.addresses) for item in nodes.holders]
    assert (nodes.owners["cidr_reservation"], nodes.free_in_ledger, nodes.mismatch) == (24, 475, 0)
    # 32 blocks less block 0 (reserved, node IP), 1 (pods .16, .17), 31 (reserved), 17 (the explicit /29)
    assert (nodes.free_28_blocks, nodes.fragmented_free) == (28, 6 + 14 + 15 + 8)
    assert holders == [("cidr_reservation", "scr-0prefix", 16), ("cidr_reservation", "scr-0explicit", 8)]
    assert [item for item in ledger.missing if "cidr-reservations" in item] == []


SERVICE_ENIS = [
    (
        service_eni(
            "eni-0alb",
            "10.0.0.10",
            interface_type="interface",
            description="ELB app/k8s-game2048-ingress2/0123456789abcdef",
        ),
        "load_balancer",
        "ELB app/k8s-game2048-ingress2/0123456789abcdef",
    ),
    (
        service_eni(
            "eni-0nlb",
            "10.0.0.11",
            interface_type="network_load_balancer",
            description="ELB net/k8s-web-nlb/0123456789abcdef",
        ),
        "load_balancer",
        "ELB net/k8s-web-nlb/0123456789abcdef",
    ),
    (
        service_eni(
            "eni-0nat",
            "10.0.0.12",
            interface_type="nat_gateway",
            description="Interface for NAT Gateway nat-0123456789abcdef0",
            requester_id="AROAEXAMPLE:nat",
        ),
        "nat_gateway",
        "Interface for NAT Gateway nat-0123456789abcdef0",
    ),
    (
        service_eni(
            "eni-0vpce",
            "10.0.0.13",
            interface_type="vpc_endpoint",
            description="VPC Endpoint Interface vpce-0123456789abcdef0",
        ),
        "vpc_endpoint",
        "VPC Endpoint Interface vpce-0123456789abcdef0",
    ),
    (
        service_eni(
            "eni-0vpce2",
            "10.0.0.14",
            interface_type="interface",
            description="VPC Endpoint Interface: vpce-0fedcba987654321",
        ),
        "vpc_endpoint",
        "VPC Endpoint Interface: vpce-0fedcba987654321",
    ),
    (
        service_eni(
            "eni-0eks",
            "10.0.0.15",
            interface_type="interface",
            description="Amazon EKS ledgerlab",
            requester_id="123456789012",
        ),
        "eks_control_plane",
        "Amazon EKS ledgerlab",
    ),
    (
        service_eni(
            "eni-0fake",
            "10.0.0.16",
            interface_type="interface",
            description="ELB app/made-by-hand/0",
            requester_managed=False,
        ),
        "other",
        "eni-0fake (ELB app/made-by-hand/0)",
    ),
    (
        service_eni(
            "eni-0bastion", "10.0.0.17", interface_type="interface", description="", requester_managed=False
        ),
        "other",
        "eni-0bastion (interface)",
    ),
]


@pytest.mark.parametrize(
    ("document", "owner", "label"), SERVICE_ENIS, ids=[item[0]["NetworkInterfaceId"] for item in SERVICE_ENIS]
)
def test_each_aws_service_eni_has_its_owner(document: dict, owner: str, label: str, tmp_path: Path) -> None:
    # GIVEN one ENI an AWS service (or a person) made in the public subnet
    docs = one_node_lab()
    docs.enis.append(document)
    docs.subnets[1]["AvailableIpAddressCount"] -= 1
    # WHEN the ledger is made
    public = subnet_of(ledger_of(docs, tmp_path), "subnet-public")
    # THEN its address belongs to the owner its type, requester and description name
    assert [(item.owner, item.holder_id, item.label, item.addresses) for item in public.holders] == [
        (owner, document["NetworkInterfaceId"], label, 1)
    ]
    assert (public.owners[owner], public.used, public.mismatch) == (1, 1, 0)


def test_a_branch_eni_of_a_running_pod_is_the_pods_and_a_leftover_one_is_other(tmp_path: Path) -> None:
    # GIVEN two branch ENIs (security groups for pods); a running pod holds the first one's address
    docs = one_node_lab()
    for eni_id, ip in (("eni-0branch1", "10.0.4.100"), ("eni-0branch2", "10.0.4.101")):
        docs.enis.append(
            service_eni(
                eni_id,
                ip,
                interface_type="branch",
                description="aws-k8s-branch-eni",
                requester_managed=False,
                subnet_id="subnet-nodes",
            )
        )
    from tests.verify.cluster_docs import pod

    docs.pods.append(
        pod(
            "sgp-1",
            node=NODE,
            ip="10.0.4.100",
            annotations={
                "vpc.amazonaws.com/pod-eni": json.dumps(
                    [{"eniId": "eni-0branch1", "privateIp": "10.0.4.100"}]
                )
            },
        )
    )
    docs.subnets[0]["AvailableIpAddressCount"] -= 2
    # WHEN the ledger is made
    nodes = subnet_of(ledger_of(docs, tmp_path), "subnet-nodes")
    # THEN the first is a pod's address, the second an "other" named by its id
    assert [(item.owner, item.label) for item in nodes.holders] == [
        ("pod", "branch ENI eni-0branch1"),
        ("other", "eni-0branch2 (branch ENI no running pod holds)"),
    ]
    assert (nodes.owners["pod"], nodes.owners["other"]) == (4, 1)


def test_a_mismatch_with_ec2s_count_is_reported_not_hidden(tmp_path: Path) -> None:
    # GIVEN EC2 counting 9 fewer free addresses than the ENIs account for
    ledger = ledger_of(one_node_lab(node_subnet_available=490), tmp_path)
    # WHEN the ledger is made
    nodes = subnet_of(ledger, "subnet-nodes")
    # THEN both counts are kept and the difference is a warning
    assert (nodes.free, nodes.free_in_ledger, nodes.mismatch) == (490, 499, -9)
    assert ledger.warnings == [
        "subnet subnet-nodes: EC2 counts 490 free addresses, the ledger 499 (-9); "
        "EC2's count is the truth at the moment of its call"
    ]


def test_missing_optional_documents_are_named(tmp_path: Path) -> None:
    # GIVEN a bundle without the DaemonSet, ipamd or CIDR reservations
    docs = one_node_lab()
    docs.daemonset = None
    # WHEN the ledger is made
    ledger = ledger_of(docs, tmp_path)
    # THEN each missing document is named with what the ledger did without it
    assert ledger.missing == [
        "aws-node-daemonset.json (the output of `kubectl get ds aws-node -n kube-system -o json`): not in the "
        "input; the forecast uses the CNI's default settings",
        "ipamd/<node>/enis.json (ipamd introspection): not in the input; pod vs warm pool comes from the pod "
        "list alone",
        "subnet-cidr-reservations/<subnet id>.json (`aws ec2 get-subnet-cidr-reservations --subnet-id <subnet id> "
        "--output json`): not in the input; CIDR reservations are not counted",
    ]


def test_a_subnet_whose_reservations_file_is_missing_is_named(tmp_path: Path) -> None:
    bundle = one_node_lab().write(tmp_path / "bundle")
    write_reservations(bundle, "subnet-nodes", [])
    ledger = build_ledger(read_bundle(bundle))
    assert ledger.missing[-1] == (
        "subnet-cidr-reservations/subnet-public.json: not in the input; "
        "CIDR reservations of subnet-public are not counted"
    )


def test_pods_known_only_to_ipamd_are_pods_not_warm_pool(tmp_path: Path) -> None:
    # GIVEN ipamd holding 10.0.4.15 for a pod the pod list does not show yet
    from tests.verify.cluster_docs import enis_body

    docs = one_node_lab()
    docs.ipamd = {
        NODE: {
            "enis": json.dumps(
                enis_body(
                    {
                        "eni-0node000000000000": {
                            "device": 0,
                            "primary": True,
                            "cidrs": {"10.0.4.15/32": {"10.0.4.15": ("default", "new-1")}},
                        }
                    }
                )
            )
        }
    }
    nodes = subnet_of(ledger_of(docs, tmp_path), "subnet-nodes")
    assert (nodes.owners["pod"], nodes.owners["warm_pool"]) == (4, 3)


def test_node_groups_come_from_the_eks_node_group_label(tmp_path: Path) -> None:
    # GIVEN the node labelled eks.amazonaws.com/nodegroup=ng-default, with 3 running pods
    ledger = ledger_of(one_node_lab(), tmp_path)
    # THEN the forecast has one row for that group in the node's AZ (finished and hostNetwork pods not counted)
    assert [(row.availability_zone, row.node_group, row.nodes, row.pods) for row in ledger.forecast] == [
        ("us-west-2a", "ng-default", 1, 3)
    ]


def test_an_eni_of_an_instance_that_is_no_node_is_other(tmp_path: Path) -> None:
    # GIVEN a bastion instance's ENI in the node subnet (not a cluster node, not made by the CNI)
    docs = one_node_lab()
    docs.enis.append(
        eni(
            "eni-0bastion0000000",
            instance_id="i-0bastion",
            device=0,
            primary_ip="10.0.4.200",
            subnet="subnet-nodes",
        )
    )
    docs.subnets[0]["AvailableIpAddressCount"] -= 1
    nodes = subnet_of(ledger_of(docs, tmp_path), "subnet-nodes")
    assert [(item.owner, item.label) for item in nodes.holders] == [
        ("other", "eni-0bastion0000000 (interface)")
    ]


def test_addresses_outside_their_enis_subnet_are_noted_once_per_subnet(tmp_path: Path) -> None:
    # GIVEN two ENIs of the node subnet listing an address of the public subnet's range
    docs = one_node_lab()
    for index, ip in enumerate(("10.0.0.50", "10.0.0.51")):
        docs.enis.append(
            eni(
                f"eni-0odd{index}",
                instance_id=None,
                device=0,
                primary_ip=f"10.0.4.{200 + index}",
                secondary=(ip,),
                subnet="subnet-nodes",
            )
        )
    docs.subnets[0]["AvailableIpAddressCount"] -= 2
    # WHEN the ledger is made
    ledger = ledger_of(docs, tmp_path)
    # THEN they are not counted, and one note says so for the subnet
    assert subnet_of(ledger, "subnet-nodes").owners["other"] == 2
    assert ledger.notes == [
        "subnet subnet-nodes: 2 address(es) of 2 ENI(s) in it lie outside its CIDR 10.0.4.0/23 "
        "(first eni-0odd0: 10.0.0.50); not counted"
    ]


def test_with_custom_networking_a_new_node_draws_from_the_node_and_the_pod_subnet(tmp_path: Path) -> None:
    # GIVEN custom networking: the node's second ENI and its pods live in a small pod subnet (a /27)
    docs = one_node_lab(env={"AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": "true"})
    docs.subnets.append(subnet_record("subnet-pods", "100.64.0.0/27", 32 - 5 - 4))
    docs.enis[0]["PrivateIpAddresses"] = docs.enis[0]["PrivateIpAddresses"][:1]
    docs.enis.append(
        eni(
            "eni-0pods00000000000",
            instance_id=INSTANCE,
            device=1,
            primary_ip="100.64.0.4",
            secondary=("100.64.0.5", "100.64.0.6", "100.64.0.7"),
            subnet="subnet-pods",
        )
    )
    docs.subnets[0]["AvailableIpAddressCount"] = 512 - 5 - 1
    # WHEN the forecast is made
    row = ledger_of(docs, tmp_path).forecast[0]
    # THEN a new node takes its node IP from subnet-nodes and an ENI's worth from subnet-pods, which runs out first
    pool = node_pool(instance_type("m5.large"), PoolSettings(custom_networking=True), 0)
    free_pods = 32 - 5 - 4
    assert (row.node_subnet, row.pod_subnet, row.runs_out_first) == (
        "subnet-nodes",
        "subnet-pods",
        "subnet-pods",
    )
    assert (row.per_node.node_subnet_addresses, row.more_nodes) == (1, free_pods // pool.pod_subnet_addresses)


def test_a_node_without_a_zone_label_is_in_its_primary_enis_az(tmp_path: Path) -> None:
    docs = one_node_lab()
    del docs.nodes[0]["metadata"]["labels"]["topology.kubernetes.io/zone"]
    ledger = ledger_of(docs, tmp_path)
    assert [(row.availability_zone, row.nodes, row.pods) for row in ledger.forecast] == [("us-west-2a", 1, 3)]


def test_with_prefix_delegation_new_nodes_are_counted_in_free_28_blocks(tmp_path: Path) -> None:
    # GIVEN the one-node lab in prefix mode: 29 free /28 blocks, 6 + 14 + 15 = 35 free addresses outside them
    docs = one_node_lab(env={"ENABLE_PREFIX_DELEGATION": "true", "WARM_PREFIX_TARGET": "1"})
    ledger = ledger_of(docs, tmp_path)
    nodes = subnet_of(ledger, "subnet-nodes")
    row = ledger.forecast[0]
    # THEN a new m5.large holds one /28 prefix and one single address (its ENI's primary): the 29 blocks
    # start 29 nodes, whose single addresses fit in the 35 fragmented ones
    assert (nodes.free_28_blocks, nodes.fragmented_free) == (29, 35)
    assert (row.per_node.prefixes, row.per_node.node_subnet_addresses, row.more_nodes) == (1, 17, 29)
