"""YAML keys that are sequences or mappings are refused in one line, not a TypeError."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.conftest import assert_one_line_refusal, ekslab


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("? [a, b]\n: c\n", "sequence"),
        ("{a: 1}: b\n", "mapping"),
        ("lab:\n  tags:\n    ? {x: 1}\n    : y\n", "mapping"),
    ],
    ids=["sequence-key", "mapping-key", "nested-mapping-key"],
)
def test_unhashable_key_is_one_line(tmp_path: Path, text: str, kind: str) -> None:
    path = tmp_path / "lab.yaml"
    path.write_text(text)
    line = text.count("\n", 0, text.index("?" if "?" in text else "{")) + 1
    outcome = ekslab("config", "check", str(path))
    assert_one_line_refusal(
        outcome,
        f"ekslab: error: {path}: line {line}: has a {kind} as a key; keys must be names, numbers or true/false",
    )


def test_duplicate_key_is_still_one_line(tmp_path: Path) -> None:
    path = tmp_path / "lab.yaml"
    path.write_text("lab:\n  name: a\n  name: b\n")
    outcome = ekslab("config", "check", str(path))
    assert_one_line_refusal(outcome, f"ekslab: error: {path}: line 3: duplicate key, got 'name'")
