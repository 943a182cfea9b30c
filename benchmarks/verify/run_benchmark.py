"""Measure ``ekslab verify --bundle`` (and ``ips``, ``report``) against merely ``json.load``-ing the same
files, side by side.

Each runs as a child process of this script, one after the other, the order reversed every other run,
``--repeat``
times, after one warm-up read of every file (so both read from the page cache). For each run:
wall-clock time, CPU time (user + system) and peak resident memory (``ru_maxrss`` of that child, from
``os.wait4``). Reported per reader (``verify``, ``ips``, ``report``; ``--readers``): the median ratio
reader / json.load for wall and CPU time, reader / floor, and the reader's peak memory against the
bundle's size on disk. The targets (issue 20): time ratio <= 0.25 against json.load and
<= 2 against the floor (below), memory ratio <= 0.25.

    python benchmarks/verify/run_benchmark.py --bundle /tmp/bundle-5k --repeat 3 --json /tmp/results.json

The baseline loads every ``*.json`` file of the bundle with ``json.load`` in one process and drops each
result before the next (it keeps nothing). Most of its time on a large bundle goes to Python's cyclic
garbage collector walking the millions of objects of one huge document, so a second baseline runs the
same loads with ``gc.disable()``: the bare parsing cost, reported for context (the target is against
the plain one). Each reader's output is checked (verify's JSON report: every pod counted, no
failure; ips: a ledger row for every subnet, with pods; report: its summary line and a page) so that a
fast but wrong run cannot pass as a result.
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
import gc, mmap, sys
from pathlib import Path
from typing import Any
import msgspec
from ekslab.ipamd.enis_structs import _DECODER as enis
from ekslab.sources.pod_fields import PodFields

class Pods(msgspec.Struct, gc=False):
    items: list[PodFields]

# What ekslab.sources.records.node_record and eni_record read, no more.
class Address(msgspec.Struct, gc=False):
    address: Any = None
    type: Any = None

class NodeMeta(msgspec.Struct, gc=False):
    name: Any = None
    labels: Any = None
    annotations: Any = None
    creationTimestamp: Any = None

class NodeSpec(msgspec.Struct, gc=False):
    providerID: Any = None

class NodeStatus(msgspec.Struct, gc=False):
    addresses: list[Address] | None = None
    capacity: Any = None
    allocatable: Any = None

class Node(msgspec.Struct, gc=False):
    metadata: NodeMeta
    kind: Any = None
    spec: NodeSpec | None = None
    status: NodeStatus | None = None

class Nodes(msgspec.Struct, gc=False):
    items: list[Node]

class EniAttachment(msgspec.Struct, gc=False):
    InstanceId: Any = None
    DeviceIndex: Any = None
    NetworkCardIndex: Any = None

class Private(msgspec.Struct, gc=False):
    PrivateIpAddress: Any = None
    Primary: Any = None

class Ipv6(msgspec.Struct, gc=False):
    Ipv6Address: Any = None
    IsPrimaryIpv6: Any = None

class Prefix4(msgspec.Struct, gc=False):
    Ipv4Prefix: Any = None

class Prefix6(msgspec.Struct, gc=False):
    Ipv6Prefix: Any = None

class Tag(msgspec.Struct, gc=False):
    Key: Any = None
    Value: Any = None

class Group(msgspec.Struct, gc=False):
    GroupId: Any = None

class Eni(msgspec.Struct, gc=False):
    NetworkInterfaceId: Any = None
    Attachment: EniAttachment | None = None
    PrivateIpAddress: Any = None
    PrivateIpAddresses: list[Private] | None = None
    Ipv6Addresses: list[Ipv6] | None = None
    Ipv4Prefixes: list[Prefix4] | None = None
    Ipv6Prefixes: list[Prefix6] | None = None
    VpcId: Any = None
    SubnetId: Any = None
    InterfaceType: Any = None
    Description: Any = None
    RequesterId: Any = None
    RequesterManaged: Any = None
    TagSet: list[Tag] | None = None
    Groups: list[Group] | None = None

class Enis(msgspec.Struct, gc=False):
    NetworkInterfaces: list[Eni]

gc.disable()  # as ekslab verify reads a bundle (ekslab.cli.inputs.long_lived)
root = Path(sys.argv[1])
decoders = {
    root / "pods.json": msgspec.json.Decoder(Pods),
    root / "nodes.json": msgspec.json.Decoder(Nodes),
    root / "network-interfaces.json": msgspec.json.Decoder(Enis),
}
anything = msgspec.json.Decoder()
for path in sorted(root.rglob("*.json")):
    decoder = decoders.get(path) or (enis if path.name == "enis.json" else anything)
    with open(path, "rb") as handle:
        if path.stat().st_size < 1 << 20:
            decoder.decode(handle.read())
        else:  # mapped, not copied: the fastest way msgspec reads a large file whole
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
                decoder.decode(mapped)
"""
"""The floor (issue 20): the fastest decode of the same files into just the fields verify needs, with
msgspec in C and nothing else, the cyclic GC off: ``pods.json`` into the record's fields
(``PodFields``), ``nodes.json`` and ``network-interfaces.json`` into Structs of the fields their records
read, each node's ``ipamd/<node>/enis.json`` into the Structs of ``ekslab.ipamd.enis_structs`` (what
``parse_enis`` reads), every other file in full (the small ipamd bodies, subnets, VPCs, the DaemonSet:
about 3 MB on the benchmark bundle). Files of 1 MiB or more are memory-mapped rather than copied. It decodes each
file whole, so it is no memory floor; it builds no record, runs no check and writes no report."""
BASELINES = ("json.load", "json.load (gc off)", "floor (msgspec)")
READERS = ("verify", "ips", "report")
"""The commands that read a bundle, each measured against the same baselines in the same run:
``ekslab verify`` (the issue's targets), ``ekslab ips`` (the IP ledger) and ``ekslab report`` (the
HTML page; it runs verify's checks too). Each reads the bundle once (one snapshot)."""
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


def check_ledger(path: Path, subnets: int) -> None:
    with open(path) as handle:
        ledger = json.load(handle)
    if len(ledger["subnets"]) != subnets or not any(row["owners"]["pod"] for row in ledger["subnets"]):
        raise SystemExit(f"ips did not make the ledger of the bundle's {subnets} subnets")


def check_page(output: Path, page: Path, expected_pods: int | None) -> None:
    line = output.read_text()
    pods = "" if expected_pods is None else f"{expected_pods} pods: "
    if f": {pods}" not in line or " 0 failed" not in line or page.stat().st_size == 0:
        raise SystemExit(f"report did not write the page of the bundle as generated: {line.strip()}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bundle", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pods", type=int, help="pod count the bundle must have (sanity check)")
    parser.add_argument(
        "--readers",
        default=",".join(READERS),
        help=f"which of {', '.join(READERS)} to measure (comma-separated; default: all)",
    )
    parser.add_argument("--json", type=Path, help="also write the raw measurements here")
    args = parser.parse_args()
    readers = [name for name in READERS if name in args.readers.split(",")]
    if not readers:
        parser.error(f"--readers names none of {', '.join(READERS)}")

    files = bundle_files(args.bundle)
    size = sum(path.stat().st_size for path in files)
    subnets = len(json.loads((args.bundle / "subnets.json").read_text())["Subnets"])
    warm_up(files)
    lab = str(Path(__file__).resolve().parent / "lab.yaml")
    runs: list[dict[str, Any]] = []
    summary: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as scratch:
        output, page = Path(scratch) / "output", Path(scratch) / "report.html"
        ekslab = [sys.executable, "-m", "ekslab"]
        commands = {
            "json.load": [sys.executable, "-c", BASELINE, str(args.bundle), "gc-on"],
            "json.load (gc off)": [sys.executable, "-c", BASELINE, str(args.bundle), "gc-off"],
            "floor (msgspec)": [sys.executable, "-c", FLOOR, str(args.bundle)],
            # The synthetic cluster's settings (prefix delegation on), so drift and convergence pass.
            "verify": [
                *ekslab,
                "verify",
                "--bundle",
                str(args.bundle),
                "--output",
                "json",
                "--expect-config",
                lab,
            ],
            "ips": [*ekslab, "ips", "--bundle", str(args.bundle), "--output", "json"],
            "report": [
                *ekslab,
                "report",
                "--bundle",
                str(args.bundle),
                "--out",
                str(page),
                "--expect-config",
                lab,
            ],
        }
        names = [*BASELINES, *readers]
        for repeat in range(args.repeat):
            order = names if repeat % 2 == 0 else list(reversed(names))
            run: dict[str, Any] = {"order": order}
            for name in order:
                with open(output, "w") as handle:
                    run[name] = measure(commands[name], stdout=handle)
                if name == "verify":
                    summary = check_report(output, args.pods)
                elif name == "ips":
                    check_ledger(output, subnets)
                elif name == "report":
                    check_page(output, page, args.pods)
            load, load_gc_off, floor = (run[name] for name in BASELINES)
            for name in readers:
                run[name]["wall_ratio"] = run[name]["wall"] / load["wall"]
                run[name]["cpu_ratio"] = run[name]["cpu"] / load["cpu"]
                run[name]["wall_ratio_gc_off"] = run[name]["wall"] / load_gc_off["wall"]
                run[name]["floor_ratio"] = run[name]["wall"] / floor["wall"]
                run[name]["memory_ratio"] = run[name]["peak_rss"] / size
            runs.append(run)
            print(
                f"run {repeat + 1}: json.load {load['wall']:.2f} s (CPU {load['cpu']:.2f} s, gc off "
                f"{load_gc_off['wall']:.2f} s, peak RSS {load['peak_rss'] / 2**20:.0f} MiB), "
                f"floor {floor['wall']:.2f} s",
                flush=True,
            )
            for name in readers:
                row = run[name]
                print(
                    f"  {name}: {row['wall']:.2f} s (CPU {row['cpu']:.2f} s): x{row['wall_ratio']:.2f} wall, "
                    f"x{row['cpu_ratio']:.2f} CPU of json.load; x{row['wall_ratio_gc_off']:.2f} the gc-off "
                    f"load; x{row['floor_ratio']:.2f} the floor; peak RSS {row['peak_rss'] / 2**20:.0f} MiB "
                    f"= x{row['memory_ratio']:.2f} the bundle",
                    flush=True,
                )

    medians = {
        name: {
            "median_wall_ratio": statistics.median(run[name]["wall_ratio"] for run in runs),
            "median_cpu_ratio": statistics.median(run[name]["cpu_ratio"] for run in runs),
            "median_wall_ratio_gc_off": statistics.median(run[name]["wall_ratio_gc_off"] for run in runs),
            "median_floor_ratio": statistics.median(run[name]["floor_ratio"] for run in runs),
            "max_memory_ratio": max(run[name]["memory_ratio"] for run in runs),
        }
        for name in readers
    }
    result = {
        "bundle": str(args.bundle),
        "bundle_bytes": size,
        "files": len(files),
        "summary": summary,
        "readers": medians,
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average_at_end": os.getloadavg(),
        },
        "runs": runs,
    }
    print(
        f"bundle {size / 2**20:.0f} MiB in {len(files)} files; {summary.get('pods')} pods, {summary.get('nodes')} nodes"
    )
    for name, figures in medians.items():
        print(
            f"{name}: median wall x{figures['median_wall_ratio']:.2f}, CPU x{figures['median_cpu_ratio']:.2f} of "
            f"json.load (target <= {TIME_TARGET}; gc-off load x{figures['median_wall_ratio_gc_off']:.2f}); "
            f"x{figures['median_floor_ratio']:.2f} the floor (target <= {FLOOR_TARGET}); peak memory "
            f"x{figures['max_memory_ratio']:.2f} the bundle (target <= {MEMORY_TARGET})"
        )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
