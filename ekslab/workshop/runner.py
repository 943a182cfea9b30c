"""Running a guide's steps in order, the way a reader pastes them into one terminal.

Each step runs in a fresh ``bash`` in strict mode, ``set -euo pipefail`` with ``inherit_errexit``
(a failing command fails the step, also inside a pipeline or a ``$(...)``, and so does an unset
variable), and ``set -a`` (every variable the step assigns is exported), from the working directory
and with the environment the previous step left. So ``export AZ1=...``, ``NODE=$(kubectl ...)`` or ``cd`` in one
step is seen by the next, as in a terminal session; shell functions and aliases are not carried.
Standard input is empty: a command that waits for input fails instead of hanging. A step that runs
longer than its timeout is stopped with its whole process group (SIGTERM, then SIGKILL), and so is
the running step when the run is interrupted (Ctrl-C, SIGTERM) before the interruption goes on.

The state passed between steps (the environment, AWS keys included) lives in a private folder
(0700, files 0600) that is deleted on every way out. Values of secret variables (``*SECRET*``,
``*TOKEN*``, ``*PASSWORD*``) are redacted from everything a result carries and from the lines
``--verbose`` prints as they come (``ekslab.workshop.redact``).

A step passes when its exit status is the expected one and its standard output has the expected
shape. After a failure the remaining steps are skipped unless ``keep_going`` is set. Steps whose
``requires`` variables are not ``true`` and ``manual`` steps are skipped with the reason.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Final

from ekslab.errors import InputError
from ekslab.workshop.guide import Guide, Step
from ekslab.workshop.redact import redact, secret_values
from ekslab.workshop.streams import communicate

PASSED: Final = "passed"
FAILED: Final = "failed"
ERROR: Final = "error"
"""The step could not be judged: it timed out or its shell could not start."""
SKIPPED: Final = "skipped"

DEFAULT_TIMEOUT_SECONDS: Final = 300.0
KILL_GRACE_SECONDS: Final = 5.0
DRAIN_SECONDS: Final = 0.5
"""After a stopped step's shell is gone, how long to read output that a process which left its
group (``setsid``) may still hold open; it is not waited for beyond that."""
_TAIL_LINES: Final = 20
TRUE_VALUES: Final = frozenset({"true", "1", "yes"})
_NOT_CARRIED: Final = frozenset({"SHLVL", "_", "PWD", "OLDPWD"})
"""Set by bash itself: carrying them would make SHLVL grow step after step."""
_STATE_DIR: Final = "EKSLAB_WORKSHOP_STATE"
_PYTHON_VAR: Final = "EKSLAB_WORKSHOP_PYTHON"
_OWN_VARIABLES: Final = frozenset({_STATE_DIR, _PYTHON_VAR})
"""The wrapper's own variables (and ``__ekslab_*``), never carried to the next step."""

# The wrapper sources the step, then saves the environment and the working directory on exit
# (also when `set -e` stops the step), with the runner's own Python: portable, unlike `env -0`.
_WRAPPER: Final = """\
__ekslab_save() {
  __ekslab_status=$?
  umask 077
  pwd > "$EKSLAB_WORKSHOP_STATE/cwd" 2>/dev/null
  "$EKSLAB_WORKSHOP_PYTHON" -c 'import json, os, sys; json.dump(dict(os.environ), open(sys.argv[1], "w"))' \\
    "$EKSLAB_WORKSHOP_STATE/env" 2>/dev/null
  exit "$__ekslab_status"
}
trap __ekslab_save EXIT
set -a
set -euo pipefail
shopt -s inherit_errexit
. "$EKSLAB_WORKSHOP_STATE/step.sh"
"""


@dataclass
class RunOptions:
    """How to run a guide."""

    workdir: Path = field(default_factory=Path.cwd)
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    default_timeout: float = DEFAULT_TIMEOUT_SECONDS
    keep_going: bool = False
    shell: str = "bash"
    on_output: Callable[[Step, str, str], None] | None = None
    """Called with ``(step, "stdout" or "stderr", line)`` for each line as the step prints it."""


@dataclass
class StepResult:
    """What one step did. ``seconds`` is measured for the report, never judged."""

    step: Step
    status: str
    message: str = ""
    detail: str = ""
    stdout: str = ""
    stderr: str = ""
    exit_code: int | None = None
    seconds: float = 0.0


def run_guide(
    guide: Guide, options: RunOptions, on_result: Callable[[StepResult], None] | None = None
) -> list[StepResult]:
    """Run every step in order; ``on_result`` is called after each (for progress output)."""
    shell = shutil.which(options.shell, path=options.env.get("PATH"))
    if shell is None:
        raise InputError("--shell", "must be a shell on PATH", options.shell)
    if not options.workdir.is_dir():
        raise InputError("--workdir", "must be an existing folder", str(options.workdir))
    env = _initial_env(options.env)
    cwd = options.workdir.resolve()
    results: list[StepResult] = []
    stopped_by: Step | None = None
    with tempfile.TemporaryDirectory(prefix="ekslab-workshop-") as state:
        state_dir = Path(state)
        for step in guide.steps:
            if stopped_by is not None:
                result = StepResult(
                    step,
                    SKIPPED,
                    f"not run: step {stopped_by.number} failed (--keep-going runs the remaining steps)",
                )
            elif step.manual is not None:
                result = StepResult(step, SKIPPED, f"manual step: {step.manual}")
            elif missing := _unmet(step, env):
                result = StepResult(step, SKIPPED, missing)
            else:
                result, carried = _run_step(step, shell, env, cwd, state_dir, options)
                if carried is not None:
                    env, cwd = carried
                if result.status in (FAILED, ERROR) and not options.keep_going:
                    stopped_by = step
            results.append(result)
            if on_result is not None:
                on_result(result)
    return results


def _initial_env(base: Mapping[str, str]) -> dict[str, str]:
    env = {key: value for key, value in base.items() if key not in _NOT_CARRIED}
    # Steps call `ekslab`; where it is not on PATH (the runner started as .venv/bin/ekslab), the
    # runner's own bin folder is appended, so a command found earlier on PATH still wins.
    if shutil.which("ekslab", path=env.get("PATH")) is None:
        own_bin = str(Path(sys.executable).parent)
        env["PATH"] = os.pathsep.join(part for part in (env.get("PATH"), own_bin) if part)
    return env


def _unmet(step: Step, env: Mapping[str, str]) -> str:
    for name in step.requires:
        value = env.get(name)
        if (value or "").strip().lower() not in TRUE_VALUES:
            now = "it is not set" if value is None else f"it is {value!r}"
            return f"requires {name}=true ({now})"
    return ""


def _run_step(
    step: Step, shell: str, env: dict[str, str], cwd: Path, state: Path, options: RunOptions
) -> tuple[StepResult, tuple[dict[str, str], Path] | None]:
    for name in ("env", "cwd"):
        (state / name).unlink(missing_ok=True)
    _write_private(state / "step.sh", step.script + "\n")
    timeout = step.timeout or options.default_timeout
    run_env = {**env, _STATE_DIR: str(state), _PYTHON_VAR: sys.executable}
    started = time.monotonic()
    try:
        process = subprocess.Popen(
            [shell, "--noprofile", "--norc", "-c", _WRAPPER],
            cwd=cwd,
            env=run_env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except OSError as error:
        return StepResult(step, ERROR, f"could not start {shell}: {error.strerror}"), None
    try:
        if options.on_output is None:
            stdout, stderr = process.communicate(timeout=timeout)
        else:
            stdout, stderr = communicate(
                process,
                timeout,
                partial(_redacted_output, options.on_output, step, secret_values(env)),
                _signal_group,
            )
    except subprocess.TimeoutExpired as expired:
        stdout, stderr = _stop(process) if options.on_output is None else (expired.stdout, expired.stderr)
        result = _redacted(
            StepResult(
                step,
                ERROR,
                f"timed out after {timeout:g} s",
                stdout=_text(stdout),
                stderr=_text(stderr),
                seconds=time.monotonic() - started,
            ),
            env,
        )
        return result, None
    except BaseException:
        _stop(process)  # Ctrl-C or SIGTERM (ekslab.errors.Terminated): the step must not outlive us
        raise
    seconds = time.monotonic() - started
    carried = _carried(state, env, cwd)
    result = _judge(step, process.returncode, _text(stdout), _text(stderr), seconds)
    return _redacted(result, env, carried[0]), carried


def _write_private(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


def _redacted(result: StepResult, *environments: Mapping[str, str]) -> StepResult:
    secrets = secret_values(*environments)
    if secrets:
        for name in ("message", "detail", "stdout", "stderr"):
            setattr(result, name, redact(getattr(result, name), secrets))
    return result


def _redacted_output(
    on_output: Callable[[Step, str, str], None], step: Step, secrets: frozenset[str], stream: str, line: str
) -> None:
    """``--verbose``: a line as it is printed, without the secrets the step was started with (a secret
    the step itself exports is known, and redacted, only in its result)."""
    on_output(step, stream, redact(line, secrets) if secrets else line)


def _signal_group(process: subprocess.Popen[bytes], *, after_kill: float | None = None) -> None:
    """Stop a step's whole process group without reading its pipes (``--verbose`` reads them):
    SIGTERM, then SIGKILL after a grace period, then wait ``after_kill`` seconds (``None``: until the
    step's shell is gone)."""
    for sig, wait in ((signal.SIGTERM, KILL_GRACE_SECONDS), (signal.SIGKILL, after_kill)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _stop(process: subprocess.Popen[bytes]) -> tuple[bytes, bytes]:
    """Stop a step's whole process group: SIGTERM, then SIGKILL after a grace period; then read
    what output is left for at most ``DRAIN_SECONDS`` (a ``setsid`` job may hold the pipes open)."""
    _signal_group(process, after_kill=KILL_GRACE_SECONDS)
    try:
        return process.communicate(timeout=DRAIN_SECONDS)
    except subprocess.TimeoutExpired as expired:
        for pipe in (process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()
        return expired.output or b"", expired.stderr or b""


def _judge(step: Step, code: int, stdout: str, stderr: str, seconds: float) -> StepResult:
    result = StepResult(step, PASSED, stdout=stdout, stderr=stderr, exit_code=code, seconds=seconds)
    if code != step.exit_code:
        result.status = FAILED
        result.message = f"exited {_status_text(code)}, expected {step.exit_code}"
        tail = (stderr.strip() or stdout.strip()).splitlines()[-_TAIL_LINES:]
        result.detail = result.message + ("; last output:\n" + "\n".join(tail) if tail else "; no output")
        return result
    if step.shape is not None:
        mismatch = step.shape.match(stdout)
        if mismatch is not None:
            result.status = FAILED
            where = f" (guide line {mismatch.shape_line.line})" if mismatch.shape_line else ""
            result.message = f"output does not have the expected shape: {mismatch.reason}{where}"
            shape = "\n".join(line.text for line in step.shape.lines)
            result.detail = f"{result.message}\n\nexpected shape:\n{shape}\n\noutput:\n{stdout.rstrip()}"
    return result


def _status_text(code: int) -> str:
    # Popen reports death by a signal as a negative status; bash reports it as 128 + the signal.
    if code < 0:
        return f"on signal {-code}"
    return str(code)


def _carried(state: Path, env: dict[str, str], cwd: Path) -> tuple[dict[str, str], Path]:
    """The environment and directory a step left behind; the previous ones where it saved none."""
    try:
        saved = json.loads((state / "env").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        saved = None
    if isinstance(saved, dict):
        env = {
            key: value
            for key, value in saved.items()
            if key not in _NOT_CARRIED and key not in _OWN_VARIABLES and not key.startswith("__ekslab_")
        }
    try:
        directory = Path((state / "cwd").read_text(encoding="utf-8").strip())
        if directory.is_dir():
            cwd = directory
    except OSError:
        pass
    return env, cwd


def _text(data: bytes | None) -> str:
    return (data or b"").decode("utf-8", errors="replace")
