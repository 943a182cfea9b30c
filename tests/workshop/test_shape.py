"""Expected output shapes: placeholders, gaps, whitespace, anchoring, and the reason a match fails."""

from __future__ import annotations

import pytest

from ekslab.errors import InputError
from ekslab.workshop.shape import compile_shape


def shape(text: str):
    return compile_shape(text.splitlines(), first_line=10, source="guide.md")


# The seed's outputs (/work/shared/seed, "출력결과 예제") are the realistic inputs here.
KUBECTL_WIDE = (
    "NAMESPACE   NAME                              READY   STATUS    RESTARTS   AGE     IP             "
    "NODE                                             NOMINATED NODE   READINESS GATES\n"
    "2048-game   2048-deployment-dd74cc68d-2bnxc   1/1     Running   0          3d19h   10.11.58.105   "
    "ip-10-11-55-30.ap-northeast-2.compute.internal   <none>           <none>\n"
)


@pytest.mark.parametrize(
    ("expected", "output"),
    [
        ("export AZ1={az}", "export AZ1=ap-northeast-2a"),
        ("export AZ1={az}", "export AZ1=us-gov-west-1a"),
        ("{eni} {int} {ip}", "eni-0487f50f9f0e7924d 2 10.11.11.120"),
        ("{ip}", "2600:1f14:abc:de00::7"),
        ("pod {word} on {cidr}", "pod web-1 on 10.0.40.16/28"),
        ("KIND {secondary IP|prefix}", "KIND prefix"),
        ("KIND {secondary IP|prefix}", "KIND secondary IP"),
        ('"AWS_VPC_ENI_MTU": {int},', '    "AWS_VPC_ENI_MTU": 9001,'),
        ('"AWS_VPC_K8S_CNI_EXTERNALSNAT": {bool},', '"AWS_VPC_K8S_CNI_EXTERNALSNAT": false,'),
        ("{", "{"),
        ('{"AvailableCommands": []}', '{"AvailableCommands": []}'),
        ("a b   c", "a    b c"),  # a run of spaces matches any run of spaces
        ("age {age}", "age 3d19h"),
        ("delta {int}", "delta -3"),  # integers may be negative
        ("line {any}", "line "),
        (
            "NAMESPACE NAME READY STATUS RESTARTS AGE IP NODE NOMINATED NODE READINESS GATES\n"
            "{word} {word} {int}/{int} Running {int} {age} {ip} {word} <none> <none>",
            KUBECTL_WIDE,
        ),
    ],
)
def test_output_with_the_shape_matches(expected: str, output: str) -> None:
    assert shape(expected).match(output) is None


@pytest.mark.parametrize(
    ("expected", "output"),
    [
        ("export AZ1={az}", "export AZ1=ap-northeast-2"),  # a region is not an AZ
        ("{int}", "12a"),  # the whole line must match
        ("{eni}", "eni-XYZ"),
        ("{ip}", "10.0.0.256"),
        ("KIND {secondary IP|prefix}", "KIND branch"),
        ("{bool}", "True"),
    ],
)
def test_output_without_the_shape_does_not_match(expected: str, output: str) -> None:
    assert shape(expected).match(output) is not None


@pytest.mark.parametrize(
    ("expected", "output", "matches"),
    [
        ("a\nb", "a\nb", True),
        ("a\nb", "a\nb\nc", False),  # anchored at the end without a gap
        ("a\nb", "x\na\nb", False),  # anchored at the start without a gap
        ("...\nb", "x\ny\nb", True),
        ("a\n...", "a\nx\ny", True),
        ("a\n...\nc", "a\nc", True),  # a gap may be empty
        ("a\n...\nc", "a\nb\nb\nc", True),
        ("a\n...\nb\n...\nd", "a\nx\nb\ny\nd", True),
        ("...\nb\nc\n...", "a\nb\nx\nb\nc\nd", True),  # a floating run is found where it is whole
        ("...\nb\nc\n...", "a\nb\nx\nc", False),
        ("...", "", True),
        ("...", "anything\nat all", True),
        ("", "", True),  # an empty shape: the step prints nothing
        ("", "something", False),
        ("a\n\n\nb", "\na\n\n  \nb\n\n", True),  # blank lines are ignored on both sides
        ("a\n...\n...\nb", "a\nx\nb", True),  # consecutive gaps are one gap
        ("a\n...\nb", "a", False),
    ],
)
def test_gaps_and_anchoring(expected: str, output: str, matches: bool) -> None:
    assert (shape(expected).match(output) is None) is matches


@pytest.mark.parametrize(
    ("expected", "output", "reason", "shape_line"),
    [
        (
            "export AZ1={az}\nexport AZ2={az}",
            "export AZ1=ap-northeast-2a\nexport AZ2=oops",
            "`export AZ2=oops` does not match `export AZ2={az}`",
            12,
        ),
        ("a\nb", "a", "the output ended before `b`", 12),
        (
            "a",
            "a\nb\nc",
            "the output has 2 more line(s) than the shape (end the shape with `...` to allow more)",
            None,
        ),
        (
            "...\nneedle\nthread\n...",
            "hay\nstack",
            "no lines in the output match `needle` and the 1 line(s) after it",
            12,
        ),
        ("a\n...\nneedle\n...", "a\nb", "no lines after output line 1 match `needle`", 13),
    ],
)
def test_mismatch_says_which_shape_line_failed_and_why(
    expected: str, output: str, reason: str, shape_line: int | None
) -> None:
    mismatch = shape(expected).match(output)
    assert mismatch is not None
    assert (mismatch.reason, mismatch.shape_line.line if mismatch.shape_line else None) == (
        reason,
        shape_line,
    )


def test_unknown_placeholder_is_an_error_of_the_guide_naming_its_line() -> None:
    with pytest.raises(InputError) as error:
        shape("first\nexport AZ1={zone}")
    assert error.value.message.startswith(
        "guide.md line 12: {zone} is not a placeholder; use one of {any}, {word},"
    )


def test_checked_lines_do_not_count_gaps() -> None:
    assert shape("a\n...\nb\n\nc").checked_lines == 3
