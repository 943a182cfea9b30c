"""Cross-setting rules of the VPC CNI (one behaviour each; sources in ekslab/cni/rules.py)."""

from __future__ import annotations

import pytest

from ekslab.config.loader import parse_config
from ekslab.lab import check_lab


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
        pytest.param(
            {"cni": {"init": {"env": {"ENABLE_V6_EGRESS": True}}}},
            "cni.init.env.ENABLE_V6_EGRESS: must equal cni.env.ENABLE_V6_EGRESS (the init container sets up the "
            "egress interface), got true",
            id="v6-egress-on-the-init-container-only",  # README ENABLE_V6_EGRESS (cni-facts.md §2.1)
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
            {"cni": {"env": {"ENABLE_V4_EGRESS": True}}},
            "cni.env.ENABLE_V4_EGRESS: only applies to IPv6 clusters, got true",
            id="v4-egress-in-an-ipv4-cluster",  # README ENABLE_V4_EGRESS (cni-facts.md §2.1)
        ),
        pytest.param(
            {"cni": {"env": {"ENABLE_V4_EGRESS": False}}},
            "cni.env.ENABLE_V4_EGRESS: only applies to IPv6 clusters, got false",
            id="v4-egress-off-in-an-ipv4-cluster",
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


# --- warm targets, rule by rule ------------------------------------------------------------------
# MINIMUM_IP_TARGET without WARM_IP_TARGET is refused by its own rule, so these cases call one rule on
# a parsed lab to show what that rule alone says about the combination.


def _rule_messages(rule_name: str, env: dict) -> list[str]:
    from ekslab.cni import rules
    from ekslab.config.findings import Findings

    config = parse_config({"cni": {"env": env}}, source="lab.yaml")
    findings = Findings()
    getattr(rules, rule_name)(config, findings)
    return [str(finding) for finding in (*findings.errors, *findings.warnings)]


@pytest.mark.parametrize(
    "env",
    [
        {"WARM_IP_TARGET": 5},
        {"MINIMUM_IP_TARGET": 10},
        {"WARM_IP_TARGET": 5, "MINIMUM_IP_TARGET": 10},
    ],
    ids=["warm-ip", "minimum-ip", "both"],
)
def test_prefix_delegation_with_warm_prefix_0_accepts_either_ip_target(env: dict) -> None:
    # docs/prefix-and-ip-target.md: WARM_PREFIX_TARGET 0 is supported once WARM_IP_TARGET or
    # MINIMUM_IP_TARGET is set (cni-facts.md §2.1).
    # GIVEN prefix delegation with WARM_PREFIX_TARGET 0 and an IP target
    document = {"ENABLE_PREFIX_DELEGATION": True, "WARM_PREFIX_TARGET": 0, **env}
    # WHEN the warm-target rule checks it  THEN it says nothing
    assert _rule_messages("_prefix_delegation_needs_a_warm_target", document) == []


def test_warm_eni_target_is_overridden_by_minimum_ip_target_alone() -> None:
    # cni-facts.md §2.1 WARM_ENI_TARGET: ignored if WARM_IP_TARGET or MINIMUM_IP_TARGET is set (either
    # one makes ipamd's warmIPTargetsDefined true).
    # GIVEN WARM_ENI_TARGET with MINIMUM_IP_TARGET and no WARM_IP_TARGET
    document = {"WARM_ENI_TARGET": 1, "MINIMUM_IP_TARGET": 10}
    # WHEN the override rule checks it  THEN it warns that WARM_ENI_TARGET is ignored
    assert _rule_messages("_warm_eni_overridden", document) == [
        "cni.env.WARM_ENI_TARGET: is ignored by ipamd when WARM_IP_TARGET or MINIMUM_IP_TARGET is set, got 1"
    ]


def test_default_lab_has_no_cni_findings() -> None:
    assert _errors({}) == [] and _warnings({}) == []


# --- custom networking: a pod subnet in every AZ with nodes ------------------------------------
# The public config path always plans a pod subnet per lab AZ, so these cases call the rule with a
# real but shorter subnet plan (pod subnets in 2a and 2b only) put in place of the computed one.


def _with_pod_subnets_only_in(document: dict, zones: list[str]):
    from ekslab.network.subnets import plan_subnets

    config = parse_config({"network": {"podSubnets": {"enabled": True}}, **document}, source="lab.yaml")
    network = config.network
    plan = plan_subnets(
        vpc_cidr=network.vpc_cidr,
        availability_zones=zones,
        public_prefix_length=network.subnets.public_prefix_length,
        private_prefix_length=network.subnets.private_prefix_length,
        pod_cidr=network.pod_subnets.cidr,
        pod_prefix_length=network.pod_subnets.prefix_length,
    )
    return config.model_copy(update={"network": network.model_copy(update={"subnet_plan": plan})})


NODES_IN_2A_2B = {"nodeGroups": [{"availabilityZones": ["ap-northeast-2a", "ap-northeast-2b"]}]}


@pytest.mark.parametrize(
    ("document", "pod_subnet_zones", "messages"),
    [
        pytest.param(
            {},
            ["ap-northeast-2a", "ap-northeast-2b"],
            [
                "nodeGroups[0].availabilityZones: must only name AZs with a pod subnet: custom networking takes "
                "pod IPs from the ENIConfig subnet of the node's AZ, got 'ap-northeast-2c'"
            ],
            id="nodes-in-an-az-without-pod-subnet",  # the default group spans all three lab AZs
        ),
        pytest.param(
            NODES_IN_2A_2B, ["ap-northeast-2a", "ap-northeast-2b"], [], id="nodes-only-where-pod-subnets-are"
        ),
        pytest.param(
            {}, ["ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c"], [], id="pod-subnet-in-every-az"
        ),
    ],
)
def test_custom_networking_needs_a_pod_subnet_in_every_node_az(
    document: dict, pod_subnet_zones: list[str], messages: list[str]
) -> None:
    from ekslab.cni.rules import _pod_subnet_in_every_node_az
    from ekslab.config.findings import Findings

    # GIVEN a custom-networking lab whose subnet plan has pod subnets only in some AZs
    config = _with_pod_subnets_only_in(document, pod_subnet_zones)
    findings = Findings()
    # WHEN the rule checks it
    _pod_subnet_in_every_node_az(config, findings)
    # THEN each node AZ without a pod subnet is refused
    assert [str(error) for error in findings.errors] == messages


def test_cri_is_accepted_by_v1_12_but_warned_to_have_no_effect() -> None:
    # README @ v1.21.1: CNI >= v1.12.0 keeps IP state in /var/run/aws-node/ipam.json, not via the CRI socket.
    document = {
        "addons": {"vpcCni": {"version": "v1.12.0-eksbuild.1"}},
        "cni": {"cri": {"hostPath": {"path": "/var/run/containerd/containerd.sock"}}},
    }
    assert (_errors(document), _warnings(document)) == (
        [],
        [
            "cni.cri: has no effect: VPC CNI v1.12.0 and later keep IP allocations in /var/run/aws-node/ipam.json "
            "and do not read the container runtime socket"
        ],
    )


@pytest.mark.parametrize(
    ("extra_env", "message"),
    [
        pytest.param(
            [{"name": "WARM_IP_TARGET", "value": "5"}],
            "lab.yaml: cni.extraEnv[0].name: must not be a typed aws-node variable: set cni.env.WARM_IP_TARGET "
            "instead, got 'WARM_IP_TARGET'",
            id="typed-variable",  # the chart appends extraEnv after env: it would be set twice
        ),
        pytest.param(
            [{"name": "P", "value": "x", "valueFrom": {"fieldRef": {}}}],
            "lab.yaml: cni.extraEnv[0]: must have value or valueFrom, not both (Kubernetes EnvVar), got "
            "{'name': 'P', 'value': 'x', 'valueFrom': {'fieldRef': {}}}",
            id="value-and-value-from",
        ),
        pytest.param(
            [{"name": "PROXY", "value": 3128}],
            "lab.yaml: cni.extraEnv[0].value: must be a string, got 3128",
            id="non-string-value",  # container env values are strings
        ),
        pytest.param([{"value": "x"}], "lab.yaml: cni.extraEnv[0].name: is required", id="no-name"),
    ],
)
def test_malformed_extra_env_is_refused(extra_env: list, message: str) -> None:
    from ekslab.config.loader import ConfigError

    with pytest.raises(ConfigError) as refused:
        parse_config({"cni": {"extraEnv": extra_env}}, source="lab.yaml")
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("document", "where"),
    [
        ({"cni": {"env": {"WARM_ENI_TARGET": None}}}, "cni.env.WARM_ENI_TARGET"),
        (
            {"cni": {"init": {"env": {"DISABLE_TCP_EARLY_DEMUX": None}}}},
            "cni.init.env.DISABLE_TCP_EARLY_DEMUX",
        ),
    ],
    ids=["env", "init-env"],
)
def test_a_null_cni_variable_is_a_warning_naming_it(document: dict, where: str) -> None:
    # GIVEN `WARM_ENI_TARGET:` with nothing after it (YAML null)  THEN a warning says it reads as unset
    assert _warnings(document) == [
        f"{where}: is null (nothing after the colon, or null/~), which reads as not set: the CNI default "
        "applies; give a value or remove the line"
    ]


def test_a_cni_variable_left_out_is_no_warning() -> None:
    assert _warnings({"cni": {"env": {"WARM_IP_TARGET": 2, "MINIMUM_IP_TARGET": 4}}}) == []
