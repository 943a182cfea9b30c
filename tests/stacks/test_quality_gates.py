"""Whole-app gates: cdk-nag AwsSolutions with every acknowledgement reasoned, and deterministic synth.

These synthesize real apps (nag on), so they live apart from the template fixtures of the other tests
(cdk-notes.md: under cdk-nag 3 any finding makes synth raise).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from aws_cdk import App, Validations
from cdk_nag import AwsSolutionsChecks

from ekslab.config import load_config
from stacks.lab import build_lab
from tests.synth import ROOT, cdk_json_context

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.stem for e in EXAMPLES])
def test_lab_passes_cdk_nag_with_no_unacknowledged_finding(example: Path, tmp_path: Path) -> None:
    # GIVEN a lab with AwsSolutions checks  WHEN it is synthesized  THEN nag raises nothing
    app = App(context=cdk_json_context(), outdir=str(tmp_path))
    build_lab(app, load_config(example))
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    nag = [r for r in report["pluginReports"] if r["pluginName"] == "AwsSolutions"]
    assert all(r["violations"] == [] for r in nag)


def test_every_nag_acknowledgement_gives_a_specific_reason(tmp_path: Path) -> None:
    app = App(context=cdk_json_context(), outdir=str(tmp_path))
    build_lab(app, load_config(ROOT / "examples" / "custom-networking.yaml"))
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    reasons = [v.get("suppressionReason", "") for r in report["pluginReports"] if r["pluginName"] == "AwsSolutions"
               for v in r.get("suppressedViolations", [])]
    assert all(len(reason) >= 40 for reason in reasons), reasons


def _synth_with_app_py(out_dir: Path) -> dict[str, bytes]:
    environment = {**os.environ, "CDK_OUTDIR": str(out_dir), "CDK_CONTEXT_JSON": json.dumps(cdk_json_context())}
    subprocess.run([sys.executable, "app.py"], cwd=ROOT, env=environment, check=True, capture_output=True)
    return {path.name: path.read_bytes() for path in sorted(out_dir.glob("*.template.json"))}


def test_two_synths_give_byte_identical_templates(tmp_path: Path) -> None:
    first = _synth_with_app_py(tmp_path / "first")
    second = _synth_with_app_py(tmp_path / "second")
    assert first and first == second
