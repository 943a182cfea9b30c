"""Reading an exercise guide: a Markdown page whose shell blocks are the steps, run in order.

What counts (docs/workshop.md, "Writing steps", says the same for authors):

* A **step** is a fenced code block whose language is ``sh``, ``bash`` or ``shell``.
* A fenced ``text`` block right after a step (only blank lines between) is the step's **expected
  output shape** (``ekslab.workshop.shape``). GitHub renders it as the example output a reader
  expects; the runner checks the step's standard output against it. A step without one is checked
  by its exit status only.
* An HTML comment right before a step, ``<!-- workshop: name="AZ exports" timeout=120 -->``, sets
  options; GitHub does not render it. Options: ``name`` (the test case name), ``timeout`` (seconds),
  ``exit`` (expected exit status, default 0), ``requires`` (comma-separated environment variables
  that must be ``true``, else the step is skipped), ``manual`` (shown, never run: e.g. an
  interactive session; its value says why).
* The nearest heading above a step is its section; the first level-1 heading is the guide's title.

Everything else is prose. A malformed guide (no step at all, an unclosed fence, an unknown option, a comment not
followed by a step, an unknown placeholder) is an ``InputError`` naming the line.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

from ekslab.errors import InputError
from ekslab.files import read_text
from ekslab.workshop.shape import OutputShape, compile_shape

SHELL_LANGUAGES: Final = frozenset({"sh", "bash", "shell"})
SHAPE_LANGUAGE: Final = "text"
OPTIONS_MARKER: Final = "workshop:"
OPTIONS: Final = ("name", "timeout", "exit", "requires", "manual")
MAX_TIMEOUT_SECONDS: Final = 3600

_FENCE: Final = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_HEADING: Final = re.compile(r"^\s{0,3}(?P<level>#{1,6})\s+(?P<text>.*?)\s*#*\s*$")
_COMMENT: Final = re.compile(r"^\s*<!--\s*workshop:(?P<body>.*)-->\s*$")
_ENV_NAME: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Step:
    """One shell block of the guide and how to check it."""

    number: int
    section: str
    script: str
    line: int
    """Guide line of the opening fence."""
    name: str = ""
    shape: OutputShape | None = None
    exit_code: int = 0
    timeout: float | None = None
    """Seconds; ``None`` means the runner's default."""
    requires: tuple[str, ...] = ()
    manual: str | None = None
    """Why the step is not run (an interactive command...), ``None`` for a step the runner runs."""

    @property
    def title(self) -> str:
        """The step's name, else its first command line."""
        if self.name:
            return self.name
        for line in self.script.splitlines():
            text = line.strip()
            if text and not text.startswith("#"):
                return text if len(text) <= 80 else text[:77] + "..."
        return f"step {self.number}"


@dataclass(frozen=True)
class Guide:
    source: str
    title: str
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class _Block:
    language: str
    body: list[str]
    line: int


def read_guide(path: str | os.PathLike[str]) -> Guide:
    """Read and parse a guide file."""
    source = os.fspath(path)
    text = read_text(path, source=source, kind="guide file", expected="a Markdown guide")
    return parse_guide(text, source=source)


def parse_guide(text: str, *, source: str) -> Guide:
    """Parse a guide's Markdown text (see the module docstring)."""
    title = ""
    section = ""
    steps: list[Step] = []
    pending: tuple[int, dict[str, str]] | None = None
    after_step = False  # only blank lines since the last step's closing fence
    for item in _items(text.splitlines(), source):
        if isinstance(item, _Block):
            if item.language in SHELL_LANGUAGES:
                options = pending[1] if pending else {}
                steps.append(_step(item, options, number=len(steps) + 1, section=section, source=source))
                pending, after_step = None, True
                continue
            _refuse_dangling(pending, source)
            if item.language == SHAPE_LANGUAGE and after_step:
                steps[-1] = replace(
                    steps[-1], shape=compile_shape(item.body, first_line=item.line, source=source)
                )
            after_step = False
            continue
        kind, line_number, value = item
        if kind == "blank":
            continue
        _refuse_dangling(pending, source)
        pending, after_step = None, False
        if kind == "options":
            pending = (line_number, _parse_options(str(value), where=f"{source} line {line_number}"))
        elif kind == "heading":
            level, heading = value  # type: ignore[misc]
            if level == 1 and not title:
                title = heading
            else:
                section = heading
    _refuse_dangling(pending, source)
    if not steps:
        raise InputError(
            source, "has no steps; expected a Markdown guide with fenced ```sh (or bash, shell) blocks"
        )
    return Guide(source=source, title=title or Path(source).stem, steps=tuple(steps))


def _items(lines: list[str], source: str) -> Iterator[_Block | tuple[str, int, object]]:
    """Fenced blocks, headings, workshop comments, blank and other lines, in order (1-based lines)."""
    index = 0
    while index < len(lines):
        line = lines[index]
        number = index + 1
        fence = _FENCE.match(line)
        if fence and not (fence["fence"][0] == "`" and "`" in fence["info"]):
            marker = fence["fence"]
            indent = len(fence["indent"].expandtabs(4))
            language = (fence["info"].strip().split() or [""])[0].lower()
            body: list[str] = []
            index += 1
            while index < len(lines):
                closing = lines[index].strip()
                if closing and set(closing) == {marker[0]} and len(closing) >= len(marker):
                    break
                body.append(_dedent(lines[index], indent))
                index += 1
            else:
                raise InputError(
                    f"{source} line {number}", f"opens a {marker} code block that is never closed"
                )
            yield _Block(language, body, number)
            index += 1
            continue
        comment = _COMMENT.match(line)
        if comment:
            yield ("options", number, comment["body"])
        elif line.lstrip().startswith("<!--") and OPTIONS_MARKER in line and "-->" not in line:
            raise InputError(
                f"{source} line {number}", "a <!-- workshop: ... --> comment must fit on one line"
            )
        elif heading := _HEADING.match(line):
            yield ("heading", number, (len(heading["level"]), _plain_heading(heading["text"])))
        elif not line.strip():
            yield ("blank", number, None)
        else:
            yield ("text", number, None)
        index += 1


def _dedent(line: str, indent: int) -> str:
    # CommonMark: the fence's own indentation is removed from each content line, where present.
    expanded = line.expandtabs(4)
    strip = min(indent, len(expanded) - len(expanded.lstrip(" ")))
    return expanded[strip:]


def _plain_heading(text: str) -> str:
    return re.sub(r"[`*_]", "", re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)).strip()


def _parse_options(body: str, *, where: str) -> dict[str, str]:
    try:
        words = shlex.split(body)
    except ValueError as error:
        raise InputError(where, f"workshop options must be key=value words ({error})") from None
    options: dict[str, str] = {}
    for word in words:
        key, has_value, value = word.partition("=")
        if key not in OPTIONS:
            raise InputError(where, f"unknown workshop option {key!r}; options are {', '.join(OPTIONS)}")
        if key in options:
            raise InputError(where, f"workshop option {key!r} is given twice")
        if not has_value and key != "manual":
            raise InputError(where, f"workshop option {key!r} needs a value ({key}=...)")
        options[key] = value if has_value else ""
    return options


def _step(block: _Block, options: dict[str, str], *, number: int, section: str, source: str) -> Step:
    where = f"{source} line {block.line}"
    script = "\n".join(block.body).strip("\n")
    if not script.strip():
        raise InputError(where, "is an empty shell block; a step needs at least one command")
    timeout = None
    if "timeout" in options:
        try:
            timeout = float(options["timeout"])
        except ValueError:
            timeout = -1.0
        if not 0 < timeout <= MAX_TIMEOUT_SECONDS:
            raise InputError(
                where,
                f"timeout must be a number of seconds in (0, {MAX_TIMEOUT_SECONDS}]",
                options["timeout"],
            )
    exit_code = 0
    if "exit" in options:
        text = options["exit"]
        if not text.isdigit() or int(text) > 255:
            raise InputError(where, "exit must be an exit status from 0 to 255", text)
        exit_code = int(text)
    requires = tuple(name.strip() for name in options.get("requires", "").split(",") if name.strip())
    for name in requires:
        if not _ENV_NAME.match(name):
            raise InputError(
                where, "requires must name environment variables, e.g. requires=PREFIX_DELEGATION", name
            )
    manual = None
    if "manual" in options:
        manual = options["manual"] or "a manual step"
    return Step(
        number=number,
        section=section,
        script=script,
        line=block.line,
        name=options.get("name", ""),
        exit_code=exit_code,
        timeout=timeout,
        requires=requires,
        manual=manual,
    )


def _refuse_dangling(pending: tuple[int, dict[str, str]] | None, source: str) -> None:
    if pending is not None:
        raise InputError(
            f"{source} line {pending[0]}",
            "a <!-- workshop: ... --> comment must come right before a sh or bash block",
        )
