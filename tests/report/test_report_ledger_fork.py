"""The page's ledger section built in a forked child while the checks run (``start_ledger``), or by
the child that read the bundle's ipamd folders once the read is done (``ledger_after_read``), gives
the page built without one: the same bytes, the same refusal, and a child that dies is made up for
here. The cases run in a fresh process (``ledger_fork_cases.py``): this one has other threads, where
no child is forked."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.fresh_process import run_cases
from tests.ledger.lab_docs import crowded_lab, write_node_subnet_reservations

ROOT = Path(__file__).resolve().parents[2]
WORKSHOP = ROOT / "tests" / "fixtures" / "bundles" / "workshop-2048"

pytestmark = pytest.mark.skipif(
    not hasattr(os, "fork") or len(os.sched_getaffinity(0)) < 2, reason="needs fork and two CPUs"
)


def run_case(name: str, bundle: Path, out: Path, lab: Path | None = None) -> dict[str, Any]:
    out.mkdir()
    return run_cases(
        "tests.report.ledger_fork_cases", name, str(bundle), str(out), *([str(lab)] if lab else [])
    )


def bundle_and_lab(which: str, tmp_path: Path) -> tuple[Path, Path | None]:
    """The recorded workshop bundle (no lab configuration), or a crowded one-subnet lab with CIDR
    reservations and its configuration."""
    if which == "workshop":
        return shutil.copytree(WORKSHOP, tmp_path / "bundle"), None
    bundle, lab = crowded_lab(tmp_path)
    write_node_subnet_reservations(bundle)
    return bundle, lab


# GIVEN the recorded workshop bundle, and a crowded one-subnet lab with CIDR reservations and its lab
# configuration WHEN the page is written with the ledger from a child and without THEN the pages are
# the same, and only the first made a child (which was reaped).
@pytest.mark.parametrize("which", ["workshop", "crowded"])
def test_the_page_is_the_same_with_the_ledger_from_a_child(which: str, tmp_path: Path) -> None:
    bundle, lab = bundle_and_lab(which, tmp_path)

    facts = run_case("same", bundle, tmp_path / "out", lab)

    assert (facts["same_page"], facts["children_here"], facts["children"], facts["reaped"]) == (
        True,
        0,
        1,
        True,
    )
    assert facts["ledger_rows"] >= 2


# GIVEN a child killed before it answers WHEN the page is written THEN the ledger is built here: the
# same page.
def test_a_child_that_dies_is_made_up_for_here(tmp_path: Path) -> None:
    bundle = shutil.copytree(WORKSHOP, tmp_path / "bundle")

    facts = run_case("killed", bundle, tmp_path / "out")

    assert (facts["same_page"], facts["children"], facts["reaped"]) == (True, 1, True)


# GIVEN a ledger that refuses its input WHEN the page is written THEN the child's refusal is the line
# given without a child, and no page is written either way.
def test_a_refusal_in_the_child_is_the_same_line(tmp_path: Path) -> None:
    bundle = shutil.copytree(WORKSHOP, tmp_path / "bundle")

    facts = run_case("refused", bundle, tmp_path / "out")

    assert facts["refusal_there"] == facts["refusal_here"]
    assert facts["refusal_here"] == "subnet-cidr-reservations/subnet-x.json: must be a JSON object"
    assert (facts["children"], facts["pages"]) == (1, [])


# GIVEN the two bundles above WHEN the page is written with the ledger from the child that read the
# bundle (given the work before the read) THEN the same page as without a child, and no child is
# forked for it after the read.
@pytest.mark.parametrize("which", ["workshop", "crowded"])
def test_the_page_is_the_same_with_the_ledger_from_the_reading_child(which: str, tmp_path: Path) -> None:
    bundle, lab = bundle_and_lab(which, tmp_path)

    facts = run_case("same-after", bundle, tmp_path / "out", lab)

    assert (facts["same_page"], facts["after_started"], facts["children_read"], facts["children"]) == (
        True,
        True,
        1,
        0,
    )
    assert (facts["reaped"], facts["ledger_rows"] >= 2) == (True, True)


# GIVEN the reading child killed in the ledger's work, or refusing it WHEN the page is written THEN
# the same page, built here, or the same refusal, as without a child.
def test_the_reading_child_dying_or_refusing_is_as_without_it(tmp_path: Path) -> None:
    bundle = shutil.copytree(WORKSHOP, tmp_path / "bundle")

    killed = run_case("killed-after", bundle, tmp_path / "out-killed")
    refused = run_case("refused-after", bundle, tmp_path / "out-refused")

    assert (killed["same_page"], killed["after_started"], killed["children"], killed["reaped"]) == (
        True,
        True,
        0,
        True,
    )
    assert (refused["refusal_there"], refused["pages"]) == (refused["refusal_here"], [])
    assert refused["refusal_here"] == "subnet-cidr-reservations/subnet-x.json: must be a JSON object"


# GIVEN a pod whose name MessagePack cannot carry (a lone surrogate, as a bundle's JSON can write it)
# WHEN the page is written with the ledger asked of the reading child THEN what the parent read is not
# sent; the ledger comes from a child forked after the read or from here: the same page.
def test_what_cannot_be_sent_to_the_reading_child_is_built_another_way(tmp_path: Path) -> None:
    bundle = shutil.copytree(WORKSHOP, tmp_path / "bundle")
    pods = json.loads((bundle / "pods.json").read_text())
    pods["items"][0]["metadata"]["name"] = "web-\ud800"  # json.dumps writes it as the escape \ud800
    (bundle / "pods.json").write_text(json.dumps(pods))

    facts = run_case("same-after", bundle, tmp_path / "out")

    assert (facts["same_page"], facts["after_started"], facts["reaped"]) == (True, False, True)
