"""Reading a user's text file (configuration, bundle document, guide) and writing an output file or
folder the user names (a report, a bundle), with errors that name it."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ekslab.errors import InputError

NEW_FILE_MODE = 0o666
"""What ``open(path, "w")`` asks for; the umask takes its share (usually giving 0644)."""


def read_text(
    path: str | os.PathLike[str], *, source: str, kind: str = "file", expected: str = "a JSON file"
) -> str:
    """The UTF-8 text of a file; unreadable or non-UTF-8 content is an InputError naming ``source``.

    ``kind`` and ``expected`` word the errors for a missing file (``no such <kind>``) and a folder
    (``is a directory, expected <expected>``), e.g. ``guide file`` and ``a Markdown guide``.
    """
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except FileNotFoundError:
        raise InputError(source, f"no such {kind}") from None
    except IsADirectoryError:
        raise InputError(source, f"is a directory, expected {expected}") from None
    except UnicodeDecodeError as error:
        raise InputError(source, f"is not UTF-8 text (byte {error.start})") from None
    except OSError as error:
        raise InputError(source, f"cannot be read ({error.strerror})") from None


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


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str], *, source: str) -> Iterator[Path]:
    """A temporary path beside ``path`` to write; renamed to ``path`` when the block succeeds and
    removed otherwise, so ``path`` is never half-written.

    The file ends with the mode ``open(path, "w")`` would give it: an existing file's own, else
    ``NEW_FILE_MODE`` less the umask (mkstemp's 0600 suits secrets, not reports). A folder that
    does not exist or cannot take the file is an InputError naming ``source``.
    """
    final = Path(path)
    folder = output_folder(final, source=source)
    if final.is_dir():
        raise InputError(source, "is a directory, expected a file")
    try:
        descriptor, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise InputError(source, f"cannot be written ({error.strerror})") from None
    os.close(descriptor)
    temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, _mode_of(final))
        os.replace(temporary, final)
    except OSError as error:
        raise InputError(source, f"cannot be written ({error.strerror}); not changed") from None
    finally:
        temporary.unlink(missing_ok=True)


def _mode_of(final: Path) -> int:
    try:
        return stat.S_IMODE(final.stat().st_mode)
    except FileNotFoundError:
        # The umask can only be read by setting it: set it back at once.
        umask = os.umask(0)
        os.umask(umask)
        return NEW_FILE_MODE & ~umask
