"""Issue 21 items 4 and 9: the runner keeps its state private and gone, redacts secrets, and stops
the step's whole process group on a timeout, Ctrl-C or SIGTERM (exit 130/143, as shells do).

Signal tests run ``ekslab`` as a real child process and signal it, never this test process.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ekslab.workshop import RunOptions, StepResult, parse_guide, run_guide, write_junit
from ekslab.workshop.redact import REDACTED
from tests.verify.cluster_docs import baseline

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLETOKEN"


def options(tmp_path: Path, **env: str) -> RunOptions:
    base = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **env}
    return RunOptions(workdir=tmp_path, env=base, default_timeout=60)


def test_state_folder_and_files_are_private_and_deleted_after_the_run(tmp_path: Path) -> None:
    # GIVEN a step that shows where the runner keeps its state
    guide = parse_guide('```sh\necho "$EKSLAB_WORKSHOP_STATE"\n```\n', source="g.md")
    seen: list[tuple[int, int, int]] = []

    def inspect(result: StepResult) -> None:
        state = Path(result.stdout.strip())
        seen.append(
            tuple(stat.S_IMODE((state / name).stat().st_mode) for name in (".", "step.sh", "env"))  # type: ignore[arg-type]
        )

    # WHEN the guide runs
    results = run_guide(guide, options(tmp_path, AWS_SECRET_ACCESS_KEY=SECRET), on_result=inspect)
    # THEN the folder is 0700, the script and the saved environment 0600, and all of it gone after
    assert (seen, Path(results[0].stdout.strip()).exists()) == ([(0o700, 0o600, 0o600)], False)


def test_secrets_in_step_output_are_redacted_in_results_and_junit(tmp_path: Path) -> None:
    # GIVEN credentials in the environment and a step that prints them (and one it exported itself)
    text = (
        '```sh\necho "key=$AWS_SECRET_ACCESS_KEY"\necho "token=$AWS_SESSION_TOKEN" >&2\n'
        "export GITHUB_TOKEN=ghp_exampleexample\nfalse\n```\n"
    )
    guide = parse_guide(text, source="g.md")
    results = run_guide(guide, options(tmp_path, AWS_SECRET_ACCESS_KEY=SECRET, AWS_SESSION_TOKEN=TOKEN))
    report = tmp_path / "workshop.xml"
    write_junit(guide, results, report)
    xml = report.read_text()
    # THEN neither the result nor the report carries them
    assert (SECRET in xml, TOKEN in xml, f"key={REDACTED}" in xml, results[0].stderr) == (
        False,
        False,
        True,
        f"token={REDACTED}\n",
    )


def test_secrets_are_redacted_from_the_lines_verbose_prints_as_they_come(tmp_path: Path) -> None:
    # GIVEN credentials in the environment, a step that prints them, and --verbose's line callback
    text = '```sh\necho "key=$AWS_SECRET_ACCESS_KEY"\necho "token=$AWS_SESSION_TOKEN" >&2\n```\n'
    guide = parse_guide(text, source="g.md")
    printed: list[tuple[str, str]] = []
    run = options(tmp_path, AWS_SECRET_ACCESS_KEY=SECRET, AWS_SESSION_TOKEN=TOKEN)
    run.on_output = lambda step, stream, line: printed.append((stream, line))
    # WHEN the guide runs
    run_guide(guide, run)
    # THEN each line reached the callback with the secrets replaced
    assert sorted(printed) == [("stderr", f"token={REDACTED}"), ("stdout", f"key={REDACTED}")]


def test_a_setsid_job_holding_the_output_does_not_stall_a_timeout(tmp_path: Path) -> None:
    # GIVEN a step that leaves a job in its own session (outside the step's process group) holding
    # stdout open, then runs past its timeout
    pid_file = tmp_path / "escaped.pid"
    text = (
        "<!-- workshop: timeout=1 -->\n```sh\n"
        f"setsid sh -c 'echo $$ > {pid_file}; exec sleep 60' &\nsleep 30\n```\n"
    )
    try:
        # WHEN it runs
        results = run_guide(parse_guide(text, source="g.md"), options(tmp_path))
        # THEN the step times out and the run returns while that job still lives: it did not wait
        # for the job's end (60 s) to read its output
        escaped = int(pid_file.read_text())
        alive = _alive(escaped)
        assert ((results[0].status, results[0].message), alive) == (("error", "timed out after 1 s"), True)
    finally:
        if pid_file.exists():
            _kill(int(pid_file.read_text()))


# --- signals on a real ekslab process ---------------------------------------------------------------


@pytest.fixture
def sleeping_guide(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """A guide whose step records its state folder and its pid, then sleeps."""
    marker = tmp_path / "step.pid"
    guide = tmp_path / "guide.md"
    guide.write_text(
        "# G\n\n## S\n\n```sh\n"
        f'echo "$$ $EKSLAB_WORKSHOP_STATE" > {marker}.tmp && mv {marker}.tmp {marker}\nsleep 60\n```\n'
    )
    yield guide, marker
    if marker.exists():
        _kill(int(marker.read_text().split()[0]))


_WITH_CTRL_C = [
    sys.executable,
    "-c",
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "os.execv(sys.executable, [sys.executable, '-m', 'ekslab', *sys.argv[1:]])",
]
"""``ekslab`` with SIGINT in its default disposition, as a terminal starts it. A test run in the
background without job control (``make test &``, nohup) ignores SIGINT, its children inherit that,
and ekslab rightly keeps an ignored Ctrl-C ignored; the same process (``execv``) gets the signal."""


@pytest.mark.parametrize(
    ("sig", "code", "line"),
    [(signal.SIGTERM, 143, "terminated (SIGTERM)"), (signal.SIGINT, 130, "interrupted")],
)
def test_a_signal_stops_the_step_removes_the_state_and_exits_as_a_shell_does(
    tmp_path: Path, sleeping_guide: tuple[Path, Path], sig: signal.Signals, code: int, line: str
) -> None:
    guide, marker = sleeping_guide
    # GIVEN ekslab running a step
    process = subprocess.Popen(
        [*_WITH_CTRL_C, "workshop", "run", str(guide)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "AWS_SECRET_ACCESS_KEY": SECRET},
    )
    _wait_for(marker, process)
    step_pid, state = marker.read_text().split()
    # WHEN it gets the signal (only ekslab, as `kill` or Ctrl-C in another session would)
    process.send_signal(sig)
    _, err = process.communicate(timeout=30)
    # THEN it exits 128+signal with one line, the step is gone, and so is its state folder
    assert (process.returncode, err.splitlines()[-1], _alive(int(step_pid)), Path(state).exists()) == (
        code,
        f"ekslab: error: {line}",
        False,
        False,
    )


_SLOW_JUNIT = """
import sys, time
import ekslab.verify.report as report
from ekslab.files import atomic_output
def slow(report_, path, **_):
    with atomic_output(path, source="--junit-file") as temporary:
        temporary.write_text("<partial")
        print("writing", file=sys.stderr, flush=True)
        time.sleep(60)
report.write_junit = slow
from ekslab.cli.main import main
main(sys.argv[1:])
"""


def test_sigterm_while_a_report_is_written_leaves_no_temporary_file(tmp_path: Path) -> None:
    bundle = baseline().write(tmp_path / "bundle")
    # GIVEN verify in the middle of writing its JUnit report (a temporary file beside it)
    out = tmp_path / "reports"
    out.mkdir()
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _SLOW_JUNIT,
            "verify",
            "--bundle",
            str(bundle),
            "-o",
            "json",
            "--junit-file",
            str(out / "r.xml"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    assert process.stderr.readline() == "writing\n"
    during = os.listdir(out)
    # WHEN SIGTERM arrives
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=30)
    # THEN exit 143, and neither the report nor its temporary file is left
    assert (len(during), process.returncode, os.listdir(out)) == (1, 143, [])


_SLOW_COLLECT = """
import sys, time
import ekslab.sources.live as live
def slow(options, sink, bar):
    sink.writer.write_list("pods.json", "items", [])
    print("collecting", file=sys.stderr, flush=True)
    time.sleep(60)
live._gather = slow
from ekslab.cli.main import main
main(sys.argv[1:])
"""


def test_sigterm_during_collect_leaves_no_partial_bundle(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _SLOW_COLLECT,
            "collect",
            "--out",
            str(tmp_path / "b"),
            "--cluster",
            "c",
            "--region",
            "us-west-2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    assert process.stderr.readline() == "collecting\n"
    during = os.listdir(tmp_path)
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=30)
    assert (len(during), process.returncode, os.listdir(tmp_path)) == (1, 143, [])


def _wait_for(marker: Path, process: subprocess.Popen[str]) -> None:
    for _ in range(600):
        if marker.exists() or process.poll() is not None:
            break
        time.sleep(0.05)
    assert marker.exists(), process.communicate()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by its parent) is not running.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def test_help_says_that_running_a_guide_runs_its_commands(capsys: pytest.CaptureFixture[str]) -> None:
    from tests.cli_run import run_cli

    code, out, _ = run_cli(["workshop", "run", "--help"], capsys)
    assert (code, "Running a guide runs its shell commands" in " ".join(out.split())) == (0, True)
    assert "only run guides you trust" in " ".join(out.split())
