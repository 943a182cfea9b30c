"""What EKS offers per add-on and Kubernetes version: eks:DescribeAddonVersions, read-only.

The answer names, for each add-on version, its ``compatibilities`` (one per cluster version, with
``defaultVersion``: the version EKS installs when none is given). ``ekslab addons refresh`` pins the
defaults; ``ekslab preflight`` checks that each pinned version exists for the cluster version.
See https://docs.aws.amazon.com/eks/latest/APIReference/API_DescribeAddonVersions.html

EKS is called through ``ekslab.aws.clients.aws_client`` (adaptive retries, bounded timeouts; the
endpoint follows ``AWS_ENDPOINT_URL_EKS``), imported only when called.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

MAX_PAGES: Final = 20
"""Pages read per add-on and Kubernetes version (EKS returns at most 100 versions a page)."""


@dataclass(frozen=True)
class AddonOffer:
    """The versions EKS offers of one add-on for one Kubernetes version, newest first as EKS lists them."""

    addon: str
    kubernetes_version: str
    versions: tuple[str, ...]
    default: str | None
    """The version flagged ``defaultVersion`` for this Kubernetes version; None when EKS flags none."""


def offer_from_pages(addon: str, kubernetes_version: str, pages: Iterable[Mapping[str, Any]]) -> AddonOffer:
    """Fold DescribeAddonVersions pages into one offer (pure: the tests feed it recorded answers)."""
    versions: list[str] = []
    default: str | None = None
    for page in pages:
        for entry in page.get("addons") or []:
            if entry.get("addonName") != addon:
                continue
            for described in entry.get("addonVersions") or []:
                version = str(described.get("addonVersion") or "")
                matching = [
                    item
                    for item in described.get("compatibilities") or []
                    if item.get("clusterVersion") == kubernetes_version
                ]
                if not version or not matching:
                    continue
                versions.append(version)
                if default is None and any(item.get("defaultVersion") for item in matching):
                    default = version
    return AddonOffer(addon, kubernetes_version, tuple(dict.fromkeys(versions)), default)


def describe_addon_offer(client: Any, addon: str, kubernetes_version: str) -> AddonOffer:
    """One add-on's offer for one Kubernetes version, reading at most ``MAX_PAGES`` pages."""
    pages = []
    token: str | None = None
    for _ in range(MAX_PAGES):
        request: dict[str, Any] = {"addonName": addon, "kubernetesVersion": kubernetes_version}
        if token:
            request["nextToken"] = token
        page = client.describe_addon_versions(**request)
        pages.append(page)
        token = page.get("nextToken")
        if not token:
            break
    return offer_from_pages(addon, kubernetes_version, pages)


def describe_addon_offers(
    region: str, addons: Iterable[str], kubernetes_versions: Iterable[str], *, session: Any = None
) -> dict[tuple[str, str], AddonOffer]:
    """Every (add-on, Kubernetes version) offer in ``region``; a failed call raises botocore's error."""
    from ekslab.aws.clients import aws_client

    client = aws_client("eks", region=region, session=session)
    return {
        (addon, version): describe_addon_offer(client, addon, version)
        for version in kubernetes_versions
        for addon in addons
    }
