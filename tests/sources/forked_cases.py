"""The forked-read cases of ``test_forked.py``, run in a fresh Python process: the test process has
other threads (the jsii kernel's, once aws_cdk is imported), where ``ekslab.sources.forked`` rightly
refuses to fork. ``python -m tests.sources.forked_cases CASE BUNDLE`` prints one JSON object of facts
for the test to judge."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

from ekslab.errors import InputError
from ekslab.sources import forked
from ekslab.sources.bundle import AfterRead, read_bundle
from tests.fresh_process import count_forks


def _refusal(bundle: str, *, fork: bool) -> str | None:
    try:
        read_bundle(bundle, fork=fork)
    except InputError as error:
        return error.message
    return None


def _refuse() -> None:
    raise InputError("bundle/ipamd/x", "must be a folder", "a-file", hint="see docs")


def _digest(snapshot: Any) -> str:
    return hashlib.sha256(repr(snapshot).encode("utf-8", "surrogatepass")).hexdigest()


def case(name: str, bundle: str) -> dict[str, Any]:
    made = count_forks()
    facts: dict[str, Any] = {"can_fork": forked.can_fork()}
    if name == "after-snapshot":
        after = AfterRead(_digest, str)
        snapshot = read_bundle(bundle, fork=True, after=after)
        facts.update(
            started=after.pending is not None,
            equal=after.pending is not None and after.pending.result() == _digest(snapshot),
            children=len(made),
        )
    elif name == "same-snapshot":
        alone = read_bundle(bundle, fork=False)
        children_alone = len(made)
        together = read_bundle(bundle, fork=True)
        facts.update(
            equal=together == alone,
            children=[children_alone, len(made)],
            nodes=len(together.ipamd),
            notes=together.notes,
        )
    elif name == "refusal":
        alone = _refusal(bundle, fork=False)
        facts.update(alone=alone, together=_refusal(bundle, fork=True), children=len(made))
        try:
            os.waitpid(made[0], os.WNOHANG)
            facts["reaped"] = False
        except ChildProcessError:
            facts["reaped"] = True
    elif name == "no-answer":
        works = [lambda: 1 << 70, lambda: "\ud800", lambda: os.kill(os.getpid(), signal.SIGKILL)]
        facts["results"] = [forked.start(work, object).result() for work in works]  # type: ignore[union-attr]
    elif name == "answers":
        refused = forked.start(_refuse, object)
        try:
            refused.result()  # type: ignore[union-attr]
        except InputError as error:
            facts["refusal"] = error.message
        facts["result"] = forked.start(lambda: {"a": [1, 2], "b": None}, dict[str, Any]).result()  # type: ignore[union-attr]
        asked = forked.start(lambda: 2, int, then=lambda number: number * 21, then_type=int)
        assert asked is not None
        facts["then"] = [asked.result(), asked.follow(1, int).result()]  # type: ignore[union-attr]
        try:
            asked.follow(1, int)
        except RuntimeError:
            facts["followed_twice"] = "refused"
    return facts


if __name__ == "__main__":
    print(json.dumps(case(sys.argv[1], str(Path(sys.argv[2])))))
