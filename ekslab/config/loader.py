"""Reading a lab configuration file and turning every problem into one line a person can act on.

pydantic does the per-field typing; this module renames its errors into the toolkit's format:
the file, the key path as written in YAML, the rule and the value given, e.g.::

    lab.yaml: cni.env.AWS_VPC_ENI_MTU: must be an integer between 576 and 9001, got 9500
    lab.yaml: cni.env.WARM_IP_TARGT: unknown key (did you mean 'WARM_IP_TARGET'?)
"""

from __future__ import annotations

import difflib
import os
import types
import typing
from collections.abc import Iterable, Sequence
from typing import Any, Final

import annotated_types
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from ekslab.config.cni import CniEnv, CniInitEnv
from ekslab.config.model import (
    CLUSTER_NAME_PATTERN,
    IMAGE_PATTERN,
    LAB_NAME_PATTERN,
    NODE_GROUP_NAME_PATTERN,
    REGION_PATTERN,
    LabConfig,
)
from ekslab.config.yamldoc import read_yaml
from ekslab.errors import InputError

MAX_CONFIG_BYTES: Final = 1_000_000
"""A lab configuration is a few KB; the largest example is under 10 KB."""

_PATTERN_RULES: Final = {
    LAB_NAME_PATTERN.pattern: "must be 1 to 20 characters of lower-case letters, digits and '-', "
    "starting with a letter",
    REGION_PATTERN.pattern: "must be an AWS region name such as ap-northeast-2",
    NODE_GROUP_NAME_PATTERN.pattern: "must be 1 to 63 letters, digits, '-' or '_', starting with a letter or digit",
    CLUSTER_NAME_PATTERN.pattern: "must be 1 to 100 letters, digits, '-' or '_', starting with a letter or digit",
    r"^\d{12}$": "must be a 12-digit AWS account id",
    IMAGE_PATTERN.pattern: "must be an image reference such as public.ecr.aws/owner/name:tag or "
    "...name@sha256:<64 hex digits>",
}


_OWNED_BY_LAB: Final = {
    ("cni", "eniConfig"): "is set by the toolkit from network.podSubnets.enabled (a pod subnet and "
    "ENIConfig in every AZ); remove it and set network.podSubnets.enabled instead",
}
"""Real add-on keys the lab writes itself: refused with where to set them rather than as unknown."""


class ConfigError(InputError):
    """One or more problems in a configuration; ``problems`` holds one InputError per problem."""

    def __init__(self, problems: Sequence[InputError]) -> None:
        self.problems = list(problems)
        first = self.problems[0]
        super().__init__(first.where, first.rule, first.given, hint=first.hint)

    @property
    def message(self) -> str:
        return "\n".join(problem.message for problem in self.problems)


def read_config_document(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Parse a YAML configuration file into a mapping; every failure is one InputError line.

    The file is read as every YAML input is (``ekslab.config.yamldoc``: a regular file, bounded
    aliases, nesting and size) and must be at most ``MAX_CONFIG_BYTES``.
    """
    source = os.fspath(path)
    document = read_yaml(
        path,
        source=source,
        kind="configuration file",
        expected="a YAML configuration file",
        limit=MAX_CONFIG_BYTES,
    )
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise InputError(
            source,
            "must be a YAML mapping of sections (lab, network, cluster, cni, ...)",
            type(document).__name__,
        )
    return document


def parse_config(document: dict[str, Any], *, source: str = "config") -> LabConfig:
    """Build the typed configuration from a mapping, or raise ConfigError listing every problem."""
    try:
        return LabConfig.model_validate(document)
    except ValidationError as error:
        raise ConfigError(_problems(error, document, source)) from None


def _problems(error: ValidationError, document: dict[str, Any], source: str) -> list[InputError]:
    by_location: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for item in error.errors(include_url=False):
        by_location.setdefault(_data_location(item["loc"], document), []).append(item)
    return [_problem(location, items, source) for location, items in by_location.items()]


def _data_location(loc: tuple[Any, ...], document: Any) -> tuple[Any, ...]:
    """Keep the parts of a pydantic location that name keys or indexes of the input (not union tags)."""
    kept: list[Any] = []
    node = document
    for part in loc:
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            kept.append(part)
            node = node[part]
        elif isinstance(part, str) and not _is_union_tag(part) and not isinstance(node, list):
            kept.append(part)  # a key missing from the input (required field) or an unknown key
            node = None
    return tuple(kept)


def _is_union_tag(part: str) -> bool:
    return any(mark in part for mark in ("[", "-", " ")) and not part.isupper()


def _dotted(location: Iterable[Any]) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _problem(location: tuple[Any, ...], items: list[dict[str, Any]], source: str) -> InputError:
    where = f"{source}: {_dotted(location)}"
    item = items[0]
    kind = item["type"]
    given = item.get("input")
    field = _field_at(location)
    if kind == "extra_forbidden":
        owned = _OWNED_BY_LAB.get(tuple(part for part in location if not isinstance(part, int)))
        if owned:
            return InputError(where, owned)
        return InputError(where, "unknown key", hint=_suggestion(location))
    if kind == "missing":
        return InputError(where, "is required")
    kinds = {entry["type"] for entry in items}
    if kinds <= {"ip_v4_network", "ip_v6_network", "ip_any_network"} and len(kinds) > 1:
        return InputError(where, "must be an IPv4 or IPv6 CIDR such as 10.0.0.0/16", given)
    return InputError(where, _rule(kind, item, field), given)


def _rule(kind: str, item: dict[str, Any], field: FieldInfo | None) -> str:
    context = item.get("ctx") or {}
    not_an_integer = kind == "value_error" and str(context.get("error", "")).startswith("must be an integer")
    if not_an_integer or kind in {
        "int_parsing",
        "int_type",
        "int_from_float",
        "greater_than_equal",
        "less_than_equal",
        "greater_than",
        "less_than",
    }:
        low, high = _bounds(field)
        low = context.get("ge", low)
        if kind == "less_than_equal" or high is not None:
            high = context.get("le", high)
        if low is not None and high is not None:
            return f"must be an integer between {low} and {high}"
        if low is not None:
            return f"must be an integer >= {low}"
        if high is not None:
            return f"must be an integer <= {high}"
        return "must be an integer"
    if kind in {"bool_parsing", "bool_type"}:
        return "must be true or false"
    if kind in {"literal_error", "enum"}:
        return f"must be one of {context.get('expected', '?')}"
    if kind == "string_pattern_mismatch":
        return _PATTERN_RULES.get(context.get("pattern", ""), f"must match {context.get('pattern')}")
    if kind in {"string_type", "str_type"}:
        return "must be a string"
    if kind == "ip_v4_network":
        return "must be an IPv4 CIDR such as 10.0.0.0/16"
    if kind == "ip_v6_network":
        return "must be an IPv6 CIDR such as 2600:1f14::/56"
    if kind in {"list_type", "tuple_type"}:
        return "must be a list"
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return "must be a mapping"
    if kind == "too_short":
        return f"must have at least {context.get('min_length')} item(s)"
    if kind == "string_too_short":
        return f"must be at least {context.get('min_length')} characters"
    if kind == "string_too_long":
        return f"must be at most {context.get('max_length')} characters"
    if kind == "value_error":
        return str(context.get("error", item["msg"])).removeprefix("Value error, ")
    return item["msg"][:1].lower() + item["msg"][1:]


def _bounds(field: FieldInfo | None) -> tuple[Any, Any]:
    if field is None:
        return None, None
    low = high = None
    for constraint in _constraints(field):
        if isinstance(constraint, annotated_types.Ge):
            low = constraint.ge
        elif isinstance(constraint, annotated_types.Le):
            high = constraint.le
    return low, high


def _constraints(field: FieldInfo) -> list[Any]:
    found = list(field.metadata)
    pending = [field.annotation]
    while pending:
        annotation = pending.pop()
        found.extend(getattr(annotation, "__metadata__", ()))
        for nested in getattr(annotation, "__metadata__", ()):
            found.extend(getattr(nested, "metadata", ()))
        pending.extend(typing.get_args(annotation) if _is_union(annotation) else ())
    return found


def _is_union(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType)


def _model_field_by_key(model: type[BaseModel], key: str) -> FieldInfo | None:
    for name, field in model.model_fields.items():
        if key in (name, field.alias):
            return field
    return None


def inner_model(annotation: Any) -> type[BaseModel] | None:
    """The model class inside an annotation such as ``X | None`` or ``list[X]``."""
    pending = [annotation]
    while pending:
        current = pending.pop()
        if isinstance(current, type) and issubclass(current, BaseModel):
            return current
        pending.extend(typing.get_args(current))
    return None


def _walk(location: tuple[Any, ...]) -> tuple[type[BaseModel] | None, FieldInfo | None]:
    """The model that holds the last key of ``location``, and that key's field (if known)."""
    model: type[BaseModel] | None = LabConfig
    field: FieldInfo | None = None
    for index, part in enumerate(location):
        if isinstance(part, int):
            continue
        if model is None:
            return None, None
        field = _model_field_by_key(model, part)
        if index == len(location) - 1:
            return model, field
        if field is None:
            return None, None
        model = inner_model(field.annotation)
    return model, field


def _field_at(location: tuple[Any, ...]) -> FieldInfo | None:
    return _walk(location)[1]


def _suggestion(location: tuple[Any, ...]) -> str:
    if not location:
        return ""
    key = str(location[-1])
    parent, _ = _walk(location)
    if parent is None:
        return ""
    allowed = [field.alias or name for name, field in parent.model_fields.items()]
    hint = _elsewhere(location, key)
    if hint:
        return hint
    lowered = {name.lower(): name for name in allowed}
    if key.lower() in lowered:
        return f"did you mean {lowered[key.lower()]!r}?"
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]!r}?"
    return "allowed: " + ", ".join(sorted(allowed))


def _elsewhere(location: tuple[Any, ...], key: str) -> str:
    """Point to the right section for a few keys that are often put in the wrong one."""
    path = tuple(part for part in location[:-1] if not isinstance(part, int))
    if path == ("cni", "env") and key in CniInitEnv.model_fields and key not in CniEnv.model_fields:
        return "it belongs under cni.init.env, the init container's environment"
    if path == ("cni",) and key in CniEnv.model_fields:
        return f"environment variables go under cni.env: cni.env.{key}"
    if path == ("cni", "env") and key == "enableNetworkPolicy":
        return "it is a top-level add-on key: cni.enableNetworkPolicy"
    return ""
