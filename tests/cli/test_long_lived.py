"""What a command builds from a bundle is made without the cyclic collector and frozen after it, and
the program ends without freeing it (``ekslab.cli.main.run``)."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

import pytest

from ekslab.cli.inputs import long_lived
from tests.cli_run import run_cli
from tests.verify.cluster_docs import NODE_A, baseline, pod


def test_the_collector_is_off_inside_and_back_on_after() -> None:
    # GIVEN the collector on  WHEN a block runs under long_lived
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    try:
        with long_lived():
            inside = gc.isenabled()
            kept = [[index] for index in range(1000)]
        # THEN it was off inside, is on again, and what was made inside is frozen (not walked again)
        assert (inside, gc.isenabled()) == (False, True)
        assert gc.get_freeze_count() >= frozen + len(kept)
    finally:
        gc.unfreeze()


def test_a_disabled_collector_stays_disabled() -> None:
    gc.disable()
    try:
        with long_lived():
            pass
        assert not gc.isenabled()
    finally:
        gc.unfreeze()
        gc.enable()


# GIVEN a bundle WHEN `python -m ekslab verify` and `ekslab ips` run as programs (whose entry point
# ends the process without freeing the snapshot) THEN each prints its whole JSON document, and exits
# with the code the same command gives inside this process.
@pytest.mark.parametrize("command", [["verify", "-o", "json"], ["ips", "--output", "json"]])
def test_program_exit_keeps_output_and_code(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = baseline().write(tmp_path / "bundle")
    arguments = [command[0], "--bundle", str(bundle), *command[1:]]
    code, out, _ = run_cli(arguments, capsys)

    program = subprocess.run(
        [sys.executable, "-m", "ekslab", *arguments], capture_output=True, text=True, timeout=120, check=False
    )

    assert (program.returncode, program.stderr) == (code, "")
    assert json.loads(program.stdout) == json.loads(out)
    assert program.stdout.endswith("}\n")


# GIVEN a bundle with a pod outside the VPC WHEN verify runs as a program THEN it exits 1 (the code
# travels through the fast exit), with the failure in its JSON.
def test_program_exit_code_of_a_failing_verify(tmp_path: Path) -> None:
    docs = baseline()
    docs.pods.append(pod("stray", node=NODE_A, ip="172.31.200.17"))
    bundle = docs.write(tmp_path / "bundle")

    program = subprocess.run(
        [sys.executable, "-m", "ekslab", "verify", "--bundle", str(bundle), "-o", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert program.returncode == 1
    assert json.loads(program.stdout)["summary"]["failed"] == 1
