"""The parts of the map's closed nodes as data that the page's script draws when a node is opened.

A collapsed map (more than ``OPEN_NODES_UP_TO`` nodes) draws only the open nodes' checks, ENIs and
slots as markup; every closed node is its ``<summary>`` and a ``data-b`` index into one JSON
document in the page, ``<script type="application/json" id="map-data">``. ``report.js`` draws a
node's parts from it, element for element what ``_map.html.j2`` draws for an open node, when the
node is opened, searched for or printed (a browser test compares the two). A 5,000-node page then
carries 272,000 slots as addresses and pod entries rather than as elements, and building it does
no Python work per address. The document (every value JSON, every ``<`` written ``\\u003c`` so
that no text ends the script element)::

    {"labels": {result: word},              # RESULT_LABELS, the word shown beside each result
     "nodes": [[checks, enis, unplaced]]}    # by data-b; unplaced: [pod], the pods without a slot
    check = [result, check, detail]
    eni   = [eni_id, kind, device_label, primary_ip | null, subnet_id | null (only when it is not
             the node's), used, size, failed, [group]]
    group = [prefix | null, slots, [pod], hidden_idle]
            # slots: [ip], a slot per address, each with the pod of that IP if any; or
            # {"from": N, "count": C}, the C IPv4 addresses from the number N (a /28: no list of
            # its 16 addresses); or null, a slot per pod
    pod   = [ip | null, namespace, name, result, phase | null, [reason], [detail]]
            # a pod in a slot is at its IP (never null there); its reasons joined with ", " and
            # its details with "; " are the slot's data-r and title
"""

from __future__ import annotations

import operator
from typing import Any, Final

from ekslab.report.model import RESULT_LABELS, NodeView, ReportModel
from ekslab.verify.results import PodResult

_POD: Final = operator.itemgetter(
    *(
        PodResult._fields.index(name)
        for name in ("ip", "namespace", "name", "result", "phase", "reasons", "details")
    )
)
"""A pod's entry, taken from its ``PodResult`` in C (with ``map``): 138,557 of them at 5,000 nodes."""


def node_parts(node: NodeView) -> list[Any]:
    """``[checks, enis, unplaced]`` of one closed node (the module's format)."""
    enis = []
    for eni in node.enis:
        groups = []
        for group in eni.groups:
            slots: Any = group.ips
            if group.span is not None:
                slots = {"from": group.span[0], "count": group.span[1]}
            pods = list(map(_POD, group.listed if slots is None else group.by_ip.values()))
            groups.append((group.prefix, slots, pods, group.hidden_idle))
        other_subnet = eni.subnet_id if eni.subnet_id and eni.subnet_id != node.subnet_id else None
        enis.append(
            (
                eni.eni_id,
                eni.kind,
                eni.device_label,
                eni.primary_ip,
                other_subnet,
                eni.used,
                eni.size,
                eni.failed,
                groups,
            )
        )
    checks = [(check.result, check.check, check.detail) for check in node.checks]
    return [checks, enis, list(map(_POD, node.unplaced))]


def map_data(model: ReportModel) -> tuple[bytes, dict[str, int]]:
    """The page's JSON document of the closed nodes in UTF-8, ready to stand inside a script element,
    and each closed node's index in it by name (its ``data-b``); ``(b"", {})`` when every node is
    drawn. Bytes, written into the page as they are: 18 MB at 5,000 nodes, never copied into text."""
    from ekslab.verify.report import CompactJson

    bodies: list[Any] = []
    index: dict[str, int] = {}
    for zone in model.zones:
        for subnet in zone.subnets:
            for node in subnet.nodes:
                if not node.drawn:
                    index[node.name] = len(bodies)
                    bodies.append(node_parts(node))
    if not bodies:
        return b"", {}
    data = CompactJson().utf8({"labels": RESULT_LABELS, "nodes": bodies})
    # "<" only occurs inside JSON strings, where \u003c is the same character: no "</script" or "<!--".
    return data.replace(b"<", b"\\u003c"), index
