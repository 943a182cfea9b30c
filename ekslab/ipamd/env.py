"""Parsers of ``/v1/networkutils-env-settings`` and ``/v1/ipamd-env-settings``; one way to compare settings.

Both bodies are a JSON object of the settings ipamd actually runs with, typed the Go way (cni-facts.md
§1.5, §1.6): ``AWS_VPC_K8S_CNI_EXTERNALSNAT: false``, ``AWS_VPC_ENI_MTU: 9001``,
``AWS_VPC_K8S_CNI_RANDOMIZESNAT: 2`` (an enum: 0 none, 1 hashrandom, 2 prng),
``AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS: null``. The aws-node container's env holds the same settings
as strings (``"false"``, ``"9001"``, ``"prng"``, ``"10.0.0.0/8,172.16.0.0/12"``).

``canonical_setting`` turns either spelling into one text per meaning, so configuration drift is
found by comparing canonical texts, whatever the source. The kind of each setting (boolean, integer,
CIDR list...) comes from the typed CNI settings model ``ekslab.cni.settings.CniEnv`` (one place for
types), plus the few settings ipamd reports that the model does not set.
"""

from __future__ import annotations

import enum
import functools
import ipaddress
import json
import types
import typing
from typing import Any, Final

from ekslab.ipamd.enis import IpamdFormatError


class SettingKind(enum.Enum):
    BOOL = "bool"
    INT = "int"
    INT_ANY_BASE = "int (any base, e.g. 0x80)"
    CIDRS = "CIDR list"
    SNAT = "SNAT randomisation"
    JSON = "JSON object"
    UPPER = "case-insensitive text"
    TEXT = "text"


# Go's strconv.ParseBool, which the CNI uses for every boolean setting (cni-facts.md §2.1).
_TRUE: Final = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_FALSE: Final = frozenset({"0", "f", "F", "FALSE", "false", "False"})
# networkutils reports AWS_VPC_K8S_CNI_RANDOMIZESNAT as an int enum (cni-facts.md §1.5, v1.4.0+).
RANDOMIZE_SNAT_NAMES: Final = {0: "none", 1: "hashrandom", 2: "prng"}

_EXTRA_KINDS: Final = {
    # Reported by the introspection endpoints or read from the DaemonSet, not set by CniEnv.
    "AWS_VPC_K8S_CNI_CONNMARK": SettingKind.INT_ANY_BASE,  # strconv base 0, e.g. "0x80"
    "AWS_VPC_K8S_CNI_RANDOMIZESNAT": SettingKind.SNAT,
    "DISABLE_TCP_EARLY_DEMUX": SettingKind.BOOL,
    "ENABLE_IPv4": SettingKind.BOOL,
    "ENABLE_IPv6": SettingKind.BOOL,
    "ENABLE_NFTABLES": SettingKind.BOOL,
    "MANAGE_UNTAGGED_ENI": SettingKind.BOOL,
}


def parse_env_settings(document: Any) -> dict[str, Any]:
    """The settings of one ``networkutils-env-settings`` or ``ipamd-env-settings`` body, typed as sent."""
    if not isinstance(document, dict):
        raise IpamdFormatError("", "must be a JSON object of settings by environment variable name")
    if set(document) == {"AvailableCommands"}:
        raise IpamdFormatError(
            "", "is ipamd's list of commands, not settings (the request went to an unknown path)"
        )
    return dict(document)


def setting_kind(key: str) -> SettingKind:
    """The kind of an aws-node setting, which decides how its values compare."""
    return _EXTRA_KINDS.get(key) or _model_kinds().get(key, SettingKind.TEXT)


def canonical_setting(key: str, value: Any) -> str:
    """One text per meaning of a setting's value, from an env string or ipamd's typed value.

    ``canonical_setting("AWS_VPC_K8S_CNI_EXTERNALSNAT", "True") == canonical_setting(..., False) ...``
    A value that does not parse as its kind is returned as text, so it compares unequal and is shown.
    """
    kind = setting_kind(key)
    if value is None:
        return "" if kind in (SettingKind.CIDRS, SettingKind.TEXT) else "null"
    try:
        return _CANONICAL[kind](value)
    except (ValueError, TypeError):
        return value if isinstance(value, str) else json.dumps(value)


def _bool(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).strip()
    if text in _TRUE:
        return "true"
    if text in _FALSE:
        return "false"
    raise ValueError(text)


def _int(value: Any, base: int = 10) -> str:
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return str(value)
    return str(int(str(value).strip(), base))


def _cidrs(value: Any) -> str:
    items = value.split(",") if isinstance(value, str) else list(value)
    networks = {
        str(ipaddress.ip_network(str(item).strip(), strict=False)) for item in items if str(item).strip()
    }
    return ",".join(sorted(networks))


def _snat(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return RANDOMIZE_SNAT_NAMES[value]
    return str(value).strip().lower()


def _json(value: Any) -> str:
    if isinstance(value, str):
        value = json.loads(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


_CANONICAL: Final = {
    SettingKind.BOOL: _bool,
    SettingKind.INT: _int,
    SettingKind.INT_ANY_BASE: lambda value: _int(value, 0),
    SettingKind.CIDRS: _cidrs,
    SettingKind.SNAT: _snat,
    SettingKind.JSON: _json,
    SettingKind.UPPER: lambda value: str(value).strip().upper(),
    SettingKind.TEXT: lambda value: str(value).strip(),
}


@functools.cache
def _model_kinds() -> dict[str, SettingKind]:
    from ekslab.cni.settings import CniEnv, CniInitEnv

    kinds: dict[str, SettingKind] = {}
    for model in (CniEnv, CniInitEnv):
        for name, field in model.model_fields.items():
            kinds[name] = _kind_of(field.annotation)
    return kinds


def _kind_of(annotation: Any) -> SettingKind:
    """Walk Optional/Annotated/Union down to the base type of a CniEnv field."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _kind_of(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        kinds = {_kind_of(arg) for arg in typing.get_args(annotation) if arg is not type(None)}
        return kinds.pop() if len(kinds) == 1 else SettingKind.TEXT
    if origin is typing.Literal:
        values = typing.get_args(annotation)
        return SettingKind.UPPER if all(str(item).isupper() for item in values) else SettingKind.TEXT
    if origin is list:
        return SettingKind.CIDRS
    if origin is dict:
        return SettingKind.JSON
    if annotation is bool:
        return SettingKind.BOOL
    if annotation is int:
        return SettingKind.INT
    return SettingKind.TEXT
