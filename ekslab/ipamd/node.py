"""One node's introspection bodies, from files or a live fetch, parsed into a ``NodeIpamd``.

A node folder holds the files eks-log-collector writes (cni-facts.md §3): ``enis.json``,
``pods.json``, ``networkutils-env-settings.json``, ``ipamd-env-settings.json`` and
``eni-configs.json`` (``.txt`` up to collector 0.6.1). Each may be empty (introspection disabled,
bound elsewhere, or ipamd down) or hold two concatenated documents (the collector appends with
``>>``; the last one is the newest). None of that is an error of the whole input: it is recorded in
``NodeIpamd.problems`` and makes the node "not verifiable" when it hits ``enis``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Final

from ekslab.errors import InputError
from ekslab.ipamd.eniconfigs import parse_eni_configs
from ekslab.ipamd.enis import parse_enis
from ekslab.ipamd.env import parse_env_settings
from ekslab.ipamd.models import ENDPOINTS, NodeIpamd
from ekslab.ipamd.pods import parse_pods
from ekslab.sources.jsondoc import parse_documents

IGNORED_MARKER: Final = "ipam_introspection_ignore.txt"
"""Written by eks-log-collector instead of the bodies when run with --ignore_introspection=true."""

_EXPECTED: Final = {
    "enis": "ipamd's /v1/enis body",
    "pods": "ipamd's /v1/pods body",
    "networkutils-env-settings": "ipamd's /v1/networkutils-env-settings body",
    "ipamd-env-settings": "ipamd's /v1/ipamd-env-settings body",
    "eni-configs": "ipamd's /v1/eni-configs body",
}
_EMPTY: Final = "is empty (introspection disabled, bound to another address, or ipamd not running)"

_PARSERS: Final[Mapping[str, Callable[[Any], Any]]] = {
    "enis": parse_enis,
    "pods": parse_pods,
    "networkutils-env-settings": parse_env_settings,
    "ipamd-env-settings": parse_env_settings,
    "eni-configs": parse_eni_configs,
}
_ATTRIBUTES: Final = {
    "enis": "enis",
    "pods": "pods",
    "networkutils-env-settings": "networkutils_env",
    "ipamd-env-settings": "ipamd_env",
    "eni-configs": "eni_config",
}


def parse_node_bodies(bodies: Mapping[str, str | bytes | None], *, source: str) -> NodeIpamd:
    """Parse the raw bodies of one node's endpoints (``None`` = not fetched / no file).

    ``source`` prefixes problem messages, e.g. ``ipamd/ip-10-0-1-5`` gives
    ``ipamd/ip-10-0-1-5/enis.json: is empty (...)``.
    """
    node = NodeIpamd()
    for endpoint in ENDPOINTS:
        body = bodies.get(endpoint)
        where = f"{source}/{endpoint}.json"
        if body is None:
            if endpoint == "enis":
                node.problems[endpoint] = f"{where}: missing"
            continue
        try:
            text = body.decode("utf-8") if isinstance(body, bytes) else body
        except UnicodeDecodeError as error:
            node.problems[endpoint] = f"{where}: is not UTF-8 text (byte {error.start})"
            continue
        try:
            documents = parse_documents(text, source=where, expected=_EXPECTED[endpoint])
        except InputError as error:
            node.problems[endpoint] = error.message
            continue
        if not documents:
            node.problems[endpoint] = f"{where}: {_EMPTY}"
            continue
        if len(documents) > 1:
            node.notes.append(f"{where}: {len(documents)} concatenated documents, the last one is used")
        try:
            value = _PARSERS[endpoint](documents[-1])
        except InputError as error:
            node.problems[endpoint] = error.located(where).message
            continue
        if endpoint == "pods" and value is None:
            node.notes.append(f"{where}: not served by this CNI version (v1.7+)")
        setattr(node, _ATTRIBUTES[endpoint], value)
    return node


def read_node_directory(path: str | os.PathLike[str], *, source: str) -> NodeIpamd:
    """Read and parse one node folder of introspection files (see the module docstring)."""
    folder = Path(path)
    bodies: dict[str, str | bytes | None] = {}
    unreadable: dict[str, str] = {}
    for endpoint in ENDPOINTS:
        for suffix in (".json", ".txt"):
            file = folder / f"{endpoint}{suffix}"
            if not file.is_file():
                continue
            try:
                bodies[endpoint] = file.read_bytes()
            except OSError as error:
                unreadable[endpoint] = f"{source}/{file.name}: cannot be read ({error.strerror})"
            break
    node = parse_node_bodies(bodies, source=source)
    node.problems.update(unreadable)
    if "enis" not in bodies and "enis" not in unreadable and (folder / IGNORED_MARKER).is_file():
        node.problems["enis"] = (
            f"{source}: introspection was skipped by eks-log-collector (--ignore_introspection=true)"
        )
    return node
