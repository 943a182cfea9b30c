"""Reading CloudFormation values in the workload tests."""

from __future__ import annotations

from typing import Any


def cfn_text(value: Any) -> str:
    """A CloudFormation string, intrinsics shown as ${Function:argument} so JSON inside stays parseable."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and list(value) == ["Fn::Join"]:
        separator, parts = value["Fn::Join"]
        return separator.join(cfn_text(part) for part in parts)
    [(function, argument)] = value.items()
    items = argument if isinstance(argument, list) else [argument]
    shown = ".".join(cfn_text(item) if isinstance(item, dict) else str(item) for item in items)
    return "${" + function.removeprefix("Fn::") + ":" + shown + "}"
