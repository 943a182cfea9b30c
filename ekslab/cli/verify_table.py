"""``ekslab verify -o table``: the report grouped by node, fitted to the terminal (``ekslab.cli.output``).

Per node a heading (name, instance, node checks), then its pods: POD, IP, ENI, DEV, RESULT and
REASONS (the reason codes), with each failing or unverified pod's details on the lines under it.
On a narrow terminal DEV, then ENI, then REASONS move to the pod's second line; nothing is cut, so
every IP, ENI id, result and reason code is whole at any width. Node checks that failed, cluster
checks, load balancer backends, notes, idle addresses per AZ, the replacement plan and the summary line
follow.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby
from typing import Any, Final

from ekslab.cli.output import table_lines, terminal_safe
from ekslab.verify.report import difference_line, summary_line
from ekslab.verify.results import FAIL, NOT_CHECKED, PASS, SKIP, UNVERIFIED, PodResult, Report

STYLES: Final = {PASS: "green", FAIL: "bold red", SKIP: "dim", NOT_CHECKED: "dim", UNVERIFIED: "yellow"}
POD_COLUMNS: Final = ("POD", "IP", "ENI", "DEV", "RESULT", "REASONS")
POD_FOLD: Final = ("DEV", "ENI", "REASONS")


def render_table(report: Report, console: Any, *, problems_only: bool = False) -> None:
    """Print ``report`` on ``console`` (a rich Console, whose width the tables fit)."""
    from rich.text import Text

    def say(text: str, style: str = "") -> None:
        console.print(Text(terminal_safe(text), style=style), soft_wrap=False)

    pods_by_node = {node: list(pods) for node, pods in groupby(report.pods, key=lambda pod: pod.node or "")}
    node_names = [node.name for node in report.nodes]
    node_names += sorted(name for name in pods_by_node if name not in set(node_names))
    nodes = {node.name: node for node in report.nodes}
    for name in node_names:
        node = nodes.get(name)
        pods = [
            pod
            for pod in pods_by_node.get(name, [])
            if not problems_only or pod.result == FAIL or pod.unverified
        ]
        node_problem = node is not None and node.result in (FAIL, UNVERIFIED)
        if problems_only and not pods and not node_problem:
            continue
        title = Text(terminal_safe(name or "(no node)"), style="bold")
        if node is not None:
            title.append(f"  {terminal_safe(node.instance_id or node.compute)}  ")
            for check in node.checks:
                title.append(f"{check.check}:{check.result} ", style=STYLES.get(check.result, ""))
        console.print(title)
        if pods:
            for line in _pod_lines(pods, console.width):
                console.print(line, soft_wrap=True)
        if node is not None:
            for check in node.checks:
                if check.result in (FAIL, UNVERIFIED):
                    say(f"  {check.check}: {check.detail}", STYLES[check.result])
                    for difference in check.differences:
                        say(f"    {difference_line(difference)}")
    for check in report.cluster + ([report.targets_checked] if report.targets_checked else []):
        say(f"{check.check}: {check.result} - {check.detail}", STYLES.get(check.result, ""))
        for difference in check.differences:
            say(f"  {difference_line(difference)}")
    for target in report.targets:
        say(
            f"  {target.namespace}/{target.ingress} -> {target.service}:{target.port or '*'} "
            f"({target.target_group or 'no target group'}): {target.result} - {target.detail}",
            STYLES.get(target.result, ""),
        )
    for note in report.notes:
        say(f"note: {note}", "dim")
    if report.idle_addresses:
        idle = ", ".join(f"{zone} {count}" for zone, count in sorted(report.idle_addresses.items()))
        say(f"idle addresses held by ipamd per AZ: {idle}")
    if report.recycle is not None and (report.recycle.groups or report.recycle.not_fixed):
        for line in report.recycle.lines():
            console.print(Text(terminal_safe(line)), soft_wrap=True)
    say(summary_line(report), "bold")


def _pod_lines(pods: Iterable[PodResult], width: int) -> list[Any]:
    pods = list(pods)
    rows = [
        (
            f"{pod.namespace}/{pod.name}",
            pod.ip,
            pod.eni,
            None
            if pod.device is None
            else (f"{pod.network_card}:{pod.device}" if pod.network_card else str(pod.device)),
            pod.result,
            ",".join(pod.reasons),
        )
        for pod in pods
    ]
    details = [list(pod.details) if pod.result == FAIL or pod.unverified else [] for pod in pods]
    styles = [STYLES.get(pod.result) for pod in pods]
    return table_lines(POD_COLUMNS, rows, width, fold=POD_FOLD, details=details, styles=styles)
