"""/v1/enis bodies of every CNI format era normalise to the same model (cni-facts.md §1.3, eras A-G)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ekslab.ipamd import FORMAT_VERSIONS, IpamdFormatError, parse_enis
from ekslab.jsondoc import parse_documents

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ipamd"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def assigned(body: Any) -> dict[str, tuple[str, str | None, str | None]]:
    """{ip: (eni, namespace, pod)} of every assigned address."""
    return {
        address.ip: (eni.eni_id, address.pod_namespace, address.pod_name)
        for eni, address in parse_enis(body).assigned()
    }


# GIVEN a body of each era WHEN parsed THEN its era, ENIs and assigned IPs come out the same way.
@pytest.mark.parametrize(
    ("fixture", "era", "enis", "assigned_ips"),
    [
        # §1.3 A (v1.0-v1.4): addresses are {"Assigned": bool} only; the IP is the map key.
        ("enis-a-v1.3.json", "A", 2, {"192.168.12.101", "192.168.12.102", "192.168.14.21"}),
        # §1.3 A (v1.5-v1.6): Address/UnassignedTime exported; docs spell the ENI id field "Id".
        ("enis-a-v1.6.json", "A", 1, {"192.168.12.101", "192.168.12.102"}),
        # §1.3 B (v1.7): no Assigned flag, a non-zero IPAMKey means assigned, migrated entries count.
        ("enis-b-v1.7.json", "B", 2, {"192.168.12.101", "192.168.12.102", "192.168.14.21"}),
        # §1.3 C (v1.9): AvailableIPv4Cidrs; an unused /32 beside a /28 prefix.
        ("enis-c-v1.9.json", "C", 1, {"192.168.45.16", "192.168.45.17"}),
        # §1.3 D (v1.10): IPAddresses, IPv6Cidrs /80.
        ("enis-d-v1.10-ipv6.json", "D", 1, {"2600:1f14:abc:de01:8f00::", "2600:1f14:abc:de01:8f00::1"}),
        # §1.3 E (v1.11): released in cooldown (.17) is not assigned; re-assigned after release (.18) is.
        ("enis-e-v1.11.json", "E", 1, {"192.168.45.16", "192.168.45.18", "192.168.45.32"}),
        # §1.3 F (v1.20): wrapped by network card.
        ("enis-f-v1.20.json", "F", 3, {"192.168.12.101", "192.168.14.21", "192.168.16.40"}),
        # §1.3 G (v1.23): containerID/ifName scrubbed; networkName still marks the assignment.
        ("enis-g-v1.23.json", "G", 2, {"192.168.45.16", "192.168.47.224"}),
    ],
)
def test_every_era_normalises(fixture: str, era: str, enis: int, assigned_ips: set[str]) -> None:
    result = parse_enis(load(fixture))
    assert (result.format, len(result.enis), set(assigned(load(fixture)))) == (era, enis, assigned_ips)


def test_every_era_names_the_cni_versions_that_serve_it() -> None:
    # cni-facts.md §1.3: eras A to G, one CNI version range each, newest open-ended.
    assert (sorted(FORMAT_VERSIONS), FORMAT_VERSIONS["A"], FORMAT_VERSIONS["G"]) == (
        list("ABCDEFG"),
        "CNI v1.0-v1.6",
        "CNI v1.23+",
    )


def test_era_a_v13_keeps_the_device_number_and_primary_flag() -> None:
    result = parse_enis(load("enis-a-v1.3.json"))
    assert [(eni.eni_id, eni.device_number, eni.is_primary) for eni in result.enis] == [
        ("eni-0a1b2c3d4e5f60001", 0, True),
        ("eni-0a1b2c3d4e5f60002", 2, False),
    ]


def test_docs_spelling_id_is_accepted() -> None:
    # §1.3 A: docs/troubleshooting.md shows "Id"; the code field is "ID". Both name the ENI.
    body = load("enis-a-v1.6.json")
    body["ENIIPPools"] = {"some-key": body["ENIIPPools"]["eni-0a1b2c3d4e5f60001"]}
    assert parse_enis(body).enis[0].eni_id == "eni-0a1b2c3d4e5f60001"


def test_pod_names_come_from_ipamd_metadata_from_v1_11() -> None:
    assert assigned(load("enis-e-v1.11.json"))["192.168.45.18"] == (
        "eni-0a1b2c3d4e5f60001",
        "game-2048",
        "deployment-2048-7df5f9886b-4kq9z",
    )


def test_pod_names_are_unknown_before_v1_11() -> None:
    assert assigned(load("enis-b-v1.7.json"))["192.168.12.102"] == ("eni-0a1b2c3d4e5f60001", None, None)


def test_released_address_stays_listed_but_unassigned() -> None:
    # §1.3 E: on release IPAMKey is zeroed and UnassignedTime set; the entry stays during cooldown.
    index = parse_enis(load("enis-e-v1.11.json")).address_index()
    assert index["192.168.45.17"][1].assigned is False


def test_scrubbed_container_id_reads_as_none() -> None:
    index = parse_enis(load("enis-g-v1.23.json")).address_index()
    address = index["192.168.45.16"][1]
    assert (address.network_name, address.container_id, address.if_name) == ("aws-cni", None, None)


def test_unassigned_time_after_assigned_time_means_released_even_with_a_key() -> None:
    # §1.3 G: from v1.23 treat UnassignedTime > AssignedTime as released.
    body = load("enis-g-v1.23.json")
    entry = body["0"]["ENIs"]["eni-0a1b2c3d4e5f60001"]["AvailableIPv4Cidrs"]["192.168.45.16/28"][
        "IPAddresses"
    ]["192.168.45.16"]
    entry["UnassignedTime"] = "2026-09-02T00:00:00.000000001Z"
    assert "192.168.45.16" not in assigned(body)


def v1_23_address(assigned_time: str, unassigned_time: str) -> dict[str, Any]:
    """The v1.23 body with 192.168.45.16 given these times (its IPAMKey and pod name are kept)."""
    body = load("enis-g-v1.23.json")
    entry = body["0"]["ENIs"]["eni-0a1b2c3d4e5f60001"]["AvailableIPv4Cidrs"]["192.168.45.16/28"][
        "IPAddresses"
    ]["192.168.45.16"]
    entry["AssignedTime"], entry["UnassignedTime"] = assigned_time, unassigned_time
    return body


# Go always writes a zone (RFC3339Nano); a hand-edited time without one is read as UTC, so a time
# with a zone and one without still compare (they used to raise TypeError).
@pytest.mark.parametrize(
    ("assigned_time", "unassigned_time", "still_assigned"),
    [
        ("2026-09-01T08:00:00", "2026-09-01T07:00:00Z", True),
        ("2026-09-01T06:00:00", "2026-09-01T07:00:00.000000001Z", False),
        ("2026-09-01T08:00:00.482019377Z", "2026-09-01T07:00:00", True),
        ("2026-09-01T06:00:00Z", "2026-09-01T07:00:00", False),
        # 06:00+09:00 is 21:00 UTC the day before: after 20:00 UTC, before 22:00 UTC
        ("2026-09-01T06:00:00+09:00", "2026-08-31T20:00:00", True),
        ("2026-09-01T06:00:00+09:00", "2026-08-31T22:00:00", False),
    ],
)
def test_times_with_and_without_a_zone_compare_as_utc(
    assigned_time: str, unassigned_time: str, still_assigned: bool
) -> None:
    body = v1_23_address(assigned_time, unassigned_time)
    assert ("192.168.45.16" in assigned(body)) is still_assigned


def test_prefix_cidrs_are_marked_and_secondary_ips_are_slash_32() -> None:
    eni = parse_enis(load("enis-c-v1.9.json")).enis[0]
    assert [(cidr.cidr, cidr.is_prefix) for cidr in eni.cidrs] == [
        ("192.168.12.101/32", False),
        ("192.168.45.16/28", True),
    ]


def test_ipv6_prefix_family_comes_from_the_cidr_not_address_family() -> None:
    # §1.3 D caveat: AddressFamily is always "" in /v1/enis output.
    cidr = parse_enis(load("enis-d-v1.10-ipv6.json")).enis[0].cidrs[0]
    assert (cidr.cidr, cidr.family, cidr.is_prefix) == ("2600:1f14:abc:de01:8f00::/80", 6, True)


def test_network_card_comes_from_the_wrapper_key() -> None:
    enis = parse_enis(load("enis-f-v1.20.json")).enis
    assert [(eni.eni_id, eni.network_card, eni.route_table_id) for eni in enis] == [
        ("eni-0a1b2c3d4e5f60001", 0, 254),
        ("eni-0a1b2c3d4e5f60002", 0, 2),
        ("eni-0a1b2c3d4e5f61001", 1, 10101),
    ]


def test_counters_are_summed_over_network_cards() -> None:
    result = parse_enis(load("enis-f-v1.20.json"))
    assert (result.total_ips, result.assigned_ips) == (19, 3)


def test_v1_22_fields_are_read() -> None:
    eni = parse_enis(load("enis-g-v1.23.json")).enis[0]
    assert (eni.subnet_id, eni.is_excluded_for_pod_ips) == ("subnet-0aa11bb22cc33dd44", False)


def test_unknown_fields_are_ignored() -> None:
    body = load("enis-g-v1.23.json")
    body["0"]["FutureCounter"] = 7
    body["0"]["ENIs"]["eni-0a1b2c3d4e5f60001"]["FutureFlag"] = {"nested": True}
    assert set(assigned(body)) == {"192.168.45.16", "192.168.47.224"}


def test_missing_optional_fields_are_tolerated() -> None:
    body = {
        "ENIs": {
            "eni-1": {
                "AvailableIPv4Cidrs": {
                    "10.0.0.5/32": {"IPAddresses": {"10.0.0.5": {"IPAMKey": {"networkName": "aws-cni"}}}}
                }
            }
        }
    }
    result = parse_enis(body)
    assert (result.enis[0].device_number, result.total_ips, set(assigned(body))) == (0, None, {"10.0.0.5"})


def test_null_maps_from_go_nil_are_empty() -> None:
    assert parse_enis({"TotalIPs": 0, "AssignedIPs": 0, "ENIs": None}).enis == ()


def test_the_newest_of_two_concatenated_bodies_has_the_later_pod() -> None:
    # §3: eks-log-collector appends with >>; the last document is the newest.
    documents = parse_documents((FIXTURES / "enis-concatenated.json").read_text(), source="x", expected="y")
    assert (len(documents), set(assigned(documents[-1]))) == (2, {"192.168.45.16", "192.168.45.19"})


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "must be a JSON object (ipamd's ENI datastore), found a list"),
        (
            {"AvailableCommands": ["/v1/enis"]},
            "is ipamd's list of commands, not ENI data (the request went to an unknown path)",
        ),
        ({"TotalIPs": 1}, "has neither ENIs (CNI v1.7+) nor ENIIPPools (CNI v1.0-v1.6), got ['TotalIPs']"),
        ({"ENIs": []}, "ENIs: must be an object of ENIs by id, found a list"),
        ({"ENIs": {"eni-1": {"DeviceNumber": "0"}}}, "ENIs.eni-1.DeviceNumber: must be an integer, got '0'"),
        ({"0": []}, "0: must be a JSON object (the ENIs of network card 0), found a list"),
        # Network-card keys are ASCII digits as Go writes them: "²" and "١" pass str.isdigit() only.
        (
            {"²": {"ENIs": {}}},
            "has neither ENIs (CNI v1.7+) nor ENIIPPools (CNI v1.0-v1.6), got ['²']",
        ),
        (
            {"0": {"ENIs": {}}, "١": {"ENIs": {}}},
            "has neither ENIs (CNI v1.7+) nor ENIIPPools (CNI v1.0-v1.6), got ['0', '١']",
        ),
        ({}, "is an empty JSON object, not ipamd's ENI datastore"),
        (
            {"ENIs": {"eni-1": {"AvailableIPv4Cidrs": {"10.0.0.0/28": {"IPAddresses": {"10.0.0.1": 5}}}}}},
            "ENIs.eni-1.AvailableIPv4Cidrs[10.0.0.0/28].IPAddresses[10.0.0.1]: "
            "must be a JSON object (one address), "
            "found a number",
        ),
    ],
)
def test_wrong_shapes_are_reported_with_the_key_path(body: Any, message: str) -> None:
    with pytest.raises(IpamdFormatError) as raised:
        parse_enis(body)
    assert raised.value.message == message


def test_a_pod_name_alone_marks_an_address_assigned_from_v1_23() -> None:
    # §1.3 G: use networkName != "" or IPAMMetadata.k8sPodName != "" to decide an IP is assigned.
    body = load("enis-g-v1.23.json")
    entry = body["0"]["ENIs"]["eni-0a1b2c3d4e5f60001"]["AvailableIPv4Cidrs"]["192.168.45.16/28"][
        "IPAddresses"
    ]["192.168.45.16"]
    entry["IPAMKey"]["networkName"] = ""
    assert assigned(body)["192.168.45.16"] == (
        "eni-0a1b2c3d4e5f60001",
        "kube-system",
        "coredns-7bb8c8b5f9-mz4lt",
    )


def test_ipv6_prefixes_and_addresses_are_compressed_lower_case() -> None:
    # GIVEN an IPv6 /80 prefix (§1.3 D) and an address written in full, upper case
    body = {
        "ENIs": {
            "eni-1": {
                "IPv6Cidrs": {
                    "2600:1F14:0ABC:DE01:8F00:0:0:0/80": {
                        "IsPrefix": True,
                        "IPAddresses": {
                            "2600:1F14:0ABC:DE01:8F00:0:0:1": {
                                "Address": "2600:1F14:0ABC:DE01:8F00:0:0:1",
                                "IPAMKey": {"networkName": "aws-cni"},
                            }
                        },
                    }
                }
            }
        }
    }
    # WHEN parsed THEN both read as every other source writes them, so they compare equal
    cidr = parse_enis(body).enis[0].cidrs[0]
    assert (cidr.cidr, [address.ip for address in cidr.addresses]) == (
        "2600:1f14:abc:de01:8f00::/80",
        ["2600:1f14:abc:de01:8f00::1"],
    )


def test_a_v1_10_body_without_addresses_yet_is_era_d_by_its_ipv6_cidrs() -> None:
    # §1.3 D: ENI.IPv6Cidrs is new in v1.10; a node that has handed out no address has no IPAddresses.
    body = {"TotalIPs": 0, "AssignedIPs": 0, "ENIs": {"eni-1": {"AvailableIPv4Cidrs": {}, "IPv6Cidrs": {}}}}
    assert parse_enis(body).format == "D"


def test_network_cards_without_counters_leave_the_counters_unknown() -> None:
    result = parse_enis({"0": {"ENIs": {}}, "1": {"ENIs": {}}})
    assert (result.format, result.total_ips, result.assigned_ips) == ("F", None, None)
