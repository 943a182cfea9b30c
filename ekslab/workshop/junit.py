"""JUnit XML of a guide run, written with ``junitparser``: one test case per step.

Test case names are ``NN. <step title>``, classes ``workshop.<section>``; a failure carries the
reason as its message and the mismatch (expected shape and the output) as its text; a timeout is an
error; skipped steps say why. The step's standard output and error go to ``system-out`` and
``system-err``, without terminal colour codes and characters XML cannot hold, and cut at
``MAX_CAPTURED_CHARS``. The file is written to a temporary name and renamed: never half-written.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from ekslab.files import atomic_output, check_output_file
from ekslab.workshop.guide import Guide
from ekslab.workshop.runner import ERROR, FAILED, SKIPPED, StepResult

MAX_CAPTURED_CHARS: Final = 200_000
_ANSI: Final = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07")
_NOT_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def write_junit(guide: Guide, results: Sequence[StepResult], path: str | os.PathLike[str]) -> None:
    """Write the results of a guide run as a JUnit XML file."""
    from junitparser import Error, Failure, JUnitXml, Skipped, TestCase, TestSuite

    suite = TestSuite(f"workshop: {guide.title}")
    suite.add_property("guide", guide.source)
    for result in results:
        step = result.step
        section = _class_name(step.section)
        case = TestCase(
            f"{step.number:02d}. {_clean(step.title)}", f"workshop.{section}", round(result.seconds, 3)
        )
        if result.status == FAILED:
            failure = Failure(_clean(result.message), "failed")
            failure.text = _clean(result.detail or result.message)
            case.result = [failure]
        elif result.status == ERROR:
            error = Error(_clean(result.message), "error")
            error.text = _clean(result.detail or result.message)
            case.result = [error]
        elif result.status == SKIPPED:
            case.result = [Skipped(_clean(result.message))]
        if result.stdout:
            case.system_out = _captured(result.stdout)
        if result.stderr:
            case.system_err = _captured(result.stderr)
        suite.append(case)  # not add_testcase, which recounts the suite each time (quadratic)
    suite.update_statistics()
    document = JUnitXml("ekslab workshop")
    document.add_testsuite(suite)
    document.update_statistics()
    _write_atomically(document, Path(path))


def _class_name(section: str) -> str:
    # JUnit viewers split class names at dots: "3. Inside ipamd" -> "3 Inside ipamd", "100.64" -> "100-64".
    text = re.sub(r"^(\d+)\.\s+", r"\1 ", _clean(section or "guide"))
    return text.replace(".", "-")


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", _ANSI.sub("", text))


def _captured(text: str) -> str:
    cleaned = _clean(text)
    if len(cleaned) > MAX_CAPTURED_CHARS:
        cleaned = cleaned[:MAX_CAPTURED_CHARS] + f"\n... (cut at {MAX_CAPTURED_CHARS:,} characters)"
    return cleaned


def check_report_path(path: str | os.PathLike[str]) -> Path | None:
    """The file a report will replace (``None`` for standard output, ``-``), checked before a run
    starts (``ekslab.files.check_output_file``: a folder that exists, no device or FIFO)."""
    return check_output_file(path, source=f"--junit-file {os.fspath(path)}", stdout_ok=True)


def _write_atomically(document: object, target: Path) -> None:
    with atomic_output(target, source=f"--junit-file {os.fspath(target)}", stdout_ok=True) as temporary:
        document.write(str(temporary), pretty=True)  # type: ignore[attr-defined]
