"""How every command prints: JSON documents, and tables that fit the terminal and stay whole off one.

Two table shapes:

* ``print_table``: a listing, one row per object (pods, ENIs, settings, guide steps), like
  ``kubectl get -o wide``. Off a terminal (pipes, CI logs, the workshop runner): a header row of
  upper-case column names and one line per row, columns separated by at least three spaces, no
  trailing spaces, never wrapped. On a terminal the same columns when they fit; when they do not,
  long node names are shortened the way kubectl users know them (``ip-10-11-55-30`` for
  ``ip-10-11-55-30.ap-northeast-2.compute.internal``) and the least important columns move, whole,
  to an indented second line under their row (``ENI eni-0a1b...  SUBNET subnet-...``). No cell is
  ever cut or wrapped inside: an IP, ENI id or result is always whole on one line.
* ``print_figures``: a few rows of numbers (``ekslab plan``), whose headers may span lines on a
  terminal and whose number columns are right-aligned on any output.

Every cell and title is text, never rich markup, and control characters in it (escape sequences
from a hostile bundle or API answer) are shown as ``\\x1b``-style escapes instead of reaching the
terminal (``terminal_safe``). Empty cells read ``-`` and booleans ``yes``/``no``. rich is imported
only when something is printed on a terminal, so that importing a command module stays cheap.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any, Final

import click

COLUMN_GAP: Final = "   "
TERMINAL_GAP: Final = "  "
"""Between columns on a terminal (kubectl's spacing)."""
DETAIL_INDENT: Final = "    "
"""In front of a row's second line (its folded columns, its details)."""
PLAIN_WIDTH: Final = 200
"""Columns of rich output off a terminal: wide enough that ids, CIDRs and numbers stay whole."""

# C0 and C1 controls, DEL, and the Unicode format characters that reorder or hide text (bidi
# overrides and isolates, zero-width joiners): none belongs in a name, all can mislead a reader.
_UNSAFE: Final = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_EC2_HOST_SUFFIX: Final = re.compile(r"\.(?:[a-z0-9-]+\.compute|ec2)\.internal$")


def echo_json(document: Mapping[str, Any]) -> None:
    """A JSON document on stdout, indented by two spaces (keys are each command's stable interface)."""
    click.echo(json.dumps(document, indent=2))


def echo_prose(text: str, *, err: bool = False) -> None:
    """A sentence (a note, a warning): wrapped between words to the terminal's width on a terminal,
    one line off one (logs and pipes keep it greppable). Words, ids and numbers are never split."""
    stream = sys.stderr if err else sys.stdout
    text = terminal_safe(text)
    if stream.isatty():
        import shutil
        import textwrap

        width = shutil.get_terminal_size().columns
        text = "\n".join(
            textwrap.wrap(
                text, width=width, subsequent_indent="  ", break_long_words=False, break_on_hyphens=False
            )
        )
    click.echo(text, err=err)


def terminal_safe(text: str) -> str:
    """``text`` with every control or text-reordering character written as an escape (``\\x1b``,
    ``\\u202e``), so that what came from a bundle or an API cannot move the cursor, recolour the
    screen or hide itself. Tabs and newlines are escaped too: a cell is one line."""
    return _UNSAFE.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)


def cell(value: Any) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return terminal_safe(str(value))


def short_node_name(name: str) -> str:
    """An EC2 node's host name without its DNS domain, as kubectl users know it: ``ip-10-11-55-30``
    for ``ip-10-11-55-30.ap-northeast-2.compute.internal`` (or ``.ec2.internal`` in us-east-1).
    Any other name is returned unchanged."""
    return _EC2_HOST_SUFFIX.sub("", name)


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


@dataclass(frozen=True)
class TableLayout:
    """Which columns stay on a row's first line at a width, and which fold onto its second line."""

    main: tuple[int, ...]
    folded: tuple[int, ...]
    shortened: bool
    """Whether the ``shorten`` functions were applied to their columns' cells."""


def fit_table(
    columns: Sequence[str],
    texts: Sequence[Sequence[str]],
    width: int,
    *,
    fold: Sequence[str] = (),
    shorten: Mapping[str, Callable[[str], str]] | None = None,
) -> tuple[TableLayout, list[list[str]]]:
    """The layout of ``texts`` (cells already rendered) within ``width`` columns, and the cells to print.

    In order, until the first lines fit: shorten the cells of the ``shorten`` columns, then fold the
    ``fold`` columns (first named first) onto the second line, then the remaining columns from the
    right, keeping at least one on the first line. Cells are never cut: a cell wider than the
    terminal keeps its own line.
    """
    shorten = shorten or {}
    rows = [list(row) for row in texts]
    layout = TableLayout(tuple(range(len(columns))), (), shortened=False)
    if _main_width(columns, rows, layout.main) <= width:
        return layout, rows
    if shorten:
        indexes = {columns.index(name): function for name, function in shorten.items() if name in columns}
        rows = [
            [
                indexes[index](text) if index in indexes and text != "-" else text
                for index, text in enumerate(row)
            ]
            for row in rows
        ]
        layout = TableLayout(layout.main, (), shortened=True)
    order = [columns.index(name) for name in fold if name in columns]
    order += [index for index in reversed(range(1, len(columns))) if index not in order]
    main, folded = list(layout.main), []
    for index in order:
        if _main_width(columns, rows, main) <= width or len(main) == 1:
            break
        main.remove(index)
        folded.append(index)
    # The second line lists the folded columns in the table's own order.
    return TableLayout(tuple(main), tuple(sorted(folded)), layout.shortened), rows


def _main_width(columns: Sequence[str], rows: Sequence[Sequence[str]], main: Sequence[int]) -> int:
    widths = [max([len(columns[index]), *(len(row[index]) for row in rows)]) for index in main]
    return sum(widths) + len(TERMINAL_GAP) * (len(widths) - 1)


def table_lines(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    width: int,
    *,
    right: Sequence[str] = (),
    fold: Sequence[str] = (),
    shorten: Mapping[str, Callable[[str], str]] | None = None,
    details: Sequence[Sequence[str]] | None = None,
    styles: Sequence[str | None] | None = None,
) -> list[Any]:
    """A terminal table as rich ``Text`` lines at most ``width`` columns wide where cells allow.

    ``details`` (one list per row) are prose lines printed under their row, wrapped between words;
    ``styles`` (one per row) colours the row. See ``fit_table`` for how the table narrows.
    """
    from rich.text import Text

    texts = [[cell(value) for value in row] for row in rows]
    layout, texts = fit_table(columns, texts, width, fold=fold, shorten=shorten)
    widths = {index: max([len(columns[index]), *(len(row[index]) for row in texts)]) for index in layout.main}

    def first_line(values: Sequence[str]) -> str:
        parts = [
            values[index].rjust(widths[index])
            if columns[index] in right
            else values[index].ljust(widths[index])
            for index in layout.main
        ]
        return TERMINAL_GAP.join(parts).rstrip()

    header = first_line(list(columns))
    rule = sum(widths.values()) + len(TERMINAL_GAP) * (len(widths) - 1)
    lines = [Text(header, style="bold"), Text("─" * rule, style="dim")]
    for number, row in enumerate(texts):
        style = (styles[number] if styles else None) or ""
        lines.append(Text(first_line(row), style=style))
        # An empty folded cell ("-") is left out: the second line says what there is.
        items = [f"{columns[index]} {row[index]}" for index in layout.folded if row[index] != "-"]
        lines.extend(Text(line, style="dim") for line in _wrap_items(items, width, TERMINAL_GAP))
        for detail in details[number] if details else ():
            words = terminal_safe(detail).split(" ")
            lines.extend(Text(line, style=style) for line in _wrap_items(words, width, " "))
    if layout.shortened:
        names = ", ".join(name for name in (shorten or {}) if name in columns)
        lines.append(
            Text(f"({names}: EC2 host names without their domain; -o json has them whole)", style="dim")
        )
    return lines


def _wrap_items(items: Sequence[str], width: int, separator: str) -> list[str]:
    """``items`` joined by ``separator`` on indented lines of at most ``width`` columns, broken
    between items; an item too long for a line of its own is broken between its words (never inside
    a word: an id longer than the terminal keeps its line, whole)."""
    import textwrap

    room = max(width - len(DETAIL_INDENT), 1)
    lines: list[str] = []
    current = ""
    for item in items:
        if not item:
            continue
        if len(item) > room:
            if current:
                lines.append(current)
                current = ""
            lines += textwrap.wrap(
                item, width=room, subsequent_indent="  ", break_long_words=False, break_on_hyphens=False
            )
            continue
        candidate = f"{current}{separator}{item}" if current else item
        if current and len(candidate) > room:
            lines.append(current)
            current = item
        else:
            current = candidate
    if current:
        lines.append(current)
    return [DETAIL_INDENT + line for line in lines]


def terminal_console(stream: IO[str] | None = None, *, width: int | None = None) -> Any:
    """A rich Console on ``stream`` (default stdout) that never interprets markup or highlights."""
    from rich.console import Console

    return Console(file=stream or sys.stdout, highlight=False, markup=False, emoji=False, width=width)


def print_table(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    title: str | None = None,
    right: Sequence[str] = (),
    fold: Sequence[str] = (),
    shorten: Mapping[str, Callable[[str], str]] | None = None,
    stream: IO[str] | None = None,
    console: Any = None,
) -> None:
    """The table fitted to the terminal when ``stream`` (default stdout) is one, else ``plain_table``
    lines.

    ``title`` is printed above the table; ``right`` names the columns aligned right (numbers);
    ``fold`` names the columns that move to a second line first when the terminal is too narrow,
    least important first; ``shorten`` gives, per column, a shorter spelling tried before folding
    (``short_node_name``). ``console`` (a rich Console) replaces ``stream``, for tests of a width.
    """
    stream = stream or sys.stdout
    if console is None and not stream.isatty():
        if title:
            stream.write(terminal_safe(title) + "\n")
        stream.write("".join(line + "\n" for line in plain_table(columns, rows)))
        return
    from rich.text import Text

    console = console or terminal_console(stream)
    if title:
        console.print(Text(terminal_safe(title), style="bold"))
    for line in table_lines(columns, rows, console.width, right=right, fold=fold, shorten=shorten):
        console.print(line, soft_wrap=True)


def print_figures(
    title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], *, right: Sequence[str] = ()
) -> None:
    """A rich table on a terminal, the same columns as plain aligned text otherwise; ``right`` columns
    (the numbers) are right-aligned. A ``\\n`` in a header or cell breaks the line on a terminal and
    reads as a space off one."""
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(highlight=False, markup=False)
    terminal = console.is_terminal
    if not terminal:
        console = Console(width=max(console.width, PLAIN_WIDTH), no_color=True, highlight=False, markup=False)
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
        table.add_row(
            *(Text("\n".join(terminal_safe(part) for part in _cell_lines(value, terminal))) for value in row)
        )
    console.print(table)
    if terminal:
        console.print()


def _cell_lines(value: Any, terminal: bool) -> list[str]:
    text = (
        "-"
        if value is None or value == ""
        else ("yes" if value is True else "no" if value is False else str(value))
    )
    return text.split("\n") if terminal else [text.replace("\n", " ")]
