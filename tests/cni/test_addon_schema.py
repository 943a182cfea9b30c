"""Keys the pinned vpc-cni add-on version does not accept are refused before deploy.

Schemas: ekslab/cni/data/addon-schemas (v1.12.0 from the EKS user guide, v1.15.1 from the AWS CLI
reference), sources in ekslab/cni/data/SOURCES.md; cni-facts.md §2.3.
"""

from __future__ import annotations

import pytest

from ekslab.cni.schema import schema_for
from ekslab.cni.versions import addon_versions, pinned_version
from ekslab.config import check_lab, default_config
from ekslab.config.loader import parse_config

V1_12 = {"addons": {"vpcCni": {"version": "v1.12.0-eksbuild.1"}}}
V1_15 = {"addons": {"vpcCni": {"version": "v1.15.1-eksbuild.1"}}}


def _messages(document: dict) -> tuple[list[str], list[str]]:
    findings = check_lab(parse_config(document, source="lab.yaml"), capacity=False)
    return (
        [e.message for e in findings.errors],
        [w.message for w in findings.warnings if not w.where.startswith("cluster.")],
    )


REFUSED = (
    "is not accepted by the vpc-cni add-on {v}: its configuration schema has no such key; remove it or set "
    "addons.vpcCni.version to a version that has it"
)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param(
            {**V1_12, "cni": {"env": {"WARM_IP_TARGET": 5}}},
            "cni.env.WARM_IP_TARGET: " + REFUSED.format(v="v1.12.0-eksbuild.1"),
            id="warm-ip-target-not-in-v1.12",
        ),
        pytest.param(
            {**V1_12, "cni": {"enableNetworkPolicy": True}},
            "cni.enableNetworkPolicy: " + REFUSED.format(v="v1.12.0-eksbuild.1"),
            id="network-policy-not-in-v1.12",
        ),
        pytest.param(
            {**V1_12, "cni": {"init": {"env": {"DISABLE_TCP_EARLY_DEMUX": True}}}},
            "cni.init.env.DISABLE_TCP_EARLY_DEMUX: " + REFUSED.format(v="v1.12.0-eksbuild.1"),
            id="no-init-section-in-v1.12",
        ),
        pytest.param(
            {**V1_15, "cni": {"env": {"POD_MTU": 1500}}},
            "cni.env.POD_MTU: " + REFUSED.format(v="v1.15.1-eksbuild.1"),
            id="pod-mtu-not-in-v1.15",
        ),
        pytest.param(
            {"cni": {"env": {"AWS_VPC_K8S_CNI_CONFIGURE_RPFILTER": False}}},
            "cni.env.AWS_VPC_K8S_CNI_CONFIGURE_RPFILTER: " + REFUSED.format(v="v1.21.1-eksbuild.7"),
            id="removed-key-refused-in-newer-versions",
        ),
        pytest.param(
            {
                "addons": {"vpcCni": {"version": "v1.16.0-eksbuild.1"}},
                "cni": {"env": {"ENABLE_MULTI_NIC": True}},
            },
            "cni.env.ENABLE_MULTI_NIC: " + REFUSED.format(v="v1.16.0-eksbuild.1"),
            id="key-newer-than-the-cni-release",
        ),  # ENABLE_MULTI_NIC: v1.20.0+ (cni-facts.md §2.1)
        pytest.param(
            {"addons": {"vpcCni": {"version": "v1.10.0-eksbuild.1"}}},
            "addons.vpcCni.version: must be v1.12.0-eksbuild.1 or newer (the oldest add-on schema the toolkit "
            "knows), got 'v1.10.0-eksbuild.1'",
            id="older-than-every-schema",
        ),
    ],
)
def test_key_the_add_on_version_lacks_is_refused(document: dict, message: str) -> None:
    errors, _ = _messages(document)
    assert errors == [message]


def test_key_newer_than_every_shipped_schema_is_a_warning_not_a_refusal() -> None:
    # v1.21.1 has no shipped schema; ENABLE_MULTI_NIC (CNI v1.20.0+) may or may not be in it.
    errors, warnings = _messages({"cni": {"env": {"ENABLE_MULTI_NIC": True}}})
    assert errors == [] and warnings == [
        "cni.env.ENABLE_MULTI_NIC: cannot be confirmed for the vpc-cni add-on v1.21.1-eksbuild.7: the newest add-on "
        "schema the toolkit has is v1.15.1-eksbuild.1 (the variable appeared in CNI v1.20.0); EKS rejects the add-on "
        "at deploy if the real schema lacks it"
    ]


def test_documented_later_keys_are_accepted_for_newer_versions() -> None:
    # NETWORK_POLICY_ENFORCING_MODE is in the v1.18.6-eksbuild.1 schema (cni-facts.md §2.3).
    assert _messages({"cni": {"env": {"NETWORK_POLICY_ENFORCING_MODE": "strict"}}}) == ([], [])


def test_every_v1_15_env_key_is_typed_in_the_model() -> None:
    from ekslab.cni.settings import CniEnv

    assert schema_for("v1.15.1-eksbuild.1").env_keys <= set(CniEnv.model_fields)


def test_exact_schema_validates_the_rendered_document() -> None:
    # Custom networking renders eniConfig, which the v1.15.1 schema requires to have create/region/subnets.
    errors, _ = _messages({**V1_15, "network": {"podSubnets": {"enabled": True}}})
    assert errors == []


def test_default_lab_pins_every_add_on_for_its_kubernetes_version() -> None:
    assert addon_versions(default_config()) == {
        "vpc-cni": "v1.21.1-eksbuild.7",
        "kube-proxy": "v1.36.0-eksbuild.14",
        "coredns": "v1.14.3-eksbuild.3",
        "eks-pod-identity-agent": "v1.3.9-eksbuild.1",
    }


@pytest.mark.parametrize("kubernetes", ["1.34", "1.35", "1.36"])
@pytest.mark.parametrize("addon", ["vpc-cni", "kube-proxy", "coredns", "eks-pod-identity-agent"])
def test_every_supported_kubernetes_version_has_a_sourced_pin(kubernetes: str, addon: str) -> None:
    pin = pinned_version(addon, kubernetes)
    assert pin.version.startswith("v") and pin.source.startswith("https://")


def test_config_override_wins_over_the_pin() -> None:
    config = parse_config({"addons": {"vpcCni": {"version": "v1.20.4-eksbuild.2"}}})
    assert addon_versions(config)["vpc-cni"] == "v1.20.4-eksbuild.2"
