"""Parsing a guide: which blocks are steps, which text block is a step's shape, options, and errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from ekslab.errors import InputError
from ekslab.workshop.guide import parse_guide, read_guide

GUIDE = """\
# VPC CNI workshop

Prose before the first section.

## 1. AZ exports

<!-- workshop: name="AZ exports" timeout=60 -->
```sh
ekslab azs --append ~/.bash_profile
```

```text
export AZ1={az}
```

## 2. Pods

```bash
kubectl get pods --all-namespaces -o wide
```

Some prose, then a text block that is *not* right after a step:

```text
not a shape
```

```yaml
kind: Pod
```

<!-- workshop: requires=PREFIX_DELEGATION,CUSTOM_NETWORK exit=3 -->
```shell
# a comment first
ekslab pods --node "$NODE"
```

<!-- workshop: manual="an interactive SSM session" -->
````sh
aws ssm start-session --target "$INSTANCE"
```
````
"""


def test_shell_blocks_are_the_steps_in_order_with_their_sections() -> None:
    guide = parse_guide(GUIDE, source="g.md")
    assert (guide.title, [(step.number, step.section, step.title, step.line) for step in guide.steps]) == (
        "VPC CNI workshop",
        [
            (1, "1. AZ exports", "AZ exports", 8),
            (2, "2. Pods", "kubectl get pods --all-namespaces -o wide", 18),
            (3, "2. Pods", 'ekslab pods --node "$NODE"', 33),
            (4, "2. Pods", 'aws ssm start-session --target "$INSTANCE"', 39),
        ],
    )


def test_text_block_right_after_a_step_is_its_shape_and_no_other() -> None:
    guide = parse_guide(GUIDE, source="g.md")
    assert [step.shape.checked_lines if step.shape else None for step in guide.steps] == [1, None, None, None]


def test_options_set_timeout_exit_requires_and_manual() -> None:
    steps = parse_guide(GUIDE, source="g.md").steps
    assert [(step.timeout, step.exit_code, step.requires, step.manual) for step in steps] == [
        (60.0, 0, (), None),
        (None, 0, (), None),
        (None, 3, ("PREFIX_DELEGATION", "CUSTOM_NETWORK"), None),
        (None, 0, (), "an interactive SSM session"),
    ]


def test_a_longer_fence_keeps_shorter_fences_as_content() -> None:
    step = parse_guide(GUIDE, source="g.md").steps[3]
    assert step.script == 'aws ssm start-session --target "$INSTANCE"\n```'


def test_block_indented_in_a_list_loses_the_fence_indentation() -> None:
    text = "1. Run:\n\n   ```sh\n   echo one\n     echo two\n   ```\n"
    assert parse_guide(text, source="g.md").steps[0].script == "echo one\n  echo two"


def test_tilde_fences_and_headings_with_markup_are_read() -> None:
    text = "# Title\n\n## Custom `networking` with [ENIConfig](https://x)\n\n~~~bash\necho hi\n~~~\n"
    step = parse_guide(text, source="g.md").steps[0]
    assert (step.section, step.script) == ("Custom networking with ENIConfig", "echo hi")


def test_a_later_level_1_heading_is_a_section_not_the_title() -> None:
    text = "# VPC CNI workshop\n\n```sh\ntrue\n```\n\n# Appendix\n\n```sh\nfalse\n```\n"
    guide = parse_guide(text, source="g.md")
    assert (guide.title, [step.section for step in guide.steps]) == ("VPC CNI workshop", ["", "Appendix"])


@pytest.mark.parametrize(("exit_text", "exit_code"), [("0", 0), ("255", 255)])
def test_exit_accepts_every_exit_status(exit_text: str, exit_code: int) -> None:
    text = f"<!-- workshop: exit={exit_text} -->\n```sh\ntrue\n```\n"
    assert parse_guide(text, source="g.md").steps[0].exit_code == exit_code


@pytest.mark.parametrize(
    ("command", "title"),
    [
        ("x" * 80, "x" * 80),
        ("x" * 81, "x" * 77 + "..."),  # a long first command is cut to 80 characters in all
    ],
)
def test_a_step_title_is_its_first_command_cut_to_80_characters(command: str, title: str) -> None:
    assert parse_guide(f"```sh\n{command}\n```\n", source="g.md").steps[0].title == title


def test_title_defaults_to_the_file_name() -> None:
    assert parse_guide("```sh\ntrue\n```\n", source="docs/lab.md").title == "lab"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# T\n\n```sh\necho never closed\n", "g.md line 3: opens a ``` code block that is never closed"),
        (
            "<!-- workshop: timeout=5 -->\n\nProse.\n\n```sh\ntrue\n```\n",
            "g.md line 1: a <!-- workshop: ... --> comment must come right before a sh or bash block",
        ),
        (
            "<!-- workshop: timeout=5 -->\n```text\nx\n```\n",
            "g.md line 1: a <!-- workshop: ... --> comment must come right before a sh or bash block",
        ),
        (
            "<!-- workshop: timeout=5 -->\n",
            "g.md line 1: a <!-- workshop: ... --> comment must come right before a sh or bash block",
        ),
        (
            "<!-- workshop: retries=3 -->\n```sh\ntrue\n```\n",
            "g.md line 1: unknown workshop option 'retries'; "
            "options are name, timeout, exit, requires, manual",
        ),
        (
            "<!-- workshop: timeout=0 -->\n```sh\ntrue\n```\n",
            "g.md line 2: timeout must be a number of seconds in (0, 3600], got '0'",
        ),
        (
            "<!-- workshop: timeout=soon -->\n```sh\ntrue\n```\n",
            "g.md line 2: timeout must be a number of seconds in (0, 3600], got 'soon'",
        ),
        (
            "<!-- workshop: exit=-1 -->\n```sh\ntrue\n```\n",
            "g.md line 2: exit must be an exit status from 0 to 255, got '-1'",
        ),
        (
            "<!-- workshop: exit=256 -->\n```sh\ntrue\n```\n",
            "g.md line 2: exit must be an exit status from 0 to 255, got '256'",
        ),
        (
            "<!-- workshop: requires=PD-ON -->\n```sh\ntrue\n```\n",
            "g.md line 2: requires must name environment variables, e.g. requires=PREFIX_DELEGATION, "
            "got 'PD-ON'",
        ),
        (
            "<!-- workshop: name -->\n```sh\ntrue\n```\n",
            "g.md line 1: workshop option 'name' needs a value (name=...)",
        ),
        (
            "<!-- workshop: timeout=1 timeout=2 -->\n```sh\ntrue\n```\n",
            "g.md line 1: workshop option 'timeout' is given twice",
        ),
        (
            '<!-- workshop: name="unclosed -->\n```sh\ntrue\n```\n',
            "g.md line 1: workshop options must be key=value words (No closing quotation)",
        ),
        (
            "<!-- workshop: name=x\n-->\n```sh\ntrue\n```\n",
            "g.md line 1: a <!-- workshop: ... --> comment must fit on one line",
        ),
        ("```sh\n\n```\n", "g.md line 1: is an empty shell block; a step needs at least one command"),
        (
            "# Only prose\n\n```python\nprint(1)\n```\n",
            "g.md: has no steps; expected a Markdown guide with fenced ```sh (or bash, shell) blocks",
        ),
        ("```sh\ntrue\n```\n```text\n{nope}\n```\n", "g.md line 5: {nope} is not a placeholder; use one of"),
    ],
)
def test_malformed_guides_are_one_line_errors_naming_the_line(text: str, message: str) -> None:
    with pytest.raises(InputError) as error:
        parse_guide(text, source="g.md")
    assert error.value.message.startswith(message)


def test_missing_guide_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as error:
        read_guide(tmp_path / "nope.md")
    assert error.value.message == f"{tmp_path / 'nope.md'}: no such guide file"
