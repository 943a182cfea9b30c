"""The lab's VPC: three AZs, public and private subnets at planned CIDRs, NAT, ELB role tags, pod subnets."""

from __future__ import annotations

from typing import Final

import jsii
from aws_cdk import Stack, Tags
from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from ekslab.config.model import NatGateways, Network
from ekslab.network.subnets import PlannedSubnet, SubnetPlan, Tier
from ekslab_constructs.encrypted_log_group import own_provider_logs
from ekslab_constructs.scanner_findings import (
    DEAD_LETTER_QUEUE,
    INSIDE_VPC,
    NO_DLQ_CUSTOM_RESOURCE,
    NO_RESERVED_CONCURRENCY,
    NO_VPC_RESTRICT_DEFAULT_SG,
    RESERVED_CONCURRENCY,
    skip_findings,
)

PUBLIC_GROUP: Final = "Public"
PRIVATE_GROUP: Final = "Private"
ELB_ROLE_TAG: Final = "kubernetes.io/role/elb"
INTERNAL_ELB_ROLE_TAG: Final = "kubernetes.io/role/internal-elb"
_RESTRICT_SG_PROVIDER: Final = "Custom::VpcRestrictDefaultSGCustomResourceProvider"
"""Construct id of the stack-wide Lambda behind ``restrict_default_security_group`` (aws-cdk-lib)."""
"""Subnet tags the AWS Load Balancer Controller uses to find subnets for internet-facing and internal
load balancers. See https://docs.aws.amazon.com/eks/latest/userguide/network-load-balancing.html"""

_NAT_GATEWAY_COUNT: Final = {NatGateways.NONE: 0, NatGateways.SINGLE: 1, NatGateways.PER_AZ: None}


@jsii.implements(ec2.IIpAddresses)
class PlannedIpAddresses:
    """Gives the VPC exactly the CIDRs of ``ekslab.network.subnets`` (the planner's view), not CDK's own."""

    def __init__(self, plan: SubnetPlan) -> None:
        self._plan = plan
        self._groups = {PUBLIC_GROUP: Tier.PUBLIC, PRIVATE_GROUP: Tier.PRIVATE}

    def allocate_vpc_cidr(self) -> ec2.VpcIpamOptions:
        return ec2.VpcIpamOptions(cidr_block=str(self._plan.vpc_cidr))

    def allocate_subnets_cidr(self, input: ec2.AllocateCidrRequest) -> ec2.SubnetIpamOptions:
        allocated = []
        for request in input.requested_subnets:
            planned = self._plan.get(request.availability_zone, self._groups[request.configuration.name])
            if planned is None:  # the plan and the VPC are built from the same config: a bug
                raise RuntimeError(
                    f"no planned subnet for {request.configuration.name} in {request.availability_zone}"
                )
            allocated.append(ec2.AllocatedSubnet(cidr=str(planned.cidr)))
        return ec2.SubnetIpamOptions(allocated_subnets=allocated)


class LabVpc(Construct):
    """VPC over exactly the configured AZs with the planned subnets.

    Public subnets carry ``kubernetes.io/role/elb``, private ones ``kubernetes.io/role/internal-elb``.
    With ``network.podSubnets.enabled`` a secondary CIDR is associated and one pod subnet per AZ is
    added for custom networking (``pod_subnets``, keyed by AZ). ``dual_stack`` adds IPv6 (IPv6 clusters).
    """

    def __init__(self, scope: Construct, id_: str, *, network: Network, dual_stack: bool = False) -> None:
        super().__init__(scope, id_)
        plan = network.subnet_plan
        private_type = (
            ec2.SubnetType.PRIVATE_ISOLATED
            if network.nat_gateways is NatGateways.NONE
            else ec2.SubnetType.PRIVATE_WITH_EGRESS
        )
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            ip_addresses=PlannedIpAddresses(plan),
            # Explicit AZs: no lookup at synth, and never CDK's silent two-AZ fallback (cdk-notes.md).
            availability_zones=list(network.availability_zones),
            nat_gateways=_NAT_GATEWAY_COUNT[network.nat_gateways],
            subnet_configuration=[
                ec2.SubnetConfiguration(
                    name=PUBLIC_GROUP,
                    subnet_type=ec2.SubnetType.PUBLIC,
                    cidr_mask=network.subnets.public_prefix_length,
                    map_public_ip_on_launch=False,
                ),
                ec2.SubnetConfiguration(
                    name=PRIVATE_GROUP,
                    subnet_type=private_type,
                    cidr_mask=network.subnets.private_prefix_length,
                ),
            ],
            restrict_default_security_group=True,
            # IPv6 clusters need IPv6 in every subnet: an Amazon-provided /56 split into /64s.
            ip_protocol=ec2.IpProtocol.DUAL_STACK if dual_stack else ec2.IpProtocol.IPV4_ONLY,
        )
        own_provider_logs(
            self,
            "RestrictDefaultSgLogs",
            provider_id=_RESTRICT_SG_PROVIDER,
            custom_resource=self.vpc.node.find_child("RestrictDefaultSecurityGroupCustomResource"),
            retention_days=network.flow_logs.retention_days,
        )
        # aws-cdk-lib's handler behind restrict_default_security_group: no environment, not in the VPC
        # it edits; the findings that do not apply are recorded with why (scanner_findings).
        skip_findings(
            Stack.of(self).node.find_child(_RESTRICT_SG_PROVIDER).node.find_child("Handler"),
            {
                RESERVED_CONCURRENCY: NO_RESERVED_CONCURRENCY,
                DEAD_LETTER_QUEUE: NO_DLQ_CUSTOM_RESOURCE,
                INSIDE_VPC: NO_VPC_RESTRICT_DEFAULT_SG,
            },
        )
        for subnet in self.vpc.public_subnets:
            Tags.of(subnet).add(ELB_ROLE_TAG, "1")
        for subnet in self.private_subnets:
            Tags.of(subnet).add(INTERNAL_ELB_ROLE_TAG, "1")
        self.pod_subnets: dict[str, ec2.ISubnet] = {}
        if plan.pod_cidr is not None:
            self._add_pod_subnets(plan, private_type)

    @property
    def private_subnets(self) -> list[ec2.ISubnet]:
        """The node tier, whether it routes through NAT or is isolated."""
        return list(self.vpc.private_subnets or self.vpc.isolated_subnets)

    def _add_pod_subnets(self, plan: SubnetPlan, private_type: ec2.SubnetType) -> None:
        cidr = ec2.CfnVPCCidrBlock(self, "PodCidr", vpc_id=self.vpc.vpc_id, cidr_block=str(plan.pod_cidr))
        nat_by_zone = self._nat_gateway_ids_by_zone()
        for index, planned in enumerate(plan.of_tier(Tier.POD), start=1):
            subnet = self._pod_subnet(index, planned)
            subnet.node.add_dependency(cidr)
            nat_id = nat_by_zone.get(planned.availability_zone) or next(iter(nat_by_zone.values()), None)
            if private_type is ec2.SubnetType.PRIVATE_WITH_EGRESS and nat_id:
                subnet.add_default_nat_route(nat_id)
            self.pod_subnets[planned.availability_zone] = subnet

    def _pod_subnet(self, index: int, planned: PlannedSubnet) -> ec2.PrivateSubnet:
        subnet = ec2.PrivateSubnet(
            self,
            f"PodSubnet{index}",
            vpc_id=self.vpc.vpc_id,
            availability_zone=planned.availability_zone,
            cidr_block=str(planned.cidr),
            map_public_ip_on_launch=False,
        )
        Tags.of(subnet).add("Name", f"{self.node.path}/PodSubnet{index}")
        return subnet

    def _nat_gateway_ids_by_zone(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for subnet in self.vpc.public_subnets:
            nat = subnet.node.try_find_child("NATGateway")
            if isinstance(nat, ec2.CfnNatGateway):
                found[subnet.availability_zone] = nat.ref
        return found
