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
_LENGTH_BYTES: Final = 8


def can_fork() -> bool:
    """Whether ``start`` would fork here (see the module docstring)."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return False
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return cpus >= 2


class ForkedRead(Generic[T]):
    """A read running in a child process: ``result`` waits for it, ``cancel`` ends it; where the
    child was started with ``then``, ``follow`` then hands it more work (see ``start``)."""

    def __init__(self, pid: int, answer: int, result_type: Any, ask: int = -1) -> None:
        self._pid = pid
        self._answer = answer
        self._type = result_type
        self._ask = ask

    def result(self) -> T | None:
        """The child's result, or ``None`` when it has none (read in this process then); an
        ``InputError`` of the child is raised here, worded as the child worded it."""
        import msgspec

        try:
            data = _receive(self._answer)
        finally:
            if self._ask < 0:  # no more work for the child
                self._close()
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

    def follow(self, message: Any, result_type: Any) -> ForkedRead[Any] | None:
        """After ``result``: send ``message`` to the child's ``then`` and return its answer to come,
        this read's end (use the returned one); None, the child ended, when ``message`` cannot be
        sent (a value MessagePack cannot carry, a child gone)."""
        import msgspec

        if self._ask < 0:
            raise RuntimeError("follow() needs a child started with then= and not yet followed or ended")
        ask, self._ask = self._ask, -1
        try:
            _send(ask, msgspec.msgpack.encode(message))
        except (TypeError, ValueError, OverflowError, OSError):
            self.cancel()
            return None
        finally:
            os.close(ask)
        following = ForkedRead[Any](self._pid, self._answer, result_type)
        self._pid, self._answer = 0, -1
        return following

    def cancel(self) -> None:
        """End the child (this process stopped before it needed the result)."""
        if self._pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)
        if self._ask >= 0:
            os.close(self._ask)
            self._ask = -1
        self._close()

    def _close(self) -> None:
        if self._answer >= 0:
            os.close(self._answer)
            self._answer = -1
        if self._pid:
            os.waitpid(self._pid, 0)
            self._pid = 0


def start(
    work: Callable[[], T],
    result_type: Any,
    *,
    then: Callable[[Any], Any] | None = None,
    then_type: Any = None,
) -> ForkedRead[T] | None:
    """Run ``work`` in a forked child; ``None`` where no child is forked (see ``can_fork``).

    ``result_type`` is the type msgspec decodes the result as (``work``'s return type). With
    ``then``, the child waits after its result for a message of ``then_type`` (``ForkedRead.follow``)
    and answers with ``then(message)``, or ends when this process closes the way without one
    (``cancel``). So work that needs what this process reads meanwhile runs in a child that
    shares none of it: no copy-on-write fault in either process for it."""
    if not can_fork():
        return None
    import msgspec  # loaded before the fork: the child imports nothing

    encode = msgspec.msgpack.Encoder().encode
    answer, reply = os.pipe()
    asks, ask = os.pipe() if then is not None else (-1, -1)
    pid = os.fork()
    if pid == 0:  # the child: send the result or the refusal (twice with then), then end without cleaning up
        os.close(answer)
        if ask >= 0:
            os.close(ask)
        status = 1
        try:
            _send(reply, _answer(work, encode))
            if then is not None and (request := _receive(asks)):
                message = msgspec.msgpack.decode(request, type=then_type)
                _send(reply, _answer(lambda: then(message), encode))
            status = 0
        finally:
            os._exit(status)
    os.close(reply)
    if asks >= 0:
        os.close(asks)
    return ForkedRead(pid, answer, result_type, ask)


def _answer(work: Callable[[], Any], encode: Callable[[Any], bytes]) -> bytes:
    try:
        return _DONE + encode(work())
    except InputError as error:
        return _REFUSED + encode(error.message)


def _send(descriptor: int, payload: bytes) -> None:
    """``payload`` after its length (8 bytes), so that one pipe can carry several."""
    view = memoryview(len(payload).to_bytes(_LENGTH_BYTES, "little") + payload)
    while view:
        view = view[os.write(descriptor, view) :]


def _receive(descriptor: int) -> bytes:
    """One payload of ``_send``; b"" when the pipe ends before it does (the other side ended)."""
    header = _read_exactly(descriptor, _LENGTH_BYTES)
    if len(header) < _LENGTH_BYTES:
        return b""
    data = _read_exactly(descriptor, int.from_bytes(header, "little"))
    return data if len(data) == int.from_bytes(header, "little") else b""


def _read_exactly(descriptor: int, size: int) -> bytes:
    chunks, left = [], size
    while left and (chunk := os.read(descriptor, min(left, _READ_BYTES))):
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
