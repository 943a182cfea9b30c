"""Paths inside a bundle folder that are built from document or API data, checked before use.

A node's ipamd folder is named after the node (``ipamd/<node name>/``) and a target group's health
file after the group (``elbv2/target-health/<name>.json``): names a server or a document chooses.
Each is checked against the rule its API enforces, so that ``../../x`` or ``a/b`` never becomes a
path, and every path read from a bundle must stay inside it after symlinks are resolved.

* A node name is a DNS-1123 subdomain: lowercase alphanumerics, ``-`` and ``.``, starting and ending
  with an alphanumeric, at most 253 characters
  (see https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-subdomain-names).
* A target group name has at most 32 alphanumerics or hyphens and neither begins nor ends with a
  hyphen (ELBv2 API reference, CreateTargetGroup ``Name``, read 2026-12-02).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Final

from ekslab.errors import InputError

DNS1123_SUBDOMAIN: Final = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
DNS1123_SUBDOMAIN_MAX: Final = 253
TARGET_GROUP_NAME: Final = re.compile(r"[A-Za-z0-9](?:[-A-Za-z0-9]{0,30}[A-Za-z0-9])?")
TARGET_GROUP_NAME_RULE: Final = (
    "must be a target group name: 1 to 32 letters, digits or '-', not starting or ending with '-'"
)


def node_folder_name(name: object, *, where: str) -> str:
    """``name`` as a folder name under ``ipamd/``; anything but a DNS-1123 subdomain is refused."""
    if (
        not isinstance(name, str)
        or len(name) > DNS1123_SUBDOMAIN_MAX
        or not DNS1123_SUBDOMAIN.fullmatch(name)
    ):
        raise InputError(
            where,
            "must be a Kubernetes node name (a DNS-1123 subdomain: lowercase letters, digits, '-' and "
            f"'.', at most {DNS1123_SUBDOMAIN_MAX} characters)",
            name,
        )
    return name


def target_group_file_name(name: object, *, where: str) -> str:
    """``<name>.json`` for a target group's health file; a name ELBv2 would refuse is refused."""
    if not isinstance(name, str) or not TARGET_GROUP_NAME.fullmatch(name):
        raise InputError(where, TARGET_GROUP_NAME_RULE, name)
    return f"{name}.json"


def confined(root: Path, relative: str | os.PathLike[str], *, source: str) -> Path:
    """``root / relative``, refused when it (through any symlink) resolves outside ``root``."""
    path = root / relative
    inside = os.path.realpath(root)
    target = os.path.realpath(path)
    if os.path.commonpath([inside, target]) != inside:
        raise InputError(
            source, "leads out of the bundle folder (through a symlink or '..'); a bundle holds its own files"
        )
    return path
