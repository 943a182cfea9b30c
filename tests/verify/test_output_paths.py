"""Issue 21 item 1: an output path is written, never replaced, unless it is a regular file (or new).

A device, a FIFO or a socket at a report's path (also behind a symlink) is refused in one line; a
symlink to a regular file is written through and stays a link; a file with other hard links keeps
them; ``-`` and the process's own standard output get the report on standard output. Special files
are made in the test's temporary folder, never taken from /dev.
"""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

import pytest

from ekslab.errors import InputError
from ekslab.files import atomic_output
from tests.cli_run import run_cli

FIFO_RULE = "is a named pipe (FIFO), not a regular file; give a regular file or - for standard output"


def verify_junit(bundle: Path, target: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    return run_cli(["verify", "--bundle", str(bundle), "-o", "json", "--junit-file", target], capsys)


def test_a_fifo_is_refused_and_stays_a_fifo(
    bundle: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a FIFO where the report should go
    fifo = tmp_path / "report.xml"
    os.mkfifo(fifo)
    # WHEN verify writes its JUnit report there
    code, out, err = verify_junit(bundle, str(fifo), capsys)
    # THEN one line, exit 2, before anything is read; the FIFO is still a FIFO
    assert (code, out, err, stat.S_ISFIFO(fifo.lstat().st_mode)) == (
        2,
        "",
        f"ekslab: error: --junit-file {fifo}: {FIFO_RULE}\n",
        True,
    )


def test_a_symlink_to_a_fifo_is_refused_and_both_stay(
    bundle: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "report.xml"
    link.symlink_to(fifo)
    code, _, err = verify_junit(bundle, str(link), capsys)
    assert (code, err, link.is_symlink(), stat.S_ISFIFO(fifo.lstat().st_mode)) == (
        2,
        f"ekslab: error: --junit-file {link}: is a named pipe (FIFO) (through a symlink), not a regular "
        "file; give a regular file or - for standard output\n",
        True,
        True,
    )


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_a_character_device_is_refused_and_stays_a_device(
    bundle: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a character device node (the null device's numbers) in the test's own folder
    device = tmp_path / "null"
    os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    mode = stat.S_IMODE(device.lstat().st_mode)
    # WHEN it is named as the report
    code, _, err = verify_junit(bundle, str(device), capsys)
    # THEN refused; still the same device with its mode, not a regular file
    status = device.lstat()
    assert (code, err, stat.S_ISCHR(status.st_mode), stat.S_IMODE(status.st_mode)) == (
        2,
        f"ekslab: error: --junit-file {device}: is a character device, not a regular file; "
        "give a regular file or - for standard output\n",
        True,
        mode,
    )


def test_a_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        with pytest.raises(InputError) as error, atomic_output(path, source="out"):
            pytest.fail("the block must not run")
    assert error.value.message == "out: is a socket, not a regular file; give a regular file"


def test_a_symlink_to_a_report_stays_a_link_and_its_target_is_written(
    bundle: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "reports" / "verify.xml"
    target.parent.mkdir()
    target.write_text("old\n")
    link = tmp_path / "verify.xml"
    link.symlink_to(target)
    code, _, _ = verify_junit(bundle, str(link), capsys)
    assert (code, link.is_symlink(), target.read_text().startswith("<?xml")) == (0, True, True)


def test_a_hard_linked_report_keeps_its_links(
    bundle: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "verify.xml"
    report.write_text("old\n")
    other = tmp_path / "published.xml"
    os.link(report, other)
    verify_junit(bundle, str(report), capsys)
    assert (
        report.stat().st_nlink,
        other.read_text() == report.read_text(),
        "<testsuites" in other.read_text(),
    ) == (
        2,
        True,
        True,
    )


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another owner needs root")
def test_a_replaced_report_keeps_its_owner(tmp_path: Path) -> None:
    report = tmp_path / "r.xml"
    report.write_text("old\n")
    os.chown(report, 1234, 5678)
    with atomic_output(report, source="r") as temporary:
        temporary.write_text("new\n")
    assert (report.read_text(), report.stat().st_uid, report.stat().st_gid) == ("new\n", 1234, 5678)


def test_dash_writes_the_junit_report_to_standard_output(
    bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN --output junit --junit-file -  WHEN verify runs
    code, out, err = run_cli(["verify", "--bundle", str(bundle), "-o", "junit", "--junit-file", "-"], capsys)
    # THEN the XML is on standard output and the summary line on standard error
    assert (code, out.startswith("<?xml"), out.rstrip().endswith("</testsuites>"), "pods:" in err) == (
        0,
        True,
        True,
        True,
    )


def test_dash_with_a_json_report_on_standard_output_is_refused(
    bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(["verify", "--bundle", str(bundle), "-o", "json", "--junit-file", "-"], capsys)
    assert (code, out, err) == (
        2,
        "",
        "ekslab: error: ekslab verify: --junit-file - is standard output, which --output json writes: "
        "use --output junit with it (see 'ekslab verify --help')\n",
    )


def test_an_empty_junit_file_is_refused_not_ignored(bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Issue 21 item 11: an empty --junit-file wrote no report without a word.
    code, out, err = run_cli(["verify", "--bundle", str(bundle), "-o", "json", "--junit-file", ""], capsys)
    assert (code, out, err) == (
        2,
        "",
        "ekslab: error: --junit-file: must be a file path (a regular file or - for standard output), "
        "got an empty string\n",
    )


def test_workshop_run_refuses_a_fifo_before_any_step_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    guide = tmp_path / "guide.md"
    marker = tmp_path / "ran"
    guide.write_text(f"# G\n\n## S\n\n```sh\ntouch {marker}\n```\n")
    fifo = tmp_path / "w.xml"
    os.mkfifo(fifo)
    code, _, err = run_cli(["workshop", "run", str(guide), "--junit-file", str(fifo)], capsys)
    assert (code, err, marker.exists(), stat.S_ISFIFO(fifo.lstat().st_mode)) == (
        2,
        f"ekslab: error: --junit-file {fifo}: {FIFO_RULE}\n",
        False,
        True,
    )


def test_limits_table_output_refuses_a_fifo(tmp_path: Path) -> None:
    from ekslab.limits.table import default_table, write_table

    fifo = tmp_path / "limits.tsv"
    os.mkfifo(fifo)
    with pytest.raises(InputError) as error:
        write_table(fifo, default_table(), source="--output-file x")
    assert error.value.message == (
        "--output-file x: is a named pipe (FIFO), not a regular file; give a regular file"
    )
