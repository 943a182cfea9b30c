"""Pinned EKS add-on versions per Kubernetes version, and the version a lab actually uses.

The pins are data (``data/addon-versions.json``), transcribed from the EKS user guide's "latest
available version" tables with their sources (``data/SOURCES.md``), or regenerated from
eks:DescribeAddonVersions by ``ekslab addons refresh``. A lab can override any pin in
``addons.<name>.version``. A pin of ``null`` means no source was found: the lab is refused until the
pin is filled or overridden (never guessed). The same file carries the EKS release calendar
(``support``), from which extended-support versions are recognised.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Final

from ekslab.config.model import LabConfig

VPC_CNI: Final = "vpc-cni"
KUBE_PROXY: Final = "kube-proxy"
COREDNS: Final = "coredns"
POD_IDENTITY_AGENT: Final = "eks-pod-identity-agent"
ADDONS: Final = (VPC_CNI, KUBE_PROXY, COREDNS, POD_IDENTITY_AGENT)

_VERSION: Final = re.compile(r"^v(\d{1,6})\.(\d{1,6})\.(\d{1,6})-eksbuild\.(\d{1,6})$")


@dataclass(frozen=True)
class AddonPin:
    addon: str
    version: str
    source: str
    evidence: str


PINS_FILE: Final = "data/addon-versions.json"
ADDON_FIELDS: Final = {
    VPC_CNI: "addons.vpcCni.version",
    KUBE_PROXY: "addons.kubeProxy.version",
    COREDNS: "addons.coreDns.version",
    POD_IDENTITY_AGENT: "addons.podIdentityAgent.version",
}
"""Where a lab overrides each pin (the camelCase config path)."""


@dataclass(frozen=True)
class SupportWindow:
    """A Kubernetes version's EKS calendar; None where no source gave the date."""

    kubernetes_version: str
    eks_release: dt.date | None
    end_of_standard_support: dt.date | None
    end_of_extended_support: dt.date | None
    source: str | None


def pins_path() -> Any:
    """The pin file shipped in the package (``ekslab addons refresh`` rewrites it)."""
    return resources.files("ekslab.cni").joinpath(PINS_FILE)


@cache
def pin_document() -> dict[str, Any]:
    return json.loads(pins_path().read_text(encoding="utf-8"))


def _pins() -> dict[str, dict[str, dict[str, str | None]]]:
    return pin_document()["pins"]


def unpinned_addons(kubernetes_version: str) -> tuple[str, ...]:
    """The add-ons with no pinned version for ``kubernetes_version`` (no source was found)."""
    entries = _pins().get(kubernetes_version, {})
    return tuple(name for name in ADDONS if not (entries.get(name) or {}).get("version"))


def missing_versions(config: LabConfig) -> tuple[str, ...]:
    """The add-ons of the lab that have neither a pin nor an override: the lab cannot be deployed."""
    overrides = _overrides(config)
    return tuple(name for name in unpinned_addons(config.cluster.kubernetes_version) if not overrides[name])


def support_window(kubernetes_version: str) -> SupportWindow:
    """The EKS release calendar of a Kubernetes version, as far as a source gave it."""
    entry = pin_document().get("support", {}).get(kubernetes_version, {})

    def day(key: str) -> dt.date | None:
        value = entry.get(key)
        return dt.date.fromisoformat(value) if value else None

    return SupportWindow(
        kubernetes_version,
        day("eks_release"),
        day("end_of_standard_support"),
        day("end_of_extended_support"),
        entry.get("source"),
    )


def pinned_version(addon: str, kubernetes_version: str) -> AddonPin:
    """The add-on version the toolkit pins for a Kubernetes version (a bug if absent: the data covers them)."""
    entry = _pins()[kubernetes_version][addon]
    if not entry.get("version"):
        raise LookupError(f"no pinned {addon} version for Kubernetes {kubernetes_version}")
    return AddonPin(
        addon, str(entry["version"]), str(entry.get("source", "")), str(entry.get("evidence", ""))
    )


def _overrides(config: LabConfig) -> dict[str, str | None]:
    return {
        VPC_CNI: config.addons.vpc_cni.version,
        KUBE_PROXY: config.addons.kube_proxy.version,
        COREDNS: config.addons.core_dns.version,
        POD_IDENTITY_AGENT: config.addons.pod_identity_agent.version,
    }


def addon_versions(config: LabConfig) -> dict[str, str]:
    """The version of every managed add-on of the lab: the config's override, else the pin.

    A lab with ``missing_versions`` is refused by the configuration rules first, so a missing pin here
    is a bug (LookupError)."""
    overrides = _overrides(config)
    kubernetes = config.cluster.kubernetes_version
    return {name: overrides[name] or pinned_version(name, kubernetes).version for name in ADDONS}


def cni_release(addon_version: str) -> tuple[int, int, int]:
    """The VPC CNI release inside an add-on version: ``v1.21.1-eksbuild.7`` -> (1, 21, 1)."""
    match = _VERSION.match(addon_version)
    if not match:
        raise ValueError(f"not an add-on version: {addon_version!r}")
    return int(match[1]), int(match[2]), int(match[3])


def sort_key(addon_version: str) -> tuple[int, int, int, int]:
    match = _VERSION.match(addon_version)
    if not match:
        raise ValueError(f"not an add-on version: {addon_version!r}")
    return int(match[1]), int(match[2]), int(match[3]), int(match[4])
