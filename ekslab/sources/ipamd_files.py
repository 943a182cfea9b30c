"""Saved introspection bodies of one node: the folder eks-log-collector (or ``ekslab collect``) writes.

A node folder holds ``enis.json``, ``pods.json``, ``networkutils-env-settings.json``,
``ipamd-env-settings.json`` and ``eni-configs.json`` (``.txt`` up to collector 0.6.1;
cni-facts.md §3). The bytes go to ``ekslab.ipamd.parse_node_bodies``; a file that cannot be read is
a problem of its endpoint, not an error of the whole node.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

from ekslab.errors import InputError
from ekslab.files import read_bytes
from ekslab.ipamd.models import ENDPOINTS, NodeIpamd
from ekslab.ipamd.node import parse_node_bodies

IGNORED_MARKER: Final = "ipam_introspection_ignore.txt"
"""Written by eks-log-collector instead of the bodies when run with --ignore_introspection=true."""


def read_node_directory(path: str | os.PathLike[str], *, source: str) -> NodeIpamd:
    """Read and parse one node folder of introspection files (see the module docstring)."""
    try:
        with os.scandir(path) as listing:
            entries = {entry.name: entry for entry in listing}
    except OSError as error:
        raise InputError(
            source, f"cannot be listed ({error.strerror}), expected a folder of ipamd bodies"
        ) from None
    bodies: dict[str, str | bytes | None] = {}
    unreadable: dict[str, str] = {}
    for endpoint in ENDPOINTS:
        for suffix in (".json", ".txt"):
            entry = entries.get(f"{endpoint}{suffix}")
            if entry is None or not _present(entry):
                continue  # a FIFO, device or socket in its place is refused below, by name
            try:
                bodies[endpoint] = read_bytes(
                    entry.path, source=f"{source}/{entry.name}", expected=f"ipamd's /v1/{endpoint} body"
                )
            except InputError as error:
                unreadable[endpoint] = error.message
            break
    node = parse_node_bodies(bodies, source=source)
    node.problems.update(unreadable)
    marker = entries.get(IGNORED_MARKER)
    if "enis" not in bodies and "enis" not in unreadable and marker is not None and marker.is_file():
        node.problems["enis"] = (
            f"{source}: introspection was skipped by eks-log-collector (--ignore_introspection=true)"
        )
    return node


def _present(entry: os.DirEntry[str]) -> bool:
    """Whether a listed name is there to be read: not a folder, nor a symbolic link to nothing (which
    the listing names but no read can follow)."""
    if entry.is_symlink():
        target = Path(entry.path)
        return target.exists() and not target.is_dir()
    return not entry.is_dir()
