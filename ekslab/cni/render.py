"""Turning the typed CNI settings into the add-on's ``configurationValues`` and the expected aws-node env.

The EKS add-on schema wants every ``env`` value as a string (``"format": "boolean"`` or
``"format": "integer"`` with ``"type": "string"``; cni-facts.md §2.3), so booleans become
``"true"``/``"false"``, integers their decimal text, CIDR lists a comma-separated string and
ADDITIONAL_ENI_TAGS a JSON object in a string.

Some settings belong to the toolkit rather than the user: with ``network.podSubnets.enabled`` it
turns on custom networking (``AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG``), names ENIConfigs by AZ
(``ENI_CONFIG_LABEL_DEF=topology.kubernetes.io/zone``) and asks the add-on to create one ENIConfig
per AZ (``eniConfig``), so the ENIConfigs exist before the first node starts.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from pydantic import BaseModel

from ekslab.config.cni import CniSettings
from ekslab.config.model import LabConfig

ZONE_LABEL: Final = "topology.kubernetes.io/zone"
"""Well-known node label holding the node's AZ; ENIConfigs named after AZs match it."""

# Top-level add-on keys whose schema type is a boolean or integer *string* (the rest keep their type).
_STRING_ENCODED_TOP_LEVEL: Final = frozenset(
    {"enableNetworkPolicy", "enableWindowsIpam", "enableWindowsPrefixDelegation"}
)
# Top-level objects whose members are all boolean or integer strings in the schema.
_STRING_ENCODED_OBJECTS: Final = frozenset({"nodeAgent"})


@dataclass(frozen=True)
class EniConfigSubnet:
    """One AZ's ENIConfig: the pod subnet id and the security groups of pod ENIs (CDK tokens are fine)."""

    subnet_id: str
    security_group_ids: Sequence[str]


def encode(value: Any) -> Any:
    """Encode one setting the way the add-on schema expects it (strings for scalars)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list) and all(
        isinstance(item, ipaddress.IPv4Network | ipaddress.IPv6Network) for item in value
    ):
        return ",".join(str(item) for item in value)
    if isinstance(value, dict) and all(isinstance(item, str) for item in value.values()):
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    return value


def _set_fields(model: BaseModel) -> dict[str, Any]:
    """The fields a user set (not None), keyed by the add-on's spelling."""
    result: dict[str, Any] = {}
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        if value is not None:
            result[field.alias or name] = value
    return result


def _plain(value: Any) -> Any:
    """Set fields of nested models in the add-on's spelling, values as typed (no string encoding)."""
    if isinstance(value, BaseModel):
        return {key: _plain(item) for key, item in _set_fields(value).items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def toolkit_env(config: LabConfig) -> dict[str, str]:
    """aws-node env the toolkit sets itself from other parts of the configuration."""
    if not config.network.pod_subnets.enabled:
        return {}
    return {"AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": "true", "ENI_CONFIG_LABEL_DEF": ZONE_LABEL}


def expected_aws_node_env(config: LabConfig) -> dict[str, str]:
    """Env of the ``aws-node`` container that the configuration sets explicitly, encoded as strings."""
    env = {key: encode(value) for key, value in _set_fields(config.cni.env).items()}
    env.update(toolkit_env(config))
    return dict(sorted(env.items()))


def expected_init_env(config: LabConfig) -> dict[str, str]:
    """Env of the ``aws-vpc-cni-init`` container that the configuration sets explicitly."""
    return {key: encode(value) for key, value in sorted(_set_fields(config.cni.init.env).items())}


def configuration_values(
    config: LabConfig, *, eni_configs: Mapping[str, EniConfigSubnet] | None = None
) -> dict[str, Any]:
    """The vpc-cni add-on's ``configurationValues`` document for this lab.

    ``eni_configs`` maps each AZ to its pod subnet and security groups; it is required when custom
    networking is on (the CDK layer passes the subnet and security group tokens).
    """
    settings: CniSettings = config.cni
    document: dict[str, Any] = {}
    env = expected_aws_node_env(config)
    if env:
        document["env"] = env
    init_env = expected_init_env(config)
    if init_env:
        document["init"] = {"env": init_env}
    for key, value in _set_fields(settings).items():
        if key in ("env", "init"):
            continue
        if key in _STRING_ENCODED_OBJECTS:
            rendered = {name: encode(item) for name, item in _set_fields(value).items()}
        elif key in _STRING_ENCODED_TOP_LEVEL:
            rendered = encode(value)
        else:
            rendered = _plain(value)
        if not (isinstance(value, BaseModel) and not rendered):
            document[key] = rendered
    if config.network.pod_subnets.enabled:
        if not eni_configs:
            raise ValueError("custom networking needs the pod subnet of every AZ (eni_configs)")
        document["eniConfig"] = {
            "create": True,
            "region": config.region,
            "subnets": {
                zone: {"id": subnet.subnet_id, "securityGroups": list(subnet.security_group_ids)}
                for zone, subnet in sorted(eni_configs.items())
            },
        }
    return document
