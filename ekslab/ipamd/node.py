"""One node's introspection bodies, saved or fetched live, parsed into a ``NodeIpamd``.

Each body may be empty (introspection disabled, bound elsewhere, or ipamd down) or hold two
concatenated documents (eks-log-collector appends with ``>>``; the last one is the newest;
cni-facts.md §3). None of that is an error of the whole input: it is recorded in
``NodeIpamd.problems`` and makes the node "not verifiable" when it hits ``enis``. Reading the bodies
is the callers' part (``ekslab.sources.ipamd_files`` for saved folders, ``ekslab.sources.introspection``
for live nodes).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, Final

from ekslab.errors import InputError
from ekslab.ipamd.eniconfigs import parse_eni_configs
from ekslab.ipamd.enis import parse_enis
from ekslab.ipamd.env import parse_env_settings
from ekslab.ipamd.models import ENDPOINT_ATTRIBUTES, ENDPOINTS, NodeIpamd
from ekslab.ipamd.pods import parse_pods
from ekslab.jsondoc import parse_documents

_EMPTY: Final = "is empty (introspection disabled, bound to another address, or ipamd not running)"

_PARSERS: Final[Mapping[str, Callable[[Any], Any]]] = {
    "enis": parse_enis,
    "pods": parse_pods,
    "networkutils-env-settings": functools.partial(parse_env_settings, endpoint="networkutils-env-settings"),
    "ipamd-env-settings": functools.partial(parse_env_settings, endpoint="ipamd-env-settings"),
    "eni-configs": parse_eni_configs,
}
_NO_ENI: Final = (
    "lists no ENI, but a node always has at least its primary ENI "
    "(ipamd may still be starting); the node's pods cannot be cross-checked"
)


def parse_body(endpoint: str, body: str | bytes, *, source: str) -> NodeIpamd:
    """One raw body of ``endpoint`` (one of ``ENDPOINTS``) parsed by that endpoint's parser, as a
    ``NodeIpamd`` with only that endpoint's part set.

    ``source`` names the body in errors and notes. A body that is not UTF-8, not JSON, empty, or not
    the endpoint's shape in any CNI version raises ``InputError``. Of concatenated documents the last
    is used, and a note says so; ``/v1/pods`` of CNI v1.7+ (ipamd's list of commands) reads as
    ``pods`` ``None``, with a note.
    """
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
    except UnicodeDecodeError as error:
        raise InputError(source, f"is not UTF-8 text (byte {error.start})") from None
    if endpoint == "enis":
        # One body per node, 5,000 on a large bundle: the v1.20+ shape through msgspec Structs.
        from ekslab.ipamd.enis_structs import wrapped_enis

        enis = wrapped_enis(text)
        if enis is not None:
            return NodeIpamd(enis=enis)
    documents = parse_documents(text, source=source, expected=f"ipamd's /v1/{endpoint} body")
    if not documents:
        raise InputError(source, _EMPTY)
    node = NodeIpamd()
    if len(documents) > 1:
        node.notes.append(f"{source}: {len(documents)} concatenated documents, the last one is used")
    try:
        value = _PARSERS[endpoint](documents[-1])
    except InputError as error:
        raise error.located(source) from None
    if endpoint == "pods" and value is None:
        node.notes.append(f"{source}: not served by this CNI version (v1.7+)")
    setattr(node, ENDPOINT_ATTRIBUTES[endpoint], value)
    return node


def parse_node_bodies(bodies: Mapping[str, str | bytes | None], *, source: str) -> NodeIpamd:
    """Parse the raw bodies of one node's endpoints (``None`` = not fetched / no file).

    ``source`` prefixes problem messages, e.g. ``ipamd/ip-10-0-1-5`` gives
    ``ipamd/ip-10-0-1-5/enis.json: is empty (...)``. A body that ``parse_body`` refuses becomes the
    endpoint's entry in ``problems``, never an error of the whole node.
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
            parsed = parse_body(endpoint, body, source=where)
        except InputError as error:
            node.problems[endpoint] = error.message
            continue
        if endpoint == "enis" and parsed.enis is not None and not parsed.enis.enis:
            node.problems[endpoint] = f"{where}: {_NO_ENI}"
            continue
        node.notes.extend(parsed.notes)
        setattr(node, ENDPOINT_ATTRIBUTES[endpoint], parsed.part(endpoint))
    return node
