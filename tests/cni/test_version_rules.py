"""Kubernetes and add-on version rules: missing pins refused, extended support warned, CNI release facts."""

from __future__ import annotations

import datetime as dt

import pytest

from ekslab.cni import rules
from ekslab.cni.versions import missing_versions, support_window, unpinned_addons
from ekslab.config.loader import parse_config
from ekslab.lab import check as lab_check
from ekslab.lab import check_lab

ALL_OVERRIDES = {
    "vpcCni": {"version": "v1.23.1-eksbuild.1"},
    "kubeProxy": {"version": "v1.37.0-eksbuild.1"},
    "coreDns": {"version": "v1.14.7-eksbuild.1"},
    "podIdentityAgent": {"version": "v1.4.0-eksbuild.2"},
}


@pytest.fixture(autouse=True)
def _fresh_findings() -> None:
    # check_lab keeps findings per configuration content; these tests change "today" under it.
    lab_check._checked.clear()


def _findings(document: dict):
    return check_lab(parse_config(document, source="lab.yaml"), capacity=False)


def _messages(findings, where: str) -> list[str]:
    return [finding.message for finding in findings if finding.where == where]


def test_kubernetes_1_37_is_refused_naming_every_missing_pin() -> None:
    # GIVEN Kubernetes 1.37, for which no source gave add-on versions (the data says so)
    # WHEN the lab is checked
    findings = _findings({"cluster": {"kubernetesVersion": "1.37"}})
    # THEN one error names what is missing and how to fill it
    assert _messages(findings.errors, "cluster.kubernetesVersion") == [
        "cluster.kubernetesVersion: cannot be deployed yet: no source was found for the vpc-cni, kube-proxy, "
        "coredns, eks-pod-identity-agent add-on version of Kubernetes 1.37 (ekslab/cni/data/addon-versions.json); "
        "run `ekslab addons refresh --region R --kubernetes-version 1.37` or set addons.vpcCni.version, "
        "addons.kubeProxy.version, addons.coreDns.version, addons.podIdentityAgent.version, got '1.37'"
    ]


def test_kubernetes_1_37_is_accepted_when_every_addon_version_is_set() -> None:
    # GIVEN 1.37 with every add-on version given in the config
    config = parse_config(
        {"cluster": {"kubernetesVersion": "1.37"}, "addons": ALL_OVERRIDES}, source="lab.yaml"
    )
    # WHEN it is checked
    findings = check_lab(config, capacity=False)
    # THEN nothing is missing and no error is about the version
    assert missing_versions(config) == ()
    assert _messages(findings.errors, "cluster.kubernetesVersion") == []


def test_the_pin_file_records_1_37_as_not_found_and_pins_1_34_to_1_36() -> None:
    assert unpinned_addons("1.37") == ("vpc-cni", "kube-proxy", "coredns", "eks-pod-identity-agent")
    assert [unpinned_addons(version) for version in ("1.34", "1.35", "1.36")] == [(), (), ()]
    assert support_window("1.37").end_of_standard_support is None


def test_a_version_past_standard_support_warns_with_the_date(monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN today is the day 1.34 leaves standard support (AWS calendar: 2026-12-02)
    monkeypatch.setattr(rules, "_today", lambda: dt.date(2026, 12, 2))
    # WHEN a 1.34 lab is checked
    findings = _findings({"cluster": {"kubernetesVersion": "1.34"}})
    # THEN one warning gives the date and the cost, and nothing is refused
    assert _messages(findings.warnings, "cluster.kubernetesVersion") == [
        "cluster.kubernetesVersion: is in EKS extended support since 2026-12-02 (end of standard support) until "
        "2027-12-02: the cluster is billed at the extended-support rate; choose a newer version, got '1.34'"
    ]
    assert findings.errors == []


def test_a_version_in_standard_support_does_not_warn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rules, "_today", lambda: dt.date(2026, 12, 1))
    findings = _findings({"cluster": {"kubernetesVersion": "1.34"}})
    assert _messages(findings.warnings, "cluster.kubernetesVersion") == []


def test_vpc_cni_v1_21_0_is_refused_with_network_policy() -> None:
    # GIVEN the v1.21.0 add-on with network policy on
    findings = _findings(
        {"cni": {"enableNetworkPolicy": True}, "addons": {"vpcCni": {"version": "v1.21.0-eksbuild.4"}}}
    )
    # THEN the defective agent is named
    assert _messages(findings.errors, "addons.vpcCni.version") == [
        "addons.vpcCni.version: must not be a v1.21.0 build with cni.enableNetworkPolicy: true: its network policy "
        "agent blocked traffic that policies allowed (aws/amazon-vpc-cni-k8s#3553, fixed in v1.21.1), "
        "got 'v1.21.0-eksbuild.4'"
    ]


def test_vpc_cni_v1_21_0_without_network_policy_is_not_refused() -> None:
    findings = _findings({"addons": {"vpcCni": {"version": "v1.21.0-eksbuild.4"}}})
    assert _messages(findings.errors, "addons.vpcCni.version") == []


def test_vpc_cni_v1_23_warns_about_the_agent_pairing() -> None:
    findings = _findings({"addons": {"vpcCni": {"version": "v1.23.1-eksbuild.1"}}})
    assert _messages(findings.warnings, "addons.vpcCni.version") == [
        "addons.vpcCni.version: is a VPC CNI v1.23 build: ipamd serves the network policy agent on a unix socket, "
        "so the agent must be v1.4.1 (the add-on ships the pair); do not mix it with a self-managed older agent, "
        "and check the agent version before rolling the add-on back below v1.23, got 'v1.23.1-eksbuild.1'"
    ]


def test_the_pinned_vpc_cni_v1_22_does_not_warn() -> None:
    findings = _findings({})
    assert _messages(findings.warnings, "addons.vpcCni.version") == []
