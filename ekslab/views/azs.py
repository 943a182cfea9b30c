"""The workshop's AZ exports: ``export AZ1=ap-northeast-2a`` ... for a shell profile.

The seed appends them with ``echo "export AZ1=..." | tee -a ~/.bash_profile``, which adds a
duplicate on every re-run. Here they live in one marked block::

    # >>> ekslab azs >>>
    # Availability zones of lab ekslab (ap-northeast-2), from CloudFormation stack ekslab-network.
    # Written by `ekslab azs --append`; running it again replaces this block.
    export AZ1=ap-northeast-2a
    ...
    # <<< ekslab azs <<<

and writing the profile again replaces that block where it is (or appends it once); the rest of the
file is kept byte for byte. The profile is edited in place, as an editor saving it would: under an
exclusive ``flock`` (two runs never interleave), keeping its owner, mode, hard links and symlink,
appending only the new bytes when the block is new (so lines another process appends meanwhile are
kept). A write that fails (a full disk) is undone: appended bytes are cut off again, rewritten
ones put back (they fit in the blocks they had), so the profile is left unchanged. A
read-only profile is refused, even for root; a new one gets the umask's mode, as ``>>`` gives it.

What is written is sourced by a shell at every login: the lab name and region must match their
configuration patterns in full (no newline, no ``;``), zones are quoted, and the comment names its
source with control characters replaced.

Zones come from the deployed network stack's outputs ``AZ1``, ``AZ2``... (``<lab>-network``,
ekslab_constructs/az_exports.py, read by ``ekslab.sources.cloudformation``) or, offline, from the lab
configuration.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import re
import shlex
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from ekslab.config import defaults
from ekslab.config.model import LAB_NAME_PATTERN, REGION_PATTERN
from ekslab.errors import InputError

BLOCK_BEGIN: Final = "# >>> ekslab azs >>>"
BLOCK_END: Final = "# <<< ekslab azs <<<"
OUTPUT_KEY: Final = re.compile(r"^AZ([1-9][0-9]*)$")
# Written into a file that a shell sources: only plain zone names ever get there.
ZONE_NAME: Final = re.compile(r"^[a-z]{2}(-[a-z0-9]+)+-[0-9]+[a-z]$")
_EXPORT_LINE: Final = re.compile(r"^\s*(?:export\s+)?(AZ[0-9]+)=")
_NOT_PRINTABLE: Final = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
NEW_FILE_MODE: Final = 0o666
"""What ``>>`` asks for when it creates a file; the umask takes its share (usually giving 0644)."""
_WRITE_BITS: Final = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH


@dataclass(frozen=True)
class AzExports:
    """The lab's availability zones in order (AZ1 first) and where they were read."""

    lab: str
    region: str
    zones: tuple[str, ...]
    source: str
    """E.g. "CloudFormation stack ekslab-network" or "lab configuration lab.yaml"."""

    def __post_init__(self) -> None:
        check_lab_name(self.lab, where="--lab")
        check_region(self.region, where="--region")
        for number, zone in enumerate(self.zones, start=1):
            check_zone(zone, where=f"AZ{number}")

    def lines(self) -> list[str]:
        return [f"export AZ{index}={shlex.quote(zone)}" for index, zone in enumerate(self.zones, start=1)]

    def block(self) -> str:
        """The marked profile block, ending with a newline."""
        source = _NOT_PRINTABLE.sub("?", self.source)
        body = [
            BLOCK_BEGIN,
            f"# Availability zones of lab {self.lab} ({self.region}), from {source}.",
            "# Written by `ekslab azs --append`; running it again replaces this block.",
            *self.lines(),
            BLOCK_END,
        ]
        return "\n".join(body) + "\n"


def zones_from_outputs(outputs: Mapping[str, str], *, stack: str) -> tuple[str, ...]:
    """AZ1, AZ2... of a stack's outputs, in number order; they must be AZ names without gaps."""
    numbered: dict[int, str] = {}
    for key, value in outputs.items():
        match = OUTPUT_KEY.match(key)
        if match:
            numbered[int(match.group(1))] = value
    if not numbered:
        raise InputError(
            f"CloudFormation stack {stack}",
            "has no AZ1, AZ2... outputs",
            hint="is it the lab's network stack? `ekslab azs --offline` reads the lab configuration",
        )
    expected = list(range(1, len(numbered) + 1))
    if sorted(numbered) != expected:
        raise InputError(
            f"CloudFormation stack {stack}",
            "must have outputs AZ1 to AZn without gaps",
            [f"AZ{number}" for number in sorted(numbered)],
        )
    for number, zone in sorted(numbered.items()):
        check_zone(zone, where=f"CloudFormation stack {stack}: output AZ{number}")
    return tuple(numbered[number] for number in expected)


def check_zone(zone: str, *, where: str) -> str:
    if not isinstance(zone, str) or not ZONE_NAME.fullmatch(zone):
        raise InputError(where, "must be an availability zone name like ap-northeast-2a", zone)
    return zone


def check_lab_name(lab: str, *, where: str) -> str:
    """A lab name as the configuration allows it, matched in full (``$`` would let a newline by)."""
    if not isinstance(lab, str) or not LAB_NAME_PATTERN.fullmatch(lab):
        raise InputError(
            where,
            "must be a lab name (a lowercase letter, then up to 19 lowercase letters, digits or -)",
            lab,
        )
    return lab


def check_region(region: str, *, where: str) -> str:
    if not isinstance(region, str) or not REGION_PATTERN.fullmatch(region):
        raise InputError(where, "must be an AWS region name like ap-northeast-2", region)
    return region


def update_profile_text(text: str, block: str, *, source: str) -> tuple[str, bool]:
    """``text`` with its ekslab azs block replaced by ``block`` (or ``block`` appended).

    Returns the new text and whether a block was replaced. A begin marker without its end marker, an
    end marker alone, or two blocks is an ``InputError``: the file is left for a person to fix.
    """
    lines = text.splitlines(keepends=True)
    begins = [index for index, line in enumerate(lines) if line.strip() == BLOCK_BEGIN]
    ends = [index for index, line in enumerate(lines) if line.strip() == BLOCK_END]
    if len(begins) > 1 or len(ends) > 1:
        raise InputError(
            source,
            f"has {max(len(begins), len(ends))} ekslab azs blocks, expected at most one",
            hint="remove all but one, then run again",
        )
    unpaired = None
    if begins and (not ends or ends[0] < begins[0]):
        unpaired = (begins[0], "end")
    elif ends and not begins:
        unpaired = (ends[0], "begin")
    if unpaired is not None:
        raise InputError(
            f"{source} line {unpaired[0] + 1}",
            f"has an ekslab azs block without its {unpaired[1]} marker",
            hint=f"restore `{BLOCK_BEGIN}` ... `{BLOCK_END}` or delete the block; not changed",
        )
    if begins:
        before, after = lines[: begins[0]], lines[ends[0] + 1 :]
        return "".join(before) + block + "".join(after), True
    separator = "" if not text or text.endswith("\n") else "\n"
    return text + separator + block, False


def assignments_outside_block(text: str, names: Sequence[str]) -> list[tuple[int, str]]:
    """(line number, variable) of ``AZn=`` assignments outside the ekslab block, e.g. left by ``tee -a``."""
    found = []
    inside = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped == BLOCK_BEGIN:
            inside = True
        elif stripped == BLOCK_END:
            inside = False
        elif not inside:
            match = _EXPORT_LINE.match(line)
            if match and match.group(1) in names:
                found.append((number, match.group(1)))
    return found


@dataclass(frozen=True)
class ProfileUpdate:
    path: Path
    replaced: bool
    created: bool
    stray: list[tuple[int, str]]
    """Assignments of the same variables outside the block (see ``assignments_outside_block``)."""


def write_profile(path: str | os.PathLike[str], exports: AzExports) -> ProfileUpdate:
    """Put ``exports``' block into the profile at ``path`` (see the module docstring)."""
    given = Path(path).expanduser()
    # Write through a symlink (dotfiles kept in a repository), never replace the link itself.
    target = Path(os.path.realpath(given))
    source = str(given)
    if target.exists() and not target.is_file():
        raise InputError(source, "must be a regular file (a shell profile)")
    if not target.parent.is_dir():
        raise InputError(source, "must be in an existing folder")
    created = not target.exists()
    try:
        descriptor = os.open(target, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, NEW_FILE_MODE)
    except OSError as error:
        raise InputError(source, f"cannot be opened for writing ({error.strerror}); not changed") from None
    with os.fdopen(descriptor, "r+b", buffering=0) as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)  # released when the file is closed
        status = os.fstat(handle.fileno())
        if not created and not status.st_mode & _WRITE_BITS:
            raise InputError(source, f"is read-only (mode {stat.S_IMODE(status.st_mode):04o}); not changed")
        raw = _read_all(handle)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InputError(source, f"is not UTF-8 text (byte {error.start}); not changed") from None
        updated, replaced = update_profile_text(text, exports.block(), source=source)
        if updated != text:
            _edit_in_place(handle, raw, updated.encode("utf-8"), source=source)
    names = [f"AZ{index}" for index in range(1, len(exports.zones) + 1)]
    stray = assignments_outside_block(updated, names)
    return ProfileUpdate(path=given, replaced=replaced, created=created, stray=stray)


def _read_all(handle: io.RawIOBase) -> bytes:
    handle.seek(0)
    chunks = []
    while chunk := handle.read(1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)


def _edit_in_place(handle: io.RawIOBase, old: bytes, new: bytes, *, source: str) -> None:
    """Rewrite only the bytes after what ``old`` and ``new`` share; appends go to the end as written
    by ``>>`` would, after lines another process may have appended since the read."""
    same = _shared_prefix(old, new)
    appending = same == len(old)
    descriptor = handle.fileno()
    end = os.fstat(descriptor).st_size if appending else 0
    try:
        if appending:
            os.lseek(descriptor, 0, os.SEEK_END)
            _write_all(descriptor, new[same:])
        else:
            os.lseek(descriptor, same, os.SEEK_SET)
            _write_all(descriptor, new[same:])
            os.ftruncate(descriptor, len(new))
        os.fsync(descriptor)
    except OSError as error:
        with contextlib.suppress(OSError):  # put the old bytes back: they fit in the blocks they had
            os.lseek(descriptor, same, os.SEEK_SET)
            _write_all(descriptor, old[same:])
            os.ftruncate(descriptor, len(old) if not appending else end)
        raise InputError(source, f"cannot be written ({error.strerror}); not changed") from None


def _shared_prefix(old: bytes, new: bytes) -> int:
    for index, (a, b) in enumerate(zip(old, new, strict=False)):
        if a != b:
            return index
    return min(len(old), len(new))


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view) :]


def network_stack_name(lab: str) -> str:
    """``<lab>-network``, the lab's network stack (``ekslab.config.defaults.stack_name``)."""
    return defaults.stack_name(lab, "network")
