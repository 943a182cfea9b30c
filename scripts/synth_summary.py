#!/usr/bin/env python3
"""Summarize a synthesized lab (default cdk.out): stacks, resources, AZs, CIDRs, node groups, CNI settings.

Reads only the cloud assembly's JSON files (no CDK import), so it is fast and runs anywhere.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

from ekslab.cli.output import table_lines


def load_templates(out_dir: Path) -> dict[str, dict[str, Any]]:
    manifest = json.loads((out_dir / "manifest.json").read_text())
    templates = {}
    for artifact_id, artifact in sorted(manifest.get("artifacts", {}).items()):
        if artifact.get("type") != "aws:cloudformation:stack":
            continue
        file = out_dir / artifact["properties"]["templateFile"]
        templates[artifact.get("displayName", artifact_id)] = {
            "file": file,
            "template": json.loads(file.read_text()),
            "environment": artifact.get("environment", ""),
        }
    return templates


def _resources(template: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [r.get("Properties", {}) for r in template.get("Resources", {}).values() if r.get("Type") == kind]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "(token)"


def summarize(out_dir: Path, console: Console) -> None:
    templates = load_templates(out_dir)
    # The stacks as ekslab's own tables print them: at 80 columns the environment and the template
    # path move, whole, to a second line under their stack (ekslab.cli.output.table_lines).
    console.print(Text(f"Synthesized lab in {out_dir}/", style="bold"))
    rows = [
        (
            name,
            item["environment"],
            len(item["template"].get("Resources", {})),
            len(item["template"].get("Outputs", {})),
            str(item["file"]),
        )
        for name, item in templates.items()
    ]
    columns = ("STACK", "ENVIRONMENT", "RESOURCES", "OUTPUTS", "TEMPLATE")
    for line in table_lines(
        columns, rows, console.width, right=("RESOURCES", "OUTPUTS"), fold=("ENVIRONMENT", "TEMPLATE")
    ):
        console.print(line, soft_wrap=True)

    for name, item in templates.items():
        template = item["template"]
        vpcs = _resources(template, "AWS::EC2::VPC")
        subnets = _resources(template, "AWS::EC2::Subnet")
        if vpcs:
            cidrs = [_text(v.get("CidrBlock")) for v in vpcs]
            cidrs += [_text(c.get("CidrBlock")) for c in _resources(template, "AWS::EC2::VPCCidrBlock")]
            zones = sorted({_text(s.get("AvailabilityZone")) for s in subnets})
            console.print(
                f"[bold]{name}[/]: VPC {', '.join(cidrs)}; {len(subnets)} subnets in "
                f"{len(zones)} AZs ({', '.join(zones)})"
            )
            for subnet in sorted(
                subnets, key=lambda s: (_text(s.get("AvailabilityZone")), _text(s.get("CidrBlock")))
            ):
                console.print(
                    f"    {_text(subnet.get('AvailabilityZone'))}  {_text(subnet.get('CidrBlock'))}"
                )
        exports = sorted(
            _text(o.get("Export", {}).get("Name"))
            for o in template.get("Outputs", {}).values()
            if "Export" in o
        )
        # CDK's own cross-stack references are exports too ("<stack>:ExportsOutput..."): count them only.
        named = [export for export in exports if ":ExportsOutput" not in export]
        if exports:
            console.print(
                f"[bold]{name}[/]: exports {', '.join(named) or '(none)'}"
                + (
                    f" (+{len(exports) - len(named)} cross-stack references)"
                    if len(named) < len(exports)
                    else ""
                )
            )
        for group in _resources(template, "AWS::EKS::Nodegroup"):
            scaling = group.get("ScalingConfig", {})
            console.print(
                f"[bold]{name}[/]: node group {_text(group.get('NodegroupName', '?'))} "
                f"{','.join(map(_text, group.get('InstanceTypes', [])))} "
                f"min {scaling.get('MinSize')} desired {scaling.get('DesiredSize')} max {scaling.get('MaxSize')}, "
                f"max pods {_max_pods(template, group)}"
            )
        for addon in _resources(template, "AWS::EKS::Addon"):
            values = addon.get("ConfigurationValues")
            settings = (
                values if isinstance(values, str) else json.dumps(values) if values else "(add-on defaults)"
            )
            console.print(
                f"[bold]{name}[/]: add-on {_text(addon.get('AddonName'))} "
                f"{_text(addon.get('AddonVersion', 'default'))} configurationValues {settings}"
            )
        counts = Counter(r.get("Type") for r in template.get("Resources", {}).values())
        console.print(
            f"[dim]{name}: "
            + ", ".join(f"{k.split('::', 1)[-1]} {v}" for k, v in sorted(counts.items()))
            + "[/]"
        )


_MAX_PODS = re.compile(r"^\s*maxPods:\s*(\d+)\s*$", re.MULTILINE)


def _max_pods(template: dict[str, Any], group: dict[str, Any]) -> str:
    """The maxPods the group's launch template passes in its NodeConfig, else the AMI's own default."""
    reference = (group.get("LaunchTemplate") or {}).get("Id")
    logical_id = reference.get("Ref") if isinstance(reference, dict) else None
    launch_template = template.get("Resources", {}).get(logical_id or "", {})
    user_data = launch_template.get("Properties", {}).get("LaunchTemplateData", {}).get("UserData")
    text = user_data.get("Fn::Base64") if isinstance(user_data, dict) else None
    found = _MAX_PODS.search(text) if isinstance(text, str) else None
    return f"{found[1]} (NodeConfig)" if found else "AMI default"


def main(argv: list[str]) -> int:
    out_dir = Path(argv[1] if len(argv) > 1 else "cdk.out")
    if not (out_dir / "manifest.json").is_file():
        print(f"synth-summary: {out_dir}: no cloud assembly (manifest.json); run make synth", file=sys.stderr)
        return 2
    summarize(out_dir, Console(highlight=False, width=None if sys.stdout.isatty() else 160))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
