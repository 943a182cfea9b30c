"""Work on a daemon thread: a deadline for a whole operation, and the next page read ahead.

Socket timeouts bound each read, so a server that sends one byte just inside every timeout keeps a
read going for as long as it likes. ``run_within`` bounds the operation instead: it runs in a
daemon thread and is abandoned at the deadline (a daemon thread never holds up the exit).

``Background`` is that thread on its own: the paged lists start the request of their next page
with it while the caller decodes and uses this one (``ekslab.sources.kube``, ``ekslab.sources.ec2``).
A request still in flight when the caller stops (an error, Ctrl-C) is left to finish on its own and
never holds up the exit either.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from ekslab.errors import InputError

T = TypeVar("T")


class Background(Generic[T]):
    """``call()`` started at once on a daemon thread; ``result()`` waits for it and returns its value
    or raises what it raised, in the caller's thread."""

    def __init__(self, call: Callable[[], T], *, name: str = "ekslab-background") -> None:
        self._outcome: dict[str, Any] = {}
        self._thread = threading.Thread(target=self._run, args=(call,), name=name, daemon=True)
        self._thread.start()

    def _run(self, call: Callable[[], T]) -> None:
        try:
            self._outcome["value"] = call()
        except BaseException as error:  # handed to the caller's thread, raised there
            self._outcome["error"] = error

    def wait(self, seconds: float | None = None) -> bool:
        """Whether the call has ended, waiting for it at most ``seconds`` (None: as long as it takes)."""
        self._thread.join(seconds)
        return not self._thread.is_alive()

    def result(self) -> T:
        self.wait()
        if "error" in self._outcome:
            raise self._outcome["error"]
        return self._outcome["value"]


def run_within(seconds: float, call: Callable[[], T], *, where: str, limit: str) -> T:
    """``call()``'s result, or an ``InputError`` naming ``where`` when it takes over ``seconds``.

    ``limit`` says which setting gave the time, e.g. ``--timeout 2 s``. What ``call`` raises is raised.
    """
    task = Background(call, name="ekslab-deadline")
    if not task.wait(seconds):
        raise InputError(where, f"did not answer in full within {limit}")
    return task.result()
