"""Small purpose-built bundles for the ledger, in the shapes the AWS CLI and kubectl print.

One AZ (us-west-2a) of the lab ``LAB_CONFIG`` plans: the node subnet ``subnet-nodes`` (10.0.4.0/23:
512 addresses, 32 blocks of /28) and the public subnet ``subnet-public`` (10.0.0.0/24) with the ENIs
AWS services make there.
``AvailableIpAddressCount`` is set to what EC2 would count, so there is no mismatch unless a test
makes one. The ENI descriptions and types are the documented ones (docs/ips.md, "Attribution rules").
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.verify.cluster_docs import VPC_ID, ClusterDocs, daemonset, eni, node, pod, vpc

ZONE = "us-west-2a"
NODE = "ip-10-0-4-10.us-west-2.compute.internal"
INSTANCE = "i-0aaaaaaaaaaaaaaa1"
LAB_CONFIG = """\
lab:
  name: ledgerlab
region: us-west-2
network:
  vpcCidr: 10.0.0.0/16
  availabilityZones: [us-west-2a, us-west-2b, us-west-2c]
  subnets:
    publicPrefixLength: 24
    privatePrefixLength: 23
nodeGroups:
  - name: ng-default
    instanceTypes: [m5.large]
    minSize: 1
    desiredSize: 1
    maxSize: 9
"""
"""Plans 10.0.0.0/24 public and 10.0.4.0/23 private in us-west-2a; 3 nodes per AZ at max size."""


def subnet(subnet_id: str, cidr: str, available: int, tags: dict[str, str] | None = None) -> dict[str, Any]:
    document: dict[str, Any] = {
        "AvailabilityZone": ZONE,
        "AvailableIpAddressCount": available,
        "CidrBlock": cidr,
        "State": "available",
        "SubnetId": subnet_id,
        "VpcId": VPC_ID,
        "Ipv6CidrBlockAssociationSet": [],
    }
    if tags:
        document["Tags"] = [{"Key": key, "Value": value} for key, value in tags.items()]
    return document


def service_eni(
    eni_id: str,
    ip: str,
    *,
    interface_type: str,
    description: str,
    requester_managed: bool = True,
    requester_id: str = "amazon-elb",
    subnet_id: str = "subnet-public",
    secondary: tuple[str, ...] = (),
) -> dict[str, Any]:
    """An ENI an AWS service made in the VPC (requester-managed, unattached to any instance of ours)."""
    document = eni(eni_id, instance_id=None, device=0, primary_ip=ip, subnet=subnet_id, secondary=secondary)
    document.update(
        InterfaceType=interface_type,
        Description=description,
        RequesterManaged=requester_managed,
        RequesterId=requester_id,
        Status="in-use",
    )
    return document


def one_node_lab(
    *, node_subnet_available: int = 512 - 5 - 8, env: dict[str, str] | None = None
) -> ClusterDocs:
    """One m5.large node of ``ng-default`` in secondary-IP mode: primary ENI 10.0.4.10 with 7 secondary IPs, 3 of them
    held by running pods (one more pod finished, one on the host network)."""
    secondary = tuple(f"10.0.4.{last}" for last in range(11, 18))
    return ClusterDocs(
        pods=[
            pod("web-1", node=NODE, ip="10.0.4.11"),
            pod("web-2", node=NODE, ip="10.0.4.12"),
            pod("web-3", node=NODE, ip="10.0.4.13"),
            pod("job-1", node=NODE, ip="10.0.4.14", phase="Succeeded"),
            pod("aws-node-x1", node=NODE, ip="10.0.4.10", namespace="kube-system", host_network=True),
        ],
        nodes=[
            node(
                NODE,
                instance_id=INSTANCE,
                internal_ip="10.0.4.10",
                labels={"eks.amazonaws.com/nodegroup": "ng-default"},
            )
        ],
        vpcs=[vpc([("10.0.0.0/16", "associated")])],
        subnets=[
            subnet(
                "subnet-nodes", "10.0.4.0/23", node_subnet_available, {"kubernetes.io/role/internal-elb": "1"}
            ),
            subnet("subnet-public", "10.0.0.0/24", 256 - 5, {"kubernetes.io/role/elb": "1"}),
        ],
        enis=[
            eni(
                "eni-0node000000000000",
                instance_id=INSTANCE,
                device=0,
                primary_ip="10.0.4.10",
                secondary=secondary,
                subnet="subnet-nodes",
            )
        ],
        daemonset=daemonset(env if env is not None else {"WARM_ENI_TARGET": "1"}),
    )


def write_reservations(bundle: Path, subnet_id: str, reservations: list[dict[str, Any]]) -> None:
    """``subnet-cidr-reservations/<subnet id>.json`` as ``aws ec2 get-subnet-cidr-reservations`` prints it."""
    folder = bundle / "subnet-cidr-reservations"
    folder.mkdir(exist_ok=True)
    (folder / f"{subnet_id}.json").write_text(
        json.dumps({"SubnetIpv4CidrReservations": reservations, "SubnetIpv6CidrReservations": []}, indent=4)
    )


def reservation(reservation_id: str, cidr: str, kind: str, subnet_id: str = "subnet-nodes") -> dict[str, Any]:
    return {
        "SubnetCidrReservationId": reservation_id,
        "SubnetId": subnet_id,
        "Cidr": cidr,
        "ReservationType": kind,
        "OwnerId": "123456789012",
        "Description": "kept for prefixes",
        "Tags": [],
    }


def write_node_subnet_reservations(bundle: Path) -> None:
    """A prefix reservation of the /28 10.0.5.0 and an explicit one of the /29 10.0.5.16 in the node
    subnet, none in the public one (24 addresses: give ``one_node_lab`` 24 fewer available)."""
    write_reservations(
        bundle,
        "subnet-nodes",
        [
            reservation("scr-0prefix", "10.0.5.0/28", "prefix"),
            reservation("scr-0explicit", "10.0.5.16/29", "explicit"),
        ],
    )
    write_reservations(bundle, "subnet-public", [])


def crowded_lab(tmp_path: Path) -> tuple[Path, Path]:
    """The one-node lab with its node subnet nearly full: four hand-made ENIs hold 480 addresses, 19 stay free."""
    docs = one_node_lab(node_subnet_available=19)
    offsets = iter(range(18, 512 - 1))
    for index in range(4):
        addresses = []
        for _ in range(120):
            number = 4 * 256 + next(offsets)
            addresses.append(f"10.0.{number // 256}.{number % 256}")
        docs.enis.append(
            eni(
                f"eni-0crowd{index}",
                instance_id=None,
                device=0,
                primary_ip=addresses[0],
                secondary=tuple(addresses[1:]),
                subnet="subnet-nodes",
            )
        )
    config = tmp_path / "lab.yaml"
    config.write_text(LAB_CONFIG)
    return docs.write(tmp_path / "bundle"), config
