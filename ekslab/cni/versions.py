"""Pinned EKS add-on versions per Kubernetes version, and the version a lab actually uses.

The pins are data (``data/addon-versions.json``), transcribed from the EKS user guide's "latest
available version" tables with their sources (``data/SOURCES.md``). A lab can override any pin in
``addons.<name>.version``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Final

from ekslab.config.model import LabConfig

VPC_CNI: Final = "vpc-cni"
KUBE_PROXY: Final = "kube-proxy"
COREDNS: Final = "coredns"
POD_IDENTITY_AGENT: Final = "eks-pod-identity-agent"
ADDONS: Final = (VPC_CNI, KUBE_PROXY, COREDNS, POD_IDENTITY_AGENT)

_VERSION: Final = re.compile(r"^v(\d+)\.(\d+)\.(\d+)-eksbuild\.(\d+)$")


@dataclass(frozen=True)
class AddonPin:
    addon: str
    version: str
    source: str
    evidence: str


@cache
def _pins() -> dict[str, dict[str, dict[str, str | None]]]:
    text = resources.files("ekslab.cni").joinpath("data/addon-versions.json").read_text(encoding="utf-8")
    return json.loads(text)["pins"]


def pinned_version(addon: str, kubernetes_version: str) -> AddonPin:
    """The add-on version the toolkit pins for a Kubernetes version (a bug if absent: the data covers them)."""
    entry = _pins()[kubernetes_version][addon]
    if not entry.get("version"):
        raise LookupError(f"no pinned {addon} version for Kubernetes {kubernetes_version}")
    return AddonPin(
        addon, str(entry["version"]), str(entry.get("source", "")), str(entry.get("evidence", ""))
    )


def addon_versions(config: LabConfig) -> dict[str, str]:
    """The version of every managed add-on of the lab: the config's override, else the pin."""
    overrides = {
        VPC_CNI: config.addons.vpc_cni.version,
        KUBE_PROXY: config.addons.kube_proxy.version,
        COREDNS: config.addons.core_dns.version,
        POD_IDENTITY_AGENT: config.addons.pod_identity_agent.version,
    }
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
