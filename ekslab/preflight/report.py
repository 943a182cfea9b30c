"""Preflight reports: a JSON document and JUnit XML (one test case per check, suite ``preflight``).

JSON shape (other keys may be added)::

    {"lab": ..., "region": ..., "account": ..., "labs": N, "exit_code": 0|1|3,
     "summary": {"pass": N, "warn": N, "fail": N, "not-checked": N},
     "checks": [{"check", "result", "detail", "fix", ...}]}
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from ekslab.files import atomic_output
from ekslab.preflight.checks import FAIL, NOT_CHECKED, PASS, WARN, PreflightCheck, exit_code


def summary(checks: Sequence[PreflightCheck]) -> dict[str, int]:
    return {
        result: sum(1 for check in checks if check.result == result)
        for result in (PASS, WARN, FAIL, NOT_CHECKED)
    }


def document(
    checks: Sequence[PreflightCheck], *, lab: str, region: str, account: str | None, labs: int, config: str
) -> dict[str, Any]:
    return {
        "lab": lab,
        "config": config,
        "region": region,
        "account": account,
        "labs": labs,
        "exit_code": exit_code(checks),
        "summary": summary(checks),
        "checks": [check.as_json() for check in checks],
    }


def write_junit(checks: Sequence[PreflightCheck], path: str | os.PathLike[str], *, source: str) -> None:
    """JUnit XML (junitparser), written atomically (``ekslab.files.atomic_output``).

    ``fail`` is a failure, ``not-checked`` a skip, ``warn`` a pass whose detail is in system-out."""
    from junitparser import Failure, JUnitXml, Skipped, TestCase, TestSuite

    suite = TestSuite("preflight")
    for check in checks:
        case = TestCase(check.name, "preflight")
        if check.result == FAIL:
            case.result = [Failure(check.detail, "failure")]
        elif check.result == NOT_CHECKED:
            case.result = [Skipped(f"not checked: {check.detail}")]
        case.system_out = "\n".join(
            line
            for line in (f"{check.result}: {check.detail}", f"fix: {check.fix}" if check.fix else "")
            if line
        )
        suite.add_testcase(case)
    xml = JUnitXml("ekslab preflight")
    xml.add_testsuite(suite)
    with atomic_output(path, source=source) as temporary:
        xml.write(str(temporary), pretty=True)
