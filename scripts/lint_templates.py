#!/usr/bin/env python3
"""Quality gate: cfn-lint over every CloudFormation template in a cloud assembly (default cdk.out).

Fails on any finding (error, warning or informational) that .cfnlintrc does not list with a reason.
Used by `make test` and CI alike.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    out_dir = Path(argv[1] if len(argv) > 1 else "cdk.out")
    templates = sorted(out_dir.glob("*.template.json"))
    if not templates:
        print(f"lint-templates: {out_dir}: no *.template.json; run make synth first", file=sys.stderr)
        return 2
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    command = [str(cfn_lint), "--config-file", str(ROOT / ".cfnlintrc"), *map(str, templates)]
    result = subprocess.run(command, check=False)
    if result.returncode == 0:
        print(f"cfn-lint: {len(templates)} template(s) in {out_dir}, no findings")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv))
