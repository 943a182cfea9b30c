"""Typed settings of the Amazon VPC CNI, shaped like the EKS add-on's ``configurationValues``.

The lab configuration's ``cni`` section mirrors the add-on's own document (``cni.env.WARM_IP_TARGET``,
``cni.init.env.DISABLE_TCP_EARLY_DEMUX``, ``cni.enableNetworkPolicy``, ``cni.nodeAgent``...), so users
can paste from the AWS docs, but takes native YAML types (ints, bools, lists) where the add-on wants
strings. ``ekslab.cni.render`` turns these models into the strings the add-on expects.

Every ``env`` field is named after the ``aws-node`` environment variable it sets; ``None`` means
"not set", i.e. the CNI's own default (documented per field) applies. Types, ranges and defaults
come from docs/reference/cni-facts.md §2.1 (README "CNI Configuration Variables" of
aws/amazon-vpc-cni-k8s at v1.23.1). Which add-on version accepts which key is data, checked in
``ekslab.cni.schema``.
"""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Annotated, Any, Final, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from ekslab.config.types import Int, NonNegativeInt

MTU_RANGE_IPV4: Final = (576, 9001)
MTU_RANGE_IPV6: Final = (1280, 9001)
"""README: AWS_VPC_ENI_MTU / POD_MTU accept 576-9001 for IPv4 and 1280-9001 for IPv6 clusters."""
MAX_VETH_PREFIX_LENGTH: Final = 4
RESERVED_VETH_PREFIXES: Final = frozenset({"eth", "vlan", "lo"})
MAX_PORT: Final = 65535

ENV_SINCE: Final[dict[str, tuple[int, int, int]]] = {
    # First CNI release with each aws-node variable (README "CNI Configuration Variables" @ v1.23.1;
    # cni-facts.md §2.1). Variables without an entry predate v1.6.
    "MINIMUM_IP_TARGET": (1, 6, 0),
    "AWS_VPC_ENI_MTU": (1, 6, 0),
    "AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS": (1, 6, 0),
    "ADDITIONAL_ENI_TAGS": (1, 6, 0),
    "ENABLE_POD_ENI": (1, 7, 0),
    "DISABLE_TCP_EARLY_DEMUX": (1, 7, 3),
    "WARM_PREFIX_TARGET": (1, 9, 0),
    "ENABLE_PREFIX_DELEGATION": (1, 9, 0),
    "DISABLE_NETWORK_RESOURCE_PROVISIONING": (1, 9, 1),
    "ANNOTATE_POD_IP": (1, 9, 3),
    "ENABLE_BANDWIDTH_PLUGIN": (1, 10, 0),
    "POD_SECURITY_GROUP_ENFORCING_MODE": (1, 11, 0),
    "CLUSTER_ENDPOINT": (1, 12, 1),
    "AWS_EXTERNAL_SERVICE_CIDRS": (1, 12, 6),
    "AWS_MANAGE_ENIS_NON_SCHEDULABLE": (1, 12, 6),
    "ENABLE_V6_EGRESS": (1, 13, 0),
    "AWS_EC2_ENDPOINT": (1, 13, 0),
    "DISABLE_LEAKED_ENI_CLEANUP": (1, 13, 0),
    "DISABLE_POD_V6": (1, 15, 0),
    "IP_COOLDOWN_PERIOD": (1, 15, 0),
    "ENABLE_V4_EGRESS": (1, 15, 1),
    "POD_MTU": (1, 16, 4),
    "NETWORK_POLICY_ENFORCING_MODE": (1, 17, 1),
    "ENABLE_SUBNET_DISCOVERY": (1, 18, 0),
    "ENABLE_IMDS_ONLY_MODE": (1, 19, 6),
    "ENABLE_MULTI_NIC": (1, 20, 0),
}


def _split_list(value: Any) -> Any:
    """Accept a YAML list or the add-on's comma-separated string for CIDR lists."""
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


def _json_object(value: Any) -> Any:
    """ADDITIONAL_ENI_TAGS is a JSON object in a string; a YAML mapping is accepted as well."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as error:
            raise ValueError(f"must be a JSON object of tag keys to values ({error.msg})") from None
        except (ValueError, RecursionError):  # an integer past 4300 digits, or nesting past the stack
            raise ValueError(
                "must be a JSON object of tag keys to values (nested too deeply or a number too long)"
            ) from None
    return value


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


def _join_cidrs(networks: list[ipaddress.IPv4Network]) -> str:
    return ",".join(str(network) for network in networks)


CidrList = Annotated[
    list[ipaddress.IPv4Network],
    BeforeValidator(_split_list),
    PlainSerializer(_join_cidrs, return_type=str),
]
AnyCidrList = Annotated[
    list[ipaddress.IPv4Network | ipaddress.IPv6Network],
    BeforeValidator(_split_list),
    PlainSerializer(_join_cidrs, return_type=str),
]
LogLevel = Annotated[Literal["DEBUG", "INFO", "WARN", "ERROR", "FATAL"], BeforeValidator(_upper)]
Port = Annotated[Int, Field(ge=1, le=MAX_PORT)]
Mtu = Annotated[Int, Field(ge=MTU_RANGE_IPV4[0], le=MTU_RANGE_IPV4[1])]

_LABEL_KEY: Final = re.compile(
    r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"
)
_BIND_ADDRESS: Final = re.compile(r"^(?P<host>\[[0-9a-fA-F:]+\]|[^:\s]*):(?P<port>\d{1,5})$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class CniEnv(_Strict):
    """Environment of the ``aws-node`` container (add-on ``env``). Field names are the variables."""

    # --- warm pool: how many IPs/ENIs/prefixes ipamd keeps ready on each node -----------------
    WARM_ENI_TARGET: NonNegativeInt | None = Field(
        None,
        description="Spare ENIs to keep attached. CNI default 1. Ignored when WARM_IP_TARGET "
        "or MINIMUM_IP_TARGET is set.",
    )
    WARM_IP_TARGET: NonNegativeInt | None = Field(
        None,
        description="Spare IPs to keep assigned. CNI default unset (0 = unset). Overrides "
        "WARM_ENI_TARGET and WARM_PREFIX_TARGET.",
    )
    MINIMUM_IP_TARGET: NonNegativeInt | None = Field(
        None, description="Floor of IPs per node (v1.6.0+). CNI default unset. Set WARM_IP_TARGET with it."
    )
    WARM_PREFIX_TARGET: NonNegativeInt | None = Field(
        None,
        description="Spare /28 prefixes to keep with prefix delegation (v1.9.0+). Add-on default 1; "
        "only used when ENABLE_PREFIX_DELEGATION is true.",
    )
    ENABLE_PREFIX_DELEGATION: bool | None = Field(
        None,
        description="Assign /28 IPv4 (or /80 IPv6) prefixes to ENIs instead of secondary IPs "
        "(v1.9.0+). CNI default false. Nitro instance types only; required for IPv6.",
    )
    MAX_ENI: Annotated[Int, Field(ge=1)] | None = Field(
        None, description="Cap on ENIs per node; still limited by the instance type. CNI default unset."
    )
    IP_COOLDOWN_PERIOD: NonNegativeInt | None = Field(
        None, description="Seconds a released IP waits before reuse (v1.15.0+). CNI default 30."
    )

    # --- custom networking -----------------------------------------------------------------------
    AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: bool | None = Field(
        None,
        description="Pods take IPs from the ENIConfig's subnet and security groups, not the "
        "node's. CNI default false. The toolkit sets it from network.podSubnets.",
    )
    ENI_CONFIG_LABEL_DEF: str | None = Field(
        None,
        description="Node label naming the node's ENIConfig. CNI default k8s.amazonaws.com/eniConfig; "
        "the toolkit uses topology.kubernetes.io/zone with custom networking.",
    )
    ENI_CONFIG_ANNOTATION_DEF: str | None = Field(
        None,
        description="Node annotation naming the node's ENIConfig; beats the label. CNI default "
        "k8s.amazonaws.com/eniConfig.",
    )

    # --- MTU, SNAT and routing -------------------------------------------------------------------
    AWS_VPC_ENI_MTU: Mtu | None = Field(
        None, description="MTU of the ENIs (v1.6.0+). CNI default 9001. IPv4 576-9001, IPv6 1280-9001."
    )
    POD_MTU: Mtu | None = Field(
        None, description="MTU of pod interfaces (v1.16.4+). CNI default = AWS_VPC_ENI_MTU."
    )
    AWS_VPC_K8S_CNI_EXTERNALSNAT: bool | None = Field(
        None, description="Leave SNAT of off-VPC traffic to an external NAT. CNI default false."
    )
    AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS: CidrList | None = Field(
        None, description="IPv4 CIDRs not SNATed (v1.6.0+). CNI default empty. List or comma string."
    )
    AWS_EXTERNAL_SERVICE_CIDRS: AnyCidrList | None = Field(
        None,
        description="CIDRs of services outside the VPC routed via the primary ENI (v1.12.6+). "
        "CNI default empty. (Note the trailing S: AWS_EXTERNAL_SERVICE_CIDR is not a setting.)",
    )
    AWS_VPC_K8S_CNI_RANDOMIZESNAT: Literal["hashrandom", "prng", "none"] | None = Field(
        None, description="iptables SNAT port randomisation. CNI default prng (v1.7.0+)."
    )
    AWS_VPC_CNI_NODE_PORT_SUPPORT: bool | None = Field(
        None, description="Route NodePort traffic via the primary ENI. CNI default true."
    )
    AWS_VPC_K8S_CNI_VETHPREFIX: str | None = Field(
        None,
        description="Prefix of host-side veth names. CNI default eni. At most 4 characters; "
        "not eth, vlan or lo.",
    )
    AWS_VPC_K8S_CNI_CONFIGURE_RPFILTER: bool | None = Field(
        None, description="Deprecated since v1.12.1 (no-op); accepted by older add-on versions only."
    )

    # --- IPv6 / egress ---------------------------------------------------------------------------
    ENABLE_V4_EGRESS: bool | None = Field(
        None, description="IPv6 clusters: IPv4 egress via 169.254.172.0/22 (v1.15.1+). CNI default true."
    )
    ENABLE_V6_EGRESS: bool | None = Field(
        None,
        description="IPv4 clusters: IPv6 egress via fd00::ac:00/118 (v1.13.0+). CNI default false. "
        "Also set it under init.env.",
    )
    DISABLE_POD_V6: bool | None = Field(
        None, description="Disable IPv6 inside pods of IPv4 clusters (v1.15.0+). CNI default false."
    )

    # --- security groups for pods, bandwidth, network resources ----------------------------------
    ENABLE_POD_ENI: bool | None = Field(
        None,
        description="Security groups for pods: trunk ENI on the node, branch ENIs for pods "
        "(v1.7.0+). CNI default false. Needs trunk-compatible (Nitro) instance types.",
    )
    POD_SECURITY_GROUP_ENFORCING_MODE: Literal["strict", "standard"] | None = Field(
        None, description="How pod security groups are enforced (v1.11.0+). CNI default strict."
    )
    ENABLE_BANDWIDTH_PLUGIN: bool | None = Field(
        None, description="Chain the bandwidth plugin (v1.10.0+). CNI default false. Not with network policy."
    )
    DISABLE_NETWORK_RESOURCE_PROVISIONING: bool | None = Field(
        None, description="Read ENIs and IPs from IMDS only; allocate nothing (v1.9.1+). CNI default false."
    )
    DISABLE_LEAKED_ENI_CLEANUP: bool | None = Field(
        None, description="Skip the leaked-ENI cleanup loop (v1.13.0+). CNI default false."
    )
    AWS_MANAGE_ENIS_NON_SCHEDULABLE: bool | None = Field(
        None, description="Keep managing ENIs on unschedulable nodes (v1.12.6+). CNI default false."
    )
    ENABLE_SUBNET_DISCOVERY: bool | None = Field(
        None,
        description="Also use subnets tagged kubernetes.io/role/cni for ENIs (v1.18.0+). CNI default true.",
    )
    ANNOTATE_POD_IP: bool | None = Field(
        None, description="Write the pod annotation vpc.amazonaws.com/pod-ips (v1.9.3+). CNI default false."
    )
    ADDITIONAL_ENI_TAGS: Annotated[dict[str, str], BeforeValidator(_json_object)] | None = Field(
        None,
        description="Extra tags on CNI-created ENIs (v1.6.0+). CNI default {}. Mapping or JSON string; "
        "keys containing k8s.amazonaws.com are ignored by the CNI.",
    )

    # --- introspection, metrics, logs ------------------------------------------------------------
    DISABLE_INTROSPECTION: bool | None = Field(
        None, description="Turn off the ipamd introspection API that verification reads. CNI default false."
    )
    INTROSPECTION_BIND_ADDRESS: str | None = Field(
        None,
        description="host:port or unix:<path> of the introspection API. CNI default 127.0.0.1:61679. "
        "Off loopback only with the acknowledgement introspection-off-loopback.",
    )
    DISABLE_METRICS: bool | None = Field(
        None, description="Turn off Prometheus metrics on :61678. CNI default false."
    )
    AWS_VPC_K8S_CNI_LOGLEVEL: LogLevel | None = Field(None, description="ipamd log level. CNI default DEBUG.")
    AWS_VPC_K8S_CNI_LOG_FILE: str | None = Field(
        None,
        description="ipamd log destination: stdout, stderr or a path. CNI default "
        "/host/var/log/aws-routed-eni/ipamd.log.",
    )
    AWS_VPC_K8S_PLUGIN_LOG_LEVEL: LogLevel | None = Field(
        None, description="CNI plugin log level. CNI default DEBUG."
    )
    AWS_VPC_K8S_PLUGIN_LOG_FILE: str | None = Field(
        None, description="CNI plugin log path (not stdout). CNI default /var/log/aws-routed-eni/plugin.log."
    )

    # --- endpoints -------------------------------------------------------------------------------
    AWS_EC2_ENDPOINT: str | None = Field(
        None, description="Custom EC2 endpoint URL (v1.13.0+). CNI default: the regional endpoint."
    )
    CLUSTER_ENDPOINT: str | None = Field(
        None, description="API server endpoint used before kube-proxy is ready (v1.12.1+). CNI default unset."
    )

    # --- newer add-on versions -------------------------------------------------------------------
    NETWORK_POLICY_ENFORCING_MODE: Literal["standard", "strict"] | None = Field(
        None,
        description="Default-allow or default-deny before policies apply (v1.17.1+). CNI default standard.",
    )
    ENABLE_MULTI_NIC: bool | None = Field(
        None, description="Let pods opt in to one IP per network card (v1.20.0+). CNI default false."
    )
    ENABLE_IMDS_ONLY_MODE: bool | None = Field(
        None, description="IMDS only, no EC2 calls (v1.19.6+). CNI default false."
    )

    @field_validator("AWS_VPC_K8S_CNI_VETHPREFIX")
    @classmethod
    def _veth_prefix(cls, value: str | None) -> str | None:
        if value is not None and (
            not value or len(value) > MAX_VETH_PREFIX_LENGTH or value in RESERVED_VETH_PREFIXES
        ):
            raise ValueError(
                f"must be 1 to {MAX_VETH_PREFIX_LENGTH} characters and not one of "
                f"{', '.join(sorted(RESERVED_VETH_PREFIXES))}"
            )
        return value

    @field_validator("ENI_CONFIG_LABEL_DEF", "ENI_CONFIG_ANNOTATION_DEF")
    @classmethod
    def _label_key(cls, value: str | None) -> str | None:
        if value is not None and not _LABEL_KEY.match(value):
            raise ValueError(
                "must be a Kubernetes label or annotation key such as topology.kubernetes.io/zone"
            )
        return value

    @field_validator("INTROSPECTION_BIND_ADDRESS")
    @classmethod
    def _bind_address(cls, value: str | None) -> str | None:
        if value is None or value.startswith("unix:"):
            return value
        match = _BIND_ADDRESS.match(value)
        if not match or not 0 < int(match["port"]) <= MAX_PORT:
            raise ValueError("must be host:port (e.g. 127.0.0.1:61679) or unix:<socket path>")
        return value

    @field_validator("AWS_VPC_K8S_PLUGIN_LOG_FILE")
    @classmethod
    def _plugin_log_file(cls, value: str | None) -> str | None:
        if value in ("stdout", "stderr"):
            raise ValueError("must be a file path: the CNI plugin cannot log to stdout or stderr")
        return value


def is_loopback_bind_address(address: str) -> bool:
    """True when an INTROSPECTION_BIND_ADDRESS value only listens on the node itself."""
    if address.startswith("unix:"):
        return True
    match = _BIND_ADDRESS.match(address)
    if not match:
        return False
    host = match["host"].strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # "" (all interfaces) or a host name


class CniInitEnv(_Strict):
    """Environment of the ``aws-vpc-cni-init`` init container (add-on ``init.env``)."""

    DISABLE_TCP_EARLY_DEMUX: bool | None = Field(
        None,
        description="Turn off TCP early demux so kubelet probes reach security-group pods "
        "(v1.7.3+). CNI default false.",
    )
    ENABLE_V6_EGRESS: bool | None = Field(
        None, description="Must match env.ENABLE_V6_EGRESS (v1.13.0+). CNI default false."
    )


class CniInit(_Strict):
    env: CniInitEnv = Field(default_factory=CniInitEnv)


class _Camel(_Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, alias_generator=to_camel)


class NodeAgent(_Camel):
    """The network policy agent container (add-on ``nodeAgent``)."""

    enable_cloud_watch_logs: bool | None = Field(
        None, description="Send policy decision logs to CloudWatch. Add-on default false."
    )
    enable_policy_event_logs: bool | None = Field(
        None, description="Log policy allow/deny events. Add-on default false."
    )
    health_probe_bind_addr: Port | None = Field(
        None, description="Port of the agent's health probe. Add-on default 8163."
    )
    metrics_bind_addr: Port | None = Field(
        None, description="Port of the agent's metrics. Add-on default 8162."
    )


class ExtraEnvVar(_Camel):
    """One extra variable of the ``aws-node`` container, shaped like a Kubernetes ``EnvVar``."""

    name: str = Field(description="Variable name. Required.")
    value: str | None = Field(None, description="Literal value. Default unset (empty).")
    value_from: dict[str, Any] | None = Field(
        None,
        description="Kubernetes EnvVarSource, e.g. configMapKeyRef or secretKeyRef. Default unset. "
        "Not together with value.",
    )

    @field_validator("name")
    @classmethod
    def _not_a_typed_variable(cls, value: str) -> str:
        # The chart appends extraEnv after env (charts/aws-vpc-cni/templates/daemonset.yaml @ v1.21.1),
        # so a typed variable repeated here would reach the container twice.
        if value in CniEnv.model_fields:
            raise ValueError(f"must not be a typed aws-node variable: set cni.env.{value} instead")
        return value

    @model_validator(mode="after")
    def _one_source(self) -> ExtraEnvVar:
        if self.value is not None and self.value_from is not None:
            raise ValueError("must have value or valueFrom, not both (Kubernetes EnvVar)")
        return self


class CriHostPath(_Camel):
    path: str = Field(description="Host path of the container runtime socket. Required.")


class Cri(_Camel):
    """Container runtime socket of ``aws-node`` (add-on v1.12.0-eksbuild.1 schema only)."""

    host_path: CriHostPath | None = Field(None, description="Socket on the host. Default unset.")


class ResourceQuantities(_Strict):
    cpu: str | None = Field(None, description="Kubernetes CPU quantity, e.g. 25m.")
    memory: str | None = Field(None, description="Kubernetes memory quantity, e.g. 128Mi.")


class Resources(_Strict):
    limits: ResourceQuantities | None = None
    requests: ResourceQuantities | None = None


class CniSettings(_Camel):
    """The ``cni`` section: what the toolkit sends as the vpc-cni add-on's ``configurationValues``.

    The toolkit adds what it owns itself (``eniConfig`` for custom networking,
    ``AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG``, ``ENI_CONFIG_LABEL_DEF``), see ``ekslab.cni.render``.
    """

    env: CniEnv = Field(default_factory=CniEnv, description="aws-node container environment.")
    init: CniInit = Field(default_factory=CniInit, description="aws-vpc-cni-init container environment.")
    extra_env: list[ExtraEnvVar] | None = Field(
        None,
        description="More aws-node variables, appended after env, e.g. from a ConfigMap or Secret "
        "(valueFrom). Default none. Typed variables belong in env. In the v1.18.6-eksbuild.1 add-on "
        "schema, not in v1.15.1-eksbuild.1.",
    )
    enable_network_policy: bool | None = Field(
        None, description="Run the network policy agent and controller. Add-on default false."
    )
    node_agent: NodeAgent | None = Field(None, description="Network policy agent settings.")
    enable_windows_ipam: bool | None = Field(None, description="Windows IPAM in the VPC resource controller.")
    enable_windows_prefix_delegation: bool | None = Field(
        None,
        description="Windows nodes get /28 prefixes on their primary ENI from the VPC resource controller "
        "(ConfigMap amazon-vpc-cni enable-windows-prefix-delegation). Add-on default false. Needs "
        "enableWindowsIpam. In the v1.18.6-eksbuild.1 add-on schema, not in v1.15.1-eksbuild.1.",
    )
    minimum_windows_ip_target: NonNegativeInt | None = Field(
        None,
        alias="minimumWindowsIPTarget",
        description="Floor of IPs the VPC resource controller keeps allocated on each Windows node, a "
        "warm-pool setting of Windows prefix delegation (ConfigMap amazon-vpc-cni minimum-ip-target). "
        "Chart default 3. In the v1.18.6-eksbuild.1 add-on schema, not in v1.15.1-eksbuild.1.",
    )
    liveness_probe_timeout_seconds: Annotated[Int, Field(ge=1)] | None = Field(
        None, description="aws-node liveness probe timeout. Add-on default 10."
    )
    readiness_probe_timeout_seconds: Annotated[Int, Field(ge=1)] | None = Field(
        None, description="aws-node readiness probe timeout. Add-on default 10."
    )
    resources: Resources | None = Field(None, description="aws-node container resources.")
    tolerations: list[dict[str, Any]] | None = Field(None, description="aws-node DaemonSet tolerations.")
    affinity: dict[str, Any] | None = Field(None, description="aws-node DaemonSet affinity.")
    pod_annotations: dict[str, str | int | bool] | None = Field(
        None, description="Annotations on aws-node pods (add-on v1.18+)."
    )
    cri: Cri | None = Field(
        None,
        description="Container runtime socket mounted into aws-node. Default unset. Only the "
        "v1.12.0-eksbuild.1 add-on schema has it, and it has no effect there: CNI v1.12.0+ keeps its "
        "IP state in /var/run/aws-node/ipam.json and no longer reads the CRI socket.",
    )
