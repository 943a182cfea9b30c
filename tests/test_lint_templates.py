"""`make lint-templates` lints exactly the templates of the last synth, and `make clean` keeps what
`make deploy` wrote about a running lab (cdk.out/outputs*.json)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.synth import ROOT

GOOD = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}
BAD = {"Resources": {"Thing": {"Type": "AWS::Nope::Thing"}}}
"""cfn-lint rejects an unknown resource type (E3006)."""


def _assembly(folder: Path, listed: dict[str, dict], stale: dict[str, dict]) -> Path:
    folder.mkdir()
    artifacts = {
        name: {"type": "aws:cloudformation:stack", "properties": {"templateFile": f"{name}.template.json"}}
        for name in listed
    }
    artifacts["Tree"] = {"type": "cdk:tree", "properties": {"file": "tree.json"}}
    (folder / "manifest.json").write_text(json.dumps({"version": "48.0.0", "artifacts": artifacts}))
    for name, template in {**listed, **stale}.items():
        (folder / f"{name}.template.json").write_text(json.dumps(template))
    return folder


def _make(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", "-s", "-f", str(ROOT / "Makefile"), *args],
        cwd=cwd,
        env={**os.environ, "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_only_the_manifests_templates_are_linted(tmp_path: Path) -> None:
    # GIVEN the last synth listed one good template, and a bad one is left from an earlier synth
    out = _assembly(tmp_path / "cdk.out", {"alice-network": GOOD}, {"bob-network": BAD})
    # WHEN linted  THEN only the listed template is, and it passes
    result = _make("lint-templates", f"CDK_OUT={out}")
    assert (result.returncode, result.stdout) == (
        0,
        f"cfn-lint: 1 template(s) of {out}/manifest.json, no findings\n",
    )


def test_a_listed_template_with_findings_fails(tmp_path: Path) -> None:
    out = _assembly(tmp_path / "cdk.out", {"alice-network": GOOD, "alice-cluster": BAD}, {})
    result = _make("lint-templates", f"CDK_OUT={out}")
    assert (result.returncode != 0, "E3006" in result.stdout) == (True, True)


def test_without_a_manifest_it_says_to_synth_first(tmp_path: Path) -> None:
    (tmp_path / "cdk.out").mkdir()
    (tmp_path / "cdk.out" / "old.template.json").write_text(json.dumps(GOOD))
    result = _make("lint-templates", f"CDK_OUT={tmp_path / 'cdk.out'}")
    assert (result.returncode, result.stderr.splitlines()[0]) == (
        2,
        f"lint-templates: {tmp_path / 'cdk.out'}/manifest.json: not found; run make synth first",
    )


def test_clean_keeps_the_deploy_outputs(tmp_path: Path) -> None:
    # GIVEN a synthesized cdk.out/ beside the outputs of two deployed labs
    out = _assembly(tmp_path / "cdk.out", {"alice-network": GOOD}, {})
    (out / "asset.0123abcd").mkdir()
    for name in ("outputs.json", "outputs-alice.json"):
        (out / name).write_text("{}")
    # WHEN make clean runs there  THEN only the outputs are left
    result = _make("clean", cwd=tmp_path)
    assert (result.returncode, sorted(path.name for path in out.iterdir())) == (
        0,
        ["outputs-alice.json", "outputs.json"],
    )
