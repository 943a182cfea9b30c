"""YAML alias bombs ("billion laughs") are refused before any object is built, by every command that
reads a lab file: config check/show, verify --config/--expect-config, azs --config, plan capacity."""

from __future__ import annotations

from pathlib import Path

import pytest

from ekslab.config.yamldoc import MAX_YAML_ALIASES, MAX_YAML_VALUES
from tests.hostile.conftest import WORKSHOP_BUNDLE, assert_one_line_refusal, ekslab


def billion_laughs(levels: int = 9) -> str:
    """9 values, each level nine aliases of the one before: 9**9 (387 million) strings once expanded."""
    lines = ["lab:", "  name: demo", "  tags:", "    l1: &l1 [" + ", ".join(["lol"] * 9) + "]"]
    for level in range(2, levels + 1):
        lines.append(f"    l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


@pytest.fixture
def bomb(tmp_path: Path) -> Path:
    path = tmp_path / "bomb.yaml"
    path.write_text(billion_laughs())
    return path


REFUSAL = f"line 10: stands for more than {MAX_YAML_VALUES} values once its aliases (*name) are expanded"


@pytest.mark.parametrize(
    "command",
    [
        ["config", "show", "{file}"],
        ["verify", "--bundle", str(WORKSHOP_BUNDLE), "--config", "{file}"],
        ["verify", "--bundle", str(WORKSHOP_BUNDLE), "--expect-config", "{file}"],
        ["azs", "--config", "{file}"],
        ["plan", "capacity", "--config", "{file}"],
    ],
    ids=["config-show", "verify-config", "verify-expect-config", "azs", "plan-capacity"],
)
def test_billion_laughs_is_one_line_naming_the_file_and_the_limit(bomb: Path, command: list[str]) -> None:
    # GIVEN a 10-line lab file whose aliases expand to 387 million values
    # WHEN a command reads it  THEN one line names the file, the line and the limit, within the bound
    outcome = ekslab(*(part.replace("{file}", str(bomb)) for part in command))
    assert_one_line_refusal(outcome, f"ekslab: error: {bomb}: {REFUSAL}")


def test_config_check_refuses_a_billion_laughs_in_one_line(bomb: Path) -> None:
    outcome = ekslab("config", "check", str(bomb))
    assert_one_line_refusal(outcome, f"ekslab: error: {bomb}: {REFUSAL}")


def test_too_many_aliases_are_refused_even_when_each_is_small(tmp_path: Path) -> None:
    # GIVEN more aliases than MAX_YAML_ALIASES, each to a single scalar
    path = tmp_path / "aliases.yaml"
    path.write_text(
        "lab:\n  tags:\n    a: &a x\n    b: [" + ", ".join(["*a"] * (MAX_YAML_ALIASES + 1)) + "]\n"
    )
    # THEN the count itself is the refusal
    outcome = ekslab("config", "check", str(path))
    assert_one_line_refusal(
        outcome, f"ekslab: error: {path}: line 4: uses more than {MAX_YAML_ALIASES} aliases (*name)"
    )


def test_an_alias_to_the_collection_that_holds_it_is_refused(tmp_path: Path) -> None:
    # GIVEN a mapping that contains an alias to itself (a recursive structure)
    path = tmp_path / "loop.yaml"
    path.write_text("lab: &loop\n  tags: *loop\n")
    outcome = ekslab("config", "check", str(path))
    assert_one_line_refusal(
        outcome, f"ekslab: error: {path}: line 2: has an alias (*name) inside the collection it names"
    )
