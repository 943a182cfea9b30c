"""Running a guide against stub commands: carried environment, assertions, failures, skips, timeouts."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from ekslab.workshop import RunOptions, StepResult, parse_guide, run_guide

# The seed's example output of `kubectl get pods --all-namespaces -o wide` (/work/shared/seed).
SEED_PODS = (
    "NAMESPACE   NAME                              READY   STATUS    RESTARTS   AGE     IP             "
    "NODE                                             NOMINATED NODE   READINESS GATES\n"
    "2048-game   2048-deployment-dd74cc68d-2bnxc   1/1     Running   0          3d19h   10.11.58.105   "
    "ip-10-11-55-30.ap-northeast-2.compute.internal   <none>           <none>\n"
)


def stub(bin_dir: Path, name: str, body: str) -> Path:
    """A small executable on PATH standing in for a real command."""
    bin_dir.mkdir(exist_ok=True)
    path = bin_dir / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return path


def options(
    tmp_path: Path,
    *,
    keep_going: bool = False,
    extra_path: Path | None = None,
    env: dict[str, str] | None = None,
) -> RunOptions:
    base = {
        "PATH": os.pathsep.join(filter(None, [str(extra_path) if extra_path else "", "/usr/bin", "/bin"])),
        "HOME": str(tmp_path),
        **(env or {}),
    }
    return RunOptions(workdir=tmp_path, env=base, keep_going=keep_going, default_timeout=60)


def run(text: str, opts: RunOptions) -> list[StepResult]:
    return run_guide(parse_guide(text, source="g.md"), opts)


def statuses(results: list[StepResult]) -> list[str]:
    return [result.status for result in results]


def test_variables_and_directory_carry_from_step_to_step(tmp_path: Path) -> None:
    (tmp_path / "lab").mkdir()
    guide = (
        "```sh\nexport AZ1=ap-northeast-2a\nNODE=ip-10-0-1-5.ec2.internal\ncd lab\n```\n\n"
        '```sh\necho "$AZ1 $NODE $(basename "$PWD")"\n```\n\n```text\n{az} {word} lab\n```\n'
    )
    results = run(guide, options(tmp_path))
    assert (statuses(results), results[1].stdout) == (
        ["passed", "passed"],
        "ap-northeast-2a ip-10-0-1-5.ec2.internal lab\n",
    )


def test_a_profile_sourced_in_one_step_is_seen_by_the_next(tmp_path: Path) -> None:
    # The seed's flow: exports go into ~/.bash_profile, a later step uses them.
    guide = (
        "```sh\necho 'export AZ2=ap-northeast-2b' >> ~/.bash_profile\nsource ~/.bash_profile\n```\n\n"
        '```sh\necho "$AZ2"\n```\n'
    )
    results = run(guide, options(tmp_path))
    assert results[1].stdout == "ap-northeast-2b\n"


def test_bash_bookkeeping_variables_do_not_grow_from_step_to_step(tmp_path: Path) -> None:
    results = run("```sh\necho $SHLVL\n```\n" * 3, options(tmp_path))
    assert len({result.stdout for result in results}) == 1


def test_wrapper_variables_are_not_carried(tmp_path: Path) -> None:
    results = run('```sh\ntrue\n```\n\n```sh\nenv | grep -c "^__ekslab" || true\n```\n', options(tmp_path))
    assert results[1].stdout == "0\n"


def test_the_first_failing_command_fails_the_step(tmp_path: Path) -> None:
    results = run("```sh\necho before\nfalse\necho after\n```\n", options(tmp_path))
    assert (statuses(results), results[0].stdout, results[0].message) == (
        ["failed"],
        "before\n",
        "exited 1, expected 0",
    )


@pytest.mark.parametrize(
    ("script", "status", "message"),
    [
        ("exit 3", "passed", ""),
        ("true", "failed", "exited 0, expected 3"),
    ],
)
def test_a_step_may_expect_another_exit_status(
    tmp_path: Path, script: str, status: str, message: str
) -> None:
    results = run(f"<!-- workshop: exit=3 -->\n```sh\n{script}\n```\n", options(tmp_path))
    assert (results[0].status, results[0].message) == (status, message)


def test_stub_command_output_is_checked_against_the_shape(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    stub(bin_dir, "kubectl", f"cat <<'EOF'\n{SEED_PODS}EOF\n")
    guide = (
        "```sh\nkubectl get pods --all-namespaces -o wide\n```\n\n```text\n"
        "NAMESPACE NAME READY STATUS RESTARTS AGE IP NODE NOMINATED NODE READINESS GATES\n...\n"
        "2048-game {word} 1/1 Running {int} {age} {ip} {word} <none> <none>\n```\n"
    )
    assert statuses(run(guide, options(tmp_path, extra_path=bin_dir))) == ["passed"]


def test_output_of_another_shape_fails_with_the_line_and_reason(tmp_path: Path) -> None:
    guide = "```sh\necho 'export AZ1=nowhere'\n```\n\n```text\nexport AZ1={az}\n```\n"
    result = run(guide, options(tmp_path))[0]
    assert (result.status, result.message) == (
        "failed",
        "output does not have the expected shape: `export AZ1=nowhere` does not match `export AZ1={az}` "
        "(guide line 6)",
    )


def test_only_standard_output_is_checked(tmp_path: Path) -> None:
    guide = "```sh\necho progress >&2\necho ok\n```\n\n```text\nok\n```\n"
    result = run(guide, options(tmp_path))[0]
    assert (result.status, result.stderr) == ("passed", "progress\n")


@pytest.mark.parametrize(
    ("keep_going", "expected"),
    [
        (False, ["passed", "failed", "skipped", "skipped"]),
        (True, ["passed", "failed", "passed", "passed"]),
    ],
)
def test_a_failure_skips_the_rest_unless_keep_going(
    tmp_path: Path, keep_going: bool, expected: list[str]
) -> None:
    guide = "```sh\ntrue\n```\n\n```sh\nfalse\n```\n\n```sh\ntrue\n```\n\n```sh\ntrue\n```\n"
    results = run(guide, options(tmp_path, keep_going=keep_going))
    assert statuses(results) == expected


def test_skipped_after_a_failure_names_the_failed_step(tmp_path: Path) -> None:
    results = run("```sh\nfalse\n```\n\n```sh\ntrue\n```\n", options(tmp_path))
    assert results[1].message == "not run: step 1 failed (--keep-going runs the remaining steps)"


@pytest.mark.parametrize(
    ("value", "status", "message"),
    [
        ("true", "passed", ""),
        ("TRUE", "passed", ""),
        ("false", "skipped", "requires PREFIX_DELEGATION=true (it is 'false')"),
        (None, "skipped", "requires PREFIX_DELEGATION=true (it is not set)"),
    ],
)
def test_requires_runs_a_step_only_when_the_variable_is_true(
    tmp_path: Path, value: str | None, status: str, message: str
) -> None:
    setter = f"export PREFIX_DELEGATION={value}\n" if value is not None else "true\n"
    guide = f"```sh\n{setter}```\n\n<!-- workshop: requires=PREFIX_DELEGATION -->\n```sh\ntouch ran\n```\n"
    results = run(guide, options(tmp_path))
    assert (results[1].status, results[1].message, (tmp_path / "ran").exists()) == (
        status,
        message,
        status == "passed",
    )


def test_a_manual_step_is_reported_but_never_run(tmp_path: Path) -> None:
    guide = '<!-- workshop: manual="interactive session" -->\n```sh\ntouch ran\n```\n'
    result = run(guide, options(tmp_path))[0]
    assert (result.status, result.message, (tmp_path / "ran").exists()) == (
        "skipped",
        "manual step: interactive session",
        False,
    )


def test_standard_input_is_empty_so_nothing_waits_for_a_person(tmp_path: Path) -> None:
    result = run("```sh\nread -r answer || echo 'no input'\n```\n", options(tmp_path))[0]
    assert (result.status, result.stdout) == ("passed", "no input\n")


def test_a_step_past_its_timeout_is_an_error_and_its_processes_are_stopped(tmp_path: Path) -> None:
    guide = (
        "<!-- workshop: timeout=0.5 -->\n```sh\n"
        "sleep 30 &\necho $! > child.pid\nwait\n```\n\n```sh\necho next\n```\n"
    )
    results = run(guide, options(tmp_path, keep_going=True))
    child = int((tmp_path / "child.pid").read_text())
    assert (statuses(results), results[0].message, _alive(child)) == (
        ["error", "passed"],
        "timed out after 0.5 s",
        False,
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie not yet reaped by init still answers signal 0; its state says it is dead.
    status = Path(f"/proc/{pid}/stat")
    return not (status.exists() and status.read_text().split(") ")[-1].startswith("Z"))


def test_ekslab_is_found_in_the_runners_own_environment_when_not_on_path(tmp_path: Path) -> None:
    result = run("```sh\ncommand -v ekslab\n```\n", options(tmp_path))[0]
    assert result.stdout.strip() == str(Path(sys.executable).parent / "ekslab")


def test_an_ekslab_earlier_on_path_wins(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    stub(bin_dir, "ekslab", "echo stub\n")
    result = run("```sh\nekslab azs\n```\n", options(tmp_path, extra_path=bin_dir))[0]
    assert result.stdout == "stub\n"


def test_a_timed_out_step_stops_the_rest_like_a_failure(tmp_path: Path) -> None:
    # GIVEN a step that times out, then one that would leave a mark
    guide = "<!-- workshop: timeout=0.3 -->\n```sh\nsleep 5\n```\n\n```sh\ntouch ran\n```\n"
    # WHEN run without --keep-going
    results = run(guide, options(tmp_path))
    # THEN the error stops the run: the next step is skipped, naming the step that stopped it
    assert (statuses(results), results[1].message, (tmp_path / "ran").exists()) == (
        ["error", "skipped"],
        "not run: step 1 failed (--keep-going runs the remaining steps)",
        False,
    )


def test_variables_and_directory_set_before_a_failing_command_are_carried(tmp_path: Path) -> None:
    # GIVEN a step that exports and changes directory, then fails (`set -e` stops it)
    (tmp_path / "lab").mkdir()
    guide = (
        "```sh\nexport AZ1=ap-northeast-2a\ncd lab\nfalse\n```\n\n"
        '```sh\necho "$AZ1 $(basename "$PWD")"\n```\n'
    )
    # WHEN run with --keep-going
    results = run(guide, options(tmp_path, keep_going=True))
    # THEN the next step sees what the failed step left, as in a terminal
    assert (statuses(results), results[1].stdout) == (["failed", "passed"], "ap-northeast-2a lab\n")


def test_a_variable_unset_in_one_step_is_gone_in_the_next(tmp_path: Path) -> None:
    guide = '```sh\nexport AZ1=a\n```\n\n```sh\nunset AZ1\n```\n\n```sh\necho "[${AZ1-unset}]"\n```\n'
    results = run(guide, options(tmp_path))
    assert results[2].stdout == "[unset]\n"


@pytest.mark.parametrize(
    ("script", "detail"),
    [
        # Standard error explains a failure better than progress on standard output.
        (
            "echo progress\necho 'no such cluster' >&2\nexit 4",
            "exited 4, expected 0; last output:\nno such cluster",
        ),
        ("echo only stdout\nexit 4", "exited 4, expected 0; last output:\nonly stdout"),
        ("exit 4", "exited 4, expected 0; no output"),
    ],
)
def test_a_failure_detail_shows_the_last_error_output(tmp_path: Path, script: str, detail: str) -> None:
    result = run(f"```sh\n{script}\n```\n", options(tmp_path))[0]
    assert result.detail == detail
