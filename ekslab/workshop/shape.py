"""Expected output shapes: the fenced ``text`` block a guide writes after a shell block.

A shape is what a reader sees on GitHub, an example output with the variable parts named, and what
the runner checks the block's standard output against::

    NAMESPACE   NAME             READY   STATUS    RESTARTS   AGE     IP     NODE
    ...
    game-2048   {word}           1/1     Running   {int}      {age}   {ip}   {word}
    ...

* Each line matches one output line, in order. ``...`` alone on a line matches any number of
  lines (none included); without it the shape is anchored at the first and the last output line.
* Blank lines are ignored on both sides, and so are leading and trailing spaces; a run of spaces
  matches any run of spaces, so table columns may be aligned differently.
* ``{name}`` is a placeholder from ``PLACEHOLDERS`` (``{ip}``, ``{eni}``, ``{az}``...);
  ``{a|b}`` matches one of the alternatives literally. Other braces are literal text (JSON's ``{``).
  An unknown ``{name}`` is an error of the guide, so a typo cannot silently match nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from ekslab.errors import InputError

GAP: Final = "..."

_IPV4: Final = r"(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}"
_IPV6: Final = r"[0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){2,7}"
PLACEHOLDERS: Final = {
    "any": (r".*", "anything, also nothing"),
    "word": (r"\S+", "one word (no spaces)"),
    "int": (r"-?\d+", "an integer"),
    "number": (r"-?\d+(?:\.\d+)?", "a number"),
    "bool": (r"true|false", "true or false"),
    "ip": (rf"(?:{_IPV4}|{_IPV6})", "an IPv4 or IPv6 address"),
    "cidr": (rf"(?:{_IPV4}|{_IPV6})/\d{{1,3}}", "a CIDR block, e.g. 10.11.0.0/16"),
    "region": (r"[a-z]{2}(?:-[a-z]+)+-\d+", "an AWS region, e.g. ap-northeast-2"),
    "az": (r"[a-z]{2}(?:-[a-z]+)+-\d+[a-z]", "an availability zone, e.g. ap-northeast-2a"),
    "eni": (r"eni-[0-9a-f]+", "an ENI id"),
    "subnet": (r"subnet-[0-9a-f]+", "a subnet id"),
    "sg": (r"sg-[0-9a-f]+", "a security group id"),
    "instance": (r"i-[0-9a-f]+", "an EC2 instance id"),
    "age": (r"(?:\d+[smhdy])+|<unknown>", "a kubectl age, e.g. 3d19h"),
}
_PLACEHOLDER: Final = re.compile(r"\{([a-z]+|[^{}|]*\|[^{}]*)\}")
_SPACES: Final = re.compile(r"\s+")


@dataclass(frozen=True)
class ShapeLine:
    """One line of a shape: its text as written, its guide line number, and its compiled pattern."""

    text: str
    line: int
    pattern: re.Pattern[str] | None
    """``None`` for a gap (``...``)."""

    @property
    def is_gap(self) -> bool:
        return self.pattern is None


@dataclass(frozen=True)
class Mismatch:
    """Why an output does not have the shape: the shape line that failed and the output it met."""

    reason: str
    shape_line: ShapeLine | None
    output_index: int | None
    """0-based index into the non-blank output lines, ``None`` when the output ran out."""


@dataclass(frozen=True)
class OutputShape:
    """A compiled expected-output block."""

    lines: tuple[ShapeLine, ...]
    line: int
    """Guide line of the block's opening fence."""

    @property
    def checked_lines(self) -> int:
        return sum(1 for line in self.lines if not line.is_gap)

    def match(self, output: str) -> Mismatch | None:
        """``None`` when ``output`` has this shape, else the first reason it does not."""
        actual = _significant(output)
        segments = _segments(self.lines)
        starts_open = bool(self.lines) and self.lines[0].is_gap
        ends_open = bool(self.lines) and self.lines[-1].is_gap
        if len(segments) == 1 and not starts_open and not ends_open:
            return _match_exact(segments[0], actual)
        position = 0
        last = len(segments) - 1
        for number, segment in enumerate(segments):
            if number == 0 and not starts_open:
                problem = _match_at(segment, actual, 0)
                if problem is not None:
                    return problem
                position = len(segment)
            elif number == last and not ends_open:
                start = len(actual) - len(segment)
                if start < position:
                    return Mismatch(
                        f"the output ended before `{segment[0].text}` could match at its end",
                        segment[0],
                        None,
                    )
                problem = _match_at(segment, actual, start)
                if problem is not None:
                    return problem
                position = len(actual)
            else:
                found = _find(segment, actual, position)
                if found is None:
                    after = f"after output line {position}" if position else "in the output"
                    return Mismatch(
                        f"no lines {after} match `{segment[0].text}`"
                        + (f" and the {len(segment) - 1} line(s) after it" if len(segment) > 1 else ""),
                        segment[0],
                        None,
                    )
                position = found + len(segment)
        return None


def compile_shape(lines: Sequence[str], *, first_line: int, source: str) -> OutputShape:
    """Compile the body of an expected-output block; ``first_line`` is the guide line of its fence."""
    compiled = []
    for offset, text in enumerate(lines, start=1):
        stripped = text.strip()
        if not stripped:
            continue
        number = first_line + offset
        if stripped == GAP:
            if compiled and compiled[-1].is_gap:
                continue
            compiled.append(ShapeLine(stripped, number, None))
            continue
        compiled.append(ShapeLine(stripped, number, _line_pattern(stripped, where=f"{source} line {number}")))
    return OutputShape(tuple(compiled), first_line)


def _line_pattern(text: str, *, where: str) -> re.Pattern[str]:
    parts: list[str] = []
    position = 0
    for placeholder in _PLACEHOLDER.finditer(text):
        parts.append(_literal(text[position : placeholder.start()]))
        name = placeholder.group(1)
        if "|" in name:
            parts.append("(?:" + "|".join(_literal(choice.strip()) for choice in name.split("|")) + ")")
        elif name == "any" and parts[-1].endswith(r"\s+"):
            # Output lines are stripped: "line {any}" must also match a bare "line".
            parts[-1] = parts[-1].removesuffix(r"\s+")
            parts.append(r"(?:\s+.*)?")
        elif name in PLACEHOLDERS:
            parts.append(f"(?:{PLACEHOLDERS[name][0]})")
        else:
            raise InputError(
                where,
                f"{{{name}}} is not a placeholder; use one of "
                + ", ".join(f"{{{known}}}" for known in PLACEHOLDERS),
                hint="or {a|b} for alternatives",
            )
        position = placeholder.end()
    parts.append(_literal(text[position:]))
    return re.compile("".join(parts))


def _literal(text: str) -> str:
    return r"\s+".join(re.escape(piece) for piece in _SPACES.split(text))


def _significant(output: str) -> list[str]:
    return [line.strip() for line in output.splitlines() if line.strip()]


def _segments(lines: Sequence[ShapeLine]) -> list[list[ShapeLine]]:
    segments: list[list[ShapeLine]] = []
    current: list[ShapeLine] = []
    for line in lines:
        if line.is_gap:
            if current:
                segments.append(current)
            current = []
        else:
            current.append(line)
    if current or not segments:
        segments.append(current)
    return segments


def _fits(shape_line: ShapeLine, text: str) -> bool:
    assert shape_line.pattern is not None
    return shape_line.pattern.fullmatch(text) is not None


def _match_exact(segment: list[ShapeLine], actual: list[str]) -> Mismatch | None:
    problem = _match_at(segment, actual, 0)
    if problem is not None:
        return problem
    if len(actual) > len(segment):
        return Mismatch(
            f"the output has {len(actual) - len(segment)} more line(s) than the shape "
            f"(end the shape with `{GAP}` to allow more)",
            None,
            len(segment),
        )
    return None


def _match_at(segment: list[ShapeLine], actual: list[str], start: int) -> Mismatch | None:
    for offset, shape_line in enumerate(segment):
        index = start + offset
        if index >= len(actual):
            return Mismatch(f"the output ended before `{shape_line.text}`", shape_line, None)
        if not _fits(shape_line, actual[index]):
            return Mismatch(f"`{actual[index]}` does not match `{shape_line.text}`", shape_line, index)
    return None


def _find(segment: list[ShapeLine], actual: list[str], start: int) -> int | None:
    # Leftmost placement of each floating segment leaves the most room for the segments after it.
    for index in range(start, len(actual) - len(segment) + 1):
        if all(_fits(shape_line, actual[index + offset]) for offset, shape_line in enumerate(segment)):
            return index
    return None
