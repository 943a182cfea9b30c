"""cfn-lint over the templates of every example lab (make test lints the default lab's cdk.out too)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from aws_cdk import App

from ekslab.lab import load_config
from stacks.lab import build_lab
from tests.synth import ROOT, cdk_json_context


def test_every_example_lab_passes_cfn_lint(tmp_path: Path) -> None:
    # GIVEN every example synthesized (one cloud assembly each)
    templates: list[Path] = []
    for example in sorted((ROOT / "examples").glob("*.yaml")):
        out = tmp_path / example.stem
        app = App(context=cdk_json_context(), outdir=str(out))
        build_lab(app, load_config(example))
        app.synth()
        templates += sorted(out.glob("*.template.json"))
    # WHEN cfn-lint checks them all in one run, with the project's .cfnlintrc
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    result = subprocess.run(
        [str(cfn_lint), "--config-file", str(ROOT / ".cfnlintrc"), *map(str, templates)],
        capture_output=True,
        text=True,
        check=False,
    )
    # THEN there is no finding at all
    assert len(templates) >= 12
    assert (result.returncode, result.stdout) == (0, "")
