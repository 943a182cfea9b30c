"""Max pods per instance type against the EKS AMI's figures and an independent recomputation.

Facts: docs/reference/cni-facts.md §4 (formulas, caps) and the EKS AMI's max-pods calculator
(awslabs/amazon-eks-ami templates/al2023/runtime/max-pods-calculator.sh @ a92d9fde).
"""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import pytest

from ekslab.errors import InputError
from ekslab.limits import InstanceTypeLimits, NetworkCard, instance_type, instance_types, is_nitro, max_pods
from ekslab.limits.table import LIMITS_FILE, VCPUS_FILE, data_path

# Figures of misc/eni-max-pods.txt at github.com/aws/amazon-vpc-cni-k8s v1.23.1 (b52188387f), the file
# the EKS AMI shipped as its max-pods table (amazon-eks-ami synced it until 72b60466). Typed in by hand
# from that file, so they do not depend on the TSV or the code under test.
ENI_MAX_PODS_TXT = {
    "a1.medium": 8,
    "bmn-sf1.metal": 737,
    "c1.medium": 12,
    "c5.4xlarge": 234,
    "c5n.18xlarge": 737,
    "c6gn.16xlarge": 737,
    "c7gn.metal": 737,
    "c7i.2xlarge": 58,
    "cr1.8xlarge": 234,
    "dl1.24xlarge": 737,
    "g4dn.xlarge": 29,
    "g5.48xlarge": 345,
    "hpc7g.16xlarge": 198,
    "hs1.8xlarge": 234,
    "i4i.xlarge": 58,
    "inf1.xlarge": 38,
    "inf2.48xlarge": 737,
    "m1.small": 8,
    "m4.large": 20,
    "m5.24xlarge": 737,
    "m5.large": 29,
    "m6i.32xlarge": 737,
    "m6i.large": 29,
    "m7g.medium": 8,
    "m7i.48xlarge": 737,
    "m8g.large": 29,
    "mac1.metal": 234,
    "p3dn.24xlarge": 737,
    "p4d.24xlarge": 737,
    "p4de.24xlarge": 737,
    "p5.48xlarge": 100,
    "r6g.xlarge": 58,
    "r7iz.2xlarge": 58,
    "r8g.metal-48xl": 737,
    "t2.nano": 4,
    "t3.micro": 4,
    "t3.nano": 4,
    "t3.small": 11,
    "t4g.medium": 17,
    "t4g.nano": 4,
    "trn1.32xlarge": 247,
    "u-24tb1.metal": 737,
    "x1e.xlarge": 29,
    "x2iedn.32xlarge": 737,
}


def _raw_rows(name: str) -> list[dict[str, str]]:
    """The shipped TSV read with the csv module, not with ekslab's loader."""
    with open(data_path(name), encoding="utf-8", newline="") as stream:
        return list(csv.DictReader((line for line in stream if not line.startswith("#")), delimiter="\t"))


RAW = {row["instance_type"]: row for row in _raw_rows(LIMITS_FILE)}
RAW_VCPUS = {row["instance_type"]: int(row["vcpus"]) for row in _raw_rows(VCPUS_FILE)}


def _expected(row: dict[str, str], *, pd: bool = False, cn: bool = False, max_eni: int | None = None) -> int:
    # Written independently of ekslab.limits: the calculator's steps, one by one.
    enis = int(row["enis"]) if max_eni is None else min(max_eni, int(row["enis"]))
    if cn:
        enis -= 1
    ips = int(row["ipv4_per_eni"])
    prefix_capable = row["hypervisor"] == "nitro" or row["is_bare_metal"] == "true"
    per_eni = (ips - 1) * 16 if pd and prefix_capable else ips - 1
    return enis * per_eni + 2


@pytest.mark.parametrize(("name", "figure"), sorted(ENI_MAX_PODS_TXT.items()))
def test_secondary_ip_max_pods_matches_the_eks_ami_table(name: str, figure: int) -> None:
    # GIVEN a type listed in the AMI's eni-max-pods.txt  WHEN max pods is computed in secondary-IP mode
    result = max_pods(instance_type(name), prefix_delegation=False, custom_networking=False, max_eni=None)
    # THEN the uncapped value is the table's
    assert result.max_pods_uncapped == figure


RECORDED_ENI_MAX_PODS = Path(__file__).parent / "recorded" / "eni-max-pods.txt"
"""The EKS AMI's eni-max-pods.txt, verbatim; source (repository, path, commit, date) in its header."""

# Types whose AMI figure differs from the secondary-IP formula for a known reason, with that reason.
# None today: every type the file and the shipped table share agrees.
KNOWN_AMI_DIFFERENCES: dict[str, str] = {}


def _recorded_eni_max_pods() -> dict[str, int]:
    figures = {}
    for line in RECORDED_ENI_MAX_PODS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, figure = line.split()
            figures[name] = int(figure)
    return figures


def test_secondary_ip_max_pods_matches_the_recorded_eks_ami_file_for_every_shared_type() -> None:
    # GIVEN the AMI's eni-max-pods.txt (1,197 types @ amazon-eks-ami 2377b69a, 2026-02-27)
    recorded = _recorded_eni_max_pods()
    shared = sorted(set(recorded) & set(instance_types()))
    # WHEN max pods is computed in secondary-IP mode for every type the shipped table also has
    mismatches = {
        name: (got, recorded[name])
        for name in shared
        if (
            got := max_pods(
                instance_type(name), prefix_delegation=False, custom_networking=False, max_eni=None
            ).max_pods_uncapped
        )
        != recorded[name]
    }
    # THEN all of them are shared (the table is newer), and only the listed types differ
    assert (len(recorded), len(shared)) == (1197, 1197)
    assert set(mismatches) == set(KNOWN_AMI_DIFFERENCES), mismatches


def test_shipped_table_has_every_type_of_the_cni_release() -> None:
    # cni-facts.md §4: eni-limits.tsv holds 1,391 types @ b52188387f.
    assert (len(instance_types()), len(RAW)) == (1391, 1391)


@pytest.mark.parametrize(
    ("mode", "kwargs"),
    [
        ("secondary", {}),
        ("prefix delegation", {"pd": True}),
        ("custom networking", {"cn": True}),
        ("prefix delegation + custom networking", {"pd": True, "cn": True}),
        ("MAX_ENI 2", {"max_eni": 2}),
        ("MAX_ENI 2 + custom networking", {"max_eni": 2, "cn": True}),
    ],
)
def test_every_shipped_type_matches_a_brute_force_recomputation(mode: str, kwargs: dict) -> None:
    # GIVEN every row of the shipped TSV, read with csv  WHEN max pods is computed in one mode
    mismatches = {
        name: (got, want)
        for name, row in RAW.items()
        if (
            got := max_pods(
                instance_type(name),
                prefix_delegation=kwargs.get("pd", False),
                custom_networking=kwargs.get("cn", False),
                max_eni=kwargs.get("max_eni"),
            ).max_pods_uncapped
        )
        != (want := _expected(row, **kwargs))
    }
    # THEN no type differs from the independent computation
    assert mismatches == {}


def test_recommended_value_is_capped_by_vcpus_for_every_type_with_a_known_count() -> None:
    # Calculator: min(110, max pods) when vCPUs <= 30, else min(250, max pods).
    mismatches = {}
    for name, row in RAW.items():
        result = max_pods(instance_type(name), prefix_delegation=True, custom_networking=False, max_eni=None)
        vcpus = RAW_VCPUS.get(name)
        # An unknown count gets the lower ceiling, which holds whatever the count is.
        want = min(110 if vcpus is None or vcpus <= 30 else 250, _expected(row, pd=True))
        if result.max_pods != want:
            mismatches[name] = (result.max_pods, want)
    assert mismatches == {}


@pytest.mark.parametrize(
    ("name", "pd", "cn", "max_eni", "expected"),
    [
        ("m5.large", True, False, None, (110, 434)),  # 2 vCPUs: the 110 cap
        ("m5.24xlarge", True, False, None, (250, 11762)),  # 96 vCPUs: the 250 cap
        ("c5.4xlarge", False, False, None, (110, 234)),  # cni-facts §4 example 8 x 30 -> 234
        ("m5.large", False, True, None, (20, 20)),  # examples/custom-networking.yaml: 2 x 9 + 2
        ("m5.large", False, False, 2, (20, 20)),  # MAX_ENI caps ENIs
        ("m5.large", False, False, 5, (29, 29)),  # MAX_ENI above the limit changes nothing
        ("m5.large", False, True, 1, (2, 2)),  # MAX_ENI 1 + custom networking: no ENI for pods
        ("p5.48xlarge", False, False, None, (100, 100)),  # cni-facts §4: 2 ENIs on card 0 of 32 x 50
    ],
)
def test_max_pods_examples(
    name: str, pd: bool, cn: bool, max_eni: int | None, expected: tuple[int, int]
) -> None:
    result = max_pods(instance_type(name), prefix_delegation=pd, custom_networking=cn, max_eni=max_eni)
    assert (result.max_pods, result.max_pods_uncapped) == expected


@pytest.mark.parametrize(("vcpus", "cap"), [(30, 110), (31, 250)])
def test_cap_rises_above_30_vcpus(vcpus: int, cap: int) -> None:
    # Calculator: 250 only if CPU_COUNT -gt 30 (cni-facts.md §4). No shipped type has 30 or 31 vCPUs,
    # so the boundary is tried on c5.4xlarge's row with another vCPU count.
    # GIVEN a type whose prefix-delegation max pods (8 x (29 x 16) + 2 = 3714) is above both caps
    limits = dataclasses.replace(instance_type("c5.4xlarge"), vcpus=vcpus)
    # WHEN max pods is computed
    result = max_pods(limits, prefix_delegation=True, custom_networking=False, max_eni=None)
    # THEN the recommendation is the cap for that vCPU count
    assert (result.cap, result.max_pods, result.max_pods_uncapped) == (cap, cap, 3714)


def test_unknown_vcpus_cap_max_pods_at_the_lower_ceiling_and_say_so() -> None:
    # GIVEN a type without a vCPU count (absent from vcpus.tsv: no public DescribeInstanceTypes shape)
    limits = instance_type("c7i.32xlarge")
    # WHEN max pods is computed with prefix delegation
    result = max_pods(limits, prefix_delegation=True, custom_networking=False, max_eni=None)
    # THEN the recommendation is the lower ceiling, never the uncapped 15 x (49 x 16) + 2, with a note
    assert (limits.vcpus, result.cap, result.max_pods, result.max_pods_uncapped, result.notes) == (
        None,
        110,
        110,
        11762,
        (
            "vCPU count of c7i.32xlarge unknown: max pods capped at 110, the calculator's ceiling for "
            "30 vCPUs or fewer (250 above)",
        ),
    )


@pytest.mark.parametrize(
    ("name", "vcpus"),
    [
        ("g4ad.4xlarge", 16),  # kubernetes/autoscaler ec2_instance_types.go (vcpus.tsv header)
        ("p3.16xlarge", 64),
        ("dl1.24xlarge", 96),
        ("u-24tb1.metal", 448),  # a retired type, from the last autoscaler list that had it
    ],
)
def test_types_moto_lacks_have_their_vcpu_count(name: str, vcpus: int) -> None:
    assert instance_type(name).vcpus == vcpus


def test_g4ad_4xlarge_with_prefix_delegation_is_capped_at_110_as_eks_caps_it() -> None:
    # The example: 16 vCPUs, so the 110 ceiling, not the 434 the ENIs allow.
    result = max_pods(
        instance_type("g4ad.4xlarge"), prefix_delegation=True, custom_networking=False, max_eni=None
    )
    assert (result.max_pods, result.max_pods_uncapped, result.notes) == (110, 434, ())


def test_prefix_delegation_on_xen_falls_back_to_secondary_ips() -> None:
    result = max_pods(
        instance_type("c1.medium"), prefix_delegation=True, custom_networking=False, max_eni=None
    )
    assert (result.prefix_delegation, result.max_pods_uncapped, result.notes) == (
        False,
        12,
        (
            "prefix delegation needs a Nitro or bare-metal type; c1.medium has hypervisor xen, so "
            "ipamd falls back to secondary IPs",
        ),
    )


@pytest.mark.parametrize(
    ("version", "applied"), [("1.8.0", False), ("v1.9.0", True), ("v1.20.1-eksbuild.3", True), ("2.0", True)]
)
def test_prefix_delegation_needs_cni_1_9(version: str, applied: bool) -> None:
    # Calculator: PREFIX_DELEGATION_SUPPORTED when major > 1 or minor > 8.
    result = max_pods(
        instance_type("m5.large"),
        prefix_delegation=True,
        custom_networking=False,
        max_eni=None,
        cni_version=version,
    )
    assert result.prefix_delegation is applied


def test_bad_cni_version_is_an_input_error() -> None:
    with pytest.raises(InputError) as caught:
        max_pods(
            instance_type("m5.large"),
            prefix_delegation=True,
            custom_networking=False,
            max_eni=None,
            cni_version="latest",
        )
    assert caught.value.message == (
        "cni_version: must be a VPC CNI version such as 1.20.1 or v1.20.1-eksbuild.3, got 'latest'"
    )


@pytest.mark.parametrize(
    ("name", "nitro"),
    [("m5.large", True), ("c4.large", False), ("a1.metal", True), ("cr1.8xlarge", False)],
    ids=["nitro", "xen", "bare metal, hypervisor unknown", "unknown hypervisor, not metal"],
)
def test_is_nitro_follows_ipamd(name: str, nitro: bool) -> None:
    # awsutils IsPrefixDelegationSupported: hypervisor nitro, or bare metal.
    assert is_nitro(instance_type(name)) is nitro


def test_unknown_instance_type_names_the_closest_ones() -> None:
    with pytest.raises(InputError) as caught:
        instance_type("m5.larg")
    assert caught.value.message == (
        "instance type: must be an EC2 instance type in the ENI limits table (1391 types), got 'm5.larg' "
        "(did you mean 'm5.large', 'm5n.large', 'm5d.large'?)"
    )


def test_max_eni_below_one_is_refused() -> None:
    with pytest.raises(InputError, match=r"^MAX_ENI: must be an integer >= 1, got 0$"):
        max_pods(instance_type("m5.large"), prefix_delegation=False, custom_networking=False, max_eni=0)


def test_formula_shows_the_arithmetic() -> None:
    result = max_pods(instance_type("m5.large"), prefix_delegation=True, custom_networking=True, max_eni=None)
    assert result.formula == "2 x ((10 - 1) x 16) + 2 = 290"


def test_limits_record_what_other_parts_need() -> None:
    # Row of m5.large in eni-limits.tsv: 3 ENIs x 10, nitro, trunking with 9 branch interfaces; 2 vCPUs.
    assert instance_type("m5.large") == InstanceTypeLimits(
        name="m5.large",
        enis=3,
        ipv4_per_eni=10,
        hypervisor="nitro",
        is_bare_metal=False,
        is_trunking_compatible=True,
        branch_interfaces=9,
        default_network_card_index=0,
        network_cards=(NetworkCard(index=0, maximum_network_interfaces=3),),
        vcpus=2,
    )


def test_multi_card_types_keep_every_card_but_count_enis_of_the_default_one() -> None:
    # cni-facts §4: p5.48xlarge has 32 cards of 2 ENIs; the CNI uses card 0 only.
    limits = instance_type("p5.48xlarge")
    assert (limits.enis, len(limits.network_cards), limits.network_cards[31]) == (2, 32, NetworkCard(31, 2))
