"""Per-AZ capacity of lab configurations: nodes at max size against their subnets.

Subnet sizes come from ekslab.network.subnets (AWS reserves 5 addresses per subnet,
https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html); m5.large holds 10 addresses idle
and 30 at its 27 pods with the default settings (tests/capacity/test_warm_pool_rules.py).
"""

from __future__ import annotations

from typing import Any

import pytest

from ekslab.capacity import plan_capacity
from ekslab.config.loader import parse_config
from ekslab.errors import InputError
from ekslab.network.subnets import Tier


def _lab(**document: Any) -> Any:
    return parse_config(document, source="test")


def _rows(document: dict[str, Any]) -> list[tuple]:
    plan = plan_capacity(_lab(**document))
    return [
        (
            subnet.availability_zone,
            subnet.tier.value,
            str(subnet.cidr),
            subnet.nodes_at_max,
            subnet.warm_pool_addresses,
            subnet.full_density_addresses,
            subnet.free_addresses,
            subnet.headroom,
        )
        for subnet in plan.subnets
    ]


def test_default_lab_per_az() -> None:
    # GIVEN the default lab: one m5.large group of max 6 over 3 AZs, /20 private subnets (4,091 free)
    # THEN each AZ holds 2 nodes: 20 addresses idle, 60 at full density
    assert _rows({}) == [
        ("ap-northeast-2a", "private", "10.11.16.0/20", 2, 20, 60, 4091, 4031),
        ("ap-northeast-2b", "private", "10.11.32.0/20", 2, 20, 60, 4091, 4031),
        ("ap-northeast-2c", "private", "10.11.48.0/20", 2, 20, 60, 4091, 4031),
    ]


def test_custom_networking_splits_node_and_pod_subnets() -> None:
    # Node IPs stay in the private subnet; secondary ENIs and pod addresses go to the pod subnet.
    rows = _rows({"network": {"podSubnets": {"enabled": True}}})
    assert rows[:2] == [
        ("ap-northeast-2a", "private", "10.11.16.0/20", 2, 2, 2, 4091, 4089),
        ("ap-northeast-2a", "pod", "100.64.0.0/18", 2, 20, 40, 16379, 16339),
    ]


def test_prefix_delegation_reports_whole_28_blocks() -> None:
    # GIVEN prefix delegation on m5.large: 108 pods per node hold 7 prefixes on one ENI
    plan = plan_capacity(_lab(cni={"env": {"ENABLE_PREFIX_DELEGATION": True}}))
    subnet = plan.subnets[0]
    # THEN 2 nodes need 14 /28 blocks; a /20 has 256, 2 hold reserved addresses, 2 node IPs may spoil 2 more
    assert (
        subnet.prefixes_at_full,
        subnet.prefix_blocks,
        subnet.prefix_blocks_free_worst_case,
        subnet.contiguous_prefixes_ok,
    ) == (14, 254, 252, True)


def test_without_prefix_delegation_there_is_no_28_question() -> None:
    subnet = plan_capacity(_lab()).subnets[0]
    assert (subnet.prefixes_at_full, subnet.prefix_blocks_free_worst_case, subnet.contiguous_prefixes_ok) == (
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("group", "nodes"),
    [
        ({"maxSize": 7}, [3, 3, 3]),  # ceil(7 / 3): the AZ that gets the odd node
        ({"maxSize": 4, "availabilityZones": ["ap-northeast-2b"]}, [0, 4, 0]),
        ({"maxSize": 5, "availabilityZones": ["ap-northeast-2a", "ap-northeast-2c"]}, [3, 0, 3]),
    ],
    ids=["uneven over three", "one AZ", "two AZs"],
)
def test_nodes_at_max_per_az(group: dict, nodes: list[int]) -> None:
    plan = plan_capacity(_lab(nodeGroups=[{"name": "ng", "minSize": 1, "desiredSize": 1, **group}]))
    assert [subnet.nodes_at_max for subnet in plan.subnets] == nodes


def test_groups_in_the_same_az_add_up() -> None:
    groups = [{"name": "a", "maxSize": 3}, {"name": "b", "maxSize": 3, "instanceTypes": ["t3.small"]}]
    subnet = plan_capacity(_lab(nodeGroups=groups)).subnets[0]
    # m5.large: 10 idle, 30 full; t3.small (3 x 4): 4 idle (1 ENI + 3), 12 full (3 ENIs + 9)
    assert (
        subnet.nodes_at_max,
        subnet.groups,
        subnet.warm_pool_addresses,
        subnet.full_density_addresses,
    ) == (2, (0, 1), 14, 42)


def test_a_mixed_group_is_counted_with_its_most_demanding_type() -> None:
    plan = plan_capacity(_lab(nodeGroups=[{"name": "ng", "instanceTypes": ["t3.small", "m5.large"]}]))
    group = plan.groups[0]
    assert (group.idle.instance_type, group.full.instance_type, group.kubelet_max_pods) == (
        "m5.large",
        "m5.large",
        29,
    )


def test_ipv6_nodes_take_one_ipv4_address_each() -> None:
    plan = plan_capacity(_lab(cluster={"ipFamily": "ipv6"}, cni={"env": {"ENABLE_PREFIX_DELEGATION": True}}))
    assert (plan.subnets[0].warm_pool_addresses, plan.subnets[0].full_density_addresses) == (2, 2)


def test_unknown_instance_type_names_the_node_group() -> None:
    with pytest.raises(InputError) as caught:
        plan_capacity(_lab(nodeGroups=[{"name": "ng", "instanceTypes": ["m5.large", "m5.huge"]}]))
    assert caught.value.where == "nodeGroups[0].instanceTypes[1]"


def test_every_az_has_a_row_per_subnet_nodes_draw_from() -> None:
    plan = plan_capacity(_lab(network={"podSubnets": {"enabled": True}}))
    assert [(subnet.availability_zone[-1], subnet.tier) for subnet in plan.subnets] == [
        ("a", Tier.PRIVATE),
        ("a", Tier.POD),
        ("b", Tier.PRIVATE),
        ("b", Tier.POD),
        ("c", Tier.PRIVATE),
        ("c", Tier.POD),
    ]


def test_mixed_group_nodes_get_the_smallest_max_pods_the_lab_passes() -> None:
    # ekslab.cni.node_config.node_max_pods passes the smallest value over the group's types to every node:
    # with custom networking t3.small gives 2 x (4 - 1) + 2 = 8 and m5.large 20, so both run 6 IP pods.
    plan = plan_capacity(
        _lab(
            network={"podSubnets": {"enabled": True}},
            nodeGroups=[{"name": "ng", "instanceTypes": ["m5.large", "t3.small"]}],
        )
    )
    group = plan.groups[0]
    assert (group.kubelet_max_pods, group.full.instance_type, group.full.pods) == (8, "m5.large", 6)
