"""Files ``ekslab verify`` and ``ekslab collect`` write: refused in one line when their folder cannot take
them (never a traceback, never a folder made on the way), never half-written, and with the mode a plain
``open()`` would give them."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from ekslab.errors import InputError
from ekslab.files import atomic_output
from tests.cli_run import run_cli


@pytest.fixture
def umask() -> Iterator[None]:
    """Restores the process umask a test sets."""
    saved = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(saved)


# GIVEN a --junit-file whose folder is missing, is a file, or cannot hold a new file (/proc)
# WHEN verify runs THEN exit 2 with one line naming the option, nothing printed, nothing created.
@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("{t}/missing/verify.xml", "its folder {t}/missing does not exist"),
        ("{t}/missing/deeper/verify.xml", "its folder {t}/missing/deeper does not exist"),
        ("{t}/a-file/verify.xml", "its folder {t}/a-file is not a folder"),
        ("/proc/ekslab-verify.xml", "cannot be written (No such file or directory)"),
    ],
)
def test_junit_file_that_cannot_be_written_is_one_line_and_exit_2(
    bundle: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], target: str, message: str
) -> None:
    (tmp_path / "a-file").write_text("mine\n")
    before = sorted(path.name for path in tmp_path.iterdir())
    path = target.format(t=tmp_path)
    code, out, err = run_cli(["verify", "--bundle", str(bundle), "-o", "json", "--junit-file", path], capsys)
    assert (code, out, err) == (2, "", f"ekslab: error: --junit-file {path}: {message.format(t=tmp_path)}\n")
    assert (sorted(path.name for path in tmp_path.iterdir()), (tmp_path / "a-file").read_text()) == (
        before,
        "mine\n",
    )


# GIVEN a umask WHEN a new JUnit report is written THEN its mode is what open() would give (0666 less
# the umask), not mkstemp's private 0600.
@pytest.mark.usefixtures("umask")
@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_new_junit_report_honours_the_umask(
    bundle: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], mask: int, mode: int
) -> None:
    os.umask(mask)
    report = tmp_path / "verify.xml"
    code, _, _ = run_cli(
        ["verify", "--bundle", str(bundle), "-o", "json", "--junit-file", str(report)], capsys
    )
    assert (code, stat.S_IMODE(report.stat().st_mode)) == (0, mode)


@pytest.mark.usefixtures("umask")
def test_replaced_junit_report_keeps_its_mode(
    bundle: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "verify.xml"
    report.write_text("old report\n")
    report.chmod(0o640)
    code, _, _ = run_cli(
        ["verify", "--bundle", str(bundle), "-o", "json", "--junit-file", str(report)], capsys
    )
    assert (code, stat.S_IMODE(report.stat().st_mode), report.read_text().startswith("<?xml")) == (
        0,
        0o640,
        True,
    )


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    report = tmp_path / "verify.xml"
    report.write_text("old report\n")
    with pytest.raises(RuntimeError), atomic_output(report, source="--junit-file verify.xml") as temporary:
        temporary.write_text("<half")
        raise RuntimeError("the writer broke")
    assert (report.read_text(), sorted(path.name for path in tmp_path.iterdir())) == (
        "old report\n",
        ["verify.xml"],
    )


def test_an_os_error_while_writing_is_an_input_error_and_nothing_is_written(tmp_path: Path) -> None:
    with pytest.raises(InputError) as raised, atomic_output(tmp_path / "r.xml", source="--junit-file r.xml"):
        raise OSError(28, "No space left on device")
    assert (raised.value.message, list(tmp_path.iterdir())) == (
        "--junit-file r.xml: cannot be written (No space left on device); not changed",
        [],
    )


def test_collect_refuses_an_out_folder_whose_parent_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "missing" / "bundle"
    code, _, err = run_cli(["collect", "--out", str(out), "--cluster", "c", "--region", "us-west-2"], capsys)
    assert (code, err, (tmp_path / "missing").exists()) == (
        2,
        f"ekslab: error: {out}: its folder {tmp_path}/missing does not exist\n",
        False,
    )
