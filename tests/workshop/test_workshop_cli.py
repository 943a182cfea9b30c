"""``ekslab workshop run``: JUnit report, exit codes, dry run, one-line errors."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from junitparser import Error, Failure, JUnitXml, Skipped

from tests.cli_run import run_cli

GUIDE = """\
# Demo

## Exports

<!-- workshop: name="AZ exports" -->
```sh
export AZ1=ap-northeast-2a
```

## Checks

```sh
echo "AZ1 is $AZ1"
printf 'colour \\033[31mred\\033[0m and a bell \\007\\n' >&2
```

```text
AZ1 is {az}
```

```sh
echo "export AZ1=wrong"
```

```text
export AZ1={az}
```

<!-- workshop: timeout=0.3 -->
```sh
sleep 5
```

<!-- workshop: requires=PREFIX_DELEGATION -->
```sh
echo pd
```
"""


@pytest.fixture
def guide(tmp_path: Path) -> Path:
    path = tmp_path / "guide.md"
    path.write_text(GUIDE)
    return path


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    return run_cli(args, capsys)


def test_junit_file_gets_the_mode_a_plain_write_would(
    guide: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN umask 022  WHEN the report is written  THEN it is 0644 like `open(path, "w")` makes it,
    # not the 0600 of the temporary file it is renamed from (CI uploads it as another user)
    report = tmp_path / "workshop.xml"
    saved = os.umask(0o022)
    try:
        run(["workshop", "run", str(guide), "--keep-going", "--junit-file", str(report)], capsys)
    finally:
        os.umask(saved)
    assert oct(report.stat().st_mode & 0o777) == oct(0o644)


def test_junit_has_one_case_per_step_with_its_verdict(
    guide: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "workshop.xml"
    code, _, _ = run(["workshop", "run", str(guide), "--keep-going", "--junit-file", str(report)], capsys)
    suite = next(iter(JUnitXml.fromfile(str(report))))
    verdicts = [
        (case.name, case.classname, type(case.result[0]).__name__ if case.result else "passed")
        for case in suite
    ]
    assert (code, verdicts) == (
        1,
        [
            ("01. AZ exports", "workshop.Exports", "passed"),
            ('02. echo "AZ1 is $AZ1"', "workshop.Checks", "passed"),
            ('03. echo "export AZ1=wrong"', "workshop.Checks", "Failure"),
            ("04. sleep 5", "workshop.Checks", "Error"),
            ("05. echo pd", "workshop.Checks", "Skipped"),
        ],
    )


def test_junit_failure_carries_the_reason_and_the_output(
    guide: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "workshop.xml"
    run(["workshop", "run", str(guide), "--keep-going", "--junit-file", str(report)], capsys)
    case = list(next(iter(JUnitXml.fromfile(str(report)))))[2]
    failure = case.result[0]
    assert isinstance(failure, Failure)
    assert (failure.message, case.system_out) == (
        "output does not have the expected shape: `export AZ1=wrong` does not match `export AZ1={az}` "
        "(guide line 26)",
        "export AZ1=wrong\n",
    )
    assert "expected shape:\nexport AZ1={az}" in failure.text


def test_junit_timeout_is_an_error_and_skip_says_why(
    guide: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "workshop.xml"
    run(["workshop", "run", str(guide), "--keep-going", "--junit-file", str(report)], capsys)
    cases = list(next(iter(JUnitXml.fromfile(str(report)))))
    error, skipped = cases[3].result[0], cases[4].result[0]
    assert (isinstance(error, Error), error.message, isinstance(skipped, Skipped), skipped.message) == (
        True,
        "timed out after 0.3 s",
        True,
        "requires PREFIX_DELEGATION=true (it is not set)",
    )


def test_junit_system_err_has_no_terminal_codes_or_characters_xml_cannot_hold(
    guide: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "workshop.xml"
    run(["workshop", "run", str(guide), "--junit-file", str(report)], capsys)
    case = list(next(iter(JUnitXml.fromfile(str(report)))))[1]
    assert case.system_err == "colour red and a bell \ufffd\n"


def test_stops_at_the_first_failure_by_default(guide: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["workshop", "run", str(guide)], capsys)
    assert (code, out.splitlines()[-1]) == (1, "5 steps: 2 passed, 1 failed, 0 errors, 2 skipped")


def test_progress_names_each_step_and_shows_why_one_failed(
    guide: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(["workshop", "run", str(guide)], capsys)
    lines = [re.sub(r" \(\d+\.\d s\)$", "", line) for line in out.splitlines()]
    assert lines[:8] == [
        "PASS  1/5  AZ exports",
        'PASS  2/5  echo "AZ1 is $AZ1"',
        'FAIL  3/5  echo "export AZ1=wrong"',
        "      step at line 21: output does not have the expected shape: `export AZ1=wrong` does not match "
        "`export AZ1={az}` (guide line 26)",
        "      expected shape:",
        "      | export AZ1={az}",
        "      stdout:",
        "      | export AZ1=wrong",
    ]


def test_verbose_prints_each_steps_output_as_it_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a guide whose steps print to stdout and stderr, the second failing
    path = tmp_path / "g.md"
    path.write_text("```sh\necho one\necho two >&2\n```\n\n```sh\necho three\nfalse\necho never\n```\n")
    # WHEN it runs with --verbose
    code, out, _ = run(["workshop", "run", "--verbose", str(path)], capsys)
    lines = [re.sub(r" \(\d+\.\d s\)$", "", line) for line in out.splitlines()]
    # THEN each step's lines come under its RUN heading, before its result, and are not repeated
    # (stdout and stderr are two pipes: their lines keep their own order, not each other's)
    first = lines[1:3]
    assert (code, lines[0], sorted(first), lines[3:]) == (
        1,
        "RUN   1/2  echo one",
        ["      ! two", "      | one"],
        [
            "PASS  1/2  echo one",
            "RUN   2/2  echo three",
            "      | three",
            "FAIL  2/2  echo three",
            "      step at line 6: exited 1, expected 0",
            "2 steps: 1 passed, 1 failed, 0 errors, 0 skipped",
        ],
    )


def test_a_failed_steps_output_is_printed_without_verbose(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "g.md"
    path.write_text("```sh\necho checking\necho 'connection refused' >&2\nexit 3\n```\n")
    code, out, _ = run(["workshop", "run", str(path)], capsys)
    assert (code, out.splitlines()[1:6]) == (
        1,
        [
            "      step at line 1: exited 3, expected 0",
            "      stdout:",
            "      | checking",
            "      stderr:",
            "      | connection refused",
        ],
    )


def test_all_passing_guide_exits_0_and_skips_do_not_fail_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "ok.md"
    path.write_text("```sh\ntrue\n```\n\n<!-- workshop: manual=interactive -->\n```sh\nfalse\n```\n")
    code, out, _ = run(["workshop", "run", str(path)], capsys)
    assert (code, out.splitlines()[-1]) == (0, "2 steps: 1 passed, 0 failed, 0 errors, 1 skipped")


def test_dry_run_lists_the_steps_and_runs_nothing(
    guide: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = tmp_path / "ran"
    guide.write_text(guide.read_text() + f"\n```sh\ntouch {marker}\n```\n")
    code, out, _ = run(["workshop", "run", "--dry-run", str(guide)], capsys)
    lines = out.splitlines()
    assert (code, marker.exists(), lines[0], lines[1].split(), len(lines)) == (
        0,
        False,
        f"Demo: 6 steps ({guide})",
        ["#", "LINE", "SECTION", "STEP", "CHECKS"],
        8,
    )
    assert re.split(r"\s{3,}", lines[6]) == [
        "5",
        "35",
        "Checks",
        "echo pd",
        "exit 0, requires PREFIX_DELEGATION=true",
    ]


def test_malformed_guide_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.md"
    path.write_text("# Bad\n\n```sh\necho never closed\n")
    code, out, err = run(["workshop", "run", "--dry-run", str(path)], capsys)
    assert (code, out, err) == (
        2,
        "",
        f"ekslab: error: {path} line 3: opens a ``` code block that is never closed\n",
    )


def test_junit_file_in_a_missing_folder_is_refused_before_any_step_runs(
    guide: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing" / "workshop.xml"
    code, out, err = run(["workshop", "run", str(guide), "--junit-file", str(target)], capsys)
    assert (code, out, err, target.parent.exists()) == (
        2,
        "",
        f"ekslab: error: --junit-file {target}: its folder {target.parent} does not exist\n",
        False,
    )


def test_junit_write_leaves_no_temporary_file(
    guide: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "reports"
    out_dir.mkdir()
    run(["workshop", "run", str(guide), "--junit-file", str(out_dir / "w.xml")], capsys)
    assert os.listdir(out_dir) == ["w.xml"]


def test_junit_class_names_keep_numbered_sections_and_cidrs_readable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # JUnit viewers split class names at dots; numbering and CIDRs must not become packages.
    path, report = tmp_path / "g.md", tmp_path / "w.xml"
    path.write_text("## 5. Custom networking with the 100.64.0.0/16 pod subnets\n\n```sh\ntrue\n```\n")
    run(["workshop", "run", str(path), "--junit-file", str(report)], capsys)
    case = next(iter(next(iter(JUnitXml.fromfile(str(report))))))
    assert case.classname == "workshop.5 Custom networking with the 100-64-0-0/16 pod subnets"


def test_junit_output_longer_than_the_limit_keeps_its_beginning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a capture limit of 10 characters and a step printing 0123456789abcdef
    monkeypatch.setattr("ekslab.workshop.junit.MAX_CAPTURED_CHARS", 10)
    path, report = tmp_path / "g.md", tmp_path / "w.xml"
    path.write_text("```sh\nprintf 0123456789abcdef\n```\n")
    # WHEN run with a JUnit report
    run(["workshop", "run", str(path), "--junit-file", str(report)], capsys)
    # THEN system-out holds the first 10 characters and says where it was cut
    case = next(iter(next(iter(JUnitXml.fromfile(str(report))))))
    assert case.system_out == "0123456789\n... (cut at 10 characters)"
