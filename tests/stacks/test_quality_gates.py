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

from ekslab.config.loader import parse_config
from ekslab.config.model import LabConfig
from ekslab.lab import load_config
from ekslab_constructs.nag import MIN_REASON_LENGTH
from stacks.lab import build_lab
from tests.synth import ROOT, cdk_json_context

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
VARIANTS = {  # lab shapes no example covers, with resources of their own
    "s3-flow-logs": {"network": {"flowLogs": {"destination": "s3"}}},
    "irsa": {"cluster": {"workloadIdentity": "irsa"}},
    "ci-access": {"ciAccess": {"enabled": True, "githubRepository": "example-org/ekslab"}},
}
LABS = {**{example.stem: example for example in EXAMPLES}, **VARIANTS}


def _config(lab: Path | dict) -> LabConfig:
    return load_config(lab) if isinstance(lab, Path) else parse_config(lab)


@pytest.fixture(scope="module", params=sorted(LABS))
def nag_report(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Synthesize a lab with AwsSolutions checks; synth raises ValidationFailed on any finding."""
    out = tmp_path_factory.mktemp(request.param)
    app = App(context=cdk_json_context(), outdir=str(out))
    build_lab(app, _config(LABS[request.param]))
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    app.synth()
    [report] = [
        r
        for r in json.loads((out / "validation-report.json").read_text())["pluginReports"]
        if r["pluginName"] == "AwsSolutions"
    ]
    return report


def test_lab_has_no_unacknowledged_nag_finding(nag_report: dict) -> None:
    assert nag_report["violations"] == []


def test_every_nag_acknowledgement_gives_a_specific_reason(nag_report: dict) -> None:
    reasons = [violation["reason"] for violation in nag_report["suppressedViolations"]]
    assert reasons and all(len(reason) >= MIN_REASON_LENGTH for reason in reasons)


def _synth_with_app_py(out_dir: Path) -> tuple[dict[str, bytes], str]:
    environment = {
        **os.environ,
        "CDK_OUTDIR": str(out_dir),
        "CDK_CONTEXT_JSON": json.dumps(cdk_json_context()),
    }
    result = subprocess.run(
        [sys.executable, "app.py"], cwd=ROOT, env=environment, check=True, capture_output=True, text=True
    )
    return {path.name: path.read_bytes() for path in sorted(out_dir.glob("*.template.json"))}, result.stderr


@pytest.fixture(scope="module")
def two_synths(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[dict[str, bytes], str]]:
    """app.py run twice on the default lab, as `make synth` runs it: templates and stderr of each."""
    return [_synth_with_app_py(tmp_path_factory.mktemp(name)) for name in ("first", "second")]


def test_two_synths_give_byte_identical_templates(two_synths: list[tuple[dict[str, bytes], str]]) -> None:
    (first, _), (second, _) = two_synths
    assert first and first == second


def test_the_open_endpoint_warning_is_one_short_line_per_synth(
    two_synths: list[tuple[dict[str, bytes], str]],
) -> None:
    # GIVEN the default lab (public endpoint open to 0.0.0.0/0)  WHEN synthesized
    _, stderr = two_synths[0]
    # THEN its warning is said once, short, and points to where the README explains it
    assert [line for line in stderr.splitlines() if line.startswith("ekslab:")] == [
        "ekslab: warning: the cluster's public API endpoint is open to the internet (0.0.0.0/0): "
        "cluster.publicAccessCidrs (rule public-endpoint-open; see README.md, Set up)"
    ]
