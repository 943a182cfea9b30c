"""Stack outputs and exports of the network: AZ1..AZ3, the VPC and every subnet.

The workshop puts ``export AZ1=ap-northeast-2a`` ... into ``~/.bash_profile``; the network stack
exports the same names. Export names are unique per account and region, so only the default lab
exports the plain ``AZ1``; every lab (the default included) also exports ``<lab>-AZ1``, which is
what tooling reads, so several labs can live side by side.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import CfnOutput
from aws_cdk import aws_ec2 as ec2
from constructs import Construct


def export_name(lab_name: str, key: str) -> str:
    """The lab-scoped export name for an output key, e.g. ``ekslab-AZ1``."""
    return f"{lab_name}-{key}"


class NetworkOutputs(Construct):
    """Outputs (and exports) of AZ names, the VPC id and CIDRs, and subnet ids per AZ and tier."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        lab_name: str,
        plain_az_exports: bool,
        availability_zones: Sequence[str],
        vpc: ec2.IVpc,
        vpc_cidr: str,
        pod_cidr: str | None,
        subnets_by_tier: dict[str, Sequence[ec2.ISubnet]],
    ) -> None:
        super().__init__(scope, id_)
        self._lab = lab_name
        for index, zone in enumerate(availability_zones, start=1):
            key = f"AZ{index}"
            self._output(key, zone, f"Availability zone {index} of the lab")
            if plain_az_exports:
                # The workshop's own names, exported once per account and region (default lab only).
                plain = CfnOutput(
                    self,
                    f"Plain{key}",
                    value=zone,
                    export_name=key,
                    description=f"Availability zone {index} (workshop name)",
                )
                plain.override_logical_id(f"Plain{key}")
        self._output("VpcId", vpc.vpc_id, "VPC id")
        self._output("VpcCidr", vpc_cidr, "Primary VPC CIDR")
        if pod_cidr:
            self._output("PodCidr", pod_cidr, "Secondary VPC CIDR of the pod subnets (custom networking)")
        for tier, subnets in subnets_by_tier.items():
            for subnet in subnets:
                index = list(availability_zones).index(subnet.availability_zone) + 1
                self._output(
                    f"{tier}SubnetAZ{index}", subnet.subnet_id, f"{tier} subnet in {subnet.availability_zone}"
                )

    def _output(self, key: str, value: str, description: str) -> None:
        output = CfnOutput(
            self, key, value=value, export_name=export_name(self._lab, key), description=description
        )
        output.override_logical_id(key)  # stable output keys for `ekslab azs` and scripts
