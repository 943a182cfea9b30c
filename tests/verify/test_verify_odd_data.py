"""Odd data never crashes verification: any field of any document replaced by a value of another type.

Each case takes the hand-written workshop bundle, replaces one value somewhere in one document with
null, a number, a string, a list or an object, and runs the whole verification. The only acceptable
outcomes are a report or an ``InputError`` (exit 2, one line naming the file): anything else would
reach the user as a traceback. Cases are drawn with a fixed seed, so a failure is reproducible, and
the outcome of each case is recorded, so a change in how odd data is judged shows up; the
odd values a draw rarely makes but that once crashed (Unicode digit card keys, mixed time zones, SNAT
enum values out of range) have cases of their own with their exact outcome.
"""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ekslab.errors import InputError
from ekslab.sources.bundle import read_bundle
from ekslab.verify.checks import Expectations, verify
from ekslab.verify.report import write_json
from ekslab.verify.results import Report

BUNDLE = Path(__file__).resolve().parent.parent / "fixtures" / "bundles" / "workshop-2048"
ODD_VALUES: list[Any] = [None, 0, -1, 3.5, True, "", "x", "10.0.1.11", [], [1, "a"], {}, {"a": {"b": []}}]
CASES = 400
EXPECTATIONS = Expectations(
    # RANDOMIZESNAT is expected so that an odd value of it reaches the drift comparison.
    aws_node_env={
        "WARM_ENI_TARGET": "1",
        "AWS_VPC_K8S_CNI_EXTERNALSNAT": "false",
        "AWS_VPC_K8S_CNI_RANDOMIZESNAT": "prng",
    },
    init_env={"DISABLE_TCP_EARLY_DEMUX": "false"},
)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside a decoded JSON document."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


def replace(document: Any, path: tuple[Any, ...], value: Any) -> None:
    for step in path[:-1]:
        document = document[step]
    document[path[-1]] = value


def cases() -> list[tuple[str, tuple[Any, ...], Any]]:
    chooser = random.Random(20260901)
    files = sorted(str(path.relative_to(BUNDLE)) for path in BUNDLE.rglob("*.json"))
    chosen = []
    for _ in range(CASES):
        name = chooser.choice(files)
        document = json.loads((BUNDLE / name).read_text())
        candidates = paths(document)
        if not candidates:
            continue
        chosen.append((name, chooser.choice(candidates), chooser.choice(ODD_VALUES)))
    return chosen


DRAWN = cases()
OUTCOMES = (
    "E1E11111111E111111E111111E1111EE111111111111EE1111111E111E1EE111E11111111E111E11"
    "11E11E11EE1111E1E11E1111111EE111EE1E111111E1111E11EEE111111111111111111111111111"
    "11131111E111111E1EE1111E1E1E1E1EEE11E11E1EE11E11E1111111EE1111111111E1E111EEE111"
    "11EEE111EE1EE1E1E111EE1111E11E1E111111E111311111111E1E111E1111111111111111111E11"
    "11E11E11111111111EE111E111E11EE1111E11111111"
)
"""The outcome of each drawn case, in draw order: ``E`` for one-line InputError, else the report's exit
code. Recorded from a run of this draw (the unchanged bundle gives exit 1: its node B holds a /28 prefix
while the DaemonSet says ENABLE_PREFIX_DELEGATION=false, which the prefix_delegation convergence check
fails, so most odd values leave the exit code at 1). A changed character means
verification now treats that odd value differently: look at the case, then re-record it on purpose."""


def test_every_drawn_case_has_a_recorded_outcome() -> None:
    assert len(OUTCOMES) == len(DRAWN)


@pytest.mark.parametrize(("index", "name", "path", "value"), [(i, *case) for i, case in enumerate(DRAWN)])
def test_any_odd_value_gives_a_report_or_one_input_error(
    tmp_path: Path, index: int, name: str, path: tuple[Any, ...], value: Any
) -> None:
    # GIVEN the workshop bundle with one value of one document replaced by an odd one
    bundle = tmp_path / "bundle"
    shutil.copytree(BUNDLE, bundle)
    document = json.loads((bundle / name).read_text())
    replace(document, path, value)
    (bundle / name).write_text(json.dumps(document))
    # WHEN it is verified
    try:
        report = verify(read_bundle(bundle), EXPECTATIONS)
    except InputError as error:
        # THEN either the recorded InputError: one line naming the changed file...
        assert (OUTCOMES[index], "\n" in error.message, error.message.startswith(str(bundle / name))) == (
            "E",
            False,
            True,
        )
        return
    with open(tmp_path / "report.json", "w") as handle:
        write_json(report, handle)
    # ...or a report with the recorded exit code
    assert str(report.exit_code()) == OUTCOMES[index]


# --- odd values behind known crashes ---------------------------------------------------------------
#
# Values a random draw rarely makes, each of which once raised a Python error: a network-card key that
# str.isdigit() accepts but int() or Go never writes, AssignedTime and UnassignedTime one with a zone
# and one without, and AWS_VPC_K8S_CNI_RANDOMIZESNAT outside the enum 0/1/2 of cni-facts.md §1.5.
# Each must give a report, with the outcome named here.

NODE_A = "ip-10-0-1-10.us-west-2.compute.internal"
ENIS_A = f"ipamd/{NODE_A}/enis.json"
NETWORKUTILS_A = f"ipamd/{NODE_A}/networkutils-env-settings.json"
WEB_1 = (
    "0",
    "ENIs",
    "eni-0a00000000000000a",
    "AvailableIPv4Cidrs",
    "10.0.1.11/32",
    "IPAddresses",
    "10.0.1.11",
)


def rename_card(new_key: str) -> Callable[[Any], None]:
    def edit(document: Any) -> None:
        document[new_key] = document.pop("0")

    return edit


def add_card(new_key: str) -> Callable[[Any], None]:
    def edit(document: Any) -> None:
        document[new_key] = {"TotalIPs": 0, "AssignedIPs": 0, "ENIs": {}}

    return edit


def web_1_times(assigned: str, unassigned: str) -> Callable[[Any], None]:
    def edit(document: Any) -> None:
        address = document
        for step in WEB_1:
            address = address[step]
        address["AssignedTime"], address["UnassignedTime"] = assigned, unassigned

    return edit


def snat(value: Any) -> Callable[[Any], None]:
    def edit(document: Any) -> None:
        document["AWS_VPC_K8S_CNI_RANDOMIZESNAT"] = value

    return edit


def node_check(report: Report, name: str) -> tuple[str, str]:
    check = next(
        item for node in report.nodes if node.name == NODE_A for item in node.checks if item.check == name
    )
    return check.result, (check.differences[0]["actual"] if check.differences else "")


def web_1(report: Report) -> tuple[str, tuple[str, ...]]:
    found = next(item for item in report.pods if item.name == "web-1")
    return found.result, found.reasons


@pytest.mark.parametrize(
    ("file", "edit", "probe", "expected"),
    [
        # 1: card keys Go would never write are not card indexes: the body is no ENI data.
        (ENIS_A, rename_card("²"), lambda r: node_check(r, "ipamd"), ("unverified", "")),
        (ENIS_A, rename_card("١"), lambda r: node_check(r, "ipamd"), ("unverified", "")),
        (ENIS_A, add_card("⁵"), lambda r: node_check(r, "ipamd"), ("unverified", "")),
        (ENIS_A, add_card("1"), lambda r: node_check(r, "ipamd"), ("pass", "")),
        # 2: a time without a zone is UTC; released iff UnassignedTime is later than AssignedTime.
        (ENIS_A, web_1_times("2026-09-01T08:00:00", "2026-09-01T07:00:00Z"), web_1, ("pass", ())),
        (
            ENIS_A,
            web_1_times("2026-09-01T06:02:11.482019377Z", "2026-09-01T07:00:00"),
            web_1,
            ("fail", ("ipamd_mismatch",)),
        ),
        # 3: a SNAT enum value no CNI version defines is shown as served and differs from "prng".
        (NETWORKUTILS_A, snat(5), lambda r: node_check(r, "drift"), ("fail", "5")),
        (NETWORKUTILS_A, snat(-1), lambda r: node_check(r, "drift"), ("fail", "-1")),
        (NETWORKUTILS_A, snat(2**70), lambda r: node_check(r, "drift"), ("fail", str(2**70))),
        (NETWORKUTILS_A, snat(True), lambda r: node_check(r, "drift"), ("fail", "true")),
        (NETWORKUTILS_A, snat(2.5), lambda r: node_check(r, "drift"), ("fail", "2.5")),
        (NETWORKUTILS_A, snat([2]), lambda r: node_check(r, "drift"), ("fail", "2")),
        (NETWORKUTILS_A, snat(2), lambda r: node_check(r, "drift"), ("pass", "")),
    ],
)
def test_odd_values_behind_known_crashes_give_a_report(
    tmp_path: Path,
    file: str,
    edit: Callable[[Any], None],
    probe: Callable[[Report], Any],
    expected: Any,
) -> None:
    # GIVEN the workshop bundle with one odd value WHEN verified THEN a report with this outcome
    bundle = tmp_path / "bundle"
    shutil.copytree(BUNDLE, bundle)
    document = json.loads((bundle / file).read_text())
    edit(document)
    (bundle / file).write_text(json.dumps(document))
    report = verify(read_bundle(bundle), EXPECTATIONS)
    with open(tmp_path / "report.json", "w") as handle:
        write_json(report, handle)
    assert probe(report) == expected
