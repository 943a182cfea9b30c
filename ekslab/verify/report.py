"""Verification reports: JSON (streamed), JUnit XML for CI, and plain lines for logs.

(The terminal table is drawn by the CLI: ``ekslab.cli.verify_table``.)

JSON shape (other keys may be added)::

    {"summary": {"pods": N, "passed": N, "failed": N, "skipped": N, "unverified": N, ...},
     "exit_code": 0|1|3,
     "pods": [{"namespace", "name", "node", "ip", "result", "reasons", "eni", "device"?, "details"?,
               "address_kind"?, "prefix"?}],
     "nodes": [{"name", "instance_id", "compute", "result", "enis", "checks": [...]}],
     "cluster": [{"check", "result", "detail",
                  "differences"?: [{"key", "wanted", "actual", "source", "basis"}]}],
     "targets": {"check": {...}, "backends": [...]}, "notes": [...],
     "recycle": {"groups": [{"group", "kind", "nodes_in_group", "minimum", "before", "after", "notes",
                             "nodes": [{"node", "instance_id", "checks", "commands"}]}],
                 "not_fixed_by_replacing": [{"node", "checks"}], "then": [...]}}

The summary also sums ``idle_addresses_by_az`` (warm_pool); failed convergence checks carry
``replacing_node_fixes``. The table (``ekslab.cli.verify_table``) ends with the replacement plan when a
node needs replacing.

JUnit: one test case per pod (suite ``pods``, class ``pods.<node>``), per node check (suite
``nodes``), per cluster check and per Ingress backend; failures carry the reason codes and details,
skips their reason. Files are written to a temporary name and renamed, never half-written, into a
folder that must exist, with the mode a plain ``open`` would give them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from typing import IO, Any

from ekslab.files import atomic_output
from ekslab.verify.drift import ADDON_DEFAULT
from ekslab.verify.results import FAIL, NOT_CHECKED, SKIP, UNVERIFIED, CheckResult, Report


def summary_line(report: Report) -> str:
    summary = report.summary()
    line = (
        f"{summary['pods']} pods: {summary['passed']} passed, {summary['failed']} failed, "
        f"{summary['skipped']} skipped ({summary['unverified']} unverified); "
        f"{summary['nodes']} nodes: {summary['nodes_failed']} failed, "
        f"{summary['nodes_unverified']} unverified"
    )
    if report.targets:
        line += f"; {summary['targets']} load balancer backends: {summary['targets_failed']} failed"
    return line + f" (exit {report.exit_code()})"


# --- JSON ------------------------------------------------------------------------------------------


_PODS_PER_WRITE = 1000
"""Pods joined into one write: 150,000 writes of one pod each cost more than their encoding."""


def write_json(report: Report, stream: IO[str]) -> None:
    """Stream the report as one JSON document, one pod (a large cluster has 150,000) and one node to
    a line. msgspec encodes it (compact, UTF-8) about four times as fast as ``json``; see ``CompactJson``."""
    dumps = CompactJson()
    stream.write('{"summary":' + dumps(report.summary()))
    stream.write(',"exit_code":' + str(report.exit_code()))
    stream.write(',"source":' + dumps(report.source))
    stream.write(',"pods":[')
    pods = report.pods
    for start in range(0, len(pods), _PODS_PER_WRITE):
        batch = ",\n  ".join(dumps.each(pod.as_json() for pod in pods[start : start + _PODS_PER_WRITE]))
        stream.write(("\n  " if start == 0 else ",\n  ") + batch)
    stream.write('\n],"nodes":[')
    stream.write(",".join("\n  " + line for line in dumps.each(node.as_json() for node in report.nodes)))
    stream.write('\n],"cluster":' + dumps([check.as_json() for check in report.cluster]))
    targets = {
        "check": report.targets_checked.as_json() if report.targets_checked else None,
        "backends": [target.as_json() for target in report.targets],
    }
    stream.write(',"targets":' + dumps(targets))
    stream.write(',"notes":' + dumps(report.notes))
    stream.write(',"recycle":' + dumps(report.recycle.as_json() if report.recycle else None) + "}\n")


class CompactJson:
    """JSON text of report values: msgspec's compact encoding, or ``json``'s (compact too) for a value
    msgspec refuses: a string with a lone surrogate (``"\\ud800"`` in a bundle decodes to one), which
    ``json`` writes escaped."""

    def __init__(self) -> None:
        import msgspec  # only where a report is written as JSON: `ekslab --help` never imports it

        self._encode = msgspec.json.Encoder().encode
        self._fallback = json.JSONEncoder(check_circular=False, separators=(",", ":")).encode

    def __call__(self, value: Any) -> str:
        try:
            return self._encode(value).decode("utf-8")
        except UnicodeEncodeError:
            return self._fallback(value)

    def utf8(self, value: Any) -> bytes:
        """The same text as UTF-8 bytes (the fallback's is ASCII: it escapes what is not)."""
        try:
            return self._encode(value)
        except UnicodeEncodeError:
            return self._fallback(value).encode("ascii")

    def each(self, values: Iterable[Any]) -> list[str]:
        return [self(value) for value in values]


def write_recycle_plan(report: Report, stream: IO[str], *, as_json: bool) -> None:
    """Only the replacement plan (``ekslab verify --recycle-plan``): JSON, or its lines of text."""
    if as_json:
        stream.write(json.dumps(report.recycle.as_json() if report.recycle else None, indent=2) + "\n")
        return
    lines = report.recycle.lines() if report.recycle else ["Replacement plan: not computed."]
    stream.write("\n".join(lines) + "\n")


def difference_line(difference: dict[str, str]) -> str:
    basis = " (add-on default)" if difference.get("basis") == ADDON_DEFAULT else ""
    return (
        f"{difference['key']}: wanted {difference['wanted']!r}{basis}, running {difference['actual']!r} "
        f"({difference['source']})"
    )


# --- JUnit -----------------------------------------------------------------------------------------


def write_junit(
    report: Report, path: str | os.PathLike[str], *, source: str | None = None, stdout_ok: bool = False
) -> None:
    """Write the report as JUnit XML (junitparser), atomically (``ekslab.files.atomic_output``).

    ``path``'s folder must exist; ``source`` names the path in errors (default: the path itself);
    with ``stdout_ok``, ``-`` writes it to standard output.
    """
    from junitparser import Failure, JUnitXml, Skipped, TestCase, TestSuite

    def case(name: str, classname: str, result: str, message: str, detail: str = "") -> TestCase:
        test = TestCase(name, classname)
        if result == FAIL:
            test.result = [Failure(message, "failure")]
        elif result in (SKIP, NOT_CHECKED, UNVERIFIED):
            test.result = [Skipped(message if result != UNVERIFIED else f"unverified: {message}")]
        if detail:
            test.system_out = detail
        return test

    # TestSuite.add_testcase recounts the whole suite on every call (quadratic: minutes for 15,000
    # pods); cases are appended and each suite is counted once below.
    xml = JUnitXml("ekslab verify")
    pods = TestSuite("pods")
    for pod in report.pods:
        pods.append(
            case(
                f"{pod.namespace}/{pod.name}",
                f"pods.{pod.node or 'unscheduled'}",
                pod.result,
                ", ".join(pod.reasons),
                "\n".join((f"ip {pod.ip} eni {pod.eni} device {pod.device}", *pod.details)),
            )
        )
    nodes = TestSuite("nodes")
    for node in report.nodes:
        for check in node.checks:
            nodes.append(
                case(check.check, f"nodes.{node.name}", check.result, check.detail, _differences(check))
            )
    cluster = TestSuite("cluster")
    for check in report.cluster + ([report.targets_checked] if report.targets_checked else []):
        cluster.append(case(check.check, "cluster", check.result, check.detail, _differences(check)))
    for target in report.targets:
        cluster.append(
            case(
                f"{target.namespace}/{target.ingress} -> {target.service}:{target.port or '*'}",
                "targets",
                target.result,
                ", ".join(target.reasons) or target.detail,
                target.detail,
            )
        )
    for suite in (pods, nodes, cluster):
        suite.update_statistics()
        xml.add_testsuite(suite)
    xml.update_statistics()
    with atomic_output(path, source=source or os.fspath(path), stdout_ok=stdout_ok) as temporary:
        xml.write(str(temporary), pretty=True)


def _differences(check: CheckResult) -> str:
    return "\n".join(difference_line(difference) for difference in check.differences)


def iter_lines(report: Report) -> Iterator[str]:
    """The report as plain lines, one per failing or unverified item (for logs without rich)."""
    for pod in report.pods:
        if pod.result == FAIL or pod.unverified:
            yield f"{pod.result} {pod.namespace}/{pod.name} {pod.ip} on {pod.node}: {'; '.join(pod.details)}"
    for node in report.nodes:
        for check in node.checks:
            if check.result in (FAIL, UNVERIFIED):
                yield f"{check.result} node {node.name} {check.check}: {check.detail}"
    if report.recycle is not None and (report.recycle.groups or report.recycle.not_fixed):
        yield from report.recycle.lines()
    yield summary_line(report)
