"""Progress on the terminal, drawn with rich on stderr and only when stderr is a terminal.

The core reports progress through plain callbacks (``ekslab.sources.live.Progress``); these classes
are the CLI's drawings of them. Off a terminal (pipes, CI logs) they draw nothing.
"""

from __future__ import annotations

import sys
from typing import Any

from ekslab.cli.output import terminal_safe


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


class BundleProgress:
    """A status line on stderr while a bundle is read and checked, when stderr is a terminal.

    ``update`` is a ``Progress`` callback (``ekslab.sources.bundle.read_bundle`` reports through
    it): the line says what is being read and how many of its items so far (``reading bundle/:
    pods.json: 75,000``); ``say`` shows the next phase (checking). Each report is drawn at once: the
    reader reports every few thousand items, not per item.
    """

    def __init__(self, where: str, *, enabled: bool | None = None) -> None:
        self.where = terminal_safe(where)
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> BundleProgress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import Progress, SpinnerColumn, TextColumn

            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}", markup=False),
                console=Console(stderr=True, highlight=False, markup=False),
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task(f"reading {self.where}", total=None)
        return self

    def __exit__(self, *_: Any) -> None:
        if self._progress is not None:
            self._progress.stop()

    def update(self, task: str, done: int, total: int | None) -> None:
        of = f" of {total:,}" if total else ""
        self.say(f"reading {self.where}: {task}" + (f": {done:,}{of}" if done else ""))

    def say(self, text: str) -> None:
        """Show ``text`` now."""
        if self._progress is not None:
            self._progress.update(self._task, description=terminal_safe(text), refresh=True)
