"""Reading a user's text file (configuration, bundle document, guide) and writing an output file or
folder the user names (a report, a bundle), with errors that name it.

Every read is of a regular file and bounded in size: a device (``/dev/zero``), a named pipe with no
writer, or a socket given where a document is expected is refused by what it is, before anything is
read from it, and a file larger than the limit for its kind of document is refused by its size. The
limits are named constants below, each documented with the largest real input it has to hold.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Final

from ekslab.errors import InputError, Verbatim

MAX_TEXT_BYTES: Final = 64 * 1024 * 1024
"""Default limit of one document read whole: a DaemonSet, an ipamd body, a guide, ENIConfigs. The
largest real one is ipamd's ``/v1/enis`` of a node with 737 pods and prefix delegation, about 1 MB;
64 MiB leaves room for any node and still fails fast on an endless or wrong file."""
MAX_LIST_BYTES: Final = 8 * 1024 * 1024 * 1024
"""Limit of one streamed list document (``pods.json``, ``network-interfaces.json``...): 150,000 pods
are about 1.7 GB of ``kubectl get pods -A -o json``; 8 GiB holds four times that. Streamed, so the
limit bounds time, not memory."""
NEW_FILE_MODE = 0o666
"""What ``open(path, "w")`` asks for; the umask takes its share (usually giving 0644)."""

_CHUNK_BYTES: Final = 1 << 20
_NOT_REGULAR: Final = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def open_regular(
    path: str | os.PathLike[str],
    *,
    source: str,
    kind: str = "file",
    expected: str = "a JSON file",
    limit: int = MAX_TEXT_BYTES,
) -> BinaryIO:
    """An open binary handle on the regular file at ``path`` (symbolic links followed), no larger than
    ``limit`` bytes; anything else is an InputError naming ``source``.

    The file is opened without blocking (``O_NONBLOCK``), so a named pipe with no writer cannot
    hang the caller, and checked with ``fstat`` on the open descriptor, so what is checked is what is
    read. ``kind`` and ``expected`` word the errors (``no such <kind>``, ``expected <expected>``).
    """
    return os.fdopen(_open_descriptor(path, source=source, kind=kind, expected=expected, limit=limit), "rb")


def _open_descriptor(
    path: str | os.PathLike[str], *, source: str, kind: str, expected: str, limit: int
) -> int:
    """The descriptor ``open_regular`` wraps, with its checks."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | os.O_CLOEXEC
    try:
        descriptor = os.open(path, flags)
    except FileNotFoundError:
        raise InputError(source, f"no such {kind}") from None
    except OSError as error:
        # A socket cannot be opened at all (ENXIO): name it, as the other special files are named.
        with contextlib.suppress(OSError):
            _refuse_special(os.stat(path).st_mode, source, expected)
        raise InputError(source, f"cannot be read ({error.strerror})") from None
    try:
        status = os.fstat(descriptor)
        if stat.S_ISDIR(status.st_mode):
            raise InputError(source, f"is a directory, expected {expected}")
        _refuse_special(status.st_mode, source, expected)
        check_size(status.st_size, limit=limit, source=source, expected=expected)
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


def check_size(size: int, *, limit: int, source: str, expected: str) -> None:
    """Refuse ``size`` bytes (of a file, or read so far) when it is more than ``limit``."""
    if size > limit:
        raise InputError(
            source, f"is larger than the {_bytes(limit)} allowed for {expected}", Verbatim(f"{size:,} bytes")
        )


def read_bytes(
    path: str | os.PathLike[str],
    *,
    source: str,
    kind: str = "file",
    expected: str = "a JSON file",
    limit: int = MAX_TEXT_BYTES,
) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (see ``open_regular``).

    Read from the descriptor itself (no buffered file object: a bundle has 25,000 small ipamd files)."""
    descriptor = _open_descriptor(path, source=source, kind=kind, expected=expected, limit=limit)
    chunks: list[bytes] = []
    total = 0
    try:
        # Up to one byte more than the limit: a file that grows while it is read (a log being
        # written, a /proc file) is refused like one that was too large from the start.
        while total <= limit and (chunk := os.read(descriptor, min(_CHUNK_BYTES, limit + 1 - total))):
            chunks.append(chunk)
            total += len(chunk)
    except OSError as error:
        raise InputError(source, f"cannot be read ({error.strerror})") from None
    finally:
        os.close(descriptor)
    check_size(total, limit=limit, source=source, expected=expected)
    return b"".join(chunks)


def read_text(
    path: str | os.PathLike[str],
    *,
    source: str,
    kind: str = "file",
    expected: str = "a JSON file",
    limit: int = MAX_TEXT_BYTES,
) -> str:
    """The UTF-8 text of a regular file of at most ``limit`` bytes; an unreadable, special, too large
    or non-UTF-8 file is an InputError naming ``source``.

    ``kind`` and ``expected`` word the errors for a missing file (``no such <kind>``) and a folder
    (``is a directory, expected <expected>``), e.g. ``guide file`` and ``a Markdown guide``.
    """
    data = read_bytes(path, source=source, kind=kind, expected=expected, limit=limit)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(source, f"is not UTF-8 text (byte {error.start})") from None


def _refuse_special(mode: int, source: str, expected: str) -> None:
    for test, name in _NOT_REGULAR:
        if test(mode):
            raise InputError(source, f"is {name}, not a regular file; expected {expected}")


def _bytes(count: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= size and count % size == 0:
            return f"{count // size} {unit}"
    return f"{count:,} bytes"


def output_folder(path: str | os.PathLike[str], *, source: str) -> Path:
    """The folder a file or folder to be written at ``path`` goes in, which must already exist.

    Like a shell redirect or ``mkdir`` without ``-p``, a missing folder is refused rather than made:
    a mistyped path must not grow a tree of folders. Check it before long work, so that a run is
    not lost to a bad output path at its end.
    """
    folder = Path(path).parent
    if not folder.is_dir():
        problem = "is not a folder" if folder.exists() else "does not exist"
        raise InputError(source, f"its folder {folder} {problem}")
    return folder


STDOUT: Final = "-"
"""The output path that means standard output, where an option writes a report."""

_SPECIAL_KINDS: Final = (
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
)


def check_output_file(path: str | os.PathLike[str], *, source: str, stdout_ok: bool = False) -> Path | None:
    """The regular file (existing or not) a report at ``path`` will replace; ``None`` for stdout.

    Only a regular file, or a path where nothing is yet, may be replaced: a device, a FIFO, a
    socket or a folder (also behind a symlink) is refused in one line, never turned into a regular
    file. A symlink to a regular file is written through (the link stays). With ``stdout_ok``,
    ``-`` or a path naming this process's own standard output (``/dev/stdout``) means standard
    output. An empty path is refused. Call it before long work, as ``output_folder``.
    """
    text = os.fspath(path)
    allowed = "a regular file" + (" or - for standard output" if stdout_ok else "")
    if not text:
        raise InputError(source.rstrip(), f"must be a file path ({allowed}), got an empty string")
    if stdout_ok and (text == STDOUT or _is_stdout(text)):
        return None
    given = Path(text)
    output_folder(given, source=source)
    try:
        status = given.stat()
    except FileNotFoundError:
        # Nothing there, or a symlink to nothing: the file is made where the link points, as `>` does.
        return Path(os.path.realpath(given))
    except OSError as error:
        raise InputError(source, f"cannot be written ({error.strerror})") from None
    if stat.S_ISDIR(status.st_mode):
        raise InputError(source, f"is a directory, expected {allowed}")
    for test, kind in _SPECIAL_KINDS:
        if test(status.st_mode):
            via = " (through a symlink)" if given.is_symlink() else ""
            raise InputError(source, f"is {kind}{via}, not a regular file; give {allowed}")
    return Path(os.path.realpath(given))


def _is_stdout(path: str) -> bool:
    try:
        return os.path.samestat(os.stat(path), os.fstat(sys.stdout.fileno()))
    except (OSError, ValueError, AttributeError):
        return False  # no such path, or stdout is not a real file descriptor (captured in tests)


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str], *, source: str, stdout_ok: bool = False) -> Iterator[Path]:
    """A temporary path beside ``path`` to write; renamed to ``path`` when the block succeeds and
    removed otherwise (also on Ctrl-C and SIGTERM, which the CLI turns into exceptions), so ``path``
    is never half-written.

    ``path`` is checked by ``check_output_file``: only a regular file or a new path is replaced; a
    symlink is written through. The file keeps an existing file's mode and owner, else it gets
    ``NEW_FILE_MODE`` less the umask (mkstemp's 0600 suits secrets, not reports). A file with
    other hard links is rewritten in place once the whole content is ready, so every name sees the
    new report. With ``stdout_ok``, standard output (``-``) gets the finished content instead.
    """
    final = check_output_file(path, source=source, stdout_ok=stdout_ok)
    folder = Path(tempfile.gettempdir()) if final is None else final.parent
    try:
        descriptor, name = tempfile.mkstemp(
            prefix=f".{final.name if final else 'stdout'}.", suffix=".tmp", dir=folder
        )
    except OSError as error:
        raise InputError(source, f"cannot be written ({error.strerror})") from None
    os.close(descriptor)
    temporary = Path(name)
    try:
        yield temporary
        if final is None:
            _copy_to_stdout(temporary)
        else:
            _put_in_place(temporary, final)
    except OSError as error:
        raise InputError(source, f"cannot be written ({error.strerror}); not changed") from None
    finally:
        temporary.unlink(missing_ok=True)


def _put_in_place(temporary: Path, final: Path) -> None:
    try:
        existing: os.stat_result | None = final.stat()
    except FileNotFoundError:
        existing = None
    if existing is not None and existing.st_nlink > 1:
        with open(temporary, "rb") as source, open(final, "r+b") as target:
            shutil.copyfileobj(source, target)
            target.truncate()
        return
    os.chmod(temporary, _mode_of(final))
    if existing is not None and (existing.st_uid, existing.st_gid) != (os.geteuid(), os.getegid()):
        with contextlib.suppress(PermissionError):  # only root may give a file away
            os.chown(temporary, existing.st_uid, existing.st_gid)
    os.replace(temporary, final)


def _copy_to_stdout(temporary: Path) -> None:
    sys.stdout.flush()
    with open(temporary, "rb") as source:
        shutil.copyfileobj(source, sys.stdout.buffer)
    sys.stdout.buffer.flush()


def _mode_of(final: Path) -> int:
    try:
        return stat.S_IMODE(final.stat().st_mode)
    except FileNotFoundError:
        # The umask can only be read by setting it: set it back at once.
        umask = os.umask(0)
        os.umask(umask)
        return NEW_FILE_MODE & ~umask
