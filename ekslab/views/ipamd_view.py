"""Views of one node's ipamd introspection, the same whatever CNI version served it.

The seed curls ``/v1/enis``, ``/v1/pods`` and ``/v1/networkutils-env-settings`` and reads the JSON by
eye; these functions turn the normalised models of ``ekslab.ipamd`` (never the raw JSON) into table
rows and stable JSON documents. ``/v1/pods`` exists only up to CNI v1.6 (cni-facts.md §1.2): on later
versions, or when a v1.0-v1.6 node's ``/v1/pods`` body is missing, ``pod_view`` derives the pod-to-IP
map from the assigned addresses of ``/v1/enis``, with pod names from v1.11 on (``IPAMMetadata``) and
container ids in between; its note says which of the two cases it is.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from ekslab.ipamd import (
    FORMAT_VERSIONS,
    IpamdAddress,
    IpamdCidr,
    IpamdEni,
    IpamdEniConfig,
    IpamdEnis,
    IpamdPod,
    canonical_setting,
)

SECONDARY_IP: Final = "secondary IP"
PREFIX: Final = "prefix"

ENI_COLUMNS: Final = ("ENI", "CARD", "DEV", "FLAGS", "SUBNET", "CIDR", "KIND", "IP", "ASSIGNED", "POD")
POD_COLUMNS: Final = ("NAMESPACE", "NAME", "IP", "ENI", "DEV", "KIND", "CONTAINER")
ENV_COLUMNS: Final = ("SETTING", "VALUE", "MEANS")
ENI_CONFIG_COLUMNS: Final = ("ENICONFIG", "SELECTED", "SUBNET", "SECURITY GROUPS")
ENI_FOLD: Final = ("CARD", "FLAGS", "ASSIGNED", "CIDR", "SUBNET", "DEV", "KIND")
POD_FOLD: Final = ("CONTAINER", "KIND", "DEV", "NAMESPACE")
ENV_FOLD: Final = ("MEANS",)
ENI_CONFIG_FOLD: Final = ("SECURITY GROUPS", "SUBNET")
"""Per table, the columns that move to a row's second line on a narrow terminal, first named first."""
PODS_SERVING_FORMAT: Final = "A"
"""The /v1/enis era of the CNI versions that also serve /v1/pods (v1.0-v1.6, cni-facts.md §1.2)."""
CONTAINER_ID_CHARS: Final = 12
"""Container ids are shown like `crictl ps` shows them; JSON keeps them whole."""


def cidr_kind(cidr: IpamdCidr) -> str:
    return PREFIX if cidr.is_prefix else SECONDARY_IP


def format_label(enis: IpamdEnis) -> str:
    return f"/v1/enis format {enis.format} ({FORMAT_VERSIONS.get(enis.format, 'unknown CNI version')} shape)"


# --- /v1/enis --------------------------------------------------------------------------------------


def eni_summary(enis: IpamdEnis) -> str:
    assigned = sum(1 for _ in enis.assigned())
    counters = ""
    if enis.total_ips is not None:
        counters = f"; ipamd counts TotalIPs {enis.total_ips}, AssignedIPs {enis.assigned_ips}"
    return (
        f"{format_label(enis)}: {_count(len(enis.enis), 'ENI')}, {_count(assigned, 'assigned IP')}{counters}"
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def eni_rows(enis: IpamdEnis) -> list[tuple[Any, ...]]:
    """One row per address of ``ENI_COLUMNS``; a CIDR with no address handed out yet, or an ENI
    without CIDRs, still gets a row so that every attached ENI, secondary IP and prefix is listed."""
    rows: list[tuple[Any, ...]] = []
    for eni in enis.enis:
        head = (eni.eni_id, eni.network_card, eni.device_number, _flags(eni), eni.subnet_id)
        if not eni.cidrs:
            rows.append((*head, None, None, None, None, None))
        for cidr in eni.cidrs:
            if not cidr.addresses:
                rows.append((*head, cidr.cidr, cidr_kind(cidr), None, None, None))
            for address in cidr.addresses:
                rows.append((*head, cidr.cidr, cidr_kind(cidr), address.ip, address.assigned, _pod(address)))
    return rows


def _flags(eni: IpamdEni) -> str:
    flags = [
        name
        for name, on in (
            ("primary", eni.is_primary),
            ("trunk", eni.is_trunk),
            ("efa", eni.is_efa),
            ("excluded", eni.is_excluded_for_pod_ips),
        )
        if on
    ]
    return ",".join(flags)


def _pod(address: IpamdAddress) -> str | None:
    if address.pod_name:
        return f"{address.pod_namespace or 'default'}/{address.pod_name}"
    return None


def enis_json(enis: IpamdEnis) -> dict[str, Any]:
    """The normalised ``/v1/enis``: the same keys for every CNI version (``null`` where it lacks one)."""
    return {
        "format": enis.format,
        "cni_versions": FORMAT_VERSIONS.get(enis.format),
        "total_ips": enis.total_ips,
        "assigned_ips": enis.assigned_ips,
        "enis": [
            {
                "eni": eni.eni_id,
                "network_card": eni.network_card,
                "device_number": eni.device_number,
                "is_primary": eni.is_primary,
                "is_trunk": eni.is_trunk,
                "is_efa": eni.is_efa,
                "is_excluded_for_pod_ips": eni.is_excluded_for_pod_ips,
                "subnet_id": eni.subnet_id,
                "route_table_id": eni.route_table_id,
                "cidrs": [
                    {
                        "cidr": cidr.cidr,
                        "kind": cidr_kind(cidr),
                        "family": cidr.family,
                        "addresses": [address._asdict() for address in cidr.addresses],
                    }
                    for cidr in eni.cidrs
                ],
            }
            for eni in enis.enis
        ],
    }


# --- pods ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PodIp:
    """One pod IP as ipamd knows it; names are ``None`` where the CNI version does not record them."""

    namespace: str | None
    name: str | None
    ip: str
    eni: str | None
    device_number: int | None
    kind: str | None
    container_id: str | None

    def row(self) -> tuple[Any, ...]:
        container = self.container_id[:CONTAINER_ID_CHARS] if self.container_id else None
        return (self.namespace, self.name, self.ip, self.eni, self.device_number, self.kind, container)


@dataclass(frozen=True)
class PodView:
    source: str
    """``/v1/pods``, or ``/v1/enis`` when derived."""
    pods: tuple[PodIp, ...]
    notes: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "notes": list(self.notes),
            "pods": [
                {
                    "namespace": pod.namespace,
                    "name": pod.name,
                    "ip": pod.ip,
                    "eni": pod.eni,
                    "device_number": pod.device_number,
                    "kind": pod.kind,
                    "container_id": pod.container_id,
                }
                for pod in self.pods
            ],
        }


def pod_view(pods: Sequence[IpamdPod] | None, enis: IpamdEnis | None) -> PodView | None:
    """Pod IPs from ``/v1/pods`` (CNI v1.0-v1.6) completed with ``/v1/enis``, or derived from
    ``/v1/enis`` alone when the CNI does not serve ``/v1/pods``; ``None`` when neither is given."""
    if pods is not None:
        return PodView("/v1/pods", tuple(sorted((_from_pods(pod, enis) for pod in pods), key=_order)))
    if enis is None:
        return None
    derived = []
    for eni in enis.enis:
        for cidr in eni.cidrs:
            for address in cidr.addresses:
                if address.assigned:
                    derived.append(
                        PodIp(
                            address.pod_namespace,
                            address.pod_name,
                            address.ip,
                            eni.eni_id,
                            eni.device_number,
                            cidr_kind(cidr),
                            address.container_id,
                        )
                    )
    notes = [f"{_pods_absence(enis)}: pod IPs derived from the assigned addresses of /v1/enis"]
    if derived and not any(pod.name for pod in derived):
        notes.append(
            f"{format_label(enis)} records no pod names (CNI v1.11+ does); "
            "`ekslab pods` names the pod of each IP from the Kubernetes API"
        )
    return PodView("/v1/enis", tuple(sorted(derived, key=_order)), tuple(notes))


def _pods_absence(enis: IpamdEnis) -> str:
    """Why there is no /v1/pods data, by the era of /v1/enis: only v1.0-v1.6 serve /v1/pods
    (cni-facts.md §1.2, removed in v1.7.0)."""
    if enis.format == PODS_SERVING_FORMAT:
        return (
            f"/v1/enis format {enis.format} means {FORMAT_VERSIONS[enis.format]}, which serves /v1/pods, "
            "but no usable /v1/pods body was given"
        )
    return "/v1/pods is not served by this CNI version (removed in v1.7)"


def _from_pods(pod: IpamdPod, enis: IpamdEnis | None) -> PodIp:
    eni_id, kind, device = None, None, pod.device_number
    if enis is not None:
        found = _locate(enis, pod.ip)
        if found is not None:
            eni, cidr = found
            eni_id, kind, device = eni.eni_id, cidr_kind(cidr), eni.device_number
        else:
            # The IP is not in the datastore: the device number still names the ENI.
            eni_id = next((eni.eni_id for eni in enis.enis if eni.device_number == pod.device_number), None)
    return PodIp(pod.namespace, pod.name, pod.ip, eni_id, device, kind, pod.sandbox or None)


def _locate(enis: IpamdEnis, ip: str) -> tuple[IpamdEni, IpamdCidr] | None:
    entry = enis.address_index().get(ip)
    if entry is None:
        return None
    eni = entry[0]
    cidr = next(cidr for cidr in eni.cidrs if any(address.ip == ip for address in cidr.addresses))
    return eni, cidr


def _order(pod: PodIp) -> tuple[str, str, str]:
    return (pod.namespace or "~", pod.name or "~", pod.ip)


# --- settings --------------------------------------------------------------------------------------


def env_rows(settings: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """(setting, value as ipamd served it, what it means where that differs), sorted by name."""
    rows = []
    for key in sorted(settings):
        served = json.dumps(settings[key])
        meaning = canonical_setting(key, settings[key]) if settings[key] is not None else ""
        rows.append((key, served, meaning if meaning not in (served, settings[key]) else None))
    return rows


# --- /v1/eni-configs -------------------------------------------------------------------------------


def eni_config_summary(config: IpamdEniConfig) -> str:
    name = config.name or "default"
    if name == "default":
        text = 'no ENIConfig selected for this node ("default": no label or annotation names one)'
    else:
        text = f"ipamd selected ENIConfig {name!r} for this node"
    keys = [
        f"{what} {key}"
        for what, key in (("annotation", config.annotation_def), ("label", config.label_def))
        if key
    ]
    return text + (f"; selected by {' or '.join(keys)}" if keys else "")


def eni_config_rows(config: IpamdEniConfig) -> list[tuple[Any, ...]]:
    rows = [
        (name, name == config.name, spec.subnet, ",".join(spec.security_groups))
        for name, spec in sorted(config.configs.items())
    ]
    if config.name and config.name not in config.configs:
        # CNI v1.8+ serves only the name; subnet and groups are in the ENIConfig (kubectl get eniconfigs).
        rows.insert(0, (config.name, True, None, None))
    return rows


def eni_config_json(config: IpamdEniConfig) -> dict[str, Any]:
    return {
        "selected": config.name,
        "annotation_def": config.annotation_def,
        "label_def": config.label_def,
        "configs": {
            name: {"subnet": spec.subnet, "security_groups": list(spec.security_groups)}
            for name, spec in sorted(config.configs.items())
        },
    }
