"""``ekslab verify``'s terminal table: per node its checks and pods (ENI id and device), then a summary."""

from __future__ import annotations

from itertools import groupby
from typing import Any, Final

from ekslab.verify.report import difference_line, summary_line
from ekslab.verify.results import FAIL, NOT_CHECKED, PASS, SKIP, UNVERIFIED, Report

_STYLE: Final = {PASS: "green", FAIL: "bold red", SKIP: "dim", NOT_CHECKED: "dim", UNVERIFIED: "yellow"}


def render_table(report: Report, console: Any, *, problems_only: bool = False) -> None:
    """Print the report with rich: per node its checks and pods (ENI id and device), then a summary."""
    from rich.table import Table
    from rich.text import Text

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
        title = Text(name or "(no node)", style="bold")
        if node is not None:
            title.append(f"  {node.instance_id or node.compute}  ")
            for check in node.checks:
                title.append(f"{check.check}:{check.result} ", style=_STYLE.get(check.result, ""))
        console.print(title)
        table = Table(show_edge=False, expand=False)
        for column in ("namespace/name", "IP", "ENI", "device", "result"):
            table.add_column(column, no_wrap=True)
        table.add_column("reasons / detail", overflow="fold")
        for pod in pods:
            table.add_row(
                f"{pod.namespace}/{pod.name}",
                pod.ip or "-",
                pod.eni or "-",
                "-"
                if pod.device is None
                else (f"{pod.network_card}:{pod.device}" if pod.network_card else str(pod.device)),
                Text(pod.result, style=_STYLE.get(pod.result, "")),
                "; ".join(pod.details) or ", ".join(pod.reasons),
            )
        console.print(table)
        if node is not None:
            for check in node.checks:
                if check.result in (FAIL, UNVERIFIED):
                    console.print(Text(f"  {check.check}: {check.detail}", style=_STYLE[check.result]))
                    for difference in check.differences:
                        console.print(f"    {difference_line(difference)}")
    for check in report.cluster + ([report.targets_checked] if report.targets_checked else []):
        console.print(
            Text(f"{check.check}: {check.result} - {check.detail}", style=_STYLE.get(check.result, ""))
        )
        for difference in check.differences:
            console.print(f"  {difference_line(difference)}")
    for target in report.targets:
        console.print(
            Text(
                f"  {target.namespace}/{target.ingress} -> {target.service}:{target.port or '*'} "
                f"({target.target_group or 'no target group'}): {target.result} - {target.detail}",
                style=_STYLE.get(target.result, ""),
            )
        )
    for note in report.notes:
        console.print(Text(f"note: {note}", style="dim"))
    if report.idle_addresses:
        idle = ", ".join(f"{zone} {count}" for zone, count in sorted(report.idle_addresses.items()))
        console.print(Text(f"idle addresses held by ipamd per AZ: {idle}"))
    if report.recycle is not None and (report.recycle.groups or report.recycle.not_fixed):
        for line in report.recycle.lines():
            console.print(Text(line), soft_wrap=True)
    console.print(Text(summary_line(report), style="bold"))
