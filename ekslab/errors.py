"""User-facing errors and the CLI's exit codes.

Bad input (a configuration file, a bundle, a payload, a command-line argument) is reported as one
line that names where the problem is, the rule, and what was given, e.g.::

    lab.yaml: cni.env.WARM_IP_TARGET must be an integer >= 0, got -1

The CLI prints ``InputError`` as ``ekslab: error: <message>`` and exits with ``EXIT_USAGE``;
anything else that escapes is a bug and keeps its traceback.
"""

from __future__ import annotations

from typing import Any, Final

EXIT_OK: Final = 0
"""Every check passed."""
EXIT_FAILED: Final = 1
"""At least one check failed."""
EXIT_USAGE: Final = 2
"""Bad command line or unreadable input."""
EXIT_UNVERIFIED: Final = 3
"""Nothing failed, but something could not be verified."""
EXIT_INTERRUPTED: Final = 130
"""Stopped by Ctrl-C (SIGINT): 128 + 2, as shells report it."""
EXIT_TERMINATED: Final = 143
"""Stopped by SIGTERM: 128 + 15, as shells report it."""

_NOT_GIVEN: Final = object()
_MAX_GIVEN_CHARS: Final = 80


class Verbatim(str):
    """A ``given`` value already phrased for the message: printed without quotes."""


def format_given(value: Any) -> str:
    """Render a user-supplied value for an error line: short, on one line, quoted when a string.

    Bounded for hostile values: a list is rendered only as far as the line shows, and nesting stops
    at ``_MAX_GIVEN_DEPTH`` (``[...]``), so a value nested 900 deep or a million items long costs no
    more than a short one.
    """
    return _shorten(_render(value, 0))


_MAX_GIVEN_DEPTH: Final = 4


def _shorten(text: str) -> str:
    text = " ".join(text[: _MAX_GIVEN_CHARS * 4].split())
    if len(text) > _MAX_GIVEN_CHARS:
        text = text[: _MAX_GIVEN_CHARS - 3] + "..."
    return text


def _render(value: Any, depth: int) -> str:
    if isinstance(value, str) and not isinstance(value, Verbatim):
        return repr(value[: _MAX_GIVEN_CHARS * 2])
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple | dict):
        mapping = isinstance(value, dict)
        if depth >= _MAX_GIVEN_DEPTH:
            return "{...}" if mapping else "[...]"
        parts: list[str] = []
        length = 0
        for item in value.items() if mapping else value:
            if length > _MAX_GIVEN_CHARS:
                parts.append("...")
                break
            part = (
                f"{_render(item[0], depth + 1)}: {_render(item[1], depth + 1)}"
                if mapping
                else _render(item, depth + 1)
            )
            parts.append(_shorten(part))
            length += len(parts[-1]) + 2
        return ("{" if mapping else "[") + ", ".join(parts) + ("}" if mapping else "]")
    return str(value)


class InputError(Exception):
    """Bad input, reported to the user as one line and exit code 2.

    ``where`` names the place (file and key path, or the option), ``rule`` says what is allowed,
    phrased to follow ``where`` ("must be an integer >= 0"), ``given`` is the offending value, and
    ``hint`` is an optional suggestion ("did you mean 'WARM_IP_TARGET'?").
    """

    def __init__(self, where: str, rule: str, given: Any = _NOT_GIVEN, *, hint: str = "") -> None:
        self.where = where
        self.rule = rule
        self.given = given
        self.hint = hint
        super().__init__(self.message)

    @property
    def message(self) -> str:
        text = f"{self.where}: {self.rule}" if self.where else self.rule
        if self.given is not _NOT_GIVEN:
            text += f", got {format_given(self.given)}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def located(self, prefix: str) -> InputError:
        """The same error with ``prefix`` (usually a file name) in front of ``where``."""
        where = f"{prefix}: {self.where}" if self.where else prefix
        return InputError(where, self.rule, self.given, hint=self.hint)


class UnverifiedError(InputError):
    """A required answer of a live source was empty or malformed: the run could not verify anything.

    Reported like ``InputError`` as one line, but with ``EXIT_UNVERIFIED`` (3): the input was not the
    user's mistake, and no verdict may be drawn from it.
    """

    exit_code = EXIT_UNVERIFIED


class Terminated(BaseException):
    """SIGTERM arrived; raised by the CLI's signal handler so that ``finally`` blocks and context
    managers clean up (temporary files, a step's process group) before the exit with
    ``EXIT_TERMINATED``. A ``BaseException``, like ``KeyboardInterrupt``, so ``except Exception``
    does not swallow it."""
