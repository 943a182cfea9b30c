"""The toolkit's EKS policy rules (cdk-nag's EKS rules do not see aws_eks_v2 clusters, cdk-notes.md):
their findings, what an acknowledgement with a reason silences, and the endpoint's CIDRs."""

from __future__ import annotations

from typing import Any

import pytest

from ekslab.config import default_config
from ekslab.config.findings import Findings
from ekslab.config.loader import ConfigError, parse_config
from ekslab.config.validation import POLICY_RULE_SET
from ekslab.lab import check_lab

PUBLIC_ENDPOINT_OPEN = (
    "cluster.publicAccessCidrs: lets the whole internet reach the public API endpoint; narrow it to your "
    "addresses (e.g. 203.0.113.10/32) or set cluster.endpointAccess to private, got ['0.0.0.0/0'] "
    "(rule public-endpoint-open; to accept it add {rule: public-endpoint-open, reason: ...} to acknowledge)"
)
FIRING: dict[str, dict[str, Any]] = {
    "public-endpoint-open": {},  # the default lab: 0.0.0.0/0
    "control-plane-logging-off": {"cluster": {"logging": ["api"]}},
    "secrets-encryption-off": {"cluster": {"secretsEncryption": False}},
}
"""A lab that trips each rule (the default lab trips public-endpoint-open only)."""


def _findings(document: dict[str, Any]) -> Findings:
    return check_lab(parse_config(document), capacity=False)


def _messages(findings: Findings) -> list[str]:
    return [item.message for item in (*findings.errors, *findings.warnings)]


def test_every_rule_has_a_firing_lab_here() -> None:
    assert set(FIRING) == {rule.id for rule in POLICY_RULE_SET}


def test_open_public_endpoint_is_a_warning_with_the_exact_text() -> None:
    # GIVEN the default lab (public and private endpoint, 0.0.0.0/0)  WHEN checked
    findings = check_lab(default_config(), capacity=False)
    # THEN a warning, not an error, naming the rule and how to accept it
    assert (findings.errors, [warning.message for warning in findings.warnings]) == (
        [],
        [PUBLIC_ENDPOINT_OPEN],
    )


@pytest.mark.parametrize(
    "document",
    [
        {"cluster": {"publicAccessCidrs": ["203.0.113.10/32"]}},
        {"cluster": {"endpointAccess": "private"}},
    ],
    ids=["narrowed", "private-endpoint"],
)
def test_narrowed_or_private_endpoint_is_not_reported(document: dict[str, Any]) -> None:
    assert _messages(_findings(document)) == []


@pytest.mark.parametrize("rule_id", list(FIRING))
def test_acknowledgement_with_a_reason_silences_the_rule(rule_id: str) -> None:
    # GIVEN a lab that trips the rule
    document = FIRING[rule_id]
    assert any(f"rule {rule_id};" in message for message in _messages(_findings(document)))
    # WHEN the rule is acknowledged with a reason
    acknowledged = {**document, "acknowledge": [{"rule": rule_id, "reason": "short-lived lab, no real data"}]}
    # THEN the finding is gone, and nothing else is reported in its place
    assert [message for message in _messages(_findings(acknowledged)) if f"rule {rule_id};" in message] == []
    assert not _findings(acknowledged).errors


def test_acknowledging_one_rule_leaves_the_others() -> None:
    document = {
        "cluster": {"secretsEncryption": False},
        "acknowledge": [{"rule": "public-endpoint-open", "reason": "workshop account, torn down daily"}],
    }
    assert [error.where for error in _findings(document).errors] == ["cluster.secretsEncryption"]


@pytest.mark.parametrize(
    ("reason", "given"),
    [("short", "'short'"), (" " * 12, "' '"), ("   todo     ", "'   todo     '")],
    ids=["too-short", "blank", "short-once-trimmed"],
)
def test_acknowledgement_without_a_real_reason_is_refused(reason: str, given: str) -> None:
    # GIVEN an acknowledgement whose reason has under 10 characters besides surrounding spaces
    document = {"acknowledge": [{"rule": "public-endpoint-open", "reason": reason}]}
    with pytest.raises(ConfigError) as caught:
        parse_config(document, source="lab.yaml")
    # THEN it is refused (the value is shown on one line, runs of spaces collapsed)
    assert caught.value.message == (
        f"lab.yaml: acknowledge[0].reason: must be at least 10 characters, got {' '.join(given.split())}"
    )


# --- endpoint CIDRs --------------------------------------------------------------------------------


def test_public_endpoint_without_cidrs_is_refused() -> None:
    # GIVEN publicAndPrivate (the default) with no CIDR  THEN refused: CloudFormation would get PublicAccessCidrs []
    assert [error.message for error in _findings({"cluster": {"publicAccessCidrs": []}}).errors] == [
        "cluster.publicAccessCidrs: must list at least one CIDR when cluster.endpointAccess is publicAndPrivate; "
        "for no public endpoint set cluster.endpointAccess to private, got []"
    ]


def test_private_endpoint_needs_no_cidrs() -> None:
    assert _messages(_findings({"cluster": {"endpointAccess": "private", "publicAccessCidrs": []}})) == []
