"""Measure the live read page by page against with the next page in flight, side by side (issue 20).

A loopback stand-in (``standin.py``, a child process) serves a benchmark bundle as the Kubernetes API
server, EKS and EC2 would, with a latency added server-side to every request. Each measurement runs
in a child process of its own, the two readings alternated (the order reversed every other round):

* ``live``: ``ekslab.sources.live.read_live``, what ``ekslab verify`` reads from a live cluster, with
  ``--ipamd-transport none`` (ipamd is measured apart): EKS DescribeCluster, the Kubernetes lists
  (150,000 pods at ``--page-size 500``: 300 pages), EC2 DescribeVpcs, DescribeSubnets and
  DescribeNetworkInterfaces (1,000 a page).
* ``pods``: the pod list alone (``KubeSource.pods`` into the records, as ``read_live`` does).
* ``enis``: EC2 DescribeNetworkInterfaces alone (``AwsSource.network_interfaces`` into the records).
* ``fanout``: ipamd of 1,000 nodes through the API server's node proxy (``ProxyTransport``, five
  GETs a node), at 16 at once (the old default) and at the default ``--concurrency``.

Per measurement: wall and CPU time of the child, the requests the stand-in counted, and a digest of
what was read (the records' ``repr``); before and after must agree on both or the script stops.

    python benchmarks/verify/generate_bundle.py --out /tmp/bundle-5k
    python benchmarks/live/run_benchmark.py --bundle /tmp/bundle-5k --json /tmp/live.json
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
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CLUSTER = "ekslab-bench"
REGION = "us-west-2"
CHILD = """
import hashlib, json, os, sys, time
mode, kubeconfig, prefetch = sys.argv[1], sys.argv[2], sys.argv[3] == "after"
start, cpu = time.perf_counter(), time.process_time()
if mode == "live":
    from ekslab.sources.live import LiveOptions, read_live
    snapshot = read_live(LiveOptions(cluster=sys.argv[4], region=sys.argv[5], kubeconfig=kubeconfig,
                                     ipamd_transport="none", page_size=500, prefetch=prefetch))
    read = [snapshot.pods, snapshot.nodes, snapshot.enis, snapshot.subnets, snapshot.vpcs]
    counts = {"pods": len(snapshot.pods), "nodes": len(snapshot.nodes), "enis": len(snapshot.enis)}
elif mode == "pods":
    from ekslab.sources import bundle as layout
    from ekslab.sources.kube import KubeSettings, KubeSource
    from ekslab.sources.snapshot import ClusterSnapshot
    kube = KubeSource(KubeSettings(kubeconfig=kubeconfig, page_size=500, prefetch=prefetch))
    snapshot = ClusterSnapshot(source="bench")
    layout.add_items(snapshot, layout.PODS, (item for page in kube.pods() for item in page), source="pods")
    read, counts = [snapshot.pods], {"pods": len(snapshot.pods)}
elif mode == "enis":
    from ekslab.sources import bundle as layout
    from ekslab.sources.ec2 import AwsSettings, AwsSource
    from ekslab.sources.snapshot import ClusterSnapshot
    aws = AwsSource(AwsSettings(region=sys.argv[5], prefetch=prefetch))
    snapshot = ClusterSnapshot(source="bench")
    layout.add_items(snapshot, layout.NETWORK_INTERFACES, aws.network_interfaces(sys.argv[6]), source="AWS")
    read, counts = [snapshot.enis], {"enis": len(snapshot.enis)}
else:
    from ekslab.sources.introspection import ProxyTransport, fetch_introspection
    from ekslab.sources.kube import KubeSettings, KubeSource
    from ekslab.sources.records import NodeRecord
    concurrency = int(sys.argv[3])
    names = json.loads(sys.argv[4])
    nodes = [NodeRecord(name, "", f"i-{index}", "", {}, {}) for index, name in enumerate(names)]
    kube = KubeSource(KubeSettings(kubeconfig=kubeconfig, pool_size=concurrency))
    start, cpu = time.perf_counter(), time.process_time()
    fetched = fetch_introspection(ProxyTransport(kube), nodes, concurrency=concurrency, timeout=30)
    read = sorted((name, result.bodies, result.error) for name, result in fetched.items())
    counts = {"nodes": len(fetched), "errors": sum(1 for result in fetched.values() if result.error)}
wall, cpu = time.perf_counter() - start, time.process_time() - cpu
digest = hashlib.sha256(repr(read).encode()).hexdigest()[:16]
print(json.dumps({"wall": wall, "cpu": cpu, "counts": counts, "digest": digest}))
"""


def start_standin(bundle: Path, folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port_file = folder / "port"
    process = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "benchmarks/live/standin.py"),
            "--bundle",
            str(bundle),
            "--port-file",
            str(port_file),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    deadline = time.monotonic() + 900  # it renders every item once: about a minute for 150,000 pods
    while not port_file.exists() or not port_file.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise SystemExit("the stand-in did not start")
        time.sleep(0.5)
    return process, f"http://127.0.0.1:{port_file.read_text()}"


def control(url: str, path: str) -> Any:
    with urllib.request.urlopen(url + path, timeout=30) as answer:
        return json.loads(answer.read())


def run(url: str, kubeconfig: Path, *arguments: str) -> dict[str, Any]:
    control(url, "/__stats")  # reset the counts
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith("AWS_")},
        "AWS_ENDPOINT_URL": url,
        "AWS_ACCESS_KEY_ID": "benchmark",
        "AWS_SECRET_ACCESS_KEY": "benchmark",
        "AWS_DEFAULT_REGION": REGION,
        "PYTHONPATH": str(ROOT),
    }
    child = subprocess.run(
        [sys.executable, "-c", CHILD, arguments[0], str(kubeconfig), *arguments[1:]],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if child.returncode:
        raise SystemExit(f"{arguments[0]} exited {child.returncode}: {child.stderr.strip()[-2000:]}")
    result = json.loads(child.stdout)
    result["requests"] = control(url, "/__stats")
    return result


def compare(name: str, latency: float, rounds: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    before, after = rounds["before"], rounds["after"]
    for key in ("requests", "digest", "counts"):
        values = {json.dumps(result[key], sort_keys=True) for result in before + after}
        if len(values) != 1:
            raise SystemExit(f"{name} at {latency * 1000:g} ms: before and after differ in {key}: {values}")
    wall = {side: statistics.median(result["wall"] for result in rounds[side]) for side in rounds}
    cpu = {side: statistics.median(result["cpu"] for result in rounds[side]) for side in rounds}
    row = {
        "what": name,
        "latency_ms": latency * 1000,
        "requests": sum(before[0]["requests"].values()),
        "requests_by_path": before[0]["requests"],
        "counts": before[0]["counts"],
        "wall_before": wall["before"],
        "wall_after": wall["after"],
        "ratio": wall["after"] / wall["before"],
        "cpu_before": cpu["before"],
        "cpu_after": cpu["after"],
        "runs": {side: [round(result["wall"], 2) for result in rounds[side]] for side in rounds},
    }
    print(
        f"{name:5} {latency * 1000:4g} ms: {row['requests']:5} requests both; "
        f"page by page {wall['before']:6.2f} s, next page in flight {wall['after']:6.2f} s, "
        f"ratio x{row['ratio']:.2f} (runs {row['runs']}; CPU {cpu['before']:.1f} / {cpu['after']:.1f} s)",
        flush=True,
    )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--bundle", type=Path, required=True, help="from benchmarks/verify/generate_bundle.py"
    )
    parser.add_argument("--url", help="a stand-in already running (standin.py), instead of starting one")
    parser.add_argument("--latency", type=float, nargs="+", default=[0.05, 0.1], help="seconds per request")
    parser.add_argument("--repeat", type=int, default=2, help="rounds of before and after")
    parser.add_argument("--fanout-nodes", type=int, default=1000)
    parser.add_argument("--skip", nargs="*", default=[], choices=["live", "pods", "enis", "fanout"])
    parser.add_argument("--json", type=Path, help="also write the measurements here")
    arguments = parser.parse_args()
    from ekslab.sources.live_defaults import DEFAULT_CONCURRENCY

    with tempfile.TemporaryDirectory(prefix="ekslab-live-bench-") as folder:
        process, url = (
            (None, arguments.url) if arguments.url else start_standin(arguments.bundle, Path(folder))
        )
        try:
            kubeconfig = Path(folder) / "kubeconfig"
            kubeconfig.write_text(
                json.dumps(
                    {
                        "apiVersion": "v1",
                        "kind": "Config",
                        "current-context": "bench",
                        "clusters": [{"name": "bench", "cluster": {"server": url}}],
                        "users": [{"name": "bench", "user": {"token": "bench"}}],
                        "contexts": [{"name": "bench", "context": {"cluster": "bench", "user": "bench"}}],
                    }
                )
            )
            vpc_id = json.loads((arguments.bundle / "vpcs.json").read_text())["Vpcs"][0]["VpcId"]
            rows = []
            for latency in arguments.latency:
                control(url, f"/__control?latency={latency}")
                for name in ("live", "pods", "enis"):
                    if name in arguments.skip:
                        continue
                    rounds: dict[str, list[dict[str, Any]]] = {"before": [], "after": []}
                    for number in range(arguments.repeat):
                        for side in ("before", "after") if number % 2 == 0 else ("after", "before"):
                            rounds[side].append(run(url, kubeconfig, name, side, CLUSTER, REGION, vpc_id))
                    rows.append(compare(name, latency, rounds))
            fanout = []
            if "fanout" not in arguments.skip:
                control(url, "/__control?latency=0.05")
                names = sorted(path.name for path in (arguments.bundle / "ipamd").iterdir())[
                    : arguments.fanout_nodes
                ]
                for concurrency in (16, DEFAULT_CONCURRENCY):
                    for _ in range(arguments.repeat):
                        result = run(url, kubeconfig, "fanout", str(concurrency), json.dumps(names))
                        fanout.append({"concurrency": concurrency, **result})
                        print(
                            f"ipamd fan-out, {len(names):,} nodes at 50 ms a request, {concurrency} at once: "
                            f"{result['wall']:.2f} s (CPU {result['cpu']:.2f} s), "
                            f"{sum(result['requests'].values()):,} requests, {result['counts']['errors']} errors",
                            flush=True,
                        )
                if len({result["digest"] for result in fanout}) != 1:
                    raise SystemExit("the fan-out read different bodies at different concurrencies")
        finally:
            if process is not None:
                process.terminate()
                process.wait(30)
    if arguments.json:
        machine = {"python": platform.python_version(), "cpus": os.cpu_count(), "load": os.getloadavg()}
        arguments.json.write_text(json.dumps({"machine": machine, "lists": rows, "fanout": fanout}, indent=2))


if __name__ == "__main__":
    main()
