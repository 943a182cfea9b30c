"""Reading a running step's output line by line, for ``ekslab workshop run --verbose``.

``communicate`` does what ``Popen.communicate(timeout=...)`` does (both pipes read to the end, the
whole output returned as bytes, ``TimeoutExpired`` when the process outlives ``timeout``) and also
hands every line to ``on_line`` as it arrives, tagged ``stdout`` or ``stderr``. One thread per pipe
reads it, so a step that fills one pipe while the other is quiet never blocks.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable
from typing import IO

LineCallback = Callable[[str, str], None]
"""``(stream, line)``: ``stream`` is ``stdout`` or ``stderr``, ``line`` has no trailing newline."""


def communicate(
    process: subprocess.Popen[bytes],
    timeout: float,
    on_line: LineCallback,
    stop: Callable[[subprocess.Popen[bytes]], None],
) -> tuple[bytes, bytes]:
    """Wait for ``process`` at most ``timeout`` seconds, streaming its lines to ``on_line``.

    On timeout ``stop(process)`` ends it (and whatever holds its pipes), then ``TimeoutExpired``
    carries everything printed until then in ``stdout`` and ``stderr``.
    """
    chunks: dict[str, list[bytes]] = {"stdout": [], "stderr": []}
    lock = threading.Lock()  # lines of the two streams are handed over one at a time
    readers = [
        threading.Thread(target=_read, args=(pipe, name, chunks[name], on_line, lock), daemon=True)
        for name, pipe in (("stdout", process.stdout), ("stderr", process.stderr))
        if pipe is not None
    ]
    for reader in readers:
        reader.start()
    deadline = time.monotonic() + timeout
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired as expired:
        stop(process)
        for reader in readers:
            reader.join(1.0)
        with lock:
            expired.stdout, expired.stderr = b"".join(chunks["stdout"]), b"".join(chunks["stderr"])
        raise
    for reader in readers:
        # The step's shell has exited; a process it left in the background may hold the pipe.
        reader.join(max(0.0, deadline - time.monotonic()))
    with lock:
        return b"".join(chunks["stdout"]), b"".join(chunks["stderr"])


def _read(pipe: IO[bytes], name: str, sink: list[bytes], on_line: LineCallback, lock: threading.Lock) -> None:
    for raw in iter(pipe.readline, b""):
        with lock:
            sink.append(raw)
            on_line(name, raw.decode("utf-8", errors="replace").rstrip("\r\n"))
    pipe.close()
