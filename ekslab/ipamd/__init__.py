"""ipamd introspection data of every VPC CNI version, parsed into one set of models.

One parser per endpoint body (cni-facts.md §1.2-§1.7), each taking a decoded JSON document:

    from ekslab.ipamd import parse_enis, parse_node_bodies
    enis = parse_enis(json.loads(body))              # IpamdEnis, whatever the CNI version
    node = parse_node_bodies({"enis": body}, source="ipamd on ip-10-0-1-5")
    for eni, address in node.enis.assigned(): ...

Raw bodies (possibly empty or concatenated) go through ``parse_body`` (one endpoint's body) or
``parse_node_bodies`` (a node's). Nothing here reads a file or an API: the readers of saved node
folders (``ekslab.sources.ipamd_files``) and the live transports (``ekslab.sources.introspection``)
hand their bytes to these parsers. ``FORMAT_VERSIONS`` names the CNI versions of each ``/v1/enis`` format.
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
)
from ekslab.ipamd.node import parse_body, parse_node_bodies
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
    "canonical_setting",
    "parse_body",
    "parse_eni_configs",
    "parse_enis",
    "parse_env_settings",
    "parse_node_bodies",
    "parse_pods",
    "setting_kind",
    "settings_endpoint",
]
