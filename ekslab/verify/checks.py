"""The checks: every pod IP is a VPC IP on its node's ENI, cross-checked with ipamd, per node and end to end.

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

Per node: ``enis`` (EC2 has the node's ENIs), ``ipamd`` (introspection present and parsable),
``eniconfig`` (with custom networking), ``drift`` (running settings vs. the lab configuration).
"""

from __future__ import annotations

import ipaddress
import socket
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final, NamedTuple

from ekslab.ipamd.env import canonical_setting
from ekslab.ipamd.models import IpamdAddress, IpamdEni, NodeIpamd
from ekslab.sources.records import AWS_NODE_CONTAINER, EniRecord, NodeRecord, PodRecord
from ekslab.verify.drift import daemonset_drift, node_drift
from ekslab.verify.results import (
    BRANCH_ENI,
    DUPLICATE_IP,
    FAIL,
    HOST_NETWORK,
    HOST_NETWORK_IP,
    IPAMD_MISMATCH,
    NO_ENI_DATA,
    NO_IP,
    NOT_CHECKED,
    NOT_IN_VPC,
    NOT_ON_NODE_ENI,
    NOT_RUNNING,
    OWN_ENI,
    PASS,
    PREFIX,
    SECONDARY_IP,
    SKIP,
    UNKNOWN_NODE,
    UNVERIFIED,
    WRONG_SUBNET,
    CheckResult,
    NodeEni,
    NodeResult,
    PodResult,
    Report,
)
from ekslab.verify.snapshot import ClusterSnapshot
from ekslab.verify.targets import check_targets

DEFAULT_ENI_CONFIG_KEY: Final = "k8s.amazonaws.com/eniConfig"
"""Default of both ENI_CONFIG_ANNOTATION_DEF and ENI_CONFIG_LABEL_DEF (cni-facts.md §2.1)."""
EXTERNAL_ENI_CONFIG_LABEL: Final = "vpc.amazonaws.com/externalEniConfig"
DEFAULT_ENI_CONFIG_NAME: Final = "default"
FINISHED_PHASES: Final = frozenset({"Succeeded", "Failed"})

_Network = tuple[int, int, int]  # (version, shift, network >> shift)


@dataclass
class Expectations:
    """What the lab configuration asks for: env of the aws-node and aws-vpc-cni-init containers."""

    aws_node_env: Mapping[str, str]
    init_env: Mapping[str, str]


def verify(snapshot: ClusterSnapshot, expectations: Expectations) -> Report:
    """Run every check on a snapshot."""
    return _Verifier(snapshot, expectations).run()


# --- addresses -------------------------------------------------------------------------------------


def parse_ip(text: str) -> tuple[int, int] | None:
    """(version, integer) of an IP address, or None when the text is not one (strict dotted quad)."""
    try:
        if ":" in text:
            return 6, int.from_bytes(socket.inet_pton(socket.AF_INET6, text), "big")
        return 4, int.from_bytes(socket.inet_pton(socket.AF_INET, text), "big")
    except (OSError, TypeError):
        return None


def parse_network(text: str) -> _Network | None:
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None
    shift = network.max_prefixlen - network.prefixlen
    return network.version, shift, int(network.network_address) >> shift


def _contains(networks: Iterable[_Network], version: int, value: int) -> bool:
    return any(net_version == version and value >> shift == prefix for net_version, shift, prefix in networks)


class _Owner(NamedTuple):
    """The ENI that holds an IP, how (``SECONDARY_IP`` or ``PREFIX``), and the prefix for ``PREFIX``."""

    eni: EniRecord
    kind: str
    prefix: str | None = None


class _EniIndex:
    """Where each IP lives according to EC2: secondary IPs, primary IPs and delegated prefixes."""

    def __init__(self, enis: Iterable[EniRecord]) -> None:
        self.secondary: dict[str, _Owner] = {}
        self.primary: dict[str, EniRecord] = {}
        self.by_instance: dict[str, list[EniRecord]] = {}
        # {(version, shift): {value >> shift: owner}}: one dict lookup per prefix length present.
        self.prefixes: dict[tuple[int, int], dict[int, _Owner]] = {}
        for eni in enis:
            if eni.instance_id:
                self.by_instance.setdefault(eni.instance_id, []).append(eni)
            if eni.primary_ip:
                self.primary[eni.primary_ip] = eni
            owner = _Owner(eni, SECONDARY_IP)
            for ip in eni.secondary_ips:
                self.secondary[ip] = owner
            for ip in eni.ipv6_addresses:
                self.secondary[ip] = owner
            for prefix in eni.ipv4_prefixes + eni.ipv6_prefixes:
                network = parse_network(prefix)
                if network:
                    version, shift, value = network
                    self.prefixes.setdefault((version, shift), {})[value] = _Owner(eni, PREFIX, prefix)
        for attached in self.by_instance.values():
            attached.sort(key=lambda eni: (eni.network_card or 0, eni.device_index or 0))

    def owner(self, ip: str, version: int, value: int) -> _Owner | None:
        found = self.secondary.get(ip)
        if found is not None:
            return found
        for (prefix_version, shift), table in self.prefixes.items():
            if prefix_version == version:
                found = table.get(value >> shift)
                if found is not None:
                    return found
        return None


# --- the verifier ----------------------------------------------------------------------------------


class _Verifier:
    def __init__(self, snapshot: ClusterSnapshot, expectations: Expectations) -> None:
        self.snapshot = snapshot
        self.expectations = expectations
        self.index = _EniIndex(snapshot.enis.values())
        self.vpc_networks = [
            network
            for vpc in snapshot.vpcs
            for cidr in vpc.cidrs
            if (network := parse_network(cidr)) is not None
        ]
        self.instance_nodes = {
            node.instance_id: node.name for node in snapshot.nodes.values() if node.instance_id
        }
        self.subnet_networks = {
            subnet_id: [network for cidr in subnet.cidrs if (network := parse_network(cidr)) is not None]
            for subnet_id, subnet in snapshot.subnets.items()
        }
        self.ds_aws_node_env = (snapshot.daemonset_env or {}).get(AWS_NODE_CONTAINER)
        # Per node: the ENIConfig subnet's networks, None when custom networking is off for the node,
        # or a string saying why the subnet is unknown.
        self.node_pod_subnets: dict[str, list[_Network] | str | None] = {}
        self.node_checks: dict[str, list[CheckResult]] = {}
        self.ipamd_indexes: dict[str, Mapping[str, tuple[IpamdEni, IpamdAddress]]] = {}
        self.ipamd_pods: dict[str, dict[str, tuple[str, str]]] = {}

    def run(self) -> Report:
        nodes = [
            self._check_node(node) for node in sorted(self.snapshot.nodes.values(), key=lambda n: n.name)
        ]
        pods = self._check_pods()
        targets_check, targets = check_targets(self.snapshot.targets, self.snapshot.pods)
        cluster = [
            daemonset_drift(
                self.snapshot.daemonset_env, self.expectations.aws_node_env, self.expectations.init_env
            )
        ]
        return Report(
            source=self.snapshot.source,
            pods=pods,
            nodes=nodes,
            cluster=cluster,
            targets=targets,
            targets_checked=targets_check,
            notes=list(self.snapshot.notes),
        )

    # --- nodes -------------------------------------------------------------------------------------

    def _check_node(self, node: NodeRecord) -> NodeResult:
        ipamd = self.snapshot.ipamd.get(node.name)
        compute = "fargate" if node.is_fargate else "ec2" if node.instance_id else "unknown"
        result = NodeResult(name=node.name, instance_id=node.instance_id, compute=compute)
        result.checks.append(self._node_enis(node, result))
        result.checks.append(self._node_ipamd(node, ipamd, result))
        if not node.is_fargate:
            eniconfig = self._node_eniconfig(node, ipamd)
            if eniconfig is not None:
                result.checks.append(eniconfig)
            result.checks.append(node_drift(ipamd, self.expectations.aws_node_env))
        return result

    def _node_enis(self, node: NodeRecord, result: NodeResult) -> CheckResult:
        if node.is_fargate:
            eni = self.index.primary.get(node.internal_ip or "")
            if eni is None:
                return CheckResult("enis", UNVERIFIED, f"no ENI has the Fargate node's IP {node.internal_ip}")
            problem = self._not_fargate(eni)
            if problem:
                return CheckResult(
                    "enis",
                    UNVERIFIED,
                    f"the ENI with the Fargate node's IP {node.internal_ip}, {eni.eni_id}, is {problem}",
                )
            result.enis.append(NodeEni(eni.eni_id, eni.device_index, eni.network_card, "fargate"))
            return CheckResult("enis", PASS, f"Fargate ENI {eni.eni_id}")
        if not node.instance_id:
            return CheckResult("enis", UNVERIFIED, f"providerID {node.provider_id!r} names no EC2 instance")
        attached = self.index.by_instance.get(node.instance_id, [])
        if not attached:
            return CheckResult("enis", UNVERIFIED, f"no ENI attached to {node.instance_id} in the ENI data")
        for eni in attached:
            kind = (
                eni.interface_type
                if eni.interface_type not in (None, "interface")
                else "primary"
                if (eni.device_index or 0) == 0 and not eni.network_card
                else "secondary"
            )
            result.enis.append(NodeEni(eni.eni_id, eni.device_index, eni.network_card, kind))
        return CheckResult("enis", PASS, f"{len(attached)} ENI(s) attached to {node.instance_id}")

    def _node_ipamd(self, node: NodeRecord, ipamd: NodeIpamd | None, result: NodeResult) -> CheckResult:
        if node.is_fargate:
            return CheckResult("ipamd", NOT_CHECKED, "Fargate nodes run no ipamd")
        if not self.snapshot.ipamd_collected:
            return CheckResult("ipamd", NOT_CHECKED, "ipamd data not collected; checked from EC2 alone")
        if ipamd is None:
            return CheckResult("ipamd", NOT_CHECKED, "no ipamd data for this node; checked from EC2 alone")
        if ipamd.enis is None:
            problem = ipamd.problems.get("enis", "no /v1/enis data")
            return CheckResult("ipamd", UNVERIFIED, f"not verifiable: {problem}")
        result.ipamd_format = ipamd.enis.format
        assigned = sum(1 for _ in ipamd.enis.assigned())
        return CheckResult(
            "ipamd",
            PASS,
            f"/v1/enis format {ipamd.enis.format}, {len(ipamd.enis.enis)} ENI(s), {assigned} assigned IP(s)",
        )

    def _node_eniconfig(self, node: NodeRecord, ipamd: NodeIpamd | None) -> CheckResult | None:
        """Resolve the node's ENIConfig subnet when custom networking is on; None when it is off."""
        if not self._custom_networking(ipamd):
            self.node_pod_subnets[node.name] = None
            return None
        eniconfigs = self.snapshot.eniconfigs
        if not eniconfigs:
            self.node_pod_subnets[node.name] = "no ENIConfigs in the input"
            return CheckResult(
                "eniconfig", NOT_CHECKED, "custom networking is on but ENIConfigs are not in the input"
            )
        name = self._eniconfig_name(node, ipamd)
        config = eniconfigs.get(name)
        if config is None:
            why = f"ENIConfig {name!r} selected by the node does not exist"
            self.node_pod_subnets[node.name] = why
            return CheckResult("eniconfig", UNVERIFIED, why)
        networks = self.subnet_networks.get(config.subnet_id or "")
        if not networks:
            why = f"subnet {config.subnet_id} of ENIConfig {name!r} is not in the subnet data"
            self.node_pod_subnets[node.name] = why
            return CheckResult("eniconfig", UNVERIFIED, why)
        self.node_pod_subnets[node.name] = networks
        cidrs = ", ".join(self.snapshot.subnets[config.subnet_id].cidrs)  # type: ignore[index]
        return CheckResult("eniconfig", PASS, f"ENIConfig {name!r}: pod subnet {config.subnet_id} ({cidrs})")

    def _custom_networking(self, ipamd: NodeIpamd | None) -> bool:
        key = "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG"
        # What ipamd on the node runs with beats the DaemonSet spec, which beats "ENIConfigs exist".
        if ipamd is not None and ipamd.ipamd_env is not None and key in ipamd.ipamd_env:
            return canonical_setting(key, ipamd.ipamd_env[key]) == "true"
        if self.ds_aws_node_env is not None and self.ds_aws_node_env.get(key) is not None:
            return canonical_setting(key, self.ds_aws_node_env[key]) == "true"
        return bool(self.snapshot.eniconfigs)

    def _eniconfig_name(self, node: NodeRecord, ipamd: NodeIpamd | None) -> str:
        eni_config = ipamd.eni_config if ipamd is not None else None
        env = self.ds_aws_node_env or {}
        annotation_key = (
            env.get("ENI_CONFIG_ANNOTATION_DEF")
            or (eni_config.annotation_def if eni_config else None)
            or DEFAULT_ENI_CONFIG_KEY
        )
        label_key = (
            env.get("ENI_CONFIG_LABEL_DEF")
            or (eni_config.label_def if eni_config else None)
            or DEFAULT_ENI_CONFIG_KEY
        )
        for value in (
            node.labels.get(EXTERNAL_ENI_CONFIG_LABEL),
            node.annotations.get(annotation_key),
            node.labels.get(label_key),
        ):
            if value:
                return value
        return DEFAULT_ENI_CONFIG_NAME

    # --- pods --------------------------------------------------------------------------------------

    def _check_pods(self) -> list[PodResult]:
        pods = self.snapshot.pods
        eligible = Counter(
            pod.ip for pod in pods if pod.ip and not pod.host_network and pod.phase not in FINISHED_PHASES
        )
        duplicates = {ip: [] for ip, count in eligible.items() if count > 1}
        if duplicates:
            for pod in pods:
                if pod.ip in duplicates and not pod.host_network and pod.phase not in FINISHED_PHASES:
                    duplicates[pod.ip].append(pod.key)
        results = [self._check_pod(pod, duplicates) for pod in pods]
        results.sort(key=lambda result: (result.node or "", result.namespace, result.name))
        return results

    def _check_pod(self, pod: PodRecord, duplicates: Mapping[str, list[str]]) -> PodResult:
        if pod.host_network:
            return PodResult(
                pod.namespace, pod.name, pod.node, pod.ip, SKIP, (HOST_NETWORK,), address_kind=HOST_NETWORK_IP
            )
        if pod.phase in FINISHED_PHASES:
            return PodResult(pod.namespace, pod.name, pod.node, pod.ip, SKIP, (NOT_RUNNING,))
        ip = pod.ip
        if not ip:
            return PodResult(pod.namespace, pod.name, pod.node, None, SKIP, (NO_IP,))
        reasons: list[str] = []
        details: list[str] = []
        not_checked: list[str] = []
        owner: _Owner | None = None
        skip_reason = None
        parsed = parse_ip(ip)
        if parsed is None:
            reasons.append(NOT_IN_VPC)
            details.append(f"{ip!r} is not an IP address")
        elif not _contains(self.vpc_networks, *parsed):
            reasons.append(NOT_IN_VPC)
            details.append(f"{ip} is in none of the VPC CIDR blocks")
        else:
            node = self.snapshot.nodes.get(pod.node or "")
            if pod.branch_enis is not None or pod.branch_error:
                owner, problem = self._branch_eni(pod, ip)
            elif node is not None and node.is_fargate:
                owner, problem = self._fargate_eni(node, ip)
            else:
                owner, problem, skip_reason = self._node_eni(pod, node, ip, parsed)
            if problem:
                reasons.append(NOT_ON_NODE_ENI)
                details.append(problem)
            if node is not None and not node.is_fargate and pod.branch_enis is None and not pod.branch_error:
                eni = owner.eni if owner is not None else None
                self._check_ipamd(pod, ip, eni, reasons, details, not_checked)
                self._check_subnet(pod, parsed, reasons, details, not_checked)
        if ip in duplicates:
            others = [key for key in duplicates[ip] if key != pod.key]
            reasons.append(DUPLICATE_IP)
            details.append(f"{ip} is also the IP of {', '.join(others)}")
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
        )

    def _node_eni(
        self, pod: PodRecord, node: NodeRecord | None, ip: str, parsed: tuple[int, int]
    ) -> tuple[_Owner | None, str | None, str | None]:
        """(owner ENI, failure detail, unverified-skip reason) for a pod on an EC2 node."""
        found = self.index.owner(ip, *parsed)
        if node is None or not node.instance_id:
            # The pod's node matches no instance; an IP held by another known node's ENI still fails.
            if found is not None:
                owner_node = self.instance_nodes.get(found.eni.instance_id or "")
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
                f"attached to {owner.instance_id} (node {self.instance_nodes.get(owner.instance_id, '?')})"
                if owner.instance_id
                else "not attached to any instance"
            )
            return None, f"{ip} is a {found.kind} of {owner.eni_id}, {where}, not of node {node.name}", None
        primary = self.index.primary.get(ip)
        if primary is not None:
            return None, f"{ip} is the primary IP of {primary.eni_id}, never a pod IP", None
        if not self.index.by_instance.get(node.instance_id):
            return None, None, NO_ENI_DATA
        return None, f"{ip} is on no ENI of node {node.name} ({node.instance_id})", None

    def _branch_eni(self, pod: PodRecord, ip: str) -> tuple[_Owner | None, str | None]:
        if pod.branch_error:
            return None, pod.branch_error
        for branch in pod.branch_enis or ():
            if ip not in (branch.private_ip, branch.ipv6_address):
                continue
            eni = self.snapshot.enis.get(branch.eni_id)
            if eni is None:
                return (
                    None,
                    f"branch ENI {branch.eni_id} named by the pod-eni annotation is not in the ENI data",
                )
            if ip not in (eni.primary_ip, *eni.secondary_ips, *eni.ipv6_addresses):
                return None, f"branch ENI {branch.eni_id} does not hold {ip}"
            return _Owner(eni, BRANCH_ENI), None
        return None, f"the pod-eni annotation names no branch ENI with {ip}"

    def _fargate_eni(self, node: NodeRecord, ip: str) -> tuple[_Owner | None, str | None]:
        """The pod's own ENI: a Fargate ENI (see ``_not_fargate``) whose primary IP is the pod's,
        which is also its Fargate node's InternalIP (one pod per Fargate node)."""
        eni = self.index.primary.get(ip)
        if eni is None:
            return None, f"no ENI has {ip} as its primary IP (each Fargate pod has its own ENI)"
        problem = self._not_fargate(eni)
        if problem:
            return None, f"{ip} is the primary IP of {eni.eni_id}, {problem}, not a Fargate pod's own ENI"
        if node.internal_ip and node.internal_ip != ip:
            return None, (
                f"{ip} is not the IP of its Fargate node {node.name} ({node.internal_ip}); "
                "a Fargate node carries its one pod's IP"
            )
        return _Owner(eni, OWN_ENI), None

    def _not_fargate(self, eni: EniRecord) -> str | None:
        """Why an ENI is no Fargate pod's ENI, or None. A Fargate ENI is attached to no EC2 instance
        of the account and is a plain interface: not a branch or trunk ENI of security groups for
        pods (cni-facts.md §5 implication 3), nor an EFA or a load balancer's or NAT gateway's ENI."""
        if eni.instance_id:
            owner = self.instance_nodes.get(eni.instance_id)
            return f"attached to {eni.instance_id}" + (f" (node {owner})" if owner else "")
        if eni.interface_type not in (None, "interface"):
            return f"an ENI of type {eni.interface_type!r}"
        return None

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
        ipamd = self.snapshot.ipamd.get(node_name)
        if ipamd is None or ipamd.enis is None:
            not_checked.append(IPAMD_MISMATCH)
            return
        index = self.ipamd_indexes.get(node_name)
        if index is None:
            index = self.ipamd_indexes[node_name] = ipamd.enis.address_index()
        entry = index.get(ip)
        problem = None
        if entry is None:
            problem = f"ipamd on {node_name} does not have {ip} in its datastore"
        else:
            ipamd_eni, address = entry
            if not address.assigned:
                problem = f"ipamd on {node_name} has {ip} but not assigned"
            elif address.pod_name and (address.pod_namespace, address.pod_name) != (pod.namespace, pod.name):
                problem = f"ipamd assigns {ip} to {address.pod_namespace}/{address.pod_name}"
            elif eni is not None and ipamd_eni.eni_id != eni.eni_id:
                problem = f"ipamd holds {ip} on {ipamd_eni.eni_id}, EC2 on {eni.eni_id}"
            else:
                legacy = self._ipamd_pods(node_name, ipamd)
                owner = legacy.get(ip)
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
        subnet = self.node_pod_subnets.get(pod.node or "")
        if subnet is None:
            return
        if isinstance(subnet, str):
            not_checked.append(WRONG_SUBNET)
            return
        if not _contains(subnet, *parsed):
            reasons.append(WRONG_SUBNET)
            details.append(f"{pod.ip} is outside the ENIConfig subnet of node {pod.node}")
