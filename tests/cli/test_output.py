"""Table output: aligned plain text off a terminal (what pipes and the workshop runner see), rich on one."""

from __future__ import annotations

import io

from ekslab.cli.output import plain_table, print_table


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_table_aligns_columns_and_marks_empty_cells() -> None:
    lines = plain_table(
        ("ENI", "DEV", "PRIMARY", "POD"), [("eni-0a", 0, True, None), ("eni-0bbbb", 12, False, "")]
    )
    assert lines == [
        "ENI         DEV   PRIMARY   POD",
        "eni-0a      0     yes       -",
        "eni-0bbbb   12    no        -",
    ]


def test_off_a_terminal_the_title_comes_first_then_plain_lines() -> None:
    stream = io.StringIO()
    print_table(("A", "B"), [("x", None)], title="node-1: settings", stream=stream)
    assert stream.getvalue() == "node-1: settings\nA   B\nx   -\n"


def test_on_a_terminal_a_rich_table_is_drawn() -> None:
    stream = Terminal()
    print_table(("ENI", "DEV"), [("eni-0a", 1)], title="node-1", stream=stream)
    text = stream.getvalue()
    # SIMPLE_HEAD draws a rule under the header; plain text never does.
    assert ("node-1" in text, "─" in text, "eni-0a" in text) == (True, True, True)
