"""Printing the exercise views: a rich table on a terminal, aligned plain text otherwise.

Plain text is what pipes, CI logs and the workshop runner see: a header row of upper-case column
names and one line per row, columns separated by at least three spaces (like ``kubectl get -o wide``),
never wrapped or cut, no trailing spaces, ``-`` for an empty cell.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import IO, Any, Final

COLUMN_GAP: Final = "   "


def cell(value: Any) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def plain_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    """The lines of an aligned plain-text table."""
    texts = [[cell(value) for value in row] for row in rows]
    widths = [max([len(column), *(len(row[index]) for row in texts)]) for index, column in enumerate(columns)]
    lines = []
    for row in [list(columns), *texts]:
        lines.append(
            COLUMN_GAP.join(text.ljust(width) for text, width in zip(row, widths, strict=True)).rstrip()
        )
    return lines


def print_table(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    title: str | None = None,
    right: Sequence[str] = (),
    stream: IO[str] | None = None,
) -> None:
    """A rich table when ``stream`` (default stdout) is a terminal, else ``plain_table`` lines.

    ``title`` is printed above the table (as the table's title on a terminal); ``right`` names the
    columns aligned right (numbers).
    """
    stream = stream or sys.stdout
    if not stream.isatty():
        if title:
            stream.write(title + "\n")
        stream.write("".join(line + "\n" for line in plain_table(columns, rows)))
        return
    from rich import box
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, title_justify="left")
    for column in columns:
        table.add_column(column, justify="right" if column in right else "left", overflow="fold")
    for row in rows:
        table.add_row(*(cell(value) for value in row))
    Console(file=stream, highlight=False).print(table)
