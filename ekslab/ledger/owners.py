"""Who holds an ENI's addresses: one owner per ENI, from what EC2 and Kubernetes say, never a guess.

Rules, first match wins (sources and dates in docs/ips.md, "Attribution rules"):

1. ``InterfaceType`` ``nat_gateway`` -> ``nat_gateway``.
2. ``InterfaceType`` ``network_load_balancer``, ``gateway_load_balancer`` or ``load_balancer``, or a
   requester-managed ENI whose ``Description`` starts with ``ELB `` (``ELB app/<name>/<id>`` for an
   ALB, ``ELB net/...`` for an NLB, ``ELB <name>`` for a Classic Load Balancer) -> ``load_balancer``.
3. ``InterfaceType`` ``vpc_endpoint`` or ``gateway_load_balancer_endpoint``, or a requester-managed
   ENI described ``VPC Endpoint Interface ...`` -> ``vpc_endpoint``.
4. ``Description`` ``Amazon EKS <cluster name>`` -> ``eks_control_plane`` (EKS's cross-account ENIs).
5. ``InterfaceType`` ``branch`` (security groups for pods), or any other ENI whose primary address
   a running pod holds (a Fargate pod's ENI) -> ``pod``; a branch ENI no pod names stays ``other``.
6. A node ENI: ``InterfaceType`` ``trunk``, attached to the instance of a cluster node, or made by
   the VPC CNI (``Description`` ``aws-K8S-<instance id>``) and attached. Its primary address is
   ``node_primary``; each secondary IP and each address of a delegated prefix is ``pod`` when a
   running pod (or ipamd) holds it, else ``warm_pool``.
7. Anything else -> ``other``, labelled with the ENI id and its description or type.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Final, NamedTuple

from ekslab.sources.records import EniRecord

NODE_PRIMARY: Final = "node_primary"
POD: Final = "pod"
WARM_POOL: Final = "warm_pool"
LOAD_BALANCER: Final = "load_balancer"
NAT_GATEWAY: Final = "nat_gateway"
EKS_CONTROL_PLANE: Final = "eks_control_plane"
VPC_ENDPOINT: Final = "vpc_endpoint"
CIDR_RESERVATION: Final = "cidr_reservation"
OTHER: Final = "other"
OWNERS: Final = (
    NODE_PRIMARY,
    POD,
    WARM_POOL,
    LOAD_BALANCER,
    NAT_GATEWAY,
    EKS_CONTROL_PLANE,
    VPC_ENDPOINT,
    CIDR_RESERVATION,
    OTHER,
)
"""Every owner of an address, in the order tables, JSON and the picture's legend show them."""

CNI_ENI_DESCRIPTION: Final = "aws-K8S-"
"""The VPC CNI's description of the ENIs it creates (cni-facts.md §5, pkg/awsutils/awsutils.go)."""
EKS_ENI_DESCRIPTION: Final = "Amazon EKS "
ELB_DESCRIPTION: Final = "ELB "
ENDPOINT_DESCRIPTION: Final = "VPC Endpoint Interface"
_LOAD_BALANCER_TYPES: Final = frozenset({"network_load_balancer", "gateway_load_balancer", "load_balancer"})
_ENDPOINT_TYPES: Final = frozenset({"vpc_endpoint", "gateway_load_balancer_endpoint"})


class EniOwner(NamedTuple):
    """The owner of an ENI's addresses; ``node`` ENIs split theirs into node_primary/pod/warm_pool."""

    owner: str
    label: str
    node: bool = False


def eni_owner(eni: EniRecord, *, node_instances: Collection[str], pod_ips: Collection[str]) -> EniOwner:
    """The owner of ``eni`` by the rules of the module docstring.

    ``node_instances``: instance ids of the cluster's nodes; ``pod_ips``: IPs running pods hold.
    """
    kind = eni.interface_type or "interface"
    description = eni.description or ""
    if kind == "nat_gateway":
        return EniOwner(NAT_GATEWAY, description or eni.eni_id)
    if kind in _LOAD_BALANCER_TYPES or (eni.requester_managed and description.startswith(ELB_DESCRIPTION)):
        return EniOwner(LOAD_BALANCER, description or kind)
    if kind in _ENDPOINT_TYPES or (eni.requester_managed and description.startswith(ENDPOINT_DESCRIPTION)):
        return EniOwner(VPC_ENDPOINT, description or kind)
    if description.startswith(EKS_ENI_DESCRIPTION):
        return EniOwner(EKS_CONTROL_PLANE, description)
    if kind == "branch":
        if eni.primary_ip in pod_ips:
            return EniOwner(POD, f"branch ENI {eni.eni_id}")
        return EniOwner(OTHER, f"{eni.eni_id} (branch ENI no running pod holds)")
    attached_node = eni.instance_id is not None and eni.instance_id in node_instances
    made_by_cni = description.startswith(CNI_ENI_DESCRIPTION) and eni.instance_id is not None
    if kind == "trunk" or attached_node or made_by_cni:
        return EniOwner(NODE_PRIMARY, eni.instance_id or eni.eni_id, node=True)
    if eni.primary_ip is not None and eni.primary_ip in pod_ips:
        return EniOwner(POD, f"{eni.eni_id} (a pod's own ENI)")
    return EniOwner(OTHER, f"{eni.eni_id} ({description or kind})")
