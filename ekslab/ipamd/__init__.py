"""ipamd introspection data of every VPC CNI version, parsed into one set of models.

One parser per endpoint body (cni-facts.md §1.2-§1.7), each taking a decoded JSON document:

    from ekslab.ipamd import parse_enis, read_node_directory
    enis = parse_enis(json.loads(body))              # IpamdEnis, whatever the CNI version
    node = read_node_directory("bundle/ipamd/ip-10-0-1-5", source="ipamd/ip-10-0-1-5")
    for eni, address in node.enis.assigned(): ...

Raw bodies (files or a live fetch, possibly empty or concatenated) go through ``parse_body`` (one
endpoint's body) or ``parse_node_bodies`` (a node's); the live transports are in
``ekslab.sources.introspection``. ``FORMAT_VERSIONS`` names the CNI versions of each ``/v1/enis`` format.
"""

from ekslab.ipamd.eniconfigs import parse_eni_configs
from ekslab.ipamd.enis import FORMAT_VERSIONS, IpamdFormatError, parse_enis
from ekslab.ipamd.env import (
    SettingKind,
    canonical_setting,
    parse_env_settings,
    setting_kind,
    settings_endpoint,
)
from ekslab.ipamd.models import (
    ENDPOINT_ATTRIBUTES,
    ENDPOINTS,
    EniConfigSpec,
    IpamdAddress,
    IpamdCidr,
    IpamdEni,
    IpamdEniConfig,
    IpamdEnis,
    IpamdPod,
    NodeIpamd,
    canonical_cidr,
    canonical_ip,
)
from ekslab.ipamd.node import parse_body, parse_node_bodies, read_node_directory
from ekslab.ipamd.pods import parse_pods

__all__ = [
    "ENDPOINTS",
    "ENDPOINT_ATTRIBUTES",
    "FORMAT_VERSIONS",
    "EniConfigSpec",
    "IpamdAddress",
    "IpamdCidr",
    "IpamdEni",
    "IpamdEniConfig",
    "IpamdEnis",
    "IpamdFormatError",
    "IpamdPod",
    "NodeIpamd",
    "SettingKind",
    "canonical_cidr",
    "canonical_ip",
    "canonical_setting",
    "parse_body",
    "parse_eni_configs",
    "parse_enis",
    "parse_env_settings",
    "parse_node_bodies",
    "parse_pods",
    "read_node_directory",
    "setting_kind",
    "settings_endpoint",
]
