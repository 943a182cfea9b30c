"""The ekslab command: fast help, one-line errors, exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ekslab.cli.main import COMMANDS, main
from tests.synth import ROOT

HEAVY = ("boto3", "botocore", "kubernetes", "aws_cdk", "jsii", "msgspec")


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ekslab", *args], capture_output=True, text=True, cwd=cwd, check=False
    )


@pytest.mark.parametrize(
    "args",
    [["--help"], ["config", "check", str(ROOT / "examples" / "default.yaml")]],
    ids=["help", "config-check"],
)
def test_help_and_config_check_import_no_aws_kubernetes_cdk_or_decoder_library(args: list[str]) -> None:
    probe = (
        f"import sys\nfrom ekslab.cli.main import main\ntry:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_help_lists_every_registered_command() -> None:
    result = _run("--help")
    assert result.returncode == 0
    assert all(name in result.stdout for name in COMMANDS)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help(name: str) -> None:
    result = _run(name, "--help")
    assert result.returncode == 0 and "Usage: ekslab" in result.stdout


def test_unknown_command_is_one_line_and_exit_2() -> None:
    result = _run("frobnicate")
    assert (result.returncode, result.stderr) == (
        2,
        "ekslab: error: ekslab: No such command 'frobnicate'. (see 'ekslab --help')\n",
    )


def test_bad_config_file_is_one_line_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "lab.yaml"
    bad.write_text("cni: {env: {WARM_IP_TARGET: -3}}\n")
    result = _run("config", "show", str(bad))
    assert result.returncode == 2
    assert result.stderr == f"ekslab: error: {bad}: cni.env.WARM_IP_TARGET: must be an integer >= 0, got -3\n"


def test_config_check_lists_each_file(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text("lab: {name: good}\n")
    bad.write_text("cni: {env: {MAX_ENI: 0}}\n")
    result = _run("config", "check", str(good), str(bad))
    assert result.returncode == 2
    assert f"{good}: ok (lab good, ap-northeast-2, 3 AZs, 1 node group, 1 warning)" in result.stdout
    assert (
        f"ekslab: error: {bad}: cni.env.MAX_ENI: must be an integer >= 1, got 0" in result.stderr.splitlines()
    )


def test_main_returns_exit_code_2_for_input_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["config", "show", str(tmp_path / "missing.yaml")])
    assert caught.value.code == 2
    assert (
        capsys.readouterr().err == f"ekslab: error: {tmp_path / 'missing.yaml'}: no such configuration file\n"
    )


def test_config_check_says_the_open_endpoint_warning_once_for_every_file() -> None:
    # GIVEN the examples, all with the default open public endpoint
    examples = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "examples").glob("*.yaml"))
    # WHEN checked in one run  THEN one short warning line names every file
    result = _run("config", "check", *examples, cwd=ROOT)
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert (result.returncode, warnings) == (
        0,
        [
            "ekslab: warning: the cluster's public API endpoint is open to the internet (0.0.0.0/0): "
            f"cluster.publicAccessCidrs of {', '.join(examples)} (rule public-endpoint-open; see README.md, Set up)"
        ],
    )
