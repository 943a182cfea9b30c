#!/usr/bin/env python3
"""Synth benchmark: `make synth` of the default lab (network + cluster + workload, cdk-nag on) against
a minimal hand-written aws_eks_v2 app with the same resources, side by side in one run.

Both go through the same pinned CDK CLI with the same flags; rounds alternate so that machine noise
hits both. Reports the median wall time of each and their ratio (target: at most 1.5).

    .venv/bin/python benchmarks/synth/run.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _timed(command: list[str], environment: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        command, cwd=ROOT, env=environment, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - start


def _resources(out_dir: Path) -> Counter[str]:
    counts: Counter[str] = Counter()
    for template in out_dir.glob("*.template.json"):
        counts.update(r["Type"] for r in json.loads(template.read_text())["Resources"].values())
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (default 5)")
    rounds = parser.parse_args().rounds
    environment = {
        **os.environ,
        "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}",
        "CDK_DISABLE_CLI_TELEMETRY": "true",
    }
    with tempfile.TemporaryDirectory() as scratch:
        lab_out, minimal_out = Path(scratch) / "lab", Path(scratch) / "minimal"
        lab = ["make", "--no-print-directory", "synth", f"CDK_OUT={lab_out}"]
        minimal = [
            str(ROOT / "node_modules/.bin/cdk"),
            "synth",
            "--app",
            f"{sys.executable} benchmarks/synth/minimal_app.py",
            "--no-notices",
            "--no-version-reporting",
            "--no-lookups",
            "--quiet",
            "--output",
            str(minimal_out),
        ]
        _timed(lab, environment)  # warm-up: set-up stamps, Python bytecode, file cache
        _timed(minimal, environment)
        lab_times, minimal_times = [], []
        for _ in range(rounds):
            lab_times.append(_timed(lab, environment))
            minimal_times.append(_timed(minimal, environment))
        lab_resources, minimal_resources = _resources(lab_out), _resources(minimal_out)
    lab_median, minimal_median = statistics.median(lab_times), statistics.median(minimal_times)
    print(f"rounds: {rounds} (alternating, after one warm-up each)")
    print(
        f"make synth (default lab, nag on): median {lab_median:.2f} s  "
        f"runs {', '.join(f'{t:.2f}' for t in lab_times)}  resources {sum(lab_resources.values())}"
    )
    print(
        f"minimal aws_eks_v2 app:           median {minimal_median:.2f} s  "
        f"runs {', '.join(f'{t:.2f}' for t in minimal_times)}  resources {sum(minimal_resources.values())}"
    )
    print(f"ratio: {lab_median / minimal_median:.2f} (target <= 1.5)")
    only_lab = lab_resources - minimal_resources
    only_minimal = minimal_resources - lab_resources
    print(f"resource types only in the lab: {dict(only_lab)}; only in the minimal app: {dict(only_minimal)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
