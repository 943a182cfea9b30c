"""Side files and options: a kubeconfig gets the same bounded, checked reading as a lab file, and
every option is range-checked (nan, inf and absurd values included)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ekslab.cli.teardown_cmd import MAX_WAIT_SECONDS
from tests.hostile.conftest import assert_one_line_refusal, ekslab

LIVE = ["ipamd", "enis", "--node", "x", "--kubeconfig"]  # reads the kubeconfig before any AWS call


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("- a\n- b\n", "must be a kubeconfig: a YAML mapping of clusters, contexts and users, got 'list'"),
        (
            "clusters: " + "[" * 900 + "]" * 900 + "\n",
            "line 1: nests sequences or mappings more than 64 levels deep",
        ),
        ("? [a]\n: b\n", "line 1: has a sequence as a key; keys must be names, numbers or true/false"),
    ],
    ids=["list", "deep", "unhashable-key"],
)
def test_hostile_kubeconfig_is_one_line_before_the_client_reads_it(
    tmp_path: Path, text: str, problem: str
) -> None:
    path = tmp_path / "kubeconfig"
    path.write_text(text)
    outcome = ekslab(*LIVE, str(path))
    assert_one_line_refusal(outcome, f"ekslab: error: {path}: {problem}")


def test_kubeconfig_of_the_wrong_types_inside_is_one_line(tmp_path: Path) -> None:
    # GIVEN a mapping whose members have the wrong types (the client's own loader meets them)
    path = tmp_path / "kubeconfig"
    path.write_text("apiVersion: v1\nclusters: oops\ncontexts: 3\ncurrent-context: [a]\nusers: x\n")
    outcome = ekslab(*LIVE, str(path))
    assert "Traceback" not in outcome.stderr
    assert (outcome.code, len(outcome.lines)) == (2, 1)
    assert outcome.lines[0].startswith(f"ekslab: error: {path}: cannot be used (")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["workshop", "run", "{guide}", "--timeout", "nan"],
            "ekslab workshop run: Invalid value for '--timeout': 'nan' is not a finite number in the range "
            "1<=x<=3600. (see 'ekslab workshop run --help')",
        ),
        (
            ["verify", "--bundle", "{dir}", "--node-timeout", "nan"],
            "ekslab verify: Invalid value for '--node-timeout': 'nan' is not a finite number in the range "
            "0.1<=x<=600. (see 'ekslab verify --help')",
        ),
        (
            ["ipamd", "enis", "--node", "x", "--timeout", "nan"],
            "ekslab ipamd enis: Invalid value for '--timeout': 'nan' is not a finite number in the range "
            "0.1<=x<=600. (see 'ekslab ipamd enis --help')",
        ),
        (
            ["teardown-check", "--lab", "x", "--wait", "99999999999999999999"],
            f"ekslab teardown-check: Invalid value for '--wait': 99999999999999999999 is not in the range "
            f"0<=x<={MAX_WAIT_SECONDS}. (see 'ekslab teardown-check --help')",
        ),
    ],
    ids=["workshop-timeout-nan", "verify-node-timeout-nan", "ipamd-timeout-nan", "teardown-wait-huge"],
)
def test_option_out_of_range_is_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    guide = tmp_path / "guide.md"
    guide.write_text("# guide\n\n```bash\ntrue\n```\n")
    outcome = ekslab(*(part.replace("{guide}", str(guide)).replace("{dir}", str(tmp_path)) for part in args))
    assert_one_line_refusal(outcome, f"ekslab: error: {message}")
