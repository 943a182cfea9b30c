"""Cases that fork, run in a fresh Python process: the test process has other threads (the jsii
kernel's, once aws_cdk is imported), where ``ekslab.sources.forked`` rightly refuses to fork.

A cases module (``python -m tests.<...>_cases CASE ARGS...``) counts the children it makes with
``count_forks`` and prints one JSON object of facts; ``run_cases`` runs it and returns them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
_real_fork = os.fork


def count_forks() -> list[int]:
    """From now on, every child this process forks is added to the list returned (its pid)."""
    made: list[int] = []

    def counting_fork() -> int:
        pid = _real_fork()
        if pid:
            made.append(pid)
        return pid

    os.fork = counting_fork  # type: ignore[assignment]
    return made


def run_cases(module: str, *arguments: str) -> dict[str, Any]:
    """The facts a cases module printed; it must have found that it can fork."""
    done = subprocess.run(
        [sys.executable, "-m", module, *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    facts: dict[str, Any] = json.loads(done.stdout)
    assert facts["can_fork"] is True
    return facts
