"""The ipamd folders and the ENI list read in a forked child (``ekslab.sources.forked``) give the
snapshot and the errors of reading them in this process: the same records, the same one-line
refusal in the same order, an earlier error of the parent's own reads first, and a child that fails
otherwise is read for again here.

The cases run in a fresh process (``forked_cases.py``): this one has other threads, where no child is
forked (the last test shows that refusal)."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest

from ekslab.sources import forked
from tests.fresh_process import run_cases
from tests.verify.cluster_docs import baseline

ROOT = Path(__file__).resolve().parents[2]
WORKSHOP = ROOT / "tests" / "fixtures" / "bundles" / "workshop-2048"

pytestmark = pytest.mark.skipif(
    not hasattr(os, "fork") or len(os.sched_getaffinity(0)) < 2, reason="needs fork and two CPUs"
)


def run_case(name: str, bundle: Path | str = "-") -> dict[str, Any]:
    return run_cases("tests.sources.forked_cases", name, str(bundle))


def workshop_or_baseline(which: str, tmp_path: Path) -> Path:
    """The recorded workshop bundle, or the generated baseline with an ipamd folder of no node."""
    if which == "workshop":
        return shutil.copytree(WORKSHOP, tmp_path / "bundle")
    bundle = baseline().write(tmp_path / "bundle")
    (bundle / "ipamd" / "ip-of-no-node").mkdir()
    return bundle


# GIVEN the recorded workshop bundle, and a generated one with a folder of no node WHEN read with
# the child and without THEN the snapshots are equal (every ipamd model, note and flag), and only the
# forked read made a child.
@pytest.mark.parametrize("which", ["workshop", "baseline"])
def test_forked_read_gives_the_same_snapshot(which: str, tmp_path: Path) -> None:
    bundle = workshop_or_baseline(which, tmp_path)

    facts = run_case("same-snapshot", bundle)

    assert (facts["equal"], facts["children"]) == (True, [0, 1])
    assert facts["nodes"] >= 2
    if which == "baseline":
        assert any("ip-of-no-node: no node of that name" in note for note in facts["notes"])


# GIVEN the two bundles above WHEN read with work for the child once the read is done THEN the
# child's snapshot, filled with what this process read, is this process's (the same repr), and the
# read made one child.
@pytest.mark.parametrize("which", ["workshop", "baseline"])
def test_the_child_works_after_the_read_on_the_same_snapshot(which: str, tmp_path: Path) -> None:
    bundle = workshop_or_baseline(which, tmp_path)
    if which == "baseline":
        (bundle / "subnet-cidr-reservations").mkdir()
        (bundle / "subnet-cidr-reservations" / "subnet-x.json").write_text(
            '{"SubnetIpv4CidrReservations": []}'
        )

    facts = run_case("after-snapshot", bundle)

    assert (facts["started"], facts["equal"], facts["children"]) == (True, True, 1)


# GIVEN a node's enis.json that is a symlink out of the bundle WHEN read with the child THEN the
# child's refusal is the same one line this process gives.
def test_a_refusal_in_the_child_is_the_same_line(tmp_path: Path) -> None:
    bundle = baseline().write(tmp_path / "bundle")
    node = sorted(os.listdir(bundle / "ipamd"))[0]
    inside = bundle / "ipamd" / node / "enis.json"
    os.replace(inside, tmp_path / "outside")
    inside.symlink_to(tmp_path / "outside")

    facts = run_case("refusal", bundle)

    assert facts["together"] == facts["alone"]
    assert facts["alone"].startswith(f"{inside}: leads out of the bundle folder")
    assert facts["children"] == 1


# GIVEN a bundle whose pods.json is cut short and whose ipamd folder would be refused too WHEN read
# with the child THEN the pod list's error comes first, as when read alone, and the child is reaped.
def test_an_earlier_error_of_the_parent_comes_first(tmp_path: Path) -> None:
    bundle = baseline().write(tmp_path / "bundle")
    text = (bundle / "pods.json").read_text()
    (bundle / "pods.json").write_text(text[: len(text) // 2])
    node = sorted(os.listdir(bundle / "ipamd"))[0]
    (bundle / "ipamd" / node / "enis.json").unlink()
    (bundle / "ipamd" / node / "enis.json").symlink_to(tmp_path)

    facts = run_case("refusal", bundle)

    assert facts["together"] == facts["alone"]
    assert "pods.json line" in facts["alone"]
    assert (facts["children"], facts["reaped"]) == (1, True)


def refuse_enis(bundle: Path) -> None:
    (bundle / "network-interfaces.json").write_text('{"NetworkInterfaces": [{"NetworkInterfaceId": 7}]}')


def refuse_ipamd(bundle: Path) -> None:
    node = sorted(os.listdir(bundle / "ipamd"))[0]
    (bundle / "ipamd" / node / "enis.json").unlink()
    (bundle / "ipamd" / node / "enis.json").symlink_to(bundle.parent)


def refuse_subnets(bundle: Path) -> None:
    (bundle / "subnets.json").write_text('{"Subnets": 3}')


def refuse_autoscaling(bundle: Path) -> None:
    (bundle / "autoscaling-instances.json").write_text("[]")


# GIVEN a bundle with two documents refused, one of them read by the child (the ENI list or the
# ipamd folders) WHEN read with the child THEN the same first refusal as read alone: the document
# this process would have read first, whichever process read it.
@pytest.mark.parametrize(
    ("faults", "first"),
    [
        ((refuse_enis,), "network-interfaces.json: NetworkInterfaces[0]"),
        ((refuse_subnets, refuse_enis), "subnets.json"),
        ((refuse_enis, refuse_ipamd), "network-interfaces.json: NetworkInterfaces[0]"),
        ((refuse_enis, refuse_autoscaling), "network-interfaces.json: NetworkInterfaces[0]"),
        ((refuse_autoscaling, refuse_ipamd), "autoscaling-instances.json"),
    ],
    ids=["enis", "subnets-then-enis", "enis-then-ipamd", "enis-then-autoscaling", "autoscaling-then-ipamd"],
)
def test_each_refusal_of_the_child_keeps_its_place(tmp_path: Path, faults: Any, first: str) -> None:
    bundle = baseline().write(tmp_path / "bundle")
    for fault in faults:
        fault(bundle)

    facts = run_case("refusal", bundle)

    assert facts["together"] == facts["alone"]
    assert facts["alone"].startswith(f"{bundle / first}")
    assert facts["children"] == 1


# GIVEN work that fails in the child for another reason than bad input (a value MessagePack cannot
# carry: an integer of 71 bits, a lone surrogate; the child killed) WHEN its result is asked for
# THEN None: the caller reads in this process.
def test_a_child_without_an_answer_gives_none() -> None:
    assert run_case("no-answer")["results"] == [None, None, None]


# GIVEN an InputError raised by the work THEN it is raised by result, worded the same; GIVEN plain
# data THEN it comes back equal.
def test_the_child_answers_with_its_result_or_its_refusal() -> None:
    facts = run_case("answers")
    assert facts["refusal"] == "bundle/ipamd/x: must be a folder, got 'a-file' (see docs)"
    assert facts["result"] == {"a": [1, 2], "b": None}
    # GIVEN a child started with then= THEN its result, then the answer to the message sent to it;
    # a second message is refused (the child has ended)
    assert (facts["then"], facts["followed_twice"]) == ([2, 21], "refused")


# GIVEN another thread running WHEN a forked read is asked for THEN none is made (a fork would copy
# the locks that thread holds).
def test_no_child_while_another_thread_runs() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert forked.can_fork() is False
        assert forked.start(lambda: 1, int) is None
    finally:
        stop.set()
        thread.join()
