"""Cross-setting rules of the VPC CNI (one behaviour each; sources in ekslab/cni/rules.py)."""

from __future__ import annotations

import pytest

from ekslab.config import check_lab
from ekslab.config.loader import parse_config


def _findings(document: dict):
    return check_lab(parse_config(document, source="lab.yaml"), capacity=False)


def _errors(document: dict) -> list[str]:
    return [error.message for error in _findings(document).errors]


def _warnings(document: dict) -> list[str]:
    return [
        warning.message
        for warning in _findings(document).warnings
        if not warning.where.startswith("cluster.publicAccessCidrs")
    ]


IPV6 = {"cluster": {"ipFamily": "ipv6"}}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param(
            {**IPV6, "cni": {"env": {"ENABLE_PREFIX_DELEGATION": True, "AWS_VPC_ENI_MTU": 1000}}},
            "cni.env.AWS_VPC_ENI_MTU: must be an integer between 1280 and 9001 in an IPv6 cluster, got 1000",
            id="ipv6-mtu-range",  # README AWS_VPC_ENI_MTU: IPv6 1280-9001 (cni-facts.md §2.1)
        ),
        pytest.param(
            {**IPV6, "cni": {"env": {"ENABLE_PREFIX_DELEGATION": True, "POD_MTU": 1279}}},
            "cni.env.POD_MTU: must be an integer between 1280 and 9001 in an IPv6 cluster, got 1279",
            id="ipv6-pod-mtu-range",
        ),
        pytest.param(
            IPV6,
            "cni.env.ENABLE_PREFIX_DELEGATION: must be true when cluster.ipFamily is ipv6 (IPv6 pods get /80 "
            "prefixes), got null",
            id="ipv6-needs-prefix-delegation",  # README ENABLE_IPv6 needs PD (cni-facts.md §2.1)
        ),
        pytest.param(
            {"cni": {"env": {"MINIMUM_IP_TARGET": 10}}},
            "cni.env.WARM_IP_TARGET: must be set (> 0) together with cni.env.MINIMUM_IP_TARGET, got null",
            id="minimum-ip-needs-warm-ip",
        ),
        pytest.param(
            {"cni": {"env": {"ENABLE_PREFIX_DELEGATION": True, "WARM_PREFIX_TARGET": 0}}},
            "cni.env.WARM_PREFIX_TARGET: must be >= 1 with prefix delegation unless WARM_IP_TARGET or "
            "MINIMUM_IP_TARGET is set, got 0",
            id="prefix-delegation-without-warm-target",  # docs/prefix-and-ip-target.md (cni-facts.md §2.1)
        ),
        pytest.param(
            {"cni": {"env": {"AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": True}}},
            "cni.env.AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: is set by the toolkit from network.podSubnets.enabled "
            "(a pod subnet and ENIConfig in every AZ); remove it and set network.podSubnets.enabled instead, got true",
            id="custom-networking-needs-pod-subnets",
        ),
        pytest.param(
            {
                "network": {"podSubnets": {"enabled": True}},
                "cni": {"env": {"ENI_CONFIG_LABEL_DEF": "k8s.amazonaws.com/eniConfig"}},
            },
            "cni.env.ENI_CONFIG_LABEL_DEF: must be topology.kubernetes.io/zone (or unset) with custom networking: "
            "the lab's ENIConfigs are named after AZs, got 'k8s.amazonaws.com/eniConfig'",
            id="eniconfig-label-must-be-zone",
        ),
        pytest.param(
            {"cni": {"env": {"INTROSPECTION_BIND_ADDRESS": "0.0.0.0:61679"}}},
            "cni.env.INTROSPECTION_BIND_ADDRESS: must listen on loopback (127.0.0.1, ::1, localhost or a unix: "
            "socket): the introspection API is unauthenticated, got '0.0.0.0:61679' (rule introspection-off-loopback; "
            "to accept it add {rule: introspection-off-loopback, reason: ...} to acknowledge)",
            id="introspection-off-loopback",
        ),
        pytest.param(
            {"cni": {"env": {"INTROSPECTION_BIND_ADDRESS": ":61679"}}},
            "cni.env.INTROSPECTION_BIND_ADDRESS: must listen on loopback (127.0.0.1, ::1, localhost or a unix: "
            "socket): the introspection API is unauthenticated, got ':61679' (rule introspection-off-loopback; "
            "to accept it add {rule: introspection-off-loopback, reason: ...} to acknowledge)",
            id="introspection-on-all-interfaces",
        ),
        pytest.param(
            {"cni": {"enableNetworkPolicy": True, "env": {"ENABLE_BANDWIDTH_PLUGIN": True}}},
            "cni.env.ENABLE_BANDWIDTH_PLUGIN: cannot be true together with cni.enableNetworkPolicy: true, got true",
            id="bandwidth-plugin-excludes-network-policy",
        ),
        pytest.param(
            {
                "cni": {"env": {"ENABLE_PREFIX_DELEGATION": True}},
                "nodeGroups": [{"instanceTypes": ["m5.large", "c4.large"]}],
            },
            "nodeGroups[0].instanceTypes[1]: must be a Nitro instance type with cni.env.ENABLE_PREFIX_DELEGATION: true "
            "(hypervisor is xen), got 'c4.large'",
            id="prefix-delegation-needs-nitro",  # eni-limits.tsv: c4.large hypervisor xen
        ),
        pytest.param(
            {"cni": {"env": {"ENABLE_POD_ENI": True}}, "nodeGroups": [{"instanceTypes": ["t3.medium"]}]},
            "nodeGroups[0].instanceTypes[0]: must support a trunk ENI with cni.env.ENABLE_POD_ENI: true (t3.medium is "
            "not trunking-compatible in the VPC resource controller's limits), got 't3.medium'",
            id="security-groups-for-pods-needs-trunking",  # eni-limits.tsv: t3.medium is_trunking_compatible false
        ),
        pytest.param(
            {"nodeGroups": [{"instanceTypes": ["m5.lrge"]}]},
            "nodeGroups[0].instanceTypes[0]: must be an EC2 instance type in the ENI limits table (1391 types), "
            "got 'm5.lrge' (did you mean 'm5.large', 'm5n.large', 'm5d.large'?)",
            id="unknown-instance-type",
        ),
        pytest.param(
            {"cni": {"env": {"ENABLE_V6_EGRESS": True}}},
            "cni.init.env.ENABLE_V6_EGRESS: must equal cni.env.ENABLE_V6_EGRESS (the init container sets up the "
            "egress interface), got null",
            id="v6-egress-on-both-containers",
        ),
    ],
)
def test_inconsistent_cni_settings_are_refused(document: dict, message: str) -> None:
    assert _errors(document) == [message]


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1:61679", "127.0.0.2:61671", "localhost:61679", "[::1]:61679", "unix:/var/run/ipamd.sock"],
)
def test_loopback_introspection_addresses_are_accepted(address: str) -> None:
    assert _errors({"cni": {"env": {"INTROSPECTION_BIND_ADDRESS": address}}}) == []


def test_acknowledged_off_loopback_introspection_is_accepted() -> None:
    document = {
        "cni": {"env": {"INTROSPECTION_BIND_ADDRESS": "0.0.0.0:61679"}},
        "acknowledge": [{"rule": "introspection-off-loopback", "reason": "scraped by an in-VPC collector"}],
    }
    assert _errors(document) == []


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param(
            {"cni": {"env": {"WARM_PREFIX_TARGET": 1}}},
            "cni.env.WARM_PREFIX_TARGET: only takes effect with cni.env.ENABLE_PREFIX_DELEGATION: true, got 1",
            id="warm-prefix-without-prefix-delegation",
        ),
        pytest.param(
            {"cni": {"env": {"WARM_IP_TARGET": 5, "WARM_ENI_TARGET": 1}}},
            "cni.env.WARM_ENI_TARGET: is ignored by ipamd when WARM_IP_TARGET or MINIMUM_IP_TARGET is set, got 1",
            id="warm-eni-overridden",  # README WARM_ENI_TARGET (cni-facts.md §2.1)
        ),
        pytest.param(
            {"cni": {"env": {"DISABLE_INTROSPECTION": True}}},
            "cni.env.DISABLE_INTROSPECTION: turns off the ipamd API, so `ekslab verify` checks pods against EC2 "
            "only (no ipamd cross-check), got true",
            id="introspection-disabled",
        ),
    ],
)
def test_meaningless_cni_settings_are_warned_about(document: dict, message: str) -> None:
    assert _warnings(document) == [message]


def test_default_lab_has_no_cni_findings() -> None:
    assert _errors({}) == [] and _warnings({}) == []
