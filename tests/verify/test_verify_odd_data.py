"""Odd data never crashes verification: any field of any document replaced by a value of another type.

Each case takes the hand-written workshop bundle, replaces one value somewhere in one document with
null, a number, a string, a list or an object, and runs the whole verification. The only acceptable
outcomes are a report (any exit code) or an ``InputError`` (exit 2, one line): anything else would
reach the user as a traceback. Cases are drawn with a fixed seed, so a failure is reproducible.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any

import pytest

from ekslab.errors import InputError
from ekslab.verify.bundle import read_bundle
from ekslab.verify.checks import Expectations, verify
from ekslab.verify.report import write_json

BUNDLE = Path(__file__).resolve().parent.parent / "fixtures" / "bundles" / "workshop-2048"
ODD_VALUES: list[Any] = [None, 0, -1, 3.5, True, "", "x", "10.0.1.11", [], [1, "a"], {}, {"a": {"b": []}}]
CASES = 400


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside a decoded JSON document."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


def replace(document: Any, path: tuple[Any, ...], value: Any) -> None:
    for step in path[:-1]:
        document = document[step]
    document[path[-1]] = value


def cases() -> list[tuple[str, tuple[Any, ...], Any]]:
    chooser = random.Random(20260901)
    files = sorted(str(path.relative_to(BUNDLE)) for path in BUNDLE.rglob("*.json"))
    chosen = []
    for _ in range(CASES):
        name = chooser.choice(files)
        document = json.loads((BUNDLE / name).read_text())
        candidates = paths(document)
        if not candidates:
            continue
        chosen.append((name, chooser.choice(candidates), chooser.choice(ODD_VALUES)))
    return chosen


@pytest.mark.parametrize(("name", "path", "value"), cases())
def test_any_odd_value_gives_a_report_or_one_input_error(
    tmp_path: Path, name: str, path: tuple[Any, ...], value: Any
) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(BUNDLE, bundle)
    document = json.loads((bundle / name).read_text())
    replace(document, path, value)
    (bundle / name).write_text(json.dumps(document))
    expectations = Expectations(
        aws_node_env={"WARM_ENI_TARGET": "1", "AWS_VPC_K8S_CNI_EXTERNALSNAT": "false"},
        init_env={"DISABLE_TCP_EARLY_DEMUX": "false"},
    )
    try:
        report = verify(read_bundle(bundle), expectations)
    except InputError as error:
        assert "\n" not in error.message and error.message.startswith(str(bundle))
        return
    with open(tmp_path / "report.json", "w") as handle:
        write_json(report, handle)
    assert report.exit_code() in (0, 1, 3)
