"""Table output: aligned plain text off a terminal (what pipes and the workshop runner see), rich on one."""

from __future__ import annotations

import io

import pytest

from ekslab.cli.output import fit_table, plain_table, print_table, short_node_name, table_lines, terminal_safe


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


def test_control_characters_are_shown_as_escapes_not_sent() -> None:
    # GIVEN a name with an escape sequence, a bell, a newline and a right-to-left override
    # WHEN made terminal-safe  THEN each is spelled out and the text around it is kept
    assert terminal_safe("web\x1b[2J-1\x07\n\u202egnp.exe") == "web\\x1b[2J-1\\x07\\n\\u202egnp.exe"


def test_a_cell_is_terminal_safe_in_plain_tables_too() -> None:
    assert plain_table(("NAME",), [("a\x1b]8;;x\x07b",)]) == ["NAME", "a\\x1b]8;;x\\x07b"]


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("ip-10-11-55-30.ap-northeast-2.compute.internal", "ip-10-11-55-30"),
        ("ip-10-0-1-10.ec2.internal", "ip-10-0-1-10"),
        ("fargate-ip-10-11-5-5.ap-northeast-2.compute.internal", "fargate-ip-10-11-5-5"),
        ("node-1.example.com", "node-1.example.com"),
    ],
)
def test_short_node_names_drop_only_the_ec2_domain(name: str, short: str) -> None:
    assert short_node_name(name) == short


def test_a_table_that_fits_is_left_as_it_is() -> None:
    layout, _ = fit_table(("A", "B"), [["x", "y"]], 80, fold=("B",))
    assert (layout.main, layout.folded, layout.shortened) == ((0, 1), (), False)


def test_a_narrow_table_shortens_first_then_folds_in_the_given_order() -> None:
    # GIVEN three columns 20 + 46 + 21 wide  WHEN fitted to 40 columns
    columns = ("NAME", "NODE", "ENI")
    rows = [["n" * 20, "ip-10-11-55-30.ap-northeast-2.compute.internal", "eni-0123456789abcdef0"]]
    layout, cells = fit_table(columns, rows, 40, fold=("ENI",), shorten={"NODE": short_node_name})
    # THEN the node name is shortened, ENI moves to the second line, NAME and NODE stay
    assert (layout.main, layout.folded, cells[0][1]) == ((0, 1), (2,), "ip-10-11-55-30")


def test_lines_of_a_folded_table_never_split_a_cell() -> None:
    lines = table_lines(
        ("NAME", "IP", "ENI", "SUBNET"),
        [
            (
                "deployment-2048-7df5f9886b-4kq9z",
                "10.11.55.31",
                "eni-0123456789abcdef0",
                "subnet-0a1b2c3d4e5f60718",
            )
        ],
        50,
        fold=("SUBNET", "ENI"),
    )
    assert [line.plain for line in lines] == [
        "NAME                              IP",
        "─" * 45,
        "deployment-2048-7df5f9886b-4kq9z  10.11.55.31",
        "    ENI eni-0123456789abcdef0",
        "    SUBNET subnet-0a1b2c3d4e5f60718",
    ]
