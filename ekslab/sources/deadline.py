"""A deadline for a whole operation made of several network reads.

Socket timeouts bound each read, so a server that sends one byte just inside every timeout keeps a
read going for as long as it likes. ``run_within`` bounds the operation instead: it runs in a
daemon thread and is abandoned at the deadline (a daemon thread never holds up the exit).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from ekslab.errors import InputError

T = TypeVar("T")


def run_within(seconds: float, call: Callable[[], T], *, where: str, limit: str) -> T:
    """``call()``'s result, or an ``InputError`` naming ``where`` when it takes over ``seconds``.

    ``limit`` says which setting gave the time, e.g. ``--timeout 2 s``. What ``call`` raises is raised.
    """
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = call()
        except BaseException as error:  # handed to the caller's thread, raised there
            outcome["error"] = error

    thread = threading.Thread(target=target, name="ekslab-deadline", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise InputError(where, f"did not answer in full within {limit}")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
