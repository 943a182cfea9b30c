"""One read done in a forked child process, on a second core, while this process does another.

A large bundle's 5,000 ipamd folders take 0.7 s to read and parse, as long as half of the pod list,
and its ENI list 0.25 s more; they need only the node names, so ``ekslab.sources.bundle`` reads
them in a child started after the node list, while it reads the pods itself. The child sends its
result back encoded by msgspec (MessagePack: 17 MB for those folders, 0.04 s to encode and 0.08 s
to decode, against 0.7 s and 0.2 s with pickle) through a pipe. The report's ledger section is
built in a child the same way (``ekslab.cli.report_output``).

The answer is the same as reading in this process, or there is none and the caller reads in this
process after all:

- an ``InputError`` in the child comes back as the same one-line error, raised by ``result``, at the
  point where the caller would have made the read itself (so an earlier error of the caller's own
  reads still comes first: ``cancel`` then ends the child);
- anything else that goes wrong in the child (a value MessagePack cannot carry, such as an integer of
  more than 64 bits or a lone surrogate, a bug, a signal) makes ``result`` return ``None``.

A child is forked only where that is safe and useful: on a system with ``fork``, with at least two
CPUs this process may run on, and when this process has no other thread (a thread holding a lock at
the fork would leave the child waiting for it forever). Otherwise ``start`` returns ``None``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable
from typing import Any, Final, Generic, TypeVar

from ekslab.errors import InputError

T = TypeVar("T")

_DONE: Final = b"D"
_REFUSED: Final = b"R"
_READ_BYTES: Final = 1 << 20


def can_fork() -> bool:
    """Whether ``start`` would fork here (see the module docstring)."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return False
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return cpus >= 2


class ForkedRead(Generic[T]):
    """A read running in a child process: ``result`` waits for it, ``cancel`` ends it."""

    def __init__(self, pid: int, answer: int, result_type: Any) -> None:
        self._pid = pid
        self._answer = answer
        self._type = result_type

    def result(self) -> T | None:
        """The child's result, or ``None`` when it has none (read in this process then); an
        ``InputError`` of the child is raised here, worded as the child worded it."""
        import msgspec

        chunks = []
        try:
            while chunk := os.read(self._answer, _READ_BYTES):
                chunks.append(chunk)
        finally:
            self._close()
        data = b"".join(chunks)
        try:
            if data[:1] == _REFUSED:
                message = msgspec.msgpack.decode(data[1:], type=str)
            elif data[:1] == _DONE:
                return msgspec.msgpack.decode(data[1:], type=self._type)  # type: ignore[no-any-return]
            else:
                return None
        except msgspec.DecodeError:  # a child cut short (killed mid-write): read in this process
            return None
        raise InputError("", message)

    def cancel(self) -> None:
        """End the child (this process stopped before it needed the result)."""
        if self._pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)
        self._close()

    def _close(self) -> None:
        if self._answer >= 0:
            os.close(self._answer)
            self._answer = -1
        if self._pid:
            os.waitpid(self._pid, 0)
            self._pid = 0


def start(work: Callable[[], T], result_type: Any) -> ForkedRead[T] | None:
    """Run ``work`` in a forked child; ``None`` where no child is forked (see ``can_fork``).

    ``result_type`` is the type msgspec decodes the result as (``work``'s return type)."""
    if not can_fork():
        return None
    import msgspec  # loaded before the fork: the child imports nothing

    encode = msgspec.msgpack.Encoder().encode
    answer, reply = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: send the result or the refusal, then end without cleaning up
        os.close(answer)
        status = 1
        try:
            try:
                payload = _DONE + encode(work())
            except InputError as error:
                payload = _REFUSED + encode(error.message)
            view = memoryview(payload)
            while view:
                view = view[os.write(reply, view) :]
            status = 0
        finally:
            os._exit(status)
    os.close(reply)
    return ForkedRead(pid, answer, result_type)
