"""The hostile-input suite: every command that reads a file, given files made to break it.

Each case runs the installed ``ekslab`` entry point in a subprocess, so that a hang is caught by the
subprocess timeout (the bound: no wall-clock assertion) and a crash shows as a traceback on stderr.
The promise checked is the one of docs/hostile-input.md: a non-zero exit, exactly one line on stderr,
no traceback. Hostile files are made at test time in ``tmp_path``: bombs, deep nesting, huge numbers,
FIFOs (``os.mkfifo``), sockets, and symbolic links to ``/dev/zero``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKSHOP_BUNDLE = ROOT / "tests" / "fixtures" / "bundles" / "workshop-2048"
BOUND_SECONDS = 60
"""A hostile input must be refused well within this; a hang or a billion-laughs expansion is not."""


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        return self.stderr.splitlines()


def ekslab(*args: str, cwd: Path | None = None) -> Outcome:
    """``ekslab ARGS`` through the installed entry point, bounded by ``BOUND_SECONDS``."""
    entry = Path(sys.executable).parent / "ekslab"
    command = [str(entry)] if entry.exists() else [sys.executable, "-m", "ekslab"]
    environment = {**os.environ, "AWS_EC2_METADATA_DISABLED": "true"}
    done = subprocess.run(
        [*command, *args],
        capture_output=True,
        text=True,
        timeout=BOUND_SECONDS,
        stdin=subprocess.DEVNULL,
        cwd=cwd,
        env=environment,
        check=False,
    )
    return Outcome(done.returncode, done.stdout, done.stderr)


def assert_one_line_refusal(outcome: Outcome, expected: str, *, code: int = 2) -> None:
    """Exit ``code``, no traceback, and stderr exactly the one line ``expected``."""
    assert "Traceback" not in outcome.stderr
    assert (outcome.code, outcome.lines) == (code, [expected])


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    """A writable copy of the workshop bundle, to spoil one document of."""
    copy = tmp_path / "bundle"
    shutil.copytree(WORKSHOP_BUNDLE, copy)
    return copy


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    """A named pipe nobody writes to: reading it would block for ever."""
    path = tmp_path / "fifo"
    os.mkfifo(path)
    return path


@pytest.fixture
def dev_zero(tmp_path: Path) -> Path:
    """A symbolic link to /dev/zero: an endless file."""
    path = tmp_path / "zero"
    path.symlink_to("/dev/zero")
    return path


@pytest.fixture
def unix_socket(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    yield path
    server.close()
