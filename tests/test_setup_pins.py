"""The set-up installs one fixed tree: direct pins in requirements*.txt, everything else in constraints.txt."""

from __future__ import annotations

import subprocess
import sys

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import ROOT


def _pins(name: str) -> dict[str, str]:
    pins = {}
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        text = line.split("#", 1)[0].strip()
        if text and not text.startswith("-"):
            requirement = Requirement(text)
            (specifier,) = requirement.specifier  # exactly one, an ==
            pins[canonicalize_name(requirement.name)] = f"{specifier.operator}{specifier.version}"
    return pins


def test_every_requirement_is_pinned_to_the_version_in_constraints() -> None:
    # GIVEN the direct requirements and the constraints  THEN each direct pin is the same == version
    constraints = _pins("constraints.txt")
    direct = {**_pins("requirements.txt"), **_pins("requirements-dev.txt")}
    assert {name: pin for name, pin in direct.items() if constraints.get(name) != pin} == {}


def test_constraints_match_the_installed_dependency_closure() -> None:
    # GIVEN the virtualenv the suite runs in  WHEN freezing its dependency closure
    frozen = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "freeze_constraints.py")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # THEN it is constraints.txt to the line (regenerate it after changing requirements*.txt)
    assert frozen == (ROOT / "constraints.txt").read_text(encoding="utf-8")
