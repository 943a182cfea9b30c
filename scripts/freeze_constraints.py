#!/usr/bin/env python3
"""Print constraints.txt: every distribution that requirements*.txt pull in, pinned at its installed version.

Walks the dependency closure of the pinned requirements through the installed metadata (extras and
environment markers included), so packages that happen to be in the virtualenv but that nothing asks
for (pip, setuptools, leftovers) stay out.

    .venv/bin/python scripts/freeze_constraints.py > constraints.txt
"""

from __future__ import annotations

import importlib.metadata as metadata
import sys
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENT_FILES = ("requirements.txt", "requirements-dev.txt")
HEADER = """\
# Every package the set-up installs, direct and transitive, at the version the suite was last run with.
# requirements*.txt name what ekslab uses; this file fixes everything underneath (jsii, cattrs, typeguard,
# urllib3, ...) so a fresh clone resolves the same tree. `make setup` installs with `-c constraints.txt`.
# Regenerate after changing requirements*.txt:
#   .venv/bin/python scripts/freeze_constraints.py > constraints.txt
"""


def direct_requirements() -> list[Requirement]:
    found = []
    for name in REQUIREMENT_FILES:
        for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
            text = line.split("#", 1)[0].strip()
            if text and not text.startswith("-"):
                found.append(Requirement(text))
    return found


def _applies(requirement: Requirement, extras: frozenset[str]) -> bool:
    if requirement.marker is None:
        return True
    return any(requirement.marker.evaluate({"extra": extra}) for extra in extras or {""})


def closure(roots: list[Requirement]) -> dict[str, metadata.Distribution]:
    """The installed distributions ``roots`` need, by canonical name; a missing one is an error."""
    installed = {canonicalize_name(dist.metadata["Name"]): dist for dist in metadata.distributions()}
    needed: dict[str, metadata.Distribution] = {}
    visited: set[tuple[str, frozenset[str]]] = set()
    pending = [(requirement, frozenset(requirement.extras)) for requirement in roots]
    while pending:
        requirement, extras = pending.pop()
        name = canonicalize_name(requirement.name)
        if (name, extras) in visited:
            continue
        visited.add((name, extras))
        if name not in installed:
            raise SystemExit(
                f"freeze_constraints: {requirement.name} is required but not installed; run make setup"
            )
        needed[name] = installed[name]
        for text in installed[name].requires or []:
            child = Requirement(text)
            if _applies(child, extras):
                pending.append((child, frozenset(child.extras)))
    return needed


def main() -> int:
    needed = closure(direct_requirements())
    lines = sorted(f"{dist.metadata['Name']}=={dist.version}" for dist in needed.values())
    sys.stdout.write(HEADER + "\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
