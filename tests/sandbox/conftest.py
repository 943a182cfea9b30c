"""One sandbox for a module's tests: the recorded default lab, served by `ekslab sandbox up`'s own
background process (its moto is its own, whatever other tests of this process do with theirs)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ekslab.sandbox.service import SandboxInfo, down, up


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxInfo]:
    state = tmp_path_factory.mktemp("sandbox")
    info = up(state)
    try:
        yield info
    finally:
        down(state)


@pytest.fixture(scope="module")
def terminal(sandbox: SandboxInfo, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A terminal's environment on the sandbox: its export lines, the venv's kubectl and aws first."""
    home = tmp_path_factory.mktemp("home")
    return {
        **{key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "KUBE"))},
        **sandbox.environment(),
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
        "HOME": str(home),
    }
