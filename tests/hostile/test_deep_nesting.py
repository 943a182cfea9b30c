"""Deeply nested YAML and JSON end in one line instead of a RecursionError, in every reader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ekslab.config.yamldoc import MAX_YAML_DEPTH
from tests.hostile.conftest import assert_one_line_refusal, ekslab

DEEP_JSON_RULE = (
    "nests arrays or objects deeper than the JSON reader can follow (about 1000 levels; Kubernetes and EC2 "
    "documents nest fewer than 30)"
)


@pytest.mark.parametrize(
    "text",
    [
        "lab: " + "[" * 900 + "]" * 900 + "\n",
        "lab: " + "{a: " * 600 + "1" + "}" * 600 + "\n",
        "".join("  " * level + "a:\n" for level in range(600)) + "  " * 600 + "b: 1\n",
    ],
    ids=["flow-lists", "flow-mappings", "block-mappings"],
)
def test_deep_yaml_is_refused_at_the_depth_limit(tmp_path: Path, text: str) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(text)
    outcome = ekslab("config", "check", str(path))
    line = 64 if text.startswith("  ") or text.startswith("a:") else 1
    assert_one_line_refusal(
        outcome,
        f"ekslab: error: {path}: line {line}: nests sequences or mappings more than {MAX_YAML_DEPTH} levels deep",
    )


DEEP_ARRAY = "[" * 100_000 + "]" * 100_000
DEEP_OBJECT = '{"a":' * 100_000 + "1" + "}" * 100_000


@pytest.mark.parametrize(
    ("document", "text"),
    [
        ("pods.json", '{"kind": "PodList", "items": [' + DEEP_ARRAY + "]}"),  # an item
        ("pods.json", '{"metadata": ' + DEEP_OBJECT + ', "items": []}'),  # a header member
        ("nodes.json", '{"items": [' + DEEP_OBJECT + "]}"),
        ("network-interfaces.json", '{"NetworkInterfaces": [' + DEEP_ARRAY + "]}"),
        ("eniconfigs.json", '{"items": [' + DEEP_ARRAY + "]}"),
    ],
    ids=["pods-item", "pods-header", "nodes", "enis", "eniconfigs"],
)
def test_deep_json_list_document_is_one_line_with_its_position(
    bundle: Path, document: str, text: str
) -> None:
    # GIVEN a list document with one value nested 100,000 deep  THEN one line at that value's column
    (bundle / document).write_text(text)
    column = next(text.find(deep) for deep in (DEEP_ARRAY, DEEP_OBJECT) if deep in text) + 1
    outcome = ekslab("verify", "--bundle", str(bundle), "-o", "json")
    assert_one_line_refusal(
        outcome,
        f"ekslab: error: {bundle / document} line 1 column {column}: {DEEP_JSON_RULE}; expected "
        + _expected(document),
    )


def _expected(document: str) -> str:
    from ekslab.sources.bundle import BUNDLE_FILES

    (spec,) = [spec for spec in BUNDLE_FILES if spec.path == document]
    return spec.expected


def test_deep_daemonset_is_one_line(bundle: Path) -> None:
    (bundle / "aws-node-daemonset.json").write_text('{"kind": "DaemonSet", "spec": ' + DEEP_OBJECT + "}")
    outcome = ekslab("verify", "--bundle", str(bundle), "-o", "json")
    assert_one_line_refusal(
        outcome,
        f"ekslab: error: {bundle / 'aws-node-daemonset.json'} line 1 column 1: {DEEP_JSON_RULE}, expected "
        + _expected("aws-node-daemonset.json"),
    )


def test_deep_ipamd_body_is_one_line(tmp_path: Path) -> None:
    body = tmp_path / "enis.json"
    body.write_text(DEEP_OBJECT)
    outcome = ekslab("ipamd", "enis", "--file", str(body))
    assert_one_line_refusal(
        outcome, f"ekslab: error: {body} line 1 column 1: {DEEP_JSON_RULE}, expected ipamd's /v1/enis body"
    )


def test_deep_pod_eni_annotation_is_a_pod_failure_not_a_crash(bundle: Path) -> None:
    # GIVEN a pod whose security-groups-for-pods annotation is JSON nested 100,000 deep
    pods = json.loads((bundle / "pods.json").read_text())
    pods["items"][0]["metadata"].setdefault("annotations", {})["vpc.amazonaws.com/pod-eni"] = DEEP_ARRAY
    (bundle / "pods.json").write_text(json.dumps(pods))
    # WHEN verified  THEN the report says the annotation cannot be read, and nothing crashes
    outcome = ekslab("verify", "--bundle", str(bundle), "-o", "json")
    assert "Traceback" not in outcome.stderr
    assert outcome.code == 1
    assert (
        "annotation vpc.amazonaws.com/pod-eni is not valid JSON (nests arrays or objects deeper"
        in outcome.stdout
    )
