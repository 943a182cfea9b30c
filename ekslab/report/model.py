"""The model of the HTML report: the pod -> ENI -> subnet map and the verification, built from records.

``build_model`` reads a ``ClusterSnapshot`` (the records) and the verify ``Report`` (the verdicts) and
returns plain values for the templates (``ekslab.report.html``): AZ -> subnet -> node -> ENI ->
slots -> pod. It judges nothing: where a pod sits is where ``ekslab verify`` found its IP
(``PodResult.eni``, ``address_kind``, ``prefix``), so the picture and the verdicts never disagree.

Slots of an ENI are its secondary IPs and the addresses of its delegated prefixes (16 per IPv4
/28); a slot is *used* when a pod's IP is there and *idle* otherwise. A prefix larger than
``PREFIX_SLOTS_SHOWN`` addresses (an IPv6 /80) shows only its used slots and a count of the rest.
Each ``SlotGroup`` holds its addresses and the pods on them; the nodes the page draws get their
``Slot`` list from it, and the nodes a collapsed map closes carry it as data the page's script
draws when one is opened (``ekslab.report.map_data``: no Python work per address for them).
Pods with no slot (a failure such as ``not_on_node_eni``, an unverified node, hostNetwork) are
listed beside their node; pods on no known node in a list of their own.

Sections owned by other commands plug in through small interfaces: node checks of any name are
rendered generically from ``NodeResult.checks``, and the IP ledger from ``LedgerSubnet`` rows
(``ekslab.report.ledger``). A section whose data is absent says "not available in this report".
"""

from __future__ import annotations

import ipaddress
import operator
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, NamedTuple

from ekslab.network.addresses import ipv4_network, ipv4_texts
from ekslab.report.ledger import LedgerSubnet
from ekslab.sources.records import AWS_NODE_CONTAINER, EniRecord, NodeRecord
from ekslab.sources.snapshot import ClusterSnapshot
from ekslab.verify.results import (
    BRANCH_ENI,
    FAIL,
    NOT_CHECKED,
    OWN_ENI,
    PASS,
    PREFIX,
    SKIP,
    UNVERIFIED,
    CheckResult,
    NodeResult,
    PodResult,
    Report,
    TargetResult,
)

PREFIX_SLOTS_SHOWN: Final = 16
"""A delegated prefix with at most this many addresses (an IPv4 /28) shows every address as a slot."""
OPEN_NODES_UP_TO: Final = 12
"""Clusters with at most this many nodes show every node expanded; larger ones collapse them."""
OPEN_PROBLEM_NODES: Final = 20
"""At most this many nodes with a failure are expanded in a collapsed map (the rest stay closed)."""
NODE_GROUP_LABELS: Final = (
    "eks.amazonaws.com/nodegroup",
    "karpenter.sh/nodepool",
    "alpha.eksctl.io/nodegroup-name",
)
"""Node labels naming a node's group, first match wins (managed node groups, Karpenter, eksctl)."""
ZONE_LABEL: Final = "topology.kubernetes.io/zone"
NO_GROUP: Final = "(no node group label)"
NO_ZONE: Final = "(unknown zone)"
NO_SUBNET: Final = "(unknown subnet)"
CNI_VERSION_ENV: Final = "VPC_CNI_VERSION"
"""Env of the aws-node container that the add-on and the upstream manifest set to the CNI version."""


class Slot(NamedTuple):
    """One address an ENI can give a pod: ``pod`` is the pod there, ``None`` when the slot is idle.

    A tuple, so that the template unpacks it (``for ip, p, phase, label in g.slots``): a page draws
    every slot of the cluster, 272,000 of them at 5,000 nodes."""

    ip: str
    pod: PodResult | None = None
    phase: str | None = None
    label: str = ""
    """What a used slot shows: its address and the pod's ``namespace/name``."""


def _pod_slot(ip: str, pod: PodResult) -> Slot:
    return Slot(ip, pod, pod.phase, f"{ip} {pod.namespace}/{pod.name}")


@dataclass(slots=True)
class SlotGroup:
    """The slots of one secondary-IP set (``prefix`` None) or of one delegated prefix.

    An *address group* has a slot per address, in order: those of ``ips``, or the ``span`` (first
    address as a number, count) of an IPv4 prefix; ``by_ip`` holds the pods on them. A *pod group*
    (neither: branch-ENI pods, the used part of a large prefix, pods in no listed slot) has a slot
    per pod of ``listed``, at the pod's IP."""

    prefix: str | None
    ips: tuple[str, ...] | None
    by_ip: Mapping[str, PodResult]
    listed: Sequence[PodResult]
    used: int
    """Slots with a pod."""
    hidden_idle: int = 0
    """Idle addresses of a large prefix not drawn as slots."""
    span: tuple[int, int] | None = None
    slots: list[Slot] = field(default_factory=list)
    """The slots, for a node the page draws (``draw_slots``); empty for a node drawn by the page's script."""

    @property
    def size(self) -> int:
        if self.span is not None:
            return self.span[1] + self.hidden_idle
        return (len(self.listed) if self.ips is None else len(self.ips)) + self.hidden_idle

    def draw_slots(self) -> None:
        ips = ipv4_texts(*self.span) if self.span is not None else self.ips
        if ips is None:
            self.slots = [_pod_slot(pod.ip or "", pod) for pod in self.listed]
            return
        by_ip = self.by_ip
        self.slots = [Slot(ip) if (pod := by_ip.get(ip)) is None else _pod_slot(ip, pod) for ip in ips]


def _address_group(prefix: str | None, ips: Iterable[str], pods: Mapping[str, PodResult]) -> SlotGroup:
    """A slot per address of ``ips`` (an address listed twice is one slot), with the pod of ``pods`` there."""
    unique = tuple(dict.fromkeys(ips))
    if not pods:
        return SlotGroup(prefix, unique, _NO_PODS, (), 0)
    addresses = set(unique)
    # Mostly every pod of the ENI is on one of these addresses: the ENI's own dict then, no copy.
    by_ip = pods if addresses.issuperset(pods) else {ip: pod for ip, pod in pods.items() if ip in addresses}
    return SlotGroup(prefix, unique, by_ip, (), len(by_ip))


def _pod_group(prefix: str | None, pods: Sequence[PodResult], hidden_idle: int = 0) -> SlotGroup:
    return SlotGroup(prefix, None, _NO_PODS, pods, len(pods), hidden_idle)


_NO_PODS: Final[Mapping[str, PodResult]] = MappingProxyType({})
_WHERE: Final = operator.itemgetter(
    *(PodResult._fields.index(name) for name in ("node", "ip", "result", "eni", "address_kind"))
)
"""(node, ip, result, eni, address_kind) of a ``PodResult``, read in one call."""


@dataclass(slots=True)
class EniView:
    eni_id: str
    kind: str
    """primary, secondary, trunk, branch, efa, fargate... (as ``NodeResult.enis`` names it)."""
    device: int | None
    network_card: int | None
    subnet_id: str | None
    primary_ip: str | None
    groups: list[SlotGroup] = field(default_factory=list)
    failed: int = 0
    used: int = 0
    size: int = 0
    """Slots with a pod, and all slots (idle addresses of a large prefix included), of ``groups``."""
    device_label: str = field(init=False)
    """``card:device``, the device alone on card 0, ``-`` when not attached."""

    def __post_init__(self) -> None:
        if self.device is None:
            self.device_label = "-"
        else:
            self.device_label = (
                f"{self.network_card}:{self.device}" if self.network_card else str(self.device)
            )

    def set_groups(self, groups: list[SlotGroup], failed: int) -> None:
        self.groups = groups
        self.failed = failed
        if len(groups) == 1:  # most ENIs: their secondary IPs, or one /28
            self.used, self.size = groups[0].used, groups[0].size
        else:
            self.used = sum(group.used for group in groups)
            self.size = sum(group.size for group in groups)


@dataclass(slots=True)
class NodeView:
    name: str
    instance_id: str | None
    compute: str
    group: str
    zone: str
    subnet_id: str
    result: str
    ipamd_format: str | None
    checks: list[CheckResult]
    enis: list[EniView] = field(default_factory=list)
    unplaced: list[PodResult] = field(default_factory=list)
    """Pods on this node that have no slot (hostNetwork, failures, skips)."""
    pods: int = 0
    failed_pods: int = 0
    open: bool = False
    drawn: bool = False
    """Whether the page draws this node's checks, ENIs and slots itself (every open node, and every
    node with ``draw_all``); the other nodes' parts are data the page's script draws (``map_data``)."""

    @property
    def problem(self) -> bool:
        return self.failed_pods > 0 or self.result in (FAIL, UNVERIFIED)


@dataclass(slots=True)
class SubnetView:
    subnet_id: str
    cidrs: tuple[str, ...]
    nodes: list[NodeView] = field(default_factory=list)
    problem_nodes: int = 0


@dataclass(slots=True, kw_only=True)
class NodeTally:
    """The counts of the nodes added to a zone or a node group (the map's summary rows)."""

    nodes: int = 0
    pods: int = 0
    enis: int = 0
    used: int = 0
    slots: int = 0
    failed_pods: int = 0
    problem_nodes: int = 0

    def add(self, node: NodeView) -> None:
        self.nodes += 1
        self.pods += node.pods
        self.enis += len(node.enis)
        self.used += sum(eni.used for eni in node.enis)
        self.slots += sum(eni.size for eni in node.enis)
        self.failed_pods += node.failed_pods
        self.problem_nodes += node.problem


@dataclass(slots=True)
class ZoneView(NodeTally):
    name: str
    subnets: list[SubnetView] = field(default_factory=list)


@dataclass(slots=True)
class GroupSummary(NodeTally):
    name: str
    zones: set[str] = field(default_factory=set)


@dataclass(slots=True)
class CheckSummary:
    """How many nodes got each result of one node check (any check name: new ones appear by themselves)."""

    check: str
    counts: dict[str, int]
    problems: list[tuple[str, CheckResult]]
    """(node name, result) of each fail or unverified."""


@dataclass(slots=True)
class Header:
    cluster: str | None
    region: str | None
    cni_version: str | None
    ipamd_formats: dict[str, int]
    """Format era letter (cni-facts.md §1.3) -> nodes whose ipamd data has it."""
    source: str
    generated: str
    tool: str


@dataclass
class ReportModel:
    header: Header
    summary: dict[str, int]
    exit_code: int
    zones: list[ZoneView]
    groups: list[GroupSummary]
    node_checks: list[CheckSummary]
    failing_pods: list[PodResult]
    unverified_pods: list[PodResult]
    cluster_checks: list[CheckResult]
    targets: list[TargetResult]
    targets_checked: CheckResult | None
    off_node_pods: list[PodResult]
    """Pods on no node the snapshot knows (unscheduled, or a node missing from the node list)."""
    notes: list[str]
    ledger: list[LedgerSubnet] | None
    ledger_notes: list[str]
    """What the ledger lacked or found odd (``Ledger.missing``, ``warnings``, its own notes), in words."""
    recycle: list[str] | None
    """The replacement plan of verify's convergence checks as lines of text (``RecyclePlan.lines``),
    ``None`` when verify computed none."""
    collapsed: bool
    counts: dict[str, int]
    """What the map draws: ``pods`` placed in slots, ``unplaced`` pods, ``enis``, ``slots``, ``idle``."""


def build_model(
    snapshot: ClusterSnapshot,
    report: Report,
    *,
    generated: str,
    tool: str,
    cluster: str | None = None,
    region: str | None = None,
    ledger: list[LedgerSubnet] | None = None,
    ledger_notes: Iterable[str] = (),
    draw_all: bool = False,
) -> ReportModel:
    """The report's model. ``generated`` (a UTC time) and ``tool`` (ekslab and its version) go in the header.

    ``draw_all``: the page draws every node's parts itself, closed nodes too (it then reads without
    a script, and is about twice as big and slow to write at 5,000 nodes)."""
    by_eni: dict[str, dict[str, PodResult]] = {}
    unplaced: dict[str, list[PodResult]] = defaultdict(list)
    branch: dict[str, dict[str, list[PodResult]]] = defaultdict(lambda: defaultdict(list))
    failed_on: Counter[str] = Counter()
    """Failed pods in ``by_eni``, by ENI."""
    node_results = {node.name: node for node in report.nodes}
    off_node: list[PodResult] = []
    failing: list[PodResult] = []
    unverified: list[PodResult] = []
    # One pass over the pods (150,000 of them: each look at a pod is a cache miss or more).
    for pod in report.pods:
        node, ip, result, eni, kind = _WHERE(pod)
        if result != PASS:
            if result == FAIL:
                failing.append(pod)
            elif result == SKIP and pod.unverified:
                unverified.append(pod)
        if node is None or node not in node_results:
            off_node.append(pod)
        elif eni is None or ip is None:
            unplaced[node].append(pod)
        elif kind == BRANCH_ENI:
            branch[node][eni].append(pod)
        else:
            on_eni = by_eni.get(eni)
            if on_eni is None:
                by_eni[eni] = {ip: pod}
            elif ip in on_eni:
                # A second pod on one address (duplicate_ip): the slot shows the first, the node lists the others.
                unplaced[node].append(pod)
                continue
            else:
                on_eni[ip] = pod
            if result == FAIL:
                failed_on[eni] += 1

    nodes: list[NodeView] = []
    for result in report.nodes:
        record = snapshot.nodes.get(result.name)
        view = _node_view(result, record, snapshot, by_eni, failed_on, branch.get(result.name, {}))
        view.unplaced.extend(unplaced.get(result.name, ()))
        view.pods = sum(eni.used for eni in view.enis) + len(view.unplaced)
        view.failed_pods = sum(eni.failed for eni in view.enis) + sum(
            1 for pod in view.unplaced if pod.result == FAIL
        )
        nodes.append(view)
    listed_enis = {eni.eni_id for node in nodes for eni in node.enis}
    views = {node.name: node for node in nodes}
    for eni_id, pods in by_eni.items():
        if eni_id not in listed_enis:
            # verify placed these pods on an ENI their node does not list: shown beside the node.
            for pod in pods.values():
                node_view = views[pod.node or ""]
                node_view.unplaced.append(pod)
                node_view.pods += 1
                node_view.failed_pods += pod.result == FAIL

    collapsed = len(nodes) > OPEN_NODES_UP_TO
    opened = 0
    for view in nodes:
        if not collapsed:
            view.open = True
        elif view.problem and opened < OPEN_PROBLEM_NODES:
            view.open = True
            opened += 1
        view.drawn = view.open or draw_all
        if view.drawn:
            for eni in view.enis:
                for group in eni.groups:
                    group.draw_slots()

    zones = _zones(nodes, snapshot)
    counts = {
        "pods": sum(eni.used for node in nodes for eni in node.enis),
        "unplaced": sum(len(node.unplaced) for node in nodes) + len(off_node),
        "enis": sum(len(node.enis) for node in nodes),
        "slots": sum(eni.size for node in nodes for eni in node.enis),
    }
    counts["idle"] = counts["slots"] - counts["pods"]
    formats = Counter(node.ipamd_format for node in report.nodes if node.ipamd_format)
    header = Header(
        cluster=cluster,
        region=region or _region(snapshot),
        cni_version=_cni_version(snapshot),
        ipamd_formats=dict(sorted(formats.items())),
        source=report.source,
        generated=generated,
        tool=tool,
    )
    return ReportModel(
        header=header,
        summary=report.summary(),
        exit_code=report.exit_code(),
        zones=zones,
        groups=_groups(nodes),
        node_checks=_node_checks(report.nodes),
        failing_pods=failing,
        unverified_pods=unverified,
        cluster_checks=list(report.cluster),
        targets=list(report.targets),
        targets_checked=report.targets_checked,
        off_node_pods=off_node,
        notes=[*snapshot.notes, *report.notes],
        ledger=ledger,
        ledger_notes=list(ledger_notes),
        recycle=report.recycle.lines() if report.recycle is not None else None,
        collapsed=collapsed,
        counts=counts,
    )


def _node_view(
    result: NodeResult,
    record: NodeRecord | None,
    snapshot: ClusterSnapshot,
    by_eni: Mapping[str, Mapping[str, PodResult]],
    failed_on: Mapping[str, int],
    branch: Mapping[str, list[PodResult]],
) -> NodeView:
    enis: list[EniView] = []
    for node_eni in result.enis:
        eni_id = node_eni.eni_id
        eni = snapshot.enis.get(eni_id)
        pods = by_eni.get(eni_id, _NO_PODS)
        if eni is not None:
            view = EniView(
                eni_id, node_eni.kind, node_eni.device, node_eni.network_card, eni.subnet_id, eni.primary_ip
            )
            groups = _slot_groups(eni, pods, fargate=node_eni.kind == "fargate")
        else:
            view = EniView(eni_id, node_eni.kind, node_eni.device, node_eni.network_card, None, None)
            groups = [_address_group(None, pods, pods)] if pods else []
        view.set_groups(groups, failed_on.get(eni_id, 0))
        enis.append(view)
    enis.sort(key=lambda eni: (eni.network_card or 0, eni.device if eni.device is not None else 1 << 16))
    for eni_id, pods in sorted(branch.items()):
        eni = snapshot.enis.get(eni_id)
        view = EniView(
            eni_id,
            "branch",
            None,
            None,
            eni.subnet_id if eni else None,
            eni.primary_ip if eni else None,
        )
        view.set_groups([_pod_group(None, pods)], sum(1 for pod in pods if pod.result == FAIL))
        enis.append(view)
    primary = next((eni for eni in enis if eni.kind in ("primary", "fargate")), enis[0] if enis else None)
    subnet_id = (primary.subnet_id if primary else None) or NO_SUBNET
    subnet = snapshot.subnets.get(subnet_id)
    labels = record.labels if record is not None else {}
    zone = (subnet.availability_zone if subnet else None) or labels.get(ZONE_LABEL) or NO_ZONE
    group = next((labels[label] for label in NODE_GROUP_LABELS if labels.get(label)), None)
    if group is None:
        group = "Fargate" if result.compute == "fargate" else NO_GROUP
    return NodeView(
        name=result.name,
        instance_id=result.instance_id,
        compute=result.compute,
        group=str(group),
        zone=str(zone),
        subnet_id=subnet_id,
        result=result.result,
        ipamd_format=result.ipamd_format,
        checks=list(result.checks),
        enis=enis,
    )


def _slot_groups(eni: EniRecord, pods: Mapping[str, PodResult], *, fargate: bool) -> list[SlotGroup]:
    if fargate:
        # A Fargate pod's IP is its own ENI's primary IP: one slot.
        ips = [eni.primary_ip] if eni.primary_ip else []
        ips += [ip for ip, pod in pods.items() if pod.address_kind == OWN_ENI and ip not in ips]
        return [_address_group(None, ips, pods)]
    groups: list[SlotGroup] = []
    if eni.secondary_ips or eni.ipv6_addresses:
        groups.append(_address_group(None, eni.secondary_ips + eni.ipv6_addresses, pods))
    prefixes = eni.ipv4_prefixes + eni.ipv6_prefixes
    if prefixes:
        in_prefix: dict[str, dict[str, PodResult]] = defaultdict(dict)
        for ip, pod in pods.items():
            if pod.address_kind == PREFIX and pod.prefix:
                in_prefix[pod.prefix][ip] = pod
        groups.extend(_prefix_group(prefix, in_prefix.get(prefix, _NO_PODS)) for prefix in prefixes)
    if pods:
        shown: set[str] = set()
        for group in groups:
            shown.update(group.by_ip)
            shown.update(pod.ip or "" for pod in group.listed)
        if len(shown) < len(pods):
            # Placed on this ENI by verify but in none of its slots (should not happen; shown, not hidden).
            groups.append(_pod_group(None, [pod for ip, pod in pods.items() if ip not in shown]))
    return groups


def _prefix_group(prefix: str, by_ip: Mapping[str, PodResult]) -> SlotGroup:
    """The slots of one delegated prefix; ``by_ip``: the pods verify placed in it (so on its addresses)."""
    network = ipv4_network(prefix, strict=False)
    if network is not None:
        if network[1] <= PREFIX_SLOTS_SHOWN:
            return SlotGroup(prefix, None, by_ip, (), len(by_ip), span=network)
        first, size = network
    else:
        try:
            network6 = ipaddress.ip_network(prefix, strict=False)
        except ValueError:
            return _pod_group(prefix, list(by_ip.values()))
        first, size = int(network6.network_address), network6.num_addresses
        if size <= PREFIX_SLOTS_SHOWN:
            # A /124 or longer: not one EC2 delegates, drawn all the same.
            ips = [str(ipaddress.IPv6Address(number)) for number in range(first, first + size)]
            return _address_group(prefix, ips, by_ip)
    listed = [pod for _, pod in sorted(by_ip.items())]
    return _pod_group(prefix, listed, hidden_idle=size - len(listed))


def _zones(nodes: list[NodeView], snapshot: ClusterSnapshot) -> list[ZoneView]:
    zones: dict[str, ZoneView] = {}
    subnets: dict[tuple[str, str], SubnetView] = {}
    for node in sorted(nodes, key=lambda node: (node.zone, node.subnet_id, node.name)):
        zone = zones.get(node.zone)
        if zone is None:
            zone = zones[node.zone] = ZoneView(node.zone)
        subnet = subnets.get((node.zone, node.subnet_id))
        if subnet is None:
            record = snapshot.subnets.get(node.subnet_id)
            subnet = subnets[(node.zone, node.subnet_id)] = SubnetView(
                node.subnet_id, record.cidrs if record else ()
            )
            zone.subnets.append(subnet)
        subnet.nodes.append(node)
        subnet.problem_nodes += node.problem
        zone.add(node)
    return list(zones.values())


def _groups(nodes: list[NodeView]) -> list[GroupSummary]:
    groups: dict[str, GroupSummary] = {}
    for node in nodes:
        group = groups.get(node.group)
        if group is None:
            group = groups[node.group] = GroupSummary(node.group)
        group.add(node)
        group.zones.add(node.zone)
    return sorted(groups.values(), key=lambda group: group.name)


def _node_checks(nodes: Iterable[NodeResult]) -> list[CheckSummary]:
    summaries: dict[str, CheckSummary] = {}
    for node in nodes:
        for check in node.checks:
            summary = summaries.get(check.check)
            if summary is None:
                summary = summaries[check.check] = CheckSummary(
                    check.check, dict.fromkeys((PASS, FAIL, UNVERIFIED, NOT_CHECKED), 0), []
                )
            summary.counts[check.result] = summary.counts.get(check.result, 0) + 1
            if check.result in (FAIL, UNVERIFIED):
                summary.problems.append((node.name, check))
    return list(summaries.values())


def _cni_version(snapshot: ClusterSnapshot) -> str | None:
    env = (snapshot.daemonset_env or {}).get(AWS_NODE_CONTAINER) or {}
    return env.get(CNI_VERSION_ENV) or None


def _region(snapshot: ClusterSnapshot) -> str | None:
    """The region of the subnets' zones (``us-west-2a`` -> ``us-west-2``), when they agree on one."""
    regions = {
        subnet.availability_zone.rstrip("abcdefghijklmnopqrstuvwxyz")
        for subnet in snapshot.subnets.values()
        if subnet.availability_zone
    }
    return regions.pop() if len(regions) == 1 else None


RESULT_LABELS: Final = {
    PASS: "pass",
    FAIL: "FAIL",
    SKIP: "skip",
    UNVERIFIED: "unverified",
    NOT_CHECKED: "not checked",
}
"""Words shown beside every colour, so the report reads without colour (print, colour blindness)."""

FIXES: Final = {
    "not_in_vpc": "The IP is in no VPC CIDR block: the pod did not get its address from the VPC CNI. "
    "Look at which CNI configuration comes first in /etc/cni/net.d on the node and whether aws-node runs there.",
    "not_on_node_eni": "EC2 lists this IP on no ENI of the pod's node: compare `ekslab ipamd NODE` with "
    "`aws ec2 describe-network-interfaces`, and recreate the pod so that it gets an address ipamd holds.",
    "duplicate_ip": "Two running pods share this IP: recreate one of them, then look at the aws-node logs "
    "of the node for a datastore reset.",
    "ipamd_mismatch": "ipamd's datastore does not hold this IP for this pod: recreate the pod, and look at "
    "the aws-node logs of the node (ipamd restarts, checkpoint problems).",
    "wrong_subnet": "Custom networking is on and the IP is outside the node's ENIConfig subnet: the node "
    "joined before its ENIConfig applied; replace the node (cordon, drain, terminate).",
    "unknown_node": "Could not be verified: the pod's node is not in the node list; collect again "
    "(`ekslab collect`) so that nodes and pods come from the same moment.",
    "no_eni_data": "Could not be verified: no ENI of the node is in the ENI data; collect again with "
    "`ekslab collect`.",
}
"""What to do about each pod reason code (docs/verification.md §3 explains the codes)."""
NODE_FIXES: Final = {
    "enis": "Could not be verified: the ENI data lacks the node's ENIs, or its providerID names no "
    "instance; collect again (`ekslab collect`) so that nodes and ENIs come from the same moment.",
    "ipamd": "ipamd's data of this node is missing or unusable: check that aws-node runs on the node, "
    "and how it is reached (`--ipamd-transport`, docs/verification.md §7).",
    "eniconfig": "Create the ENIConfig the node selects (its zone or label names it) with the pod subnet, "
    "then replace the node: ipamd reads it when the node starts.",
    "drift": "The node's running CNI settings differ from the lab configuration: deploy the configuration "
    "(`make deploy`) or change it; aws-node picks new settings up when it restarts.",
}
"""What to do about a node check that failed or could not run, by check name (others: the detail only)."""
