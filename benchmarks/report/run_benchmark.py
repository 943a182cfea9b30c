"""Benchmark of the HTML report on a large bundle: its size, the time to write it, Chromium's time to show it.

Targets (issue 15): the report of the 5,000-node benchmark bundle is under 40 MB, and Chromium loads
and renders it in under 10 s on this machine. Side by side in one run, ``ekslab report`` is timed
against ``ekslab verify --output json`` of the same bundle (the report is verify plus the page), in
alternating order. Chromium is Debian's, driven by Playwright as in tests/report/browser.py; "shown"
is measured from navigation start to the second animation frame after the load event (the page is
parsed, styled, laid out and painted).

    .venv/bin/python benchmarks/verify/generate_bundle.py --out /tmp/bench-5k --compact
    .venv/bin/python benchmarks/report/run_benchmark.py --bundle /tmp/bench-5k --repeat 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.report.browser import CHROMIUM_FLAGS  # noqa: E402

SHOWN = """() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() =>
  done({load: performance.getEntriesByType("navigation")[0].loadEventEnd, shown: performance.now(),
        nodes: document.getElementsByTagName("*").length}))))"""

# The last pod of the page: in the data of the closed nodes (map_data.py), else the last slot drawn.
SEARCH = """() => new Promise(done => {
  const data = document.getElementById("map-data");
  let ip;
  if (data) {
    const nodes = JSON.parse(data.textContent).nodes;
    const pods = nodes[nodes.length - 1][1].flatMap(e => e[8]).flatMap(g => g[2]);
    ip = pods[pods.length - 1][0];
  } else {
    ip = [...document.querySelectorAll("li.p")].pop().firstChild.nodeValue.split(" ")[0];
  }
  const box = document.getElementById("search"), start = performance.now();
  box.value = ip;
  box.dispatchEvent(new KeyboardEvent("keydown", {key: "Enter"}));
  requestAnimationFrame(() => requestAnimationFrame(() => done({
    ms: performance.now() - start, matches: document.getElementById("matches").textContent})));
})"""


def _run(command: list[str]) -> tuple[float, int]:
    """(wall seconds, peak RSS in MiB) of one child process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1, 3):
        raise SystemExit(f"{command} failed: {process.stderr.read().decode() if process.stderr else ''}")
    return wall, usage.ru_maxrss // 1024


def _browser_times(report: Path, repeat: int, chromium: str) -> list[dict[str, float]]:
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=list(CHROMIUM_FLAGS)
        )
        for _ in range(repeat):
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            start = time.perf_counter()
            page.goto(report.as_uri(), wait_until="load", timeout=120_000)
            measured = page.evaluate(SHOWN)
            wall = time.perf_counter() - start
            # Search for the last pod on the page, timed inside the page up to the next frame: the
            # index of every pod, node and ENI is built on the first search.
            searched = page.evaluate(SEARCH)
            results.append(
                {
                    "wall": wall,
                    "load_ms": measured["load"],
                    "shown_ms": measured["shown"],
                    "elements": measured["nodes"],
                    "search": searched["ms"] / 1000,
                    "matches": searched["matches"],
                }
            )
            page.close()
        browser.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path("/tmp/ekslab-report-bench.html"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument(
        "--draw-all",
        action="store_true",
        help="Write the page with `ekslab report --draw-all` (every node as markup).",
    )
    args = parser.parse_args()
    python = str(ROOT / ".venv" / "bin" / "python")
    report_cmd = [python, "-m", "ekslab", "report", "--bundle", str(args.bundle), "--out", str(args.out)]
    if args.draw_all:
        report_cmd.append("--draw-all")
    verify_cmd = [python, "-m", "ekslab", "verify", "--bundle", str(args.bundle), "-o", "json"]
    reports, verifies = [], []
    for round_ in range(args.repeat):
        order = [(report_cmd, reports), (verify_cmd, verifies)]
        for command, into in order if round_ % 2 == 0 else reversed(order):
            into.append(_run(command))
    size = args.out.stat().st_size
    print(f"bundle: {args.bundle}  report: {args.out} {size / 2**20:.1f} MiB ({size:,} bytes)")
    for name, runs in (("ekslab report", reports), ("ekslab verify -o json", verifies)):
        walls = [wall for wall, _ in runs]
        print(
            f"{name:24} median {statistics.median(walls):.2f} s  runs "
            + ", ".join(f"{wall:.2f}" for wall in walls)
            + f"  peak RSS {max(rss for _, rss in runs)} MiB"
        )
    ratio = statistics.median(w for w, _ in reports) / statistics.median(w for w, _ in verifies)
    print(f"report / verify: x{ratio:.2f}")
    times = _browser_times(args.out, args.repeat, args.chromium)
    for index, run in enumerate(times, 1):
        print(
            f"chromium run {index}: load event {run['load_ms'] / 1000:.2f} s, shown {run['shown_ms'] / 1000:.2f} s, "
            f"wall {run['wall']:.2f} s, {run['elements']:,} elements, first search {run['search']:.2f} s "
            f"({run['matches']})"
        )
    print(
        f"chromium shown, median: {statistics.median(run['shown_ms'] for run in times) / 1000:.2f} s (target < 10 s)"
    )


if __name__ == "__main__":
    main()
