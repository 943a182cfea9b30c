"""Running the installed ``ekslab`` on a pseudo-terminal of a given width, as a user at a terminal sees it."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EKSLAB = Path(sys.executable).with_name("ekslab")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")


def run_in_terminal(
    args: list[str],
    *,
    columns: int,
    env: dict[str, str] | None = None,
    timeout: float = 120,
    program: list[str] | None = None,
) -> tuple[int, str]:
    """``ekslab ARGS`` with stdout and stderr on a pty ``columns`` wide: its exit code and what the
    terminal received, colours removed and line ends as ``\\n``."""
    code, raw = raw_terminal_output(args, columns=columns, env=env, timeout=timeout, program=program)
    text = raw.decode("utf-8", "replace").replace("\r\n", "\n")
    return code, _ANSI.sub("", text)


def raw_terminal_output(
    args: list[str],
    *,
    columns: int,
    env: dict[str, str] | None = None,
    timeout: float = 120,
    program: list[str] | None = None,
) -> tuple[int, bytes]:
    """``ekslab ARGS`` (or ``program`` ARGS) on a pty ``columns`` wide: its exit code and the bytes
    the terminal received."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    environment = {key: value for key, value in os.environ.items() if key not in ("COLUMNS", "LINES")}
    environment.update({"TERM": "xterm-256color", **(env or {})})
    process = subprocess.Popen(
        [*(program or [str(EKSLAB)]), *args],
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=slave,
        cwd=ROOT,
        env=environment,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    return process.wait(timeout=timeout), b"".join(chunks)
