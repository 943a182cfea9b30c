"""Progress on the terminal, drawn with rich on stderr and only when stderr is a terminal.

The core reports progress through plain callbacks (``ekslab.sources.live.Progress``); these classes
are the CLI's drawings of them. Off a terminal (pipes, CI logs) they draw nothing.
"""

from __future__ import annotations

import sys
from typing import Any


class ProgressBars:
    """One bar per task of a ``Progress`` callback; use as a context manager and pass ``update``."""

    def __init__(self) -> None:
        self._progress: Any = None
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> ProgressBars:
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import Progress

            self._progress = Progress(console=Console(stderr=True), transient=True)
            self._progress.start()
        return self

    def __exit__(self, *_: Any) -> None:
        if self._progress is not None:
            self._progress.stop()

    def update(self, task: str, done: int, total: int | None) -> None:
        if self._progress is None:
            return
        if task not in self._tasks:
            self._tasks[task] = self._progress.add_task(task, total=total)
        self._progress.update(self._tasks[task], completed=done, total=total)


class Spinner:
    """A status line on stderr while something slow runs, when stderr is a terminal."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.status: Any = None

    def __enter__(self) -> Spinner:
        if sys.stderr.isatty():
            from rich.console import Console

            self.status = Console(stderr=True).status(self.text)
            self.status.start()
        return self

    def __exit__(self, *_: Any) -> None:
        if self.status is not None:
            self.status.stop()
