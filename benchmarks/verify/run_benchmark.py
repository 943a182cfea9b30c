"""Measure ``ekslab verify --bundle`` against merely ``json.load``-ing the same files, side by side.

Each runs as a child process of this script, one after the other, the order reversed every other run,
``--repeat``
times, after one warm-up read of every file (so both read from the page cache). For each run:
wall-clock time, CPU time (user + system) and peak resident memory (``ru_maxrss`` of that child, from
``os.wait4``). Reported: the median ratio verify / json.load for wall and CPU time, and verify's peak
memory against the bundle's size on disk. The targets (issue 20): time ratio <= 0.25 against json.load and
<= 2 against the floor (below), memory ratio <= 0.25.

    python benchmarks/verify/run_benchmark.py --bundle /tmp/bundle-5k --repeat 3 --json /tmp/results.json

The baseline loads every ``*.json`` file of the bundle with ``json.load`` in one process and drops each
result before the next (it keeps nothing). Most of its time on a large bundle goes to Python's cyclic
garbage collector walking the millions of objects of one huge document, so a second baseline runs the
same loads with ``gc.disable()``: the bare parsing cost, reported for context (the target is against
the plain one). verify writes its JSON report to a file, which is then
checked (every pod counted, no failure) so that a fast but wrong run cannot pass as a result.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BASELINE = """
import gc, json, sys
from pathlib import Path
if sys.argv[2] == "gc-off":
    gc.disable()
for path in sorted(Path(sys.argv[1]).rglob("*.json")):
    with open(path, encoding="utf-8") as handle:
        json.load(handle)
"""
FLOOR = """
import sys
from pathlib import Path
import msgspec
from ekslab.sources.pod_fields import PodFields

class Pods(msgspec.Struct):
    items: list[PodFields]

pods, anything = msgspec.json.Decoder(Pods), msgspec.json.Decoder()
for path in sorted(Path(sys.argv[1]).rglob("*.json")):
    data = path.read_bytes()
    (pods if path.name == "pods.json" and path.parent == Path(sys.argv[1]) else anything).decode(data)
"""
"""The floor (issue 20): the fastest decode of the same files into just the fields verify needs, with
msgspec in C and nothing else: pods.json into the record's fields (``PodFields``), every other file in
full (verify needs most of an ENI, node or subnet). It reads each file whole, so it is no memory floor."""
NAMES = ("json.load", "json.load (gc off)", "floor (msgspec)", "verify")
TIME_TARGET = 0.25
FLOOR_TARGET = 2.0
MEMORY_TARGET = 0.25


def measure(command: list[str], *, stdout: Any) -> dict[str, float]:
    """Run ``command``; wall seconds, CPU seconds and peak RSS bytes of that child only."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=stdout, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    stderr = process.stderr.read().decode() if process.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code not in (0,):
        raise SystemExit(f"{' '.join(command)} exited {code}: {stderr.strip()}")
    peak = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)  # Linux reports KiB
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak_rss": peak}


def bundle_files(bundle: Path) -> list[Path]:
    return [path for path in sorted(bundle.rglob("*")) if path.is_file()]


def warm_up(files: list[Path]) -> None:
    for path in files:
        with open(path, "rb") as handle:
            while handle.read(1 << 24):
                pass


def check_report(path: Path, expected_pods: int | None) -> dict[str, Any]:
    with open(path) as handle:
        summary = json.load(handle)["summary"]
    if (
        summary["failed"]
        or summary["nodes_failed"]
        or (expected_pods is not None and summary["pods"] != expected_pods)
    ):
        raise SystemExit(f"verify did not check the bundle as generated: {summary}")
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bundle", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pods", type=int, help="pod count the bundle must have (sanity check)")
    parser.add_argument("--json", type=Path, help="also write the raw measurements here")
    args = parser.parse_args()

    files = bundle_files(args.bundle)
    size = sum(path.stat().st_size for path in files)
    warm_up(files)
    commands = {
        "json.load": [sys.executable, "-c", BASELINE, str(args.bundle), "gc-on"],
        "json.load (gc off)": [sys.executable, "-c", BASELINE, str(args.bundle), "gc-off"],
        "floor (msgspec)": [sys.executable, "-c", FLOOR, str(args.bundle)],
    }
    runs: list[dict[str, Any]] = []
    summary: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        commands["verify"] = [
            sys.executable,
            "-m",
            "ekslab",
            "verify",
            "--bundle",
            str(args.bundle),
            "--output",
            "json",
            # The synthetic cluster's settings (prefix delegation on), so drift and convergence pass.
            "--expect-config",
            str(Path(__file__).resolve().parent / "lab.yaml"),
        ]
        for repeat in range(args.repeat):
            order = list(NAMES) if repeat % 2 == 0 else list(reversed(NAMES))
            run: dict[str, Any] = {"order": order}
            for name in order:
                if name == "verify":
                    with open(report, "w") as handle:
                        run[name] = measure(commands[name], stdout=handle)
                    summary = check_report(report, args.pods)
                else:
                    run[name] = measure(commands[name], stdout=subprocess.DEVNULL)
            run["wall_ratio"] = run["verify"]["wall"] / run["json.load"]["wall"]
            run["cpu_ratio"] = run["verify"]["cpu"] / run["json.load"]["cpu"]
            run["wall_ratio_gc_off"] = run["verify"]["wall"] / run["json.load (gc off)"]["wall"]
            run["memory_ratio"] = run["verify"]["peak_rss"] / size
            run["floor_ratio"] = run["verify"]["wall"] / run["floor (msgspec)"]["wall"]
            runs.append(run)
            print(
                f"run {repeat + 1}: json.load {run['json.load']['wall']:.2f} s "
                f"(gc off {run['json.load (gc off)']['wall']:.2f} s), verify {run['verify']['wall']:.2f} s "
                f"(x{run['wall_ratio']:.2f} wall, x{run['cpu_ratio']:.2f} CPU; "
                f"x{run['wall_ratio_gc_off']:.2f} the gc-off load; floor {run['floor (msgspec)']['wall']:.2f} s, "
                f"verify x{run['floor_ratio']:.2f} it); "
                f"peak RSS json.load {run['json.load']['peak_rss'] / 2**20:.0f} MiB, verify "
                f"{run['verify']['peak_rss'] / 2**20:.0f} MiB = x{run['memory_ratio']:.2f} the bundle",
                flush=True,
            )

    result = {
        "bundle": str(args.bundle),
        "bundle_bytes": size,
        "files": len(files),
        "summary": summary,
        "median_wall_ratio": statistics.median(run["wall_ratio"] for run in runs),
        "median_cpu_ratio": statistics.median(run["cpu_ratio"] for run in runs),
        "median_wall_ratio_gc_off": statistics.median(run["wall_ratio_gc_off"] for run in runs),
        "max_memory_ratio": max(run["memory_ratio"] for run in runs),
        "median_floor_ratio": statistics.median(run["floor_ratio"] for run in runs),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average_at_end": os.getloadavg(),
        },
        "runs": runs,
    }
    print(
        f"bundle {size / 2**20:.0f} MiB in {len(files)} files; {summary.get('pods')} pods, "
        f"{summary.get('nodes')} nodes"
    )
    print(
        f"median time ratio verify/json.load: wall x{result['median_wall_ratio']:.2f}, "
        f"CPU x{result['median_cpu_ratio']:.2f} (target <= {TIME_TARGET}); against json.load with the cyclic "
        f"GC off: wall x{result['median_wall_ratio_gc_off']:.2f}"
    )
    print(
        f"median time ratio verify/floor (msgspec into the needed fields): x{result['median_floor_ratio']:.2f} "
        f"(target <= {FLOOR_TARGET})"
    )
    print(f"peak memory / bundle size: x{result['max_memory_ratio']:.2f} (target <= {MEMORY_TARGET})")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
