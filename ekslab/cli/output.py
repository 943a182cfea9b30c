"""How every command prints: JSON documents, and tables that are rich on a terminal and plain text off one.

Two table shapes, both never wrapped or cut off a terminal (pipes, CI logs, the workshop runner):

* ``print_table``: a listing, one row per object (pods, ENIs, settings, guide steps), like
  ``kubectl get -o wide``. Off a terminal: a header row of upper-case column names and one line per
  row, columns separated by at least three spaces, no trailing spaces.
* ``print_figures``: a few rows of numbers (``ekslab plan``), whose headers may span lines on a
  terminal and whose number columns are right-aligned on any output.

Empty cells read ``-`` and booleans ``yes``/``no`` in both. rich is imported only when a table is
printed, so that importing a command module stays cheap.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from typing import IO, Any, Final

import click

COLUMN_GAP: Final = "   "
PLAIN_WIDTH: Final = 200
"""Columns of rich output off a terminal: wide enough that ids, CIDRs and numbers stay whole."""


def echo_json(document: Mapping[str, Any]) -> None:
    """A JSON document on stdout, indented by two spaces (keys are each command's stable interface)."""
    click.echo(json.dumps(document, indent=2))


def cell(value: Any) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def plain_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    """The lines of an aligned plain-text table (``print_table`` off a terminal)."""
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
    columns aligned right (numbers) on a terminal.
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


def print_figures(
    title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], *, right: Sequence[str] = ()
) -> None:
    """A rich table on a terminal, the same columns as plain aligned text otherwise; ``right`` columns
    (the numbers) are right-aligned. A ``\\n`` in a header or cell breaks the line on a terminal and
    reads as a space off one."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    console = Console()
    terminal = console.is_terminal
    if not terminal:
        console = Console(width=max(console.width, PLAIN_WIDTH), no_color=True, highlight=False)
        click.echo(title)
    table = Table(
        title=title if terminal else None,
        box=box.SIMPLE_HEAD if terminal else None,
        show_edge=False,
        pad_edge=False,
        collapse_padding=terminal,
    )
    for column in columns:
        # Never cut a number, name or CIDR: multi-line headers and cells keep tables within 80 columns.
        header = column if terminal else column.replace("\n", " ")
        table.add_column(header, justify="right" if column in right else "left", no_wrap=True)
    for row in rows:
        table.add_row(*(cell(value) if terminal else cell(value).replace("\n", " ") for value in row))
    console.print(table)
    if terminal:
        console.print()
