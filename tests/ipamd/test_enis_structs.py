"""The v1.20+ /v1/enis body read through msgspec Structs reads exactly as the dict parser reads it:
the same IpamdEnis, or the same refusal, notes and problems, for every shape a body may take."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ekslab.errors import InputError
from ekslab.ipamd import enis_structs, parse_body, parse_enis
from ekslab.ipamd.enis_structs import wrapped_enis

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ipamd"
WRAPPED = ("enis-f-v1.20.json", "enis-g-v1.23.json")
OLDER = (
    "enis-a-v1.3.json",
    "enis-a-v1.6.json",
    "enis-b-v1.7.json",
    "enis-c-v1.9.json",
    "enis-d-v1.10-ipv6.json",
    "enis-e-v1.11.json",
    "enis-concatenated.json",
)


def body(name: str = "enis-g-v1.23.json") -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())


def first_eni(document: dict[str, Any]) -> dict[str, Any]:
    return next(iter(document["0"]["ENIs"].values()))


def first_cidr(document: dict[str, Any]) -> dict[str, Any]:
    return next(iter(first_eni(document)["AvailableIPv4Cidrs"].values()))


def first_address(document: dict[str, Any]) -> dict[str, Any]:
    return next(iter(first_cidr(document)["IPAddresses"].values()))


def outcome(text: str, monkeypatch: pytest.MonkeyPatch, *, structs: bool) -> Any:
    """What parse_body makes of ``text``: the node's data and notes, or the refusal's message (or,
    for what the JSON reader itself cannot take, the exception it raises)."""
    with monkeypatch.context() as patch:
        if not structs:
            patch.setattr(enis_structs, "wrapped_enis", lambda text: None)
        try:
            node = parse_body("enis", text, source="ipamd/n/enis.json")
        except InputError as error:
            return error.message
        except (RecursionError, ValueError) as error:
            return type(error), str(error)
        return node.enis, node.notes


@pytest.mark.parametrize("name", WRAPPED)
def test_a_wrapped_body_reads_the_same_through_the_structs(name: str) -> None:
    text = (FIXTURES / name).read_text()
    fast = wrapped_enis(text)
    assert fast is not None and fast.enis
    assert fast == parse_enis(json.loads(text))


@pytest.mark.parametrize("name", OLDER)
def test_older_eras_and_concatenated_bodies_go_the_usual_way(name: str) -> None:
    assert wrapped_enis((FIXTURES / name).read_text()) is None


def _set(path: Callable[[dict[str, Any]], dict[str, Any]], key: str, value: Any) -> Callable[[dict], None]:
    def change(document: dict[str, Any]) -> None:
        path(document)[key] = value

    return change


def _drop(path: Callable[[dict[str, Any]], dict[str, Any]], key: str) -> Callable[[dict], None]:
    def change(document: dict[str, Any]) -> None:
        path(document).pop(key, None)

    return change


def _card(document: dict[str, Any]) -> dict[str, Any]:
    return document["0"]


def _key(document: dict[str, Any]) -> dict[str, Any]:
    return first_address(document)["IPAMKey"]


def _legacy_addresses(document: dict[str, Any]) -> None:
    eni = first_eni(document)
    eni["IPv4Addresses"] = {"192.168.12.9": {"Address": "192.168.12.9", "IPAMKey": {"networkName": "x"}}}
    del eni["AvailableIPv4Cidrs"]


def _second_card(document: dict[str, Any]) -> None:
    document["1"] = copy.deepcopy(document["0"])
    document["1"]["TotalIPs"] = None


MUTATIONS: dict[str, Callable[[dict[str, Any]], None]] = {
    "device number a string": _set(first_eni, "DeviceNumber", "0"),
    "device number a float": _set(first_eni, "DeviceNumber", 0.0),
    "device number null": _set(first_eni, "DeviceNumber", None),
    "device number missing": _drop(first_eni, "DeviceNumber"),
    "IsPrimary a string": _set(first_eni, "IsPrimary", "true"),
    "ID null": _set(first_eni, "ID", None),
    "ID missing, Id given": lambda d: first_eni(d).update({"Id": "eni-from-id"}) or first_eni(d).pop("ID"),
    "ID a number": _set(first_eni, "ID", 7),
    "SubnetID empty": _set(first_eni, "SubnetID", ""),
    "SubnetID a number": _set(first_eni, "SubnetID", 7),
    "RouteTableID a string": _set(first_eni, "RouteTableID", "7"),
    "no CIDR tables": _legacy_addresses,
    "CIDR table null": _set(first_eni, "AvailableIPv4Cidrs", None),
    "CIDR table a list": _set(first_eni, "AvailableIPv4Cidrs", []),
    "IPv6Cidrs given": _set(first_eni, "IPv6Cidrs", {}),
    "IPAddresses null": _set(first_cidr, "IPAddresses", None),
    "IPAddresses missing": _drop(first_cidr, "IPAddresses"),
    "IsPrefix a number": _set(first_cidr, "IsPrefix", 1),
    "Address empty": _set(first_address, "Address", ""),
    "Address a number": _set(first_address, "Address", 5),
    "Assigned flag": _set(first_address, "Assigned", True),
    "IPAMKey null": _set(first_address, "IPAMKey", None),
    "IPAMKey empty string": _set(first_address, "IPAMKey", ""),
    "IPAMKey a list": _set(first_address, "IPAMKey", []),
    "networkName a number": _set(_key, "networkName", 3),
    "scrubbed container": _set(_key, "containerID", ""),
    "AssignedTime a number": _set(first_address, "AssignedTime", 5),
    "released after assigned": _set(first_address, "UnassignedTime", "2099-01-01T00:00:00Z"),
    "TotalIPs a bool": _set(_card, "TotalIPs", True),
    "TotalIPs a float": _set(_card, "TotalIPs", 18.0),
    "counters missing": lambda d: [_card(d).pop(key) for key in ("TotalIPs", "AssignedIPs")],
    "ENIs null": _set(_card, "ENIs", None),
    "ENIs missing": _drop(_card, "ENIs"),
    "ENIs a list": _set(_card, "ENIs", []),
    "a second card": _second_card,
    "a card key that is no card index": lambda d: d.update({"²": d["0"]}),
    "an unknown field nested deeply": _set(_card, "Extra", json.loads("[" * 900 + "]" * 900)),
    "a float too large in an unknown field": _set(_card, "Extra", 1e308 * 10),
}


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_an_odd_body_reads_as_the_dict_parser_reads_it(
    mutation: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a v1.23 body changed in one way
    document = body()
    MUTATIONS[mutation](document)
    text = json.dumps(document)
    # WHEN parsed with and without the Structs  THEN the same data, notes or refusal
    assert outcome(text, monkeypatch, structs=True) == outcome(text, monkeypatch, structs=False)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "{",
        '{"0": {"ENIs": {}}} {"0": {"ENIs": {}}}',
        '{"0": {"ENIs": {}, "x": NaN}}',
        '{"0": {"ENIs": {}, "x": ' + "[" * 5000 + "]" * 5000 + "}}",
        '{"0": {"ENIs": {}, "x": 1' + "0" * 5000 + "}}",
        '{"0": {"ENIs": {}, "x": "' + "1" * 5000 + '"}}',
        "\ufeff{}",
        '{"AvailableCommands": []}',
        "{}",
        '"a string"',
    ],
    ids=lambda text: text[:24],
)
def test_bad_or_hostile_text_reads_as_it_always_did(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert outcome(text, monkeypatch, structs=True) == outcome(text, monkeypatch, structs=False)


def test_a_long_integer_sends_the_body_the_usual_way() -> None:
    # GIVEN a body whose unknown field holds an integer longer than Python converts (msgspec skips it)
    document = body()
    document["0"]["Extra"] = 0
    text = json.dumps(document).replace('"Extra": 0', '"Extra": 1' + "0" * 4300)
    # THEN the Structs decline it; 2,000 digits are read through them
    assert wrapped_enis(text) is None
    assert wrapped_enis(json.dumps(document).replace('"Extra": 0', '"Extra": 1' + "0" * 1999)) is not None
