"""Bad configurations are refused with one line naming the key path, the rule and the value given."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from ekslab.config.loader import ConfigError
from ekslab.errors import InputError
from ekslab.lab import load_config


def _write(tmp_path: Path, text: str) -> Path:
    file = tmp_path / "lab.yaml"
    file.write_text(textwrap.dedent(text))
    return file


def _refusal(tmp_path: Path, text: str) -> str:
    file = _write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(file)
    return caught.value.message.replace(str(file), "lab.yaml")


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        pytest.param(
            "cni: {env: {WARM_IP_TARGT: 3}}",
            "lab.yaml: cni.env.WARM_IP_TARGT: unknown key (did you mean 'WARM_IP_TARGET'?)",
            id="unknown-env-key-suggests-closest",
        ),
        pytest.param(
            "cni: {env: {AWS_EXTERNAL_SERVICE_CIDR: 10.0.0.0/8}}",
            "lab.yaml: cni.env.AWS_EXTERNAL_SERVICE_CIDR: unknown key (did you mean 'AWS_EXTERNAL_SERVICE_CIDRS'?)",
            id="blueprints-misspelling",
        ),
        pytest.param(
            "cni: {env: {warm_ip_target: 3}}",
            "lab.yaml: cni.env.warm_ip_target: unknown key (did you mean 'WARM_IP_TARGET'?)",
            id="wrong-case",
        ),
        pytest.param(
            "cni: {eniConfig: {create: true, region: us-west-2}}",
            "lab.yaml: cni.eniConfig: is set by the toolkit from network.podSubnets.enabled (a pod subnet and "
            "ENIConfig in every AZ); remove it and set network.podSubnets.enabled instead",
            id="eniconfig-is-the-labs",  # a real add-on key the lab writes itself (ekslab.cni.render)
        ),
        pytest.param(
            "cni: {env: {WARM_IPS: 3}}",
            "lab.yaml: cni.env.WARM_IPS: unknown key (did you mean 'WARM_IP_TARGET'?)",
            id="loose-typo-suggests-closest",  # difflib ratio 0.64 against WARM_IP_TARGET
        ),
        pytest.param(
            "cni: {env: {WARMIP: 3}}",
            "lab.yaml: cni.env.WARMIP: unknown key (did you mean 'WARM_IP_TARGET'?)",
            id="typo-at-the-suggestion-cutoff",  # difflib ratio exactly 0.6, the cutoff
        ),
        pytest.param(
            "cni: {env: {enableNetworkPolicy: true}}",
            "lab.yaml: cni.env.enableNetworkPolicy: unknown key "
            "(it is a top-level add-on key: cni.enableNetworkPolicy)",
            id="add-on-key-in-env",
        ),
        pytest.param(
            "cni: {env: {DISABLE_TCP_EARLY_DEMUX: true}}",
            "lab.yaml: cni.env.DISABLE_TCP_EARLY_DEMUX: unknown key "
            "(it belongs under cni.init.env, the init container's environment)",
            id="init-key-in-main-env",
        ),
        pytest.param(
            "cni: {WARM_IP_TARGET: 3}",
            "lab.yaml: cni.WARM_IP_TARGET: unknown key "
            "(environment variables go under cni.env: cni.env.WARM_IP_TARGET)",
            id="env-key-at-cni-level",
        ),
        pytest.param(
            "cni: {env: {AWS_VPC_ENI_MTU: 9500}}",
            "lab.yaml: cni.env.AWS_VPC_ENI_MTU: must be an integer between 576 and 9001, got 9500",
            id="mtu-out-of-range",  # README AWS_VPC_ENI_MTU: 576-9001 for IPv4 (cni-facts.md §2.1)
        ),
        pytest.param(
            "cni: {env: {WARM_IP_TARGET: -1}}",
            "lab.yaml: cni.env.WARM_IP_TARGET: must be an integer >= 0, got -1",
            id="negative-target",
        ),
        pytest.param(
            "cni: {env: {WARM_IP_TARGET: five}}",
            "lab.yaml: cni.env.WARM_IP_TARGET: must be an integer >= 0, got 'five'",
            id="not-an-integer",
        ),
        pytest.param(
            "cni: {env: {WARM_ENI_TARGET: true}}",
            "lab.yaml: cni.env.WARM_ENI_TARGET: must be an integer >= 0, got true",
            id="bool-is-not-an-integer",
        ),
        pytest.param(
            "cni: {env: {ENABLE_PREFIX_DELEGATION: maybe}}",
            "lab.yaml: cni.env.ENABLE_PREFIX_DELEGATION: must be true or false, got 'maybe'",
            id="not-a-bool",
        ),
        pytest.param(
            "cni: {env: {AWS_VPC_K8S_CNI_RANDOMIZESNAT: random}}",
            "lab.yaml: cni.env.AWS_VPC_K8S_CNI_RANDOMIZESNAT: must be one of 'hashrandom', 'prng' or 'none', "
            "got 'random'",
            id="enum",
        ),
        pytest.param(
            "cni: {env: {AWS_VPC_K8S_CNI_VETHPREFIX: veths}}",
            "lab.yaml: cni.env.AWS_VPC_K8S_CNI_VETHPREFIX: must be 1 to 4 characters and not one of eth, lo, vlan, "
            "got 'veths'",
            id="veth-prefix-too-long",
        ),
        pytest.param(
            "cni: {env: {AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS: '10.0.0.0/8,not-a-cidr'}}",
            "lab.yaml: cni.env.AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS: must be an IPv4 CIDR such as 10.0.0.0/16, "
            "got 'not-a-cidr'",
            id="cidr-list-item",
        ),
        pytest.param(
            "network: {vpcCidr: 10.11.0.0/33}",
            "lab.yaml: network.vpcCidr: must be an IPv4 CIDR such as 10.0.0.0/16, got '10.11.0.0/33'",
            id="bad-vpc-cidr",
        ),
        pytest.param(
            "network: {natGateways: two}",
            "lab.yaml: network.natGateways: must be one of 'none', 'single' or 'perAz', got 'two'",
            id="nat-mode",
        ),
        pytest.param(
            "network: {vpcCIdr: 10.0.0.0/16}",
            "lab.yaml: network.vpcCIdr: unknown key (did you mean 'vpcCidr'?)",
            id="camel-case-typo",
        ),
        pytest.param(
            "lab: {name: Bad_Name}",
            "lab.yaml: lab.name: must be 1 to 20 characters of lower-case letters, digits and '-', starting with "
            "a letter, got 'Bad_Name'",
            id="lab-name",
        ),
        pytest.param(
            "nodeGroups: [{name: ng, maxSize: 0}]",
            "lab.yaml: nodeGroups[0].maxSize: must be an integer between 1 and 450, got 0",
            id="node-group-size",
        ),
        pytest.param(
            "network: {availabilityZones: [ap-northeast-2a, ap-northeast-2b]}",
            "lab.yaml: network.availabilityZones: must list exactly 3 distinct availability zones, "
            "got ['ap-northeast-2a', 'ap-northeast-2b']",
            id="two-azs",
        ),
        pytest.param(
            "network: {availabilityZones: [ap-northeast-2a, ap-northeast-2a, ap-northeast-2c]}",
            "lab.yaml: network.availabilityZones: must list exactly 3 distinct availability zones, "
            "got ['ap-northeast-2a', 'ap-northeast-2a', 'ap-northeast-2c']",
            id="duplicate-az",
        ),
        pytest.param(
            "network: {availabilityZones: [us-west-2a, us-west-2b, us-west-2c]}",
            "lab.yaml: network.availabilityZones[0]: must be an availability zone of region ap-northeast-2 "
            "(ap-northeast-2a, ap-northeast-2b, ...), got 'us-west-2a'\n"
            "lab.yaml: network.availabilityZones[1]: must be an availability zone of region ap-northeast-2 "
            "(ap-northeast-2a, ap-northeast-2b, ...), got 'us-west-2b'\n"
            "lab.yaml: network.availabilityZones[2]: must be an availability zone of region ap-northeast-2 "
            "(ap-northeast-2a, ap-northeast-2b, ...), got 'us-west-2c'",
            id="azs-of-another-region",
        ),
        pytest.param(
            "network: {vpcCidr: 10.0.0.0/20}",
            "lab.yaml: network.subnets.privatePrefixLength: 3 private subnets of /20 do not fit in network.vpcCidr "
            "10.0.0.0/20 after the subnets before them; use a longer prefix or a larger CIDR, got 20",
            id="subnets-do-not-fit",
        ),
        pytest.param(
            "network: {podSubnets: {enabled: true, cidr: 10.11.0.0/16}}",
            "lab.yaml: network.podSubnets.cidr: must not overlap network.vpcCidr (10.11.0.0/16), got '10.11.0.0/16'",
            id="pod-cidr-overlaps-vpc",
        ),
        pytest.param(
            "network: {natGateways: none}",
            "lab.yaml: network.natGateways: must be single or perAz when there are node groups: nodes in private "
            "subnets need a NAT gateway to pull images and reach AWS APIs, got 'none'",
            id="no-nat-with-nodes",
        ),
        pytest.param(
            "nodeGroups: [{name: ng, minSize: 3, desiredSize: 2, maxSize: 4}]",
            "lab.yaml: nodeGroups[0]: must satisfy minSize <= desiredSize <= maxSize, got minSize 3, desiredSize 2, "
            "maxSize 4",
            id="sizes-out-of-order",
        ),
        pytest.param(
            "nodeGroups: [{name: ng}, {name: ng}]",
            "lab.yaml: nodeGroups: names must be unique; 2 groups are named 'ng'",
            id="duplicate-group-names",
        ),
        pytest.param(
            "nodeGroups: []",
            "lab.yaml: nodeGroups: must include at least one group without NO_SCHEDULE or NO_EXECUTE taints: CoreDNS, "
            "the load balancer controller and the 2048 game run there, got none",
            id="no-node-groups",
        ),
        pytest.param(
            "nodeGroups: [{name: gpu, taints: [{key: gpu, effect: NO_SCHEDULE}]}]",
            "lab.yaml: nodeGroups: must include at least one group without NO_SCHEDULE or NO_EXECUTE taints: CoreDNS, "
            "the load balancer controller and the 2048 game run there, got all 1 tainted",
            id="every-group-tainted",
        ),
        pytest.param(
            "workload: {game2048: {image: 'Not An Image'}}",
            "lab.yaml: workload.game2048.image: must be an image reference such as public.ecr.aws/owner/name:tag or "
            "...name@sha256:<64 hex digits>, got 'Not An Image'",
            id="bad-image-reference",
        ),
        pytest.param(
            "cluster: {logging: [api]}",
            "lab.yaml: cluster.logging: must include api, audit and authenticator (control-plane logs are the audit "
            "trail), got ['api'] (rule control-plane-logging-off; to accept it add "
            "{rule: control-plane-logging-off, reason: ...} to acknowledge)",
            id="logging-off",
        ),
        pytest.param(
            "cluster: {secretsEncryption: false}",
            "lab.yaml: cluster.secretsEncryption: must be true: Kubernetes secrets are envelope-encrypted with a "
            "customer-managed KMS key, got false (rule secrets-encryption-off; to accept it add "
            "{rule: secrets-encryption-off, reason: ...} to acknowledge)",
            id="no-secrets-encryption",
        ),
        pytest.param(
            "ciAccess: {enabled: true}",
            "lab.yaml: ciAccess.githubRepository: is required when ciAccess.enabled is true",
            id="ci-access-without-repository",
        ),
        pytest.param(
            "acknowledge: [{rule: secrets-encryption-off, reason: short}]",
            "lab.yaml: acknowledge[0].reason: must be at least 10 characters, got 'short'",
            id="acknowledgement-without-real-reason",
        ),
        pytest.param(
            "cluster: {adminPrincipalArn: 'arn:aws:iam::123456789012:group/Admins'}",
            "lab.yaml: cluster.adminPrincipalArn: must be an IAM role or user ARN such as "
            "arn:aws:iam::123456789012:role/Admin, got 'arn:aws:iam::123456789012:group/Admins'",
            id="admin-group-arn",  # access entries name one principal; a group is not one
        ),
        pytest.param(
            "cluster: {adminPrincipalArn: 'arn:aws:sts::123456789012:assumed-role/Admin/alice'}",
            "lab.yaml: cluster.adminPrincipalArn: must be an IAM role or user ARN such as "
            "arn:aws:iam::123456789012:role/Admin, got 'arn:aws:sts::123456789012:assumed-role/Admin/alice'",
            id="admin-sts-session-arn",  # API_CreateAccessEntry: STS session principals cannot be used
        ),
        pytest.param(
            "cluster: {adminPrincipalArn: admin}",
            "lab.yaml: cluster.adminPrincipalArn: must be an IAM role or user ARN such as "
            "arn:aws:iam::123456789012:role/Admin, got 'admin'",
            id="admin-not-an-arn",
        ),
        pytest.param(
            "region: Seoul",
            "lab.yaml: region: must be an AWS region name such as ap-northeast-2, got 'Seoul'",
            id="region",
        ),
        pytest.param(
            "network: {vpcCidr: 123}",
            "lab.yaml: network.vpcCidr: must be an IPv4 CIDR written with its prefix length, "
            "such as 10.11.0.0/16, got 123",
            id="cidr-as-a-number",  # pydantic alone would read it as 0.0.0.123/32
        ),
        pytest.param(
            "network: {vpcCidr: '10.11.0.0'}",
            "lab.yaml: network.vpcCidr: must be an IPv4 CIDR written with its prefix length, "
            "such as 10.11.0.0/16, got '10.11.0.0'",
            id="cidr-without-prefix",
        ),
        pytest.param(
            "network: {vpcCidr: 10.0.0.0/8}",
            "lab.yaml: network.vpcCidr: must be a VPC CIDR block between /16 and /28, got '10.0.0.0/8'",
            id="vpc-cidr-too-large",  # https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html
        ),
        pytest.param(
            "network: {podSubnets: {enabled: true, cidr: 100.64.0.0/10}}",
            "lab.yaml: network.podSubnets.cidr: must be a VPC CIDR block between /16 and /28, got '100.64.0.0/10'",
            id="pod-cidr-too-large",
        ),
        pytest.param(
            "cluster: {publicAccessCidrs: [203.0.113.10]}",
            "lab.yaml: cluster.publicAccessCidrs[0]: must be an IPv4 CIDR written with its prefix length, "
            "such as 10.11.0.0/16, got '203.0.113.10'",
            id="allow-list-address-without-prefix",
        ),
        pytest.param(
            "cluster: {name: 'my lab'}",
            "lab.yaml: cluster.name: must be 1 to 100 letters, digits, '-' or '_', starting with a letter or digit, "
            "got 'my lab'",
            id="cluster-name",  # EKS CreateCluster: name pattern ^[0-9A-Za-z][A-Za-z0-9\-_]*, 1-100 characters
        ),
        pytest.param(
            "lab: {tags: {'aws:team': net}}",
            "lab.yaml: lab.tags.aws:team: must not start with 'aws:' (reserved for AWS), got 'aws:team'",
            id="reserved-tag-prefix",
        ),
        pytest.param(
            f"lab: {{tags: {{team: {'x' * 257}}}}}",
            f"lab.yaml: lab.tags.team: must be at most 256 characters, got '{'x' * 76}...",
            id="tag-value-too-long",
        ),
        pytest.param(
            "cni: {env: {WARM_IP_TARGET: 2147483648}}",
            "lab.yaml: cni.env.WARM_IP_TARGET: is too large (at most 2147483647), got 2147483648",
            id="integer-beyond-go-int32",
        ),
        pytest.param(
            "surprise: 1",
            "lab.yaml: surprise: unknown key (allowed: account, acknowledge, addons, ciAccess, cluster, cni, lab, "
            "network, nodeGroups, region, workload)",
            id="unknown-section",
        ),
    ],
)
def test_bad_configuration_is_refused_with_one_line_per_problem(
    tmp_path: Path, yaml_text: str, message: str
) -> None:
    # GIVEN a configuration with one mistake  WHEN it is loaded  THEN the exact line(s) name it
    assert _refusal(tmp_path, yaml_text) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "cni:\n  env:\n    WARM_IP_TARGET: 1\n    WARM_IP_TARGET: 2\n",
            "lab.yaml: line 4: duplicate key, got 'WARM_IP_TARGET'",
        ),
        ("cni: [\n", "lab.yaml:2:1: is not valid YAML (expected the node content, but found '<stream end>')"),
        (
            "- just\n- a list\n",
            "lab.yaml: must be a YAML mapping of sections (lab, network, cluster, cni, ...), got 'list'",
        ),
    ],
    ids=["duplicate-key", "broken-yaml", "not-a-mapping"],
)
def test_unreadable_file_is_one_line(tmp_path: Path, text: str, message: str) -> None:
    file = _write(tmp_path, text)
    with pytest.raises(InputError) as caught:
        load_config(file)
    assert caught.value.message.replace(str(file), "lab.yaml") == message


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load_config(tmp_path / "nope.yaml")
    assert caught.value.message == f"{tmp_path / 'nope.yaml'}: no such configuration file"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda path: path.mkdir(), "lab.yaml: is a directory, expected a YAML configuration file"),
        (
            lambda path: path.write_bytes(b"lab: {name: caf\xe9}\n"),  # 15 bytes before the Latin-1 é
            "lab.yaml: is not UTF-8 text (byte 15)",
        ),
        (
            lambda path: path.write_text("# padding\n" * 200_000),
            "lab.yaml: is larger than the 1,000,000 bytes allowed for a YAML configuration file, got 2,000,000 bytes",
        ),
    ],
    ids=["directory", "not-utf8", "too-large"],
)
def test_file_that_is_not_a_readable_config_is_one_line(
    tmp_path: Path, make: Callable[[Path], object], message: str
) -> None:
    # GIVEN a path that is not a readable YAML file  WHEN loading it  THEN one line naming it
    path = tmp_path / "lab.yaml"
    make(path)
    with pytest.raises(InputError) as caught:
        load_config(path)
    assert caught.value.message.replace(str(path), "lab.yaml") == message


def test_every_problem_is_listed(tmp_path: Path) -> None:
    # GIVEN two independent mistakes  THEN both are reported, one line each
    message = _refusal(tmp_path, "cni: {env: {WARM_IP_TARGET: -1, MAX_ENI: 0}}")
    assert message.splitlines() == [
        "lab.yaml: cni.env.WARM_IP_TARGET: must be an integer >= 0, got -1",
        "lab.yaml: cni.env.MAX_ENI: must be an integer >= 1, got 0",
    ]


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:iam::123456789012:role/Admin",
        "arn:aws:iam::123456789012:role/development/apps/my-role",  # role paths are allowed in access entries
        "arn:aws:iam::123456789012:user/alice",
        "arn:aws-cn:iam::123456789012:role/Admin",
    ],
    ids=["role", "role-with-path", "user", "china-partition"],
)
def test_admin_principal_accepts_roles_and_users(tmp_path: Path, arn: str) -> None:
    config = load_config(_write(tmp_path, f"cluster: {{adminPrincipalArn: '{arn}'}}"))
    assert config.cluster.admin_principal_arn == arn
