"""Per-pod checks: every pod IP is a VPC IP on its node's ENI, cross-checked with ipamd.

Per pod (``results.py`` lists the reason codes), in this order:

1. skip ``host_network`` (the pod carries the node IP), ``not_running`` (Succeeded/Failed: the old IP
   may already be reused), ``no_ip``. A Pending pod with an IP is checked like a Running one.
2. ``not_in_vpc``: the IP is in none of the VPC CIDR blocks in state ``associated``.
3. ``not_on_node_eni``: the IP is not a secondary private IP (never the primary) of an ENI attached
   to the pod's node, nor inside a prefix delegated to such an ENI (cni-facts.md §5 implication 2);
   for security groups for pods, not the IP of the branch ENI named in the pod's
   ``vpc.amazonaws.com/pod-eni`` annotation (implication 3); on Fargate, not the primary IP of a
   Fargate ENI, i.e. one attached to no EC2 instance and of type ``interface`` (each Fargate pod has
   its own ENI, whose primary IP is the pod's and its Fargate node's InternalIP).
4. ``duplicate_ip``: another running non-hostNetwork pod has the same IP.
5. ``ipamd_mismatch``: the node's ipamd data is present and does not have the IP assigned, assigns
   it to another pod (CNI v1.11+ records pod names; v1.0-v1.6 in /v1/pods), or holds it on another
   ENI than EC2 (cni-facts.md §5 implication 6).
6. ``wrong_subnet``: custom networking is on and the IP is outside the subnet of the node's ENIConfig
   (label ``vpc.amazonaws.com/externalEniConfig``, then the annotation named by
   ENI_CONFIG_ANNOTATION_DEF, then the label named by ENI_CONFIG_LABEL_DEF, then ``default``;
   pkg/eniconfig/eniconfig.go, cni-facts.md §1.7).
"""

from __future__ import annotations

import itertools
import operator
from collections import Counter
from collections.abc import Mapping
from typing import Final

from ekslab.ipamd.models import IpamdAddress, IpamdEni, NodeIpamd
from ekslab.network.addresses import contains, parse_ip
from ekslab.sources.records import EniRecord, NodeRecord, PodRecord
from ekslab.verify.context import Owner, VerifyContext
from ekslab.verify.nodes import PodSubnet
from ekslab.verify.results import (
    BRANCH_ENI,
    DUPLICATE_IP,
    FAIL,
    HOST_NETWORK,
    HOST_NETWORK_IP,
    IPAMD_MISMATCH,
    NO_ENI_DATA,
    NO_IP,
    NOT_IN_VPC,
    NOT_ON_NODE_ENI,
    NOT_RUNNING,
    OWN_ENI,
    PASS,
    SKIP,
    UNKNOWN_NODE,
    WRONG_SUBNET,
    PodResult,
)

FINISHED_PHASES: Final = frozenset({"Succeeded", "Failed"})
_BY_NODE_AND_NAME: Final = operator.attrgetter("node", "namespace", "name")
MAX_DUPLICATES_NAMED: Final = 5
"""Other pods named in a duplicate_ip detail; the rest are counted."""


class PodChecks:
    """The checks of every pod, given each node's ENIConfig subnet (``NodeChecks.pod_subnets``)."""

    def __init__(self, context: VerifyContext, pod_subnets: Mapping[str, PodSubnet]) -> None:
        self.context = context
        self.pod_subnets = pod_subnets
        self.ipamd_indexes: dict[str, Mapping[str, tuple[IpamdEni, IpamdAddress]]] = {}
        self.ipamd_pods: dict[str, dict[str, tuple[str, str]]] = {}

    def check_all(self) -> list[PodResult]:
        pods = self.context.snapshot.pods
        eligible = Counter(
            pod.ip for pod in pods if pod.ip and not pod.host_network and pod.phase not in FINISHED_PHASES
        )
        duplicates: dict[str, Counter[str]] = {ip: Counter() for ip, count in eligible.items() if count > 1}
        if duplicates:
            for pod in pods:
                if pod.ip in duplicates and not pod.host_network and pod.phase not in FINISHED_PHASES:
                    duplicates[pod.ip][pod.key] += 1
        results = [self._check_pod(pod, duplicates) for pod in pods]
        if any(result.node is None for result in results):
            results.sort(key=lambda result: (result.node or "", result.namespace, result.name))
        else:  # the same order, with the key read in C
            results.sort(key=_BY_NODE_AND_NAME)
        return results

    def _check_pod(self, pod: PodRecord, duplicates: Mapping[str, Counter[str]]) -> PodResult:
        if pod.host_network:
            return PodResult(
                pod.namespace,
                pod.name,
                pod.node,
                pod.ip,
                SKIP,
                (HOST_NETWORK,),
                address_kind=HOST_NETWORK_IP,
                phase=pod.phase,
            )
        if pod.phase in FINISHED_PHASES:
            return PodResult(pod.namespace, pod.name, pod.node, pod.ip, SKIP, (NOT_RUNNING,), phase=pod.phase)
        ip = pod.ip
        if not ip:
            return PodResult(pod.namespace, pod.name, pod.node, None, SKIP, (NO_IP,), phase=pod.phase)
        reasons: list[str] = []
        details: list[str] = []
        not_checked: list[str] = []
        owner: Owner | None = None
        skip_reason = None
        parsed = parse_ip(ip)
        if parsed is None:
            reasons.append(NOT_IN_VPC)
            details.append(f"{ip!r} is not an IP address")
        elif not self.context.vpc_networks.contains(*parsed):
            reasons.append(NOT_IN_VPC)
            details.append(f"{ip} is in none of the VPC CIDR blocks")
        else:
            node = self.context.snapshot.nodes.get(pod.node or "")
            fargate = node is not None and node.is_fargate
            branch = pod.branch_enis is not None or bool(pod.branch_error)
            if branch:
                owner, problem = self._branch_eni(pod, ip)
            elif node is not None and fargate:
                owner, problem = self._fargate_eni(node, ip)
            else:
                owner, problem, skip_reason = self._node_eni(pod, node, ip, parsed)
            if problem:
                reasons.append(NOT_ON_NODE_ENI)
                details.append(problem)
            if node is not None and not fargate and not branch:
                eni = owner.eni if owner is not None else None
                self._check_ipamd(pod, ip, eni, reasons, details, not_checked)
                self._check_subnet(pod, parsed, reasons, details, not_checked)
        if ip in duplicates:
            reasons.append(DUPLICATE_IP)
            details.append(_duplicate_detail(ip, pod.key, duplicates[ip]))
        if reasons:
            result, codes, explained = FAIL, tuple(reasons), tuple(details)
        elif skip_reason:
            result, codes, explained = SKIP, (skip_reason,), tuple(details)
        else:
            result, codes, explained = PASS, (), ()
        eni, kind, prefix = owner if owner is not None else (None, None, None)
        return PodResult(
            pod.namespace,
            pod.name,
            pod.node,
            ip,
            result,
            codes,
            eni.eni_id if eni is not None else None,
            eni.device_index if eni is not None else None,
            eni.network_card if eni is not None else None,
            explained,
            tuple(not_checked),
            kind,
            prefix,
            pod.phase,
        )

    def _node_eni(
        self, pod: PodRecord, node: NodeRecord | None, ip: str, parsed: tuple[int, int]
    ) -> tuple[Owner | None, str | None, str | None]:
        """(owner ENI, failure detail, unverified-skip reason) for a pod on an EC2 node."""
        found = self.context.index.owner(ip, *parsed)
        if node is None or not node.instance_id:
            # The pod's node matches no instance; an IP held by another known node's ENI still fails.
            if found is not None:
                owner_node = self.context.instance_nodes.get(found.eni.instance_id or "")
                if owner_node is not None and (node is None or owner_node != node.name):
                    return (
                        None,
                        (
                            f"{ip} is a {found.kind} of {found.eni.eni_id} on node {owner_node}, "
                            f"not on node {pod.node}"
                        ),
                        None,
                    )
            return None, None, UNKNOWN_NODE if node is None else NO_ENI_DATA
        if found is not None:
            owner = found.eni
            if owner.instance_id == node.instance_id:
                return found, None, None
            where = (
                f"attached to {owner.instance_id} (node {self.context.instance_nodes.get(owner.instance_id, '?')})"
                if owner.instance_id
                else "not attached to any instance"
            )
            return None, f"{ip} is a {found.kind} of {owner.eni_id}, {where}, not of node {node.name}", None
        primary = self.context.index.primary.get(ip)
        if primary is not None:
            return None, f"{ip} is the primary IP of {primary.eni_id}, never a pod IP", None
        if not self.context.index.by_instance.get(node.instance_id):
            return None, None, NO_ENI_DATA
        return None, f"{ip} is on no ENI of node {node.name} ({node.instance_id})", None

    def _branch_eni(self, pod: PodRecord, ip: str) -> tuple[Owner | None, str | None]:
        if pod.branch_error:
            return None, pod.branch_error
        for branch in pod.branch_enis or ():
            if ip not in (branch.private_ip, branch.ipv6_address):
                continue
            eni = self.context.snapshot.enis.get(branch.eni_id)
            if eni is None:
                return (
                    None,
                    f"branch ENI {branch.eni_id} named by the pod-eni annotation is not in the ENI data",
                )
            if ip not in (eni.primary_ip, *eni.secondary_ips, *eni.ipv6_addresses):
                return None, f"branch ENI {branch.eni_id} does not hold {ip}"
            return Owner(eni, BRANCH_ENI), None
        return None, f"the pod-eni annotation names no branch ENI with {ip}"

    def _fargate_eni(self, node: NodeRecord, ip: str) -> tuple[Owner | None, str | None]:
        """The pod's own ENI: a Fargate ENI (see ``_not_fargate``) whose primary IP is the pod's,
        which is also its Fargate node's InternalIP (one pod per Fargate node)."""
        eni = self.context.index.primary.get(ip)
        if eni is None:
            return None, f"no ENI has {ip} as its primary IP (each Fargate pod has its own ENI)"
        problem = self.context.not_fargate(eni)
        if problem:
            return None, f"{ip} is the primary IP of {eni.eni_id}, {problem}, not a Fargate pod's own ENI"
        if node.internal_ip and node.internal_ip != ip:
            return None, (
                f"{ip} is not the IP of its Fargate node {node.name} ({node.internal_ip}); "
                "a Fargate node carries its one pod's IP"
            )
        return Owner(eni, OWN_ENI), None

    def _check_ipamd(
        self,
        pod: PodRecord,
        ip: str,
        eni: EniRecord | None,
        reasons: list[str],
        details: list[str],
        not_checked: list[str],
    ) -> None:
        node_name = pod.node or ""
        ipamd = self.context.snapshot.ipamd.get(node_name)
        if ipamd is None or ipamd.enis is None:
            not_checked.append(IPAMD_MISMATCH)
            return
        index = self.ipamd_indexes.get(node_name)
        if index is None:
            index = self.ipamd_indexes[node_name] = ipamd.enis.address_index()
        entry = index.get(ip)
        problem = None
        if entry is None:
            # Not listed: either held in one of ipamd's CIDRs but never handed out, or not held at all.
            held = ipamd.enis.cidr_holding(ip)
            problem = (
                f"ipamd on {node_name} has {ip} but not assigned (in {held[1].cidr} on {held[0].eni_id})"
                if held
                else f"ipamd on {node_name} does not have {ip} in its datastore"
            )
        else:
            ipamd_eni, address = entry
            if not address.assigned:
                problem = f"ipamd on {node_name} has {ip} but not assigned"
            elif address.pod_name and (address.pod_namespace, address.pod_name) != (pod.namespace, pod.name):
                problem = f"ipamd assigns {ip} to {address.pod_namespace}/{address.pod_name}"
            elif eni is not None and ipamd_eni.eni_id != eni.eni_id:
                problem = f"ipamd holds {ip} on {ipamd_eni.eni_id}, EC2 on {eni.eni_id}"
            elif ipamd.pods:  # CNI v1.0-v1.6 list pods in /v1/pods too
                owner = self._ipamd_pods(node_name, ipamd).get(ip)
                if owner is not None and owner != (pod.namespace, pod.name):
                    problem = f"ipamd /v1/pods assigns {ip} to {owner[0]}/{owner[1]}"
        if problem:
            reasons.append(IPAMD_MISMATCH)
            details.append(problem)

    def _ipamd_pods(self, node_name: str, ipamd: NodeIpamd) -> dict[str, tuple[str, str]]:
        table = self.ipamd_pods.get(node_name)
        if table is None:
            table = self.ipamd_pods[node_name] = {
                pod.ip: (pod.namespace, pod.name) for pod in ipamd.pods or ()
            }
        return table

    def _check_subnet(
        self,
        pod: PodRecord,
        parsed: tuple[int, int],
        reasons: list[str],
        details: list[str],
        not_checked: list[str],
    ) -> None:
        subnet = self.pod_subnets.get(pod.node or "")
        if subnet is None:
            return
        if isinstance(subnet, str):
            not_checked.append(WRONG_SUBNET)
            return
        if not contains(subnet, *parsed):
            reasons.append(WRONG_SUBNET)
            details.append(f"{pod.ip} is outside the ENIConfig subnet of node {pod.node}")


def _duplicate_detail(ip: str, own: str, holders: Counter[str]) -> str:
    """``<ip> is also the IP of a, b (and N more)``: at most ``MAX_DUPLICATES_NAMED`` other pods, so that
    200,000 pods on one IP cost 200,000 short lines, not 200,000 lists of 200,000 names. ``holders``
    counts how often each pod (namespace/name) is listed with ``ip``; ``own`` is the pod judged."""
    others = len(holders) - (own in holders)
    if not others:
        return f"{ip} is listed {holders[own]:,} times in the pod list, each time for {own}"
    named = list(itertools.islice((key for key in holders if key != own), MAX_DUPLICATES_NAMED))
    more = others - len(named)
    return f"{ip} is also the IP of {', '.join(named)}" + (f" (and {more:,} more)" if more > 0 else "")
