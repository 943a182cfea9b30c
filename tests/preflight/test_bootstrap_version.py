"""The bootstrap version preflight demands is the one the lab's synthesized stacks require."""

from __future__ import annotations

from aws_cdk import App

from ekslab.config import default_config
from ekslab.preflight.checks import MIN_BOOTSTRAP_VERSION
from stacks.lab import build_lab
from tests.synth import cdk_json_context


def test_min_bootstrap_version_is_what_the_cloud_assembly_requires() -> None:
    # GIVEN the default lab's cloud assembly
    app = App(context=cdk_json_context())
    build_lab(app, default_config())
    assembly = app.synth()
    # WHEN the stacks' required bootstrap versions are read from the manifest
    required = {
        artifact.requires_bootstrap_stack_version
        for artifact in assembly.stacks_recursively
        if artifact.requires_bootstrap_stack_version is not None
    }
    # THEN preflight asks for exactly the highest of them
    assert max(required) == MIN_BOOTSTRAP_VERSION
