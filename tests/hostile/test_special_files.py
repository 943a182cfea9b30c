"""Devices, FIFOs and sockets are refused by what they are, before anything is read (a FIFO with no
writer would block for ever, /dev/zero would never end); a file too large for its kind is refused by size."""

from __future__ import annotations

from pathlib import Path

import pytest

from ekslab.files import MAX_TEXT_BYTES
from tests.hostile.conftest import assert_one_line_refusal, ekslab

KINDS = {"fifo": "a named pipe (FIFO)", "dev_zero": "a character device", "unix_socket": "a socket"}
CONFIG = "a YAML configuration file"


@pytest.mark.parametrize("special", sorted(KINDS))
@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (["config", "show", "{file}"], CONFIG),
        (["verify", "--bundle", "{bundle}", "--config", "{file}"], CONFIG),
        (["azs", "--config", "{file}"], CONFIG),
        (["ipamd", "enis", "--file", "{file}"], "ipamd's /v1/enis body"),
        (["ipamd", "env", "--file", "{file}"], "ipamd's /v1/networkutils-env-settings body"),
        (["workshop", "run", "{file}", "--dry-run"], "a Markdown guide"),
        (["ipamd", "enis", "--node", "x", "--kubeconfig", "{file}"], "a kubeconfig"),
    ],
    ids=["config-show", "verify-config", "azs", "ipamd-enis", "ipamd-env", "workshop", "kubeconfig"],
)
def test_special_file_is_refused_by_name(
    request: pytest.FixtureRequest, bundle: Path, special: str, command: list[str], expected: str
) -> None:
    # GIVEN a FIFO nobody writes to, a link to /dev/zero or a socket, where a document is expected
    path = request.getfixturevalue(special)
    # WHEN a command reads it  THEN it is refused by kind in one line, without blocking
    args = [part.replace("{file}", str(path)).replace("{bundle}", str(bundle)) for part in command]
    outcome = ekslab(*args)
    assert_one_line_refusal(
        outcome, f"ekslab: error: {path}: is {KINDS[special]}, not a regular file; expected {expected}"
    )


@pytest.mark.parametrize("special", sorted(KINDS))
def test_config_check_refuses_a_special_file_by_name(request: pytest.FixtureRequest, special: str) -> None:
    path = request.getfixturevalue(special)
    outcome = ekslab("config", "check", str(path))
    assert_one_line_refusal(
        outcome, f"ekslab: error: {path}: is {KINDS[special]}, not a regular file; expected {CONFIG}"
    )


@pytest.mark.parametrize(
    "document",
    [
        "pods.json",
        "aws-node-daemonset.json",
        "ipamd/ip-10-11-17-10.ap-northeast-2.compute.internal/enis.json",
    ],
)
@pytest.mark.parametrize("special", ["fifo", "dev_zero"])
def test_special_file_in_a_bundle_is_refused_or_recorded(
    request: pytest.FixtureRequest, bundle: Path, document: str, special: str
) -> None:
    # GIVEN a bundle whose document is a FIFO or /dev/zero
    target = bundle / document
    target.unlink()
    source = request.getfixturevalue(special)
    if special == "fifo":
        source.rename(target)
    else:
        target.symlink_to("/dev/zero")
    outcome = ekslab("verify", "--bundle", str(bundle), "-o", "json")
    assert "Traceback" not in outcome.stderr
    if special == "dev_zero":
        # THEN a link to /dev/zero leads out of the bundle: refused with one line before it is opened
        assert_one_line_refusal(
            outcome,
            f"ekslab: error: {target}: leads out of the bundle folder (through a symlink or '..'); "
            "a bundle holds its own files",
        )
    elif document.startswith("ipamd/"):
        # THEN an ipamd body is that node's problem (the node is not verifiable), named in the report,
        # not a refusal of the run (the fixture's own convergence finding may make the exit 1, not 3)
        assert outcome.code in (1, 3)
        assert f"{target}: is {KINDS[special]}, not a regular file" in outcome.stdout
    else:
        # THEN a cluster document stops the run with one line
        assert (outcome.code, len(outcome.lines)) == (2, 1)
        assert f"{target}: is not a regular file, expected " in outcome.lines[0]


def test_a_file_larger_than_its_limit_is_refused_by_size(tmp_path: Path) -> None:
    # GIVEN an ipamd body one byte over the limit of a document read whole (sparse: no disk is used)
    path = tmp_path / "enis.json"
    with open(path, "wb") as handle:
        handle.truncate(MAX_TEXT_BYTES + 1)
    outcome = ekslab("ipamd", "enis", "--file", str(path))
    assert_one_line_refusal(
        outcome,
        f"ekslab: error: {path}: is larger than the 64 MiB allowed for ipamd's /v1/enis body, "
        f"got {MAX_TEXT_BYTES + 1:,} bytes",
    )


def test_a_lab_file_over_one_megabyte_is_refused_by_size(tmp_path: Path) -> None:
    path = tmp_path / "lab.yaml"
    path.write_text("# padding\n" * 200_000)
    outcome = ekslab("config", "check", str(path))
    assert_one_line_refusal(
        outcome,
        f"ekslab: error: {path}: is larger than the 1,000,000 bytes allowed for {CONFIG}, got 2,000,000 bytes",
    )
