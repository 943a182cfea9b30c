"""Reading a user's text file (configuration, bundle document, guide) with errors that name it."""

from __future__ import annotations

import os

from ekslab.errors import InputError


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
