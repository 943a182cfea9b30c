"""docs/configuration.md's reference is generated from the model and must be current."""

from __future__ import annotations

from ekslab.config.reference import render_into
from tests.synth import ROOT


def test_configuration_reference_is_current() -> None:
    document = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert render_into(document) == document, "run: .venv/bin/python -m ekslab.config.reference"


def test_reference_lists_every_cni_env_variable() -> None:
    from ekslab.config.cni import CniEnv

    document = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert all(f"| `{name}` |" in document for name in CniEnv.model_fields)
