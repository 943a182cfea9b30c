"""ipamd's rules as the warm-pool model implements them, one behaviour per test.

Facts: docs/reference/cni-facts.md §2.1 (variables and defaults), §4 (limits, max pods, the
pool stops at max pods), §5 (what the CNI's integration tests assert about warm targets); ipamd.go at
v1.23.1 for the functions named in ekslab/capacity/warm_pool.py. m5.large: 3 ENIs x 10 IPv4 (9 per ENI).
"""

from __future__ import annotations

import pytest

from ekslab.capacity import PoolSettings, full_density_pods, node_max_pods, node_pool
from ekslab.config.cni import CniEnv
from ekslab.limits import instance_type

M5 = instance_type("m5.large")


@pytest.mark.parametrize(("warm_ip", "minimum", "ips"), [(3, 0, 3), (2, 10, 10), (10, 2, 10), (5, 20, 20)])
def test_ip_targets_at_zero_pods_hold_the_larger_target(warm_ip: int, minimum: int, ips: int) -> None:
    # §5 ipamd/warm_target_test.go: sum of secondary IPs == max(WARM_IP_TARGET, MINIMUM_IP_TARGET).
    pool = node_pool(M5, PoolSettings(warm_ip_target=warm_ip, minimum_ip_target=minimum), 0)
    assert pool.secondary_ips == ips


@pytest.mark.parametrize(
    ("warm_eni", "max_eni", "enis"), [(1, None, 1), (2, None, 2), (3, 2, 2), (3, None, 3)]
)
def test_warm_eni_target_at_zero_pods_attaches_that_many_enis(
    warm_eni: int, max_eni: int | None, enis: int
) -> None:
    # §5 ipamd/warm_target_test.go: ENI count == min(WARM_ENI_TARGET, MAX_ENI).
    pool = node_pool(M5, PoolSettings(warm_eni_target=warm_eni, max_eni=max_eni), 0)
    assert pool.enis == enis


@pytest.mark.parametrize(
    ("settings", "prefixes"),
    [
        (PoolSettings(prefix_delegation=True, warm_prefix_target=3), 3),
        (PoolSettings(prefix_delegation=True, warm_ip_target=17), 2),
        (PoolSettings(prefix_delegation=True, warm_ip_target=5, minimum_ip_target=40), 3),
    ],
    ids=["WARM_PREFIX_TARGET=3", "WARM_IP_TARGET=17", "WARM_IP_TARGET=5,MINIMUM_IP_TARGET=40"],
)
def test_prefix_targets_at_zero_pods(settings: PoolSettings, prefixes: int) -> None:
    # §5 warm_target_test_PD_enabled.go: prefixes == max(ceil(WARM_IP/16), ceil(MIN_IP/16)) or
    # WARM_PREFIX_TARGET.
    assert node_pool(M5, settings, 0).prefixes == prefixes


def test_custom_networking_leaves_the_primary_eni_without_pod_addresses() -> None:
    # §2.1 AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: the primary ENI is not used for pods.
    pool = node_pool(M5, PoolSettings(custom_networking=True), 0)
    assert (pool.eni_slots, pool.node_subnet_addresses, pool.pod_subnet_addresses) == ((0, 9), 1, 10)


def test_addresses_taken_from_the_subnet_include_every_eni_primary() -> None:
    # GIVEN the default settings  WHEN 27 pods fill an m5.large  THEN 3 ENI primaries + 27 secondary IPs
    pool = node_pool(M5, PoolSettings(), 27)
    assert (pool.enis, pool.secondary_ips, pool.subnet_addresses) == (3, 27, 30)


def test_trunk_eni_takes_one_eni_slot_from_ipamd() -> None:
    # ipamd hasRoomForEni: a trunk ENI (ENABLE_POD_ENI, trunking-compatible type) counts against MAX ENIs.
    pool = node_pool(M5, PoolSettings(pod_eni=True), 27)
    assert (pool.trunk_eni, pool.enis, pool.pods_placed, pool.subnet_addresses) == (True, 3, 18, 21)


def test_no_trunk_when_max_eni_leaves_no_second_slot() -> None:
    # ipamd tryEnableSecurityGroupsForPods needs a free ENI slot besides the primary ENI; MAX_ENI 1 leaves none.
    pool = node_pool(M5, PoolSettings(pod_eni=True, max_eni=1), 0)
    assert (pool.trunk_eni, pool.enis) == (False, 1)


def test_custom_networking_keeps_the_trunk_in_the_node_subnet() -> None:
    # GIVEN custom networking and security groups for pods on m5.large (trunking-compatible)
    pool = node_pool(M5, PoolSettings(custom_networking=True, pod_eni=True), 0)
    # THEN the node's subnet gives two addresses: the primary ENI's and the trunk ENI's
    assert (pool.trunk_eni, pool.node_subnet_addresses) == (True, 2)


def test_no_trunk_on_a_type_that_cannot_trunk() -> None:
    # eni-limits.tsv: t3.small is_trunking_compatible false.
    assert node_pool(instance_type("t3.small"), PoolSettings(pod_eni=True), 0).trunk_eni is False


@pytest.mark.parametrize(("kubelet_max_pods", "prefixes"), [(110, 7), (250, 8)])
def test_pool_stops_growing_at_max_pods(kubelet_max_pods: int, prefixes: int) -> None:
    # §4: ipamd stops growing when TotalIPs >= maxPods. 108 pods hold 7 prefixes (112 addresses);
    # WARM_PREFIX_TARGET 1 wants 16 spare, an 8th prefix, unless 112 already reaches max pods.
    pool = node_pool(M5, PoolSettings(prefix_delegation=True), 108, max_pods=kubelet_max_pods)
    assert pool.prefixes == prefixes


def test_minimum_without_warm_ip_target_never_grows_past_the_minimum() -> None:
    # datastoreTargetState: with WARM_IP_TARGET 0, short = MINIMUM_IP_TARGET - total only; §2.1 says to set
    # both.
    pool = node_pool(M5, PoolSettings(minimum_ip_target=5), 10)
    assert (pool.secondary_ips, pool.pods_placed) == (5, 5)


def test_warm_eni_target_zero_still_fills_one_eni_when_nothing_is_free() -> None:
    # isDatastorePoolTooLow: warmTarget == 0 and available == 0 is "too low"; a step fills an ENI.
    assert node_pool(M5, PoolSettings(warm_eni_target=0), 0).secondary_ips == 9


def test_max_eni_caps_the_pods_that_get_an_address() -> None:
    pool = node_pool(M5, PoolSettings(max_eni=1), 27)
    assert (pool.enis, pool.pods_placed) == (1, 9)


def test_prefix_delegation_on_xen_falls_back_to_secondary_ips() -> None:
    # ipamd isConfigValid: prefix delegation unsupported -> secondary IP mode.
    pool = node_pool(instance_type("c4.large"), PoolSettings(prefix_delegation=True), 0)
    assert (pool.prefix_delegation, pool.prefixes, pool.secondary_ips) == (False, None, 9)


def test_ipv6_node_takes_one_ipv4_address() -> None:
    # IPv6 pods use the /80 prefix (§1.3 D); the node keeps its primary IPv4 address.
    pool = node_pool(M5, PoolSettings(prefix_delegation=True, ipv6=True), 108)
    assert (pool.subnet_addresses, pool.pool_addresses, pool.pods_placed) == (1, 0, 108)


@pytest.mark.parametrize(
    ("settings", "kubelet"),
    [
        (PoolSettings(), 29),  # AMI default: 3 x 9 + 2
        (PoolSettings(prefix_delegation=True), 110),  # passed by the lab: capped at 110 (2 vCPUs)
        (PoolSettings(custom_networking=True), 20),  # passed by the lab: 2 x 9 + 2
        (PoolSettings(max_eni=2), 20),  # passed by the lab: 2 x 9 + 2
    ],
    ids=["secondary", "prefix delegation", "custom networking", "MAX_ENI"],
)
def test_node_max_pods(settings: PoolSettings, kubelet: int) -> None:
    assert (node_max_pods(M5, settings), full_density_pods(M5, settings)) == (kubelet, kubelet - 2)


def test_default_mode_above_the_cap_keeps_the_amis_uncapped_max_pods() -> None:
    # GIVEN c5.4xlarge (eni-limits.tsv: 8 ENIs x 30 IPv4; vcpus.tsv: 16 vCPUs, so a 110 cap) in the
    # default secondary-IP mode, where the lab passes no max pods (docs/capacity.md §2)
    # WHEN kubelet's max pods is taken
    # THEN it is nodeadm's own default, 8 x (30 - 1) + 2 = 234, never capped (cni-facts.md §4)
    assert node_max_pods(instance_type("c5.4xlarge"), PoolSettings()) == 234


def test_settings_from_an_empty_env_are_the_cni_defaults() -> None:
    # §2.1: WARM_ENI_TARGET 1; WARM_IP_TARGET/MINIMUM_IP_TARGET unset; §2.2: the add-on sets
    # WARM_PREFIX_TARGET 1.
    assert PoolSettings.from_env(CniEnv(), custom_networking=False) == PoolSettings(
        prefix_delegation=False,
        warm_eni_target=1,
        warm_ip_target=0,
        minimum_ip_target=0,
        warm_prefix_target=1,
        max_eni=None,
        custom_networking=False,
        pod_eni=False,
        ipv6=False,
    )


def test_settings_from_env_keep_explicit_values() -> None:
    env = CniEnv(
        ENABLE_PREFIX_DELEGATION=True,
        WARM_ENI_TARGET=0,
        WARM_PREFIX_TARGET=2,
        WARM_IP_TARGET=4,
        MINIMUM_IP_TARGET=8,
        MAX_ENI=2,
        ENABLE_POD_ENI=True,
    )
    assert PoolSettings.from_env(env, custom_networking=True) == PoolSettings(
        prefix_delegation=True,
        warm_eni_target=0,
        warm_ip_target=4,
        minimum_ip_target=8,
        warm_prefix_target=2,
        max_eni=2,
        custom_networking=True,
        pod_eni=True,
        ipv6=False,
    )


def test_negative_pods_are_refused() -> None:
    with pytest.raises(ValueError, match="pods must be >= 0, got -1"):
        node_pool(M5, PoolSettings(), -1)


def test_a_prefix_step_tops_free_prefixes_up_to_the_target() -> None:
    # getPrefixesNeeded: max(1, WARM_PREFIX_TARGET - free prefixes). WARM_PREFIX_TARGET 2: two prefixes at
    # 0 pods; the first pod leaves one prefix free and 31 addresses (< 2 x 16), so one more, not two.
    pool = node_pool(M5, PoolSettings(prefix_delegation=True, warm_prefix_target=2), 1)
    assert pool.prefixes == 3
