"""What the rules of every family report: one-line errors (which stop synth) and warnings.

Every rule family (``ekslab.config.validation``, ``ekslab.lab.node_groups``, ``ekslab.cni.rules``,
``ekslab.capacity.guard``) imports this module, and it imports none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ekslab.config.model import LabConfig
from ekslab.errors import InputError


@dataclass
class Findings:
    """What the rules found: errors stop synth; warnings are printed and synth goes on."""

    errors: list[InputError] = field(default_factory=list)
    warnings: list[InputError] = field(default_factory=list)

    def error(self, where: str, rule: str, *given: object, hint: str = "") -> None:
        self.errors.append(InputError(where, rule, *given, hint=hint))

    def warning(self, where: str, rule: str, *given: object, hint: str = "") -> None:
        self.warnings.append(InputError(where, rule, *given, hint=hint))

    def extend(self, other: Findings) -> None:
        self.errors.extend(other.errors)
        self.warnings.extend(other.warnings)


Rule = Callable[[LabConfig, Findings], None]


def acknowledge_hint(rule_id: str) -> str:
    """How to accept a toolkit policy finding: the hint of every acknowledgeable rule."""
    return f"rule {rule_id}; to accept it add {{rule: {rule_id}, reason: ...}} to acknowledge"
