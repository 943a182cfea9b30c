"""The report's ledger rows made from ``ekslab ips``'s ledger: blocks, owners, free counts, forecast."""

from __future__ import annotations

from pathlib import Path

import pytest

from ekslab.ledger import build_ledger, ledger_document
from ekslab.report.ledger import LedgerSubnet
from ekslab.report.ledger_view import ledger_notes, ledger_subnets
from ekslab.sources.bundle import read_bundle
from tests.ledger.lab_docs import NODE, one_node_lab, service_eni, write_node_subnet_reservations
from tests.workshop.fake_lab import SUBNETS, lab_docs, write_lab

NODE_A = "ip-10-0-1-10.us-west-2.compute.internal"


@pytest.fixture(scope="module")
def recorded_lab(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[LedgerSubnet], dict]:
    """The recorded lab (the workshop guide's offline run): the report's rows and ``ekslab ips``'s JSON."""
    bundle = write_lab(tmp_path_factory.mktemp("lab"), lab_docs()) / "bundle"
    snapshot = read_bundle(bundle)
    ledger = build_ledger(snapshot)
    return ledger_subnets(ledger, snapshot), ledger_document(ledger)


def held(row: LedgerSubnet) -> list[tuple[str, str, str]]:
    return [(block.cidr, block.kind, block.owner) for block in row.blocks if block.kind != "free"]


def test_every_28_of_each_subnet_is_a_block_and_free_ones_match_ekslab_ips(recorded_lab) -> None:
    # GIVEN the recorded lab: five /19 subnets, two nodes with a /28 prefix each in the pod subnets
    rows, document = recorded_lab
    # THEN each subnet has its 512 blocks, and its free ones are the JSON's free_28_blocks
    assert [(row.subnet_id, row.cidr, len(row.blocks), row.free_blocks) for row in rows] == [
        (SUBNETS["nodes-a"], "10.0.0.0/19", 512, 508),
        (SUBNETS["pods-a"], "100.64.0.0/19", 512, 508),
        (SUBNETS["nodes-b"], "10.0.32.0/19", 512, 508),
        (SUBNETS["pods-b"], "100.64.32.0/19", 512, 509),
        (SUBNETS["nodes-c"], "10.0.64.0/19", 512, 510),
    ]
    assert [row.free_blocks for row in rows] == [item["free_28_blocks"] for item in document["subnets"]]
    assert [row.used for row in rows] == [item["used"] for item in document["subnets"]]


def test_held_blocks_are_drawn_as_their_owner_with_the_enis_that_hold_them(recorded_lab) -> None:
    # GIVEN node A's pod subnet: its ENI's primary address, its /28 prefix (one pod), a branch ENI
    rows, _ = recorded_lab
    pods_a = next(row for row in rows if row.subnet_id == SUBNETS["pods-a"])
    # THEN the four held blocks are the ENI's primary (beside AWS's first four), the prefix, the
    # branch ENI's pod and AWS's last address, each with its counts and holder
    assert held(pods_a) == [
        (
            "100.64.0.0/28",
            "node_primary",
            f"aws_reserved 4, node_primary 1, free 11; eni-0a00000000000001a of {NODE_A}",
        ),
        ("100.64.0.16/28", "warm_pool", f"warm_pool 15, pod 1; eni-0a00000000000001a of {NODE_A}"),
        ("100.64.0.64/28", "pod", "pod 1, free 15; branch ENI eni-0d00000000000b4a2"),
        ("100.64.31.240/28", "aws_reserved", "aws_reserved 1, free 15"),
    ]
    assert (pods_a.role, pods_a.used, pods_a.largest_free_prefix) == ("pod", 18, 21)


def test_the_forecast_is_written_under_each_subnet_a_group_draws_from(recorded_lab) -> None:
    rows, _ = recorded_lab
    by_id = {row.subnet_id: row for row in rows}
    # THEN the pod subnet, which limits the group, says so; a subnet no group uses has no forecast
    assert by_id[SUBNETS["pods-a"]].forecast == (
        "ws-lab-ng in us-west-2a (m5.large): 470 more nodes fit (this subnet runs out first), "
        "each takes 17 addresses here, 106 more pods fit on its running nodes"
    )
    assert by_id[SUBNETS["nodes-a"]].forecast == (
        "ws-lab-ng in us-west-2a (m5.large): 470 more nodes fit, each takes 2 addresses here, "
        "106 more pods fit on its running nodes"
    )
    assert by_id[SUBNETS["nodes-c"]].forecast is None


def test_service_enis_and_reservations_get_their_blocks(tmp_path: Path) -> None:
    # GIVEN one node, a NAT gateway, an endpoint and EKS sharing the public subnet's first /28, an
    # ALB with two more addresses in the next one, and a prefix and an explicit reservation
    docs = one_node_lab(node_subnet_available=499 - 16 - 8)
    for eni_id, address, kind, description in (
        ("eni-0nat", "10.0.0.12", "nat_gateway", "Interface for NAT Gateway nat-0123456789abcdef0"),
        ("eni-0vpce", "10.0.0.13", "vpc_endpoint", "VPC Endpoint Interface vpce-0123456789abcdef0"),
        ("eni-0eks", "10.0.0.14", "interface", "Amazon EKS ledgerlab"),
    ):
        docs.enis.append(service_eni(eni_id, address, interface_type=kind, description=description))
    docs.enis.append(
        service_eni(
            "eni-0alb",
            "10.0.0.20",
            interface_type="interface",
            description="ELB app/k8s-game2048/0123456789abcdef",
            secondary=("10.0.0.21", "10.0.0.22"),
        )
    )
    docs.subnets[1]["AvailableIpAddressCount"] -= 6
    bundle = docs.write(tmp_path / "bundle")
    write_node_subnet_reservations(bundle)
    snapshot = read_bundle(bundle)
    ledger = build_ledger(snapshot)
    # WHEN the rows are made
    public, nodes = ledger_subnets(ledger, snapshot)
    # THEN three owners with one address each make a mixed block, the ALB's is its own, and the
    # reservations are what they are: a prefix one's /28 stays free (prefixes may take it)
    assert held(public) == [
        (
            "10.0.0.0/28",
            "mixed",
            "aws_reserved 4, nat_gateway 1, eks_control_plane 1, vpc_endpoint 1, free 9; "
            "eni-0nat (Interface for NAT Gateway nat-0123456789abcdef0), "
            "eni-0vpce (VPC Endpoint Interface vpce-0123456789abcdef0) and 1 more",
        ),
        (
            "10.0.0.16/28",
            "load_balancer",
            "load_balancer 3, free 13; eni-0alb (ELB app/k8s-game2048/0123456789abcdef)",
        ),
        ("10.0.0.240/28", "aws_reserved", "aws_reserved 1, free 15"),
    ]
    assert held(nodes) == [
        (
            "10.0.4.0/28",
            "pod",
            f"aws_reserved 4, pod 3, warm_pool 2, node_primary 1, free 6; eni-0node000000000000 of {NODE}",
        ),
        ("10.0.4.16/28", "warm_pool", f"warm_pool 2, free 14; eni-0node000000000000 of {NODE}"),
        (
            "10.0.5.16/28",
            "cidr_reservation",
            "cidr_reservation 8, free 8; explicit reservation 10.0.5.16/29 (kept for prefixes)",
        ),
        ("10.0.5.240/28", "aws_reserved", "aws_reserved 1, free 15"),
    ]
    prefix_block = next(block for block in nodes.blocks if block.cidr == "10.0.5.0/28")
    assert (prefix_block.kind, prefix_block.owner) == (
        "free",
        "free, 16 of 16 in a prefix reservation; prefix reservation 10.0.5.0/28 (kept for prefixes)",
    )
    assert (nodes.free_blocks, public.free_blocks) == (28, 13)
    # and what the ledger lacked is said in its words (the bundle has no ipamd bodies)
    assert ledger_notes(ledger, snapshot) == [
        "missing: ipamd/<node>/enis.json (ipamd introspection): not in the input; pod vs warm pool comes "
        "from the pod list alone"
    ]
