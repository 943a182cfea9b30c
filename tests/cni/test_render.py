"""The add-on's configurationValues and the expected aws-node env, for each example lab."""

from __future__ import annotations

from pathlib import Path

import pytest

from ekslab.cni.render import EniConfigSubnet, configuration_values, expected_aws_node_env, expected_init_env
from ekslab.config import default_config
from ekslab.config.loader import parse_config
from ekslab.lab import load_config

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_default_example_is_the_default_lab() -> None:
    assert load_config(EXAMPLES / "default.yaml") == default_config()


def test_default_lab_sends_no_configuration_values() -> None:
    # The add-on's own defaults apply: nothing to override.
    assert configuration_values(default_config()) == {}


def test_prefix_delegation_example_renders_env_strings() -> None:
    # The add-on schema wants strings: "format": "boolean" / "integer" with "type": "string" (cni-facts.md §2.3).
    assert configuration_values(load_config(EXAMPLES / "prefix-delegation.yaml")) == {
        "env": {"ENABLE_PREFIX_DELEGATION": "true", "WARM_PREFIX_TARGET": "1"},
    }


def test_security_groups_for_pods_example_puts_early_demux_on_the_init_container() -> None:
    assert configuration_values(load_config(EXAMPLES / "security-groups-for-pods.yaml")) == {
        "env": {"ENABLE_POD_ENI": "true", "POD_SECURITY_GROUP_ENFORCING_MODE": "standard"},
        "init": {"env": {"DISABLE_TCP_EARLY_DEMUX": "true"}},
    }


def test_network_policy_example_renders_top_level_keys() -> None:
    assert configuration_values(load_config(EXAMPLES / "network-policy.yaml")) == {
        "env": {"NETWORK_POLICY_ENFORCING_MODE": "standard"},
        "enableNetworkPolicy": "true",
        "nodeAgent": {"enablePolicyEventLogs": "true"},
    }


def test_custom_networking_example_creates_one_eniconfig_per_az() -> None:
    config = load_config(EXAMPLES / "custom-networking.yaml")
    subnets = {
        zone: EniConfigSubnet(f"subnet-{zone[-1]}", ["sg-pods"]) for zone in config.network.availability_zones
    }
    assert configuration_values(config, eni_configs=subnets) == {
        "env": {
            "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": "true",
            "ENI_CONFIG_LABEL_DEF": "topology.kubernetes.io/zone",
        },
        "eniConfig": {
            "create": True,
            "region": "ap-northeast-2",
            "subnets": {
                "ap-northeast-2a": {"id": "subnet-a", "securityGroups": ["sg-pods"]},
                "ap-northeast-2b": {"id": "subnet-b", "securityGroups": ["sg-pods"]},
                "ap-northeast-2c": {"id": "subnet-c", "securityGroups": ["sg-pods"]},
            },
        },
    }


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"WARM_IP_TARGET": "5"}, {"WARM_IP_TARGET": "5"}),  # strings as in the AWS docs are accepted
        (
            {"AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS": ["10.0.0.0/8", "172.16.0.0/12"]},
            {"AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS": "10.0.0.0/8,172.16.0.0/12"},
        ),
        (
            {"AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS": "10.0.0.0/8, 172.16.0.0/12"},
            {"AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS": "10.0.0.0/8,172.16.0.0/12"},
        ),
        (
            {"ADDITIONAL_ENI_TAGS": {"team": "net", "cost": "lab"}},
            {"ADDITIONAL_ENI_TAGS": '{"cost":"lab","team":"net"}'},
        ),
        ({"AWS_VPC_K8S_CNI_LOGLEVEL": "info"}, {"AWS_VPC_K8S_CNI_LOGLEVEL": "INFO"}),
        ({"AWS_VPC_K8S_CNI_EXTERNALSNAT": "True"}, {"AWS_VPC_K8S_CNI_EXTERNALSNAT": "true"}),
    ],
    ids=["int-as-string", "cidr-list", "cidr-comma-string", "tags-mapping", "log-level-case", "bool-string"],
)
def test_env_values_are_encoded_as_the_add_on_expects(env: dict, expected: dict) -> None:
    assert expected_aws_node_env(parse_config({"cni": {"env": env}})) == expected


def test_init_env_is_separate_from_the_main_container() -> None:
    config = parse_config(
        {"cni": {"env": {"ENABLE_V6_EGRESS": True}, "init": {"env": {"ENABLE_V6_EGRESS": True}}}}
    )
    assert (expected_aws_node_env(config), expected_init_env(config)) == (
        {"ENABLE_V6_EGRESS": "true"},
        {"ENABLE_V6_EGRESS": "true"},
    )


@pytest.mark.parametrize(
    ("cni", "expected"),
    [
        pytest.param(
            {"enableWindowsIpam": True, "enableWindowsPrefixDelegation": True},
            {"enableWindowsIpam": "true", "enableWindowsPrefixDelegation": "true"},
            id="windows-prefix-delegation-boolean-string",  # a boolean string, like enableWindowsIpam
        ),
        pytest.param(
            {"minimumWindowsIPTarget": 3},
            {"minimumWindowsIPTarget": 3},
            id="minimum-windows-ip-target-integer",  # a plain integer in the add-on, like the chart's 3
        ),
        pytest.param(
            {
                "env": {"WARM_IP_TARGET": 5},
                "extraEnv": [
                    {"name": "HTTPS_PROXY", "value": "http://proxy:3128"},
                    {
                        "name": "NO_PROXY",
                        "valueFrom": {"configMapKeyRef": {"name": "proxy", "key": "no-proxy"}},
                    },
                ],
            },
            {
                "env": {"WARM_IP_TARGET": "5"},
                "extraEnv": [
                    {"name": "HTTPS_PROXY", "value": "http://proxy:3128"},
                    {
                        "name": "NO_PROXY",
                        "valueFrom": {"configMapKeyRef": {"name": "proxy", "key": "no-proxy"}},
                    },
                ],
            },
            id="extra-env-beside-env",  # a list of Kubernetes EnvVars, not folded into env
        ),
        pytest.param(
            {"cri": {"hostPath": {"path": "/var/run/containerd/containerd.sock"}}},
            {"cri": {"hostPath": {"path": "/var/run/containerd/containerd.sock"}}},
            id="cri-host-path",  # v1.12.0-eksbuild.1 schema: cri{hostPath{path}}
        ),
        pytest.param({"cri": {}}, {}, id="empty-cri-omitted"),
    ],
)
def test_top_level_settings_render_as_the_add_on_schema_types_them(cni: dict, expected: dict) -> None:
    assert configuration_values(parse_config({"cni": cni})) == expected
