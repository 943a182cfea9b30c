#!/usr/bin/env python3
"""Quality gate: the GitHub workflows pass zizmor (security) and the GitHub-workflow JSON schema (structure).

Both run offline: ``zizmor --offline`` (its online audits need a GitHub token and the network) in its
strictest persona, and ``check-jsonschema --builtin-schema vendor.github-workflows`` (the schema ships
with check-jsonschema). Fails on any finding; a finding that is accepted must be listed with its reason
in ``zizmor.yml`` next to the workflows directory (.github/zizmor.yml). Used by `make lint-workflows`
(part of `make test`) and by tests/ci.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW_SCHEMA = "vendor.github-workflows"
ZIZMOR_FINDINGS_EXIT_CODES = range(10, 20)
"""zizmor exits 10 + the highest severity when it has findings (1.32.0: 12 for a low, 14 for a high one);
any other non-zero code means it did not audit (e.g. 3: no inputs)."""


def main(argv: list[str]) -> int:
    workflows_dir = Path(argv[1]) if len(argv) > 1 else ROOT / ".github" / "workflows"
    workflows = [str(path) for path in sorted([*workflows_dir.glob("*.yml"), *workflows_dir.glob("*.yaml")])]
    if not workflows:
        print(f"lint-workflows: {workflows_dir}: no workflow files", file=sys.stderr)
        return 2
    tools = Path(sys.executable).parent  # installed with the dev requirements, next to this Python
    zizmor_config = workflows_dir.parent / "zizmor.yml"
    zizmor = [
        str(tools / "zizmor"),
        "--offline",
        "--persona=pedantic",
        "--no-progress",
        *(["--config", str(zizmor_config)] if zizmor_config.exists() else ["--no-config"]),
        *workflows,
    ]
    schema = [str(tools / "check-jsonschema"), "--builtin-schema", WORKFLOW_SCHEMA, *workflows]

    problems = []
    code = subprocess.run(zizmor, check=False).returncode
    if code in ZIZMOR_FINDINGS_EXIT_CODES:
        problems.append("zizmor reported findings")
    elif code != 0:
        problems.append(f"zizmor did not run (exit code {code})")
    if subprocess.run(schema, check=False).returncode != 0:
        problems.append("check-jsonschema reported findings")
    if problems:
        print(f"lint-workflows: {'; '.join(problems)} in {workflows_dir}", file=sys.stderr)
        return 1
    print(
        f"lint-workflows: {len(workflows)} workflow(s) in {workflows_dir}: no zizmor findings, schema valid"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
