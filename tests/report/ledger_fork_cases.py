"""The cases of ``test_report_ledger_fork.py``, run in a fresh Python process: the test process has
other threads (the jsii kernel's, once aws_cdk is imported), where no child is forked.
``python -m tests.report.ledger_fork_cases CASE BUNDLE OUT [LAB]`` prints one JSON object of facts
for the test to judge."""

from __future__ import annotations

import json
import os
import re
import signal
import sys
from pathlib import Path
from typing import Any

from ekslab.cli import report_output
from ekslab.cli.inputs import read_snapshot
from ekslab.cli.verify_cmd import expectations_for
from ekslab.errors import InputError
from ekslab.sources import forked
from ekslab.verify.checks import verify
from tests.fresh_process import count_forks

PARENT = os.getpid()


def _page(path: Path) -> str:
    """The page without the minute it was made."""
    return re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", "TIME", path.read_text())


def _write(snapshot: Any, report: Any, out: Path, lab: Any, *, fork: bool, after: Any = None) -> str | None:
    """Write the page with the ledger from a child (``fork``: the read's, with ``after``) or built
    here; the refusal, if any."""
    try:
        if fork:
            with report_output.start_ledger(snapshot, lab, after) as ledger:
                report_output.write_report(snapshot, report, str(out), source="out", lab=lab, ledger=ledger)
        else:
            report_output.write_report(snapshot, report, str(out), source="out", lab=lab)
    except InputError as error:
        return error.message
    return None


def _killed_in_the_child(snapshot: Any, lab: Any) -> Any:
    if os.getpid() != PARENT:
        os.kill(os.getpid(), signal.SIGKILL)
    return _real_rows(snapshot, lab)


def _refused(snapshot: Any, lab: Any) -> Any:
    raise InputError("subnet-cidr-reservations/subnet-x.json", "must be a JSON object")


_real_rows = report_output.ledger_html


def case(name: str, bundle: str, out: Path, lab_path: str | None) -> dict[str, Any]:
    """``same``, ``killed``, ``refused``: the ledger from a child forked for it after the read;
    with ``-after``, from the read's own child (``ledger_after_read``)."""
    expectations = expectations_for(lab_path, {})
    lab = expectations.lab if lab_path else None
    made = count_forks()
    if name.startswith("killed"):
        report_output.ledger_html = _killed_in_the_child  # type: ignore[assignment]
    elif name.startswith("refused"):
        report_output.ledger_html = _refused  # type: ignore[assignment]
    after = report_output.ledger_after_read(lab) if name.endswith("-after") else None
    snapshot = read_snapshot(bundle, {}, cidr_reservations=True, after=after)
    read = len(made)
    report = verify(snapshot, expectations)
    facts: dict[str, Any] = {"can_fork": forked.can_fork(), "children_read": read}
    facts["after_started"] = after is not None and after.pending is not None
    here, there = out / "here.html", out / "there.html"
    facts["refusal_here"] = _write(snapshot, report, here, lab, fork=False)
    facts["children_here"] = len(made) - read
    facts["refusal_there"] = _write(snapshot, report, there, lab, fork=True, after=after)
    facts["children"] = len(made) - read
    facts["reaped"] = all(_reaped(pid) for pid in made)
    if facts["refusal_here"] is None:
        facts["same_page"] = _page(here) == _page(there)
        facts["ledger_rows"] = _page(there).count('<div class="lsub"')
    else:
        facts["pages"] = sorted(path.name for path in out.iterdir())
    return facts


def _reaped(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


if __name__ == "__main__":
    lab_arg = sys.argv[4] if len(sys.argv) > 4 else None
    print(json.dumps(case(sys.argv[1], sys.argv[2], Path(sys.argv[3]), lab_arg)))
