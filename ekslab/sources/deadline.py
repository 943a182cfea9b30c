"""Work on daemon threads: a deadline for a whole operation, many of them at once, and the next page
read ahead.

Socket timeouts bound each read, so a server that sends one byte just inside every timeout keeps a
read going for as long as it likes. ``run_within`` bounds the operation instead: it runs in a
daemon thread and is abandoned at the deadline (a daemon thread never holds up the exit).

``run_each_within`` does the same for many operations (the ipamd fan-out: one a node) with a fixed
set of worker threads and one watchdog, the caller's thread: no thread is started per operation,
only one in place of each worker abandoned at a deadline.

``Background`` is that thread on its own: the paged lists start the request of their next page
with it while the caller decodes and uses this one (``ekslab.sources.kube``, ``ekslab.sources.ec2``).
A request still in flight when the caller stops (an error, Ctrl-C) is left to finish on its own and
never holds up the exit either.
"""

from __future__ import annotations

import itertools
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar

from ekslab.errors import InputError

T = TypeVar("T")
R = TypeVar("R")


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
        raise InputError(where, late_answer(limit))
    return task.result()


def late_answer(limit: str) -> str:
    """What an operation abandoned at its deadline (``limit``, e.g. ``--timeout 10 s``) is told."""
    return f"did not answer in full within {limit}"


def run_each_within(
    items: Sequence[T],
    call: Callable[[T, float], R],
    *,
    workers: int,
    seconds: float,
    grace: float,
    timed_out: Callable[[T], R],
) -> Iterator[tuple[T, R]]:
    """``(item, call(item, deadline))`` for every item, in the order the calls end.

    At most ``workers`` calls run at once, on daemon threads. Each is given ``deadline``, the
    ``time.monotonic()`` by which it should have ended (``seconds`` after it starts); one still
    running ``grace`` seconds after that is abandoned, as ``run_within`` abandons its call: the item
    gives ``timed_out(item)`` and a new worker takes the abandoned one's place (its late result is
    dropped). What a call raises is raised here, and no further call is started.
    """
    todo = deque(items)
    lock = threading.Lock()
    running: dict[int, tuple[T, float]] = {}
    """worker number -> (its item, its deadline); a worker abandoned at its deadline is no longer in it."""
    ended: queue.SimpleQueue[tuple[T, bool, Any]] = queue.SimpleQueue()
    stop = threading.Event()
    numbers = itertools.count()

    def work(number: int) -> None:
        while True:
            with lock:
                if stop.is_set() or not todo:
                    return
                item = todo.popleft()
                deadline = time.monotonic() + seconds
                running[number] = (item, deadline)
            try:
                outcome: tuple[T, bool, Any] = (item, True, call(item, deadline))
            except BaseException as error:  # handed to the caller's thread, raised there
                stop.set()
                outcome = (item, False, error)
            with lock:
                if running.pop(number, None) is None:
                    return  # abandoned at the deadline: the item has been reported, another worker runs
            ended.put(outcome)

    def start() -> None:
        threading.Thread(target=work, args=(next(numbers),), name="ekslab-fanout", daemon=True).start()

    left = len(todo)
    for _ in range(min(max(1, workers), left)):
        start()
    try:
        while left:
            with lock:
                first = min((deadline for _, deadline in running.values()), default=None)
            # Before a worker has taken its item there is no deadline yet: look again when the
            # earliest one an item taken now could have has passed.
            wait = seconds + grace if first is None else max(0.0, first + grace - time.monotonic())
            try:
                item, ok, value = ended.get(timeout=wait)
            except queue.Empty:
                now = time.monotonic()
                with lock:
                    late = [number for number, (_, deadline) in running.items() if deadline + grace <= now]
                    abandoned = [running.pop(number)[0] for number in late]
                for item in abandoned:
                    left -= 1
                    start()
                    yield item, timed_out(item)
                continue
            left -= 1
            if not ok:
                raise value
            yield item, value
    finally:
        stop.set()
