"""Keys the pinned vpc-cni add-on version does not accept are refused before deploy.

Schemas: ekslab/cni/data/addon-schemas (v1.12.0 from the EKS user guide, v1.15.1 from the AWS CLI
reference), sources in ekslab/cni/data/SOURCES.md; cni-facts.md §2.3.
"""

from __future__ import annotations

import pytest

from ekslab.cni.schema import schema_for, validate_against_schema
from ekslab.cni.versions import addon_versions, pinned_version
from ekslab.config import default_config
from ekslab.config.loader import parse_config
from ekslab.lab import check_lab

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
            "cni.env.AWS_VPC_K8S_CNI_CONFIGURE_RPFILTER: " + REFUSED.format(v="v1.22.4-eksbuild.3"),
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
        # Top-level keys of the v1.18.6-eksbuild.1 schema that the exact v1.15.1-eksbuild.1 schema lacks
        # (cni-facts.md §2.3; ekslab/cni/data/addon-schemas/vpc-cni-v1.15.1-eksbuild.1.json).
        pytest.param(
            {**V1_15, "cni": {"enableWindowsPrefixDelegation": True}},
            "cni.enableWindowsPrefixDelegation: " + REFUSED.format(v="v1.15.1-eksbuild.1"),
            id="windows-prefix-delegation-not-in-v1.15",
        ),
        pytest.param(
            {**V1_15, "cni": {"minimumWindowsIPTarget": 3}},
            "cni.minimumWindowsIPTarget: " + REFUSED.format(v="v1.15.1-eksbuild.1"),
            id="minimum-windows-ip-target-not-in-v1.15",
        ),
        pytest.param(
            {**V1_15, "cni": {"extraEnv": [{"name": "HTTPS_PROXY", "value": "http://proxy:3128"}]}},
            "cni.extraEnv: " + REFUSED.format(v="v1.15.1-eksbuild.1"),
            id="extra-env-not-in-v1.15",
        ),
        pytest.param(
            {**V1_12, "cni": {"extraEnv": [{"name": "HTTPS_PROXY", "value": "http://proxy:3128"}]}},
            "cni.extraEnv: " + REFUSED.format(v="v1.12.0-eksbuild.1"),
            id="extra-env-not-in-v1.12",
        ),
        # cri is only in the v1.12.0-eksbuild.1 schema: refused by v1.15.1 and by the pinned default.
        pytest.param(
            {**V1_15, "cni": {"cri": {"hostPath": {"path": "/var/run/containerd/containerd.sock"}}}},
            "cni.cri: " + REFUSED.format(v="v1.15.1-eksbuild.1"),
            id="cri-not-in-v1.15",
        ),
        pytest.param(
            {"cni": {"cri": {"hostPath": {"path": "/var/run/containerd/containerd.sock"}}}},
            "cni.cri: " + REFUSED.format(v="v1.22.4-eksbuild.3"),
            id="cri-removed-before-the-pinned-version",
        ),
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
        "cni.env.ENABLE_MULTI_NIC: cannot be confirmed for the vpc-cni add-on v1.22.4-eksbuild.3: the newest add-on "
        "schema the toolkit has is v1.15.1-eksbuild.1 (the variable appeared in CNI v1.20.0); EKS rejects the add-on "
        "at deploy if the real schema lacks it"
    ]


def test_top_level_keys_of_v1_18_6_are_accepted_by_the_pinned_version() -> None:
    # GIVEN the pinned add-on (v1.22.4-eksbuild.3, newer than the v1.18.6-eksbuild.1 schema that lists them)
    document = {
        "cni": {
            "enableWindowsIpam": True,
            "enableWindowsPrefixDelegation": True,
            "minimumWindowsIPTarget": 3,
            "extraEnv": [{"name": "HTTPS_PROXY", "value": "http://proxy:3128"}],
        }
    }
    # WHEN the lab is checked  THEN nothing is refused or doubted
    assert _messages(document) == ([], [])


def test_top_level_key_between_shipped_schemas_is_a_warning() -> None:
    # v1.16.0 is newer than the v1.15.1 schema and older than the v1.18.6 one that lists extraEnv.
    document = {
        "addons": {"vpcCni": {"version": "v1.16.0-eksbuild.1"}},
        "cni": {"extraEnv": [{"name": "HTTPS_PROXY", "value": "http://proxy:3128"}]},
    }
    assert _messages(document) == (
        [],
        [
            "cni.extraEnv: cannot be confirmed for the vpc-cni add-on v1.16.0-eksbuild.1: the newest add-on "
            "schema the toolkit has is v1.15.1-eksbuild.1; EKS rejects the add-on at deploy if the real schema "
            "lacks it"
        ],
    )


def test_documented_later_keys_are_accepted_for_newer_versions() -> None:
    # NETWORK_POLICY_ENFORCING_MODE is in the v1.18.6-eksbuild.1 schema (cni-facts.md §2.3).
    assert _messages({"cni": {"env": {"NETWORK_POLICY_ENFORCING_MODE": "strict"}}}) == ([], [])


def test_every_v1_15_env_key_is_typed_in_the_model() -> None:
    from ekslab.config.cni import CniEnv

    assert schema_for("v1.15.1-eksbuild.1").env_keys <= set(CniEnv.model_fields)


def test_exact_schema_validates_the_rendered_document() -> None:
    # Custom networking renders eniConfig, which the v1.15.1 schema requires to have create/region/subnets.
    errors, _ = _messages({**V1_15, "network": {"podSubnets": {"enabled": True}}})
    assert errors == []


@pytest.mark.parametrize(
    ("version", "document", "problems"),
    [
        pytest.param(
            "v1.15.1-eksbuild.1",
            {"env": {"WARM_IP_TARGET": 5}},
            ["env.WARM_IP_TARGET: 5 is not of type 'string'"],
            id="env-value-not-a-string",  # env values are strings with a format (cni-facts.md §2.3)
        ),
        pytest.param(
            "v1.15.1-eksbuild.1",
            {"imagePullPolicy": "Always"},
            ["(top level): Additional properties are not allowed ('imagePullPolicy' was unexpected)"],
            id="unknown-top-level-key",  # additionalProperties: false; no imagePullPolicy (#3059)
        ),
        pytest.param(
            "v1.15.1-eksbuild.1",
            {"eniConfig": {"create": True, "subnets": {"ap-northeast-2a": {"id": "subnet-1"}}}},
            ["eniConfig: 'region' is a required property"],
            id="eniconfig-without-region",  # EniConfig requires create, region, subnets
        ),
        pytest.param(
            "v1.12.0-eksbuild.1",
            {"cri": {"hostPath": {"path": 1}}},
            ["cri.hostPath.path: 1 is not of type 'string'"],
            id="cri-path-not-a-string",
        ),
        pytest.param(
            "v1.12.0-eksbuild.1",
            {"cri": {"hostPath": {"path": "/var/run/containerd/containerd.sock"}}},
            [],
            id="valid-cri",
        ),
    ],
)
def test_exact_schema_refuses_an_invalid_document(version: str, document: dict, problems: list[str]) -> None:
    # GIVEN an add-on version with a verbatim schema  WHEN a document is checked against it
    # THEN each violation is reported as "path: message"
    assert validate_against_schema(document, schema_for(version)) == problems


def test_default_lab_pins_every_add_on_for_its_kubernetes_version() -> None:
    assert addon_versions(default_config()) == {
        "vpc-cni": "v1.22.4-eksbuild.3",
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
