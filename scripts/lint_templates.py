#!/usr/bin/env python3
"""Quality gate: cfn-lint over the CloudFormation templates of the last synth (default cdk.out).

The templates are exactly those the cloud assembly's manifest.json lists (stack artifacts, nested
assemblies included), so templates left in the folder by an earlier synth of another configuration
are not linted. Fails on any finding (error, warning or informational) that .cfnlintrc does not list
with a reason. Used by `make test` and CI alike.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STACK_ARTIFACT = "aws:cloudformation:stack"
NESTED_ASSEMBLY = "cdk:cloud-assembly"
MAX_MANIFEST_BYTES = 16 * 1024 * 1024


class ManifestError(Exception):
    """A manifest that is missing or does not say which templates it holds (one line)."""


def manifest_templates(out_dir: Path) -> list[Path]:
    """The template files of the stacks listed in ``out_dir``/manifest.json, in manifest order."""
    manifest = out_dir / "manifest.json"
    try:
        with manifest.open("rb") as file:
            raw = file.read(MAX_MANIFEST_BYTES + 1)
    except FileNotFoundError:
        raise ManifestError(f"{manifest}: not found; run make synth first") from None
    except OSError as error:
        raise ManifestError(f"{manifest}: cannot be read ({error.strerror})") from None
    if len(raw) > MAX_MANIFEST_BYTES:
        raise ManifestError(f"{manifest}: larger than {MAX_MANIFEST_BYTES} bytes")
    try:
        artifacts = json.loads(raw).get("artifacts") or {}
    except (ValueError, AttributeError):
        raise ManifestError(f"{manifest}: is not a cloud assembly manifest (a JSON object)") from None
    templates: list[Path] = []
    for name, artifact in artifacts.items():
        properties = artifact.get("properties") or {}
        if artifact.get("type") == STACK_ARTIFACT:
            if "templateFile" not in properties:
                raise ManifestError(f"{manifest}: artifacts.{name}: has no properties.templateFile")
            templates.append(out_dir / properties["templateFile"])
        elif artifact.get("type") == NESTED_ASSEMBLY and "directoryName" in properties:
            templates += manifest_templates(out_dir / properties["directoryName"])
    return templates


def main(argv: list[str]) -> int:
    out_dir = Path(argv[1] if len(argv) > 1 else "cdk.out")
    try:
        templates = manifest_templates(out_dir)
    except ManifestError as error:
        print(f"lint-templates: {error}", file=sys.stderr)
        return 2
    if not templates:
        print(
            f"lint-templates: {out_dir}/manifest.json: lists no stacks; run make synth first", file=sys.stderr
        )
        return 2
    missing = [str(path) for path in templates if not path.is_file()]
    if missing:
        print(
            f"lint-templates: {missing[0]}: listed in the manifest but missing; run make synth",
            file=sys.stderr,
        )
        return 2
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    command = [str(cfn_lint), "--config-file", str(ROOT / ".cfnlintrc"), *map(str, templates)]
    result = subprocess.run(command, check=False)
    if result.returncode == 0:
        print(f"cfn-lint: {len(templates)} template(s) of {out_dir}/manifest.json, no findings")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv))
