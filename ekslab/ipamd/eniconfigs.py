"""Parser of ipamd's ``/v1/eni-configs`` body (cni-facts.md §1.7).

* v1.8.0+: a bare JSON string, the name of the ENIConfig ipamd selected for the node (``"default"``
  when no label or annotation names one).
* v1.0-v1.7: ``{"ENI": {name: {"securityGroups": [...], "subnet": ...}}, "MyENI": name,
  "EniConfigAnnotationDef": key, "EniConfigLabelDef": key}`` (the last two from v1.4.0).
"""

from __future__ import annotations

from typing import Any

from ekslab.ipamd.enis import IpamdFormatError
from ekslab.ipamd.models import EniConfigSpec, IpamdEniConfig


def parse_eni_configs(document: Any) -> IpamdEniConfig:
    """The node's ENIConfig selection from one ``/v1/eni-configs`` body of any CNI version."""
    if isinstance(document, str):
        return IpamdEniConfig(name=document or None)
    if not isinstance(document, dict) or not ({"MyENI", "ENI"} & set(document)):
        raise IpamdFormatError(
            "", "must be an ENIConfig name (CNI v1.8+) or an object with MyENI and ENI (CNI v1.0-v1.7)"
        )
    table = document.get("ENI") or {}
    if not isinstance(table, dict):
        raise IpamdFormatError("ENI", "must be an object of ENIConfigs by name")
    configs: dict[str, EniConfigSpec] = {}
    for name, spec in sorted(table.items()):
        if not isinstance(spec, dict):
            raise IpamdFormatError(f"ENI.{name}", "must be an object with subnet and securityGroups")
        groups = spec.get("securityGroups") or []
        configs[name] = EniConfigSpec(
            subnet=_text(spec.get("subnet")),
            security_groups=tuple(str(group) for group in groups) if isinstance(groups, list) else (),
        )
    return IpamdEniConfig(
        name=_text(document.get("MyENI")),
        annotation_def=_text(document.get("EniConfigAnnotationDef")),
        label_def=_text(document.get("EniConfigLabelDef")),
        configs=configs,
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
