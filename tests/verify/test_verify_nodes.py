"""Per-node checks (ENIs, ipamd, ENIConfig), custom networking's wrong_subnet, and configuration drift."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ekslab.sources.bundle import read_bundle
from ekslab.verify.checks import Expectations, verify
from ekslab.verify.drift import ADDON_DEFAULTS, differences
from ekslab.verify.results import CheckResult, NodeResult, Report
from tests.verify.cluster_docs import (
    NO_EXPECTATIONS,
    NODE_A,
    NODE_B,
    ClusterDocs,
    baseline,
    daemonset,
    eni,
    enis_body,
    exit_code_without_convergence,
    run,
    verdict,
)


def node_result(report: Report, name: str) -> NodeResult:
    return next(item for item in report.nodes if item.name == name)


def check(report: Report, node: str, name: str) -> CheckResult:
    return next(item for item in node_result(report, node).checks if item.check == name)


# --- ipamd reachable / parsable --------------------------------------------------------------------


def test_empty_enis_json_alone_gives_exit_3(tmp_path: Path) -> None:
    docs = baseline()
    assert docs.ipamd is not None
    docs.ipamd[NODE_B]["enis"] = ""
    report = run(docs, tmp_path)
    assert (check(report, NODE_B, "ipamd").result, report.summary()["failed"], report.exit_code()) == (
        "unverified",
        0,
        3,
    )


def test_unparsable_enis_json_names_the_file_and_problem(tmp_path: Path) -> None:
    docs = baseline()
    assert docs.ipamd is not None
    docs.ipamd[NODE_B]["enis"] = '{"0": {"ENIs": '
    detail = check(run(docs, tmp_path), NODE_B, "ipamd").detail
    assert detail.startswith("not verifiable: ") and f"ipamd/{NODE_B}/enis.json line 1 column 16: " in detail


def test_no_ipamd_folder_at_all_is_checked_from_ec2_alone(tmp_path: Path) -> None:
    docs = baseline()
    docs.ipamd = None
    report = run(docs, tmp_path)
    assert (check(report, NODE_A, "ipamd").result, report.exit_code()) == ("not_checked", 0)


def test_a_node_without_its_folder_is_checked_from_ec2_alone(tmp_path: Path) -> None:
    docs = baseline()
    assert docs.ipamd is not None
    del docs.ipamd[NODE_B]
    report = run(docs, tmp_path)
    assert (
        check(report, NODE_B, "ipamd").result,
        check(report, NODE_A, "ipamd").result,
        report.exit_code(),
    ) == ("not_checked", "pass", 0)


def test_ipamd_check_reports_the_format_era(tmp_path: Path) -> None:
    assert node_result(run(baseline(), tmp_path), NODE_A).ipamd_format == "G"


def test_node_enis_are_listed_with_device_numbers(tmp_path: Path) -> None:
    enis = node_result(run(baseline(), tmp_path), NODE_A).enis
    assert [(item.eni_id, item.device, item.kind) for item in enis] == [
        ("eni-0a00000000000000a", 0, "primary"),
        ("eni-0a00000000000001a", 1, "secondary"),
    ]


def test_node_without_any_eni_in_the_data_is_unverified(tmp_path: Path) -> None:
    docs = baseline()
    docs.enis = [item for item in docs.enis if item["NetworkInterfaceId"] != "eni-0b00000000000000b"]
    report = run(docs, tmp_path)
    assert (check(report, NODE_B, "enis").result, report.exit_code()) == ("unverified", 3)


def test_ipamd_folder_of_an_unknown_node_is_noted_and_ignored(tmp_path: Path) -> None:
    docs = baseline()
    assert docs.ipamd is not None
    docs.ipamd["ip-10-0-99-9.us-west-2.compute.internal"] = {"enis": "{}"}
    report = run(docs, tmp_path)
    assert (report.exit_code(), len(report.notes)) == (0, 1) and "no node of that name" in report.notes[0]


# --- custom networking: wrong_subnet ---------------------------------------------------------------


CUSTOM_NETWORKING = Expectations(
    aws_node_env={
        "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": "true",
        "ENI_CONFIG_LABEL_DEF": "topology.kubernetes.io/zone",
    },
    init_env={},
)
"""What a lab with network.podSubnets asks for (ekslab.cni.render.toolkit_env): its DaemonSet matches."""


def custom_networking(
    label_def: str | None = "topology.kubernetes.io/zone", annotation_def: str | None = None
) -> ClusterDocs:
    """Pods on ENIs in the pod subnets 100.64.0.0/19 (AZ a) and 100.64.32.0/19 (AZ b)."""
    docs = baseline()
    docs.eniconfigs = [
        {
            "apiVersion": "crd.k8s.amazonaws.com/v1alpha1",
            "kind": "ENIConfig",
            "metadata": {"name": zone},
            "spec": {"subnet": subnet, "securityGroups": ["sg-0aa11bb22cc33dd44"]},
        }
        for zone, subnet in (("us-west-2a", "subnet-pods-a"), ("us-west-2b", "subnet-pods-b"))
    ]
    env = {"AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": "true"}
    if label_def:
        env["ENI_CONFIG_LABEL_DEF"] = label_def
    if annotation_def:
        env["ENI_CONFIG_ANNOTATION_DEF"] = annotation_def
    docs.daemonset = daemonset(env)
    docs.enis.append(
        eni(
            "eni-0a0000000000000pa",
            instance_id="i-0aaaaaaaaaaaaaaa1",
            device=2,
            primary_ip="100.64.0.10",
            secondary=("100.64.0.11",),
            subnet="subnet-pods-a",
        )
    )
    docs.enis.append(
        eni(
            "eni-0b0000000000000pb",
            instance_id="i-0bbbbbbbbbbbbbbb2",
            device=1,
            primary_ip="100.64.32.10",
            prefixes=("100.64.32.16/28",),
            subnet="subnet-pods-b",
        )
    )
    docs.find_pod("web-1")["status"]["podIP"] = "100.64.0.11"
    docs.find_pod("api-1")["status"]["podIP"] = "100.64.32.17"
    docs.find_pod("web-2")["status"]["phase"] = "Succeeded"
    docs.find_pod("api-2")["status"]["phase"] = "Succeeded"
    docs.ipamd = None
    return docs


def test_custom_networking_pods_in_their_eniconfig_subnet_pass(tmp_path: Path) -> None:
    report = run(custom_networking(), tmp_path, CUSTOM_NETWORKING)
    assert (verdict(report, "web-1"), verdict(report, "api-1"), exit_code_without_convergence(report)) == (
        ("pass", ()),
        ("pass", ()),
        0,
    )


def test_pod_outside_its_eniconfig_subnet_is_wrong_subnet(tmp_path: Path) -> None:
    docs = custom_networking()
    docs.find_pod("web-2")["status"]["phase"] = "Running"  # 10.0.1.21: node A's ENI, but not the pod subnet
    assert verdict(run(docs, tmp_path), "web-2") == ("fail", ("wrong_subnet",))


def test_pod_in_the_other_azs_pod_subnet_is_wrong_subnet(tmp_path: Path) -> None:
    docs = custom_networking()
    docs.find_eni("eni-0a0000000000000pa")["PrivateIpAddresses"].append(
        {"Primary": False, "PrivateIpAddress": "100.64.32.99"}
    )
    docs.find_pod("web-1")["status"]["podIP"] = "100.64.32.99"
    assert verdict(run(docs, tmp_path), "web-1") == ("fail", ("wrong_subnet",))


def test_node_annotation_beats_its_label(tmp_path: Path) -> None:
    # cni-facts.md §1.7: annotation ENI_CONFIG_ANNOTATION_DEF, then label ENI_CONFIG_LABEL_DEF.
    docs = custom_networking()
    docs.nodes[0]["metadata"]["annotations"]["k8s.amazonaws.com/eniConfig"] = "us-west-2b"
    report = run(docs, tmp_path)
    assert (
        check(report, NODE_A, "eniconfig").detail.startswith("ENIConfig 'us-west-2b'"),
        verdict(report, "web-1"),
    ) == (True, ("fail", ("wrong_subnet",)))


def test_external_eniconfig_label_beats_the_annotation(tmp_path: Path) -> None:
    # cni-facts.md §1.7: label vpc.amazonaws.com/externalEniConfig comes first.
    docs = custom_networking()
    docs.nodes[0]["metadata"]["annotations"]["k8s.amazonaws.com/eniConfig"] = "us-west-2b"
    docs.nodes[0]["metadata"]["labels"]["vpc.amazonaws.com/externalEniConfig"] = "us-west-2a"
    assert verdict(run(docs, tmp_path), "web-1") == ("pass", ())


def test_annotation_key_named_in_the_daemonset_selects_the_eniconfig(tmp_path: Path) -> None:
    # cni-facts.md §1.7: ipamd reads the annotation named by ENI_CONFIG_ANNOTATION_DEF before the label.
    # GIVEN aws-node with a custom annotation key, and node A annotated under it with AZ b's ENIConfig
    docs = custom_networking(annotation_def="example.com/eni-config")
    docs.nodes[0]["metadata"]["annotations"]["example.com/eni-config"] = "us-west-2b"
    # WHEN verified
    report = run(docs, tmp_path)
    # THEN AZ b's ENIConfig applies, so web-1 in AZ a's pod subnet is in the wrong subnet
    assert (check(report, NODE_A, "eniconfig").detail, verdict(report, "web-1")) == (
        "ENIConfig 'us-west-2b': pod subnet subnet-pods-b (100.64.32.0/19)",
        ("fail", ("wrong_subnet",)),
    )


def test_label_key_reported_by_ipamd_selects_the_eniconfig(tmp_path: Path) -> None:
    # cni-facts.md §1.7: /v1/eni-configs of CNI v1.4-v1.7 carries EniConfigLabelDef, ipamd's own
    # ENI_CONFIG_LABEL_DEF; without the DaemonSet in the bundle, it names the label to read.
    # GIVEN no DaemonSet, and node A's ipamd selecting ENIConfigs by the zone label
    docs = custom_networking(label_def=None)
    docs.daemonset = None
    docs.ipamd = {
        NODE_A: {
            "eni-configs": json.dumps(
                {
                    "ENI": {},
                    "MyENI": "us-west-2a",
                    "EniConfigAnnotationDef": "k8s.amazonaws.com/eniConfig",
                    "EniConfigLabelDef": "topology.kubernetes.io/zone",
                }
            )
        }
    }
    # WHEN verified
    report = run(docs, tmp_path)
    # THEN node A's zone label names its ENIConfig
    assert check(report, NODE_A, "eniconfig").detail == (
        "ENIConfig 'us-west-2a': pod subnet subnet-pods-a (100.64.0.0/19)"
    )


def test_without_label_or_annotation_the_default_eniconfig_applies(tmp_path: Path) -> None:
    docs = custom_networking(label_def=None)  # default label key k8s.amazonaws.com/eniConfig is not set
    assert docs.eniconfigs is not None
    docs.eniconfigs[0]["metadata"]["name"] = "default"
    report = run(docs, tmp_path)
    assert check(report, NODE_A, "eniconfig").detail.startswith(
        "ENIConfig 'default': pod subnet subnet-pods-a"
    )


def test_eniconfig_named_by_the_node_but_missing_is_unverified(tmp_path: Path) -> None:
    docs = custom_networking()
    docs.nodes[0]["metadata"]["labels"]["topology.kubernetes.io/zone"] = "us-west-2c"
    report = run(docs, tmp_path, CUSTOM_NETWORKING)
    assert (check(report, NODE_A, "eniconfig").result, exit_code_without_convergence(report)) == (
        "unverified",
        3,
    )


def test_custom_networking_off_in_the_daemonset_skips_the_subnet_check(tmp_path: Path) -> None:
    docs = custom_networking()
    assert docs.daemonset is not None
    docs.daemonset["spec"]["template"]["spec"]["containers"][0]["env"][0]["value"] = "false"
    docs.find_pod("web-2")["status"]["phase"] = "Running"
    assert verdict(run(docs, tmp_path), "web-2") == ("pass", ())


def test_ipamd_env_settings_of_the_node_decide_custom_networking(tmp_path: Path) -> None:
    docs = custom_networking()
    docs.find_pod("web-2")["status"]["phase"] = "Running"
    docs.ipamd = {
        NODE_A: {
            "enis": json.dumps(
                enis_body(
                    {
                        "eni-0a00000000000001a": {
                            "device": 1,
                            "cidrs": {"10.0.1.21/32": {"10.0.1.21": ("default", "web-2")}},
                        },
                        "eni-0a0000000000000pa": {
                            "device": 2,
                            "cidrs": {"100.64.0.11/32": {"100.64.0.11": ("default", "web-1")}},
                        },
                    }
                )
            ),
            "ipamd-env-settings": json.dumps(
                {"AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": False, "WARM_ENI_TARGET": 1, "WARM_IP_TARGET": 0}
            ),
        }
    }
    assert verdict(run(docs, tmp_path), "web-2") == ("pass", ())


# --- drift -----------------------------------------------------------------------------------------

WANTED = {
    "ENABLE_PREFIX_DELEGATION": "true",
    "WARM_PREFIX_TARGET": "1",
    "AWS_VPC_K8S_CNI_EXTERNALSNAT": "false",
}


@pytest.mark.parametrize(
    ("actual", "only_reported", "found"),
    [
        (
            {
                "ENABLE_PREFIX_DELEGATION": "True",
                "WARM_PREFIX_TARGET": "1",
                "AWS_VPC_K8S_CNI_EXTERNALSNAT": "0",
            },
            False,
            [],
        ),
        (
            {
                "ENABLE_PREFIX_DELEGATION": "false",
                "WARM_PREFIX_TARGET": "1",
                "AWS_VPC_K8S_CNI_EXTERNALSNAT": "false",
            },
            False,
            [("ENABLE_PREFIX_DELEGATION", "true", "false")],
        ),
        (
            {"ENABLE_PREFIX_DELEGATION": "true", "AWS_VPC_K8S_CNI_EXTERNALSNAT": "false"},
            False,
            [("WARM_PREFIX_TARGET", "1", "(unset)")],
        ),
        ({"AWS_VPC_K8S_CNI_EXTERNALSNAT": True}, True, [("AWS_VPC_K8S_CNI_EXTERNALSNAT", "false", "true")]),
        ({"AWS_VPC_K8S_CNI_EXTERNALSNAT": False}, True, []),
    ],
)
def test_differences_compare_by_meaning(
    actual: dict[str, object], only_reported: bool, found: list[tuple[str, str, str]]
) -> None:
    result = differences(WANTED, actual, source="s", only_reported=only_reported)
    assert [(item["key"], item["wanted"], item["actual"]) for item in result] == found


def test_daemonset_drift_lists_each_key_with_wanted_and_actual(tmp_path: Path) -> None:
    docs = baseline()
    docs.daemonset = daemonset({"ENABLE_PREFIX_DELEGATION": "false", "WARM_PREFIX_TARGET": "1"})
    report = run(docs, tmp_path, Expectations(aws_node_env=WANTED, init_env={}))
    drift = report.cluster[0]
    assert (drift.result, drift.differences, report.exit_code()) == (
        "fail",
        [
            {
                "key": "AWS_VPC_K8S_CNI_EXTERNALSNAT",
                "wanted": "false",
                "actual": "(unset)",
                "source": "daemonset/aws-node",
                "basis": "configuration",
            },
            {
                "key": "ENABLE_PREFIX_DELEGATION",
                "wanted": "true",
                "actual": "false",
                "source": "daemonset/aws-node",
                "basis": "configuration",
            },
        ],
        1,
    )


def test_daemonset_init_container_env_is_compared(tmp_path: Path) -> None:
    docs = baseline()
    docs.daemonset = daemonset({}, init_env={"DISABLE_TCP_EARLY_DEMUX": "false"})
    report = run(docs, tmp_path, Expectations(aws_node_env={}, init_env={"DISABLE_TCP_EARLY_DEMUX": "true"}))
    assert [(item["key"], item["source"]) for item in report.cluster[0].differences] == [
        ("DISABLE_TCP_EARLY_DEMUX", "daemonset/aws-vpc-cni-init")
    ]


def test_matching_daemonset_passes(tmp_path: Path) -> None:
    docs = baseline()
    docs.daemonset = daemonset(dict(WANTED))
    report = run(docs, tmp_path, Expectations(aws_node_env=WANTED, init_env={}))
    assert (report.cluster[0].result, exit_code_without_convergence(report)) == ("pass", 0)


def test_drift_without_running_settings_is_not_checked_and_keeps_exit_0(tmp_path: Path) -> None:
    report = run(baseline(), tmp_path, Expectations(aws_node_env=WANTED, init_env={}))
    assert (report.cluster[0].result, check(report, NODE_A, "drift").result, report.exit_code()) == (
        "not_checked",
        "not_checked",
        0,
    )


def test_node_drift_from_networkutils_settings(tmp_path: Path) -> None:
    # cni-facts.md §1.5: networkutils reports EXTERNALSNAT as a bool.
    docs = baseline()
    assert docs.ipamd is not None
    docs.ipamd[NODE_A]["networkutils-env-settings"] = json.dumps(
        {"AWS_VPC_K8S_CNI_EXTERNALSNAT": True, "AWS_VPC_K8S_CNI_RANDOMIZESNAT": 2, "AWS_VPC_ENI_MTU": 9001}
    )
    report = run(docs, tmp_path, Expectations(aws_node_env=WANTED, init_env={}))
    drift = check(report, NODE_A, "drift")
    assert (drift.result, drift.differences, report.exit_code()) == (
        "fail",
        [
            {
                "key": "AWS_VPC_K8S_CNI_EXTERNALSNAT",
                "wanted": "false",
                "actual": "true",
                "source": "networkutils-env-settings",
                "basis": "configuration",
            }
        ],
        1,
    )


def test_node_drift_ignores_settings_ipamd_does_not_report(tmp_path: Path) -> None:
    # cni-facts.md §1.6: ENABLE_PREFIX_DELEGATION and WARM_PREFIX_TARGET are never in ipamd-env-settings,
    # so only the add-on default of custom networking (which it reports) is compared.
    docs = baseline()
    assert docs.ipamd is not None
    docs.ipamd[NODE_A]["ipamd-env-settings"] = json.dumps(
        {"WARM_ENI_TARGET": 1, "WARM_IP_TARGET": 0, "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": False}
    )
    report = run(docs, tmp_path, Expectations(aws_node_env=WANTED, init_env={}))
    drift = check(report, NODE_A, "drift")
    assert (drift.result, drift.detail) == (
        "pass",
        "1 reported settings match: AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG",
    )


def test_node_drift_of_settings_the_configuration_neither_sets_nor_defaults_is_not_checked(
    tmp_path: Path,
) -> None:
    docs = baseline()
    assert docs.ipamd is not None
    docs.ipamd[NODE_A]["ipamd-env-settings"] = json.dumps({"WARM_ENI_TARGET": 1, "WARM_IP_TARGET": 0})
    report = run(docs, tmp_path, Expectations(aws_node_env=WANTED, init_env={}))
    assert check(report, NODE_A, "drift").result == "not_checked"


# --- drift: add-on defaults of the settings the lab leaves unset -----------------------------------

ALL_DEFAULTS = "(0 configured, 5 add-on defaults)"


# GIVEN the default lab, which sets no CNI setting, and a DaemonSet that changes where pod IPs come
# from WHEN verified THEN each such key drifts from its add-on default (cni-facts.md §2.1, §2.2).
@pytest.mark.parametrize(
    ("env", "found"),
    [
        ({"ENABLE_PREFIX_DELEGATION": "true"}, [("ENABLE_PREFIX_DELEGATION", "false", "true")]),
        (
            {"AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": "True", "ENABLE_POD_ENI": "1"},
            [("AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG", "false", "True"), ("ENABLE_POD_ENI", "false", "1")],
        ),
        (
            {"ENABLE_IPv4": "false", "ENABLE_IPv6": "true"},
            [("ENABLE_IPv4", "true", "false"), ("ENABLE_IPv6", "false", "true")],
        ),
    ],
)
def test_default_lab_drifts_when_the_daemonset_leaves_an_addon_default(
    tmp_path: Path, env: dict[str, str], found: list[tuple[str, str, str]]
) -> None:
    docs = baseline()
    docs.daemonset = daemonset(env)
    report = run(docs, tmp_path)
    drift = report.cluster[0]
    assert (
        drift.result,
        drift.detail,
        [(item["key"], item["wanted"], item["actual"], item["basis"]) for item in drift.differences],
        report.exit_code(),
    ) == (
        "fail",
        f"{len(found)} of 5 settings differ {ALL_DEFAULTS}",
        [(*item, "add-on default") for item in found],
        1,
    )


# GIVEN a DaemonSet that runs the defaults, by saying so or by leaving the keys out (the CNI's code
# default is the same, §2.1), and sets keys whose default is not certain or that change no address
# (WARM_PREFIX_TARGET: 0 in code, 1 in the chart; the proxy transport's INTROSPECTION_BIND_ADDRESS)
@pytest.mark.parametrize(
    "env",
    [
        {},
        {
            "ENABLE_PREFIX_DELEGATION": "false",
            "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": "false",
            "ENABLE_POD_ENI": "false",
            "ENABLE_IPv4": "true",
            "ENABLE_IPv6": "false",
        },
        {"WARM_PREFIX_TARGET": "3", "INTROSPECTION_BIND_ADDRESS": "0.0.0.0:61679", "WARM_ENI_TARGET": "2"},
    ],
)
def test_daemonset_running_the_addon_defaults_passes(tmp_path: Path, env: dict[str, str]) -> None:
    docs = baseline()
    docs.daemonset = daemonset(env)
    drift = run(docs, tmp_path).cluster[0]
    assert (drift.result, drift.detail) == ("pass", f"all 5 settings match {ALL_DEFAULTS}")


def test_a_configured_key_is_wanted_instead_of_its_default(tmp_path: Path) -> None:
    docs = baseline()
    docs.daemonset = daemonset({"ENABLE_PREFIX_DELEGATION": "true", "WARM_PREFIX_TARGET": "1"})
    wanted = Expectations(
        aws_node_env={"ENABLE_PREFIX_DELEGATION": "true", "WARM_PREFIX_TARGET": "1"}, init_env={}
    )
    drift = run(docs, tmp_path, wanted).cluster[0]
    assert (drift.result, drift.detail) == ("pass", "all 6 settings match (2 configured, 4 add-on defaults)")


def test_nothing_to_compare_is_not_checked_never_a_pass(tmp_path: Path) -> None:
    # GIVEN a lab that sets nothing and a DaemonSet whose defaulted keys all come from valueFrom
    docs = baseline()
    docs.daemonset = daemonset({})
    container = docs.daemonset["spec"]["template"]["spec"]["containers"][0]
    container["env"] = [
        {"name": key, "valueFrom": {"configMapKeyRef": {"name": "cni", "key": key}}} for key in ADDON_DEFAULTS
    ]
    drift = run(docs, tmp_path).cluster[0]
    assert (drift.result, drift.detail) == (
        "not_checked",
        "no setting to compare: the lab sets none and every add-on default is set by valueFrom",
    )


def test_node_drift_compares_reported_custom_networking_with_its_default(tmp_path: Path) -> None:
    # cni-facts.md §1.6: ipamd-env-settings reports AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG.
    docs = baseline()
    assert docs.ipamd is not None
    docs.ipamd[NODE_A]["ipamd-env-settings"] = json.dumps(
        {"WARM_ENI_TARGET": 1, "WARM_IP_TARGET": 0, "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": True}
    )
    report = run(docs, tmp_path)
    drift = check(report, NODE_A, "drift")
    assert (drift.result, drift.differences, report.exit_code()) == (
        "fail",
        [
            {
                "key": "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG",
                "wanted": "false",
                "actual": "true",
                "source": "ipamd-env-settings",
                "basis": "add-on default",
            }
        ],
        1,
    )


# --- ipamd bodies that are there but hold no usable data -------------------------------------------


# GIVEN node B's enis.json lists no ENI at all WHEN verified THEN node B's ipamd is unverified (exit 3)
# and its pods are not failed for ipamd_mismatch: a node always has at least its primary ENI.
@pytest.mark.parametrize("body", ["{}", '{"0": {"TotalIPs": 0, "AssignedIPs": 0, "ENIs": {}}}'])
def test_enis_body_without_any_eni_leaves_the_node_unverified(tmp_path: Path, body: str) -> None:
    docs = baseline()
    assert docs.ipamd is not None
    docs.ipamd[NODE_B]["enis"] = body
    report = run(docs, tmp_path)
    where = tmp_path / "bundle" / "ipamd" / NODE_B / "enis.json"
    problem = (
        "is an empty JSON object, not ipamd's ENI datastore"
        if body == "{}"
        else "lists no ENI, but a node always has at least its primary ENI (ipamd may still be "
        "starting); the node's pods cannot be cross-checked"
    )
    assert (
        check(report, NODE_B, "ipamd").result,
        check(report, NODE_B, "ipamd").detail,
        verdict(report, "api-1"),
        report.exit_code(),
    ) == ("unverified", f"not verifiable: {where}: {problem}", ("pass", ()), 3)


# GIVEN node A's networkutils-env-settings.json holds another document WHEN verified THEN its drift
# check says so (unverified, exit 3) instead of comparing nothing and passing.
@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (
            json.dumps(enis_body({})),
            "has none of the settings ipamd reports (e.g. AWS_VPC_K8S_CNI_EXTERNALSNAT, WARM_ENI_TARGET), "
            "so it is no /v1/networkutils-env-settings or /v1/ipamd-env-settings body, got ['0']",
        ),
        (
            json.dumps({"WARM_ENI_TARGET": 1, "WARM_IP_TARGET": 0}),
            "is a /v1/ipamd-env-settings body, expected /v1/networkutils-env-settings, "
            "got ['WARM_ENI_TARGET', 'WARM_IP_TARGET']",
        ),
    ],
)
def test_settings_file_holding_another_body_makes_node_drift_unverified(
    tmp_path: Path, body: str, problem: str
) -> None:
    docs = baseline()
    assert docs.ipamd is not None
    docs.ipamd[NODE_A]["networkutils-env-settings"] = body
    report = run(docs, tmp_path, Expectations(aws_node_env=WANTED, init_env={}))
    where = tmp_path / "bundle" / "ipamd" / NODE_A / "networkutils-env-settings.json"
    drift = check(report, NODE_A, "drift")
    assert (drift.result, drift.detail, report.exit_code()) == (
        "unverified",
        f"not verifiable: {where}: {problem}",
        3,
    )


@pytest.mark.parametrize(
    ("results", "verdict"),
    [
        (["pass", "unverified", "fail"], "fail"),  # a failure outranks what could not be verified
        (["unverified", "pass"], "unverified"),
        (["pass", "not_checked"], "pass"),
        (["not_checked"], "not_checked"),
    ],
)
def test_a_node_is_as_bad_as_its_worst_check(results: list[str], verdict: str) -> None:
    node = NodeResult(
        NODE_A, "i-0aaaaaaaaaaaaaaa1", "ec2", checks=[CheckResult(f"c{n}", r) for n, r in enumerate(results)]
    )
    assert node.result == verdict


def test_a_node_whose_introspection_could_not_be_fetched_says_why(tmp_path: Path) -> None:
    # GIVEN `ekslab collect` could not reach node B's ipamd: its folder holds only fetch-error.txt
    docs = baseline()
    assert docs.ipamd is not None
    docs.ipamd[NODE_B] = {}
    bundle = docs.write(tmp_path / "bundle")
    (bundle / "ipamd" / NODE_B / "fetch-error.txt").write_text("connection refused\n")
    # WHEN verified
    report = verify(read_bundle(bundle), NO_EXPECTATIONS)
    # THEN node B's ipamd check is unverified with the reason collect recorded
    assert (check(report, NODE_B, "ipamd").result, check(report, NODE_B, "ipamd").detail) == (
        "unverified",
        f"not verifiable: {bundle}/ipamd/{NODE_B}: introspection could not be fetched (connection refused)",
    )
