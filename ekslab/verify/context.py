"""What every check of one verification run shares: the snapshot, the lab's expectations, and the
indexes built once from them (where EC2 says each IP lives, the VPC's networks, instance -> node)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from ekslab.network.addresses import NetworkSet, parse_network
from ekslab.sources.records import AWS_NODE_CONTAINER, EniRecord
from ekslab.sources.snapshot import ClusterSnapshot
from ekslab.verify.results import PREFIX, SECONDARY_IP

if TYPE_CHECKING:
    from ekslab.config.model import LabConfig


@dataclass
class Expectations:
    """What the lab configuration asks for: env of the aws-node and aws-vpc-cni-init containers.

    ``lab`` (the ``LabConfig``, optional) gives the convergence checks its node groups' NodeConfig
    max pods and sizes; ``cluster``/``region`` fill the replacement plan's commands.
    """

    aws_node_env: Mapping[str, str]
    init_env: Mapping[str, str]
    lab: LabConfig | None = None
    cluster: str | None = None
    region: str | None = None


class Owner(NamedTuple):
    """The ENI that holds an IP, how (``SECONDARY_IP`` or ``PREFIX``), and the prefix for ``PREFIX``."""

    eni: EniRecord
    kind: str
    prefix: str | None = None


class EniIndex:
    """Where each IP lives according to EC2: secondary IPs, primary IPs and delegated prefixes."""

    def __init__(self, enis: Iterable[EniRecord]) -> None:
        self.secondary: dict[str, Owner] = {}
        self.primary: dict[str, EniRecord] = {}
        self.by_instance: dict[str, list[EniRecord]] = {}
        # {(version, shift): {value >> shift: owner}}: one dict lookup per prefix length present.
        self.prefixes: dict[tuple[int, int], dict[int, Owner]] = {}
        for eni in enis:
            if eni.instance_id:
                self.by_instance.setdefault(eni.instance_id, []).append(eni)
            if eni.primary_ip:
                self.primary[eni.primary_ip] = eni
            owner = Owner(eni, SECONDARY_IP)
            for ip in eni.secondary_ips:
                self.secondary[ip] = owner
            for ip in eni.ipv6_addresses:
                self.secondary[ip] = owner
            for prefix in eni.ipv4_prefixes + eni.ipv6_prefixes:
                network = parse_network(prefix)
                if network:
                    version, shift, value = network
                    self.prefixes.setdefault((version, shift), {})[value] = Owner(eni, PREFIX, prefix)
        for attached in self.by_instance.values():
            attached.sort(key=lambda eni: (eni.network_card or 0, eni.device_index or 0))

    def owner(self, ip: str, version: int, value: int) -> Owner | None:
        found = self.secondary.get(ip)
        if found is not None:
            return found
        for (prefix_version, shift), table in self.prefixes.items():
            if prefix_version == version:
                found = table.get(value >> shift)
                if found is not None:
                    return found
        return None


class VerifyContext:
    """The snapshot and expectations of one run, with the indexes the node and pod checks share."""

    def __init__(self, snapshot: ClusterSnapshot, expectations: Expectations) -> None:
        self.snapshot = snapshot
        self.expectations = expectations
        self.index = EniIndex(snapshot.enis.values())
        self.vpc_networks = NetworkSet(
            network
            for vpc in snapshot.vpcs
            for cidr in vpc.cidrs
            if (network := parse_network(cidr)) is not None
        )
        self.instance_nodes = {
            node.instance_id: node.name for node in snapshot.nodes.values() if node.instance_id
        }
        self.subnet_networks = {
            subnet_id: [network for cidr in subnet.cidrs if (network := parse_network(cidr)) is not None]
            for subnet_id, subnet in snapshot.subnets.items()
        }
        self.ds_aws_node_env = (snapshot.daemonset_env or {}).get(AWS_NODE_CONTAINER)

    def not_fargate(self, eni: EniRecord) -> str | None:
        """Why an ENI is no Fargate pod's ENI, or None. A Fargate ENI is attached to no EC2 instance
        of the account and is a plain interface: not a branch or trunk ENI of security groups for
        pods (cni-facts.md §5 implication 3), nor an EFA or a load balancer's or NAT gateway's ENI."""
        if eni.instance_id:
            owner = self.instance_nodes.get(eni.instance_id)
            return f"attached to {eni.instance_id}" + (f" (node {owner})" if owner else "")
        if eni.interface_type not in (None, "interface"):
            return f"an ENI of type {eni.interface_type!r}"
        return None
