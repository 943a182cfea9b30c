"""Regenerate the add-on pin file from what EKS offers (``ekslab addons refresh``).

Each pin becomes the version EKS flags ``defaultVersion`` for the Kubernetes version, with the call,
region and time as its source. A pin EKS flags no default for keeps its previous value and says so;
Kubernetes versions not asked about are left as they were. The file is written atomically
(``ekslab.files.atomic_output``), and only after every call succeeded: the caller builds the offers
first, so a failed call leaves the file untouched.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ekslab.files import atomic_output


class Offer(Protocol):
    """What the pin file needs of an eks:DescribeAddonVersions answer (``sources.eks_addons.AddonOffer``)."""

    addon: str
    kubernetes_version: str
    default: str | None


@dataclass(frozen=True)
class PinChange:
    kubernetes_version: str
    addon: str
    before: str | None
    after: str | None

    def line(self) -> str:
        return f"{self.kubernetes_version} {self.addon}: {self.before or 'none'} -> {self.after or 'none'}"


def refreshed_document(
    previous: Mapping[str, Any], offers: Iterable[Offer], *, region: str, now: dt.datetime
) -> tuple[dict[str, Any], list[PinChange]]:
    """The pin document with every offered default pinned, and the pins that changed."""
    document = copy.deepcopy(dict(previous))
    stamp = now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    pins = document.setdefault("pins", {})
    changes: list[PinChange] = []
    for offer in offers:
        entries = pins.setdefault(offer.kubernetes_version, {})
        before = (entries.get(offer.addon) or {}).get("version")
        if offer.default is None:
            if offer.addon not in entries:
                entries[offer.addon] = {"version": None, "source": None, "evidence": "none found"}
            entries[offer.addon]["evidence"] = (
                f"eks:DescribeAddonVersions in {region} at {stamp} flagged no default version for "
                f"Kubernetes {offer.kubernetes_version}; previous value kept"
            )
            continue
        entries[offer.addon] = {
            "version": offer.default,
            "evidence": f"defaultVersion for Kubernetes {offer.kubernetes_version}",
            "source": f"eks:DescribeAddonVersions in {region} at {stamp} (`ekslab addons refresh`)",
        }
        if before != offer.default:
            changes.append(PinChange(offer.kubernetes_version, offer.addon, before, offer.default))
    versions = set(document.get("kubernetes_versions") or []) | set(pins)
    document["kubernetes_versions"] = sorted(versions, key=lambda v: tuple(int(p) for p in v.split(".")))
    document["generated_by"] = f"`ekslab addons refresh --region {region}` at {stamp}"
    return document, changes


def format_document(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def write_pins(path: str | os.PathLike[str], document: Mapping[str, Any], *, source: str) -> None:
    """Write the pin file atomically: a temporary file beside it, then a rename."""
    with (
        atomic_output(path, source=source) as temporary,
        open(temporary, "w", encoding="utf-8", newline="\n") as stream,
    ):
        stream.write(format_document(document))
