"""The configuration reference (docs/configuration.md), generated from the model itself.

Every option's type, default and description come from the pydantic fields, so the docs cannot
drift from the code: a test regenerates the reference and compares it with the committed file.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from enum import Enum
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from ekslab.config.cni import ENV_SINCE, CniEnv, CniInitEnv
from ekslab.config.loader import inner_model
from ekslab.config.model import LabConfig

BEGIN = "<!-- BEGIN generated reference: python -m ekslab.config.reference -->"
END = "<!-- END generated reference -->"


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin in (typing.Union, types.UnionType):
        names = [_type_name(arg) for arg in args if arg is not type(None)]
        return " or ".join(dict.fromkeys(names))
    if origin is typing.Literal:
        return " \\| ".join(f"`{arg}`" for arg in args)
    if origin in (list, tuple):
        return f"list of {_type_name(args[0])}" if args else "list"
    if origin is dict:
        return "mapping"
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return " \\| ".join(f"`{member.value}`" for member in annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "section"
    names = {bool: "bool", int: "int", str: "string", float: "number"}
    if annotation in names:
        return names[annotation]
    return (
        getattr(annotation, "__name__", str(annotation))
        .replace("IPv4Network", "IPv4 CIDR")
        .replace("IPv6Network", "IPv6 CIDR")
    )


def _default(field: FieldInfo) -> str:
    value = field.default
    if value is PydanticUndefined:
        return "required" if field.default_factory is None else "(see below)"
    if value is None:
        return "unset"
    if isinstance(value, BaseModel):
        return "(see below)"
    if isinstance(value, Enum):
        return f"`{value.value}`"
    if isinstance(value, list) and value and isinstance(value[0], BaseModel):
        return f"{len(value)} item(s), (see below)"
    if isinstance(value, list):
        return (
            "`[" + ", ".join(str(item.value if isinstance(item, Enum) else item) for item in value) + "]`"
            if value
            else "`[]`"
        )
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    return f"`{value}`"


def _description(field: FieldInfo) -> str:
    return " ".join((field.description or "").split()).replace("|", "\\|")


def _rows(model: type[BaseModel], prefix: str) -> Iterator[tuple[str, str, str, str]]:
    for name, field in model.model_fields.items():
        key = f"{prefix}{field.alias or name}"
        yield key, _type_name(field.annotation), _default(field), _description(field)


def _sections(model: type[BaseModel], prefix: str = "") -> Iterator[tuple[str, type[BaseModel]]]:
    yield prefix.rstrip(".") or "(top level)", model
    for name, field in model.model_fields.items():
        inner = inner_model(field.annotation)
        if inner is not None and inner not in (CniEnv, CniInitEnv):
            yield from _sections(
                inner, f"{prefix}{field.alias or name}{'[]' if _is_list(field.annotation) else ''}."
            )


def _is_list(annotation: Any) -> bool:
    pending = [annotation]
    while pending:
        current = pending.pop()
        if typing.get_origin(current) is list:
            return True
        pending.extend(
            arg for arg in typing.get_args(current) if typing.get_origin(arg) is not typing.Literal
        )
    return False


def _table(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def reference_markdown() -> str:
    """The generated part of docs/configuration.md."""
    lines = [BEGIN, ""]
    for title, model in _sections(LabConfig):
        lines += [f"### `{title}`", ""]
        lines += _table(
            [
                (f"`{k}`", t, d, desc)
                for k, t, d, desc in _rows(model, "" if title == "(top level)" else f"{title}.")
            ],
            ("key", "type", "default", "meaning"),
        )
        lines.append("")
    for title, model in (("cni.env", CniEnv), ("cni.init.env", CniInitEnv)):
        lines += [
            f"### `{title}`",
            "",
            "Each key is the aws-node environment variable of the same name; *unset* keeps the CNI's own "
            "default, given in the description. *Since* is the first CNI release that reads it.",
            "",
        ]
        rows = []
        for key, type_name, _, description in _rows(model, ""):
            since = ENV_SINCE.get(key)
            rows.append(
                (f"`{key}`", type_name, f"v{'.'.join(map(str, since))}" if since else "< v1.6", description)
            )
        lines += _table(rows, ("variable", "type", "since", "meaning and CNI default"))
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def render_into(document: str) -> str:
    """``document`` with its generated section replaced by the current reference."""
    start, end = document.index(BEGIN), document.index(END) + len(END)
    return document[:start] + reference_markdown() + document[end:]


def main(argv: list[str] | None = None) -> int:
    """Rewrite the generated section of docs/configuration.md, or with --check only say whether it is current."""
    import argparse
    from pathlib import Path

    parser = argparse.ArgumentParser(
        prog="python -m ekslab.config.reference",
        description="Regenerate the option reference inside docs/configuration.md from the configuration model.",
    )
    parser.add_argument(
        "file", nargs="?", default="docs/configuration.md", help="default: docs/configuration.md"
    )
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if the file is out of date"
    )
    args = parser.parse_args(argv)
    target = Path(args.file)
    try:
        current = target.read_text(encoding="utf-8")
    except OSError as error:
        parser.error(f"{target}: cannot be read ({error.strerror})")
    wanted = render_into(current)
    if args.check:
        if wanted != current:
            print(f"{target}: out of date; run python -m ekslab.config.reference")
            return 1
        return 0
    target.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
