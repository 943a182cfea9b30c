"""Building lab templates in tests, the same way `cdk synth` builds them (minus cdk-nag)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from aws_cdk import App
from aws_cdk.assertions import Template

from ekslab.config.model import LabConfig
from stacks.lab import LabStacks, build_lab

ROOT = Path(__file__).resolve().parent.parent


def cdk_json_context() -> dict:
    """The feature flags of cdk.json, which the CDK CLI passes to app.py; tests pass them too."""
    return json.loads((ROOT / "cdk.json").read_text())["context"]


@dataclass
class SynthesizedLab:
    stacks: LabStacks
    templates: dict[str, Template]

    def template(self, part: str) -> Template:
        """The template of the stack named ``<lab>-<part>``."""
        matches = [t for name, t in self.templates.items() if name.endswith(f"-{part}")]
        assert len(matches) == 1, f"expected one {part} stack, have {sorted(self.templates)}"
        return matches[0]


def synth_lab(config: LabConfig) -> SynthesizedLab:
    """Synthesize every stack of a lab (one App per call: an App cannot be modified after synth)."""
    app = App(context=cdk_json_context())
    stacks = build_lab(app, config)
    return SynthesizedLab(stacks, {stack.stack_name: Template.from_stack(stack) for stack in stacks.all()})
