"""The lab configuration model: one typed document that drives synth, planning and verification.

YAML keys are camelCase (``network.vpcCidr``); the ``cni`` section keeps the add-on's own spelling
(see ``ekslab.config.cni``). Every field documents its default. Per-field rules live on the
fields; rules that span fields live in ``ekslab.config.validation`` (those that need only the
configuration) and with the facts they need (``ekslab.lab.check_lab`` runs them all).
"""

from __future__ import annotations

import ipaddress
import re
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from pydantic.alias_generators import to_camel

from ekslab.config import defaults
from ekslab.config.cni import CniSettings
from ekslab.config.types import Int, Ipv4Cidr, TagKey, TagValue, VpcCidrBlock
from ekslab.network.subnets import SubnetPlan, plan_subnets

LAB_NAME_PATTERN: Final = re.compile(r"^[a-z][a-z0-9-]{0,19}$")
"""Lab names end up in stack names, the cluster name, export names and tags: short, lower-case DNS."""
AZ_PATTERN: Final = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d[a-z]$")
REGION_PATTERN: Final = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
NODE_GROUP_NAME_PATTERN: Final = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_-]{0,62}$")
CLUSTER_NAME_PATTERN: Final = re.compile(r"^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$")
"""EKS cluster names (CreateCluster API reference: 1-100 characters, this pattern)."""
IMAGE_PATTERN: Final = re.compile(
    r"^[a-z0-9]+([._-][a-z0-9]+)*(\.[a-z0-9-]+)*(:\d+)?(/[a-z0-9]+([._-][a-z0-9]+)*)+"
    r"(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$"
)
"""An OCI image reference: registry/repository, then an optional :tag and an optional @sha256 digest."""
PRINCIPAL_ARN_PATTERN: Final = re.compile(
    r"^arn:aws[a-z-]*:iam::\d{12}:(role|user)/([\x21-\x7e]*/)?[\w+=,.@-]{1,64}$"
)
"""An IAM role (path allowed) or user ARN: the principals the lab gives a cluster-admin access entry.
A group is not a principal and an STS session (assumed-role) ARN cannot be used; the account root is
refused too (IAM best practice). See https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html
and https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateAccessEntry.html"""
PRINCIPAL_ARN_RULE: Final = "must be an IAM role or user ARN such as arn:aws:iam::123456789012:role/Admin"
MAX_NODES_PER_GROUP: Final = 450
"""Managed node group size quota (maximum nodes per node group).
See https://docs.aws.amazon.com/eks/latest/userguide/service-quotas.html"""


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        alias_generator=to_camel,
        use_attribute_docstrings=True,
    )


class NatGateways(StrEnum):
    NONE = "none"
    SINGLE = "single"
    PER_AZ = "perAz"


class SubnetSizes(_Model):
    public_prefix_length: Annotated[Int, Field(ge=16, le=28)] = defaults.PUBLIC_SUBNET_PREFIX
    """Prefix length of each AZ's public subnet (NAT gateways, internet-facing load balancers). Default /24."""
    private_prefix_length: Annotated[Int, Field(ge=16, le=28)] = defaults.PRIVATE_SUBNET_PREFIX
    """Prefix length of each AZ's private subnet (nodes, and pods unless custom networking). Default /20."""


class PodSubnets(_Model):
    """Secondary VPC CIDR with one pod subnet per AZ, for the custom-networking exercise."""

    enabled: bool = False
    """Add the secondary CIDR and turn on custom networking (ENIConfig per AZ). Default false."""
    cidr: VpcCidrBlock = ipaddress.IPv4Network(defaults.POD_CIDR)
    """Secondary VPC CIDR. Default 100.64.0.0/16 (RFC 6598 shared address space)."""
    prefix_length: Annotated[Int, Field(ge=16, le=28)] = defaults.POD_SUBNET_PREFIX
    """Prefix length of each AZ's pod subnet. Default /18."""


RetentionDays = Literal[1, 3, 5, 7, 14, 30, 60, 90, 180, 365]
"""CloudWatch Logs retention periods the lab offers."""


class FlowLogs(_Model):
    enabled: bool = True
    """VPC flow logs. Default on (security by default)."""
    destination: Literal["cloudWatchLogs", "s3"] = "cloudWatchLogs"
    """Where flow logs go. Default a KMS-encrypted CloudWatch Logs group."""
    traffic_type: Literal["ALL", "ACCEPT", "REJECT"] = "ALL"
    """Which traffic is logged. Default ALL."""
    retention_days: RetentionDays = defaults.LOG_RETENTION_DAYS
    """Days flow logs are kept (CloudWatch Logs retention, or S3 object expiry). Default 30."""


class Network(_Model):
    vpc_cidr: VpcCidrBlock = ipaddress.IPv4Network(defaults.VPC_CIDR)
    """Primary VPC CIDR. Default 10.11.0.0/16 (the workshop's)."""
    availability_zones: list[str] = list(defaults.AVAILABILITY_ZONES)
    """Exactly three AZ names of the region. Default ap-northeast-2a/2b/2c. Exported as AZ1..AZ3."""
    subnets: SubnetSizes = SubnetSizes()
    """Sizes of the public and private subnets."""
    nat_gateways: NatGateways = NatGateways.SINGLE
    """none, single (one shared NAT gateway, cheapest) or perAz (one per AZ, AZ-independent). Default single."""
    pod_subnets: PodSubnets = PodSubnets()
    """Custom-networking pod subnets (off by default)."""
    flow_logs: FlowLogs = FlowLogs()
    """VPC flow logs (on by default)."""

    @field_validator("availability_zones")
    @classmethod
    def _az_names(cls, value: list[str]) -> list[str]:
        for name in value:
            if not AZ_PATTERN.match(name):
                raise ValueError(f"must be availability zone names such as ap-northeast-2a; {name!r} is not")
        return value

    @cached_property
    def subnet_plan(self) -> SubnetPlan:
        """CIDR of every subnet, per AZ and tier; the VPC construct and the planner both use it."""
        return plan_subnets(
            vpc_cidr=self.vpc_cidr,
            availability_zones=self.availability_zones,
            public_prefix_length=self.subnets.public_prefix_length,
            private_prefix_length=self.subnets.private_prefix_length,
            pod_cidr=self.pod_subnets.cidr if self.pod_subnets.enabled else None,
            pod_prefix_length=self.pod_subnets.prefix_length,
        )


class EndpointAccess(StrEnum):
    """Public-only is not offered: nodes and the kubectl provider use the private endpoint."""

    PUBLIC_AND_PRIVATE = "publicAndPrivate"
    PRIVATE = "private"


class WorkloadIdentity(StrEnum):
    POD_IDENTITY = "podIdentity"
    IRSA = "irsa"


class IpFamily(StrEnum):
    IPV4 = "ipv4"
    IPV6 = "ipv6"


ControlPlaneLogType = Literal["api", "audit", "authenticator", "controllerManager", "scheduler"]


class Cluster(_Model):
    name: Annotated[str, Field(pattern=CLUSTER_NAME_PATTERN.pattern)] | None = None
    """EKS cluster name (1-100 letters, digits, '-' and '_', starting with a letter or digit). Default: the lab name."""
    kubernetes_version: Literal["1.34", "1.35", "1.36", "1.37"] = defaults.KUBERNETES_VERSION
    """Kubernetes version: 1.34 to 1.37, each with its own pinned kubectl layer package (kubectl's
    version skew policy). Default 1.36, the newest with add-on pins from a public source; 1.34 is in
    extended support (billed higher) from 2026-12-02; 1.37 is refused until its add-on versions are
    pinned (`ekslab addons refresh --kubernetes-version 1.37`) or set under addons.*.version."""
    ip_family: IpFamily = IpFamily.IPV4
    """ipv4 or ipv6 (IPv6 needs prefix delegation). Default ipv4."""
    endpoint_access: EndpointAccess = EndpointAccess.PUBLIC_AND_PRIVATE
    """API server endpoint access. Default public and private (nodes use the private endpoint)."""
    public_access_cidrs: list[Ipv4Cidr] = [ipaddress.IPv4Network(defaults.OPEN_CIDR)]
    """CIDRs allowed to reach the public endpoint; at least one unless endpointAccess is private.
    Default 0.0.0.0/0, which the toolkit reports as a warning (rule public-endpoint-open) until you
    narrow it or acknowledge it."""
    logging: list[ControlPlaneLogType] = list(defaults.CLUSTER_LOGGING)
    """Control-plane log types sent to CloudWatch Logs. Default api, audit, authenticator."""
    log_retention_days: RetentionDays = defaults.LOG_RETENTION_DAYS
    """Days control-plane logs are kept. The lab owns the KMS-encrypted /aws/eks/<cluster>/cluster group,
    so it is deleted with the lab. Default 30."""
    secrets_encryption: bool = True
    """Envelope-encrypt Kubernetes secrets with a customer-managed KMS key. Default true."""
    admin_principal_arn: str | None = None
    """IAM role or user given cluster-admin through an access entry. Default: the deploying role
    (`make deploy` and `make diff` pass it as CDK context deployerPrincipalArn); when set, this
    principal gets the entry instead of the deploying one."""
    workload_identity: WorkloadIdentity = WorkloadIdentity.POD_IDENTITY
    """How aws-node and the load balancer controller get AWS credentials. Default EKS Pod Identity."""

    @field_validator("admin_principal_arn")
    @classmethod
    def _principal_arn(cls, value: str | None) -> str | None:
        if value is not None and not PRINCIPAL_ARN_PATTERN.match(value):
            raise ValueError(PRINCIPAL_ARN_RULE)
        return value


class Addon(_Model):
    version: str | None = None
    """Add-on version, e.g. v1.20.1-eksbuild.3. Default: the version pinned for the cluster's
    Kubernetes version (see `ekslab config show`)."""
    resolve_conflicts: Literal["OVERWRITE", "PRESERVE", "NONE"] = "OVERWRITE"
    """What EKS does with fields changed outside the add-on. Default OVERWRITE, so the lab's
    settings win over any drift."""

    @field_validator("version")
    @classmethod
    def _version(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^v\d{1,6}\.\d{1,6}\.\d{1,6}-eksbuild\.\d{1,6}$", value):
            raise ValueError("must be an add-on version such as v1.20.1-eksbuild.3")
        return value


class Addons(_Model):
    vpc_cni: Addon = Addon()
    """The Amazon VPC CNI (vpc-cni), created before every node group."""
    kube_proxy: Addon = Addon()
    """kube-proxy, created before every node group."""
    core_dns: Addon = Addon()
    """CoreDNS, created after the node groups (it needs nodes to run on)."""
    pod_identity_agent: Addon = Addon()
    """eks-pod-identity-agent (needed for workloadIdentity podIdentity)."""


class Taint(_Model):
    key: str
    """Taint key."""
    value: str | None = None
    """Taint value (optional)."""
    effect: Literal["NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"]


AmiType = Literal[
    "AL2023_x86_64_STANDARD",
    "AL2023_ARM_64_STANDARD",
    "BOTTLEROCKET_x86_64",
    "BOTTLEROCKET_ARM_64",
]
AMI_ARCHITECTURES: Final[dict[str, str]] = {
    "AL2023_x86_64_STANDARD": "x86_64",
    "AL2023_ARM_64_STANDARD": "arm64",
    "BOTTLEROCKET_x86_64": "x86_64",
    "BOTTLEROCKET_ARM_64": "arm64",
}
"""CPU architecture of each offered AMI type (EC2 spelling)."""
NODEADM_AMI_TYPES: Final = ("AL2023_x86_64_STANDARD", "AL2023_ARM_64_STANDARD")
"""AMI types whose nodes read an AL2023 nodeadm NodeConfig from user data (how the lab sets max pods)."""


class NodeGroup(_Model):
    name: Annotated[str, Field(pattern=NODE_GROUP_NAME_PATTERN.pattern)] = defaults.NODE_GROUP_NAME
    """Node group name (unique in the lab)."""
    instance_types: Annotated[list[str], Field(min_length=1)] = [defaults.INSTANCE_TYPE]
    """EC2 instance types. Default m5.large."""
    capacity_type: Literal["ON_DEMAND", "SPOT"] = "ON_DEMAND"
    """On-demand or spot instances. Default ON_DEMAND."""
    min_size: Annotated[Int, Field(ge=0, le=MAX_NODES_PER_GROUP)] = defaults.NODE_MIN_SIZE
    """Fewest nodes. Default 3 (one per AZ)."""
    desired_size: Annotated[Int, Field(ge=0, le=MAX_NODES_PER_GROUP)] = defaults.NODE_DESIRED_SIZE
    """Nodes at deploy. Default 3."""
    max_size: Annotated[Int, Field(ge=1, le=MAX_NODES_PER_GROUP)] = defaults.NODE_MAX_SIZE
    """Most nodes; the capacity planner sizes warm pools at this size. Default 6."""
    ami_type: AmiType = defaults.AMI_TYPE
    """AMI type; its architecture (x86_64 or arm64) must match the instance types. Default AL2023 x86_64.
    Bottlerocket only where the lab does not set max pods (prefix delegation, custom networking and
    MAX_ENI do): max pods goes to nodes in an AL2023 nodeadm NodeConfig, which Bottlerocket ignores."""
    disk_size: Annotated[Int, Field(ge=8, le=16384)] = defaults.NODE_DISK_GIB
    """Size in GiB of the encrypted gp3 volume that holds images and pods: the root volume on AL2023,
    the data volume on Bottlerocket. Default 20."""
    availability_zones: list[str] | None = None
    """AZs the group's nodes go in (private subnets); leave it out for all three lab AZs (an empty
    list is refused). Default: all three lab AZs."""
    labels: dict[str, str] = {}
    """Kubernetes labels on the nodes."""
    taints: list[Taint] = []
    """Kubernetes taints on the nodes."""
    imds_hop_limit: Annotated[Int, Field(ge=1, le=64)] = defaults.IMDS_HOP_LIMIT
    """IMDSv2 response hop limit. Default 2 (pods such as the load balancer controller reach IMDS)."""


class Game2048(_Model):
    enabled: bool = True
    """Deploy the 2048 game behind an ALB. Default true."""
    replicas: Annotated[Int, Field(ge=1, le=100)] = defaults.GAME_REPLICAS
    """Game pods, spread over the three AZs. Default 5."""
    scheme: Literal["internet-facing", "internal"] = "internet-facing"
    """ALB scheme. Default internet-facing, as in the workshop."""
    image: Annotated[str, Field(pattern=IMAGE_PATTERN.pattern)] | None = None
    """Container image of the game. Default: the one in manifests/2048 (public.ecr.aws/l6m2t8p7/docker-2048,
    published only as :latest); pin a digest here, e.g. ...docker-2048@sha256:<digest>."""


class Workload(_Model):
    game2048: Game2048 = Game2048()
    """The 2048 game behind an ALB (the workshop's sample application)."""


class CiAccess(_Model):
    enabled: bool = False
    """Deploy the GitHub OIDC role for the live-lab pipeline. Default false."""
    github_repository: str | None = None
    """owner/name of the repository whose workflows may assume the role."""
    oidc_provider_arn: str | None = None
    """ARN of the account's existing GitHub OIDC provider (IAM allows one per account). Default: the
    stack creates it."""

    @field_validator("github_repository")
    @classmethod
    def _repository(cls, value: str | None) -> str | None:
        if value is not None and not re.match(
            r"^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$", value
        ):
            raise ValueError("must be a GitHub repository as owner/name")
        return value

    @field_validator("oidc_provider_arn")
    @classmethod
    def _provider_arn(cls, value: str | None) -> str | None:
        pattern = r"^arn:aws[a-z-]*:iam::\d{12}:oidc-provider/token\.actions\.githubusercontent\.com$"
        if value is not None and not re.match(pattern, value):
            raise ValueError(
                "must be the ARN of the GitHub OIDC provider, "
                "arn:aws:iam::ACCOUNT:oidc-provider/token.actions.githubusercontent.com"
            )
        return value


PolicyRule = Literal[
    "public-endpoint-open",
    "control-plane-logging-off",
    "secrets-encryption-off",
    "introspection-off-loopback",
]


ACKNOWLEDGEMENT_MIN_REASON: Final = 10


class Acknowledgement(_Model):
    rule: PolicyRule
    """A toolkit policy rule (see docs/configuration.md#policy-rules)."""
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=ACKNOWLEDGEMENT_MIN_REASON)]
    """Why the finding is accepted for this lab (at least 10 characters besides surrounding spaces)."""


class Lab(_Model):
    name: Annotated[str, Field(pattern=LAB_NAME_PATTERN.pattern)] = defaults.LAB_NAME
    """Lab name: prefixes stack names, the cluster name and exports, and tags resources. Default ekslab."""
    tags: dict[TagKey, TagValue] = {}
    """Extra tags on every resource (keys 1-128 characters, not aws:...; values up to 256)."""


class LabConfig(_Model):
    """The whole lab. Every section has defaults that reproduce the seed workshop's lab."""

    lab: Lab = Lab()
    """Name and tags of the lab."""
    region: Annotated[str, Field(pattern=REGION_PATTERN.pattern)] = defaults.REGION
    """AWS region. Default ap-northeast-2 (Seoul), as in the workshop."""
    account: Annotated[str, Field(pattern=r"^\d{12}$")] | None = None
    """AWS account id. Default: unset (the CLI's credentials decide at deploy)."""
    network: Network = Network()
    """The VPC: CIDRs, AZs, subnets, NAT, pod subnets, flow logs."""
    cluster: Cluster = Cluster()
    """The EKS control plane."""
    addons: Addons = Addons()
    """Versions of the EKS managed add-ons."""
    cni: CniSettings = CniSettings()
    """VPC CNI add-on settings, mirroring the add-on's configurationValues."""
    node_groups: list[NodeGroup] = [NodeGroup()]
    """Managed node groups. Default one m5.large group of 3 (max 6) across the three AZs."""
    workload: Workload = Workload()
    """Sample workloads."""
    ci_access: CiAccess = CiAccess()
    """The optional GitHub OIDC role of the live-lab pipeline."""
    acknowledge: list[Acknowledgement] = []
    """Toolkit policy findings accepted for this lab, each with a reason."""

    @property
    def cluster_name(self) -> str:
        return self.cluster.name or self.lab.name

    def node_group_azs(self, group: NodeGroup) -> list[str]:
        """The AZs a node group's nodes go in (all lab AZs unless the group names some)."""
        zones = (
            self.network.availability_zones if group.availability_zones is None else group.availability_zones
        )
        return list(zones)

    def acknowledged(self, rule: str) -> bool:
        return any(item.rule == rule for item in self.acknowledge)
