"""Network stack: the 3-AZ VPC, flow logs, and the AZ/VPC/subnet outputs the workshop uses."""

from __future__ import annotations

from typing import Any

from aws_cdk import Stack
from constructs import Construct

from ekslab.config import defaults
from ekslab.config.model import IpFamily, LabConfig
from ekslab_constructs.az_exports import NetworkOutputs
from ekslab_constructs.flow_logs import VpcFlowLogs
from ekslab_constructs.lab_vpc import LabVpc


class NetworkStack(Stack):
    """VPC over the lab's three AZs with public/private (and optional pod) subnets, NAT and flow logs."""

    def __init__(self, scope: Construct, id_: str, *, config: LabConfig, **kwargs: Any) -> None:
        super().__init__(scope, id_, **kwargs)
        network = config.network
        self.lab_vpc = LabVpc(
            self, "Network", network=network, dual_stack=config.cluster.ip_family is IpFamily.IPV6
        )
        if network.flow_logs.enabled:
            self.flow_logs = VpcFlowLogs(self, "FlowLogs", vpc=self.lab_vpc.vpc, settings=network.flow_logs)
        subnets_by_tier = {"Public": self.lab_vpc.vpc.public_subnets, "Private": self.lab_vpc.private_subnets}
        if self.lab_vpc.pod_subnets:
            subnets_by_tier["Pod"] = list(self.lab_vpc.pod_subnets.values())
        NetworkOutputs(
            self,
            "Outputs",
            lab_name=config.lab.name,
            plain_az_exports=config.lab.name == defaults.LAB_NAME,
            availability_zones=network.availability_zones,
            vpc=self.lab_vpc.vpc,
            vpc_cidr=str(network.vpc_cidr),
            pod_cidr=str(network.pod_subnets.cidr) if network.pod_subnets.enabled else None,
            subnets_by_tier=subnets_by_tier,
        )
