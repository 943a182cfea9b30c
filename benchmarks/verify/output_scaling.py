"""Check that verify's outputs grow linearly: JUnit with many pods, duplicate_ip details with many
pods on one IP (issue 21 item 7).

Each case is measured at n and 2n, side by side in one run, after one warm-up; a linear cost gives
a ratio near 2, a quadratic one near 4. Reported: median wall seconds of ``--repeat`` runs, the
ratio, and for duplicates the size of the JSON report.

    python benchmarks/verify/output_scaling.py --pods 15000 --duplicates 8000 --repeat 3

JUnit: a report of ``--pods`` passing pods (and half as many) written by ``write_junit``.
Duplicates: a bundle from ``generate_bundle.py`` whose running pods all get one IP, read, verified
and written as JSON, with ``--duplicates`` pods (and half as many).
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_bundle import write_bundle

from ekslab.sources.bundle import read_bundle
from ekslab.verify.checks import Expectations, verify
from ekslab.verify.report import write_json, write_junit
from ekslab.verify.results import PASS, PodResult, Report

PODS_PER_NODE = 30


def timed(work: Callable[[], object], repeat: int) -> tuple[float, object]:
    work()  # warm-up
    runs, value = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        value = work()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), value


def junit_case(pods: int, folder: Path) -> Callable[[], object]:
    results = [
        PodResult(
            "default",
            f"web-{index}",
            f"node-{index // 28}",
            f"10.{index // 65536}.{index // 256 % 256}.{index % 256}",
            PASS,
        )
        for index in range(pods)
    ]
    report = Report("synthetic", results, [])
    return lambda: write_junit(report, folder / f"junit-{pods}.xml")


def duplicates_case(pods: int, folder: Path) -> Callable[[], object]:
    bundle = folder / f"duplicates-{pods}"
    write_bundle(
        bundle, nodes=-(-pods // (PODS_PER_NODE - 2)), pods_per_node=PODS_PER_NODE, enis_per_node=4, seed=7
    )
    document = json.loads((bundle / "pods.json").read_text())
    shared = next(
        item["status"]["podIP"] for item in document["items"] if not item["spec"].get("hostNetwork")
    )
    running = [item for item in document["items"] if not item["spec"].get("hostNetwork")][:pods]
    for item in running:
        item["status"]["podIP"] = shared
    (bundle / "pods.json").write_text(json.dumps(document))
    expectations = Expectations(aws_node_env={}, init_env={})

    def work() -> int:
        out = io.StringIO()
        write_json(verify(read_bundle(bundle), expectations), out)
        return len(out.getvalue())

    return work


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pods", type=int, default=15_000)
    parser.add_argument("--duplicates", type=int, default=8_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        for name, make, size in (
            ("junit", junit_case, args.pods),
            ("duplicates", duplicates_case, args.duplicates),
        ):
            half, whole = make(size // 2, folder), make(size, folder)
            half_seconds, half_value = timed(half, args.repeat)
            whole_seconds, whole_value = timed(whole, args.repeat)
            extra = f"; JSON {half_value:,} / {whole_value:,} bytes" if isinstance(whole_value, int) else ""
            print(
                f"{name}: {size // 2:,} -> {half_seconds:.2f} s, {size:,} -> {whole_seconds:.2f} s, "
                f"ratio x{whole_seconds / half_seconds:.2f} (linear ~2, quadratic ~4){extra}"
            )


if __name__ == "__main__":
    main()
