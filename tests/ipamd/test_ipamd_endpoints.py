"""/v1/pods, the env-settings endpoints and /v1/eni-configs of every CNI version (cni-facts.md §1.4-§1.7)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ekslab.ipamd import (
    EniConfigSpec,
    IpamdFormatError,
    IpamdPod,
    canonical_setting,
    parse_eni_configs,
    parse_env_settings,
    parse_pods,
    settings_endpoint,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ipamd"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def test_pods_v1_6_split_name_namespace_and_sandbox() -> None:
    # §1.4: key "<pod>_<namespace>_<sandbox>"; pod and namespace names cannot contain "_".
    pods = parse_pods(load("pods-v1.6.json"))
    assert pods is not None and pods[2] == IpamdPod(
        "deployment-2048-7df5f9886b-4kq9z",
        "game-2048",
        "1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d",
        "192.168.14.21",
        1,
    )


def test_pods_key_may_have_an_empty_sandbox() -> None:
    # §1.4: "cni-metrics-helper-6dcff5ddf4-v5l6d_kube-system_" (docs/troubleshooting.md).
    pods = parse_pods(load("pods-v1.6.json")) or []
    assert (pods[0].name, pods[0].namespace, pods[0].sandbox) == (
        "cni-metrics-helper-6dcff5ddf4-v5l6d",
        "kube-system",
        "",
    )


def test_pods_from_v1_7_is_the_root_answer_and_reads_as_not_served() -> None:
    # §1.2/§1.4: /v1/pods was removed in v1.7.0; the root handler answers AvailableCommands.
    assert parse_pods(load("pods-v1.7-root.json")) is None


def test_pods_key_without_namespace_is_refused() -> None:
    with pytest.raises(IpamdFormatError) as raised:
        parse_pods({"lonely": {"IP": "10.0.0.1", "DeviceNumber": 0}})
    assert raised.value.message == "lonely: must be a pod key '<name>_<namespace>_<sandbox>'"


def test_networkutils_settings_keep_ipamd_types() -> None:
    # §1.5: the real v1.6.x example.
    settings = parse_env_settings(load("networkutils-env-settings-v1.6.json"))
    assert (settings["AWS_VPC_K8S_CNI_CONNMARK"], settings["AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS"]) == (
        128,
        None,
    )


def test_ipamd_settings_by_version() -> None:
    # §1.6: v1.12.6 adds AWS_MANAGE_ENIS_NON_SCHEDULABLE, v1.18.0 ENABLE_SUBNET_DISCOVERY.
    assert (
        set(parse_env_settings(load("ipamd-env-settings-v1.18.json")))
        - set(parse_env_settings(load("ipamd-env-settings-v1.12.json")))
    ) == {"AWS_MANAGE_ENIS_NON_SCHEDULABLE", "ENABLE_SUBNET_DISCOVERY"}


def test_env_settings_must_be_an_object() -> None:
    with pytest.raises(IpamdFormatError):
        parse_env_settings(["WARM_IP_TARGET"])


# GIVEN a body that holds none of the settings either endpoint reports (§1.5, §1.6), or, for a named
# endpoint, the other endpoint's body WHEN parsed as settings THEN it is refused in one line.
@pytest.mark.parametrize(
    ("document", "endpoint", "message"),
    [
        (
            load("enis-g-v1.23.json"),
            None,
            "has none of the settings ipamd reports (e.g. AWS_VPC_K8S_CNI_EXTERNALSNAT, WARM_ENI_TARGET), "
            "so it is no /v1/networkutils-env-settings or /v1/ipamd-env-settings body, got ['0']",
        ),
        (
            {"apiVersion": "v1", "items": [], "kind": "List", "metadata": {}},
            "networkutils-env-settings",
            "has none of the settings ipamd reports (e.g. AWS_VPC_K8S_CNI_EXTERNALSNAT, WARM_ENI_TARGET), "
            "so it is no /v1/networkutils-env-settings or /v1/ipamd-env-settings body, "
            "got ['apiVersion', 'items', 'kind', 'metadata']",
        ),
        (
            {},
            "ipamd-env-settings",
            "has none of the settings ipamd reports (e.g. AWS_VPC_K8S_CNI_EXTERNALSNAT, WARM_ENI_TARGET), "
            "so it is no /v1/networkutils-env-settings or /v1/ipamd-env-settings body, got []",
        ),
        (
            load("ipamd-env-settings-v1.12.json"),
            "networkutils-env-settings",
            "is a /v1/ipamd-env-settings body, expected /v1/networkutils-env-settings, "
            "got ['AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG', 'WARM_ENI_TARGET', 'WARM_IP_TARGET']",
        ),
    ],
)
def test_a_body_that_is_no_settings_body_is_refused(
    document: Any, endpoint: str | None, message: str
) -> None:
    with pytest.raises(IpamdFormatError) as raised:
        parse_env_settings(document, endpoint=endpoint)
    assert raised.value.message == message


@pytest.mark.parametrize(
    ("fixture", "endpoint"),
    [
        ("networkutils-env-settings-v1.6.json", "networkutils-env-settings"),
        ("networkutils-env-settings-v1.23.json", "networkutils-env-settings"),
        ("ipamd-env-settings-v1.12.json", "ipamd-env-settings"),
        ("ipamd-env-settings-v1.18.json", "ipamd-env-settings"),
    ],
)
def test_each_settings_body_is_recognised_by_its_keys(fixture: str, endpoint: str) -> None:
    assert settings_endpoint(parse_env_settings(load(fixture), endpoint=endpoint)) == endpoint


@pytest.mark.parametrize(
    ("key", "env_value", "ipamd_value"),
    [
        ("AWS_VPC_K8S_CNI_EXTERNALSNAT", "True", True),  # strconv.ParseBool forms (§2.1)
        ("AWS_VPC_K8S_CNI_EXTERNALSNAT", "0", False),
        ("AWS_VPC_K8S_CNI_CONNMARK", "0x80", 128),  # strconv base 0 (§2.1)
        ("AWS_VPC_K8S_CNI_RANDOMIZESNAT", "prng", 2),  # int enum 0 none, 1 hashrandom, 2 prng (§1.5)
        ("AWS_VPC_K8S_CNI_RANDOMIZESNAT", "hashrandom", 1),
        ("AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS", "10.1.0.0/16, 10.0.0.0/8", ["10.0.0.0/8", "10.1.0.0/16"]),
        ("AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS", "", None),
        # From v1.12.6 ipamd reports the CIDRs normalised (§1.5): host bits cleared.
        ("AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS", "10.1.2.3/16", ["10.1.0.0/16"]),
        ("AWS_VPC_ENI_MTU", "9001", 9001),
        ("WARM_IP_TARGET", " 5", 5),
        ("ADDITIONAL_ENI_TAGS", '{"b": "2", "a": "1"}', {"a": "1", "b": "2"}),
        ("AWS_VPC_K8S_CNI_LOGLEVEL", "debug", "DEBUG"),
    ],
)
def test_env_string_and_ipamd_value_of_the_same_meaning_compare_equal(
    key: str, env_value: str, ipamd_value: Any
) -> None:
    assert canonical_setting(key, env_value) == canonical_setting(key, ipamd_value)


@pytest.mark.parametrize(
    ("key", "first", "second"),
    [
        ("AWS_VPC_K8S_CNI_EXTERNALSNAT", "true", False),
        ("AWS_VPC_K8S_CNI_RANDOMIZESNAT", "none", 2),
        ("WARM_IP_TARGET", "5", 0),
        ("AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS", "10.0.0.0/8", ["10.0.0.0/8", "10.1.0.0/16"]),
        ("WARM_IP_TARGET", "five", 5),  # unparsable text stays itself and differs
        # An enum value no CNI version defines keeps its number (it used to raise KeyError).
        ("AWS_VPC_K8S_CNI_RANDOMIZESNAT", "prng", 5),
        ("AWS_VPC_K8S_CNI_RANDOMIZESNAT", "none", -1),
        ("AWS_VPC_K8S_CNI_RANDOMIZESNAT", "5", 2),
    ],
)
def test_different_meanings_compare_unequal(key: str, first: Any, second: Any) -> None:
    assert canonical_setting(key, first) != canonical_setting(key, second)


@pytest.mark.parametrize(
    ("key", "value", "canonical"),
    [
        ("AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS", None, ""),  # a Go nil list: no CIDR at all (§1.5)
        ("AWS_VPC_K8S_CNI_VETHPREFIX", None, ""),
        ("AWS_VPC_ENI_MTU", None, "null"),  # no number: null, unlike an empty env value
        ("AWS_VPC_K8S_CNI_EXTERNALSNAT", None, "null"),
    ],
)
def test_a_null_setting_is_empty_only_for_lists_and_text(key: str, value: Any, canonical: str) -> None:
    assert canonical_setting(key, value) == canonical


@pytest.mark.parametrize(("value", "kept"), [(5, "5"), (-1, "-1"), (3, "3")])
def test_snat_enum_value_no_version_defines_keeps_its_number(value: int, kept: str) -> None:
    # §1.5 defines 0 none, 1 hashrandom, 2 prng; anything else is shown as served, not a crash.
    assert canonical_setting("AWS_VPC_K8S_CNI_RANDOMIZESNAT", value) == kept


def test_eni_configs_v1_8_is_the_bare_name() -> None:
    # §1.7: from v1.8.0 the body is a JSON string.
    assert parse_eni_configs(load("eni-configs-v1.8.json")).name == "us-west-2a"


def test_eni_configs_v1_7_object_carries_keys_and_specs() -> None:
    # §1.7: ENIConfigInfo{ENI, MyENI, EniConfigAnnotationDef, EniConfigLabelDef}.
    config = parse_eni_configs(load("eni-configs-v1.7.json"))
    assert (config.name, config.annotation_def, config.label_def, dict(config.configs)) == (
        "us-west-2a",
        "k8s.amazonaws.com/eniConfig",
        "topology.kubernetes.io/zone",
        {"us-west-2a": EniConfigSpec("subnet-0f9e8d7c6b5a4f3e2", ("sg-0c1d2e3f4a5b6c7d8",))},
    )


def test_eni_configs_pr_287_example_with_no_configs() -> None:
    # §1.7, real example from PR #287.
    config = parse_eni_configs(
        {
            "ENI": {},
            "MyENI": "default",
            "EniConfigAnnotationDef": "k8s.amazonaws.com/eniConfig",
            "EniConfigLabelDef": "k8s.amazonaws.com/eniConfig",
        }
    )
    assert (config.name, dict(config.configs)) == ("default", {})


def test_eni_configs_of_another_shape_is_refused() -> None:
    with pytest.raises(IpamdFormatError) as raised:
        parse_eni_configs({"AvailableCommands": []})
    assert "must be an ENIConfig name" in raised.value.message
