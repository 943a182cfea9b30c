"""Integers past Python's 4300-digit conversion limit, and NaN/Infinity, are one line in YAML and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.hostile.conftest import assert_one_line_refusal, ekslab

HUGE = "9" * 5_000


def test_huge_yaml_integer_is_one_line_naming_its_line(tmp_path: Path) -> None:
    path = tmp_path / "lab.yaml"
    path.write_text(f"cni:\n  env:\n    WARM_IP_TARGET: {HUGE}\n")
    outcome = ekslab("config", "check", str(path))
    assert_one_line_refusal(
        outcome,
        f"ekslab: error: {path}: line 3: has a value YAML reads as int but Python cannot build (Exceeds the limit "
        "(4300 digits) for integer string conversion: value has 5000 digits; use sys.set_int_max_str_digits() "
        "to increase the limit)",
    )


@pytest.mark.parametrize(
    ("document", "old", "new"),
    [
        # any field of any item: the decoder refuses the number before a record is made of the item
        ("pods.json", '"podIP": "10.11.17.11"', f'"podIP": "10.11.17.11", "restartCount": {HUGE}'),
        ("network-interfaces.json", '"DeviceIndex": 0', f'"DeviceIndex": {HUGE}'),
    ],
    ids=["restartCount", "DeviceIndex"],
)
def test_huge_json_integer_in_a_bundle_document_is_one_line(
    bundle: Path, document: str, old: str, new: str
) -> None:
    text = json.dumps(json.loads((bundle / document).read_text()), indent=1)
    assert old in text
    (bundle / document).write_text(text.replace(old, new, 1))
    outcome = ekslab("verify", "--bundle", str(bundle), "-o", "json")
    assert "Traceback" not in outcome.stderr
    assert outcome.code == 2
    assert len(outcome.lines) == 1
    assert "has an integer of more than 4300 digits; expected" in outcome.lines[0]
    assert outcome.lines[0].startswith(f"ekslab: error: {bundle / document} line ")


@pytest.mark.parametrize("body", [f'{{"TotalIPs": {HUGE}, "ENIs": {{}}}}', '{"TotalIPs": NaN, "ENIs": {}}'])
def test_huge_or_nan_ipamd_counter_is_one_line(tmp_path: Path, body: str) -> None:
    path = tmp_path / "enis.json"
    path.write_text(body)
    outcome = ekslab("ipamd", "enis", "--file", str(path))
    problem = (
        "has NaN, which is not a JSON number" if "NaN" in body else "has an integer of more than 4300 digits"
    )
    assert_one_line_refusal(
        outcome, f"ekslab: error: {path} line 1 column 1: {problem}, expected ipamd's /v1/enis body"
    )


def test_huge_cni_version_option_is_refused_by_its_pattern() -> None:
    outcome = ekslab("plan", "max-pods", "-t", "m5.large", "--cni-version", "1." + HUGE)
    assert "Traceback" not in outcome.stderr
    assert outcome.code == 2
    assert outcome.lines[0].startswith(
        "ekslab: error: ekslab plan max-pods: Invalid value for '--cni-version': must be a VPC CNI version such "
        "as 1.20.1 or v1.20.1-eksbuild.3, got '1.999"
    )
    assert len(outcome.lines) == 1
