"""Parsers of ``/v1/networkutils-env-settings`` and ``/v1/ipamd-env-settings``; one way to compare settings.

Both bodies are a JSON object of the settings ipamd actually runs with, typed the Go way (cni-facts.md
§1.5, §1.6): ``AWS_VPC_K8S_CNI_EXTERNALSNAT: false``, ``AWS_VPC_ENI_MTU: 9001``,
``AWS_VPC_K8S_CNI_RANDOMIZESNAT: 2`` (an enum: 0 none, 1 hashrandom, 2 prng),
``AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS: null``. The aws-node container's env holds the same settings
as strings (``"false"``, ``"9001"``, ``"prng"``, ``"10.0.0.0/8,172.16.0.0/12"``).

``canonical_setting`` turns either spelling into one text per meaning, so configuration drift is
found by comparing canonical texts, whatever the source. The kind of each setting (boolean, integer,
CIDR list...) comes from the typed CNI settings model ``ekslab.config.cni.CniEnv`` (one place for
types), plus the few settings ipamd reports that the model does not set.
"""

from __future__ import annotations

import enum
import functools
import ipaddress
import json
import types
import typing
from collections.abc import Mapping
from typing import Any, Final

from ekslab.ipamd.enis import IpamdFormatError
from ekslab.jsondoc import loads


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

# The keys each settings endpoint reports in some CNI version (cni-facts.md §1.5, §1.6). Every
# version reports several of its endpoint's keys, so a body with none of them is another document.
NETWORKUTILS_SETTINGS: Final = frozenset(
    {
        "AWS_EXTERNAL_SERVICE_CIDRS",
        "AWS_VPC_CNI_NODE_PORT_SUPPORT",
        "AWS_VPC_ENI_MTU",
        "AWS_VPC_K8S_CNI_CONFIGURE_RPFILTER",
        "AWS_VPC_K8S_CNI_CONNMARK",
        "AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS",
        "AWS_VPC_K8S_CNI_EXTERNALSNAT",
        "AWS_VPC_K8S_CNI_RANDOMIZESNAT",
        "AWS_VPC_K8S_CNI_VETHPREFIX",
    }
)
IPAMD_SETTINGS: Final = frozenset(
    {
        "AWS_MANAGE_ENIS_NON_SCHEDULABLE",
        "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG",
        "ENABLE_SUBNET_DISCOVERY",
        "WARM_ENI_TARGET",
        "WARM_IP_TARGET",
    }
)
ENDPOINT_SETTINGS: Final[Mapping[str, frozenset[str]]] = {
    "networkutils-env-settings": NETWORKUTILS_SETTINGS,
    "ipamd-env-settings": IPAMD_SETTINGS,
}

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


def parse_env_settings(document: Any, *, endpoint: str | None = None) -> dict[str, Any]:
    """The settings of one ``networkutils-env-settings`` or ``ipamd-env-settings`` body, typed as sent.

    A body holding none of the settings either endpoint reports (an ``/v1/enis`` body, a kubectl
    list...) raises IpamdFormatError; so does, with ``endpoint`` given, a body of the other settings
    endpoint. ``settings_endpoint`` tells which endpoint a body comes from.
    """
    if not isinstance(document, dict):
        raise IpamdFormatError("", "must be a JSON object of settings by environment variable name")
    if set(document) == {"AvailableCommands"}:
        raise IpamdFormatError(
            "", "is ipamd's list of commands, not settings (the request went to an unknown path)"
        )
    found = settings_endpoint(document)
    if found is None:
        raise IpamdFormatError(
            "",
            "has none of the settings ipamd reports (e.g. AWS_VPC_K8S_CNI_EXTERNALSNAT, WARM_ENI_TARGET), "
            "so it is no /v1/networkutils-env-settings or /v1/ipamd-env-settings body",
            sorted(document)[:6],
        )
    if endpoint is not None and not document.keys() & ENDPOINT_SETTINGS[endpoint]:
        raise IpamdFormatError("", f"is a /v1/{found} body, expected /v1/{endpoint}", sorted(document)[:6])
    return dict(document)


def settings_endpoint(settings: Mapping[str, Any]) -> str | None:
    """``networkutils-env-settings`` or ``ipamd-env-settings``: the endpoint whose settings a body
    holds the most of; ``None`` when it holds none of either."""
    counts = {endpoint: len(keys & settings.keys()) for endpoint, keys in ENDPOINT_SETTINGS.items()}
    best = max(counts, key=lambda endpoint: counts[endpoint])
    return best if counts[best] else None


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
    except (ValueError, TypeError, RecursionError):
        if isinstance(value, str):
            return value
        try:
            return json.dumps(value)
        except RecursionError:  # a value nested nearly as deep as the body's reader allows
            return "(nested too deeply to show)"


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
        # An enum value no CNI version defines keeps its number, so it compares unequal and is shown.
        return RANDOMIZE_SNAT_NAMES.get(value, str(value))
    return str(value).strip().lower()


def _json(value: Any) -> str:
    if isinstance(value, str):
        value = loads(value)
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
    from ekslab.config.cni import CniEnv, CniInitEnv

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
